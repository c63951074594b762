"""Kernels of the training ops (minitf/ops/training_ops.py), written once against `ctx.xp`.

Each rule updates the variable and its slots IN PLACE, as TF's kernels do: a training step then
allocates no new parameter arrays, which is what keeps an SGD step near hand-written NumPy.
An array is updated in place only when nothing but its storage holds it (TF forwards a buffer
on the same condition, its reference count); otherwise the kernel updates a copy and stores
that. So an array fetched by an earlier `run`, or a value read earlier in this step that is
still to be used, never changes under its holder. Scalar variables are stored as NumPy
scalars, which are immutable: the rules see them as one-element arrays and store a scalar back.

Departure: every update holds its variables' locks, whatever `use_locking` says. Concurrent
unlocked updates would each see the other holding the array and update private copies, losing
whole steps (TF1's unlocked in-place updates only race element by element).
"""
import sys

import numpy

from minitf.kernels.state import VariableStorage
from minitf.ops.training_ops import _FULL_INPUTS, _TRAINING_OPS
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")


# ======================================================================================
# Taking the stored arrays for an in-place update
# ======================================================================================
def _references(value):
    return sys.getrefcount(value)


def _unshared_count():
    """What `_references` reports for a stored array that only its storage holds, measured
    through the same frame layout `_writable` uses (so it holds on any CPython version)."""
    ref = VariableStorage("probe")
    ref.value = numpy.zeros(1)
    value = ref.value
    return _references(value)


_UNSHARED = _unshared_count()


def _writable(ref, op, xp):
    """The array behind `ref` to update in place: the stored one when only the storage holds
    it, else a private copy (0-d for a scalar variable)."""
    value = ref.value
    if value is None:
        ref.read(op)  # raises FailedPreconditionError
    if (_references(value) <= _UNSHARED and value.base is None and value.ndim
            and getattr(value.flags, "writeable", True)):
        return value
    return xp.array(value, copy=True)


def _locks_in_order(refs):
    """The locks of the given storages, in one global order (as TF orders its mutexes), so two
    updates of the same variables never wait on each other in a cycle."""
    return [ref.lock for ref in sorted(set(refs), key=id)]


def _shape_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


# ======================================================================================
# The kernel shared by every training op: checks, in-place arrays, the rule, store back
# ======================================================================================
def _training_kernel(op_type, rule):
    """A factory running `rule(xp, attrs)(*state_arrays, *tensor_inputs)` on writable arrays."""
    _, ref_names, tensor_names, _ = _TRAINING_OPS[op_type]
    names = ref_names + tensor_names
    num_refs = len(ref_names)
    # Positions (in the op's inputs) that must have the variable's shape, and the scalars.
    full = [i for i, name in enumerate(names) if name in _FULL_INPUTS and i >= num_refs]
    scalars = [i for i, name in enumerate(names) if name not in _FULL_INPUTS]

    def factory(ctx):
        xp, op = ctx.xp, ctx.op
        update = rule(xp, ctx.op.get_attr)

        def shape_error(i, shape, other):
            if i in scalars:
                return ctx.error(f"{names[i]} is not a scalar: {_shape_text(other)}")
            return ctx.error(f"var and {names[i]} do not have the same shape{_shape_text(shape)} "
                             f"{_shape_text(other)}")

        def apply(inputs):
            arrays = [_writable(ref, op, xp) for ref in inputs[:num_refs]]
            shape = arrays[0].shape
            for i, array in enumerate(arrays):
                if array.shape != shape:
                    raise shape_error(i, shape, array.shape)
            for i in full:
                if inputs[i].shape != shape:
                    raise shape_error(i, shape, inputs[i].shape)
            for i in scalars:
                if inputs[i].shape:
                    raise shape_error(i, shape, inputs[i].shape)
            if shape:
                update(*arrays, *inputs[num_refs:])
                for ref, array in zip(inputs, arrays):
                    ref.value = array
                return
            # A scalar variable: the rule sees one-element views, so its temporaries are arrays
            # too, and the storage gets a NumPy scalar back.
            update(*[a.reshape(1) for a in arrays],
                   *[xp.reshape(t, (1,)) if i in full else t for i, t in enumerate(inputs) if i >= num_refs])
            for ref, array in zip(inputs, arrays):
                ref.value = array[()]

        def compute(*inputs):
            if num_refs == 1:  # the common case (SGD), without sorting
                with inputs[0].lock:
                    apply(inputs)
                return inputs[0]
            locks = _locks_in_order(inputs[:num_refs])
            for lock in locks:
                lock.acquire()
            try:
                apply(inputs)
            finally:
                for lock in reversed(locks):
                    lock.release()
            return inputs[0]
        return compute
    return factory


def _register(op_type):
    def decorate(rule):
        register_kernel(op_type, devices=_BOTH)(_training_kernel(op_type, rule))
        return rule
    return decorate


# ======================================================================================
# The update rules (TF's kernels, term for term, so results agree to rounding)
# ======================================================================================
@_register("ApplyGradientDescent")
def _gradient_descent(xp, attr):
    def update(var, alpha, delta):
        var -= alpha * delta
    return update


@_register("ApplyMomentum")
def _momentum(xp, attr):
    nesterov = attr("use_nesterov")

    def update(var, accum, lr, grad, momentum):
        accum *= momentum
        accum += grad
        if nesterov:
            step = accum * momentum
            step *= lr
            step += grad * lr
            var -= step
        else:
            var -= accum * lr
    return update


