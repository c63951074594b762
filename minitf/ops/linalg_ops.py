"""Linear algebra: `tf.tensordot` and `tf.einsum`, matrix transposes, traces and diagonals
(`tf.diag`, `tf.matrix_diag`, `tf.matrix_set_diag`, ...), determinants and linear solves.

TF 1.15's forms throughout: the diagonal family builds the v1 ops (MatrixDiag, not MatrixDiagV2),
`tf.tensordot` builds its transpose/reshape/MatMul subgraph, and `tf.einsum` builds Einsum ops of
one or two operands (TF's op; more operands are contracted pairwise, left to right). Only real
dtypes are supported, as for `tf.matmul`, so an adjoint is a transpose.
"""
import re

import numpy as np

from minitf.framework import dtypes
from minitf.framework.common_shapes import UNKNOWN, SCALAR, broadcast_shapes
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor_shape import Dimension, TensorShape
from minitf.framework.tensor_util import constant_value
from minitf.ops import array_ops, math_ops, selection_ops
from minitf.ops.array_static import merge_dims
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.math_ops import _merged_dim, _with_rank_at_least
from minitf.ops.op_builder import apply_op

__all__ = ["tensordot", "einsum", "matrix_transpose", "trace", "diag", "diag_part", "matrix_diag",
           "matrix_diag_part", "matrix_set_diag", "matrix_determinant", "matrix_solve"]

_LAPACK = frozenset([dtypes.float16, dtypes.float32, dtypes.float64])  # half is computed in float32
_DIAG = dtypes.FLOATS | dtypes.INDEX | {dtypes.complex64, dtypes.complex128}  # TF's Diag/DiagPart types


# ======================================================================================
# Einsum equations. Internally a subscript is a string of letters in which "." stands for the
# ellipsis ("..."), so that every character is one token.
# ======================================================================================
ELLIPSIS = "."


def parse_einsum(equation, count):
    """(input subscripts, output subscript) of an explicit Einsum equation over `count` operands;
    ValueError with TF's shape-inference messages when the equation is malformed."""
    if equation.count("->") != 1:
        raise ValueError(f"Expecting exactly one '->' in einsum equation: {equation}")
    inputs, output = equation.split("->")
    inputs = inputs.split(",")
    if len(inputs) not in (1, 2):
        raise ValueError(f"Expecting 1 or 2 input subscripts in equation '{equation}' but got: {len(inputs)}")
    if len(inputs) != count:
        raise ValueError(f"Expected {len(inputs)} inputs for equation {equation} but got: {count}")
    inputs = [_tokens(s, "input", equation) for s in inputs]
    output = _tokens(output, "output", equation)
    for label in output:
        if label != ELLIPSIS and not any(label in s for s in inputs):
            raise ValueError(f"Einsum output subscripts for equation '{equation}' has label '{label}' "
                             "which is not present in the input subscripts")
    return inputs, output


def _tokens(subscript, role, equation):
    periods = subscript.count(".")
    if periods not in (0, 3) or periods == 3 and "..." not in subscript:
        raise ValueError(f"Expected at most one ellipsis (...), but found {periods} periods (.) in the "
                         f"{role} subscript: {subscript}")
    bad = re.sub(r"[a-zA-Z.]", "", subscript)
    if bad:
        raise ValueError(f"Einsum equation '{equation}' has the invalid label '{bad[0]}': labels are letters")
    return subscript.replace("...", ELLIPSIS)


def einsum_equation(inputs, output):
    """The equation text of internal subscripts."""
    return ",".join(inputs).replace(ELLIPSIS, "...") + "->" + output.replace(ELLIPSIS, "...")


def label_axes(subscript, rank):
    """(label, axis) for each label of `subscript` on an operand of `rank` dims. Labels after the
    ellipsis count from the end (negative axes) when the rank is unknown (None)."""
    head, _, tail = subscript.partition(ELLIPSIS)
    after = [(label, (rank if rank is not None else 0) - len(tail) + i) for i, label in enumerate(tail)]
    return [(label, i) for i, label in enumerate(head)] + after


def ellipsis_span(subscript, rank):
    """The (start, stop) of the dims the ellipsis of `subscript` covers on an operand of `rank` dims."""
    head, _, tail = subscript.partition(ELLIPSIS)
    return len(head), rank - len(tail)


