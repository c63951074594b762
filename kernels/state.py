"""Kernels of the variable ops. A variable's value lives in a VariableStorage in the session's
resource manager; updates replace the stored array, so values read earlier in a step stay valid.
The scatter ops and the training ops (kernels/training.py) update the stored array in place when
nothing else holds it (`writable`), so they never copy a large variable to change one row."""
import sys
import threading

import numpy

from minitf.framework import errors
from minitf.kernels.array import check_indices
from minitf.kernels.math import scatter_at, truncate_divide
from minitf.ops.array_static import dims_text
from minitf.runtime.kernel_registry import Constant, register_kernel


class VariableStorage:
    """The mutable slot behind a VariableV2 op: `value` is None until the variable is initialized."""

    __slots__ = ("name", "value", "lock")

    def __init__(self, name):
        self.name = name
        self.value = None
        self.lock = threading.Lock()

    def read(self, op):
        value = self.value
        if value is None:
            raise errors.FailedPreconditionError(None, op, f"Attempting to use uninitialized value {self.name}")
        return value


# ======================================================================================
# Taking the stored arrays for an in-place update
# ======================================================================================
def _references(value):
    return sys.getrefcount(value)


def _unshared_count():
    """What `_references` reports for a stored array that only its storage holds, measured
    through the same frame layout `writable` uses (so it holds on any CPython version)."""
    ref = VariableStorage("probe")
    ref.value = numpy.zeros(1)
    value = ref.value
    return _references(value)


_UNSHARED = _unshared_count()


def writable(ref, op, xp):
    """The array behind `ref` to update in place: the stored one when only the storage holds
    it, else a private copy (0-d for a scalar variable)."""
    value = ref.value
    if value is None:
        ref.read(op)  # raises FailedPreconditionError
    if (_references(value) <= _UNSHARED and value.base is None and value.ndim
            and getattr(value.flags, "writeable", True)):
        return value
    return xp.array(value, copy=True)



@register_kernel("VariableV2", devices=("CPU", "GPU"), type_attr="dtype")
def variable(ctx):
    name = ctx.attr("shared_name") or ctx.op.name
    return Constant(ctx.resources.lookup_or_create(ctx.attr("container"), name,
                                                   lambda: VariableStorage(ctx.op.name)))


@register_kernel("Assign", devices=("CPU", "GPU"))
def assign(ctx):
    xp, validate = ctx.xp, ctx.attr("validate_shape")
    # An uninitialized variable is checked against the shape it was declared with.
    static = ctx.op.inputs[0].shape
    declared = tuple(static.as_list()) if static.is_fully_defined() else None

    def compute(ref, value):
        current = ref.value.shape if ref.value is not None else declared
        if validate and current is not None and tuple(current) != value.shape:
            raise ctx.error(f"Assign requires shapes of both tensors to match. lhs shape= "
                            f"{list(current)} rhs shape= {list(value.shape)}")
        # Copy: the variable must not alias a feed or a constant that the caller still owns.
        ref.value = value if isinstance(value, xp.generic) else xp.array(value, copy=True)
        return ref
    return compute


def _update_kernel(update):
    def factory(ctx):
        op = ctx.op

        def compute(ref, value):
            with ref.lock:
                current = ref.read(op)
                result = update(current, value)
                if result.shape != current.shape:
                    raise ctx.error(f"Cannot update variable with shape {list(current.shape)} using a "
                                    f"Tensor with shape {list(value.shape)}, shapes must be equal.")
                ref.value = result.astype(current.dtype, copy=False)
            return ref
        return compute
    return factory


register_kernel("AssignAdd", devices=("CPU", "GPU"))(_update_kernel(lambda a, b: a + b))
register_kernel("AssignSub", devices=("CPU", "GPU"))(_update_kernel(lambda a, b: a - b))


@register_kernel("IsVariableInitialized", devices=("CPU", "GPU"), type_attr="dtype")
def is_variable_initialized(ctx):
    return lambda ref: numpy.bool_(ref.value is not None)


@register_kernel("CountUpTo", devices=("CPU", "GPU"))
def count_up_to(ctx):
    limit, op = ctx.attr("limit"), ctx.op

    def compute(ref):
        with ref.lock:  # several queue-runner threads count at once
            before = ref.read(op)
            if before >= limit:
                raise ctx.error(f"Reached limit of {limit}", errors.OutOfRangeError)
            ref.value = before + before.dtype.type(1)
        return before
    return compute


