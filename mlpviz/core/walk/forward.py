"""Stage 1 of the walk, the forward pass: the input layer, then each layer from the one before,
a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾), up to the output layer, whose brightest neuron is the answer.
Every number is the trace's (`Network.backprop` runs the one `forward_pass`)."""

from __future__ import annotations

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said
from mlpviz.core.walk.context import Context, count, num, par
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import _


def input_stage(c: Context) -> Stage:
    """1a: the image is the input layer, a⁽⁰⁾ = x, one neuron per pixel in 0 … 1."""
    x = c.t.a[0]
    n = len(x)
    lit = int(np.count_nonzero(x > 0.5))
    dark = int(np.count_nonzero(x == 0))
    tab = Table("", _("value"))
    tab.add(_("neurons (pixels)"), "784" if n == 784 else str(n))
    tab.add(_("lit, a > 0.5"), str(lit))
    tab.add(_("dark, a = 0"), str(dark))
    tab.add(_("brightest"), float(x.max()))
    tab.add(_("mean activation"), float(x.mean()))
    said = Said()
    lights = said.first(
        ("zero", ["pixels"], x, _("No pixel is lit: the image is empty, every input is 0.")),
        ("count", ["lit"], [lit, *(x > 0.5)],
         _("This {digit} lights up {lit} of them (brighter than 0.5).").format(
             digit=c.name(c.t.label), lit=lit)))
    text = (_("The image is the first layer: {n} neurons (28×28 pixels, row by row), each holding "
              "its pixel's brightness from 0 (blank) to 1 (full ink).") if n == 784 else
            _("The image is the first layer: {n} neurons, each holding its pixel's brightness "
              "from 0 (blank) to 1 (full ink)."))
    return Stage(
        key="forward-0", number=1, title="1a · " + _("Forward: the input layer"),
        short="1a · " + _("Input layer"),
        text=f"{text.format(n=count(n))} {lights}",
        formula=f"a{sup(0)} = x   " + _("({n} numbers in 0 … 1)").format(n=count(n)),
        values={"a": x, "lit": lit, "dark": dark},
        overlay=Overlay(lit_layers=1, caption=_("Forward pass: the input layer")),
        **tab.fields(), **said.fields(),
    )


def layer_stage(c: Context, l: int) -> Stage:
    """1b, 1c, …: layer l from layer l − 1, z⁽ˡ⁾ = W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = σ(z⁽ˡ⁾) (a softmax
    at a cross-entropy output), every neuron's Σₖ wⱼₖ aₖ, bⱼ, zⱼ, aⱼ in the table."""
    t = c.t
    W, b = t.W[l - 1], t.b[l - 1]
    s = W @ t.a[l - 1]
    z, a = t.z[l], t.a[l]
    out = l == c.L
    j = int(np.argmax(a))
    softmax = out and c.softmax
    fa = "softmax" if softmax else c.f
    tab = Table(c.what if out else _("neuron"), "Σₖ wⱼₖ aₖ", _("bias bⱼ"), "z = Σ + b",
                f"a = {fa}(z)")
    for i in range(len(a)):
        tab.add(c.name(i) if out else str(i), s[i], b[i], z[i], a[i])
    n_prev = c.sizes[l - 1]
    formula = (f"a{sup(l)} = {fa}(W{sup(l)} a{sup(l - 1)} + b{sup(l)}),   W{sup(l)}: "
               + _("{rows} × {cols}, one row of weights per neuron").format(
                   rows=len(a), cols=count(n_prev)) + "\n"
               f"z{sub(j)}{sup(l)} = Σₖ w{sub(j)}ₖ aₖ + b{sub(j)} = {fmt_sig(s[j])} + "
               f"{par(b[j])} = {fmt_sig(z[j])}")
    if softmax:
        formula += (f"\na{sub(j)}{sup(l)} = e^z{sub(j)} / Σᵢ e^zᵢ = {fmt_sig(a[j])}   "
                    + _("(the {n} outputs add up to 1)").format(n=len(a)))
    else:
        formula += f",   a{sub(j)}{sup(l)} = {c.f}({par(z[j])}) = {fmt_sig(a[j])}"
    said = Said()
    if out:
        p, y = t.prediction, t.label
        verdict = said.first(
            ("equal", ["outputs"], a, _("Every output is {value}: the network has no answer, "
                                        "since no output is higher than the rest.").format(
                                            value=num(a[p]))),
            ("says", [p], [p, a[p], *a],
             (_("The network's answer is the brightest output: {digit} ({value}).") if c.bright
              else _("The network's answer is the highest output: {digit} ({value}).")).format(
                 digit=c.name(p), value=num(a[p]))))
        if said.claims[-1].relation == "says":
            verdict += " " + (_("That is right.") if p == y else
                              _("The right answer, {digit}, gets only {value}.").format(
                                  digit=c.name(y), value=num(a[y])))
        how = (_("The output layer works the same way, then a softmax turns the ten sums into "
                 "shares that add up to 1.") if softmax else
               _("The output layer works the same way."))
        text = f"{how} {verdict}"
        title = f"1{chr(ord('a') + l)} · " + _("Forward: the output layer")
        short = f"1{chr(ord('a') + l)} · " + _("Output layer")
    else:
        top = said.first(
            ("zero", [c.layer(l)], a, _("Here every neuron of layer {l} gives 0: none of them "
                                        "is active for this input.").format(l=l)),
            ("highest", [j], [a[j], *a],
             (_("The brightest is neuron {j}: {sum} plus bias {bias} gives z = {z}, and "
                "{f}(z) = {a}.") if c.bright else
              _("The highest is neuron {j}: {sum} plus bias {bias} gives z = {z}, and "
                "{f}(z) = {a}.")).format(j=j, sum=fmt_sig(s[j], 3), bias=fmt_sig(b[j], 3),
                                         z=fmt_sig(z[j], 3), f=c.f, a=fmt_sig(a[j], 3))))
        text = _("Each neuron of layer {l} takes all {n} activations of {previous}, each times "
                 "its weight, adds its bias (a threshold: how high the sum must be before the "
                 "neuron becomes active) and {squash}.").format(
                     l=l, n=count(n_prev), previous=c.layer(l - 1), squash=c.squash)
        text = f"{text} {top}"
        title = f"1{chr(ord('a') + l)} · " + _("Forward: layer {l}").format(l=l)
        short = f"1{chr(ord('a') + l)} · " + _("Layer {l}").format(l=l)
    return Stage(
        key=f"forward-{l}", number=1, title=title, short=short, highlight=j, text=text,
        formula=formula,
        values={"weighted_sum": s, "b": b, "z": z, "a": a, "focus": j},
        overlay=Overlay(lit_layers=l + 1, focus=(l, j), neuron_text={(l, j): fmt_sig(a[j], 2)},
                        caption=_("Forward pass: {layer}").format(layer=c.layer(l))),
        **tab.fields(), **said.fields(),
    )

