"""Kernels of the scan ops Cumsum and Cumprod, written once against `ctx.xp`.

An exclusive scan is the inclusive scan of the input shifted one step along the axis, with the
reduction's identity (0 or 1) coming in first; a reverse scan is the scan of the flipped input,
flipped back.
"""
import numpy

from minitf.ops.array_static import dims_text
from minitf.runtime.kernel_registry import register_kernel

_SCANS = {"Cumsum": ("cumsum", 0), "Cumprod": ("cumprod", 1)}  # op type -> (xp function, identity)


def _scan_axis(ctx, x, axis):
    """The non-negative scan axis; TF1's messages for a non-scalar or out-of-range one."""
    if numpy.ndim(axis) != 0:
        raise ctx.error(f"ScanOp: axis must be a scalar, not {dims_text(numpy.shape(axis))}")
    rank, value = numpy.ndim(x), int(axis)
    if value < 0:
        value += rank
    if not 0 <= value < rank:
        raise ctx.error(f"ScanOp: Expected scan axis in the range [{-rank}, {rank}), but got {value}")
    return value


def _shifted(xp, x, axis, identity):
    """x moved one step along `axis`: the identity first, the last entry dropped."""
    first = xp.full(x.shape[:axis] + (1,) + x.shape[axis + 1:], identity, dtype=x.dtype)
    padded = xp.concatenate([first, x], axis=axis)
    return padded[(slice(None),) * axis + (slice(0, x.shape[axis]),)]


def _scan_kernel(function_name, identity):
    def factory(ctx):
        xp, exclusive, reverse = ctx.xp, ctx.attr("exclusive"), ctx.attr("reverse")
        scan = getattr(xp, function_name)

        def compute(x, axis):
            axis = _scan_axis(ctx, x, axis)
            x = xp.asarray(x)
            if reverse:
                x = xp.flip(x, axis)
            if exclusive:
                x = _shifted(xp, x, axis, identity)
            result = scan(x, axis=axis, dtype=x.dtype)  # NumPy would widen small integers
            return xp.flip(result, axis) if reverse else result
        return compute
    return factory


for _op_type, (_function, _identity) in _SCANS.items():
    register_kernel(_op_type, devices=("CPU", "GPU"))(_scan_kernel(_function, _identity))