@_register("ApplyAdagrad")
def _adagrad(xp, attr):
    update_slots = attr("update_slots")

    def update(var, accum, lr, grad):
        if update_slots:
            accum += xp.square(grad)
        step = grad * lr
        step /= xp.sqrt(accum)
        var -= step
    return update


def _decay_mean(mean, target, rate):
    """mean += (target - mean) * rate, with `target` a scratch array the call may overwrite."""
    target -= mean
    target *= rate
    mean += target


def _rms_step(xp, mom, momentum, grad, lr, denominator):
    """mom = mom * momentum + grad * lr / sqrt(denominator); `denominator` is scratch."""
    xp.sqrt(denominator, out=denominator)
    step = grad * lr
    step /= denominator
    mom *= momentum
    mom += step


@_register("ApplyRMSProp")
def _rms_prop(xp, attr):
    def update(var, ms, mom, lr, rho, momentum, epsilon, grad):
        _decay_mean(ms, xp.square(grad), 1 - rho)
        _rms_step(xp, mom, momentum, grad, lr, ms + epsilon)
        var -= mom
    return update


@_register("ApplyCenteredRMSProp")
def _centered_rms_prop(xp, attr):
    def update(var, mg, ms, mom, lr, rho, momentum, epsilon, grad):
        _decay_mean(ms, xp.square(grad), 1 - rho)
        _decay_mean(mg, grad.copy(), 1 - rho)
        denominator = ms - xp.square(mg)
        denominator += epsilon
        _rms_step(xp, mom, momentum, grad, lr, denominator)
        var -= mom
    return update


@_register("ApplyAdam")
def _adam(xp, attr):
    nesterov = attr("use_nesterov")

    def update(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
        alpha = lr * xp.sqrt(1 - beta2_power) / (1 - beta1_power)
        _decay_mean(m, grad.copy(), 1 - beta1)
        _decay_mean(v, xp.square(grad), 1 - beta2)
        if nesterov:
            step = grad * (1 - beta1)
            step += m * beta1
            step *= alpha
        else:
            step = m * alpha
        denominator = xp.sqrt(v)
        denominator += epsilon
        step /= denominator
        var -= step
    return update


def _ftrl_rule(xp, attr, shrinkage):
    """FTRL-Proximal; with `shrinkage` (ApplyFtrlV2) the linear term sees grad + 2 * l2_shrinkage * var."""
    by_lr = attr("multiply_linear_by_lr")

    def update(var, accum, linear, grad, lr, l1, l2, *rest):
        l2_shrinkage, lr_power = rest if shrinkage else (None, rest[0])
        new_accum = accum + xp.square(grad)
        if lr_power == -0.5:
            new_power, old_power = xp.sqrt(new_accum), xp.sqrt(accum)
        else:
            new_power, old_power = new_accum ** -lr_power, accum ** -lr_power
        sigma = new_power - old_power
        linear_grad = grad + 2 * l2_shrinkage * var if shrinkage else grad
        if by_lr:
            sigma *= var
            linear += linear_grad * lr - sigma
            bound, denominator = l1 * lr, new_power + 2 * l2 * lr
        else:
            sigma /= lr
            sigma *= var
            linear += linear_grad - sigma
            bound, denominator = l1, new_power / lr + 2 * l2
        # Zero where |linear| <= l1, else (l1 * sign(linear) - linear) / denominator.
        shrunk = xp.clip(linear, -bound, bound)
        shrunk -= linear
        xp.divide(shrunk, denominator, out=var)
        accum[...] = new_accum
    return update


@_register("ApplyFtrl")
def _ftrl(xp, attr):
    return _ftrl_rule(xp, attr, shrinkage=False)


@_register("ApplyFtrlV2")
def _ftrl_v2(xp, attr):
    return _ftrl_rule(xp, attr, shrinkage=True)


# ======================================================================================
# Adadelta and the proximal (l1/l2-shrinking) updates
# ======================================================================================
@_register("ApplyAdadelta")
def _adadelta(xp, attr):
    def update(var, accum, accum_update, lr, rho, epsilon, grad):
        _decay_mean(accum, xp.square(grad), 1 - rho)
        step = xp.sqrt(accum_update + epsilon)
        step /= xp.sqrt(accum + epsilon)
        step *= grad
        _decay_mean(accum_update, xp.square(step), 1 - rho)
        step *= lr
        var -= step
    return update


def _proximal_step(xp, var, step, rate, l1, l2):
    """var = shrink(var - step) / (1 + rate * l2), where shrink moves each entry toward zero by
    rate * l1 and stops at zero (plain var - step when l1 <= 0, as TF branches)."""
    var -= step
    if l1 > 0:
        shrunk = xp.abs(var)
        shrunk -= rate * l1
        xp.maximum(shrunk, 0, out=shrunk)
        shrunk *= xp.sign(var)
        var[...] = shrunk
    var /= 1 + rate * l2


@_register("ApplyProximalGradientDescent")
def _proximal_gradient_descent(xp, attr):
    def update(var, alpha, l1, l2, delta):
        _proximal_step(xp, var, alpha * delta, alpha, l1, l2)
    return update


@_register("ApplyProximalAdagrad")
def _proximal_adagrad(xp, attr):
    def update(var, accum, lr, l1, l2, grad):
        accum += xp.square(grad)
        rate = lr / xp.sqrt(accum)
        _proximal_step(xp, var, grad * rate, rate, l1, l2)
    return update
