"""Harness cases: the n-d index ops (GatherNd, ScatterNd, TensorScatterUpdate/Add/Sub),
MatrixBandPart and ReverseSequence. References are plain NumPy loops over index rows."""
import numpy as np

import minitf as tf
from harness import REALS, OpCase, fixed, inputs_of, uniform

_DTYPES = REALS + (tf.float16,)


def _ints(array, dtype=np.int32):
    """An input maker of a fixed int array (indices, lengths), whatever dtype the case sweeps."""
    return lambda swept, rng: np.asarray(array, dtype)


# ======================================================================================
# NumPy references
# ======================================================================================
def _rows(indices):
    """The index rows of `indices` (its innermost dim), as tuples."""
    indices = np.asarray(indices)
    return [tuple(int(v) for v in row) for row in indices.reshape(-1, indices.shape[-1])]


def _gather_nd(params, indices):
    picked = [params[row] for row in _rows(indices)]
    return np.array(picked, params.dtype).reshape(indices.shape[:-1] + params.shape[indices.shape[-1]:])


def _scatter(tensor, indices, updates, combine):
    result = np.array(tensor, copy=True)
    slices = updates.reshape((-1,) + tensor.shape[indices.shape[-1]:])
    for row, value in zip(_rows(indices), slices):
        result[row] = combine(result[row], value)
    return result


def _band(x, lower, upper):
    i, j = np.indices(x.shape[-2:])
    keep = ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))
    return np.where(keep, x, np.zeros((), x.dtype))


def _reverse_sequence(x, lengths, seq_axis, batch_axis):
    result = np.array(x, copy=True)
    for b, length in enumerate(lengths):
        index = [slice(None)] * x.ndim
        index[batch_axis], index[seq_axis] = b, slice(0, length)
        source = list(index)
        source[seq_axis] = slice(length - 1, None, -1) if length else slice(0, 0)
        result[tuple(index)] = x[tuple(source)]
    return result


_ELEMENT_ROWS = np.array([[1, 2], [0, 0], [2, 3], [1, 2]])  # repeated row: gradients add up
_SLICE_ROWS = np.array([[[1], [0]], [[2], [1]]])
_SCATTER_ROWS = np.array([[3], [0], [3], [1]])
_UNIQUE_ROWS = np.array([[1, 0], [2, 2], [0, 1]])
_COMBINE = {"TensorScatterUpdate": lambda old, new: new, "TensorScatterAdd": np.add,
            "TensorScatterSub": np.subtract}
_TENSOR_SCATTER = {"TensorScatterUpdate": tf.tensor_scatter_update, "TensorScatterAdd": tf.tensor_scatter_add,
                   "TensorScatterSub": tf.tensor_scatter_sub}

CASES = [
    # GatherNd: whole elements, slices (rows of a 3-D tensor), int64 indices, strings
    OpCase("GatherNd", tf.gather_nd, inputs_of(uniform((3, 4)), _ints(_ELEMENT_ROWS)), _gather_nd, dtypes=_DTYPES),
    OpCase("GatherNd", tf.gather_nd, inputs_of(uniform((3, 2, 2)), _ints(_SLICE_ROWS, np.int64)), _gather_nd,
           dtypes=REALS, name="GatherNd-slices"),
    # (no gradient check: a scalar result's gradient is a ScatterNd of a scalar, which TF rejects too)
    OpCase("GatherNd", tf.gather_nd, inputs_of(uniform((3, 4)), _ints([2, 1])), _gather_nd, dtypes=(tf.float64,),
           name="GatherNd-one-index", grad=False),
    OpCase("GatherNd", tf.gather_nd, fixed(np.array([[b"a", b"b"], [b"c", b"d"]], object), np.array([[1, 0]])),
           _gather_nd, dtypes=(tf.string,), name="GatherNd-string"),
    # ScatterNd: repeated rows add up; slices of a 2-D output
    OpCase("ScatterNd", lambda i, u: tf.scatter_nd(i, u, [5]), inputs_of(_ints(_SCATTER_ROWS), uniform((4,))),
           lambda i, u: _scatter(np.zeros(5, u.dtype), i, u, np.add), dtypes=_DTYPES),
    OpCase("ScatterNd", lambda i, u: tf.scatter_nd(i, u, np.array([4, 3], np.int64)),
           inputs_of(_ints(_SCATTER_ROWS[:3], np.int64), uniform((3, 3))),
           lambda i, u: _scatter(np.zeros((4, 3), u.dtype), i, u, np.add), dtypes=REALS, name="ScatterNd-slices"),
    OpCase("ScatterNd", lambda i, u: tf.scatter_nd(i, u, [3]), fixed(np.array([[2], [0], [2]]),
                                                                   np.array([b"a", b"b", b"c"], object)),
           lambda i, u: np.array([b"b", b"", b"ac"], object), dtypes=(tf.string,), name="ScatterNd-string"),
] + [
    OpCase(op_type, function, inputs_of(uniform((3, 3, 2)), _ints(_UNIQUE_ROWS), uniform((3, 2))),
           lambda t, i, u, combine=combine: _scatter(t, i, u, combine), dtypes=_DTYPES)
    for op_type, function in _TENSOR_SCATTER.items() for combine in [_COMBINE[op_type]]
] + [
    OpCase(op_type, function, inputs_of(uniform((5,)), _ints(_SCATTER_ROWS), uniform((4,))),
           lambda t, i, u, combine=combine: _scatter(t, i, u, combine), dtypes=REALS, name=f"{op_type}-repeated",
           grad=op_type != "TensorScatterUpdate")  # TF's update gradient ignores which repeat lands
    for op_type, function in _TENSOR_SCATTER.items() for combine in [_COMBINE[op_type]]
] + [
    OpCase("TensorScatterUpdate", tf.tensor_scatter_update,
           fixed(np.array([b"a", b"b", b"c"], object), np.array([[2]]), np.array([b"z"], object)),
           lambda t, i, u: np.array([b"a", b"b", b"z"], object), dtypes=(tf.string,),
           name="TensorScatterUpdate-string"),
    # MatrixBandPart on a batch of matrices; negative bounds keep that whole triangle
    OpCase("MatrixBandPart", lambda x: tf.matrix_band_part(x, 1, 2), inputs_of(uniform((2, 3, 4))),
           lambda x: _band(x, 1, 2), dtypes=_DTYPES),
    OpCase("MatrixBandPart", lambda x, lo, up: tf.matrix_band_part(x, lo, up),
           inputs_of(uniform((4, 3)), _ints(-1, np.int64), _ints(0, np.int64)), lambda x, lo, up: _band(x, lo, up),
           dtypes=(tf.float64, tf.int32, tf.bool), name="MatrixBandPart-lower"),
    # ReverseSequence: lengths 0 and the full dim included; batch after the sequence dim
    OpCase("ReverseSequence", lambda x, n: tf.reverse_sequence(x, n, seq_axis=1),
           inputs_of(uniform((4, 5)), _ints([1, 3, 5, 0], np.int64)),
           lambda x, n: _reverse_sequence(x, n, 1, 0), dtypes=_DTYPES),
    OpCase("ReverseSequence", lambda x, n: tf.reverse_sequence(x, n, seq_axis=0, batch_axis=2),
           inputs_of(uniform((4, 2, 3)), _ints([2, 4, 1])), lambda x, n: _reverse_sequence(x, n, 0, 2),
           dtypes=REALS, name="ReverseSequence-batch-last"),
]
