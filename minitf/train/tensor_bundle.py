"""TensorFlow's V2 checkpoint format ("tensor bundle"): write and read.

A checkpoint with prefix P is two files:

* ``P.data-00000-of-00001``: the tensors' bytes, one after another (numeric
  tensors as raw little-endian values; string tensors as TensorFlow encodes
  them, see _encode_strings);
* ``P.index``: a LevelDB-style table (minitf.train.leveldb_table) whose ""
  key holds a BundleHeaderProto and whose other keys, the tensor names, hold
  BundleEntryProtos (dtype, shape, shard, offset, size and masked CRC-32C of
  the bytes).

Files written here are read by TensorFlow's tf.train.Saver,
tf.train.load_checkpoint and NewCheckpointReader, and checkpoints written by
TensorFlow are read here.  The API is minitf's own (TensorFlow's is the C++
BundleWriter/BundleReader):

    write_bundle(prefix, {name: array})
    reader = BundleReader(prefix); reader.keys(); reader.read(name)
    checkpoint_exists(prefix)

Departures from TensorFlow: one data shard is written (sharded checkpoints
written by TensorFlow are read); partitioned-variable slices, variant and
resource tensors are not supported; the save never creates directories
(TensorFlow's SaveV2 creates the last missing one).
"""

import errno
import glob
import os
import struct
import uuid

import numpy as np
from google.protobuf.message import DecodeError

from minitf.framework import dtypes, errors
from minitf.proto import tensor_bundle_pb2
from minitf.train import leveldb_table
from minitf.train.crc32c import crc32c, mask, unmask

# Version of the bundle format (TensorFlow's kTensorBundleVersion and friends).
_BUNDLE_VERSION = 1
_MIN_PRODUCER = 0

_U32_MAX = 0xFFFFFFFF


def index_filename(prefix):
    return f"{prefix}.index"


def data_filename(prefix, shard, num_shards):
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


# ----------------------------------------------------------------------------
# Tensor bytes


def _encode_strings(flat):
    """TensorFlow's on-disk string tensor: returns (bytes, unmasked CRC-32C).

    Layout: varint64 length of every element, a fixed32 masked CRC-32C of
    the lengths, then the elements' bytes.  The CRC of the lengths is taken
    over each length as a little-endian uint32 (uint64 when it does not
    fit), not over the varints; the entry's CRC covers those lengths, the
    length checksum's 4 bytes and the string bytes.
    """
    lengths = bytearray()
    crc = 0
    for item in flat:
        leveldb_table.put_varint(lengths, len(item))
        width = "<I" if len(item) <= _U32_MAX else "<Q"
        crc = crc32c(struct.pack(width, len(item)), crc)
    length_crc = struct.pack("<I", mask(crc))
    crc = crc32c(length_crc, crc)
    body = b"".join(flat)
    crc = crc32c(body, crc)
    return bytes(lengths) + length_crc + body, crc


def _decode_strings(buf, count):
    """Inverse of _encode_strings; returns (list of bytes, unmasked CRC) or raises ValueError."""
    buf = bytes(buf)
    lengths = []
    crc = 0
    pos = 0
    for _ in range(count):
        length, pos = leveldb_table.get_varint(buf, pos, len(buf))
        lengths.append(length)
        width = "<I" if length <= _U32_MAX else "<Q"
        crc = crc32c(struct.pack(width, length), crc)
    if pos + 4 + sum(lengths) != len(buf):
        raise ValueError("string lengths do not match the entry size")
    stored = struct.unpack_from("<I", buf, pos)[0]
    if unmask(stored) != crc:
        raise ValueError("the length checksum does not match")
    crc = crc32c(buf[pos:pos + 4], crc)
    pos += 4
    crc = crc32c(buf[pos:], crc)
    items = []
    for length in lengths:
        items.append(bytes(buf[pos:pos + length]))
        pos += length
    return items, crc


def _to_bytes_item(item):
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, (bytes, bytearray, np.bytes_)):
        return bytes(item)
    raise TypeError(f"string tensors hold bytes or str, got {type(item).__name__}")


