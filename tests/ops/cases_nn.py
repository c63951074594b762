"""Harness cases: the nn family but convolution and pooling (activations and their *Grad ops,
softmax, cross-entropies, top-k, in-top-k, L2 loss, bias add, LRN), each against a NumPy
reference computed in float64. Inputs of piecewise ops keep away from their kinks, so the float64
finite-difference checks see smooth functions."""
import numpy as np

import minitf as tf
from harness import FLOATS, INTS, REALS, OpCase, fixed, inputs_of, uniform
from minitf.ops.op_builder import apply_op

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
F32_F64 = (tf.float32, tf.float64)


def away_from(shape, low, high, kinks=(0.0,), gap=0.1):
    """Uniform values in [low, high) with every value at least `gap` from each kink."""
    def make(dtype, rng):
        values = rng.uniform(low, high, size=shape)
        for kink in kinks:
            near = np.abs(values - kink) < gap
            values[near] = kink + np.where(values[near] < kink, -2 * gap, 2 * gap)
        if dtype.is_integer:
            values = np.round(values)
        return values.astype(dtype.as_numpy_dtype)
    return make


def distributions(shape):
    """Rows that are probability distributions (soft labels)."""
    def make(dtype, rng):
        values = rng.uniform(0.1, 1.0, size=shape)
        return (values / values.sum(axis=-1, keepdims=True)).astype(dtype.as_numpy_dtype)
    return make


def class_labels(batch, classes, label_type=np.int64):
    return lambda dtype, rng: rng.integers(0, classes, size=batch).astype(label_type)


def _f64(function):
    """A reference computed in float64 from inputs of any dtype."""
    return lambda *arrays: function(*(a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays))


def _raw(op_type):
    """Builds the op itself from the inputs (no tf.* wrapper)."""
    return lambda *inputs: apply_op(op_type, *inputs)


# ======================================================================================
# NumPy references
# ======================================================================================
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def _selu(x):
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


def _softmax(x, axis=-1):
    exps = np.exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_xent(logits, labels):
    return -(labels * _log_softmax(logits)).sum(-1), _softmax(logits) - labels


def _sparse_softmax_xent(logits, labels):
    rows = np.arange(len(labels))
    backprop = _softmax(logits)
    backprop[rows, labels] -= 1
    return -_log_softmax(logits)[rows, labels], backprop


def _in_top_k(predictions, targets, k):
    """TF1's rule, row by row: fewer than k strictly larger scores; non-finite rows are False."""
    result = []
    for row, target in zip(predictions, targets):
        valid = 0 <= target < len(row) and np.all(np.isfinite(row))
        result.append(bool(valid and np.sum(row > row[target]) < k))
    return np.array(result)


