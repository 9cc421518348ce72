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


def input_stage(c: Context) -> Stage:
    """1a: the image is the input layer, a⁽⁰⁾ = x, one neuron per pixel in 0 … 1."""
    x = c.t.a[0]
    n = len(x)
    lit = int(np.count_nonzero(x > 0.5))
    dark = int(np.count_nonzero(x == 0))
    tab = Table("", "value")
    tab.add("neurons (pixels)", "784" if n == 784 else str(n))
    tab.add("lit, a > 0.5", str(lit))
    tab.add("dark, a = 0", str(dark))
    tab.add("brightest", float(x.max()))
    tab.add("mean activation", float(x.mean()))
    shape = "" if n != 784 else " (28×28 pixels, row by row)"
    said = Said()
    lights = said.first(
        ("zero", ["pixels"], x, "No pixel is lit: the image is empty, every input is 0."),
        ("count", ["lit"], [lit, *(x > 0.5)],
         f"This {c.name(c.t.label)} lights up {lit} of them (brighter than 0.5)."))
    return Stage(
        key="forward-0", number=1, title="1a · Forward: the input layer", short="1a · Input layer",
        text=(f"The image is the first layer: {count(n)} neurons{shape}, each holding its pixel's "
              f"brightness from 0 (blank) to 1 (full ink). {lights}"),
        formula=f"a{sup(0)} = x   ({count(n)} numbers in 0 … 1)",
        values={"a": x, "lit": lit, "dark": dark},
        overlay=Overlay(lit_layers=1, caption="Forward pass: the input layer"),
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
    tab = Table(c.what if out else "neuron", "Σₖ wⱼₖ aₖ", "bias bⱼ", "z = Σ + b", f"a = {fa}(z)")
    for i in range(len(a)):
        tab.add(c.name(i) if out else str(i), s[i], b[i], z[i], a[i])
    n_prev = c.sizes[l - 1]
    formula = (f"a{sup(l)} = {fa}(W{sup(l)} a{sup(l - 1)} + b{sup(l)}),   W{sup(l)}: "
               f"{len(a)} × {count(n_prev)}, one row of weights per neuron\n"
               f"z{sub(j)}{sup(l)} = Σₖ w{sub(j)}ₖ aₖ + b{sub(j)} = {fmt_sig(s[j])} + "
               f"{par(b[j])} = {fmt_sig(z[j])}")
    if softmax:
        formula += (f"\na{sub(j)}{sup(l)} = e^z{sub(j)} / Σᵢ e^zᵢ = {fmt_sig(a[j])}   "
                    f"(the {len(a)} outputs add up to 1)")
    else:
        formula += f",   a{sub(j)}{sup(l)} = {c.f}({par(z[j])}) = {fmt_sig(a[j])}"
    said = Said()
    if out:
        p, y = t.prediction, t.label
        verdict = said.first(
            ("equal", ["outputs"], a, f"Every output is {num(a[p])}: the network has no answer, "
                                      "since no output is higher than the rest."),
            ("says", [p], [p, a[p], *a], f"The network's answer is the {c.brightest} output: "
                                         f"{c.name(p)} ({num(a[p])})."))
        if said.claims[-1].relation == "says":
            verdict += (" That is right." if p == y else
                        f" The right answer, {c.name(y)}, gets only {num(a[y])}.")
        how = ("The output layer works the same way"
               + (", then a softmax turns the ten sums into shares that add up to 1. " if softmax
                  else ". "))
        text = how + verdict
        title = f"1{chr(ord('a') + l)} · Forward: the output layer"
        short = f"1{chr(ord('a') + l)} · Output layer"
    else:
        top = said.first(
            ("zero", [c.layer(l)], a, f"Here every neuron of layer {l} gives 0: none of them "
                                      "is active for this input."),
            ("highest", [j], [a[j], *a],
             f"The {c.brightest} is neuron {j}: {fmt_sig(s[j], 3)} plus bias "
             f"{fmt_sig(b[j], 3)} gives z = {fmt_sig(z[j], 3)}, and "
             f"{c.f}(z) = {fmt_sig(a[j], 3)}."))
        text = (f"Each neuron of layer {l} takes all {count(n_prev)} activations of "
                f"{c.layer(l - 1)}, each times its weight, adds its bias (a threshold: how high "
                f"the sum must be before the neuron becomes active) and {c.squash}. {top}")
        title = f"1{chr(ord('a') + l)} · Forward: layer {l}"
        short = f"1{chr(ord('a') + l)} · Layer {l}"
    return Stage(
        key=f"forward-{l}", number=1, title=title, short=short, highlight=j, text=text,
        formula=formula,
        values={"weighted_sum": s, "b": b, "z": z, "a": a, "focus": j},
        overlay=Overlay(lit_layers=l + 1, focus=(l, j), neuron_text={(l, j): fmt_sig(a[j], 2)},
                        caption=f"Forward pass: {c.layer(l)}"),
        **tab.fields(), **said.fields(),
    )

