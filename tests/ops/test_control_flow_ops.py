"""group, tuple, control dependencies at run time, and cond (only the taken branch runs)."""
import numpy as np
import pytest

import minitf as tf


def test_cond_runs_only_the_taken_branch():
    v = tf.Variable(0, name="v")
    pred = tf.placeholder(tf.bool, [])
    out = tf.cond(pred, lambda: tf.assign_add(v, 1), lambda: tf.assign_add(v, 100))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(out, {pred: True}) == 1
        assert sess.run(v) == 1
        assert sess.run(out, {pred: False}) == 101
        assert sess.run(v) == 101


def test_cond_with_outside_tensors_constants_and_structures():
    x = tf.placeholder(tf.float32, [2])
    pred = tf.placeholder(tf.bool, [])
    first, second = tf.cond(pred, lambda: (x * 2.0, tf.constant(1)), lambda: (x - 1.0, tf.constant(2)))
    with tf.Session() as sess:
        a, b = sess.run([first, second], {x: [1.0, 2.0], pred: True})
        np.testing.assert_array_equal(a, [2.0, 4.0])
        assert b == 1
        a, b = sess.run([first, second], {x: [1.0, 2.0], pred: False})
        np.testing.assert_array_equal(a, [0.0, 1.0])
        assert b == 2


def test_nested_cond():
    a = tf.placeholder(tf.int32, [])
    out = tf.cond(a > 0, lambda: tf.cond(a > 10, lambda: a * 100, lambda: a * 10), lambda: -a)
    with tf.Session() as sess:
        assert [sess.run(out, {a: v}) for v in (20, 5, -3)] == [2000, 50, 3]


def test_cond_errors_in_the_untaken_branch_do_not_fire():
    p = tf.placeholder(tf.int32, [])
    out = tf.cond(p > 0, lambda: p // p, lambda: p)
    with tf.Session() as sess:
        assert sess.run(out, {p: 0}) == 0
        assert sess.run(out, {p: 3}) == 1


def test_cond_type_errors():
    with pytest.raises(TypeError):
        tf.cond(tf.constant(True), 1, 2)
    with pytest.raises(ValueError):
        tf.cond(tf.constant(True), lambda: tf.constant(1.0), lambda: tf.constant(1))


def test_group_and_tuple_and_control_dependencies():
    v = tf.Variable(0)
    increments = [tf.assign_add(v, 1) for _ in range(3)]
    step = tf.group(*increments, name="step")
    assert step.type == "NoOp" and step.name == "step"
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(step)
        assert sess.run(v) == 3
        with tf.control_dependencies([tf.assign_add(v, 10)]):
            read = v.read_value()  # a fresh read; the cached snapshot v/read may run first, as in TF1
        assert sess.run(read) == 13
        a, b = tf.tuple([tf.constant(1), tf.constant(2)])
        assert sess.run([a, b]) == [1, 2]