def _einsum_shape(op):
    inputs, output = parse_einsum(op.get_attr("equation"), len(op.inputs))
    labels, batch, batch_known = {}, SCALAR, True
    for subscript, tensor in zip(inputs, op.inputs):
        shape, count = tensor.shape, len(subscript.replace(ELLIPSIS, ""))
        if shape.ndims is None:
            batch_known = batch_known and ELLIPSIS not in subscript
            continue
        if ELLIPSIS in subscript:
            _with_rank_at_least(shape, count)
            batch = broadcast_shapes(batch, shape[slice(*ellipsis_span(subscript, shape.ndims))])
        elif shape.ndims != count:
            raise ValueError(f"Shape must be rank {count} but is rank {shape.ndims}")
        for label, axis in label_axes(subscript, shape.ndims):
            labels[label] = _merged_dim(labels.get(label, Dimension(None)), shape.dims[axis])
    if ELLIPSIS not in output:
        if batch_known and batch.ndims:
            raise ValueError(f"Shape must be at most rank 0 but is rank {batch.ndims}")
    elif not batch_known:
        return [UNKNOWN]
    dims = []
    for label in output:
        dims.extend(batch.dims if label == ELLIPSIS else [labels.get(label, Dimension(None))])
    return [TensorShape(dims)]


define_op("Einsum", inputs=["inputs: N * T"], outputs=["output: T"],
          attrs={"equation": REQUIRED, "N": REQUIRED, "T": TypeAttr(dtypes.REAL)}, shape=_einsum_shape)


