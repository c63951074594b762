"""Gradients of ResizeBilinear and ResizeNearestNeighbor (resize_ops.py): the gradient ops spread
each output gradient back over the source pixels it was read from. The size input gets None."""
from minitf.framework.op_def import register_gradient
from minitf.ops import array_ops, resize_ops  # noqa: F401 - defines the op types
from minitf.ops.op_builder import apply_op


def _attrs(op):
    return {"align_corners": op.get_attr("align_corners"), "half_pixel_centers": op.get_attr("half_pixel_centers")}


@register_gradient("ResizeBilinear")
def _resize_bilinear_grad(op, grad):
    """Only float images get a gradient (ResizeBilinearGrad's T is a float type), as in TF."""
    image = op.inputs[0]
    if not image.dtype.base_dtype.is_floating:
        return [None, None]
    return [apply_op("ResizeBilinearGrad", grad, image, **_attrs(op)), None]


@register_gradient("ResizeNearestNeighbor")
def _resize_nearest_neighbor_grad(op, grad):
    image = op.inputs[0]
    shape = image.get_shape().as_list()
    if shape[1:3] and None not in shape[1:3]:
        size = shape[1:3]
    else:
        size = array_ops.shape(image)[1:3]
    return [apply_op("ResizeNearestNeighborGrad", grad, size, **_attrs(op)), None]
