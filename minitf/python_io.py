"""TF1 `tf.python_io`: TFRecord files (TFRecordWriter, tf_record_iterator, TFRecordOptions).

A TFRecord file is a sequence of frames, little-endian:

    uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

optionally compressed as a whole with ZLIB or GZIP. The masked CRC-32C is TensorFlow's
(minitf.train.crc32c), so files move freely between minitf and TensorFlow.

Besides TF's public names (`__all__`), this module holds the stream and framing pieces the reader
kernels share (`open_input`, `RecordReader`): TFRecordReader reads frames with them and
FixedLengthRecordReader reads compressed inputs through `open_input`.
"""
import struct
import zlib

from minitf.framework import errors
from minitf.train.crc32c import masked_crc32c

__all__ = ["TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter", "tf_record_iterator"]


# ======================================================================================
# Options
# ======================================================================================
class TFRecordCompressionType:
    """TF1 `tf.python_io.TFRecordCompressionType`: the compression of a whole TFRecord file."""
    NONE = 0
    ZLIB = 1
    GZIP = 2


class TFRecordOptions:
    """TF1 `tf.python_io.TFRecordOptions`.

    Departure: of the zlib tuning options only `compression_level` is used (by the writer); the
    others are accepted and kept, as Python's zlib picks its own buffers and strategy.
    """

    compression_type_map = {TFRecordCompressionType.ZLIB: "ZLIB", TFRecordCompressionType.GZIP: "GZIP",
                            TFRecordCompressionType.NONE: ""}

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        if compression_type is not None:
            self.get_compression_type_string(compression_type)  # raises ValueError when invalid
        self.compression_type = compression_type
        self.flush_mode = flush_mode
        self.input_buffer_size = input_buffer_size
        self.output_buffer_size = output_buffer_size
        self.window_bits = window_bits
        self.compression_level = compression_level
        self.compression_method = compression_method
        self.mem_level = mem_level
        self.compression_strategy = compression_strategy

    @classmethod
    def get_compression_type_string(cls, options):
        """"", "ZLIB" or "GZIP" for options given as TFRecordOptions, a compression type or a string."""
        if not options:
            return ""
        if isinstance(options, TFRecordOptions):
            return cls.get_compression_type_string(options.compression_type)
        if options in cls.compression_type_map:
            return cls.compression_type_map[options]
        if options in cls.compression_type_map.values():
            return options
        raise ValueError(f'Not a valid compression_type: "{options}"')


# ======================================================================================
# Streams: plain or compressed files, with TF's error classes
# ======================================================================================
def _os_error(path, error):
    """The OpError TF raises for a file that cannot be opened ("<path>; No such file or directory")."""
    kind = {2: errors.NotFoundError, 13: errors.PermissionDeniedError}.get(error.errno, errors.UnknownError)
    return kind(None, None, f"{path}; {error.strerror}")


# zlib window bits: 15 for a zlib stream, +16 for a gzip header and trailer.
_WINDOW_BITS = {"ZLIB": zlib.MAX_WBITS, "GZIP": 16 + zlib.MAX_WBITS}


def _open_file(path, mode):
    path = path.decode() if isinstance(path, bytes) else str(path)
    try:
        return open(path, mode)
    except OSError as e:
        raise _os_error(path, e) from None


class _InflatedInput:
    """A readable stream of the decompressed bytes of a ZLIB or GZIP file (`window_bits` 15 or 31,
    as TF's ZlibInputStream); concatenated streams are read one after another. A decompression
    failure is DataLossError with TF's message."""

    def __init__(self, raw, window_bits):
        self._raw = raw
        self._window_bits = window_bits
        self._inflater = zlib.decompressobj(window_bits)
        self._buffer = b""

    def read(self, size):
        while len(self._buffer) < size:
            if self._inflater.eof:  # a stream ended: another may follow it
                rest = self._inflater.unused_data
                self._inflater = zlib.decompressobj(self._window_bits)
            else:
                rest = b""
            chunk = rest or self._raw.read(1 << 16)
            if not chunk:
                break
            self._buffer += self._inflate(chunk)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _inflate(self, chunk):
        try:
            return self._inflater.decompress(chunk)
        except zlib.error as e:
            # Python: "Error -3 while decompressing data: incorrect header check"
            code, _, reason = str(e).removeprefix("Error ").partition(" while decompressing data: ")
            raise errors.DataLossError(None, None, f"inflate() failed with error {code}: {reason}") from None

    def close(self):
        self._raw.close()


