"""Download the full MNIST or Fashion-MNIST, resumably and checksum-verified, with urllib only.

A file is streamed into ``<dest>.part``; an interrupted download leaves only that, and the next
attempt resumes it with an HTTP Range request. ``<dest>`` appears (by an atomic rename) only once
the whole file has arrived and its SHA-256 matches.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from mlpviz import __version__
from mlpviz.core.paths import cache_dir

# progress(done_bytes, total_bytes_or_None), called as bytes arrive
Progress = Callable[[int, "int | None"], None]


class DownloadError(RuntimeError):
    """A download failed: unreachable server, HTTP error, short transfer or checksum mismatch."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset: its name on the mirrors, SHA-256 and size in bytes (None: unknown)."""

    name: str
    sha256: str
    size: int | None


# The upstream files (Y. LeCun's originals as mirrored by PyTorch and TensorFlow).
MNIST_FILES: tuple[RemoteFile, ...] = (
    RemoteFile("train-images-idx3-ubyte.gz",
               "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
    RemoteFile("train-labels-idx1-ubyte.gz",
               "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
    RemoteFile("t10k-images-idx3-ubyte.gz",
               "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
    RemoteFile("t10k-labels-idx1-ubyte.gz",
               "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
)
# Zalando's upstream files. Debian's dataset-fashion-mnist holds the same images re-gzipped (no
# file name in the gzip header, 23–24 bytes shorter), so its .gz files have other checksums.
FASHION_FILES: tuple[RemoteFile, ...] = (
    RemoteFile("train-images-idx3-ubyte.gz",
               "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc", 26421880),
    RemoteFile("train-labels-idx1-ubyte.gz",
               "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc", 29515),
    RemoteFile("t10k-images-idx3-ubyte.gz",
               "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229", 4422102),
    RemoteFile("t10k-labels-idx1-ubyte.gz",
               "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf", 5148),
)
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
CATALOG: dict[str, tuple[tuple[RemoteFile, ...], tuple[str, ...]]] = {
    "mnist": (MNIST_FILES, MNIST_MIRRORS),
    "fashion": (FASHION_FILES, FASHION_MIRRORS),
}
_USER_AGENT = f"mlpviz/{__version__} (+urllib)"


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of the file at `path`."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Stall:
    """When a transfer counts as stalled: fewer than `min_bytes` arrived in `seconds` (a
    connection trickling one byte every 5 s never ends otherwise), or no byte at all in
    `seconds` (the socket timeout)."""

    seconds: float = 30.0
    min_bytes: int = 1024


def download_file(url: str, dest: Path, sha256: str, progress: Progress | None = None,
                  chunk: int = 1 << 16, stall: Stall = Stall()) -> Path:
    """Fetch `url` into `dest`, resuming `dest`.part if present, and verify its SHA-256.

    `progress(done_bytes, total_bytes_or_None)` is called as bytes arrive (done includes a
    resumed prefix). Network failures, stalls (see `Stall`) and short transfers raise
    DownloadError and keep the .part for the next attempt (the message says so only when there
    is one). A checksum mismatch deletes the .part; if the data was a resumed .part (which may
    have been stale) the download restarts once from zero before giving up.
    `dest` is only ever complete and verified.
    """
    dest = Path(dest)
    part = dest.with_suffix(dest.suffix + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    while True:
        resumed = part.exists() and part.stat().st_size > 0
        try:
            digest = _fetch_part(url, part, progress, chunk, stall)
        except (OSError, http.client.HTTPException) as e:
            raise DownloadError(f"{url}: {_describe(e)}{_kept(part)}") from e
        if digest == sha256.lower():
            os.replace(part, dest)
            return dest
        part.unlink(missing_ok=True)
        if not resumed:
            raise DownloadError(f"checksum mismatch for {url}: expected SHA-256 {sha256}, got "
                                f"{digest}; the downloaded data was deleted")


def _kept(part: Path) -> str:
    """" (partial data kept in NAME.part; …)" if there is partial data, else ""."""
    if part.exists() and part.stat().st_size > 0:
        return f" (partial data kept in {part.name}; run again to resume)"
    return ""


def _describe(e: BaseException) -> str:
    """A short human description of a network error."""
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return f"cannot connect ({e.reason})"
    if isinstance(e, (TimeoutError, socket.timeout)):
        return "no data arrived for too long (the connection stalled)"
    return f"{type(e).__name__}: {e}"


def _fetch_part(url: str, part: Path, progress: Progress | None, chunk: int,
                stall: Stall) -> str:
    """Complete `part` from `url` (resuming if possible); return the hex SHA-256 of all of it."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": _USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                          timeout=stall.seconds)
    except urllib.error.HTTPError as e:
        e.close()
        if e.code != 416 or not offset:  # 416: nothing past `offset`; maybe .part is complete
            raise
        return sha256_of(part)
    with response:
        start, total = _resume_point(response, offset)
        return _stream(response, part, start, total, progress, chunk, stall)


def _resume_point(response: http.client.HTTPResponse, offset: int) -> tuple[int, int | None]:
    """(byte the body starts at, total file size or None) from the response status and headers.

    A 206 whose Content-Range starts at `offset` continues the .part; anything else restarts it.
    """
    length = response.headers.get("Content-Length")
    length = int(length) if length and length.isdigit() else None
    match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)",
                         response.headers.get("Content-Range", "").strip())
    if response.status == 206 and match and int(match[1]) == offset:
        return offset, int(match[2]) if match[2] != "*" else None
    if response.status != 200:
        raise DownloadError(f"{response.url}: unexpected HTTP {response.status} "
                            f"(Content-Range {response.headers.get('Content-Range')!r})")
    return 0, length


def _stream(response, part: Path, start: int, total: int | None, progress: Progress | None,
            chunk: int, stall: Stall) -> str:
    """Write the body to `part` from byte `start` on, hashing the whole file; return the digest.
    Reads what has arrived (read1), so a trickle is measured, not waited for: fewer than
    stall.min_bytes in any stall.seconds raise DownloadError."""
    h = hashlib.sha256()
    if start:
        with open(part, "rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    done = start
    window_start, window_bytes = time.monotonic(), 0
    with open(part, "ab" if start else "wb") as f:
        while block := response.read1(chunk):
            f.write(block)
            h.update(block)
            done += len(block)
            window_bytes += len(block)
            if progress is not None:
                progress(done, total)
            now = time.monotonic()
            if now - window_start >= stall.seconds:
                if window_bytes < stall.min_bytes:
                    f.flush()
                    raise DownloadError(
                        f"{response.url}: stalled: {window_bytes} bytes in the last "
                        f"{now - window_start:.0f} s ({done:,} of "
                        f"{'?' if total is None else f'{total:,}'} bytes so far){_kept(part)}")
                window_start, window_bytes = now, 0
    if total is not None and done != total:
        raise DownloadError(f"{response.url}: connection closed after {done} of {total} bytes"
                            f"{_kept(part)}")
    return h.hexdigest()


def download_dataset(which: str, root: Path | None = None, mirrors: Sequence[str] | None = None,
                     progress: Progress | None = None, *,
                     files: Sequence[RemoteFile] | None = None,
                     log: Callable[[str], None] | None = None, stall: Stall = Stall()) -> Path:
    """Download dataset `which` ("mnist" or "fashion") into (root or cache_dir()) / which.

    Each file is tried on every mirror in order; files already present with the right checksum
    are skipped. `progress(done_bytes, total_bytes_or_None)` counts across all files. `log(text)`
    hears what is being done: the whole download, each file and where from, each mirror that
    failed. `files` overrides the catalogue's file list (tests use it). Returns the folder.
    """
    if which not in CATALOG:
        raise ValueError(f"unknown dataset {which!r}: expected one of {', '.join(CATALOG)}")
    default_files, default_mirrors = CATALOG[which]
    files = tuple(default_files if files is None else files)
    mirrors = tuple(default_mirrors if mirrors is None else mirrors)
    folder = Path(root if root is not None else cache_dir()) / which
    folder.mkdir(parents=True, exist_ok=True)
    log = log or (lambda text: None)
    sizes = [f.size for f in files]
    grand_total = sum(sizes) if None not in sizes else None
    size_text = "" if grand_total is None else f", {grand_total / 1e6:.1f} MB"
    log(f"downloading {which} ({len(files)} files{size_text}) into {folder}; a transfer that "
        f"stalls ({stall.min_bytes:,} bytes in {stall.seconds:g} s) moves to the next mirror")
    base = 0
    for remote in files:
        dest = folder / remote.name
        if dest.is_file() and sha256_of(dest) == remote.sha256.lower():
            log(f"{remote.name}: already here (checksum verified)")
        else:
            _from_mirrors(remote, dest, mirrors, _offset_progress(progress, base, grand_total),
                          log, stall)
        base += dest.stat().st_size
        if progress is not None:
            progress(base, grand_total)
    return folder


def _offset_progress(progress: Progress | None, base: int, total: int | None) -> Progress | None:
    """A per-file progress callback reporting bytes across the whole dataset."""
    if progress is None:
        return None
    return lambda done, _file_total: progress(base + done, total)


def _from_mirrors(remote: RemoteFile, dest: Path, mirrors: Sequence[str],
                  progress: Progress | None, log: Callable[[str], None], stall: Stall) -> None:
    """Download `remote` into `dest` from the first mirror that delivers it intact."""
    errors = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + remote.name
        log(f"{remote.name}: from {url}")
        try:
            download_file(url, dest, remote.sha256, progress=progress, stall=stall)
            return
        except DownloadError as e:
            errors.append(str(e))
            log(f"{remote.name}: failed: {e}")
    raise DownloadError(f"could not download {remote.name} from any mirror:\n  "
                        + "\n  ".join(errors or ["no mirrors given"]))
