"""V2 checkpoint bundles (minitf.train.tensor_bundle): write_bundle, BundleReader.

Round trips, atomic saves, corruption (every single-bit flip and truncation must give
DataLossError or the right values, never wrong ones), and — when TensorFlow is importable
(/tmp/tfvenv) — cross-reading with TensorFlow in both directions, byte-identical files included.
"""
import os
import struct

import numpy as np
import pytest

from minitf.framework import dtypes, errors
from minitf.train import leveldb_table
from minitf.train.tensor_bundle import BundleReader, checkpoint_exists, write_bundle

NUMERIC = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
           np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.complex64, np.complex128]
SHAPES = [(), (0,), (0, 3), (5,), (2, 3, 4)]
_RNG = np.random.default_rng(11)


def _sample(np_type, shape):
    if np_type is np.bool_:
        return _RNG.integers(0, 2, shape).astype(np.bool_)
    if np.issubdtype(np_type, np.complexfloating):
        return (_RNG.normal(size=shape) + 1j * _RNG.normal(size=shape)).astype(np_type)
    if np.issubdtype(np_type, np.floating):
        return _RNG.normal(size=shape).astype(np_type)
    info = np.iinfo(np_type)
    return _RNG.integers(info.min, info.max, shape, dtype=np_type, endpoint=True)


def _mixed_tensors():
    out = {f"t/{np.dtype(t).name}": _sample(t, (3, 2)) for t in NUMERIC}
    out["scalar"] = np.float32(2.5)
    out["empty"] = np.zeros((0, 4), np.int32)
    out["strings"] = np.array([[b"ab", b""], [b"x" * 300, "é".encode()]], dtype=object)
    return out


def _assert_same(got, want):
    want = np.asarray(want)
    assert got.shape == want.shape
    if want.dtype.kind in "OSU":
        assert got.dtype == object
        assert [bytes(x) for x in got.reshape(-1)] == [
            x if isinstance(x, bytes) else str(x).encode() for x in want.reshape(-1)]
    else:
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def _files(directory):
    return sorted(os.listdir(directory))


# ======================================================================================
# Round trips
# ======================================================================================

@pytest.mark.parametrize("np_type", NUMERIC, ids=lambda t: np.dtype(t).name)
def test_round_trip_every_numeric_dtype_and_shape(tmp_path, np_type):
    tensors = {f"s{i}": _sample(np_type, shape) for i, shape in enumerate(SHAPES)}
    write_bundle(str(tmp_path / "ckpt"), tensors)
    reader = BundleReader(str(tmp_path / "ckpt"))
    assert reader.keys() == sorted(tensors)
    for name, value in tensors.items():
        assert reader.entry(name) == (dtypes.as_dtype(np_type), value.shape)
        _assert_same(reader.read(name), value)
    assert _files(tmp_path) == ["ckpt.data-00000-of-00001", "ckpt.index"]


def test_round_trip_bfloat16(tmp_path):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    value = np.array([1.5, -2.0, 3.0e20], dtype=ml_dtypes.bfloat16)
    write_bundle(str(tmp_path / "b"), {"b": value})
    reader = BundleReader(str(tmp_path / "b"))
    assert reader.entry("b") == (dtypes.bfloat16, (3,))
    _assert_same(reader.read("b"), value)


def test_round_trip_strings_scalars_and_inputs(tmp_path):
    big_endian = np.arange(6, dtype=">i4").reshape(2, 3)
    tensors = {
        "str": np.array([b"ab", b"", b"xyz" * 100, b"\x00\xff"], dtype=object),
        "str_scalar": np.array(b"hello", dtype=object),
        "str_empty": np.zeros((0, 2), dtype=object),
        "unicode": np.array(["héllo", "w"]),
        "np_scalar": np.float32(1.25),
        "py_int": 7,
        "big_endian": big_endian,
        "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        "sliced": np.arange(20, dtype=np.int16)[::3],
    }
    write_bundle(str(tmp_path / "c"), tensors)
    reader = BundleReader(str(tmp_path / "c"))
    for name, value in tensors.items():
        got = reader.read(name)
        if name == "big_endian":
            assert got.dtype == np.int32 and got.dtype.isnative
            np.testing.assert_array_equal(got, big_endian)
        else:
            _assert_same(got, value)
    assert reader.entry("str_scalar") == (dtypes.string, ())
    assert reader.entry("py_int") == (dtypes.int64, ())
    # read() hands out a private, writable copy.
    first = reader.read("fortran")
    first[:] = -1
    np.testing.assert_array_equal(reader.read("fortran"), tensors["fortran"])


