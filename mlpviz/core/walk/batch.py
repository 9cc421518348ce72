"""Stage 9 of the walk, from one sample to a mini-batch: each sample wants its own changes; their
average over all training samples is the negative gradient, and SGD follows the average over a
mini-batch instead: −∂C/∂θ ≈ (1/n) Σᵢ −∂Cᵢ/∂θ."""

from __future__ import annotations

import numpy as np

from mlpviz.core.gradient import batch_wishes
from mlpviz.core.notation import fmt_sig, param_name
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.context import Context, count, spar
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table


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


def batch_stage(c: Context, batch, batch_size: int) -> Stage:
    """9: from one sample to a mini-batch: each sample's −∂Cᵢ/∂θ for a few parameters, and their
    average (1/n) Σᵢ −∂Cᵢ/∂θ, which one SGD step follows (`core.gradient.batch_wishes`).
    batch is (X (n, sizes[0]), labels (n,)) or None (the stage then only explains)."""
    if batch is None or len(batch[0]) == 0:
        return Stage(
            key="batch", number=9, title="9 · From one sample to a batch", short="9 · A mini-batch",
            text=("Each training sample wants its own changes; training averages them over "
                  f"mini-batches of {count(batch_size)}. No training samples are loaded yet: "
                  "choose a dataset to see several of them side by side."),
            formula="∇C = (1/n) Σᵢ ∇Cᵢ", rows=(), values={}, overlay=Overlay(),
        )
    X, labels = batch
    params = _batch_params(c)
    bw = batch_wishes(c.net, X, labels, params)
    n = len(bw.labels)
    names = [param_name(*p) for p in params]
    tab = Table("sample", c.what, *[f"−∂C/∂{nm}" for nm in names],
                signed=tuple(range(2, 2 + len(names))))
    for i in range(n):
        tab.add(f"#{i + 1}", c.name(int(bw.labels[i])), *(-bw.grads[i]), digits=3)
    tab.add("average", "", *(-bw.mean), digits=3)
    p0 = names[0]
    terms = " + ".join(spar(v, 2) for v in -bw.grads[:, 0])
    formula = (f"−∂C/∂θ over the batch = (1/n) Σᵢ −∂Cᵢ/∂θ,  n = {n}\n"
               f"−∂C/∂{p0} = ({terms}) / {n}\n     = {fmt_sig(-bw.mean[0], signed=True)}")
    opposite = int(np.count_nonzero(np.sign(bw.grads[:, 0]) != np.sign(bw.mean[0])))
    text = (f"Each sample wants its own changes, often pulling the same parameter opposite ways "
            f"({opposite} of these {n} {'disagrees' if opposite == 1 else 'disagree'} with the "
            f"average on {p0}). Averaged over every training sample, their wishes are the "
            f"negative gradient of the cost — but using every sample for every step is slow. "
            f"So training shuffles the data, cuts it into mini-batches of {count(batch_size)} "
            f"(the batch box) and takes one step per mini-batch: stochastic gradient descent, "
            f"a drunkard's quick stagger downhill rather than a careful, slow walk.")
    return Stage(
        key="batch", number=9, title="9 · From one sample to a batch", short="9 · A mini-batch",
        text=text, formula=formula,
        values={"params": params, "labels": bw.labels, "grads": bw.grads, "mean": bw.mean,
                "batch_gradient": bw.batch_gradient},
        overlay=Overlay(caption=f"{n} samples, each with its own wishes; SGD follows their "
                                "average"),
        **tab.fields(),
    )

