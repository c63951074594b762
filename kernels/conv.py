"""Kernels of convolution and pooling, written once against `ctx.xp` for any number of spatial dims.

Convolution is im2col and one GEMM: the padded input is seen through a strided view
[batch, *output, *window, channels] (no copy), which reshapes into the [pixels, window * channels]
patch matrix that meets the filter in a single matmul. The filter gradient is the same patch matrix
against the output gradient; the input gradient is one GEMM into patch space, folded back (col2im)
by a loop over the window offsets. Depthwise convolution and pooling are loops over the window
offsets too, each step one vectorized operation over every output at once: nothing loops over
pixels or batch items. Everything keeps the op's dtype (no float64 detours).
"""
import itertools
import math

import numpy

from minitf.ops.conv_ops import padding_attr, spatial_attr, window_output
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")


# ======================================================================================
# Window geometry and strided views
# ======================================================================================
class _Windows:
    """One op's window attrs, read once per kernel, and what they make of an input's spatial dims."""

    def __init__(self, ctx, pooling=False):
        self.padding, self.explicit = padding_attr(ctx.op)
        self.strides = spatial_attr(ctx.op, "strides")
        self.ksize = spatial_attr(ctx.op, "ksize") if pooling else None
        self.dilations = [1] * len(self.strides) if pooling else spatial_attr(ctx.op, "dilations")

    def layout(self, sizes, window=None):
        """[(output size, pad before, pad after)] for input spatial `sizes` and a `window`."""
        window = self.ksize if window is None else window
        return [window_output(n, k, s, d, self.padding, e)
                for n, k, s, d, e in zip(sizes, window, self.strides, self.dilations, self.explicit)]

    def offsets(self, window, layout):
        """(window offset, index of the padded input it meets at every output), row-major."""
        for offset in itertools.product(*map(range, window)):
            index = tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                          for k, d, s, (o, _, _) in zip(offset, self.dilations, self.strides, layout))
            yield offset, (slice(None), *index, Ellipsis)

    def patches(self, xp, padded, window, layout):
        """The strided view [batch, *output, *window, channels] of a padded input (no copy)."""
        steps = padded.strides
        inner = steps[1:-1]
        shape = (padded.shape[0], *(o for o, _, _ in layout), *window, padded.shape[-1])
        strides = (steps[0], *(t * s for t, s in zip(inner, self.strides)),
                   *(t * d for t, d in zip(inner, self.dilations)), steps[-1])
        return xp.lib.stride_tricks.as_strided(padded, shape, strides)


def _padded(xp, x, layout, fill=0):
    """`x` with its spatial dims padded as `layout` says (the input itself when there is none)."""
    if not any(before or after for _, before, after in layout):
        return x
    shape = (x.shape[0], *(n + b + a for n, (_, b, a) in zip(x.shape[1:-1], layout)), x.shape[-1])
    out = xp.full(shape, fill, x.dtype) if fill else xp.zeros(shape, x.dtype)
    out[_interior(x.shape, layout)] = x
    return out


def _interior(shape, layout):
    """The index of the unpadded input inside a padded one."""
    return (slice(None), *(slice(b, b + n) for n, (_, b, _) in zip(shape[1:-1], layout)), Ellipsis)


def _padded_zeros(xp, shape, layout, dtype):
    return xp.zeros((shape[0], *(n + b + a for n, (_, b, a) in zip(shape[1:-1], layout)), shape[-1]), dtype)


def _sizes(value):
    """A host-memory shape vector as a list of ints."""
    return [int(v) for v in value.tolist()]


def _out_shape(batch, layout, channels):
    return (batch, *(o for o, _, _ in layout), channels)


def _check_out_backprop(ctx, dy, expected):
    if tuple(dy.shape) != tuple(expected):
        raise ctx.error(f"{ctx.op.type}: out_backprop has shape {list(dy.shape)} but the convolution's "
                        f"output shape is {list(expected)}")


def _check_depth(ctx, x_shape, w_shape):
    if x_shape[-1] != w_shape[-2]:
        raise ctx.error(f"{ctx.op.type}: input and filter must have the same depth: {x_shape[-1]} vs {w_shape[-2]}")


# ======================================================================================
# Convolution: im2col + one GEMM
# ======================================================================================
def _im2col(xp, windows, x, window):
    """(patch matrix [pixels, window * channels] of `x`, layout)."""
    layout = windows.layout(x.shape[1:-1], window)
    view = windows.patches(xp, _padded(xp, x, layout), window, layout)
    return view.reshape(-1, math.prod(window) * x.shape[-1]), layout


