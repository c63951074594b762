"""TF1's `tf.train.QueueRunner`, `add_queue_runner` and `start_queue_runners` (also reachable as
`tf.train.queue_runner.*`): threads that keep running a queue's enqueue ops.

Each enqueue op gets a thread looping `sess.run(enqueue_op)`. A thread ends when the coordinator
stops, or when its enqueue op raises one of `queue_closed_exception_types` (OutOfRangeError:
its input is exhausted); the last enqueue thread to end that way runs `close_op`, so consumers
drain the queue and then get OutOfRangeError. Any other error is reported to the coordinator.
With a coordinator, one more thread waits for the stop request and runs `cancel_op` (closes the
queue and cancels pending enqueues), which frees enqueue threads blocked on a full queue.

Departures from TF1: CancelledError (the queue was closed or cancelled under a blocked enqueue)
also ends a thread quietly, like `queue_closed_exception_types`; errors raised after the session
was closed are not reported (the close itself stopped the threads), and the close-on-stop thread
also ends when the session closes; without a coordinator a failing thread runs `cancel_op`
before re-raising, so that its peers and consumers do not block forever; QueueRunnerDef
(`to_proto`, `from_proto`, `queue_runner_def=`) is not supported.
"""
import threading
import weakref

from minitf.framework import errors
from minitf.framework.default_graph import add_to_collection
from minitf.framework.graph import GraphKeys


class QueueRunner:
    """TF1 `tf.train.QueueRunner(queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
    queue_closed_exception_types=None)`."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None):
        if not queue or not enqueue_ops:
            raise ValueError("Must provide queue and enqueue_ops.")
        if queue_closed_exception_types is not None and (
                not isinstance(queue_closed_exception_types, tuple) or not queue_closed_exception_types
                or not all(isinstance(t, type) and issubclass(t, errors.OpError)
                           for t in queue_closed_exception_types)):
            raise TypeError("queue_closed_exception_types, when provided, must be a tuple of tf.error "
                            f"types, but saw: {queue_closed_exception_types}")
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops)
        # close_op: no more input, but what is queued stays; cancel_op: unblock everything.
        self._close_op = close_op if close_op is not None else queue.close()
        self._cancel_op = cancel_op if cancel_op is not None else queue.close(cancel_pending_enqueues=True)
        self._queue_closed_exception_types = queue_closed_exception_types or (errors.OutOfRangeError,)
        self._thread_end_types = self._queue_closed_exception_types + (errors.CancelledError,)
        self._lock = threading.Lock()
        self._runs_per_session = weakref.WeakKeyDictionary()  # enqueue threads still running
        self._exceptions_raised = []

    # --- properties ---------------------------------------------------------------------------
    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self):
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self):
        return self._queue_closed_exception_types

    @property
    def exceptions_raised(self):
        """Exceptions raised by threads run without a coordinator."""
        return self._exceptions_raised

    @property
    def name(self):
        return self._queue.name

    # --- threads ------------------------------------------------------------------------------
    def create_threads(self, sess, coord=None, daemon=False, start=False):
        """The threads for `sess`: one per enqueue op, plus a close-on-stop thread with `coord`.
        Returns [] while threads created earlier for `sess` are still running."""
        with self._lock:
            if self._runs_per_session.get(sess, 0) > 0:
                return []
            self._runs_per_session[sess] = len(self._enqueue_ops)
            self._exceptions_raised = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                    name=f"QueueRunnerThread-{self.name}-{op.name}")
                   for op in self._enqueue_ops]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop, args=(sess, coord),
                                            name=f"QueueRunnerThread-{self.name}-close_on_stop"))
        for thread in threads:
            if coord is not None:
                coord.register_thread(thread)
            thread.daemon = daemon
            if start:
                thread.start()
        return threads

    def _run(self, sess, enqueue_op, coord):
        """One enqueue thread: runs `enqueue_op` until stopped or the queue is done."""
        try:
            while coord is None or not coord.should_stop():
                try:
                    sess.run(enqueue_op)
                except self._thread_end_types:
                    return
        except Exception as e:  # noqa: BLE001 - reported to the coordinator or re-raised below
            if _closed(sess):
                return
            if coord is not None:
                coord.request_stop(e)  # the close-on-stop thread then runs cancel_op
                return
            with self._lock:
                self._exceptions_raised.append(e)
            _run_quietly(sess, self._cancel_op)
            raise
        finally:
            self._thread_ended(sess)

    def _thread_ended(self, sess):
        """Counts an ended enqueue thread; the last one closes the queue (what is queued stays
        readable; then consumers get OutOfRangeError)."""
        with self._lock:
            self._runs_per_session[sess] -= 1
            last = self._runs_per_session[sess] == 0
        if last and not _closed(sess):
            _run_quietly(sess, self._close_op)

    def _close_on_stop(self, sess, coord):
        """Waits for the coordinator's stop request (or the session's close), then runs cancel_op
        to free enqueue threads blocked on a full queue."""
        wake = threading.Event()
        closing = getattr(sess, "_cancellation", None)  # the session's close() cancels it
        token = closing.register(wake.set) if closing is not None else 0
        if token is None:  # already closed
            return
        coord._on_stop(wake.set)
        wake.wait()
        if closing is not None:
            closing.deregister(token)
        if not _closed(sess):
            _run_quietly(sess, self._cancel_op)


def _closed(sess):
    return getattr(sess, "_closed", False)


def _run_quietly(sess, op):
    """Runs a close/cancel op, ignoring errors (the session or queue may already be gone), as TF1."""
    try:
        sess.run(op)
    except Exception:  # noqa: BLE001 - deliberately ignored
        pass


# ==============================================================================================
# The QUEUE_RUNNERS collection
# ==============================================================================================
def add_queue_runner(qr, collection=GraphKeys.QUEUE_RUNNERS):
    """TF1 `tf.train.add_queue_runner`: adds `qr` to the graph's collection."""
    add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon=True, start=True, collection=GraphKeys.QUEUE_RUNNERS):
    """TF1 `tf.train.start_queue_runners`: creates (and starts) the threads of every QueueRunner in
    the session graph's `collection`; returns them."""
    if sess is None:
        from minitf.runtime.session import get_default_session
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot start queue runners: No default session is registered. Use `with "
                             "sess.as_default()` or pass an explicit session to "
                             "tf.start_queue_runners(sess=sess)")
    if not hasattr(sess, "graph") or not hasattr(sess, "run"):
        raise TypeError(f"sess must be a `tf.Session` object. Given class: {sess.__class__}")
    threads = []
    for qr in sess.graph.get_collection(collection):
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
