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


def test_reshape_of_an_empty_tensor_infers_the_other_dims():
    empty = tf.reshape(tf.zeros((0, 10)), [0, 5, -1])
    fed = tf.placeholder(tf.float32, [None, 10])
    with tf.Session() as sess:
        assert empty.shape.as_list() == [0, 5, 2] and sess.run(empty).shape == (0, 5, 2)
        assert sess.run(tf.reshape(fed, [0, 5, -1]), {fed: np.zeros((0, 10))}).shape == (0, 5, 2)


def test_argmax_and_argmin_skip_nans():
    x = tf.constant([[1.0, np.nan, 3.0], [np.nan, 2.0, -1.0]])
    with tf.Session() as sess:
        assert sess.run(tf.argmax(x, 1)).tolist() == [2, 1]
        assert sess.run(tf.argmin(x, 1)).tolist() == [0, 2]