def test_large_tensor(tmp_path):
    value = _RNG.normal(size=(2048, 1024)).astype(np.float32)  # 8 MiB: the NumPy CRC lanes
    write_bundle(str(tmp_path / "big"), {"small": np.int8(1), "w": value, "z": value[:3]})
    reader = BundleReader(str(tmp_path / "big"))
    _assert_same(reader.read("w"), value)
    _assert_same(reader.read("z"), value[:3])


def test_many_keys_make_several_blocks_and_restarts(tmp_path, monkeypatch):
    monkeypatch.setattr(leveldb_table, "BLOCK_SIZE", 1024)
    tensors = {f"layer_{i:04d}/kernel/Adam_{i % 3}": np.full((i % 4,), i, np.int32)
               for i in range(600)}
    prefix = str(tmp_path / "many")
    write_bundle(prefix, tensors)
    blocks = _data_blocks(prefix + ".index")
    assert len(blocks) > 10
    assert max(_num_restarts(b) for b in blocks) > 1
    reader = BundleReader(prefix)
    assert reader.keys() == sorted(tensors)
    for name in list(tensors)[::37] + [min(tensors), max(tensors)]:
        _assert_same(reader.read(name), tensors[name])


def _data_blocks(index_path):
    data = open(index_path, "rb").read()
    footer = len(data) - leveldb_table.FOOTER_SIZE
    _, _, pos = leveldb_table._decode_handle(data, footer, len(data))
    offset, size, _ = leveldb_table._decode_handle(data, pos, len(data))
    index = leveldb_table._read_block(data, offset, size, "index")
    blocks = []
    for _, handle in leveldb_table._block_entries(index, "index"):
        off, sz, _ = leveldb_table._decode_handle(handle, 0, len(handle))
        blocks.append(leveldb_table._read_block(data, off, sz, "data"))
    return blocks


def _num_restarts(block):
    return struct.unpack_from("<I", block, len(block) - 4)[0]


# ======================================================================================
# Errors and atomicity
# ======================================================================================

def test_missing_prefix_key_and_checkpoint_exists(tmp_path):
    prefix = str(tmp_path / "m")
    assert not checkpoint_exists(prefix)
    with pytest.raises(errors.NotFoundError, match="Unsuccessful TensorSliceReader constructor: "
                       f"Failed to find any matching files for {prefix}"):
        BundleReader(prefix)
    write_bundle(prefix, {"a": np.int32(1)})
    assert checkpoint_exists(prefix)
    reader = BundleReader(prefix)
    assert reader.has("a") and not reader.has("b") and not reader.has("")
    for missing in ("b", ""):
        with pytest.raises(errors.NotFoundError, match=f"Key {missing} not found in checkpoint"):
            reader.read(missing)
        with pytest.raises(errors.NotFoundError):
            reader.entry(missing)


def test_bad_inputs_leave_nothing(tmp_path):
    with pytest.raises(errors.InvalidArgumentError, match="reserved"):
        write_bundle(str(tmp_path / "x"), {"": np.int32(1)})
    with pytest.raises(TypeError):
        write_bundle(str(tmp_path / "x"), {"a": np.int32(1), "b": np.array([1, None])})
    assert _files(tmp_path) == []


def test_missing_directory_is_not_found(tmp_path):
    prefix = str(tmp_path / "no" / "such" / "model")
    with pytest.raises(errors.NotFoundError,
                       match="Failed to create a NewWriteableFile: .*No such file or directory"):
        write_bundle(prefix, {"a": np.ones(3)})
    assert _files(tmp_path) == []


def _old_checkpoint(tmp_path):
    prefix = str(tmp_path / "model")
    old = {"w": np.arange(5.0), "b": np.int64(3)}
    write_bundle(prefix, old)
    return prefix, old


def _assert_old_intact(prefix, old, tmp_path):
    assert _files(tmp_path) == ["model.data-00000-of-00001", "model.index"]
    reader = BundleReader(prefix)
    assert reader.keys() == sorted(old)
    for name, value in old.items():
        _assert_same(reader.read(name), value)


class Boom(Exception):
    pass


def test_failure_while_writing_data_keeps_old_checkpoint(tmp_path):
    prefix, old = _old_checkpoint(tmp_path)
    with pytest.raises(TypeError):  # the 2nd tensor cannot be serialized, mid data file
        write_bundle(prefix, {"a": np.zeros(1000), "b": np.array([object()])})
    _assert_old_intact(prefix, old, tmp_path)


def test_failure_while_writing_index_keeps_old_checkpoint(tmp_path, monkeypatch):
    prefix, old = _old_checkpoint(tmp_path)

    def finish(self):
        self._file.write(b"partial")
        raise Boom()
    monkeypatch.setattr(leveldb_table.TableBuilder, "finish", finish)
    with pytest.raises(Boom):
        write_bundle(prefix, {"w": np.zeros(7)})
    _assert_old_intact(prefix, old, tmp_path)


