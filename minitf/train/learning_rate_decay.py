"""Learning-rate schedules of the global step (TF1's `learning_rate_decay`): graph ops that
compute the decayed rate each time they run, built as TF1 builds them.

Each schedule casts its step and constants to the dtype of `learning_rate` and returns a tensor
named after its scope ("ExponentialDecay", ...).
"""
import math

from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.ops import math_ops
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.control_flow_ops import cond


def _require_step(global_step, schedule):
    if global_step is None:
        raise ValueError(f"global_step is required for {schedule}.")


def _decay_progress(learning_rate, global_step, decay_steps, decay_rate, staircase):
    """(learning_rate tensor, decay_rate, global_step / decay_steps) in the rate's dtype; the
    ratio is floored when `staircase`."""
    learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
    dtype = learning_rate.dtype.base_dtype
    decay_rate = math_ops.cast(decay_rate, dtype)
    progress = math_ops.cast(global_step, dtype) / math_ops.cast(decay_steps, dtype)
    if staircase:
        progress = math_ops.floor(progress)
    return learning_rate, decay_rate, progress


# ======================================================================================
# Decays of the form learning_rate * f(decay_rate, global_step / decay_steps)
# ======================================================================================
def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """TF1 `tf.train.exponential_decay`: learning_rate * decay_rate ^ (global_step / decay_steps)."""
    _require_step(global_step, "exponential_decay")
    with name_scope(name, "ExponentialDecay", [learning_rate, global_step, decay_steps, decay_rate]) as scope:
        learning_rate, decay_rate, progress = _decay_progress(
            learning_rate, global_step, decay_steps, decay_rate, staircase)
        return math_ops.multiply(learning_rate, math_ops.pow(decay_rate, progress), name=scope)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """TF1 `tf.train.natural_exp_decay`: learning_rate * exp(-decay_rate * global_step / decay_steps)."""
    _require_step(global_step, "natural_exp_decay")
    with name_scope(name, "NaturalExpDecay", [learning_rate, global_step, decay_rate]) as scope:
        learning_rate, decay_rate, progress = _decay_progress(
            learning_rate, global_step, decay_steps, decay_rate, staircase)
        exponent = math_ops.exp(math_ops.multiply(math_ops.negative(decay_rate), progress))
        return math_ops.multiply(learning_rate, exponent, name=scope)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None):
    """TF1 `tf.train.inverse_time_decay`: learning_rate / (1 + decay_rate * global_step / decay_steps)."""
    _require_step(global_step, "inverse_time_decay")
    with name_scope(name, "InverseTimeDecay", [learning_rate, global_step, decay_rate]) as scope:
        learning_rate, decay_rate, progress = _decay_progress(
            learning_rate, global_step, decay_steps, decay_rate, staircase)
        one = math_ops.cast(constant(1), learning_rate.dtype.base_dtype)
        denominator = math_ops.add(one, math_ops.multiply(decay_rate, progress))
        return math_ops.div(learning_rate, denominator, name=scope)


# ======================================================================================
# Polynomial and cosine decays toward a floor over decay_steps
# ======================================================================================
def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001, power=1.0,
                     cycle=False, name=None):
    """TF1 `tf.train.polynomial_decay`: from learning_rate to end_learning_rate as
    (1 - step / decay_steps) ^ power; the step stops at decay_steps, or with `cycle` the horizon
    grows to the next multiple of decay_steps."""
    _require_step(global_step, "polynomial_decay")
    with name_scope(name, "PolynomialDecay",
                    [learning_rate, global_step, decay_steps, end_learning_rate, power]) as scope:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype.base_dtype
        end_learning_rate = math_ops.cast(end_learning_rate, dtype)
        power = math_ops.cast(power, dtype)
        step = math_ops.cast(global_step, dtype)
        horizon = math_ops.cast(decay_steps, dtype)
        if cycle:
            # The first multiple of decay_steps at or above the step (1 at step 0).
            multiplier = cond(math_ops.equal(step, 0), lambda: constant(1.0, dtype),
                              lambda: math_ops.ceil(step / horizon))
            horizon = math_ops.multiply(horizon, multiplier)
        else:
            step = math_ops.minimum(step, horizon)
        progress = math_ops.div(step, horizon)
        return math_ops.add(math_ops.multiply(learning_rate - end_learning_rate,
                                              math_ops.pow(1 - progress, power)),
                            end_learning_rate, name=scope)


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """TF1 `tf.train.cosine_decay` (Loshchilov & Hutter): learning_rate * ((1 - alpha) *
    0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps)) + alpha)."""
    if global_step is None:
        raise ValueError("cosine decay requires global_step")
    with name_scope(name, "CosineDecay", [learning_rate, global_step]) as scope:
        learning_rate = convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype.base_dtype
        horizon = math_ops.cast(decay_steps, dtype)
        step = math_ops.minimum(math_ops.cast(global_step, dtype), horizon)
        cosine = 0.5 * (1.0 + math_ops.cos(math.pi * step / horizon))
        decayed = (1 - alpha) * cosine + alpha
        return math_ops.multiply(learning_rate, decayed, name=scope)


# ======================================================================================
# Piecewise constant
# ======================================================================================
def piecewise_constant(x, boundaries, values, name=None):
    """TF1 `tf.train.piecewise_constant`: values[0] while x <= boundaries[0], values[i] while
    boundaries[i-1] < x <= boundaries[i], values[-1] above the last boundary. int32 boundaries
    are promoted to an int64 x; other dtype mismatches are ValueErrors, as in TF1."""
    if len(boundaries) != len(values) - 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    with name_scope(name, "PiecewiseConstant", [x] + list(boundaries) + list(values)):
        boundaries = [convert_to_tensor(b) for b in boundaries]
        values = [convert_to_tensor(v) for v in values]
        x = convert_to_tensor(x)
        for i, boundary in enumerate(boundaries):
            if boundary.dtype.base_dtype != x.dtype.base_dtype:
                if boundary.dtype.base_dtype == dtypes.int32 and x.dtype.base_dtype == dtypes.int64:
                    boundaries[i] = math_ops.cast(boundary, x.dtype.base_dtype)
                else:
                    raise ValueError(f"Boundaries ({boundary.dtype.base_dtype}) must have the same dtype "
                                     f"as x ({x.dtype.base_dtype}).")
        for value in values[1:]:
            if value.dtype.base_dtype != values[0].dtype.base_dtype:
                raise ValueError(f"Values must have elements all with the same dtype "
                                 f"({values[0].dtype.base_dtype} vs {value.dtype.base_dtype}).")
        pairs = [(x <= boundaries[0], values[0]), (x > boundaries[-1], values[-1])]
        pairs += [(math_ops.logical_and(x > low, x <= high), value)
                  for low, high, value in zip(boundaries[:-1], boundaries[1:], values[1:-1])]
        return _case(pairs, values[0])


def _case(pairs, default):
    """TF1's `tf.case` for exclusive predicates: the value of the first true predicate, as a
    chain of conds named "case"."""
    with name_scope(None, "case"):
        result = default
        for predicate, value in reversed(pairs):
            result = cond(predicate, lambda value=value: value, lambda result=result: result)
        return result
