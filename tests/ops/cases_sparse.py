"""Harness cases: SparseToDense (tf.sparse_to_dense, tf.sparse_tensor_to_dense)."""
import numpy as np

import minitf as tf
from harness import OpCase, REALS, inputs_of, uniform


def _dense(shape, indices, values, default):
    out = np.full(shape, default, dtype=np.asarray(values).dtype)
    rows = np.asarray(indices).reshape(len(np.atleast_1d(values)) if np.ndim(values) else -1, len(shape))
    for row, value in zip(rows, np.broadcast_to(values, (len(rows),))):
        out[tuple(row)] = value
    return out


CASES = [
    OpCase("SparseToDense", lambda v, d: tf.sparse_to_dense([[0, 1], [2, 0], [2, 3]], [3, 4], v, d),
           inputs_of(uniform((3,)), uniform(())),
           lambda v, d: _dense((3, 4), [[0, 1], [2, 0], [2, 3]], v, d), dtypes=REALS),
    OpCase("SparseToDense", lambda v, d: tf.sparse_to_dense([1, 3], [5], v, d), inputs_of(uniform((2,)), uniform(())),
           lambda v, d: _dense((5,), [[1], [3]], v, d), dtypes=(tf.float64,), name="SparseToDense-vector"),
    OpCase("SparseToDense", lambda v, d: tf.sparse_to_dense([[1], [3]], [5], v, d), inputs_of(uniform(()), uniform(())),
           lambda v, d: _dense((5,), [[1], [3]], np.full(2, v), d), dtypes=(tf.float64,),
           name="SparseToDense-scalar-value"),
    OpCase("SparseToDense",
           lambda v: tf.sparse_tensor_to_dense(tf.SparseTensor([[0, 0], [1, 2]], v, [2, 3]), default_value=-1),
           inputs_of(uniform((2,))), lambda v: _dense((2, 3), [[0, 0], [1, 2]], v, -1),
           dtypes=(tf.float32, tf.int32, tf.int64), name="sparse_tensor_to_dense"),
]
