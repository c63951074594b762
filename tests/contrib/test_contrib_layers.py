"""tf.contrib.layers: layer functions, regularizers and initializers (TF1 names, rules and values)."""
import math

import numpy as np
import pytest

import minitf as tf
from minitf.contrib import layers
from minitf.contrib.framework import arg_scope

RNG = np.random.RandomState(0)


def op_names():
    return [op.name for op in tf.get_default_graph().get_operations()]


def var_names(collection=tf.GraphKeys.GLOBAL_VARIABLES):
    return [v.name for v in tf.get_collection(collection)]


def const_value(name):
    return np.asarray(tf.get_default_graph().get_operation_by_name(name).get_attr("value"))


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


# ======================================================================================
# fully_connected
# ======================================================================================
def test_fully_connected_names_defaults_and_values():
    X = tf.placeholder(tf.float32, (None, 3), name="X")
    first = layers.fully_connected(X, 4)
    second = layers.fully_connected(X, 2, activation_fn=None)
    named = layers.fully_connected(X, 2, scope="hidden1")
    assert var_names() == ["fully_connected/weights:0", "fully_connected/biases:0",
                           "fully_connected_1/weights:0", "fully_connected_1/biases:0",
                           "hidden1/weights:0", "hidden1/biases:0"]
    assert var_names(tf.GraphKeys.MODEL_VARIABLES) == var_names()
    assert [first.op.name, second.op.name, named.op.name] == [
        "fully_connected/Relu", "fully_connected_1/BiasAdd", "hidden1/Relu"]
    assert "fully_connected/MatMul" in op_names()
    # xavier_initializer: uniform in ±sqrt(6 / (fan_in + fan_out)).
    np.testing.assert_allclose(const_value("fully_connected/weights/Initializer/random_uniform/max"),
                               math.sqrt(6 / 7), rtol=1e-6)
    x = RNG.randn(5, 3).astype(np.float32)
    weights, biases, value = run([tf.global_variables()[0], tf.global_variables()[1], first], {X: x})
    assert not biases.any()
    np.testing.assert_allclose(value, np.maximum(x @ weights, 0), rtol=1e-5)


def test_fully_connected_reuse_and_argument_checks():
    X = tf.placeholder(tf.float32, (None, 3))
    a = layers.fully_connected(X, 2, scope="shared")
    b = layers.fully_connected(X, 2, scope="shared", reuse=True)
    assert len(tf.global_variables()) == 2 and b.op.name == "shared_1/Relu"
    x = RNG.randn(2, 3).astype(np.float32)
    np.testing.assert_array_equal(*run([a, b], {X: x}))
    with pytest.raises(ValueError, match="Variable shared/weights already exists"):
        layers.fully_connected(X, 2, scope="shared")
    with pytest.raises(ValueError, match="num_outputs type should be one of"):
        layers.fully_connected(X, 2.0)


def test_fully_connected_with_normalizer_collections_and_rank_3():
    X = tf.placeholder(tf.float32, (None, 3))
    out = layers.fully_connected(X, 4, normalizer_fn=layers.batch_norm,
                                 normalizer_params={"is_training": False}, scope="h",
                                 variables_collections={"weights": ["my_weights"]},
                                 outputs_collections=["outs"])
    assert var_names() == ["h/weights:0", "h/BatchNorm/beta:0", "h/BatchNorm/moving_mean:0",
                           "h/BatchNorm/moving_variance:0"]
    assert var_names("my_weights") == ["h/weights:0"] and tf.get_collection("outs") == [out]
    layers.fully_connected(X, 2, scope="g", variables_collections=["mine"])
    assert var_names("mine") == ["g/weights:0", "g/biases:0"]
    x = RNG.randn(2, 4, 3).astype(np.float32)
    y = layers.fully_connected(tf.constant(x), 2, activation_fn=None,
                               weights_initializer=tf.constant_initializer(0.5), scope="r3")
    assert y.shape.as_list() == [2, 4, 2]
    np.testing.assert_allclose(run(y), x @ np.full((3, 2), 0.5), rtol=1e-5)


