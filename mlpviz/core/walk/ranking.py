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
from mlpviz.i18n import _


def _connects(c: Context, l: int, j: int, k: int) -> str:
    """Where parameter (l, j, k) sits: "#14 of layer 2 → '2'", "pixel (12, 5) → #3 of layer 1",
    "bias of '2'"."""
    to = c.q(j) if l + 1 == c.L else _("#{j} of layer {l}").format(j=j, l=l + 1)
    if k < 0:
        return _("bias of {to}").format(to=to)
    frm = (_("pixel ({row}, {col})").format(row=k // 28, col=k % 28)
           if l == 0 and c.sizes[0] == 784 else _("#{j} of layer {l}").format(j=k, l=l))
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
    n = count(zeros)
    return said.first(
        ("more", ["blank pixels", "the rest"], [from_black, zeros - from_black],
         _("{n} of them are exactly 0 — mostly weights from blank pixels, which cannot affect "
           "this sample.").format(n=n)),
        ("more", ["off neurons", "the rest"], [dead, zeros - dead],
         _("{n} of them are exactly 0 — mostly the levers of neurons that pass nothing back "
           "(∂C/∂z = 0).").format(n=n)),
        ("count", ["zeros"], np.concatenate([[zeros], all_gradients(t) == 0]),
         _("{n} of them are exactly 0.").format(n=n)))


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
    tab = Table("#", _("parameter"), _("connects"), "∂C/∂θ", f"× #{len(top)}")
    for r, (l, j, k, g) in enumerate(top, 1):
        tab.add(str(r), param_name(l, j, k), _connects(c, l, j, k), g,
                (ratios[r - 1], 3) if ratios is not None and np.isfinite(ratios[r - 1]) else "—",
                digits=3)
    g1 = top[0][3]
    formula = (f"∇C = (∂C/∂w{sub(0, 0)}{sup(1)}, …, ∂C/∂b{sub(c.sizes[-1] - 1)}{sup(c.L)}): "
               + _("{n} numbers").format(n=count(P)) + f",  |∇C| = {fmt_sig(norm)}")
    said = Said()
    ratio = ratios[0] if ratios is not None else 0.0
    ranks = said.first(
        ("zero", ["∇C"], [g1], _("Here every one of them is 0: this sample teaches this "
                                 "network nothing, and a step on it changes nothing.")),
        ("zero", [f"#{len(top)}"], [g10],
         _("Only {n} of them are not 0, so the ranking ends there: the top one, ∂C/∂{name} = "
           "{grad}, matters most.").format(n=count(P - zeros), name=param_name(*top[0][:3]),
                                           grad=fmt_sig(g1, 2))),
        ("more", ["#1", f"#{len(top)}", "ratio"], [g1, g10, ratio],  # the ratio must be finite
         _("It also ranks the parameters: the top one is {ratio} times the {n}th, so changing it "
           "matters {ratio} times as much.").format(ratio=fmt_sig(ratio, 2), n=len(top))),
        ("more", ["#1", f"#{len(top)}"], [g1, g10],
         _("It also ranks the parameters: the top one, {top}, is more than 10³⁰⁰ times the "
           "{n}th, {last}, so changing it matters that much more.").format(
               top=fmt_sig(g1, 2), n=len(top), last=fmt_sig(top[-1][3], 2))),
    ) or _("It also ranks the parameters by size.")
    if g10 > 0 and np.isfinite(ratio):
        formula += "\n" + _("largest: ∂C/∂{name} = {top}   = {ratio} × the {n}th, {last}").format(
            name=param_name(*top[0][:3]), top=fmt_sig(g1), ratio=fmt_sig(ratio, 3), n=len(top),
            last=fmt_sig(top[-1][3]))
    zero_note, counts = "", {}
    if 0 < zeros and g1 != 0:
        zero_note = " " + _zeros_note(c, zeros, said, counts)
    text = (_("Done for this one {name}, backpropagation gives all {n} derivatives: the "
              "gradient. The cost is a function of these {n} parameters, and the negative "
              "gradient says which way to nudge every one of them to lower it fastest.").format(
                  name=c.q(t.label), n=count(P))
            + f" {ranks}{zero_note} " + _("Click any line to see its chain rule."))
    return Stage(
        key="gradient", number=7, title="7 · " + _("The whole gradient"),
        short="7 · " + _("The gradient"),
        highlight=0, text=text, formula=formula,
        values={"params": [p[:3] for p in top], "grads": np.array([p[3] for p in top]),
                "ratios": ratios,
                "norm": norm, "zeros": zeros, "count": P, **counts},
        overlay=Overlay(line_values={l: -g for l, g in enumerate(t.grad_w)},
                        nudges={l + 1: -g for l, g in enumerate(t.grad_b)},
                        caption=_("−∇C: {pos} should grow, {neg} shrink; the brighter, the "
                                  "more it matters").format(pos=c.pos, neg=c.neg)),
        **tab.fields(), **said.fields(),
    )

