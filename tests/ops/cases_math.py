"""Harness cases: the math family (elementwise, comparisons, logic, casts, reductions, matrix ops,
sums, clipping, numerics checks), each against a NumPy reference."""
import math

import numpy as np

import minitf as tf
from harness import FLOATS, INTS, REALS, OpCase, fixed, inputs_of, uniform
from minitf.ops.op_builder import apply_op

NUMERIC = FLOATS + INTS


def nonzero(shape, low=0.5, high=3.0):
    """Divisors: magnitudes in [low, high) (at least 1 for integers) with random signs."""
    def make(dtype, rng):
        magnitude = rng.uniform(low, high, size=shape)
        if dtype.is_integer:
            magnitude = np.maximum(np.round(magnitude), 1)
        return (magnitude * rng.choice([-1, 1], size=shape)).astype(dtype.as_numpy_dtype)
    return make


def booleans(shape):
    return lambda dtype, rng: rng.random(size=shape) > 0.5


def special_values(dtype, rng):
    return [np.array([[1.5, np.nan, np.inf], [-np.inf, 0.0, -2.0]], dtype.as_numpy_dtype)]


def _in_float64(function):
    """A reference computed in float64 from inputs of any dtype."""
    return lambda *arrays: function(*(a.astype(np.float64) for a in arrays))


def _truncated(x, y):
    return np.trunc(x / y).astype(x.dtype) if x.dtype.kind in "iu" else x / y


# ======================================================================================
# Binary elementwise ops, with broadcasting ((2, 3) against (3,) or (2, 1)) and 0-d values
# ======================================================================================
def _binary(op_type, build, reference, dtypes, y=uniform((3,)), x=uniform((2, 3)), name=""):
    return OpCase(op_type, build, inputs_of(x, y), reference, dtypes=dtypes, name=name)


_BINARY_CASES = [
    _binary("Add", tf.add, np.add, NUMERIC),
    _binary("Add", tf.add, np.add, REALS, x=uniform(()), y=uniform(()), name="Add-scalars"),
    _binary("Sub", tf.subtract, np.subtract, NUMERIC, y=uniform((2, 1))),
    _binary("Mul", tf.multiply, np.multiply, NUMERIC),
    _binary("Mul", lambda x, y: x * y, np.multiply, REALS, x=uniform(()), y=uniform((3,)), name="Mul-scalar"),
    _binary("RealDiv", tf.realdiv, np.true_divide, FLOATS, y=nonzero((3,))),
    _binary("RealDiv", tf.truediv, _in_float64(np.true_divide), INTS, y=nonzero((3,)), name="truediv-int"),
    _binary("Div", lambda x, y: apply_op("Div", x, y), _truncated, NUMERIC, y=nonzero((3,))),
    _binary("Div", lambda x, y: apply_op("Div", x, y), _truncated, INTS, x=uniform(()), y=nonzero(()),
            name="Div-scalars"),
    _binary("FloorDiv", tf.floordiv, np.floor_divide, NUMERIC, y=nonzero((2, 1))),
    _binary("FloorDiv", tf.div, np.floor_divide, INTS, y=nonzero((3,)), name="div-int"),
    _binary("FloorMod", tf.floormod, np.mod, NUMERIC, y=nonzero((3,))),
    _binary("TruncateDiv", tf.truncatediv, lambda x, y: np.trunc(x / y).astype(x.dtype), NUMERIC,
            y=nonzero((3,))),
    _binary("TruncateMod", tf.truncatemod, np.fmod, NUMERIC, y=nonzero((3,))),
    _binary("Pow", tf.pow, _in_float64(np.power), FLOATS, x=uniform((2, 3), 0.5, 2.0)),
    _binary("Pow", lambda x, y: x ** y, np.power, INTS, y=uniform((3,), 0, 3), name="Pow-int"),
    _binary("Maximum", tf.maximum, np.maximum, NUMERIC),
    _binary("Minimum", tf.minimum, np.minimum, NUMERIC, y=uniform((2, 1))),
    _binary("SquaredDifference", tf.squared_difference, _in_float64(lambda x, y: (x - y) ** 2), NUMERIC),
    _binary("Atan2", tf.atan2, _in_float64(np.arctan2), FLOATS),
]

