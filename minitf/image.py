"""TF1's `tf.image` namespace: flips, rotations, crops, pads, colour and dtype conversions and the
random augmentations, built (as TF1's image_ops do) from the existing array, math and random ops.

Every function takes a single image [height, width, channels] or a batch [batch, height, width,
channels]. Crop and pad sizes must be Python ints (or constants) and the image's height and width
must be statically known where a function needs them.
"""
from minitf.framework import dtypes
from minitf.framework.default_graph import name_scope
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_util import constant_value
from minitf.ops.array_ops import concat, expand_dims, reshape, shape as _shape, squeeze, transpose as _transpose
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.control_flow_ops import cond
from minitf.ops.linalg_ops import tensordot
from minitf.ops.math_ops import cast, saturate_cast
from minitf.ops import math_ops as _math
from minitf.ops.random_ops import random_uniform
from minitf.ops.selection_ops import pad, reverse, slice as _slice, tile

__all__ = ["flip_left_right", "flip_up_down", "transpose_image", "transpose", "rot90", "rgb_to_grayscale",
           "grayscale_to_rgb", "convert_image_dtype", "per_image_standardization", "central_crop",
           "crop_to_bounding_box", "pad_to_bounding_box", "resize_image_with_crop_or_pad",
           "resize_with_crop_or_pad", "random_flip_left_right", "random_flip_up_down", "random_brightness",
           "random_contrast", "adjust_brightness", "adjust_contrast"]


# ======================================================================================
# Shape checks
# ======================================================================================
def _image_rank(image, name="image"):
    """The static rank (3 or 4) of `image`, with TF1's errors for anything else."""
    ndims = image.get_shape().ndims
    if ndims is None:
        raise ValueError(f"'{name}' must have a known rank (minitf needs a static rank here)")
    if ndims < 3:
        raise ValueError(f"'{name}' (shape {image.get_shape()}) must be at least three-dimensional.")
    if ndims > 4:
        raise ValueError(f"'{name}' (shape {image.get_shape()})must have either 3 or 4 dimensions.")
    return ndims


def _check_dims(image, ndims):
    """TF1's check that the height, width and depth of `image` are not zero."""
    dims = image.get_shape().as_list()[-3:]
    if any(d == 0 for d in dims):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {image.get_shape()}")


def _image(image, name="image"):
    image = convert_to_tensor(image, name=name)
    ndims = _image_rank(image)
    _check_dims(image, ndims)
    return image, ndims


def _hw(image):
    """(height, width) of `image`: ints where the static shape knows them, else int32 scalar
    tensors read at run time (decoded images and placeholders have unknown sizes)."""
    static = image.get_shape().as_list()[-3:-1]
    if None not in static:
        return tuple(static)
    dynamic = _shape(image)
    rank = image.get_shape().ndims
    return tuple(s if s is not None else dynamic[rank - 3 + i] for i, s in enumerate(static))


def _int_arg(value, name):
    """A crop/pad size: a Python int when it is a number or a constant tensor, else an int32
    tensor (checked at run time by the ops it feeds)."""
    del name
    if isinstance(value, Tensor):
        static = constant_value(value)
        return cast(value, dtypes.int32) if static is None else int(static)
    return int(value)


def _batch_shape(batch, height, width):
    """The static shape of a crop or pad of `batch` to (height, width): batch and channels kept."""
    dims = batch.get_shape().as_list()
    return [dims[0], height if _known(height) else None, width if _known(width) else None, dims[-1]]


def _known(*values):
    """Whether every value is a Python int (so a check can run now)."""
    return all(isinstance(v, int) for v in values)


# ======================================================================================
# Flips, transposes, rotations
# ======================================================================================
def _flip(image, axis, scope_name):
    with name_scope(None, scope_name, [image]) as scope:
        image, ndims = _image(image)
        return reverse(image, [axis + (ndims - 3)], name=scope)


