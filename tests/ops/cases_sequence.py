"""Harness cases: LinSpace (tf.linspace). TF1 has no gradient for it."""
import numpy as np

import minitf as tf
import minitf.kernels.sequence  # noqa: F401 - registers the kernel
from harness import OpCase
from minitf.ops.sequence_ops import linspace


def _reference(start, stop, num):
    if num == 1:
        return np.array([start])
    return start + np.arange(num, dtype=start.dtype) * ((stop - start) / start.dtype.type(num - 1))


def _inputs(start, stop, num, num_dtype):
    return lambda dtype, rng: [np.asarray(start, dtype.as_numpy_dtype), np.asarray(stop, dtype.as_numpy_dtype),
                               np.asarray(num, num_dtype)]


_FLOATS = (tf.float32, tf.float64)
CASES = [
    OpCase("LinSpace", linspace, _inputs(-1.5, 2.0, 7, np.int32), _reference, dtypes=_FLOATS,
           exact_shape=False, grad=False),
    OpCase("LinSpace", linspace, _inputs(3.0, -1.0, 4, np.int64), _reference, dtypes=_FLOATS,
           exact_shape=False, grad=False, name="LinSpace-descending-int64"),
    OpCase("LinSpace", linspace, _inputs(2.5, 9.0, 1, np.int32), _reference, dtypes=_FLOATS,
           exact_shape=False, grad=False, name="LinSpace-one"),
]
