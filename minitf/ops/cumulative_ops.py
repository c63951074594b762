"""Cumulative (scan) ops: TF1 `tf.cumsum` and `tf.cumprod` along one axis, optionally exclusive
(each entry leaves itself out) and/or reversed (accumulating from the end)."""
from minitf.framework import dtypes
from minitf.framework.common_shapes import unchanged
from minitf.framework.op_def import TypeAttr, define_op
from minitf.ops.op_builder import apply_op

__all__ = ["cumsum", "cumprod"]

# TF1's shape function is UnchangedShape: a bad axis is only found by the kernel.
for _op_type in ("Cumsum", "Cumprod"):
    define_op(_op_type, inputs=["x: T", "axis: Tidx"], outputs=["out: T"],
              attrs={"T": TypeAttr(dtypes.NUMBERS), "Tidx": TypeAttr(dtypes.INDEX, default=dtypes.int32),
                     "exclusive": False, "reverse": False},
              shape=unchanged)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """TF1 `tf.cumsum`: running sums along `axis`; tf.cumsum([a, b, c], exclusive=True) is
    [0, a, a + b] and with reverse=True [b + c, c, 0]."""
    return apply_op("Cumsum", x, axis, exclusive=exclusive, reverse=reverse, name=name or "Cumsum")


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """TF1 `tf.cumprod`: running products along `axis`; tf.cumprod([a, b, c], exclusive=True) is
    [1, a, a * b] and with reverse=True [b * c, c, 1]."""
    return apply_op("Cumprod", x, axis, exclusive=exclusive, reverse=reverse, name=name or "Cumprod")
