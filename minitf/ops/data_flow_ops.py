"""TF1's queues: `tf.FIFOQueue`, `tf.RandomShuffleQueue`, `tf.PaddingFIFOQueue`, `tf.PriorityQueue`.

A queue is a stateful resource made by a queue op (`FIFOQueueV2`, ... with a `resource` handle
output) and kept in the session's resource manager under (container, shared_name or op name); the
access ops (`QueueEnqueueV2`, `QueueDequeueManyV2`, ...) take that handle. Enqueue, dequeue and
close may wait for other threads, so they are declared `blocking`: their steps run on the
dependency-counting executor, where closing the session or a step deadline ends the wait.
The queues themselves and the kernels live in `minitf.kernels.data_flow`.
"""
import hashlib

from minitf.framework import dtypes as _dtypes
from minitf.framework import random_seed
from minitf.framework.common_shapes import SCALAR, UNKNOWN
from minitf.framework.default_graph import get_default_graph, name_scope
from minitf.framework.op_def import REQUIRED, TypeListAttr, define_op
from minitf.framework.tensor_shape import Dimension, TensorShape, as_shape, unknown_shape
from minitf.framework.tensor_util import constant_value
from minitf.ops.constant_op import convert_to_tensor
from minitf.ops.op_builder import apply_op

__all__ = ["QueueBase", "FIFOQueue", "RandomShuffleQueue", "PaddingFIFOQueue", "PriorityQueue"]


# ======================================================================================
# Shape functions
# ======================================================================================
_QUEUE_TYPES = ("FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2", "PriorityQueueV2")


def _component_shapes(handle):
    """The element shapes of the queue behind `handle`, read from its queue op ([] when unknown).

    A priority queue's `shapes` attr leaves out the int64 priority that leads every element.
    """
    producer = handle.op
    if producer.type not in _QUEUE_TYPES:
        return []
    shapes = [as_shape(s) for s in producer.get_attr("shapes")]
    if producer.type == "PriorityQueueV2" and shapes:
        shapes = [SCALAR] + shapes
    return shapes


def _dequeued_shapes(op, batch=None):
    """Element shapes (prefixed by `batch` when given) for each output, or unknown ones."""
    shapes = _component_shapes(op.inputs[0])
    if len(shapes) != len(op._output_dtypes):
        return [UNKNOWN] * len(op._output_dtypes)
    if batch is None:
        return shapes
    return [TensorShape([batch]).concatenate(s) for s in shapes]


def _dequeue_many_shapes(op):
    op.inputs[1].shape.with_rank(0)
    n = constant_value(op.inputs[1])
    if n is not None and int(n) < 0:
        raise ValueError(f"Input 'n' must be >= 0, but is {int(n)}")
    return _dequeued_shapes(op, Dimension(None if n is None else int(n)))


def _dequeue_up_to_shapes(op):
    op.inputs[1].shape.with_rank(0)
    return _dequeued_shapes(op, Dimension(None))


# ======================================================================================
# Op declarations
# ======================================================================================
_QUEUE_ATTRS = {"component_types": TypeListAttr(), "shapes": [], "capacity": -1,
                "container": "", "shared_name": ""}
_QUEUE_EXTRA_ATTRS = {
    "FIFOQueueV2": {},
    "PaddingFIFOQueueV2": {},
    "RandomShuffleQueueV2": {"min_after_dequeue": 0, "seed": 0, "seed2": 0},
    # TF1: the priority queue's shapes attr has no default, and its types may be empty.
    "PriorityQueueV2": {"component_types": TypeListAttr(default=[]), "shapes": REQUIRED},
}
for _type, _extra in _QUEUE_EXTRA_ATTRS.items():
    define_op(_type, outputs=["handle: resource"], attrs={**_QUEUE_ATTRS, **_extra},
              shape=lambda op: [SCALAR], stateful=True, differentiable=False)