def _serialize(value):
    """(DType, shape, bytes to write, their unmasked CRC-32C) for one tensor to save."""
    array = np.asarray(value)
    dtype = dtypes.as_dtype(array.dtype.newbyteorder("="))
    if dtype == dtypes.string:
        flat = [_to_bytes_item(x) for x in array.reshape(-1)]
        data, crc = _encode_strings(flat)
        return dtype, array.shape, data, crc
    if dtype in (dtypes.resource, dtypes.variant):
        raise errors.UnimplementedError(None, None, f"cannot save {dtype.name} tensors")
    little = array.dtype.newbyteorder("<")
    raw = np.ascontiguousarray(array, dtype=little).reshape(-1).view(np.uint8)
    return dtype, array.shape, raw, crc32c(raw)


# ----------------------------------------------------------------------------
# Writing


def _os_error(exc, message):
    cls = {
        errno.ENOENT: errors.NotFoundError,
        errno.ENOTDIR: errors.NotFoundError,
        errno.EACCES: errors.PermissionDeniedError,
        errno.EPERM: errors.PermissionDeniedError,
        errno.ENOSPC: errors.ResourceExhaustedError,
        errno.EEXIST: errors.AlreadyExistsError,
    }.get(exc.errno, errors.UnknownError)
    return cls(None, None, f"{message} : {exc.strerror or exc}")


def _create(path):
    try:
        return open(path, "xb")
    except OSError as exc:
        raise _os_error(exc, f"Failed to create a NewWriteableFile: {path}") from exc


def _close_synced(file):
    file.flush()
    os.fsync(file.fileno())
    file.close()


def _write_data(path, items):
    """Writes the tensors' bytes; returns {name: BundleEntryProto} (sorted names)."""
    entries = {}
    offset = 0
    with _create(path) as out:
        for name, value in items:
            dtype, shape, data, crc = _serialize(value)
            entry = tensor_bundle_pb2.BundleEntryProto(
                dtype=dtype.as_datatype_enum, shard_id=0, offset=offset,
                size=len(data), crc32c=mask(crc))
            entry.shape.SetInParent()
            for dim in shape:
                entry.shape.dim.add(size=dim)
            out.write(data)
            offset += len(data)
            entries[name] = entry
        _close_synced(out)
    return entries


def _write_index(path, entries):
    header = tensor_bundle_pb2.BundleHeaderProto(
        num_shards=1, endianness=tensor_bundle_pb2.BundleHeaderProto.LITTLE)
    header.version.producer = _BUNDLE_VERSION
    with _create(path) as out:
        table = leveldb_table.TableBuilder(out)
        table.add(b"", header.SerializeToString())
        for key, entry in entries.items():
            table.add(key, entry.SerializeToString())
        table.finish()
        _close_synced(out)


def _sync_directory(path):
    try:
        fd = os.open(path or ".", os.O_RDONLY)
    except OSError:
        return  # not supported on this platform; the renames are still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sorted_items(tensors):
    items = []
    for name, value in tensors.items():
        key = name.encode("utf-8", "surrogateescape") if isinstance(name, str) else bytes(name)
        if not key:
            raise errors.InvalidArgumentError(
                None, None, "The empty string is reserved for the checkpoint header")
        items.append((key, value))
    items.sort(key=lambda kv: kv[0])
    for (a, _), (b, _) in zip(items, items[1:]):
        if a == b:
            raise errors.InvalidArgumentError(None, None, f"Adding duplicate key: {a.decode()}")
    return items


def write_bundle(prefix, tensors):
    """Writes `tensors` ({name: array}) as the V2 checkpoint `prefix` (TF's BundleWriter).

    Atomic: both files are written under temporary names in the target
    directory, synced, then renamed (data first, index last), so a failure
    leaves any earlier checkpoint at `prefix` intact and no temporary behind.
    A missing directory raises NotFoundError.
    """
    prefix = os.fspath(prefix)
    items = _sorted_items(tensors)
    final_data = data_filename(prefix, 0, 1)
    final_index = index_filename(prefix)
    tag = f".tempstate{uuid.uuid4().int & ((1 << 63) - 1)}"
    temp_data, temp_index = final_data + tag, final_index + tag
    backup = None
    try:
        entries = _write_data(temp_data, items)
        _write_index(temp_index, entries)
        backup = _link_backup(final_data, temp_data + ".old")
        os.replace(temp_data, final_data)
        os.replace(temp_index, final_index)
    except BaseException as exc:
        if backup is not None and not os.path.exists(temp_data):
            # The data file was replaced but the index was not: put the old data back so the
            # old checkpoint stays readable.
            _quiet(os.replace, backup, final_data)
        for path in (temp_data, temp_index, backup):
            if path is not None:
                _quiet(os.remove, path)
        if isinstance(exc, OSError):
            raise _os_error(exc, f"Failed to write checkpoint {prefix}") from exc
        raise
    if backup is not None:
        _quiet(os.remove, backup)
    _sync_directory(os.path.dirname(prefix))


