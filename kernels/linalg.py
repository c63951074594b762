"""Kernels of the linear-algebra ops (minitf.ops.linalg_ops), written once against `ctx.xp`.

Every shape TF's kernels reject is checked here first with TF's message, so no NumPy or LAPACK
error escapes. LAPACK has no half precision: float16 (and einsum's bfloat16) run in float32.
"""

import numpy

from minitf.ops.array_static import dims_text
from minitf.ops.linalg_ops import ELLIPSIS, einsum_equation, ellipsis_span, label_axes, parse_einsum
from minitf.kernels.math import raising_linalg_errors
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")
_NARROW_FLOATS = ("float16", "bfloat16")
# Below this many operand elements np.einsum's own loops beat planning a BLAS contraction.
_EINSUM_OPTIMIZE_MIN_ELEMENTS = 4096


def _widened(xp, arrays):
    """The arrays in float32 when they are a half-precision float (NumPy's einsum and LAPACK
    would accumulate in half precision, or not run at all)."""
    return [a.astype(xp.float32) if a.dtype.name in _NARROW_FLOATS else a for a in arrays]


# ======================================================================================
# Einsum
# ======================================================================================
@register_kernel("Einsum", devices=_BOTH)
def einsum(ctx):
    xp = ctx.xp
    inputs, output = parse_einsum(ctx.attr("equation"), len(ctx.op.inputs))
    # NumPy takes no repeated output label: contract to the distinct labels, then inflate.
    distinct = "".join(dict.fromkeys(output))
    equation = einsum_equation(inputs, distinct)

    def compute(*operands):
        operands = [xp.asarray(x) for x in operands]
        batch_rank = _check_einsum_operands(ctx, inputs, output, operands)
        wide = _widened(xp, operands)
        large = sum(x.size for x in operands) >= _EINSUM_OPTIMIZE_MIN_ELEMENTS
        result = xp.einsum(equation, *wide, optimize=large and len(operands) > 1)
        if distinct != output:
            result = _inflate(xp, result, distinct, output, batch_rank)
        return xp.asarray(result).astype(operands[0].dtype, copy=False)[()]
    return compute


def _check_einsum_operands(ctx, inputs, output, operands):
    """TF's run-time checks of ranks, label sizes and the broadcast of the ellipsis dims; returns
    the rank of the broadcast ellipsis dims."""
    sizes, batches = {}, []
    for i, (subscript, x) in enumerate(zip(inputs, operands)):
        count = len(subscript.replace(ELLIPSIS, ""))
        if ELLIPSIS not in subscript and x.ndim != count:
            raise ctx.error(f"Expected input {i} to have rank {count} but got: {x.ndim}")
        if x.ndim < count:
            raise ctx.error(f"Expected input {i} to have rank at least {count} but got: {x.ndim}")
        for label, axis in label_axes(subscript, x.ndim):
            expected = sizes.setdefault(label, x.shape[axis])
            if x.shape[axis] != expected:
                raise ctx.error(f"Expected dimension {expected} at axis {axis} of the input shaped "
                                f"{dims_text(x.shape)} but got dimension {x.shape[axis]}")
        if ELLIPSIS in subscript:
            batches.append(x.shape[slice(*ellipsis_span(subscript, x.ndim))])
    try:
        batch = numpy.broadcast_shapes(*batches)
    except ValueError:
        raise ctx.error("In[0] and In[1] must have compatible batch dimensions: "
                        + " vs. ".join(dims_text(x.shape) for x in operands)) from None
    if batch and ELLIPSIS not in output:
        raise ctx.error(f"Output contains {len(batch)} broadcasting dimension(s) but no ellipsis (...) "
                        "was found in the output subscripts.")
    return len(batch)


def _inflate(xp, values, distinct, output, batch_rank):
    """`values` (laid out as the distinct labels) written to the `output` layout, in which a
    repeated label puts the values on that diagonal and zeros elsewhere (TF's Einsum does this)."""
    names = _axis_names(distinct, batch_rank)
    grids = {}
    for position, label in enumerate(names):
        layout = [1] * len(names)
        layout[position] = -1
        grids[label] = xp.arange(values.shape[position]).reshape(layout)
    axes = _axis_names(output, batch_rank)
    result = xp.zeros(tuple(values.shape[names.index(label)] for label in axes), values.dtype)
    result[tuple(grids[label] for label in axes)] = values
    return result


def _axis_names(subscript, batch_rank):
    """One name per axis: the label, or ("...", k) for the k-th ellipsis dim."""
    names = []
    for label in subscript:
        names.extend([(ELLIPSIS, k) for k in range(batch_rank)] if label == ELLIPSIS else [label])
    return names


# ======================================================================================
# Diag and DiagPart: a tensor of shape [d1..dk] and its [d1..dk, d1..dk] diagonal tensor
# ======================================================================================
@register_kernel("Diag", devices=_BOTH)
def diag(ctx):
    xp = ctx.xp

    def compute(diagonal):
        diagonal = xp.asarray(diagonal)
        if diagonal.ndim == 0:
            raise ctx.error("Input must be at least rank 1, got 0")
        return xp.diag(diagonal.reshape(-1)).reshape(diagonal.shape * 2)
    return compute


