"""Reading NumPy .npz archives without trusting them: every member's .npy header (shape, dtype) is
read first, from the first bytes of the member, and checked against what the zip says it stores
and against the caller's limits BEFORE any data is inflated. A decompression bomb (a small file
declaring a huge array) is refused from its header, never read.

    with NpzArchive(path) as archive:       # headers only; NpzError if damaged
        archive.members["W0"].shape         # (16, 784), declared
        W0 = archive.read("W0")             # the data, exactly the declared size

Every failure is one `NpzError` naming the file; callers (model files, imports, traces) turn it
into their own error type.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAX_MEMBERS = 4096  # a model of 2,000 layers; anything beyond is not an mlpviz file


class NpzError(ValueError):
    """A .npz archive that is damaged, not made of .npy arrays, or declares too much."""


def elements(shape) -> int:
    """Number of entries of an array of `shape` (1 for a scalar)."""
    return math.prod(int(s) for s in shape)


@dataclass(frozen=True)
class Member:
    """One .npy member as its header declares it: key (file name without .npy), shape, dtype,
    fortran order; `start` is where the data begins inside the member."""

    key: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool
    start: int
    info: zipfile.ZipInfo

    @property
    def nbytes(self) -> int:
        """Bytes of data the header declares: Π shape × item size."""
        return elements(self.shape) * self.dtype.itemsize


def _npy_header(f, key: str, path) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, fortran order, dtype) from the header of one .npy member, read without its data."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise NpzError(f"{path}: '{key}' is a .npy array of version {version}, which mlpviz "
                       "does not read")
    if dtype.hasobject:
        raise NpzError(f"{path}: '{key}' holds Python objects (pickled data is never loaded)")
    return tuple(int(s) for s in shape), bool(fortran), dtype


class NpzArchive:
    """An open .npz whose members' headers have been read and checked (see the module docstring).
    `what` names the kind of file in messages ("model file", "trace file")."""

    def __init__(self, path, what: str = "model file"):
        self.path, self.what = Path(path), what
        self._zip: zipfile.ZipFile | None = None
        if self.path.exists() and not self.path.is_file() and not self.path.is_dir():
            raise NpzError(f"{self.path}: not a regular file (a pipe or a device), not a {what}")
        try:
            self._zip = zipfile.ZipFile(self.path)
            self.members = self._headers()
        except NpzError:
            self.close()
            raise
        except BaseException as e:
            self.close()
            raise self._damaged(e) from None

    def _headers(self) -> dict[str, Member]:
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise NpzError(f"{self.path}: {len(infos):,} members; a {self.what} has at most "
                           f"{MAX_MEMBERS:,}")
        members = {}
        for info in infos:
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            with self._zip.open(info) as f:
                try:
                    shape, fortran, dtype = _npy_header(f, key, self.path)
                except NpzError:
                    raise
                except Exception as e:  # noqa: BLE001 - numpy's header parser (ast, tokenize
                    # …) may raise anything on garbage: all of it means "not an array"
                    raise NpzError(f"{self.path}: '{info.filename}' is not a NumPy array (.npy): "
                                   f"not a {self.what}, or damaged ({e})") from None
                start = f.tell()
            member = Member(key, shape, dtype, fortran, start, info)
            if any(s < 0 for s in shape) or info.file_size != start + member.nbytes:
                raise NpzError(f"{self.path}: '{key}' declares shape {shape} of {dtype}, which "
                               "does not match the bytes stored (damaged or hand-edited)")
            members[key] = member
        return members

    def _damaged(self, e: BaseException) -> NpzError:
        if isinstance(e, FileNotFoundError):
            return NpzError(f"{self.path}: no such file")
        if isinstance(e, IsADirectoryError):
            return NpzError(f"{self.path}: is a folder, not a {self.what}")
        if isinstance(e, (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                          KeyError, NotImplementedError, struct.error, SyntaxError,
                          RuntimeError)):
            return NpzError(f"{self.path}: not a {self.what} (a NumPy .npz archive), or damaged "
                            f"({type(e).__name__}: {e})")
        raise e

    def check_budget(self, limit: int) -> None:
        """Refuse when the members declare more than `limit` numbers in all."""
        total = sum(elements(m.shape) for m in self.members.values())
        if total > limit:
            raise NpzError(f"{self.path}: declares {total:,} numbers; mlpviz reads at most "
                           f"{limit:,} from one {self.what}")

    def read(self, key: str) -> np.ndarray:
        """The data of member `key`, exactly its declared size (the zip's CRC is checked)."""
        m = self.members[key]
        try:
            with self._zip.open(m.info) as f:
                f.read(m.start)
                data = f.read(m.nbytes)
                f.read()  # the end of the member: zipfile checks its CRC here
            if len(data) != m.nbytes:
                raise EOFError(f"{m.info.filename} is truncated")
        except BaseException as e:
            raise self._damaged(e) from None
        array = np.frombuffer(data, dtype=m.dtype).copy()
        return array.reshape(m.shape[::-1]).T if m.fortran else array.reshape(m.shape)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> "NpzArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_npz(path, limit: int, what: str = "model file") -> dict[str, np.ndarray]:
    """Every array of a .npz archive, after checking each member's declared shape against its
    stored size and all shapes together against `limit` numbers."""
    with NpzArchive(path, what) as archive:
        archive.check_budget(limit)
        return {key: archive.read(key) for key in archive.members}
