"""Kernels of the candidate samplers and of ComputeAccidentalHits (CPU only, as in TF1).

Sampling: each op has one generator per session, seeded from its (seed, seed2) attrs like the other
random ops (kernels/random.py), so seeded runs repeat across sessions and processes. Draws follow
the distributions of TF's range samplers, not TF's random stream:
  uniform:     P(k) = 1 / range_max
  log-uniform: P(k) = (log(k + 2) - log(k + 1)) / log(range_max + 1), drawn by inverting the CDF:
               k = floor(exp(u * log(range_max + 1))) - 1 for u uniform in [0, 1).
With `unique`, draws are repeated until `num_sampled` distinct ids have come up, counting every
draw (`num_tries`). The expected count of an id of probability p (TF's formula, p in float32):
  p * num_sampled                          when num_tries == num_sampled (always without unique)
  1 - (1 - p) ** num_tries, computed as -expm1(num_tries * log1p(-p)), otherwise.
"""
import numpy as np

from minitf.kernels.random import generator
from minitf.runtime.kernel_registry import register_kernel

_FLT_MAX = np.finfo(np.float32).max


# ======================================================================================
# Distributions: draw(rng, count, range_max) -> int64 ids, probability(ids, range_max) -> float32
# ======================================================================================
def _draw_uniform(rng, count, range_max):
    return rng.integers(0, range_max, size=count, dtype=np.int64)


def _uniform_probability(ids, range_max):
    return np.full(np.shape(ids), 1.0 / range_max, np.float32)


def _draw_log_uniform(rng, count, range_max):
    values = np.floor(np.exp(rng.random(count) * np.log1p(range_max))).astype(np.int64) - 1
    # exp(...) rounds up to range_max + 1 once in a long while: wrap it as TF's sampler does.
    return values % range_max


def _log_uniform_probability(ids, range_max):
    ids = np.asarray(ids, np.float64)
    return (np.log((ids + 2.0) / (ids + 1.0)) / np.log1p(range_max)).astype(np.float32)


# ======================================================================================
# Sampling with and without replacement
# ======================================================================================
def _sample(draw, rng, num_sampled, range_max, unique):
    """(ids, num_tries): `num_sampled` ids, distinct when `unique`, and how many draws that took."""
    if not unique:
        return draw(rng, num_sampled, range_max), num_sampled
    draws = np.empty(0, np.int64)
    chunk = max(2 * num_sampled, 64)
    while True:
        draws = np.concatenate([draws, draw(rng, chunk, range_max)])
        _, first = np.unique(draws, return_index=True)
        if len(first) >= num_sampled:
            # The first `num_sampled` distinct ids in draw order; the last of them ends the tries.
            picks = np.sort(first)[:num_sampled]
            return draws[picks], int(picks[-1]) + 1
        chunk = 2 * len(draws)


def _expected_count(probability, num_sampled, num_tries):
    """TF's expected count of ids of float32 `probability` after `num_tries` draws."""
    if num_tries == num_sampled:
        return probability * np.float32(num_sampled)
    return (-np.expm1(num_tries * np.log1p(-probability.astype(np.float64)))).astype(np.float32)


def _sampler_kernel(draw, probability):
    def factory(ctx):
        rng = generator(ctx)
        num_true, num_sampled = ctx.attr("num_true"), ctx.attr("num_sampled")
        unique, range_max = ctx.attr("unique"), ctx.attr("range_max")

        def compute(true_classes):
            true_classes = np.asarray(true_classes)
            if true_classes.ndim != 2:
                raise ctx.error("true_classes must be a matrix")
            if true_classes.shape[1] != num_true:
                # TF's message, with its "expected" and "was" the other way round.
                raise ctx.error(f"true_classes must have num_true columns, expected: "
                                f"{true_classes.shape[1]} was: {num_true}")
            outside = (true_classes < 0) | (true_classes >= range_max)
            if outside.any():
                raise ctx.error(f"`true_candidate` out of range [0, {range_max}), received "
                                f"{true_classes[outside][0]}")
            if unique and num_sampled > range_max:
                raise ctx.error("Sampler's range is too small.")
            sampled, num_tries = _sample(draw, rng, num_sampled, range_max, unique)
            true_expected = _expected_count(probability(true_classes, range_max), num_sampled, num_tries)
            sampled_expected = _expected_count(probability(sampled, range_max), num_sampled, num_tries)
            return sampled, true_expected, sampled_expected
        return compute
    return factory


register_kernel("UniformCandidateSampler", devices=("CPU",), type_attr=None)(
    _sampler_kernel(_draw_uniform, _uniform_probability))
register_kernel("LogUniformCandidateSampler", devices=("CPU",), type_attr=None)(
    _sampler_kernel(_draw_log_uniform, _log_uniform_probability))


# ======================================================================================
# ComputeAccidentalHits
# ======================================================================================
@register_kernel("ComputeAccidentalHits", devices=("CPU",), type_attr=None)
def compute_accidental_hits(ctx):
    num_true = ctx.attr("num_true")

    def compute(true_classes, sampled):
        true_classes, sampled = np.asarray(true_classes), np.asarray(sampled)
        if true_classes.ndim != 2 or true_classes.shape[1] != num_true:
            raise ctx.error("true_candidates must be a batch_size * num_true matrix")
        if sampled.ndim != 1:
            raise ctx.error("sampled_candidates must be a vector, which is typically an output from "
                            "CandidateSampler")
        # Each sampled id's position; an id sampled more than once keeps its last one. A stable
        # sort puts equal ids in position order, so the last of a run is that position.
        order = np.argsort(sampled, kind="stable")
        ordered = sampled[order]
        flat = true_classes.reshape(-1)
        at = np.searchsorted(ordered, flat, side="right") - 1
        hit = at >= 0
        hit[hit] = ordered[at[hit]] == flat[hit]
        rows = (np.arange(flat.size) // max(num_true, 1))[hit].astype(np.int32)
        ids = order[at[hit]].astype(np.int64)
        return rows, ids, np.full(rows.shape, -_FLT_MAX, np.float32)
    return compute
