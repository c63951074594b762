"""CRC-32C (Castagnoli) in pure Python/NumPy, for checkpoint and event files.

TensorFlow checksums its V2 checkpoints (tensor bundles, their LevelDB-style
index tables) and its event records with CRC-32C and stores the "masked"
form.  Both are provided here:

    value = crc32c(data)            # TF's crc32c::Value
    value = crc32c(more, value)     # TF's crc32c::Extend
    mask(value), unmask(masked)     # TF's crc32c::Mask / Unmask

Speed: a byte-at-a-time loop in Python runs at a few MB/s, too slow for
multi-hundred-megabyte checkpoints.  Large inputs are therefore cut into
many equal "lanes" whose CRCs are computed side by side with NumPy (8 bytes
per step, using 16-bit lookup tables), then folded together with the CRC
combination rule  crc(A + B) = shift(crc(A), len(B)) ^ crc(B),  where
shift(c, n) multiplies c by x^(8n) modulo the polynomial.  That reaches
roughly 200-250 MB/s on one core.
"""

import functools

import numpy as np

# Reflected Castagnoli polynomial.
_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF

# Inputs shorter than this use the plain byte loop (no NumPy set-up cost).
_SMALL = 2048
# Lane length bounds (bytes, multiples of 8) and the target number of lanes.
_MIN_LANE = 64
_MAX_LANE = 16384
_TARGET_LANES = 256


# ----------------------------------------------------------------------------
# Tables


def _byte_table():
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(_POLY), table >> 1)
    return table.astype(np.uint32)


_TABLE8 = _byte_table()
_TABLE8_LIST = _TABLE8.tolist()


def _shift_zero_bytes(registers, count):
    """Feeds `count` zero bytes through each CRC register (vectorized)."""
    for _ in range(count):
        registers = (registers >> np.uint32(8)) ^ _TABLE8[registers & np.uint32(0xFF)]
    return registers


def _halfword_tables():
    # _TABLE16[h][v]: the register after feeding the 16-bit value v (as the
    # register's low half) through the remaining 4 - h halfwords of an 8-byte
    # step.  Position 0 is farthest from the end of the step.
    tables = [_shift_zero_bytes(np.arange(65536, dtype=np.uint32), 2)]
    for _ in range(3):
        tables.append(_shift_zero_bytes(tables[-1], 2))
    return tables[::-1]


_TABLE16 = None  # built on first large input (1 MiB, ~10 ms)


# ----------------------------------------------------------------------------
# GF(2) arithmetic modulo the polynomial (reflected bit order)


def _multmodp(a, b):
    """a * b modulo the CRC polynomial; x^0 is bit 31 (reflected)."""
    product = 0
    bit = 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _x_pow_8n(nbytes):
    """x^(8 * nbytes) modulo the polynomial."""
    result = 1 << 31  # x^0
    square = 1 << 30  # x^1
    exponent = 8 * nbytes
    while exponent:
        if exponent & 1:
            result = _multmodp(square, result)
        square = _multmodp(square, square)
        exponent >>= 1
    return result


@functools.lru_cache(maxsize=64)
def _shift_tables(nbytes):
    """Four 256-entry tables applying shift(c, nbytes) one byte of c at a time."""
    factor = _x_pow_8n(nbytes)
    tables = np.zeros((4, 256), dtype=np.uint32)
    for k in range(4):
        table = np.zeros(1, dtype=np.uint32)
        for bit in range(8):
            image = np.uint32(_multmodp(factor, 1 << (8 * k + bit)))
            table = np.concatenate([table, table ^ image])
        tables[k] = table
    return tables


def _shift(registers, nbytes):
    """shift(c, nbytes) for a vector of registers: c as if followed by zeros."""
    t = _shift_tables(nbytes)
    return (t[0][registers & 0xFF] ^ t[1][(registers >> 8) & 0xFF]
            ^ t[2][(registers >> 16) & 0xFF] ^ t[3][registers >> 24])


# ----------------------------------------------------------------------------
# Register updates


def _update_bytes(register, data):
    table = _TABLE8_LIST
    for byte in data:
        register = table[(register ^ byte) & 0xFF] ^ (register >> 8)
    return register


def _update_lanes(register, flat, lane):
    """Feeds flat[:n_lanes * lane] through `register`; returns it and the bytes used."""
    global _TABLE16
    if _TABLE16 is None:
        _TABLE16 = _halfword_tables()
    t0, t1, t2, t3 = _TABLE16
    n_lanes = len(flat) // lane
    grid = flat[:n_lanes * lane].reshape(n_lanes, lane)
    halves = grid.view("<u2")
    words = grid.view("<u4")
    crc = np.zeros(n_lanes, dtype=np.uint32)
    crc[0] = register
    acc = np.empty_like(crc)
    tmp = np.empty_like(crc)
    idx = np.empty_like(crc)
    for step in range(lane // 8):
        np.bitwise_xor(crc, words[:, 2 * step], out=crc)
        np.bitwise_and(crc, 0xFFFF, out=idx)
        np.take(t0, idx, out=acc)
        np.right_shift(crc, 16, out=idx)
        np.take(t1, idx, out=tmp)
        acc ^= tmp
        np.take(t2, halves[:, 4 * step + 2], out=tmp)
        acc ^= tmp
        np.take(t3, halves[:, 4 * step + 3], out=tmp)
        acc ^= tmp
        crc, acc = acc, crc
    # Fold the lanes pairwise.  Zero lanes in front (register 0, as if a
    # stretch of zero bytes fed into a zero register) make the count a power
    # of two without changing the result.
    padded = 1 << (n_lanes - 1).bit_length()
    crc = np.concatenate([np.zeros(padded - n_lanes, np.uint32), crc])
    span = lane
    while len(crc) > 1:
        crc = _shift(crc[0::2], span) ^ crc[1::2]
        span *= 2
    return int(crc[0]), n_lanes * lane


def _as_bytes(data):
    if isinstance(data, np.ndarray):
        return np.ascontiguousarray(data).reshape(-1).view(np.uint8)
    return np.frombuffer(data, dtype=np.uint8)


# ----------------------------------------------------------------------------
# Public API


def crc32c(data, crc=0):
    """CRC-32C of `data` (bytes-like or NumPy array), extending `crc`.

    crc32c(b + c) == crc32c(c, crc32c(b)), like TF's crc32c::Extend.
    """
    register = (crc ^ _U32) & _U32
    n = len(data) if not isinstance(data, np.ndarray) else data.nbytes
    if n < _SMALL:
        if isinstance(data, np.ndarray):
            data = _as_bytes(data).tobytes()
        return _update_bytes(register, data) ^ _U32
    flat = _as_bytes(data)
    lane = max(_MIN_LANE, min(_MAX_LANE, n // _TARGET_LANES // 8 * 8))
    register, used = _update_lanes(register, flat, lane)
    register = _update_bytes(register, flat[used:].tobytes())
    return register ^ _U32


def mask(crc):
    """TF's crc32c::Mask: rotate right by 15 bits and add a constant."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & _U32


def unmask(masked):
    """Inverse of mask()."""
    rot = (masked - _MASK_DELTA) & _U32
    return ((rot >> 17) | (rot << 15)) & _U32


def masked_crc32c(data):
    """mask(crc32c(data)): the form TF stores in files."""
    return mask(crc32c(data))
