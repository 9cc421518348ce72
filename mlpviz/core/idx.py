"""Read and write IDX files, the format MNIST and Fashion-MNIST ship in.

An IDX file is a 4-byte magic ``00 00 <dtype code> <ndim>``, then ``ndim`` big-endian uint32 sizes,
then the values in C order, big-endian. Files are often gzip-compressed; the reader detects that
from the gzip magic bytes ``1f 8b`` (never from the file name), the writer from a ``.gz`` suffix.
"""

from __future__ import annotations

import gzip
import math
import os
import tempfile
import zlib
from pathlib import Path

import numpy as np

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


class IDXError(ValueError):
    """A file or byte string is not a valid IDX file (the message names the file)."""


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read the IDX file at `path` (raw or gzip) into a native-endian array of the stored shape.

    Raises IDXError if the contents are not a valid IDX file, OSError if the file cannot be read.
    """
    return read_idx_bytes(Path(path).read_bytes(), name=str(path))


def read_idx_bytes(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse IDX `data` (raw or gzip); `name` only labels error messages."""
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, name)
    dtype, shape, offset = _parse_header(data, name)
    expected = math.prod(shape) * dtype.itemsize
    got = len(data) - offset
    if got < expected:
        raise IDXError(f"{name}: truncated: expected {expected} bytes of data, got {got}")
    if got > expected:
        raise IDXError(
            f"{name}: {got - expected} trailing bytes: expected {expected} bytes of data, got {got}"
        )
    flat = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=offset)
    return flat.reshape(shape).astype(dtype.newbyteorder("="))


def _gunzip(data: bytes, name: str) -> bytes:
    """Decompress gzip `data`, turning every decoder failure into an IDXError."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise IDXError(f"{name}: corrupt gzip data ({e})") from e


def _parse_header(data: bytes, name: str) -> tuple[np.dtype, tuple[int, ...], int]:
    """Validate the header; return (big-endian dtype, shape, offset of the first value)."""
    if len(data) < 4:
        raise IDXError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    zero, code, ndim = data[:2], data[2], data[3]
    if zero != b"\x00\x00":
        raise IDXError(f"{name}: bad magic {data[:4].hex(' ')}: an IDX file starts with 00 00")
    if code not in _DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _DTYPES)
        raise IDXError(f"{name}: unknown dtype code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise IDXError(f"{name}: IDX header declares 0 dimensions")
    offset = 4 + 4 * ndim
    if len(data) < offset:
        raise IDXError(
            f"{name}: truncated header: {ndim} dimensions need {offset} bytes, got {len(data)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    return _DTYPES[code], shape, offset


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

    The gzip stream has mtime 0, so equal arrays give identical bytes. The write is atomic: a
    temporary file in the same folder is renamed over `path` only once it is complete.
    """
    path = Path(path)
    payload = idx_bytes(array)
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, compresslevel=9, mtime=0)
    _write_atomic(path, payload)


def _write_atomic(path: Path, payload: bytes) -> None:
    """Write `payload` to a temporary sibling of `path`, fsync it, then rename it onto `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
