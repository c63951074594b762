"""Selection ops: slices and `Tensor.__getitem__` (StridedSlice), gather, one_hot, tile, pad,
reverse, range, where/select, boolean_mask, sequence_mask (TF1 names and node structure).

This module defines `range` and `slice` (TF1 names), so it calls the built-ins as `builtins.*`.
"""
import builtins
import operator

import numpy as np

from minitf.framework import dtypes
from minitf.framework.common_shapes import UNKNOWN
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.op_builder import apply_op
from minitf.ops.array_ops import (auto_pack, concat, expand_dims, ones_like, reshape, shape, size,
                                  squeeze)
from minitf.ops.array_static import (INDEX_TYPE, STRIDED_SLICE_MASKS, dims_of, dims_text, index_shape,
                                     merge_dims, partial_value, scalar_value, shape_entries,
                                     strided_slice_index, UNKNOWN_INDEX)

# The public (tf.*) names of this module; keep it in step with the functions below.
__all__ = [
    "slice", "strided_slice", "gather", "one_hot", "tile", "pad", "range", "where", "reverse",
    "reverse_v2", "boolean_mask", "sequence_mask", "newaxis",
]

newaxis = None  # TF1 `tf.newaxis`, for `x[:, tf.newaxis]`


# ======================================================================================
# Slice, StridedSlice and Tensor.__getitem__
# ======================================================================================


def _strided_slice_shape(op):
    dims = dims_of(op.inputs[0].shape)
    spec = [shape_entries(t) for t in op.inputs[1:]]
    if dims is None or any(s is None for s in spec):
        return [UNKNOWN]
    spec = [[UNKNOWN_INDEX if v is None else v for v in s] for s in spec]
    masks = [op.get_attr(m) for m in STRIDED_SLICE_MASKS]
    return [TensorShape(index_shape(dims, strided_slice_index(*spec, *masks)))]


def _slice_shape(op):
    dims, begin, size = dims_of(op.inputs[0].shape), shape_entries(op.inputs[1]), shape_entries(op.inputs[2])
    rank = len(dims) if dims is not None else len(begin) if begin else len(size) if size else None
    if rank is None:
        return [UNKNOWN]
    dims, begin, size = dims or [None] * rank, begin or [None] * rank, size or [None] * rank
    if len(begin) != rank or len(size) != rank:
        raise ValueError(f"Expected begin and size arguments to be 1-D tensors of size {rank}, but "
                         f"got shapes [{len(begin)}] and [{len(size)}] instead.")
    out = []
    for d, b, s in zip(dims, begin, size):
        if s == -1:  # to the end of the dim
            s = None if d is None or b is None else d - b
        out.append(s)
    return [TensorShape(out)]


define_op("Slice", inputs=["input: T", "begin: Index", "size: Index"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "Index": INDEX_TYPE}, shape=_slice_shape)
define_op("StridedSlice", inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
          outputs=["output: T"], attrs={"T": TypeAttr(), "Index": INDEX_TYPE, **{m: 0 for m in STRIDED_SLICE_MASKS}},
          shape=_strided_slice_shape)


def slice(input_, begin, size, name=None):  # noqa: A001 - TF1's name
    """TF1 `tf.slice`: `size[i]` elements from `begin[i]` (-1: to the end)."""
    return apply_op("Slice", input_, begin, size, name=name or "Slice")


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """TF1 `tf.strided_slice` (the op behind `tensor[...]`); `strides` default to 1."""
    if strides is None:
        if isinstance(begin, Tensor) and begin.shape.ndims == 1 and begin.shape[0].value is not None:
            strides = constant([1] * begin.shape[0].value, begin.dtype.base_dtype)
        else:
            strides = [1] * len(begin) if not isinstance(begin, Tensor) else ones_like(begin)
    return apply_op("StridedSlice", input_, begin, end, strides, begin_mask=begin_mask, end_mask=end_mask,
                    ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                    shrink_axis_mask=shrink_axis_mask, name=name or "StridedSlice")


_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
                     "tf.int32/tf.int64 tensors are valid indices")


