"""Math ops: the elementwise family, comparisons, logic, casts, reductions, matrix products, sums,
clipping and numerics checks (TF1 `tf.add`, `tf.exp`, `tf.reduce_sum`, `tf.matmul`, ...).

Ops whose tf.* function only builds the op (binary, comparison, unary ops) and the reductions are
declared from tables, and their tf.* functions are generated from the same tables: look there for
`tf.add`, `tf.sqrt` or `tf.reduce_max`.
The Tensor operator overloads (`+ - * / // % ** @`, comparisons, `& | ^ ~`, unary `-`, `abs`) are
installed at the bottom of this module, with TF1's naming: `x + 1.0` builds `add/y` and `add`.
"""
import numpy as np

from minitf.framework import dtypes
from minitf.framework.common_shapes import SCALAR, UNKNOWN, broadcast, broadcast_shapes, unchanged
from minitf.framework.default_graph import control_dependencies, get_default_graph, name_scope
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op, get_op_def
from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import TensorShape, unknown_shape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import constant, convert_to_tensor
from minitf.ops.op_builder import apply_op

# The public (tf.*) names of this module; the table-generated families add theirs below.
__all__ = [
    "div", "atan2", "truediv", "divide", "logical_xor", "round", "cast", "to_float", "to_double", "to_int32",
    "to_int64", "saturate_cast", "count_nonzero", "reduce_logsumexp", "matmul", "matrix_inverse", "add_n",
    "clip_by_value", "clip_by_norm", "check_numerics", "add_check_numerics_ops",
]

_COMPLEX = dtypes.NUMBERS - dtypes.REAL
_SIGNED = dtypes.FLOATS | {dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64}
_FLOAT_MATH = dtypes.FLOATS | _COMPLEX
_MATRIX = dtypes.FLOATS | dtypes.INDEX  # MatMul and friends: real types (adjoint == transpose)
_INDEX = TypeAttr(dtypes.INDEX, default=dtypes.int32)  # axis inputs: int32 unless given


# ======================================================================================
# Static shape helpers (TF's shape-inference messages; the graph appends op and input shapes)
# ======================================================================================
def _merged_dim(a, b):
    if a.value is not None and b.value is not None and a.value != b.value:
        raise ValueError(f"Dimensions must be equal, but are {a.value} and {b.value}")
    return a if a.value is not None else b


def _merged_shape(a, b):
    """The more specific of two compatible shapes; ValueError when they conflict."""
    if a.ndims is None or b.ndims is None:
        return b if a.ndims is None else a
    if a.ndims != b.ndims:
        raise ValueError(f"Shapes must be equal rank, but are {a.ndims} and {b.ndims}")
    return TensorShape([_merged_dim(x, y) for x, y in zip(a.dims, b.dims)])


def _with_rank_at_least(shape, rank):
    if shape.ndims is not None and shape.ndims < rank:
        raise ValueError(f"Shape must be at least rank {rank} but is rank {shape.ndims}")
    return shape


# ======================================================================================
# Ops whose tf.* function only builds the op (TF1's generated wrappers): declared from tables
# ======================================================================================
def _op_function(op_type, public_name):
    """The tf.* function of a one- or two-input op; Python inputs are converted inside the op's
    scope ("Add/y") with the dtype of the tensor inputs."""
    if len(get_op_def(op_type).inputs) == 1:
        def function(x, name=None):
            return apply_op(op_type, x, name=name or op_type)
    else:
        def function(x, y, name=None):
            return apply_op(op_type, x, y, name=name or op_type)
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = f"TF1 `tf.{public_name}`: the elementwise {op_type} op."
    return function


def _export(functions):
    """Makes table-generated tf.* functions module globals and public names."""
    globals().update(functions)
    __all__.extend(functions)


