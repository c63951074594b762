"""Helpers shared by tf.layers and tf.contrib.layers: smart_cond and moving-average updates."""
from minitf.framework.default_graph import colocate_with, name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_util import constant_value as _tensor_constant_value
from minitf.ops import math_ops, state_ops
from minitf.ops.constant_op import convert_to_tensor


def constant_value(pred):
    """A Python bool/0/1 as is, a tensor's value if known at construction, else None (a Variable
    or a placeholder: decided at run time)."""
    from minitf.ops.variables import Variable
    if isinstance(pred, Variable):
        return None
    if isinstance(pred, Tensor):
        value = _tensor_constant_value(pred)
        return None if value is None else bool(value)
    if pred in (0, 1):
        return bool(pred)
    raise TypeError(f"`pred` must be a Tensor, or a Python bool, or 1 or 0. Found instead: {pred}")


def smart_cond(pred, true_fn, false_fn, name=None):
    """`true_fn()` or `false_fn()` when `pred` is known now, else `tf.cond(pred, true_fn, false_fn)`."""
    from minitf.ops.control_flow_ops import cond
    value = constant_value(pred)
    if value is None:
        return cond(pred, true_fn, false_fn, name=name)
    return true_fn() if value else false_fn()


def assign_moving_average(variable, value, decay, name=None):
    """`variable -= (variable - value) * (1 - decay)` as one AssignSub named "AssignMovingAvg" (TF1's
    `moving_averages.assign_moving_average` without zero debiasing)."""
    with name_scope(name, "AssignMovingAvg", [variable, value, decay]) as scope:
        with colocate_with(variable):
            decay = convert_to_tensor(1.0 - decay, name="decay")
            if decay.dtype != variable.dtype.base_dtype:
                decay = math_ops.cast(decay, variable.dtype.base_dtype)
            delta = (variable - math_ops.cast(value, variable.dtype.base_dtype)) * decay
            return state_ops.assign_sub(variable, delta, name=scope)
