"""Kernels of the math ops, written once against `ctx.xp`. Plain operators are inlined by the plan."""
import operator

from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")


def _operator(function):
    return lambda ctx: function


for _op_type, _function in {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul,
                            "RealDiv": operator.truediv, "Less": operator.lt, "LessEqual": operator.le,
                            "Greater": operator.gt, "GreaterEqual": operator.ge, "Neg": operator.neg,
                            "Pow": operator.pow}.items():
    register_kernel(_op_type, devices=_BOTH)(_operator(_function))


def _integer_division(ctx, function):
    """Integer division and modulo fail on a zero divisor, as TF1's CPU kernels do."""
    xp = ctx.xp
    if not ctx.attr("T").is_integer:
        return function

    def compute(x, y):
        if not xp.all(y):
            raise ctx.error("Integer division by zero")
        return function(x, y)
    return compute


register_kernel("FloorDiv", devices=_BOTH)(lambda ctx: _integer_division(ctx, ctx.xp.floor_divide))
register_kernel("FloorMod", devices=_BOTH)(lambda ctx: _integer_division(ctx, ctx.xp.mod))


@register_kernel("Cast", devices=_BOTH, type_attr="SrcT")
def cast(ctx):
    target = ctx.attr("DstT").as_numpy_dtype
    xp = ctx.xp
    return lambda x: xp.asarray(x).astype(target)[()] if getattr(x, "ndim", 1) == 0 else x.astype(target)


register_kernel("LogicalAnd", devices=_BOTH, type_attr=None)(lambda ctx: ctx.xp.logical_and)
register_kernel("LogicalOr", devices=_BOTH, type_attr=None)(lambda ctx: ctx.xp.logical_or)
register_kernel("LogicalNot", devices=_BOTH, type_attr=None)(lambda ctx: ctx.xp.logical_not)
register_kernel("Equal", devices=_BOTH)(lambda ctx: ctx.xp.equal)
register_kernel("NotEqual", devices=_BOTH)(lambda ctx: ctx.xp.not_equal)