def einsum(equation, *inputs, **kwargs):
    """TF1 `tf.einsum`: the Einstein summation `equation` over `inputs` ("ij,jk->ik"). Without
    "->" the output is the labels used once, in alphabetical order (after "..." if any). Each
    Einsum op takes one or two operands, as TF's: more are contracted pairwise, left to right,
    each step keeping the labels the rest of the equation still needs."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"invalid keyword arguments for this function: {', '.join(sorted(kwargs))}")
    equation = "".join(equation.split())
    if "->" not in equation:
        equation += "->" + _implicit_output(equation)
    with name_scope(name, "einsum", list(inputs)):
        inputs = [convert_to_tensor(x, name="input") for x in inputs]
        subscripts, _, output = equation.partition("->")  # a malformed output fails in the op
        subscripts = subscripts.split(",")
        if len(subscripts) != len(inputs):
            raise ValueError(f"Expected {len(subscripts)} inputs for equation {equation} but got: {len(inputs)}")
        result, kept, rest = inputs[0], subscripts[0], list(zip(inputs[1:], subscripts[1:]))
        while len(rest) > 1:
            (operand, subscript), rest = rest[0], rest[1:]
            pair = _pairwise_output(kept, subscript, "".join(s for _, s in rest) + output)
            result, kept = _einsum_op([result, operand], f"{kept},{subscript}->{pair}"), pair
        operands = [result] + [operand for operand, _ in rest]
        return _einsum_op(operands, ",".join([kept] + [s for _, s in rest]) + "->" + output)


def _einsum_op(operands, equation):
    return apply_op("Einsum", operands, equation=equation, name="Einsum")


def _implicit_output(equation):
    """NumPy's (and TF's) implicit output: "..." if any, then the labels used exactly once, sorted."""
    letters = [c for c in equation if c.isalpha()]
    once = sorted(c for c in set(letters) if letters.count(c) == 1)
    return ("..." if "..." in equation else "") + "".join(once)


def _pairwise_output(left, right, later):
    """The labels of a pairwise contraction that the later operands or the output still need, in
    order of first appearance, with the ellipsis kept when either operand has one."""
    kept = []
    for label in left.replace("...", ELLIPSIS) + right.replace("...", ELLIPSIS):
        if label not in kept and (label == ELLIPSIS or label in later):
            kept.append(label)
    return "".join(kept).replace(ELLIPSIS, "...")


# ======================================================================================
# tensordot: a transpose and reshape of each operand to a matrix, one MatMul, one reshape back
# ======================================================================================
def tensordot(a, b, axes, name=None):
    """TF1 `tf.tensordot`: sums the products of `a` and `b` over the axes `axes` names: an int N
    (a's last N with b's first N), a pair of axis lists (or of ints), or an int32 tensor of shape
    [2, k]. Shapes are handled statically where known, as TF1 builds it."""
    with name_scope(name, "Tensordot", [a, b, axes]) as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        a_axes, b_axes = _tensordot_axes(a, axes)
        a_matrix, a_free, a_static = _as_matrix(a, a_axes, contracted_first=False)
        b_matrix, b_free, b_static = _as_matrix(b, b_axes, contracted_first=True)
        product = math_ops.matmul(a_matrix, b_matrix)
        if isinstance(a_free, list) and isinstance(b_free, list):
            return array_ops.reshape(product, a_free + b_free, name=scope)
        free = array_ops.concat([convert_to_tensor(a_free, dtypes.int32),
                                 convert_to_tensor(b_free, dtypes.int32)], 0)
        result = array_ops.reshape(product, free, name=scope)
        if a_static is not None and b_static is not None:
            result.set_shape(a_static + b_static)
        return result


def _tensordot_axes(a, axes):
    """(a's axes, b's axes): lists when `axes` is Python, else int32 tensors."""
    if isinstance(axes, (int, np.integer)):
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        rank = a.shape.ndims
        if rank is not None:
            if axes > rank:
                raise ValueError(f"'axes' must not be larger than the number of dimensions of tensor {a}.")
            return list(range(rank - axes, rank)), list(range(axes))
        rank = array_ops.rank(a)
        return selection_ops.range(rank - axes, rank), selection_ops.range(axes)
    if isinstance(axes, (list, tuple)):
        if len(axes) != 2:
            raise ValueError("'axes' must be an integer or have length 2.")
        a_axes, b_axes = ([x] if isinstance(x, (int, np.integer)) else x for x in axes)
        if len(a_axes) != len(b_axes):
            raise ValueError(f"Different number of contraction axes 'a' and 'b', {len(a_axes)} != {len(b_axes)}.")
        return a_axes, b_axes
    axes = convert_to_tensor(axes, name="axes", dtype=dtypes.int32)
    known = constant_value(axes)
    if known is not None:  # a constant tensor: its lists keep the static shapes (TF infers them too)
        return _tensordot_axes(a, known.tolist())
    return axes[0], axes[1]


def _as_matrix(x, axes, contracted_first):
    """x transposed and reshaped to [free, contracted] (or [contracted, free]), the free dims
    (a list when static, else a tensor) and the free dims as far as known (None: unknown rank)."""
    if x.shape.is_fully_defined() and isinstance(axes, (list, tuple)):
        dims = x.shape.as_list()
        axes, free = _split_axes(axes, len(dims))
        free_dims = [dims[i] for i in free]
        sizes = [int(np.prod(free_dims)), int(np.prod([dims[i] for i in axes]))]
        perm = axes + free if contracted_first else free + axes
        matrix = array_ops.reshape(array_ops.transpose(x, perm), sizes[::-1] if contracted_first else sizes)
        return matrix, free_dims, free_dims
    if x.shape.ndims is not None and isinstance(axes, (list, tuple)):
        dims = x.shape.as_list()
        axes, free = _split_axes(axes, len(dims))
        static = [dims[i] for i in free]
        axes = convert_to_tensor(axes, dtypes.int32, name="axes")
        free = convert_to_tensor(free, dtypes.int32, name="free")
        shape = array_ops.shape(x)
    else:
        static, shape, rank = None, array_ops.shape(x), array_ops.rank(x)
        axes = convert_to_tensor(axes, dtypes.int32, name="axes")
        axes = selection_ops.where(math_ops.greater_equal(axes, 0), axes, axes + rank)
        free = _complement(selection_ops.range(rank), axes)
    free_dims = selection_ops.gather(shape, free)
    axes_dims = selection_ops.gather(shape, axes)
    sizes = [math_ops.reduce_prod(free_dims), math_ops.reduce_prod(axes_dims)]
    perm = array_ops.concat([axes, free] if contracted_first else [free, axes], 0)
    matrix = array_ops.reshape(array_ops.transpose(x, perm),
                               array_ops.stack(sizes[::-1] if contracted_first else sizes))
    return matrix, free_dims, static


def _split_axes(axes, rank):
    """The contracted axes made non-negative, and the free axes (the others, in order)."""
    axes = [int(i) + rank if i < 0 else int(i) for i in axes]
    return axes, [i for i in range(rank) if i not in axes]


def _complement(everything, removed):
    """The entries of the vector `everything` not in the vector `removed`, in order (TF1 uses
    ListDiff here; an equality table does it with ops minitf has)."""
    table = math_ops.equal(array_ops.expand_dims(everything, 1), array_ops.expand_dims(removed, 0))
    return selection_ops.boolean_mask(everything, math_ops.logical_not(math_ops.reduce_any(table, 1)))


# ======================================================================================
# Transposes and traces (Python compositions)
# ======================================================================================
def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """TF1 `tf.matrix_transpose` / `tf.linalg.matrix_transpose`: swaps the last two dims."""
    with name_scope(name, "matrix_transpose", [a]):
        a = convert_to_tensor(a, name="a")
        rank = a.shape.ndims
        if rank is not None:
            if rank < 2:
                raise ValueError(f"Argument 'a' should be a (batch) matrix, with rank >= 2.  Found: {a.shape}")
            perm = list(range(rank - 2)) + [rank - 1, rank - 2]
        else:
            rank = array_ops.rank(a)
            perm = array_ops.concat((selection_ops.range(rank - 2), [rank - 1, rank - 2]), 0)
        return array_ops.transpose(a, perm=perm, conjugate=conjugate)


def trace(x, name=None):
    """TF1 `tf.trace`: the sum of the main diagonal of each matrix in the last two dims."""
    with name_scope(name, "Trace", [x]) as scope:
        x = convert_to_tensor(x, name="x")
        return math_ops.reduce_sum(matrix_diag_part(x), [-1], name=scope)


# ======================================================================================
# Diagonals: Diag/DiagPart (a tensor's diagonal) and the matrix family (last two dims)
# ======================================================================================
def _min_dim(a, b):
    """TF's shape-inference Min: a known 0 wins, an unknown dim makes the result unknown."""
    if 0 in (a.value, b.value):
        return Dimension(0)
    if a.value is None or b.value is None:
        return Dimension(None)
    return Dimension(min(a.value, b.value))