def _check_index(item):
    """An index bound as an int or a scalar int tensor; TypeError (TF1's) for anything else."""
    if isinstance(item, Tensor):
        if item.dtype.base_dtype in dtypes.INDEX and item.shape.ndims in (0, None):
            return item
    elif not isinstance(item, (float, np.floating)):
        try:
            return operator.index(item)
        except TypeError:
            pass
    raise TypeError(f"{_SLICE_TYPE_ERROR}, got {item!r}")


def _getitem(tensor, slice_spec):
    """`tensor[slice_spec]` (TF1's `_slice_helper`): one StridedSlice whose begin/end/strides are
    packed from the spec. A list is read as a tuple, as TF1 does; a boolean spec (a bool, a bool
    tensor or array) is a boolean mask."""
    if isinstance(slice_spec, (bool, np.bool_)) or \
            (isinstance(slice_spec, Tensor) and slice_spec.dtype.base_dtype == dtypes.bool) or \
            (isinstance(slice_spec, np.ndarray) and slice_spec.dtype == bool):
        return boolean_mask(tensor, slice_spec)
    if not isinstance(slice_spec, (list, tuple)):
        slice_spec = [slice_spec]
    begin, end, strides, masks = [], [], [], dict.fromkeys(STRIDED_SLICE_MASKS, 0)
    for i, item in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(item, builtins.slice):
            for bound, values, mask in ((item.start, begin, "begin_mask"), (item.stop, end, "end_mask")):
                values.append(0 if bound is None else _check_index(bound))
                masks[mask] |= bit if bound is None else 0
            strides.append(1 if item.step is None else _check_index(item.step))
            continue
        if item is Ellipsis or item is None:
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= bit
            item, stop = 0, 0
        else:  # one element, dropping the axis; `item + 1` is built outside the scope, as in TF1
            item = _check_index(item)
            stop = item + 1
            masks["shrink_axis_mask"] |= bit
        begin.append(item)
        end.append(stop)
        strides.append(1)
    with name_scope(None, "strided_slice", [tensor] + begin + end + strides) as scope:
        if begin:
            packed = [auto_pack(v, name="stack") for v in (begin, end, strides)]
            if any(p.dtype.base_dtype == dtypes.int64 for p in packed):
                from minitf.ops.math_ops import cast
                packed = [cast(p, dtypes.int64) for p in packed]
        else:
            packed = [constant([], dtypes.int32)] * 3
        return strided_slice(tensor, *packed, name=scope, **masks)


Tensor._override_operator("__getitem__", _getitem)


# ======================================================================================
# Gather, one_hot, tile, pad, reverse
# ======================================================================================
def _gather_shape(op):
    params, indices = dims_of(op.inputs[0].shape), op.inputs[1].shape
    axis = scalar_value(op.inputs[2])
    if params is None or indices.ndims is None or axis is None:
        return [UNKNOWN]
    if not -len(params) <= axis < len(params):
        raise ValueError(f"Shape must be at least rank {axis + 1 if axis >= 0 else -axis} but is rank "
                         f"{len(params)}")
    axis %= len(params)
    return [TensorShape(params[:axis] + indices.as_list() + params[axis + 1:])]


def _one_hot_shape(op):
    dims, depth, axis = dims_of(op.inputs[0].shape), scalar_value(op.inputs[1]), op.get_attr("axis")
    if dims is None:
        return [UNKNOWN]
    if not -1 <= axis <= len(dims):
        raise ValueError(f"Expected axis to be -1 or between [0, {len(dims) + 1}).  But received: {axis}")
    axis = len(dims) if axis == -1 else axis
    return [TensorShape(dims[:axis] + [depth] + dims[axis:])]


def _tile_shape(op):
    dims, multiples = dims_of(op.inputs[0].shape), shape_entries(op.inputs[1])
    if multiples is None:
        return [UNKNOWN if dims is None else unknown_shape(len(dims))]
    if dims is None:
        return [unknown_shape(len(multiples))]
    if len(multiples) != len(dims):
        raise ValueError(f"Shape must be rank {len(dims)} but is rank {len(multiples)}")
    return [TensorShape([None if d is None or m is None else d * m for d, m in zip(dims, multiples)])]


