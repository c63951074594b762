"""TF1's queue-based input pipeline (`tf.train.*` from `training/input.py`): producers that fill a
queue with file names, indices or slices, and batching functions that run enqueue threads
(QueueRunners) into a FIFO, padding or shuffling queue and dequeue batches.

The graphs are built as TF1 builds them (node names and structure), so summaries, checkpoints of
the `epochs` counters and GraphDefs look the same. Every queue gets a QueueRunner in the
QUEUE_RUNNERS collection; start them with `tf.train.start_queue_runners`. `num_epochs` keeps a
LOCAL variable, so run `tf.local_variables_initializer()`; after the last epoch the producer's
enqueue raises OutOfRangeError, the runner closes the queue, and consumers get OutOfRangeError
once it is drained.

Departure from TF1: the maybe_* functions with a `keep_input` tensor enqueue the kept rows with
`boolean_mask` + enqueue_many, where TF1 uses `dynamic_partition` (vector) or a `cond` around the
enqueue (scalar): same elements, other nodes.
"""
import numpy as np

from minitf.framework import dtypes
from minitf.framework.default_graph import control_dependencies, name_scope
from minitf.framework.graph import GraphKeys
from minitf.framework.tensor import Tensor
from minitf.framework.tensor_shape import as_shape
from minitf.framework.tensor_util import constant_value
from minitf.ops import array_ops, control_flow_ops, data_flow_ops, math_ops, random_ops, selection_ops
from minitf.ops.constant_op import constant, convert_n_to_tensor, convert_to_tensor
from minitf.ops.variables import Variable
from minitf.summary import summary
from minitf.train.queue_runner import QueueRunner, add_queue_runner


# ==============================================================================================
# Epoch limits and producers
# ==============================================================================================
def limit_epochs(tensor, num_epochs=None, name=None):
    """TF1 `tf.train.limit_epochs`: `tensor` itself, `num_epochs` times; the next evaluation raises
    OutOfRangeError. The count is a LOCAL variable "epochs" (run local_variables_initializer)."""
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with name_scope(name, "limit_epochs", [tensor]) as name:
        zero64 = constant(0, dtype=dtypes.int64)
        epochs = Variable(zero64, name="epochs", trainable=False, collections=[GraphKeys.LOCAL_VARIABLES])
        counter = epochs.count_up_to(num_epochs)
        with control_dependencies([counter]):
            return array_ops.identity(tensor, name=name)


def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None, capacity=32,
                   shared_name=None, summary_name=None, name=None, cancel_op=None):
    """TF1 `tf.train.input_producer`: a FIFOQueue filled with the rows of `input_tensor` (shuffled
    per epoch when `shuffle`), by a QueueRunner added to the QUEUE_RUNNERS collection."""
    with name_scope(name, "input_producer", [input_tensor]):
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        element_shape = input_tensor.shape[1:].merge_with(as_shape(element_shape))
        if not element_shape.is_fully_defined():
            raise ValueError("Either `input_tensor` must have a fully defined shape or `element_shape` "
                             "must be specified")
        if shuffle:
            input_tensor = random_ops.random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = data_flow_ops.FIFOQueue(capacity=capacity, dtypes=[input_tensor.dtype.base_dtype],
                                        shapes=[element_shape], shared_name=shared_name, name=name)
        enqueue = queue.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(queue, [enqueue], cancel_op=cancel_op))
        if summary_name is not None:
            summary.scalar(summary_name, math_ops.cast(queue.size(), dtypes.float32) * (1. / capacity))
        return queue


def string_input_producer(string_tensor, num_epochs=None, shuffle=True, seed=None, capacity=32,
                          shared_name=None, name=None, cancel_op=None):
    """TF1 `tf.train.string_input_producer`: a queue of strings (typically file names) for readers;
    an empty `string_tensor` fails (at construction, or at run time through an Assert)."""
    not_null_err = "string_input_producer requires a non-null input tensor"
    if isinstance(string_tensor, (list, tuple, np.ndarray)) and len(string_tensor) == 0:
        raise ValueError(not_null_err)
    with name_scope(name, "input_producer", [string_tensor]) as name:
        string_tensor = convert_to_tensor(string_tensor, dtype=dtypes.string)
        with control_dependencies([control_flow_ops.Assert(math_ops.greater(array_ops.size(string_tensor), 0),
                                                           [not_null_err])]):
            string_tensor = array_ops.identity(string_tensor)
        return input_producer(string_tensor, element_shape=[], num_epochs=num_epochs, shuffle=shuffle,
                              seed=seed, capacity=capacity, shared_name=shared_name, name=name,
                              summary_name=f"fraction_of_{capacity}_full", cancel_op=cancel_op)


