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
