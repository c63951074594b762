"""Harness cases: the reader ops (minitf/ops/reader_ops.py).

Each case writes its input files into a temporary directory, feeds their names, and builds one
step that enqueues the names, closes the queue and then reads: readers only run in a session,
so the expected values are computed from the file contents written here.
"""
import atexit
import pathlib
import tempfile

import numpy as np

import minitf as tf
import minitf.kernels.reader  # noqa: F401 - the reader kernels
from minitf import python_io
from harness import OpCase

_DIR = tempfile.TemporaryDirectory(prefix="minitf-reader-cases-")
atexit.register(_DIR.cleanup)


def _files(contents):
    """An `inputs` callable writing one file per entry of `contents`; feeds their names."""
    def make(dtype, rng):
        paths = []
        for i, data in enumerate(contents):
            path = pathlib.Path(_DIR.name, f"{id(contents)}-{i}")
            path.write_bytes(data)
            paths.append(str(path).encode())
        return [np.array(paths, dtype=object)]
    return make


def _tfrecords(*records):
    path = pathlib.Path(_DIR.name, f"records-{len(records)}.tfrecord")
    with python_io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)
    return path.read_bytes()


def _filled_queue(names):
    """A string queue holding `names`, closed; returns (queue, the op that filled and closed it)."""
    queue = tf.FIFOQueue(10, tf.string)
    enqueue = queue.enqueue_many([names])
    with tf.control_dependencies([enqueue]):
        close = queue.close()
    return queue, close


def _reading(names, make_reader, up_to=None):
    """(reader, keys, values) of one read (or read_up_to) from the fed files."""
    queue, ready = _filled_queue(names)
    reader = make_reader()
    with tf.control_dependencies([ready]):
        keys, values = reader.read(queue) if up_to is None else reader.read_up_to(queue, up_to)
    return reader, keys, values


def _read(make_reader, up_to=None):
    """A build function: the (key, value) of one read (or read_up_to) from the fed files."""
    return lambda names: _reading(names, make_reader, up_to)[1:]


def _counter_after_read(counter, up_to):
    """A build function: a reader counter after read_up_to(up_to) ran."""
    def build(names):
        reader, keys, _ = _reading(names, tf.TextLineReader, up_to)
        with tf.control_dependencies([keys]):
            return getattr(reader, counter)()
    return build


def _reset_after_read(names):
    reader, key, _ = _reading(names, tf.WholeFileReader)
    with tf.control_dependencies([key]):
        reset = reader.reset()
    with tf.control_dependencies([reset]):
        return [reset, reader.num_records_produced(), reader.num_work_units_completed()]


def _offsets(records):
    """The byte offset of each record in a TFRecord file: a frame adds 16 bytes to its data."""
    return np.cumsum([0] + [16 + len(r) for r in records[:-1]])


def _key(names, index, suffix):
    return np.array(names[index] + suffix)


LINES = [b"header\nfirst\r\nsecond\n", b"third"]
FIXED = [bytes(range(20))]
RECORDED = [b"alpha", b"", b"gamma"]
RECORDS = [_tfrecords(*RECORDED)]

CASES = [
    OpCase("TextLineReaderV2", _read(lambda: tf.TextLineReader(skip_header_lines=1)), _files(LINES),
           lambda names: [_key(names, 0, b":2"), np.array(b"first")]),
    OpCase("FixedLengthRecordReaderV2",
           _read(lambda: tf.FixedLengthRecordReader(4, header_bytes=2, footer_bytes=3, hop_bytes=5), up_to=9),
           _files(FIXED),
           lambda names: [np.array([names[0] + b":%d" % i for i in range(3)], dtype=object),
                          np.array([FIXED[0][2 + 5 * i:6 + 5 * i] for i in range(3)], dtype=object)],
           exact_shape=False),
    OpCase("TFRecordReaderV2", _read(tf.TFRecordReader, up_to=5), _files(RECORDS),
           lambda names: [np.array([names[0] + b":%d" % o for o in _offsets(RECORDED)], dtype=object),
                          np.array(RECORDED, dtype=object)], exact_shape=False),
    OpCase("WholeFileReaderV2", _read(tf.WholeFileReader), _files(LINES),
           lambda names: [np.array(names[0]), np.array(LINES[0])]),
    OpCase("ReaderReadV2", _read(tf.TextLineReader), _files([b"", b"only line"]),
           lambda names: [_key(names, 1, b":1"), np.array(b"only line")]),
    # read_up_to stops at the end of a file even when it could take more from the next one.
    OpCase("ReaderReadUpToV2", _read(tf.TextLineReader, up_to=5), _files(LINES),
           lambda names: [np.array([names[0] + b":%d" % i for i in (1, 2, 3)], dtype=object),
                          np.array([b"header", b"first", b"second"], dtype=object)], exact_shape=False),
    OpCase("ReaderNumRecordsProducedV2", _counter_after_read("num_records_produced", 2), _files(LINES),
           lambda names: np.int64(2)),
    # Reading to the end of the first file completes it as a work unit.
    OpCase("ReaderNumWorkUnitsCompletedV2", _counter_after_read("num_work_units_completed", 5),
           _files(LINES), lambda names: np.int64(1)),
    OpCase("ReaderResetV2", _reset_after_read, _files(LINES), lambda names: [np.int64(0), np.int64(0)]),
]
