"""Initializers: graph structure, TF1's scaling rules (fans, truncation correction), values and seeds."""
import math

import numpy as np
import pytest

import minitf as tf
from minitf.ops.init_ops import _compute_fans


def const_value(name):
    return np.asarray(tf.get_default_graph().get_operation_by_name(name).get_attr("value"))


def sample(initializer, shape, dtype=tf.float32):
    v = tf.get_variable("v", shape, dtype=dtype, initializer=initializer)
    with tf.Session() as sess:
        sess.run(v.initializer)
        return sess.run(v)


@pytest.mark.parametrize("shape, fans", [
    ([], (1, 1)), ([7], (7, 7)), ([3, 5], (3, 5)), ([3, 3, 4, 8], (36, 72)), ([2, 2, 2, 3, 5], (24, 40)),
])
def test_fans_count_the_receptive_field(shape, fans):
    assert _compute_fans(shape) == fans


# ======================================================================================
# variance scaling: the constants TF1 writes into the graph, and the resulting spread
# ======================================================================================
@pytest.mark.parametrize("scale, mode, distribution, op, expected", [
    (1.0, "fan_in", "truncated_normal", "truncated_normal/stddev", math.sqrt(1 / 36) / .87962566103423978),
    (2.0, "fan_out", "normal", "truncated_normal/stddev", math.sqrt(2 / 72) / .87962566103423978),
    (1.0, "fan_in", "untruncated_normal", "random_normal/stddev", math.sqrt(1 / 36)),
    (3.0, "fan_avg", "uniform", "random_uniform/max", math.sqrt(3 * 3 / 54)),
])
def test_variance_scaling_constants_for_a_conv_kernel(scale, mode, distribution, op, expected):
    init = tf.variance_scaling_initializer(scale, mode, distribution)
    tf.get_variable("k", [3, 3, 4, 8], initializer=init)
    np.testing.assert_allclose(const_value("k/Initializer/" + op), expected, rtol=1e-6)


@pytest.mark.parametrize("initializer, expected_std", [
    (tf.variance_scaling_initializer(2.0, "fan_in", seed=1), math.sqrt(2 / 200)),
    (tf.variance_scaling_initializer(1.0, "fan_out", "uniform", seed=2), math.sqrt(1 / 300)),
    (tf.glorot_normal_initializer(seed=3), math.sqrt(2 / 500)),
    (tf.glorot_uniform_initializer(seed=4), math.sqrt(2 / 500)),
    (tf.initializers.he_normal(seed=5), math.sqrt(2 / 200)),
    (tf.initializers.lecun_uniform(seed=6), math.sqrt(1 / 200)),
])
def test_sampled_spread_matches_the_intended_variance(initializer, expected_std):
    # The 0.8796 correction makes a truncated normal's spread the intended one.
    values = sample(initializer, [200, 300])
    assert abs(values.mean()) < 0.1 * expected_std
    np.testing.assert_allclose(values.std(), expected_std, rtol=0.03)


def test_glorot_uniform_bounds_and_default_initializer():
    limit = math.sqrt(6 / (20 + 30))
    values = sample(None, [20, 30])  # get_variable's default for floats
    assert np.all(np.abs(values) <= limit) and np.abs(values).max() > 0.95 * limit
    np.testing.assert_allclose(const_value("v/Initializer/random_uniform/max"), limit, rtol=1e-6)


def test_truncated_normal_stays_within_two_stddevs():
    values = sample(tf.truncated_normal_initializer(mean=1.0, stddev=0.5, seed=7), [100, 100])
    assert values.min() >= 0.0 and values.max() <= 2.0
    np.testing.assert_allclose(values.mean(), 1.0, atol=0.02)


def test_uniform_and_normal_parameters():
    uniform = sample(tf.random_uniform_initializer(-2.0, 3.0, seed=8), [100, 100])
    assert uniform.min() >= -2.0 and uniform.max() < 3.0
    np.testing.assert_allclose(uniform.mean(), 0.5, atol=0.05)
    tf.reset_default_graph()
    normal = sample(tf.random_normal_initializer(mean=-1.0, stddev=2.0, seed=9), [100, 100])
    np.testing.assert_allclose([normal.mean(), normal.std()], [-1.0, 2.0], atol=0.06)


