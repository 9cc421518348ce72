"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in.

An IDX file is a 4-byte magic ``00 00 <dtype code> <ndim>``, then ``ndim`` big-endian uint32 sizes,
then the values in C order, big-endian. Files are often gzip-compressed; the reader detects that
from the gzip magic bytes ``1f 8b`` (never from the file name), the writer from a ``.gz`` suffix.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from mlpviz.core.atomic import atomic_write
from mlpviz.core.limits import MAX_IDX_BYTES

# IDX dtype code -> big-endian numpy dtype.
_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES: dict[str, int] = {dt.newbyteorder("=").str[1:]: code for code, dt in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"
_BLOCK = 1 << 20
_TRAILING_SHOWN = 1 << 20  # trailing bytes counted exactly; beyond, "more than"


class IDXError(ValueError):
    """A file or byte string is not a valid IDX file (the message names the file)."""


def read_idx(path: str | os.PathLike, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read the IDX file at `path` (raw or gzip) into a native-endian array of the stored shape.

    The header is checked before any data is read or inflated: a header declaring more than
    `max_bytes` of data (Π dims × item size) is refused, and a gzip stream is inflated only as far
    as the header declares (plus a little, to see trailing bytes), so a decompression bomb costs
    no more memory than an honest file of the size it declares.
    Raises IDXError if the contents are not a valid IDX file, OSError if the file cannot be read.
    """
    with open(path, "rb") as f:
        return _read_stream(f, str(path), max_bytes)


def read_idx_bytes(data: bytes, name: str = "<bytes>", max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Parse IDX `data` (raw or gzip), as `read_idx`; `name` only labels error messages."""
    return _read_stream(io.BytesIO(data), name, max_bytes)


def _read_stream(f: BinaryIO, name: str, max_bytes: int) -> np.ndarray:
    """The array in the (seekable) binary file `f`, raw or gzip."""
    compressed = f.read(2) == _GZIP_MAGIC
    f.seek(0)
    if not compressed:
        return _parse(f, name, max_bytes)
    try:
        with gzip.GzipFile(fileobj=f, mode="rb") as stream:
            return _parse(stream, name, max_bytes)
    except (OSError, EOFError, zlib.error) as e:
        raise IDXError(f"{name}: corrupt gzip data ({e})") from e


def _read_up_to(stream: BinaryIO, n: int) -> bytes:
    """Up to `n` bytes of `stream`: fewer only at its end. Read in blocks of at most _BLOCK, so a
    header declaring more than the file holds costs no more than what it holds (a single
    read(n) would allocate n bytes up front)."""
    parts, got = [], 0
    while got < n:
        block = stream.read(min(n - got, _BLOCK))
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _parse(stream: BinaryIO, name: str, max_bytes: int) -> np.ndarray:
    """Header, then exactly the declared data, then nothing: the array."""
    head = _read_up_to(stream, 4)
    dtype, ndim = _parse_magic(head, name)
    dims = _read_up_to(stream, 4 * ndim)
    if len(dims) < 4 * ndim:
        raise IDXError(f"{name}: truncated header: {ndim} dimensions need {4 + 4 * ndim} bytes, "
                       f"got {4 + len(dims)}")
    shape = tuple(int(d) for d in np.frombuffer(dims, dtype=">u4"))
    expected = math.prod(shape) * dtype.itemsize
    declared = math.prod(max(d, 1) for d in shape) * dtype.itemsize  # a 0 dimension too: numpy
    # refuses (0, 2**21, 2**21, 2**21) as "too big" although it holds nothing
    if declared > max_bytes:
        raise IDXError(f"{name}: the header declares shape {shape} of {dtype.name}, "
                       f"{declared:,} bytes of data; mlpviz reads at most {max_bytes:,} bytes "
                       "from this file (damaged, or not what it should be)")
    data = _read_up_to(stream, expected)
    if len(data) < expected:
        raise IDXError(f"{name}: truncated: expected {expected} bytes of data, got {len(data)}")
    trailing = len(_read_up_to(stream, _TRAILING_SHOWN + 1))
    if trailing:
        count = f"{trailing}" if trailing <= _TRAILING_SHOWN else f"more than {_TRAILING_SHOWN:,}"
        raise IDXError(f"{name}: {count} trailing bytes after the {expected} bytes of data the "
                       "header declares")
    flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape))
    return flat.reshape(shape).astype(dtype.newbyteorder("="))


def _parse_magic(head: bytes, name: str) -> tuple[np.dtype, int]:
    """(big-endian dtype, number of dimensions) from the 4-byte magic."""
    if len(head) < 4:
        raise IDXError(f"{name}: too short for an IDX header ({len(head)} bytes)")
    zero, code, ndim = head[:2], head[2], head[3]
    if zero != b"\x00\x00":
        raise IDXError(f"{name}: bad magic {head[:4].hex(' ')}: an IDX file starts with 00 00")
    if code not in _DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _DTYPES)
        raise IDXError(f"{name}: unknown dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(f"{name}: IDX header declares 0 dimensions")
    return _DTYPES[code], ndim


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode `array` (1 to 255 dimensions, a dtype IDX supports) as uncompressed IDX bytes."""
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("=").str[1:])
    if code is None:
        raise IDXError(
            f"cannot store dtype {array.dtype} in IDX; use one of uint8, int8, int16, int32, "
            "float32, float64"
        )
    if not 1 <= array.ndim <= 255:
        raise IDXError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    if max(array.shape) >= 2**32:
        raise IDXError(f"IDX dimensions must be < 2**32, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write `array` to `path` as IDX, gzip-compressed when the name ends in ``.gz``.

    The gzip stream has mtime 0, so equal arrays give identical bytes. The write is atomic and
    durable (core.atomic): a temporary file in the same folder is renamed over `path` only once
    it is complete.
    """
    path = Path(path)
    payload = idx_bytes(array)
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, compresslevel=9, mtime=0)
    atomic_write(path, lambda f: f.write(payload))
