"""Checkpoint ops: SaveV2 and RestoreV2 (TF1's `gen_io_ops.save_v2` / `restore_v2`).

Both take a checkpoint prefix, a 1-D string tensor of tensor names and a 1-D string tensor of
"shape and slice" specs (empty strings: whole tensors, the only kind minitf reads and writes).
They are stateful (never pruned or folded) and have no gradient. Their kernels
(kernels/io.py) read and write TF's V2 tensor-bundle format through minitf.train.tensor_bundle.
"""
from minitf.framework import dtypes
from minitf.framework.common_shapes import unknown
from minitf.framework.op_def import TypeListAttr, define_op
from minitf.ops.op_builder import apply_op


def _check_vectors(op):
    """SaveV2/RestoreV2 want a scalar prefix and names/slices vectors of one length."""
    prefix, names, slices = (t.shape for t in op.inputs[:3])
    if not prefix.is_compatible_with([]):
        raise ValueError(f"Shape must be rank 0 but is rank {prefix.ndims}")
    for vector in (names, slices):
        if not vector.is_compatible_with([None]):
            raise ValueError(f"Shape must be rank 1 but is rank {vector.ndims}")
    count = len(op.get_attr("dtypes"))
    names.merge_with([count]).merge_with(slices)


def _save_shape(op):
    _check_vectors(op)
    return []


def _restore_shape(op):
    _check_vectors(op)
    return unknown(op)


define_op("SaveV2", inputs=["prefix: string", "tensor_names: string", "shape_and_slices: string",
                            "tensors: dtypes"],
          attrs={"dtypes": TypeListAttr()}, shape=_save_shape, stateful=True, differentiable=False)
define_op("RestoreV2", inputs=["prefix: string", "tensor_names: string", "shape_and_slices: string"],
          outputs=["tensors: dtypes"], attrs={"dtypes": TypeListAttr()}, shape=_restore_shape,
          stateful=True, differentiable=False)


def save_v2(prefix, tensor_names, shape_and_slices, tensors, name=None):
    """TF1 `gen_io_ops.save_v2`: writes `tensors` under `tensor_names` to checkpoint `prefix`."""
    return apply_op("SaveV2", prefix, tensor_names, shape_and_slices, list(tensors),
                    name=name or "SaveV2")


def restore_v2(prefix, tensor_names, shape_and_slices, dtypes_, name=None):
    """TF1 `gen_io_ops.restore_v2`: the list of tensors read back (their static shapes unknown)."""
    result = apply_op("RestoreV2", prefix, tensor_names, shape_and_slices, name=name or "RestoreV2",
                      dtypes=[dtypes.as_dtype(d) for d in dtypes_])
    return result
