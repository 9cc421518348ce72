"""Last good weights: the best parameters seen while training, so that a run that destroys a
trained network (η far too large, a step that overflows) can be undone.

A `Checkpoint` is a Snapshot with the held-out accuracy its weights scored and when it was taken.
`LastGood` keeps the best one offered (highest held-out accuracy; the later of two equal ones).
`collapsed(best, now, n_classes, n_held_out)` is the rule that says a run ruined the network:
held-out accuracy fell at least half of the way from the best seen down to chance
(1 / n_classes), from a best clearly above chance, measured on enough held-out samples for a
fall that size not to be luck. 93 % → 10 % on ten classes collapses (the line is at 51.5 %);
93 % → 88 % does not, nor 25 % → 12 % (never learned much), nor anything on 20 samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlpviz.core.snapshot import Snapshot
from mlpviz.i18n import _

ABOVE_CHANCE = 0.2  # a best accuracy this far above chance counts as "trained"
FALL = 0.5  # the share of the way from the best down to chance that counts as a collapse
MIN_HELD_OUT = 100  # fewer held-out samples: an accuracy's ups and downs are mostly luck


@dataclass(frozen=True)
class Checkpoint:
    """Parameters worth returning to.

    snapshot : the read-only parameters (and epoch, samples seen)
    accuracy : held-out accuracy of exactly these parameters, 0…1 (NaN: not measured)
    when     : where training stood, for messages ("at the end of epoch 5")
    """

    snapshot: Snapshot
    accuracy: float
    when: str

    def describe(self) -> str:
        """"the weights at the end of epoch 5 (held-out accuracy 93.1 %)"."""
        if math.isfinite(self.accuracy):
            return _("the weights {when} (held-out accuracy {percent} %)").format(
                when=self.when, percent=f"{100 * self.accuracy:.1f}")
        return _("the weights {when}").format(when=self.when)


def collapsed(best: float, now: float, n_classes: int, n_held_out: int) -> bool:
    """True if held-out accuracy `now` fell at least FALL of the way from `best` to chance
    (1 / n_classes), `best` being at least ABOVE_CHANCE above chance, both measured on
    `n_held_out` ≥ MIN_HELD_OUT samples. False if either is NaN."""
    if (not (math.isfinite(best) and math.isfinite(now)) or n_classes < 1
            or n_held_out < MIN_HELD_OUT):
        return False
    chance = 1.0 / n_classes
    return best >= chance + ABOVE_CHANCE and best - now >= FALL * (best - chance)


class LastGood:
    """The best Checkpoint offered since the last `clear()` (one network's)."""

    def __init__(self) -> None:
        self.best: Checkpoint | None = None

    def offer(self, checkpoint: Checkpoint) -> bool:
        """Keep `checkpoint` if its accuracy is measured and ≥ the best's; True if kept."""
        if not math.isfinite(checkpoint.accuracy):
            return False
        if self.best is not None and checkpoint.accuracy < self.best.accuracy:
            return False
        self.best = checkpoint
        return True

    def clear(self) -> None:
        self.best = None
