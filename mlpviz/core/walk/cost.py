"""Stages 2 and 3 of the walk: the cost of this one sample, C = Σⱼ (aⱼ⁽ᴸ⁾ − yⱼ)² (or −ln a_label
for softmax outputs), and what the outputs want, −∂C/∂a⁽ᴸ⁾ (or −∂C/∂z⁽ᴸ⁾ = y − a): up for the
right answer, down for the rest, each by how far it is from its target."""

from __future__ import annotations

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.context import Context, updown
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table


_NETWORK_COST = ("The cost of the whole network is this, averaged over all the training samples: "
                 "the number training drives down.")


def cost_stage(c: Context) -> Stage:
    """2: the cost of this sample, C = Σⱼ (aⱼ⁽ᴸ⁾ − yⱼ)² (or −ln a_label at a softmax output), with
    each output's share of it, `Trace.cost_terms`."""
    t, L = c.t, c.L
    a, y, terms, C, lab = t.a[L], t.y, t.cost_terms, t.cost, t.label
    tab = Table(c.what, "aⱼ", "yⱼ", "−yⱼ ln aⱼ" if c.softmax else "(aⱼ − yⱼ)²")
    for j in range(len(a)):
        tab.add(c.name(j), a[j], y[j], terms[j])
    formula, text = (_cross_entropy_words if c.softmax else _squared_error_words)(c)
    return Stage(
        key="cost", number=2, title="2 · The cost of this sample", short="2 · The cost",
        highlight=lab, text=f"{text} {_NETWORK_COST}", formula=formula,
        values={"a": a, "y": y, "terms": terms, "cost": C},
        overlay=Overlay(focus=(L, lab),
                        neuron_text={(L, j): fmt_sig(terms[j], 2) for j in range(len(a))},
                        caption=f"Cost of this sample: C = {fmt_sig(C, 3)}"),
        **tab.fields(),
    )


def _cross_entropy_words(c: Context) -> tuple[str, str]:
    """The formula and text of C = −ln a_label."""
    t, L, lab = c.t, c.L, c.t.label
    a, C = t.a[L], t.cost
    formula = (f"C = −ln a{sub(lab)}{sup(L)} = −ln {fmt_sig(a[lab])} = {fmt_sig(C)}\n"
               "(cross-entropy: only the right answer's share counts, and it counts more the "
               "nearer it is to 0)")
    text = (f"How wrong is the network on this {c.name(lab)}? With softmax outputs the cost "
            f"is −ln of the share given to the right answer: the {c.q(lab)} gets "
            f"{a[lab]:.2f}, so C = {fmt_sig(C, 3)}. A sure, right answer (1) would cost 0.")
    return formula, text


def _squared_error_words(c: Context) -> tuple[str, str]:
    """The formula and text of C = Σⱼ (aⱼ − yⱼ)², naming the output with the biggest share."""
    t, L, lab = c.t, c.L, c.t.label
    a, terms, C = t.a[L], t.cost_terms, t.cost
    formula = (f"C = Σⱼ (aⱼ{sup(L)} − yⱼ)²\n  = "
               + " + ".join(fmt_sig(v, 2) for v in terms) + f"\n  = {fmt_sig(C)}")
    big = int(np.argmax(terms))
    if big == lab:
        share = (f"The biggest share, {terms[big]:.2f}, comes from the {c.q(big)} itself, "
                 f"lit at only {a[big]:.2f} when it should be 1.")
    else:
        share = (f"The biggest share, {terms[big]:.2f}, comes from the {c.q(big)}, lit at "
                 f"{a[big]:.2f} when it should be dark.")
    text = (f"How wrong is the network on this {c.name(lab)}? For each output, take how far it "
            f"is from what it should be (1 for the {c.q(lab)}, 0 for the rest), square it, and "
            f"add the {len(a)} up: C = {fmt_sig(C, 3)}. A perfect answer costs 0. {share}")
    return formula, text


