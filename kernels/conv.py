"""Kernels of convolution and pooling, written once against `ctx.xp` for any number of spatial dims.

Convolution is im2col and one GEMM: the padded input is seen through a strided view of its windows
(no copy), which reshapes into the patch matrix that meets the filter in a single matmul. The
filter gradient is the same patch matrix against the output gradient; the input gradient is one
matmul into patch space, folded back (col2im) by a loop over the window offsets. Depthwise
convolution and pooling loop over the window offsets too. Each loop step is one vectorized
operation over every output at once: nothing loops over pixels or batch items, and everything
keeps the op's dtype (no float64 detours).
"""
import itertools
import math

import numpy

from minitf.ops.conv_ops import channels_first, padding_attr, spatial_attr, to_channels_last, window_output
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")
# Shallow inputs use channels-first patch layouts, [window * depth, pixels]. Building the patch
# matrix then copies whole image rows instead of gathering `depth` values at a time (4x faster at
# depth 1, slower from depth 2); folding an input gradient back then adds whole images, which beats
# the batched matmul below depth 8 (its outputs are too narrow). Measured on the 2-core CPU.
_IM2COL_CHANNELS_FIRST_BELOW = 2
_COL2IM_CHANNELS_FIRST_BELOW = 8
# Batch chunks of convolutions hold about this many bytes of patches (see _batch_chunks). In
# interleaved A/B runs of the CNN benchmark on the 2-core CPU (1 MiB L2 per core), 2-3 MiB chunks
# took the step from 23.5 ms to 21 ms; 8 MiB and more gained nothing.
_CHUNK_BYTES = 2 << 20


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
        """(window offset, spatial slices of the padded input it meets at every output), row-major."""
        for offset in itertools.product(*map(range, window)):
            yield offset, tuple(slice(k * d, k * d + (o - 1) * s + 1, s)
                                for k, d, s, (o, _, _) in zip(offset, self.dilations, self.strides, layout))

    def patches(self, xp, padded, window, layout, channels_first):
        """A strided view (no copy) of every window of a padded input: [batch, *output, *window,
        depth], or [*window, depth, batch, *output] when `channels_first`."""
        steps = padded.strides
        outputs = tuple(o for o, _, _ in layout)
        output_steps = tuple(t * s for t, s in zip(steps[1:-1], self.strides))
        window_steps = tuple(t * d for t, d in zip(steps[1:-1], self.dilations))
        batch, depth = padded.shape[0], padded.shape[-1]
        if channels_first:
            shape, strides = ((*window, depth, batch, *outputs),
                              (*window_steps, steps[-1], steps[0], *output_steps))
        else:
            shape, strides = ((batch, *outputs, *window, depth),
                              (steps[0], *output_steps, *window_steps, steps[-1]))
        return xp.lib.stride_tricks.as_strided(padded, shape, strides)


def _padded_shape(shape, layout):
    return (shape[0], *(n + b + a for n, (_, b, a) in zip(shape[1:-1], layout)), shape[-1])


def _padded(xp, x, layout, fill=0):
    """`x` with its spatial dims padded as `layout` says (the input itself when there is none)."""
    if not any(before or after for _, before, after in layout):
        return x
    shape = _padded_shape(x.shape, layout)
    out = xp.full(shape, fill, x.dtype) if fill else xp.zeros(shape, x.dtype)
    out[_interior(x.shape, layout)] = x
    return out


def _interior(shape, layout):
    """The spatial slices of the unpadded input inside a padded one, as an index."""
    return (slice(None), *(slice(b, b + n) for n, (_, b, _) in zip(shape[1:-1], layout)), Ellipsis)


def _cropped(xp, padded, shape, layout):
    """The unpadded part of a padded gradient as a contiguous array: its consumers then stream it
    instead of reading a strided view (that costs a pooling gradient more than this copy)."""
    return xp.ascontiguousarray(padded[_interior(shape, layout)])


def _sizes(value):
    """A host-memory shape vector as a list of ints."""
    return [int(v) for v in value.tolist()]


def _out_shape(batch, layout, channels):
    return (batch, *(o for o, _, _ in layout), channels)


def _check_out_backprop(ctx, dy, expected):
    if tuple(dy.shape) != tuple(expected):
        raise ctx.error(f"{ctx.op.type}: out_backprop has shape {list(dy.shape)} but the convolution's "
                        f"output shape is {list(expected)}")