def _diag_shape(op):
    shape = _with_rank_at_least(op.inputs[0].shape, 1)
    return [UNKNOWN if shape.ndims is None else shape.concatenate(shape)]


def _diag_part_shape(op):
    shape = op.inputs[0].shape
    if shape.ndims is None:
        return [UNKNOWN]
    if shape.ndims % 2 or not shape.ndims:
        raise ValueError(f"Input must have even and non-zero rank, input rank is {shape.ndims}")
    half = shape.ndims // 2
    return [TensorShape([_merged_dim(a, b) for a, b in zip(shape.dims[:half], shape.dims[half:])])]


def _matrix_diag_shape(op):
    shape = _with_rank_at_least(op.inputs[0].shape, 1)
    return [UNKNOWN if shape.ndims is None else shape.concatenate(shape[-1:])]


def _matrix_diag_part_shape(op):
    shape = _with_rank_at_least(op.inputs[0].shape, 2)
    if shape.ndims is None:
        return [UNKNOWN]
    return [shape[:-2].concatenate([_min_dim(shape.dims[-2], shape.dims[-1])])]


def _matrix_set_diag_shape(op):
    """The input's shape; the diagonal's batch dims fill in what the input leaves unknown (TF
    checks the batch dims only at run time when the input's shape is fully known)."""
    shape = _with_rank_at_least(op.inputs[0].shape, 2)
    diagonal = _with_rank_at_least(op.inputs[1].shape, 1)
    if shape.ndims is not None and diagonal.ndims is not None and diagonal.ndims != shape.ndims - 1:
        raise ValueError(f"Shape must be rank {shape.ndims - 1} but is rank {diagonal.ndims}")
    if shape.ndims is not None and diagonal.ndims is not None:
        _merged_dim(_min_dim(shape.dims[-2], shape.dims[-1]), diagonal.dims[-1])
    if diagonal.ndims is not None and not shape.is_fully_defined():
        shape = merge_dims(shape, diagonal[:-1].concatenate([None, None]))
    return [shape]