def range_input_producer(limit, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None,
                         name=None):
    """TF1 `tf.train.range_input_producer`: a queue of the integers 0 .. limit-1."""
    with name_scope(name, "input_producer", [limit]) as name:
        range_tensor = selection_ops.range(limit)
        return input_producer(range_tensor, [], num_epochs, shuffle, seed, capacity, shared_name,
                              f"fraction_of_{capacity}_full", name)


def slice_input_producer(tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32,
                         shared_name=None, name=None):
    """TF1 `tf.train.slice_input_producer`: one row (the same index) of every tensor per dequeue,
    through a range_input_producer of row indices."""
    with name_scope(name, "input_producer", tensor_list):
        tensor_list = convert_n_to_tensor(tensor_list)
        if not tensor_list:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        range_size = array_ops.shape(tensor_list[0])[0]
        queue = range_input_producer(range_size, num_epochs=num_epochs, shuffle=shuffle, seed=seed,
                                     capacity=capacity, shared_name=shared_name)
        index = queue.dequeue()
        return [selection_ops.gather(t, index) for t in tensor_list]


# ==============================================================================================
# Helpers shared by the batching functions
# ==============================================================================================
def _as_tensor_list(tensors):
    """A dict becomes its values in sorted-key order; lists and tuples stay as they are."""
    if isinstance(tensors, dict):
        return [tensors[k] for k in sorted(tensors, key=str)]
    if isinstance(tensors, Tensor):
        raise TypeError("Iterating over a symbolic `tf.Tensor` is not allowed: pass a list of tensors.")
    return tensors


def _as_tensor_list_list(tensors_list):
    if not tensors_list:
        raise ValueError("Expected at least one set of tensors")
    if isinstance(tensors_list[0], dict):
        expected_keys = set(tensors_list[0])
        if any(set(tensors) != expected_keys for tensors in tensors_list[1:]):
            raise ValueError("All dictionaries in tensors_list must have the same keys")
    return [_as_tensor_list(tensors) for tensors in tensors_list]


def _as_original_type(original_tensors, dequeued):
    """The dequeued batch in the structure of the input (the queue returns a single tensor for a
    single component)."""
    if isinstance(original_tensors, dict):
        if len(original_tensors) == 1:
            dequeued = [dequeued]
        return {k: dequeued[i] for i, k in enumerate(sorted(original_tensors, key=str))}
    return dequeued


def _validate(tensor_list):
    tensor_list = convert_n_to_tensor(tensor_list)
    if not tensor_list:
        raise ValueError("Expected at least one tensor in batch().")
    return tensor_list


def _validate_join(tensor_list_list):
    tensor_list_list = [convert_n_to_tensor(tensor_list) for tensor_list in tensor_list_list]
    if not tensor_list_list:
        raise ValueError("Expected at least one input in batch_join().")
    return tensor_list_list


def _validate_keep_input(keep_input, enqueue_many):
    keep_input = convert_to_tensor(keep_input)
    ndims = keep_input.shape.ndims
    if ndims is None:
        raise ValueError("`keep_input` dimensions must be known at graph construction.")
    if not enqueue_many and ndims == 1:
        raise ValueError("`keep_input` cannot be a vector when `enqueue_many=False`.")
    if ndims > 1:
        raise ValueError("`keep_input` must be 0 or 1 dimensions.")
    return keep_input


def _dtypes(tensor_list_list):
    all_types = [[t.dtype.base_dtype for t in tensor_list] for tensor_list in tensor_list_list]
    for other_types in all_types[1:]:
        if other_types != all_types[0]:
            raise TypeError("Expected types to be consistent: "
                            f"{', '.join(t.name for t in all_types[0])} vs. {', '.join(t.name for t in other_types)}.")
    return all_types[0]


