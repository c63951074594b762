"""Random ops: TF1's seed rules, node structure, dtypes and errors (values are in cases_random.py)."""
import subprocess
import sys

import numpy as np
import pytest

import minitf as tf
from minitf.framework import random_seed


def _run_twice(build, seed=None):
    """Builds `build()` in a new graph (graph seed `seed`), runs it twice in one session."""
    with tf.Graph().as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        tensor = build()
        with tf.Session() as sess:
            return sess.run(tensor), sess.run(tensor)


# ======================================================================================
# get_seed: TF1's rules (the expected pairs were checked against TensorFlow)
# ======================================================================================
def test_get_seed_without_any_seed_is_unseeded():
    with tf.Graph().as_default():
        assert random_seed.get_seed(None) == (None, None)


def test_get_seed_with_op_seed_only_uses_the_default_graph_seed():
    with tf.Graph().as_default():
        assert random_seed.get_seed(5) == (random_seed.DEFAULT_GRAPH_SEED, 5) == (87654321, 5)
        assert random_seed.get_seed(0) == (87654321, 0)


def test_get_seed_with_graph_seed_uses_the_op_count():
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(42)
        assert random_seed.get_seed(None) == (42, 0)
        tf.constant(1.0)
        tf.constant(2.0)
        assert random_seed.get_seed(None) == (42, 2) == (42, graph._last_id)
        assert random_seed.get_seed(7) == (42, 7)


def test_get_seed_maps_zero_zero_and_truncates():
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        assert random_seed.get_seed(None) == (0, 2**31 - 1)
        assert random_seed.get_seed(0) == (0, 2**31 - 1)
        assert random_seed.get_seed(3) == (0, 3)
    with tf.Graph().as_default():
        assert random_seed.get_seed(2**31 + 5) == (87654321, 6)
        assert random_seed.get_seed(-3) == (87654321, 2147483644)
        tf.set_random_seed(2**40)
        assert random_seed.get_seed(1) == (512, 1)


def test_seed_attrs_are_ints_with_zero_for_none():
    with tf.Graph().as_default() as graph:
        tf.random_uniform([2])
        tf.random_uniform([2], seed=9)
        uniform = graph.get_operation_by_name("random_uniform/RandomUniform")
        seeded = graph.get_operation_by_name("random_uniform_1/RandomUniform")
    assert (uniform.get_attr("seed"), uniform.get_attr("seed2")) == (0, 0)
    assert (seeded.get_attr("seed"), seeded.get_attr("seed2")) == (87654321, 9)


def test_seed_attrs_match_tf1():
    # TF1 takes the seeds after creating shape/min/max (seed2 = 3 ops so far), but before
    # converting the value of random_shuffle.
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(42)
        tf.random_uniform([2, 3])
        tf.random_shuffle([1, 2, 3])
        tf.random_normal([2], seed=11)
        attrs = {op.name: (op.get_attr("seed"), op.get_attr("seed2")) for op in graph.get_operations()
                 if "seed" in op.attrs}
    assert attrs == {"random_uniform/RandomUniform": (42, 3), "RandomShuffle": (42, 7),
                     "random_normal/RandomStandardNormal": (42, 11)}


# ======================================================================================
# Seed semantics at run time
# ======================================================================================
def test_graph_seed_runs_differ_but_sessions_repeat():
    with tf.Graph().as_default():
        tf.set_random_seed(42)
        a = tf.random_uniform([2])
        with tf.Session() as sess:
            first, second = sess.run(a), sess.run(a)
        with tf.Session() as sess:
            again = sess.run(a), sess.run(a)
    assert not np.array_equal(first, second), "each run must draw new numbers"
    np.testing.assert_array_equal(again[0], first)
    np.testing.assert_array_equal(again[1], second)


def test_rebuilt_graph_with_the_same_seed_repeats():
    build = lambda: tf.random_uniform([3])  # noqa: E731
    assert np.array_equal(_run_twice(build, seed=42), _run_twice(build, seed=42))
    assert not np.array_equal(_run_twice(build, seed=42), _run_twice(build, seed=43))


def test_op_seed_alone_repeats_across_sessions():
    build = lambda: tf.random_normal([4], seed=3)  # noqa: E731
    assert np.array_equal(_run_twice(build), _run_twice(build))


def test_no_seed_differs_across_sessions():
    build = lambda: tf.random_uniform([4])  # noqa: E731
    assert not np.array_equal(_run_twice(build), _run_twice(build))


def test_ops_of_one_seeded_graph_get_different_streams():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        a, b = tf.random_uniform([5]), tf.random_uniform([5])
        with tf.Session() as sess:
            values_a, values_b = sess.run([a, b])
    assert not np.array_equal(values_a, values_b)