_COMPARISON_CASES = [
    _binary(op_type, function, reference, REALS + extra)
    for op_type, function, reference, extra in [
        ("Less", tf.less, np.less, (tf.float16,)), ("LessEqual", tf.less_equal, np.less_equal, ()),
        ("Greater", tf.greater, np.greater, ()), ("GreaterEqual", tf.greater_equal, np.greater_equal, ()),
        ("Equal", tf.equal, np.equal, (tf.float16,)), ("NotEqual", tf.not_equal, np.not_equal, ()),
    ]
] + [
    _binary("Equal", tf.equal, np.equal, (tf.bool,), x=booleans((2, 3)), y=booleans((3,)), name="Equal-bool"),
    _binary("LogicalAnd", tf.logical_and, np.logical_and, (tf.bool,), x=booleans((2, 3)), y=booleans((3,))),
    _binary("LogicalOr", tf.logical_or, np.logical_or, (tf.bool,), x=booleans((2, 3)), y=booleans((2, 1))),
    OpCase("LogicalNot", tf.logical_not, inputs_of(booleans((2, 3))), np.logical_not, dtypes=(tf.bool,)),
    OpCase("LogicalAnd", tf.logical_xor, inputs_of(booleans((4,)), booleans((4,))), np.logical_xor,
           dtypes=(tf.bool,), name="logical_xor"),
]

# ======================================================================================
# Unary elementwise ops: (op type, tf function, float64 reference, input range, dtypes)
# ======================================================================================
_SIGNED = FLOATS + INTS
_UNARY_TABLE = [
    ("Neg", tf.negative, np.negative, (-2, 2), _SIGNED), ("Abs", tf.abs, np.abs, (-2, 2), _SIGNED),
    ("Sign", tf.sign, np.sign, (-2, 2), _SIGNED), ("Square", tf.square, np.square, (-3, 3), _SIGNED),
    ("Sqrt", tf.sqrt, np.sqrt, (0.1, 4), FLOATS),
    ("Rsqrt", tf.rsqrt, lambda x: 1 / np.sqrt(x), (0.1, 4), FLOATS),
    ("Exp", tf.exp, np.exp, (-2, 2), FLOATS), ("Expm1", tf.expm1, np.expm1, (-2, 2), FLOATS),
    ("Log", tf.log, np.log, (0.1, 4), FLOATS), ("Log1p", tf.log1p, np.log1p, (-0.5, 3), FLOATS),
    ("Sin", tf.sin, np.sin, (-3, 3), FLOATS), ("Cos", tf.cos, np.cos, (-3, 3), FLOATS),
    ("Tan", tf.tan, np.tan, (-1.2, 1.2), FLOATS), ("Asin", tf.asin, np.arcsin, (-0.95, 0.95), FLOATS),
    ("Acos", tf.acos, np.arccos, (-0.95, 0.95), FLOATS), ("Atan", tf.atan, np.arctan, (-3, 3), FLOATS),
    ("Sinh", tf.sinh, np.sinh, (-2, 2), FLOATS), ("Cosh", tf.cosh, np.cosh, (-2, 2), FLOATS),
    ("Tanh", tf.tanh, np.tanh, (-3, 3), FLOATS),
    ("Sigmoid", tf.sigmoid, lambda x: 1 / (1 + np.exp(-x)), (-8, 8), FLOATS),
    ("Reciprocal", tf.reciprocal, np.reciprocal, (0.5, 3), FLOATS),
    ("Floor", tf.floor, np.floor, (-3, 3), FLOATS), ("Ceil", tf.ceil, np.ceil, (-3, 3), FLOATS),
    ("Rint", tf.rint, np.rint, (-3, 3), FLOATS), ("Round", tf.round, np.round, (-3, 3), FLOATS),
    ("Erf", tf.erf, np.vectorize(math.erf), (-3, 3), FLOATS),
    ("Erfc", tf.erfc, np.vectorize(math.erfc), (-3, 5), FLOATS),
]
_UNARY_CASES = [
    OpCase(op_type, function, inputs_of(uniform((2, 3), low, high)), _in_float64(reference), dtypes=dtypes)
    for op_type, function, reference, (low, high), dtypes in _UNARY_TABLE
] + [
    OpCase("Round", tf.round, fixed(np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.7], np.float32)),
           lambda x: np.array([0, 2, 2, -0.0, -2, 4], np.float32), name="Round-half-to-even"),
    OpCase("Abs", abs, inputs_of(uniform(())), np.abs, dtypes=REALS, name="abs-operator-scalar"),
    OpCase("Sigmoid", tf.sigmoid, fixed(np.array([-100.0, 0.0, 100.0], np.float32)),
           lambda x: np.array([0.0, 0.5, 1.0]), name="Sigmoid-saturates"),
] + [
    OpCase(op_type, function, special_values, reference, dtypes=FLOATS)
    for op_type, function, reference in [("IsNan", tf.is_nan, np.isnan), ("IsInf", tf.is_inf, np.isinf),
                                         ("IsFinite", tf.is_finite, np.isfinite)]
]