def _top_k(values, k):
    indices = np.argsort(-values.astype(np.float64), axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(values, indices, axis=-1), indices.astype(np.int32)


def _lrn_norm(x, radius, bias, alpha):
    depth = x.shape[-1]
    sums = np.stack([np.sum(x[..., max(0, d - radius):d + radius + 1] ** 2, axis=-1) for d in range(depth)], -1)
    return bias + alpha * sums


def _lrn(x, radius=2, bias=1.0, alpha=0.2, beta=0.75):
    return x / _lrn_norm(x, radius, bias, alpha) ** beta


def _lrn_grad(grads, x, radius=2, bias=1.0, alpha=0.2, beta=0.75):
    """grads @ Jacobian of LRN, written out entry by entry from its definition."""
    norm = _lrn_norm(x, radius, bias, alpha)
    result = grads * norm ** -beta
    depth = x.shape[-1]
    for i in range(depth):
        for j in range(max(0, i - radius), min(depth, i + radius + 1)):
            term = 2 * alpha * beta * x[..., i] * x[..., j] * norm[..., i] ** (-beta - 1)
            result[..., j] -= grads[..., i] * term
    return result


# ======================================================================================
# Activations: (op type, tf function, reference, input maker, dtypes)
# ======================================================================================
_ACTIVATION_TABLE = [
    ("Relu", tf.nn.relu, lambda x: np.maximum(x, 0), away_from((3, 4), -3, 3), REALS + (tf.float16,)),
    ("Relu6", tf.nn.relu6, lambda x: np.clip(x, 0, 6), away_from((3, 4), -3, 9, (0.0, 6.0)),
     REALS + (tf.float16,)),
    ("Elu", tf.nn.elu, _elu, away_from((3, 4), -3, 3), FLOATS),
    ("Selu", tf.nn.selu, _selu, away_from((3, 4), -3, 3), FLOATS),
    ("LeakyRelu", tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), away_from((3, 4), -3, 3), FLOATS),
    ("Softplus", tf.nn.softplus, lambda x: np.logaddexp(x, 0), uniform((3, 4), -5, 5), FLOATS),
    ("Softsign", tf.nn.softsign, lambda x: x / (1 + np.abs(x)), uniform((3, 4), -4, 4), FLOATS),
]
_ACTIVATION_CASES = [
    OpCase(op_type, function, inputs_of(make), _f64(reference), dtypes=dtypes)
    for op_type, function, reference, make, dtypes in _ACTIVATION_TABLE
] + [
    OpCase("LeakyRelu", lambda x: tf.nn.leaky_relu(x, alpha=2.5), inputs_of(away_from((3, 4), -3, 3)),
           _f64(lambda x: np.where(x > 0, x, 2.5 * x)), dtypes=F32_F64, name="LeakyRelu-alpha-above-1"),
    OpCase("LeakyRelu", tf.nn.leaky_relu, fixed(np.array([-2, 0, 3], np.int32)),
           lambda x: np.array([-0.4, 0.0, 3.0], np.float32), dtypes=(tf.int32,), name="LeakyRelu-int-casts"),
    OpCase("Elu", tf.nn.elu, inputs_of(away_from((), -3, 3)), _f64(_elu), dtypes=F32_F64, name="Elu-scalar"),
    OpCase("Relu", tf.nn.relu, inputs_of(away_from((), -3, 3)), _f64(lambda x: np.maximum(x, 0)),
           dtypes=REALS, name="Relu-scalar"),
    OpCase("Softplus", tf.nn.softplus, fixed(np.array([-100.0, -20.0, 0.0, 20.0, 100.0], np.float32)),
           lambda x: np.array([0.0, 2.0611537e-09, 0.6931472, 20.0, 100.0]), rtol=1e-6, atol=1e-30,
           name="Softplus-extremes"),  # TF1 flushes e^-100 to 0; NumPy keeps a float32 subnormal
]

# The gradient ops: (op type, reference(g, second input), second input's maker, extra attrs)
_GRAD_OP_TABLE = [
    ("ReluGrad", lambda g, x: g * (x > 0), away_from((3, 4), -3, 3), {}),
    ("Relu6Grad", lambda g, x: g * ((x > 0) & (x < 6)), away_from((3, 4), -3, 9, (0.0, 6.0)), {}),
    ("EluGrad", lambda g, y: np.where(y < 0, g * (y + 1), g), away_from((3, 4), -0.95, 3), {}),
    ("SeluGrad", lambda g, y: np.where(y < 0, g * (y + SELU_SCALE * SELU_ALPHA), g * SELU_SCALE),
     away_from((3, 4), -1.7, 3), {}),
    ("LeakyReluGrad", lambda g, x: np.where(x > 0, g, 0.3 * g), away_from((3, 4), -3, 3), {"alpha": 0.3}),
    ("SoftplusGrad", lambda g, x: g * _sigmoid(x), uniform((3, 4), -5, 5), {}),
    ("SoftsignGrad", lambda g, x: g / (1 + np.abs(x)) ** 2, away_from((3, 4), -4, 4), {}),
]
_GRAD_OP_CASES = [
    OpCase(op_type, lambda g, x, op_type=op_type, attrs=attrs: apply_op(op_type, g, x, **attrs),
           inputs_of(uniform((3, 4)), make), _f64(reference), dtypes=FLOATS)
    for op_type, reference, make, attrs in _GRAD_OP_TABLE
] + [
    OpCase("ReluGrad", _raw("ReluGrad"), inputs_of(uniform((2, 3)), away_from((2, 3), -3, 3)),
           lambda g, x: g * (x > 0), dtypes=INTS, name="ReluGrad-int"),
]


