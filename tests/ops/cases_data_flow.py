"""Harness cases: the queue ops (TF1's FIFOQueue, RandomShuffleQueue, PaddingFIFOQueue, PriorityQueue).

Queues are stateful, so each case builds a queue, fills it and reads it back in one step, with
control dependencies putting the enqueue before the dequeue; the reference is what went in.
"""
import numpy as np

import minitf as tf
from harness import REALS, OpCase
from minitf.ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, PriorityQueue, RandomShuffleQueue

_TYPES = REALS + (tf.bool, tf.string)


def _rows(count, width):
    """Inputs: a (count, width) array of distinct values of the swept dtype (bytes for strings)."""
    def make(dtype, rng):
        values = rng.permutation(count * width).reshape(count, width)
        if dtype == tf.string:
            return [np.vectorize(lambda v: str(v).encode(), otypes=[object])(values)]
        return [values.astype(dtype.as_numpy_dtype)]
    return make


def _after(ops, build):
    """`build()` run after `ops` in the same step."""
    with tf.control_dependencies(ops if isinstance(ops, list) else [ops]):
        return build()


# --- builders -------------------------------------------------------------------------------
def _fifo_round_trip(x):
    q = FIFOQueue(5, x.dtype, shapes=[x.shape[1:]])
    return _after(q.enqueue_many(x), lambda: q.dequeue_many(3))


def _enqueue_one(x):
    q = FIFOQueue(2, x.dtype, shapes=[x.shape])
    return _after(q.enqueue(x), q.dequeue)


def _tuple_dequeue(x):
    q = FIFOQueue(2, [x.dtype, tf.int32], shapes=[x.shape, []])
    return _after(q.enqueue((x, 7)), q.dequeue)


def _up_to_after_close(x):
    q = FIFOQueue(5, x.dtype, shapes=[x.shape[1:]])
    closed = _after(q.enqueue_many(x), q.close)
    return _after(closed, lambda: q.dequeue_up_to(4))


def _closed_flag(x):
    q = FIFOQueue(5, x.dtype, shapes=[x.shape[1:]])
    closed = _after(q.enqueue_many(x), lambda: q.close(cancel_pending_enqueues=True))
    flags = _after(closed, lambda: [q.is_closed(), q.size()])
    # The dequeue waits for the flags: ops of one step that do not depend on each other run in
    # any order (TF1 too).
    return flags + [_after(flags, lambda: q.dequeue_many(3))]


def _shuffled(x):
    q = RandomShuffleQueue(10, 2, x.dtype, shapes=[x.shape[1:]], seed=7)
    closed = _after(q.enqueue_many(x), q.close)
    return _after(closed, lambda: q.dequeue_many(3))


def _padded(x):
    q = PaddingFIFOQueue(5, x.dtype, shapes=[[None, None]])
    first = q.enqueue(x[:1, :2])
    second = _after(first, lambda: q.enqueue(x[:, :1]))
    return _after(second, lambda: q.dequeue_many(2))


def _by_priority(x):
    q = PriorityQueue(5, [x.dtype], shapes=[x.shape[1:]])
    return _after(q.enqueue_many([tf.constant([5, 1, 3], tf.int64), x]), lambda: q.dequeue_many(3))


# --- checks -----------------------------------------------------------------------------------
def _check_closed(results, arrays):
    assert results[0] == True and results[1] == 3  # noqa: E712 - NumPy bools
    np.testing.assert_array_equal(results[2], arrays[0])


def _check_shuffled(results, arrays):
    rows = sorted(map(tuple, np.asarray(results[0]).tolist()))
    assert rows == sorted(map(tuple, arrays[0].tolist())), "not a permutation of the enqueued rows"


def _padding_reference(x):
    out = np.zeros((2, 3, 2), x.dtype)
    if x.dtype == object:
        out.fill(b"")
    out[0, :1, :2] = x[:1, :2]
    out[1, :, :1] = x[:, :1]
    return out


CASES = [
    OpCase("FIFOQueueV2", _fifo_round_trip, _rows(3, 2), lambda x: x, dtypes=_TYPES),
    OpCase("QueueEnqueueV2", _enqueue_one, _rows(2, 3), lambda x: x, dtypes=_TYPES),
    OpCase("QueueEnqueueManyV2", _fifo_round_trip, _rows(3, 4), lambda x: x, dtypes=(tf.float32,),
           name="QueueEnqueueManyV2"),
    OpCase("QueueDequeueV2", _tuple_dequeue, _rows(2, 2), lambda x: (x, np.int32(7)), dtypes=_TYPES),
    OpCase("QueueDequeueManyV2", _fifo_round_trip, _rows(3, 1), lambda x: x, dtypes=(tf.int64,)),
    OpCase("QueueDequeueUpToV2", _up_to_after_close, _rows(3, 2), lambda x: x, dtypes=_TYPES,
           exact_shape=False),
    OpCase("QueueCloseV2", _up_to_after_close, _rows(2, 2), lambda x: x, dtypes=(tf.float64,),
           exact_shape=False, name="QueueCloseV2"),
    OpCase("QueueIsClosedV2", _closed_flag, _rows(3, 2), check=_check_closed, dtypes=(tf.int32,)),
    OpCase("QueueSizeV2", _closed_flag, _rows(3, 1), check=_check_closed, dtypes=(tf.float32,),
           name="QueueSizeV2"),
    OpCase("RandomShuffleQueueV2", _shuffled, _rows(3, 2), check=_check_shuffled, dtypes=_TYPES),
    OpCase("PaddingFIFOQueueV2", _padded, _rows(3, 2), _padding_reference, dtypes=_TYPES,
           exact_shape=False),
    OpCase("PriorityQueueV2", _by_priority, _rows(3, 2),
           lambda x: (np.array([1, 3, 5]), x[[1, 2, 0]]), dtypes=_TYPES),
]
