"""Candidate samplers (TF1 `tf.nn.uniform_candidate_sampler`, `tf.nn.log_uniform_candidate_sampler`)
and `tf.nn.compute_accidental_hits`, the pieces TF1's sampled losses (nce_loss, sampled_softmax_loss)
are built from.

A sampler draws `num_sampled` class ids from [0, range_max) (all distinct when `unique`) and gives,
for the true classes and for each sampled id, the expected number of times the sampling would draw
it (kernels/candidate_sampling.py has TF's formulas). The samplers are seeded random ops: `seed` and
`seed2` come from `random_seed.get_seed`, as for minitf's other random ops. As in TF1, all three ops
have CPU kernels only.
"""
import collections

from minitf.framework.op_def import REQUIRED, define_op
from minitf.framework.random_seed import seed_attrs
from minitf.framework.tensor_shape import Dimension, TensorShape
from minitf.ops.op_builder import apply_op

# The public (tf.nn.*) names of this module.
__all__ = ["uniform_candidate_sampler", "log_uniform_candidate_sampler", "compute_accidental_hits"]

_SEED_ATTRS = {"seed": 0, "seed2": 0}
_SAMPLER_ATTRS = {"num_true": REQUIRED, "num_sampled": REQUIRED, "unique": REQUIRED, "range_max": REQUIRED,
                  **_SEED_ATTRS}


# ======================================================================================
# Shape functions
# ======================================================================================
def _with_rank(tensor, rank):
    """TF's WithRank on an input's shape (the graph appends the op and the input shapes)."""
    ndims = tensor.shape.ndims
    if ndims is not None and ndims != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {ndims}")
    return tensor.shape


def _sampler_shape(op):
    """[num_sampled], [batch, num_true], [num_sampled]: TF checks only the rank of true_classes
    here (its column count is checked against num_true at run time)."""
    shape = _with_rank(op.inputs[0], 2)
    batch = shape.dims[0] if shape.dims is not None else Dimension(None)
    num_sampled = TensorShape([op.get_attr("num_sampled")])
    return [num_sampled, TensorShape([batch, op.get_attr("num_true")]), num_sampled]


def _accidental_hits_shape(op):
    true_classes, sampled = op.inputs
    shape = _with_rank(true_classes, 2)
    num_true = op.get_attr("num_true")
    if shape.dims is not None and shape.dims[1].value is not None and shape.dims[1].value != num_true:
        raise ValueError(f"Dimension must be {num_true} but is {shape.dims[1].value}")
    _with_rank(sampled, 1)
    return [TensorShape([None])] * 3


# ======================================================================================
# Op declarations
# ======================================================================================
for _op_type in ("UniformCandidateSampler", "LogUniformCandidateSampler"):
    define_op(_op_type, inputs=["true_classes: int64"],
              outputs=["sampled_candidates: int64", "true_expected_count: float32",
                       "sampled_expected_count: float32"],
              attrs=_SAMPLER_ATTRS, shape=_sampler_shape, stateful=True, differentiable=False)

# TF declares seed attrs on ComputeAccidentalHits too, though nothing in it is random.
define_op("ComputeAccidentalHits", inputs=["true_classes: int64", "sampled_candidates: int64"],
          outputs=["indices: int32", "ids: int64", "weights: float32"],
          attrs={"num_true": REQUIRED, **_SEED_ATTRS}, shape=_accidental_hits_shape, differentiable=False)


# ======================================================================================
# Public functions
# ======================================================================================
UniformCandidateSampler = collections.namedtuple(
    "UniformCandidateSampler", ["sampled_candidates", "true_expected_count", "sampled_expected_count"])
LogUniformCandidateSampler = collections.namedtuple(
    "LogUniformCandidateSampler", ["sampled_candidates", "true_expected_count", "sampled_expected_count"])
ComputeAccidentalHits = collections.namedtuple("ComputeAccidentalHits", ["indices", "ids", "weights"])


def _at_least_one(op_type, attr, value):
    """TF's check of an attr declared with a minimum of 1 (made before the op is created)."""
    value = int(value)
    if value < 1:
        raise ValueError(f"Attr '{attr}' of '{op_type}' Op passed {value} less than minimum 1.")
    return value


def _sampler(op_type, result_type, true_classes, num_true, num_sampled, unique, range_max, seed, name):
    attrs = {"num_true": _at_least_one(op_type, "num_true", num_true),
             "num_sampled": _at_least_one(op_type, "num_sampled", num_sampled),
             "unique": bool(unique),
             "range_max": _at_least_one(op_type, "range_max", range_max)}
    # Like TF1, the seeds are taken before true_classes is converted (seed2 may count ops).
    attrs.update(seed_attrs(seed))
    return result_type(*apply_op(op_type, true_classes, name=name or op_type, **attrs))


def uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """TF1 `tf.nn.uniform_candidate_sampler`: `num_sampled` ids drawn uniformly from [0, range_max)
    (distinct when `unique`), with the expected counts of the true classes [batch, num_true] and of
    the sampled ids [num_sampled]. `true_classes` is int64 [batch, num_true]."""
    return _sampler("UniformCandidateSampler", UniformCandidateSampler, true_classes, num_true, num_sampled,
                    unique, range_max, seed, name)


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None,
                                  name=None):
    """TF1 `tf.nn.log_uniform_candidate_sampler`: as `uniform_candidate_sampler`, drawing id k with
    the Zipfian probability (log(k + 2) - log(k + 1)) / log(range_max + 1) (ids sorted by
    decreasing frequency, as word2vec's vocabularies are)."""
    return _sampler("LogUniformCandidateSampler", LogUniformCandidateSampler, true_classes, num_true,
                    num_sampled, unique, range_max, seed, name)


def compute_accidental_hits(true_classes, sampled_candidates, num_true, seed=None, name=None):
    """TF1 `tf.nn.compute_accidental_hits`: the sampled ids that equal a true class of a row, as
    (indices: int32 row of each hit, ids: int64 position of the hit in sampled_candidates,
    weights: float32 -FLT_MAX), in row-major order of the true classes. When an id was sampled
    more than once, its last position is the one reported (TF's kernel)."""
    attrs = {"num_true": int(num_true), **seed_attrs(seed)}
    return ComputeAccidentalHits(*apply_op("ComputeAccidentalHits", true_classes, sampled_candidates,
                                           name=name or "ComputeAccidentalHits", **attrs))