def test_every_seeded_op_type_repeats_across_sessions():
    def build():
        return [tf.random_uniform([3]), tf.random_uniform([3], 0, 100, dtype=tf.int64),
                tf.random_normal([3]), tf.truncated_normal([3]), tf.random_shuffle(np.arange(10)),
                tf.multinomial([[0.0, 1.0, 2.0]], 5)]
    first, second = _run_twice(build, seed=5), _run_twice(build, seed=5)
    for a, b in zip(first + second, second + first):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_seeded_values_repeat_in_a_new_process():
    code = ("import minitf as tf; tf.set_random_seed(7); a = tf.random_normal([3]); "
            "s = tf.Session(); print(s.run(a).tolist(), s.run(a).tolist())")
    outputs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              timeout=120).stdout for _ in range(2)]
    assert outputs[0] == outputs[1] and outputs[0].strip()


# ======================================================================================
# Node structure (names and types as TF1 builds them)
# ======================================================================================
def _structure(graph):
    return [(op.name, op.type) for op in graph.get_operations()]


def test_random_uniform_float_nodes():
    with tf.Graph().as_default() as graph:
        out = tf.random_uniform([2, 3])
    assert _structure(graph) == [
        ("random_uniform/shape", "Const"), ("random_uniform/min", "Const"), ("random_uniform/max", "Const"),
        ("random_uniform/RandomUniform", "RandomUniform"), ("random_uniform/sub", "Sub"),
        ("random_uniform/mul", "Mul"), ("random_uniform", "Add")]
    assert out.name == "random_uniform:0" and out.shape.as_list() == [2, 3]


def test_random_uniform_int_is_one_named_op():
    with tf.Graph().as_default() as graph:
        out = tf.random_uniform([4], 1, 10, dtype=tf.int64, name="ints")
    assert _structure(graph) == [("ints/shape", "Const"), ("ints/min", "Const"), ("ints/max", "Const"),
                                 ("ints", "RandomUniformInt")]
    assert out.dtype == tf.int64 and out.op.get_attr("Tout") == tf.int64
    assert out.op.get_attr("T") == tf.int32


@pytest.mark.parametrize("function,scope,op_type", [
    (tf.random_normal, "random_normal", "RandomStandardNormal"),
    (tf.truncated_normal, "truncated_normal", "TruncatedNormal"),
])
def test_normal_nodes(function, scope, op_type):
    with tf.Graph().as_default() as graph:
        out = function([2], mean=1.0, stddev=3.0, dtype=tf.float64)
    assert _structure(graph) == [
        (f"{scope}/shape", "Const"), (f"{scope}/mean", "Const"), (f"{scope}/stddev", "Const"),
        (f"{scope}/{op_type}", op_type), (f"{scope}/mul", "Mul"), (scope, "Add")]
    assert out.dtype == tf.float64


def test_random_shuffle_and_multinomial_nodes():
    with tf.Graph().as_default() as graph:
        tf.random_shuffle([1, 2, 3])
        tf.multinomial([[1.0, 2.0]], 5)
    assert _structure(graph) == [
        ("RandomShuffle/value", "Const"), ("RandomShuffle", "RandomShuffle"),
        ("multinomial/logits", "Const"), ("multinomial/Multinomial/num_samples", "Const"),
        ("multinomial/Multinomial", "Multinomial")]


def test_random_ops_are_stateful_and_not_differentiable():
    from minitf.framework.op_def import get_op_def
    for op_type in ("RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal",
                    "RandomShuffle", "Multinomial"):
        assert get_op_def(op_type).is_stateful and not get_op_def(op_type).differentiable


# ======================================================================================
# Shapes and dtypes
# ======================================================================================
def test_shape_arguments():
    with tf.Graph().as_default():
        assert tf.random_uniform(tf.TensorShape([2, 3])).shape.as_list() == [2, 3]
        assert tf.random_uniform(()).shape.as_list() == []
        normal = tf.random_normal(np.array([2, 3], np.int64), name="int64_shape")
        assert normal.shape.as_list() == [2, 3]
        assert normal.graph.get_operation_by_name("int64_shape/RandomStandardNormal").get_attr("T") == tf.int64
        assert tf.random_uniform([-1, 2]).shape.as_list() == [None, 2]
        fed = tf.placeholder(tf.int32, [2])
        assert tf.random_uniform(fed).shape.as_list() == [None, None]
        assert tf.random_uniform(tf.placeholder(tf.int32)).shape.dims is None
        with pytest.raises(ValueError, match="partially known"):
            tf.random_uniform(tf.TensorShape([2, None]))
        with tf.Session() as sess:
            assert sess.run(tf.random_uniform(fed), {fed: [0, 4]}).shape == (0, 4)
            scalar = sess.run(tf.random_uniform(()))
            assert isinstance(scalar, np.float32)


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_float_dtypes_are_exact(dtype):
    with tf.Graph().as_default():
        values = [tf.random_uniform([50000], dtype=dtype), tf.random_normal([3], dtype=dtype),
                  tf.truncated_normal([3], dtype=dtype)]
        with tf.Session() as sess:
            results = sess.run(values)
    assert all(r.dtype == dtype.as_numpy_dtype for r in results)
    assert results[0].max() < 1.0 and results[0].min() >= 0.0  # never rounded up to maxval


