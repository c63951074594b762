"""Convolution and pooling (TF1 `tf.nn.conv2d`, `conv1d`, `conv2d_transpose`, `atrous_conv2d`, `conv3d`,
`depthwise_conv2d`, `separable_conv2d`, `max_pool`, `avg_pool`, `max_pool3d`, `avg_pool3d`, ...).

The ops are declared from one table and share their attr checks and shape functions across 2-D and
3-D; the window arithmetic (`window_output`) is TF's and is shared with the kernels (kernels/conv.py).
Both layouts exist: channels-last (NHWC, NDHWC) and channels-first (NCHW, NCDHW, which TF1 ran
on GPUs only; here the kernels transpose to channels-last and back, on every device).
Departures from TF1: `atrous_conv2d`, and `depthwise_conv2d`/`separable_conv2d` with `rate` > 1, set
the op's `dilations` attr where TF1 wraps a VALID op in SpaceToBatchND/BatchToSpaceND (same values);
Conv2D needs equal input and filter depths (no grouped convolution); MaxPool3D also takes float64.
"""
import collections

import numpy as np

from minitf.framework import dtypes
from minitf.framework.common_shapes import shape_from_tensor
from minitf.framework.default_graph import name_scope
from minitf.framework.op_def import REQUIRED, TypeAttr, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.ops import array_ops
from minitf.ops.array_static import dims_text
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = [
    "conv1d", "conv2d", "conv2d_backprop_input", "conv2d_backprop_filter", "conv2d_transpose",
    "atrous_conv2d", "convolution", "conv3d", "conv3d_backprop_filter_v2", "conv3d_transpose",
    "depthwise_conv2d", "depthwise_conv2d_native", "depthwise_conv2d_native_backprop_input",
    "depthwise_conv2d_native_backprop_filter", "separable_conv2d", "max_pool", "avg_pool",
    "max_pool3d", "avg_pool3d",
]


