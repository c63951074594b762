"""Kernels of the math ops, written once against `ctx.xp`. Plain operators are inlined by the plan.

0-d values arrive as NumPy scalars (np.float32, ...) and every kernel returns exactly the op's
declared dtype: integer sums and means do not widen, float16 stays float16.
"""
import contextlib
import math
import operator

import numpy

from minitf.framework import dtypes
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")


def _operator(function):
    return lambda ctx: function


def _xp_function(name):
    return lambda ctx: getattr(ctx.xp, name)


# ======================================================================================
# Binary and unary elementwise ops that are exactly an operator or an xp ufunc
# ======================================================================================
for _op_type, _function in {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul,
                            "Less": operator.lt, "LessEqual": operator.le, "Greater": operator.gt,
                            "GreaterEqual": operator.ge, "Neg": operator.neg, "Pow": operator.pow}.items():
    register_kernel(_op_type, devices=_BOTH)(_operator(_function))
# TF has no integer RealDiv kernel either: tf.truediv casts integers to floats first.
register_kernel("RealDiv", devices=_BOTH, dtypes=dtypes.NUMBERS - dtypes.INTEGERS)(_operator(operator.truediv))

_UFUNCS = {
    "Maximum": "maximum", "Minimum": "minimum", "Atan2": "arctan2", "Equal": "equal", "NotEqual": "not_equal",
    "Abs": "abs", "Sign": "sign", "Square": "square", "Sqrt": "sqrt", "Exp": "exp", "Expm1": "expm1",
    "Log": "log", "Log1p": "log1p", "Sin": "sin", "Cos": "cos", "Tan": "tan", "Asin": "arcsin",
    "Acos": "arccos", "Atan": "arctan", "Sinh": "sinh", "Cosh": "cosh", "Tanh": "tanh", "Floor": "floor",
    "Ceil": "ceil", "Rint": "rint", "Round": "round", "Reciprocal": "reciprocal", "IsNan": "isnan",
    "IsInf": "isinf", "IsFinite": "isfinite",
}
for _op_type, _name in _UFUNCS.items():
    register_kernel(_op_type, devices=_BOTH)(_xp_function(_name))
for _op_type, _name in {"LogicalAnd": "logical_and", "LogicalOr": "logical_or",
                        "LogicalNot": "logical_not"}.items():
    register_kernel(_op_type, devices=_BOTH, type_attr=None)(_xp_function(_name))

register_kernel("Rsqrt", devices=_BOTH)(lambda ctx: lambda x: ctx.xp.reciprocal(ctx.xp.sqrt(x)))
register_kernel("Sigmoid", devices=_BOTH)(lambda ctx: lambda x: ctx.xp.reciprocal(1 + ctx.xp.exp(-x)))
register_kernel("SquaredDifference", devices=_BOTH)(lambda ctx: lambda x, y: ctx.xp.square(x - y))


# ======================================================================================
# Division and modulo: integer divisors of zero fail, as TF1's CPU kernels do
# ======================================================================================
def truncate_divide(xp):
    """C's integer division (toward zero): x - fmod(x, y) is an exact multiple of y."""
    return lambda x, y: (x - xp.fmod(x, y)) // y


def _division(integer_function, float_function):
    """A kernel factory using `integer_function(xp)` for integer T and `float_function(xp)` else."""
    def factory(ctx):
        xp = ctx.xp
        if not ctx.attr("T").is_integer:
            return float_function(xp)
        function = integer_function(xp)

        def compute(x, y):
            if not xp.all(y):
                raise ctx.error("Integer division by zero")
            return function(x, y)
        return compute
    return factory


_DIVISIONS = {  # op type: (integer kernel, floating-point kernel)
    "Div": (truncate_divide, lambda xp: operator.truediv),
    "TruncateDiv": (truncate_divide, lambda xp: lambda x, y: xp.trunc(x / y)),
    "TruncateMod": (lambda xp: xp.fmod, lambda xp: xp.fmod),
    "FloorDiv": (lambda xp: xp.floor_divide, lambda xp: xp.floor_divide),
    "FloorMod": (lambda xp: xp.mod, lambda xp: xp.mod),
}
for _op_type, (_integer, _floating) in _DIVISIONS.items():
    register_kernel(_op_type, devices=_BOTH)(_division(_integer, _floating))


