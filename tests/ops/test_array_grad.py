"""Gradients of the array and selection ops beyond the harness table: the run-time paths taken when
shapes, axes or index inputs are unknown at construction (checked against finite differences
with the harness), what the construction-time paths build, and TF1's None gradients."""
import numpy as np
import pytest

import minitf as tf
from harness import OpCase, check_gradient, uniform


def _hidden(x, shape=None):
    """`x` with a less known static shape, so the gradient cannot use construction-time shapes."""
    return tf.placeholder_with_default(x, shape)


def _floats(*shapes):
    """Float64 inputs of `shapes` (the harness sweeps only float64 for gradients)."""
    makers = [uniform(s) for s in shapes]
    return lambda dtype, rng: [make(dtype, rng) for make in makers]


def _with_ints(shapes, *ints):
    """Float inputs of `shapes`, then fed int arrays (placeholders: values unknown at construction);
    int32 unless given as a typed array."""
    floats = _floats(*shapes)
    ints = [v if isinstance(v, np.ndarray) else np.asarray(v, np.int32) for v in ints]
    return lambda dtype, rng: floats(dtype, rng) + ints


# ======================================================================================
# Run-time paths against finite differences
# ======================================================================================
def _case(op_type, name, build, inputs):
    return pytest.param(OpCase(op_type, build, inputs, dtypes=(tf.float64,), name=name), id=name)


_P2, _P3 = [None, None], [None, None, None]

DYNAMIC_CASES = [
    _case("StridedSlice", "strided-slice-unknown-dims", lambda x: _hidden(x, _P2)[1:, ::2], _floats((4, 5))),
    _case("StridedSlice", "strided-slice-unknown-dims-reversed", lambda x: _hidden(x, _P2)[-1:0:-2, 3::-1],
          _floats((4, 5))),
    _case("StridedSlice", "strided-slice-unknown-dims-shrink", lambda x: _hidden(x, _P2)[::-1, -2], _floats((4, 5))),
    _case("StridedSlice", "strided-slice-unknown-dims-ellipsis", lambda x: _hidden(x, _P3)[..., tf.newaxis, 1],
          _floats((2, 3, 4))),
    _case("StridedSlice", "strided-slice-fed-bounds", lambda x, i, j: x[i:j, -i], _with_ints([(4, 3)], 1, -1)),
    _case("StridedSlice", "strided-slice-fed-stride", lambda x, s: x[::s, 1:], _with_ints([(5, 3)], -2)),
    _case("StridedSlice", "strided-slice-fed-empty", lambda x, i: x[i:], _with_ints([(3, 2)], 7)),
    _case("StridedSlice", "strided-slice-unknown-rank", lambda x: _hidden(x)[1:, ::2], _floats((4, 5))),
    _case("StridedSlice", "strided-slice-unknown-rank-shrink", lambda x: _hidden(x)[-1, ..., 0], _floats((3, 2, 4))),
    _case("Slice", "slice-fed", lambda x, b, s: tf.slice(x, b, s), _with_ints([(3, 4)], [1, 0], [-1, 2])),
    _case("Slice", "slice-unknown-rank", lambda x: tf.slice(_hidden(x), [0, 1], [2, 2]), _floats((3, 4))),
    _case("GatherV2", "gather-unknown-dims-axis", lambda x: tf.gather(_hidden(x, _P3), [2, 0, 2], axis=1),
          _floats((2, 3, 2))),
    _case("GatherV2", "gather-fed-axis-negative", lambda x, a: tf.gather(x, [[1], [0]], axis=a),
          _with_ints([(2, 3, 2)], -2)),
    _case("GatherV2", "gather-fed-indices-unknown-rank", lambda x, i: tf.gather(_hidden(x), i),
          _with_ints([(4, 2)], np.array([3, 3, 1], np.int64))),
    _case("GatherV2", "gather-zero-width", lambda x: tf.gather(x, [1, 2]), _floats((4, 0))),
    _case("GatherV2", "gather-unknown-dims-zero-width", lambda x: tf.gather(_hidden(x, _P2), [[0], [2]], axis=1),
          _floats((0, 3))),
    _case("GatherV2", "gather-no-indices", lambda x: tf.gather(x, tf.zeros([0], tf.int32)) + 1.0, _floats((3, 2))),
    _case("Tile", "tile-fed-multiples", lambda x, m: tf.tile(x, m), _with_ints([(2, 3)], [2, 3])),
    _case("Tile", "tile-unknown-rank", lambda x: tf.tile(_hidden(x), [1, 2]), _floats((2, 3))),
    _case("Pad", "pad-fed-paddings", lambda x, p: tf.pad(x, p), _with_ints([(2, 3)], [[1, 0], [2, 1]])),
    _case("PadV2", "pad-v2-fed-int64-paddings", lambda x, p: tf.pad(x, p, constant_values=2.0),
          _with_ints([(2, 3)], np.array([[0, 1], [1, 1]], np.int64))),
    _case("MirrorPad", "mirror-pad-fed-paddings", lambda x, p: tf.pad(_hidden(x, _P2), p, "REFLECT"),
          _with_ints([(3, 4)], [[2, 1], [0, 3]])),
    _case("MirrorPad", "mirror-pad-symmetric-unknown-dims", lambda x: tf.pad(_hidden(x, _P2), [[1, 3], [2, 0]],
                                                                             "SYMMETRIC"), _floats((3, 2))),
    _case("MirrorPad", "mirror-pad-reflect-3d", lambda x: tf.pad(x, [[1, 1], [0, 0], [2, 1]], "REFLECT"),
          _floats((2, 2, 3))),
    _case("Transpose", "transpose-unknown-rank", lambda x: tf.transpose(_hidden(x)), _floats((2, 3, 4))),
    _case("Transpose", "transpose-fed-perm", lambda x, p: tf.transpose(x, p), _with_ints([(2, 3, 4)], [2, 0, 1])),
    _case("ConcatV2", "concat-fed-axis", lambda x, y, a: tf.concat([x, y], a), _with_ints([(2, 3), (2, 1)], -1)),
    _case("ConcatV2", "concat-unknown-dims", lambda x, y: tf.concat([_hidden(x, _P2), _hidden(y)], 0),
          _floats((2, 3), (1, 3))),
    _case("SplitV", "split-v-unknown-dims", lambda x: tf.split(_hidden(x, _P2), [1, -1], 1), _floats((2, 4))),
    _case("Split", "split-fed-axis", lambda x, a: tf.split(x, 2, a), _with_ints([(2, 4)], 1)),
    _case("Reshape", "reshape-unknown-dims", lambda x: tf.reshape(_hidden(x, _P2), [-1]), _floats((2, 3))),
    _case("Squeeze", "squeeze-unknown-rank", lambda x: tf.squeeze(_hidden(x), [1]), _floats((2, 1, 3))),
    _case("ExpandDims", "expand-dims-fed-axis", lambda x, a: tf.expand_dims(x, a), _with_ints([(2, 3)], 1)),
    _case("Pack", "pack-unknown-dims", lambda x, y: tf.stack([_hidden(x, _P2), y], axis=1), _floats((2, 3), (2, 3))),
    _case("Unpack", "unpack-one-output-used", lambda x: tf.unstack(x, axis=1)[1], _floats((2, 3))),
    _case("ReverseV2", "reverse-fed-axis", lambda x, a: tf.reverse(x, a), _with_ints([(2, 3)], [-1])),
    _case("Select", "select-unknown-dims", lambda x, y: tf.where(_hidden(x, _P2) > 0, x, y), _floats((2, 3), (2, 3))),
    _case("Fill", "fill-fed-dims", lambda v, d: tf.fill(d, v), _with_ints([()], [2, 3])),
]


