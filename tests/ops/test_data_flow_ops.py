"""TF1's queues: graph construction, TF1's run-time semantics, blocking, cancellation and threads.

Threads synchronise on the queue's own condition (waiting until N attempts are in line), never on
sleeps; every join has a timeout, so a regression fails instead of hanging.
"""
import threading

import numpy as np
import pytest

import minitf as tf
import minitf.kernels.data_flow  # noqa: F401 - registers the queue kernels
from minitf.ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, PriorityQueue, RandomShuffleQueue
from minitf.ops.op_builder import apply_op

_JOIN_S = 20


# ======================================================================================
# Helpers
# ======================================================================================
class _Run(threading.Thread):
    """`sess.run(fetches, feed)` on its own thread, keeping the result or the error."""

    def __init__(self, sess, fetches, feed=None):
        super().__init__(daemon=True)
        self.sess, self.fetches, self.feed = sess, fetches, feed
        self.result = self.error = None
        self.start()

    def run(self):
        try:
            self.result = self.sess.run(self.fetches, self.feed)
        except Exception as e:  # noqa: BLE001 - checked by the test
            self.error = e


def _join(*threads):
    for thread in threads:
        thread.join(timeout=_JOIN_S)
        assert not thread.is_alive(), "a thread is still blocked"


def _resource(sess, queue):
    """The session's queue object behind `queue` (created by running its size op)."""
    sess.run(queue.size())
    return sess._resources.lookup("", queue.queue_ref.op.get_attr("shared_name") or queue.name)


def _wait_for(resource, predicate):
    """Blocks until `predicate()` holds; the queue notifies whenever an attempt joins or leaves."""
    with resource.condition:
        assert resource.condition.wait_for(predicate, timeout=_JOIN_S), "the queue never got there"


def _deadline(ms=50):
    return tf.RunOptions(timeout_in_ms=ms)


# ======================================================================================
# Graph construction
# ======================================================================================
def test_queue_ops_have_tf1_types_names_and_attrs():
    q = FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
    built = [q.enqueue([[1.0, 2.0], 3]), q.enqueue_many([[[1.0, 2.0]], [3]]), q.dequeue()[0].op,
             q.dequeue_many(2)[0].op, q.dequeue_up_to(2)[0].op, q.close(), q.close(True), q.size().op,
             q.is_closed().op]
    assert [(op.name, op.type) for op in built] == [
        ("fifo_queue_enqueue", "QueueEnqueueV2"), ("fifo_queue_EnqueueMany", "QueueEnqueueManyV2"),
        ("fifo_queue_Dequeue", "QueueDequeueV2"), ("fifo_queue_DequeueMany", "QueueDequeueManyV2"),
        ("fifo_queue_DequeueUpTo", "QueueDequeueUpToV2"), ("fifo_queue_Close", "QueueCloseV2"),
        ("fifo_queue_Close_1", "QueueCloseV2"), ("fifo_queue_Size", "QueueSizeV2"),
        ("fifo_queue_Is_Closed", "QueueIsClosedV2")]
    assert [t.name for t in built[0].inputs] == [
        "fifo_queue:0", "fifo_queue_enqueue/component_0:0", "fifo_queue_enqueue/component_1:0"]
    assert built[3].inputs[1].op.name == "fifo_queue_DequeueMany/n"
    ref = q.queue_ref
    assert (ref.op.type, ref.dtype, q.name, q.dtypes, q.names) == (
        "FIFOQueueV2", tf.resource, "fifo_queue", [tf.float32, tf.int32], None)
    assert ref.op.get_attr("capacity") == 3 and ref.op.get_attr("shared_name") == ""
    assert [s.as_list() for s in ref.op.get_attr("shapes")] == [[2], []]
    assert built[0].get_attr("timeout_ms") == -1 and built[6].get_attr("cancel_pending_enqueues")
    node = ref.op.node_def
    assert set(node.attr) == {"component_types", "shapes", "capacity", "container", "shared_name"}


