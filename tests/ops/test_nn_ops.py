"""Focused tests of the nn family beyond the harness table: stability for huge logits, label and
shape errors, in_top_k ties, TF1's keyword-only cross-entropies, dropout statistics and scaling,
the composites (moments, batch_normalization, l2_normalize, sigmoid cross-entropy) against NumPy,
TF1 node names, and the kernels' fast paths."""
import operator

import numpy as np
import pytest

import minitf as tf
from minitf.runtime.devices import Device, local_devices
from minitf.runtime.kernel_registry import KernelContext, find_kernel


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _op_names():
    return {op.name for op in tf.get_default_graph().get_operations()}


def _log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


# ======================================================================================
# Stability for huge logits
# ======================================================================================
HUGE = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4 - 1.0, 0.0]], np.float32)


def test_softmax_cross_entropies_are_finite_for_huge_logits():
    labels = np.array([[0, 1, 0], [1, 0, 0], [0.5, 0.5, 0]], np.float32)
    logits = tf.constant(HUGE)
    dense = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 0, 0], logits=logits)
    grads = tf.gradients([tf.reduce_sum(dense), tf.reduce_sum(sparse)], logits)[0]
    dense_value, sparse_value, grad_value = _run([dense, sparse, grads])
    expected = -(labels * _log_softmax(HUGE.astype(np.float64))).sum(-1)
    np.testing.assert_allclose(dense_value, expected, rtol=1e-6)
    np.testing.assert_allclose(sparse_value, [2e4, np.log(3), np.log1p(np.exp(-1))], rtol=1e-6)
    assert np.all(np.isfinite(grad_value))


def test_softmax_and_log_softmax_are_finite_for_huge_logits():
    softmax, log_softmax = _run([tf.nn.softmax(HUGE), tf.nn.log_softmax(HUGE)])
    np.testing.assert_allclose(softmax.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(log_softmax, _log_softmax(HUGE.astype(np.float64)), rtol=1e-6)


def test_sigmoid_cross_entropy_matches_numpy_and_is_stable():
    logits = np.array([[-1e4, -3.0, 0.0, 2.5, 1e4]], np.float32)
    labels = np.array([[0.0, 1.0, 0.5, 0.0, 1.0]], np.float32)
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.name == "logistic_loss:0"
    x = logits.astype(np.float64)
    expected = np.maximum(x, 0) - x * labels + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(_run(loss), expected, rtol=1e-6)


def test_weighted_cross_entropy_matches_numpy():
    logits = np.array([-2.0, 0.5, 3.0], np.float32)
    targets = np.array([1.0, 0.0, 0.3], np.float32)
    loss = tf.nn.weighted_cross_entropy_with_logits(targets=targets, logits=logits, pos_weight=2.0)
    sigmoid = 1 / (1 + np.exp(-logits.astype(np.float64)))
    expected = -(2.0 * targets * np.log(sigmoid) + (1 - targets) * np.log(1 - sigmoid))
    np.testing.assert_allclose(_run(loss), expected, rtol=1e-5)
    assert loss.name == "logistic_loss:0"


# ======================================================================================
# Label errors and keyword-only arguments
# ======================================================================================
@pytest.mark.parametrize("labels,bad", [([1, 12], 12), ([-1, 2], -1)])
def test_sparse_label_out_of_range_fails_at_run_time(labels, bad):
    with tf.device("/cpu:0"):
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=tf.zeros([2, 10]))
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        _run(loss)
    assert info.value.message == (f"Received a label value of {bad} which is outside the valid range of "
                                  f"[0, 10).  Label values: {labels[0]} {labels[1]}")


def test_sparse_label_out_of_range_gives_nan_rows_on_gpu_kernels():
    """TF1's GPU kernel does not check labels; its bad rows are NaN (no host sync needed)."""
    op = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([1, 12]), logits=tf.zeros([2, 10])).op
    compute = find_kernel(op, "GPU")(KernelContext(op, Device("GPU", 0, np), None, None))
    values, backprop = compute(np.zeros((2, 10), np.float32), np.array([1, 12], np.int32))
    assert np.isfinite(values[0]) and np.isnan(values[1])
    assert np.all(np.isfinite(backprop[0])) and np.all(np.isnan(backprop[1]))


