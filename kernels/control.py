"""Kernels of the control-flow ops. DEAD marks the untaken side of a Switch."""
import numpy

from minitf.framework import errors
from minitf.runtime.dead import DEAD
from minitf.runtime.devices import to_host
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")


@register_kernel("NoOp", devices=_BOTH, type_attr=None)
def no_op(ctx):
    return lambda: None


def _switch(ctx):
    def compute(data, pred):
        return (DEAD, data) if pred else (data, DEAD)
    return compute


register_kernel("Switch", devices=_BOTH)(_switch)
register_kernel("RefSwitch", devices=_BOTH)(_switch)


@register_kernel("Merge", devices=_BOTH)
def merge(ctx):
    def compute(*inputs):
        for index, value in enumerate(inputs):
            if value is not DEAD:
                return value, numpy.int32(index)
        return DEAD, DEAD
    return compute


def _summarize(value, summarize):
    """TF's rendering of assertion data: "[1 2 3...]", strings as text."""
    array = numpy.asarray(to_host(value))
    items = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in array.ravel()]
    return "[" + " ".join(items[:summarize]) + ("..." if len(items) > summarize else "") + "]"


@register_kernel("Assert", devices=_BOTH, type_attr=None)
def assert_(ctx):
    summarize = ctx.attr("summarize")

    def compute(condition, *data):
        if not condition:
            raise ctx.error("assertion failed: " + " ".join(_summarize(d, summarize) for d in data),
                            errors.InvalidArgumentError)
    return compute