def test_dequeued_tensors_have_static_shapes_and_tf1_structure():
    q = FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
    assert [t.shape.as_list() for t in q.dequeue()] == [[2], []]
    assert [t.shape.as_list() for t in q.dequeue_many(4)] == [[4, 2], [4]]
    assert [t.shape.as_list() for t in q.dequeue_up_to(4)] == [[None, 2], [None]]
    assert q.dequeue_many(tf.placeholder(tf.int32, []))[0].shape.as_list() == [None, 2]
    single = FIFOQueue(3, tf.float32)
    assert isinstance(single.dequeue(), tf.Tensor) and single.dequeue().shape.dims is None
    named = FIFOQueue(3, [tf.float32, tf.int32], names=["x", "label"])
    assert sorted(named.dequeue()) == ["label", "x"] and named.names == ["x", "label"]
    assert FIFOQueue(3, tf.float32, shapes=[]).shapes == [tf.TensorShape([])]  # TF1: one scalar shape
    pq = PriorityQueue(3, [tf.string], shapes=[[]])
    assert pq.dtypes == [tf.int64, tf.string] and [t.dtype for t in pq.dequeue()] == pq.dtypes
    assert [t.shape.as_list() for t in pq.dequeue_many(2)] == [[2], [2]]


@pytest.mark.parametrize("build, error, message", [
    (lambda q: q.enqueue([tf.constant([1, 2]), 3]), ValueError, "requested dtype float32"),
    (lambda q: q.enqueue([["a", "b"], 3]), TypeError, "Expected float32"),
    (lambda q: q.enqueue([[1.0, 2.0, 3.0], 3]), ValueError, "incompatible"),
    (lambda q: q.enqueue_many([[1.0, 2.0], [3]]), ValueError, "incompatible"),
    (lambda q: q.enqueue_many([[[1.0, 2.0]], [3, 4]]), ValueError, "not compatible"),
    (lambda q: q.enqueue({"a": 1.0}), ValueError, "must have names"),
    (lambda q: q.dequeue_many(-1), ValueError, "must be >= 0"),
    (lambda q: FIFOQueue(3, [tf.float32], names=["a"]).enqueue(1.0), ValueError, "enqueue a dictionary"),
    (lambda q: FIFOQueue(3, [tf.float32], names=["a"]).enqueue({"b": 1.0}), ValueError, "do not match"),
    (lambda q: FIFOQueue(3, [tf.float32, tf.int32], names=["a"]), ValueError, "same length"),
    (lambda q: FIFOQueue(3, [tf.float32, tf.int32], shapes=[[]]), ValueError, "same length"),
    (lambda q: FIFOQueue(3, tf.float32, shapes=[[None]]), ValueError, "fully defined"),
    (lambda q: PaddingFIFOQueue(3, tf.float32, shapes=[None]), ValueError, "list of shapes"),
    (lambda q: PriorityQueue(3, [tf.float32], shapes=[[]]).enqueue([tf.constant(1), 2.0]),
     ValueError, "int64"),
])
def test_construction_errors(build, error, message):
    q = FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
    with pytest.raises(error, match=message):
        build(q)


def test_random_shuffle_queue_seeds_follow_tf1():
    def seeds(queue):
        return queue.queue_ref.op.get_attr("seed"), queue.queue_ref.op.get_attr("seed2")
    assert seeds(RandomShuffleQueue(10, 2, tf.float32)) == (0, 0)
    assert seeds(RandomShuffleQueue(10, 2, tf.float32, seed=5)) == (87654321, 5)
    tf.set_random_seed(1)
    assert seeds(RandomShuffleQueue(10, 2, tf.float32, shared_name="q")) == (1, 86180321)


# ======================================================================================
# Run-time semantics
# ======================================================================================
def test_fifo_order_with_tuples_and_names():
    q = FIFOQueue(10, [tf.int32, tf.string], shapes=[[], []])
    named = FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []], names=["x", "y"])
    with tf.Session() as sess:
        sess.run(q.enqueue((1, "a")))
        sess.run(q.enqueue_many([[2, 3, 4], ["b", "c", "d"]]))
        assert sess.run(q.dequeue()) == [1, b"a"]
        numbers, letters = sess.run(q.dequeue_many(2))
        assert numbers.tolist() == [2, 3] and letters.tolist() == [b"b", b"c"]
        assert sess.run(q.size()) == 1 and not sess.run(q.is_closed())
        sess.run(named.enqueue({"y": 7, "x": [1.0, 2.0]}))
        result = sess.run(named.dequeue())
        assert result["y"] == 7 and result["x"].tolist() == [1.0, 2.0]