def _pad_shape(op):
    dims, paddings = dims_of(op.inputs[0].shape), constant_value(op.inputs[1])
    pad_shape = op.inputs[1].shape
    rank = len(dims) if dims is not None else pad_shape[0].value if pad_shape.ndims == 2 else None
    if rank is None:
        return [UNKNOWN]
    if pad_shape.ndims is not None and not pad_shape.is_compatible_with([rank, 2]):
        raise ValueError(f"paddings must be a matrix with 2 columns and {rank} rows, "
                         f"got shape {dims_text(pad_shape.as_list())}")
    if paddings is None:
        return [unknown_shape(rank)]
    dims = dims or [None] * rank
    return [TensorShape([None if d is None else d + int(p[0]) + int(p[1]) for d, p in zip(dims, paddings)])]


def _reverse_shape(op):
    dims, axes = dims_of(op.inputs[0].shape), shape_entries(op.inputs[1])
    if dims is not None and axes is not None:
        for i, a in enumerate(axes):
            if a is not None and not -len(dims) <= a < len(dims):
                raise ValueError(f"'axis'[{i}] = {a} is out of valid range [{-len(dims)}, {len(dims) - 1}]")
    return [op.inputs[0].shape]


define_op("GatherV2", inputs=["params: Tparams", "indices: Tindices", "axis: Taxis"], outputs=["output: Tparams"],
          attrs={"Tparams": TypeAttr(), "Tindices": TypeAttr(dtypes.INDEX), "Taxis": INDEX_TYPE, "batch_dims": 0},
          shape=_gather_shape)
define_op("OneHot", inputs=["indices: TI", "depth: int32", "on_value: T", "off_value: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "TI": TypeAttr({dtypes.uint8, dtypes.int8, dtypes.int32, dtypes.int64}),
                 "axis": -1}, shape=_one_hot_shape, differentiable=False)
define_op("Tile", inputs=["input: T", "multiples: Tmultiples"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "Tmultiples": INDEX_TYPE}, shape=_tile_shape)
for _op_type, _extra_inputs, _extra_attrs in (("Pad", [], {}), ("PadV2", ["constant_values: T"], {}),
                                               ("MirrorPad", [], {"mode": REQUIRED})):
    define_op(_op_type, inputs=["input: T", "paddings: Tpaddings"] + _extra_inputs, outputs=["output: T"],
              attrs={"T": TypeAttr(), "Tpaddings": INDEX_TYPE, **_extra_attrs}, shape=_pad_shape)
define_op("ReverseV2", inputs=["tensor: T", "axis: Tidx"], outputs=["output: T"],
          attrs={"T": TypeAttr(), "Tidx": INDEX_TYPE}, shape=_reverse_shape)


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """TF1 `tf.gather`: slices of `params` along `axis` at `indices` (checked at run time). With
    `batch_dims` = b, the first b dims of params and indices are batch dims, gathered pairwise."""
    if batch_dims:
        return _batch_gather(params, indices, batch_dims, axis, name)
    return apply_op("GatherV2", params, indices, 0 if axis is None else axis, name=name or "GatherV2")


def _batch_gather(params, indices, batch_dims, axis, name):
    """TF 1.15's batch gather: the batch dims flattened into the gathered one, each batch's
    indices offset to its own block of rows, one plain gather, and the batch shape put back."""
    from minitf.ops import array_ops, math_ops  # they import this module
    if not isinstance(batch_dims, int):
        raise TypeError(f"batch_dims must be an int; got {batch_dims!r}")
    with name_scope(name, "GatherV2", [params, indices]):
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        rank = indices.shape.ndims
        if rank is None:
            raise ValueError("tf.gather does not allow indices with unknown rank when batch_dims is specified.")
        batch_dims = batch_dims + rank if batch_dims < 0 else batch_dims
        if not 0 <= batch_dims < rank:
            raise ValueError(f"batch_dims = {batch_dims} must be less than rank(indices) = {rank}")
        if params.shape.ndims is not None and batch_dims >= params.shape.ndims:
            raise ValueError(f"batch_dims = {batch_dims} must be less than rank(params) = {params.shape.ndims}")
        if axis is not None and axis != batch_dims:
            raise NotImplementedError("tf.gather with batch_dims supports axis == batch_dims only")
        shape = array_ops.shape(params)
        rows = shape[batch_dims]
        batches = math_ops.reduce_prod(shape[:batch_dims])
        offsets = array_ops.reshape(range(batches) * math_ops.cast(rows, dtypes.int32),
                                    array_ops.concat([shape[:batch_dims], array_ops.ones([rank - batch_dims],
                                                                                        dtypes.int32)], 0))
        flat_params = array_ops.reshape(params, array_ops.concat([[-1], shape[batch_dims + 1:]], 0))
        gathered = apply_op("GatherV2", flat_params, math_ops.cast(indices, dtypes.int32) + offsets, 0)
        result = array_ops.reshape(gathered, array_ops.concat([array_ops.shape(indices), shape[batch_dims + 1:]], 0))
        if params.shape.ndims is not None:
            result.set_shape(indices.shape.concatenate(params.shape[batch_dims + 1:]))
        return result


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """TF1 `tf.one_hot`; the dtype comes from `dtype`, else `on_value`/`off_value`, else float32."""
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        given = [None if v is None else convert_to_tensor(v, dtype) for v in (on_value, off_value)]
        dtype = dtypes.as_dtype(dtype) if dtype is not None else next(
            (t.dtype.base_dtype for t in given if t is not None), dtypes.float32)
        defaults = (True, False) if dtype.is_bool else (1, 0)
        on, off = [t if t is not None else constant(value, dtype, name=label)
                   for t, value, label in zip(given, defaults, ("on_value", "off_value"))]
        return apply_op("OneHot", indices, depth, on, off, axis=-1 if axis is None else axis, name=scope)