def _shapes(tensor_list_list, shapes, enqueue_many):
    """The queue's component shapes: given, or merged from the inputs (less the batch dimension
    when `enqueue_many`)."""
    if shapes is not None:
        return shapes
    merged = []
    for index in range(len(tensor_list_list[0])):
        shape = None
        for tensor_list in tensor_list_list:
            item = tensor_list[index].shape
            if item.ndims is None:
                raise ValueError(f"Cannot infer Tensor's rank: {tensor_list[index]}")
            if enqueue_many:
                item = item.with_rank_at_least(1)[1:]
            shape = item if shape is None else shape.merge_with(item)
        merged.append(shape)
    return merged


def _kept_rows(tensor_list, keep_input, enqueue_many):
    """The rows of `tensor_list` where `keep_input` is true, for enqueue_many (a scalar keeps or
    drops the element, or the whole batch with `enqueue_many`)."""
    if not enqueue_many:
        tensor_list = [array_ops.expand_dims(t, 0) for t in tensor_list]
    if keep_input.shape.ndims == 0:
        keep_input = array_ops.fill(array_ops.shape(tensor_list[0])[:1], keep_input)
    return [selection_ops.boolean_mask(t, keep_input) for t in tensor_list]


def _enqueue_ops(queue, tensor_list_list, enqueue_many, keep_input):
    """One enqueue op per tensor list. A constant scalar `keep_input` is decided now (TF1's
    smart_cond); otherwise the kept rows are enqueued with enqueue_many."""
    keep = constant_value(keep_input)
    if keep is not None and np.ndim(keep) == 0:
        enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
        return [enqueue(tensor_list) if keep else control_flow_ops.no_op() for tensor_list in tensor_list_list]
    return [queue.enqueue_many(_kept_rows(tensor_list, keep_input, enqueue_many))
            for tensor_list in tensor_list_list]


def _fill_queue(queue, tensor_list_list, threads_per_list, enqueue_many, keep_input):
    """Adds the QueueRunner feeding `queue`: `threads_per_list` threads running each list's enqueue."""
    enqueue_ops = _enqueue_ops(queue, tensor_list_list, enqueue_many, keep_input)
    add_queue_runner(QueueRunner(queue, [op for op in enqueue_ops for _ in range(threads_per_list)]))


def _dequeue(queue, batch_size, allow_smaller_final_batch, name):
    if allow_smaller_final_batch:
        return queue.dequeue_up_to(batch_size, name=name)
    return queue.dequeue_many(batch_size, name=name)