@register_kernel("DiagPart", devices=_BOTH)
def diag_part(ctx):
    xp = ctx.xp

    def compute(x):
        x = xp.asarray(x)
        if x.ndim % 2:
            raise ctx.error(f"The rank of the tensor should be even and positive, got shape {dims_text(x.shape)}")
        half = x.ndim // 2
        for i in range(half):
            if x.shape[i] != x.shape[i + half]:
                raise ctx.error(f"Invalid shape {dims_text(x.shape)}: dimensions {i} and {i + half} do not match.")
        size = int(numpy.prod(x.shape[:half], dtype=numpy.int64))
        return xp.diagonal(x.reshape(size, size)).reshape(x.shape[:half]).copy()[()]
    return compute


# ======================================================================================
# The matrix diagonal family (the last two dims)
# ======================================================================================
def _diagonal_index(xp, size):
    """The index of the main diagonal's first `size` entries of each matrix in a batch."""
    steps = xp.arange(size)
    return (Ellipsis, steps, steps)


@register_kernel("MatrixDiag", devices=_BOTH)
def matrix_diag(ctx):
    xp = ctx.xp

    def compute(diagonal):
        diagonal = xp.asarray(diagonal)
        if diagonal.ndim < 1:
            raise ctx.error(f"diagonal must be at least 1-dim, received shape: {dims_text(diagonal.shape)}")
        side = diagonal.shape[-1]
        result = xp.zeros(diagonal.shape + (side,), diagonal.dtype)
        result[_diagonal_index(xp, side)] = diagonal
        return result
    return compute


@register_kernel("MatrixDiagPart", devices=_BOTH)
def matrix_diag_part(ctx):
    xp = ctx.xp

    def compute(x):
        x = xp.asarray(x)
        if x.ndim < 2:
            raise ctx.error(f"input must be at least 2-dim, received shape: {dims_text(x.shape)}")
        return x[_diagonal_index(xp, min(x.shape[-2:]))]  # advanced indexing: a copy
    return compute


@register_kernel("MatrixSetDiag", devices=_BOTH)
def matrix_set_diag(ctx):
    xp = ctx.xp

    def compute(x, diagonal):
        x, diagonal = xp.asarray(x), xp.asarray(diagonal)
        if x.ndim < 2:
            raise ctx.error(f"input must be at least 2-dim, received shape: {dims_text(x.shape)}")
        side = min(x.shape[-2:])
        if diagonal.shape != x.shape[:-2] + (side,):
            raise ctx.error("must have diagonal.shape == input.shape[:-2] + min(input.shape[-2:]), but "
                            f"received input shape: {dims_text(x.shape)} and diagonal shape: "
                            f"{dims_text(diagonal.shape)}")
        result = x.copy()
        result[_diagonal_index(xp, side)] = diagonal
        return result
    return compute


# ======================================================================================
# Determinants and solves (LAPACK through xp.linalg)
# ======================================================================================
def _check_matrices(ctx, matrix, rhs=None):
    """TF's LinearAlgebraOp checks: rank >= 2, equal batch dims, square `matrix`, matching rhs."""
    if matrix.ndim < 2:
        raise ctx.error(f"Input tensor 0 must have rank >= 2, got {matrix.ndim}")
    if rhs is not None:
        if rhs.ndim != matrix.ndim:
            raise ctx.error("All input tensors must have the same rank.")
        if rhs.shape[:-2] != matrix.shape[:-2]:
            raise ctx.error("All input tensors must have the same outer dimensions.")
    if matrix.shape[-1] != matrix.shape[-2]:
        raise ctx.error("First input (lhs) must be a square matrix." if rhs is not None
                        else "Input matrix must be square.")
    if rhs is not None and rhs.shape[-2] != matrix.shape[-1]:
        raise ctx.error("Input matrix and rhs are incompatible.")


@register_kernel("MatrixDeterminant", devices=_BOTH)
def matrix_determinant(ctx):
    xp = ctx.xp

    def compute(x):
        x = xp.asarray(x)
        _check_matrices(ctx, x)
        if x.size == 0:  # the determinant of a 0x0 matrix is 1 (an empty product)
            return xp.ones(x.shape[:-2], x.dtype)[()]
        (wide,) = _widened(xp, [x])
        return xp.asarray(xp.linalg.det(wide)).astype(x.dtype, copy=False)[()]
    return compute


@register_kernel("MatrixSolve", devices=_BOTH)
def matrix_solve(ctx):
    xp, adjoint = ctx.xp, ctx.attr("adjoint")

    def compute(matrix, rhs):
        matrix, rhs = xp.asarray(matrix), xp.asarray(rhs)
        _check_matrices(ctx, matrix, rhs)
        if rhs.size == 0 or matrix.size == 0:
            return xp.zeros(rhs.shape, rhs.dtype)
        # A NaN pivot is no pivot: TF's LU finds no invertible matrix there (LAPACK would go on).
        if bool(xp.isnan(matrix).any()):
            raise ctx.error("Input matrix is not invertible.")
        wide_matrix, wide_rhs = _widened(xp, [xp.swapaxes(matrix, -1, -2) if adjoint else matrix, rhs])
        try:
            with raising_linalg_errors(xp):
                solution = xp.linalg.solve(wide_matrix, wide_rhs)
        except numpy.linalg.LinAlgError:
            raise ctx.error("Input matrix is not invertible.") from None
        return solution.astype(rhs.dtype, copy=False)
    return compute
