"""Gradients of the linear-algebra ops (minitf.ops.linalg_ops), as TF1 defines them. Each is
built from graph ops (Einsum, the diagonal ops, MatrixSolve, ...), so it can be differentiated again.
"""
from minitf.framework.op_def import register_gradient
from minitf.ops import array_ops, linalg_ops, math_ops
from minitf.ops.gradients_impl import shaped_like
from minitf.ops.linalg_ops import ELLIPSIS, einsum_equation, ellipsis_span, label_axes, parse_einsum
from minitf.ops.op_builder import apply_op


# ======================================================================================
# Einsum
# ======================================================================================
@register_gradient("Einsum")
def _einsum_grad(op, grad):
    """The gradient for an operand is an einsum of the output's gradient with the other operand,
    written in the operand's subscripts:
      * a label summed away in this operand only (in neither the output nor the other operand)
        is spread back by an outer product with ones over its dims;
      * a label repeated in the operand (a diagonal) gets the gradient on that diagonal and
        zeros elsewhere (Einsum's repeated output labels);
      * the ellipsis dims of a binary einsum broadcast: each operand's gradient keeps the
        output's ellipsis dims and is then summed over those the operand was broadcast along.
    (TF's _EinsumGrad handles the same cases, for one or two operands.)"""
    inputs, output = parse_einsum(op.get_attr("equation"), len(op.inputs))
    if ELLIPSIS not in output:  # then any ellipsis of the inputs covers no dims
        inputs = [subscript.replace(ELLIPSIS, "") for subscript in inputs]
    grads = []
    for k, (x, subscript) in enumerate(zip(op.inputs, inputs)):
        others = [(t, s) for j, (t, s) in enumerate(zip(op.inputs, inputs)) if j != k]
        target = subscript + ELLIPSIS if ELLIPSIS in output and ELLIPSIS not in subscript else subscript
        operand_grad = _einsum_operand_grad(grad, output, others, x, subscript, target)
        grads.append(_sum_to_operand(operand_grad, x, target) if others and ELLIPSIS in target
                     else operand_grad)
    return grads


def _einsum(operands, subscripts, output):
    return apply_op("Einsum", operands, equation=einsum_equation(subscripts, output), name="Einsum")


def _einsum_operand_grad(grad, output, others, x, subscript, target):
    """The gradient for operand x (labelled `subscript`) in the `target` layout."""
    operands = [grad] + [t for t, _ in others]
    subscripts = [output] + [s for _, s in others]
    used = "".join(subscripts)
    reduced = "".join(dict.fromkeys(label for label in target if label != ELLIPSIS and label not in used))
    if not reduced:
        return _einsum(operands, subscripts, target)
    if len(operands) > 1:  # an Einsum takes two operands at most: contract these first
        kept = "".join(dict.fromkeys(label for label in target if label not in reduced))
        operands, subscripts = [_einsum(operands, subscripts, kept)], [kept]
    ones = array_ops.ones(_label_dims(x, subscript, reduced), dtype=grad.dtype.base_dtype)
    return _einsum(operands + [ones], subscripts + [reduced], target)


def _label_dims(x, subscript, labels):
    """The sizes of `labels` in operand x: ints where static, else taken from shape(x)."""
    axes = dict(label_axes(subscript, x.shape.ndims))
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    known = [dims[axes[label]] if dims is not None else None for label in labels]
    if all(d is not None for d in known):
        return known
    shape = array_ops.shape(x)
    return [d if d is not None else shape[axes[label]] for d, label in zip(known, labels)]


def _sum_to_operand(grad, x, target):
    """`grad` (in the `target` layout, its ellipsis covering the output's broadcast dims) summed
    over the dims x's ellipsis was broadcast along, and shaped like x."""
    start = target.index(ELLIPSIS)
    if x.shape.ndims is not None and grad.shape.ndims is not None:
        x_dims = x.shape.as_list()
        batch = x_dims[slice(*ellipsis_span(target, len(x_dims)))]
        if None not in batch:  # the axes to sum are known: x's missing leading dims and its 1s
            lead = grad.shape.ndims - len(x_dims)
            ones = [start + lead + i for i, d in enumerate(batch) if d == 1]
            axes = list(range(start, start + lead)) + ones
            if not axes:
                return grad
            summed = math_ops.reduce_sum(grad, axes)
            if not ones:
                return summed
            return shaped_like(array_ops.reshape(
                summed, x_dims if x.shape.is_fully_defined() else array_ops.shape(x)), x)
    stop = -(len(target) - start - 1) or None
    x_shape, grad_shape = array_ops.shape(x), array_ops.shape(grad)
    axes, _ = apply_op("BroadcastGradientArgs", x_shape[start:stop], grad_shape[start:stop])
    return shaped_like(array_ops.reshape(math_ops.reduce_sum(grad, axes + start), x_shape), x)


# ======================================================================================
# Diagonals
# ======================================================================================
@register_gradient("Diag")
def _diag_grad(op, grad):
    return [linalg_ops.diag_part(grad)]


@register_gradient("DiagPart")
def _diag_part_grad(op, grad):
    return [linalg_ops.diag(grad)]


@register_gradient("MatrixDiag")
def _matrix_diag_grad(op, grad):
    return [linalg_ops.matrix_diag_part(grad)]


@register_gradient("MatrixDiagPart")
def _matrix_diag_part_grad(op, grad):
    """matrix_diag of the gradient for square matrices known statically, else the gradient set
    on the diagonal of zeros (a non-square matrix, or one whose shape is known at run time)."""
    shape = op.inputs[0].shape
    if shape.ndims is not None and shape[-2:].is_fully_defined() and shape.dims[-1] == shape.dims[-2]:
        return [linalg_ops.matrix_diag(grad)]
    return [linalg_ops.matrix_set_diag(array_ops.zeros_like(op.inputs[0]), grad)]


@register_gradient("MatrixSetDiag")
def _matrix_set_diag_grad(op, grad):
    """The input gets the gradient off the diagonal, the diagonal gets its diagonal. (TF1 builds
    the zeros from the static or run-time shape; zeros_like(diagonal) is that shape.)"""
    return [linalg_ops.matrix_set_diag(grad, array_ops.zeros_like(op.inputs[1])),
            linalg_ops.matrix_diag_part(grad)]


# ======================================================================================
# Determinants and solves
# ======================================================================================
@register_gradient("MatrixDeterminant")
def _matrix_determinant_grad(op, grad):
    """d det(A) / dA = det(A) A^-T, scaled per matrix by the gradient."""
    scale = grad * op.outputs[0]
    scale = array_ops.expand_dims(array_ops.expand_dims(scale, -1), -1)
    return [scale * math_ops.matrix_inverse(op.inputs[0], adjoint=True)]


@register_gradient("MatrixSolve")
def _matrix_solve_grad(op, grad):
    """For X = A^-1 B: dB = A^-T grad and dA = -dB X^T (with `adjoint`, A^T X = B: dB = A^-1
    grad and dA = -X dB^T)."""
    matrix, solution, adjoint = op.inputs[0], op.outputs[0], op.get_attr("adjoint")
    grad_rhs = linalg_ops.matrix_solve(matrix, grad, adjoint=not adjoint)
    if adjoint:
        grad_matrix = -math_ops.matmul(solution, grad_rhs, adjoint_b=True)
    else:
        grad_matrix = -math_ops.matmul(grad_rhs, solution, adjoint_b=True)
    return [grad_matrix, grad_rhs]
