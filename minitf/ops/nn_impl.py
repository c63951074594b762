"""The nn family's composites, built from other ops as TF1's Python builds them (TF1's nn_impl):
sigmoid and weighted cross-entropy, l2_normalize, moments, batch_normalization, dropout.
Node names match TF1's (e.g. "logistic_loss", "moments/Squeeze")."""
import numbers

from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.framework.tensor_util import constant_value
from minitf.ops import array_ops, math_ops, selection_ops
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.gradients_impl import stop_gradient
from minitf.ops.nn_ops import _alias, _ensure_xent_args
from minitf.ops.op_builder import apply_op
from minitf.ops.random_ops import random_uniform

__all__ = ["sigmoid_cross_entropy_with_logits", "weighted_cross_entropy_with_logits", "l2_normalize",
           "moments", "batch_normalization", "dropout"]


def _check_same_shape(logits, other, other_name):
    try:
        other.shape.merge_with(logits.shape)
    except ValueError:
        raise ValueError(f"logits and {other_name} must have the same shape ({logits.shape} vs "
                         f"{other.shape})") from None


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """TF1 `tf.nn.sigmoid_cross_entropy_with_logits`: max(x, 0) - x * z + log(1 + exp(-|x|)),
    TF1's stable formula, built from Select ops under "logistic_loss". Keyword arguments only."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    with name_scope(name, "logistic_loss", [logits, labels]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        _check_same_shape(logits, labels, "labels")
        zeros = array_ops.zeros_like(logits, dtype=logits.dtype)
        cond = logits >= zeros
        relu_logits = selection_ops.where(cond, logits, zeros)
        neg_abs_logits = selection_ops.where(cond, -logits, logits)
        return math_ops.add(relu_logits - logits * labels, math_ops.log1p(math_ops.exp(neg_abs_logits)),
                            name=scope)


def weighted_cross_entropy_with_logits(targets=None, logits=None, pos_weight=None, name=None, labels=None):
    """TF1 `tf.nn.weighted_cross_entropy_with_logits`: the sigmoid cross-entropy with the positive
    term weighted by `pos_weight` (`labels` is TF 1.15's name for `targets`)."""
    targets = _alias("labels", labels, "targets", targets)
    with name_scope(name, "logistic_loss", [logits, targets]) as scope:
        logits = convert_to_tensor(logits, name="logits")
        targets = convert_to_tensor(targets, name="targets")
        _check_same_shape(logits, targets, "targets")
        log_weight = 1 + (pos_weight - 1) * targets
        softplus_neg = math_ops.log1p(math_ops.exp(-math_ops.abs(logits))) + apply_op("Relu", -logits)
        return math_ops.add((1 - targets) * logits, log_weight * softplus_neg, name=scope)


# ======================================================================================
# Normalization: l2_normalize, moments, batch_normalization, local response normalization
# ======================================================================================
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """TF1 `tf.nn.l2_normalize`: x / sqrt(max(sum(x ** 2, axis), epsilon))."""
    with name_scope(name, "l2_normalize", [x]) as scope:
        axis = _alias("axis", axis, "dim", dim)
        x = convert_to_tensor(x, name="x")
        square_sum = math_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
        x_inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.multiply(x, x_inv_norm, name=scope)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """TF1 `tf.nn.moments`: (mean, variance) over `axes`; the variance is the biased one, taken
    around a StopGradient of the mean; float16 is computed in float32. `shift` is unused, as in TF1."""
    del shift
    keep_dims = bool(_alias("keepdims", keepdims, "keep_dims", keep_dims))
    with name_scope(name, "moments", [x, axes]):
        x = convert_to_tensor(x, name="x")
        half = x.dtype.base_dtype == dtypes.float16
        y = math_ops.cast(x, dtypes.float32) if half else x
        mean = math_ops.reduce_mean(y, axes, keepdims=True, name="mean")
        variance = math_ops.reduce_mean(math_ops.squared_difference(y, stop_gradient(mean)), axes,
                                        keepdims=True, name="variance")
        if not keep_dims:
            mean, variance = array_ops.squeeze(mean, axes), array_ops.squeeze(variance, axes)
        if half:
            return math_ops.cast(mean, dtypes.float16), math_ops.cast(variance, dtypes.float16)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """TF1 `tf.nn.batch_normalization`: x * inv + (offset - mean * inv), inv = scale /
    sqrt(variance + epsilon), in TF1's op order (offset and scale may be None)."""
    with name_scope(name, "batchnorm", [x, mean, variance, scale, offset]):
        x = convert_to_tensor(x, name="x")
        inv = math_ops.rsqrt(variance + variance_epsilon)
        if scale is not None:
            inv *= scale
        dtype = x.dtype.base_dtype
        return x * math_ops.cast(inv, dtype) + math_ops.cast(
            offset - mean * inv if offset is not None else -mean * inv, dtype)


# ======================================================================================
# Dropout (TF1's composite: floor(keep_prob + uniform) is 1 with probability keep_prob)
# ======================================================================================
def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """TF1 `tf.nn.dropout`: x / keep_prob where floor(keep_prob + uniform[0, 1)) is 1, else 0.

    `keep_prob` may be a number or a scalar tensor (a placeholder fed per run); `rate` (TF 1.13+)
    means keep_prob = 1 - rate. A keep_prob known to be 1 returns `x` itself, as TF1 does (after
    building only the keep_prob constant).
    """
    if keep_prob is not None and rate is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'.")
    if keep_prob is None and rate is None:
        raise ValueError("You must provide a rate to dropout.")
    with name_scope(name, "dropout", [x]):
        x = convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to be scaled. Got a "
                             f"{x.dtype.base_dtype.name} tensor instead.")
        if keep_prob is None:
            keep_prob = 1 - rate
        if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1:
            raise ValueError("keep_prob must be a scalar tensor or a float in the range (0, 1], got "
                             f"{keep_prob:g}")
        keep_prob = convert_to_tensor(keep_prob, dtype=x.dtype.base_dtype, name="keep_prob")
        if keep_prob.shape.ndims not in (None, 0):
            raise ValueError(f"Shape {keep_prob.shape} must have rank 0")
        known = constant_value(keep_prob)
        if known is not None and known == 1:
            return x
        noise_shape = noise_shape if noise_shape is not None else array_ops.shape(x)
        random_tensor = keep_prob
        random_tensor += random_uniform(noise_shape, seed=seed, dtype=x.dtype.base_dtype)
        binary_tensor = math_ops.floor(random_tensor)
        result = math_ops.div(x, keep_prob) * binary_tensor
        result.set_shape(x.shape)
        return result