# ======================================================================================
# Window arithmetic (TF's GetWindowedOutputSize), shared with the kernels
# ======================================================================================
def window_output(size, window, stride, dilation, padding, explicit=(0, 0)):
    """(output size, padding before, padding after) of one spatial dim, TF's way: VALID keeps whole
    windows; SAME gives ceil(size / stride) outputs and pads the total it needs, the extra element
    after; EXPLICIT pads `explicit`. Entries are None where `size` or `window` is unknown."""
    if stride < 1:
        raise ValueError(f"Stride must be > 0, but got {stride}")
    if dilation < 1:
        raise ValueError(f"Dilation rate must be >= 1, but got {dilation}")
    if size is None or window is None:
        return None, None, None
    effective = (window - 1) * dilation + 1
    if padding == "SAME":
        out = -(-size // stride)
        total = max((out - 1) * stride + effective - size, 0)
        return out, total // 2, total - total // 2
    before, after = explicit if padding == "EXPLICIT" else (0, 0)
    if size + before + after < effective:
        raise ValueError(f"Negative dimension size caused by subtracting {effective} from {size + before + after}")
    return (size + before + after - effective) // stride + 1, before, after


# ======================================================================================
# Attr checks (TF1's shape-function messages; the graph appends the op and input shapes)
# ======================================================================================
class Family(collections.namedtuple("Family", "rank layout kind paddings")):
    """What an op type's attrs and inputs mean: `rank` spatial dims, its (default, channels-last)
    layout, `kind` (conv, depthwise or pool), and the padding names it accepts."""

    @property
    def channels_first_layout(self):
        return self.layout[0] + "C" + self.layout[1:-1]


_CONV2D = Family(2, "NHWC", "conv", ("SAME", "VALID", "EXPLICIT"))
_CONV3D = Family(3, "NDHWC", "conv", ("SAME", "VALID"))
_DEPTHWISE = Family(2, "NHWC", "depthwise", ("SAME", "VALID"))
_POOL2D = Family(2, "NHWC", "pool", ("SAME", "VALID"))
_POOL3D = Family(3, "NDHWC", "pool", ("SAME", "VALID"))

FAMILIES = {  # op type: its Family (the kernels read this table too)
    "Conv2D": _CONV2D, "Conv2DBackpropInput": _CONV2D, "Conv2DBackpropFilter": _CONV2D,
    "Conv3D": _CONV3D, "Conv3DBackpropInputV2": _CONV3D, "Conv3DBackpropFilterV2": _CONV3D,
    "DepthwiseConv2dNative": _DEPTHWISE, "DepthwiseConv2dNativeBackpropInput": _DEPTHWISE,
    "DepthwiseConv2dNativeBackpropFilter": _DEPTHWISE,
    "MaxPool": _POOL2D, "MaxPoolGrad": _POOL2D, "MaxPoolGradGrad": _POOL2D, "AvgPool": _POOL2D,
    "AvgPoolGrad": _POOL2D, "MaxPool3D": _POOL3D, "MaxPool3DGrad": _POOL3D,
    "MaxPool3DGradGrad": _POOL3D, "AvgPool3D": _POOL3D, "AvgPool3DGrad": _POOL3D,
}


def channels_first(op):
    """Whether `op` lays its tensors out channels-first (NCHW, NCDHW); checks the data_format."""
    family, layout = FAMILIES[op.type], op.get_attr("data_format")
    layout = layout.decode() if isinstance(layout, bytes) else layout
    if layout not in (family.layout, family.channels_first_layout):
        raise ValueError(f"Value for attr 'data_format' of \"{layout}\" is not in the list of allowed "
                         f"values: \"{family.layout}\", \"{family.channels_first_layout}\"")
    return layout == family.channels_first_layout


def to_channels_last(dims, first):
    """[batch, channels, *spatial] -> [batch, *spatial, channels] when `first` (any sequence)."""
    return [dims[0], *dims[2:], dims[1]] if first else list(dims)


def to_channels_first(dims, first):
    """[batch, *spatial, channels] -> [batch, channels, *spatial] when `first`."""
    return [dims[0], dims[-1], *dims[1:-1]] if first else list(dims)


def spatial_attr(op, name):
    """The spatial entries of the list attr `name` (strides, dilations, ksize), checked as TF1 checks
    them: one entry per dim, 1 for the batch and depth dims."""
    family, values = FAMILIES[op.type], op.get_attr(name)
    word = {"strides": "stride", "dilations": "dilation"}.get(name, name)
    if len(values) != family.rank + 2:
        raise ValueError(f"{op.type} requires the {word} attribute to contain {family.rank + 2} values, "
                         f"but got: {len(values)}")
    values = to_channels_last(values, channels_first(op))
    if values[0] != 1 or values[-1] != 1:
        what = {"ksize": "pooling", "strides": "strides", "dilations": "dilations"}[name]
        raise ValueError(f"Current implementation does not yet support {what} in the batch and depth "
                         "dimensions.")
    return [int(v) for v in values[1:-1]]


def padding_attr(op):
    """(padding, [(before, after)] per spatial dim) with the explicit paddings checked."""
    family, padding = FAMILIES[op.type], op.get_attr("padding")
    if padding not in family.paddings:
        allowed = ", ".join(f'"{p}"' for p in family.paddings)
        raise ValueError(f"Attr 'padding' of '{op.type}' Op passed string '{padding}' not in: {allowed}.")
    first = channels_first(op)
    explicit = list(op.get_attr("explicit_paddings")) if family is _CONV2D else []
    pairs = [(0, 0)] * family.rank
    if padding == "EXPLICIT":
        if len(explicit) != 2 * (family.rank + 2):
            raise ValueError(f"explicit_paddings attribute must contain {2 * (family.rank + 2)} values, "
                             f"but got: {len(explicit)}")
        by_dim = to_channels_last([(int(explicit[2 * i]), int(explicit[2 * i + 1])) for i in range(family.rank + 2)],
                                  first)
        if any(v < 0 for v in explicit) or any(by_dim[0]) or any(by_dim[-1]):
            raise ValueError("explicit_paddings must be non-negative and zero in the batch and depth "
                             "dimensions")
        pairs = by_dim[1:-1]
    elif explicit:
        raise ValueError(f"explicit_paddings must be empty when padding is {padding}")
    return padding, pairs


def conv_geometry(op):
    """(strides, dilations, padding, explicit pairs) of a convolution op, checked."""
    padding, pairs = padding_attr(op)
    return spatial_attr(op, "strides"), spatial_attr(op, "dilations"), padding, pairs


# ======================================================================================
# Shape functions
# ======================================================================================
def _dims(shape, rank):
    """A static shape as ints/None with rank `rank` (TF's "Shape must be rank 4 but is rank 3")."""
    if shape.ndims is None:
        return [None] * rank
    if shape.ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.ndims}")
    return shape.as_list()


