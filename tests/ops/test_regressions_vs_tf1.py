"""Mismatches with TF1 found by differential testing, each pinned by a test."""
import numpy as np
import pytest

import minitf as tf


def test_segment_sum_gradient_with_an_unknown_rank_gradient():
    data = tf.placeholder(tf.float64, shape=None)
    total = tf.reduce_sum(tf.unsorted_segment_sum(data, [0, 1, 0, -1, 2], 3) * 2.0)
    grad, = tf.gradients(total, [data])
    with tf.Session() as sess:
        value = sess.run(grad, {data: np.ones((5, 3))})
    np.testing.assert_array_equal(value, [[2] * 3, [2] * 3, [2] * 3, [0] * 3, [2] * 3])


def test_matmul_of_unknown_ranks_rejects_vectors_at_run_time():
    a = tf.placeholder(tf.float32, shape=None)
    b = tf.placeholder(tf.float32, shape=None)
    product = tf.matmul(a, b)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(product, {a: np.eye(2), b: np.ones((2, 3))}), np.ones((2, 3)))
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(product, {a: np.ones((2, 3)), b: np.ones(3)})


def test_string_scalars_through_variables_gathers_and_batches():
    v = tf.Variable("hello")
    picked = tf.gather(tf.constant(["a", "b", "c"]), 1)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v) == b"hello" and sess.run(picked) == b"b"
        assert sess.run(tf.identity(picked)) == b"b"
