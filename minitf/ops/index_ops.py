"""N-dimensional index ops and two ops that act along matrix/sequence dims.

* `tf.gather_nd` (GatherNd): slices of `params` picked by the index rows in the innermost dim
  of `indices`; `tf.scatter_nd` (ScatterNd) is its transpose: rows of `updates` summed into
  zeros of a given shape.
* `tf.tensor_scatter_update` / `_add` / `_sub` (TF 1.15's TensorScatterUpdate/Add/Sub, also
  spelled `tf.tensor_scatter_nd_*`): ScatterNd into a copy of a tensor (not a variable).
* `tf.matrix_band_part` (MatrixBandPart) and `tf.reverse_sequence` (ReverseSequence).

Kernels: kernels/index.py; gradients: index_grad.py. Shape functions follow TF 1.15's and raise
its messages (the graph appends the op and its input shapes).
"""
from minitf.framework import common_shapes, dtypes
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.ops.array_static import dims_text, merge_dims, shape_entries
from minitf.ops.op_builder import apply_op

__all__ = ["gather_nd", "scatter_nd", "matrix_band_part", "reverse_sequence"]  # and the TensorScatter family

_INDICES = TypeAttr(dtypes.INDEX)  # inferred from the indices given (no default: int64 arrays stay int64)
_INT64_INDEX = TypeAttr(dtypes.INDEX, default=dtypes.int64)  # TF's default for Tindex and Tlen


# ======================================================================================
# Shape-function helpers
# ======================================================================================
def _check_rank(shape, rank, at_least=False):
    """TF's WithRank / WithRankAtLeast, with its messages; an unknown rank passes."""
    if shape.ndims is None or shape.ndims == rank or at_least and shape.ndims > rank:
        return
    raise ValueError(f"Shape must be {'at least ' if at_least else ''}rank {rank} but is rank {shape.ndims}")


def _text(shape):
    return "?" if shape.ndims is None else dims_text(shape.as_list())


# ======================================================================================
# GatherNd
# ======================================================================================
def _gather_nd_shape(op):
    """indices.shape[:-1] + params.shape[indices.shape[-1]:]; unknown while params' rank or the
    index depth is unknown."""
    params, indices = (t.shape for t in op.inputs)
    _check_rank(indices, 1, at_least=True)
    depth = indices[-1].value if indices.ndims is not None else None
    if params.ndims is None or depth is None:
        return [common_shapes.UNKNOWN]
    if depth > params.ndims:
        raise ValueError(f"indices.shape[-1] must be <= params.rank, but saw indices shape: {_text(indices)} "
                         f"and params shape: {_text(params)}")
    return [indices[:-1].concatenate(params[depth:])]


define_op("GatherNd", inputs=["params: Tparams", "indices: Tindices"], outputs=["output: Tparams"],
          attrs={"Tparams": TypeAttr(), "Tindices": _INDICES}, shape=_gather_nd_shape)


def gather_nd(params, indices, name=None):
    """TF1 `tf.gather_nd`: output[i...] = params[indices[i...]], each innermost row of `indices`
    naming an element (or a slice, when it is shorter than params' rank)."""
    return apply_op("GatherNd", params, indices, name=name or "GatherNd")


# ======================================================================================
# ScatterNd and the TensorScatter family
# ======================================================================================
def _check_scatter(output, indices, updates, output_name):
    """TF 1.15's ScatterNd shape checks: updates.shape must be indices.shape[:-1] (the outer dims)
    + output.shape[indices.shape[-1]:] (the inner dims), as far as the shapes are known."""
    _check_rank(indices, 1, at_least=True)
    _check_rank(updates, 1, at_least=True)
    if output.num_elements() == 0 and (indices.num_elements() or updates.num_elements()):
        raise ValueError("Indices and updates specified for empty output shape")
    if indices.ndims is None or updates.ndims is None or indices[-1].value is None:
        return
    outer, depth = indices.ndims - 1, indices[-1].value
    try:
        merge_dims(indices[:outer], updates[:outer])
    except ValueError as e:
        raise ValueError(f"The outer {outer} dimensions of indices.shape={_text(indices)} must match the outer "
                         f"{outer} dimensions of updates.shape={_text(updates)}: {e}") from None
    if output.ndims is None:
        return
    try:
        merge_dims(output[depth:], updates[outer:])
    except ValueError as e:
        raise ValueError(f"The inner {output.ndims - depth} dimensions of {output_name}.shape={_text(output)} "
                         f"must match the inner {updates.ndims - outer} dimensions of updates.shape="
                         f"{_text(updates)}: {e}") from None


def _static_shape_input(tensor):
    """The output shape a 1-D shape tensor names, as far as it is known (-1: an unknown dim)."""
    _check_rank(tensor.shape, 1)
    entries = shape_entries(tensor)
    if entries is None:
        return common_shapes.UNKNOWN
    for entry in entries:
        if entry is not None and entry < -1:
            raise ValueError(f"Invalid value in tensor used for shape: {entry}")
    return TensorShape([None if e is None or e < 0 else e for e in entries])


def _scatter_nd_shape(op):
    indices, updates, shape = op.inputs
    output = _static_shape_input(shape)
    _check_scatter(output, indices.shape, updates.shape, "output")
    return [output]


