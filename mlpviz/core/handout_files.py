"""Writing a handout (`core.handout`) to disk, never half: an .html page is one atomic write
(`core.atomic`); a .md page is written after its pictures, which go into a folder beside it
(lesson.md → lesson_files/) built under a temporary name and renamed into place whole.

A folder of that name that holds anything but an earlier handout's pictures is never replaced
(the user's files are not ours to delete): the write is refused, saying so.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

from mlpviz.core.atomic import _umask, atomic_write, check_target
from mlpviz.core.handout import Handout, picture_name, stage_pages, to_html, to_markdown

FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
_OUR_PICTURE = re.compile(r"stage-\d{2,}-[0-9a-z]+\.png")


def handout_format(path) -> str | None:
    """"html" or "md" by the file's extension, None for any other."""
    return FORMATS.get(Path(path).suffix.lower())


def format_problem(path) -> str | None:
    """Why a handout cannot be written as `path` (its extension), or None."""
    if handout_format(path) is None:
        return (f"{path}: the handout is written as .html (one self-contained page) or .md "
                "(with its pictures in a folder beside it); give a file name ending in one of them")
    return None


def pictures_folder(path) -> Path:
    """Where a Markdown handout's pictures go: lesson.md → lesson_files/ beside it."""
    path = Path(path)
    return path.with_name(path.stem + "_files")


def check_handout_target(path) -> Path:
    """`path` as a Path if the handout can be written there, else OSError (its strerror says why):
    the extension, the file itself (`check_target`), and for .md the pictures' folder."""
    problem = format_problem(path)
    if problem:
        raise OSError(errno.EINVAL, problem.split(": ", 1)[1], str(path))
    path = check_target(path)
    if handout_format(path) == "md":
        _check_folder_is_ours(pictures_folder(path))
    return path


def _check_folder_is_ours(folder: Path) -> None:
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise OSError(errno.EEXIST, f"{folder.name} exists and is not a folder of handout "
                      "pictures; move it or choose another file name", str(folder))
    strangers = [p.name for p in folder.iterdir() if not _OUR_PICTURE.fullmatch(p.name)]
    if strangers:
        raise OSError(errno.EEXIST, f"{folder.name} holds other files ({strangers[0]} …), which "
                      "writing the handout would delete; move them or choose another file name",
                      str(folder))


def write_handout(path, handout: Handout) -> list[Path]:
    """Write `handout` to `path` (.html or .md); the files written, the page first."""
    path = check_handout_target(path)
    if handout_format(path) == "html":
        page = to_html(handout).encode("utf-8")
        atomic_write(path, lambda f: f.write(page))
        return [path]
    folder = pictures_folder(path)
    page = to_markdown(handout, folder.name).encode("utf-8")
    pictures = {picture_name(p): handout.picture(p.index) for p in stage_pages(handout)
                if handout.picture(p.index)}
    _replace_folder(folder, pictures)
    atomic_write(path, lambda f: f.write(page))
    return [path] + [folder / name for name in pictures]


def _replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    """`folder` holding exactly `files`: written in a temporary folder beside it, which then
    takes its place (the old one, an earlier handout's pictures, is removed after)."""
    _check_folder_is_ours(folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    old = None
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        os.chmod(tmp, 0o777 & ~_umask())
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / folder.name)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and (old / folder.name).exists() and not folder.exists():
            os.replace(old / folder.name, folder)  # put the earlier pictures back
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
