"""Kernels of the array ops, written once against `ctx.xp`."""
from minitf.runtime.codegen import identity
from minitf.runtime.kernel_registry import Constant, register_kernel

_BOTH = ("CPU", "GPU")


@register_kernel("Placeholder", devices=_BOTH, type_attr="dtype")
def placeholder(ctx):
    op = ctx.op
    dtype = op.get_attr("dtype")
    shape = op.get_attr("shape")
    shape_text = "<unknown>" if shape.dims is None else \
        "[" + ",".join("?" if d.value is None else str(d.value) for d in shape.dims) + "]"
    message = (f"You must feed a value for placeholder tensor '{op.name}' with dtype "
               f"{_tf_type_name(dtype)} and shape {shape_text}")

    def compute():
        raise ctx.error(message)
    return compute


def _tf_type_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name, dtype.name)


register_kernel("PlaceholderWithDefault", devices=_BOTH, type_attr="dtype")(lambda ctx: identity)
register_kernel("Identity", devices=_BOTH)(lambda ctx: identity)


@register_kernel("Const", devices=_BOTH, type_attr="dtype")
def const(ctx):
    value = ctx.xp.asarray(ctx.attr("value"))
    # 0-d values travel as NumPy scalars: scalar arithmetic is several times faster on them.
    return Constant(value[()] if value.ndim == 0 else value)