# ======================================================================================
# Erf and Erfc without SciPy (float64 inside, ~1e-15 accurate)
# ======================================================================================
_SERIES_LIMIT = 2.0  # below: erf's power series; above: erfc's continued fraction


def _erf_and_erfc(xp, x):
    """erf(x) and erfc(x) in float64. For |x| < 2, erf(z) = 2/sqrt(pi) exp(-z^2) sum_n
    (2z^2)^n z / (1*3*...*(2n+1)), whose terms are all positive; above it, Laplace's continued
    fraction erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))) keeps erfc's
    small values accurate. Both run a fixed number of terms, enough for double precision."""
    x = x.astype(xp.float64)
    z = xp.abs(x)
    small = xp.minimum(z, _SERIES_LIMIT)
    ratio = 2 * small * small
    term = total = small
    for n in range(1, 40):
        term = term * ratio / (2 * n + 1)
        total = total + term
    erf_series = (2 / math.sqrt(math.pi)) * xp.exp(-small * small) * total
    large = xp.maximum(z, _SERIES_LIMIT)
    fraction = large
    for k in range(60, 0, -1):
        fraction = large + (k / 2) / fraction
    erfc_fraction = xp.exp(-large * large) / (math.sqrt(math.pi) * fraction)
    use_series = z < _SERIES_LIMIT
    erf = xp.sign(x) * xp.where(use_series, erf_series, 1 - erfc_fraction)
    erfc = xp.where(use_series | (x < 0), 1 - erf, erfc_fraction)
    return erf, erfc


register_kernel("Erf", devices=_BOTH)(
    lambda ctx: lambda x: _erf_and_erfc(ctx.xp, x)[0].astype(x.dtype)[()])
register_kernel("Erfc", devices=_BOTH)(
    lambda ctx: lambda x: _erf_and_erfc(ctx.xp, x)[1].astype(x.dtype)[()])


# ======================================================================================
# Casts
# ======================================================================================
@register_kernel("Cast", devices=_BOTH, type_attr="SrcT")
def cast(ctx):
    """C conversions, as TF1's: float -> int truncates toward zero, nonzero -> True."""
    target = ctx.attr("DstT").as_numpy_dtype
    return lambda x: x.astype(target)


# ======================================================================================
# Reductions (the axes arrive as an int32/int64 value; NumPy reduces over a tuple of them)
# ======================================================================================
def _axes(value):
    axes = value.tolist()
    return tuple(axes) if isinstance(axes, list) else (axes,)


def _reduction(function):
    """A kernel factory for `function(xp, x, axis_tuple, keepdims)`."""
    def factory(ctx):
        xp, keepdims = ctx.xp, ctx.attr("keep_dims")
        return lambda x, axes: function(xp, x, _axes(axes), keepdims)
    return factory


# Summing away the leading axes of a large float array (a bias gradient: [batch, *space, channels]
# -> [channels]) is a matrix-vector product with a ones vector: BLAS streams the rows once, 7x faster
# than NumPy's strided pairwise sum on the 2-core CPU. Small sums keep NumPy's (more exact) path.
_GEMV_SUM_MIN_ROWS = 4096


def _sum(xp, x, axis, keepdims):
    leading = len(axis)
    if (x.dtype in (numpy.float32, numpy.float64) and 0 < leading < x.ndim and x.flags.c_contiguous
            and sorted(a % x.ndim for a in axis) == list(range(leading))):
        rows = math.prod(x.shape[:leading])
        if rows >= _GEMV_SUM_MIN_ROWS:
            total = xp.ones(rows, x.dtype) @ x.reshape(rows, -1)
            return total.reshape((1,) * leading * keepdims + x.shape[leading:])
    return xp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _mean(xp, x, axis, keepdims):
    if x.dtype.kind not in "iu":
        return xp.mean(x, axis=axis, keepdims=keepdims)
    total = _sum(xp, x, axis, keepdims)
    count = x.dtype.type(math.prod(x.shape[a] for a in axis) or 1)
    return truncate_divide(xp)(total, count)  # TF's integer mean truncates, like C