class _DeflatedOutput:
    """A writable stream that compresses into a ZLIB or GZIP file."""

    def __init__(self, raw, window_bits, level):
        self._raw = raw
        self._deflater = zlib.compressobj(level, zlib.DEFLATED, window_bits)

    def write(self, data):
        self._raw.write(self._deflater.compress(data))

    def flush(self):
        self._raw.write(self._deflater.flush(zlib.Z_SYNC_FLUSH))
        self._raw.flush()

    def close(self):
        self._raw.write(self._deflater.flush())
        self._raw.close()


def open_input(path, compression=""):
    """A binary stream of the (decompressed) contents of `path`; NotFoundError names a missing file."""
    raw = _open_file(path, "rb")
    if compression in _WINDOW_BITS:
        return _InflatedInput(raw, _WINDOW_BITS[compression])
    return raw


def _open_output(path, compression, level):
    raw = _open_file(path, "wb")
    if compression in _WINDOW_BITS:
        return _DeflatedOutput(raw, _WINDOW_BITS[compression], level)
    return raw


# ======================================================================================
# Framing
# ======================================================================================
_HEADER = 12  # uint64 length + uint32 masked crc of it
_FOOTER = 4


def encode_record(data):
    """One TFRecord frame holding `data`."""
    length = struct.pack("<Q", len(data))
    return b"".join([length, struct.pack("<I", masked_crc32c(length)), data,
                     struct.pack("<I", masked_crc32c(data))])


class RecordReader:
    """Reads TFRecord frames from a binary stream, tracking each record's byte offset.

    A header cut short ends the stream quietly (TF treats it as the end of the file); a record
    cut short or a checksum mismatch raises DataLossError with TF's message, and keeps raising
    it on later reads (TF retries the same offset).
    """

    def __init__(self, stream):
        self._stream = stream
        self._offset = 0
        self._error = None

    def read(self):
        """(offset, data) of the next record, or None at the end of the stream."""
        if self._error is not None:
            raise self._error
        try:
            return self._read()
        except errors.DataLossError as e:
            self._error = e
            raise

    def _read(self):
        offset = self._offset
        header = self._stream.read(_HEADER)
        if len(header) < _HEADER:
            return None
        length, length_crc = struct.unpack("<QI", header)
        if masked_crc32c(header[:8]) != length_crc:
            hint = " (Is this even a TFRecord file?)" if offset == 0 else ""
            raise errors.DataLossError(None, None, f"corrupted record at {offset}{hint}")
        body = self._stream.read(length + _FOOTER)
        if len(body) < length + _FOOTER:
            raise errors.DataLossError(None, None, f"truncated record at {offset}")
        data = body[:length]
        if masked_crc32c(data) != struct.unpack("<I", body[length:])[0]:
            raise errors.DataLossError(None, None, f"corrupted record at {offset + _HEADER}")
        self._offset = offset + _HEADER + length + _FOOTER
        return offset, data

    def close(self):
        self._stream.close()


# ======================================================================================
# Public API
# ======================================================================================
class TFRecordWriter:
    """TF1 `tf.python_io.TFRecordWriter(path, options=None)`: writes records to a TFRecord file.

    `options` is a TFRecordOptions, a TFRecordCompressionType or "ZLIB"/"GZIP"/"".
    """

    def __init__(self, path, options=None):
        compression = TFRecordOptions.get_compression_type_string(options)
        level = getattr(options, "compression_level", None)
        self._stream = _open_output(path, compression, -1 if level is None else level)

    def write(self, record):
        """Appends one record (bytes; a str is written as UTF-8)."""
        if self._stream is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")
        if isinstance(record, str):
            record = record.encode()
        elif not isinstance(record, (bytes, bytearray, memoryview)):
            raise TypeError(f"write(): a record must be bytes or str, got {type(record).__name__}")
        self._stream.write(encode_record(bytes(record)))

    def flush(self):
        if self._stream is None:
            raise errors.FailedPreconditionError(None, None, "Writer is closed.")
        self._stream.flush()

    def close(self):
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def tf_record_iterator(path, options=None):
    """TF1 `tf.python_io.tf_record_iterator`: yields the records of a TFRecord file as bytes.

    Like TF's, it is a generator: a missing file (NotFoundError) or a corrupt record
    (DataLossError) is raised by the `next` that reaches it.
    """
    compression = TFRecordOptions.get_compression_type_string(options)
    reader = RecordReader(open_input(path, compression))
    try:
        while True:
            record = reader.read()
            if record is None:
                return
            yield record[1]
    finally:
        reader.close()
