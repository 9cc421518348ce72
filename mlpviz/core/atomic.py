"""Files written atomically and durably: a temporary file beside the target, written, flushed and
fsync'ed, then renamed onto the target and the folder fsync'ed, so a crash, a power cut or a full
disk never leaves half a file behind and the old file stays until the new one is whole. Used by
the model files, the trace files and the IDX writer alike.

- The new file gets the old file's permissions, or (a new file) 0666 less the umask, as any
  program's new files do; never the temporary's 0600.
- Saving over a symbolic link writes the file the link points to; the link stays a link.
- The temporary is `.NAME.XXXXXXXX.tmp` beside the target. It is removed when the write fails or
  is interrupted (Ctrl-C); one left behind by a killed process (SIGKILL, power cut) is removed
  by the next save to that folder once it is STALE_TEMP_SECONDS old (only ours: by the name
  pattern of the file being saved).
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
import time
from pathlib import Path
from typing import BinaryIO, Callable

STALE_TEMP_SECONDS = 15 * 60  # no save takes this long; a younger temporary may be another save's


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
    target = _target(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {target.parent} does not exist",
                                str(path))
    fd, tmp = _mkstemp(target, path)
    os.close(fd)
    os.unlink(tmp)
    return path


def _target(path: Path) -> Path:
    """The file a write to `path` replaces: the end of its chain of symbolic links."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _mkstemp(target: Path, path: Path) -> tuple[int, str]:
    """A temporary file beside `target`; OSError naming `path` (not the temporary) on failure."""
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise OSError(e.errno, f"cannot create a file in {target.parent} ({e.strerror})",
                      str(path)) from None


def temp_pattern(name: str) -> re.Pattern:
    """The names of the temporaries `atomic_write` makes for a file called `name`."""
    return re.compile(rf"\.{re.escape(name)}\.[A-Za-z0-9_]{{8}}\.tmp")


def remove_stale_temporaries(target: Path, age: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporaries of earlier saves to `target` (by the name pattern) that are older
    than `age` seconds: litter of a process killed mid-save. Returns those removed; a file that
    cannot be removed is left alone."""
    pattern, now, removed = temp_pattern(target.name), time.time(), []
    try:
        candidates = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return removed
    for p in candidates:
        try:
            if p.is_file() and not p.is_symlink() and now - p.stat().st_mtime > age:
                p.unlink()
                removed.append(p)
        except OSError:
            pass
    return removed


def new_file_mode(target: Path) -> int:
    """The permissions a new version of `target` gets: the existing file's, else 0666 less the
    process's umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux's
    /proc/self/status); else set and restored at once."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (where the system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path, write: Callable[[BinaryIO], object]) -> None:
    """Call write(binary file) on a temporary file beside `path` (beside the file it links to, for
    a symbolic link), fsync it, give it the mode of `new_file_mode`, os.replace it onto the target
    and fsync the folder. Refuses a folder or an existing non-regular file; an OSError names
    `path`, not the temporary. Stale temporaries of earlier saves are removed first."""
    path = Path(path)
    if path.is_dir() or (path.exists() and not path.is_file()):
        check_target(path)  # raises, saying why
    target = _target(path)
    remove_stale_temporaries(target)
    mode = new_file_mode(target)
    fd, tmp = _mkstemp(target, path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
        os.replace(tmp, target)
        _fsync_folder(target.parent)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None and e.filename != str(path):
            raise OSError(e.errno, e.strerror or str(e), str(path)) from None
        raise
