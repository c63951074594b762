"""Variable initializers: TF1 `tf.zeros_initializer`, `tf.glorot_uniform_initializer`, ..., `tf.initializers`.

An initializer is a callable `init(shape, dtype=None, partition_info=None)` that builds the initial
value's ops; `tf.get_variable` calls it under "<variable>/Initializer/", so
`get_variable("w", [2, 3])` makes "w/Initializer/random_uniform/...". The random initializers are
built from the random ops, so their `seed` (and the graph seed) give the same op attrs as TF1.

Departure: `orthogonal_initializer` and `initializers.identity` are not provided (no QR/eye ops).
"""
import math
import sys
import types

import numpy as np

from minitf.framework import dtypes
from minitf.ops import array_ops, random_ops
from minitf.ops.constant_op import constant

# The public (tf.*) names of this module.
__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer", "random_uniform_initializer",
           "random_normal_initializer", "truncated_normal_initializer",
           "uniform_unit_scaling_initializer", "variance_scaling_initializer",
           "glorot_uniform_initializer", "glorot_normal_initializer", "initializers"]

# scipy.stats.truncnorm.std(a=-2, b=2): the stddev of a unit normal cut at two sigmas.
_TRUNCATED_NORMAL_STDDEV = .87962566103423978


def _assert_float_dtype(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Argument `dtype` is expected to be floating point. Received: {dtype}.")
    return dtype


def _compute_fans(shape):
    """(fan_in, fan_out) of a weight shape; convolution kernels [..., in, out] count their
    receptive field (the product of the leading dimensions) in both."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = int(np.prod([int(d) for d in shape[:-2]], dtype=np.int64))
    return int(shape[-2]) * receptive_field, int(shape[-1]) * receptive_field


# ======================================================================================
# Initializer classes (TF1 exports the classes themselves: `tf.zeros_initializer()`)
# ======================================================================================
class Initializer:
    """TF1 `tf.keras.initializers.Initializer` (v1): the base of every initializer."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    """TF1 `tf.zeros_initializer`: builds `tf.zeros(shape, dtype)` (a Const "zeros" when small)."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.zeros(shape, self.dtype if dtype is None else dtype)

    def get_config(self):
        return {"dtype": self.dtype.name}


class Ones(Zeros):
    """TF1 `tf.ones_initializer`: builds `tf.ones(shape, dtype)`."""

    def __call__(self, shape, dtype=None, partition_info=None):
        return array_ops.ones(shape, self.dtype if dtype is None else dtype)


class Constant(Initializer):
    """TF1 `tf.constant_initializer(value=0, dtype=tf.float32, verify_shape=False)`: a Const of `shape`."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        if not (np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))):
            raise TypeError(f"Invalid type for initial value={value} of type: {type(value).__name__}. "
                            "Expected Python scalar, list or tuple of values, or numpy.ndarray.")
        self.value = value
        self.dtype = dtypes.as_dtype(dtype)
        self._verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        return constant(self.value, dtype=self.dtype if dtype is None else dtype, shape=shape,
                        verify_shape=self._verify_shape if verify_shape is None else verify_shape)

    def get_config(self):
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """TF1 `tf.random_uniform_initializer(minval=0, maxval=None, seed=None, dtype=tf.float32)`."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = dtypes.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return random_ops.random_uniform(shape, self.minval, self.maxval,
                                         self.dtype if dtype is None else dtype, seed=self.seed)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed, "dtype": self.dtype.name}


class RandomNormal(Initializer):
    """TF1 `tf.random_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=tf.float32)`."""
    _sample = staticmethod(random_ops.random_normal)

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return self._sample(shape, self.mean, self.stddev, self.dtype if dtype is None else dtype,
                            seed=self.seed)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed, "dtype": self.dtype.name}


class TruncatedNormal(RandomNormal):
    """TF1 `tf.truncated_normal_initializer(mean=0.0, stddev=1.0, seed=None, dtype=tf.float32)`."""
    _sample = staticmethod(random_ops.truncated_normal)