def test_multinomial_output_dtype():
    with tf.Graph().as_default():
        out = tf.multinomial([[0.0] * 4] * 2, 3, output_dtype=tf.int32)
        assert out.dtype == tf.int32 and out.shape.as_list() == [2, 3]
        with tf.Session() as sess:
            values = sess.run(out)
    assert values.dtype == np.int32 and values.min() >= 0 and values.max() < 4


def test_random_shuffle_of_scalars_and_strings():
    with tf.Graph().as_default():
        words = [b"a", b"b", b"c", b"d"]
        with tf.Session() as sess:
            assert sess.run(tf.random_shuffle(3)) == 3
            assert sorted(sess.run(tf.random_shuffle(words)).tolist()) == words


# ======================================================================================
# Errors (TF1's exception types)
# ======================================================================================
def test_integer_uniform_needs_maxval():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Must specify maxval for integer dtype"):
            tf.random_uniform([2], dtype=tf.int32)


@pytest.mark.parametrize("build", [
    lambda: tf.random_uniform([2], dtype=tf.string),
    lambda: tf.random_uniform([2], dtype=tf.bool),
    lambda: tf.random_uniform([2], maxval=3, dtype=tf.int8),
    lambda: tf.random_normal([2], dtype=tf.int32),
    lambda: tf.truncated_normal([2], dtype=tf.int32),
    lambda: tf.random_uniform([2.0]),
    lambda: tf.multinomial([[1.0, 2.0]], 2, output_dtype=tf.float32),
], ids=["uniform-string", "uniform-bool", "uniform-int8", "normal-int", "truncated-int", "float-shape",
        "multinomial-float-output"])
def test_unsupported_dtypes_raise_type_error(build):
    with tf.Graph().as_default():
        with pytest.raises(TypeError):
            build()


def test_static_rank_errors():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="Shape must be rank 1 but is rank 2"):
            tf.random_uniform([[2]])
        with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
            tf.random_uniform([2], [1], 3, dtype=tf.int32)
        with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
            tf.multinomial([1.0, 2.0], 2)
        with pytest.raises(ValueError, match="num_samples should be nonnegative"):
            tf.multinomial([[1.0, 2.0]], -1)


def test_run_time_errors():
    with tf.Graph().as_default():
        shape = tf.placeholder(tf.int32)
        uniform = tf.random_uniform(shape)
        bad_range = tf.random_uniform(shape, 5, 3, dtype=tf.int32)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="must be >= 0") as info:
                sess.run(uniform, {shape: [-1, 2]})
            assert info.value.op is uniform.op.inputs[0].op.inputs[0].op
            with pytest.raises(tf.errors.InvalidArgumentError, match="shape must be a vector"):
                sess.run(uniform, {shape: [[1, 2]]})
            with pytest.raises(tf.errors.InvalidArgumentError, match="Need minval < maxval, got 5 >= 3"):
                sess.run(bad_range, {shape: [2]})
            assert sess.run(bad_range, {shape: [0]}).shape == (0,)  # nothing drawn: no range check


def test_the_tf_random_namespace_names_the_same_ops():
    """TF 1.13+'s tf.random names: normal/uniform/truncated_normal/shuffle build the same ops as
    the tf.random_* functions, and categorical is multinomial with its dtype named `dtype`."""
    assert tf.random.normal is tf.random_normal and tf.random.uniform is tf.random_uniform
    assert tf.random.truncated_normal is tf.truncated_normal
    assert tf.random.shuffle([1, 2]).op.type == "RandomShuffle"
    samples = tf.random.categorical(tf.log([[0.0, 1.0]]), 4, dtype=tf.int32)
    assert samples.dtype == tf.int32
    tf.random.set_random_seed(3)
    assert tf.random.get_seed(None)[0] == 3
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(samples), [[1, 1, 1, 1]])