def flip_left_right(image):
    """TF1 `tf.image.flip_left_right`: reverses the width axis."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """TF1 `tf.image.flip_up_down`: reverses the height axis."""
    return _flip(image, 0, "flip_up_down")


def transpose_image(image):
    """TF1 `tf.image.transpose_image`: swaps height and width."""
    with name_scope(None, "transpose_image", [image]) as scope:
        image, ndims = _image(image)
        perm = [1, 0, 2] if ndims == 3 else [0, 2, 1, 3]
        return _transpose(image, perm, name=scope)


transpose = transpose_image  # noqa: F811 - TF1's later name, tf.image.transpose


def rot90(image, k=1, name=None):
    """TF1 `tf.image.rot90`: rotates counter-clockwise by `k` quarter turns (`k` a Python int or a
    constant tensor)."""
    with name_scope(name, "rot90", [image, k]) as scope:
        image, ndims = _image(image)
        k = _int_arg(k, "k") % 4
        h, w = ndims - 3, ndims - 2
        perm = [1, 0, 2] if ndims == 3 else [0, 2, 1, 3]
        if k == 0:
            return image
        if k == 1:
            return _transpose(reverse(image, [w]), perm, name=scope)
        if k == 2:
            return reverse(image, [h, w], name=scope)
        return reverse(_transpose(image, perm), [w], name=scope)


# ======================================================================================
# Dtype and colour conversions
# ======================================================================================
def convert_image_dtype(image, dtype, saturate=False, name=None):
    """TF1 `tf.image.convert_image_dtype`: floats are in [0, 1], integers in [0, dtype.max].

    int -> int shifts by the ratio of the ranges, int -> float multiplies by 1 / in.max,
    float -> int multiplies by (out.max + 0.5) and casts (saturating first when `saturate`)."""
    image = convert_to_tensor(image, name="image")
    dtype = dtypes.as_dtype(dtype).base_dtype
    source = image.dtype.base_dtype
    for d in (source, dtype):
        if not (d.is_floating or d.is_integer):
            raise AttributeError("Image dtype must be either floating point or integer")
    if source == dtype:
        return _math_identity(image, name)
    with name_scope(name, "convert_image", [image]) as scope:
        if source.is_integer and dtype.is_integer:
            in_max, out_max = source.max, dtype.max
            if in_max > out_max:
                scale = (in_max + 1) // (out_max + 1)
                scaled = _math.floordiv(image, convert_to_tensor(scale, source))
                if saturate:
                    return saturate_cast(scaled, dtype, name=scope)
                return cast(scaled, dtype, name=scope)
            scale = (out_max + 1) // (in_max + 1)
            if saturate:
                casted = saturate_cast(image, dtype)
            else:
                casted = cast(image, dtype)
            return _math.multiply(casted, convert_to_tensor(scale, dtype), name=scope)
        if source.is_floating and dtype.is_floating:
            return cast(image, dtype, name=scope)
        if source.is_integer:
            casted = cast(image, dtype)
            return _math.multiply(casted, convert_to_tensor(1.0 / source.max, dtype), name=scope)
        scaled = _math.multiply(image, convert_to_tensor(dtype.max + 0.5, source))
        if saturate:
            return saturate_cast(scaled, dtype, name=scope)
        return cast(scaled, dtype, name=scope)


def _math_identity(image, name):
    from minitf.ops.array_ops import identity
    return identity(image, name=name)


def rgb_to_grayscale(images, name=None):
    """TF1 `tf.image.rgb_to_grayscale`: weights (0.2989, 0.5870, 0.1140) over the last axis, in
    float32, converted back to the input dtype; the last dim becomes 1."""
    with name_scope(name, "rgb_to_grayscale", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        orig_dtype = images.dtype.base_dtype
        flt_image = convert_image_dtype(images, dtypes.float32)
        rgb_weights = convert_to_tensor([0.2989, 0.5870, 0.1140], dtypes.float32)
        gray_float = tensordot(flt_image, rgb_weights, [[-1], [-1]])
        gray_float = expand_dims(gray_float, -1)
        return convert_image_dtype(gray_float, orig_dtype, name=scope)


def grayscale_to_rgb(images, name=None):
    """TF1 `tf.image.grayscale_to_rgb`: repeats the single channel three times."""
    with name_scope(name, "grayscale_to_rgb", [images]) as scope:
        images = convert_to_tensor(images, name="images")
        shape = images.get_shape()
        if shape.ndims is not None:
            if shape.ndims < 2:
                raise ValueError("A grayscale image must be at least two-dimensional.")
            if shape.dims[-1].value is not None and shape.dims[-1].value != 1:
                raise ValueError("Last dimension of a grayscale image should be size 1.")
            return tile(images, [1] * (shape.ndims - 1) + [3], name=scope)
        raise ValueError("minitf's grayscale_to_rgb needs a static rank")


def per_image_standardization(image):
    """TF1 `tf.image.per_image_standardization`: (x - mean) / max(stddev, 1 / sqrt(N)) over each
    image's height, width and channels, in float32."""
    with name_scope(None, "per_image_standardization", [image]) as scope:
        image, ndims = _image(image)
        image = cast(image, dtypes.float32)
        dims = image.get_shape().as_list()[-3:]
        if all(d is not None for d in dims):
            num_pixels = convert_to_tensor(float(dims[0] * dims[1] * dims[2]), dtypes.float32)
        else:
            from minitf.ops.array_ops import shape as _shape
            num_pixels = cast(_math.reduce_prod(_shape(image)[-3:]), dtypes.float32)
        axes = [-1, -2, -3]
        image_mean = _math.reduce_mean(image, axis=axes, keepdims=True)
        variance = _math.reduce_mean(_math.square(_math.subtract(image, image_mean)), axis=axes, keepdims=True)
        stddev = _math.sqrt(variance)
        min_stddev = _math.rsqrt(num_pixels)
        adjusted_stddev = _math.maximum(stddev, min_stddev)
        image = _math.subtract(image, image_mean)
        return _math.divide(image, adjusted_stddev, name=scope)


