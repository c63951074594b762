"""Harness cases: the ops that gradient construction itself builds."""
import numpy as np

import minitf as tf
from harness import OpCase, REALS, fixed, inputs_of, uniform
from minitf.ops.op_builder import apply_op

CASES = [
    OpCase("StopGradient", tf.stop_gradient, inputs_of(uniform((2, 3))), lambda x: x,
           dtypes=REALS + (tf.float16,)),
    OpCase("BroadcastGradientArgs",
           lambda s0, s1: apply_op("BroadcastGradientArgs", s0, s1),
           fixed(np.array([2, 1, 3], np.int32), np.array([3], np.int32)),
           lambda s0, s1: [np.array([1], np.int32), np.array([0, 1], np.int32)], dtypes=(tf.int32,),
           exact_shape=False),
    OpCase("UnsortedSegmentSum", lambda d: tf.unsorted_segment_sum(d, [0, 2, 0, -1], 3),
           inputs_of(uniform((4, 3))), lambda d: _segment_sum(d, [0, 2, 0, -1], 3),
           dtypes=(tf.float32, tf.float64, tf.int32)),
    # Unique dedupes a sparse gradient's indices before an optimizer applies it.
    OpCase("Unique", lambda x: list(tf.unique(x, out_idx=tf.int64)),
           fixed(np.array([7, 3, 7, 7, 1, 3, 9], np.int32)),
           lambda x: [np.array([7, 3, 1, 9], np.int32), np.array([0, 1, 0, 0, 2, 1, 3], np.int64)],
           dtypes=(tf.int32,), exact_shape=False),
    # A partitioned embedding lookup routes ids with DynamicPartition and DynamicStitch.
    OpCase("DynamicPartition", lambda d: tf.dynamic_partition(d, [[1, 0], [2, 1], [1, 1]], 3),
           inputs_of(uniform((3, 2, 2))),
           lambda d: [d.reshape(6, 2)[[1]], d.reshape(6, 2)[[0, 3, 4, 5]], d.reshape(6, 2)[[2]]],
           dtypes=REALS, exact_shape=False),
    OpCase("DynamicPartition", lambda d: tf.dynamic_partition(d, [0, 0, 0], 1), inputs_of(uniform((3,))),
           lambda d: d, dtypes=(tf.float64,), exact_shape=False, name="DynamicPartition-one"),
    OpCase("DynamicStitch", lambda a, b: tf.dynamic_stitch([[3, 0], [[1], [2]]], [a, b]),
           inputs_of(uniform((2, 2)), uniform((2, 1, 2))),
           lambda a, b: np.stack([a[1], b[0, 0], b[1, 0], a[0]]), dtypes=REALS),
    OpCase("ParallelDynamicStitch", lambda a, b: tf.parallel_dynamic_stitch([[1], [0, 2]], [a, b]),
           inputs_of(uniform((1, 3)), uniform((2, 3))), lambda a, b: np.stack([b[0], a[0], b[1]]),
           dtypes=REALS),
    OpCase("Unique", lambda x: list(tf.unique(x)), fixed(np.array([2.5, -1.0, 2.5], np.float32)),
           lambda x: [np.array([2.5, -1.0], np.float32), np.array([0, 1, 0], np.int32)],
           exact_shape=False, name="Unique-float"),
]


def _segment_sum(data, ids, count):
    result = np.zeros((count,) + data.shape[1:], data.dtype)
    for row, i in zip(data, ids):
        if i >= 0:
            result[i] += row
    return result
