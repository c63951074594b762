"""Kernels, registered per op type and device type, separately from the op declarations.

A kernel is a factory `factory(ctx) -> compute`, called once per (session, op, device). `compute`
takes the op's input values positionally and returns its single output value, a tuple of values
when the op has several outputs, or None when it has none. A factory may instead return
`Constant(value)`: the plan then uses `value` directly (Const, a variable's storage) with no call.
Most factories are written once against `ctx.xp` (NumPy or CuPy) and registered for CPU and GPU.
"""
import numpy

from minitf.framework import dtypes, errors


def scalar_or_array(value):
    """How the runtime carries a value: 0-d numbers as NumPy scalars (fast scalar arithmetic),
    everything else, 0-d strings included, as arrays (kernels rely on .shape and .ndim)."""
    if not hasattr(value, "ndim"):  # an element taken out of a string array: bytes
        return numpy.array(value, dtype=object)
    return value[()] if value.ndim == 0 and value.dtype.kind != "O" else value


def string_value(value):
    """The bytes of a scalar string value (a 0-d string array, or bytes/str already)."""
    if getattr(value, "ndim", None) == 0:
        value = value[()]
    return value.encode() if isinstance(value, str) else bytes(value)


class Constant:
    """What a factory returns for an op whose single output never changes within a session."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class KernelContext:
    """What a kernel factory may use: the op, its device, the array module and the session state."""

    def __init__(self, op, device, resources, session):
        self.op = op
        self.device = device
        self.xp = device.xp
        self.resources = resources
        self.session = session

    def attr(self, name):
        return self.op.get_attr(name)

    def error(self, message, error_class=errors.InvalidArgumentError):
        return error_class(None, self.op, message)


_KERNELS = {}


def register_kernel(op_type, devices=("CPU",), dtypes=None, type_attr="T"):
    """Decorator registering a kernel factory for `op_type` on each device type in `devices`.

    `dtypes` limits the kernel to ops whose `type_attr` attr is one of them (None: any).
    """
    def decorate(factory):
        for device_type in devices:
            _KERNELS.setdefault((op_type, device_type), []).append(
                (frozenset(dtypes) if dtypes is not None else None, type_attr, factory))
        return factory
    return decorate


# TF1 keeps int32 tensors in host memory: its GPU kernels either take no int32/string data or
# produce their int32 outputs in host memory. Here, ops producing int32 or string values run on
# the CPU (an explicit GPU pin fails unless soft placement is on), except these, whose GPU
# kernels hand their int32 outputs to host memory (the plan moves them there).
_HOST_ONLY_DTYPES = frozenset([dtypes.int32, dtypes.string])
_HOST_MEMORY_OUTPUT_OPS = frozenset(["Const", "Shape", "ShapeN", "Size", "Rank", "Merge"])


# The type attrs that say what data an op computes on (not its shapes, axes or indices).
_DATA_TYPE_ATTRS = ("T", "SrcT", "Tparams")


def find_kernel(op, device_type):
    """The kernel factory for `op` on `device_type`, or None when there is none for its dtype.
    On a GPU, an op computing on int32 or string data has none (TF1 registers no such GPU
    kernels): its values live in host memory."""
    if device_type == "GPU" and op.type not in _HOST_MEMORY_OUTPUT_OPS and (
            any(t.base_dtype in _HOST_ONLY_DTYPES for t in op._output_dtypes) or
            any(isinstance(op._attrs.get(a), dtypes.DType) and op._attrs[a] in _HOST_ONLY_DTYPES
                for a in _DATA_TYPE_ATTRS)):
        return None
    for allowed, type_attr, factory in _KERNELS.get((op.type, device_type), ()):
        if allowed is None or op._attrs.get(type_attr) in allowed:
            return factory
    return None


def in_host_memory(tensor):
    """Whether a GPU op receives this input in host memory (int32 shapes, axes, indices)."""
    return tensor.dtype.base_dtype in _HOST_ONLY_DTYPES


def produced_in_host_memory(tensor):
    """Whether a GPU op's kernel leaves this output in host memory: shape vectors (Shape, ShapeN,
    Size, Rank: any dtype) and the int32/string outputs of the other host-output ops."""
    op_type = tensor.op.type
    return op_type in ("Shape", "ShapeN", "Size", "Rank") or \
        (op_type in _HOST_MEMORY_OUTPUT_OPS and in_host_memory(tensor))


def has_kernel(op_type, device_type):
    return (op_type, device_type) in _KERNELS


def registered_kernel_types():
    return {op_type for op_type, _ in _KERNELS}
