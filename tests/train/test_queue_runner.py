"""tf.train.QueueRunner / start_queue_runners with a Coordinator: many enqueue threads, closing the
queue when every thread is done, errors reaching coord.join, cancellation on stop and on
Session.close(), and the deadline that catches a forgotten start_queue_runners."""
import threading

import numpy as np
import pytest

import minitf as tf

pytestmark = pytest.mark.timeout(60)
JOIN_SECS = 30  # generous bounds: each wait ends as soon as its event happens


def _counting_producer(limit):
    """A float32 tensor producing 0, 1, ... limit-1 across all threads, then OutOfRangeError
    (a py_func raising StopIteration, TF1's mapping)."""
    lock, state = threading.Lock(), {"next": 0}

    def produce():
        with lock:
            value = state["next"]
            if value >= limit:
                raise StopIteration
            state["next"] += 1
        return np.float32(value)
    return tf.py_func(produce, [], tf.float32, stateful=True)


def _drain(sess, dequeue):
    """Every value dequeued until OutOfRangeError."""
    values = []
    while True:
        try:
            values.append(sess.run(dequeue))
        except tf.errors.OutOfRangeError:
            return values


def test_five_threads_fill_the_queue_and_the_last_one_closes_it():
    queue = tf.FIFOQueue(100, tf.float32, shapes=[[]])
    value = _counting_producer(50)
    value.set_shape([])
    qr = tf.train.QueueRunner(queue, [queue.enqueue(value)] * 5)
    dequeue = queue.dequeue()
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        assert len(threads) == 6  # five enqueue threads and the close-on-stop thread
        assert sorted(_drain(sess, dequeue)) == list(range(50))  # closed once all five were done
        assert sess.run(queue.is_closed())
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=JOIN_SECS)
        assert not any(t.is_alive() for t in threads)


def test_threads_without_a_coordinator_and_the_closed_exception_types():
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    value = _counting_producer(4)
    value.set_shape([])
    qr = tf.train.QueueRunner(queue, [queue.enqueue(value)] * 2,
                              queue_closed_exception_types=(tf.errors.OutOfRangeError,))
    assert qr.queue_closed_exception_types == (tf.errors.OutOfRangeError,)
    with tf.Session() as sess:
        threads = qr.create_threads(sess, daemon=True, start=True)
        assert len(threads) == 2 and all(t.daemon for t in threads)
        for thread in threads:
            thread.join(JOIN_SECS)
        assert sorted(_drain(sess, queue.dequeue())) == [0, 1, 2, 3]
        assert qr.exceptions_raised == []


def test_an_error_in_a_runner_thread_reaches_coord_join():
    def fail():
        raise ValueError("bad record")
    queue = tf.FIFOQueue(10, tf.float32)
    qr = tf.train.QueueRunner(queue, [queue.enqueue(tf.py_func(fail, [], tf.float32))])
    tf.train.add_queue_runner(qr)
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert coord.wait_for_stop(JOIN_SECS)
        with pytest.raises(tf.errors.InvalidArgumentError, match="bad record"):
            coord.join(threads, stop_grace_period_secs=JOIN_SECS)
        # The close-on-stop thread cancelled the queue: consumers are not left waiting.
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(queue.dequeue())


def test_without_a_coordinator_the_error_is_recorded_and_the_queue_cancelled(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the thread re-raises, as TF1's

    def fail():
        raise ValueError("bad record")
    queue = tf.FIFOQueue(10, tf.float32)
    qr = tf.train.QueueRunner(queue, [queue.enqueue(tf.py_func(fail, [], tf.float32))])
    with tf.Session() as sess:
        (thread,) = qr.create_threads(sess, start=True)
        thread.join(JOIN_SECS)
        assert [type(e) for e in qr.exceptions_raised] == [tf.errors.InvalidArgumentError]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(queue.dequeue())


def test_stop_request_cancels_enqueues_blocked_on_a_full_queue():
    queue = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(queue, [queue.enqueue(tf.constant(1.0))] * 3))
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert sess.run(queue.dequeue()) == 1.0  # the runners are running
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=JOIN_SECS)  # no straggler, no error
        assert sess.run(queue.is_closed())


def test_create_threads_twice_gives_no_new_threads_while_running():
    queue = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    qr = tf.train.QueueRunner(queue, [queue.enqueue(tf.constant(1.0))])
    with tf.Session() as sess:
        coord = tf.train.Coordinator()
        threads = qr.create_threads(sess, coord=coord, start=True)
        assert qr.create_threads(sess, coord=coord) == []
        assert threads[0].name == f"QueueRunnerThread-{queue.name}-{qr.enqueue_ops[0].name}"
        assert threads[1].name == f"QueueRunnerThread-{queue.name}-close_on_stop"
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=JOIN_SECS)


def test_forgetting_to_start_queue_runners_hits_the_deadline():
    queue = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(queue, [queue.enqueue(tf.constant(1.0))]))
    with tf.Session() as sess, pytest.raises(tf.errors.DeadlineExceededError):
        sess.run(queue.dequeue(), options=tf.RunOptions(timeout_in_ms=50))


def test_closing_the_session_frees_threads_blocked_on_dequeue():
    queue = tf.FIFOQueue(10, tf.float32, shapes=[[]])
    dequeue = queue.dequeue()
    sess = tf.Session()
    size = queue.size()
    assert sess.run(size) == 0
    errors = []

    def consume():
        try:
            sess.run(dequeue)
        except Exception as e:  # noqa: BLE001 - checked below
            errors.append(e)
    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    sess.close()
    for thread in threads:
        thread.join(JOIN_SECS)
        assert not thread.is_alive()
    assert len(errors) == 4
    assert all(isinstance(e, (tf.errors.CancelledError, RuntimeError)) for e in errors)


def test_closing_the_session_ends_every_runner_thread():
    queue = tf.FIFOQueue(2, tf.float32, shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(queue, [queue.enqueue(tf.constant(1.0))] * 4))
    sess = tf.Session()
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess, coord)
    assert sess.run(queue.dequeue()) == 1.0
    sess.close()  # runner threads blocked on the full queue get CancelledError and exit
    for thread in threads:
        thread.join(JOIN_SECS)
        assert not thread.is_alive()
    assert not coord.should_stop()  # a closed session is not an error to report
    coord.join(threads)


def test_start_queue_runners_needs_a_session_and_queue_runner_needs_a_queue():
    with pytest.raises(ValueError, match="No default session"):
        tf.train.start_queue_runners()
    with pytest.raises(ValueError, match="Must provide queue and enqueue_ops"):
        tf.train.QueueRunner()
    queue = tf.FIFOQueue(2, tf.float32)
    with pytest.raises(TypeError, match="queue_closed_exception_types"):
        tf.train.QueueRunner(queue, [queue.enqueue(1.0)], queue_closed_exception_types=(ValueError,))
    with tf.Session().as_default():
        assert tf.train.start_queue_runners() == []  # nothing in the collection


def test_queue_runner_defaults_and_module_alias():
    queue = tf.FIFOQueue(2, tf.float32, name="q")
    enqueue = queue.enqueue(1.0)
    qr = tf.train.queue_runner.QueueRunner(queue, [enqueue])
    assert qr.name == "q" and qr.queue is queue and qr.enqueue_ops == [enqueue]
    assert qr.close_op.type == "QueueCloseV2" and qr.close_op.get_attr("cancel_pending_enqueues") is False
    assert qr.cancel_op.get_attr("cancel_pending_enqueues") is True
    tf.train.queue_runner.add_queue_runner(qr, collection="mine")
    assert tf.get_collection("mine") == [qr] and tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS) == []
