"""tf.Variable and the variable ops: initialization, assignment, collections, reports."""
import numpy as np
import pytest

import minitf as tf


def test_assign_family_returns_new_values():
    v = tf.Variable([1.0, 2.0], name="v")
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(tf.assign(v, [5.0, 6.0])), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(v.assign_add([1.0, 1.0])), [6.0, 7.0])
        np.testing.assert_array_equal(sess.run(tf.assign_sub(v, [6.0, 7.0])), [0.0, 0.0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="shapes of both tensors"):
            sess.run(tf.assign(v, tf.placeholder_with_default([1.0, 2.0, 3.0], [None])))


def test_assign_does_not_alias_fed_arrays():
    v = tf.Variable(tf.zeros([2]))
    p = tf.placeholder(tf.float32, [2])
    assign = tf.assign(v, p)
    value = np.array([1.0, 2.0], np.float32)
    with tf.Session() as sess:
        sess.run(assign, {p: value})
        value[0] = 99.0
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_initialized_value_and_dependent_initial_values():
    w = tf.Variable(tf.ones([2]) * 3.0, name="w")
    w2 = tf.Variable(w.initialized_value() * 2.0, name="w2")
    with tf.Session() as sess:
        sess.run(w2.initializer)  # runs w's initial value through the cond, not w's initializer
        np.testing.assert_array_equal(sess.run(w2), [6.0, 6.0])
        assert not sess.run(tf.is_variable_initialized(w))


def test_collections_and_initializers():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b", trainable=False)
    local = tf.Variable(3.0, name="local", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.global_variables() == [a, b]
    assert tf.trainable_variables() == [a]
    assert tf.local_variables() == [local]
    assert tf.global_variables_initializer().name == "init"
    with tf.Session() as sess:
        report = tf.report_uninitialized_variables()
        assert list(sess.run(report)) == [b"a", b"b", b"local"]
        sess.run(tf.variables_initializer([a]))
        assert list(sess.run(report)) == [b"b", b"local"]
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        assert sess.run(report).size == 0
        assert sess.run(tf.variables_initializer([])) is None


def test_variable_arithmetic_uses_the_snapshot():
    v = tf.Variable(2.0)
    expr = 3.0 * v + v ** 2 - v / 2.0
    assert expr.op.graph is v.graph
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(expr) == pytest.approx(9.0)
        v.load(4.0, sess)
        assert sess.run(v) == 4.0


def test_initial_value_must_have_a_shape():
    with pytest.raises(ValueError):
        tf.Variable(tf.placeholder(tf.float32, [None]))
    v = tf.Variable(tf.placeholder_with_default([1.0], [None]), validate_shape=False)
    assert v.shape.ndims is None
    with pytest.raises(ValueError):
        tf.Variable()
