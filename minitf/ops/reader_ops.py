"""Readers: TF1's `tf.TextLineReader`, `FixedLengthRecordReader`, `TFRecordReader`, `WholeFileReader`.

A reader is a stateful resource (one per session, or shared through `shared_name`) created by its
`*ReaderV2` op. `read(queue)` pulls file names from a queue of strings (a dequeue that blocks
until a name arrives; a closed, empty queue ends the input with OutOfRangeError) and returns the
next (key, value) record of the current file. Keys follow TF: "<file>:<line>" (1-based, header
lines counted) for text lines, "<file>:<record index>" for fixed-length records,
"<file>:<byte offset>" for TFRecords and the file name itself for whole files.

Kernels: kernels/reader.py. None of these ops is differentiable.
"""
from minitf.framework.common_shapes import scalar
from minitf.framework.op_def import REQUIRED, define_op
from minitf.framework.tensor_shape import TensorShape
from minitf.ops.op_builder import apply_op

__all__ = ["ReaderBase", "TextLineReader", "FixedLengthRecordReader", "TFRecordReader", "WholeFileReader"]


# ======================================================================================
# Op declarations
# ======================================================================================
_RESOURCE_ATTRS = {"container": "", "shared_name": ""}
_READERS = {
    "TextLineReaderV2": {"skip_header_lines": 0},
    "FixedLengthRecordReaderV2": {"header_bytes": 0, "record_bytes": REQUIRED, "footer_bytes": 0,
                                  "hop_bytes": 0, "encoding": ""},
    "TFRecordReaderV2": {"compression_type": ""},
    "WholeFileReaderV2": {},
}
for _type, _attrs in _READERS.items():
    define_op(_type, outputs=["reader_handle: resource"], attrs={**_attrs, **_RESOURCE_ATTRS},
              shape=scalar, stateful=True, differentiable=False)


def _check_scalar(op, *positions):
    for position in positions:
        shape = op.inputs[position].shape
        if not shape.is_compatible_with([]):
            raise ValueError(f"Shape must be rank 0 but is rank {shape.ndims}")


def _read_shape(op):
    _check_scalar(op, 0, 1)
    return [TensorShape([]), TensorShape([])]


def _read_up_to_shape(op):
    _check_scalar(op, 0, 1, 2)
    return [TensorShape([None]), TensorShape([None])]


def _handle_shape(outputs):
    def shape(op):
        _check_scalar(op, 0)
        return [TensorShape([])] * outputs
    return shape


# Reads wait on the queue (and on other reads of the same reader); a reset waits for a read in
# progress: all of them block, so a session's close() or a deadline can end the wait.
define_op("ReaderReadV2", inputs=["reader_handle: resource", "queue_handle: resource"],
          outputs=["key: string", "value: string"], shape=_read_shape, blocking=True,
          differentiable=False)
define_op("ReaderReadUpToV2",
          inputs=["reader_handle: resource", "queue_handle: resource", "num_records: int64"],
          outputs=["keys: string", "values: string"], shape=_read_up_to_shape, blocking=True,
          differentiable=False)
define_op("ReaderResetV2", inputs=["reader_handle: resource"], shape=_handle_shape(0), blocking=True,
          differentiable=False)
define_op("ReaderNumRecordsProducedV2", inputs=["reader_handle: resource"],
          outputs=["records_produced: int64"], shape=_handle_shape(1), stateful=True, differentiable=False)
define_op("ReaderNumWorkUnitsCompletedV2", inputs=["reader_handle: resource"],
          outputs=["units_completed: int64"], shape=_handle_shape(1), stateful=True,
          differentiable=False)


# ======================================================================================
# Python API
# ======================================================================================
def _queue_ref(queue):
    """A queue object's handle tensor (TF1 accepts the queue or its handle)."""
    return getattr(queue, "queue_ref", queue)


class ReaderBase:
    """TF1 `tf.ReaderBase`: the graph-building methods shared by every reader.

    Departure: `serialize_state` / `restore_state` are not supported (`supports_serialize` is
    False for every minitf reader).
    """

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self):
        return self._reader_ref

    @property
    def supports_serialize(self):
        return self._supports_serialize

    def read(self, queue, name=None):
        """The next (key, value) record, pulling a new file name from `queue` when one is needed."""
        key, value = apply_op("ReaderReadV2", self._reader_ref, _queue_ref(queue),
                              name=name or "ReaderReadV2")
        return key, value

    def read_up_to(self, queue, num_records, name=None):
        """Up to `num_records` (keys, values) vectors; fewer when a file ends (TF's rule)."""
        keys, values = apply_op("ReaderReadUpToV2", self._reader_ref, _queue_ref(queue), num_records,
                                name=name or "ReaderReadUpToV2")
        return keys, values

    def num_records_produced(self, name=None):
        return apply_op("ReaderNumRecordsProducedV2", self._reader_ref,
                        name=name or "ReaderNumRecordsProducedV2")

    def num_work_units_completed(self, name=None):
        return apply_op("ReaderNumWorkUnitsCompletedV2", self._reader_ref,
                        name=name or "ReaderNumWorkUnitsCompletedV2")

    def reset(self, name=None):
        """An op that restores the reader to its initial state (counters and current file)."""
        return apply_op("ReaderResetV2", self._reader_ref, name=name or "ReaderResetV2")

    def serialize_state(self, name=None):
        raise NotImplementedError("minitf readers do not serialize their state")

    def restore_state(self, state, name=None):
        raise NotImplementedError("minitf readers do not restore a serialized state")


def _make_reader(op_type, name, **attrs):
    return apply_op(op_type, name=name or op_type, **{k: v for k, v in attrs.items() if v is not None})


class TextLineReader(ReaderBase):
    """TF1 `tf.TextLineReader(skip_header_lines=None, name=None)`: one record per line of a file,
    without its line ending ("\\n", or "\\r\\n")."""

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(_make_reader("TextLineReaderV2", name, skip_header_lines=skip_header_lines))


class FixedLengthRecordReader(ReaderBase):
    """TF1 `tf.FixedLengthRecordReader(record_bytes, header_bytes=None, footer_bytes=None,
    hop_bytes=None, name=None, encoding=None)`: records of `record_bytes` bytes between a header
    and a footer that are skipped; with `hop_bytes`, records start that many bytes apart.
    `encoding` "ZLIB" or "GZIP" reads compressed files."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None, name=None,
                 encoding=None):
        super().__init__(_make_reader("FixedLengthRecordReaderV2", name, record_bytes=record_bytes,
                                      header_bytes=header_bytes, footer_bytes=footer_bytes,
                                      hop_bytes=hop_bytes, encoding=encoding))


class TFRecordReader(ReaderBase):
    """TF1 `tf.TFRecordReader(name=None, options=None)`: the records of TFRecord files
    (`options`: a tf.python_io.TFRecordOptions or compression type)."""

    def __init__(self, name=None, options=None):
        from minitf.python_io import TFRecordOptions
        compression = TFRecordOptions.get_compression_type_string(options)
        super().__init__(_make_reader("TFRecordReaderV2", name, compression_type=compression))


class WholeFileReader(ReaderBase):
    """TF1 `tf.WholeFileReader(name=None)`: one record per file, keyed by the file name."""

    def __init__(self, name=None):
        super().__init__(_make_reader("WholeFileReaderV2", name))

