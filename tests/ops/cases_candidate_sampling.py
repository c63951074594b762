"""Harness cases: the candidate samplers (statistical checks, seeded) and ComputeAccidentalHits.

The samplers' draws are checked by properties that hold for every draw (range, uniqueness, the
expected-count formulas) and by frequencies on 20000 seeded draws (so the cases are deterministic)
against P(k), within about six standard errors.
"""
import numpy as np

import minitf as tf
from harness import OpCase, fixed

_RANGE = 10
_DRAWS = 20000
_TRUE_CLASSES = np.array([[0, 9], [3, 4], [7, 7]], np.int64)


def _uniform_p(k):
    return np.full(np.shape(k), 1.0 / _RANGE)


def _log_uniform_p(k):
    k = np.asarray(k, np.float64)
    return (np.log(k + 2) - np.log(k + 1)) / np.log(_RANGE + 1)


def _check_draws(results, probability, num_sampled, unique):
    sampled, true_expected, sampled_expected = (np.asarray(r) for r in results)
    assert sampled.dtype == np.int64 and sampled.shape == (num_sampled,)
    assert true_expected.dtype == sampled_expected.dtype == np.float32
    assert sampled.min() >= 0 and sampled.max() < _RANGE
    p_true, p_sampled = probability(_TRUE_CLASSES), probability(sampled)
    if not unique:
        np.testing.assert_allclose(true_expected, p_true * num_sampled, rtol=1e-6)
        np.testing.assert_allclose(sampled_expected, p_sampled * num_sampled, rtol=1e-6)
        return sampled
    assert len(np.unique(sampled)) == num_sampled, "unique draws repeat an id"
    # One number of tries (at least num_sampled) explains every expected count.
    tries = [n for n in range(num_sampled, 2000)
             if np.allclose(_unique_expected_count(p_sampled, num_sampled, n), sampled_expected, rtol=1e-5)]
    assert len(tries) == 1, f"no number of tries explains the expected counts {sampled_expected}"
    np.testing.assert_allclose(true_expected, _unique_expected_count(p_true, num_sampled, tries[0]), rtol=1e-5)
    return sampled


def _unique_expected_count(p, num_sampled, num_tries):
    """TF's: 1 - (1 - p) ** num_tries, except p * num_sampled when no draw was rejected."""
    return p * num_sampled if num_tries == num_sampled else -np.expm1(num_tries * np.log1p(-p))


def _frequency_check(probability):
    def check(results, arrays):
        sampled = _check_draws(results, probability, _DRAWS, unique=False)
        frequencies = np.bincount(sampled, minlength=_RANGE) / _DRAWS
        expected = probability(np.arange(_RANGE))
        # Six standard errors of each frequency.
        np.testing.assert_array_less(np.abs(frequencies - expected), 6 * np.sqrt(expected / _DRAWS) + 1e-9)
    return check


def _unique_check(probability, num_sampled):
    return lambda results, arrays: _check_draws(results, probability, num_sampled, unique=True)


def _accidental_hits(true_classes, sampled):
    """NumPy reference: a hit per (row, true class) found among the sampled ids, at the id's last
    position, in row-major order."""
    last = {int(v): i for i, v in enumerate(sampled)}
    hits = [(row, last[int(c)]) for row, classes in enumerate(true_classes) for c in classes if int(c) in last]
    rows = np.array([h[0] for h in hits], np.int32)
    ids = np.array([h[1] for h in hits], np.int64)
    return rows, ids, np.full(len(hits), -np.finfo(np.float32).max, np.float32)


CASES = [
    OpCase("UniformCandidateSampler",
           lambda t: tf.nn.uniform_candidate_sampler(t, 2, _DRAWS, False, _RANGE, seed=11),
           fixed(_TRUE_CLASSES), check=_frequency_check(_uniform_p), dtypes=(tf.int64,)),
    OpCase("UniformCandidateSampler",
           lambda t: tf.nn.uniform_candidate_sampler(t, 2, 8, True, _RANGE, seed=12),
           fixed(_TRUE_CLASSES), check=_unique_check(_uniform_p, 8), dtypes=(tf.int64,),
           name="UniformCandidateSampler-unique"),
    OpCase("LogUniformCandidateSampler",
           lambda t: tf.nn.log_uniform_candidate_sampler(t, 2, _DRAWS, False, _RANGE, seed=13),
           fixed(_TRUE_CLASSES), check=_frequency_check(_log_uniform_p), dtypes=(tf.int64,)),
    OpCase("LogUniformCandidateSampler",
           lambda t: tf.nn.log_uniform_candidate_sampler(t, 2, 8, True, _RANGE, seed=14),
           fixed(_TRUE_CLASSES), check=_unique_check(_log_uniform_p, 8), dtypes=(tf.int64,),
           name="LogUniformCandidateSampler-unique"),
    OpCase("ComputeAccidentalHits", lambda t, s: tf.nn.compute_accidental_hits(t, s, 2),
           fixed(np.array([[1, 2], [2, 2], [5, 7], [0, 3]], np.int64), np.array([2, 1, 2, 7, 9], np.int64)),
           _accidental_hits, dtypes=(tf.int64,), exact_shape=False),
]