def test_fully_connected_gradients_reach_the_weights():
    X = tf.placeholder(tf.float32, (None, 3))
    loss = tf.reduce_sum(layers.fully_connected(X, 2, activation_fn=None) ** 2)
    weights, biases = tf.trainable_variables()
    grad_w, grad_b = tf.gradients(loss, [weights, biases])
    x = RNG.randn(4, 3).astype(np.float32)
    w, b, gw, gb = run([weights, biases, grad_w, grad_b], {X: x})
    np.testing.assert_allclose(gw, x.T @ (2 * (x @ w + b)), rtol=1e-4)
    np.testing.assert_allclose(gb, (2 * (x @ w + b)).sum(axis=0), rtol=1e-4)


# ======================================================================================
# conv2d and pooling
# ======================================================================================
def test_conv2d_defaults():
    x = RNG.randn(2, 5, 5, 3).astype(np.float32)
    y = layers.conv2d(tf.constant(x), 4, [3, 3], weights_initializer=tf.constant_initializer(0.1))
    assert var_names() == ["Conv/weights:0", "Conv/biases:0"]
    assert op_names()[-3:] == ["Conv/Conv2D", "Conv/BiasAdd", "Conv/Relu"]
    assert y.shape.as_list() == [2, 5, 5, 4]  # SAME padding, stride 1
    window_sums = np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)])
    expected = sum(window_sums[:, i:i + 5, j:j + 5, :].sum(axis=-1) for i in range(3) for j in range(3))
    np.testing.assert_allclose(run(y), np.repeat(np.maximum(0.1 * expected, 0)[..., None], 4, -1),
                               rtol=1e-4, atol=1e-5)
    strided = layers.conv2d(tf.constant(x), 2, 3, stride=2, padding="VALID", scope="s")
    assert strided.shape.as_list() == [2, 2, 2, 2]


def test_pooling_and_flatten():
    x = RNG.randn(2, 4, 4, 3).astype(np.float32)
    pooled = layers.max_pool2d(tf.constant(x), [2, 2])
    averaged = layers.avg_pool2d(tf.constant(x), 2, stride=2)
    flat = layers.flatten(pooled)
    assert [pooled.op.name, averaged.op.name, flat.op.name] == [
        "MaxPool2D/MaxPool", "AvgPool2D/AvgPool", "Flatten/flatten/Reshape"]
    blocks = x.reshape(2, 2, 2, 2, 2, 3)
    pooled_value, averaged_value, flat_value = run([pooled, averaged, flat])
    np.testing.assert_array_equal(pooled_value, blocks.max(axis=(2, 4)))
    np.testing.assert_allclose(averaged_value, blocks.mean(axis=(2, 4)), rtol=1e-5)
    np.testing.assert_array_equal(flat_value, pooled_value.reshape(2, 12))
    with pytest.raises(ValueError, match="data_format has to be either NCHW or NHWC."):
        layers.max_pool2d(tf.constant(x), 2, data_format="NWC")


# ======================================================================================
# batch_norm
# ======================================================================================
def test_batch_norm_default_update_collection():
    x = RNG.randn(8, 3).astype(np.float32) * 3 + 2
    X = tf.placeholder(tf.float32, (None, 3))
    y = layers.batch_norm(X, decay=0.9)
    assert var_names() == ["BatchNorm/beta:0", "BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0"]
    assert var_names(tf.GraphKeys.TRAINABLE_VARIABLES) == ["BatchNorm/beta:0"]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.name for u in updates] == ["BatchNorm/AssignMovingAvg:0", "BatchNorm/AssignMovingAvg_1:0"]
    moving = tf.global_variables()[1:]
    mean, var = x.mean(axis=0), x.var(axis=0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {X: x}), (x - mean) / np.sqrt(var + 1e-3),
                                   rtol=1e-4, atol=1e-5)
        assert not sess.run(moving[0]).any()  # the caller runs the updates
        sess.run(updates, {X: x})
        np.testing.assert_allclose(sess.run(moving), [0.1 * mean, 0.9 + 0.1 * var], rtol=1e-5)


