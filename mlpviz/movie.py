"""Animated GIF and MP4 files from frames (uint8 (h, w, 3) RGB arrays); no Qt.

GIF (Pillow): the film is drawn in one adaptive palette of 255 colours, chosen by an octree
over frames from its start to its end, without dithering (the window's flat colours stay flat),
each pixel the nearest colour: a pixel that a frame leaves unchanged keeps its index and is
stored as GIF's transparent "unchanged" pixel.
A frame lasts 1/fps s, rounded to GIF's hundredths of a second.
MP4 (H.264 through imageio-ffmpeg, the optional extra `mlpviz[record]`): frames are streamed to
ffmpeg as they come. Both files are written atomically (core.atomic): a recording stopped or
failed halfway leaves no half-written file.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from pathlib import Path

import numpy as np

from mlpviz.core.atomic import atomic_write
from mlpviz.i18n import _

FORMATS = (".gif", ".mp4")
MAX_GIF_FPS = 50  # GIF counts in hundredths of a second; viewers slow faster frames to 10 fps
MP4_MISSING = ("writing MP4 needs the optional encoder: pip install 'mlpviz[record]' "
               "(imageio-ffmpeg, with its own ffmpeg); GIF needs nothing more (--out run.gif)")


class MovieError(Exception):
    """A movie that cannot be written: its sentence says why."""


def mp4_available() -> bool:
    """True when imageio-ffmpeg (and its ffmpeg) can be found."""
    try:
        import imageio_ffmpeg

        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return False
    return True


def movie_problem(path, fps: float) -> str | None:
    """Why a movie cannot be written to `path` at `fps` (None when it can): the format by
    its extension, the MP4 encoder, GIF's frame rate."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        return _("the recording must end in .gif or .mp4, got {path}").format(path=repr(str(path)))
    if suffix == ".mp4" and not mp4_available():
        return MP4_MISSING
    if suffix == ".gif" and fps > MAX_GIF_FPS:
        return _("a GIF shows at most {most} frames a second (its delays are in hundredths of "
                 "a second), not {fps}: lower --fps, or record an .mp4").format(
            most=MAX_GIF_FPS, fps=f"{fps:g}")
    return None


def open_movie(path, fps: float):
    """A GifMovie or Mp4Movie for `path` (MovieError when `movie_problem` has one)."""
    problem = movie_problem(path, fps)
    if problem:
        raise MovieError(problem)
    return (Mp4Movie if Path(path).suffix.lower() == ".mp4" else GifMovie)(path, fps)


