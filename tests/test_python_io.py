"""tf.python_io: TFRecord files written and read back, TF's exact bytes, corruption, compression.

The TensorFlow interop tests run where tensorflow is importable, e.g.
  /tmp/tfvenv/bin/python -m pytest tests/test_python_io.py
"""
import gzip
import struct
import zlib

import numpy as np
import pytest

import minitf as tf
import minitf.kernels.reader  # noqa: F401 - the TFRecordReader kernels
from minitf import python_io
from minitf.train.crc32c import masked_crc32c

RECORDS = [b"abc", b"", b"hello world"]
# The file TensorFlow's TFRecordWriter writes for RECORDS (captured from TF 2.21).
TF_BYTES = bytes.fromhex("0300000000000000b099490e6162636e57f121000000000000000029039807d8ea82a20b00000000"
                         "0000008615f50468656c6c6f20776f726c64007ed86d")
COMPRESSIONS = ["", "ZLIB", "GZIP"]


def _write(path, records, options=None):
    with python_io.TFRecordWriter(str(path), options) as writer:
        for record in records:
            writer.write(record)
    return path


def _read(path, options=None):
    return list(python_io.tf_record_iterator(str(path), options))


# ======================================================================================
# Round trips and the file format
# ======================================================================================
def test_writer_produces_tensorflows_bytes(tmp_path):
    assert _write(tmp_path / "r", RECORDS).read_bytes() == TF_BYTES


def test_iterator_reads_tensorflows_bytes(tmp_path):
    path = tmp_path / "tf"
    path.write_bytes(TF_BYTES)
    assert _read(path) == RECORDS


def test_frames_are_length_data_and_their_masked_crcs(tmp_path):
    data = _write(tmp_path / "r", [b"payload"]).read_bytes()
    length, length_crc = struct.unpack("<QI", data[:12])
    assert length == 7 and data[12:19] == b"payload" and len(data) == 12 + 7 + 4
    crc = struct.unpack("<I", data[19:])[0]
    assert (length_crc, crc) == (masked_crc32c(data[:8]), masked_crc32c(b"payload"))


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_round_trip(tmp_path, compression):
    records = [b"", b"x" * 70000, bytes(range(256)), "text: \u00e9".encode()]
    options = python_io.TFRecordOptions(compression)
    assert _read(_write(tmp_path / "r", records, options), options) == records


@pytest.mark.parametrize("compression,decompress", [("GZIP", gzip.decompress), ("ZLIB", zlib.decompress)])
def test_compressed_files_hold_the_plain_file(tmp_path, compression, decompress):
    written = _write(tmp_path / "r", RECORDS, compression).read_bytes()
    assert decompress(written) == TF_BYTES


def test_concatenated_gzip_streams_are_read_in_turn(tmp_path):
    first, second = _write(tmp_path / "a", RECORDS[:1], "GZIP"), _write(tmp_path / "b", RECORDS[1:], "GZIP")
    joined = tmp_path / "joined"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    assert _read(joined, "GZIP") == RECORDS


@pytest.mark.parametrize("options", [None, "", python_io.TFRecordCompressionType.NONE,
                                     python_io.TFRecordOptions(python_io.TFRecordCompressionType.NONE)])
def test_uncompressed_options(tmp_path, options):
    assert _write(tmp_path / "r", RECORDS, options).read_bytes() == TF_BYTES


def test_compression_type_strings():
    get = python_io.TFRecordOptions.get_compression_type_string
    assert [get(None), get(python_io.TFRecordCompressionType.ZLIB), get("GZIP"),
            get(python_io.TFRecordOptions("ZLIB"))] == ["", "ZLIB", "GZIP", "ZLIB"]
    with pytest.raises(ValueError, match='Not a valid compression_type: "BAD"'):
        python_io.TFRecordOptions("BAD")


# ======================================================================================
# The writer
# ======================================================================================
def test_writer_encodes_text_and_rejects_other_types(tmp_path):
    writer = python_io.TFRecordWriter(str(tmp_path / "r"))
    writer.write("h\u00e9")
    with pytest.raises(TypeError):
        writer.write(5)
    writer.close()
    assert _read(tmp_path / "r") == ["h\u00e9".encode()]


