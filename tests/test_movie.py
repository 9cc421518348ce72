"""mlpviz.movie: GIF (Pillow) and MP4 (imageio-ffmpeg) files from frames, written atomically."""

import sys

import numpy as np
import pytest
from PIL import Image, ImageSequence

from mlpviz.movie import MP4_MISSING, GifMovie, MovieError, movie_problem, open_movie


def frames(n, h=60, w=80):
    """n frames of a flat background, a fixed grey box, and a bar that grows frame by frame
    in a colour that shifts: every frame differs from the last in a small region only."""
    out = []
    for i in range(n):
        a = np.full((h, w, 3), (30, 31, 34), np.uint8)
        a[5:20, 5:30] = (200, 200, 200)
        a[40:50, : 5 + i * 7] = (60 + 15 * i, 220 - 10 * i, 90)
        out.append(a)
    return out


def read_gif(path):
    with Image.open(path) as im:
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)], im.info


def test_a_gif_has_every_frame_in_order_and_the_colours_it_was_given(tmp_path):
    path = tmp_path / "run.gif"
    movie = open_movie(path, fps=10)
    given = frames(8)
    for f in given:
        movie.add(f)
    assert movie.save() == path
    got, info = read_gif(path)
    assert len(got) == 8
    assert info["loop"] == 0 and info["duration"] == 100
    for a, b in zip(given, got):
        assert np.array_equal(a, b)  # few colours: the shared palette holds them all exactly
    assert not [p for p in tmp_path.iterdir() if p.name != "run.gif"]


def test_a_film_of_many_colours_stays_close_and_unchanged_pixels_stay_identical(tmp_path):
    # Green and red lines fading into a dark background, as the network view draws them:
    # 2 × 192 shades, more than a GIF's 256 colours.
    t = np.linspace(0, 1, 192)[None, :, None]
    dark = np.array([30, 31, 34])
    green = (dark + t * (np.array([60, 220, 120]) - dark)).repeat(24, axis=0)
    red = (dark + t * (np.array([230, 70, 70]) - dark)).repeat(24, axis=0)
    base = np.rint(np.concatenate([green, red])).astype(np.uint8)
    film = []
    for i in range(5):
        a = base.copy()
        a[:8, i * 8:(i + 1) * 8] = 255
        film.append(a)
    movie = GifMovie(tmp_path / "shades.gif", fps=5)
    for f in film:
        movie.add(f)
    movie.save()
    got, _ = read_gif(tmp_path / "shades.gif")
    assert len(got) == 5
    error = np.mean([np.abs(a.astype(int) - b).mean() for a, b in zip(film, got)])
    web = Image.fromarray(film[0]).convert("P", palette=Image.Palette.WEB).convert("RGB")
    web_error = np.abs(film[0].astype(int) - np.asarray(web)).mean()
    assert error < 2.5 and error < web_error / 3  # a palette chosen for these frames
    untouched = (slice(16, None), slice(None))
    assert all(np.array_equal(got[0][untouched], g[untouched]) for g in got[1:])


def test_nothing_half_written_when_the_save_is_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "run.gif"
    movie = open_movie(path, fps=10)
    for f in frames(3):
        movie.add(f)

    def interrupted(self, fp, *args, **kwargs):
        fp.write(b"GIF89a half")
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        movie.save()
    assert list(tmp_path.iterdir()) == []


def test_an_empty_film_is_refused(tmp_path):
    with pytest.raises(MovieError, match="no frame"):
        open_movie(tmp_path / "x.gif", 10).save()
    assert list(tmp_path.iterdir()) == []


def test_frames_of_another_size_are_refused(tmp_path):
    movie = open_movie(tmp_path / "x.gif", 10)
    movie.add(frames(1)[0])
    with pytest.raises(ValueError, match="first one's shape"):
        movie.add(frames(1, h=30)[0])


@pytest.mark.parametrize("name, fps, words", [
    ("run.avi", 10, "must end in .gif or .mp4"),
    ("run", 10, "must end in .gif or .mp4"),
    ("run.gif", 60, "at most 50 frames a second"),
])
def test_problems_are_named(name, fps, words):
    assert words in movie_problem(name, fps)


def test_mp4_without_the_extra_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails: not installed
    assert movie_problem("run.mp4", 10) == MP4_MISSING
    assert "pip install 'mlpviz[record]'" in MP4_MISSING
    with pytest.raises(MovieError, match=r"mlpviz\[record\]"):
        open_movie("run.mp4", 10)
    assert movie_problem("run.gif", 10) is None  # GIF needs no extra


def test_an_mp4_has_every_frame(tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    path = tmp_path / "run.mp4"
    movie = open_movie(path, fps=10)
    for f in frames(12, h=61, w=81):  # odd sizes: padded to even for yuv420p
        movie.add(f)
    movie.save()
    data = path.read_bytes()
    assert data[4:8] == b"ftyp"
    count, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert count == 12 and seconds == pytest.approx(1.2, abs=0.05)
    assert [p.name for p in tmp_path.iterdir()] == ["run.mp4"]
