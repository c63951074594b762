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
]