for _type in ("QueueEnqueueV2", "QueueEnqueueManyV2"):
    define_op(_type, inputs=["handle: resource", "components: Tcomponents"],
              attrs={"Tcomponents": TypeListAttr(), "timeout_ms": -1},
              shape=lambda op: [], blocking=True, differentiable=False)

define_op("QueueDequeueV2", inputs=["handle: resource"], outputs=["components: component_types"],
          attrs={"component_types": TypeListAttr(), "timeout_ms": -1},
          shape=_dequeued_shapes, blocking=True, differentiable=False)
define_op("QueueDequeueManyV2", inputs=["handle: resource", "n: int32"],
          outputs=["components: component_types"],
          attrs={"component_types": TypeListAttr(), "timeout_ms": -1},
          shape=_dequeue_many_shapes, blocking=True, differentiable=False)
define_op("QueueDequeueUpToV2", inputs=["handle: resource", "n: int32"],
          outputs=["components: component_types"],
          attrs={"component_types": TypeListAttr(), "timeout_ms": -1},
          shape=_dequeue_up_to_shapes, blocking=True, differentiable=False)
# Closing without cancelling waits behind the pending enqueues, so it blocks too.
define_op("QueueCloseV2", inputs=["handle: resource"], attrs={"cancel_pending_enqueues": False},
          shape=lambda op: [], blocking=True, differentiable=False)
define_op("QueueSizeV2", inputs=["handle: resource"], outputs=["size: int32"],
          shape=lambda op: [SCALAR], stateful=True, differentiable=False)
define_op("QueueIsClosedV2", inputs=["handle: resource"], outputs=["is_closed: bool"],
          shape=lambda op: [SCALAR], stateful=True, differentiable=False)


# ======================================================================================
# Argument normalisation (TF1's rules for dtypes, shapes and names)
# ======================================================================================
def _as_type_list(dtypes):
    if isinstance(dtypes, (list, tuple)):
        return [_dtypes.as_dtype(d) for d in dtypes]
    return [_dtypes.as_dtype(dtypes)]


