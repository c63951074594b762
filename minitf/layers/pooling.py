"""TF1 `tf.layers.MaxPooling2D`/`max_pooling2d` and `AveragePooling2D`/`average_pooling2d`."""
from minitf.layers.base import (Layer, channels_to_nhwc, check_input_rank, check_padding,
                                 normalize_tuple)
from minitf.ops import conv_ops

__all__ = ["MaxPooling2D", "max_pooling2d", "AveragePooling2D", "average_pooling2d",
           "MaxPool2D", "AvgPool2D"]


class _Pooling2D(Layer):
    """A 2-D pooling window `pool_size` moved by `strides` (no variables)."""
    _pool = None  # the tf.nn function, set by subclasses

    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last", name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = normalize_tuple(pool_size, 2, "pool_size")
        self.strides = normalize_tuple(strides, 2, "strides")
        self.padding = check_padding(padding)
        self.data_format = data_format
        self._nn_format = channels_to_nhwc(data_format)

    def call(self, inputs):
        check_input_rank(self, inputs, ndim=4)
        if self._nn_format == "NCHW":
            ksize, strides = (1, 1) + self.pool_size, (1, 1) + self.strides
        else:
            ksize, strides = (1,) + self.pool_size + (1,), (1,) + self.strides + (1,)
        pool = getattr(conv_ops, self._pool)
        return pool(inputs, ksize=list(ksize), strides=list(strides), padding=self.padding.upper(),
                    data_format=self._nn_format)


class MaxPooling2D(_Pooling2D):
    """TF1 `tf.layers.MaxPooling2D(pool_size, strides, padding="valid", data_format="channels_last")`."""
    _pool = "max_pool"


class AveragePooling2D(_Pooling2D):
    """TF1 `tf.layers.AveragePooling2D(pool_size, strides, padding="valid", data_format="channels_last")`."""
    _pool = "avg_pool"


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
    """TF1 `tf.layers.max_pooling2d`."""
    return MaxPooling2D(pool_size=pool_size, strides=strides, padding=padding,
                        data_format=data_format, name=name).apply(inputs)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """TF1 `tf.layers.average_pooling2d`."""
    return AveragePooling2D(pool_size=pool_size, strides=strides, padding=padding,
                            data_format=data_format, name=name).apply(inputs)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