def test_cross_entropy_shape_errors_at_construction():
    with pytest.raises(ValueError, match="Rank mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([1, 2], tf.int32), logits=tf.zeros([2, 10]))
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3], tf.int32), logits=tf.zeros([2, 10]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]), logits=tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([1, 10]), logits=tf.zeros([1, 9]))


def test_sparse_first_dimension_mismatch_fails_at_run_time():
    logits = tf.placeholder(tf.float32, [None, 3])
    labels = tf.placeholder(tf.int32, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    with pytest.raises(tf.errors.InvalidArgumentError, match="logits and labels must have the same first"):
        _run(loss, {logits: np.zeros((2, 3)), labels: [0, 1, 2]})


@pytest.mark.parametrize("function", [tf.nn.softmax_cross_entropy_with_logits,
                                      tf.nn.softmax_cross_entropy_with_logits_v2,
                                      tf.nn.sparse_softmax_cross_entropy_with_logits,
                                      tf.nn.sigmoid_cross_entropy_with_logits])
def test_cross_entropies_take_keyword_arguments_only(function):
    with pytest.raises(ValueError, match=r"Only call `\w+` with named arguments \(labels=..., logits=..., ...\)"):
        function(tf.zeros([1, 3]), tf.zeros([1, 3]))
    with pytest.raises(ValueError, match="Both labels and logits must be provided."):
        function(logits=tf.zeros([1, 3]))


# ======================================================================================
# in_top_k and top_k
# ======================================================================================
def test_in_top_k_ties_count_only_strictly_larger_predictions():
    predictions = tf.constant([[1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 5.0, 5.0], [1.0, 2.0, 2.0, 3.0]])
    targets = tf.constant([1, 3, 0])
    # Row 0: one class beats the tied 2.0s, so both are in the top 2; row 1: all tie, all in top 1.
    assert _run(tf.nn.in_top_k(predictions, targets, 2)).tolist() == [True, True, False]
    assert _run(tf.nn.in_top_k(predictions, targets, 1)).tolist() == [False, True, False]


def test_in_top_k_non_finite_rows_and_bad_targets_are_false():
    predictions = tf.constant([[np.inf, 1.0, 2.0], [0.0, np.nan, 1.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    targets = tf.constant([0, 2, 3, -1], tf.int64)
    assert _run(tf.nn.in_top_k(predictions, targets, 3)).tolist() == [False, False, False, False]


def test_in_top_k_checks_shapes():
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 1 and 2"):
        tf.nn.in_top_k(tf.zeros([1, 4]), tf.constant([3, 1]), 1)
    with pytest.raises(TypeError):
        tf.nn.in_top_k(tf.zeros([1, 4], tf.float64), tf.constant([3]), 1)
    predictions, targets = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="First dimension of predictions 2 must match "
                                                             "length of targets 3"):
        _run(tf.nn.in_top_k(predictions, targets, 1), {predictions: np.zeros((2, 3)), targets: [0, 1, 2]})


def test_top_k_errors():
    with pytest.raises(ValueError, match="input must have last dimension >= k = 5 but is 4"):
        tf.nn.top_k(tf.zeros([1, 4]), 5)
    with pytest.raises(ValueError, match="must be non-negative but is -1"):
        tf.nn.top_k(tf.zeros([1, 4]), -1)
    with pytest.raises(ValueError, match="Shape must be at least rank 1 but is rank 0"):
        tf.nn.top_k(tf.constant(1.0))
    values = tf.placeholder(tf.float32, [1, None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns. Had 4, needed 5"):
        _run(tf.nn.top_k(values, 5), {values: np.zeros((1, 4))})


def test_top_k_gradient_reaches_the_chosen_positions_only():
    x = tf.constant([[0.5, 3.0, -1.0, 2.0]])
    values, indices = tf.nn.top_k(x, 2)
    grad = tf.gradients(values, x, grad_ys=tf.constant([[10.0, 20.0]]))[0]
    assert _run(grad).tolist() == [[0.0, 10.0, 0.0, 20.0]]


# ======================================================================================
# Dropout
# ======================================================================================
def test_dropout_keeps_with_probability_keep_prob_and_scales_by_its_inverse():
    x = tf.ones([200, 500])
    keep_prob = tf.placeholder(tf.float32)
    dropped = tf.nn.dropout(x, keep_prob)
    with tf.Session() as sess:
        for probability in (0.25, 0.5, 0.9):
            value = sess.run(dropped, {keep_prob: probability})
            assert set(np.unique(value).tolist()) == {0.0, np.float32(1 / probability)}
            assert abs(np.mean(value != 0) - probability) < 0.01  # 100000 draws: std <= 0.0016
            assert abs(value.mean() - 1.0) < 0.03  # the expectation is preserved
        np.testing.assert_array_equal(sess.run(dropped, {keep_prob: 1.0}), np.ones((200, 500)))


def test_dropout_builds_tf1_graph_and_returns_x_for_keep_prob_one():
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    assert tf.nn.dropout(x, 1.0) is x
    assert "dropout/keep_prob" in _op_names()  # TF1 converts keep_prob before it checks it
    result = tf.nn.dropout(x, keep_prob=0.5)
    assert result.shape.as_list() == [4, 3] and result.name == "dropout_1/mul:0"
    assert {"dropout_1/Shape", "dropout_1/random_uniform", "dropout_1/add", "dropout_1/Floor",
            "dropout_1/div"} <= _op_names()
    assert tf.nn.dropout(x, rate=0.25).op.inputs[0].op.inputs[1].name == "dropout_2/keep_prob:0"


def test_dropout_noise_shape_drops_whole_rows():
    value = _run(tf.nn.dropout(tf.ones([400, 6]), 0.5, noise_shape=[400, 1], seed=3))
    rows = value.reshape(400, 6)
    assert np.all((rows == 0).all(axis=1) | (rows == 2).all(axis=1))
    assert 0 < np.count_nonzero(rows[:, 0]) < 400


def test_dropout_with_seeds_repeats_across_sessions():
    tf.set_random_seed(7)
    dropped = tf.nn.dropout(tf.ones([50]), 0.5, seed=1)
    assert _run(dropped).tolist() == _run(dropped).tolist()


@pytest.mark.parametrize("kwargs,message", [
    ({"keep_prob": 0.0}, r"keep_prob must be a scalar tensor or a float in the range \(0, 1\], got 0"),
    ({"keep_prob": 1.5}, r"range \(0, 1\], got 1.5"),
    ({"keep_prob": 0.5, "rate": 0.5}, "Cannot specify both 'keep_prob' and 'rate'."),
    ({}, "You must provide a rate to dropout."),
    ({"keep_prob": [0.5, 0.5]}, "must have rank 0"),
])
def test_dropout_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.nn.dropout(tf.ones([3]), **kwargs)


def test_dropout_needs_floats():
    with pytest.raises(ValueError, match="x has to be a floating point tensor"):
        tf.nn.dropout(tf.ones([3], tf.int32), 0.5)


# ======================================================================================
# moments, batch_normalization, l2_normalize
# ======================================================================================
X = np.random.default_rng(0).normal(1.0, 2.0, size=(4, 3, 5)).astype(np.float32)


@pytest.mark.parametrize("axes,keep_dims", [([0], False), ([0, 1], False), ([0, 2], True), ([2], True)])
def test_moments_match_numpy(axes, keep_dims):
    mean, variance = tf.nn.moments(tf.constant(X), axes, keep_dims=keep_dims)
    mean_value, variance_value = _run([mean, variance])
    np.testing.assert_allclose(mean_value, X.mean(axis=tuple(axes), keepdims=keep_dims), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(variance_value, X.var(axis=tuple(axes), keepdims=keep_dims), rtol=1e-5)
    assert mean.shape.as_list() == list(mean_value.shape)


def test_moments_names_and_half_precision():
    mean, variance = tf.nn.moments(tf.constant(X), [0])
    assert (mean.name, variance.name) == ("moments/Squeeze:0", "moments/Squeeze_1:0")
    assert {"moments/mean", "moments/StopGradient", "moments/SquaredDifference", "moments/variance"} <= _op_names()
    half_mean, half_variance = tf.nn.moments(tf.constant(X.astype(np.float16)), [0, 1, 2], keep_dims=True)
    assert half_mean.dtype == tf.float16 and half_mean.op.type == "Cast"
    np.testing.assert_allclose(_run(half_variance).ravel(), [X.var()], rtol=2e-3)


def test_batch_normalization_matches_numpy_and_tf1_names():
    mean, variance = X.mean(axis=(0, 1)), X.var(axis=(0, 1))
    offset, scale = np.linspace(-1, 1, 5).astype(np.float32), np.linspace(0.5, 2, 5).astype(np.float32)
    moments = [tf.constant(mean), tf.constant(variance)]
    full = tf.nn.batch_normalization(tf.constant(X), *moments, tf.constant(offset), tf.constant(scale), 1e-3)
    bare = tf.nn.batch_normalization(tf.constant(X), *moments, None, None, 1e-3)
    normalized = (X - mean) / np.sqrt(variance + 1e-3)
    full_value, bare_value = _run([full, bare])
    np.testing.assert_allclose(full_value, normalized * scale + offset, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bare_value, normalized, rtol=1e-4, atol=1e-5)
    assert (full.name, bare.name) == ("batchnorm/add_1:0", "batchnorm_1/add_1:0")
    assert {"batchnorm/Rsqrt", "batchnorm/mul_2", "batchnorm/sub", "batchnorm_1/Neg"} <= _op_names()


def test_l2_normalize_matches_numpy():
    normalized = tf.nn.l2_normalize(tf.constant(X), axis=[1, 2])
    assert normalized.name == "l2_normalize:0"
    expected = X / np.sqrt((X.astype(np.float64) ** 2).sum(axis=(1, 2), keepdims=True))
    np.testing.assert_allclose(_run(normalized), expected, rtol=1e-5)
    np.testing.assert_array_equal(_run(tf.nn.l2_normalize(tf.zeros([2, 2]), dim=0)), np.zeros((2, 2)))


# ======================================================================================
# TF1 names and graph structure
# ======================================================================================
def test_tf1_names_of_ops_and_composites():
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    labels = tf.placeholder(tf.int64, [2], name="labels")
    assert [tf.nn.relu(x).name, tf.nn.relu6(x).name, tf.nn.leaky_relu(x).name, tf.nn.l2_loss(x).name,
            tf.nn.bias_add(x, [1.0, 2.0, 3.0]).name, tf.nn.top_k(x).values.name] == \
        ["Relu:0", "Relu6:0", "LeakyRelu:0", "L2Loss:0", "BiasAdd:0", "TopKV2:0"]
    assert tf.nn.in_top_k(x, labels, 1).name == "in_top_k/InTopKV2:0"
    assert tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x).name == \
        "SparseSoftmaxCrossEntropyWithLogits/SparseSoftmaxCrossEntropyWithLogits:0"
    dense = tf.nn.softmax_cross_entropy_with_logits(labels=tf.ones([2, 3]), logits=x)
    assert dense.name == "softmax_cross_entropy_with_logits_sg/Reshape_2:0"
    assert "softmax_cross_entropy_with_logits_sg/labels_stop_gradient" in _op_names()
    assert tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.ones([2, 3]), logits=x).name == \
        "softmax_cross_entropy_with_logits/Reshape_2:0"
    assert tf.nn.crelu(x).name == "CRelu/Relu:0"
    assert tf.nn.xw_plus_b(x, tf.ones([3, 4]), tf.zeros([4])).name == "xw_plus_b:0"
    along_0 = tf.nn.softmax(tf.zeros([2, 3, 4]), axis=0)
    assert (along_0.name, along_0.op.inputs[0].op.type) == ("transpose_1:0", "Softmax")


def test_activation_gradients_use_tf1_grad_ops():
    x = tf.placeholder(tf.float32, [2], name="x")
    relu = tf.nn.relu(x)
    grad = tf.gradients(relu, x)[0]
    assert (grad.op.type, grad.op.inputs[1].name) == ("ReluGrad", "Relu:0")  # reads the output, as TF1
    softplus_grad = tf.gradients(tf.nn.softplus(x), x)[0]
    assert (softplus_grad.op.type, softplus_grad.op.inputs[1].name) == ("SoftplusGrad", "x:0")
    logits, labels = tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.int32, [2])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    xent_grad = tf.gradients(loss, logits)[0]
    assert loss.op.outputs[1] in xent_grad.op.inputs  # the fused kernel's backprop output


def test_softmax_axis_out_of_range_raises_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Dimension \(2\) must be in the range \[-2, 2\)"):
        tf.nn.softmax(tf.zeros([2, 3]), axis=2)


@pytest.mark.parametrize("build,message", [
    (lambda: tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4])), "Dimensions must be equal, but are 3 and 4"),
    (lambda: tf.nn.bias_add(tf.zeros([3]), tf.zeros([3])), "Shape must be at least rank 2 but is rank 1"),
    (lambda: tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([1, 3])), "Shape must be rank 1 but is rank 2"),
    (lambda: tf.nn.bias_add(tf.ones([1, 2]), [1.0, 2.0], data_format="NCHW"), "at least rank 3"),
    (lambda: tf.nn.lrn(tf.zeros([2, 3])), "Shape must be rank 4 but is rank 2"),
    (lambda: tf.nn.softmax(tf.constant(1.0)), "Shape must be at least rank 1 but is rank 0"),
])
def test_construction_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_bias_add_checks_unknown_shapes_at_run_time():
    value, bias = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Must provide as many biases as the last "
                                                             r"dimension of the input tensor: \[4\] vs. \[2,3\]"):
        _run(tf.nn.bias_add(value, bias), {value: np.zeros((2, 3)), bias: np.zeros(4)})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[1\] vs. \[2,3\]"):
        _run(tf.nn.bias_add(value, bias), {value: np.zeros((2, 3)), bias: np.zeros(1)})


