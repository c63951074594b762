"""Kernels of the ops that gradients build: StopGradient and BroadcastGradientArgs."""
import numpy

from minitf.ops.gradients_impl import broadcast_gradient_args
from minitf.runtime.codegen import identity
from minitf.runtime.kernel_registry import register_kernel

register_kernel("StopGradient", devices=("CPU", "GPU"))(lambda ctx: identity)


# Shapes live in host memory (TF1 keeps int32 shape tensors on the host), so this is NumPy-only.
@register_kernel("BroadcastGradientArgs", devices=("CPU", "GPU"))
def broadcast_args(ctx):
    numpy_type = ctx.attr("T").as_numpy_dtype

    def compute(s0, s1):
        r0, r1 = broadcast_gradient_args(s0, s1)
        return numpy.array(r0, numpy_type), numpy.array(r1, numpy_type)
    return compute
