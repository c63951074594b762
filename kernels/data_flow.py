"""Kernels of the queue ops, and the queues they share through the session's resource manager.

TF1's queue semantics, kept exactly where programs can observe them:
  * enqueue attempts and dequeue attempts are each served in arrival order: only the attempt at
    the head of its line makes progress, so an `enqueue_many` (or a `dequeue_many`) moves its
    elements one after another as room (or data) appears, and nothing interleaves with it;
  * `close()` without cancelling joins the enqueue line, so the enqueues already waiting finish
    first; `close(cancel_pending_enqueues=True)` closes at once and fails the waiting enqueues;
  * every wait goes through `wait_until`, so closing the session (CancelledError) and the step
    deadline (DeadlineExceededError) end it.
Departure: a `dequeue_many` that fails part way (cancelled, timed out) puts the elements it had
taken back at the front of the queue; TF1 drops them.
"""
import collections
import heapq
import itertools
import threading

import numpy as np

from minitf.framework import errors
from minitf.framework.dtypes import int64
from minitf.framework.tensor_shape import as_shape
from minitf.kernels.random import generator
from minitf.runtime.cancellation import current_step, wait_until
from minitf.runtime.kernel_registry import Constant, register_kernel, scalar_or_array

# Queues without a shared_name are named "_<n>_<op name>" in messages, n counting per process.
_anonymous_ids = itertools.count()


