"""TF1's global-norm clipping: `tf.global_norm` and `tf.clip_by_global_norm` (the per-tensor
clips, clip_by_value and clip_by_norm, live in math_ops). IndexedSlices are clipped by their
values and stay IndexedSlices, as in TF1 (so a row named twice counts twice in the norm)."""
import collections.abc

from minitf.framework.default_graph import name_scope
from minitf.ops import array_ops, math_ops, nn_ops
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.math_ops import as_slices_like, clipped_values

__all__ = ["global_norm", "clip_by_global_norm"]


def _check_sequence(t_list):
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def global_norm(t_list, name=None):
    """TF1 `tf.global_norm`: sqrt(sum of the squared L2 norms of the non-None tensors), built as
    TF1 builds it: sqrt(2 * sum(stack([l2_loss(t), ...]))), the Sqrt named "global_norm"."""
    t_list = _check_sequence(t_list)
    with name_scope(name, "global_norm", [t for t in t_list if t is not None]):
        tensors = [convert_to_tensor(clipped_values(t), name=f"t_{i}") for i, t in enumerate(t_list) if t is not None]
        half_squared_norm = math_ops.reduce_sum(array_ops.stack([nn_ops.l2_loss(t) for t in tensors]))
        doubled = half_squared_norm * constant(2.0, dtype=half_squared_norm.dtype)
        return math_ops.sqrt(doubled, name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """TF1 `tf.clip_by_global_norm`: each tensor times clip_norm * min(1 / norm, 1 / clip_norm),
    where norm is `use_norm` or the global norm of `t_list`; None entries stay None.

    Returns (list_clipped, global_norm). As in TF1, a NaN or Inf norm makes every clipped value
    NaN (the scale adds norm - norm)."""
    t_list = _check_sequence(t_list)
    present = [t for t in t_list if t is not None]
    # TF1 computes the norm before entering the scope, so its ops sit under "global_norm/".
    use_norm = global_norm(t_list) if use_norm is None else convert_to_tensor(use_norm, name="use_norm")
    with name_scope(name, "clip_by_global_norm", present + [clip_norm]) as scope:
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, constant(1.0, dtype=use_norm.dtype) / clip_norm)
        scale = scale_for_finite + (use_norm - use_norm)
        clipped = [None if t is None else
                   as_slices_like(t, array_ops.identity(convert_to_tensor(clipped_values(t)) * scale,
                                                        name=f"{scope}_{i}"))
                   for i, t in enumerate(t_list)]
        return clipped, use_norm