# ======================================================================================
# Casts: the swept dtype is the source
# ======================================================================================
def _cast(target, inputs, dtypes, name, grad=None):
    return OpCase("Cast", lambda x: tf.cast(x, target), inputs, lambda x: x.astype(target.as_numpy_dtype),
                  dtypes=dtypes, name=name, grad=grad)


_CAST_CASES = [
    # To an integer: TF1 gives no gradient (and there is no float output to check one on).
    _cast(tf.int32, inputs_of(uniform((2, 3), -3, 3)), FLOATS + (tf.int64,), "Cast-to-int32", grad=False),
    # A float32 result is too coarse for finite differences at 1e-5; the float-to-float gradient
    # is checked exactly by the float64 case below and in test_math_grad.py.
    _cast(tf.float32, inputs_of(uniform((2, 3))), (tf.float64, tf.float16) + INTS, "Cast-to-float32", grad=False),
    OpCase("Cast", lambda x: apply_op("Cast", x, DstT=tf.float64), inputs_of(uniform((2, 3))), lambda x: x,
           dtypes=(tf.float64,), name="Cast-float64-to-float64"),
    _cast(tf.bool, fixed(np.array([-1.5, 0.0, 0.25, 3.0], np.float32)), (tf.float32,), "Cast-to-bool"),
    _cast(tf.float64, inputs_of(booleans((2, 3))), (tf.bool,), "Cast-from-bool"),
    _cast(tf.int64, inputs_of(uniform(())), (tf.float32, tf.int32), "Cast-scalar"),
    OpCase("Cast", tf.to_float, inputs_of(uniform((3,))), lambda x: x.astype(np.float32), dtypes=INTS,
           name="to_float"),
]


# ======================================================================================
# Reductions: (name, axis, keepdims, input shape) variants for each op
# ======================================================================================
_VARIANTS = [("all", None, False, (2, 3, 4)), ("axis1", 1, False, (2, 3, 4)),
             ("neg-keep", -1, True, (2, 3, 4)), ("axes02", [0, 2], False, (2, 3, 4)),
             ("all-keep", None, True, (2, 3)), ("scalar", None, False, ()), ("empty-axes", [], False, (2, 3))]


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _mean(x, axis=None, keepdims=False):
    """NumPy's mean in float64; integer means truncate toward zero, as TF's do."""
    mean = np.mean(x.astype(np.float64), axis=axis, keepdims=keepdims)
    return np.trunc(mean) if x.dtype.kind in "iu" else mean


_REDUCTION_TABLE = [  # op type, tf function, reference, input range, dtypes
    ("Sum", tf.reduce_sum, np.sum, (-2, 2), NUMERIC), ("Mean", tf.reduce_mean, _mean, (-3, 3), NUMERIC),
    ("Prod", tf.reduce_prod, np.prod, (-1.5, 1.5), NUMERIC), ("Max", tf.reduce_max, np.max, (-3, 3), NUMERIC),
    ("Min", tf.reduce_min, np.min, (-3, 3), NUMERIC), ("All", tf.reduce_all, np.all, None, (tf.bool,)),
    ("Any", tf.reduce_any, np.any, None, (tf.bool,)),
]


def _reduction_case(op_type, function, reference, value_range, dtypes, variant):
    name, axis, keepdims, shape = variant
    inputs = uniform(shape, *value_range) if value_range else booleans(shape)
    return OpCase(op_type, lambda x: function(x, axis=axis, keepdims=keepdims), inputs_of(inputs),
                  lambda x: reference(x, axis=_np_axis(axis), keepdims=keepdims), dtypes=dtypes,
                  name=f"{op_type}-{name}")