def _rgb(frame: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(frame, dtype=np.uint8)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ValueError(f"a frame is an (h, w, 3) RGB array, got shape {a.shape}")
    return a


class GifMovie:
    """Frames kept losslessly (zlib-compressed RGB: a window's frame is ~10× smaller) until
    `save`, which draws them all in one palette (`shared_palette`): a pixel that does not change
    keeps its colour index, and Pillow stores it as transparent, so a film of the window costs
    little more than the pixels that move."""

    def __init__(self, path, fps: float):
        self.path, self.fps = Path(path), float(fps)
        self._frames: list[tuple[tuple[int, ...], bytes]] = []

    @property
    def frames(self) -> int:
        return len(self._frames)

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the frames; (0, 0) before the first."""
        return (self._frames[0][0][1], self._frames[0][0][0]) if self._frames else (0, 0)

    def add(self, frame: np.ndarray) -> None:
        a = _rgb(frame)
        if self._frames and a.shape != self._frames[0][0]:
            raise ValueError(f"every frame has the first one's shape {self._frames[0][0]}, "
                             f"not {a.shape}")
        self._frames.append((a.shape, zlib.compress(a.tobytes(), 1)))

    def _image(self, i: int):
        from PIL import Image

        shape, data = self._frames[i]
        return Image.frombytes("RGB", (shape[1], shape[0]), zlib.decompress(data))

    def save(self) -> Path:
        """Write the frames (at least one) to `path`, atomically; returns it."""
        if not self._frames:
            raise MovieError("no frame was recorded: nothing written")
        from PIL import Image

        whole = [self._image(i) for i in _spread(len(self._frames), 5)]
        thinned = [self._image(i).reduce(4) for i in range(len(self._frames))]
        palette = shared_palette(whole + thinned)
        del whole, thinned
        first = self._image(0).quantize(palette=palette, dither=Image.Dither.NONE)
        rest = (self._image(i).quantize(palette=palette, dither=Image.Dither.NONE)
                for i in range(1, len(self._frames)))  # made as Pillow writes them
        duration = max(20, round(1000 / self.fps / 10) * 10)  # whole hundredths, ≥ 2

        def write(f) -> None:
            first.save(f, format="GIF", save_all=True, append_images=rest, duration=duration,
                       loop=0, disposal=1, optimize=True)

        atomic_write(self.path, write)
        return self.path

    def discard(self) -> None:
        self._frames.clear()


def _spread(n: int, k: int) -> list[int]:
    """Up to k indices of 0 … n − 1, evenly spread, the first and the last included."""
    return sorted({round(i * (n - 1) / max(1, k - 1)) for i in range(k)})


def shared_palette(images):
    """A "P" image holding 255 colours for the whole film (index 255 stays free for GIF's
    "unchanged" pixel), without dithering, over the pixels of `images` (RGB): a few whole frames
    from the start to the end, and every frame at a quarter of its width and height, so that a
    colour only some frames show has its say too. Pillow's fast octree: on a frame of the window
    its mean error is half median cut's, its worst a third, in a tenth of the time."""
    from PIL import Image

    pixels = np.concatenate([np.asarray(image.convert("RGB")).reshape(-1, 3) for image in images])
    width = images[0].size[0]
    pixels = np.concatenate([pixels, np.repeat(pixels[-1:], -len(pixels) % width, axis=0)])
    collage = Image.fromarray(pixels.reshape(-1, width, 3), "RGB")  # only its colours matter
    return collage.quantize(colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


class Mp4Movie:
    """H.264 (yuv420p) through imageio-ffmpeg, into a temporary file until `save`. Frames are
    padded to even sizes (yuv420p halves the colour resolution) with their edge's colour."""

    def __init__(self, path, fps: float):
        import imageio_ffmpeg

        self.path, self.fps = Path(path), float(fps)
        self._ffmpeg = imageio_ffmpeg
        self._folder = tempfile.TemporaryDirectory(prefix="mlpviz-record-")
        self._temp = Path(self._folder.name) / "movie.mp4"
        self._writer = None
        self._size: tuple[int, int] | None = None
        self._count = 0

    @property
    def frames(self) -> int:
        return self._count

    @property
    def frame_size(self) -> tuple[int, int]:
        """(width, height) of the frames (padded to even sizes); (0, 0) before the first."""
        return self._size or (0, 0)

    def add(self, frame: np.ndarray) -> None:
        a = _rgb(frame)
        h, w = a.shape[:2]
        a = np.pad(a, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        if self._writer is None:
            self._size = (a.shape[1], a.shape[0])
            self._writer = self._ffmpeg.write_frames(
                str(self._temp), self._size, fps=self.fps, codec="libx264",
                pix_fmt_out="yuv420p", quality=8, macro_block_size=2,
                ffmpeg_log_level="error")
            self._writer.send(None)
        elif (a.shape[1], a.shape[0]) != self._size:
            raise ValueError(f"every frame has the first one's size {self._size}, "
                             f"not {(a.shape[1], a.shape[0])}")
        self._writer.send(a)
        self._count += 1

    def save(self) -> Path:
        """Finish the encoding and move the file to `path`, atomically; returns it."""
        if self._writer is None:
            self.discard()
            raise MovieError("no frame was recorded: nothing written")
        try:
            self._writer.close()
            self._writer = None

            def write(f) -> None:
                with open(self._temp, "rb") as src:
                    shutil.copyfileobj(src, f)

            atomic_write(self.path, write)
        except (RuntimeError, OSError) as e:
            if isinstance(e, OSError) and e.filename == str(self.path):
                raise
            raise MovieError(f"ffmpeg could not write the MP4: {e}") from None
        finally:
            self.discard()
        return self.path

    def discard(self) -> None:
        """Drop the frames so far and the temporary file."""
        if self._writer is not None:
            try:
                self._writer.close()
            except (RuntimeError, OSError):
                pass
            self._writer = None
        self._folder.cleanup()
