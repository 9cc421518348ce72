"""Which moments of a training run a recording shows (`mlpviz record`, File › Record…).

A recording of E epochs at F frames a second lasting S seconds has N = round(F·S) frames, spread
evenly over the B = E · ⌈n_train / batch⌉ mini-batches of those epochs: frame i shows the network
after b_i = round(i · B / (N − 1)) mini-batches (frame 0 the initial weights, the last frame the
end of the last epoch). Each frame is 1/F seconds of the film and B/(N − 1) mini-batches of
training. Two frames never show the same weights, so N ≤ B + 1.
"""

from __future__ import annotations

import math

from mlpviz.i18n import _, count, ngettext

# A minute at 10 frames a second; the GIF writer holds every frame (~1 MB each at 1280×800).
MAX_FRAMES = 600


def frame_count(fps: float, seconds: float) -> int:
    """N = round(F · S), at least 1."""
    return max(1, round(fps * seconds))


def batches_per_epoch(n_train: int, batch_size: int) -> int:
    """⌈n_train / batch⌉: the last mini-batch of an epoch may be smaller."""
    return -(-int(n_train) // max(1, min(int(batch_size), int(n_train))))


def frame_batches(total_batches: int, frames: int) -> list[int]:
    """b_i = round(i · B / (N − 1)) for i = 0 … N − 1 (b_0 = 0: one frame is the start);
    strictly increasing when N ≤ B + 1 (see `frames_problem`)."""
    if frames <= 1:
        return [0]
    return [round(i * total_batches / (frames - 1)) for i in range(frames)]


def frames_problem(frames: int, epochs: int, per_epoch: int) -> str | None:
    """Why N frames cannot be recorded over `epochs` epochs of `per_epoch` mini-batches (None
    when they can): more frames than there are distinct moments, or more than MAX_FRAMES."""
    total = epochs * per_epoch
    if frames < 2:
        return _("a recording needs at least 2 frames, not {frames}: more frames a second or "
                 "more seconds").format(frames=frames)
    if frames > MAX_FRAMES:
        return _("{frames} frames is more than a recording holds ({most}): fewer frames a "
                 "second or fewer seconds").format(frames=count(frames), most=count(MAX_FRAMES))
    if frames > total + 1:
        most = total + 1
        text = ngettext(
            "{frames} frames need {gaps} mini-batches between them, and {epochs} epoch of "
            "{per_epoch} mini-batches is only {total}: ask for at most {most} frames (fewer "
            "frames a second or seconds) or more epochs",
            "{frames} frames need {gaps} mini-batches between them, and {epochs} epochs of "
            "{per_epoch} mini-batches are only {total}: ask for at most {most} frames (fewer "
            "frames a second or seconds) or more epochs", epochs)
        return text.format(frames=count(frames), gaps=count(frames - 1), epochs=epochs,
                           per_epoch=count(per_epoch), total=count(total), most=count(most))
    return None


def describe(frames: int, fps: float, epochs: int, per_epoch: int) -> str:
    """What a frame stands for: "100 frames at 10 fps (10.0 s), one every 2.4 mini-batches"."""
    step = epochs * per_epoch / max(1, frames - 1)
    seconds = frames / fps
    every = f"{step:.3g}" if not math.isclose(step, round(step)) else f"{round(step)}"
    text = (_("{frames} frames at {fps} fps ({seconds} s), one every {every} mini-batch") if every == "1"
            else _("{frames} frames at {fps} fps ({seconds} s), one every {every} mini-batches"))
    return text.format(frames=count(frames), fps=f"{fps:g}", seconds=f"{seconds:.1f}",
                       every=every)
