"""Segment ops: `tf.unsorted_segment_sum` and `tf.unique` (sparse gradients are summed per row
with them), `tf.dynamic_partition` and `tf.dynamic_stitch` (a partitioned embedding lookup routes
ids with them), and the conversion of an IndexedSlices to the dense tensor it stands for."""
import logging

from minitf.framework import dtypes
from minitf.framework.common_shapes import UNKNOWN
from minitf.framework.default_graph import name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import convert_to_tensor, register_tensor_conversion_function
from minitf.ops.op_builder import apply_op

__all__ = ["unsorted_segment_sum", "unique", "convert_to_tensor_or_indexed_slices", "dynamic_partition",
           "dynamic_stitch", "parallel_dynamic_stitch"]

_INDEX = TypeAttr(dtypes.INDEX, default=dtypes.int32)


def _unsorted_segment_sum_shape(op):
    data, ids, count = op.inputs
    rows = constant_value(count)
    if data.shape.ndims is None or ids.shape.ndims is None:
        return [UNKNOWN]
    return [TensorShape([None if rows is None else int(rows)]).concatenate(data.shape[ids.shape.ndims:])]


define_op("UnsortedSegmentSum", inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
          outputs=["output: T"], attrs={"T": TypeAttr(dtypes.REAL), "Tindices": TypeAttr(dtypes.INDEX),
                                        "Tnumsegments": _INDEX},
          shape=_unsorted_segment_sum_shape)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """TF1 `tf.unsorted_segment_sum`: output[i] = sum of data[j] where segment_ids[j] == i
    (negative ids are dropped)."""
    return apply_op("UnsortedSegmentSum", data, segment_ids, num_segments, name=name or "UnsortedSegmentSum")


def _unique_shape(op):
    x = op.inputs[0]
    if x.shape.ndims not in (None, 1):
        raise ValueError(f"Shape must be rank 1 but is rank {x.shape.ndims}")
    return [TensorShape([None]), TensorShape([x.shape[0].value] if x.shape.ndims else [None])]


define_op("Unique", inputs=["x: T"], outputs=["y: T", "idx: out_idx"],
          attrs={"T": TypeAttr(), "out_idx": _INDEX}, shape=_unique_shape, differentiable=False)


def unique(x, out_idx=dtypes.int32, name=None):
    """TF1 `tf.unique`: (y, idx) with y the distinct values of the vector x in order of first
    appearance, and x == y[idx]."""
    return apply_op("Unique", x, out_idx=out_idx, name=name or "Unique")


# ======================================================================================
# IndexedSlices -> its dense tensor
# ======================================================================================
_LARGE_DENSE_ELEMENTS = 100000000  # TF1 warns before making a dense gradient this large


def _indexed_slices_to_tensor(value, dtype=None, name=None, as_ref=False):
    """The dense tensor an IndexedSlices stands for (TF1's conversion): its rows summed into a
    tensor of `dense_shape`, with TF1's warnings about the memory that may take."""
    del as_ref
    if dtype is not None and not dtype.is_compatible_with(value.dtype):
        raise ValueError(f"Tensor conversion requested dtype {dtype.name} for IndexedSlices with dtype "
                         f"{value.dtype.name}")
    if value.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices without dense_shape: {value!s}")
    shape = constant_value(value.dense_shape)
    if shape is None:
        logging.getLogger("minitf").warning(
            "Converting sparse IndexedSlices to a dense Tensor of unknown shape. This may consume a "
            "large amount of memory.")
    elif int(shape.prod()) >= _LARGE_DENSE_ELEMENTS:
        logging.getLogger("minitf").warning(
            "Converting sparse IndexedSlices to a dense Tensor with %d elements. This may consume a "
            "large amount of memory.", int(shape.prod()))
    from minitf.ops import selection_ops  # it imports this module
    with name_scope(name, "IndexedSlicesToTensor", [value.values, value.indices]):
        dense_shape = convert_to_tensor(value.dense_shape, name="dense_shape")
        summed = unsorted_segment_sum(value.values, value.indices, selection_ops.gather(dense_shape, 0))
        if shape is not None:
            summed.set_shape(shape.tolist())
        return summed


register_tensor_conversion_function(IndexedSlices, _indexed_slices_to_tensor)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """TF1 `tf.convert_to_tensor_or_indexed_slices`: an IndexedSlices as it is (dtype-checked),
    anything else through `convert_to_tensor`."""
    if isinstance(value, IndexedSlices):
        if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for "
                             f"IndexedSlices with dtype {value.dtype.name}")
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)


# ======================================================================================
# DynamicPartition and DynamicStitch
# ======================================================================================
def _dynamic_partition_shape(op):
    data, partitions = (t.shape for t in op.inputs)
    if data.ndims is None or partitions.ndims is None:
        tail = UNKNOWN
    else:
        data[:partitions.ndims].merge_with(partitions)
        tail = data[partitions.ndims:]
    return [TensorShape([None]).concatenate(tail)] * op.get_attr("num_partitions")


