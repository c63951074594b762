"""The n-d index ops (tf.gather_nd, tf.scatter_nd, tf.tensor_scatter_*), tf.matrix_band_part and
tf.reverse_sequence beyond the harness table: TF1's values in corner cases, static shapes with
unknown dims, construction-time and run-time errors, names and gradients.

Values and messages were checked against TensorFlow 2.21's tf.compat.v1 with v2 behavior
disabled. Where TF 2.x reworded a message, minitf keeps TF 1.15's wording (marked "TF 1.15"):
the scatter shape checks ("The outer 1 dimensions of indices.shape=..." where 2.21 says
"Dimensions [0,1) of indices[shape=...] ..."), the scatter and reverse_sequence kernel checks,
and no ", node name: GatherNd" suffix on GatherNd's index error.
"""
import re

import numpy as np
import pytest

import minitf as tf

X = np.arange(12.0).reshape(3, 4)


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _unknown(value, dtype=None):
    """`value` behind a tensor of unknown shape, so that its checks wait for run time."""
    return tf.placeholder_with_default(np.asarray(value, dtype), None)


def _build_error(build, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        build()


def _run_error(build, message):
    output = build()
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(message)) as info:
        _run(output)
    assert info.value.op is output.op


# ======================================================================================
# Values (TF1's)
# ======================================================================================
def test_gather_nd_values():
    element, row, one = _run([tf.gather_nd(X, [[1, 2], [0, 0]]), tf.gather_nd(X, [[1], [0]]), tf.gather_nd(X, [1, 2])])
    np.testing.assert_array_equal(element, [6.0, 0.0])
    np.testing.assert_array_equal(row, [X[1], X[0]])
    assert one == 6.0 and np.ndim(one) == 0
    # An empty index row picks all of params, once per row.
    whole = tf.gather_nd(X[:2], np.zeros((4, 0), np.int32))
    assert whole.shape.as_list() == [4, 2, 4]
    np.testing.assert_array_equal(_run(whole), np.stack([X[:2]] * 4))
    assert _run(tf.gather_nd([[b"a", b"b"]], [[0, 1]])).tolist() == [b"b"]
    empty = tf.gather_nd(np.zeros((0, 3)), np.zeros((0, 1), np.int32))
    assert _run(empty).shape == (0, 3)


def test_scatter_nd_values():
    np.testing.assert_array_equal(_run(tf.scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [5])), [0, 4, 0, 2, 0])
    np.testing.assert_array_equal(_run(tf.scatter_nd([[1]], [[1.0, 2.0]], [3, 2])), [[0, 0], [1, 2], [0, 0]])
    np.testing.assert_array_equal(_run(tf.scatter_nd([[0], [0]], [1, 2], [2])), [3, 0])
    np.testing.assert_array_equal(_run(tf.scatter_nd([[0], [0]], [True, True], [2])), [True, False])
    int64 = tf.scatter_nd(np.array([[1]], np.int64), [1.0], [3])
    assert int64.op.get_attr("Tindices") == tf.int64
    np.testing.assert_array_equal(_run(int64), [0, 1, 0])
    assert _run(tf.scatter_nd(np.zeros((0, 1), np.int32), np.zeros((0,)), [0])).shape == (0,)


def test_tensor_scatter_values_with_repeated_indices():
    """The last update of a repeated index wins (TF's CPU kernel); additions and subtractions add up."""
    base, rows = np.arange(5.0), [[1], [1]]
    update, add, sub = _run([tf.tensor_scatter_update(base, rows, [10.0, 20.0]),
                             tf.tensor_scatter_add(base, rows, [10.0, 20.0]),
                             tf.tensor_scatter_sub(base, rows, [10.0, 20.0])])
    np.testing.assert_array_equal(update, [0, 20, 2, 3, 4])
    np.testing.assert_array_equal(add, [0, 31, 2, 3, 4])
    np.testing.assert_array_equal(sub, [0, -29, 2, 3, 4])
    assert _run(tf.tensor_scatter_update([b"a", b"b"], [[1]], [b"z"])).tolist() == [b"a", b"z"]
    assert _run(tf.tensor_scatter_add(np.zeros((0, 2)), np.zeros((0, 1), np.int32), np.zeros((0, 2)))).shape == (0, 2)


