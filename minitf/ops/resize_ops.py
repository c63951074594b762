"""Image resizing: TF1's `tf.image.resize_images`, `tf.image.resize_bilinear` and
`tf.image.resize_nearest_neighbor` (TF 1.x's legacy coordinate rules, half_pixel_centers=False).

Ops: ResizeBilinear (output float32) and ResizeNearestNeighbor (output T), and their gradient ops
ResizeBilinearGrad and ResizeNearestNeighborGrad. Kernels: kernels/resize.py; gradients:
resize_grad.py. Source coordinates: out_index * scale, where scale is in/out, or (in-1)/(out-1)
with align_corners (and more than one output pixel).
"""
import enum

from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.ops.array_static import shape_entries
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = ["ResizeMethod", "resize_images", "resize_bilinear", "resize_nearest_neighbor"]

# TF 1.15's ResizeBilinear/ResizeNearestNeighbor "T" (those minitf knows).
IMAGE_TYPES = frozenset([dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64,
                         dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64])
GRAD_TYPES = frozenset([dtypes.float16, dtypes.bfloat16, dtypes.float32, dtypes.float64])
_ATTRS = {"align_corners": False, "half_pixel_centers": False}


class ResizeMethod(enum.IntEnum):
    """TF1 `tf.image.ResizeMethod` (minitf implements BILINEAR and NEAREST_NEIGHBOR)."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


# ======================================================================================
# Shape functions
# ======================================================================================
def _with_rank(shape, rank):
    if shape.ndims is not None and shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")


def _resize_shape(op):
    """[batch, new_height, new_width, channels]: the new size where the size input is a constant."""
    images, size = op.inputs[0].shape, op.inputs[1]
    _with_rank(images, 4)
    _with_rank(size.shape, 1)
    if size.shape.ndims == 1 and size.shape[0].value not in (None, 2):
        raise ValueError(f"Dimension must be 2 but is {size.shape[0].value}")
    entries = shape_entries(size) or [None, None]
    height, width = (None if e is None or e < 0 else e for e in entries)
    if images.ndims is None:
        return [TensorShape([None, height, width, None])]
    return [TensorShape([images[0], height, width, images[3]])]


def _bilinear_grad_shape(op):
    grads, original = (t.shape for t in op.inputs)
    _with_rank(grads, 4)
    _with_rank(original, 4)
    return [original]


define_op("ResizeBilinear", inputs=["images: T", "size: int32"], outputs=["resized_images: float32"],
          attrs={"T": TypeAttr(IMAGE_TYPES), **_ATTRS}, shape=_resize_shape)
define_op("ResizeNearestNeighbor", inputs=["images: T", "size: int32"], outputs=["resized_images: T"],
          attrs={"T": TypeAttr(IMAGE_TYPES), **_ATTRS}, shape=_resize_shape)
define_op("ResizeBilinearGrad", inputs=["grads: float32", "original_image: T"], outputs=["output: T"],
          attrs={"T": TypeAttr(GRAD_TYPES), **_ATTRS}, shape=_bilinear_grad_shape, differentiable=False)
define_op("ResizeNearestNeighborGrad", inputs=["grads: T", "size: int32"], outputs=["output: T"],
          attrs={"T": TypeAttr(IMAGE_TYPES), **_ATTRS}, shape=_resize_shape, differentiable=False)


# ======================================================================================
# Python API
# ======================================================================================
_NO_HALF_PIXEL_CENTERS = "half_pixel_centers=True is not supported (only TF 1.x's legacy coordinates are)"


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """TF1 `tf.image.resize_bilinear`: a 4-D batch resized to `size` ([new_height, new_width]) by
    bilinear interpolation; the result is float32."""
    if half_pixel_centers:
        raise NotImplementedError(_NO_HALF_PIXEL_CENTERS)
    return apply_op("ResizeBilinear", images, size, align_corners=bool(align_corners),
                    half_pixel_centers=bool(half_pixel_centers), name=name or "ResizeBilinear")


def resize_nearest_neighbor(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """TF1 `tf.image.resize_nearest_neighbor`: a 4-D batch resized to `size` by picking the nearest
    source pixel (floor of the source coordinate; rounded with align_corners); keeps the dtype."""
    if half_pixel_centers:
        raise NotImplementedError(_NO_HALF_PIXEL_CENTERS)
    return apply_op("ResizeNearestNeighbor", images, size, align_corners=bool(align_corners),
                    half_pixel_centers=bool(half_pixel_centers), name=name or "ResizeNearestNeighbor")


def _constant_size(size):
    entries = shape_entries(size) or [None, None]
    return [None if e is None else e for e in entries]


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False, preserve_aspect_ratio=False):
    """TF1 `tf.image.resize_images`: one image [h, w, c] or a batch [b, h, w, c] resized to `size`
    ([new_height, new_width]). Returns `images` unchanged when the size already matches (known
    statically). With `preserve_aspect_ratio` the image is scaled to fit inside `size` (minitf
    needs the image's height and width and `size` statically known for that)."""
    from minitf.ops import array_ops
    with name_scope(None, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.get_shape().ndims is None:
            raise ValueError("'images' contains no shape.")
        is_batch = True
        if images.get_shape().ndims == 3:
            is_batch = False
            images = array_ops.expand_dims(images, 0)
        elif images.get_shape().ndims != 4:
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        _, height, width, _ = images.get_shape().as_list()
        try:
            size = convert_to_tensor(size, dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.get_shape().is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        new_height, new_width = _constant_size(size)
        if preserve_aspect_ratio:
            if None in (height, width, new_height, new_width):
                raise NotImplementedError("minitf's resize_images(preserve_aspect_ratio=True) needs the image's "
                                          "height and width and `size` statically known")
            scale = min(new_height / height, new_width / width)
            new_height, new_width = int(round(scale * height)), int(round(scale * width))
            size = convert_to_tensor([new_height, new_width], dtypes.int32, name="size")
        if height is not None and width is not None and (height, width) == (new_height, new_width):
            return images if is_batch else array_ops.squeeze(images, axis=[0])
        try:
            method = ResizeMethod(method)
        except ValueError:
            raise ValueError(f"Resize method is not implemented: {method}") from None
        if method == ResizeMethod.BILINEAR:
            resized = resize_bilinear(images, size, align_corners=align_corners)
        elif method == ResizeMethod.NEAREST_NEIGHBOR:
            resized = resize_nearest_neighbor(images, size, align_corners=align_corners)
        else:
            raise NotImplementedError(f"minitf's resize_images implements only ResizeMethod.BILINEAR and "
                                      f"ResizeMethod.NEAREST_NEIGHBOR, not {method.name}")
        resized.set_shape([None, new_height, new_width, None])
        if not is_batch:
            resized = array_ops.squeeze(resized, axis=[0])
        return resized