def _dynamic_stitch_shape(op):
    count = len(op.inputs) // 2
    indices, data = op.inputs[:count], op.inputs[count:]
    tail = None
    for index, values in zip(indices, data):
        if index.shape.ndims is None or values.shape.ndims is None:
            continue
        values.shape[:index.shape.ndims].merge_with(index.shape)
        piece = values.shape[index.shape.ndims:]
        tail = piece if tail is None else tail.merge_with(piece)
    constants = [constant_value(i) for i in indices]
    rows = max((int(c.max()) + 1 if c.size else 0 for c in constants), default=0) \
        if all(c is not None for c in constants) else None
    return [UNKNOWN if tail is None else TensorShape([rows]).concatenate(tail)]


define_op("DynamicPartition", inputs=["data: T", "partitions: int32"], outputs=["outputs: num_partitions * T"],
          attrs={"num_partitions": REQUIRED, "T": TypeAttr()}, shape=_dynamic_partition_shape)
for _stitch in ("DynamicStitch", "ParallelDynamicStitch"):
    define_op(_stitch, inputs=["indices: N * int32", "data: N * T"], outputs=["merged: T"],
              attrs={"N": REQUIRED, "T": TypeAttr()}, shape=_dynamic_stitch_shape)


def dynamic_partition(data, partitions, num_partitions, name=None):
    """TF1 `tf.dynamic_partition`: `num_partitions` tensors, the i-th holding the slices of
    `data` (in order) whose entry in `partitions` (a prefix of data's shape) is i."""
    return apply_op("DynamicPartition", data, partitions, num_partitions=num_partitions,
                    name=name or "DynamicPartition")


def dynamic_stitch(indices, data, name=None):
    """TF1 `tf.dynamic_stitch`: merged[indices[i][j]] = data[i][j], later pieces winning."""
    return apply_op("DynamicStitch", list(indices), list(data), name=name or "DynamicStitch")


def parallel_dynamic_stitch(indices, data, name=None):
    """TF1 `tf.parallel_dynamic_stitch`: dynamic_stitch with no promise on which of two pieces
    for the same index wins."""
    return apply_op("ParallelDynamicStitch", list(indices), list(data), name=name or "ParallelDynamicStitch")


# ======================================================================================
# Segment reductions over sorted ids (SegmentSum, ...) and the unsorted Max, Min and Prod
# ======================================================================================
__all__ += ["unsorted_segment_mean", "unsorted_segment_sqrt_n"]  # and the table-generated tf.segment_* below

# reduction -> allowed data dtypes (TF1's: max and min need an order, so no complex types)
_SORTED_REDUCTIONS = {"Sum": dtypes.NUMBERS, "Mean": dtypes.NUMBERS, "Prod": dtypes.NUMBERS,
                      "Max": dtypes.REAL, "Min": dtypes.REAL}
_UNSORTED_REDUCTIONS = {"Max": dtypes.REAL, "Min": dtypes.REAL, "Prod": dtypes.NUMBERS}


def _with_rank(shape, rank):
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")


def _with_rank_at_least(shape, rank):
    if shape.ndims is not None and shape.ndims < rank:
        raise ValueError(f"Shape must be at least rank {rank} but is rank {shape.ndims}")


def _segment_shape(op):
    """TF1's SegmentReductionShapeFn: [?] + data.shape[1:]. The row count (last id + 1) is left
    unknown even for constant ids, and the ids' length is not checked against data's first dim."""
    data, ids = op.inputs[0].shape, op.inputs[1].shape
    _with_rank_at_least(data, 1)
    _with_rank(ids, 1)
    return [TensorShape([None]).concatenate(data[1:])]


def _unsorted_segment_shape(op):
    """TF1's UnsortedSegmentReductionShapeFn: data's shape must start with the ids' shape;
    the output is [num_segments] + the rest of data's shape."""
    data, ids, count = op.inputs[0].shape, op.inputs[1].shape, op.inputs[2]
    _with_rank(count.shape, 0)
    if ids.ndims is None or data.ndims is None:
        return [UNKNOWN]
    _with_rank_at_least(data, ids.ndims)
    for a, b in zip(data.as_list(), ids.as_list()):
        if a is not None and b is not None and a != b:
            raise ValueError(f"Dimensions must be equal, but are {a} and {b}")
    rows = constant_value(count)
    if rows is not None and int(rows) < 0:
        raise ValueError(f"Dimension size, given by scalar input 2, must be non-negative but is {int(rows)}")
    return [TensorShape([None if rows is None else int(rows)]).concatenate(data[ids.ndims:])]