# ======================================================================================
# Softmax, log-softmax, cross-entropies
# ======================================================================================
_SOFTMAX_CASES = [
    OpCase("Softmax", tf.nn.softmax, inputs_of(uniform((3, 5), -4, 4)), _f64(_softmax), dtypes=FLOATS),
    OpCase("Softmax", tf.nn.softmax, inputs_of(uniform((2, 3, 4), -4, 4)), _f64(_softmax), dtypes=F32_F64,
           name="Softmax-3d"),
    OpCase("Softmax", tf.nn.softmax, inputs_of(uniform((4,), -4, 4)), _f64(_softmax), dtypes=F32_F64,
           name="Softmax-vector"),
    OpCase("Softmax", tf.nn.softmax, fixed(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], np.float32)),
           lambda x: np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]), name="Softmax-huge-logits"),
    # Another axis is transposed to the end and back, as TF1 builds it.
    OpCase("Softmax", lambda x: tf.nn.softmax(x, axis=1), inputs_of(uniform((2, 3, 4), -4, 4)),
           _f64(lambda x: _softmax(x, axis=1)), dtypes=F32_F64, name="Softmax-axis1"),
    OpCase("LogSoftmax", tf.nn.log_softmax, inputs_of(uniform((3, 5), -4, 4)), _f64(_log_softmax), dtypes=FLOATS),
    OpCase("LogSoftmax", lambda x: tf.nn.log_softmax(x, dim=0), inputs_of(uniform((3, 2), -4, 4)),
           _f64(lambda x: _log_softmax(x, axis=0)), dtypes=F32_F64, name="LogSoftmax-dim0"),
    OpCase("LogSoftmax", tf.nn.log_softmax, fixed(np.array([[1e4, 0.0]], np.float32)),
           lambda x: np.array([[0.0, -1e4]]), name="LogSoftmax-huge-logits"),
]

_XENT_CASES = [
    OpCase("SoftmaxCrossEntropyWithLogits", _raw("SoftmaxCrossEntropyWithLogits"),
           inputs_of(uniform((4, 5), -3, 3), distributions((4, 5))), _f64(_softmax_xent), dtypes=FLOATS),
    # Labels broadcast over the batch (TF 1.15's kernel allows it); both gradients are summed back.
    OpCase("SoftmaxCrossEntropyWithLogits", _raw("SoftmaxCrossEntropyWithLogits"),
           inputs_of(uniform((3, 4), -3, 3), distributions((1, 4))), _f64(_softmax_xent), dtypes=F32_F64,
           name="SoftmaxCrossEntropyWithLogits-broadcast-labels"),
    OpCase("SoftmaxCrossEntropyWithLogits",
           lambda logits, labels: tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits),
           inputs_of(uniform((2, 3, 4), -3, 3), distributions((2, 3, 4))),
           _f64(lambda x, z: _softmax_xent(x, z)[0]), dtypes=FLOATS,
           name="softmax_cross_entropy_with_logits_v2-3d"),
    # The deprecated v1 stops the gradient to the labels, so finite differences wrt the labels
    # disagree by design: only the forward value is checked.
    OpCase("SoftmaxCrossEntropyWithLogits",
           lambda logits, labels: tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=0),
           inputs_of(uniform((4, 3), -3, 3), lambda dtype, rng: distributions((3, 4))(dtype, rng).T.copy()),
           _f64(lambda x, z: _softmax_xent(x.T, z.T)[0]), dtypes=F32_F64, grad=False,
           name="softmax_cross_entropy_with_logits-dim0"),
    OpCase("SparseSoftmaxCrossEntropyWithLogits", _raw("SparseSoftmaxCrossEntropyWithLogits"),
           lambda dtype, rng: [uniform((5, 4), -3, 3)(dtype, rng), class_labels(5, 4)(dtype, rng)],
           _f64(_sparse_softmax_xent), dtypes=FLOATS),
    OpCase("SparseSoftmaxCrossEntropyWithLogits",
           lambda logits, labels: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
           lambda dtype, rng: [uniform((5, 4), -3, 3)(dtype, rng), class_labels(5, 4, np.int32)(dtype, rng)],
           _f64(lambda x, z: _sparse_softmax_xent(x, z)[0]), dtypes=FLOATS,
           name="sparse_softmax_cross_entropy_with_logits-int32"),
    OpCase("SparseSoftmaxCrossEntropyWithLogits",
           lambda logits, labels: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
           lambda dtype, rng: [uniform((2, 3, 4), -3, 3)(dtype, rng),
                               rng.integers(0, 4, size=(2, 3)).astype(np.int64)],
           _f64(lambda x, z: _sparse_softmax_xent(x.reshape(6, 4), z.reshape(6))[0].reshape(2, 3)),
           dtypes=F32_F64, name="sparse_softmax_cross_entropy_with_logits-3d"),
]


