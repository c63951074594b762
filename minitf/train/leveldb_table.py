"""LevelDB-style sorted string tables: the format of a V2 checkpoint's .index.

TensorFlow's tensorflow/core/lib/io/table_builder (a copy of LevelDB's table
format, without filter blocks) writes a file of

    data block 0 | trailer | ... | data block N | trailer
    metaindex block | trailer | index block | trailer | footer (48 bytes)

* A block is a run of entries  varint(shared) varint(non_shared)
  varint(value_len) key[shared:] value,  where `shared` is the length of the
  prefix the key has in common with the previous key.  Every
  `restart_interval` entries the prefix compression restarts (shared = 0);
  the block ends with the offsets of those restart points (fixed32 each)
  and their count (fixed32).
* A trailer is one compression-type byte (0 = none; minitf neither writes
  nor reads Snappy) and the masked CRC-32C of block + type byte (fixed32).
* The index block maps, for every data block, a key >= the block's last key
  and < the next block's first key to the block's handle
  varint(offset) varint(size).  The metaindex block is empty.
* The footer holds the metaindex and index handles, zero-padded to 40
  bytes, then the magic number 0xdb4775248b80fb57 (fixed64).

All integers are little-endian.  Keys are compared as raw bytes.
"""

import struct

from minitf.framework import errors
from minitf.train.crc32c import crc32c, mask, unmask

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
TRAILER_SIZE = 5
# TensorFlow's table::Options defaults.
BLOCK_SIZE = 262144
RESTART_INTERVAL = 16


# ----------------------------------------------------------------------------
# Varints


def put_varint(out, value):
    """Appends the unsigned LEB128 varint encoding of `value` to bytearray `out`."""
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def get_varint(buf, pos, end):
    """Decodes a varint at buf[pos:end]; returns (value, new_pos) or raises ValueError."""
    value = 0
    shift = 0
    while pos < end and shift <= 63:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise ValueError("bad varint")


# ----------------------------------------------------------------------------
# Writing


