"""Gradients of the nn ops (registered by op type; each returns one gradient per input).

As in TF1, an activation's gradient is its *Grad op, fed with the forward output where the
derivative can be read from it (Relu, Relu6, Elu, Selu) and with the input otherwise; the *Grad
ops have gradients too, so second derivatives work. Departures: SoftsignGrad has a gradient
(TF1 registers none), and the cross-entropies also differentiate their `backprop` output
(TF1 ignores it for the labels, and forbids it for the sparse op).
"""
from minitf.framework.op_def import not_differentiable, register_gradient
from minitf.framework.tensor_util import constant_value
from minitf.ops import array_ops, math_ops, nn_ops, selection_ops
from minitf.ops.gradients_impl import unbroadcast
from minitf.ops.op_builder import apply_op

not_differentiable("LRNGrad")  # TF1 registers no gradient for it either


# ======================================================================================
# Activations and their gradient ops
# ======================================================================================
def _grad_op(op_type, grad, second, op):
    """The activation's *Grad op (LeakyRelu's carries its alpha)."""
    attrs = {"alpha": op.get_attr("alpha")} if "alpha" in op.op_def.attrs else {}
    return apply_op(op_type, grad, second, **attrs)


# (op type, its gradient op, whether the gradient op reads the forward output (else the input))
for _op_type, _from_output in (("Relu", True), ("Relu6", True), ("Elu", True), ("Selu", True),
                               ("LeakyRelu", False), ("Softplus", False), ("Softsign", False)):
    def _activation_grad(op, grad, _grad_type=f"{_op_type}Grad", _from_output=_from_output):
        second = op.outputs[0] if _from_output else op.inputs[0]
        return [_grad_op(_grad_type, grad, second, op)]
    register_gradient(_op_type)(_activation_grad)


# The *Grad ops are linear in their gradients input; the piecewise-linear ones have a zero
# derivative in their second input.
for _op_type in ("ReluGrad", "Relu6Grad", "LeakyReluGrad"):
    def _piecewise_linear_grad_grad(op, grad, _op_type=_op_type):
        return [_grad_op(_op_type, grad, op.inputs[1], op), array_ops.zeros_like(op.inputs[1])]
    register_gradient(_op_type)(_piecewise_linear_grad_grad)


for _op_type in ("EluGrad", "SeluGrad"):
    def _exponential_grad_grad(op, grad, _op_type=_op_type):
        """backprops = g * (outputs + c) for negative outputs: d/d outputs = g there."""
        outputs = op.inputs[1]
        return [_grad_op(_op_type, grad, outputs, op),
                selection_ops.where(outputs < 0, grad * op.inputs[0], array_ops.zeros_like(outputs))]
    register_gradient(_op_type)(_exponential_grad_grad)


@register_gradient("SoftplusGrad")
def _softplus_grad_grad(op, grad):
    """backprops = g * sigmoid(x); sigmoid'(x) = 1 / (e^-x + 2 + e^x)."""
    gradients, x = op.inputs
    curvature = math_ops.exp(-x) + 2.0 + math_ops.exp(x)
    return [_grad_op("SoftplusGrad", grad, x, op), grad * gradients / curvature]


@register_gradient("SoftsignGrad")
def _softsign_grad_grad(op, grad):
    """backprops = g / (1 + |x|)^2; d/dx = -2 g sign(x) / (1 + |x|)^3."""
    gradients, x = op.inputs
    one_plus_abs = 1.0 + math_ops.abs(x)
    return [_grad_op("SoftsignGrad", grad, x, op),
            -2.0 * grad * gradients * math_ops.sign(x) / (one_plus_abs * one_plus_abs * one_plus_abs)]


# ======================================================================================
# Softmax, log-softmax and the cross-entropies
# ======================================================================================
@register_gradient("Softmax")
def _softmax_grad(op, grad):
    softmax = op.outputs[0]
    return [(grad - math_ops.reduce_sum(grad * softmax, -1, keepdims=True)) * softmax]


@register_gradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    return [grad - math_ops.reduce_sum(grad, -1, keepdims=True) * math_ops.exp(op.outputs[0])]


def _is_zero(tensor):
    """True for gradients known to be zero (an unreached output's ZerosLike, a zero constant)."""
    if tensor.op.type == "ZerosLike":
        return True
    value = constant_value(tensor)
    return value is not None and not value.any()


def _broadcast_mul(vector, matrix):
    """vector[:, None] * matrix: the per-example loss gradient spread over the classes."""
    return array_ops.expand_dims(vector, -1) * matrix


def _softmax_backprop_grad(logits, grad_backprop):
    """The gradient through backprop = softmax(logits) - labels, wrt the logits."""
    softmax = nn_ops.softmax(logits)
    return (grad_backprop - math_ops.reduce_sum(grad_backprop * softmax, -1, keepdims=True)) * softmax


@register_gradient("SoftmaxCrossEntropyWithLogits")
def _softmax_xent_grad(op, grad_loss, grad_backprop):
    logits, labels = op.inputs
    logits_grad = _broadcast_mul(grad_loss, op.outputs[1])
    labels_grad = _broadcast_mul(grad_loss, -nn_ops.log_softmax(logits))
    if not _is_zero(grad_backprop):
        logits_grad += _softmax_backprop_grad(logits, grad_backprop)
        labels_grad -= grad_backprop
    return [unbroadcast(logits_grad, logits), unbroadcast(labels_grad, labels)]


@register_gradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_softmax_xent_grad(op, grad_loss, grad_backprop):
    logits_grad = _broadcast_mul(grad_loss, op.outputs[1])
    if not _is_zero(grad_backprop):
        logits_grad += _softmax_backprop_grad(op.inputs[0], grad_backprop)
    return [logits_grad, None]


# ======================================================================================
# Top-k, L2 loss, bias add, LRN
# ======================================================================================
@register_gradient("TopKV2")
def _top_k_grad(op, grad, _):
    """Each value's gradient goes back to its position: sum over k of one_hot(index) * grad."""
    values = op.inputs[0]
    depth = values.shape[-1].value if values.shape.ndims is not None else None
    if depth is None:
        depth = array_ops.shape(values)[-1]
    positions = selection_ops.one_hot(op.outputs[1], depth, dtype=grad.dtype.base_dtype)
    return [math_ops.reduce_sum(positions * array_ops.expand_dims(grad, -1), -2), None]


@register_gradient("L2Loss")
def _l2_loss_grad(op, grad):
    return [op.inputs[0] * grad]


@register_gradient("BiasAdd")
def _bias_add_grad(op, grad):
    data_format = op.get_attr("data_format")
    return [grad, apply_op("BiasAddGrad", grad, data_format=data_format)]


@register_gradient("BiasAddGrad")
def _bias_add_grad_grad(op, grad):
    """BiasAddGrad sums over all but the channel axis, so its gradient spreads `grad` back over
    them: a BiasAdd onto zeros of the input's shape."""
    data_format = op.get_attr("data_format")
    return [apply_op("BiasAdd", array_ops.zeros_like(op.inputs[0]), grad, data_format=data_format)]


@register_gradient("LRN")
def _lrn_grad(op, grad):
    attrs = {name: op.get_attr(name) for name in ("depth_radius", "bias", "alpha", "beta")}
    return [apply_op("LRNGrad", grad, op.inputs[0], op.outputs[0], **attrs)]