def test_fed_arrays_are_copied_into_the_queue():
    q = FIFOQueue(3, tf.float32, shapes=[[2]])
    x = tf.placeholder(tf.float32, [2])
    value = np.array([1.0, 2.0], np.float32)
    with tf.Session() as sess:
        sess.run(q.enqueue(x), {x: value})
        value[0] = 9.0
        assert sess.run(q.dequeue()).tolist() == [1.0, 2.0]


def test_close_semantics():
    q = FIFOQueue(10, tf.int32, shapes=[[]])
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[1, 2, 3]]))
        sess.run(q.close())
        assert sess.run(q.is_closed())
        with pytest.raises(tf.errors.CancelledError, match=r"^FIFOQueue '_\d+_fifo_queue' is closed\.\n"):
            sess.run(q.enqueue(4))
        assert sess.run(q.dequeue()) == 1
        with pytest.raises(tf.errors.OutOfRangeError, match=r"closed and has insufficient elements "
                                                             r"\(requested 3, current size 2\)"):
            sess.run(q.dequeue_many(3))
        assert sess.run(q.size()) == 2  # the failed dequeue_many left the elements
        assert sess.run(q.dequeue_up_to(5)).tolist() == [2, 3]
        for dequeue in (q.dequeue(), q.dequeue_up_to(5)):
            with pytest.raises(tf.errors.OutOfRangeError, match="current size 0"):
                sess.run(dequeue)
        with pytest.raises(tf.errors.CancelledError, match="is already closed"):
            sess.run(q.close())
        sess.run(q.close(cancel_pending_enqueues=True))


def test_dequeue_many_of_zero_returns_an_empty_batch():
    q = FIFOQueue(10, tf.float32, shapes=[[2, 3]])
    with tf.Session() as sess:
        assert sess.run(q.dequeue_many(0)).shape == (0, 2, 3)