def _merge(a, b):
    if a is not None and b is not None and a != b:
        raise ValueError(f"Dimensions must be equal, but are {a} and {b}")
    return a if a is not None else b


def _times(a, b):
    return None if a is None or b is None else a * b


def _shape_argument(tensor, rank):
    """The static shape a shape vector describes; a Shape/ShapeN of a tensor gives that tensor's
    known dims (TF's shape refiner does the same for gradients, which pass ShapeN outputs)."""
    if tensor.op.type in ("Shape", "ShapeN"):
        shape = tensor.op.inputs[tensor.value_index].shape
    else:
        shape = shape_from_tensor(tensor)
    return TensorShape(_dims(shape, rank))


def _out_channels(op, filter_dims):
    return _times(filter_dims[-2], filter_dims[-1]) if FAMILIES[op.type].kind == "depthwise" else filter_dims[-1]


def _conv_shape(op):
    """Conv2D, Conv3D, DepthwiseConv2dNative: [batch, *output spatial, output channels]."""
    rank, first = FAMILIES[op.type].rank, channels_first(op)
    strides, dilations, padding, pairs = conv_geometry(op)
    x = to_channels_last(_dims(op.inputs[0].shape, rank + 2), first)
    w = _dims(op.inputs[1].shape, rank + 2)
    _merge(x[-1], w[-2])
    spatial = [window_output(x[1 + i], w[i], strides[i], dilations[i], padding, pairs[i])[0] for i in range(rank)]
    return [TensorShape(to_channels_first([x[0], *spatial, _out_channels(op, w)], first))]


def _backprop_input_shape(op):
    """Conv*BackpropInput: the shape `input_sizes` gives; out_backprop's depth must fit the filter."""
    rank = FAMILIES[op.type].rank
    conv_geometry(op)
    w = _dims(op.inputs[1].shape, rank + 2)
    dy = to_channels_last(_dims(op.inputs[2].shape, rank + 2), channels_first(op))
    _merge(dy[-1], _out_channels(op, w))
    return [_shape_argument(op.inputs[0], rank + 2)]


def _backprop_filter_shape(op):
    rank = FAMILIES[op.type].rank
    conv_geometry(op)
    _dims(op.inputs[0].shape, rank + 2)
    _dims(op.inputs[2].shape, rank + 2)
    return [_shape_argument(op.inputs[1], rank + 2)]


def _pool_dims(op, shape):
    """The output dims of pooling `shape` (MaxPool, AvgPool and their 3-D forms)."""
    rank, first = FAMILIES[op.type].rank, channels_first(op)
    ksize, strides = spatial_attr(op, "ksize"), spatial_attr(op, "strides")
    padding, _ = padding_attr(op)
    x = to_channels_last(_dims(shape, rank + 2), first)
    spatial = [window_output(x[1 + i], ksize[i], strides[i], 1, padding)[0] for i in range(rank)]
    return to_channels_first([x[0], *spatial, x[-1]], first)