@pytest.mark.parametrize("failing_rename", [1, 2])
def test_failure_while_renaming_keeps_old_checkpoint(tmp_path, monkeypatch, failing_rename):
    prefix, old = _old_checkpoint(tmp_path)
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == failing_rename:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(errors.PermissionDeniedError):
        write_bundle(prefix, {"w": np.zeros(7), "b": np.int64(9)})
    monkeypatch.setattr(os, "replace", real_replace)
    _assert_old_intact(prefix, old, tmp_path)


def test_overwrite_replaces_checkpoint(tmp_path):
    prefix, _ = _old_checkpoint(tmp_path)
    write_bundle(prefix, {"only": np.ones(2, np.float16)})
    assert BundleReader(prefix).keys() == ["only"]
    assert _files(tmp_path) == ["model.data-00000-of-00001", "model.index"]


# ======================================================================================
# Corruption: DataLossError or the right values, never wrong ones
# ======================================================================================

def _corruption_fixture(tmp_path):
    prefix = str(tmp_path / "c")
    tensors = {"a": np.arange(4, dtype=np.float32), "bb": np.int16(-2),
               "s": np.array([b"q", b"rs"], dtype=object), "z": np.ones((2, 2), np.uint8)}
    write_bundle(prefix, tensors)
    return prefix, tensors


def _read_all_or_data_loss(prefix, tensors):
    """Reads every key; returns the set of keys that raised DataLossError."""
    try:
        reader = BundleReader(prefix)
    except errors.DataLossError:
        return set(tensors)
    assert reader.keys() == sorted(tensors)
    lost = set()
    for name, value in tensors.items():
        try:
            got = reader.read(name)
        except errors.DataLossError:
            lost.add(name)
            continue
        _assert_same(got, value)
    return lost


@pytest.mark.parametrize("suffix", [".index", ".data-00000-of-00001"])
def test_every_bit_flip_is_detected(tmp_path, suffix):
    prefix, tensors = _corruption_fixture(tmp_path)
    path = prefix + suffix
    original = open(path, "rb").read()
    unnoticed = set()
    for pos in range(len(original)):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[pos] ^= 1 << bit
            with open(path, "wb") as f:
                f.write(damaged)
            if not _read_all_or_data_loss(prefix, tensors):  # values were checked: all right
                unnoticed.add(pos)
    if suffix != ".index":
        assert not unnoticed
        return
    # Only what no reader uses may flip unnoticed: the (empty) metaindex block, which
    # TensorFlow does not read either, and the footer's metaindex handle and padding.
    footer = len(original) - leveldb_table.FOOTER_SIZE
    metaindex, _, pos = leveldb_table._decode_handle(original, footer, len(original))
    index_offset, index_size, _ = leveldb_table._decode_handle(
        original, pos, len(original))
    in_use = set(range(metaindex)) | set(range(index_offset, index_offset + index_size + 5)) \
        | set(range(len(original) - 8, len(original)))
    assert not unnoticed & in_use
    assert unnoticed <= set(range(metaindex, len(original)))
    assert len(unnoticed) < 60


@pytest.mark.parametrize("suffix", [".index", ".data-00000-of-00001"])
def test_truncation_is_detected(tmp_path, suffix):
    prefix, tensors = _corruption_fixture(tmp_path)
    path = prefix + suffix
    original = open(path, "rb").read()
    for length in range(len(original)):
        with open(path, "wb") as f:
            f.write(original[:length])
        lost = _read_all_or_data_loss(prefix, tensors)
        assert lost, length
    if suffix != ".index":  # a data file cut inside the last tensor loses only that one
        with open(path, "wb") as f:
            f.write(original[:-1])
        assert _read_all_or_data_loss(prefix, tensors) == {"z"}


def test_missing_data_file(tmp_path):
    prefix, _ = _corruption_fixture(tmp_path)
    os.remove(prefix + ".data-00000-of-00001")
    with pytest.raises(errors.NotFoundError, match="No such file"):
        BundleReader(prefix).read("a")


# ======================================================================================
# Cross-compatibility with TensorFlow (runs where tensorflow is importable: /tmp/tfvenv)
# ======================================================================================

@pytest.fixture(scope="module")
def tf1():
    tf = pytest.importorskip("tensorflow")
    return tf.compat.v1


def _tf_values(tf1, prefix):
    reader = tf1.train.NewCheckpointReader(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}