def _extremum(name, identity):
    """Max or Min; over no elements they give the identity (-inf, INT_MIN, ...), as TF does."""
    def function(xp, x, axis, keepdims):
        if x.size == 0:
            return xp.full_like(_sum(xp, x, axis, keepdims), identity(x.dtype))[()]
        return getattr(xp, name)(x, axis=axis, keepdims=keepdims)
    return function


def _lowest(dtype):
    return -numpy.inf if dtype.kind == "f" else numpy.iinfo(dtype).min


def _highest(dtype):
    return numpy.inf if dtype.kind == "f" else numpy.iinfo(dtype).max


_REDUCTIONS = {
    "Sum": _sum, "Mean": _mean, "Max": _extremum("max", _lowest), "Min": _extremum("min", _highest),
    "Prod": lambda xp, x, axis, keepdims: xp.prod(x, axis=axis, keepdims=keepdims, dtype=x.dtype),
    "All": lambda xp, x, axis, keepdims: xp.all(x, axis=axis, keepdims=keepdims),
    "Any": lambda xp, x, axis, keepdims: xp.any(x, axis=axis, keepdims=keepdims),
}
for _op_type, _function in _REDUCTIONS.items():
    register_kernel(_op_type, devices=_BOTH)(_reduction(_function))


def _arg_reduction(name, nan_stand_in):
    """TF's kernels never pick a NaN (comparisons with it are false), where NumPy returns the
    first NaN: NaNs are replaced by the value that can never win."""
    def factory(ctx):
        xp, output_type = ctx.xp, ctx.attr("output_type").as_numpy_dtype
        reduce, floating = getattr(xp, name), ctx.attr("T").is_floating

        def compute(x, dimension):
            if floating:
                x = xp.where(xp.isnan(x), x.dtype.type(nan_stand_in), x)
            return reduce(x, axis=int(dimension)).astype(output_type, copy=False)
        return compute
    return factory


register_kernel("ArgMax", devices=_BOTH)(_arg_reduction("argmax", -float("inf")))
register_kernel("ArgMin", devices=_BOTH)(_arg_reduction("argmin", float("inf")))


# ======================================================================================
# Matrix products and inverse
# ======================================================================================
@register_kernel("MatMul", devices=_BOTH)
def matmul(ctx):
    transpose_a, transpose_b = ctx.attr("transpose_a"), ctx.attr("transpose_b")
    if transpose_a or transpose_b:
        product = lambda a, b: (a.T if transpose_a else a) @ (b.T if transpose_b else b)  # .T: a view
    else:
        product = operator.matmul
    if all(t.shape.ndims == 2 for t in ctx.op.inputs):
        return product  # the shape function already proved both are matrices

    def checked(a, b):  # NumPy would silently accept vectors and stacks
        if a.ndim != 2 or b.ndim != 2:
            raise ctx.error(f"In[0] and In[1] must be matrices: In[0] is {list(a.shape)}, "
                            f"In[1] is {list(b.shape)}")
        return product(a, b)
    return checked


def _batch_matmul(broadcasting):
    """BatchMatMul (equal batch dims) and BatchMatMulV2 (batch dims broadcast, as NumPy does)."""
    def factory(ctx):
        xp, adj_x, adj_y = ctx.xp, ctx.attr("adj_x"), ctx.attr("adj_y")
        if adj_x or adj_y:
            product = lambda x, y: (xp.swapaxes(x, -1, -2) if adj_x else x) @ (xp.swapaxes(y, -1, -2) if adj_y else y)
        else:
            product = operator.matmul
        if all(t.shape.ndims is not None for t in ctx.op.inputs):
            return product  # the shape function already checked ranks and batch dims

        def checked(x, y):  # NumPy would accept vectors (and broadcast batch dims for V1)
            if x.ndim < 2 or y.ndim < 2 or not broadcasting and x.shape[:-2] != y.shape[:-2]:
                raise ctx.error(f"In[0] and In[1] must have compatible batch dimensions and rank >= 2: "
                                f"{list(x.shape)} vs. {list(y.shape)}")
            return product(x, y)
        return checked
    return factory