def _as_shape_list(shapes, unknown_dim_allowed=False):
    """A list of TensorShapes; a flat list of ints (or []) is one shape, as in TF1."""
    if unknown_dim_allowed and (not isinstance(shapes, (list, tuple)) or not shapes
                                or any(s is None or isinstance(s, int) for s in shapes)):
        raise ValueError("When providing partial shapes, a list of shapes must be provided.")
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, (list, tuple)):
        raise TypeError("shapes must be a TensorShape or a list or tuple of TensorShapes.")
    if all(s is None or isinstance(s, int) for s in shapes):
        shapes = [shapes]
    shapes = [as_shape(s) for s in shapes]
    if any(s.dims is None for s in shapes):
        raise ValueError(f"All shapes must have a defined rank: {shapes}")
    if not unknown_dim_allowed and any(not s.is_fully_defined() for s in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    return shapes


def _as_name_list(names, dtypes):
    if names is None:
        return None
    if not isinstance(names, (list, tuple)):
        names = [names]
    if len(names) != len(dtypes):
        raise ValueError("List of names must have the same length as the list of dtypes, "
                         f"received len(names)={len(names)},len(dtypes)={len(dtypes)}")
    return list(names)


def _queue_op(op_type, name, shared_name, **attrs):
    """The handle of a new queue op, in the graph's current container."""
    return apply_op(op_type, name=name, shared_name=shared_name or "",
                    container=get_default_graph()._container, **attrs)


# ======================================================================================
# QueueBase: the access methods shared by every queue
# ======================================================================================
class QueueBase:
    """TF1 `tf.QueueBase(dtypes, shapes, names, queue_ref)`: a queue of tuples of tensors.

    `dequeue*` return a single tensor for a one-component queue, a dict when the queue has
    names, else a list. Departure: no `from_list` (TF1 builds it on RefSelect).
    """

    def __init__(self, dtypes, shapes, names, queue_ref):
        self._dtypes = list(dtypes)
        if shapes is not None:
            if len(shapes) != len(self._dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes, received "
                                 f"len(shapes)={len(shapes)}, len(dtypes)={len(self._dtypes)}")
            self._shapes = [TensorShape(s) for s in shapes]
        else:
            self._shapes = [unknown_shape() for _ in self._dtypes]
        if names is not None and len(names) != len(self._dtypes):
            raise ValueError("Queue names must have the same length as dtypes, received "
                             f"len(names)={len(names)}, len(dtypes)={len(self._dtypes)}")
        self._names = names
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    # --- properties ---------------------------------------------------------------------------
    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self):
        return self._queue_ref.op.name

    @property
    def dtypes(self):
        return self._dtypes

    @property
    def shapes(self):
        return self._shapes

    @property
    def names(self):
        return self._names

    # --- enqueue ------------------------------------------------------------------------------
    def _check_enqueue_dtypes(self, vals):
        """The components of `vals` (a tensor, a list/tuple, or a dict by name) as tensors."""
        if isinstance(vals, dict):
            if not self._names:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names, key=str) != sorted(vals.keys(), key=str):
                raise ValueError("Keys in dictionary to enqueue do not match names of Queue.  "
                                 f"Dictionary: {sorted(vals.keys(), key=str)},"
                                 f"Queue: {sorted(self._names, key=str)}")
            vals = [vals[k] for k in self._names]
        else:
            if self._names:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        # Like TF1, extra or missing components surface when the op runs (signature mismatch).
        return [convert_to_tensor(v, dtype, name=f"component_{i}")
                for i, (v, dtype) in enumerate(zip(vals, self._dtypes))]

    def enqueue(self, vals, name=None):
        """Enqueues one element; blocks while the queue is full (CancelledError once closed)."""
        with name_scope(name, f"{self._name}_enqueue", [self._queue_ref]) as scope:
            tensors = self._check_enqueue_dtypes(vals)
            for tensor, shape in zip(tensors, self._shapes):
                tensor.shape.assert_is_compatible_with(shape)
            return apply_op("QueueEnqueueV2", self._queue_ref, tensors, name=scope)

    def enqueue_many(self, vals, name=None):
        """Enqueues the slices of `vals` along dimension 0, as that many elements."""
        with name_scope(name, f"{self._name}_EnqueueMany", [self._queue_ref]) as scope:
            tensors = self._check_enqueue_dtypes(vals)
            batch_dim = tensors[0].shape.with_rank_at_least(1)[0]
            for tensor, shape in zip(tensors, self._shapes):
                tensor_shape = tensor.shape.with_rank_at_least(1)
                batch_dim = batch_dim.merge_with(tensor_shape[0])
                tensor_shape[1:].assert_is_compatible_with(shape)
            return apply_op("QueueEnqueueManyV2", self._queue_ref, tensors, name=scope)

    # --- dequeue ------------------------------------------------------------------------------
    def _dequeue_return_value(self, tensors):
        if self._names:
            return dict(zip(self._names, tensors))
        return tensors[0] if len(tensors) == 1 else tensors

    def dequeue(self, name=None):
        """Dequeues one element; blocks while the queue is empty (OutOfRangeError once closed)."""
        return self._dequeue_return_value(apply_op(
            "QueueDequeueV2", self._queue_ref, component_types=self._dtypes,
            name=name or f"{self._name}_Dequeue"))

    def dequeue_many(self, n, name=None):
        """Dequeues `n` elements, concatenated along a new dimension 0."""
        return self._dequeue_return_value(apply_op(
            "QueueDequeueManyV2", self._queue_ref, n, component_types=self._dtypes,
            name=name or f"{self._name}_DequeueMany"))

    def dequeue_up_to(self, n, name=None):
        """Like `dequeue_many`, but a closed queue gives what it has left (at least one)."""
        return self._dequeue_return_value(apply_op(
            "QueueDequeueUpToV2", self._queue_ref, n, component_types=self._dtypes,
            name=name or f"{self._name}_DequeueUpTo"))

    # --- state --------------------------------------------------------------------------------
    def close(self, cancel_pending_enqueues=False, name=None):
        """Closes the queue once pending enqueues finish (or cancels them)."""
        return apply_op("QueueCloseV2", self._queue_ref, cancel_pending_enqueues=cancel_pending_enqueues,
                        name=name or f"{self._name}_Close")

    def is_closed(self, name=None):
        return apply_op("QueueIsClosedV2", self._queue_ref, name=name or f"{self._name}_Is_Closed")

    def size(self, name=None):
        return apply_op("QueueSizeV2", self._queue_ref, name=name or f"{self._name}_Size")