def test_uniform_unit_scaling_limit():
    tf.get_variable("k", [3, 3, 4, 8], initializer=tf.uniform_unit_scaling_initializer(1.5))
    np.testing.assert_allclose(const_value("k/Initializer/random_uniform/max"),
                               math.sqrt(3 / 36) * 1.5, rtol=1e-6)


def test_seeds_are_honoured():
    def draw(op_seed, graph_seed=None):
        with tf.Graph().as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            return sample(tf.glorot_uniform_initializer(seed=op_seed), [5, 5])
    np.testing.assert_array_equal(draw(42), draw(42))
    np.testing.assert_array_equal(draw(None, 7), draw(None, 7))
    assert not np.array_equal(draw(42), draw(43))
    tf.get_variable("s", [2], initializer=tf.random_normal_initializer(seed=11))
    graph = tf.get_default_graph()
    random_op = graph.get_operation_by_name("s/Initializer/random_normal/RandomStandardNormal")
    assert random_op.get_attr("seed2") == 11


# ======================================================================================
# Constant initializers
# ======================================================================================
def test_zeros_ones_and_constants():
    cases = [(tf.zeros_initializer(), [2, 3], tf.float32, np.zeros((2, 3))),
             (tf.ones_initializer(dtype=tf.int32), [4], tf.int32, np.ones(4)),
             (tf.constant_initializer(2.5), [2, 2], tf.float64, np.full((2, 2), 2.5)),
             (tf.constant_initializer([1, 2, 3, 4]), [2, 2], tf.float32, [[1, 2], [3, 4]])]
    for index, (initializer, shape, dtype, expected) in enumerate(cases):
        v = tf.get_variable(f"v{index}", shape, dtype=dtype, initializer=initializer)
        with tf.Session() as sess:
            sess.run(v.initializer)
            value = sess.run(v)
        assert value.dtype == dtype.as_numpy_dtype
        np.testing.assert_array_equal(value, expected)
    names = [op.name for op in tf.get_default_graph().get_operations() if "Initializer" in op.name]
    assert names == ["v0/Initializer/zeros", "v1/Initializer/ones", "v2/Initializer/Const",
                     "v3/Initializer/Const"]


def test_initializers_called_directly_use_their_dtype():
    assert tf.ones_initializer(dtype=tf.float64)([2]).dtype == tf.float64
    assert tf.zeros_initializer()([2], dtype=tf.int64).dtype == tf.int64
    assert tf.random_uniform_initializer(0, 10, dtype=tf.int32)([3]).dtype == tf.int32


@pytest.mark.parametrize("make, error, message", [
    (lambda: tf.constant_initializer({}), TypeError, "Invalid type for initial value"),
    (lambda: tf.random_normal_initializer(dtype=tf.int32), ValueError,
     "Argument `dtype` is expected to be floating point"),
    (lambda: tf.variance_scaling_initializer(scale=0), ValueError, "must be a positive float"),
    (lambda: tf.variance_scaling_initializer(mode="fan"), ValueError, "Argument `mode` should be one of"),
    (lambda: tf.variance_scaling_initializer(distribution="cauchy"), ValueError,
     "Argument `distribution` should be one of"),
])
def test_argument_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_configs_round_trip():
    for initializer in (tf.variance_scaling_initializer(2.0, "fan_avg", "uniform", seed=3),
                        tf.truncated_normal_initializer(0.5, 2.0, seed=1), tf.constant_initializer(3.0),
                        tf.glorot_uniform_initializer(seed=2), tf.random_uniform_initializer(-1, 1)):
        clone = type(initializer).from_config(initializer.get_config())
        assert clone.get_config() == initializer.get_config()
    assert tf.glorot_normal_initializer().get_config() == {"seed": None, "dtype": "float32"}


def test_initializers_namespace():
    assert tf.initializers.zeros is tf.zeros_initializer
    assert tf.initializers.variance_scaling is tf.variance_scaling_initializer
    he = tf.initializers.he_uniform(seed=1)
    assert (he.scale, he.mode, he.distribution, he.seed) == (2.0, "fan_in", "uniform", 1)
    v = tf.Variable(1.0)
    assert tf.initializers.global_variables().name == "init"
    with tf.Session() as sess:
        sess.run(tf.initializers.variables([v]))
        assert sess.run(v) == 1.0