# ======================================================================================
# Binary elementwise ops (NumPy broadcasting), comparisons, logic
# ======================================================================================
_BINARY = {  # op type: (tf.* name, or None for a hand-written function below; allowed dtypes)
    "Add": ("add", dtypes.NUMBERS | {dtypes.string}), "Sub": ("subtract", dtypes.NUMBERS),
    "Mul": ("multiply", dtypes.NUMBERS), "RealDiv": ("realdiv", dtypes.NUMBERS),
    "Div": (None, dtypes.NUMBERS), "FloorDiv": ("floordiv", dtypes.REAL),
    "FloorMod": ("floormod", dtypes.REAL), "TruncateDiv": ("truncatediv", dtypes.REAL),
    "TruncateMod": ("truncatemod", dtypes.REAL), "Pow": ("pow", dtypes.NUMBERS),
    "Maximum": ("maximum", dtypes.REAL), "Minimum": ("minimum", dtypes.REAL),
    "SquaredDifference": ("squared_difference", dtypes.FLOATS | dtypes.INDEX), "Atan2": (None, dtypes.FLOATS),
}
_COMPARISONS = {"Less": ("less", dtypes.REAL), "LessEqual": ("less_equal", dtypes.REAL),
                "Greater": ("greater", dtypes.REAL), "GreaterEqual": ("greater_equal", dtypes.REAL),
                "Equal": ("equal", dtypes.ALL), "NotEqual": ("not_equal", dtypes.ALL)}
_LOGICAL = {"LogicalAnd": "logical_and", "LogicalOr": "logical_or", "LogicalNot": "logical_not"}

for _op_type, (_, _allowed) in _BINARY.items():
    define_op(_op_type, inputs=["x: T", "y: T"], outputs=["z: T"], attrs={"T": TypeAttr(_allowed)},
              shape=broadcast)
for _op_type, (_, _allowed) in _COMPARISONS.items():
    define_op(_op_type, inputs=["x: T", "y: T"], outputs=["z: bool"], attrs={"T": TypeAttr(_allowed)},
              shape=broadcast, differentiable=False)
for _op_type in ("LogicalAnd", "LogicalOr"):
    define_op(_op_type, inputs=["x: bool", "y: bool"], outputs=["z: bool"], shape=broadcast,
              differentiable=False)
define_op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"], shape=unchanged, differentiable=False)
_export({name: _op_function(op_type, name)
         for op_type, (name, _) in (_BINARY | _COMPARISONS).items() if name})
_export({name: _op_function(op_type, name) for op_type, name in _LOGICAL.items()})


def atan2(y, x, name=None):
    """TF1 `tf.atan2`: the angle of the point (x, y), elementwise."""
    return apply_op("Atan2", y, x, name=name or "Atan2")


def div(x, y, name=None):
    """TF1 `tf.div`: Python 2 division, built as TF1 builds it: RealDiv for floats, FloorDiv for
    integers (the Div op itself truncates integers, like C)."""
    with name_scope(name, "div", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
        if x.dtype.is_floating or x.dtype.is_complex:
            return realdiv(x, y, name=scope)
        return floordiv(x, y, name=scope)


# Integer inputs of true division are cast first, as TF1 does (int32 -> float64).
_TRUEDIV_CAST = {dtypes.int8: dtypes.float32, dtypes.uint8: dtypes.float32, dtypes.int16: dtypes.float32,
                 dtypes.uint16: dtypes.float32, dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64}


def truediv(x, y, name=None):
    """TF1 `tf.truediv`: `x / y` in floating point; integer inputs are cast first."""
    with name_scope(name, "truediv", [x, y]) as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", preferred_dtype=x.dtype.base_dtype)
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype.base_dtype!r} != "
                            f"{y.dtype.base_dtype!r}")
        target = _TRUEDIV_CAST.get(x.dtype.base_dtype)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return realdiv(x, y, name=scope)


divide = truediv


def logical_xor(x, y, name="LogicalXor"):
    """TF1 `tf.logical_xor`: (x | y) & ~(x & y)."""
    with name_scope(name, "LogicalXor", [x, y]) as scope:
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=scope)