# ======================================================================================
# The queue kinds
# ======================================================================================
class FIFOQueue(QueueBase):
    """TF1 `tf.FIFOQueue(capacity, dtypes, shapes=None, names=None, shared_name=None, name="fifo_queue")`."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None, name="fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        queue_ref = _queue_op("FIFOQueueV2", name, shared_name, component_types=dtypes,
                              shapes=shapes or [], capacity=capacity)
        super().__init__(dtypes, shapes, names, queue_ref)


class PaddingFIFOQueue(QueueBase):
    """TF1 `tf.PaddingFIFOQueue(capacity, dtypes, shapes, ...)`: `dequeue_many` pads each None
    dimension with zeros (b"" for strings) to the largest size in the batch."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None, name="padding_fifo_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes, unknown_dim_allowed=True)
        names = _as_name_list(names, dtypes)
        if len(dtypes) != len(shapes):
            raise ValueError(f"Shapes must be provided for all components, but received {len(dtypes)} "
                             f"dtypes and {len(shapes)} shapes.")
        queue_ref = _queue_op("PaddingFIFOQueueV2", name, shared_name, component_types=dtypes,
                              shapes=shapes, capacity=capacity)
        super().__init__(dtypes, shapes, names, queue_ref)


class RandomShuffleQueue(QueueBase):
    """TF1 `tf.RandomShuffleQueue(capacity, min_after_dequeue, dtypes, ...)`: dequeues a random
    element, and only while more than `min_after_dequeue` remain (until closed)."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None,
                 shared_name=None, name="random_shuffle_queue"):
        dtypes = _as_type_list(dtypes)
        shapes = _as_shape_list(shapes)
        names = _as_name_list(names, dtypes)
        seed1, seed2 = random_seed.get_seed(seed)
        if seed1 is None and seed2 is None:
            seed1, seed2 = 0, 0
        elif seed is None and shared_name is not None:
            # TF1: a shared queue seeded by the graph only gets a seed2 that depends on the
            # graph seed and its name, not on how many ops were created before it.
            digest = hashlib.md5((str(seed1) + shared_name).encode("utf-8")).hexdigest()
            seed2 = int(digest[:8], 16) & 0x7FFFFFFF
        queue_ref = _queue_op("RandomShuffleQueueV2", name, shared_name, component_types=dtypes,
                              shapes=shapes or [], capacity=capacity,
                              min_after_dequeue=min_after_dequeue, seed=seed1, seed2=seed2)
        super().__init__(dtypes, shapes, names, queue_ref)


class PriorityQueue(QueueBase):
    """TF1 `tf.PriorityQueue(capacity, types, shapes=None, ...)`: every element starts with an
    int64 scalar priority, and dequeues come smallest priority first.

    Departures: `shapes=None` is accepted (TF1 raises TypeError) and leaves the shapes unknown;
    equal priorities come out in the order they were enqueued.
    """

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None, name="priority_queue"):
        types = _as_type_list(types)
        shapes = _as_shape_list(shapes)
        queue_ref = _queue_op("PriorityQueueV2", name, shared_name, component_types=types,
                              shapes=shapes or [], capacity=capacity)
        priority_shapes = [SCALAR] + shapes if shapes else None
        super().__init__([_dtypes.int64] + types, priority_shapes, names, queue_ref)