def _quiet(fn, *args):
    try:
        fn(*args)
    except OSError:
        pass


def _link_backup(path, backup):
    """Hard-links an existing `path` to `backup` (cheap, no copy); None if there is none."""
    try:
        os.link(path, backup)
    except OSError:
        return None  # no earlier checkpoint, or no hard links on this file system
    return backup


# ----------------------------------------------------------------------------
# Reading


def _data_loss(message):
    return errors.DataLossError(None, None, message)


class BundleReader:
    """Reads a V2 checkpoint (TF's BundleReader / NewCheckpointReader).

    The index is read and verified (footer magic, block CRCs, header) when
    the reader is made; each read() checks its entry's size and CRC, so
    damaged files raise DataLossError rather than give wrong values.
    """

    def __init__(self, prefix):
        self._prefix = os.fspath(prefix)
        path = index_filename(self._prefix)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise errors.NotFoundError(
                None, None, "Unsuccessful TensorSliceReader constructor: Failed to find any "
                f"matching files for {self._prefix}") from None
        except OSError as exc:
            raise _os_error(exc, f"Failed to read {path}") from exc
        try:
            table = leveldb_table.read_table(data)
        except leveldb_table.TableCorruption as exc:
            raise _data_loss(f"Unable to read file ({path}). Perhaps the file is corrupt or was "
                             f"produced by a newer version of TensorFlow with format changes "
                             f"({exc})") from None
        if not table or table[0][0] != b"":
            raise _data_loss(f"Unable to read file ({path}): failed to seek to header entry")
        header = self._parse(tensor_bundle_pb2.BundleHeaderProto, b"", table[0][1])
        self._check_header(header, path)
        self._num_shards = header.num_shards
        self._big_endian = header.endianness == tensor_bundle_pb2.BundleHeaderProto.BIG
        self._raw = {key: value for key, value in table[1:]}
        self._keys = [key.decode("utf-8", "surrogateescape") for key, _ in table[1:]]

    @staticmethod
    def _parse(message_type, key, value):
        try:
            return message_type.FromString(value)
        except DecodeError:
            name = key.decode("utf-8", "replace")
            raise _data_loss(f"Entry for key {name} not parseable.") from None

    @staticmethod
    def _check_header(header, path):
        version = header.version
        if version.producer < _MIN_PRODUCER or version.min_consumer > _BUNDLE_VERSION \
                or _BUNDLE_VERSION in version.bad_consumers:
            raise errors.InvalidArgumentError(
                None, None, f"Checkpoint {path} has an unsupported format version "
                f"(producer {version.producer}, min consumer {version.min_consumer})")
        if header.num_shards < 1:
            raise _data_loss(f"Unable to read file ({path}): bad number of shards "
                             f"{header.num_shards}")

    # -- metadata -------------------------------------------------------------

    @property
    def prefix(self):
        return self._prefix

    def keys(self):
        """The saved tensor names, sorted (the header key "" excluded)."""
        return list(self._keys)

    def has(self, name):
        return self._key(name) in self._raw

    def _key(self, name):
        return name.encode("utf-8", "surrogateescape")

    def _entry(self, name):
        key = self._key(name)
        if not key or key not in self._raw:
            raise errors.NotFoundError(None, None, f"Key {name} not found in checkpoint")
        entry = self._parse(tensor_bundle_pb2.BundleEntryProto, key, self._raw[key])
        if any(dim.size < 0 for dim in entry.shape.dim) or entry.shape.unknown_rank:
            raise _data_loss(f"Invalid tensor shape: {name}")
        return entry

    def entry(self, name):
        """(minitf DType, shape tuple) of the saved tensor `name`."""
        entry = self._entry(name)
        return self._dtype(entry, name), tuple(dim.size for dim in entry.shape.dim)

    def _dtype(self, entry, name):
        try:
            return dtypes.as_dtype(entry.dtype)
        except TypeError:
            raise _data_loss(f"Invalid dtype {entry.dtype} for key {name}") from None

    # -- values ---------------------------------------------------------------

    def read(self, name):
        """The saved tensor `name` as a new NumPy array (object array of bytes for strings)."""
        entry = self._entry(name)
        dtype = self._dtype(entry, name)
        shape = tuple(dim.size for dim in entry.shape.dim)
        count = int(np.prod(shape, dtype=np.int64))
        if entry.slices:
            raise errors.UnimplementedError(
                None, None, f"{name} is a partitioned variable; reading slices is not supported")
        if dtype in (dtypes.resource, dtypes.variant) or dtype.is_ref_dtype:
            raise errors.UnimplementedError(None, None, f"cannot read {dtype.name} tensor {name}")
        if dtype == dtypes.bfloat16 and not dtype.is_numpy_compatible:
            raise errors.UnimplementedError(
                None, None, f"reading bfloat16 tensor {name} needs the ml_dtypes package")
        if dtype != dtypes.string:
            expected = count * np.dtype(dtype.as_numpy_dtype).itemsize
            if entry.size != expected:
                raise _data_loss(f"Invalid size in bundle entry: key {name}; stored size "
                                 f"{entry.size}; expected size {expected}")
        elif entry.size < count + 4:
            raise _data_loss(f"Invalid size in bundle entry: key {name}; stored size "
                             f"{entry.size}; expected size is at least {count + 4}")
        buf = self._read_bytes(entry, name)
        if dtype == dtypes.string:
            try:
                items, actual = _decode_strings(buf, count)
            except ValueError as exc:
                raise _data_loss(f"Unable to read string tensor {name}: {exc}") from None
        else:
            actual = crc32c(buf)
        if actual != unmask(entry.crc32c):
            raise _data_loss(
                f"TensorBundle at {self._prefix} shard {entry.shard_id} ({entry.size} bytes): "
                f"Checksum does not match: stored {unmask(entry.crc32c):08d} vs. calculated on "
                f"the restored bytes {actual} (key {name})")
        if dtype == dtypes.string:
            result = np.empty(count, dtype=object)
            result[:] = items
            return result.reshape(shape)
        np_dtype = np.dtype(dtype.as_numpy_dtype)
        if np_dtype.itemsize > 1:
            np_dtype = np_dtype.newbyteorder(">" if self._big_endian else "<")
        array = buf.view(np_dtype).reshape(shape)
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        return array

    def _read_bytes(self, entry, name):
        if not 0 <= entry.shard_id < self._num_shards:
            raise _data_loss(f"Invalid shard {entry.shard_id} for key {name}")
        path = data_filename(self._prefix, entry.shard_id, self._num_shards)
        try:
            with open(path, "rb") as f:
                end = entry.offset + entry.size
                # Check the range before allocating: a damaged size must not cost memory.
                if entry.offset < 0 or end > os.fstat(f.fileno()).st_size:
                    raise _data_loss(f"Data file {path} is truncated or the entry is damaged: "
                                     f"key {name} needs bytes [{entry.offset}, {end})")
                buf = np.empty(entry.size, dtype=np.uint8)
                f.seek(entry.offset)
                got = f.readinto(memoryview(buf)) if entry.size else 0
        except FileNotFoundError:
            raise errors.NotFoundError(None, None, f"{path}; No such file or directory") from None
        except OSError as exc:
            raise _os_error(exc, f"Failed to read {path}") from exc
        if got != entry.size:
            raise _data_loss(f"Data file {path} changed while key {name} was read")
        return buf


def checkpoint_exists(prefix):
    """TF1's tf.train.checkpoint_exists: a V2 index, or a V1 file, exists at `prefix`."""
    prefix = os.fspath(prefix)
    return bool(glob.glob(index_filename(prefix)) or glob.glob(prefix))
