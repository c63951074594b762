"""Kernels of the reader ops (minitf/ops/reader_ops.py), on the host.

A reader resource (`Reader`, TF's ReaderBase) holds the file it is reading (a "work unit") and
its counters. Each reader kind only says how to open one file as a record source: an object whose
`read()` returns the next (key, value) pair, or None at the end of the file.

Reads follow TF's rules: a read pulls the next file name from the queue when there is no current
file; a file that cannot be opened fails that read (NotFoundError naming it) and is dropped;
`read_up_to(n)` returns as soon as one file has given records, so it may return fewer than n;
the end of a file is noticed (and counted as a completed work unit) by the read after its last
record, unless the source says it is `done` with that record (whole files). Reads of one reader
are serialized, and waiting for a turn or for a file name honours the step's cancellation and
deadline.
"""
import contextlib
import threading

import numpy

from minitf.framework import dtypes, errors
from minitf.ops import reader_ops  # noqa: F401 - declares the ops these kernels run
from minitf.python_io import RecordReader, open_input
from minitf.runtime.cancellation import wait_until
from minitf.runtime.kernel_registry import Constant, register_kernel


# ======================================================================================
# Record sources: one open file of each reader kind
# ======================================================================================
# A source: `read()` gives the next (key, value) or None at the end of its file; `done` is true
# once it knows it has no more; `close()` releases the file.
class _TextLines:
    """TextLineReader: one record per line, keyed "<file>:<line number>" (1-based)."""

    done = False

    def __init__(self, filename, skip_header_lines):
        self._name = filename
        self._file = open_input(filename)
        self._line = 0
        for _ in range(skip_header_lines):
            if self._next_line() is None:
                break

    def _next_line(self):
        line = self._file.readline()
        if not line:
            return None
        self._line += 1
        if line.endswith(b"\n"):
            line = line[:-1]
        return line[:-1] if line.endswith(b"\r") else line

    def read(self):
        line = self._next_line()
        return None if line is None else (b"%s:%d" % (self._name, self._line), line)

    def close(self):
        self._file.close()


class _FixedLengthRecords:
    """FixedLengthRecordReader: records of `record_bytes` after a header, before a footer, keyed
    "<file>:<record index>". The file's size is not needed: a record is complete when
    `record_bytes + footer_bytes` bytes follow its start, which also works for compressed input."""

    done = False

    def __init__(self, filename, header_bytes, record_bytes, footer_bytes, hop_bytes, encoding):
        self._name = filename
        self._file = open_input(filename, encoding)
        self._record_bytes = record_bytes
        self._needed = record_bytes + footer_bytes
        self._stride = hop_bytes or record_bytes
        self._index = 0
        if len(self._file.read(header_bytes)) < header_bytes:
            self._file.close()
            raise errors.OutOfRangeError(None, None, "reached end of file")
        self._buffer = b""

    def read(self):
        if len(self._buffer) < self._needed:
            self._buffer += self._file.read(self._needed - len(self._buffer))
            if len(self._buffer) < self._needed:
                return None
        value = self._buffer[:self._record_bytes]
        key = b"%s:%d" % (self._name, self._index)
        self._index += 1
        gap = self._stride - len(self._buffer)
        self._buffer = self._buffer[self._stride:]
        if gap > 0:  # hops longer than a record and its footer skip bytes never buffered
            self._file.read(gap)
        return key, value

    def close(self):
        self._file.close()


class _TFRecords:
    """TFRecordReader: the records of a TFRecord file, keyed "<file>:<byte offset>"."""

    done = False

    def __init__(self, filename, compression):
        self._name = filename
        self._records = RecordReader(open_input(filename, compression))

    def read(self):
        record = self._records.read()
        return None if record is None else (b"%s:%d" % (self._name, record[0]), record[1])

    def close(self):
        self._records.close()


class _WholeFile:
    """WholeFileReader: the whole file as one record, keyed by its name. As in TF the file is
    read by the read itself, so a missing file fails every read until a reset."""

    def __init__(self, filename):
        self._name = filename
        self.done = False

    def read(self):
        with open_input(self._name) as file:
            contents = file.read()
        self.done = True  # TF ends the work unit with its only record
        return self._name, contents

    def close(self):
        pass