# ======================================================================================
# The scatter ops: TF's checks, then one in-place row update per op type
# ======================================================================================
def _scatter_kernel(scatter):
    """A factory running `scatter(ctx)(target, indices, updates)`, which updates `target`'s rows in
    place, on the variable's array. It holds the variable's lock whatever `use_locking` says, for
    the reason kernels/training.py gives."""
    def factory(ctx):
        xp, op = ctx.xp, ctx.op
        apply = scatter(ctx)

        def compute(ref, indices, updates):
            indices = xp.asarray(indices)  # int32 indices reach a GPU kernel in host memory
            with ref.lock:
                target = writable(ref, op, xp)
                _check_scatter(ctx, target, indices, updates)
                if indices.size:
                    apply(target, indices, updates)
                ref.value = target
            return ref
        return compute
    return factory


def _check_scatter(ctx, params, indices, updates):
    """TF1's checks, in its order, so a bad update fails before it changes any row."""
    if params.ndim == 0:
        raise ctx.error(f"params must be at least 1-D, got shape {dims_text(params.shape)}")
    if updates.ndim and updates.shape != indices.shape + params.shape[1:]:
        raise ctx.error("Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = [], "
                        f"got updates.shape {dims_text(updates.shape)}, indices.shape "
                        f"{dims_text(indices.shape)}, params.shape {dims_text(params.shape)}")
    check_indices(ctx, indices, params.shape[0])


def occurrence_rounds(xp, indices):
    """Positions into the vector `indices`, in rounds that hold each index at most once, each in
    order: the k-th round has every index's k-th occurrence. Updating row by row in these rounds
    is updating one index after another, as TF's CPU kernels do, with one vectorized step a round."""
    count = len(indices)
    if count == 0:
        return []
    order = xp.argsort(indices, kind="stable")
    ordered = indices[order]
    # Where each index's run starts in the sorted order: the rank of an occurrence is its
    # distance from there (searchsorted, not a ufunc accumulate, which CuPy lacks).
    group_start = xp.searchsorted(ordered, ordered, side="left")
    occurrence = xp.empty(count, dtype=xp.int64)
    occurrence[order] = xp.arange(count) - group_start
    if not bool(occurrence.any()):
        return [xp.arange(count)]
    return [xp.nonzero(occurrence == k)[0] for k in range(int(occurrence.max()) + 1)]


def _in_turn(xp, function):
    """`target[i] = function(target[i], update)` for each (i, update) in order, for a `function`
    with no `.at`: each occurrence round is one fancy-indexed step (so it runs on any xp)."""
    def apply(target, indices, updates):
        rows = target.shape[1:]
        updates = xp.broadcast_to(updates, indices.shape + rows).reshape((indices.size,) + rows)
        indices = indices.reshape(-1)
        for chosen in occurrence_rounds(xp, indices):
            named = indices[chosen]
            target[named] = function(target[named], updates[chosen])
    return apply


def _assign_rows(ctx):
    """ScatterUpdate. For an index named twice NumPy keeps the last write, as TF1's CPU kernel
    does; CuPy, like TF's GPU kernel, keeps any one of them."""
    def apply(target, indices, updates):
        target[indices] = updates
    return apply


def _accumulate(name, cupyx_name=None, negate=False):
    """An update by ufunc `name`. NumPy's `ufunc.at` applies an index named twice once per
    occurrence, in order, as TF1's CPU kernels do; on CuPy an atomic cupyx scatter (when
    `cupyx_name` says there is one; of the negated updates with `negate`) does it in any order, as
    TF's GPU kernels do, else `_in_turn`."""
    def scatter(ctx):
        xp = ctx.xp
        if xp is numpy:
            return getattr(numpy, name).at
        if cupyx_name is None:
            return _in_turn(xp, getattr(xp, name))
        ufunc = "add" if negate else name
        return lambda target, indices, updates: scatter_at(xp, ufunc, target, indices,
                                                           -updates if negate else updates)
    return scatter


def _divide(ctx):
    """ScatterDiv: true division of floats; for integers C's truncating division, which no ufunc
    has an `.at` for (so `_in_turn`), failing on a zero divisor as tf.div does (TF1's kernel crashes
    the process)."""
    xp = ctx.xp
    if not ctx.attr("T").is_integer:
        return _accumulate("divide")(ctx)
    divide = _in_turn(xp, truncate_divide(xp))

    def apply(target, indices, updates):
        if not xp.all(updates):
            raise ctx.error("Integer division by zero")
        divide(target, indices, updates)
    return apply


_SCATTER_KERNELS = {
    "ScatterUpdate": _assign_rows,
    "ScatterAdd": _accumulate("add", "scatter_add"),
    "ScatterSub": _accumulate("subtract", "scatter_add", negate=True),
    "ScatterMul": _accumulate("multiply"),
    "ScatterDiv": _divide,
    "ScatterMin": _accumulate("minimum", "scatter_min"),
    "ScatterMax": _accumulate("maximum", "scatter_max"),
}
for _op_type, _scatter in _SCATTER_KERNELS.items():
    register_kernel(_op_type, devices=("CPU", "GPU"))(_scatter_kernel(_scatter))