def _pool_shape(op):
    return [TensorShape(_pool_dims(op, op.inputs[0].shape))]


def _max_pool_grad_shape(op):
    """MaxPoolGrad: shaped like orig_input (and grad must be shaped like orig_output)."""
    pooled = _pool_dims(op, op.inputs[0].shape)
    for got in (op.inputs[1], op.inputs[2]):
        _check_same(pooled, _dims(got.shape, len(pooled)))
    return [op.inputs[0].shape]


def _max_pool_grad_grad_shape(op):
    """MaxPoolGradGrad: shaped like orig_output (grad is shaped like orig_input)."""
    pooled = _pool_dims(op, op.inputs[0].shape)
    _check_same(_dims(op.inputs[0].shape, len(pooled)), _dims(op.inputs[2].shape, len(pooled)))
    return [TensorShape(_check_same(pooled, _dims(op.inputs[1].shape, len(pooled))))]


def _avg_pool_grad_shape(op):
    shape = _shape_argument(op.inputs[0], FAMILIES[op.type].rank + 2)
    _check_same(_pool_dims(op, shape), _dims(op.inputs[1].shape, len(shape)))
    return [shape]


def _check_same(a, b):
    try:
        return [_merge(x, y) for x, y in zip(a, b)]
    except ValueError as e:
        raise ValueError(f"{e}. Shapes are {dims_text(a)} and {dims_text(b)}.") from None


# ======================================================================================
# Op declarations
# ======================================================================================
_FLOATS = TypeAttr(dtypes.FLOATS)
_INT_SIZES = TypeAttr(dtypes.INDEX, default=dtypes.int32)
_MAX_POOL_TYPES = TypeAttr(dtypes.REAL)  # TF1's MaxPool also pools integers; AvgPool floats only


def _conv_attrs(family):
    attrs = {"T": _FLOATS, "strides": REQUIRED, "padding": REQUIRED, "data_format": family.layout,
             "dilations": [1] * (family.rank + 2)}
    if family is _CONV2D:
        attrs.update(use_cudnn_on_gpu=True, explicit_paddings=[])
    return attrs


def _pool_attrs(family, types=_FLOATS):
    return {"T": types, "ksize": REQUIRED, "strides": REQUIRED, "padding": REQUIRED, "data_format": family.layout}


for _prefix, _family, _input_op, _filter_op, _sizes in [
        ("Conv2D", _CONV2D, "Conv2DBackpropInput", "Conv2DBackpropFilter", "int32"),
        ("Conv3D", _CONV3D, "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2", "Tshape"),
        ("DepthwiseConv2dNative", _DEPTHWISE, "DepthwiseConv2dNativeBackpropInput",
         "DepthwiseConv2dNativeBackpropFilter", "int32")]:
    define_op(_prefix, inputs=["input: T", "filter: T"], outputs=["output: T"], attrs=_conv_attrs(_family),
              shape=_conv_shape)
    define_op(_input_op, inputs=[f"input_sizes: {_sizes}", "filter: T", "out_backprop: T"], outputs=["output: T"],
              attrs=_conv_attrs(_family) | ({"Tshape": _INT_SIZES} if _sizes == "Tshape" else {}),
              shape=_backprop_input_shape)
    define_op(_filter_op, inputs=["input: T", "filter_sizes: int32", "out_backprop: T"], outputs=["output: T"],
              attrs=_conv_attrs(_family), shape=_backprop_filter_shape)

