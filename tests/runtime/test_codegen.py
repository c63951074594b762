"""The compiled plan: inlined operators, values freed after their last use, failing ops named."""
import gc
import weakref

import numpy as np
import pytest

import minitf as tf


def _program(sess, fetch, feeds=None):
    sess.run(fetch, feeds)
    plan, = sess._plans.values()
    return plan.program


def test_operators_are_inlined_and_constants_bound():
    p = tf.placeholder(tf.float32, [])
    y = p
    for _ in range(5):
        y = y + 1.0
    with tf.Session() as sess:
        program = _program(sess, y, {p: 0.0})
        assert sess.run(y, {p: 0.0}) == 5.0
    body = program.source.splitlines()[1:-1]
    assert len(body) == 5 and all(" + c" in line for line in body)


def test_names_are_reused_so_values_are_freed():
    p = tf.placeholder(tf.float32, [3])
    a = p * 2.0
    b = a * 3.0
    c = b * 4.0
    with tf.Session() as sess:
        source = _program(sess, c, {p: np.ones(3)}).source
    assert "v2" not in source  # a chain needs a single local name


def test_intermediates_are_released_after_last_use():
    released = []

    class Tracked(np.ndarray):
        pass

    def make(x):
        value = np.asarray(x).view(Tracked)
        weakref.finalize(value, released.append, True)
        return value
    p = tf.placeholder(tf.float32, [4])
    big = tf.py_func(make, [p], tf.float32)
    small = tf.reduce_sum(big)
    after = tf.py_func(lambda s: (gc.collect(), np.float32(len(released)))[1], [small], tf.float32)
    with tf.Session() as sess:
        assert sess.run(after, {p: np.ones(4)}) == 1.0


def test_failing_step_is_named():
    p = tf.placeholder(tf.float32, [None])
    q = tf.reshape(p, [2, 2], name="square_it")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as info:
        sess.run(q, {p: np.ones(3)})
    assert info.value.op is q.op