def _tf_compare(got, want):
    got = np.asarray(got)
    if np.asarray(want).dtype.kind in "OSU":
        assert [bytes(x) for x in got.reshape(-1)] == [
            x if isinstance(x, bytes) else x.encode() for x in np.asarray(want).reshape(-1)]
    else:
        assert got.dtype == np.asarray(want).dtype and got.shape == np.shape(want)
        np.testing.assert_array_equal(got, want)


def test_tensorflow_reads_our_bundle(tmp_path, tf1, monkeypatch):
    tensors = _mixed_tensors()
    tensors["bf16"] = np.array([0.5, -3.0], dtype=pytest.importorskip("ml_dtypes").bfloat16)
    write_bundle(str(tmp_path / "ours"), tensors)
    values = tf1.train.load_checkpoint(str(tmp_path / "ours"))
    assert sorted(values.get_variable_to_shape_map()) == sorted(tensors)
    for name, value in tensors.items():
        _tf_compare(values.get_tensor(name), value)
    # Several small data blocks with restart points: TensorFlow's table reader seeks through
    # our index block and prefix-compressed keys.
    monkeypatch.setattr(leveldb_table, "BLOCK_SIZE", 256)
    many = {f"scope_{i % 7}/var_{i:03d}": np.full(i % 5, i, np.int64) for i in range(300)}
    write_bundle(str(tmp_path / "many"), many)
    assert len(_data_blocks(str(tmp_path / "many.index"))) > 20
    got = _tf_values(tf1, str(tmp_path / "many"))
    assert sorted(got) == sorted(many)
    for name, value in many.items():
        _tf_compare(got[name], value)


def test_we_read_tensorflow_saver_checkpoint(tmp_path, tf1):
    inits = {"dense/kernel": _RNG.normal(size=(4, 3)).astype(np.float32),
             "dense/bias": np.zeros(3, np.float64), "step": np.int64(42),
             "counts": np.arange(5, dtype=np.int32), "flag": np.array([True, False]),
             "vocab": np.array([b"a", b"bc", b""], dtype=object),
             "half": np.arange(3, dtype=np.float16)}
    graph = tf1.Graph()
    with graph.as_default():
        variables = [tf1.Variable(value, name=name) for name, value in inits.items()]
        saver = tf1.train.Saver(variables)
        with tf1.Session(graph=graph) as sess:
            sess.run(tf1.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "tf_model"), global_step=3)
    reader = BundleReader(prefix)
    assert reader.keys() == sorted(inits)
    for name, value in inits.items():
        assert reader.entry(name) == (dtypes.as_dtype(np.asarray(value).dtype)
                                      if np.asarray(value).dtype != object else dtypes.string,
                                      np.shape(value))
        _assert_same(reader.read(name), value)


def _tf_save_v2(tf1, prefix, tensors):
    graph = tf1.Graph()
    with graph.as_default():
        names = sorted(tensors)
        op = tf1.raw_ops.SaveV2(prefix=prefix, tensor_names=names,
                                shape_and_slices=[""] * len(names),
                                tensors=[tf1.constant(tensors[n]) for n in names])
        with tf1.Session(graph=graph) as sess:
            sess.run(op)


def test_files_are_byte_identical_to_tensorflow(tmp_path, tf1):
    tensors = _mixed_tensors()
    # Long keys overflow TensorFlow's 256 KiB data blocks: index separators are compared too.
    tensors.update({f"k/{i:04d}/" + "x" * 200: np.int32(i) for i in range(1400)})
    _tf_save_v2(tf1, str(tmp_path / "theirs"), tensors)
    write_bundle(str(tmp_path / "ours"), tensors)
    assert len(_data_blocks(str(tmp_path / "ours.index"))) >= 2
    for suffix in (".index", ".data-00000-of-00001"):
        assert (tmp_path / f"ours{suffix}").read_bytes() == \
            (tmp_path / f"theirs{suffix}").read_bytes(), suffix


def test_we_read_tensorflow_multi_shard_bundle(tmp_path, tf1):
    parts = [{"a": np.arange(3.0), "c": np.int32(5)}, {"b": np.array([b"x"], dtype=object)}]
    for i, part in enumerate(parts):
        _tf_save_v2(tf1, str(tmp_path / f"part{i}"), part)
    graph = tf1.Graph()
    with graph.as_default():
        merge = tf1.raw_ops.MergeV2Checkpoints(
            checkpoint_prefixes=[str(tmp_path / "part0"), str(tmp_path / "part1")],
            destination_prefix=str(tmp_path / "merged"))
        with tf1.Session(graph=graph) as sess:
            sess.run(merge)
    assert (tmp_path / "merged.data-00001-of-00002").exists()
    reader = BundleReader(str(tmp_path / "merged"))
    assert reader.keys() == ["a", "b", "c"]
    for part in parts:
        for name, value in part.items():
            _assert_same(reader.read(name), value)
