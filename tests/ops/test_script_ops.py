"""tf.py_func: node structure, values, output conversion and TF1's error mapping."""
import numpy as np
import pytest

import minitf as tf


def _run(func, inp, Tout, **kwargs):  # noqa: N803 - TF1's argument name
    with tf.Graph().as_default():
        out = tf.py_func(func, inp, Tout, **kwargs)
        with tf.Session() as sess:
            return sess.run(out)


# ======================================================================================
# Graph structure
# ======================================================================================
def test_node_structure_and_attrs():
    with tf.Graph().as_default() as graph:
        out = tf.py_func(lambda x, y: x, [1.0, np.array([2.0, 3.0])], tf.float32)
        pair = tf.py_func(lambda a: (a, a), [tf.constant([1, 2])], [tf.int32, tf.int64],
                          stateful=False, name="two")
    assert [(op.name, op.type) for op in graph.get_operations()] == [
        ("PyFunc/input_0", "Const"), ("PyFunc/input_1", "Const"), ("PyFunc", "PyFunc"),
        ("Const", "Const"), ("two", "PyFuncStateless")]
    op = out.op
    assert op.get_attr("Tin") == [tf.float32, tf.float64]
    assert op.get_attr("Tout") == [tf.float32]
    assert graph._py_funcs[op.get_attr("token")] is not None
    assert op.get_attr("token") != pair[0].op.get_attr("token")
    assert out.name == "PyFunc:0" and out.dtype == tf.float32
    assert [t.name for t in pair] == ["two:0", "two:1"] and [t.dtype for t in pair] == [tf.int32, tf.int64]


def test_stateful_flag_picks_the_op_type():
    from minitf.framework.op_def import get_op_def
    with tf.Graph().as_default():
        assert tf.py_func(lambda: 1.0, [], tf.float32).op.type == "PyFunc"
        assert tf.py_func(lambda: 1.0, [], tf.float32, stateful=False).op.type == "PyFuncStateless"
    assert get_op_def("PyFunc").is_stateful and not get_op_def("PyFuncStateless").is_stateful
    assert not get_op_def("PyFunc").differentiable


def test_static_shape_is_unknown():
    with tf.Graph().as_default():
        out = tf.py_func(lambda x: x, [tf.constant([1.0, 2.0])], tf.float32)
    assert out.shape.dims is None


# ======================================================================================
# Values
# ======================================================================================
def test_forward_values_and_argument_types():
    seen = []

    def func(scalar, vector):
        seen.append((type(scalar), type(vector), vector.dtype))
        return vector * scalar

    result = _run(func, [np.float32(2.0), np.array([1.0, 3.0], np.float32)], tf.float32)
    np.testing.assert_array_equal(result, [2.0, 6.0])
    assert result.dtype == np.float32
    assert seen == [(np.float32, np.ndarray, np.float32)]  # 0-d values arrive as NumPy scalars


def test_multiple_outputs_and_list_tout():
    first, second = _run(lambda x: (x + 1, x * 2), [np.array([1, 2], np.int32)], [tf.int32, tf.int32])
    np.testing.assert_array_equal(first, [2, 3])
    np.testing.assert_array_equal(second, [2, 4])
    (only,) = _run(lambda: np.float32(5), [], [tf.float32])  # a one-element Tout list gives a list
    assert only == 5.0


def test_zero_d_results_are_numpy_scalars():
    result = _run(lambda: 2.5, [], tf.float64)
    assert type(result) is np.float64 and result == 2.5


def test_no_outputs_gives_an_operation_that_runs_the_function():
    calls = []
    with tf.Graph().as_default():
        op = tf.py_func(lambda: calls.append(1), [], [])
        assert isinstance(op, tf.Operation)
        with tf.Session() as sess:
            assert sess.run(op) is None
            sess.run(op)
    assert calls == [1, 1]


def test_stateful_function_runs_every_time():
    counter = iter(range(100))
    with tf.Graph().as_default():
        out = tf.py_func(lambda: np.int64(next(counter)), [], tf.int64)
        with tf.Session() as sess:
            assert [sess.run(out) for _ in range(3)] == [0, 1, 2]


def test_inputs_from_other_ops_and_variables():
    with tf.Graph().as_default():
        v = tf.Variable(np.array([1.0, 2.0], np.float32), name="v")
        out = tf.py_func(lambda a, b: a + b, [v, tf.constant(10.0) + 1.0], tf.float32)
        with tf.Session() as sess:
            sess.run(v.initializer)
            np.testing.assert_array_equal(sess.run(out), [12.0, 13.0])