def test_run_time_shape_and_signature_errors():
    q = FIFOQueue(3, [tf.float32, tf.int32], shapes=[[2], []])
    x, labels = tf.placeholder(tf.float32), tf.placeholder(tf.int32)
    unknown = FIFOQueue(3, tf.float32)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"Shape mismatch in tuple component 0\. Expected \[2\], got \[3\]"):
            sess.run(q.enqueue([x, 3]), {x: [1.0, 2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"component 1\. Expected \[1\], got \[2\]"):
            sess.run(q.enqueue_many([x, labels]), {x: [[1.0, 2.0]], labels: [1, 2]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Signature mismatch"):
            sess.run(q.enqueue([[1.0, 2.0]]))
        with pytest.raises(tf.errors.InvalidArgumentError, match="require the components to have "
                                                                 "specified shapes"):
            sess.run(unknown.dequeue_many(1))
        assert sess.run(q.size()) == 0


def test_the_timeout_ms_attr_is_rejected_as_in_tf1():
    q = FIFOQueue(3, tf.float32)
    dequeue = apply_op("QueueDequeueV2", q.queue_ref, component_types=[tf.float32], timeout_ms=10)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Timeout not supported"):
        sess.run(dequeue)


def test_shared_queues_are_shared_within_a_session_and_checked():
    a = FIFOQueue(5, tf.float32, shapes=[[]], shared_name="shared")
    b = FIFOQueue(5, tf.float32, shapes=[[]], shared_name="shared")
    other_capacity = FIFOQueue(4, tf.float32, shapes=[[]], shared_name="shared")
    local = FIFOQueue(5, tf.float32, shapes=[[]])
    with tf.Session() as sess:
        sess.run([a.enqueue(1.0), local.enqueue(2.0)])
        assert sess.run(b.dequeue()) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Shared queue 'shared' has capacity 5 but requested capacity was 4"):
            sess.run(other_capacity.size())
    with tf.Session() as sess:  # a local queue belongs to its session
        assert sess.run(local.size()) == 0


# ======================================================================================
# Blocking, deadlines and cancellation
# ======================================================================================
def test_waits_end_at_the_step_deadline():
    q = FIFOQueue(3, tf.int32, shapes=[[]])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.dequeue(), options=_deadline())  # a forgotten queue runner
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.enqueue_many([[1, 2, 3, 4]]), options=_deadline())
        assert sess.run(q.size()) == 3  # like TF1, the elements that fitted stay
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.enqueue(5), options=_deadline())
    with tf.Session(config=tf.ConfigProto(operation_timeout_in_ms=50)) as sess:
        with pytest.raises(tf.errors.DeadlineExceededError) as info:
            sess.run(q.dequeue_many(2))
        assert info.value.op.type == "QueueDequeueManyV2"


def test_a_pending_enqueue_is_honoured_by_close():
    q = FIFOQueue(1, tf.int32, shapes=[[]])
    enqueue, close = q.enqueue(2), q.close()
    with tf.Session() as sess:
        resource = _resource(sess, q)
        sess.run(q.enqueue(1))
        blocked = _Run(sess, enqueue)
        _wait_for(resource, lambda: resource.pending_enqueues == 1)
        closing = _Run(sess, close)
        _wait_for(resource, lambda: resource.pending_enqueues == 2)
        assert not sess.run(q.is_closed())  # the close waits behind the enqueue
        assert sess.run(q.dequeue()) == 1
        _join(blocked, closing)
        assert blocked.error is None and closing.error is None
        assert sess.run([q.is_closed(), q.dequeue()]) == [True, 2]


def test_close_with_cancel_pending_enqueues_fails_them():
    q = FIFOQueue(1, tf.int32, shapes=[[]])
    enqueue = q.enqueue(2)
    with tf.Session() as sess:
        resource = _resource(sess, q)
        sess.run(q.enqueue(1))
        blocked = _Run(sess, enqueue)
        _wait_for(resource, lambda: resource.pending_enqueues == 1)
        sess.run(q.close(cancel_pending_enqueues=True))
        _join(blocked)
        assert isinstance(blocked.error, tf.errors.CancelledError)
        assert "Enqueue operation was cancelled" in blocked.error.message
        assert sess.run(q.dequeue_up_to(5)).tolist() == [1]


def test_closing_the_session_cancels_every_blocked_dequeue():
    q = FIFOQueue(10, tf.float32, shapes=[[]])
    dequeue = q.dequeue()
    sess = tf.Session()
    resource = _resource(sess, q)
    threads = [_Run(sess, dequeue) for _ in range(4)]
    _wait_for(resource, lambda: resource.pending_dequeues == 4)
    sess.close()
    _join(*threads)
    assert all(isinstance(t.error, tf.errors.CancelledError) for t in threads), [t.error for t in threads]


def test_closing_the_queue_wakes_blocked_dequeues_with_out_of_range():
    q = FIFOQueue(10, tf.float32, shapes=[[]])
    with tf.Session() as sess:
        resource = _resource(sess, q)
        threads = [_Run(sess, q.dequeue_many(2)) for _ in range(3)]
        _wait_for(resource, lambda: resource.pending_dequeues == 3)
        sess.run(q.enqueue(1.0))
        sess.run(q.close())
        _join(*threads)
        assert all(isinstance(t.error, tf.errors.OutOfRangeError) for t in threads)
        assert sess.run(q.size()) == 1  # the partly served dequeue_many gave its element back


# ======================================================================================
# Threads
# ======================================================================================
def test_producers_and_consumers_move_every_item_exactly_once():
    q = FIFOQueue(7, tf.int32, shapes=[[]])
    item, batch = tf.placeholder(tf.int32, []), tf.placeholder(tf.int32, [None])
    enqueue, enqueue_many = q.enqueue(item), q.enqueue_many(batch)
    dequeue, dequeue_many = q.dequeue(), q.dequeue_many(5)
    received, lock = [], threading.Lock()

    def produce(start):  # 250 items: 50 singly, 200 in batches of 20
        for i in range(start, start + 50):
            sess.run(enqueue, {item: i})
        for i in range(start + 50, start + 250, 20):
            sess.run(enqueue_many, {batch: np.arange(i, i + 20)})

    def consume(single):
        got = [sess.run(dequeue) for _ in range(250)] if single else \
            [v for _ in range(50) for v in sess.run(dequeue_many)]
        with lock:
            received.extend(got)
    with tf.Session() as sess:
        threads = [threading.Thread(target=produce, args=(s,), daemon=True) for s in range(0, 1000, 250)]
        threads += [threading.Thread(target=consume, args=(i % 2 == 0,), daemon=True) for i in range(4)]
        for thread in threads:
            thread.start()
        _join(*threads)
        assert sorted(received) == list(range(1000)) and sess.run(q.size()) == 0


def test_dequeue_many_takes_consecutive_elements_even_beyond_capacity():
    q = FIFOQueue(3, tf.int32, shapes=[[]])
    item = tf.placeholder(tf.int32, [])
    enqueue, dequeue_many = q.enqueue(item), q.dequeue_many(10)
    with tf.Session() as sess:
        consumers = [_Run(sess, dequeue_many) for _ in range(4)]
        for i in range(40):
            sess.run(enqueue, {item: i})
        _join(*consumers)
    batches = sorted(c.result.tolist() for c in consumers)
    assert batches == [list(range(s, s + 10)) for s in range(0, 40, 10)]


# ======================================================================================
# RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue
# ======================================================================================
def test_random_shuffle_queue_keeps_min_after_dequeue_until_closed():
    q = RandomShuffleQueue(100, 5, tf.int32, shapes=[[]], seed=42)
    with tf.Session() as sess:
        sess.run(q.enqueue_many([np.arange(50)]))
        first = sess.run(q.dequeue_many(45))
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(q.dequeue(), options=_deadline())
        sess.run(q.close())
        rest = sess.run(q.dequeue_up_to(10))
    assert sorted(first.tolist() + rest.tolist()) == list(range(50))
    assert first.tolist() != sorted(first.tolist()), "the elements came out in order"
    with tf.Session() as sess:  # the same seed gives the same order in a new session
        sess.run(q.enqueue_many([np.arange(50)]))
        assert sess.run(q.dequeue_many(45)).tolist() == first.tolist()


def test_random_shuffle_queue_checks_min_after_dequeue():
    q = RandomShuffleQueue(3, 3, tf.float32)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="must be < capacity 3"):
        sess.run(q.size())