def test_tensor_scatter_leaves_its_input_alone():
    x = tf.constant([1.0, 2.0])
    y = tf.tensor_scatter_add(x, [[0]], [5.0])
    np.testing.assert_array_equal(_run([x, y, x])[0], [1.0, 2.0])


def test_matrix_band_part_values():
    lower, band, full, top = _run([tf.matrix_band_part(X, 1, 0), tf.matrix_band_part(X, -1, 1),
                                   tf.matrix_band_part(X, 3, 4), tf.matrix_band_part(np.ones((2, 3, 4)), 0, -1)])
    np.testing.assert_array_equal(lower, [[0, 0, 0, 0], [4, 5, 0, 0], [0, 9, 10, 0]])
    np.testing.assert_array_equal(band, [[0, 1, 0, 0], [4, 5, 6, 0], [8, 9, 10, 11]])
    np.testing.assert_array_equal(full, X)
    np.testing.assert_array_equal(top, np.stack([np.triu(np.ones((3, 4)))] * 2))
    np.testing.assert_array_equal(_run(tf.matrix_band_part(np.ones((2, 2), bool), 0, 0)), np.eye(2, dtype=bool))


def test_reverse_sequence_values():
    by_row, by_column = _run([tf.reverse_sequence(X, [1, 2, 4], seq_axis=1, batch_axis=0),
                              tf.reverse_sequence(X, [1, 2, 3, 0], seq_dim=0, batch_dim=1)])
    np.testing.assert_array_equal(by_row, [[0, 1, 2, 3], [5, 4, 6, 7], [11, 10, 9, 8]])
    np.testing.assert_array_equal(by_column, [[0, 5, 10, 3], [4, 1, 6, 7], [8, 9, 2, 11]])
    cube = _run(tf.reverse_sequence(np.arange(24.0).reshape(2, 3, 4), [2, 3], seq_axis=2))
    np.testing.assert_array_equal(cube[0, 0], [1, 0, 2, 3])
    np.testing.assert_array_equal(cube[1, 2], [22, 21, 20, 23])


# ======================================================================================
# Names, attrs and static shapes
# ======================================================================================
def test_names_and_attrs():
    ops = [tf.gather_nd(X, [[0, 0]]), tf.scatter_nd([[0]], [1.0], [2]), tf.tensor_scatter_update(X, [[0]], [X[0]]),
           tf.tensor_scatter_add(X, [[0]], [X[0]]), tf.tensor_scatter_sub(X, [[0]], [X[0]]),
           tf.matrix_band_part(X, 0, 0), tf.reverse_sequence(X, [1, 1, 1], 1)]
    assert [t.op.name for t in ops] == ["GatherNd", "ScatterNd", "TensorScatterUpdate", "TensorScatterAdd",
                                        "TensorScatterSub", "MatrixBandPart", "ReverseSequence"]
    assert ops[-1].op.get_attr("seq_dim") == 1 and ops[-1].op.get_attr("batch_dim") == 0
    assert tf.tensor_scatter_nd_update is tf.tensor_scatter_update
    assert tf.tensor_scatter_nd_add(X, [[0]], [X[0]], name="nd").op.type == "TensorScatterAdd"


def test_static_shapes_with_unknown_dims():
    params, indices = tf.placeholder(tf.float32, [None, 3, 4]), tf.placeholder(tf.int32, [5, None, 2])
    assert tf.gather_nd(params, indices).shape.as_list() == [5, None, 4]
    assert tf.gather_nd(params, tf.placeholder(tf.int32, [5, None])).shape.ndims is None
    assert tf.gather_nd(tf.placeholder(tf.float32), indices).shape.ndims is None
    assert tf.scatter_nd([[1]], [1.0], tf.placeholder(tf.int32, [1])).shape.as_list() == [None]
    partial = tf.scatter_nd([[1]], [[1.0, 2.0]], tf.stack([tf.placeholder(tf.int32, []), 2]))
    assert partial.shape.as_list() == [None, 2]
    assert tf.scatter_nd([[1]], [[1.0, 2.0]], [-1, 2]).shape.as_list() == [None, 2]
    assert tf.reverse_sequence(tf.placeholder(tf.float32, [None, 4]), [1, 2], 1).shape.as_list() == [2, 4]
    assert tf.reverse_sequence(tf.placeholder(tf.float32), [1, 2], 1).shape.ndims is None
    assert tf.matrix_band_part(tf.placeholder(tf.float32, [None, 2, 2]), 0, 0).shape.as_list() == [None, 2, 2]


