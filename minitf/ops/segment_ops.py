"""Segment ops: `tf.unsorted_segment_sum` and `tf.unique` (sparse gradients are summed per row
with them), and the conversion of an IndexedSlices to the dense tensor it stands for."""
import logging

from minitf.framework import dtypes
from minitf.framework.common_shapes import UNKNOWN
from minitf.framework.default_graph import name_scope
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import convert_to_tensor, register_tensor_conversion_function
from minitf.ops.op_builder import apply_op

__all__ = ["unsorted_segment_sum", "unique", "convert_to_tensor_or_indexed_slices"]

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
