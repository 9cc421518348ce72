"""Files written atomically: a temporary file beside the target, then a rename, so a crash (or a
full disk) never leaves half a file behind and the old file stays until the new one is whole.
Used by the model files and the trace files alike."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


def check_target(path) -> Path:
    """`path` as a Path if a file can be written there (checked by creating and removing a
    temporary file beside it), else OSError whose filename is `path` and whose strerror says why:
    a folder, a device or pipe (never replaced), a missing or unwritable folder."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, "exists and is not a regular file (a device or a pipe)",
                      str(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {path.parent} does not exist",
                                str(path))
    fd, tmp = _mkstemp(path)
    os.close(fd)
    os.unlink(tmp)
    return path


def _mkstemp(path: Path) -> tuple[int, str]:
    """A temporary file beside `path`; OSError naming `path` (not the temporary) on failure."""
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OSError(e.errno, f"cannot create a file in {path.parent} ({e.strerror})",
                      str(path)) from None


def atomic_write(path, write: Callable[[BinaryIO], object]) -> None:
    """Call write(binary file) on a temporary file beside `path`, then os.replace it onto `path`.
    Refuses a folder or an existing non-regular file; an OSError names `path`, not the temporary."""
    path = Path(path)
    if path.is_dir() or (path.exists() and not path.is_file()):
        check_target(path)  # raises, saying why
    fd, tmp = _mkstemp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None and e.filename != str(path):
            raise OSError(e.errno, e.strerror or str(e), str(path)) from None
        raise
