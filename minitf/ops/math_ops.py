"""Math ops: the elementwise family, comparisons, logic, reductions, matmul, casts (TF1 `tf.add`, ...).

The Tensor operator overloads (`+ - * / // % ** @`, comparisons, `& | ^ ~`, unary `-`, `abs`) are
installed at the bottom of this module, with TF1's naming: `x + 1.0` builds `add/y` and `add`.
"""
from minitf.framework import dtypes
from minitf.framework.common_shapes import broadcast, unchanged
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor import Tensor
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

# The public (tf.*) names of this module; keep it in step with the functions below.
__all__ = [
    "add", "subtract", "multiply", "realdiv", "div", "floordiv", "floormod", "truncatediv", "truncatemod",
    "pow", "maximum", "minimum", "squared_difference", "atan2", "truediv", "divide", "less", "less_equal",
    "greater", "greater_equal", "equal", "not_equal", "logical_and", "logical_or", "logical_not",
    "logical_xor", "negative", "cast",
]

# ======================================================================================
# Binary elementwise ops (NumPy broadcasting)
# ======================================================================================
_BINARY = {
    "Add": dtypes.NUMBERS | {dtypes.string}, "Sub": dtypes.NUMBERS, "Mul": dtypes.NUMBERS,
    "RealDiv": dtypes.NUMBERS, "Div": dtypes.NUMBERS, "FloorDiv": dtypes.REAL, "FloorMod": dtypes.REAL,
    "TruncateDiv": dtypes.INTEGERS, "TruncateMod": dtypes.REAL, "Pow": dtypes.NUMBERS,
    "Maximum": dtypes.REAL, "Minimum": dtypes.REAL, "SquaredDifference": dtypes.NUMBERS,
    "Atan2": dtypes.FLOATS,
}
for _op_type, _allowed in _BINARY.items():
    define_op(_op_type, inputs=["x: T", "y: T"], outputs=["z: T"], attrs={"T": TypeAttr(_allowed)},
              shape=broadcast)

_COMPARISONS = {"Less": dtypes.REAL, "LessEqual": dtypes.REAL, "Greater": dtypes.REAL,
                "GreaterEqual": dtypes.REAL, "Equal": dtypes.ALL, "NotEqual": dtypes.ALL}
for _op_type, _allowed in _COMPARISONS.items():
    define_op(_op_type, inputs=["x: T", "y: T"], outputs=["z: bool"], attrs={"T": TypeAttr(_allowed)},
              shape=broadcast, differentiable=False)

for _op_type in ("LogicalAnd", "LogicalOr"):
    define_op(_op_type, inputs=["x: bool", "y: bool"], outputs=["z: bool"], shape=broadcast,
              differentiable=False)
define_op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"], shape=unchanged, differentiable=False)


def add(x, y, name=None):
    return apply_op("Add", x, y, name=name or "Add")


def subtract(x, y, name=None):
    return apply_op("Sub", x, y, name=name or "Sub")


def multiply(x, y, name=None):
    return apply_op("Mul", x, y, name=name or "Mul")


def realdiv(x, y, name=None):
    return apply_op("RealDiv", x, y, name=name or "RealDiv")


def div(x, y, name=None):
    """TF1 `tf.div`: Python 2 division (floor for integers)."""
    return apply_op("Div", x, y, name=name or "Div")


def floordiv(x, y, name=None):
    return apply_op("FloorDiv", x, y, name=name or "FloorDiv")


def floormod(x, y, name=None):
    return apply_op("FloorMod", x, y, name=name or "FloorMod")


def truncatediv(x, y, name=None):
    return apply_op("TruncateDiv", x, y, name=name or "TruncateDiv")


def truncatemod(x, y, name=None):
    return apply_op("TruncateMod", x, y, name=name or "TruncateMod")


def pow(x, y, name=None):  # noqa: A001 - TF1's name
    return apply_op("Pow", x, y, name=name or "Pow")


def maximum(x, y, name=None):
    return apply_op("Maximum", x, y, name=name or "Maximum")


def minimum(x, y, name=None):
    return apply_op("Minimum", x, y, name=name or "Minimum")