def _shape_text(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def _compatible(actual, expected):
    """Whether a runtime shape fits a queue shape (None: anything; None dims: any size)."""
    return expected is None or (len(actual) == len(expected) and all(
        e is None or a == e for a, e in zip(actual, expected)))


def _owned(value):
    """A value the queue may keep: arrays are copied, since the caller may reuse a fed array;
    0-d values become NumPy scalars, as they travel through the runtime."""
    if isinstance(value, np.ndarray):
        return scalar_or_array(value) if value.ndim == 0 else value.copy()
    return value


class _Attempt:
    """One waiting enqueue, dequeue or close, in its line, with a condition of its own (on the
    queue's lock): only a line's head can progress, so only the head is woken. Waking every
    waiter on each change made a full queue with several producer threads (queue runners) spend
    its time handing the GIL around."""

    __slots__ = ("cancelled", "wake")

    def __init__(self, lock):
        self.cancelled = False
        self.wake = threading.Condition(lock)


# ======================================================================================
# Queues
# ======================================================================================
class FIFOQueue:
    """Elements (tuples of component values) in arrival order; the base of every queue kind."""

    kind = "FIFOQueue"
    batch_kind = "FIFOQueue"  # the name dequeue_many/dequeue_up_to use in their messages

    def __init__(self, name, ctx):
        self.name = name
        self.dtypes = list(ctx.attr("component_types"))
        shapes = [tuple(as_shape(s).as_list()) for s in ctx.attr("shapes")]
        if shapes and len(shapes) != len(self.dtypes):
            raise ctx.error(f"Shapes must be provided for all components, but received "
                            f"{len(self.dtypes)} dtypes and {len(shapes)} shapes.")
        self.shapes = shapes or None
        self.capacity = ctx.attr("capacity")  # negative: unbounded
        self.closed = False
        self._lock = threading.RLock()
        self.condition = threading.Condition(self._lock)  # observers (tests, monitors) wait on it
        self._enqueuers = collections.deque()
        self._dequeuers = collections.deque()
        self._elements = collections.deque()

    # --- storage (overridden by the other kinds) ----------------------------------------------
    def _size(self):
        return len(self._elements)

    def _push(self, element):
        self._elements.append(element)

    def _pop(self):
        return self._elements.popleft()

    def _restore(self, taken):
        """Puts back elements a failed dequeue had taken, as if never dequeued."""
        self._elements.extendleft(reversed(taken))

    def _available(self):
        """How many elements the head dequeue may take now."""
        return self._size()

    # --- description ----------------------------------------------------------------------------
    def attrs(self):
        """What a second op sharing this queue must agree on, as TF1's messages print it."""
        return {"component types": "[" + ", ".join(d.name for d in self.dtypes) + "]",
                "capacity": self.capacity,
                "component shapes": "[" + ", ".join(_shape_text(s) for s in self.shapes or ()) + "]"}

    def component_shape(self, index):
        return self.shapes[index] if self.shapes else None

    def check_batchable(self, op):
        if not self.shapes or any(None in s for s in self.shapes):
            raise errors.InvalidArgumentError(None, op, f"{self.batch_kind}'s DequeueMany and "
                                              "DequeueUpTo require the components to have specified shapes.")

    def check_signature(self, types, op, enqueue):
        if list(types) != self.dtypes:
            have = ", ".join(t.name for t in types)
            want = ", ".join(t.name for t in self.dtypes)
            text = (f"have: resource, {have}-> expected: resource, {want}->" if enqueue else
                    f"have: resource->{have} expected: resource->{want}")
            raise errors.InvalidArgumentError(None, op, f"Signature mismatch, {text}")

    @property
    def pending_enqueues(self):
        """Enqueue and close attempts waiting in line (for monitoring)."""
        return len(self._enqueuers)

    @property
    def pending_dequeues(self):
        return len(self._dequeuers)

    def size(self):
        with self.condition:
            return self._size()

    # --- elements in, elements out ------------------------------------------------------------
    def elements_of(self, components, batched, op):
        """The elements an enqueue (one) or enqueue_many (the rows) adds, shapes checked."""
        if not batched:
            for i, value in enumerate(components):
                self._check_shape(i, np.shape(value), self.component_shape(i), op)
            return [tuple(_owned(v) for v in components)]
        first = np.shape(components[0])
        batch = first[0] if first else None
        for i, value in enumerate(components):
            actual, shape = np.shape(value), self.component_shape(i)
            if shape is None and (not actual or actual[0] != batch):
                raise errors.InvalidArgumentError(None, op, (
                    f"Shape mismatch in tuple component {i}. Expected batch size {batch}, got "
                    f"{actual[0] if actual else 'a scalar'}"))
            if shape is not None:
                self._check_shape(i, actual, (batch,) + tuple(shape), op)
        rows = [np.array(v, copy=True) for v in components]
        return [tuple(r[j] for r in rows) for j in range(batch)]

    @staticmethod
    def _check_shape(index, actual, expected, op):
        if not _compatible(actual, expected):
            raise errors.InvalidArgumentError(None, op, (
                f"Shape mismatch in tuple component {index}. Expected {_shape_text(expected)}, "
                f"got {_shape_text(actual)}"))

    def batch(self, elements):
        """One array per component: the elements stacked along a new dimension 0."""
        return [self._stack([e[i] for e in elements], dtype.as_numpy_dtype, self.shapes[i])
                for i, dtype in enumerate(self.dtypes)]

    @staticmethod
    def _stack(values, numpy_dtype, shape):
        """`values` (all of `shape`, or padded to the largest with zeros) as one array."""
        if values and None not in shape and np.dtype(numpy_dtype) != object:
            return np.stack(values)
        dims = tuple(max([np.shape(v)[k] for v in values], default=0) if d is None else d
                     for k, d in enumerate(shape))
        out = np.zeros((len(values),) + dims, numpy_dtype)
        if out.dtype == object:
            out.fill(b"")
        for j, value in enumerate(values):
            out[(j,) + tuple(slice(0, s) for s in np.shape(value))] = value
        return out

    # --- waiting in line ------------------------------------------------------------------------
    def _join(self, line):
        attempt = _Attempt(self._lock)
        line.append(attempt)
        self.condition.notify_all()  # lets observers see the new waiter
        return attempt

    def _leave(self, attempt, line):
        line.remove(attempt)
        self._changed(line)  # the next attempt may now be at the head

    def _changed(self, line):
        """Wakes the head of `line` (it may progress now) and any observer."""
        if line:
            line[0].wake.notify()
        self.condition.notify_all()

    def _wait(self, attempt, line, can_progress, op, what):
        """Waits until `attempt` heads its line and can progress, or is cancelled by a close."""
        step = current_step()

        def ready():
            # A cancelled step must end with CancelledError even if the queue was just closed.
            if step.cancelled:
                return False
            return attempt.cancelled or (line[0] is attempt and can_progress())
        wait_until(attempt.wake, ready, op, what)
        if attempt.cancelled:
            raise errors.CancelledError(None, op, f"{what} was cancelled")

    # --- the operations ---------------------------------------------------------------------------
    def enqueue(self, elements, op):
        with self.condition:
            attempt = self._join(self._enqueuers)
            try:
                pending = collections.deque(elements)
                while pending:
                    self._wait(attempt, self._enqueuers,
                               lambda: self.closed or not self._full(), op, "Enqueue operation")
                    if self.closed:
                        raise errors.CancelledError(None, op, f"{self.kind} '{self.name}' is closed.")
                    while pending and not self._full():
                        self._push(pending.popleft())
                    self._changed(self._dequeuers)
            finally:
                self._leave(attempt, self._enqueuers)

    def _full(self):
        return 0 <= self.capacity <= self._size()

    def dequeue(self, count, op, batched, allow_small_batch=False):
        """Takes `count` elements (fewer from a closed queue when `allow_small_batch`)."""
        if count == 0:
            return []
        kind = self.batch_kind if batched else self.kind
        with self.condition:
            attempt = self._join(self._dequeuers)
            taken = []
            try:
                while len(taken) < count:
                    self._wait(attempt, self._dequeuers,
                               lambda: self.closed or self._available() > 0, op, "Dequeue operation")
                    if self.closed and len(taken) + self._size() < count:
                        self._restore(taken)
                        taken = []
                        if not (allow_small_batch and self._size()):
                            raise errors.OutOfRangeError(None, op, (
                                f"{kind} '{self.name}' is closed and has insufficient elements "
                                f"(requested {count}, current size {self._size()})"))
                        count = self._size()
                    while len(taken) < count and self._available() > 0:
                        taken.append(self._pop())
                    self._changed(self._enqueuers)
            except BaseException:
                self._restore(taken)
                raise
            finally:
                self._leave(attempt, self._dequeuers)
        return taken

    def close(self, cancel_pending_enqueues=True, op=None):
        """Closes the queue; the resource manager calls `close()` when the session ends."""
        with self.condition:
            if cancel_pending_enqueues:
                self.closed = True
                for attempt in self._enqueuers:
                    attempt.cancelled = True
                self._wake_everyone()
                return
            attempt = self._join(self._enqueuers)
            try:
                self._wait(attempt, self._enqueuers, lambda: True, op, "Close operation")
                if self.closed:
                    raise errors.CancelledError(None, op, f"Queue '{self.name}' is already closed.")
                self.closed = True
                self._wake_everyone()
            finally:
                self._leave(attempt, self._enqueuers)

    def _wake_everyone(self):
        """A close changes what every waiting attempt may do."""
        for attempt in (*self._enqueuers, *self._dequeuers):
            attempt.wake.notify()
        self.condition.notify_all()


class PaddingFIFOQueue(FIFOQueue):
    """A FIFO queue whose components may have None dimensions, padded by `batch`."""

    batch_kind = "PaddingFIFOQueue"

    def __init__(self, name, ctx):
        super().__init__(name, ctx)
        if self.shapes is None:
            raise ctx.error(f"Shapes must be provided for all components, but received "
                            f"{len(self.dtypes)} dtypes and 0 shapes.")

    def check_batchable(self, op):
        """Any shape of known rank can be padded."""


class RandomShuffleQueue(FIFOQueue):
    """Dequeues a uniformly random element, keeping `min_after_dequeue` until closed."""

    kind = batch_kind = "RandomShuffleQueue"

    def __init__(self, name, ctx):
        super().__init__(name, ctx)
        self._elements = []
        self.min_after_dequeue = ctx.attr("min_after_dequeue")
        capacity = self.capacity if self.capacity >= 0 else 2**31 - 1
        if self.min_after_dequeue < 0:
            raise ctx.error(f"min_after_dequeue {self.min_after_dequeue} must be >= 0")
        if self.min_after_dequeue >= capacity:
            raise ctx.error(f"min_after_dequeue {self.min_after_dequeue} must be < capacity {capacity}")
        self._rng = generator(ctx)

    def attrs(self):
        return {**super().attrs(), "min_after_dequeue": self.min_after_dequeue}

    def _pop(self):
        # Swap the chosen element to the end: O(1), and the order of the rest does not matter.
        index = int(self._rng.integers(len(self._elements)))
        elements = self._elements
        elements[index], elements[-1] = elements[-1], elements[index]
        return elements.pop()

    def _restore(self, taken):
        self._elements.extend(taken)

    def _available(self):
        return self._size() if self.closed else self._size() - self.min_after_dequeue


class PriorityQueue(FIFOQueue):
    """Dequeues the smallest int64 priority (component 0) first; ties in arrival order."""

    kind = batch_kind = "PriorityQueue"

    def __init__(self, name, ctx):
        super().__init__(name, ctx)
        self.dtypes = [int64] + self.dtypes
        self.shapes = [()] + self.shapes if self.shapes else None
        self._elements = []
        self._arrivals = itertools.count()

    def component_shape(self, index):
        return () if index == 0 else super().component_shape(index)

    def _push(self, element):
        heapq.heappush(self._elements, (int(element[0]), next(self._arrivals), element))

    def _pop(self):
        return heapq.heappop(self._elements)[2]

    def _restore(self, taken):
        for element in taken:
            self._push(element)


_QUEUES = {"FIFOQueueV2": FIFOQueue, "PaddingFIFOQueueV2": PaddingFIFOQueue,
           "RandomShuffleQueueV2": RandomShuffleQueue, "PriorityQueueV2": PriorityQueue}


# ======================================================================================
# Kernels
# ======================================================================================
def _queue_kernel(ctx):
    """The queue op: finds (or creates) its queue in the resource manager and outputs it."""
    op, kind = ctx.op, _QUEUES[ctx.op.type]
    shared_name = ctx.attr("shared_name")
    created = []

    def create():
        queue = kind(shared_name or f"_{next(_anonymous_ids)}_{op.name}", ctx)
        created.append(queue)
        return queue
    queue = ctx.resources.lookup_or_create(ctx.attr("container"), shared_name or op.name, create)
    if not created:
        _check_shared(queue, kind(queue.name, ctx), ctx)
    return Constant(queue)


def _check_shared(queue, requested, ctx):
    """A second op naming an existing queue must describe the same queue (TF1's checks)."""
    if type(queue) is not type(requested):
        raise ctx.error(f"Shared queue '{queue.name}' is a {type(queue).__name__}, but a "
                        f"{type(requested).__name__} was requested")
    have, want = queue.attrs(), requested.attrs()
    for key in have:
        if have[key] != want[key]:
            verb = "were" if key.endswith("s") else "was"
            raise ctx.error(f"Shared queue '{queue.name}' has {key} {have[key]} but requested "
                            f"{key} {verb} {want[key]}")


for _type in _QUEUES:
    register_kernel(_type, type_attr=None)(_queue_kernel)


def _check_timeout(ctx):
    if ctx.attr("timeout_ms") != -1:
        raise ctx.error("Timeout not supported yet.")  # as TF1: only the step deadline applies


def _enqueue_kernel(batched):
    def factory(ctx):
        _check_timeout(ctx)
        op, types = ctx.op, ctx.attr("Tcomponents")

        def compute(queue, *components):
            queue.check_signature(types, op, enqueue=True)
            queue.enqueue(queue.elements_of(components, batched, op), op)
        return compute
    return factory


register_kernel("QueueEnqueueV2", type_attr=None)(_enqueue_kernel(batched=False))
register_kernel("QueueEnqueueManyV2", type_attr=None)(_enqueue_kernel(batched=True))


@register_kernel("QueueDequeueV2", type_attr=None)
def dequeue(ctx):
    _check_timeout(ctx)
    op, types = ctx.op, ctx.attr("component_types")

    def compute(queue):
        queue.check_signature(types, op, enqueue=False)
        (element,) = queue.dequeue(1, op, batched=False)
        return element if len(element) > 1 else element[0]
    return compute


def _dequeue_many_kernel(allow_small_batch):
    def factory(ctx):
        _check_timeout(ctx)
        op, types = ctx.op, ctx.attr("component_types")

        def compute(queue, n):
            queue.check_signature(types, op, enqueue=False)
            queue.check_batchable(op)
            if n < 0:
                raise ctx.error(f"Input 'n' must be >= 0, but is {n}")
            outputs = queue.batch(queue.dequeue(int(n), op, True, allow_small_batch))
            return tuple(outputs) if len(outputs) > 1 else outputs[0]
        return compute
    return factory


register_kernel("QueueDequeueManyV2", type_attr=None)(_dequeue_many_kernel(allow_small_batch=False))
register_kernel("QueueDequeueUpToV2", type_attr=None)(_dequeue_many_kernel(allow_small_batch=True))


@register_kernel("QueueCloseV2", type_attr=None)
def close(ctx):
    op, cancel = ctx.op, ctx.attr("cancel_pending_enqueues")
    return lambda queue: queue.close(cancel, op)


@register_kernel("QueueSizeV2", type_attr=None)
def size(ctx):
    return lambda queue: np.int32(queue.size())


@register_kernel("QueueIsClosedV2", type_attr=None)
def is_closed(ctx):
    return lambda queue: np.bool_(queue.closed)