# ======================================================================================
# In-top-k and top-k (ties, non-finite rows, out-of-range targets)
# ======================================================================================
_PREDICTIONS = np.array([[1, 2, 2, 3], [1, np.nan, 3, 4], [5, 5, 5, 5], [0.5, 0.1, 0.2, 0.3],
                         [0.1, 0.9, 0.3, 0.2]], np.float32)


def _targets(dtype, rng):
    return [_PREDICTIONS, np.array([1, 3, 3, 7, 1], dtype.as_numpy_dtype)]


_TOP_K_CASES = [
    OpCase("InTopKV2", lambda p, t: tf.nn.in_top_k(p, t, 2), _targets, lambda p, t: _in_top_k(p, t, 2),
           dtypes=INTS),
    OpCase("InTopKV2", lambda p, t: tf.nn.in_top_k(p, t, 1), _targets, lambda p, t: _in_top_k(p, t, 1),
           dtypes=INTS, name="InTopKV2-k1"),
    OpCase("InTopK", lambda p, t: apply_op("InTopK", p, t, k=3), _targets, lambda p, t: _in_top_k(p, t, 3),
           dtypes=INTS),
    OpCase("TopKV2", lambda x: tf.nn.top_k(x, 3), inputs_of(uniform((2, 3, 5), -5, 5)), lambda x: _top_k(x, 3),
           dtypes=REALS + (tf.float16,)),
    OpCase("TopKV2", lambda x: tf.nn.top_k(x), inputs_of(uniform((6,), -5, 5)), lambda x: _top_k(x, 1),
           dtypes=F32_F64, name="TopKV2-vector-k1"),
    OpCase("TopKV2", lambda x: tf.nn.top_k(x, 4), fixed(np.array([[1, 2, 2, 3, 2]], np.float32)),
           lambda x: (np.array([[3, 2, 2, 2]], np.float32), np.array([[3, 1, 2, 4]], np.int32)),
           name="TopKV2-ties"),
    OpCase("TopKV2", lambda x: tf.nn.top_k(x, 2), fixed(np.array([3, 250, 7, 250], np.uint8)),
           lambda x: (np.array([250, 250], np.uint8), np.array([1, 3], np.int32)), dtypes=(tf.uint8,),
           name="TopKV2-unsigned"),
]


# ======================================================================================
# L2 loss, bias add, LRN
# ======================================================================================
def _bias_add(value, bias, data_format="NHWC"):
    return value + (bias.reshape(-1, *[1] * (value.ndim - 2)) if data_format == "NCHW" else bias)


def _bias_add_grad(grad, data_format="NHWC"):
    axis = 1 if data_format == "NCHW" else grad.ndim - 1
    return grad.sum(axis=tuple(a for a in range(grad.ndim) if a != axis))


_LRN_ATTRS = {"depth_radius": 2, "bias": 1.0, "alpha": 0.2, "beta": 0.75}

_NORMALIZATION_CASES = [
    OpCase("L2Loss", tf.nn.l2_loss, inputs_of(uniform((3, 4))), _f64(lambda t: np.sum(t ** 2) / 2), dtypes=FLOATS,
           rtol=1e-4),
    OpCase("L2Loss", tf.nn.l2_loss, inputs_of(uniform(())), _f64(lambda t: t ** 2 / 2), dtypes=F32_F64,
           name="L2Loss-scalar"),
    OpCase("BiasAdd", tf.nn.bias_add, inputs_of(uniform((2, 3, 4)), uniform((4,))), _bias_add,
           dtypes=REALS + (tf.float16,)),
    OpCase("BiasAdd", lambda v, b: tf.nn.bias_add(v, b, data_format="NCHW"), inputs_of(uniform((2, 3, 2, 2)),
           uniform((3,))), lambda v, b: _bias_add(v, b, "NCHW"), dtypes=F32_F64, name="BiasAdd-NCHW"),
    OpCase("BiasAddGrad", _raw("BiasAddGrad"), inputs_of(uniform((2, 3, 4))), _bias_add_grad,
           dtypes=REALS + (tf.float16,), rtol=1e-4),
    OpCase("BiasAddGrad", lambda g: apply_op("BiasAddGrad", g, data_format="NCHW"),
           inputs_of(uniform((2, 3, 2, 2))), lambda g: _bias_add_grad(g, "NCHW"), dtypes=F32_F64,
           name="BiasAddGrad-NCHW"),
    OpCase("LRN", lambda x: tf.nn.lrn(x, **_LRN_ATTRS), inputs_of(uniform((2, 2, 3, 7))), _f64(_lrn),
           dtypes=FLOATS, rtol=1e-4),
    OpCase("LRN", tf.nn.local_response_normalization, inputs_of(uniform((1, 2, 2, 3))),
           _f64(lambda x: _lrn(x, 5, 1.0, 1.0, 0.5)), dtypes=F32_F64, name="LRN-defaults-wide-radius"),
    OpCase("LRNGrad", lambda g, x: apply_op("LRNGrad", g, x, tf.nn.lrn(x, **_LRN_ATTRS), **_LRN_ATTRS),
           inputs_of(uniform((2, 2, 3, 7)), uniform((2, 2, 3, 7))), _f64(_lrn_grad), dtypes=FLOATS, rtol=1e-4),
]



