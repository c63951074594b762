"""Plans with blocking ops that run compiled: in one order when the blocking ops form a chain,
or split after independent blocking ops that come first. Same results as the executor gives."""
import numpy as np

import minitf as tf
from minitf.runtime.codegen import _Program
from minitf.runtime.plan import blocking_order
from minitf.runtime.split_program import SplitProgram


def _plan(sess, op):
    plan, = [p for p in sess._plans.values() if op in p.ops]
    return plan


def test_a_training_step_fed_by_a_queue_runs_compiled_and_matches_feeding():
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
        assert isinstance(_plan(sess, train).program, _Program)
        sess.run(w.initializer)
        for batch, (dequeued, value) in zip(batches, queued):
            np.testing.assert_array_equal(dequeued, batch)
            assert np.isclose(sess.run(fed_loss, {p: batch}), value)
            sess.run(train, {x: batch})


def test_a_chain_of_blocking_ops_runs_compiled():
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    other = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    move = other.enqueue(queue.dequeue() * 2.0)
    with tf.Session() as sess:
        sess.run(queue.enqueue(3.0))
        sess.run(move)
        assert isinstance(_plan(sess, move).program, _Program)
        assert sess.run(other.dequeue()) == 6.0


def test_independent_dequeues_split_and_match():
    """Two dequeues that the graph does not order: they run on the executor (either may block
    first), and the step after them runs compiled."""
    first = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    second = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    total = first.dequeue() + 10.0 * second.dequeue()
    with tf.Session() as sess:
        sess.run([first.enqueue(1.0), second.enqueue(2.0)])
        assert sess.run(total) == 21.0
        assert isinstance(_plan(sess, total.op).program, SplitProgram)


def test_blocking_order_puts_independent_work_before_each_wait():
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    before = tf.constant(1.0, name="before") + 1.0
    dequeued = queue.dequeue(name="dequeue")
    after = tf.add(dequeued, before, name="after")
    late_independent = tf.multiply(tf.constant(2.0), 3.0, name="late_independent")
    ops = tf.get_default_graph().get_operations()
    order = [op.name for op in blocking_order(ops[:])]
    assert order.index("late_independent") < order.index("dequeue") < order.index("after")
    assert blocking_order(ops + [tf.FIFOQueue(1, tf.float32).dequeue().op]) is None


def test_independent_blocking_ops_on_another_device_use_the_executor():
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    other = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    both = [queue.dequeue(), other.dequeue()]
    with tf.Session(config=tf.ConfigProto(device_count={"CPU": 2})) as sess:
        sess.run([queue.enqueue(1.0), other.enqueue(2.0)])
        with tf.device("/cpu:1"):
            moved = both[1] * 1.0
        assert sess.run([both[0], moved]) == [1.0, 2.0]
        assert not isinstance(_plan(sess, moved.op).program, (_Program, SplitProgram))
