"""Harness cases: random ops (statistical checks) and py_func.

Random ops are unseeded here (fresh entropy on every run), so each `check` tests a property that
holds for every draw (range, permutation) or a statistic with a tolerance of about six standard
errors on 10000-20000 samples, which keeps the cases from ever flaking in practice.
"""
import numpy as np

import minitf as tf
from harness import FLOATS, INTS, REALS, OpCase

_SAMPLES = 20000


def values_of(*values):
    """Inputs: arrays of the swept dtype (minval/maxval, mean/stddev, a shape vector)."""
    return lambda dtype, rng: [np.array(v, dtype.as_numpy_dtype) for v in values]


def _sample(results):
    return np.asarray(results[0], dtype=np.float64)


def _assert_near(actual, expected, tolerance, what):
    assert abs(actual - expected) < tolerance, f"{what}: {actual} is not within {tolerance} of {expected}"


# --- RandomUniform ------------------------------------------------------------------------
def _check_uniform(results, arrays):
    low = float(arrays[0])
    values = _sample(results)
    assert values.shape == (_SAMPLES,)
    assert values.min() >= low and values.max() < low + 4, (values.min(), values.max())
    _assert_near(values.mean(), low + 2, 0.05, "mean")
    _assert_near(values.std(), 4 / np.sqrt(12), 0.05, "std")
    assert len(np.unique(values)) > 500, "values are not spread out"


def _check_fed_shape(results, arrays):
    values = np.asarray(results[0])
    assert values.shape == tuple(arrays[0])
    assert values.dtype == np.float32 and values.min() >= 0 and values.max() < 1


# --- RandomUniformInt ---------------------------------------------------------------------
def _check_uniform_int(results, arrays):
    low, high = int(arrays[0]), int(arrays[1])
    values = np.asarray(results[0])
    assert values.shape == (_SAMPLES,)
    assert sorted(np.unique(values)) == list(range(low, high)), "not every value in [low, high) drawn"
    _assert_near(values.mean(), (low + high - 1) / 2, 0.1, "mean")


# --- RandomStandardNormal, TruncatedNormal -----------------------------------------------
def _check_normal(results, arrays):
    mean, stddev = float(arrays[0]), float(arrays[1])
    values = _sample(results)
    assert values.shape == (_SAMPLES,)
    _assert_near(values.mean(), mean, 0.09, "mean")
    _assert_near(values.std(), stddev, 0.06, "std")
    assert np.abs(values - mean).max() > 2 * stddev, "a normal sample should have tails beyond 2 std"


# The standard deviation of a standard normal truncated to [-2, 2].
_TRUNCATED_STD = 0.8796256610342398


def _check_truncated(results, arrays):
    mean, stddev = float(arrays[0]), float(arrays[1])
    values = _sample(results)
    assert values.shape == (_SAMPLES,)
    slack = 0.01 if results[0].dtype == np.float16 else 1e-6  # rounding of `x * stddev + mean`
    assert np.abs(values - mean).max() <= 2 * stddev + slack, "a value beyond 2 stddev was kept"
    _assert_near(values.mean(), mean, 0.08, "mean")
    _assert_near(values.std(), stddev * _TRUNCATED_STD, 0.05, "std")


# --- RandomShuffle ------------------------------------------------------------------------
def _rows(dtype, rng):
    """50 distinct rows of 3 values, so a shuffle is recognisable as a permutation of rows."""
    values = np.arange(150).reshape(50, 3)
    if dtype == tf.string:
        return [values.astype(bytes).astype(object)]
    return [values.astype(dtype.as_numpy_dtype)]


def _check_shuffle(results, arrays):
    original, shuffled = arrays[0], np.asarray(results[0])
    assert shuffled.shape == original.shape and shuffled.dtype == original.dtype
    positions = {row.tobytes() if original.dtype != object else tuple(row): i
                 for i, row in enumerate(original)}
    order = [positions[row.tobytes() if original.dtype != object else tuple(row)] for row in shuffled]
    assert sorted(order) == list(range(len(original))), "rows were not permuted intact"
    assert order != list(range(len(original))), "the rows were left in order"


# --- Multinomial --------------------------------------------------------------------------
_CLASS_PROBABILITIES = np.array([[0.25, 0.75, 0.0], [0.2, 0.3, 0.5]])


def _logits(dtype, rng):
    with np.errstate(divide="ignore"):
        return [np.log(_CLASS_PROBABILITIES).astype(dtype.as_numpy_dtype)]


def _check_multinomial(results, arrays):
    samples = np.asarray(results[0])
    assert samples.shape == (2, 10000) and samples.dtype == np.int64
    assert not (samples[0] == 2).any(), "a class of probability 0 was drawn"
    for row, probabilities in zip(samples, _CLASS_PROBABILITIES):
        frequencies = np.bincount(row, minlength=3) / row.size
        np.testing.assert_allclose(frequencies, probabilities, atol=0.03)


CASES = [
    OpCase("RandomUniform", lambda low: tf.random_uniform([_SAMPLES], low, low + 4, dtype=low.dtype),
           values_of(-1.0), check=_check_uniform, dtypes=FLOATS),
    OpCase("RandomUniform", lambda shape: tf.random_uniform(shape), values_of([3, 4]),
           check=_check_fed_shape, dtypes=INTS, exact_shape=False, name="RandomUniform-fed-shape"),
    OpCase("RandomUniformInt", lambda low, high: tf.random_uniform([_SAMPLES], low, high, dtype=low.dtype),
           values_of(-3, 5), check=_check_uniform_int, dtypes=INTS),
    OpCase("RandomStandardNormal", lambda m, s: tf.random_normal([_SAMPLES], m, s, dtype=m.dtype),
           values_of(1.5, 2.0), check=_check_normal, dtypes=FLOATS),
    OpCase("TruncatedNormal", lambda m, s: tf.truncated_normal([_SAMPLES], m, s, dtype=m.dtype),
           values_of(1.5, 2.0), check=_check_truncated, dtypes=FLOATS),
    OpCase("RandomShuffle", tf.random_shuffle, _rows, check=_check_shuffle,
           dtypes=REALS + (tf.float16, tf.int8, tf.uint8, tf.string)),
    OpCase("Multinomial", lambda logits: tf.multinomial(logits, 10000), _logits,
           check=_check_multinomial, dtypes=FLOATS),
    OpCase("PyFunc", lambda x, y: tf.py_func(lambda a, b: a * b + 1, [x, y], x.dtype),
           lambda dtype, rng: [np.arange(6).reshape(2, 3).astype(dtype.as_numpy_dtype),
                               np.full((2, 3), 2, dtype.as_numpy_dtype)],
           lambda x, y: x * y + 1, dtypes=REALS + (tf.float16,), exact_shape=False),
    OpCase("PyFuncStateless",
           lambda x: tf.py_func(lambda a: (a + 1, a.sum()), [x], [x.dtype, x.dtype], stateful=False),
           lambda dtype, rng: [np.arange(4).astype(dtype.as_numpy_dtype)],
           lambda x: (x + 1, x.sum()), dtypes=REALS, exact_shape=False),
]
