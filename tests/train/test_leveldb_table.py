"""LevelDB-style tables (minitf.train.leveldb_table); the bundle tests cover whole files."""
import io

import pytest

from minitf.train import leveldb_table


def test_table_separators():
    assert leveldb_table._shortest_separator(b"abcd", b"abzz") == b"abd"
    assert leveldb_table._shortest_separator(b"abc", b"abd") == b"abc"  # no room
    assert leveldb_table._shortest_separator(b"ab", b"abc") == b"ab"  # prefix
    assert leveldb_table._short_successor(b"ab") == b"b"
    assert leveldb_table._short_successor(b"\xff\xffa") == b"\xff\xffb"
    assert leveldb_table._short_successor(b"\xff") == b"\xff"


def _build(entries, **options):
    out = io.BytesIO()
    builder = leveldb_table.TableBuilder(out, **options)
    for key, value in entries:
        builder.add(key, value)
    builder.finish()
    return out.getvalue()


@pytest.mark.parametrize("block_size,restart_interval", [(None, None), (64, 1), (200, 3), (1, 16)])
def test_round_trip(block_size, restart_interval):
    entries = [(b"", b"header")] + [(b"k/%05d" % i + b"\xff" * (i % 3), bytes([i % 256]) * (i % 9))
                                    for i in range(500)]
    data = _build(entries, block_size=block_size, restart_interval=restart_interval)
    assert data.endswith(leveldb_table.MAGIC.to_bytes(8, "little"))
    assert leveldb_table.read_table(data) == entries


def test_empty_table():
    data = _build([])
    assert len(data) == 2 * (8 + leveldb_table.TRAILER_SIZE) + leveldb_table.FOOTER_SIZE
    assert leveldb_table.read_table(data) == []


def test_keys_must_increase():
    builder = leveldb_table.TableBuilder(io.BytesIO())
    builder.add(b"b", b"")
    for key in (b"b", b"a"):
        with pytest.raises(ValueError, match="increasing"):
            builder.add(key, b"")


def test_damage_raises_table_corruption():
    data = _build([(b"a", b"1"), (b"b", b"2")])
    for damaged in (data[:-1], data[:10], b"", data[:5] + bytes([data[5] ^ 4]) + data[6:]):
        with pytest.raises(leveldb_table.TableCorruption):
            leveldb_table.read_table(damaged)


def test_varints():
    for value in (0, 1, 127, 128, 300, 2**32, 2**63 - 1):
        out = bytearray()
        leveldb_table.put_varint(out, value)
        assert leveldb_table.get_varint(bytes(out), 0, len(out)) == (value, len(out))
    with pytest.raises(ValueError):
        leveldb_table.get_varint(b"\x80\x80", 0, 2)