# ======================================================================================
# Construction-time errors (TF1's shape functions)
# ======================================================================================
@pytest.mark.parametrize("build,message", [
    (lambda: tf.gather_nd(X, 1), "Shape must be at least rank 1 but is rank 0 for 'GatherNd' (op: 'GatherNd') "
                                 "with input shapes: [3,4], []."),
    (lambda: tf.gather_nd(X, [[1, 2, 0]]),
     "indices.shape[-1] must be <= params.rank, but saw indices shape: [1,3] and params shape: [3,4]"),
    (lambda: tf.scatter_nd(1, [1.0], [3]), "Shape must be at least rank 1 but is rank 0"),
    (lambda: tf.scatter_nd([[1]], 1.0, [3]), "Shape must be at least rank 1 but is rank 0"),
    (lambda: tf.scatter_nd([[1]], [1.0], [[3]]), "Shape must be rank 1 but is rank 2"),
    (lambda: tf.scatter_nd([[1]], [1.0], [-3]), "Invalid value in tensor used for shape: -3"),
    (lambda: tf.scatter_nd([[0]], [1.0], [0]), "Indices and updates specified for empty output shape"),
    (lambda: tf.tensor_scatter_add(np.zeros((0, 2)), [[0]], np.zeros((1, 2))),
     "Indices and updates specified for empty output shape"),
    # TF 1.15's wording of the scatter shape checks
    (lambda: tf.scatter_nd([[1], [3]], [1.0, 2.0, 3.0], [5]),
     "The outer 1 dimensions of indices.shape=[2,1] must match the outer 1 dimensions of updates.shape=[3]: "
     "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]."),
    (lambda: tf.scatter_nd([[1]], [[1.0, 2.0, 3.0]], [3, 2]),
     "The inner 1 dimensions of output.shape=[3,2] must match the inner 1 dimensions of updates.shape=[1,3]: "
     "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2] and [3]."),
    (lambda: tf.tensor_scatter_update(np.ones((5, 2)), [[1], [3]], [[1.0, 2.0, 3.0]] * 2),
     "The inner 1 dimensions of input.shape=[5,2] must match the inner 1 dimensions of updates.shape=[2,3]"),
    (lambda: tf.tensor_scatter_sub(np.ones(5), [[1], [3]], [1.0, 2.0, 3.0]),
     "The outer 1 dimensions of indices.shape=[2,1] must match"),
    (lambda: tf.reverse_sequence(X, [1, 2], seq_axis=1), "Dimensions must be equal, but are 3 and 2"),
    (lambda: tf.reverse_sequence(X, [1, 2, 3], seq_axis=2), "seq_dim must be < input rank: 2 vs. 2"),
    (lambda: tf.reverse_sequence(X, [1, 2, 3], seq_axis=1, batch_axis=2), "batch_dim must be < input rank: 2 vs. 2"),
    (lambda: tf.reverse_sequence(X, [1, 2, 3, 4], seq_axis=-2, batch_axis=-1), "batch_dim must be >=0, got -1"),
    (lambda: tf.reverse_sequence(X, [[1, 2, 3]], seq_axis=1), "Shape must be rank 1 but is rank 2"),
    (lambda: tf.reverse_sequence(X, [1, 2, 3], seq_axis=1, seq_dim=1), "Cannot specify both 'seq_dim' and 'seq_axis'."),
    (lambda: tf.reverse_sequence(X, [1, 2, 3], 1, batch_axis=0, batch_dim=0),
     "Cannot specify both 'batch_dim' and 'batch_axis'."),
])
def test_construction_errors(build, message):
    _build_error(build, message)


def test_reverse_sequence_needs_a_sequence_axis():
    with pytest.raises(TypeError, match=re.escape("Expected int for argument 'seq_dim' not None.")):
        tf.reverse_sequence(X, [1, 2, 3])


def test_index_dtypes_must_match():
    with pytest.raises(TypeError):
        tf.matrix_band_part(X, tf.constant(0), tf.constant(1, tf.int64))
    with pytest.raises(TypeError):
        tf.gather_nd(X, [[0.5, 1.0]])