def test_dtype_rules():
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.nn.elu(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="not in list of allowed values"):
        tf.nn.l2_loss(tf.constant([1, 2]))
    assert _run(tf.nn.relu(tf.constant([-1, 2]))).tolist() == [0, 2]
    assert tf.nn.leaky_relu(tf.constant([-1, 2])).dtype == tf.float32


# ======================================================================================
# Kernel fast paths
# ======================================================================================
def _kernel_for(tensor):
    return find_kernel(tensor.op, "CPU")(KernelContext(tensor.op, local_devices()[0], None, None))


def test_bias_add_is_an_inlined_add_when_static_shapes_match():
    assert _kernel_for(tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([3]))) is operator.add
    unknown = tf.nn.bias_add(tf.placeholder(tf.float32, [2, None]), tf.zeros([3]))
    assert _kernel_for(unknown) is not operator.add


def test_scalar_activations_stay_numpy_scalars():
    for tensor in (tf.nn.relu(-2.0), tf.nn.elu(-2.0), tf.nn.selu(1.0), tf.nn.leaky_relu(-1.0, alpha=3.0),
                   tf.nn.l2_loss(3.0)):
        value = _kernel_for(tensor)(np.float32(-2.0))
        assert isinstance(value, np.float32), (tensor.op.type, type(value))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_grad_masks_where_features_are_positive(dtype):
    features = np.array([[-2, 0, 3], [5, -1, 0]], dtype)
    gradients = np.array([[7, 8, 9], [10, 11, 12]], dtype)
    op = tf.nn.relu(tf.constant(features))
    compute = _kernel_for(tf.gradients(op, op.op.inputs[0])[0])
    value = compute(gradients, features)
    assert value.dtype == dtype
    np.testing.assert_array_equal(value, [[0, 0, 9], [10, 0, 0]])
    assert isinstance(compute(dtype(4), dtype(1)), dtype) and compute(dtype(4), dtype(-1)) == 0


@pytest.mark.parametrize("axes,keepdims", [([0, 1, 2], False), ([2, 0, 1], True), ([-4, -3, -2], False)])
def test_bias_gradient_sum_over_leading_axes_matches_float64(axes, keepdims):
    """Summing the leading axes of a large float32 array goes through a matrix-vector product."""
    values = np.random.default_rng(1).standard_normal((16, 24, 24, 5)).astype(np.float32)
    total = _run(tf.reduce_sum(tf.constant(values), axes, keepdims=keepdims))
    expected = values.astype(np.float64).sum(axis=(0, 1, 2), keepdims=keepdims)
    assert total.dtype == np.float32 and total.shape == expected.shape
    np.testing.assert_allclose(total, expected, rtol=1e-4, atol=1e-3)
