"""tf.layers: TF1's variable and op names, reuse rules, and values against NumPy references.

Expected names were taken from TensorFlow's tf.compat.v1.layers running the same programs.
"""
import numpy as np
import pytest

import minitf as tf

RNG = np.random.RandomState(0)


def op_names(start=0):
    return [op.name for op in tf.get_default_graph().get_operations()[start:]]


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def conv2d_reference(x, kernel, stride, padding):
    """NHWC cross-correlation with TF's SAME/VALID padding."""
    kh, kw = kernel.shape[:2]
    if padding == "SAME":
        out_h, out_w = -(-x.shape[1] // stride), -(-x.shape[2] // stride)
        pad_h = max((out_h - 1) * stride + kh - x.shape[1], 0)
        pad_w = max((out_w - 1) * stride + kw - x.shape[2], 0)
        x = np.pad(x, [(0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)])
    out_h, out_w = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=3)
    return out


def max_pool_reference(x, size, stride):
    out_h, out_w = (x.shape[1] - size) // stride + 1, (x.shape[2] - size) // stride + 1
    return np.array([[x[:, i * stride:i * stride + size, j * stride:j * stride + size, :].max(axis=(1, 2))
                      for j in range(out_w)] for i in range(out_h)]).transpose(2, 0, 1, 3)


# ======================================================================================
# dense
# ======================================================================================
def test_dense_names_values_and_regularizer():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    start = len(op_names())
    y = tf.layers.dense(X, 4, activation=tf.nn.relu, kernel_regularizer=lambda w: tf.reduce_sum(w),
                        name="hidden1")
    assert op_names(start)[7:] == [
        "hidden1/kernel", "hidden1/kernel/Assign", "hidden1/kernel/read",
        "hidden1/kernel/Regularizer/Const", "hidden1/kernel/Regularizer/Sum",
        "hidden1/bias/Initializer/zeros", "hidden1/bias", "hidden1/bias/Assign", "hidden1/bias/read",
        "hidden1/MatMul", "hidden1/BiasAdd", "hidden1/Relu"]
    assert op_names(start)[0] == "hidden1/kernel/Initializer/random_uniform/shape"
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [loss.name for loss in losses] == ["hidden1/kernel/Regularizer/Sum:0"]
    x = RNG.randn(5, 3).astype(np.float32)
    kernel, bias, out, loss = run([tf.global_variables()[0], tf.global_variables()[1], y, losses[0]], {X: x})
    np.testing.assert_allclose(out, np.maximum(x @ kernel + bias, 0), rtol=1e-5)
    np.testing.assert_allclose(loss, kernel.sum(), rtol=1e-5)
    assert tf.model_variables() == []


def test_dense_reuse_by_name_and_clash():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    first = tf.layers.dense(X, 4, name="hidden1", kernel_regularizer=lambda w: tf.reduce_sum(w))
    start = len(op_names())
    second = tf.layers.dense(X, 4, name="hidden1", reuse=True, kernel_regularizer=lambda w: tf.reduce_sum(w))
    assert op_names(start) == ["hidden1_1/MatMul", "hidden1_1/BiasAdd"]
    assert len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)) == 1  # reused: no new loss
    with pytest.raises(ValueError, match="Variable hidden1/kernel already exists, disallowed."):
        tf.layers.dense(X, 4, name="hidden1")
    x = RNG.randn(2, 3).astype(np.float32)
    a, b = run([first, second], {X: x})
    np.testing.assert_array_equal(a, b)


def test_unnamed_dense_layers_and_outer_scopes():
    X = tf.placeholder(tf.float32, (None, 3))
    tf.layers.dense(X, 2, use_bias=False)
    tf.layers.dense(X, 2)
    with tf.variable_scope("outer"):
        tf.layers.dense(X, 2)
    assert [v.name for v in tf.global_variables()] == [
        "dense/kernel:0", "dense_1/kernel:0", "dense_1/bias:0", "outer/dense/kernel:0", "outer/dense/bias:0"]
    assert "outer/dense/BiasAdd" in op_names()


def test_dense_layer_object_is_shared_between_calls():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    layer = tf.layers.Dense(3, name="shared")
    with pytest.raises(ValueError, match="has not been used yet"):
        layer.scope_name
    a, b = layer(X), layer.apply(X)
    assert [op for op in op_names() if "MatMul" in op] == ["shared/MatMul", "shared/MatMul_1"]
    assert (layer.name, layer.scope_name, layer.kernel.name) == ("shared", "shared", "shared/kernel:0")
    assert layer.trainable_variables == [layer.kernel, layer.bias] == tf.trainable_variables()
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3, but received"):
        layer(tf.placeholder(tf.float32, (None, 4)))
    x = RNG.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(*run([a, b], {X: x}))


