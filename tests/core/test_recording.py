"""core.recording: which moments of a run a film shows."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlpviz.core.recording import (
    MAX_FRAMES, batches_per_epoch, describe, frame_batches, frame_count, frames_problem,
)


@given(total=st.integers(1, 5000), frames=st.integers(2, 400))
def test_frames_spread_from_the_start_to_the_end_never_twice_the_same_moment(total, frames):
    if frames > total + 1:
        assert frames_problem(frames, 1, total) is not None
        return
    b = frame_batches(total, frames)
    assert len(b) == frames
    assert b[0] == 0 and b[-1] == total
    assert all(later > earlier for earlier, later in zip(b, b[1:]))
    gaps = [later - earlier for earlier, later in zip(b, b[1:])]
    assert max(gaps) - min(gaps) <= 1  # evenly: one mini-batch of rounding at most


def test_frame_count_and_batches_per_epoch():
    assert frame_count(10, 10) == 100
    assert frame_count(0.1, 1) == 1
    assert batches_per_epoch(8000, 100) == 80
    assert batches_per_epoch(8001, 100) == 81  # the last batch is smaller
    assert batches_per_epoch(50, 100) == 1  # a batch cannot hold more than every sample


@pytest.mark.parametrize("frames, epochs, per_epoch, words", [
    (1, 3, 80, "at least 2 frames"),
    (MAX_FRAMES + 1, 100, 80, "more than a recording holds"),
    (242, 3, 80, "at most 241 frames"),
])
def test_impossible_films_are_refused_saying_what_to_change(frames, epochs, per_epoch, words):
    problem = frames_problem(frames, epochs, per_epoch)
    assert words in problem


def test_possible_films_pass_and_are_described():
    assert frames_problem(241, 3, 80) is None
    assert describe(100, 10, 3, 80) == ("100 frames at 10 fps (10.0 s), one every 2.42 "
                                         "mini-batches")
    assert describe(81, 10, 1, 80).endswith("one every 1 mini-batch")
