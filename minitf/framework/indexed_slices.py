"""TF1's `tf.IndexedSlices`: a sparse representation of a dense tensor's rows, which is what the
gradient of a gather (an embedding lookup) is.

`values[i]` is row `indices[i]` of the dense tensor of shape `dense_shape` (rows not named are
zeros; a row named twice is the sum of its slices). Optimizers update only the named rows of a
variable (TF1's `_apply_sparse`); anything else takes the dense tensor through
`tf.convert_to_tensor` (registered by minitf.ops.segment_ops, which has the op that sums rows).
"""
import collections


class IndexedSlices:
    """TF1 `tf.IndexedSlices(values, indices, dense_shape=None)`."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    @property
    def values(self):
        return self._values

    @property
    def indices(self):
        return self._indices

    @property
    def dense_shape(self):
        return self._dense_shape

    @property
    def name(self):
        return self._values.name

    @property
    def device(self):
        return self._values.device

    @property
    def op(self):
        return self._values.op

    @property
    def dtype(self):
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    def consumers(self):
        return self._values.consumers()

    def __str__(self):
        shape = f", dense_shape={self._dense_shape}" if self._dense_shape is not None else ""
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    __repr__ = __str__

    def __neg__(self):
        from minitf.ops import math_ops
        return IndexedSlices(math_ops.negative(self._values), self._indices, self._dense_shape)


# What `Session.run` returns for a fetched IndexedSlices (TF1's `tf.IndexedSlicesValue`).
IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue", ["values", "indices", "dense_shape"])