# ======================================================================================
# Unary elementwise ops: one table gives each op its dtypes and its tf.* function
# ======================================================================================
_UNARY = {  # op type: (tf.* name, allowed dtypes)
    "Neg": ("negative", _SIGNED | _COMPLEX), "Abs": ("abs", _SIGNED), "Sign": ("sign", _SIGNED | _COMPLEX),
    "Square": ("square", dtypes.NUMBERS), "Sqrt": ("sqrt", _FLOAT_MATH), "Rsqrt": ("rsqrt", _FLOAT_MATH),
    "Exp": ("exp", _FLOAT_MATH), "Expm1": ("expm1", _FLOAT_MATH), "Log": ("log", _FLOAT_MATH),
    "Log1p": ("log1p", _FLOAT_MATH), "Sin": ("sin", _FLOAT_MATH), "Cos": ("cos", _FLOAT_MATH),
    "Tan": ("tan", _FLOAT_MATH), "Asin": ("asin", _FLOAT_MATH), "Acos": ("acos", _FLOAT_MATH),
    "Atan": ("atan", _FLOAT_MATH), "Sinh": ("sinh", _FLOAT_MATH), "Cosh": ("cosh", _FLOAT_MATH),
    "Tanh": ("tanh", _FLOAT_MATH), "Sigmoid": ("sigmoid", _FLOAT_MATH),
    "Reciprocal": ("reciprocal", _FLOAT_MATH), "Floor": ("floor", dtypes.FLOATS),
    "Ceil": ("ceil", dtypes.FLOATS), "Rint": ("rint", dtypes.FLOATS), "Round": (None, _SIGNED | _COMPLEX),
    "Erf": ("erf", dtypes.FLOATS), "Erfc": ("erfc", dtypes.FLOATS),
}
_PREDICATES = {"IsNan": "is_nan", "IsInf": "is_inf", "IsFinite": "is_finite"}  # floats -> bool


for _op_type, (_public_name, _allowed) in _UNARY.items():
    define_op(_op_type, inputs=["x: T"], outputs=["y: T"], attrs={"T": TypeAttr(_allowed)}, shape=unchanged)
for _op_type in _PREDICATES:
    define_op(_op_type, inputs=["x: T"], outputs=["y: bool"], attrs={"T": TypeAttr(dtypes.FLOATS)},
              shape=unchanged, differentiable=False)
_export({name: _op_function(op_type, name) for op_type, (name, _) in _UNARY.items() if name})
_export({name: _op_function(op_type, name) for op_type, name in _PREDICATES.items()})


def round(x, name=None):  # noqa: A001 - TF1's name
    """TF1 `tf.round`: half to even, like NumPy; integer tensors are returned as they are."""
    x = convert_to_tensor(x, name="x")
    return x if x.dtype.is_integer else apply_op("Round", x, name=name or "Round")


# ======================================================================================
# Casts
# ======================================================================================
define_op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
          attrs={"SrcT": TypeAttr(), "DstT": TypeAttr(), "Truncate": False}, shape=unchanged)


def cast(x, dtype, name=None):
    """TF1 `tf.cast`: float -> int truncates toward zero, nonzero -> True; a tensor that already
    has `dtype` is returned as it is."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, Tensor) and x.dtype == dtype:
        return x
    with name_scope(name, "Cast", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        if x.dtype.base_dtype != dtype:
            x = apply_op("Cast", x, name=scope, DstT=dtype)
        return x


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def saturate_cast(value, dtype, name=None):
    """TF1 `tf.saturate_cast`: clamps `value` to `dtype`'s range (one ClipByValue) before casting."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, "saturate_cast", [value]) as scope:
        value = convert_to_tensor(value, name="value")
        source = value.dtype.base_dtype
        if source.min < dtype.min or source.max > dtype.max:
            low = constant(max(source.min, dtype.min), source)
            high = constant(min(source.max, dtype.max), source)
            value = apply_op("ClipByValue", value, low, high, name="clamp")
        return cast(value, dtype, name=scope)


