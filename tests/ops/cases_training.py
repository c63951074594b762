"""Harness cases: the training ops (ApplyGradientDescent, ApplyMomentum, ...).

Each case puts the variable and its slots in variables initialized from the fed arrays, runs the
op once, and checks the updated variable (the op's output) and slots against the NumPy update
rules below. Those rules are TF1's kernels written plainly; tests/train/test_optimizers.py uses
them too, for several optimizer steps.
"""
import numpy as np

import minitf as tf
from harness import OpCase, inputs_of, uniform
from minitf.ops import training_ops


# ======================================================================================
# The update rules in NumPy: each returns the new (var, *slots) in the op's input order
# ======================================================================================
def gradient_descent(var, alpha, delta):
    return (var - alpha * delta,)


def momentum(var, accum, lr, grad, momentum, use_nesterov=False):
    accum = accum * momentum + grad
    step = grad * lr + accum * momentum * lr if use_nesterov else accum * lr
    return var - step, accum


def adagrad(var, accum, lr, grad, update_slots=True):
    if update_slots:
        accum = accum + grad ** 2
    return var - lr * grad / np.sqrt(accum), accum


def rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = ms + (grad ** 2 - ms) * (1 - rho)
    mom = mom * momentum + lr * grad / np.sqrt(ms + epsilon)
    return var - mom, ms, mom


def centered_rms_prop(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = ms + (grad ** 2 - ms) * (1 - rho)
    mg = mg + (grad - mg) * (1 - rho)
    mom = mom * momentum + lr * grad / np.sqrt(ms - mg ** 2 + epsilon)
    return var - mom, mg, ms, mom


def adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_nesterov=False):
    alpha = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
    m = m + (grad - m) * (1 - beta1)
    v = v + (grad ** 2 - v) * (1 - beta2)
    direction = grad * (1 - beta1) + beta1 * m if use_nesterov else m
    return var - alpha * direction / (np.sqrt(v) + epsilon), m, v


def ftrl_v2(var, accum, linear, grad, lr, l1, l2, l2_shrinkage, lr_power, multiply_linear_by_lr=False):
    """FTRL-Proximal as TF computes it (McMahan et al. 2013, with TF's 2 * l2)."""
    new_accum = accum + grad ** 2
    sigma = new_accum ** -lr_power - accum ** -lr_power
    shrunk_grad = grad + 2 * l2_shrinkage * var
    if multiply_linear_by_lr:
        linear = linear + shrunk_grad * lr - sigma * var
        bound, denominator = l1 * lr, new_accum ** -lr_power + 2 * l2 * lr
    else:
        linear = linear + shrunk_grad - sigma / lr * var
        bound, denominator = l1, new_accum ** -lr_power / lr + 2 * l2
    var = np.where(np.abs(linear) > bound, (np.sign(linear) * bound - linear) / denominator, 0)
    return var, new_accum, linear


def ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, multiply_linear_by_lr=False):
    return ftrl_v2(var, accum, linear, grad, lr, l1, l2, 0.0, lr_power, multiply_linear_by_lr)


# ======================================================================================
# Cases
# ======================================================================================
_SHAPE = (3, 4)
_FLOATS = (tf.float32, tf.float64)


def _build(op_type, **attrs):
    """Variables for the ref inputs, the op after their initializers, then the slots' values."""
    public_name, ref_names, *_ = {**training_ops._TRAINING_OPS, **training_ops.SPARSE_TRAINING_OPS}[op_type]
    apply = getattr(training_ops, public_name)

    def build(*inputs):
        refs = [tf.Variable(x, name=n) for n, x in zip(ref_names, inputs)]
        with tf.control_dependencies([r.initializer for r in refs]):
            out = apply(*refs, *inputs[len(refs):], **attrs)
        with tf.control_dependencies([out.op]):
            return [out] + [tf.identity(r._ref()) for r in refs[1:]]
    return build


def _case(op_type, rule, makers, name="", dtypes=_FLOATS, **attrs):
    return OpCase(op_type, _build(op_type, **attrs), inputs_of(*makers),
                  lambda *arrays: rule(*arrays, **attrs), dtypes=dtypes, grad=False,
                  name=name or op_type)


_FULL = uniform(_SHAPE)
_POSITIVE = uniform(_SHAPE, 0.2, 1.5)
_LR = uniform((), 0.05, 0.2)
_RATE = uniform((), 0.7, 0.95)
_EPSILON = uniform((), 1e-3, 1e-2)
# l1 is large enough that some entries of var are shrunk to zero (l1 * lr is the bound by lr).
_FTRL_ARGS = (_FULL, _POSITIVE, _FULL, _FULL, _LR, uniform((), 0.5, 0.8), uniform((), 0.1, 0.3))
_FTRL_BY_LR_ARGS = _FTRL_ARGS[:5] + (uniform((), 4.0, 6.0), uniform((), 0.1, 0.3))

