"""Harness cases: the array family (reshape/transpose, concat/stack/split, slicing, gather, one_hot,
tile, pad, fill, zeros/ones, shape/size/rank, range, where/select, reverse).

Layout ops move values without arithmetic, so they sweep every dtype, bool included.
"""
import numpy as np

import minitf as tf
from harness import FLOATS, INTS, OpCase, REALS
from minitf.ops.op_builder import apply_op

EVERY = FLOATS + INTS + (tf.bool,)


def _random(shape, dtype, rng):
    if dtype == tf.bool:
        return rng.random(shape) < 0.5
    values = rng.uniform(-5, 5, size=shape)
    return (np.round(values) if dtype.is_integer else values).astype(dtype.as_numpy_dtype)


def _data(*shapes, extra=()):
    """Inputs: random arrays of the swept dtype with `shapes`, then the dtype-independent `extra`."""
    return lambda dtype, rng: [_random(s, dtype, rng) for s in shapes] + [np.asarray(e) for e in extra]


def _unknown(x, shape=None):
    """`x` with a less known static shape (so that ops like Shape are not folded into a Const)."""
    return tf.placeholder_with_default(x, shape)


def _np_one_hot(indices, depth, axis=-1, on=1, off=0):
    hot = np.expand_dims(indices, axis) == np.arange(depth).reshape(
        [-1 if i == (axis % (indices.ndim + 1)) else 1 for i in range(indices.ndim + 1)])
    return np.where(hot, on, off)


_MASK = [[True, False, True], [False, False, True]]