def squared_difference(x, y, name=None):
    return apply_op("SquaredDifference", x, y, name=name or "SquaredDifference")


def atan2(y, x, name=None):
    return apply_op("Atan2", y, x, name=name or "Atan2")


# Integer inputs of true division are cast first, as TF1 does (int32 -> float64).
_TRUEDIV_CAST = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32, dtypes.int16: dtypes.float32,
                 dtypes.uint16: dtypes.float32, dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}


def truediv(x, y, name=None):
    """TF1 `tf.truediv`: `x / y` in floating point; integer inputs are cast first."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
        target = _TRUEDIV_CAST.get(x.dtype.base_dtype)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return realdiv(x, y, name=scope)


divide = truediv


def less(x, y, name=None):
    return apply_op("Less", x, y, name=name or "Less")


def less_equal(x, y, name=None):
    return apply_op("LessEqual", x, y, name=name or "LessEqual")


def greater(x, y, name=None):
    return apply_op("Greater", x, y, name=name or "Greater")


def greater_equal(x, y, name=None):
    return apply_op("GreaterEqual", x, y, name=name or "GreaterEqual")


def equal(x, y, name=None):
    return apply_op("Equal", x, y, name=name or "Equal")


def not_equal(x, y, name=None):
    return apply_op("NotEqual", x, y, name=name or "NotEqual")


def logical_and(x, y, name=None):
    return apply_op("LogicalAnd", x, y, name=name or "LogicalAnd")


def logical_or(x, y, name=None):
    return apply_op("LogicalOr", x, y, name=name or "LogicalOr")


def logical_not(x, name=None):
    return apply_op("LogicalNot", x, name=name or "LogicalNot")


def logical_xor(x, y, name="LogicalXor"):
    """TF1 `tf.logical_xor`: (x | y) & ~(x & y)."""
    with name_scope(name, "LogicalXor", [x, y]) as scope:
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=scope)


# ======================================================================================
# Unary ops, casts
# ======================================================================================
define_op("Neg", inputs=["x: T"], outputs=["y: T"], attrs={"T": TypeAttr(dtypes.NUMBERS)}, shape=unchanged)
define_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
          attrs={"SrcT": TypeAttr(), "DstT": TypeAttr(), "Truncate": False}, shape=unchanged)


def negative(x, name=None):
    return apply_op("Neg", x, name=name or "Neg")


def cast(x, dtype, name=None):
    """TF1 `tf.cast`; a no-op (the input itself) when the dtype already matches."""
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype.base_dtype == dtype:
        return x
    return apply_op("Cast", x, name=name or "Cast", DstT=dtype)


# ======================================================================================
# Operator overloads on Tensor (TF1's binary_op_wrapper naming and conversion rules)
# ======================================================================================
def _binary_overload(func, op_name):
    def forward(x, y):
        with name_scope(None, op_name, [x, y]) as scope:
            if not isinstance(y, Tensor):
                try:
                    y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
                except TypeError:
                    if hasattr(type(y), f"__r{op_name}__"):
                        return NotImplemented
                    raise
            return func(x, y, name=scope)

    def reverse(y, x):
        with name_scope(None, op_name, [x, y]) as scope:
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
            return func(x, y, name=scope)
    return forward, reverse


def _install_overloads():
    binary = {"add": add, "sub": subtract, "mul": multiply, "truediv": truediv, "floordiv": floordiv,
              "mod": floormod, "pow": pow, "and": logical_and, "or": logical_or, "xor": logical_xor}
    for op_name, func in binary.items():
        forward, reverse = _binary_overload(func, op_name)
        Tensor._override_operator(f"__{op_name}__", forward)
        Tensor._override_operator(f"__r{op_name}__", reverse)
    for op_name, func in {"lt": less, "le": less_equal, "gt": greater, "ge": greater_equal}.items():
        Tensor._override_operator(f"__{op_name}__", _binary_overload(func, op_name)[0])
    Tensor._override_operator("__neg__", lambda x: negative(x, name="Neg"))
    Tensor._override_operator("__invert__", lambda x: logical_not(x, name="LogicalNot"))


_install_overloads()