for _suffix, _family in [("", _POOL2D), ("3D", _POOL3D)]:
    _types = _MAX_POOL_TYPES if _family is _POOL2D else _FLOATS
    define_op(f"MaxPool{_suffix}", inputs=["input: T"], outputs=["output: T"], attrs=_pool_attrs(_family, _types),
              shape=_pool_shape)
    define_op(f"AvgPool{_suffix}", inputs=["value: T"], outputs=["output: T"], attrs=_pool_attrs(_family),
              shape=_pool_shape)
    define_op(f"MaxPool{_suffix}GradGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"],
              outputs=["output: T"], attrs=_pool_attrs(_family, _types), shape=_max_pool_grad_grad_shape)
    define_op(f"AvgPool{_suffix}Grad", inputs=["orig_input_shape: int32", "grad: T"], outputs=["output: T"],
              attrs=_pool_attrs(_family), shape=_avg_pool_grad_shape)
define_op("MaxPoolGrad", inputs=["orig_input: T", "orig_output: T", "grad: T"], outputs=["output: T"],
          attrs=_pool_attrs(_POOL2D, _MAX_POOL_TYPES), shape=_max_pool_grad_shape)
# TF1 types the pooled tensors of MaxPool3DGrad separately (TInput) from the gradients (T).
define_op("MaxPool3DGrad", inputs=["orig_input: TInput", "orig_output: TInput", "grad: T"], outputs=["output: T"],
          attrs=_pool_attrs(_POOL3D) | {"TInput": _FLOATS}, shape=_max_pool_grad_shape)


# ======================================================================================
# tf.nn functions: argument handling shared by every family
# ======================================================================================
def _sequence(value, rank, name, data_format=None):
    """TF1's _get_sequence: an int, or 1, `rank` or `rank` + 2 values, as the full attr list (1 for
    the batch and channel dims, wherever `data_format` puts the channels)."""
    if value is None:
        value = [1]
    elif np.ndim(value) == 0:
        value = [value]
    value = [int(v) for v in value]
    if len(value) == rank + 2:
        return value
    if len(value) == 1:
        value = value * rank
    elif len(value) != rank:
        raise ValueError(f"{name} should be of length 1, {rank} or {rank + 2} but was {len(value)}")
    return [1, 1, *value] if _is_channels_first(data_format) else [1, *value, 1]


def _is_channels_first(data_format):
    if isinstance(data_format, bytes):
        data_format = data_format.decode()
    return data_format is not None and data_format.startswith("NC")


def _padding_arg(padding):
    """TF1's convert_padding: a string, or a list of [before, after] per dim meaning EXPLICIT."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if padding == "EXPLICIT":
        raise ValueError('"EXPLICIT" is not a valid value for the padding parameter. To use explicit '
                         "padding, the padding parameter must be a list.")
    if not isinstance(padding, (list, tuple)):
        return padding, []
    explicit = []
    for i, pair in enumerate(padding):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError("When padding is a list, each element of padding must be a list/tuple of size 2. "
                             f"Element with index {i} of padding is not a list/tuple of size 2")
        explicit.extend(int(v) for v in pair)
    if len(padding) != 4:
        raise ValueError(f"When padding is a list, it must be of size 4. Got padding of size: {len(padding)}")
    return "EXPLICIT", explicit


def _conv_op(op_type, inputs, strides, padding, data_format, dilations, name, **attrs):
    """Builds one convolution op of `op_type` from tf.nn-style arguments."""
    family = FAMILIES[op_type]
    padding, explicit = _padding_arg(padding)
    if family is _CONV2D:
        attrs["explicit_paddings"] = explicit
    elif explicit:
        raise ValueError(f"{op_type} does not support explicit padding")
    return apply_op(op_type, *inputs, name=name or op_type,
                    strides=_sequence(strides, family.rank, "strides", data_format),
                    padding=padding, data_format=data_format or family.layout,
                    dilations=_sequence(dilations, family.rank, "dilations", data_format), **attrs)


def _either(new, old, new_name, old_name):
    """TF1's deprecated_argument_lookup for renamed arguments (filters/filter, input/value)."""
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{new_name}' and '{old_name}'")
    return new if new is not None else old