define_op("Diag", inputs=["diagonal: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(_DIAG)}, shape=_diag_shape)
define_op("DiagPart", inputs=["input: T"], outputs=["diagonal: T"],
          attrs={"T": TypeAttr(_DIAG)}, shape=_diag_part_shape)
define_op("MatrixDiag", inputs=["diagonal: T"], outputs=["output: T"], attrs={"T": TypeAttr()},
          shape=_matrix_diag_shape)
define_op("MatrixDiagPart", inputs=["input: T"], outputs=["diagonal: T"], attrs={"T": TypeAttr()},
          shape=_matrix_diag_part_shape)
define_op("MatrixSetDiag", inputs=["input: T", "diagonal: T"], outputs=["output: T"], attrs={"T": TypeAttr()},
          shape=_matrix_set_diag_shape)


def diag(diagonal, name=None):
    """TF1 `tf.diag`: a tensor of rank 2k with `diagonal` (rank k) on its main diagonal:
    output[i1..ik, i1..ik] = diagonal[i1..ik], zeros elsewhere."""
    return apply_op("Diag", diagonal, name=name or "Diag")


def diag_part(input, name=None):  # noqa: A002 - TF1's argument name
    """TF1 `tf.diag_part`: the inverse of `tf.diag` on a tensor of shape [d1..dk, d1..dk]."""
    return apply_op("DiagPart", input, name=name or "DiagPart")


def matrix_diag(diagonal, name="diag"):
    """TF1 `tf.matrix_diag` / `tf.linalg.diag`: [..., N] -> [..., N, N] with the last dim of
    `diagonal` on the main diagonal of each matrix."""
    return apply_op("MatrixDiag", diagonal, name=name or "diag")


def matrix_diag_part(input, name="diag_part"):  # noqa: A002
    """TF1 `tf.matrix_diag_part` / `tf.linalg.diag_part`: [..., M, N] -> [..., min(M, N)]."""
    return apply_op("MatrixDiagPart", input, name=name or "diag_part")


def matrix_set_diag(input, diagonal, name="set_diag"):  # noqa: A002
    """TF1 `tf.matrix_set_diag` / `tf.linalg.set_diag`: `input` with the main diagonal of each
    matrix replaced by `diagonal` ([..., min(M, N)])."""
    return apply_op("MatrixSetDiag", input, diagonal, name=name or "set_diag")


# ======================================================================================
# Determinants and linear solves
# ======================================================================================
def _determinant_shape(op):
    shape = _with_rank_at_least(op.inputs[0].shape, 2)
    if shape.ndims is None:
        return [UNKNOWN]
    _merged_dim(shape.dims[-1], shape.dims[-2])
    return [shape[:-2]]


def _solve_shape(op):
    """batch + [M, K] for a matrix [batch, M, M] and rhs [batch, M, K] (equal batch dims)."""
    matrix = _with_rank_at_least(op.inputs[0].shape, 2)
    rhs = _with_rank_at_least(op.inputs[1].shape, 2)
    if matrix.ndims is not None:
        side = _merged_dim(matrix.dims[-2], matrix.dims[-1])
        matrix = matrix[:-2].concatenate([side, side])
    if rhs.ndims is None:
        return [UNKNOWN]
    if matrix.ndims is None:  # the rhs alone tells the output's shape
        return [rhs]
    batch = merge_dims(matrix[:-2], rhs[:-2])
    side = _merged_dim(matrix.dims[-2], rhs.dims[-2])
    return [batch.concatenate([side, rhs.dims[-1]])]


define_op("MatrixDeterminant", inputs=["input: T"], outputs=["output: T"], attrs={"T": TypeAttr(_LAPACK)},
          shape=_determinant_shape)
define_op("MatrixSolve", inputs=["matrix: T", "rhs: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(_LAPACK), "adjoint": False}, shape=_solve_shape)


def matrix_determinant(input, name=None):  # noqa: A002
    """TF1 `tf.matrix_determinant` / `tf.linalg.det`: the determinant of each matrix in the last
    two dims (0 for a singular one)."""
    return apply_op("MatrixDeterminant", input, name=name or "MatrixDeterminant")


def matrix_solve(matrix, rhs, adjoint=False, name=None):
    """TF1 `tf.matrix_solve` / `tf.linalg.solve`: X with matrix @ X = rhs (adjoint(matrix) @ X
    with `adjoint`) for each matrix; a singular one fails at run time with InvalidArgumentError
    "Input matrix is not invertible."."""
    return apply_op("MatrixSolve", matrix, rhs, adjoint=adjoint, name=name or "MatrixSolve")
