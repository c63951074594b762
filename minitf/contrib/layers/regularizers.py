"""TF1 `tf.contrib.layers` regularizers: functions weights -> scalar loss (or None).

`l2_regularizer(scale)(w)` is `scale * tf.nn.l2_loss(w)` = scale * sum(w**2) / 2, built under the
name scope "l2_regularizer" (so get_variable puts it at "<var>/Regularizer/l2_regularizer").
A scale of 0 returns a regularizer that gives None (no loss is recorded).
"""
import numbers

from minitf.framework.default_graph import add_to_collection, get_collection, name_scope
from minitf.framework.graph import GraphKeys
from minitf.ops import math_ops, nn_ops
from minitf.ops.constant_op import constant, convert_to_tensor

__all__ = ["l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer",
           "apply_regularization"]


def _checked_scale(scale, argument="scale"):
    """Validates a scale; True when it is 0 (which disables the regularizer)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(f"{argument} cannot be an integer: {scale}")
    if isinstance(scale, numbers.Real):
        if scale < 0.:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale:g}")
        return scale == 0.
    return False


def _scaled_regularizer(default_name, penalty, scale, scope):
    if _checked_scale(scale):
        return lambda _: None

    def regularizer(weights):
        with name_scope(scope, default_name, [weights]) as name:
            my_scale = convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return math_ops.multiply(my_scale, penalty(weights), name=name)
    return regularizer


def l1_regularizer(scale, scope=None):
    """TF1 `tf.contrib.layers.l1_regularizer`: scale * sum(|w|)."""
    return _scaled_regularizer("l1_regularizer",
                               lambda w: math_ops.reduce_sum(math_ops.abs(w)), scale, scope)


def l2_regularizer(scale, scope=None):
    """TF1 `tf.contrib.layers.l2_regularizer`: scale * tf.nn.l2_loss(w) = scale * sum(w**2) / 2."""
    return _scaled_regularizer("l2_regularizer", nn_ops.l2_loss, scale, scope)


def sum_regularizer(regularizer_list, scope=None):
    """TF1 `tf.contrib.layers.sum_regularizer`: the AddN of the losses the regularizers give."""
    regularizer_list = [r for r in regularizer_list if r is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with name_scope(scope, "sum_regularizer", [weights]) as name:
            losses = [loss for loss in (r(weights) for r in regularizer_list) if loss is not None]
            return math_ops.add_n(losses, name=name) if losses else None
    return sum_reg


def l1_l2_regularizer(scale_l1=1.0, scale_l2=1.0, scope=None):
    """TF1 `tf.contrib.layers.l1_l2_regularizer`: the sum of an L1 and an L2 regularizer."""
    l1_off = _checked_scale(scale_l1, "scale_l1")
    l2_off = _checked_scale(scale_l2, "scale_l2")
    scope = scope or "l1_l2_regularizer"
    if l1_off:
        return l2_regularizer(scale_l2, scope)
    if l2_off:
        return l1_regularizer(scale_l1, scope)
    return sum_regularizer([l1_regularizer(scale_l1), l2_regularizer(scale_l2)], scope=scope)


def apply_regularization(regularizer, weights_list=None):
    """TF1 `tf.contrib.layers.apply_regularization`: the summed penalty of `weights_list` (default:
    the WEIGHTS collection), also added to REGULARIZATION_LOSSES."""
    if not weights_list:
        weights_list = get_collection(GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError("No weights to regularize.")
    with name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [constant(0.0) if p is None else p for p in penalties]
        for penalty in penalties:
            if penalty.get_shape().ndims != 0:
                raise ValueError("regularizer must return a scalar Tensor instead of a Tensor with "
                                 f"rank {penalty.get_shape().ndims}.")
        summed = math_ops.add_n(penalties, name=scope)
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, summed)
        return summed