def _rate(rate, strides, rank):
    """A dilation rate as `rank` values, with TF1's checks (positive; no strides with rate > 1)."""
    rate = [int(r) for r in np.broadcast_to(1 if rate is None else rate, (rank,))]
    if any(r < 1 for r in rate):
        raise ValueError("dilation_rate must be positive")
    if any(r > 1 for r in rate) and any(s > 1 for s in _sequence(strides, rank, "strides")):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    return rate


# ======================================================================================
# tf.nn: 2-D and 3-D convolution, their gradients and transposes
# ======================================================================================
def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=[1, 1, 1, 1], name=None, filters=None):  # noqa: B006 - TF1's
    """TF1 `tf.nn.conv2d`: a Conv2D op; `padding` is "SAME", "VALID" or a list of 4 [before, after]."""
    filter = _either(filters, filter, "filters", "filter")
    return _conv_op("Conv2D", [input, filter], strides, padding, data_format, dilations, name,
                    use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None, padding=None,  # noqa: A002
                          use_cudnn_on_gpu=True, data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                          name=None, filters=None):
    """TF1 `tf.nn.conv2d_backprop_input`: the gradient of conv2d with respect to its input."""
    filter = _either(filters, filter, "filters", "filter")
    return _conv_op("Conv2DBackpropInput", [input_sizes, filter, out_backprop], strides, padding, data_format,
                    dilations, name, use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding, use_cudnn_on_gpu=True,  # noqa: A002
                           data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.conv2d_backprop_filter`: the gradient of conv2d with respect to its filter."""
    return _conv_op("Conv2DBackpropFilter", [input, filter_sizes, out_backprop], strides, padding, data_format,
                    dilations, name, use_cudnn_on_gpu=bool(use_cudnn_on_gpu))


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",  # noqa: A002
           dilations=[1, 1, 1, 1, 1], name=None, filters=None):  # noqa: B006
    """TF1 `tf.nn.conv3d`: a Conv3D op over [batch, depth, height, width, channels]."""
    filter = _either(filters, filter, "filters", "filter")
    return _conv_op("Conv3D", [input, filter], strides, padding, data_format, dilations, name)


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                              data_format="NDHWC", dilations=[1, 1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.conv3d_backprop_filter_v2`: the gradient of conv3d with respect to its filter."""
    return _conv_op("Conv3DBackpropFilterV2", [input, filter_sizes, out_backprop], strides, padding,
                    data_format, dilations, name)


def _transpose(op_type, default_name, value, filter, output_shape, strides, padding, data_format, name,
               dilations):
    """conv2d_transpose and conv3d_transpose: a Conv*BackpropInput op, with TF1's argument checks."""
    rank = FAMILIES[op_type].rank
    with name_scope(name, default_name, [value, filter, output_shape]) as scope:
        value = convert_to_tensor(value, name="value")
        filter = convert_to_tensor(filter, name="filter")
        channel = 1 if _is_channels_first(data_format) else -1
        if value.shape.ndims is not None and not value.shape[channel].is_compatible_with(filter.shape[-1]):
            raise ValueError(f"input channels does not match filter's input channels, "
                             f"{value.shape[channel]} != {filter.shape[-1]}")
        sizes = convert_to_tensor(output_shape, dtype=dtypes.int32, name="output_shape")
        if not sizes.shape.is_compatible_with([rank + 2]):
            raise ValueError(f"output_shape must have shape ({rank + 2},), got {sizes.shape}")
        if isinstance(output_shape, (list, tuple, np.ndarray)) and len(output_shape) == rank + 2 and \
                not filter.shape[-2].is_compatible_with(_static_int(output_shape[channel])):
            raise ValueError(f"output_shape does not match filter's output channels, "
                             f"{output_shape[channel]} != {filter.shape[-2]}")
        if padding not in ("VALID", "SAME"):
            raise ValueError(f"padding must be either VALID or SAME: {padding}")
        return _conv_op(op_type, [sizes, filter, value], strides, padding, data_format, dilations, scope)


def _static_int(value):
    return value if isinstance(value, (int, np.integer)) else None


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",  # noqa: A002
                     data_format="NHWC", name=None, input=None, filters=None, dilations=None):  # noqa: A002
    """TF1 `tf.nn.conv2d_transpose`: Conv2DBackpropInput of `value` to `output_shape` ("deconvolution")."""
    return _transpose("Conv2DBackpropInput", "conv2d_transpose", _either(input, value, "input", "value"),
                      _either(filters, filter, "filters", "filter"), output_shape, strides, padding,
                      data_format, name, dilations)