_REDUCTION_CASES = [_reduction_case(*row, variant) for row in _REDUCTION_TABLE for variant in _VARIANTS] + [
    OpCase("Sum", lambda x, axis: tf.reduce_sum(x, axis), lambda dtype, rng: [uniform((2, 3))(dtype, rng),
           np.int32(-1)], lambda x, axis: np.sum(x, axis=int(axis)), dtypes=REALS, exact_shape=False,
           name="Sum-fed-axis"),
    OpCase("Max", lambda x, axes: tf.reduce_max(x, axes, keep_dims=True), lambda dtype, rng: [
           uniform((2, 3, 4))(dtype, rng), np.array([0, 2], np.int64)],
           lambda x, axes: np.max(x, axis=(0, 2), keepdims=True), dtypes=(tf.float32, tf.float64),
           exact_shape=False, name="Max-int64-axes"),
    OpCase("Mean", lambda x, axes: tf.reduce_mean(x, axes), lambda dtype, rng: [
           uniform((2, 3, 4))(dtype, rng), np.array([-1, 0], np.int32)],
           lambda x, axes: np.mean(x, axis=(-1, 0)), dtypes=(tf.float32, tf.float64), exact_shape=False,
           name="Mean-fed-axes"),
    OpCase("Prod", lambda x, axes: tf.reduce_prod(x, axes, keepdims=True), lambda dtype, rng: [
           uniform((3, 4), -1.5, 1.5)(dtype, rng), np.int32(1)],
           lambda x, axis: np.prod(x, axis=int(axis), keepdims=True), dtypes=(tf.float32, tf.float64),
           exact_shape=False, name="Prod-fed-axis"),
    # Rows with no zero, one zero and two zeros: the product of the others, exactly (prod is
    # multilinear, so central differences are exact there too).
    OpCase("Prod", lambda x: tf.reduce_prod(x, 1), fixed(np.array(
           [[1.5, -2.0, 0.5], [0.0, 3.0, -0.5], [0.0, 2.0, 0.0]])), lambda x: np.prod(x, 1), dtypes=(tf.float64,),
           name="Prod-zeros"),
    # Two-way ties: TF1 splits the gradient equally, which is what central differences see.
    OpCase("Max", lambda x: tf.reduce_max(x, 0), fixed(np.array([[1.0, 2.0, -1.0], [1.0, 0.5, -1.0]])),
           lambda x: np.max(x, 0), dtypes=(tf.float64,), name="Max-ties"),
    OpCase("Min", lambda x: tf.reduce_min(x, [0, 1], keepdims=True), fixed(np.array([[0.5, 2.0], [3.0, 0.5]])),
           lambda x: np.min(x, keepdims=True), dtypes=(tf.float64,), name="Min-ties"),
    OpCase("Mean", tf.reduce_mean, fixed(np.array([[-7, -8], [7, 1]], np.int32)),
           lambda x: np.int32(-1), name="Mean-int-truncates"),
    OpCase("Max", lambda x: tf.reduce_max(x, 0), inputs_of(uniform((0, 3))),
           lambda x: np.full(3, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min), dtypes=REALS,
           name="Max-empty"),
    OpCase("Min", lambda x: tf.reduce_min(x, 1), inputs_of(uniform((3, 0))),
           lambda x: np.full(3, np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).max), dtypes=REALS,
           name="Min-empty"),
    OpCase("Sum", lambda x: tf.count_nonzero(x, axis=1), inputs_of(uniform((3, 4), -1, 1)),
           lambda x: np.count_nonzero(x, axis=1), dtypes=NUMERIC, grad=False, name="count_nonzero"),
]


def _arg_case(op_type, function, reference, axis, output_type=tf.int64, dtypes=NUMERIC):
    return OpCase(op_type, lambda x: function(x, axis, output_type=output_type), inputs_of(uniform((3, 4, 2))),
                  lambda x: reference(x, axis=axis), dtypes=dtypes,
                  name=f"{op_type}-{axis}-{output_type.name}")


_ARG_CASES = [
    _arg_case("ArgMax", tf.argmax, np.argmax, 0), _arg_case("ArgMax", tf.argmax, np.argmax, -1, tf.int32),
    _arg_case("ArgMin", tf.argmin, np.argmin, 1), _arg_case("ArgMin", tf.argmin, np.argmin, 2, tf.int32),
    OpCase("ArgMax", tf.argmax, inputs_of(booleans((4, 3))), lambda x: np.argmax(x, 0), dtypes=(tf.bool,),
           name="ArgMax-bool"),
]


# ======================================================================================
# Matrix products and inverse
# ======================================================================================
def _swap(array, flag):
    return np.swapaxes(array, -1, -2) if flag else array


