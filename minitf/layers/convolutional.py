"""TF1 `tf.layers.Conv2D`/`conv2d`: a 2-D convolution with a "kernel" [kh, kw, in, filters] and "bias"."""
from minitf.framework.tensor_shape import TensorShape
from minitf.layers.base import (Layer, channels_to_nhwc, check_input_rank, check_padding,
                                 normalize_tuple)
from minitf.ops import conv_ops, init_ops, nn_ops

__all__ = ["Conv2D", "conv2d", "Convolution2D", "convolution2d"]


def _conv_output_length(length, kernel, padding, stride, dilation):
    if length is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    length = length if padding == "same" else length - kernel + 1
    return (length + stride - 1) // stride


class Conv2D(Layer):
    """TF1 `tf.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid",
    data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True, ...)`."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, activity_regularizer=activity_regularizer,
                         **kwargs)
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = check_padding(padding)
        self.data_format = data_format
        self._nn_format = channels_to_nhwc(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "dilation_rate")
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.kernel = self.bias = None

    def _channel_axis(self):
        return 1 if self._nn_format == "NCHW" else -1

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        channels = input_shape.dims[self._channel_axis()].value if input_shape.ndims else None
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
        self.kernel = self.add_weight("kernel", shape=self.kernel_size + (channels, self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, dtype=self.dtype)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, dtype=self.dtype)

    def call(self, inputs):
        check_input_rank(self, inputs, ndim=4)
        spatial = (1, 1) + self.strides if self._nn_format == "NCHW" else (1,) + self.strides + (1,)
        dilations = ((1, 1) + self.dilation_rate if self._nn_format == "NCHW"
                     else (1,) + self.dilation_rate + (1,))
        outputs = conv_ops.conv2d(inputs, self.kernel, strides=list(spatial), padding=self.padding.upper(),
                                  data_format=self._nn_format, dilations=list(dilations))
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias, data_format=self._nn_format)
        return outputs if self.activation is None else self.activation(outputs)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        space = dims[2:] if self._nn_format == "NCHW" else dims[1:3]
        space = [_conv_output_length(length, k, self.padding, s, d) for length, k, s, d in
                 zip(space, self.kernel_size, self.strides, self.dilation_rate)]
        if self._nn_format == "NCHW":
            return TensorShape([dims[0], self.filters] + space)
        return TensorShape([dims[0]] + space + [self.filters])


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid", data_format="channels_last",
           dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=init_ops.zeros_initializer(), kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
           name=None, reuse=None):
    """TF1 `tf.layers.conv2d`: a fresh Conv2D layer applied to `inputs`."""
    layer = Conv2D(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                   use_bias=use_bias, kernel_initializer=kernel_initializer,
                   bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                   bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                   kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                   trainable=trainable, name=name, _reuse=reuse, _scope=name)
    return layer.apply(inputs)


Convolution2D = Conv2D
convolution2d = conv2d