@pytest.mark.parametrize("case", DYNAMIC_CASES)
def test_runtime_paths_match_finite_differences(case):
    check_gradient(case)


# ======================================================================================
# StridedSlice (`tensor[...]`) against NumPy: the gradient puts each weight where its element came from
# ======================================================================================
_INDICES = [
    0, -1, slice(1, None), slice(None, -1), slice(None, None, 2), slice(None, None, -1), slice(-1, 0, -2),
    slice(5, 10), slice(2, 1), (1, 2), (-1, -2, -3), (slice(None), 1), (Ellipsis, 0), (0, Ellipsis), (None,),
    (slice(None), None, 1), (Ellipsis, None), (None, Ellipsis, None, 2), (1, slice(None, None, -1), slice(1, 4, 2)),
    (Ellipsis,), (), (slice(None), slice(None), slice(None, None, -3)), (np.int32(-1), slice(1, 3)),
]
_SHAPES = {"static": (3, 4, 5), "unknown-dims": (None, None, 5), "unknown-rank": None}


@pytest.mark.parametrize("index", _INDICES, ids=repr)
@pytest.mark.parametrize("known", list(_SHAPES))
def test_strided_slice_gradient_matches_numpy(index, known):
    values = np.zeros([3, 4, 5])
    x = tf.placeholder(tf.float64, _SHAPES[known])
    y = x[index]
    weights = np.arange(1.0, 1.0 + values[index].size).reshape(values[index].shape)
    grad, = tf.gradients(y, x, grad_ys=weights)
    expected = np.zeros_like(values)
    expected[index] = weights
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(grad, {x: values}), expected)


# ======================================================================================
# What the gradients build
# ======================================================================================
def _gradient_op_types(y, x):
    graph = tf.get_default_graph()
    before = set(graph.get_operations())
    grad, = tf.gradients(y, x)
    return grad, sorted({op.type for op in graph.get_operations() if op not in before})


def test_static_strided_slice_gradient_is_built_from_constants():
    x = tf.placeholder(tf.float64, [4, 5])
    grad, types = _gradient_op_types(x[1:, ::-2], x)
    assert "Range" not in types and "FloorMod" not in types, types
    assert [op.type for op in tf.get_default_graph().get_operations()].count("GatherV2") == 2
    with tf.Session() as sess:
        expected = np.zeros([4, 5])
        expected[1:, ::-2] = 1
        np.testing.assert_array_equal(sess.run(grad, {x: np.zeros([4, 5])}), expected)


