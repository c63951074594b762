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

import contextlib

import numpy

from minitf.kernels.state import occurrence_rounds, writable
from minitf.ops.training_ops import _FULL_INPUTS, _TRAINING_OPS, SPARSE_TRAINING_OPS
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")


@contextlib.contextmanager
def _holding(refs):
    """Holds the locks of the given storages, taken in one global order (as TF orders its
    mutexes), so two updates of the same variables never wait on each other in a cycle."""
    locks = [ref.lock for ref in sorted(set(refs), key=id)]
    for lock in locks:
        lock.acquire()
    try:
        yield
    finally:
        for lock in reversed(locks):
            lock.release()


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
    # The same positions among the tensor inputs alone (after the refs).
    full_tensors = tuple(i - num_refs for i in full)
    scalar_tensors = tuple(i - num_refs for i in scalars)

    def factory(ctx):
        xp, op = ctx.xp, ctx.op
        update = rule(xp, ctx.op.get_attr)

        def shape_error(i, shape, other):
            if i in scalars:
                return ctx.error(f"{names[i]} is not a scalar: {_shape_text(other)}")
            return ctx.error(f"var and {names[i]} do not have the same shape{_shape_text(shape)} "
                             f"{_shape_text(other)}")

        def apply(inputs):
            arrays = [writable(ref, op, xp) for ref in inputs[:num_refs]]
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
            with _holding(inputs[:num_refs]):
                apply(inputs)
            return inputs[0]

        def compute_one(ref, *tensors):
            """The one-variable ops (SGD, the proximal descent) on the fast path a training step
            takes every time: a stored array of the tensors' shape, updated in place."""
            with ref.lock:
                array = writable(ref, op, xp)
                shape = array.shape
                regular = bool(shape)
                for i in full_tensors:
                    regular = regular and tensors[i].shape == shape
                for i in scalar_tensors:
                    regular = regular and not tensors[i].shape
                if regular:
                    update(array, *tensors)
                    ref.value = array
                else:  # a scalar variable or a shape error: the general path says which
                    apply((ref, *tensors))
            return ref
        return compute_one if num_refs == 1 else compute
    return factory
    return factory


_RULES = {}  # dense op type: its rule (the sparse ops reuse them on the rows they update)


def _register(op_type):
    def decorate(rule):
        register_kernel(op_type, devices=_BOTH)(_training_kernel(op_type, rule))
        _RULES[op_type] = rule
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


# ======================================================================================
# The sparse forms: the dense rule applied to the rows `indices` names
# ======================================================================================
def _sparse_training_kernel(op_type):
    """A factory for a SparseApply* op: the named rows of the variable and its slots are taken
    out, updated by the dense op's rule with `grad` as their gradient, and put back. TF's
    kernels update the rows one index after another, so a repeated index is updated twice, the
    second time from the first update's result: rows are taken in rounds, each holding an index
    at most once (optimizers sum repeated rows first, so they take one round)."""
    _, ref_names, tensor_names, _, dense_type = SPARSE_TRAINING_OPS[op_type]
    num_refs = len(ref_names)
    grad_at, indices_at = tensor_names.index("grad"), tensor_names.index("indices")
    rule_inputs = [i for i in range(len(tensor_names)) if i != indices_at]

    def factory(ctx):
        xp, op = ctx.xp, ctx.op
        update = _RULES[dense_type](xp, op.get_attr)

        def check(arrays, tensors):
            var, grad, indices = arrays[0], tensors[grad_at], tensors[indices_at]
            if var.ndim < 1:
                raise ctx.error(f"var must be at least 1 dimensional: {_shape_text(var.shape)}")
            for name, array in zip(ref_names[1:], arrays[1:]):
                if array.shape != var.shape:
                    raise ctx.error(f"var and {name} do not have the same shape{_shape_text(var.shape)} "
                                    f"{_shape_text(array.shape)}")
            if indices.ndim != 1:
                raise ctx.error(f"indices must be one-dimensional: {_shape_text(indices.shape)}")
            if grad.shape[1:] != var.shape[1:] or grad.ndim != var.ndim:
                raise ctx.error(f"var and grad must match in dimension 1 and beyond: {_shape_text(var.shape)} "
                                f"{_shape_text(grad.shape)}")
            if grad.shape[0] != indices.shape[0]:
                raise ctx.error(f"grad must be the same size as indices in the first dimension: "
                                f"{grad.shape[0]} vs {indices.shape[0]}")
            for i, t in enumerate(tensors):
                if i not in (grad_at, indices_at) and xp.ndim(t):
                    raise ctx.error(f"{tensor_names[i]} is not a scalar: {_shape_text(t.shape)}")
            bad = xp.nonzero((indices < 0) | (indices >= var.shape[0]))[0]
            if len(bad):
                offset = int(bad[0])
                raise ctx.error(f"Index {int(indices[offset])} at offset {offset} in indices is out of range")

        def apply(refs, tensors):
            arrays = [writable(ref, op, xp) for ref in refs]
            tensors = list(tensors)
            tensors[indices_at] = xp.asarray(tensors[indices_at])  # int32 indices arrive in host memory
            check(arrays, tensors)
            indices = tensors[indices_at]
            for positions in occurrence_rounds(xp, indices):
                rows = indices[positions]
                taken = [array[rows] for array in arrays]
                args = [tensors[i][positions] if i == grad_at else tensors[i] for i in rule_inputs]
                update(*taken, *args)
                for array, updated in zip(arrays, taken):
                    array[rows] = updated
            for ref, array in zip(refs, arrays):
                ref.value = array

        def compute(*inputs):
            with _holding(inputs[:num_refs]):
                apply(inputs[:num_refs], inputs[num_refs:])
            return inputs[0]
        return compute
    return factory


for _sparse_type in SPARSE_TRAINING_OPS:
    register_kernel(_sparse_type, devices=_BOTH)(_sparse_training_kernel(_sparse_type))
