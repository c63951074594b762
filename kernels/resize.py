"""Kernels of ResizeBilinear, ResizeNearestNeighbor and their gradient ops
(minitf/ops/resize_ops.py), written once against `ctx.xp` with TF 1.x's legacy coordinates
(half_pixel_centers=False): output pixel i reads source coordinate i * scale, scale = in / out, or
(in - 1) / (out - 1) with align_corners and out > 1, computed in float32 as TF does.

Each axis is handled on its own: bilinear keeps, per output row/column, the two neighbouring
source indices and the fraction between them; nearest keeps one source index. The gradients are
the transposes, applied as [out, in] weight matrices (no loop over pixels).
"""
import numpy

from minitf.framework import dtypes, errors
from minitf.ops.array_static import dims_text
from minitf.ops.resize_ops import GRAD_TYPES, IMAGE_TYPES
from minitf.runtime.kernel_registry import register_kernel


def _kernel(op_type, allowed):
    return register_kernel(op_type, devices=("CPU", "GPU"), dtypes=allowed)


def _align_corners(ctx):
    """The op's align_corners; half_pixel_centers (TF 2's coordinates) is not implemented, and an
    imported graph asking for it must fail rather than get the legacy values."""
    if ctx.attr("half_pixel_centers"):
        raise ctx.error(f"{ctx.op.type}: half_pixel_centers=True is not supported (only TF 1.x's legacy "
                        "coordinates are)", errors.UnimplementedError)
    return ctx.attr("align_corners")


def _scale(in_size, out_size, align_corners):
    if align_corners and out_size > 1:
        return numpy.float32(in_size - 1) / numpy.float32(out_size - 1)
    return numpy.float32(in_size) / numpy.float32(out_size)


def _coords(xp, in_size, out_size, align_corners):
    return xp.arange(out_size, dtype=xp.float32) * xp.float32(_scale(in_size, out_size, align_corners))


def _linear_axis(xp, in_size, out_size, align_corners):
    """(lower index, upper index, fraction toward upper) of each output position."""
    coords = _coords(xp, in_size, out_size, align_corners)
    floor = xp.floor(coords)
    lower = xp.maximum(floor.astype(xp.int64), 0)
    upper = xp.minimum(xp.ceil(coords).astype(xp.int64), in_size - 1)
    return lower, upper, coords - floor


def _nearest_axis(xp, in_size, out_size, align_corners):
    coords = _coords(xp, in_size, out_size, align_corners)
    picked = xp.floor(coords + xp.float32(0.5)) if align_corners else xp.floor(coords)  # roundf: coords >= 0
    return xp.minimum(picked.astype(xp.int64), in_size - 1)


def _linear_matrix(xp, in_size, out_size, align_corners, dtype):
    """The [out, in] interpolation weights along one axis."""
    lower, upper, frac = _linear_axis(xp, in_size, out_size, align_corners)
    columns = xp.arange(in_size)[None, :]
    frac = frac.astype(dtype)[:, None]
    return (1 - frac) * (columns == lower[:, None]) + frac * (columns == upper[:, None])


def _nearest_matrix(xp, in_size, out_size, align_corners, dtype):
    picked = _nearest_axis(xp, in_size, out_size, align_corners)
    return (xp.arange(in_size)[None, :] == picked[:, None]).astype(dtype)


def _check_resize(ctx, images, size):
    if images.ndim != 4:
        raise ctx.error(f"input must be 4-dimensional{dims_text(list(images.shape))}")
    if size.ndim != 1:
        raise ctx.error(f"shape_t must be 1-dimensional{dims_text(list(size.shape))}")
    if size.shape[0] != 2:
        raise ctx.error(f"shape_t must have two elements{dims_text(list(size.shape))}")
    height, width = (int(v) for v in size.tolist())
    if height <= 0 or width <= 0:
        raise ctx.error("output dimensions must be positive")
    if images.shape[1] == 0 or images.shape[2] == 0:
        raise ctx.error("input image must be of non-zero size")
    return height, width