def _check_rank(ctx, x, rank):
    """Inputs of unknown static rank are checked when they arrive (the windows assume the rank)."""
    if x.ndim != rank:
        raise ctx.error(f"{ctx.op.type}: input must be {rank}-dimensional, got shape {list(x.shape)}")


def _check_depth(ctx, x_shape, w_shape):
    if x_shape[-1] != w_shape[-2]:
        raise ctx.error(f"{ctx.op.type}: input and filter must have the same depth: {x_shape[-1]} vs {w_shape[-2]}")


# ======================================================================================
# Channels-first layouts (NCHW, NCDHW): transposed to channels-last around the kernels
# ======================================================================================
# Per op type: what each input is ("x": a tensor in the op's layout, "sizes": the shape vector of
# one, "-": neither) and whether the output is in the op's layout.
_CONV_IO = (("x", "-"), True)
_BACKPROP_FILTER_IO = (("x", "-", "x"), False)
_BACKPROP_INPUT_IO = (("sizes", "-", "x"), True)
_LAYOUT_IO = {
    **dict.fromkeys(["Conv2D", "Conv3D", "DepthwiseConv2dNative"], _CONV_IO),
    **dict.fromkeys(["Conv2DBackpropFilter", "Conv3DBackpropFilterV2", "DepthwiseConv2dNativeBackpropFilter"],
                    _BACKPROP_FILTER_IO),
    **dict.fromkeys(["Conv2DBackpropInput", "Conv3DBackpropInputV2", "DepthwiseConv2dNativeBackpropInput"],
                    _BACKPROP_INPUT_IO),
    **dict.fromkeys(["MaxPool", "MaxPool3D", "AvgPool", "AvgPool3D"], (("x",), True)),
    **dict.fromkeys(["MaxPoolGrad", "MaxPool3DGrad", "MaxPoolGradGrad", "MaxPool3DGradGrad"], (("x",) * 3, True)),
    **dict.fromkeys(["AvgPoolGrad", "AvgPool3DGrad"], (("sizes", "x"), True)),
}


def _register(*op_types):
    """Registers a channels-last kernel factory for `op_types` on both devices, wrapped so that
    channels-first ops run it on transposed inputs (and transpose its output back). Returns the
    plain factory, for kernels that reuse it."""
    def decorate(factory):
        for op_type in op_types:
            register_kernel(op_type, devices=_BOTH)(_layout_aware(factory))
        return factory
    return decorate


def _layout_aware(factory):
    def layout_aware_factory(ctx):
        compute = factory(ctx)
        if not channels_first(ctx.op):
            return compute
        xp, (roles, output_in_layout) = ctx.xp, _LAYOUT_IO[ctx.op.type]

        def compute_channels_first(*args):
            out = compute(*(_channels_last(xp, value, role) for value, role in zip(args, roles)))
            return xp.ascontiguousarray(xp.moveaxis(out, -1, 1)) if output_in_layout else out
        return compute_channels_first
    return layout_aware_factory


def _channels_last(xp, value, role):
    if role == "x" and value.ndim >= 3:  # a wrong rank is left for the kernel's own check
        return xp.ascontiguousarray(xp.moveaxis(value, 1, -1))
    if role == "sizes" and value.ndim == 1 and len(value) >= 3:
        return numpy.asarray(to_channels_last(value.tolist(), True), dtype=value.dtype)
    return value


# ======================================================================================
# Convolution: im2col + one GEMM
# ======================================================================================
def _im2col(xp, windows, x, window):
    """(patch matrix of `x`, layout, channels_first): [pixels, window * depth], or its transpose
    [window * depth, pixels] for shallow inputs."""
    layout = windows.layout(x.shape[1:-1], window)
    channels_first = x.shape[-1] < _IM2COL_CHANNELS_FIRST_BELOW
    view = windows.patches(xp, _padded(xp, x, layout), window, layout, channels_first)
    rows = math.prod(window) * x.shape[-1]
    return (view.reshape(rows, -1) if channels_first else view.reshape(-1, rows)), layout, channels_first