def test_closed_writer(tmp_path):
    writer = python_io.TFRecordWriter(str(tmp_path / "r"))
    writer.close()
    writer.close()  # closing twice is fine
    with pytest.raises(tf.errors.FailedPreconditionError, match="Writer is closed."):
        writer.write(b"late")


def test_flush_makes_records_readable(tmp_path):
    writer = python_io.TFRecordWriter(str(tmp_path / "r"))
    writer.write(b"early")
    writer.flush()
    assert _read(tmp_path / "r") == [b"early"]
    writer.close()


def test_writer_in_a_missing_directory(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="No such file or directory"):
        python_io.TFRecordWriter(str(tmp_path / "missing" / "r"))


# ======================================================================================
# Damaged files
# ======================================================================================
def _damaged(tmp_path, position=None, cut=None):
    data = bytearray(TF_BYTES)
    if position is not None:
        data[position] ^= 0xFF
    path = tmp_path / "damaged"
    path.write_bytes(bytes(data[:cut]))
    return path


@pytest.mark.parametrize("position,message", [
    (0, "corrupted record at 0 (Is this even a TFRecord file?)"),  # a length
    (20, "corrupted record at 19"),  # the second record's length
    (13, "corrupted record at 12"),  # data: the offset of the data is named
    (len(TF_BYTES) - 1, "corrupted record at 47"),  # the last record's data crc
])
def test_corruption_is_data_loss(tmp_path, position, message):
    with pytest.raises(tf.errors.DataLossError) as info:
        _read(_damaged(tmp_path, position))
    assert info.value.message == message


def test_a_record_cut_short_is_data_loss_but_a_cut_header_ends_the_file(tmp_path):
    with pytest.raises(tf.errors.DataLossError, match="truncated record at 35"):
        _read(_damaged(tmp_path, cut=-3))
    assert _read(_damaged(tmp_path, cut=19 + 5)) == RECORDS[:1]


def test_records_before_the_damage_are_yielded(tmp_path):
    records = python_io.tf_record_iterator(str(_damaged(tmp_path, 20)))
    assert next(records) == b"abc"
    with pytest.raises(tf.errors.DataLossError):
        next(records)


def test_missing_file_fails_on_first_next(tmp_path):
    records = python_io.tf_record_iterator(str(tmp_path / "nope"))  # lazy, as TF's generator
    with pytest.raises(tf.errors.NotFoundError, match="nope; No such file or directory"):
        next(records)


def test_wrong_compression_is_data_loss(tmp_path):
    path = tmp_path / "plain"
    path.write_bytes(TF_BYTES)
    message = r"inflate\(\) failed with error -3: incorrect header check"
    with pytest.raises(tf.errors.DataLossError, match=message):
        _read(path, "GZIP")


# ======================================================================================
# TensorFlow interop (where tensorflow is importable)
# ======================================================================================
@pytest.fixture(scope="module")
def tf_io():
    tensorflow = pytest.importorskip("tensorflow")
    return tensorflow.compat.v1.io


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_tensorflow_reads_our_files(tmp_path, tf_io, compression):
    records = [b"first", b"", bytes(range(256)) * 300]
    path = _write(tmp_path / "ours", records, compression)
    assert list(tf_io.tf_record_iterator(str(path), compression)) == records


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_we_read_tensorflows_files(tmp_path, tf_io, compression):
    records = [b"first", b"", bytes(range(256)) * 300]
    path = str(tmp_path / "theirs")
    with tf_io.TFRecordWriter(path, compression) as writer:
        for record in records:
            writer.write(record)
    assert _read(path, compression) == records
    queue = tf.FIFOQueue(2, tf.string)
    reader = tf.TFRecordReader(options=compression or None)
    keys, values = reader.read_up_to(queue, 5)
    with tf.Session() as sess:
        sess.run(queue.enqueue(path))
        got_keys, got_values = sess.run([keys, values])
    assert list(got_values) == records
    offsets = np.cumsum([0] + [16 + len(r) for r in records[:-1]])
    assert list(got_keys) == [f"{path}:{o}".encode() for o in offsets]
