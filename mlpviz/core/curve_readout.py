"""What the cost and accuracy plots say under the mouse: the exact numbers nearest the pointer.

The batch curve is stored in bins (core.series): while each stored point is one mini-batch
(`per_point` = 1) its cost is said exactly; once points stand for several batches the readout
says so and gives their lowest, highest and mean cost — never one number as if it were a
batch's. Epoch markers are exact: the training and held-out cost (or accuracy) measured at the
end of that epoch. Costs get 6 significant digits, accuracies two decimals of a per cent
(exact for up to 10,000 samples).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from mlpviz.core.notation import fmt_sig
from mlpviz.core.series import Points
from mlpviz.i18n import _, count, ngettext

DIGITS = 6


def nearest(xs: np.ndarray, x: float, tol: float) -> int | None:
    """The index of the value of `xs` nearest `x`, if it is within `tol`, else None."""
    xs = np.asarray(xs, dtype=np.float64)
    if not len(xs) or not math.isfinite(x):
        return None
    i = int(np.argmin(np.abs(xs - x)))
    return i if abs(xs[i] - x) <= tol else None


def _cost(v: float) -> str:
    return fmt_sig(v, DIGITS) if math.isfinite(v) else _("not measured")


def _percent(v: float) -> str:
    return f"{100 * v:.2f} %" if math.isfinite(v) else _("not measured")


def batch_text(points: Points, per_point: int, x: float, tol: float) -> str | None:
    """"mini-batch 1,234: cost 0.0912300 (smoothed 0.103400)" for the stored point nearest x
    (within tol mini-batches); for points that stand for `per_point` > 1 batches, their range."""
    i = nearest(points.x, x, tol)
    if i is None:
        return None
    at, smooth = count(int(round(points.x[i]))), _cost(points.extra[i])
    if per_point == 1:
        return _("mini-batch {at}: cost {cost} (smoothed {smooth})").format(
            at=at, cost=_cost(points.mean[i]), smooth=smooth)
    return _("mini-batches around {at} (each point stands for up to {per_point}): cost {lo} … "
             "{hi}, mean {mean} (smoothed {smooth})").format(
        at=at, per_point=per_point, lo=_cost(points.lo[i]), hi=_cost(points.hi[i]),
        mean=_cost(points.mean[i]), smooth=smooth)


def epoch_text(epochs: Sequence[tuple[int, object]], x: float, tol: float,
               accuracy: bool = False) -> str | None:
    """"end of epoch 3 (1,200 mini-batches): training 0.0951230, held-out 0.101234" for the
    epoch marker nearest x (within tol); with `accuracy`, the accuracies in per cent.
    `epochs`: (mini-batches seen, EpochReport) pairs."""
    i = nearest([seen for seen, _ in epochs], x, tol)
    if i is None:
        return None
    seen, r = epochs[i]
    fmt, train, test = ((_percent, r.train_accuracy, r.test_accuracy) if accuracy
                        else (_cost, r.train_cost, r.test_cost))
    text = (ngettext("end of epoch {epoch} ({seen} mini-batch): accuracy on the training set "
                     "{train}, held-out {test}",
                     "end of epoch {epoch} ({seen} mini-batches): accuracy on the training set "
                     "{train}, held-out {test}", seen) if accuracy else
            ngettext("end of epoch {epoch} ({seen} mini-batch): cost on the training set "
                     "{train}, held-out {test}",
                     "end of epoch {epoch} ({seen} mini-batches): cost on the training set "
                     "{train}, held-out {test}", seen))
    return text.format(epoch=r.epoch, seen=count(seen), train=fmt(_float(train)),
                       test=fmt(_float(test)))


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError):
        return math.nan
