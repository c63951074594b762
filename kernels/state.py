"""Kernels of the variable ops. A variable's value lives in a VariableStorage in the session's
resource manager; updates replace the stored array, so values read earlier in a step stay valid."""
import threading

from minitf.framework import errors
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
    import numpy
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
