"""Stage 7 of the walk, the whole gradient: all of this sample's ∂C/∂θ are the gradient ∇C, whose
negative says which way to nudge every parameter; it also ranks them — a component three times
another matters three times as much. The ranking is `core.gradient.top_parameters`."""

from __future__ import annotations

import numpy as np

from mlpviz.core.gradient import all_gradients, top_parameters
from mlpviz.core.notation import fmt_sig, param_name, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said
from mlpviz.core.walk.context import Context, count
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table


def _connects(c: Context, l: int, j: int, k: int) -> str:
    """Where parameter (l, j, k) sits: "#14 of layer 2 → '2'", "pixel (12, 5) → #3 of layer 1",
    "bias of '2'"."""
    to = c.q(j) if l + 1 == c.L else f"#{j} of layer {l + 1}"
    if k < 0:
        return f"bias of {to}"
    frm = (f"pixel ({k // 28}, {k % 28})" if l == 0 and c.sizes[0] == 784 else
           f"#{k} of layer {l}")
    return f"{frm} → {to}"


def _zeros_note(c: Context, zeros: int, said: Said, values: dict) -> str:
    """Where this sample's exact-zero derivatives come from: mostly weights from black pixels
    (aₖ = 0), or neurons that pass nothing back (∂C/∂zⱼ = 0), whichever is true."""
    t = c.t
    from_black = int(np.count_nonzero((t.grad_w[0] == 0) & (t.a[0] == 0)[None, :]))
    # a neuron with ∂C/∂zⱼ = 0 has ∂C/∂bⱼ = 0 and ∂C/∂wⱼₖ = aₖ · 0 = 0 for every k
    dead = int(sum(np.count_nonzero(t.grad_z[l + 1] == 0) * (W.shape[1] + 1)
                   for l, W in enumerate(t.grad_w)))
    values.update(zeros_from_black=from_black, zeros_not_from_black=zeros - from_black,
                  zeros_from_off=dead, zeros_not_from_off=zeros - dead)
    head = f"{count(zeros)} of them are exactly 0"
    return said.first(
        ("more", ["blank pixels", "the rest"], [from_black, zeros - from_black],
         f"{head} — mostly weights from blank pixels, which cannot affect this sample."),
        ("more", ["off neurons", "the rest"], [dead, zeros - dead],
         f"{head} — mostly the levers of neurons that pass nothing back (∂C/∂z = 0)."),
        ("count", ["zeros"], np.concatenate([[zeros], all_gradients(t) == 0]), f"{head}."))


def gradient_stage(c: Context) -> Stage:
    """7: the whole gradient ∇C = (∂C/∂θ for all P parameters) of this sample, its length |∇C|,
    and its largest components ranked (`top_parameters`), each as a multiple of the last one."""
    t = c.t
    flat = all_gradients(t)
    P = flat.size
    top = top_parameters(t)
    g10 = abs(top[-1][3])
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratios = np.abs([p[3] for p in top]) / g10 if g10 > 0 else None  # inf if it overflows
    norm = float(np.sqrt(np.sum(flat * flat)))
    zeros = int(np.count_nonzero(flat == 0))
    tab = Table("#", "parameter", "connects", "∂C/∂θ", f"× #{len(top)}")
    for r, (l, j, k, g) in enumerate(top, 1):
        tab.add(str(r), param_name(l, j, k), _connects(c, l, j, k), g,
                (ratios[r - 1], 3) if ratios is not None and np.isfinite(ratios[r - 1]) else "—",
                digits=3)
    g1 = top[0][3]
    formula = (f"∇C = (∂C/∂w{sub(0, 0)}{sup(1)}, …, ∂C/∂b{sub(c.sizes[-1] - 1)}{sup(c.L)}): "
               f"{count(P)} numbers,  |∇C| = {fmt_sig(norm)}")
    said = Said()
    ratio = ratios[0] if ratios is not None else 0.0
    ranks = said.first(
        ("zero", ["∇C"], [g1], "Here every one of them is 0: this sample teaches this network "
                               "nothing, and a step on it changes nothing."),
        ("zero", [f"#{len(top)}"], [g10],
         f"Only {count(P - zeros)} of them are not 0, so the ranking ends there: the top one, "
         f"∂C/∂{param_name(*top[0][:3])} = {fmt_sig(g1, 2)}, matters most."),
        ("more", ["#1", f"#{len(top)}", "ratio"], [g1, g10, ratio],  # the ratio must be finite
         f"It also ranks the parameters: the top one is {fmt_sig(ratio, 2)} times the "
         f"{len(top)}th, so changing it matters {fmt_sig(ratio, 2)} times as much."),
        ("more", ["#1", f"#{len(top)}"], [g1, g10],
         f"It also ranks the parameters: the top one, {fmt_sig(g1, 2)}, is more than 10³⁰⁰ times "
         f"the {len(top)}th, {fmt_sig(top[-1][3], 2)}, so changing it matters that much more."),
    ) or "It also ranks the parameters by size."
    if g10 > 0 and np.isfinite(ratio):
        formula += (f"\nlargest: ∂C/∂{param_name(*top[0][:3])} = {fmt_sig(g1)}   "
                    f"= {fmt_sig(ratio, 3)} × the {len(top)}th, {fmt_sig(top[-1][3])}")
    zero_note, counts = "", {}
    if 0 < zeros and g1 != 0:
        zero_note = " " + _zeros_note(c, zeros, said, counts)
    text = (f"Done for this one {c.q(t.label)}, backpropagation gives all {count(P)} "
            f"derivatives: the gradient. The cost is a function of these {count(P)} parameters, "
            f"and the negative gradient says which way to nudge every one of them to lower it "
            f"fastest. {ranks}{zero_note} Click any line to see its chain rule.")
    return Stage(
        key="gradient", number=7, title="7 · The whole gradient", short="7 · The gradient",
        highlight=0, text=text, formula=formula,
        values={"params": [p[:3] for p in top], "grads": np.array([p[3] for p in top]),
                "ratios": ratios,
                "norm": norm, "zeros": zeros, "count": P, **counts},
        overlay=Overlay(line_values={l: -g for l, g in enumerate(t.grad_w)},
                        nudges={l + 1: -g for l, g in enumerate(t.grad_b)},
                        caption=f"−∇C: {c.pos} should grow, {c.neg} shrink; the brighter, "
                                "the more it matters"),
        **tab.fields(), **said.fields(),
    )

