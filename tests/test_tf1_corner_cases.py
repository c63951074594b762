"""TF1 corner cases a review of the fusion, IndexedSlices and pooling work found minitf getting
wrong (each fixed): non-finite gradients through max pooling, fed pooled outputs, sparse
gradients through concat/cast and partitioned lookups, the gather axis as written, warnings.

Expected values were checked against TensorFlow (tf.compat.v1 with v2 behaviour disabled) where
that gives TF1's answer, else against TF 1.15's source, as each docstring says.
"""
import warnings

import numpy as np
import pytest

import minitf as tf

TRACE = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def _run(sess, fetches, feed_dict=None, traced=False):
    if traced:  # a traced run compiles the plan unfused
        return sess.run(fetches, feed_dict, options=TRACE, run_metadata=tf.RunMetadata())
    return sess.run(fetches, feed_dict)


# ======================================================================================
# 1. Fusion / MaxPoolGrad kernels
# ======================================================================================
@pytest.mark.timeout(10)
@pytest.mark.parametrize("traced", [False, True], ids=["fused", "unfused"])
@pytest.mark.parametrize("through_relu", [False, True], ids=["pool", "relu_pool"])
def test_max_pool_grad_of_an_infinite_gradient_reaches_only_the_max(traced, through_relu):
    """TF1's MaxPoolGrad scatters each window's gradient onto its max only: a gradient of inf
    gives [0, inf, 0, 0] for the window [1, 5, 2, 3] (with or without a ReLU in front, whose
    mask is 1 at the max), fused or not. Multiplying by a 0/1 mask would put inf * 0 = NaN on
    every other element."""
    x = tf.placeholder(tf.float32, [1, 2, 2, 1])
    features = tf.nn.relu(x) if through_relu else x
    pooled = tf.nn.max_pool(features, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    grad_ys = tf.placeholder(tf.float32, [1, 1, 1, 1])
    dx = tf.gradients(pooled, x, grad_ys=grad_ys)[0]
    with tf.Session() as sess, np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = _run(sess, dx, {x: np.array([1., 5., 2., 3.], np.float32).reshape(1, 2, 2, 1),
                              grad_ys: np.full([1, 1, 1, 1], np.inf, np.float32)}, traced)
    np.testing.assert_array_equal(out.ravel(), [0., np.inf, 0., 0.])


@pytest.mark.timeout(10)
def test_max_pool_grad_routes_by_the_input_not_by_a_fed_pooled_output():
    """TF1's CPU MaxPoolGrad recomputes each window's argmax from orig_input (orig_output's
    values are not compared), so feeding the MaxPool's output with zeros still routes the
    gradient to the maxima 5, 7, 13, 15 of x = arange(16)."""
    x = tf.constant(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1))
    pooled = tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    dx = tf.gradients(tf.reduce_sum(pooled), x)[0]
    expected = np.zeros(16, np.float32)
    expected[[5, 7, 13, 15]] = 1
    with tf.Session() as sess:
        out = sess.run(dx, {pooled: np.zeros((1, 2, 2, 1), np.float32)})
    np.testing.assert_array_equal(out.ravel(), expected)


@pytest.mark.timeout(10)
def test_fused_bias_relu_is_as_silent_as_other_kernels():
    """TF1 computes inf silently, and so do minitf's kernels (kernels/__init__.py filters NumPy's
    RuntimeWarnings for them): the fused kernels, in minitf.runtime.fusion, too."""
    x = tf.constant(np.array([[3e38]], np.float32))
    w = tf.constant(np.array([[1.0]], np.float32))
    b = tf.constant(np.array([3e38], np.float32))
    relu = tf.nn.relu(tf.matmul(x, w) + b)
    with tf.Session() as sess, warnings.catch_warnings(record=True) as caught:
        out = sess.run(relu)
    assert np.isinf(out).all()
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []


# ======================================================================================
# 4. IndexedSlices
# ======================================================================================
@pytest.mark.timeout(10)
def test_partitioned_embedding_sparse_momentum_leaves_rows_not_looked_up():
    """TF1's embedding_lookup over a list of partitions gives each partition an IndexedSlices
    naming only the ids that live in it (dynamic_partition), so MomentumOptimizer's
    SparseApplyMomentum never touches a row not looked up in the step: p1[0] stays 0.9 in a step
    that looked up only id 2."""
    p0 = tf.Variable(np.ones((2, 2), np.float32))
    p1 = tf.Variable(np.ones((2, 2), np.float32))
    ids = tf.placeholder(tf.int32, [None])
    loss = tf.reduce_sum(tf.nn.embedding_lookup([p0, p1], ids))  # "mod": id 1 -> p1[0], id 2 -> p0[1]
    train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {ids: [1]})
        sess.run(train, {ids: [2]})
        v0, v1 = sess.run([p0, p1])
    np.testing.assert_allclose(v0, [[1.0, 1.0], [0.9, 0.9]], rtol=1e-6)
    np.testing.assert_allclose(v1, [[0.9, 0.9], [1.0, 1.0]], rtol=1e-6)