def _conv(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, w):
        _check_depth(ctx, x.shape, w.shape)
        cols, layout = _im2col(xp, windows, x, w.shape[:-2])
        return (cols @ w.reshape(-1, w.shape[-1])).reshape(_out_shape(x.shape[0], layout, w.shape[-1]))
    return compute


def _conv_backprop_filter(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, filter_sizes, dy):
        sizes = _sizes(filter_sizes)
        _check_depth(ctx, x.shape, sizes)
        cols, layout = _im2col(xp, windows, x, sizes[:-2])
        _check_out_backprop(ctx, dy, _out_shape(x.shape[0], layout, sizes[-1]))
        return (cols.T @ dy.reshape(-1, sizes[-1])).reshape(sizes)
    return compute


def _conv_backprop_input(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(input_sizes, w, dy):
        sizes, window = _sizes(input_sizes), w.shape[:-2]
        _check_depth(ctx, sizes, w.shape)
        layout = windows.layout(sizes[1:-1], window)
        _check_out_backprop(ctx, dy, _out_shape(sizes[0], layout, w.shape[-1]))
        # One GEMM gives each output's gradient in patch space; col2im adds it back per offset.
        flat_w = w.reshape(-1, w.shape[-1])
        patches = (dy.reshape(-1, w.shape[-1]) @ flat_w.T).reshape(*dy.shape[:-1], *w.shape[:-1])
        dx = _padded_zeros(xp, sizes, layout, dy.dtype)
        lead = (slice(None),) * (len(window) + 1)
        for offset, index in windows.offsets(window, layout):
            dx[index] += patches[(*lead, *offset)]
        return dx[_interior(sizes, layout)]
    return compute


for _op_type in ("Conv2D", "Conv3D"):
    register_kernel(_op_type, devices=_BOTH)(_conv)
for _op_type in ("Conv2DBackpropFilter", "Conv3DBackpropFilterV2"):
    register_kernel(_op_type, devices=_BOTH)(_conv_backprop_filter)
for _op_type in ("Conv2DBackpropInput", "Conv3DBackpropInputV2"):
    register_kernel(_op_type, devices=_BOTH)(_conv_backprop_input)


# ======================================================================================
# Depthwise convolution: filter [*window, channels, multiplier], one loop step per offset
# ======================================================================================
@register_kernel("DepthwiseConv2dNative", devices=_BOTH)
def depthwise(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, w):
        _check_depth(ctx, x.shape, w.shape)
        window, multiplier = w.shape[:-2], w.shape[-1]
        layout = windows.layout(x.shape[1:-1], window)
        padded = _padded(xp, x, layout)
        out = xp.zeros((*_out_shape(x.shape[0], layout, x.shape[-1]), multiplier), x.dtype)
        for offset, index in windows.offsets(window, layout):
            out += padded[index][..., None] * w[offset]
        return out.reshape(*out.shape[:-2], -1)
    return compute


@register_kernel("DepthwiseConv2dNativeBackpropFilter", devices=_BOTH)
def depthwise_backprop_filter(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, filter_sizes, dy):
        sizes = _sizes(filter_sizes)
        _check_depth(ctx, x.shape, sizes)
        layout = windows.layout(x.shape[1:-1], sizes[:-2])
        _check_out_backprop(ctx, dy, _out_shape(x.shape[0], layout, sizes[-2] * sizes[-1]))
        padded, dy = _padded(xp, x, layout), dy.reshape(*dy.shape[:-1], *sizes[-2:])
        dw = xp.empty(sizes, dy.dtype)
        batch_and_space = tuple(range(len(sizes) - 1))
        for offset, index in windows.offsets(sizes[:-2], layout):
            dw[offset] = (padded[index][..., None] * dy).sum(axis=batch_and_space)
        return dw
    return compute


@register_kernel("DepthwiseConv2dNativeBackpropInput", devices=_BOTH)
def depthwise_backprop_input(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(input_sizes, w, dy):
        sizes, window = _sizes(input_sizes), w.shape[:-2]
        _check_depth(ctx, sizes, w.shape)
        layout = windows.layout(sizes[1:-1], window)
        _check_out_backprop(ctx, dy, _out_shape(sizes[0], layout, w.shape[-2] * w.shape[-1]))
        dy = dy.reshape(*dy.shape[:-1], *w.shape[-2:])
        dx = _padded_zeros(xp, sizes, layout, dy.dtype)
        for offset, index in windows.offsets(window, layout):
            dx[index] += (dy * w[offset]).sum(axis=-1)
        return dx[_interior(sizes, layout)]
    return compute


# ======================================================================================
# Pooling: one loop step per window offset; TF's gradient goes to the first max of a window
# ======================================================================================
def _lowest(xp, dtype):
    """What SAME padding holds for max pooling: it never wins (and never ties with a real max)."""
    dtype = numpy.dtype(dtype)
    return -numpy.inf if dtype.kind == "f" else numpy.iinfo(dtype).min


def _max_hits(xp, windows, x, pooled):
    """Yields (index into the padded input, mask of the outputs whose first max sits there) for each
    window offset in row-major order, so each output's gradient goes to exactly one element."""
    layout = windows.layout(x.shape[1:-1])
    padded = _padded(xp, x, layout, _lowest(xp, x.dtype))
    taken = None
    for _, index in windows.offsets(windows.ksize, layout):
        hit = padded[index] == pooled
        if taken is None:
            taken = hit
        else:
            hit &= ~taken
            taken |= hit
        yield index, hit


@register_kernel("MaxPool", devices=_BOTH)
@register_kernel("MaxPool3D", devices=_BOTH)
def max_pool(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(x):
        layout = windows.layout(x.shape[1:-1])
        padded = _padded(xp, x, layout, _lowest(xp, x.dtype))
        out = None
        for _, index in windows.offsets(windows.ksize, layout):
            out = padded[index].copy() if out is None else xp.maximum(out, padded[index], out=out)
        return out
    return compute


@register_kernel("MaxPoolGrad", devices=_BOTH)
@register_kernel("MaxPool3DGrad", devices=_BOTH)
def max_pool_grad(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(orig_input, orig_output, grad):
        layout = windows.layout(orig_input.shape[1:-1])
        dx = _padded_zeros(xp, orig_input.shape, layout, grad.dtype)
        for index, hit in _max_hits(xp, windows, orig_input, orig_output):
            dx[index] += grad * hit
        return dx[_interior(orig_input.shape, layout)]
    return compute


@register_kernel("MaxPoolGradGrad", devices=_BOTH)
@register_kernel("MaxPool3DGradGrad", devices=_BOTH)
def max_pool_grad_grad(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(orig_input, orig_output, grad):
        padded = _padded(xp, grad, windows.layout(grad.shape[1:-1]))
        out = xp.zeros(orig_output.shape, grad.dtype)
        for index, hit in _max_hits(xp, windows, orig_input, orig_output):
            out += padded[index] * hit
        return out
    return compute


def _window_counts(xp, windows, sizes, dtype):
    """1 / (number of real, unpadded elements) of each window, shaped to broadcast over
    [batch, *output, channels]: SAME windows at the edges average fewer elements."""
    layout = windows.layout(sizes)
    counts = numpy.ones([1] * (len(sizes) + 2))
    for axis, (n, k, s, (o, before, _)) in enumerate(zip(sizes, windows.ksize, windows.strides, layout)):
        starts = numpy.arange(o) * s - before
        along = numpy.minimum(starts + k, n) - numpy.maximum(starts, 0)
        counts = counts * along.reshape([-1 if i == axis + 1 else 1 for i in range(len(sizes) + 2)])
    return xp.asarray(1.0 / counts, dtype=dtype), layout


@register_kernel("AvgPool", devices=_BOTH)
@register_kernel("AvgPool3D", devices=_BOTH)
def avg_pool(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(x):
        scale, layout = _window_counts(xp, windows, x.shape[1:-1], x.dtype)
        padded = _padded(xp, x, layout)
        out = None
        for _, index in windows.offsets(windows.ksize, layout):
            out = padded[index].copy() if out is None else xp.add(out, padded[index], out=out)
        out *= scale
        return out
    return compute


@register_kernel("AvgPoolGrad", devices=_BOTH)
@register_kernel("AvgPool3DGrad", devices=_BOTH)
def avg_pool_grad(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(orig_input_shape, grad):
        sizes = _sizes(orig_input_shape)
        scale, layout = _window_counts(xp, windows, sizes[1:-1], grad.dtype)
        share = grad * scale
        dx = _padded_zeros(xp, sizes, layout, grad.dtype)
        for _, index in windows.offsets(windows.ksize, layout):
            dx[index] += share
        return dx[_interior(sizes, layout)]
    return compute