# ======================================================================================
# The reader resource
# ======================================================================================
class Reader:
    """A reader's state in a session: its current file and TF's two counters."""

    def __init__(self, open_file):
        self._open_file = open_file
        self._condition = threading.Condition()
        self._busy = False
        self._work = None
        self.records_produced = 0
        self.work_units_completed = 0

    @contextlib.contextmanager
    def _turn(self, op):
        """Exclusive use of the reader; the wait for it can be cancelled like a queue wait."""
        with self._condition:
            wait_until(self._condition, lambda: not self._busy, op, "the reader")
            self._busy = True
        try:
            yield
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()

    def read_up_to(self, queue, count, op):
        """Up to `count` (key, value) records, as lists."""
        keys, values = [], []
        with self._turn(op):
            while len(keys) < count:
                if self._work is None:
                    self._work = self._open_file(_next_filename(queue, op))
                while len(keys) < count:
                    record = self._work.read()
                    if record is None:
                        self._finish_work()
                        break
                    keys.append(record[0])
                    values.append(record[1])
                    self.records_produced += 1
                    if self._work.done:
                        self._finish_work()
                        break
                if keys:
                    break
        return keys, values

    def _finish_work(self):
        self._work.close()
        self._work = None
        self.work_units_completed += 1

    def reset(self, op):
        with self._turn(op):
            if self._work is not None:
                self._work.close()
                self._work = None
            self.records_produced = 0
            self.work_units_completed = 0

    def close(self):
        """Called when the session drops its resources."""
        if self._work is not None:
            self._work.close()
            self._work = None


def _next_filename(queue, op):
    """Dequeues the next file name through the queue's own dequeue (kernels/data_flow.py), which
    waits like a dequeue op; the queue must hold single strings (TF's checks and messages)."""
    if len(queue.dtypes) != 1:
        raise errors.InvalidArgumentError(None, op, "Expected single component queue")
    if queue.dtypes[0] != dtypes.string:
        raise errors.InvalidArgumentError(None, op, "Expected queue with single string component")
    ((name,),) = queue.dequeue(1, op, batched=False)
    if numpy.size(name) != 1:
        raise errors.InvalidArgumentError(None, op, "Expected to dequeue a one-element string tensor")
    name = name.item() if isinstance(name, numpy.ndarray) else name
    return name.encode() if isinstance(name, str) else bytes(name)


# ======================================================================================
# Kernels
# ======================================================================================
def _reader_kernel(op_type, make_opener):
    """Registers the kernel creating a reader: `make_opener(ctx)` gives `open_file(filename)`."""
    @register_kernel(op_type, devices=("CPU",), type_attr=None)
    def factory(ctx):
        name = ctx.attr("shared_name") or ctx.op.name
        opener = make_opener(ctx)
        return Constant(ctx.resources.lookup_or_create(ctx.attr("container"), name,
                                                       lambda: Reader(opener)))
    return factory


_reader_kernel("TextLineReaderV2",
               lambda ctx: lambda f: _TextLines(f, ctx.attr("skip_header_lines")))
_reader_kernel("FixedLengthRecordReaderV2",
               lambda ctx: lambda f: _FixedLengthRecords(
                   f, ctx.attr("header_bytes"), ctx.attr("record_bytes"), ctx.attr("footer_bytes"),
                   ctx.attr("hop_bytes"), _text(ctx.attr("encoding"))))
_reader_kernel("TFRecordReaderV2", lambda ctx: lambda f: _TFRecords(f, _text(ctx.attr("compression_type"))))
_reader_kernel("WholeFileReaderV2", lambda ctx: _WholeFile)


def _text(attr):
    return attr.decode() if isinstance(attr, bytes) else attr


def _strings(values):
    array = numpy.empty(len(values), dtype=object)
    array[:] = values
    return array


@register_kernel("ReaderReadV2", devices=("CPU",), type_attr=None)
def reader_read(ctx):
    def compute(reader, queue):
        keys, values = reader.read_up_to(queue, 1, ctx.op)
        return keys[0], values[0]
    return compute


@register_kernel("ReaderReadUpToV2", devices=("CPU",), type_attr=None)
def reader_read_up_to(ctx):
    def compute(reader, queue, num_records):
        if num_records < 0:  # TF1 crashes; 0 reads nothing, as in TF1
            raise ctx.error(f"num_records must be >= 0, got {int(num_records)}")
        keys, values = reader.read_up_to(queue, int(num_records), ctx.op)
        return _strings(keys), _strings(values)
    return compute


@register_kernel("ReaderNumRecordsProducedV2", devices=("CPU",), type_attr=None)
def reader_num_records_produced(ctx):
    return lambda reader: numpy.int64(reader.records_produced)


@register_kernel("ReaderNumWorkUnitsCompletedV2", devices=("CPU",), type_attr=None)
def reader_num_work_units_completed(ctx):
    return lambda reader: numpy.int64(reader.work_units_completed)


@register_kernel("ReaderResetV2", devices=("CPU",), type_attr=None)
def reader_reset(ctx):
    return lambda reader: reader.reset(ctx.op)