def conv3d_transpose(value, filter, output_shape, strides, padding="SAME", data_format="NDHWC",  # noqa: A002
                     name=None):
    """TF1 `tf.nn.conv3d_transpose`: Conv3DBackpropInputV2 of `value` to `output_shape`."""
    return _transpose("Conv3DBackpropInputV2", "conv3d_transpose", value, filter, output_shape, strides,
                      padding, data_format, name, None)


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name=None, input=None, dilations=None):  # noqa: A002
    """TF1 `tf.nn.conv1d`: ExpandDims of input and filter, a Conv2D over width, and a Squeeze."""
    value = _either(input, value, "input", "value")
    if data_format not in (None, "NWC", "NHWC", "NCW", "NCHW"):
        raise ValueError('data_format must be "NWC" or "NCW".')
    first = data_format in ("NCW", "NCHW")
    layout, spatial_axis = ("NCHW", 2) if first else ("NHWC", 1)
    with name_scope(name, "conv1d", [value, filters]) as scope:
        value = array_ops.expand_dims(value, spatial_axis)
        filters = array_ops.expand_dims(filters, 0)
        result = _conv_op("Conv2D", [value, filters], [1, *_sequence(stride, 1, "stride", layout)], padding,
                          layout, [1, *_sequence(dilations, 1, "dilations", layout)], scope,
                          use_cudnn_on_gpu=True if use_cudnn_on_gpu is None else bool(use_cudnn_on_gpu))
        return array_ops.squeeze(result, [spatial_axis])


def convolution(input, filter, padding, strides=None, dilation_rate=None, name=None,  # noqa: A002
                data_format=None):
    """TF1 `tf.nn.convolution`: conv1d, Conv2D or Conv3D by the filter's rank, dilated by
    `dilation_rate` through the op's dilations attr."""
    with name_scope(name, "convolution", [input, filter]) as scope:
        input = convert_to_tensor(input, name="input")
        filter = convert_to_tensor(filter, name="filter")
        rank = (filter.shape.ndims or input.shape.ndims or 4) - 2
        if rank not in (1, 2, 3):
            raise ValueError(f"Expected the filter to have rank 3, 4 or 5, got {filter.shape}")
        if padding not in ("VALID", "SAME"):
            raise ValueError(f"padding must be either VALID or SAME: {padding}")
        rate = _rate(dilation_rate, strides, rank)
        if rank == 1:
            return conv1d(input, filter, strides, padding, data_format=data_format, dilations=rate, name=scope)
        return _conv_op("Conv2D" if rank == 2 else "Conv3D", [input, filter], strides, padding, data_format,
                        rate, scope)


def atrous_conv2d(value, filters, rate, padding, name=None):
    """TF1 `tf.nn.atrous_conv2d`: `convolution` with dilation `rate` (see the module's departures)."""
    return convolution(value, filters, padding, dilation_rate=np.broadcast_to(rate, (2,)), name=name)