def test_padding_fifo_queue_pads_each_batch_to_its_largest_element():
    q = PaddingFIFOQueue(50, [tf.float32, tf.string], shapes=[(None, None), [None]])
    v, s = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.string, [None])
    enqueue = q.enqueue([v, s])
    batch = q.dequeue_many(3)
    assert [t.shape.as_list() for t in batch] == [[3, None, None], [3, None]]
    with tf.Session() as sess:
        sess.run(enqueue, {v: [[1, 2], [3, 4], [5, 6]], s: ["a"]})
        sess.run(enqueue, {v: [[1]], s: ["b", "c"]})
        sess.run(enqueue, {v: [[7, 8, 9, 5], [6, 7, 8, 9]], s: []})
        sess.run(enqueue, {v: [[1, 2]], s: ["d"]})
        values, strings = sess.run(batch)
        assert values.shape == (3, 3, 4) and values[1].tolist() == [[1, 0, 0, 0], [0] * 4, [0] * 4]
        assert values[2, :2].tolist() == [[7, 8, 9, 5], [6, 7, 8, 9]] and not values[2, 2].any()
        assert strings.tolist() == [[b"a", b""], [b"b", b"c"], [b"", b""]]
        single = sess.run(q.dequeue())  # a single dequeue is not padded
        assert single[0].tolist() == [[1.0, 2.0]] and single[1].tolist() == [b"d"]
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"Expected \[\?,\?\], got \[2\]"):
            sess.run(q.enqueue([tf.placeholder_with_default([1.0, 2.0], None), ["x"]]))


