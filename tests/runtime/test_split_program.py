"""Plans whose blocking ops come first: the work after a dequeue runs compiled, with the same
results as the executor gives."""
import numpy as np

import minitf as tf
from minitf.runtime.split_program import SplitProgram


def _plan(sess, op):
    plan, = [p for p in sess._plans.values() if op in p.ops]
    return plan


def test_a_training_step_fed_by_a_queue_splits_and_matches_feeding():
    rng = np.random.default_rng(0)
    batches = [rng.normal(size=(4, 3)).astype(np.float32) for _ in range(3)]
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[4, 3]])
    batch_in = tf.placeholder(tf.float32, [4, 3])
    enqueue = queue.enqueue(batch_in)
    x = queue.dequeue()
    w = tf.Variable(tf.ones([3, 1]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    p = tf.placeholder(tf.float32, [4, 3])
    fed_loss = tf.reduce_mean(tf.square(tf.matmul(p, w) - 1.0))
    with tf.Session() as sess:
        sess.run(w.initializer)
        for batch in batches:
            sess.run(enqueue, {batch_in: batch})
        queued = [sess.run([x, loss, train])[:2] for _ in batches]
        assert isinstance(_plan(sess, train).program, SplitProgram)
        sess.run(w.initializer)
        for batch, (dequeued, value) in zip(batches, queued):
            np.testing.assert_array_equal(dequeued, batch)
            assert np.isclose(sess.run(fed_loss, {p: batch}), value)
            sess.run(train, {x: batch})


def test_a_blocking_op_after_another_does_not_split():
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    other = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    move = other.enqueue(queue.dequeue() * 2.0)
    with tf.Session() as sess:
        sess.run(queue.enqueue(3.0))
        sess.run(move)
        assert not isinstance(_plan(sess, move).program, SplitProgram)
        assert sess.run(other.dequeue()) == 6.0
