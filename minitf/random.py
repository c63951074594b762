"""TF1's `tf.random` namespace (TF 1.13+): the random ops under their newer names."""
from minitf.framework.default_graph import set_random_seed  # noqa: F401
from minitf.framework.random_seed import get_seed  # noqa: F401
from minitf.ops.candidate_sampling_ops import log_uniform_candidate_sampler, uniform_candidate_sampler  # noqa: F401
from minitf.ops.random_ops import multinomial, random_normal as normal, random_shuffle as shuffle  # noqa: F401
from minitf.ops.random_ops import random_uniform as uniform, truncated_normal  # noqa: F401


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """TF1 `tf.random.categorical`: `multinomial` with its `dtype` argument named so."""
    return multinomial(logits, num_samples, seed=seed, name=name, output_dtype=dtype)