def tile(input, multiples, name=None):  # noqa: A002
    """TF1 `tf.tile`: repeats `input` `multiples[i]` times along dim i."""
    return apply_op("Tile", input, multiples, name=name or "Tile")


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """TF1 `tf.pad`: CONSTANT (Pad, or PadV2 for a non-zero value), REFLECT or SYMMETRIC (MirrorPad)."""
    mode = mode.upper()
    if mode == "CONSTANT":
        if not isinstance(constant_values, Tensor) and np.all(np.asarray(constant_values) == 0):
            return apply_op("Pad", tensor, paddings, name=name or "Pad")
        return apply_op("PadV2", tensor, paddings, constant_values, name=name or "PadV2")
    if mode in ("REFLECT", "SYMMETRIC"):
        return apply_op("MirrorPad", tensor, paddings, mode=mode, name=name or "MirrorPad")
    raise ValueError(f"Unknown padding mode: {mode}")


def reverse(tensor, axis, name=None):
    """TF1 `tf.reverse` (ReverseV2): flips `tensor` along each dim in `axis`."""
    return apply_op("ReverseV2", tensor, axis, name=name or "ReverseV2")


reverse_v2 = reverse


# ======================================================================================
# Range, where/select, boolean_mask, sequence_mask
# ======================================================================================
def range_length(start, limit, delta):
    """The length of Range(start, limit, delta), computed in the op's dtype as TF's kernel does;
    ValueError (TF's messages) for a zero delta or one pointing away from `limit`. Shared with the kernel."""
    if delta == 0:
        raise ValueError(f"Requires delta != 0: {delta}")
    if delta > 0 and start > limit or delta < 0 and start < limit:
        relation = "start <= limit when delta > 0" if delta > 0 else "start >= limit when delta < 0"
        raise ValueError(f"Requires {relation}: {start}/{limit}")
    if isinstance(start, (int, np.integer)):
        return (abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta))
    return int(np.ceil(np.abs((limit - start) / delta)))


def _range_shape(op):
    values = [partial_value(t) for t in op.inputs]
    if any(v is None or v.size != 1 or v.flat[0] is None for v in values):
        return [unknown_shape(1)]
    kind = op.get_attr("Tidx").as_numpy_dtype  # the kernel computes the length in this dtype
    return [TensorShape([range_length(*(np.asarray(v.flat[0], dtype=kind)[()] for v in values))])]


def _select_shape(op):
    cond, data = op.inputs[0].shape, merge_dims(op.inputs[1].shape, op.inputs[2].shape)
    # TF1's Select: `cond` has the shape of x and y, or is a vector over their first dim (or a scalar).
    if cond.ndims in (None, 0) or data.ndims is None and cond.ndims == 1:
        return [data]
    if cond.ndims == 1 and data.ndims > 1:
        merge_dims(cond, TensorShape(data.as_list()[:1]))
        return [data]
    return [merge_dims(cond, data)]