# ======================================================================================
# Reductions: "input: T", "reduction_indices: Tidx", attr keep_dims
# ======================================================================================
def _reduction_shape(op):
    """The reduced shape when the axes are constant; else only the rank, when it is knowable."""
    shape, keep_dims = op.inputs[0].shape, op.get_attr("keep_dims")
    axes = constant_value(op.inputs[1])
    rank = shape.ndims
    if axes is None or rank is None:
        if rank is not None and (keep_dims or op.inputs[1].shape.ndims == 0):
            return [unknown_shape(rank if keep_dims else rank - 1)]
        return [UNKNOWN]
    reduced = set()
    for axis in np.reshape(axes, -1).tolist():
        if not -rank <= axis < rank:
            raise ValueError(f"Invalid reduction dimension {axis} for input with {rank} dimensions.")
        reduced.add(axis % rank)
    if keep_dims:
        return [TensorShape([1 if i in reduced else d for i, d in enumerate(shape.dims)])]
    return [TensorShape([d for i, d in enumerate(shape.dims) if i not in reduced])]


_REDUCTIONS = {  # op type: (tf.* name, allowed input dtypes; None: bool in and out)
    "Sum": ("reduce_sum", dtypes.NUMBERS), "Mean": ("reduce_mean", dtypes.NUMBERS),
    "Prod": ("reduce_prod", dtypes.NUMBERS), "Max": ("reduce_max", dtypes.REAL),
    "Min": ("reduce_min", dtypes.REAL), "All": ("reduce_all", None), "Any": ("reduce_any", None),
}
for _op_type, (_public_name, _allowed) in _REDUCTIONS.items():
    _value = "T" if _allowed else "bool"
    _attrs = {"Tidx": _INDEX, "keep_dims": False}
    if _allowed:
        _attrs["T"] = TypeAttr(_allowed)
    define_op(_op_type, inputs=[f"input: {_value}", "reduction_indices: Tidx"],
              outputs=[f"output: {_value}"], attrs=_attrs, shape=_reduction_shape,
              differentiable=_allowed is not None)


def _alias(name, value, old_name, old_value):
    """TF1's deprecated_argument_lookup: the new argument or its deprecated spelling, not both."""
    if value is not None and old_value is not None:
        raise ValueError(f"Cannot specify both '{name}' and '{old_name}'")
    return value if value is not None else old_value


def _reduction_args(axis, reduction_indices, keepdims, keep_dims):
    """(axis, keepdims) from a reduction's current and deprecated argument names."""
    return (_alias("axis", axis, "reduction_indices", reduction_indices),
            bool(_alias("keepdims", keepdims, "keep_dims", keep_dims)))


def _may_reduce_to_scalar(keepdims, axis, result):
    """Reducing every axis gives a scalar, whatever the input's (unknown) rank turns out to be."""
    if axis is None and not keepdims and result.shape.ndims is None:
        result.set_shape(SCALAR)
    return result


def _reduction_axes(x, axis):
    """TF1's _ReductionDims: `axis` as given, else every axis (a Const when the rank is known)."""
    if axis is not None:
        return axis
    if x.shape.ndims is not None:
        return constant(np.arange(x.shape.ndims, dtype=np.int32))
    from minitf.ops import array_ops, selection_ops  # they build on this module: import late
    return selection_ops.range(0, array_ops.rank(x))


def _reduction_function(op_type, public_name):
    def function(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None, keep_dims=None):
        axis, keepdims = _reduction_args(axis, reduction_indices, keepdims, keep_dims)
        input_tensor = convert_to_tensor(input_tensor)
        result = apply_op(op_type, input_tensor, _reduction_axes(input_tensor, axis), name=name or op_type,
                          keep_dims=keepdims)
        return _may_reduce_to_scalar(keepdims, axis, result)
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = (f"TF1 `tf.{public_name}`: {op_type} over `axis` (None: all axes; negative axes "
                        "count from the end); the result keeps the input's dtype (integer means truncate).")
    return function