@_kernel("ResizeBilinear", IMAGE_TYPES)
def resize_bilinear(ctx):
    xp, align = ctx.xp, _align_corners(ctx)

    def compute(images, size):
        images, size = xp.asarray(images), xp.asarray(size)
        out_h, out_w = _check_resize(ctx, images, size)
        _, in_h, in_w, _ = images.shape
        y_lo, y_hi, y_frac = _linear_axis(xp, in_h, out_h, align)
        x_lo, x_hi, x_frac = _linear_axis(xp, in_w, out_w, align)
        values = images.astype(xp.float32)
        top, bottom = values[:, y_lo], values[:, y_hi]
        x_frac = x_frac[None, None, :, None]
        top = top[:, :, x_lo] + (top[:, :, x_hi] - top[:, :, x_lo]) * x_frac
        bottom = bottom[:, :, x_lo] + (bottom[:, :, x_hi] - bottom[:, :, x_lo]) * x_frac
        return top + (bottom - top) * y_frac[None, :, None, None]
    return compute


@_kernel("ResizeNearestNeighbor", IMAGE_TYPES)
def resize_nearest_neighbor(ctx):
    xp, align = ctx.xp, _align_corners(ctx)

    def compute(images, size):
        images, size = xp.asarray(images), xp.asarray(size)
        out_h, out_w = _check_resize(ctx, images, size)
        _, in_h, in_w, _ = images.shape
        rows = _nearest_axis(xp, in_h, out_h, align)
        columns = _nearest_axis(xp, in_w, out_w, align)
        return images[:, rows][:, :, columns]
    return compute


def _accumulator(dtype):
    """The dtype a gradient is summed in: float64 for float64, int64 for integers, else float32."""
    dtype = dtypes.as_dtype(dtype)
    if dtype == dtypes.float64:
        return numpy.float64
    return numpy.int64 if dtype.is_integer else numpy.float32


def _transpose_resize(xp, grads, rows, columns, dtype):
    """grads [b, out_h, out_w, c] pulled back through per-axis weights rows [out_h, in_h] and
    columns [out_w, in_w]."""
    result = xp.einsum("yh,byxc,xw->bhwc", rows, grads.astype(rows.dtype), columns)
    return result.astype(dtype)


@_kernel("ResizeBilinearGrad", GRAD_TYPES)
def resize_bilinear_grad(ctx):
    xp, align = ctx.xp, _align_corners(ctx)

    def compute(grads, original):
        grads, original = xp.asarray(grads), xp.asarray(original)
        if grads.ndim != 4:
            raise ctx.error(f"input_grad must be 4-dimensional{dims_text(list(grads.shape))}")
        if original.ndim != 4:
            raise ctx.error(f"original_image must be 4-dimensional{dims_text(list(original.shape))}")
        if grads.shape[0] != original.shape[0] or grads.shape[3] != original.shape[3]:
            raise ctx.error("input_grad and original_image must have the same batch size and depth: "
                            f"{dims_text(list(grads.shape))} vs. {dims_text(list(original.shape))}")
        if 0 in original.shape[1:3]:
            raise ctx.error("original image must be of non-zero size")
        _, in_h, in_w, _ = original.shape
        acc = _accumulator(original.dtype)
        rows = _linear_matrix(xp, in_h, grads.shape[1], align, acc)
        columns = _linear_matrix(xp, in_w, grads.shape[2], align, acc)
        return _transpose_resize(xp, grads, rows, columns, original.dtype)
    return compute


@_kernel("ResizeNearestNeighborGrad", IMAGE_TYPES)
def resize_nearest_neighbor_grad(ctx):
    xp, align = ctx.xp, _align_corners(ctx)

    def compute(grads, size):
        grads, size = xp.asarray(grads), xp.asarray(size)
        if grads.ndim != 4:
            raise ctx.error(f"input must be 4-dimensional{dims_text(list(grads.shape))}")
        if size.ndim != 1 or size.shape[0] != 2:
            raise ctx.error(f"shape_t must be 1-dimensional and have two elements{dims_text(list(size.shape))}")
        in_h, in_w = (int(v) for v in size.tolist())
        if in_h <= 0 or in_w <= 0:
            raise ctx.error("output dimensions must be positive")
        acc = _accumulator(grads.dtype)
        rows = _nearest_matrix(xp, in_h, grads.shape[1], align, acc)
        columns = _nearest_matrix(xp, in_w, grads.shape[2], align, acc)
        return _transpose_resize(xp, grads, rows, columns, grads.dtype)
    return compute
