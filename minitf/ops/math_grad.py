"""Gradients of the math ops (TF1's math_grad.py), registered by op type; each returns one gradient
(or None) per input.

Every gradient is built from ordinary graph ops, so a gradient can be differentiated again
(second derivatives of the elementwise and matrix-product families). Static shapes are used
wherever they settle a question at construction, so that a training step carries no bookkeeping
ops it does not need: equal shapes need no broadcast reduction, known reduction axes need no
shape arithmetic. Departures from TF1 are named in the docstring of the gradient concerned.
"""
import math

import numpy as np

from minitf.framework.indexed_slices import IndexedSlices
from minitf.framework import dtypes
from minitf.framework.op_def import not_differentiable, register_gradient
from minitf.framework.tensor_util import constant_value
from minitf.ops import array_ops, math_ops, selection_ops
from minitf.ops.constant_op import constant
from minitf.ops.gradients_impl import shaped_like, unbroadcast
from minitf.ops.op_builder import apply_op

# TF1 registers gradients returning None for these (step functions: zero almost everywhere).
for _op_type in ("FloorDiv", "TruncateDiv", "Floor", "Ceil", "Round", "Rint"):
    not_differentiable(_op_type)


def _sum_to(grad, x, other):
    return grad if grad is None else unbroadcast(grad, x, other)


def _binary_grad(*op_types):
    """Registers `partials(op, grad) -> (gx, gy)`, each shaped like the op's (broadcast) result,
    as the gradient of `op_types`; each partial is summed back to its input's shape."""
    def decorate(partials):
        def grad_fn(op, grad):
            x, y = op.inputs
            gx, gy = partials(op, grad)
            return [_sum_to(gx, x, y), _sum_to(gy, y, x)]
        for op_type in op_types:
            register_gradient(op_type)(grad_fn)
        return partials
    return decorate


# ======================================================================================
# Binary elementwise ops
# ======================================================================================
@_binary_grad("Add")
def _add_grad(op, grad):
    return grad, grad


@register_gradient("Sub")
def _sub_grad(op, grad):
    x, y = op.inputs
    return [_sum_to(grad, x, y), -_sum_to(grad, y, x)]  # negated after the sum: fewer elements