for _kind, _allowed in _SORTED_REDUCTIONS.items():
    define_op(f"Segment{_kind}", inputs=["data: T", "segment_ids: Tindices"], outputs=["output: T"],
              attrs={"T": TypeAttr(_allowed), "Tindices": TypeAttr(dtypes.INDEX)}, shape=_segment_shape)
for _kind, _allowed in _UNSORTED_REDUCTIONS.items():
    define_op(f"UnsortedSegment{_kind}", inputs=["data: T", "segment_ids: Tindices", "num_segments: Tnumsegments"],
              outputs=["output: T"], attrs={"T": TypeAttr(_allowed), "Tindices": TypeAttr(dtypes.INDEX),
                                            "Tnumsegments": _INDEX},
              shape=_unsorted_segment_shape)


def _sorted_segment_function(kind):
    op_type = f"Segment{kind}"

    def function(data, segment_ids, name=None):
        return apply_op(op_type, data, segment_ids, name=name or op_type)
    function.__name__ = function.__qualname__ = f"segment_{kind.lower()}"
    function.__doc__ = (f"TF1 `tf.{function.__name__}`: output[i] = the {kind.lower()} of the rows data[j] with "
                        "segment_ids[j] == i. The ids must be sorted and >= 0; there are last id + 1 output "
                        f"rows, and rows no id names are {1 if kind == 'Prod' else 0}.")
    return function


def _unsorted_segment_function(kind):
    op_type = f"UnsortedSegment{kind}"

    def function(data, segment_ids, num_segments, name=None):
        return apply_op(op_type, data, segment_ids, num_segments, name=name or op_type)
    function.__name__ = function.__qualname__ = f"unsorted_segment_{kind.lower()}"
    empty = {"Max": "the dtype's lowest value", "Min": "the dtype's highest value", "Prod": "1"}[kind]
    function.__doc__ = (f"TF1 `tf.{function.__name__}`: output[i] = the {kind.lower()} of the slices data[j...] "
                        f"with segment_ids[j...] == i, in any order (negative ids are dropped); empty segments "
                        f"are {empty}.")
    return function


def _export(functions):
    """Makes table-generated tf.* functions module globals and public names."""
    for function in functions:
        globals()[function.__name__] = function
        __all__.append(function.__name__)


_export(map(_sorted_segment_function, _SORTED_REDUCTIONS))
_export(map(_unsorted_segment_function, _UNSORTED_REDUCTIONS))


def _unsorted_segment_counts(data, segment_ids, num_segments):
    """How many slices each segment has (at least 1, so empty segments divide to 0), shaped to
    broadcast against the segment sums: [num_segments, 1, ...] (TF1's _unsorted_segment_N)."""
    from minitf.ops import array_ops, math_ops  # array_ops imports this module: import late
    ones = array_ops.ones(array_ops.shape(segment_ids), dtype=data.dtype)
    counts = unsorted_segment_sum(ones, segment_ids, num_segments)
    if data.shape.ndims is not None and segment_ids.shape.ndims is not None:  # a shape the result keeps
        shape = array_ops.auto_pack([num_segments] + [1] * (data.shape.ndims - segment_ids.shape.ndims))
    else:
        row_dims = array_ops.rank(data) - array_ops.rank(segment_ids)
        ones_shape = array_ops.ones(array_ops.expand_dims(row_dims, 0), dtype=num_segments.dtype)
        shape = array_ops.concat([array_ops.expand_dims(num_segments, 0), ones_shape], 0)
    return math_ops.maximum(array_ops.reshape(counts, shape), 1)


def _unsorted_segment_normalized(data, segment_ids, num_segments, name, default_name, scale):
    """unsorted_segment_sum divided by scale(count) per segment, in TF1's name scope."""
    with name_scope(name, default_name, [data, segment_ids, num_segments]):
        data = convert_to_tensor(data)
        segment_ids = convert_to_tensor(segment_ids)
        num_segments = convert_to_tensor(num_segments)
        counts = _unsorted_segment_counts(data, segment_ids, num_segments)
        return unsorted_segment_sum(data, segment_ids, num_segments) / scale(counts)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """TF1 `tf.unsorted_segment_mean`: unsorted_segment_sum / the slice count (empty segments are
    0; integer data gives float64, as `/` does)."""
    return _unsorted_segment_normalized(data, segment_ids, num_segments, name, "UnsortedSegmentMean",
                                        lambda counts: counts)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """TF1 `tf.unsorted_segment_sqrt_n`: unsorted_segment_sum / sqrt(the slice count) (floats only)."""
    return _unsorted_segment_normalized(data, segment_ids, num_segments, name, "UnsortedSegmentSqrtN",
                                        lambda counts: apply_op("Sqrt", counts, name="Sqrt"))
