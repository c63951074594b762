"""tf.losses (minitf/losses.py) against NumPy formulas, for every reduction, and the collection
helpers. (The same program was checked against TF1 to 5 decimals when this was written.)"""
import numpy as np
import pytest

import minitf as tf
from minitf import losses as L

_RNG = np.random.default_rng(0)
Y = (_RNG.uniform(size=(4, 3)) > 0.5).astype(np.float32)
P = _RNG.uniform(0.1, 0.9, (4, 3)).astype(np.float32)
LOGITS = _RNG.uniform(-2, 2, (4, 3)).astype(np.float32)
W = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)
SPARSE = np.array([0, 2, 1, 1])
ONEHOT = np.eye(3, dtype=np.float32)[SPARSE]


def _softmax_xent(labels, logits):
    shifted = logits - logits.max(-1, keepdims=True)
    return -(labels * (shifted - np.log(np.exp(shifted).sum(-1, keepdims=True)))).sum(-1)


def _huber(e, delta):
    a = np.abs(e)
    return np.where(a <= delta, 0.5 * a ** 2, delta * (a - 0.5 * delta))


# (name, builder, per-element NumPy losses, weights)
_LOSSES = [
    ("mse", lambda r: L.mean_squared_error(Y, P, W, reduction=r), (P - Y) ** 2, W),
    ("abs", lambda r: L.absolute_difference(Y, P, W, reduction=r), np.abs(P - Y), W),
    ("log", lambda r: L.log_loss(Y, P, W, reduction=r),
     -Y * np.log(P + 1e-7) - (1 - Y) * np.log(1 - P + 1e-7), W),
    ("huber", lambda r: L.huber_loss(Y, LOGITS, W, delta=0.7, reduction=r), _huber(LOGITS - Y, 0.7), W),
    ("hinge", lambda r: L.hinge_loss(Y, LOGITS, W, reduction=r), np.maximum(0, 1 - (2 * Y - 1) * LOGITS), W),
    ("sigmoid", lambda r: L.sigmoid_cross_entropy(Y, LOGITS, W, label_smoothing=0.2, reduction=r),
     np.maximum(LOGITS, 0) - LOGITS * (Y * 0.8 + 0.1) + np.log1p(np.exp(-np.abs(LOGITS))), W),
    ("softmax", lambda r: L.softmax_cross_entropy(ONEHOT, LOGITS, W[:, 0], label_smoothing=0.1, reduction=r),
     _softmax_xent(ONEHOT * 0.9 + 0.1 / 3, LOGITS), W[:, 0]),
    ("sparse", lambda r: L.sparse_softmax_cross_entropy(SPARSE, LOGITS, W[:, 0], reduction=r),
     _softmax_xent(ONEHOT, LOGITS), W[:, 0]),
]


def _reduce(losses, weights, reduction):
    weighted = losses * weights
    weights = np.broadcast_to(weights, losses.shape)
    return {L.Reduction.NONE: weighted, L.Reduction.SUM: weighted.sum(),
            L.Reduction.MEAN: weighted.sum() / weights.sum(),
            L.Reduction.SUM_OVER_BATCH_SIZE: weighted.sum() / losses.size,
            L.Reduction.SUM_BY_NONZERO_WEIGHTS: weighted.sum() / np.count_nonzero(weights)}[reduction]


@pytest.mark.parametrize("reduction", [L.Reduction.NONE, L.Reduction.SUM, L.Reduction.MEAN,
                                       L.Reduction.SUM_OVER_BATCH_SIZE, L.Reduction.SUM_BY_NONZERO_WEIGHTS])
@pytest.mark.parametrize("name, build, losses, weights", _LOSSES, ids=[c[0] for c in _LOSSES])
def test_loss_values(name, build, losses, weights, reduction):
    loss = build(reduction)
    assert loss.dtype == tf.float32
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss]
    expected = _reduce(losses, weights, reduction)
    assert loss.shape.as_list() == list(np.shape(expected))
    np.testing.assert_allclose(tf.Session().run(loss), expected, rtol=1e-5, atol=1e-6)


def test_defaults_names_and_zero_weights():
    assert L.Reduction.SUM_OVER_NONZERO_WEIGHTS == L.Reduction.SUM_BY_NONZERO_WEIGHTS
    assert len(set(L.Reduction.all())) == 5
    loss = L.mean_squared_error(Y, P)
    assert loss.name == "mean_squared_error/value:0"
    zero = L.compute_weighted_loss(tf.constant([1.0, 2.0]), 0.0)
    double = L.compute_weighted_loss(tf.constant([1.0, 2.0], tf.float64), loss_collection=None)
    assert double.dtype == tf.float64 and len(L.get_losses()) == 2
    np.testing.assert_allclose(tf.Session().run([loss, zero, double]), [np.mean((P - Y) ** 2), 0.0, 1.5],
                               rtol=1e-6)
    with pytest.raises(ValueError, match="Invalid Reduction"):
        L.compute_weighted_loss(tf.constant([1.0]), reduction="bad")
    with pytest.raises(ValueError, match="labels must not be None"):
        L.mean_squared_error(None, P)


def test_gradient_through_a_loss():
    x = tf.Variable(LOGITS, name="x")
    grad, = tf.gradients(L.softmax_cross_entropy(ONEHOT, x), [x])
    with tf.Session() as sess:
        sess.run(x.initializer)
        value = sess.run(grad)
    e = np.exp(LOGITS - LOGITS.max(-1, keepdims=True))
    np.testing.assert_allclose(value, (e / e.sum(-1, keepdims=True) - ONEHOT) / 4, rtol=1e-5, atol=1e-6)


def test_collection_helpers():
    first = L.absolute_difference(Y, P)
    L.add_loss(tf.constant(3.0))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.5))
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, tf.constant(0.25))
    assert len(L.get_losses()) == 2 and len(L.get_regularization_losses()) == 2
    total, reg, plain = (L.get_total_loss(), L.get_regularization_loss(),
                         L.get_total_loss(add_regularization_losses=False, name="plain"))
    assert total.name == "total_loss:0" and reg.name == "total_regularization_loss:0"
    base = np.mean(np.abs(P - Y)) + 3.0
    np.testing.assert_allclose(tf.Session().run([total, reg, plain, first]),
                               [base + 0.75, 0.75, base, base - 3.0], rtol=1e-6)


def test_regularization_loss_without_any_is_zero():
    assert tf.Session().run(L.get_regularization_loss()) == 0.0
