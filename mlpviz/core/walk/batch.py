"""Stage 9 of the walk, from one sample to a mini-batch (lesson point 16): a real mini-batch of the
size training uses, with the sample on show in it; each sample wants its own changes, and one SGD
step follows their average: −∂C/∂θ ≈ (1/n) Σᵢ −∂Cᵢ/∂θ over the batch.

The comparisons the text makes ("k of n samples pull the other way") are kept as data (`Pull`)
beside the numbers they count, and the words are written from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlpviz.core.gradient import batch_wishes
from mlpviz.core.minibatch import MiniBatch
from mlpviz.core.notation import fmt_sig, param_name
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.context import Context, count, spar
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import _, ngettext

TABLE_ROWS = 32  # samples listed in the table (100 rows took 5× as long to show); the counts and
# the average cover the whole batch
FORMULA_TERMS = 5  # a sum with more terms shows its first few and its last


@dataclass(frozen=True)
class Pull:
    """How a batch's samples pull on one parameter θ: the claim behind "k of n pull the other way".

    param     (l, j, k), k = −1 for a bias
    mean      (1/n) Σᵢ ∂Cᵢ/∂θ
    against   samples whose ∂Cᵢ/∂θ ≠ 0 has the opposite sign of a non-zero mean
    zero      samples with ∂Cᵢ/∂θ exactly 0 (they want no change)
    n         samples in the batch
    shown_against  the sample on show is one of `against`
    """

    param: tuple[int, int, int]
    mean: float
    against: int
    zero: int
    n: int
    shown_against: bool

    @classmethod
    def of(cls, param, grads: np.ndarray, shown: int) -> "Pull":
        """From each sample's ∂Cᵢ/∂θ (n,) and the row of the sample on show."""
        mean = float(grads.mean())
        opposite = (np.sign(grads) == -np.sign(mean)) & (grads != 0) & (mean != 0)
        return cls(tuple(param), mean, int(np.count_nonzero(opposite)),
                   int(np.count_nonzero(grads == 0)), len(grads), bool(opposite[shown]))

    def sentence(self) -> str:
        """The claim in words: "on b₂⁽³⁾, 9 of the 100 samples pull the other way from their
        average (the sample on show among them)"."""
        name = param_name(*self.param)
        if self.mean == 0:
            return _("on {name} their average is exactly 0: this batch does not move it").format(
                name=name)
        none = ("; " + ngettext("{n} of them wants no change", "{n} of them want no change",
                                self.zero).format(n=count(self.zero)) if self.zero else "")
        if self.against == 0:
            return _("on {name} every sample that wants a change agrees with their average "
                     "({agree} of {n})").format(name=name, agree=count(self.n - self.zero),
                                                 n=count(self.n)) + none
        if self.shown_against:
            pull = ngettext("on {name}, {k} of the {n} samples pulls the other way from their "
                            "average (the sample on show among them)",
                            "on {name}, {k} of the {n} samples pull the other way from their "
                            "average (the sample on show among them)", self.against)
        else:
            pull = ngettext("on {name}, {k} of the {n} samples pulls the other way from their "
                            "average",
                            "on {name}, {k} of the {n} samples pull the other way from their "
                            "average", self.against)
        return pull.format(name=name, k=count(self.against), n=count(self.n)) + none


def _batch_params(c: Context) -> list[tuple[int, int, int]]:
    """Stage 9's parameters, from several layers: the right answer's output bias, its weight with
    the largest |∂C/∂w| for this sample, then the largest-|∂C/∂w| weight of the layers before."""
    t, L, lab = c.t, c.L, c.t.label
    params = [(L - 1, lab, -1), (L - 1, lab, int(np.argmax(np.abs(t.grad_w[L - 1][lab]))))]
    for l in range(L - 2, -1, -1):
        j, k = np.unravel_index(int(np.argmax(np.abs(t.grad_w[l]))), t.grad_w[l].shape)
        params.append((l, int(j), int(k)))
        if len(params) == 4:
            break
    return params


def _which_batch(batch: MiniBatch, batch_size: int) -> str:
    """Where the batch's samples come from, in words, read from the batch itself."""
    n, on_show = len(batch), batch.row_name(batch.shown)
    if batch.added:
        text = _("A mini-batch of {n}: the sample on show ({shown}), not a training sample, and "
                 "{more} training samples drawn at random (fixed seed)")
    else:
        text = _("A mini-batch of {n} training samples: the sample on show ({shown}) and {more} "
                 "more drawn at random (fixed seed)")
    text = text.format(n=count(n), shown=on_show, more=count(n - 1))
    if n < batch_size:
        text += _(" — the batch box says {n}, but there are no more samples").format(
            n=count(batch_size))
    listed = _(" (the table lists the first {n})").format(n=TABLE_ROWS) if n > TABLE_ROWS else ""
    return _("{sentence}.").format(sentence=text + listed)