def test_batch_norm_in_place_updates_with_a_training_placeholder():
    x = RNG.randn(6, 2).astype(np.float32) + 1
    X = tf.placeholder(tf.float32, (None, 2))
    is_training = tf.placeholder(tf.bool, ())
    y = layers.batch_norm(X, decay=0.5, scale=True, updates_collections=None, is_training=is_training,
                          param_initializers={"gamma": tf.constant_initializer(2.0)})
    assert var_names()[:2] == ["BatchNorm/beta:0", "BatchNorm/gamma:0"]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
    moving_mean = tf.global_variables()[2]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {X: x, is_training: False}), 2 * x / np.sqrt(1 + 1e-3),
                                   rtol=1e-5)
        assert not sess.run(moving_mean).any()
        out = sess.run(y, {X: x, is_training: True})
        np.testing.assert_allclose(out, 2 * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(sess.run(moving_mean), 0.5 * x.mean(0), rtol=1e-5)


def test_batch_norm_inference_and_channels_first():
    x = RNG.randn(4, 3, 2, 2).astype(np.float32)
    frozen = layers.batch_norm(tf.constant(x), is_training=False, scope="frozen")
    assert not tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    np.testing.assert_allclose(run(frozen), x / np.sqrt(1 + 1e-3), rtol=1e-5)
    nchw = layers.batch_norm(tf.constant(x), data_format="NCHW", scope="nchw")
    nhwc = layers.batch_norm(tf.constant(x.transpose(0, 2, 3, 1)), scope="nhwc")
    assert tf.global_variables()[-3].shape.as_list() == [3]
    first, second = run([nchw, nhwc])
    np.testing.assert_allclose(first, second.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5)
    with pytest.raises(NotImplementedError):
        layers.batch_norm(tf.constant(x), zero_debias_moving_mean=True)


# ======================================================================================
# dropout
# ======================================================================================
def test_dropout_keep_prob_and_training_flag():
    x = np.ones((100, 40), np.float32)
    X = tf.placeholder(tf.float32, (None, 40))
    is_training = tf.placeholder_with_default(True, ())
    off = layers.dropout(X, 0.5, is_training=False)
    on = layers.dropout(X, 0.8, is_training=is_training)
    assert off.op.name == "Dropout/Identity" and on.op.name.startswith("Dropout_1/")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(off, {X: x}), x)
        np.testing.assert_array_equal(sess.run(on, {X: x, is_training: False}), x)
        value = sess.run(on, {X: x})
    kept = value != 0
    np.testing.assert_allclose(value[kept], 1 / 0.8, rtol=1e-6)
    assert abs(kept.mean() - 0.8) < 0.03


def test_book_mlp_with_arg_scope():
    X = tf.placeholder(tf.float32, (None, 4), name="X")
    training = tf.placeholder_with_default(False, (), name="training")
    bn_params = {"is_training": training, "decay": 0.99, "updates_collections": None}
    with arg_scope([layers.fully_connected], normalizer_fn=layers.batch_norm, normalizer_params=bn_params):
        hidden1 = layers.fully_connected(X, 5, scope="hidden1")
        hidden1_drop = layers.dropout(hidden1, 0.5, is_training=training)
        logits = layers.fully_connected(hidden1_drop, 2, activation_fn=None, scope="outputs")
    assert var_names(tf.GraphKeys.TRAINABLE_VARIABLES) == [
        "hidden1/weights:0", "hidden1/BatchNorm/beta:0", "outputs/weights:0", "outputs/BatchNorm/beta:0"]
    x = RNG.randn(8, 4).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(logits, {X: x}).shape == (8, 2)
        sess.run(logits, {X: x, training: True})
        moving_means = tf.contrib.framework.get_variables_by_name("moving_mean")
        assert [v.name for v in moving_means] == ["hidden1/BatchNorm/moving_mean:0",
                                                   "outputs/BatchNorm/moving_mean:0"]
        assert all(sess.run(v).any() for v in moving_means)


