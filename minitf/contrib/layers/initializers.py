"""TF1 `tf.contrib.layers` initializers: xavier_initializer and variance_scaling_initializer.

Their variance rule differs from core `tf.variance_scaling_initializer`: modes are upper case,
fans multiply every leading dimension (so a 1-D shape has fan_in = fan_out = its size), there is
no floor of 1 on the fan, and the truncated normal uses stddev sqrt(1.3 * factor / n).
"""
import math

from minitf.framework import dtypes
from minitf.ops import random_ops

__all__ = ["xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer"]


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=dtypes.float32):
    """TF1 `tf.contrib.layers.variance_scaling_initializer`: values with variance factor / n, n
    being FAN_IN, FAN_OUT or FAN_AVG (the defaults give He et al.'s initialization)."""
    if not dtypes.as_dtype(dtype).is_floating:
        raise TypeError("Cannot create initializer for non-floating point type.")
    if mode not in ["FAN_IN", "FAN_OUT", "FAN_AVG"]:
        raise TypeError(f"Unknown mode {mode} [FAN_IN, FAN_OUT, FAN_AVG]")

    def _initializer(shape, dtype=dtype, partition_info=None):
        dtype = dtypes.as_dtype(dtype)
        if not dtype.is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        if shape:
            fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
            fan_out = float(shape[-1])
        else:
            fan_in = fan_out = 1.0
        for dim in shape[:-2]:
            fan_in *= float(dim)
            fan_out *= float(dim)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]
        if uniform:
            limit = math.sqrt(3.0 * factor / n)  # a uniform in ±limit has stddev sqrt(factor / n)
            return random_ops.random_uniform(shape, -limit, limit, dtype, seed=seed)
        trunc_stddev = math.sqrt(1.3 * factor / n)  # TF1's approximate truncation correction
        return random_ops.truncated_normal(shape, 0.0, trunc_stddev, dtype, seed=seed)
    return _initializer


def xavier_initializer(uniform=True, seed=None, dtype=dtypes.float32):
    """TF1 `tf.contrib.layers.xavier_initializer`: Glorot & Bengio's initialization (FAN_AVG, factor 1)."""
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform, seed=seed,
                                        dtype=dtype)


xavier_initializer_conv2d = xavier_initializer