def test_dense_on_rank_3_inputs_and_scope_initializer():
    x = RNG.randn(2, 5, 3).astype(np.float32)
    with tf.variable_scope("s", initializer=tf.constant_initializer(0.5)):
        y = tf.layers.dense(tf.constant(x), 2, bias_initializer=tf.constant_initializer(1.0))
    assert y.shape.as_list() == [2, 5, 2]
    np.testing.assert_allclose(run(y), x @ np.full((3, 2), 0.5) + 1.0, rtol=1e-5)


def test_dense_input_checks_and_frozen_layer():
    with pytest.raises(ValueError, match="The last dimension of the inputs to `Dense` should be defined"):
        tf.layers.dense(tf.placeholder(tf.float32, (None, None)), 2)
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        tf.layers.dense(tf.placeholder(tf.float32, (3,)), 2)
    tf.layers.dense(tf.placeholder(tf.float32, (None, 2)), 2, trainable=False)
    assert tf.trainable_variables() == [] and len(tf.global_variables()) == 2


def test_float64_inputs_make_float64_variables():
    y = tf.layers.dense(tf.constant(RNG.randn(2, 3)), 2)
    assert y.dtype == tf.float64 and tf.global_variables()[0].dtype.base_dtype == tf.float64


# ======================================================================================
# conv2d, max_pooling2d, flatten
# ======================================================================================
@pytest.mark.parametrize("padding, strides", [("same", 2), ("valid", 1)])
def test_conv2d_names_and_values(padding, strides):
    x = RNG.randn(2, 7, 6, 3).astype(np.float32)
    kernel = np.linspace(-1, 1, 3 * 3 * 3 * 4).reshape(3, 3, 3, 4).astype(np.float32)
    y = tf.layers.conv2d(tf.constant(x), filters=4, kernel_size=3, strides=strides, padding=padding,
                         activation=tf.nn.relu, kernel_initializer=tf.constant_initializer(kernel),
                         bias_initializer=tf.constant_initializer(0.25))
    assert [v.name for v in tf.global_variables()] == ["conv2d/kernel:0", "conv2d/bias:0"]
    assert op_names()[-3:] == ["conv2d/Conv2D", "conv2d/BiasAdd", "conv2d/Relu"]
    conv = tf.get_default_graph().get_operation_by_name("conv2d/Conv2D")
    assert list(conv.get_attr("strides")) == [1, strides, strides, 1]
    expected = np.maximum(conv2d_reference(x, kernel, strides, padding.upper()) + 0.25, 0)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(run(y), expected, rtol=1e-4, atol=1e-5)


def test_conv2d_argument_checks():
    images = tf.placeholder(tf.float32, (None, 8, 8, 2))
    with pytest.raises(ValueError, match="The `kernel_size` argument must be a tuple of 2 integers"):
        tf.layers.conv2d(images, 4, (3, 3, 3))
    with pytest.raises(ValueError, match='`padding` argument must be a list/tuple or one of "valid", "same"'):
        tf.layers.conv2d(images, 4, 3, padding="full")
    assert tf.layers.conv2d(images, 4, (3, 2)).shape.as_list() == [None, 6, 7, 4]


def test_max_pooling_and_flatten():
    x = RNG.randn(2, 6, 6, 3).astype(np.float32)
    pooled = tf.layers.max_pooling2d(tf.constant(x), pool_size=2, strides=2)
    same = tf.layers.max_pooling2d(tf.constant(x), pool_size=[3, 3], strides=2, padding="same")
    flat = tf.layers.flatten(pooled)
    unknown = tf.layers.flatten(tf.placeholder(tf.float32, (None, None, 3)))
    assert [pooled.op.name, same.op.name] == ["max_pooling2d/MaxPool", "max_pooling2d_1/MaxPool"]
    assert same.shape.as_list() == [2, 3, 3, 3]
    assert flat.op.name == "flatten/Reshape" and flat.shape.as_list() == [2, 27]
    assert unknown.shape.as_list() == [None, None]
    expected = max_pool_reference(x, 2, 2)
    pooled_value, flat_value = run([pooled, flat])
    np.testing.assert_array_equal(pooled_value, expected)
    np.testing.assert_array_equal(flat_value, expected.reshape(2, -1))
    average = tf.layers.average_pooling2d(tf.constant(x), 3, 3)
    np.testing.assert_allclose(run(average), x.reshape(2, 2, 3, 2, 3, 3).mean(axis=(2, 4)), rtol=1e-5)