# ======================================================================================
# Run-time errors (TF1's kernels)
# ======================================================================================
@pytest.mark.parametrize("build,message", [
    (lambda: tf.gather_nd(X[:2, :3], [[1, 2], [2, 0]]), "indices[1] = [2, 0] does not index into param shape [2,3]"),
    (lambda: tf.gather_nd(X[:2, :3], [[[1, 2], [0, -1]]]),
     "indices[0,1] = [0, -1] does not index into param shape [2,3]"),
    (lambda: tf.gather_nd(X[:2, :3], [5]), "indices = [5] does not index into param shape [2,3]"),
    (lambda: tf.gather_nd(np.zeros((0, 3)), np.zeros((2, 1), np.int32)),
     "Requested more than 0 entries, but params is empty.  Params shape: [0,3]"),
    (lambda: tf.gather_nd(np.float64(5.0), np.zeros((2, 0), np.int32)), "params must be at least a vector"),
    (lambda: tf.gather_nd(X, _unknown(1)), "indices must be at least a vector"),
    (lambda: tf.gather_nd(X, _unknown([[1, 1, 1]])),
     "index innermost dimension length must be <= params rank; saw: 3 vs. 2"),
    (lambda: tf.scatter_nd([[1], [5]], [1.0, 2.0], [5]), "indices[1] = [5] does not index into shape [5]"),
    (lambda: tf.scatter_nd([[[1, 0], [0, -1]]], [[1.0, 2.0]], [2, 2]),
     "indices[0,1] = [0, -1] does not index into shape [2,2]"),
    (lambda: tf.tensor_scatter_update(np.arange(5.0), [[1], [7]], [10.0, 20.0]),
     "indices[1] = [7] does not index into shape [5]"),
    (lambda: tf.tensor_scatter_add(np.arange(5.0), [[1], [-1]], [10.0, 20.0]),
     "indices[1] = [-1] does not index into shape [5]"),
    # TF 1.15's wording of ScatterNd's kernel checks
    (lambda: tf.tensor_scatter_update(np.arange(5.0), [[1, 1]], [10.0]),
     "Inner dimensions of output shape must match inner dimensions of updates shape. Output: [5] updates: [1]"),
    (lambda: tf.scatter_nd(_unknown(1), [1.0], [3]), "Indices shape must have rank at least one. Found:[]"),
    (lambda: tf.scatter_nd([[1]], _unknown(1.0), [3]), "Updates shape must have rank at least one. Found:[]"),
    (lambda: tf.scatter_nd([[1]], [1.0], _unknown([-3])), "Dimension -3 must be >= 0"),
    (lambda: tf.scatter_nd([[1]], [1.0], _unknown([[3]])), "Shape must be a vector"),
    (lambda: tf.scatter_nd(_unknown([[1], [2]]), [1.0, 2.0, 3.0], [5]),
     "Outer dimensions of indices and update must match. Indices shape: [2,1], updates shape:[3]"),
    (lambda: tf.scatter_nd([[1]], _unknown([[1.0, 2.0, 3.0]]), [3, 2]),
     "The inner 1 dimensions of output.shape=[3,2] must match the inner 1 dimensions of updates.shape=[1,3]"),
    (lambda: tf.scatter_nd(np.zeros((2, 0), np.int32), _unknown(np.ones((2, 3))), [3]),
     "Indices and updates specified for empty output shape"),
    (lambda: tf.scatter_nd([[0]], [1.0], _unknown([0])), "Indices and updates specified for empty output.  "
                                                          "indices shape: [1,1]"),
    (lambda: tf.tensor_scatter_update(np.float64(5.0), np.zeros((0, 0), np.int32), np.zeros(0)),
     "Output must be at least 1-D, got shape: []"),
    (lambda: tf.tensor_scatter_update(np.arange(3.0), np.zeros((0, 0), np.int32), np.zeros((0, 3))),
     "Only indices.shape[-1] values between 1 and 5 are currently supported.  Requested rank: 0"),
    # TF's scatter functor reads rank-1 indices as a list of one-dim indices
    (lambda: tf.scatter_nd([1], [5.0, 6.0], [3, 2]),
     "The outermost dimension of updates and indices must match. Got indices.shape [1], updates.shape [2]"),
    (lambda: tf.matrix_band_part(np.ones(3), 0, -1), "input must be at least 2-dim, received shape: [3]"),
    (lambda: tf.matrix_band_part(X, [0], -1), "num_lower must be scalar, got shape [1]"),
    (lambda: tf.matrix_band_part(X, 4, 0), "num_lower must be negative or less or equal to number of rows (3) got: 4"),
    (lambda: tf.matrix_band_part(X, 0, 5),
     "num_upper must be negative or less or equal to number of columns (4) got: 5"),
    (lambda: tf.reverse_sequence(X, [1, 5, 3], seq_axis=1), "seq_lens(1) > input.dims(1)"),
    (lambda: tf.reverse_sequence(X, [1, -1, 3], seq_axis=1), "seq_lens(1) < 0"),
    (lambda: tf.reverse_sequence(X, [1, 2, 3], seq_axis=0, batch_axis=0), "batch_dim == seq_dim == 0"),
    # TF 1.15's wording of ReverseSequence's kernel checks
    (lambda: tf.reverse_sequence(X, _unknown([[1, 2, 3]]), seq_axis=1), "seq_lens input must be 1-dim, not 2"),
    (lambda: tf.reverse_sequence(X, _unknown([1, 2]), seq_axis=1), "len(seq_lens) != input.dims(0), (2 vs. 3)"),
    (lambda: tf.reverse_sequence(_unknown(X), [1, 2, 3], seq_axis=2), "seq_dim must be < input.dims()( 2 vs. 2)"),
])
def test_run_time_errors(build, message):
    _run_error(build, message)