CASES = [
    _case("ApplyGradientDescent", gradient_descent, (_FULL, _LR, _FULL), dtypes=(tf.float16,) + _FLOATS),
    _case("ApplyGradientDescent", gradient_descent, (uniform(()), _LR, uniform(())),
          name="ApplyGradientDescent-scalar"),
    _case("ApplyMomentum", momentum, (_FULL, _FULL, _LR, _FULL, _RATE), dtypes=(tf.float16,) + _FLOATS),
    _case("ApplyMomentum", momentum, (_FULL, _FULL, _LR, _FULL, _RATE), name="ApplyMomentum-nesterov",
          use_nesterov=True),
    _case("ApplyAdagrad", adagrad, (_FULL, _POSITIVE, _LR, _FULL)),
    _case("ApplyAdagrad", adagrad, (_FULL, _POSITIVE, _LR, _FULL), name="ApplyAdagrad-no-slot-update",
          update_slots=False),
    _case("ApplyRMSProp", rms_prop, (_FULL, _POSITIVE, _FULL, _LR, _RATE, _RATE, _EPSILON, _FULL)),
    _case("ApplyCenteredRMSProp", centered_rms_prop,
          (_FULL, uniform(_SHAPE, -0.3, 0.3), uniform(_SHAPE, 1.0, 2.0), _FULL, _LR, _RATE, _RATE, _EPSILON,
           _FULL)),
    _case("ApplyAdam", adam, (_FULL, _FULL, _POSITIVE, _RATE, _RATE, _LR, _RATE, _RATE, _EPSILON, _FULL)),
    _case("ApplyAdam", adam, (uniform(()), uniform(()), uniform((), 0.2, 1.5), _RATE, _RATE, _LR, _RATE,
                              _RATE, _EPSILON, uniform(())), name="ApplyAdam-scalar"),
    _case("ApplyAdam", adam, (_FULL, _FULL, _POSITIVE, _RATE, _RATE, _LR, _RATE, _RATE, _EPSILON, _FULL),
          name="ApplyAdam-nesterov", use_nesterov=True),
    _case("ApplyFtrl", ftrl, _FTRL_ARGS + (uniform((), -0.5, -0.5),)),
    _case("ApplyFtrl", ftrl, _FTRL_ARGS + (uniform((), -0.8, -0.6),), name="ApplyFtrl-power"),
    _case("ApplyFtrl", ftrl, _FTRL_BY_LR_ARGS + (uniform((), -0.5, -0.5),), name="ApplyFtrl-by-lr",
          multiply_linear_by_lr=True),
    _case("ApplyFtrlV2", ftrl_v2, _FTRL_ARGS + (uniform((), 0.1, 0.3), uniform((), -0.8, -0.6))),
    _case("ApplyFtrlV2", ftrl_v2, _FTRL_BY_LR_ARGS + (uniform((), 0.1, 0.3), uniform((), -0.5, -0.5)),
          name="ApplyFtrlV2-by-lr", multiply_linear_by_lr=True),
]


# ======================================================================================
# Adadelta and the proximal updates
# ======================================================================================
def adadelta(var, accum, accum_update, lr, rho, epsilon, grad):
    accum = accum * rho + grad ** 2 * (1 - rho)
    update = np.sqrt(accum_update + epsilon) / np.sqrt(accum + epsilon) * grad
    accum_update = accum_update * rho + update ** 2 * (1 - rho)
    return var - lr * update, accum, accum_update


def _shrink(prox_var, rate, l1, l2):
    if l1 > 0:
        prox_var = np.sign(prox_var) * np.maximum(np.abs(prox_var) - rate * l1, 0)
    return prox_var / (1 + rate * l2)


def proximal_gradient_descent(var, alpha, l1, l2, delta):
    return (_shrink(var - alpha * delta, alpha, l1, l2),)


def proximal_adagrad(var, accum, lr, l1, l2, grad):
    accum = accum + grad ** 2
    rate = lr / np.sqrt(accum)
    return _shrink(var - rate * grad, rate, l1, l2), accum