# ======================================================================================
# batch_normalization
# ======================================================================================
def test_batch_normalization_training_updates_and_inference():
    x = RNG.randn(8, 3).astype(np.float32) * 2 + 1
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    training = tf.placeholder_with_default(False, (), name="training")
    y = tf.layers.batch_normalization(X, training=training, momentum=0.9)
    assert [v.name for v in tf.global_variables()] == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    assert [v.name for v in tf.trainable_variables()] == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0"]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.name for u in updates] == ["batch_normalization/cond_2/Merge",
                                         "batch_normalization/cond_3/Merge"]
    moving = tf.global_variables()[2:]
    mean, var = x.mean(axis=0), x.var(axis=0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {X: x}), x / np.sqrt(1 + 1e-3), rtol=1e-5)
        np.testing.assert_allclose(sess.run(y, {X: x, training: True}),
                                   (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
        assert sess.run(moving[0]).tolist() == [0, 0, 0]  # updates only run when asked for
        sess.run(updates, {X: x, training: True})
        sess.run(updates, {X: x, training: True})
        expected_mean = mean * (1 - 0.9 ** 2)
        expected_var = 0.9 ** 2 + var * (1 - 0.9 ** 2)
        np.testing.assert_allclose(sess.run(moving), [expected_mean, expected_var], rtol=1e-5)
        sess.run(updates, {X: x})  # not training: the moving averages stay
        np.testing.assert_allclose(sess.run(moving[0]), expected_mean, rtol=1e-5)
        np.testing.assert_allclose(sess.run(y, {X: x}),
                                   (x - expected_mean) / np.sqrt(expected_var + 1e-3), rtol=1e-4)


def test_batch_normalization_python_training_flag():
    X = tf.placeholder(tf.float32, (None, 3))
    tf.layers.batch_normalization(X, training=False)
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    tf.layers.batch_normalization(X, training=True)
    assert [u.name for u in tf.get_collection(tf.GraphKeys.UPDATE_OPS)] == [
        "batch_normalization_1/AssignMovingAvg", "batch_normalization_1/AssignMovingAvg_1"]
    assert "batch_normalization_1/moments/mean" in op_names()


def test_batch_normalization_over_channels_first_images():
    x = RNG.randn(4, 3, 2, 2).astype(np.float32)
    y = tf.layers.batch_normalization(tf.constant(x), axis=1, training=True, center=False,
                                      gamma_initializer=tf.constant_initializer(2.0))
    assert [v.name for v in tf.global_variables()] == [
        "batch_normalization/gamma:0", "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0"]
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(run(y), 2 * (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)


# ======================================================================================
# dropout
# ======================================================================================
def test_dropout_by_training_flag():
    x = np.ones((200, 50), np.float32)
    X = tf.placeholder(tf.float32, (None, 50), name="X")
    training = tf.placeholder_with_default(False, ())
    off = tf.layers.dropout(X, rate=0.3)
    on = tf.layers.dropout(X, rate=0.3, training=True, seed=1)
    switched = tf.layers.dropout(X, rate=0.3, training=training)
    assert off.op.name == "dropout/Identity" and on.op.name.startswith("dropout_1/dropout/")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(off, {X: x}), x)
        np.testing.assert_array_equal(sess.run(switched, {X: x}), x)
        for value in (sess.run(on, {X: x}), sess.run(switched, {X: x, training: True})):
            kept = value != 0
            np.testing.assert_allclose(value[kept], 1 / 0.7, rtol=1e-6)
            assert abs(kept.mean() - 0.7) < 0.03


def test_channels_first_conv_net_matches_channels_last():
    """tf.layers conv2d + max_pooling2d with data_format="channels_first" compute the channels_last
    values, transposed, and the same gradients (TF1 ran NCHW on GPUs; here on every device)."""
    rng = np.random.default_rng(0)
    images = rng.normal(size=(2, 8, 8, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 3, 3, 4)).astype(np.float32)
    results = {}
    for data_format, feed in (("channels_last", images), ("channels_first", images.transpose(0, 3, 1, 2))):
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, feed.shape)
            y = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu, data_format=data_format,
                                 kernel_initializer=tf.constant_initializer(kernel),
                                 bias_initializer=tf.constant_initializer(0.1))
            y = tf.layers.max_pooling2d(y, 2, 2, data_format=data_format)
            loss = tf.reduce_sum(tf.square(y))
            grads = tf.gradients(loss, [x] + tf.trainable_variables())
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                results[data_format] = sess.run([y] + grads, {x: feed})
    last, first = results["channels_last"], results["channels_first"]
    assert first[0].shape == (2, 4, 4, 4)
    np.testing.assert_allclose(first[0].transpose(0, 2, 3, 1), last[0], rtol=1e-5)
    np.testing.assert_allclose(first[1].transpose(0, 2, 3, 1), last[1], rtol=1e-5, atol=1e-5)
    for a, b in zip(first[2:], last[2:]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