def test_priority_queue_dequeues_smallest_priority_first():
    q = PriorityQueue(10, [tf.string], shapes=[[]])
    with tf.Session() as sess:
        sess.run(q.enqueue_many([[5, 1, 3, 1], ["a", "b", "c", "d"]]))
        sess.run(q.enqueue([0, "e"]))
        assert sess.run(q.dequeue()) == [0, b"e"]
        priorities, values = sess.run(q.dequeue_many(4))
        assert priorities.tolist() == [1, 1, 3, 5] and values.tolist() == [b"b", b"d", b"c", b"a"]


# ======================================================================================
# TF1 book programs (only the import changed)
# ======================================================================================
def test_book_fifo_queue_of_mini_batches():
    q = tf.FIFOQueue(capacity=10, dtypes=[tf.float32], shapes=[[2]], name="q", shared_name="shared_q")
    training_instance = tf.placeholder(tf.float32, shape=(None, 2))
    enqueue = q.enqueue_many([training_instance])
    dequeue = q.dequeue()
    dequeue_mini_batch = q.dequeue_many(2)
    with tf.Session() as sess:
        sess.run(enqueue, feed_dict={training_instance: [[1, 2], [3, 4], [5, 6]]})
        sess.run(enqueue, feed_dict={training_instance: [[7, 8], [9, 10]]})
        assert sess.run(dequeue).tolist() == [1, 2]
        assert sess.run(dequeue_mini_batch).tolist() == [[3, 4], [5, 6]]
        assert sess.run(dequeue_mini_batch).tolist() == [[7, 8], [9, 10]]


def test_book_queue_of_tuples_and_closing():
    q = tf.FIFOQueue(capacity=10, dtypes=[tf.int32, tf.float32], shapes=[[], []], name="q")
    a, b = tf.placeholder(tf.int32, shape=()), tf.placeholder(tf.float32, shape=())
    enqueue = q.enqueue((a, b))
    dequeue_as, dequeue_bs = q.dequeue_many(2)
    close_q = q.close()
    with tf.Session() as sess:
        for x, y in [(10, 5.0), (15, 6.0), (20, 7.0)]:
            sess.run(enqueue, feed_dict={a: x, b: y})
        sess.run(close_q)
        a_val, b_val = sess.run([dequeue_as, dequeue_bs])
        assert a_val.tolist() == [10, 15] and b_val.tolist() == [5.0, 6.0]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run([dequeue_as, dequeue_bs])


def test_book_random_shuffle_queue():
    q = tf.RandomShuffleQueue(capacity=50, min_after_dequeue=10, dtypes=[tf.float32], shapes=[()],
                              name="q", shared_name="shared_q")
    x = tf.placeholder(tf.float32, shape=[None])
    enqueue, dequeue, close = q.enqueue_many([x]), q.dequeue_many(5), q.close()
    with tf.Session() as sess:
        sess.run(enqueue, feed_dict={x: np.arange(20, dtype=np.float32)})
        got = sess.run(dequeue).tolist() + sess.run(dequeue).tolist()
        with pytest.raises(tf.errors.DeadlineExceededError):  # 10 left: no dequeue until closed
            sess.run(q.dequeue(), options=_deadline())
        sess.run(close)
        got += sess.run(dequeue).tolist() + sess.run(dequeue).tolist()
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(q.dequeue_up_to(5))
    assert sorted(got) == list(range(20))


def test_book_padding_fifo_queue():
    q = tf.PaddingFIFOQueue(capacity=50, dtypes=[tf.float32], shapes=[(None, None)])
    v = tf.placeholder(tf.float32, shape=(None, None))
    enqueue = q.enqueue([v])
    with tf.Session() as sess:
        sess.run(enqueue, feed_dict={v: [[1, 2], [3, 4], [5, 6]]})  # 3x2
        sess.run(enqueue, feed_dict={v: [[1]]})  # 1x1
        sess.run(enqueue, feed_dict={v: [[7, 8, 9, 5], [6, 7, 8, 9]]})  # 2x4
        result = sess.run(q.dequeue_many(3))
    assert result.shape == (3, 3, 4)
    assert result[0].tolist() == [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]]
    assert result.dtype == np.float32
