"""CRC-32C (minitf.train.crc32c): known values, and the NumPy lanes against the byte loop."""
import numpy as np
import pytest

from minitf.train import crc32c as crc_mod

_RNG = np.random.default_rng(5)


def test_crc32c_known_values():
    # RFC 3720 (iSCSI) test vectors and the usual check value.
    assert crc_mod.crc32c(b"123456789") == 0xE3069283
    assert crc_mod.crc32c(bytes(32)) == 0x8A9136AA
    assert crc_mod.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert crc_mod.crc32c(bytes(range(32))) == 0x46DD794E
    assert crc_mod.crc32c(b"") == 0
    assert crc_mod.mask(0) == 0xA282EAD8


@pytest.mark.parametrize("size", [1, 2047, 2048, 2049, 4099, 65553, 300001, 1 << 21])
def test_crc32c_lanes_match_byte_loop(size):
    data = _RNG.integers(0, 256, size, dtype=np.uint8).tobytes()
    expected = crc_mod._update_bytes(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    assert crc_mod.crc32c(data) == expected
    assert crc_mod.crc32c(np.frombuffer(data, np.uint8)) == expected
    cut = size // 3
    assert crc_mod.crc32c(data[cut:], crc_mod.crc32c(data[:cut])) == expected
    assert crc_mod.unmask(crc_mod.mask(expected)) == expected


def test_crc32c_of_arrays_is_crc_of_their_bytes():
    values = _RNG.normal(size=(300, 7)).astype(np.float32)
    assert crc_mod.crc32c(values) == crc_mod.crc32c(values.tobytes())
    strided = values[:, ::2]  # not contiguous: the C-order bytes are checksummed
    assert crc_mod.crc32c(strided) == crc_mod.crc32c(strided.tobytes())
    assert crc_mod.masked_crc32c(b"abc") == crc_mod.mask(crc_mod.crc32c(b"abc"))