_export({name: _reduction_function(op_type, name) for op_type, (name, _) in _REDUCTIONS.items()})


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    """TF1 `tf.count_nonzero`: reduce_sum(cast(input != 0, int64)), cast to `dtype`."""
    axis, keepdims = _reduction_args(axis, reduction_indices, keepdims, keep_dims)
    with name_scope(name, "count_nonzero", [input_tensor]):
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        source = input_tensor.dtype.base_dtype
        zero = constant(b"" if source == dtypes.string else np.zeros((), source.as_numpy_dtype), source,
                        name="zeros")
        nonzero = cast(not_equal(input_tensor, zero), dtypes.int64)
        return cast(reduce_sum(nonzero, axis=axis, keepdims=keepdims), dtype)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None):
    """TF1 `tf.reduce_logsumexp`: log(sum(exp(x - m))) + m with m the (finite) maximum, which is
    stable for large inputs and gives +-inf rather than NaN for infinite ones."""
    from minitf.ops import array_ops, selection_ops  # they build on this module: import late
    axis, keepdims = _reduction_args(axis, reduction_indices, keepdims, keep_dims)
    with name_scope(name, "ReduceLogSumExp", [input_tensor]) as scope:
        input_tensor = convert_to_tensor(input_tensor)
        raw_max = reduce_max(input_tensor, axis=axis, keepdims=True)
        # TF1 also wraps my_max in StopGradient; the gradient through it is 1 - sum(softmax) = 0 anyway.
        my_max = selection_ops.where(apply_op("IsFinite", raw_max), raw_max, array_ops.zeros_like(raw_max))
        result = apply_op("Log", reduce_sum(apply_op("Exp", subtract(input_tensor, my_max)), axis,
                                            keepdims=keepdims))
        if not keepdims:
            my_max = array_ops.reshape(my_max, array_ops.shape(result))
        return _may_reduce_to_scalar(keepdims, axis, add(result, my_max, name=scope))


# ArgMax/ArgMin: "input: T", "dimension: Tidx" -> output_type.
def _arg_reduction_shape(op):
    shape = op.inputs[0].shape
    if shape.ndims is None:
        return [UNKNOWN]
    rank = shape.ndims
    axis = constant_value(op.inputs[1])
    if rank == 0 or axis is None:
        return [unknown_shape(max(rank - 1, 0))]
    axis = int(axis)
    if not -rank <= axis < rank:
        raise ValueError(f"Dimension ({axis}) must be in the range [{-rank}, {rank}), where {rank} is the "
                         "number of dimensions in the input.")
    return [TensorShape([d for i, d in enumerate(shape.dims) if i != axis % rank])]


_ARG_REDUCTIONS = {"ArgMax": ("argmax", "largest"), "ArgMin": ("argmin", "smallest")}
for _op_type in _ARG_REDUCTIONS:
    define_op(_op_type, inputs=["input: T", "dimension: Tidx"], outputs=["output: output_type"],
              attrs={"T": TypeAttr(dtypes.REAL | {dtypes.bool}), "Tidx": _INDEX,
                     "output_type": TypeAttr(dtypes.INDEX, default=dtypes.int64)},
              shape=_arg_reduction_shape, differentiable=False)


def _arg_reduction_function(op_type, public_name, which):
    def function(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
        axis = _alias("axis", axis, "dimension", dimension)
        return apply_op(op_type, input, 0 if axis is None else axis, name=name or op_type,
                        output_type=dtypes.as_dtype(output_type))
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = f"TF1 `tf.{public_name}`: the index of the {which} value along `axis` (default 0)."
    return function


_export({name: _arg_reduction_function(op_type, name, which)
         for op_type, (name, which) in _ARG_REDUCTIONS.items()})


# ======================================================================================
# Matrix products and inverse
# ======================================================================================
def _matrix_dims(shape, transpose):
    rows, cols = shape.dims[-2:] if shape.ndims is not None else TensorShape([None, None]).dims
    return (cols, rows) if transpose else (rows, cols)


def _matmul_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    for shape in (a, b):
        if shape.ndims not in (None, 2):
            raise ValueError(f"Shape must be rank 2 but is rank {shape.ndims}")
    rows, inner = _matrix_dims(a, op.get_attr("transpose_a"))
    other_inner, cols = _matrix_dims(b, op.get_attr("transpose_b"))
    _merged_dim(inner, other_inner)
    return [TensorShape([rows, cols])]


def _batch_matmul_shape(combine_batch):
    """Shape function of BatchMatMul (batch dims merged) or BatchMatMulV2 (broadcast, TF 1.14+)."""
    def shape(op):
        x, y = (_with_rank_at_least(t.shape, 2) for t in op.inputs)
        if x.ndims is None or y.ndims is None:
            return [UNKNOWN]
        batch = combine_batch(x[:-2], y[:-2])
        rows, inner = _matrix_dims(x, op.get_attr("adj_x"))
        other_inner, cols = _matrix_dims(y, op.get_attr("adj_y"))
        _merged_dim(inner, other_inner)
        return [batch.concatenate([rows, cols])]
    return shape


def _square_matrices_shape(op):
    shape = _with_rank_at_least(op.inputs[0].shape, 2)
    if shape.ndims is None:
        return [UNKNOWN]
    side = _merged_dim(shape.dims[-1], shape.dims[-2])
    return [shape[:-2].concatenate([side, side])]


define_op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
          attrs={"T": TypeAttr(_MATRIX), "transpose_a": False, "transpose_b": False}, shape=_matmul_shape)
