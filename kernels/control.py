"""Kernels of the control-flow ops. DEAD marks the untaken side of a Switch."""
import numpy

from minitf.runtime.dead import DEAD
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