def test_strided_slice_gradient_skips_dims_kept_whole():
    x = tf.placeholder(tf.float64, [None, 6])
    grad, types = _gradient_op_types(x[:, 2], x)
    assert [op.type for op in tf.get_default_graph().get_operations()].count("GatherV2") == 1
    assert grad.shape.as_list() == [None, 6]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(grad, {x: np.zeros([3, 6])}), np.eye(6)[[2, 2, 2]])


def test_gather_gradient_is_indexed_slices_whose_dense_form_sums_repeated_rows():
    """TF1's sparse gradient of a gather along axis 0: the gradient rows and their indices."""
    params = tf.placeholder(tf.float32, [4, 2])
    indices = tf.placeholder(tf.int64, [5])
    picked = tf.gather(params, indices)
    weights = np.arange(10, dtype=np.float32).reshape(5, 2)
    grad, = tf.gradients(picked, params, grad_ys=weights)
    assert isinstance(grad, tf.IndexedSlices) and grad.dtype == tf.float32
    assert grad.values.shape.as_list() == [5, 2] and grad.indices.shape.as_list() == [5]
    dense = tf.convert_to_tensor(grad)
    assert dense.shape.as_list() == [4, 2]
    ids = np.array([3, 0, 3, 3, 1])
    expected = np.zeros([4, 2], np.float32)
    np.add.at(expected, ids, weights)
    with tf.Session() as sess:
        sparse, dense_value = sess.run([grad, dense], {params: np.zeros([4, 2]), indices: ids})
    assert isinstance(sparse, tf.IndexedSlicesValue)
    np.testing.assert_array_equal(sparse.values, weights)
    np.testing.assert_array_equal(sparse.indices, ids)
    np.testing.assert_array_equal(sparse.dense_shape, [4, 2])
    np.testing.assert_array_equal(dense_value, expected)


def test_gather_gradient_along_another_axis_is_dense():
    params = tf.placeholder(tf.float32, [2, 3])
    picked = tf.gather(params, [2, 0, 2], axis=1)
    grad, = tf.gradients(picked, params, grad_ys=np.ones([2, 3], np.float32))
    assert isinstance(grad, tf.Tensor)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(grad, {params: np.zeros([2, 3])}), [[1, 0, 2], [1, 0, 2]])


@pytest.mark.parametrize("build", [
    lambda x: tf.reshape(x, [6]), lambda x: tf.transpose(x), lambda x: tf.tile(x, [2, 1]),
    lambda x: tf.pad(x, [[1, 0], [0, 1]]), lambda x: tf.slice(x, [0, 1], [2, 2]), lambda x: x[:, 1:],
    lambda x: tf.gather(x, [1, 0], axis=1), lambda x: tf.concat([x, x], 1), lambda x: tf.reverse(x, [0]),
], ids=["reshape", "transpose", "tile", "pad", "slice", "strided-slice", "gather", "concat", "reverse"])
def test_gradient_has_the_input_static_shape_and_dtype(build):
    x = tf.placeholder(tf.float32, [2, 3])
    grad, = tf.gradients(build(x), x)
    assert grad.dtype == tf.float32
    assert grad.shape.as_list() == [2, 3]


# ======================================================================================
# None gradients, as in TF1
# ======================================================================================
def test_padv2_constant_values_get_no_gradient():
    x = tf.placeholder(tf.float32, [2])
    value = tf.placeholder(tf.float32, [])
    assert tf.gradients(tf.pad(x, [[1, 1]], constant_values=value), value) == [None]


def test_index_and_condition_inputs_get_none_from_the_gradient_functions():
    x = tf.placeholder(tf.float32, [2, 3])
    cases = {
        tf.where(x > 0, x, -x).op: [0],
        tf.fill([2], tf.reduce_sum(x)).op: [0],
        tf.slice(x, [0, 0], [1, 1]).op: [1, 2],
        x[0].op: [1, 2, 3],
        tf.gather(x, [0]).op: [1, 2],
        tf.tile(x, [1, 2]).op: [1],
        tf.concat([x, x], 0).op: [2],
        tf.split(x, 3, 1)[0].op: [0],
        tf.reverse(x, [1]).op: [1],
        tf.reshape(x, [-1]).op: [1],
    }
    for op, none_positions in cases.items():
        grads = op.op_def.gradient(op, *[tf.ones_like(t) for t in op.outputs])
        assert len(grads) == len(op.inputs), op.type
        assert [i for i, g in enumerate(grads) if g is None] == none_positions, op.type


@pytest.mark.parametrize("op_type", ["OneHot", "Range", "Where", "ZerosLike", "OnesLike", "Shape", "ShapeN",
                                     "Size", "Rank", "Placeholder"])
def test_tf1_non_differentiable_ops(op_type):
    from minitf.framework.op_def import get_op_def
    assert not get_op_def(op_type).differentiable


def test_one_hot_values_get_no_gradient():
    on = tf.placeholder(tf.float32, [])
    hot = tf.one_hot([0, 2], 3, on_value=on, off_value=0.0)
    assert tf.gradients(hot, on) == [None]