def _where_shape(op):
    return [TensorShape([None, op.inputs[0].shape.ndims]) if op.inputs[0].shape.ndims is not None
            else unknown_shape(2)]


define_op("Range", inputs=["start: Tidx", "limit: Tidx", "delta: Tidx"], outputs=["output: Tidx"],
          attrs={"Tidx": TypeAttr({dtypes.bfloat16, dtypes.float32, dtypes.float64, dtypes.int32,
                                   dtypes.int64}, default=dtypes.int32)},
          shape=_range_shape, differentiable=False)
define_op("Where", inputs=["input: T"], outputs=["index: int64"],
          attrs={"T": TypeAttr(dtypes.NUMBERS | {dtypes.bool}, default=dtypes.bool)},
          shape=_where_shape, differentiable=False)
define_op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
          attrs={"T": TypeAttr()}, shape=_select_shape)

_RANGE_TYPES = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64]  # TF1's promotion order


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF1's name
    """TF1 `tf.range`; with no `dtype`, the widest argument type (int32 < int64 < float32 < float64)."""
    if limit is None:
        start, limit = 0, start
    with name_scope(name, "Range", [start, limit, delta]) as scope:
        args = [convert_to_tensor(v, dtype, name=n) for v, n in zip((start, limit, delta),
                                                                   ("start", "limit", "delta"))]
        if dtype is None:
            from minitf.ops.math_ops import cast
            widest = max((a.dtype.base_dtype for a in args), key=_RANGE_TYPES.index)
            args = [cast(a, widest) for a in args]
        return apply_op("Range", *args, name=scope)


def where(condition, x=None, y=None, name=None):
    """TF1 `tf.where`: the int64 coordinates of true elements (Where), or elements of `x` where
    `condition` else of `y` (Select: `condition` of x's shape, or a vector over its first dim)."""
    if x is None and y is None:
        with name_scope(name, "Where", [condition]) as scope:
            condition = convert_to_tensor(condition, preferred_dtype=dtypes.bool, name="condition")
            return apply_op("Where", condition, name=scope)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return apply_op("Select", condition, x, y, name=name or "Select")


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """TF1 `tf.boolean_mask`: the mask's dims of `tensor` are flattened into one (Reshape), and the
    slices where the flattened mask is true are gathered (Where + Squeeze + GatherV2)."""
    with name_scope(name, "boolean_mask", [tensor, mask]):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        mask_rank = mask.shape.ndims
        if mask_rank == 0:
            raise ValueError("mask cannot be scalar.")
        if mask_rank is None:
            raise ValueError("Number of mask dimensions must be specified, even if some dimensions "
                             "are None.  E.g. shape=[None] is ok, but shape=None is not.")
        axis = 0 if axis is None else axis
        static = tensor.shape
        static[axis:axis + mask_rank].assert_is_compatible_with(mask.shape)
        leading = static[axis:axis + mask_rank].num_elements()
        if static.is_fully_defined():
            dims = static.as_list()
            new_shape = dims[:axis] + [leading] + dims[axis + mask_rank:]
        else:  # the mask has the shape of the dims it covers, so its size is their product
            dynamic = shape(tensor)
            middle = [leading] if leading is not None else reshape(size(mask), [1])
            new_shape = concat([dynamic[:axis], middle, dynamic[axis + mask_rank:]], 0)
        tensor = reshape(tensor, new_shape)
        tensor.set_shape(static[:axis].concatenate([leading]).concatenate(static[axis + mask_rank:]))
        indices = squeeze(where(reshape(mask, [-1])), axis=[1])
        return gather(tensor, indices, axis=axis)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """TF1 `tf.sequence_mask`: mask[..., j] = j < lengths[...]; `maxlen` defaults to max(lengths)."""
    from minitf.ops import math_ops
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:  # needs the math family's reduce_max
            maxlen = math_ops.maximum(constant(0, lengths.dtype.base_dtype), math_ops.reduce_max(lengths))
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask")
        kind = maxlen.dtype.base_dtype
        row = apply_op("Range", constant(0, kind), maxlen, constant(1, kind), name="Range")
        result = math_ops.less(row, math_ops.cast(expand_dims(lengths, -1), kind))
        return result if dtypes.as_dtype(dtype) == dtypes.bool else math_ops.cast(result, dtype)