def test_arguments_modified_in_place_do_not_leak():
    def mutate(a):
        a += 100
        return a

    with tf.Graph().as_default():
        v = tf.Variable(np.array([1, 2], np.int32), name="v")
        out = tf.py_func(mutate, [v], tf.int32)
        with tf.Session() as sess:
            sess.run(v.initializer)
            np.testing.assert_array_equal(sess.run(out), [101, 102])
            np.testing.assert_array_equal(sess.run(out), [101, 102])
            np.testing.assert_array_equal(sess.run(v), [1, 2])


def test_string_inputs_and_outputs():
    result = _run(lambda s: s + b"!", [b"hi"], tf.string)
    assert result == b"hi!"
    words = _run(lambda: ["a", "bc"], [], [tf.string, tf.string])
    assert words == [b"a", b"bc"]


# ======================================================================================
# Output conversion
# ======================================================================================
@pytest.mark.parametrize("value,dtype,expected", [
    (1.5, tf.float32, np.float32(1.5)),            # Python float (float64) -> float32
    (np.array([1.0, 2.0]), tf.float16, np.array([1.0, 2.0], np.float16)),
    (3, tf.int32, np.int32(3)),                    # Python int (int64) -> int32
    (np.int32(3), tf.float32, np.float32(3)),      # int -> float is a same-kind conversion
    (True, tf.bool, np.True_),
])
def test_outputs_are_converted_to_the_declared_dtype(value, dtype, expected):
    result = _run(lambda: value, [], dtype)
    assert np.asarray(result).dtype == dtype.as_numpy_dtype
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("value,dtype,message", [
    ("abc", tf.float32, "0-th value returned by pyfunc_[0-9]+ is string, but expects float32"),
    (1.5, tf.int32, "is float64, but expects int32"),
    (7, tf.string, "is int64, but expects string"),
    ([[1.0], [2.0, 3.0]], tf.float32, "returns 2 values, but expects to see 1 values"),
    ((np.float32(1), np.float32(2)), [tf.float32], "returns 2 values, but expects to see 1 values"),
    (None, tf.float32, "returns 0 values, but expects to see 1 values"),
])
def test_unconvertible_outputs_raise_invalid_argument(value, dtype, message):
    with tf.Graph().as_default():
        out = tf.py_func(lambda: value, [], dtype)
        op = out[0].op if isinstance(out, list) else out.op
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
                sess.run(out)
    assert info.value.op is op


def test_a_ragged_output_raises_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match="cannot be converted"):
        _run(lambda: ([[1.0], [2.0, 3.0]],), [], [tf.float32])


# ======================================================================================
# Exceptions inside the function (TF1's mapping of Python exceptions to OpErrors)
# ======================================================================================
def _raiser(exception):
    def func():
        raise exception
    return func


@pytest.mark.parametrize("exception,error_class", [
    (RuntimeError("boom"), tf.errors.UnknownError),
    (KeyError("k"), tf.errors.UnknownError),
    (ZeroDivisionError("z"), tf.errors.UnknownError),
    (ValueError("bad value"), tf.errors.InvalidArgumentError),
    (TypeError("bad type"), tf.errors.InvalidArgumentError),
    (StopIteration(), tf.errors.OutOfRangeError),
    (NotImplementedError("later"), tf.errors.UnimplementedError),
    (MemoryError(), tf.errors.ResourceExhaustedError),
], ids=lambda x: type(x).__name__ if isinstance(x, BaseException) else x.__name__)
def test_exceptions_map_to_tf1_errors(exception, error_class):
    with tf.Graph().as_default():
        out = tf.py_func(_raiser(exception), [], tf.float32, name="failing")
        with tf.Session() as sess:
            with pytest.raises(error_class) as info:
                sess.run(out)
    assert type(info.value) is error_class
    assert info.value.op is out.op
    assert f"{type(exception).__name__}: {exception}" in info.value.message
    assert info.value.__cause__ is exception


def test_an_op_error_inside_the_function_is_unknown():
    error = tf.errors.NotFoundError(None, None, "missing")
    with pytest.raises(tf.errors.UnknownError, match="NotFoundError: missing"):
        _run(_raiser(error), [], tf.float32)


def test_a_failing_run_does_not_break_the_session():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return np.float32(len(calls))

    with tf.Graph().as_default():
        out = tf.py_func(flaky, [], tf.float32)
        with tf.Session() as sess:
            with pytest.raises(tf.errors.UnknownError):
                sess.run(out)
            assert sess.run(out) == 2.0
