"""Kernel of LinSpace (minitf/ops/sequence_ops.py), written once against `ctx.xp`."""
from minitf.runtime.kernel_registry import register_kernel


@register_kernel("LinSpace", devices=("CPU", "GPU"))
def lin_space(ctx):
    xp, dtype = ctx.xp, ctx.attr("T").as_numpy_dtype

    def compute(start, stop, num):
        for name, value in (("start", start), ("stop", stop), ("num", num)):
            if getattr(value, "ndim", 0):
                raise ctx.error(f"{name} must be a scalar, not shape {list(value.shape)}")
        count = int(num)
        if count <= 0:
            raise ctx.error(f"Requires num > 0: {count}")
        start, stop = dtype(start.item()), dtype(stop.item())
        if count == 1:
            return xp.full((1,), start, dtype=dtype)
        # start + i * step in the op's dtype, as TF1's kernel computes every entry
        step = dtype((stop - start) / dtype(count - 1))
        return xp.arange(count, dtype=dtype) * step + start
    return compute