register_kernel("BatchMatMul", devices=_BOTH)(_batch_matmul(broadcasting=False))
register_kernel("BatchMatMulV2", devices=_BOTH)(_batch_matmul(broadcasting=True))


def raising_linalg_errors(xp):
    """CuPy reports a singular matrix only inside cupyx.errstate(linalg="raise") (NumPy always)."""
    if xp.__name__ == "numpy":
        return contextlib.nullcontext()
    import cupyx
    return cupyx.errstate(linalg="raise")


@register_kernel("MatrixInverse", devices=_BOTH)
def matrix_inverse(ctx):
    xp, adjoint = ctx.xp, ctx.attr("adjoint")

    def compute(x):
        matrices = xp.swapaxes(x, -1, -2) if adjoint else x
        if x.dtype == xp.float16:  # LAPACK has no half precision
            matrices = matrices.astype(xp.float32)
        try:
            with raising_linalg_errors(xp):
                inverse = xp.linalg.inv(matrices)
        except numpy.linalg.LinAlgError:
            raise ctx.error("Input is not invertible.") from None
        return inverse.astype(x.dtype, copy=False)
    return compute


# ======================================================================================
# Sums of tensors, clipping, numerics checks
# ======================================================================================
@register_kernel("AddN", devices=_BOTH)
def add_n(ctx):
    def compute(first, *rest):
        if not rest:
            return first
        total = first + rest[0]
        for value in rest[1:]:
            total += value  # the running sum is our own array: add in place
        return total
    return compute


@register_kernel("ClipByValue", devices=_BOTH)
def clip_by_value(ctx):
    xp = ctx.xp

    def compute(t, low, high):
        if any(bound.ndim and bound.shape != t.shape for bound in (low, high)):
            raise ctx.error("clip_value_min and clip_value_max must be either scalars or have the same "
                            f"shape as t: t.shape = {list(t.shape)}, clip_value_min.shape = "
                            f"{list(low.shape)}, clip_value_max.shape = {list(high.shape)}")
        return xp.clip(t, low, high)
    return compute


@register_kernel("CheckNumerics", devices=_BOTH)
def check_numerics(ctx):
    xp, message = ctx.xp, ctx.attr("message")

    def compute(tensor):
        if not xp.all(xp.isfinite(tensor)):
            found = [kind for kind, test in (("Inf", xp.isinf), ("NaN", xp.isnan)) if xp.any(test(tensor))]
            raise ctx.error(f"{message} : Tensor had {' and '.join(found)} values")
        return tensor
    return compute


@register_kernel("UnsortedSegmentSum", devices=_BOTH)
def unsorted_segment_sum(ctx):
    xp = ctx.xp

    def compute(data, ids, count):
        count, ids = int(count), xp.asarray(ids)
        if ids.size and int(ids.max()) >= count:
            raise ctx.error(f"segment_ids[{int(xp.argmax(ids))}] = {int(ids.max())} is out of range [0, {count})")
        data = xp.asarray(data)
        result = xp.zeros((count,) + data.shape[ids.ndim:], dtype=data.dtype)
        keep = ids >= 0  # TF drops rows whose id is negative
        scatter_at(xp, "add", result, ids[keep], data[keep])
        return result
    return compute


@register_kernel("Unique", devices=_BOTH)
def unique(ctx):
    """Distinct values in order of first appearance (np.unique sorts them; the first-appearance
    positions put them back in order) and each element's index among them."""
    xp, index_dtype = ctx.xp, ctx.attr("out_idx").as_numpy_dtype

    def compute(x):
        if x.ndim != 1:
            raise ctx.error(f"unique expects a 1D vector, got shape {list(x.shape)}")
        values, first, inverse = xp.unique(x, return_index=True, return_inverse=True)
        order = xp.argsort(first, kind="stable")
        rank = xp.empty_like(order)
        rank[order] = xp.arange(len(order))
        return values[order], rank[inverse.reshape(-1)].astype(index_dtype)
    return compute