def _tensor_scatter_shape(op):
    tensor, indices, updates = (t.shape for t in op.inputs)
    _check_scatter(tensor, indices, updates, "input")
    return [tensor]


define_op("ScatterNd", inputs=["indices: Tindices", "updates: T", "shape: Tindices"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "Tindices": _INDICES}, shape=_scatter_nd_shape)


def scatter_nd(indices, updates, shape, name=None):
    """TF1 `tf.scatter_nd`: zeros of `shape` with each row of `updates` added at the element or
    slice its index row names (duplicates add up)."""
    return apply_op("ScatterNd", indices, updates, shape, name=name or "ScatterNd")


# op type -> (TF 1.15 name, its tf.tensor_scatter_nd_* alias, what happens at each index)
_TENSOR_SCATTERS = {
    "TensorScatterUpdate": ("tensor_scatter_update", "tensor_scatter_nd_update", "replaced by the update"),
    "TensorScatterAdd": ("tensor_scatter_add", "tensor_scatter_nd_add", "plus the update"),
    "TensorScatterSub": ("tensor_scatter_sub", "tensor_scatter_nd_sub", "minus the update"),
}


def _tensor_scatter_function(op_type, public_name, effect):
    def function(tensor, indices, updates, name=None):
        return apply_op(op_type, tensor, indices, updates, name=name or op_type)
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = (f"TF1 `tf.{public_name}`: a new tensor equal to `tensor`, with each element or "
                        f"slice named by an index row of `indices` {effect} (scatter_nd's indexing).")
    return function


for _op_type, (_name, _alias, _effect) in _TENSOR_SCATTERS.items():
    define_op(_op_type, inputs=["tensor: T", "indices: Tindices", "updates: T"], outputs=["output: T"],
              attrs={"T": TypeAttr(), "Tindices": _INDICES}, shape=_tensor_scatter_shape)
    globals()[_name] = globals()[_alias] = _tensor_scatter_function(_op_type, _name, _effect)
    __all__ += [_name, _alias]


# ======================================================================================
# MatrixBandPart and ReverseSequence
# ======================================================================================
# TF 1.15 checks the ranks of MatrixBandPart's inputs only at run time.
define_op("MatrixBandPart", inputs=["input: T", "num_lower: Tindex", "num_upper: Tindex"], outputs=["band: T"],
          attrs={"T": TypeAttr(), "Tindex": _INT64_INDEX}, shape=common_shapes.unchanged)


def matrix_band_part(input, num_lower, num_upper, name=None):  # noqa: A002 - TF1's argument name
    """TF1 `tf.matrix_band_part`: the innermost matrices with everything outside the band of
    `num_lower` subdiagonals and `num_upper` superdiagonals zeroed (negative: keep all)."""
    return apply_op("MatrixBandPart", input, num_lower, num_upper, name=name or "MatrixBandPart")


def _reverse_sequence_shape(op):
    """The input's shape, its batch dim merged with the length of seq_lengths."""
    shape, lengths = (t.shape for t in op.inputs)
    _check_rank(lengths, 1)
    if shape.ndims is None:
        return [common_shapes.UNKNOWN]
    for attr in ("batch_dim", "seq_dim"):
        dim = op.get_attr(attr)
        if dim < 0:
            raise ValueError(f"{attr} must be >=0, got {dim}")
        if dim >= shape.ndims:
            raise ValueError(f"{attr} must be < input rank: {dim} vs. {shape.ndims}")
    batch_dim = op.get_attr("batch_dim")
    batch = shape[batch_dim]
    count = lengths[0] if lengths.ndims is not None else batch
    if batch.value is not None and count.value is not None and batch.value != count.value:
        raise ValueError(f"Dimensions must be equal, but are {batch.value} and {count.value}")
    dims = list(shape.dims)
    dims[batch_dim] = batch if batch.value is not None else count
    return [TensorShape(dims)]


define_op("ReverseSequence", inputs=["input: T", "seq_lengths: Tlen"], outputs=["output: T"],
          attrs={"seq_dim": REQUIRED, "batch_dim": 0, "T": TypeAttr(), "Tlen": _INT64_INDEX},
          shape=_reverse_sequence_shape)


def _renamed(new_name, new, old_name, old):
    """TF1's deprecated_argument_lookup: the argument or its deprecated spelling, not both."""
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'.")
    return new if new is not None else old


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None, seq_dim=None,  # noqa: A002
                     batch_dim=None):
    """TF1 `tf.reverse_sequence`: for each batch entry b along `batch_axis`, its first
    seq_lengths[b] entries along `seq_axis` reversed and the rest kept (`seq_dim`/`batch_dim`
    are the deprecated names)."""
    seq_axis = _renamed("seq_axis", seq_axis, "seq_dim", seq_dim)
    batch_axis = _renamed("batch_axis", batch_axis, "batch_dim", batch_dim)
    if seq_axis is None:
        raise TypeError("Expected int for argument 'seq_dim' not None.")
    return apply_op("ReverseSequence", input, seq_lengths, seq_dim=int(seq_axis),
                    batch_dim=0 if batch_axis is None else int(batch_axis), name=name or "ReverseSequence")
