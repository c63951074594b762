"""Kernel fusion in compiled programs: which chains fuse, and fused results equal unfused ones.

A traced run (FULL_TRACE) compiles the same plan unfused, so each test compares the two runs of
one session bit for bit."""
import numpy as np
import pytest

import minitf as tf
from minitf.runtime import fusion

TRACE = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def fused_types(sess):
    """The fused chains in the plans `sess` has compiled, e.g. ['Conv2D+Add+Relu']."""
    return sorted(op.type for plan in sess._plans.values() for op, _, _ in
                  fusion.fuse(plan._steps, plan.feed_tensors, plan.fetch_tensors)
                  if isinstance(op, fusion.FusedOp))


def run_both(sess, fetches, feed_dict=None):
    """(fused run, unfused traced run) of the same fetches."""
    fused = sess.run(fetches, feed_dict)
    unfused = sess.run(fetches, feed_dict, options=TRACE, run_metadata=tf.RunMetadata())
    return fused, unfused


def assert_all_equal(fused, unfused):
    """Bit-for-bit equality of two runs' (possibly nested) fetched values."""
    if isinstance(fused, (list, tuple)):
        assert len(fused) == len(unfused)
        for a, b in zip(fused, unfused):
            assert_all_equal(a, b)
    else:
        np.testing.assert_array_equal(fused, unfused)