@register_kernel("DynamicPartition", devices=_BOTH)
def dynamic_partition(ctx):
    xp, count = ctx.xp, ctx.attr("num_partitions")

    def compute(data, partitions):
        data, partitions = xp.asarray(data), xp.asarray(partitions)
        if data.shape[:partitions.ndim] != partitions.shape:
            raise ctx.error(f"data.shape must start with partitions.shape, got data.shape = "
                            f"{list(data.shape)}, partitions.shape = {list(partitions.shape)}")
        bad = (partitions < 0) | (partitions >= count)
        if bad.any():
            at = tuple(int(i) for i in xp.argwhere(bad)[0])
            raise ctx.error(f"partitions[{','.join(map(str, at))}] = {int(partitions[at])} is not in [0, {count})")
        parts = [data[partitions == i] for i in range(count)]
        return parts[0] if count == 1 else tuple(parts)  # one output is a value, not a 1-tuple
    return compute


def assign_last(xp, target, positions, values):
    """target[positions] = values where, of repeated positions, the last one wins (TF's CPU
    kernels); a fancy assignment with repeats keeps an arbitrary one on a GPU. The first
    occurrence in the reversed order is the last one."""
    if positions.size:
        _, first_from_end = xp.unique(positions[::-1], return_index=True)
        last = positions.size - 1 - first_from_end
        target[positions[last]] = values[last]


def _dynamic_stitch(ctx):
    """merged[indices[i]] = data[i], piece after piece (a later piece wins a shared index)."""
    xp = ctx.xp

    def compute(*args):
        count = len(args) // 2
        indices, data = [xp.asarray(i) for i in args[:count]], [xp.asarray(d) for d in args[count:]]
        tail = data[0].shape[indices[0].ndim:]
        for i, (index, values) in enumerate(zip(indices, data)):
            if values.shape != index.shape + tail:
                raise ctx.error(f"data[{i}].shape = {list(values.shape)} does not start with indices[{i}].shape "
                                f"= {list(index.shape)} or its tail differs from {list(tail)}")
            if index.size and int(index.min()) < 0:
                raise ctx.error(f"indices[{i}] has a negative index {int(index.min())}")
        rows = max((int(index.max()) + 1 for index in indices if index.size), default=0)
        merged = xp.zeros((rows,) + tail, data[0].dtype)
        assign_last(xp, merged, xp.concatenate([index.reshape(-1) for index in indices]),
                    xp.concatenate([values.reshape((-1,) + tail) for values in data]))
        return merged
    return compute


register_kernel("DynamicStitch", devices=_BOTH)(_dynamic_stitch)
register_kernel("ParallelDynamicStitch", devices=_BOTH)(_dynamic_stitch)


# The dtypes CuPy's atomic scatters take (cupyx.scatter_add / scatter_max / scatter_min).
_CUPYX_SCATTERS = {
    "add": ("scatter_add", {"int32", "float16", "float32", "float64", "uint32", "uint64"}),
    "maximum": ("scatter_max", {"int32", "float32", "float64", "uint32", "uint64"}),
    "minimum": ("scatter_min", {"int32", "float32", "float64", "uint32", "uint64"}),
}


def scatter_at(xp, name, target, index, values):
    """target[index] = ufunc `name`(target[index], values), once per occurrence (a repeated index
    accumulates): NumPy's ufunc.at; on CuPy its atomic cupyx scatter where it takes the dtype,
    else ufunc.at on a host copy (slow, but right)."""
    if xp.__name__ == "numpy":
        getattr(numpy, name).at(target, index, values)
        return
    scatter, dtypes_taken = _CUPYX_SCATTERS.get(name, (None, ()))
    if numpy.dtype(target.dtype).name in dtypes_taken:
        import cupyx
        getattr(cupyx, scatter)(target, index, values)
        return
    from minitf.runtime.devices import to_host
    host = to_host(target)
    index = tuple(map(to_host, index)) if isinstance(index, tuple) else to_host(index)
    getattr(numpy, name).at(host, index, to_host(values))
    target[...] = xp.asarray(host)
