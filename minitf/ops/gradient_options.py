"""TF1's `tf.AggregationMethod`: how tf.gradients sums the gradients reaching one tensor.

minitf always sums with AddN, so every method gives the same values (TF1's methods differ only
in memory use and op structure)."""

__all__ = ["AggregationMethod"]


class AggregationMethod:
    """TF1 `tf.AggregationMethod`: ADD_N (= DEFAULT), EXPERIMENTAL_TREE, EXPERIMENTAL_ACCUMULATE_N."""
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2
