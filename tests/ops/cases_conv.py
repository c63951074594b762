"""Harness cases: convolution and pooling (Conv2D/Conv3D/DepthwiseConv2dNative with their backprop
ops, MaxPool/AvgPool in 2-D and 3-D with their gradient ops), and the tf.nn functions built on them.

The references below are deliberately naive, loops over output positions on tiny inputs, with the
padding arithmetic written out again from TF's documentation: they share nothing with the kernels.
Max-pooling inputs are distinct values spaced far apart, so finite differences never cross a tie.
"""
import itertools
import math

import numpy as np

import minitf as tf
from harness import OpCase, inputs_of, uniform
from minitf.ops.op_builder import apply_op

F32_F64 = (tf.float32, tf.float64)
_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}  # float32 GEMMs against float64 loops


# ======================================================================================
# Naive references
# ======================================================================================
def _layout(sizes, window, strides, dilations, padding):
    """Per spatial dim: (output size, padding before, effective window)."""
    result = []
    for n, k, s, d, p in zip(sizes, window, strides, dilations, padding):
        extent = (k - 1) * d + 1
        if p == "SAME":
            out = math.ceil(n / s)
            result.append((out, max(0, (out - 1) * s + extent - n) // 2, extent))
        elif p == "VALID":
            result.append((math.ceil((n - extent + 1) / s), 0, extent))
        else:  # explicit (before, after)
            result.append(((n + p[0] + p[1] - extent) // s + 1, p[0], extent))
    return result


def _padded(x, layout, strides):
    """x in float64, zero-padded enough on both sides for every window of `layout`."""
    widths = [(0, 0)] + [(b, max(0, (o - 1) * s + e - b - n)) for (o, b, e), n, s in
                         zip(layout, x.shape[1:-1], strides)] + [(0, 0)]
    return np.pad(x.astype(np.float64), widths)


def _windows(shape, layout, strides, dilations):
    """(batch, output position, index of its window in the padded input) for every output."""
    for n in range(shape[0]):
        for position in itertools.product(*(range(o) for o, _, _ in layout)):
            index = tuple(slice(p * s, p * s + e, d)
                          for p, s, d, (_, _, e) in zip(position, strides, dilations, layout))
            yield n, position, (n, *index)


def _conv_geometry(x_shape, window, strides, dilations, padding):
    rank = len(x_shape) - 2
    padding = [padding] * rank if isinstance(padding, str) else padding
    return _layout(x_shape[1:-1], window, strides, dilations, padding)


def conv_ref(x, w, strides, padding, dilations, depthwise=False):
    """[batch, *out, out channels]: each output sums its window times the filter."""
    rank = x.ndim - 2
    layout = _conv_geometry(x.shape, w.shape[:rank], strides, dilations, padding)
    padded = _padded(x, layout, strides)
    channels = w.shape[-2] * w.shape[-1] if depthwise else w.shape[-1]
    out = np.zeros((x.shape[0], *(o for o, _, _ in layout), channels))
    for n, position, index in _windows(x.shape, layout, strides, dilations):
        patch = padded[index]
        if depthwise:
            out[(n, *position)] = (patch[..., None] * w).sum(axis=tuple(range(rank))).reshape(-1)
        else:
            out[(n, *position)] = np.tensordot(patch, w, axes=rank + 1)
    return out


def conv_input_ref(sizes, w, dy, strides, padding, dilations, depthwise=False):
    """The adjoint of conv_ref in its input: every output scatters dy times the filter back."""
    rank = len(sizes) - 2
    layout = _conv_geometry(sizes, w.shape[:rank], strides, dilations, padding)
    dx = _padded(np.zeros(sizes), layout, strides)
    for n, position, index in _windows(sizes, layout, strides, dilations):
        g = dy[(n, *position)]
        dx[index] += (w * g.reshape(w.shape[-2:])).sum(axis=-1) if depthwise else w @ g
    return dx[(slice(None), *(slice(b, b + s) for (_, b, _), s in zip(layout, sizes[1:-1])), slice(None))]


def conv_filter_ref(x, sizes, dy, strides, padding, dilations, depthwise=False):
    """The adjoint of conv_ref in its filter: every window times its output's dy."""
    rank = x.ndim - 2
    layout = _conv_geometry(x.shape, sizes[:rank], strides, dilations, padding)
    padded = _padded(x, layout, strides)
    dw = np.zeros(sizes)
    for n, position, index in _windows(x.shape, layout, strides, dilations):
        g = dy[(n, *position)]
        dw += padded[index][..., None] * (g.reshape(sizes[-2:]) if depthwise else g)
    return dw


def _pool_windows(x_shape, ksize, strides, padding):
    """(batch, output position, index of the window's REAL elements in the unpadded input)."""
    rank = len(x_shape) - 2
    layout = _layout(x_shape[1:-1], ksize, strides, [1] * rank, [padding] * rank)
    for n in range(x_shape[0]):
        for position in itertools.product(*(range(o) for o, _, _ in layout)):
            starts = [p * s - b for p, s, (_, b, _) in zip(position, strides, layout)]
            index = tuple(slice(max(a, 0), min(a + k, size)) for a, k, size in zip(starts, ksize, x_shape[1:-1]))
            yield n, position, (n, *index), layout


def _pooled_shape(x_shape, ksize, strides, padding):
    rank = len(x_shape) - 2
    layout = _layout(x_shape[1:-1], ksize, strides, [1] * rank, [padding] * rank)
    return (x_shape[0], *(o for o, _, _ in layout), x_shape[-1])


def pool_ref(x, ksize, strides, padding, reduce):
    out = np.zeros(_pooled_shape(x.shape, ksize, strides, padding))
    for n, position, index, _ in _pool_windows(x.shape, ksize, strides, padding):
        window = x[index].astype(np.float64)
        out[(n, *position)] = reduce(window.reshape(-1, x.shape[-1]), axis=0)
    return out


def _first_max(x, index):
    """The index in x of the first (row-major) max of the window `index`, per channel."""
    window = x[index]
    flat = window.reshape(-1, x.shape[-1])
    spots = np.unravel_index(flat.argmax(axis=0), window.shape[:-1])
    starts = [s.start for s in index[1:]]
    return [(index[0], *(start + spot[c] for start, spot in zip(starts, spots)), c) for c in range(x.shape[-1])]


def max_pool_grad_ref(x, dy, ksize, strides, padding):
    dx = np.zeros(x.shape)
    for n, position, index, _ in _pool_windows(x.shape, ksize, strides, padding):
        for c, spot in enumerate(_first_max(x, index)):
            dx[spot] += dy[(n, *position, c)]
    return dx


def max_pool_grad_grad_ref(x, g, ksize, strides, padding):
    out = np.zeros(_pooled_shape(x.shape, ksize, strides, padding))
    for n, position, index, _ in _pool_windows(x.shape, ksize, strides, padding):
        for c, spot in enumerate(_first_max(x, index)):
            out[(n, *position, c)] = g[spot]
    return out


def avg_pool_grad_ref(sizes, dy, ksize, strides, padding):
    dx = np.zeros(sizes)
    for n, position, index, _ in _pool_windows(sizes, ksize, strides, padding):
        count = math.prod(s.stop - s.start for s in index[1:])
        dx[index] += dy[(n, *position)] / count
    return dx


# ======================================================================================
# Inputs
# ======================================================================================
def distinct(shape, spacing=0.25):
    """Values all different by at least `spacing` (no ties or near ties in a max-pool window)."""
    def make(dtype, rng):
        values = (rng.permutation(math.prod(shape)) - math.prod(shape) / 2) * spacing
        return values.reshape(shape).astype(dtype.as_numpy_dtype)
    return make


def _case(op_type, name, makers, build, reference, dtypes=F32_F64):
    return OpCase(op_type, build, inputs_of(*makers), reference, dtypes=dtypes, name=name, **_TOLERANCE)


# ======================================================================================
# Convolutions: each geometry checks the forward op and both backprop ops
# ======================================================================================
# (name, input shape, filter shape, spatial strides, padding, spatial dilations). The input depths
# (1, 2-7, 8+) take each of the kernels' patch layouts.
_CONV2D = [
    ("SAME", (2, 5, 6, 3), (3, 3, 3, 2), (1, 1), "SAME", (1, 1)),
    ("VALID-stride2", (2, 7, 6, 1), (3, 2, 1, 3), (2, 2), "VALID", (1, 1)),
    ("SAME-stride2-odd-pad", (1, 6, 7, 2), (2, 3, 2, 2), (2, 3), "SAME", (1, 1)),
    ("SAME-dilation2", (1, 7, 6, 8), (3, 2, 8, 2), (1, 1), "SAME", (2, 2)),
    ("VALID-dilation2", (1, 7, 8, 2), (2, 3, 2, 2), (1, 1), "VALID", (2, 3)),
    ("EXPLICIT", (1, 5, 5, 4), (3, 3, 4, 2), (2, 1), [(1, 2), (0, 1)], (1, 1)),
]
_CONV3D = [
    ("SAME", (1, 4, 5, 3, 1), (2, 3, 2, 1, 2), (1, 1, 1), "SAME", (1, 1, 1)),
    ("VALID-stride2-dilation2", (1, 6, 5, 5, 8), (2, 2, 2, 8, 3), (2, 1, 2), "VALID", (1, 2, 1)),
]
_DEPTHWISE = [
    ("SAME", (2, 5, 6, 3), (3, 3, 3, 2), (1, 1), "SAME", (1, 1)),
    ("VALID-stride2", (1, 7, 6, 2), (3, 2, 2, 1), (2, 2), "VALID", (1, 1)),
    ("SAME-dilation2", (1, 6, 7, 2), (2, 3, 2, 2), (1, 1), "SAME", (2, 2)),
]


def _attrs(strides, padding, dilations):
    """Op attrs: full-rank strides/dilations, EXPLICIT padding as its flat list."""
    attrs = {"strides": [1, *strides, 1], "dilations": [1, *dilations, 1]}
    if isinstance(padding, str):
        return attrs | {"padding": padding}
    return attrs | {"padding": "EXPLICIT", "explicit_paddings": [0, 0, *itertools.chain(*padding), 0, 0]}


def _conv_cases(ops, configs, depthwise=False):
    forward, backprop_input, backprop_filter = ops
    cases = []
    for name, x_shape, w_shape, strides, padding, dilations in configs:
        attrs, geometry = _attrs(strides, padding, dilations), (strides, padding, dilations)
        y_shape = conv_ref(np.zeros(x_shape), np.zeros(w_shape), *geometry, depthwise).shape
        cases += [
            _case(forward, f"{forward}-{name}", [uniform(x_shape), uniform(w_shape)],
                  lambda x, w, a=attrs: apply_op(forward, x, w, **a),
                  lambda x, w, g=geometry: conv_ref(x, w, *g, depthwise)),
            _case(backprop_input, f"{backprop_input}-{name}", [uniform(w_shape), uniform(y_shape)],
                  lambda w, dy, a=attrs, s=x_shape: apply_op(backprop_input, list(s), w, dy, **a),
                  lambda w, dy, g=geometry, s=x_shape: conv_input_ref(s, w, dy, *g, depthwise)),
            _case(backprop_filter, f"{backprop_filter}-{name}", [uniform(x_shape), uniform(y_shape)],
                  lambda x, dy, a=attrs, s=w_shape: apply_op(backprop_filter, x, list(s), dy, **a),
                  lambda x, dy, g=geometry, s=w_shape: conv_filter_ref(x, s, dy, *g, depthwise)),
        ]
    return cases


_CONV_CASES = (
    _conv_cases(("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"), _CONV2D)
    + _conv_cases(("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"), _CONV3D)
    + _conv_cases(("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                   "DepthwiseConv2dNativeBackpropFilter"), _DEPTHWISE, depthwise=True)
    + [OpCase("Conv2D", lambda x, w: tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), inputs_of(uniform((1, 4, 4, 2)),
              uniform((3, 3, 2, 2))), lambda x, w: conv_ref(x, w, (1, 1), "SAME", (1, 1)), dtypes=(tf.float16,),
              name="Conv2D-float16")]
)


# ======================================================================================
# The tf.nn functions built from those ops
# ======================================================================================
def _conv1d_ref(x, w, stride, padding):
    return conv_ref(x[:, None], w[None], (1, stride), padding, (1, 1))[:, 0]


_FUNCTION_CASES = [
    _case("Conv2D", "conv1d", [uniform((2, 9, 3)), uniform((3, 3, 2))],
          lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"), lambda x, w: _conv1d_ref(x, w, 2, "SAME")),
    _case("Conv2DBackpropInput", "conv2d_transpose", [uniform((2, 3, 3, 2)), uniform((3, 3, 4, 2))],
          lambda v, w: tf.nn.conv2d_transpose(v, w, [2, 6, 5, 4], [1, 2, 2, 1], "SAME"),
          lambda v, w: conv_input_ref((2, 6, 5, 4), w, v, (2, 2), "SAME", (1, 1))),
    _case("Conv2D", "atrous_conv2d", [uniform((1, 7, 7, 2)), uniform((3, 3, 2, 2))],
          lambda x, w: tf.nn.atrous_conv2d(x, w, 2, "VALID"), lambda x, w: conv_ref(x, w, (1, 1), "VALID", (2, 2))),
    _case("DepthwiseConv2dNative", "depthwise_conv2d-rate", [uniform((1, 6, 6, 2)), uniform((2, 2, 2, 2))],
          lambda x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME", rate=[2, 2]),
          lambda x, w: conv_ref(x, w, (1, 1), "SAME", (2, 2), depthwise=True)),
    _case("DepthwiseConv2dNative", "separable_conv2d",
          [uniform((1, 5, 5, 2)), uniform((3, 3, 2, 2)), uniform((1, 1, 4, 3))],
          lambda x, d, p: tf.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "VALID"),
          lambda x, d, p: conv_ref(conv_ref(x, d, (1, 1), "VALID", (1, 1), depthwise=True), p, (1, 1), "VALID",
                                   (1, 1))),
]


# ======================================================================================
# Pooling: each geometry checks the pool and its gradient ops
# ======================================================================================
# (name, input shape, spatial ksize, spatial strides, padding)
_POOL2D = [
    ("2x2-stride2-VALID", (2, 4, 6, 2), (2, 2), (2, 2), "VALID"),
    ("3x3-stride1-SAME", (1, 4, 5, 2), (3, 3), (1, 1), "SAME"),
    ("3x2-stride2-SAME", (1, 5, 6, 2), (3, 2), (2, 2), "SAME"),
]
_POOL3D = [
    ("2x2x2-stride2-SAME", (1, 3, 4, 5, 2), (2, 2, 2), (2, 2, 2), "SAME"),
    ("2x3x2-stride1-VALID", (1, 3, 4, 3, 1), (2, 3, 2), (1, 1, 1), "VALID"),
]


def _pool_cases(suffix, configs):
    max_pool, avg_pool = f"MaxPool{suffix}", f"AvgPool{suffix}"
    cases = []
    for name, x_shape, ksize, strides, padding in configs:
        attrs = {"ksize": [1, *ksize, 1], "strides": [1, *strides, 1], "padding": padding}
        geometry, y_shape = (ksize, strides, padding), _pooled_shape(x_shape, ksize, strides, padding)
        cases += [
            _case(max_pool, f"{max_pool}-{name}", [distinct(x_shape)], lambda x, a=attrs: apply_op(max_pool, x, **a),
                  lambda x, g=geometry: pool_ref(x, *g, np.max)),
            _case(avg_pool, f"{avg_pool}-{name}", [uniform(x_shape)], lambda x, a=attrs: apply_op(avg_pool, x, **a),
                  lambda x, g=geometry: pool_ref(x, *g, np.mean)),
            _case(f"{max_pool}Grad", f"{max_pool}Grad-{name}", [distinct(x_shape), uniform(y_shape)],
                  lambda x, dy, a=attrs: apply_op(f"{max_pool}Grad", x, apply_op(max_pool, x, **a), dy, **a),
                  lambda x, dy, g=geometry: max_pool_grad_ref(x, dy, *g)),
            _case(f"{max_pool}GradGrad", f"{max_pool}GradGrad-{name}", [distinct(x_shape), uniform(x_shape)],
                  lambda x, g, a=attrs: apply_op(f"{max_pool}GradGrad", x, apply_op(max_pool, x, **a), g, **a),
                  lambda x, g, geo=geometry: max_pool_grad_grad_ref(x, g, *geo)),
            _case(f"{avg_pool}Grad", f"{avg_pool}Grad-{name}", [uniform(y_shape)],
                  lambda dy, a=attrs, s=x_shape: apply_op(f"{avg_pool}Grad", list(s), dy, **a),
                  lambda dy, g=geometry, s=x_shape: avg_pool_grad_ref(s, dy, *g)),
        ]
    return cases


_POOL_CASES = _pool_cases("", _POOL2D) + _pool_cases("3D", _POOL3D) + [
    OpCase("MaxPool", lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "SAME"),
           inputs_of(distinct((1, 3, 5, 2), 1)), lambda x: pool_ref(x, (2, 2), (2, 2), "SAME", np.max),
           dtypes=(tf.int32, tf.int64, tf.float16), name="MaxPool-integers"),
    _case("MaxPool", "max_pool-ties", [lambda dtype, rng: np.zeros((1, 4, 4, 1), dtype.as_numpy_dtype)],
          lambda x: tf.nn.max_pool(x, 2, 2, "VALID"), lambda x: np.zeros((1, 2, 2, 1)), dtypes=(tf.float32,)),
    _case("AvgPool", "avg_pool", [uniform((2, 5, 5, 3))],
          lambda x: tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"),
          lambda x: pool_ref(x, (3, 3), (2, 2), "SAME", np.mean), dtypes=(tf.float16, tf.float32)),
]

# ======================================================================================
# Channels-first layouts (NCHW, NCDHW): the same references, transposed
# ======================================================================================
def _first(array):
    return np.moveaxis(array, -1, 1)


def _last(array):
    return np.moveaxis(array, 1, -1)


def _first_shape(shape):
    return (shape[0], shape[-1], *shape[1:-1])


def _channels_first_attrs(layout, strides, padding, dilations=None, ksize=None):
    attrs = {"strides": [1, 1, *strides], "data_format": layout}
    if dilations is not None:
        attrs["dilations"] = [1, 1, *dilations]
    if ksize is not None:
        attrs["ksize"] = [1, 1, *ksize]
    if isinstance(padding, str):
        return attrs | {"padding": padding}
    return attrs | {"padding": "EXPLICIT", "explicit_paddings": [0, 0, 0, 0, *itertools.chain(*padding)]}


def _channels_first_conv_cases(ops, config, layout, depthwise=False):
    forward, backprop_input, backprop_filter = ops
    name, x_shape, w_shape, strides, padding, dilations = config
    attrs, geometry = _channels_first_attrs(layout, strides, padding, dilations), (strides, padding, dilations)
    y_shape = conv_ref(np.zeros(x_shape), np.zeros(w_shape), *geometry, depthwise).shape
    name = f"{layout}-{name}"
    return [
        _case(forward, f"{forward}-{name}", [uniform(_first_shape(x_shape)), uniform(w_shape)],
              lambda x, w, a=attrs: apply_op(forward, x, w, **a),
              lambda x, w, g=geometry: _first(conv_ref(_last(x), w, *g, depthwise))),
        _case(backprop_input, f"{backprop_input}-{name}", [uniform(w_shape), uniform(_first_shape(y_shape))],
              lambda w, dy, a=attrs, s=_first_shape(x_shape): apply_op(backprop_input, list(s), w, dy, **a),
              lambda w, dy, g=geometry, s=x_shape: _first(conv_input_ref(s, w, _last(dy), *g, depthwise))),
        _case(backprop_filter, f"{backprop_filter}-{name}", [uniform(_first_shape(x_shape)), uniform(_first_shape(y_shape))],
              lambda x, dy, a=attrs, s=w_shape: apply_op(backprop_filter, x, list(s), dy, **a),
              lambda x, dy, g=geometry, s=w_shape: conv_filter_ref(_last(x), s, _last(dy), *g, depthwise)),
    ]


def _channels_first_pool_cases(suffix, config, layout):
    max_pool, avg_pool = f"MaxPool{suffix}", f"AvgPool{suffix}"
    name, x_shape, ksize, strides, padding = config
    attrs = _channels_first_attrs(layout, strides, padding, ksize=ksize)
    geometry, y_shape = (ksize, strides, padding), _pooled_shape(x_shape, ksize, strides, padding)
    x_first, y_first, name = _first_shape(x_shape), _first_shape(y_shape), f"{layout}-{name}"
    return [
        _case(max_pool, f"{max_pool}-{name}", [distinct(x_first)], lambda x, a=attrs: apply_op(max_pool, x, **a),
              lambda x, g=geometry: _first(pool_ref(_last(x), *g, np.max))),
        _case(avg_pool, f"{avg_pool}-{name}", [uniform(x_first)], lambda x, a=attrs: apply_op(avg_pool, x, **a),
              lambda x, g=geometry: _first(pool_ref(_last(x), *g, np.mean))),
        _case(f"{max_pool}Grad", f"{max_pool}Grad-{name}", [distinct(x_first), uniform(y_first)],
              lambda x, dy, a=attrs: apply_op(f"{max_pool}Grad", x, apply_op(max_pool, x, **a), dy, **a),
              lambda x, dy, g=geometry: _first(max_pool_grad_ref(_last(x), _last(dy), *g))),
        _case(f"{max_pool}GradGrad", f"{max_pool}GradGrad-{name}", [distinct(x_first), uniform(x_first)],
              lambda x, g, a=attrs: apply_op(f"{max_pool}GradGrad", x, apply_op(max_pool, x, **a), g, **a),
              lambda x, g, geo=geometry: _first(max_pool_grad_grad_ref(_last(x), _last(g), *geo))),
        _case(f"{avg_pool}Grad", f"{avg_pool}Grad-{name}", [uniform(y_first)],
              lambda dy, a=attrs, s=x_first: apply_op(f"{avg_pool}Grad", list(s), dy, **a),
              lambda dy, g=geometry, s=x_shape: _first(avg_pool_grad_ref(s, _last(dy), *g))),
    ]


_CHANNELS_FIRST_CASES = (
    _channels_first_conv_cases(("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"), _CONV2D[2], "NCHW")
    + _channels_first_conv_cases(("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"), _CONV2D[5], "NCHW")
    + _channels_first_conv_cases(("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"), _CONV3D[1],
                                 "NCDHW")
    + _channels_first_conv_cases(("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                                  "DepthwiseConv2dNativeBackpropFilter"), _DEPTHWISE[1], "NCHW", depthwise=True)
    + _channels_first_pool_cases("", _POOL2D[2], "NCHW")
    + _channels_first_pool_cases("3D", _POOL3D[0], "NCDHW")
    + [
        _case("Conv2D", "conv2d-NCHW", [uniform((2, 3, 5, 6)), uniform((3, 3, 3, 2))],
              lambda x, w: tf.nn.conv2d(x, w, 2, "SAME", data_format="NCHW"),
              lambda x, w: _first(conv_ref(_last(x), w, (2, 2), "SAME", (1, 1)))),
        _case("Conv2D", "conv1d-NCW", [uniform((2, 3, 9)), uniform((3, 3, 2))],
              lambda x, w: tf.nn.conv1d(x, w, 2, "SAME", data_format="NCW"),
              lambda x, w: _first(_conv1d_ref(_last(x), w, 2, "SAME"))),
        _case("Conv2DBackpropInput", "conv2d_transpose-NCHW", [uniform((2, 2, 3, 3)), uniform((3, 3, 4, 2))],
              lambda v, w: tf.nn.conv2d_transpose(v, w, [2, 4, 6, 5], [1, 1, 2, 2], "SAME", data_format="NCHW"),
              lambda v, w: _first(conv_input_ref((2, 6, 5, 4), w, _last(v), (2, 2), "SAME", (1, 1)))),
        _case("MaxPool", "max_pool-NCHW", [distinct((2, 2, 4, 6))],
              lambda x: tf.nn.max_pool(x, 2, 2, "VALID", data_format="NCHW"),
              lambda x: _first(pool_ref(_last(x), (2, 2), (2, 2), "VALID", np.max))),
    ]
)

CASES = _CONV_CASES + _FUNCTION_CASES + _POOL_CASES + _CHANNELS_FIRST_CASES