def conv_net(rng, bias_first=False, bias_shape=(4,), use_bias_add=False, channels=4, size=8):
    """conv -> bias -> relu -> 2x2 max pool -> sum, with gradients wrt the input, filter, bias."""
    x = tf.constant(rng.normal(size=(2, size, size, 3)).astype(np.float32))
    w = tf.Variable(rng.normal(size=(3, 3, 3, channels)).astype(np.float32))
    b = tf.Variable(rng.normal(size=bias_shape).astype(np.float32))
    conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    if use_bias_add:
        biased = tf.nn.bias_add(conv, b)
    else:
        biased = b + conv if bias_first else conv + b
    relu = tf.nn.relu(biased)
    pooled = tf.nn.max_pool(relu, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    loss = tf.reduce_sum(pooled * pooled)
    return x, w, b, conv, biased, relu, loss, tf.gradients(loss, [x, w, b])


def session_for():
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess


@pytest.mark.parametrize("variant", [dict(), dict(bias_first=True), dict(use_bias_add=True)])
@pytest.mark.parametrize("chunked", [False, True])
def test_conv_bias_relu_and_pool_grad_fuse_and_match(variant, chunked, monkeypatch):
    """`chunked`: every image its own convolution chunk, so bias and ReLU run per chunk."""
    if chunked:
        from minitf.kernels import conv as conv_kernels
        monkeypatch.setattr(conv_kernels, "_CHUNK_BYTES", 1)
    rng = np.random.default_rng(0)
    with tf.Graph().as_default():
        *_, relu, loss, grads = conv_net(rng, **variant)
        sess = session_for()
        fused, unfused = run_both(sess, [relu, loss, grads])
        conv_type = "Conv2D+BiasAdd+Relu" if variant.get("use_bias_add") else "Conv2D+Add+Relu"
        assert fused_types(sess) == [conv_type, "MaxPoolGrad+ReluGrad", "MaxPoolWithFirstMax"]
    assert_all_equal(fused, unfused)


def test_wide_bias_rows_match():
    """An output large enough for the wide-row bias add, with a channel count that divides 1024."""
    rng = np.random.default_rng(1)
    with tf.Graph().as_default():
        *_, relu, loss, grads = conv_net(rng, channels=32, bias_shape=(32,), size=48)
        sess = session_for()
        fused, unfused = run_both(sess, [relu, loss])
        assert "Conv2D+Add+Relu" in fused_types(sess)
    assert fused[0].size >= fusion._WIDE_BIAS_MIN_SIZE
    assert_all_equal(fused, unfused)


def test_a_bias_that_broadcasts_otherwise_falls_back():
    """A bias shaped like the whole feature map still fuses, through the unfused kernels."""
    rng = np.random.default_rng(2)
    with tf.Graph().as_default():
        *_, relu, loss, grads = conv_net(rng, bias_shape=(8, 8, 4))
        sess = session_for()
        fused, unfused = run_both(sess, [relu, grads])
        assert "Conv2D+Add+Relu" in fused_types(sess)
    assert_all_equal(fused, unfused)


def test_fetched_or_control_depended_intermediates_are_not_fused():
    rng = np.random.default_rng(3)
    with tf.Graph().as_default():
        _, _, _, conv, biased, relu, loss, _ = conv_net(rng)
        sess = session_for()
        conv_value, relu_value = sess.run([conv, relu])
        assert fused_types(sess) == []
        np.testing.assert_array_equal(relu_value, np.maximum(sess.run(biased), 0))
        with tf.control_dependencies([biased.op]):
            marker = tf.identity(loss)
        sess.run([relu, marker])
        assert fused_types(sess) == []


def test_feeding_the_pre_activation_skips_the_convolution():
    rng = np.random.default_rng(4)
    with tf.Graph().as_default():
        _, _, _, _, biased, relu, _, _ = conv_net(rng)
        sess = session_for()
        fed = rng.normal(size=(2, 8, 8, 4)).astype(np.float32)
        np.testing.assert_array_equal(sess.run(relu, {biased: fed}), np.maximum(fed, 0))
        assert fused_types(sess) == []


def test_pool_grad_with_ties_and_overlapping_windows_matches():
    """ReLU zeros tie inside windows; 3x3 windows at stride 1 overlap, with SAME padding."""
    rng = np.random.default_rng(5)
    with tf.Graph().as_default():
        x = tf.Variable(rng.normal(size=(2, 6, 6, 3)))
        relu = tf.nn.relu(x)
        pooled = tf.nn.max_pool(relu, [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
        upstream = tf.constant(rng.normal(size=(2, 6, 6, 3)))
        grad, = tf.gradients(pooled, x, grad_ys=upstream)
        sess = session_for()
        fused, unfused = run_both(sess, grad)
        assert fused_types(sess) == ["MaxPoolGrad+ReluGrad", "MaxPoolWithFirstMax"]
    assert_all_equal(fused, unfused)
    assert np.count_nonzero(fused) > 0


def test_a_failing_fused_convolution_names_its_op():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 5, 5, None])
        w = tf.constant(np.ones((3, 3, 2, 4), np.float32))
        relu = tf.nn.relu(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME", name="conv") + tf.ones([4]))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="depth") as caught:
                sess.run(relu, {x: np.ones((1, 5, 5, 3), np.float32)})
            assert caught.value.op is not None and caught.value.op.name == "conv"


@pytest.mark.parametrize("pool,pool_type,shape,window", [
    (tf.nn.max_pool, "MaxPool", (2, 6, 8, 3), [1, 2, 2, 1]),
    (tf.nn.max_pool, "MaxPool", (2, 7, 8, 3), [1, 2, 2, 1]),  # a leftover row: offsets not recorded
    (tf.nn.max_pool3d, "MaxPool3D", (2, 4, 4, 6, 2), [1, 2, 2, 2, 1]),
])
def test_paired_max_pool_gradient_matches_with_ties_and_nan(pool, pool_type, shape, window):
    """Small integers tie in most windows (the first max takes the gradient); a NaN window
    routes nothing, whether or not a ReLU follows."""
    rng = np.random.default_rng(6)
    values = rng.integers(-1, 3, shape).astype(np.float32)
    values.flat[5] = np.nan
    with tf.Graph().as_default():
        x = tf.Variable(values)
        plain = pool(x, window, window, "VALID")
        after_relu = pool(tf.nn.relu(x), window, window, "VALID")
        upstream = tf.constant(rng.normal(size=plain.shape.as_list()).astype(np.float32))
        grads = tf.gradients([plain, after_relu], x, grad_ys=[upstream, upstream])
        pieces = [tf.gradients(plain, x, upstream)[0], tf.gradients(after_relu, x, upstream)[0]]
        sess = session_for()
        fused, unfused = run_both(sess, grads + pieces)
        types = fused_types(sess)
    assert types.count(f"{pool_type}WithFirstMax") == 2
    assert_all_equal(fused, unfused)
    assert np.count_nonzero(np.nan_to_num(fused[2])) > 0


def test_dense_layers_fuse_matmul_bias_relu():
    rng = np.random.default_rng(7)
    with tf.Graph().as_default():
        x = tf.constant(rng.normal(size=(16, 20)).astype(np.float32))
        layer = x
        for width in (12, 8):
            w = tf.Variable(rng.normal(size=(layer.shape[1].value, width)).astype(np.float32))
            b = tf.Variable(rng.normal(size=width).astype(np.float32))
            layer = tf.nn.relu(tf.matmul(layer, w, transpose_b=False) + b)
        loss = tf.reduce_sum(layer * layer)
        grads = tf.gradients(loss, tf.trainable_variables())
        sess = session_for()
        fused, unfused = run_both(sess, [layer] + grads)
        assert fused_types(sess) == ["MatMul+Add+Relu"] * 2
    assert_all_equal(fused, unfused)
