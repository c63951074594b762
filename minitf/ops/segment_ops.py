"""Segment ops: `tf.unsorted_segment_sum` (the dense gradient of gather uses it)."""
from minitf.framework import dtypes
from minitf.framework.common_shapes import UNKNOWN
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.framework.tensor_util import constant_value
from minitf.ops.op_builder import apply_op

__all__ = ["unsorted_segment_sum"]

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