@pytest.mark.timeout(10)
def test_gather_gradient_along_negative_axis_zero_is_dense():
    """TF1's _GatherV2Grad builds an IndexedSlices only when the axis's constant value == 0; an
    axis written as -2 on a matrix takes the dense (transpose) path and tf.gradients returns a
    Tensor (so optimizers update every row)."""
    params = tf.constant(np.ones((4, 3), np.float32))
    grad = tf.gradients(tf.reduce_sum(tf.gather(params, [1, 2], axis=-2)), params)[0]
    assert isinstance(grad, tf.Tensor)


@pytest.mark.timeout(10)
def test_dense_and_sparse_paths_aggregate_to_indexed_slices():
    """TF1 (1.x gradients_util._AggregatedGrads) makes the gradients of a tensor reached by both
    dense and IndexedSlices paths one IndexedSlices (each dense one turned into slices by
    _as_indexed_slices_list, then values and indices concatenated); TF 2.x changed this to a
    dense add_n."""
    params = tf.constant(np.ones((4, 3), np.float32))
    loss = tf.reduce_sum(tf.gather(params, [1, 1, 3])) + tf.reduce_sum(params * params)
    grad = tf.gradients(loss, params)[0]
    assert isinstance(grad, tf.IndexedSlices)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("how", ["concat", "cast"])
def test_sparse_gradient_stays_sparse_through_concat_and_cast(how):
    """TF1's ConcatV2 gradient (_ConcatGradHelper) splits an IndexedSlices gradient along axis 0
    into an IndexedSlices per input, and Cast's gradient casts an IndexedSlices' values
    (math_ops.cast keeps IndexedSlices): tf.gradients returns IndexedSlices for the tables behind
    tf.gather(tf.concat([a, b], 0), ids) or tf.gather(tf.cast(a, tf.float64), ids)."""
    a = tf.constant(np.ones((3, 2), np.float32))
    table = tf.concat([a, tf.constant(np.ones((2, 2), np.float32))], 0) if how == "concat" else \
        tf.cast(a, tf.float64)
    grad = tf.gradients(tf.reduce_sum(tf.gather(table, [0, 2])), a)[0]
    assert isinstance(grad, tf.IndexedSlices)


# ======================================================================================
# Indexing corner cases (checked against TF with tf.compat.v1)
# ======================================================================================
def test_transpose_takes_negative_perm_entries():
    x = tf.constant(np.arange(24.0).reshape(2, 3, 4))
    y = tf.transpose(x, [-1, 0, 1])
    assert y.shape.as_list() == [4, 2, 3]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), np.transpose(np.arange(24.0).reshape(2, 3, 4), [2, 0, 1]))


def test_boolean_indexing_is_a_boolean_mask():
    """TF1's _slice_helper sends a bool, a bool tensor or a bool array to boolean_mask."""
    x = tf.constant(np.arange(6).reshape(3, 2))
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        x[True]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x[np.array([True, False, True])]), [[0, 1], [4, 5]])
        np.testing.assert_array_equal(sess.run(x[tf.constant([False, True, True])]), [[2, 3], [4, 5]])


def test_gather_with_batch_dims_gathers_each_batch_from_its_own_params():
    params = tf.constant([[1, 2, 3], [4, 5, 6]])
    picked = tf.gather(params, tf.constant([[2, 0], [1, 1]]), batch_dims=1)
    assert picked.shape.as_list() == [2, 2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(picked), [[3, 1], [5, 5]])
    with pytest.raises(ValueError, match="batch_dims = 2 must be less than rank\\(indices\\) = 2"):
        tf.gather(params, tf.constant([[2, 0], [1, 1]]), batch_dims=2)


# ======================================================================================
# Sparse to dense (TF's kernel checks)
# ======================================================================================
@pytest.mark.parametrize("indices,message", [
    ([[2, 0], [0, 1]], r"indices\[1\] = \[0,1\] is out of order. Many sparse ops require sorted indices."),
    ([[0, 1], [0, 1]], r"indices\[1\] = \[0,1\] is repeated"),
    ([[0, 5], [1, 1]], r"indices\[0\] = \[0,5\] is out of bounds: need 0 <= index < \[3,3\]"),
])
def test_sparse_to_dense_checks_its_indices_as_tf(indices, message):
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match=message):
        sess.run(tf.sparse_to_dense(indices, [3, 3], [5.0, 7.0]))


def test_sparse_tensor_to_dense_of_parsed_var_len_features():
    """The usual TF1 pipeline: a VarLenFeature parses to a SparseTensor, made dense for a model."""
    example = tf.train.Example(features=tf.train.Features(feature={
        "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=[3, 1, 4]))}))
    parsed = tf.parse_single_example(example.SerializeToString(), {"ids": tf.VarLenFeature(tf.int64)})
    dense = tf.sparse.to_dense(parsed["ids"], default_value=-1)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(dense), [3, 1, 4])