# ======================================================================================
# tf.nn: depthwise and separable convolution
# ======================================================================================
def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.depthwise_conv2d_native`: filter [h, w, in, multiplier] applied per input channel."""
    return _conv_op("DepthwiseConv2dNative", [input, filter], strides, padding, data_format, dilations, name)


def depthwise_conv2d_native_backprop_input(input_sizes, filter, out_backprop, strides, padding,  # noqa: A002
                                           data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.depthwise_conv2d_native_backprop_input`."""
    return _conv_op("DepthwiseConv2dNativeBackpropInput", [input_sizes, filter, out_backprop], strides, padding,
                    data_format, dilations, name)


def depthwise_conv2d_native_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                                            data_format="NHWC", dilations=[1, 1, 1, 1], name=None):  # noqa: B006
    """TF1 `tf.nn.depthwise_conv2d_native_backprop_filter`."""
    return _conv_op("DepthwiseConv2dNativeBackpropFilter", [input, filter_sizes, out_backprop], strides,
                    padding, data_format, dilations, name)


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None, data_format=None,  # noqa: A002
                     dilations=None):
    """TF1 `tf.nn.depthwise_conv2d`: a DepthwiseConv2dNative named "depthwise", dilated by `rate`."""
    rate = _either(dilations, rate, "dilations", "rate")
    with name_scope(name, "depthwise", [input, filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")
        filter = convert_to_tensor(filter, name="filter_in")
        return _conv_op("DepthwiseConv2dNative", [input, filter], strides, padding, data_format,
                        _rate(rate, strides, 2), scope)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None,  # noqa: A002
                     name=None, data_format=None, dilations=None):
    """TF1 `tf.nn.separable_conv2d`: DepthwiseConv2dNative ("<name>/depthwise"), then a 1x1 VALID
    Conv2D with `pointwise_filter` named `name`."""
    rate = _either(dilations, rate, "dilations", "rate")
    with name_scope(name, "separable_conv2d", [input, depthwise_filter, pointwise_filter]) as scope:
        input = convert_to_tensor(input, name="tensor_in")
        depthwise_filter = convert_to_tensor(depthwise_filter, name="depthwise_filter")
        pointwise_filter = convert_to_tensor(pointwise_filter, name="pointwise_filter")
        pointwise_shape = pointwise_filter.shape.with_rank(4)
        for dim in pointwise_shape.dims[:2]:
            if not dim.is_compatible_with(1):
                raise ValueError(f"Dimensions {dim.value} and 1 are not compatible")
        depthwise = _conv_op("DepthwiseConv2dNative", [input, depthwise_filter], strides, padding, data_format,
                             _rate(rate, strides, 2), "depthwise")
        return _conv_op("Conv2D", [depthwise, pointwise_filter], [1, 1, 1, 1], "VALID", data_format, None,
                        scope, use_cudnn_on_gpu=True)


# ======================================================================================
# tf.nn: pooling
# ======================================================================================
def _pool(op_type, value, ksize, strides, padding, data_format, name):
    family = FAMILIES[op_type]
    with name_scope(name, op_type, [value]) as scope:
        value = convert_to_tensor(value, name="input")
        ksize = _sequence(ksize, family.rank, "ksize", data_format)
        if 0 in ksize:
            raise ValueError("ksize cannot be zero.")
        return apply_op(op_type, value, name=scope, ksize=ksize,
                        strides=_sequence(strides, family.rank, "strides", data_format),
                        padding=padding.decode() if isinstance(padding, bytes) else padding,
                        data_format=data_format or family.layout)


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """TF1 `tf.nn.max_pool`; SAME padding never wins the max (it pads with -inf)."""
    return _pool("MaxPool", _either(input, value, "input", "value"), ksize, strides, padding, data_format, name)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """TF1 `tf.nn.avg_pool`; with SAME padding each window averages its valid elements only."""
    return _pool("AvgPool", _either(input, value, "input", "value"), ksize, strides, padding, data_format, name)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """TF1 `tf.nn.max_pool3d`."""
    return _pool("MaxPool3D", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """TF1 `tf.nn.avg_pool3d`."""
    return _pool("AvgPool3D", input, ksize, strides, padding, data_format, name)