def test_missing_kernels_for_types_tf_does_not_support():
    """TensorScatterAdd/Sub have no bool or string kernel and MatrixBandPart no string kernel, as in TF."""
    for build in (lambda: tf.tensor_scatter_add([True, False], [[1]], [True]),
                  lambda: tf.tensor_scatter_sub([b"x"], [[0]], [b"a"]),
                  lambda: tf.matrix_band_part([[b"a"]], 0, 0)):
        with tf.Graph().as_default():
            with pytest.raises(tf.errors.OpError):
                _run(build())


def test_string_scatter_nd_concatenates():
    """TF's string ScatterNd starts from empty strings and "adds" repeated updates by concatenation."""
    assert _run(tf.scatter_nd([[1], [1]], [b"a", b"b"], [3])).tolist() == [b"", b"ab", b""]


# ======================================================================================
# Gradients
# ======================================================================================
def test_gather_nd_gradient_is_a_dense_scatter_nd():
    x = tf.constant(X)
    grad, = tf.gradients(tf.gather_nd(x, [[1, 2], [1, 2], [0, 3]]), x)
    assert isinstance(grad, tf.Tensor) and grad.op.type == "ScatterNd"
    want = np.zeros_like(X)
    want[1, 2], want[0, 3] = 2.0, 1.0
    np.testing.assert_array_equal(_run(grad), want)


def test_gather_nd_gradient_of_a_scalar_fails_as_in_tf():
    """A full index row of rank-1 indices gives a scalar, and ScatterNd rejects scalar updates."""
    x = tf.constant(X)
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.gradients(tf.gather_nd(x, [2, 1]), x)


def test_tensor_scatter_gradients():
    x, u = tf.constant(np.arange(5.0, dtype=np.float32)), tf.constant([10.0, 20.0])
    weights = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0])
    values = {}
    for function in (tf.tensor_scatter_update, tf.tensor_scatter_add, tf.tensor_scatter_sub):
        values[function.__name__] = tf.gradients(tf.reduce_sum(weights * function(x, [[1], [3]], u)), [x, u])
    got = _run(values)
    np.testing.assert_array_equal(got["tensor_scatter_update"][0], [1, 0, 3, 0, 5])
    np.testing.assert_array_equal(got["tensor_scatter_update"][1], [2, 4])
    np.testing.assert_array_equal(got["tensor_scatter_add"][0], [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(got["tensor_scatter_add"][1], [2, 4])
    np.testing.assert_array_equal(got["tensor_scatter_sub"][1], [-2, -4])


def test_index_inputs_get_no_gradient():
    x, i = tf.constant(X), tf.constant([[1, 2]])
    n = tf.constant([1, 2, 3], tf.int64)
    lower = tf.constant(1, tf.int64)
    assert tf.gradients(tf.gather_nd(x, i), i) == [None]
    assert tf.gradients(tf.reverse_sequence(x, n, 1), n) == [None]
    assert tf.gradients(tf.matrix_band_part(x, lower, lower), lower) == [None]