def _matmul_case(op_type, a_shape, b_shape, transpose_a=False, transpose_b=False):
    def build(a, b):
        if op_type == "BatchMatMul":  # tf.matmul builds V2 now; the V1 op is still registered
            return apply_op("BatchMatMul", a, b, adj_x=transpose_a, adj_y=transpose_b)
        return tf.matmul(a, b, transpose_a=transpose_a, adjoint_b=transpose_b)
    return OpCase(op_type, build,
                  inputs_of(uniform(a_shape), uniform(b_shape)),
                  _in_float64(lambda a, b: _swap(a, transpose_a) @ _swap(b, transpose_b)),
                  dtypes=NUMERIC, rtol=1e-5, atol=1e-5,
                  name=f"{op_type}-{int(transpose_a)}{int(transpose_b)}")


def _well_conditioned(shape):
    """Diagonally dominant matrices: invertible, and accurate even in float16."""
    def make(dtype, rng):
        return (4 * np.eye(shape[-1]) + rng.uniform(-0.5, 0.5, size=shape)).astype(dtype.as_numpy_dtype)
    return make


_MATRIX_CASES = [
    _matmul_case("MatMul", (2, 3), (3, 4)), _matmul_case("MatMul", (3, 2), (3, 4), transpose_a=True),
    _matmul_case("MatMul", (2, 3), (4, 3), transpose_b=True),
    _matmul_case("MatMul", (3, 2), (4, 3), transpose_a=True, transpose_b=True),
    _matmul_case("BatchMatMul", (2, 2, 3), (2, 3, 4)),
    _matmul_case("BatchMatMul", (2, 1, 3, 2), (2, 1, 4, 3), True, True),
    _matmul_case("BatchMatMulV2", (2, 2, 3), (2, 3, 4)),
    _matmul_case("BatchMatMulV2", (2, 1, 3, 4), (3, 4, 5)),
    _matmul_case("BatchMatMulV2", (3, 4, 2), (4, 5), True, False),
    _matmul_case("BatchMatMulV2", (2, 3, 4), (1, 5, 4), False, True),
    OpCase("MatMul", lambda a, b: a @ b, inputs_of(uniform((2, 2)), uniform((2, 2))), np.matmul, dtypes=REALS,
           name="matmul-operator"),
    OpCase("MatrixInverse", tf.matrix_inverse, inputs_of(_well_conditioned((3, 3))),
           _in_float64(np.linalg.inv), dtypes=FLOATS, rtol=1e-4),
    OpCase("MatrixInverse", lambda x: tf.matrix_inverse(x, adjoint=True),
           inputs_of(_well_conditioned((2, 4, 4))),
           _in_float64(lambda x: np.linalg.inv(np.swapaxes(x, -1, -2))), dtypes=FLOATS, rtol=1e-4,
           name="MatrixInverse-batch-adjoint"),
]

# ======================================================================================
# Sums of tensors, clipping, numerics checks
# ======================================================================================
_OTHER_CASES = [
    OpCase("AddN", lambda x, y, z: tf.add_n([x, y, z]), inputs_of(*[uniform((2, 3))] * 3),
           lambda x, y, z: x + y + z, dtypes=NUMERIC),
    OpCase("AddN", lambda x, y: tf.add_n([x, y]), inputs_of(uniform(()), uniform(())), np.add, dtypes=REALS,
           name="AddN-scalars"),
    OpCase("ClipByValue", lambda t: tf.saturate_cast(t, tf.uint8), inputs_of(uniform((2, 3), -300, 300)),
           lambda t: np.clip(np.trunc(t.astype(np.float64)), 0, 255).astype(np.uint8), dtypes=REALS,
           grad=False, name="saturate_cast"),  # an integer result: no gradient in TF1
    OpCase("ClipByValue", lambda t, low, high: apply_op("ClipByValue", t, low, high),
           inputs_of(uniform((2, 3), -3, 3), uniform((), -2, -1), uniform((2, 3), 0, 2)), np.clip,
           dtypes=NUMERIC),
    OpCase("Maximum", lambda t: tf.clip_by_value(t, -1, 1), inputs_of(uniform((2, 3))),
           lambda t: np.clip(t, -1, 1), dtypes=NUMERIC, name="clip_by_value"),
    OpCase("CheckNumerics", lambda x: tf.check_numerics(x, "bad"), inputs_of(uniform((2, 3))), lambda x: x,
           dtypes=FLOATS),
]

CASES = (_BINARY_CASES + _COMPARISON_CASES + _UNARY_CASES + _CAST_CASES + _REDUCTION_CASES + _ARG_CASES
         + _MATRIX_CASES + _OTHER_CASES)
