"""Their numbers beside ours, for one stepper stage: what the app's compare panel lists.

    rows = side_by_side(comparison, "lever-weights")   # [(array, entry, ours, theirs), …]
    summary(comparison)                                # the sentence shown above the rows
"""

from __future__ import annotations

import numpy as np

from mlpviz.core.notation import fmt_sig
from mlpviz.i18n import _, tidy

MAX_ROWS = 40  # differing entries listed per stage (the count of the rest is said)


def side_by_side(comparison, stage: str | None, limit: int = MAX_ROWS):
    """(rows, left_out): rows (symbol, "[j, k]", ours, theirs) for the entries that differ in
    the arrays shown on `stage`, in computation order then row-major; left_out how many more
    differ. An array whose shape differs is one row with its two shapes."""
    rows, left_out = [], 0
    for d in comparison.differing:
        if d.stage != stage:
            continue
        if not d.shapes_match:
            rows.append((d.symbol, "shape", str(d.ours.shape), str(d.theirs.shape)))
            continue
        for index in np.argwhere(d.mask):
            if len(rows) == limit:
                left_out += 1
                continue
            at = tuple(int(i) for i in index)
            rows.append((d.symbol, "[" + ", ".join(map(str, at)) + "]",
                         fmt_sig(float(d.ours[at]), 6), fmt_sig(float(d.theirs[at]), 6)))
    return rows, left_out


def summary(comparison) -> str:
    """One sentence: agreement, or where they first differ and the likely mistake."""
    if comparison.agrees:
        return _("Their numbers agree with ours (relative difference at most {tolerance}).").format(
            tolerance=f"{comparison.tolerance:g}")
    first = comparison.first_difference
    where = _("They first differ at {symbol} (stage '{stage}').").format(
        symbol=first.symbol, stage=comparison.first_stage)
    if comparison.diagnoses:
        return tidy(where + " " + _("Likely mistake: {text}").format(
            text=comparison.diagnoses[0].text))
    return tidy(where + " " + _("No classic mistake reproduces their numbers."))
