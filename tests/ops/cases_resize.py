"""Harness cases: ResizeBilinear, ResizeNearestNeighbor and their gradient ops. The references
loop over output pixels in plain Python with TF 1.x's legacy coordinates (half_pixel_centers=False)."""
import math

import numpy as np

import minitf as tf
from harness import OpCase, inputs_of, uniform
from minitf.ops.op_builder import apply_op

_IMAGE_DTYPES = (tf.float32, tf.float64, tf.int32, tf.uint8)


def _scale(n_in, n_out, align):
    return (n_in - 1) / (n_out - 1) if align and n_out > 1 else n_in / n_out


def _bilinear_taps(n_in, n_out, align):
    """Per output index: [(source index, weight), (source index, weight)]."""
    taps = []
    for i in range(n_out):
        x = i * _scale(n_in, n_out, align)
        lo, hi = int(math.floor(x)), min(int(math.ceil(x)), n_in - 1)
        taps.append([(lo, 1 - (x - lo)), (hi, x - lo)])
    return taps


def _nearest_index(n_in, n_out, align):
    out = []
    for i in range(n_out):
        x = i * _scale(n_in, n_out, align)
        out.append(min(int(math.floor(x + 0.5)) if align else int(math.floor(x)), n_in - 1))
    return out


def _bilinear(images, size, align=False):
    b, h, w, c = images.shape
    out = np.zeros((b, size[0], size[1], c))
    for y, ytaps in enumerate(_bilinear_taps(h, size[0], align)):
        for x, xtaps in enumerate(_bilinear_taps(w, size[1], align)):
            for sy, wy in ytaps:
                for sx, wx in xtaps:
                    out[:, y, x, :] += wy * wx * images[:, sy, sx, :]
    return out


def _bilinear_grad(grads, original, align=False):
    b, h, w, c = original.shape
    out = np.zeros(original.shape)
    for y, ytaps in enumerate(_bilinear_taps(h, grads.shape[1], align)):
        for x, xtaps in enumerate(_bilinear_taps(w, grads.shape[2], align)):
            for sy, wy in ytaps:
                for sx, wx in xtaps:
                    out[:, sy, sx, :] += wy * wx * grads[:, y, x, :]
    return out


def _nearest(images, size, align=False):
    rows, cols = _nearest_index(images.shape[1], size[0], align), _nearest_index(images.shape[2], size[1], align)
    out = np.zeros((images.shape[0], size[0], size[1], images.shape[3]), images.dtype)
    for y, sy in enumerate(rows):
        for x, sx in enumerate(cols):
            out[:, y, x, :] = images[:, sy, sx, :]
    return out


def _nearest_grad(grads, size, align=False):
    rows, cols = _nearest_index(size[0], grads.shape[1], align), _nearest_index(size[1], grads.shape[2], align)
    out = np.zeros((grads.shape[0], size[0], size[1], grads.shape[3]), grads.dtype)
    for y, sy in enumerate(rows):
        for x, sx in enumerate(cols):
            out[:, sy, sx, :] += grads[:, y, x, :]
    return out


def _positive(shape):
    """uint8 images need non-negative values."""
    def make(dtype, rng):
        return uniform(shape, 0.0, 9.0)(dtype, rng)
    return make


def _tiny(shape):
    """Tiny values: ResizeBilinear's float32 output then keeps a 1e-6 finite difference exact
    enough (the op is linear, so the gradient does not depend on the point)."""
    return lambda dtype, rng: rng.uniform(-1e-8, 1e-8, shape).astype(dtype.as_numpy_dtype)


def _float32_grads(shape):
    return lambda dtype, rng: rng.uniform(-2, 2, shape).astype(np.float32)


CASES = [
    OpCase("ResizeBilinear", lambda x: tf.image.resize_bilinear(x, [5, 7]), inputs_of(_positive((2, 3, 4, 2))),
           lambda x: _bilinear(x, (5, 7)), dtypes=_IMAGE_DTYPES, grad=False),
    OpCase("ResizeBilinear", lambda x: tf.image.resize_bilinear(x, [2, 5], align_corners=True),
           inputs_of(_positive((1, 4, 3, 1))), lambda x: _bilinear(x, (2, 5), True), dtypes=_IMAGE_DTYPES,
           grad=False, name="ResizeBilinear-align"),
    # gradient checks (float64 images, float32 output): upsample and downsample, both alignments
    OpCase("ResizeBilinear", lambda x: tf.image.resize_bilinear(x, [5, 4]), inputs_of(_tiny((2, 3, 3, 2))),
           lambda x: _bilinear(x, (5, 4)), dtypes=(tf.float64,), grad=True, name="ResizeBilinear-grad"),
    OpCase("ResizeBilinear", lambda x: tf.image.resize_bilinear(x, [2, 3], align_corners=True),
           inputs_of(_tiny((1, 4, 5, 1))), lambda x: _bilinear(x, (2, 3), True), dtypes=(tf.float64,),
           grad=True, name="ResizeBilinear-grad-align"),
    OpCase("ResizeNearestNeighbor", lambda x: tf.image.resize_nearest_neighbor(x, [5, 7]),
           inputs_of(_positive((2, 3, 4, 2))), lambda x: _nearest(x, (5, 7)), dtypes=_IMAGE_DTYPES + (tf.float16,)),
    OpCase("ResizeNearestNeighbor", lambda x: tf.image.resize_nearest_neighbor(x, [2, 5], align_corners=True),
           inputs_of(_positive((1, 4, 3, 1))), lambda x: _nearest(x, (2, 5), True), dtypes=_IMAGE_DTYPES,
           name="ResizeNearestNeighbor-align"),
    OpCase("ResizeNearestNeighbor", lambda x: tf.image.resize_nearest_neighbor(x, [2, 3]),
           inputs_of(uniform((1, 5, 7, 2))), lambda x: _nearest(x, (2, 3)), dtypes=(tf.float64,),
           name="ResizeNearestNeighbor-down"),
    OpCase("ResizeBilinearGrad", lambda g, x: apply_op("ResizeBilinearGrad", g, x),
           inputs_of(_float32_grads((2, 5, 4, 2)), uniform((2, 3, 3, 2))), _bilinear_grad,
           dtypes=(tf.float32, tf.float64)),
    OpCase("ResizeBilinearGrad", lambda g, x: apply_op("ResizeBilinearGrad", g, x, align_corners=True),
           inputs_of(_float32_grads((1, 2, 3, 1)), uniform((1, 4, 5, 1))),
           lambda g, x: _bilinear_grad(g, x, True), dtypes=(tf.float64,), name="ResizeBilinearGrad-align"),
    OpCase("ResizeNearestNeighborGrad", lambda g: apply_op("ResizeNearestNeighborGrad", g, [3, 4]),
           inputs_of(uniform((2, 5, 7, 2))), lambda g: _nearest_grad(g, (3, 4)), dtypes=(tf.float32, tf.float64,
                                                                                          tf.int32)),
    OpCase("ResizeNearestNeighborGrad",
           lambda g: apply_op("ResizeNearestNeighborGrad", g, [4, 3], align_corners=True),
           inputs_of(uniform((1, 2, 5, 1))), lambda g: _nearest_grad(g, (4, 3), True), dtypes=(tf.float64,),
           name="ResizeNearestNeighborGrad-align"),
]