# ======================================================================================
# Composites built from other families' ops (their gradients come from those families)
# ======================================================================================
def _logistic_loss(labels, logits):
    return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


def _weighted_logistic_loss(targets, logits, pos_weight=2.0):
    sigmoid = _sigmoid(logits)
    return -(pos_weight * targets * np.log(sigmoid) + (1 - targets) * np.log(1 - sigmoid))


def _batch_normalization(x, mean, variance, offset, scale, epsilon=1e-3):
    return (x - mean) / np.sqrt(variance + epsilon) * scale + offset


def _dropout_check(results, arrays):
    """Each value is dropped (0) or kept and scaled by 1 / keep_prob (here 2)."""
    value, x = np.asarray(results[0], np.float64), arrays[0].astype(np.float64)
    tolerance = 2e-3 * np.abs(x) + 1e-6
    assert np.all((np.abs(value) <= tolerance) | (np.abs(value - 2 * x) <= 2 * tolerance))


_COMPOSITE_CASES = [
    OpCase("SquaredDifference", lambda x: list(tf.nn.moments(x, [0, 2])), inputs_of(uniform((3, 2, 4))),
           _f64(lambda x: (x.mean(axis=(0, 2)), x.var(axis=(0, 2)))), dtypes=FLOATS, name="moments"),
    OpCase("SquaredDifference", lambda x: list(tf.nn.moments(x, [1], keep_dims=True)), inputs_of(uniform((3, 4))),
           _f64(lambda x: (x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True))), dtypes=F32_F64,
           name="moments-keep_dims"),
    OpCase("Rsqrt", lambda *args: tf.nn.batch_normalization(*args, 1e-3),
           inputs_of(uniform((3, 4)), uniform((4,)), uniform((4,), 0.5, 2.0), uniform((4,)), uniform((4,))),
           _f64(_batch_normalization), dtypes=F32_F64, rtol=1e-4, name="batch_normalization"),
    OpCase("Rsqrt", lambda x: tf.nn.l2_normalize(x, 1), inputs_of(uniform((3, 4))),
           _f64(lambda x: x / np.sqrt((x ** 2).sum(axis=1, keepdims=True))), dtypes=F32_F64, name="l2_normalize"),
    OpCase("Log1p", lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
           inputs_of(uniform((3, 4), 0, 1), away_from((3, 4), -4, 4)), _f64(_logistic_loss), dtypes=FLOATS,
           name="sigmoid_cross_entropy_with_logits"),
    OpCase("Log1p", lambda z, x: tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=2.0),
           inputs_of(uniform((3, 4), 0, 1), away_from((3, 4), -4, 4)), _f64(_weighted_logistic_loss),
           dtypes=F32_F64, rtol=1e-4, name="weighted_cross_entropy_with_logits"),
    OpCase("ConcatV2", tf.nn.crelu, inputs_of(away_from((3, 4), -3, 3)),
           _f64(lambda x: np.maximum(np.concatenate([x, -x], -1), 0)), dtypes=F32_F64, name="crelu"),
    OpCase("BiasAdd", tf.nn.xw_plus_b, inputs_of(uniform((3, 4)), uniform((4, 2)), uniform((2,))),
           _f64(lambda x, w, b: x @ w + b), dtypes=F32_F64, rtol=1e-4, name="xw_plus_b"),
    # Random: the check accepts either outcome per element; a new mask per run defeats finite differences.
    OpCase("Floor", lambda x: tf.nn.dropout(x, 0.5), inputs_of(uniform((20, 30))), check=_dropout_check,
           dtypes=FLOATS, grad=False, name="dropout"),
]

CASES = (_ACTIVATION_CASES + _GRAD_OP_CASES + _SOFTMAX_CASES + _XENT_CASES + _TOP_K_CASES + _NORMALIZATION_CASES
         + _COMPOSITE_CASES)