# ======================================================================================
# Crops and pads
# ======================================================================================
def _as_batch(image):
    """`image` as a 4-D batch, and whether it was a single image."""
    image, ndims = _image(image)
    if ndims == 3:
        return expand_dims(image, 0), True
    return image, False


def central_crop(image, central_fraction):
    """TF1 `tf.image.central_crop`: keeps the central `central_fraction` of height and width."""
    with name_scope(None, "central_crop", [image]) as scope:
        image, ndims = _image(image)
        if central_fraction <= 0.0 or central_fraction > 1.0:
            raise ValueError("central_fraction must be within (0, 1]")
        if central_fraction == 1.0:
            return image
        height, width = _hw(image)
        start_h, start_w = (_central_start(d, central_fraction) for d in (height, width))
        size_h, size_w = height - start_h * 2, width - start_w * 2
        if ndims == 3:
            return _slice(image, [start_h, start_w, 0], [size_h, size_w, -1], name=scope)
        return _slice(image, [0, start_h, start_w, 0], [-1, size_h, size_w, -1], name=scope)


def _central_start(size, fraction):
    """Where the central `fraction` of a dim of `size` starts (TF1's int((n - n * f) / 2))."""
    if isinstance(size, int):
        return int((float(size) - float(size) * fraction) / 2)
    size = cast(size, dtypes.float64)
    return cast((size - size * fraction) / 2, dtypes.int32)


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """TF1 `tf.image.crop_to_bounding_box`: the [target_height, target_width] window whose top-left
    corner is (offset_height, offset_width)."""
    with name_scope(None, "crop_to_bounding_box", [image]) as scope:
        batch, single = _as_batch(image)
        height, width = _hw(batch)
        oh, ow = _int_arg(offset_height, "offset_height"), _int_arg(offset_width, "offset_width")
        th, tw = _int_arg(target_height, "target_height"), _int_arg(target_width, "target_width")
        # Checked now where the numbers are known (else the Slice fails at run time).
        if _known(ow) and ow < 0:
            raise ValueError("offset_width must be >= 0.")
        if _known(oh) and oh < 0:
            raise ValueError("offset_height must be >= 0.")
        if _known(tw) and tw <= 0:
            raise ValueError("target_width must be > 0.")
        if _known(th) and th <= 0:
            raise ValueError("target_height must be > 0.")
        if _known(width, tw, ow) and width < tw + ow:
            raise ValueError("width must be >= target + offset.")
        if _known(height, th, oh) and height < th + oh:
            raise ValueError("height must be >= target + offset.")
        cropped = _slice(batch, [0, oh, ow, 0], [-1, th, tw, -1])
        cropped.set_shape(_batch_shape(batch, th, tw))
        if single:
            return squeeze(cropped, axis=[0], name=scope)
        return _math_identity(cropped, scope)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """TF1 `tf.image.pad_to_bounding_box`: zero-pads to [target_height, target_width] with the image
    at (offset_height, offset_width)."""
    with name_scope(None, "pad_to_bounding_box", [image]) as scope:
        batch, single = _as_batch(image)
        height, width = _hw(batch)
        oh, ow = _int_arg(offset_height, "offset_height"), _int_arg(offset_width, "offset_width")
        th, tw = _int_arg(target_height, "target_height"), _int_arg(target_width, "target_width")
        after_w = tw - ow - width
        after_h = th - oh - height
        if _known(oh) and oh < 0:
            raise ValueError("offset_height must be >= 0")
        if _known(ow) and ow < 0:
            raise ValueError("offset_width must be >= 0")
        if _known(after_w) and after_w < 0:
            raise ValueError("width must be <= target - offset")
        if _known(after_h) and after_h < 0:
            raise ValueError("height must be <= target - offset")
        padded = pad(batch, [[0, 0], [oh, after_h], [ow, after_w], [0, 0]])
        padded.set_shape(_batch_shape(batch, th, tw))
        if single:
            return squeeze(padded, axis=[0], name=scope)
        return _math_identity(padded, scope)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """TF1 `tf.image.resize_image_with_crop_or_pad`: centrally crops and/or zero-pads to the target
    size (odd differences put the extra row/column at the bottom/right)."""
    with name_scope(None, "resize_image_with_crop_or_pad", [image]) as scope:
        image, ndims = _image(image)
        th, tw = _int_arg(target_height, "target_height"), _int_arg(target_width, "target_width")
        if tw <= 0:
            raise ValueError("target_width must be > 0.")
        if th <= 0:
            raise ValueError("target_height must be > 0.")
        height, width = _hw(image)
        width_diff, height_diff = tw - width, th - height
        crop_w, pad_w = _at_least_zero(-width_diff // 2), _at_least_zero(width_diff // 2)
        crop_h, pad_h = _at_least_zero(-height_diff // 2), _at_least_zero(height_diff // 2)
        cropped = crop_to_bounding_box(image, crop_h, crop_w, _smaller(th, height), _smaller(tw, width))
        resized = pad_to_bounding_box(cropped, pad_h, pad_w, th, tw)
        return _math_identity(resized, scope)


def _at_least_zero(value):
    return max(value, 0) if isinstance(value, int) else _math.maximum(value, 0)


def _smaller(a, b):
    return min(a, b) if _known(a, b) else _math.minimum(a, b)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


# ======================================================================================
# Colour adjustments and random augmentations
# ======================================================================================
def _as_float(image):
    return image if image.dtype.is_floating else convert_image_dtype(image, dtypes.float32)


def adjust_brightness(image, delta):
    """TF1 `tf.image.adjust_brightness`: adds `delta` in float, converting back with saturation."""
    with name_scope(None, "adjust_brightness", [image, delta]) as scope:
        image = convert_to_tensor(image, name="image")
        orig_dtype = image.dtype.base_dtype
        flt_image = _as_float(image)
        adjusted = _math.add(flt_image, cast(delta, flt_image.dtype.base_dtype), name="adjusted")
        return convert_image_dtype(adjusted, orig_dtype, saturate=True, name=scope)


def adjust_contrast(images, contrast_factor):
    """TF1 `tf.image.adjust_contrast`: per image and channel, (x - mean) * factor + mean, the mean
    taken over height and width."""
    with name_scope(None, "adjust_contrast", [images, contrast_factor]) as scope:
        images = convert_to_tensor(images, name="images")
        _image_rank(images, "images")
        orig_dtype = images.dtype.base_dtype
        flt_images = _as_float(images)
        factor = cast(contrast_factor, flt_images.dtype.base_dtype)
        means = _math.reduce_mean(flt_images, axis=[-3, -2], keepdims=True)
        adjusted = _math.add(_math.multiply(_math.subtract(flt_images, means), factor), means)
        return convert_image_dtype(adjusted, orig_dtype, saturate=True, name=scope)


def _random_flip(image, axis, seed, scope_name):
    with name_scope(None, scope_name, [image]) as scope:
        image, ndims = _image(image)
        if ndims == 3:
            uniform_random = random_uniform([], 0, 1.0, seed=seed)
            mirror = _math.less(uniform_random, 0.5)
            result = cond(mirror, lambda: reverse(image, [axis]), lambda: image, name=scope)
            result.set_shape(image.get_shape())
            return result
        batch = image.get_shape().as_list()[0]
        if batch is None:
            from minitf.ops.array_ops import shape as _shape
            batch = _shape(image)[0]
        uniform_random = random_uniform([batch], 0, 1.0, seed=seed)
        flips = _math.round(reshape(uniform_random, concat([[batch], [1, 1, 1]], 0)))
        flips = cast(flips, image.dtype.base_dtype)
        flipped = reverse(image, [axis + 1])
        return _math.add(_math.multiply(flips, flipped), _math.multiply(1 - flips, image), name=scope)


def random_flip_left_right(image, seed=None):
    """TF1 `tf.image.random_flip_left_right`: flips the width axis with probability 1/2 (each image
    of a batch independently)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """TF1 `tf.image.random_flip_up_down`: flips the height axis with probability 1/2."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def random_brightness(image, max_delta, seed=None):
    """TF1 `tf.image.random_brightness`: adjust_brightness by a delta uniform in [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = random_uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image, lower, upper, seed=None):
    """TF1 `tf.image.random_contrast`: adjust_contrast by a factor uniform in [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    contrast_factor = random_uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, contrast_factor)

# Resizing (minitf/ops/resize_ops.py): resize_images, resize_bilinear, resize_nearest_neighbor
from minitf.ops.resize_ops import ResizeMethod, resize_bilinear, resize_images, resize_nearest_neighbor  # noqa: E402

__all__ += ["ResizeMethod", "resize_images", "resize_bilinear", "resize_nearest_neighbor"]