# (op type, case name, input shapes, build, NumPy reference): swept over EVERY dtype.
_LAYOUT = [
    ("Reshape", "Reshape", [(2, 3, 4)], lambda x: tf.reshape(x, [4, 6]), lambda x: x.reshape(4, 6)),
    ("Reshape", "Reshape-infer", [(2, 3, 4)], lambda x: tf.reshape(x, [-1, 2]), lambda x: x.reshape(-1, 2)),
    ("Reshape", "Reshape-to-scalar", [(1, 1)], lambda x: tf.reshape(x, []), lambda x: x.reshape(())),
    ("Reshape", "Reshape-empty", [(0, 3)], lambda x: tf.reshape(x, [3, 0, 2]), lambda x: x.reshape(3, 0, 2)),
    ("Transpose", "Transpose", [(2, 3, 4)], tf.transpose, lambda x: x.T),
    ("Transpose", "Transpose-perm", [(2, 3, 4)], lambda x: tf.transpose(x, [1, 0, 2]),
     lambda x: x.transpose(1, 0, 2)),
    ("Squeeze", "Squeeze", [(1, 2, 1, 3)], tf.squeeze, np.squeeze),
    ("Squeeze", "Squeeze-axis", [(1, 2, 1, 3)], lambda x: tf.squeeze(x, [-2]), lambda x: x.squeeze(2)),
    ("ExpandDims", "ExpandDims", [(2, 3)], lambda x: tf.expand_dims(x, 0), lambda x: x[None]),
    ("ExpandDims", "ExpandDims-negative", [(2, 3)], lambda x: tf.expand_dims(x, -1), lambda x: x[..., None]),
    ("ExpandDims", "ExpandDims-scalar", [()], lambda x: tf.expand_dims(x, 0), lambda x: np.reshape(x, [1])),
    ("ConcatV2", "ConcatV2", [(2, 3), (2, 1)], lambda x, y: tf.concat([x, y], 1),
     lambda x, y: np.concatenate([x, y], 1)),
    ("ConcatV2", "ConcatV2-negative-axis", [(2, 3), (2, 0), (2, 2)], lambda *v: tf.concat(list(v), -1),
     lambda *v: np.concatenate(v, -1)),
    ("Pack", "Pack", [(2, 3), (2, 3)], lambda x, y: tf.stack([x, y]), lambda x, y: np.stack([x, y])),
    ("Pack", "Pack-axis", [(2, 3), (2, 3)], lambda x, y: tf.stack([x, y], axis=-1),
     lambda x, y: np.stack([x, y], -1)),
    ("Pack", "Pack-scalars", [(), ()], lambda x, y: tf.stack([x, y]), lambda x, y: np.stack([x, y])),
    ("Unpack", "Unpack", [(3, 2)], tf.unstack, list),
    ("Unpack", "Unpack-axis", [(2, 3)], lambda x: tf.unstack(x, axis=-1), lambda x: list(x.T)),
    ("Unpack", "Unpack-to-scalars", [(2,)], tf.unstack, list),
    ("Split", "Split", [(2, 6)], lambda x: tf.split(x, 3, 1), lambda x: np.split(x, 3, 1)),
    ("Split", "Split-one", [(2, 6)], lambda x: tf.split(x, 1, 0), lambda x: [x]),
    ("SplitV", "SplitV", [(2, 6)], lambda x: tf.split(x, [1, -1, 2], -1), lambda x: np.split(x, [1, 4], -1)),
    ("Slice", "Slice", [(3, 4)], lambda x: tf.slice(x, [1, 0], [-1, 2]), lambda x: x[1:, 0:2]),
    ("Slice", "Slice-empty", [(3, 4)], lambda x: tf.slice(x, [1, 4], [2, 0]), lambda x: x[1:3, 4:4]),
    ("StridedSlice", "StridedSlice", [(4, 5)], lambda x: x[1:, ::2], lambda x: x[1:, ::2]),
    ("StridedSlice", "StridedSlice-negative", [(4, 5)], lambda x: x[::-1, -2], lambda x: x[::-1, -2]),
    ("StridedSlice", "StridedSlice-reverse-step", [(4, 5)], lambda x: x[-1:0:-2, 3::-1],
     lambda x: x[-1:0:-2, 3::-1]),
    ("StridedSlice", "StridedSlice-ellipsis-newaxis", [(2, 3, 4)], lambda x: x[..., tf.newaxis, 1],
     lambda x: x[..., None, 1]),
    ("StridedSlice", "StridedSlice-scalar", [(2, 3)], lambda x: x[1, -1], lambda x: x[1, -1]),
    ("StridedSlice", "StridedSlice-empty", [(2, 3)], lambda x: x[5:], lambda x: x[5:]),
    ("StridedSlice", "StridedSlice-masks", [(2, 3, 4)],
     lambda x: tf.strided_slice(x, [1, 0, 1], [2, 0, 3], [1, 1, 1], begin_mask=2, end_mask=2,
                                shrink_axis_mask=1),
     lambda x: x[1, :, 1:3]),
    ("StridedSlice", "StridedSlice-new-axis-mask", [(2, 3)],
     lambda x: tf.strided_slice(x, [0, 0, 0], [1, 2, 3], [1, 1, 1], new_axis_mask=1), lambda x: x[None, :2, :3]),
    ("GatherV2", "GatherV2", [(4, 3)], lambda x: tf.gather(x, [3, 0, 3]), lambda x: x[[3, 0, 3]]),
    ("GatherV2", "GatherV2-axis-int64", [(2, 3, 4)],
     lambda x: tf.gather(x, tf.constant([[1, 0], [3, 3]], tf.int64), axis=-1),
     lambda x: np.take(x, [[1, 0], [3, 3]], axis=-1)),
    ("GatherV2", "GatherV2-scalar", [(4,)], lambda x: tf.gather(x, 2), lambda x: x[2]),
    ("Tile", "Tile", [(2, 3)], lambda x: tf.tile(x, [2, 1]), lambda x: np.tile(x, [2, 1])),
    ("Tile", "Tile-zero", [(2, 3)], lambda x: tf.tile(x, [1, 0]), lambda x: np.tile(x, [1, 0])),
    ("ReverseV2", "ReverseV2", [(2, 3, 4)], lambda x: tf.reverse(x, [1]), lambda x: x[:, ::-1]),
    ("ReverseV2", "ReverseV2-negative", [(2, 3, 4)], lambda x: tf.reverse(x, [0, -1]), lambda x: x[::-1, :, ::-1]),
    ("ZerosLike", "ZerosLike", [(2, 3)], tf.zeros_like, np.zeros_like),
    ("OnesLike", "OnesLike", [(2, 3)], lambda x: apply_op("OnesLike", x), np.ones_like),
    ("Fill", "Fill-ones_like", [(2, 3)], tf.ones_like, np.ones_like),
    ("Fill", "Fill-zeros-of-shape", [(2, 3)], lambda x: tf.zeros(tf.shape(x), x.dtype),
     np.zeros_like),
    ("Fill", "Fill", [()], lambda v: tf.fill([2, 3], v), lambda v: np.full([2, 3], v)),
    ("Select", "Select", [(2, 3), (2, 3)], lambda x, y: tf.where(tf.not_equal(x, y), x, y),
     lambda x, y: np.where(x != y, x, y)),
    ("Select", "Select-vector-condition", [(3, 2), (3, 2)],
     lambda x, y: tf.where(tf.constant([True, False, True]), x, y), lambda x, y: np.where([[1], [0], [1]], x, y)),
]