def _shortest_separator(start, limit):
    """A short key k with start <= k < limit (LevelDB's FindShortestSeparator)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n and start[i] < 0xFF and start[i] + 1 < limit[i]:
        return start[:i] + bytes([start[i] + 1])
    return start


def _short_successor(key):
    """A short key k >= key (LevelDB's FindShortSuccessor)."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


class _BlockBuilder:
    def __init__(self, restart_interval):
        self._interval = restart_interval
        self.reset()

    def reset(self):
        self._buf = bytearray()
        self._restarts = [0]
        self._count = 0
        self._last_key = b""
        self.empty = True

    def add(self, key, value):
        shared = 0
        if self._count < self._interval:
            limit = min(len(key), len(self._last_key))
            while shared < limit and key[shared] == self._last_key[shared]:
                shared += 1
        else:
            self._restarts.append(len(self._buf))
            self._count = 0
        put_varint(self._buf, shared)
        put_varint(self._buf, len(key) - shared)
        put_varint(self._buf, len(value))
        self._buf += key[shared:]
        self._buf += value
        self._last_key = key
        self._count += 1
        self.empty = False

    def size_estimate(self):
        return len(self._buf) + 4 * len(self._restarts) + 4

    def finish(self):
        tail = struct.pack(f"<{len(self._restarts) + 1}I", *self._restarts, len(self._restarts))
        return bytes(self._buf) + tail


def _encode_handle(offset, size):
    out = bytearray()
    put_varint(out, offset)
    put_varint(out, size)
    return bytes(out)


class TableBuilder:
    """Writes a table to the binary file object `file`; add keys in increasing byte order."""

    def __init__(self, file, block_size=None, restart_interval=None):
        self._file = file
        self._block_size = block_size or BLOCK_SIZE
        self._offset = 0
        self._data = _BlockBuilder(restart_interval or RESTART_INTERVAL)
        self._index = _BlockBuilder(1)
        self._last_key = None
        self._pending_handle = None  # handle of a flushed block awaiting its index key

    def add(self, key, value):
        if self._last_key is not None and key <= self._last_key:
            raise ValueError(f"table keys must be added in increasing order: {key!r}")
        if self._pending_handle is not None:
            self._index.add(_shortest_separator(self._last_key, key), self._pending_handle)
            self._pending_handle = None
        self._data.add(key, value)
        self._last_key = key
        if self._data.size_estimate() >= self._block_size:
            self._flush()

    def _flush(self):
        if self._data.empty:
            return
        self._pending_handle = self._write_block(self._data.finish())
        self._data.reset()

    def _write_block(self, contents):
        trailer = b"\x00" + struct.pack("<I", mask(crc32c(b"\x00", crc32c(contents))))
        self._file.write(contents)
        self._file.write(trailer)
        handle = _encode_handle(self._offset, len(contents))
        self._offset += len(contents) + TRAILER_SIZE
        return handle

    def finish(self):
        self._flush()
        metaindex_handle = self._write_block(_BlockBuilder(1).finish())
        if self._pending_handle is not None:
            self._index.add(_short_successor(self._last_key), self._pending_handle)
            self._pending_handle = None
        index_handle = self._write_block(self._index.finish())
        footer = (metaindex_handle + index_handle).ljust(FOOTER_SIZE - 8, b"\x00")
        self._file.write(footer + struct.pack("<Q", MAGIC))


# ----------------------------------------------------------------------------
# Reading


class TableCorruption(Exception):
    """The table is damaged; the message says where.  Callers turn it into DataLossError."""


def _decode_handle(buf, pos, end):
    offset, pos = get_varint(buf, pos, end)
    size, pos = get_varint(buf, pos, end)
    return offset, size, pos


def _read_block(data, offset, size, what):
    end = offset + size + TRAILER_SIZE
    if offset < 0 or end > len(data) - FOOTER_SIZE:
        raise TableCorruption(f"{what} block at offset {offset} (size {size}) is outside the file")
    contents = data[offset:offset + size]
    kind = data[offset + size]
    stored = struct.unpack_from("<I", data, offset + size + 1)[0]
    if crc32c(bytes([kind]), crc32c(contents)) != unmask(stored):
        raise TableCorruption(f"block checksum mismatch in {what} block at offset {offset}")
    if kind != 0:
        raise errors.UnimplementedError(
            None, None, f"compressed table blocks (type {kind}) are not supported")
    return contents


def _block_entries(block, what):
    """Yields (key, value) for every entry of a block, checking its structure."""
    size = len(block)
    if size < 4:
        raise TableCorruption(f"{what} block too short")
    num_restarts = struct.unpack_from("<I", block, size - 4)[0]
    limit = size - 4 - 4 * num_restarts
    if num_restarts == 0 or limit < 0:
        raise TableCorruption(f"bad restart array in {what} block")
    pos = 0
    key = b""
    while pos < limit:
        try:
            shared, pos = get_varint(block, pos, limit)
            non_shared, pos = get_varint(block, pos, limit)
            value_len, pos = get_varint(block, pos, limit)
        except ValueError:
            raise TableCorruption(f"bad entry in {what} block") from None
        if shared > len(key) or pos + non_shared + value_len > limit:
            raise TableCorruption(f"bad entry in {what} block")
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        yield key, block[pos:pos + value_len]
        pos += value_len


def read_table(data):
    """Parses a whole table held in `data` (bytes); returns a list of (key, value).

    Checks the footer magic, every block's CRC and the ordering of keys;
    raises TableCorruption on any damage.
    """
    if len(data) < FOOTER_SIZE:
        raise TableCorruption(f"file is too short ({len(data)} bytes) to be an sstable")
    footer = len(data) - FOOTER_SIZE
    if struct.unpack_from("<Q", data, len(data) - 8)[0] != MAGIC:
        raise TableCorruption("not an sstable (bad magic number)")
    try:
        _, _, pos = _decode_handle(data, footer, len(data) - 8)  # metaindex: unused
        index_offset, index_size, _ = _decode_handle(data, pos, len(data) - 8)
    except ValueError:
        raise TableCorruption("bad block handle in footer") from None
    index = _read_block(data, index_offset, index_size, "index")
    entries = []
    for index_key, handle in _block_entries(index, "index"):
        try:
            offset, size, end = _decode_handle(handle, 0, len(handle))
        except ValueError:
            raise TableCorruption("bad block handle in index block") from None
        block = _read_block(data, offset, size, "data")
        for key, value in _block_entries(block, "data"):
            if (entries and key <= entries[-1][0]) or key > index_key:
                raise TableCorruption(f"keys out of order near {key!r}")
            entries.append((key, value))
    return entries