define_op("BatchMatMul", inputs=["x: T", "y: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(_MATRIX), "adj_x": False, "adj_y": False}, shape=_batch_matmul_shape(_merged_shape))
define_op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(_MATRIX), "adj_x": False, "adj_y": False}, shape=_batch_matmul_shape(broadcast_shapes))
define_op("MatrixInverse", inputs=["input: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(dtypes.FLOATS), "adjoint": False}, shape=_square_matrices_shape)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """TF1 `tf.matmul`: MatMul for matrices, BatchMatMulV2 (batch dims broadcast, as in TF 1.14+)
    when a rank is above 2 or unknown.

    Only real dtypes are supported, so an adjoint is a transpose; the sparsity hints are ignored.
    """
    del a_is_sparse, b_is_sparse
    with name_scope(name, "MatMul", [a, b]) as scope:
        if transpose_a and adjoint_a:
            raise ValueError("Only one of transpose_a and adjoint_a can be True.")
        if transpose_b and adjoint_b:
            raise ValueError("Only one of transpose_b and adjoint_b can be True.")
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", preferred_dtype=a.dtype.base_dtype)
        transpose_a, transpose_b = transpose_a or adjoint_a, transpose_b or adjoint_b
        if any(rank is None or rank > 2 for rank in (a.shape.ndims, b.shape.ndims)):
            return apply_op("BatchMatMulV2", a, b, name=scope, adj_x=transpose_a, adj_y=transpose_b)
        return apply_op("MatMul", a, b, name=scope, transpose_a=transpose_a, transpose_b=transpose_b)


def matrix_inverse(input, adjoint=False, name=None):  # noqa: A002
    """TF1 `tf.matrix_inverse`: the inverse of each matrix in the last two dims; a singular one
    fails at run time with InvalidArgumentError "Input is not invertible."."""
    return apply_op("MatrixInverse", input, name=name or "MatrixInverse", adjoint=adjoint)


# ======================================================================================
# Sums of tensors, clipping, numerics checks
# ======================================================================================
def _add_n_shape(op):
    shape = UNKNOWN
    for tensor in op.inputs:
        shape = _merged_shape(shape, tensor.shape)
    return [shape]


define_op("AddN", inputs=["inputs: N * T"], outputs=["sum: T"],
          attrs={"N": REQUIRED, "T": TypeAttr(dtypes.NUMBERS)}, shape=_add_n_shape)
define_op("ClipByValue", inputs=["t: T", "clip_value_min: T", "clip_value_max: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(dtypes.REAL)}, shape=unchanged)
# Stateful: a check must run where it stands, never be folded away or merged with another one.
define_op("CheckNumerics", inputs=["tensor: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(dtypes.FLOATS), "message": REQUIRED}, shape=unchanged, stateful=True)


def add_n(inputs, name=None):
    """TF1 `tf.add_n`: the elementwise sum of same-shaped tensors; a single input is returned as
    it is (through an Identity when `name` is given)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and shape")
    inputs = [convert_to_tensor(t) for t in inputs]
    if len(inputs) == 1:
        from minitf.ops.array_ops import identity
        return identity(inputs[0], name=name) if name else inputs[0]
    return apply_op("AddN", inputs, name=name or "AddN")


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """TF1 `tf.clip_by_value`: built as TF1 builds it, Maximum(Minimum(t, max), min); the bounds
    may not broadcast `t` to a larger shape."""
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(clipped_values(t), name="t")
        t_min = minimum(values, clip_value_max)
        values.shape.merge_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.merge_with(t_max.shape)
        return as_slices_like(t, t_max)


def clipped_values(t):
    """What a clip works on: an IndexedSlices' values (as TF1 clips them, duplicate rows
    separately), else `t` itself."""
    return t.values if isinstance(t, IndexedSlices) else t


def as_slices_like(t, values):
    """`values` as an IndexedSlices with t's indices when `t` is one."""
    return IndexedSlices(values, t.indices, t.dense_shape) if isinstance(t, IndexedSlices) else values


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """TF1 `tf.clip_by_norm`: t * clip_norm / max(l2norm(t, axes), clip_norm), with TF1's
    where-guards so that an all-zero `t` has finite gradients."""
    from minitf.ops import array_ops, selection_ops  # they build on this module: import late
    with name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = convert_to_tensor(clipped_values(t), name="t")
        l2sum = reduce_sum(values * values, axes, keepdims=True)
        positive = l2sum > 0
        l2sum_safe = selection_ops.where(positive, l2sum, array_ops.ones_like(l2sum))
        l2norm = selection_ops.where(positive, apply_op("Sqrt", l2sum_safe), l2sum)
        intermediate = values * clip_norm
        values.shape.merge_with(intermediate.shape)
        return as_slices_like(t, array_ops.identity(intermediate / maximum(l2norm, clip_norm), name=scope))


def check_numerics(tensor, message, name=None):
    """TF1 `tf.check_numerics`: passes `tensor` through; InvalidArgumentError "<message> : Tensor
    had NaN values" (or Inf, or Inf and NaN) at run time."""
    return apply_op("CheckNumerics", tensor, name=name or "CheckNumerics", message=message)


def add_check_numerics_ops():
    """TF1 `tf.add_check_numerics_ops`: a CheckNumerics for every floating-point output in the
    default graph, chained by control dependencies, grouped into one op."""
    from minitf.ops.control_flow_ops import group
    checks = []
    for op in get_default_graph().get_operations():
        for output in op.outputs:
            if output.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
                if op._cond_context is not None:
                    raise ValueError("`tf.add_check_numerics_ops() is not compatible with TensorFlow "
                                     "control flow operations such as `tf.cond()` or `tf.while_loop()`.")
                with control_dependencies(checks):
                    checks = [check_numerics(output, message=f"{op.name}:{output.value_index}")]
    return group(*checks)


# ======================================================================================
# Operator overloads on Tensor (TF1's binary_op_wrapper naming and conversion rules)
# ======================================================================================
def _binary_overload(func, op_name):
    def forward(x, y):
        with name_scope(None, op_name, [x, y]) as scope:
            if not isinstance(y, Tensor):
                try:  # a hint, not a demand: `int_tensor + 2.5` fails in the op, naming both dtypes
                    y = convert_to_tensor(y, preferred_dtype=x.dtype.base_dtype, name="y")
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
              "mod": floormod, "pow": pow, "matmul": matmul, "and": logical_and, "or": logical_or,
              "xor": logical_xor}
    for op_name, func in binary.items():
        forward, reverse = _binary_overload(func, op_name)
        Tensor._override_operator(f"__{op_name}__", forward)
        Tensor._override_operator(f"__r{op_name}__", reverse)
    for op_name, func in {"lt": less, "le": less_equal, "gt": greater, "ge": greater_equal}.items():
        Tensor._override_operator(f"__{op_name}__", func)  # TF1 names these "Less", "Less/y"
    Tensor._override_operator("__neg__", lambda x: apply_op("Neg", x, name="Neg"))
    Tensor._override_operator("__abs__", lambda x: apply_op("Abs", x, name="Abs"))
    Tensor._override_operator("__invert__", lambda x: logical_not(x, name="LogicalNot"))


_install_overloads()
