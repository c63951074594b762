"""Gradients of the math ops (registered by op type; each returns one gradient per input)."""
from minitf.framework.op_def import register_gradient
from minitf.ops import math_ops
from minitf.ops.gradients_impl import unbroadcast


@register_gradient("Add")
def _add_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x), unbroadcast(grad, y)]


@register_gradient("Sub")
def _sub_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(grad, x), unbroadcast(math_ops.negative(grad), y)]


@register_gradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return [unbroadcast(math_ops.multiply(grad, y), x), unbroadcast(math_ops.multiply(grad, x), y)]
