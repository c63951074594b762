"""tf.global_norm and tf.clip_by_global_norm (minitf/ops/clip_ops.py) against NumPy, with TF1's
node names; and tf.AggregationMethod (minitf/ops/gradient_options.py)."""
import numpy as np
import pytest

import minitf as tf
from minitf.ops.clip_ops import clip_by_global_norm, global_norm
from minitf.ops.gradient_options import AggregationMethod

_RNG = np.random.default_rng(3)
A, B = _RNG.uniform(-2, 2, (2, 3)), _RNG.uniform(-2, 2, (4,))


def _norm(*arrays):
    return np.sqrt(sum(np.sum(a ** 2) for a in arrays))


def test_global_norm_value_and_name():
    norm = global_norm([tf.constant(A), None, tf.constant(B)])
    assert norm.name == "global_norm/global_norm:0" and norm.op.type == "Sqrt"
    assert norm.dtype == tf.float64 and norm.shape.as_list() == []
    np.testing.assert_allclose(tf.Session().run(norm), _norm(A, B), rtol=1e-12)


@pytest.mark.parametrize("clip_norm", [0.5, 100.0])
def test_clip_by_global_norm_scales_below_the_limit(clip_norm):
    clipped, norm = clip_by_global_norm([tf.constant(A), None, tf.constant(B)], clip_norm)
    assert clipped[1] is None
    assert [t.name for t in (clipped[0], clipped[2])] == ["clip_by_global_norm/clip_by_global_norm/_0:0",
                                                            "clip_by_global_norm/clip_by_global_norm/_2:0"]
    a, b, n = tf.Session().run([clipped[0], clipped[2], norm])
    expected_scale = clip_norm / max(_norm(A, B), clip_norm)
    np.testing.assert_allclose(n, _norm(A, B), rtol=1e-12)
    np.testing.assert_allclose(a, A * expected_scale, rtol=1e-12)
    np.testing.assert_allclose(b, B * expected_scale, rtol=1e-12)
    assert _norm(a, b) <= clip_norm * (1 + 1e-12)


def test_clip_by_global_norm_use_norm_and_nan():
    clipped, norm = clip_by_global_norm([tf.constant(A, tf.float32)], 1.0, use_norm=tf.constant(4.0))
    np.testing.assert_allclose(tf.Session().run(clipped[0]), A.astype(np.float32) / 4, rtol=1e-6)
    clipped, _ = clip_by_global_norm([tf.constant(A, tf.float32)], 1.0, use_norm=tf.constant(np.inf, tf.float32))
    assert np.isnan(tf.Session().run(clipped[0])).all()


def test_clip_by_global_norm_gradient_flows():
    x = tf.Variable(A, name="x")
    clipped, _ = clip_by_global_norm([x * 1.0], 1.0)
    grad, = tf.gradients(tf.reduce_sum(clipped[0]), [x])
    with tf.Session() as sess:
        sess.run(x.initializer)
        value = sess.run(grad)
    n = _norm(A)
    expected = 1 / n - A * np.sum(A) / n ** 3  # d/dx of sum(x) / |x|
    np.testing.assert_allclose(value, expected, rtol=1e-10)


def test_rejects_a_single_tensor():
    with pytest.raises(TypeError, match="should be a sequence"):
        clip_by_global_norm(tf.constant(A), 1.0)
    with pytest.raises(TypeError, match="should be a sequence"):
        global_norm(tf.constant(A))


def test_aggregation_method_values():
    assert (AggregationMethod.ADD_N, AggregationMethod.DEFAULT, AggregationMethod.EXPERIMENTAL_TREE,
            AggregationMethod.EXPERIMENTAL_ACCUMULATE_N) == (0, 0, 1, 2)
    x = tf.constant(2.0)
    grad, = tf.gradients(x * x + x, [x], aggregation_method=AggregationMethod.EXPERIMENTAL_TREE)
    assert tf.Session().run(grad) == 5.0