@_binary_grad("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return math_ops.multiply(grad, y), math_ops.multiply(x, grad)


@_binary_grad("RealDiv", "Div")
def _div_grad(op, grad):
    """TF1's RealDiv and Div gradients (integer Div has no gradient: integers do not backprop)."""
    x, y = op.inputs
    return math_ops.realdiv(grad, y), grad * math_ops.realdiv(math_ops.realdiv(-x, y), y)


def _mod_grad(quotient):
    """x mod y = x - q(x, y) * y, with q piecewise constant: (grad, -grad * q)."""
    def partials(op, grad):
        x, y = op.inputs
        return grad, grad * -quotient(x, y)
    return partials


_binary_grad("FloorMod")(_mod_grad(math_ops.floordiv))
# TF1 registers no TruncateMod gradient (tf.gradients raises LookupError); minitf gives the
# same formula as FloorMod's with the truncated quotient.
_binary_grad("TruncateMod")(_mod_grad(math_ops.truncatediv))


@_binary_grad("Pow")
def _pow_grad(op, grad):
    """d/dx = y x^(y-1); d/dy = z log(x), taken as 0 where x <= 0 (TF1's guard against log(0))."""
    x, y = op.inputs
    z = op.outputs[0]
    gx = grad * y * math_ops.pow(x, y - 1)
    positive = math_ops.greater(x, 0)
    safe_x = selection_ops.where(positive, x, array_ops.ones_like(x))
    log_x = selection_ops.where(positive, math_ops.log(safe_x), array_ops.zeros_like(x))
    return gx, grad * z * log_x


def _select_grad(selects_x):
    """Maximum/Minimum: the whole gradient goes to the selected input; x wins ties (TF1's rule)."""
    def partials(op, grad):
        x, y = op.inputs
        x_selected = selects_x(x, y)
        zeros = array_ops.zeros_like(grad)
        return selection_ops.where(x_selected, grad, zeros), selection_ops.where(x_selected, zeros, grad)
    return partials


_binary_grad("Maximum")(_select_grad(math_ops.greater_equal))
_binary_grad("Minimum")(_select_grad(math_ops.less_equal))


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    x, y = op.inputs
    x_grad = (grad * 2.0) * (x - y)
    return [_sum_to(x_grad, x, y), -_sum_to(x_grad, y, x)]


@_binary_grad("Atan2")
def _atan2_grad(op, grad):
    """atan2(y, x): (x, -y) * grad / (x^2 + y^2). TF1 omits the broadcast reduction (a wrong-shaped
    gradient for broadcast inputs); minitf sums back like every other binary op."""
    y, x = op.inputs
    grad_inv = grad / (math_ops.square(y) + math_ops.square(x))
    return x * grad_inv, -y * grad_inv


# ======================================================================================
# Unary elementwise ops: d(input) from the input x, the output y and the incoming gradient g
# ======================================================================================
_TWO_OVER_ROOT_PI = 2 / math.sqrt(math.pi)

_UNARY_GRADS = {
    "Neg": lambda x, y, g: -g,
    "Abs": lambda x, y, g: g * math_ops.sign(x),
    "Sign": lambda x, y, g: array_ops.zeros_like(x),
    "Square": lambda x, y, g: g * (x * 2.0),
    "Sqrt": lambda x, y, g: g * 0.5 / y,
    "Rsqrt": lambda x, y, g: g * -0.5 * (math_ops.square(y) * y),
    "Exp": lambda x, y, g: g * y,
    "Expm1": lambda x, y, g: g * math_ops.exp(x),
    "Log": lambda x, y, g: g * math_ops.reciprocal(x),
    "Log1p": lambda x, y, g: g * math_ops.reciprocal(1 + x),
    "Sin": lambda x, y, g: g * math_ops.cos(x),
    "Cos": lambda x, y, g: -g * math_ops.sin(x),
    "Tan": lambda x, y, g: g * math_ops.square(math_ops.reciprocal(math_ops.cos(x))),
    "Asin": lambda x, y, g: g * math_ops.reciprocal(math_ops.sqrt(1 - math_ops.square(x))),
    "Acos": lambda x, y, g: -g * math_ops.reciprocal(math_ops.sqrt(1 - math_ops.square(x))),
    "Atan": lambda x, y, g: g * math_ops.reciprocal(1 + math_ops.square(x)),
    "Sinh": lambda x, y, g: g * math_ops.cosh(x),
    "Cosh": lambda x, y, g: g * math_ops.sinh(x),
    "Tanh": lambda x, y, g: g * (1 - math_ops.square(y)),
    "Sigmoid": lambda x, y, g: g * (y * (1 - y)),
    "Reciprocal": lambda x, y, g: -g * math_ops.square(y),
    "Erf": lambda x, y, g: g * _TWO_OVER_ROOT_PI * math_ops.exp(-math_ops.square(x)),
    "Erfc": lambda x, y, g: g * -_TWO_OVER_ROOT_PI * math_ops.exp(-math_ops.square(x)),
}


def _unary_grad(derivative):
    """TF1's fused *Grad kernels (TanhGrad, SqrtGrad, ...) are written out as graph ops, which
    is what lets the gradient be differentiated again."""
    return lambda op, grad: [derivative(op.inputs[0], op.outputs[0], grad)]


for _op_type, _derivative in _UNARY_GRADS.items():
    register_gradient(_op_type)(_unary_grad(_derivative))


@register_gradient("Cast")
def _cast_grad(op, grad):
    """Float to float: the gradient cast back to the source type; to or from anything else: None."""
    source, target = op.inputs[0].dtype.base_dtype, grad.dtype.base_dtype
    if not all(t.is_floating or t.is_complex for t in (source, target)):
        return [None]
    if isinstance(grad, IndexedSlices):  # stays sparse, as TF1's
        return [IndexedSlices(math_ops.cast(grad.values, source), grad.indices, grad.dense_shape)]
    return [math_ops.cast(grad, source)]


# ======================================================================================
# Reductions: the gradient is reshaped to the output with its reduced dims kept (as 1) and
# tiled over the input
# ======================================================================================
def _kept_shape_and_multiples(op):
    """(kept, multiples) of reduction `op`: the output shape with reduced dims kept as 1, and the
    Tile multiples that spread a kept-shaped value over the input (the input dim on reduced
    axes, 1 elsewhere). Python lists when known at construction, else int32 tensors."""
    x, axes = op.inputs
    rank, axes_value = x.shape.ndims, constant_value(axes)
    if rank is None or axes_value is None:
        return _dynamic_kept_shape_and_multiples(x, axes)
    axes_set = {int(a) % rank for a in np.reshape(axes_value, -1)}
    reduced = [i in axes_set for i in range(rank)]
    dims = x.shape.as_list()
    kept = [1 if r else d for r, d in zip(reduced, dims)]
    multiples = [d if r else 1 for r, d in zip(reduced, dims)]
    if None in kept or None in multiples:  # some dims come from the input's shape at run time
        x_shape = array_ops.shape(x)
        if None in kept:
            kept = selection_ops.where(constant(reduced), constant([1] * rank), x_shape)
        if None in multiples:
            multiples = x_shape if all(reduced) else selection_ops.where(
                constant(reduced), x_shape, constant([1] * rank))
    return kept, multiples


def _dynamic_kept_shape_and_multiples(x, axes):
    """The same as int32 tensors, when the axes or the input's rank are known only at run time."""
    x_shape = array_ops.shape(x)
    rank = array_ops.size(x_shape)
    # Negative axes count from the end; a scalar input (rank 0) has no axes to reduce.
    axes = math_ops.floormod(array_ops.reshape(math_ops.cast(axes, dtypes.int32), [1, -1]),
                             math_ops.maximum(rank, 1))
    positions = array_ops.expand_dims(selection_ops.range(0, rank), 1)
    reduced = math_ops.reduce_any(math_ops.equal(positions, axes), axis=1)
    ones = array_ops.ones_like(x_shape)
    return selection_ops.where(reduced, ones, x_shape), selection_ops.where(reduced, x_shape, ones)


def _is_static(shape, dims):
    return isinstance(dims, list) and shape.is_fully_defined() and shape.as_list() == dims


def _to_kept(value, kept):
    """`value` (shaped like the reduction's output) reshaped to the kept shape, if it is not already."""
    return value if _is_static(value.shape, kept) else array_ops.reshape(value, kept)


def _all_ones(dims):
    return isinstance(dims, list) and all(d == 1 for d in dims)


def _spread(op, grad, kept, multiples):
    """TF1's _SumGrad: `grad` repeated over the reduced dims of `op`'s input (Reshape and Tile;
    a scalar reduced from every dim is one Fill, where TF1 reshapes and tiles it too)."""
    if _all_ones(kept) and kept and grad.shape.ndims == 0:
        return shaped_like(array_ops.fill(multiples, grad), op.inputs[0])
    spread = _to_kept(grad, kept)
    if not _all_ones(multiples):
        spread = selection_ops.tile(spread, multiples)
    return grad if spread is grad else shaped_like(spread, op.inputs[0])


@register_gradient("Sum")
def _sum_grad(op, grad):
    return [_spread(op, grad, *_kept_shape_and_multiples(op)), None]


@register_gradient("Mean")
def _mean_grad(op, grad):
    """The Sum gradient divided by the number of reduced elements (a constant when it is known)."""
    kept, multiples = _kept_shape_and_multiples(op)
    sum_grad = _spread(op, grad, kept, multiples)
    dtype = sum_grad.dtype.base_dtype
    if isinstance(multiples, list):
        factor = int(np.prod(multiples, dtype=np.int64))
        return [sum_grad if factor == 1 else math_ops.truediv(sum_grad, constant(factor, dtype)), None]
    count = array_ops.size(op.inputs[0]) if _all_ones(kept) else math_ops.reduce_prod(multiples)
    return [math_ops.truediv(sum_grad, math_ops.cast(count, dtype)), None]


def _max_or_min_grad(op, grad):
    """The gradient goes to the elements equal to the result, split equally among ties (TF1)."""
    x, axes = op.inputs
    kept, _ = _kept_shape_and_multiples(op)
    y, grad = _to_kept(op.outputs[0], kept), _to_kept(grad, kept)
    indicators = math_ops.cast(math_ops.equal(y, x), grad.dtype.base_dtype)
    num_selected = math_ops.reduce_sum(indicators, axes, keepdims=True)
    return [indicators / num_selected * grad, None]


register_gradient("Max")(_max_or_min_grad)
register_gradient("Min")(_max_or_min_grad)


@register_gradient("Prod")
def _prod_grad(op, grad):
    """Each element's gradient is the product of the others along the reduced axes, exact where
    the input has zeros: prod/x with no zero; the product of the non-zeros at a single zero (0
    elsewhere); 0 everywhere with two or more zeros. TF1 computes the same products with
    exclusive cumprods over a transposed, flattened input; minitf has no Cumprod op, so it counts
    the zeros instead (the values agree up to rounding)."""
    x, axes = op.inputs
    grad = _spread(op, grad, *_kept_shape_and_multiples(op))
    dtype = x.dtype.base_dtype
    is_zero = math_ops.equal(x, 0)
    zero = math_ops.cast(is_zero, dtype)
    safe_x = selection_ops.where(is_zero, array_ops.ones_like(x), x)
    nonzero_product = math_ops.reduce_prod(safe_x, axes, keepdims=True)
    zero_count = math_ops.reduce_sum(zero, axes, keepdims=True)
    no_zero = math_ops.cast(math_ops.equal(zero_count, 0), dtype)
    one_zero = math_ops.cast(math_ops.equal(zero_count, 1), dtype)
    others = nonzero_product * (zero * one_zero + (1 - zero) * (no_zero / safe_x))
    return [grad * others, None]


# ======================================================================================
# Matrix products and inverse
# ======================================================================================
def _product_grads(product, a, b, transpose_a, transpose_b, grad):
    """TF1's MatMul/BatchMatMul gradients for the four transpose combinations;
    product(p, q, transpose_p, transpose_q) builds one product."""
    if not transpose_a and not transpose_b:
        return [product(grad, b, False, True), product(a, grad, True, False)]
    if not transpose_a:
        return [product(grad, b, False, False), product(grad, a, True, False)]
    if not transpose_b:
        return [product(b, grad, False, True), product(a, grad, False, False)]
    return [product(b, grad, True, True), product(grad, a, True, True)]


@register_gradient("MatMul")
def _matmul_grad(op, grad):
    def product(p, q, transpose_p, transpose_q):
        return apply_op("MatMul", p, q, name="MatMul", transpose_a=transpose_p, transpose_b=transpose_q)
    return _product_grads(product, *op.inputs, op.get_attr("transpose_a"), op.get_attr("transpose_b"), grad)


@register_gradient("BatchMatMul")
def _batch_matmul_grad(op, grad):
    def product(p, q, adjoint_p, adjoint_q):
        return apply_op("BatchMatMul", p, q, name="MatMul", adj_x=adjoint_p, adj_y=adjoint_q)
    return _product_grads(product, *op.inputs, op.get_attr("adj_x"), op.get_attr("adj_y"), grad)


@register_gradient("BatchMatMulV2")
def _batch_matmul_v2_grad(op, grad):
    """As BatchMatMul's, then summed over the batch dims each input was broadcast along."""
    def product(p, q, adjoint_p, adjoint_q):
        return apply_op("BatchMatMulV2", p, q, name="MatMul", adj_x=adjoint_p, adj_y=adjoint_q)
    x, y = op.inputs
    gx, gy = _product_grads(product, x, y, op.get_attr("adj_x"), op.get_attr("adj_y"), grad)
    return [unbroadcast(gx, x), unbroadcast(gy, y)]


@register_gradient("MatrixInverse")
def _matrix_inverse_grad(op, grad):
    """d(A^-1) = -A^-1 dA A^-1, so the gradient is -A^-T grad A^-T (with `adjoint`:
    -A^-1 grad^T A^-1, the inverse being of A^T)."""
    inverse, adjoint = op.outputs[0], op.get_attr("adjoint")
    inner = math_ops.matmul(grad, inverse, adjoint_a=adjoint, adjoint_b=not adjoint)
    return [-math_ops.matmul(inverse, inner, adjoint_a=not adjoint)]


# ======================================================================================
# Sums of tensors, clipping, numerics checks
# ======================================================================================
@register_gradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


@register_gradient("ClipByValue")
def _clip_by_value_grad(op, grad):
    """The gradient goes to `t` inside the bounds and to the bound that clipped it outside."""
    t, low, high = op.inputs
    below, above = math_ops.less(t, low), math_ops.greater(t, high)
    zeros = array_ops.zeros_like(grad)
    return [selection_ops.where(math_ops.logical_or(below, above), zeros, grad),
            _sum_to(selection_ops.where(below, grad, zeros), low, t),
            _sum_to(selection_ops.where(above, grad, zeros), high, t)]


@register_gradient("CheckNumerics")
def _check_numerics_grad(op, grad):
    """The gradient passes through, itself checked for NaN and Inf with the op's message appended (as
    TF does; the earliest TF1 releases passed it through unchecked)."""
    message = op.get_attr("message")
    return [math_ops.check_numerics(
        grad, f"Not a number (NaN) or infinity (Inf) values detected in gradient. {message}")]