def _sum_terms(values: np.ndarray) -> str:
    """(+0.12) + (−0.03) + … the terms of a sum, the middle ones left out when there are many."""
    if len(values) <= FORMULA_TERMS:
        return " + ".join(spar(v, 2) for v in values)
    head = " + ".join(spar(v, 2) for v in values[:FORMULA_TERMS - 2])
    return f"{head} + … + {spar(values[-1], 2)}"


def _empty_stage(batch_size: int) -> Stage:
    return Stage(
        key="batch", number=9, title="9 · " + _("From one sample to a batch"),
        short="9 · " + _("A mini-batch"),
        text=_("Each training sample wants its own changes; training averages them over "
               "mini-batches of {n}. No training samples are loaded yet: choose a dataset to see "
               "several of them side by side.").format(n=count(batch_size)),
        formula="∇C = (1/n) Σᵢ ∇Cᵢ", rows=(), values={}, overlay=Overlay(),
    )


def batch_stage(c: Context, batch: MiniBatch | None, batch_size: int) -> Stage:
    """9: from one sample to a mini-batch: each sample's −∂Cᵢ/∂θ for a few parameters, and their
    average (1/n) Σᵢ −∂Cᵢ/∂θ, which one SGD step follows (`core.gradient.batch_wishes`).
    batch is the mini-batch around the sample on show (`core.minibatch`), or None (the stage then
    only explains)."""
    if batch is None or len(batch) == 0:
        return _empty_stage(batch_size)
    params = _batch_params(c)
    bw = batch_wishes(c.net, batch.X, batch.labels, params)
    n = len(bw.labels)
    names = [param_name(*p) for p in params]
    pulls = [Pull.of(p, bw.grads[:, i], batch.shown) for i, p in enumerate(params)]
    tab = Table(_("sample"), c.what, *[f"−∂C/∂{nm}" for nm in names],
                signed=tuple(range(2, 2 + len(names))))
    for i in range(min(n, TABLE_ROWS)):
        name = batch.row_name(i) + (_(" (on show)") if i == batch.shown else "")
        tab.add(name, c.name(int(bw.labels[i])), *(-bw.grads[i]), digits=3)
    tab.add(_("average of {n}").format(n=count(n)), "", *(-bw.mean), digits=3)
    formula = (f"−∂C/∂{names[0]} = (1/n) Σᵢ −∂Cᵢ/∂{names[0]} "
               + _("over the batch, n = {n}").format(n=count(n)) + "\n"
               f"     = ({_sum_terms(-bw.grads[:, 0])}) / {count(n)} "
               f"= {fmt_sig(-bw.mean[0], signed=True)}")
    contested = max(pulls[1:], key=lambda p: p.against, default=None)
    said = [pulls[0].sentence()]
    if contested is not None and contested.against > 0:
        said.append(contested.sentence())
    text = _which_batch(batch, batch_size) + " " + _(
        "Each sample wants its own changes: {wishes}. Averaged over every training sample, the "
        "wishes are the negative gradient of the cost; one step of training follows the average "
        "over one mini-batch instead, because using every sample for every step is slow. So "
        "training shuffles the data, cuts it into mini-batches of {n} (the batch box) and takes "
        "one step per mini-batch: stochastic gradient descent, a drunkard's quick stagger "
        "downhill rather than a careful, slow walk.").format(wishes=_("; and ").join(said),
                                                             n=count(batch_size))
    captions = {"sample": _("a mini-batch of {n}: lines by the sample on show's −∂C/∂w").format(
                    n=count(n)),
                "batch": _("lines by −∂C/∂w averaged over the mini-batch of {n}").format(
                    n=count(n))}
    return Stage(
        key="batch", number=9, title="9 · " + _("From one sample to a batch"),
        short="9 · " + _("A mini-batch"), text=text, formula=formula,
        values={"params": params, "labels": bw.labels, "grads": bw.grads, "mean": bw.mean,
                "batch_gradient": bw.batch_gradient, "pulls": pulls, "n": n,
                "indices": batch.indices, "splits": batch.splits, "shown": batch.shown,
                "added": batch.added, "batch_size": int(batch_size), "captions": captions,
                "batch": batch},
        overlay=Overlay(caption=_("a mini-batch of {n}: each sample wants its own changes; SGD "
                                  "follows their average").format(n=count(n))),
        highlight=batch.shown,
        **tab.fields(),
    )