def wants_stage(c: Context) -> Stage:
    """3: what the outputs want, −∂C/∂aⱼ⁽ᴸ⁾ = −2 (aⱼ − yⱼ) (or −∂C/∂zⱼ = yⱼ − aⱼ at a softmax
    output): up for the right answer, down for the rest, each in proportion to its distance."""
    t, L = c.t, c.L
    a, y, lab, p = t.a[L], t.y, t.label, t.prediction
    nudges = c.out_nudges()
    others = [j for j in range(len(a)) if j != lab]
    most = max(others, key=lambda j: a[j])  # the wrong output furthest from 0
    least = min(others, key=lambda j: a[j])
    n_lab, n_most = nudges[lab], nudges[most]
    if c.softmax:
        grad = t.grad_z[L]
        head = "−∂C/∂zⱼ"
        formula = (f"−∂C/∂zⱼ{sup(L)} = yⱼ − aⱼ   (softmax with cross-entropy)\n"
                   f"{c.q(lab)}: 1 − {fmt_sig(a[lab])} = {fmt_sig(n_lab, signed=True)},   "
                   f"{c.q(most)}: 0 − {fmt_sig(a[most])} = {fmt_sig(n_most, signed=True)}")
    else:
        grad = t.grad_a[L]
        head = "−∂C/∂aⱼ"
        formula = (f"−∂C/∂aⱼ{sup(L)} = −2 (aⱼ − yⱼ)\n"
                   f"{c.q(lab)}: −2 ({fmt_sig(a[lab])} − 1) = {fmt_sig(n_lab, signed=True)},   "
                   f"{c.q(most)}: −2 ({fmt_sig(a[most])} − 0) = {fmt_sig(n_most, signed=True)}")
    tab = Table(c.what, "aⱼ", "yⱼ", head.split(" = ")[0], "wants", signed=(3,))
    for j in range(len(a)):
        tab.add(c.name(j), a[j], y[j], nudges[j], updown(nudges[j]))
    short = 1 - a[lab]
    if p != lab:
        first = (f"The network thinks this is a {c.name(p)} ({a[p]:.2f}). We want the {c.q(lab)} "
                 f"output to go up{' by a lot' if short > 0.5 else ''} "
                 f"({fmt_sig(n_lab, 2, signed=True)}) and every other output down — the "
                 f"{c.q(most)} most of all ({fmt_sig(n_most, 2, signed=True)}), because it is the "
                 f"furthest from 0.")
    else:
        first = (f"The network already says {c.name(lab)} ({a[lab]:.2f}), but it could be surer. "
                 f"We want the {c.q(lab)} output to go up ({fmt_sig(n_lab, 2, signed=True)}) and "
                 f"every other output down — the {c.q(most)} most "
                 f"({fmt_sig(n_most, 2, signed=True)}), because at {a[most]:.2f} it is the "
                 f"furthest from 0.")
    if c.softmax:
        second = ("With softmax the outputs share one budget, so each nudge is simply how far the "
                  "output is from its target: y − a.")
    else:
        second = (f"Each nudge is in proportion to how far the output is from its target: raising "
                  f"the {c.q(lab)} matters more than lowering the {c.q(least)}, which is already "
                  f"near 0 ({a[least]:.2f}, nudge {fmt_sig(nudges[least], 2, signed=True)}).")
    return Stage(
        key="wants", number=3, title="3 · What the outputs want", short="3 · What they want",
        highlight=lab, text=f"{first} {second}",
        formula=formula,
        values={"a": a, "y": y, "nudges": nudges, "grad": grad},
        overlay=Overlay(nudges={L: nudges}, focus=(L, lab),
                        neuron_text={(L, j): fmt_sig(nudges[j], 2, signed=True)
                                     for j in range(len(a))},
                        caption="What the outputs want: up for the right answer, down for "
                                "the rest"),
        **tab.fields(),
    )