# l1 is large enough that some entries are shrunk to zero; `_NO_L1` takes TF's l1 <= 0 branch.
_L1 = uniform((), 2.0, 4.0)
_L2 = uniform((), 0.1, 0.5)
_NO_L1 = uniform((), 0.0, 0.0)
CASES += [
    _case("ApplyAdadelta", adadelta, (_FULL, _POSITIVE, _POSITIVE, _LR, _RATE, _EPSILON, _FULL)),
    _case("ApplyAdadelta", adadelta, (uniform(()), uniform((), 0.2, 1.5), uniform((), 0.2, 1.5), _LR, _RATE,
                                      _EPSILON, uniform(())), name="ApplyAdadelta-scalar"),
    _case("ApplyProximalGradientDescent", proximal_gradient_descent, (_FULL, _LR, _L1, _L2, _FULL)),
    _case("ApplyProximalGradientDescent", proximal_gradient_descent, (_FULL, _LR, _NO_L1, _L2, _FULL),
          name="ApplyProximalGradientDescent-no-l1"),
    _case("ApplyProximalGradientDescent", proximal_gradient_descent,
          (uniform(()), _LR, _L1, _L2, uniform(())), name="ApplyProximalGradientDescent-scalar"),
    _case("ApplyProximalAdagrad", proximal_adagrad, (_FULL, _POSITIVE, _LR, _L1, _L2, _FULL)),
    _case("ApplyProximalAdagrad", proximal_adagrad, (_FULL, _POSITIVE, _LR, _NO_L1, _L2, _FULL),
          name="ApplyProximalAdagrad-no-l1"),
]


# ======================================================================================
# The sparse forms (SparseApplyMomentum, ...): the dense rule on the rows `indices` names
# ======================================================================================
def _sparse_rule(rule, ref_count, tensor_names):
    """The NumPy reference of a sparse op: as TF's kernels loop, one index after another (a
    repeated index is updated again from its first update), each row by the dense rule."""
    grad_at, indices_at = tensor_names.index("grad"), tensor_names.index("indices")

    def reference(*arrays, **attrs):
        refs = [np.array(a, copy=True) for a in arrays[:ref_count]]
        tensors = arrays[ref_count:]
        for k, row in enumerate(tensors[indices_at]):
            args = [tensors[i][k] if i == grad_at else t for i, t in enumerate(tensors) if i != indices_at]
            for ref, updated in zip(refs, rule(*[r[row] for r in refs], *args, **attrs)):
                ref[row] = updated
        return tuple(refs)
    return reference


def _sparse_case(dense_type, rule, makers, name="", dtypes=_FLOATS, **attrs):
    """`makers` are the dense case's, the gradient one row per index; indices [2, 0, 2] (a
    repeated row) are put after it."""
    sparse_type = "Sparse" + dense_type
    _, ref_names, tensor_names, _, _ = training_ops.SPARSE_TRAINING_OPS[sparse_type]
    grad_at = len(ref_names) + tensor_names.index("grad")
    makers = makers[:grad_at + 1] + (lambda dtype, rng: np.array([2, 0, 2], np.int64),) + makers[grad_at + 1:]
    reference = _sparse_rule(rule, len(ref_names), tensor_names)
    return OpCase(sparse_type, _build(sparse_type, **attrs), inputs_of(*makers),
                  lambda *arrays: reference(*arrays, **attrs), dtypes=dtypes, grad=False,
                  name=name or sparse_type)


_ROWS = uniform((3,) + _SHAPE[1:])
CASES += [
    _sparse_case("ApplyMomentum", momentum, (_FULL, _FULL, _LR, _ROWS, _RATE)),
    _sparse_case("ApplyMomentum", momentum, (_FULL, _FULL, _LR, _ROWS, _RATE), name="SparseApplyMomentum-nesterov",
                 use_nesterov=True),
    _sparse_case("ApplyAdagrad", adagrad, (_FULL, _POSITIVE, _LR, _ROWS)),
    _sparse_case("ApplyRMSProp", rms_prop, (_FULL, _POSITIVE, _FULL, _LR, _RATE, _RATE, _EPSILON, _ROWS)),
    _sparse_case("ApplyCenteredRMSProp", centered_rms_prop,
                 (_FULL, uniform(_SHAPE, -0.3, 0.3), uniform(_SHAPE, 1.0, 2.0), _FULL, _LR, _RATE, _RATE, _EPSILON,
                  _ROWS)),
    _sparse_case("ApplyFtrl", ftrl, (_FULL, _POSITIVE, _FULL, _ROWS) + _FTRL_ARGS[4:] + (uniform((), -0.5, -0.5),)),
    _sparse_case("ApplyFtrlV2", ftrl_v2, (_FULL, _POSITIVE, _FULL, _ROWS) + _FTRL_ARGS[4:] +
                 (uniform((), 0.1, 0.3), uniform((), -0.8, -0.6))),
    _sparse_case("ApplyAdadelta", adadelta, (_FULL, _POSITIVE, _POSITIVE, _LR, _RATE, _EPSILON, _ROWS)),
    _sparse_case("ApplyProximalGradientDescent", proximal_gradient_descent, (_FULL, _LR, _L1, _L2, _ROWS)),
    _sparse_case("ApplyProximalAdagrad", proximal_adagrad, (_FULL, _POSITIVE, _LR, _L1, _L2, _ROWS)),
]