CASES = [OpCase(op_type, build, _data(*shapes), reference, dtypes=EVERY, name=name)
         for op_type, name, shapes, build, reference in _LAYOUT]

# Ops whose inputs mix the swept dtype with int tensors, or that only make sense for some dtypes.
CASES += [
    OpCase("Reshape", lambda x, s: tf.reshape(x, s), _data((2, 6), extra=[np.array([3, -1], np.int32)]),
           lambda x, s: x.reshape(3, -1), dtypes=EVERY, exact_shape=False, name="Reshape-fed-shape"),
    OpCase("StridedSlice", lambda x, i: x[i, i:], _data((3, 4), extra=[np.int32(1)]), lambda x, i: x[1, 1:],
           dtypes=EVERY, exact_shape=False, name="StridedSlice-tensor-index"),
    OpCase("StridedSlice", lambda x, i: x[:, i], _data((3, 4), extra=[np.int64(-1)]), lambda x, i: x[:, -1],
           dtypes=REALS, name="StridedSlice-int64-index"),
    OpCase("OneHot", lambda i: tf.one_hot(i, 4), _data(extra=[np.array([0, 3, -1, 2], np.int32)]),
           lambda i: _np_one_hot(i, 4).astype(np.float32), name="OneHot"),
    OpCase("OneHot", lambda i: tf.one_hot(i, 3, on_value=5, off_value=-1, axis=0),
           _data(extra=[np.array([[0, 2], [1, 1]], np.int64)]),
           lambda i: _np_one_hot(i, 3, 0, 5, -1).astype(np.int32), name="OneHot-axis-int32"),
    OpCase("OneHot", lambda i: tf.one_hot(i, 2, dtype=tf.bool), _data(extra=[np.array([1, 0], np.uint8)]),
           lambda i: _np_one_hot(i, 2).astype(bool), name="OneHot-bool"),
    OpCase("Pad", lambda x: tf.pad(x, [[1, 0], [0, 2]]), _data((2, 3)), lambda x: np.pad(x, [[1, 0], [0, 2]]),
           dtypes=EVERY),
    OpCase("PadV2", lambda x: tf.pad(x, [[1, 1], [2, 0]], constant_values=3),
           _data((2, 3)), lambda x: np.pad(x, [[1, 1], [2, 0]], constant_values=3), dtypes=FLOATS + INTS),
    OpCase("MirrorPad", lambda x: tf.pad(x, [[1, 1], [2, 2]], "REFLECT"), _data((2, 3)),
           lambda x: np.pad(x, [[1, 1], [2, 2]], "reflect"), dtypes=EVERY),
    OpCase("MirrorPad", lambda x: tf.pad(x, [[2, 0], [3, 1]], "symmetric"), _data((2, 3)),
           lambda x: np.pad(x, [[2, 0], [3, 1]], "symmetric"), dtypes=EVERY, name="MirrorPad-symmetric"),
    OpCase("Shape", lambda x: tf.shape(_unknown(x, [None, 3])), _data((2, 3)), lambda x: np.int32(x.shape),
           dtypes=EVERY),
    OpCase("Shape", lambda x: tf.shape(_unknown(x), out_type=tf.int64), _data((2, 3)),
           lambda x: np.int64(x.shape), exact_shape=False, name="Shape-int64-unknown-rank"),
    OpCase("ShapeN", lambda x, y: tf.shape_n([x, y]), _data((2, 3), (4,)),
           lambda x, y: [np.int32(x.shape), np.int32(y.shape)], dtypes=EVERY),
    OpCase("Size", lambda x: tf.size(_unknown(x, [None, 3])), _data((2, 3)), lambda x: np.int32(x.size),
           dtypes=EVERY),
    OpCase("Size", lambda x: tf.size(_unknown(x, [None]), out_type=tf.int64), _data((0,)),
           lambda x: np.int64(0), name="Size-empty-int64"),
    OpCase("Rank", lambda x: tf.rank(_unknown(x)), _data((2, 3, 1)), lambda x: np.int32(3), dtypes=EVERY),
    OpCase("Range", lambda: tf.range(2, 11, 3), _data(), lambda: np.arange(2, 11, 3, dtype=np.int32)),
    OpCase("Range", lambda: tf.range(5, dtype=tf.int64), _data(), lambda: np.arange(5), name="Range-int64"),
    OpCase("Range", lambda: tf.range(4.0, 1, -0.5), _data(), lambda: np.arange(4, 1, -0.5, dtype=np.float32),
           name="Range-float-negative-delta"),
    OpCase("Range", lambda: tf.range(1, 2.5, 0.5, dtype=tf.float64), _data(), lambda: np.arange(1, 2.5, 0.5),
           name="Range-float64"),
    OpCase("Range", lambda n: tf.range(n), _data(extra=[np.int32(4)]), lambda n: np.arange(4, dtype=np.int32),
           exact_shape=False, name="Range-fed"),
    OpCase("Range", lambda: tf.range(3, 3), _data(), lambda: np.arange(0, dtype=np.int32), name="Range-empty"),
    OpCase("Where", lambda x: tf.where(x), _data((3, 4)), lambda x: np.argwhere(x), dtypes=(tf.bool,),
           exact_shape=False),
    OpCase("Where", lambda x: tf.where(x), _data((5,)), lambda x: np.argwhere(x), dtypes=REALS,
           exact_shape=False, name="Where-numbers"),
    OpCase("Select", lambda c, x, y: tf.where(c, x, y), lambda dtype, rng: [np.bool_(False)] + [
        _random((2, 2), dtype, rng) for _ in range(2)], lambda c, x, y: y, dtypes=REALS, name="Select-scalar"),
    OpCase("GatherV2", lambda x: tf.boolean_mask(x, x[:, 0] > 0), _data((5, 3)), lambda x: x[x[:, 0] > 0],
           dtypes=REALS, exact_shape=False, name="boolean_mask"),
    OpCase("GatherV2", lambda x: tf.boolean_mask(_unknown(x, [None, 2, 3]), _MASK, axis=1), _data((2, 2, 3)),
           lambda x: x[:, np.array(_MASK)], dtypes=REALS, exact_shape=False,
           name="boolean_mask-axis-partial-shape"),
    OpCase("Range", lambda n: tf.sequence_mask(n, 4), _data(extra=[np.array([0, 2, 4], np.int32)]),
           lambda n: np.arange(4) < n[:, None], name="sequence_mask"),
]
