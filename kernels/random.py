"""Kernels of the random ops.

A kernel factory runs once per (session, op), so each op gets its own NumPy generator per session,
seeded from its (seed, seed2) attrs: the same seeds give the same sequence in every new session
and process, every run of the op draws the next numbers, and (0, 0) means fresh OS entropy.
Numbers are drawn on the host and moved to the op's device with `ctx.xp.asarray`, so one kernel
serves CPU and GPU (the GPU gets the same numbers as the CPU for the same seeds).
"""
import numpy as np

from minitf.framework import dtypes
from minitf.runtime.kernel_registry import register_kernel

_BOTH = ("CPU", "GPU")

# Float dtypes a kernel can produce: bfloat16 only when NumPy has a type for it (ml_dtypes).
_FLOATS = frozenset(d for d in dtypes.FLOATS if d.as_numpy_dtype is not None)

# Explicit mantissa bits of the half-precision types, for drawing them exactly in [0, 1).
_MANTISSA_BITS = {dtypes.float16: 10, dtypes.bfloat16: 7}


# ======================================================================================
# Helpers
# ======================================================================================
def generator(ctx):
    """The op's generator for this session: seeded from (seed, seed2), or from OS entropy."""
    seed, seed2 = ctx.attr("seed"), ctx.attr("seed2")
    if seed == 0 and seed2 == 0:
        return np.random.default_rng()
    return np.random.Generator(np.random.PCG64([seed, seed2]))


def _host(value):
    """An input value as NumPy (GPU values are copied to the host)."""
    return value.get() if hasattr(value, "__cuda_array_interface__") else np.asarray(value)


def _to_device(xp, array):
    """A host result on the op's device; 0-d values travel as scalars, as everywhere in the runtime."""
    array = xp.asarray(array)
    return array[()] if array.ndim == 0 else array


def _shape_argument(ctx, value):
    """The `shape` input as a tuple of ints, checked as TF1 checks it at run time."""
    shape = _host(value)
    if shape.ndim != 1:
        raise ctx.error(f"shape must be a vector of {{int32,int64}}, got shape {list(shape.shape)}")
    dims = tuple(int(d) for d in shape)
    for d in dims:
        if d < 0:
            raise ctx.error(f"Dimension {d} must be >= 0")
    return dims


def _float_kernel(draw):
    """A kernel factory for an op `shape -> floats of attr dtype`, from `draw(rng, shape, dtype)`."""
    def factory(ctx):
        rng, xp, dtype = generator(ctx), ctx.xp, ctx.attr("dtype")

        def compute(shape):
            return _to_device(xp, draw(rng, _shape_argument(ctx, shape), dtype))
        return compute
    return factory


def _working_type(dtype):
    """The NumPy float type to draw in: NumPy's generator draws float32 and float64 only."""
    return np.float64 if dtype == dtypes.float64 else np.float32


# ======================================================================================
# Distributions
# ======================================================================================
def _uniform(rng, shape, dtype):
    if dtype in _MANTISSA_BITS:
        # Rounding float32 draws to half precision could give 1.0; k / 2**bits is exact and < 1.
        scale = 2 ** _MANTISSA_BITS[dtype]
        return (rng.integers(0, scale, size=shape) / scale).astype(dtype.as_numpy_dtype)
    return rng.random(shape, dtype=_working_type(dtype))


def _standard_normal(rng, shape, dtype):
    return rng.standard_normal(shape, dtype=_working_type(dtype)).astype(dtype.as_numpy_dtype, copy=False)


def _truncated_normal(rng, shape, dtype):
    """Standard normal values with every draw beyond 2 standard deviations re-drawn (TF1's rule)."""
    values = rng.standard_normal(shape, dtype=_working_type(dtype))
    outside = np.abs(values) > 2.0
    while outside.any():  # about 4.6% are redrawn each round
        values[outside] = rng.standard_normal(int(outside.sum()), dtype=values.dtype)
        outside = np.abs(values) > 2.0
    return values.astype(dtype.as_numpy_dtype, copy=False)


register_kernel("RandomUniform", devices=_BOTH, dtypes=_FLOATS, type_attr="dtype")(_float_kernel(_uniform))
register_kernel("RandomStandardNormal", devices=_BOTH, dtypes=_FLOATS, type_attr="dtype")(
    _float_kernel(_standard_normal))
register_kernel("TruncatedNormal", devices=_BOTH, dtypes=_FLOATS, type_attr="dtype")(
    _float_kernel(_truncated_normal))


@register_kernel("RandomUniformInt", devices=_BOTH, type_attr="Tout")
def random_uniform_int(ctx):
    rng, xp, dtype = generator(ctx), ctx.xp, ctx.attr("Tout").as_numpy_dtype

    def compute(shape, minval, maxval):
        shape = _shape_argument(ctx, shape)
        low, high = int(_host(minval)), int(_host(maxval))
        if int(np.prod(shape)) == 0:  # TF1 accepts any range when nothing is drawn
            return _to_device(xp, np.zeros(shape, dtype))
        if low >= high:
            raise ctx.error(f"Need minval < maxval, got {low} >= {high}")
        return _to_device(xp, rng.integers(low, high, size=shape, dtype=dtype))
    return compute


@register_kernel("RandomShuffle", devices=_BOTH)
def random_shuffle(ctx):
    rng, xp = generator(ctx), ctx.xp

    def compute(value):
        # np.ndim, not .ndim: a string scalar travels as plain bytes.
        if np.ndim(value) == 0 or value.shape[0] <= 1:
            return value  # nothing to permute (TF1 returns scalars unchanged)
        return value[xp.asarray(rng.permutation(value.shape[0]))]
    return compute


@register_kernel("Multinomial", devices=_BOTH, dtypes=_FLOATS)
def multinomial(ctx):
    rng, xp, out_dtype = generator(ctx), ctx.xp, ctx.attr("output_dtype").as_numpy_dtype

    def compute(logits, num_samples):
        logits = _host(logits).astype(np.float64)
        count = int(_host(num_samples))
        if count < 0:
            raise ctx.error(f"num_samples should be nonnegative, got {count}")
        if logits.shape[1] == 0:
            raise ctx.error("num_classes should be positive, got 0")
        return _to_device(xp, _sample_classes(rng, logits, count).astype(out_dtype))
    return compute


def _sample_classes(rng, logits, count):
    """`count` draws per row from softmax(logits), by inverting each row's cumulative distribution."""
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    cumulative = np.cumsum(weights, axis=1)
    points = rng.random((logits.shape[0], count)) * cumulative[:, -1:]
    samples = np.empty((logits.shape[0], count), np.int64)
    for row in range(logits.shape[0]):
        samples[row] = np.searchsorted(cumulative[row], points[row], side="right")
    # A point equal to the row total (float rounding) would index one past the last class.
    return np.minimum(samples, logits.shape[1] - 1)