def _batch_chunks(batch, item_bytes, xp=numpy):
    """[(start, stop)] splitting the batch so each chunk's patch matrix is about _CHUNK_BYTES:
    a chunk's patches are still in cache when its GEMM reads them (or its col2im folds them),
    instead of making a round trip through memory. One chunk when the whole batch fits, and on
    a GPU, where small GEMMs only waste launches."""
    if xp is not numpy:
        return [(0, batch)] if batch else []
    size = max(1, _CHUNK_BYTES // max(item_bytes, 1))
    return [(start, min(start + size, batch)) for start in range(0, batch, size)]


def _conv(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, w, epilogue=None):
        """The convolution; `epilogue(rows)`, when given, runs in place on each chunk's
        [pixels, channels] output rows right after their GEMM, while they are in cache."""
        _check_rank(ctx, x, len(windows.strides) + 2)
        _check_depth(ctx, x.shape, w.shape)
        window, channels = w.shape[:-2], w.shape[-1]
        layout = windows.layout(x.shape[1:-1], window)
        out = xp.empty(_out_shape(x.shape[0], layout, channels), x.dtype)
        pixels, flat_w = math.prod(out.shape[1:-1]), w.reshape(-1, channels)
        rows = out.reshape(-1, channels)
        for start, stop in _batch_chunks(x.shape[0], pixels * flat_w.shape[0] * x.itemsize, xp):
            cols, _, channels_first = _im2col(xp, windows, x[start:stop], window)
            chunk = rows[start * pixels:stop * pixels]
            xp.matmul(cols.T if channels_first else cols, flat_w, out=chunk)
            if epilogue is not None:
                epilogue(chunk)
        return out
    return compute


def _conv_backprop_filter(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, filter_sizes, dy):
        sizes = _sizes(filter_sizes)
        _check_depth(ctx, x.shape, sizes)
        window, channels = sizes[:-2], sizes[-1]
        layout = windows.layout(x.shape[1:-1], window)
        _check_out_backprop(ctx, dy, _out_shape(x.shape[0], layout, channels))
        pixels, patch = math.prod(dy.shape[1:-1]), math.prod(sizes[:-1])
        # Summed over batch chunks. Channels-last patches meet dy as dy^T cols, transposed at
        # the end: the GEMM then streams both operands along their rows (about 15% faster than
        # cols^T dy on OpenBLAS); channels-first patches are already [window * depth, pixels].
        total, transposed = None, False
        for start, stop in _batch_chunks(x.shape[0], pixels * patch * x.itemsize, xp):
            cols, _, channels_first = _im2col(xp, windows, x[start:stop], window)
            flat_dy = dy[start:stop].reshape(-1, channels)
            transposed = not channels_first
            part = flat_dy.T @ cols if transposed else cols @ flat_dy
            total = part if total is None else xp.add(total, part, out=total)
        if total is None:  # an empty batch
            return xp.zeros(sizes, dy.dtype)
        return (xp.ascontiguousarray(total.T) if transposed else total).reshape(sizes)
    return compute


def _conv_backprop_input(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(input_sizes, w, dy):
        sizes, window, depth = _sizes(input_sizes), w.shape[:-2], w.shape[-2]
        _check_depth(ctx, sizes, w.shape)
        layout = windows.layout(sizes[1:-1], window)
        _check_out_backprop(ctx, dy, _out_shape(sizes[0], layout, w.shape[-1]))
        flat_dy, flat_w = dy.reshape(-1, w.shape[-1]), w.reshape(-1, w.shape[-1])
        padded_shape = _padded_shape(sizes, layout)
        if depth < _COL2IM_CHANNELS_FIRST_BELOW:
            # Patch space channels-first, [*window, depth, batch, *output]: each offset's slice is
            # then a block of whole images, added into a channels-first gradient.
            patches = (flat_w @ flat_dy.T).reshape(*window, depth, *dy.shape[:-1])
            dx = xp.zeros((depth, *padded_shape[:-1]), dy.dtype)
            for offset, spatial in windows.offsets(window, layout):
                dx[(slice(None), slice(None), *spatial)] += patches[offset]
            return xp.ascontiguousarray(xp.moveaxis(dx[(slice(None), *_interior(sizes, layout))], 0, -1))
        # Per batch chunk, one matmul batched over the window offsets gives [*window, chunk,
        # *output, depth]: each offset's slice is contiguous and the col2im additions stream
        # through it. They fold straight into the unpadded gradient, each offset clipped to the
        # input: no padded buffer to zero and crop afterwards.
        by_offset = w.reshape(-1, depth, w.shape[-1]).transpose(0, 2, 1)
        dx = xp.zeros(sizes, dy.dtype)
        folds = list(_clipped_offsets(windows, window, layout, sizes[1:-1]))
        pixels = math.prod(dy.shape[1:-1])
        for start, stop in _batch_chunks(sizes[0], pixels * flat_w.shape[0] * dy.itemsize, xp):
            patches = xp.matmul(flat_dy[start * pixels:stop * pixels], by_offset)
            patches = patches.reshape(*window, stop - start, *dy.shape[1:-1], depth)
            chunk = dx[start:stop]
            for offset, (target, source) in folds:
                chunk[(slice(None), *target)] += patches[offset][(slice(None), *source)]
        return dx
    return compute


def _clipped_offsets(windows, window, layout, sizes):
    """Yields (window offset, (input slices, output slices)): the outputs whose window element at
    that offset lands inside the unpadded input, and where. Offsets that only meet padding are left out."""
    for offset in itertools.product(*map(range, window)):
        target, source = [], []
        for k, d, s, (o, before, _), n in zip(offset, windows.dilations, windows.strides, layout, sizes):
            start = k * d - before  # input position of output 0's element at this offset
            first, last = max(0, -(start // s)), min(o - 1, (n - 1 - start) // s)
            if first > last:
                break
            target.append(slice(start + first * s, start + last * s + 1, s))
            source.append(slice(first, last + 1))
        else:
            yield offset, (tuple(target), tuple(source))


_register("Conv2D", "Conv3D")(_conv)
_register("Conv2DBackpropFilter", "Conv3DBackpropFilterV2")(_conv_backprop_filter)
_register("Conv2DBackpropInput", "Conv3DBackpropInputV2")(_conv_backprop_input)


# ======================================================================================
# Depthwise convolution: filter [*window, depth, multiplier], one loop step per offset
# ======================================================================================
@_register("DepthwiseConv2dNative")
def depthwise(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(x, w):
        _check_depth(ctx, x.shape, w.shape)
        window, multiplier = w.shape[:-2], w.shape[-1]
        layout = windows.layout(x.shape[1:-1], window)
        padded = _padded(xp, x, layout)
        out = xp.zeros((*_out_shape(x.shape[0], layout, x.shape[-1]), multiplier), x.dtype)
        for offset, spatial in windows.offsets(window, layout):
            out += padded[(slice(None), *spatial)][..., None] * w[offset]
        return out.reshape(*out.shape[:-2], -1)
    return compute


@_register("DepthwiseConv2dNativeBackpropFilter")
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
        for offset, spatial in windows.offsets(sizes[:-2], layout):
            dw[offset] = (padded[(slice(None), *spatial)][..., None] * dy).sum(axis=batch_and_space)
        return dw
    return compute


@_register("DepthwiseConv2dNativeBackpropInput")
def depthwise_backprop_input(ctx):
    xp, windows = ctx.xp, _Windows(ctx)

    def compute(input_sizes, w, dy):
        sizes, window = _sizes(input_sizes), w.shape[:-2]
        _check_depth(ctx, sizes, w.shape)
        layout = windows.layout(sizes[1:-1], window)
        _check_out_backprop(ctx, dy, _out_shape(sizes[0], layout, w.shape[-2] * w.shape[-1]))
        dy = dy.reshape(*dy.shape[:-1], *w.shape[-2:])
        dx = xp.zeros(_padded_shape(sizes, layout), dy.dtype)
        for offset, spatial in windows.offsets(window, layout):
            dx[(slice(None), *spatial)] += (dy * w[offset]).sum(axis=-1)
        return _cropped(xp, dx, sizes, layout)
    return compute


# ======================================================================================
# Pooling
# ======================================================================================
def _lowest(dtype):
    """What SAME padding holds for max pooling: it never wins a window."""
    dtype = numpy.dtype(dtype)
    return -numpy.inf if dtype.kind == "f" else numpy.iinfo(dtype).min


def _pool(windows, padded, layout, combine):
    """`combine` (maximum or add) over every window: one operation per window offset."""
    views = [padded[(slice(None), *spatial)] for _, spatial in windows.offsets(windows.ksize, layout)]
    if len(views) == 1:  # a 1x1 window: a copy, never a view that aliases the input
        return views[0].copy()
    out = combine(views[0], views[1])
    for view in views[2:]:
        combine(out, view, out=out)
    return out


def _first_max_hits(xp, windows, x):
    """Yields (spatial slices into the padded input, mask of the outputs whose first (row-major)
    max sits at that window offset): each output's gradient goes to exactly one element. As TF's
    kernels, the max is found again in the input: a pooled tensor that was fed is not trusted."""
    layout = windows.layout(x.shape[1:-1])
    padded = _padded(xp, x, layout, _lowest(x.dtype))
    pooled = _pool(windows, padded, layout, xp.maximum)
    offsets = list(windows.offsets(windows.ksize, layout))
    unclaimed = None
    for position, (_, spatial) in enumerate(offsets):
        hit = padded[(slice(None), *spatial)] == pooled
        if unclaimed is None:
            unclaimed = ~hit
        else:
            hit &= unclaimed
            if position + 1 < len(offsets):
                unclaimed ^= hit
        yield spatial, hit


def _tiles_exactly(windows, padded_sizes, layout):
    """Whether the windows cover the padded input exactly once (stride == ksize, no leftovers)."""
    return all(k == s and o * s == n
               for k, s, (o, _, _), n in zip(windows.ksize, windows.strides, layout, padded_sizes))


@_register("MaxPool", "MaxPool3D")
def max_pool(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(x):
        _check_rank(ctx, x, len(windows.strides) + 2)
        layout = windows.layout(x.shape[1:-1])
        return _pool(windows, _padded(xp, x, layout, _lowest(x.dtype)), layout, xp.maximum)
    return compute


def _window_offsets(ksize):
    """Per window offset (row-major), the index picking its elements out of an input reshaped to
    [batch, out1, k1, out2, k2, ..., depth]: shaped like the pooled output."""
    return [(slice(None), *(v for k in offset for v in (slice(None), k)))
            for offset in itertools.product(*map(range, ksize))]


def _split_windows(shape, outputs, ksize):
    return (shape[0], *(v for o, k in zip(outputs, ksize) for v in (o, k)), shape[-1])


def _first_max_offsets(xp, ksize, x, outputs):
    """(pooled, first) for windows that tile `x` exactly: the max of each window, and the offset
    (uint8, row-major) of its first max. A running max where an offset takes over only when
    strictly greater keeps each window's first max; NaN windows get no offset (len(offsets)), so
    their gradient is dropped."""
    offsets = _window_offsets(ksize)
    split = x.reshape(_split_windows(x.shape, outputs, ksize))
    pooled = split[offsets[0]].copy()
    first = xp.zeros(pooled.shape, numpy.uint8)
    for position, index in enumerate(offsets[1:], start=1):
        view = split[index]
        # offsets only grow, so "take over where greater" is a maximum with 0 or the offset
        xp.maximum(first, (view > pooled) * numpy.uint8(position), out=first)
        xp.maximum(pooled, view, out=pooled)
    if pooled.dtype.kind == "f":
        nan = xp.isnan(pooled)
        if nan.any():
            first[nan] = len(offsets)
    return pooled, first


def _route_by_offsets(xp, ksize, first, grad, x_shape):
    """The gradient of the input: each window's gradient written at its first max's offset and
    zeros elsewhere (every element belongs to one window: nothing to add)."""
    dx = xp.empty(_split_windows(x_shape, first.shape[1:-1], ksize), grad.dtype)
    finite = _all_finite(xp, grad)
    for position, index in enumerate(_window_offsets(ksize)):
        _masked(xp, grad, first == position, dx[index], finite)
    return dx.reshape(x_shape)


def _all_finite(xp, values):
    return values.dtype.kind != "f" or bool(xp.isfinite(values).all())


def _masked(xp, values, mask, out=None, finite=True):
    """values where mask, else 0. Multiplying by the mask is the fast way, but inf * 0 is NaN:
    a non-finite gradient must reach its max alone (TF routes it, never multiplies)."""
    if finite:
        return xp.multiply(values, mask, out=out)
    if out is None:
        return xp.where(mask, values, xp.zeros((), values.dtype))
    out[...] = xp.where(mask, values, xp.zeros((), values.dtype))
    return out


def max_pool_first_max_kernels(ctx):
    """(forward, backward) kernels for a MaxPool and its MaxPoolGrad planned together: the
    forward also returns, per output, the window offset of its first max (uint8), found while
    the input is still in cache; the backward routes the gradient by those offsets and never
    reads the input again. Where the windows do not tile the input, the offsets are None and
    the backward is the plain MaxPoolGrad kernel."""
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)
    pool, pool_grad = max_pool(ctx), max_pool_grad(ctx)

    def tiling_layout(x):
        """The layout when the windows tile `x` exactly and offsets fit in a uint8, else None."""
        if x.ndim != len(windows.ksize) + 2 or math.prod(windows.ksize) > 255:
            return None
        layout = windows.layout(x.shape[1:-1])
        shape = _padded_shape(x.shape, layout)
        return layout if shape == tuple(x.shape) and _tiles_exactly(windows, shape[1:-1], layout) else None

    def forward(x):
        layout = tiling_layout(x)
        if layout is None:
            return pool(x), None
        return _first_max_offsets(xp, windows.ksize, x, [o for o, _, _ in layout])

    def backward(first, orig_input, orig_output, grad):
        if first is None or grad.shape != first.shape:
            return pool_grad(orig_input, orig_output, grad)
        return _route_by_offsets(xp, windows.ksize, first, grad, orig_input.shape)
    return forward, backward


@_register("MaxPoolGrad", "MaxPool3DGrad")
def max_pool_grad(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(orig_input, orig_output, grad):
        layout = windows.layout(orig_input.shape[1:-1])
        shape = _padded_shape(orig_input.shape, layout)
        if grad.shape != orig_output.shape:
            raise ctx.error(f"{ctx.op.type}: grad has shape {list(grad.shape)} but the pooled output has "
                            f"shape {list(orig_output.shape)}")
        finite = _all_finite(xp, grad)
        if shape == tuple(orig_input.shape) and _tiles_exactly(windows, shape[1:-1], layout):
            _, first = _first_max_offsets(xp, windows.ksize, orig_input, [o for o, _, _ in layout])
            return _route_by_offsets(xp, windows.ksize, first, grad, orig_input.shape)
        if _tiles_exactly(windows, shape[1:-1], layout):  # each element in one window: write, no adds
            dx = xp.empty(shape, grad.dtype)
            for spatial, hit in _first_max_hits(xp, windows, orig_input):
                _masked(xp, grad, hit, dx[(slice(None), *spatial)], finite)
        else:
            dx = xp.zeros(shape, grad.dtype)
            for spatial, hit in _first_max_hits(xp, windows, orig_input):
                dx[(slice(None), *spatial)] += _masked(xp, grad, hit, finite=finite)
        return _cropped(xp, dx, orig_input.shape, layout)
    return compute


@_register("MaxPoolGradGrad", "MaxPool3DGradGrad")
def max_pool_grad_grad(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(orig_input, orig_output, grad):
        padded = _padded(xp, grad, windows.layout(grad.shape[1:-1]))
        out = xp.zeros(orig_output.shape, grad.dtype)
        finite = _all_finite(xp, grad)
        for spatial, hit in _first_max_hits(xp, windows, orig_input):
            out += _masked(xp, padded[(slice(None), *spatial)], hit, finite=finite)
        return out
    return compute


def _window_scale(xp, windows, sizes, dtype):
    """1 / (number of real, unpadded elements) of each window, shaped to broadcast over
    [batch, *output, channels]: SAME windows at the edges average fewer elements."""
    layout = windows.layout(sizes)
    counts = numpy.ones([1] * (len(sizes) + 2))
    for axis, (n, k, s, (o, before, _)) in enumerate(zip(sizes, windows.ksize, windows.strides, layout), start=1):
        starts = numpy.arange(o) * s - before
        along = numpy.minimum(starts + k, n) - numpy.maximum(starts, 0)
        counts = counts * along.reshape([-1 if i == axis else 1 for i in range(len(sizes) + 2)])
    return xp.asarray(1.0 / counts, dtype=dtype), layout


@_register("AvgPool", "AvgPool3D")
def avg_pool(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(x):
        _check_rank(ctx, x, len(windows.strides) + 2)
        scale, layout = _window_scale(xp, windows, x.shape[1:-1], x.dtype)
        return _pool(windows, _padded(xp, x, layout), layout, xp.add) * scale
    return compute


@_register("AvgPoolGrad", "AvgPool3DGrad")
def avg_pool_grad(ctx):
    xp, windows = ctx.xp, _Windows(ctx, pooling=True)

    def compute(orig_input_shape, grad):
        sizes = _sizes(orig_input_shape)
        scale, layout = _window_scale(xp, windows, sizes[1:-1], grad.dtype)
        share = grad * scale
        dx = xp.zeros(_padded_shape(sizes, layout), grad.dtype)
        for _, spatial in windows.offsets(windows.ksize, layout):
            dx[(slice(None), *spatial)] += share
        return _cropped(xp, dx, sizes, layout)
    return compute
