"""Graph- and op-level seeds (TF1 `tf.set_random_seed` and `random_seed.get_seed`).

Every random op carries two int attrs, `seed` and `seed2`, derived here from the graph seed and the
op seed with TF1's rules, so a TF1 program seeded the same way gets the same attrs in minitf. The
kernels turn (seed, seed2) into a generator; (0, 0) means "no seed: use fresh entropy".
"""
from minitf.framework.default_graph import get_default_graph, set_random_seed  # noqa: F401 - re-export

# The graph seed TF1 assumes when only an op seed is given.
DEFAULT_GRAPH_SEED = 87654321
# Seeds are reduced modulo this (TF1 keeps them in the positive int32 range).
_MAXINT32 = 2**31 - 1


def _truncate(seed):
    return int(seed) % _MAXINT32


def get_seed(op_seed):
    """The (seed, seed2) pair a random op created now should use, given its own seed (or None).

    graph seed unset, op seed None -> (None, None): nondeterministic.
    graph seed set,   op seed None -> (graph seed, graph._last_id): each op gets its own stream.
    graph seed unset, op seed set  -> (DEFAULT_GRAPH_SEED, op seed).
    both set                       -> (graph seed, op seed).
    (0, 0) would read as "unseeded" in the kernels, so it becomes (0, 2**31 - 1).
    """
    graph = get_default_graph()
    graph_seed = graph.seed
    if graph_seed is not None:
        if op_seed is None:
            # The number of ops created so far: distinct for each random op of the graph, and
            # the same when the same program rebuilds the graph.
            op_seed = graph._last_id
        seeds = _truncate(graph_seed), _truncate(op_seed)
    elif op_seed is not None:
        seeds = DEFAULT_GRAPH_SEED, _truncate(op_seed)
    else:
        seeds = None, None
    if seeds == (0, 0):
        return 0, _MAXINT32
    return seeds


def seed_attrs(op_seed):
    """`get_seed(op_seed)` as the op attrs {"seed": int, "seed2": int}, 0 standing for None."""
    seed, seed2 = get_seed(op_seed)
    return {"seed": seed or 0, "seed2": seed2 or 0}