class UniformUnitScaling(Initializer):
    """TF1 `tf.uniform_unit_scaling_initializer(factor=1.0, seed=None, dtype=tf.float32)` (deprecated):
    uniform in ±factor·sqrt(3 / input size), the input size being all dimensions but the last."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        self.factor, self.seed = factor, seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        scale_shape = shape if partition_info is None else partition_info.full_shape
        input_size = max(float(np.prod([float(d) for d in scale_shape[:-1]])), 1.0)
        limit = math.sqrt(3 / input_size) * self.factor
        return random_ops.random_uniform(shape, -limit, limit, self.dtype if dtype is None else dtype,
                                         seed=self.seed)

    def get_config(self):
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class VarianceScaling(Initializer):
    """TF1 `tf.variance_scaling_initializer(scale=1.0, mode="fan_in", distribution="truncated_normal",
    seed=None, dtype=tf.float32)`: values with variance scale / n, n being fan_in, fan_out or their
    mean (at least 1). "normal" is TF1's alias of "truncated_normal", whose stddev is divided by
    0.8796 so the truncated values keep the intended variance."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=dtypes.float32):
        if scale <= 0.:
            raise ValueError(f"Argument `scale` must be a positive float. Received: {scale}")
        if mode not in {"fan_in", "fan_out", "fan_avg"}:
            raise ValueError(f"Argument `mode` should be one of ('fan_in', 'fan_out', 'fan_avg'). "
                             f"Received: {mode}")
        distribution = distribution.lower()
        if distribution not in {"normal", "uniform", "truncated_normal", "untruncated_normal"}:
            raise ValueError("Argument `distribution` should be one of ('normal', uniform', "
                             f"'truncated_normal', 'untruncated_normal'). Received: {distribution}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.dtype = _assert_float_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = self.dtype if dtype is None else dtype
        fan_in, fan_out = _compute_fans(shape if partition_info is None else partition_info.full_shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.}[self.mode]
        scale = self.scale / max(1., fan)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_NORMAL_STDDEV
            return random_ops.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    """TF1 `tf.glorot_uniform_initializer(seed=None, dtype=tf.float32)`: uniform, scale 1, fan_avg
    (get_variable's default for floats)."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(GlorotUniform):
    """TF1 `tf.glorot_normal_initializer(seed=None, dtype=tf.float32)`: truncated normal, fan_avg."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        VarianceScaling.__init__(self, 1.0, "fan_avg", "truncated_normal", seed, dtype)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
uniform_unit_scaling_initializer = UniformUnitScaling
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal


# ======================================================================================
# tf.initializers: the same classes under short names, the LeCun/He presets, and the
# variable-initializer ops
# ======================================================================================
def _preset(scale, distribution, doc):
    def initializer(seed=None):
        return VarianceScaling(scale=scale, mode="fan_in", distribution=distribution, seed=seed)
    initializer.__doc__ = doc
    return initializer


def _variable_initializers(name):
    def initializer(*args, **kwargs):
        from minitf.ops import variables
        return getattr(variables, name)(*args, **kwargs)
    return initializer


initializers = types.ModuleType("minitf.initializers", "TF1 `tf.initializers`.")
for _name, _value in {
        "zeros": Zeros, "ones": Ones, "constant": Constant, "random_uniform": RandomUniform,
        "random_normal": RandomNormal, "truncated_normal": TruncatedNormal,
        "uniform_unit_scaling": UniformUnitScaling, "variance_scaling": VarianceScaling,
        "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
        "lecun_normal": _preset(1., "truncated_normal", "TF1 `tf.initializers.lecun_normal(seed=None)`."),
        "lecun_uniform": _preset(1., "uniform", "TF1 `tf.initializers.lecun_uniform(seed=None)`."),
        "he_normal": _preset(2., "truncated_normal", "TF1 `tf.initializers.he_normal(seed=None)`."),
        "he_uniform": _preset(2., "uniform", "TF1 `tf.initializers.he_uniform(seed=None)`."),
        "global_variables": _variable_initializers("global_variables_initializer"),
        "local_variables": _variable_initializers("local_variables_initializer"),
        "variables": _variable_initializers("variables_initializer")}.items():
    setattr(initializers, _name, _value)
sys.modules[initializers.__name__] = initializers