# ======================================================================================
# Regularizers
# ======================================================================================
def test_regularizer_values_and_names():
    w_value = np.array([[1.0, -2.0], [3.0, -0.5]], np.float32)
    w = tf.get_variable("w", initializer=w_value)
    l1 = layers.l1_regularizer(0.1)(w)
    l2 = layers.l2_regularizer(0.1)(w)
    both = layers.l1_l2_regularizer(0.1, 0.2)(w)
    assert [l1.op.name, l2.op.name, both.op.name] == ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer"]
    assert both.op.type == "AddN"
    values = run([l1, l2, both])
    np.testing.assert_allclose(values, [0.1 * np.abs(w_value).sum(), 0.1 * (w_value ** 2).sum() / 2,
                                        0.1 * np.abs(w_value).sum() + 0.2 * (w_value ** 2).sum() / 2],
                               rtol=1e-6)


def test_regularizers_through_get_variable():
    with tf.variable_scope("layer", regularizer=layers.l2_regularizer(0.5)):
        w = tf.get_variable("w", initializer=np.ones((2, 2), np.float32))
        tf.get_variable("silent", [2], regularizer=layers.l1_regularizer(0.0))
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert [loss.name for loss in losses] == ["layer/w/Regularizer/l2_regularizer:0"]
    assert "layer/w/Regularizer/l2_regularizer/scale" in op_names() and w.dtype.base_dtype == tf.float32
    np.testing.assert_allclose(run(losses[0]), 0.5 * 4 / 2)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.l1_regularizer(1), "scale cannot be an integer: 1"),
    (lambda: layers.l2_regularizer(-0.1), "Setting a scale less than 0 on a regularizer: -0.1"),
    (lambda: layers.l1_l2_regularizer(scale_l1=2), "scale_l1 cannot be an integer: 2"),
])
def test_regularizer_scale_checks(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_zero_scales_and_sum_and_apply_regularization():
    assert layers.l2_regularizer(0.0)(tf.constant(1.0)) is None
    assert layers.l1_l2_regularizer(0.0, 0.5)(tf.constant([2.0])).op.name == "l1_l2_regularizer"
    assert layers.sum_regularizer([None]) is None
    w1, w2 = tf.constant([1.0, 2.0]), tf.constant([3.0])
    penalty = layers.apply_regularization(layers.l1_regularizer(1.0), [w1, w2])
    assert penalty.op.name == "get_regularization_penalty"
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == [penalty]
    np.testing.assert_allclose(run(penalty), 6.0)
    with pytest.raises(ValueError, match="No weights to regularize."):
        layers.apply_regularization(layers.l1_regularizer(1.0))


# ======================================================================================
# Initializers
# ======================================================================================
@pytest.mark.parametrize("initializer, op, expected", [
    (layers.variance_scaling_initializer(), "truncated_normal/stddev", math.sqrt(1.3 * 2 / 36)),
    (layers.variance_scaling_initializer(1.0, "FAN_OUT", uniform=True), "random_uniform/max",
     math.sqrt(3 / 72)),
    (layers.variance_scaling_initializer(2.0, "FAN_AVG"), "truncated_normal/stddev", math.sqrt(1.3 * 2 / 54)),
    (layers.xavier_initializer(), "random_uniform/max", math.sqrt(6 / (36 + 72))),
    (layers.xavier_initializer(uniform=False), "truncated_normal/stddev", math.sqrt(1.3 * 2 / 108)),
])
def test_contrib_variance_scaling_on_a_conv_kernel(initializer, op, expected):
    tf.get_variable("k", [3, 3, 4, 8], initializer=initializer)
    np.testing.assert_allclose(const_value("k/Initializer/" + op), expected, rtol=1e-6)


def test_contrib_initializers_on_vectors_and_errors():
    # A 1-D shape counts its size as both fans (core initializers would too), with no floor of 1.
    tf.get_variable("b", [10], initializer=layers.variance_scaling_initializer())
    np.testing.assert_allclose(const_value("b/Initializer/truncated_normal/stddev"), math.sqrt(0.26),
                               rtol=1e-6)
    with pytest.raises(TypeError, match="Unknown mode fan_in"):
        layers.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="Cannot create initializer for non-floating point type."):
        layers.xavier_initializer(dtype=tf.int32)
    values = run(tf.get_variable("s", [200, 200], initializer=layers.variance_scaling_initializer(seed=3)))
    np.testing.assert_allclose(values.std(), math.sqrt(2 / 200), rtol=0.03)  # 1.3 ~ the truncation factor
