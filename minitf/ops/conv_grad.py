"""Gradients of convolution and pooling, built from the same ops as TF1 builds them: Conv2D's
gradients are Conv2DBackpropInput and Conv2DBackpropFilter, whose own gradients are convolutions
again (so conv2d_transpose trains, and second derivatives exist); MaxPool's is MaxPoolGrad, whose
gradient is MaxPoolGradGrad; AvgPool's is AvgPoolGrad, whose gradient is AvgPool."""
from minitf.framework.op_def import register_gradient
from minitf.ops import array_ops, conv_ops  # noqa: F401 - conv_ops declares the ops
from minitf.ops.op_builder import apply_op

# op type: (its input-gradient op, its filter-gradient op)
_CONVOLUTIONS = {
    "Conv2D": ("Conv2DBackpropInput", "Conv2DBackpropFilter"),
    "Conv3D": ("Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"),
    "DepthwiseConv2dNative": ("DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter"),
}
_WINDOW_ATTRS = ("strides", "padding", "data_format", "dilations", "use_cudnn_on_gpu", "explicit_paddings",
                 "ksize")


def _attrs(op):
    """The window attrs of `op`, to give its gradient ops."""
    return {name: value for name, value in op.attrs.items() if name in _WINDOW_ATTRS}


def _register_convolution(forward, input_op, filter_op):
    @register_gradient(forward)
    def _forward_grad(op, grad):
        x, w = op.inputs
        x_shape, w_shape = array_ops.shape_n([x, w])
        return [apply_op(input_op, x_shape, w, grad, **_attrs(op)),
                apply_op(filter_op, x, w_shape, grad, **_attrs(op))]

    @register_gradient(input_op)
    def _input_grad(op, grad):
        # output = conv^T(filter, dy): linear in each of filter and dy.
        _, w, dy = op.inputs
        return [None, apply_op(filter_op, grad, array_ops.shape(w), dy, **_attrs(op)),
                apply_op(forward, grad, w, **_attrs(op))]

    @register_gradient(filter_op)
    def _filter_grad(op, grad):
        x, _, dy = op.inputs
        return [apply_op(input_op, array_ops.shape(x), grad, dy, **_attrs(op)), None,
                apply_op(forward, x, grad, **_attrs(op))]


for _forward, (_input_op, _filter_op) in _CONVOLUTIONS.items():
    _register_convolution(_forward, _input_op, _filter_op)


def _register_pooling(suffix):
    max_pool, max_grad, max_grad_grad = f"MaxPool{suffix}", f"MaxPool{suffix}Grad", f"MaxPool{suffix}GradGrad"
    avg_pool, avg_grad = f"AvgPool{suffix}", f"AvgPool{suffix}Grad"

    @register_gradient(max_pool)
    def _max_pool_grad(op, grad):
        return [apply_op(max_grad, op.inputs[0], op.outputs[0], grad, **_attrs(op))]

    # MaxPoolGrad and MaxPoolGradGrad route `grad` by the argmax of orig_input: linear in `grad`,
    # constant in the pooled tensors (TF1 gives those zeros).
    @register_gradient(max_grad)
    def _max_grad_grad(op, grad):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y), apply_op(max_grad_grad, x, y, grad, **_attrs(op))]

    @register_gradient(max_grad_grad)
    def _max_grad_grad_grad(op, grad):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y), apply_op(max_grad, x, y, grad, **_attrs(op))]

    @register_gradient(avg_pool)
    def _avg_pool_grad(op, grad):
        return [apply_op(avg_grad, array_ops.shape(op.inputs[0]), grad, **_attrs(op))]

    @register_gradient(avg_grad)
    def _avg_grad_grad(op, grad):
        return [None, apply_op(avg_pool, grad, **_attrs(op))]


_register_pooling("")
_register_pooling("3D")