# ==============================================================================================
# Batching: one builder for batch/batch_join and one for the shuffling variants
# ==============================================================================================
def _batch(tensors_list, join, batch_size, keep_input, num_threads=1, capacity=32, enqueue_many=False,
           shapes=None, dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """batch (one tensor list, `num_threads` threads) and batch_join (one thread per list)."""
    tensor_list_list = _as_tensor_list_list(tensors_list)
    flat = [t for tensor_list in tensor_list_list for t in tensor_list]
    with name_scope(name, "batch_join" if join else "batch", flat + [keep_input]) as name:
        tensor_list_list = _validate_join(tensor_list_list) if join else [_validate(tensor_list_list[0])]
        keep_input = _validate_keep_input(keep_input, enqueue_many)
        types = _dtypes(tensor_list_list)
        shapes = _shapes(tensor_list_list, shapes, enqueue_many)
        queue_class = data_flow_ops.PaddingFIFOQueue if dynamic_pad else data_flow_ops.FIFOQueue
        queue = queue_class(capacity=capacity, dtypes=types, shapes=shapes, shared_name=shared_name)
        _fill_queue(queue, tensor_list_list, 1 if join else num_threads, enqueue_many, keep_input)
        summary.scalar(f"fraction_of_{capacity}_full",
                       math_ops.cast(queue.size(), dtypes.float32) * (1. / capacity))
        return _as_original_type(tensors_list[0], _dequeue(queue, batch_size, allow_smaller_final_batch, name))


def _shuffle_batch(tensors_list, join, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1,
                   seed=None, enqueue_many=False, shapes=None, allow_smaller_final_batch=False,
                   shared_name=None, name=None):
    """shuffle_batch and shuffle_batch_join: a RandomShuffleQueue that keeps `min_after_dequeue`
    elements after each dequeue (until it is closed), so batches mix that many elements."""
    tensor_list_list = _as_tensor_list_list(tensors_list)
    flat = [t for tensor_list in tensor_list_list for t in tensor_list]
    with name_scope(name, "shuffle_batch_join" if join else "shuffle_batch", flat + [keep_input]) as name:
        if capacity <= min_after_dequeue:
            raise ValueError(f"capacity {capacity} must be bigger than min_after_dequeue {min_after_dequeue}.")
        tensor_list_list = _validate_join(tensor_list_list) if join else [_validate(tensor_list_list[0])]
        keep_input = _validate_keep_input(keep_input, enqueue_many)
        types = _dtypes(tensor_list_list)
        shapes = _shapes(tensor_list_list, shapes, enqueue_many)
        queue = data_flow_ops.RandomShuffleQueue(capacity=capacity, min_after_dequeue=min_after_dequeue,
                                                 seed=seed, dtypes=types, shapes=shapes, shared_name=shared_name)
        _fill_queue(queue, tensor_list_list, 1 if join else num_threads, enqueue_many, keep_input)
        full = math_ops.cast(math_ops.maximum(0, queue.size() - min_after_dequeue), dtypes.float32) * (
            1. / (capacity - min_after_dequeue))
        summary.scalar(f"fraction_over_{min_after_dequeue}_of_{capacity - min_after_dequeue}_full", full)
        return _as_original_type(tensors_list[0], _dequeue(queue, batch_size, allow_smaller_final_batch, name))


# ==============================================================================================
# The public batching functions (TF1 signatures)
# ==============================================================================================
def batch(tensors, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
          allow_smaller_final_batch=False, shared_name=None, name=None):
    """TF1 `tf.train.batch`: batches of `tensors` (a list or dict) from a FIFOQueue (a
    PaddingFIFOQueue with `dynamic_pad`) fed by `num_threads` threads. With
    `allow_smaller_final_batch` the batch dimension is None and the last batch may be short."""
    return _batch([tensors], False, batch_size, True, num_threads, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name)


def maybe_batch(tensors, keep_input, batch_size, num_threads=1, capacity=32, enqueue_many=False, shapes=None,
                dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """TF1 `tf.train.maybe_batch`: `batch`, enqueuing only where the bool `keep_input` is true."""
    return _batch([tensors], False, batch_size, keep_input, num_threads, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name)


def batch_join(tensors_list, batch_size, capacity=32, enqueue_many=False, shapes=None, dynamic_pad=False,
               allow_smaller_final_batch=False, shared_name=None, name=None):
    """TF1 `tf.train.batch_join`: like `batch`, one enqueue thread per tensor list (e.g. one per
    reader), all into one queue."""
    return _batch(tensors_list, True, batch_size, True, 1, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name)


def maybe_batch_join(tensors_list, keep_input, batch_size, capacity=32, enqueue_many=False, shapes=None,
                     dynamic_pad=False, allow_smaller_final_batch=False, shared_name=None, name=None):
    """TF1 `tf.train.maybe_batch_join`."""
    return _batch(tensors_list, True, batch_size, keep_input, 1, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name)


def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, num_threads=1, seed=None, enqueue_many=False,
                  shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """TF1 `tf.train.shuffle_batch`: batches drawn at random from a RandomShuffleQueue."""
    return _shuffle_batch([tensors], False, batch_size, capacity, min_after_dequeue, True, num_threads, seed,
                          enqueue_many, shapes, allow_smaller_final_batch, shared_name, name)


def maybe_shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1, seed=None,
                        enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                        name=None):
    """TF1 `tf.train.maybe_shuffle_batch`."""
    return _shuffle_batch([tensors], False, batch_size, capacity, min_after_dequeue, keep_input, num_threads,
                          seed, enqueue_many, shapes, allow_smaller_final_batch, shared_name, name)


def shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, seed=None, enqueue_many=False,
                       shapes=None, allow_smaller_final_batch=False, shared_name=None, name=None):
    """TF1 `tf.train.shuffle_batch_join`: shuffle_batch with one enqueue thread per tensor list."""
    return _shuffle_batch(tensors_list, True, batch_size, capacity, min_after_dequeue, True, 1, seed,
                          enqueue_many, shapes, allow_smaller_final_batch, shared_name, name)


def maybe_shuffle_batch_join(tensors_list, batch_size, capacity, min_after_dequeue, keep_input, seed=None,
                             enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                             name=None):
    """TF1 `tf.train.maybe_shuffle_batch_join`."""
    return _shuffle_batch(tensors_list, True, batch_size, capacity, min_after_dequeue, keep_input, 1, seed,
                          enqueue_many, shapes, allow_smaller_final_batch, shared_name, name)
