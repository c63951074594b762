"""Helpers shared by tf.layers and tf.contrib.layers: smart_cond, moving-average updates, and the
matmul on the last axis of a rank > 2 input."""
from minitf.framework.default_graph import colocate_with, name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_util import constant_value as _tensor_constant_value
from minitf.ops import array_ops, math_ops, state_ops
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


def matmul_last_axis(inputs, kernel, units):
    """inputs [..., in] @ kernel [in, units] -> [..., units] via a 2-D MatMul under "Tensordot/"
    (TF1 builds a general tensordot subgraph there; the values and static shape are the same)."""
    with name_scope(None, "Tensordot", [inputs, kernel]) as scope:
        leading = array_ops.shape(inputs)[:-1]
        flat = array_ops.reshape(inputs, [-1, kernel.shape.dims[0].value])
        product = math_ops.matmul(flat, kernel)
        outputs = array_ops.reshape(product, array_ops.concat([leading, [units]], 0), name=scope)
    outputs.set_shape(inputs.shape[:-1].concatenate([units]))
    return outputs
