"""Stages 2 and 3 of the walk: the cost of this one sample, C = Σⱼ (aⱼ⁽ᴸ⁾ − yⱼ)² (or −ln a_label
for softmax outputs), and what the outputs want, −∂C/∂a⁽ᴸ⁾ (or −∂C/∂z⁽ᴸ⁾ = y − a): up for the
right answer, down for the rest, each by how far it is from its target."""

from __future__ import annotations

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said, first_true
from mlpviz.core.walk.context import Context, num, par, updown
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
    said = Said()
    formula, text = (_cross_entropy_words if c.softmax else _squared_error_words)(c, said)
    return Stage(
        key="cost", number=2, title="2 · The cost of this sample", short="2 · The cost",
        highlight=lab, text=f"{text} {_NETWORK_COST}", formula=formula,
        values={"a": a, "y": y, "terms": terms, "cost": C},
        overlay=Overlay(focus=(L, lab),
                        neuron_text={(L, j): fmt_sig(terms[j], 2) for j in range(len(a))},
                        caption=f"Cost of this sample: C = {fmt_sig(C, 3)}"),
        **tab.fields(), **said.fields(),
    )


def _cross_entropy_words(c: Context, said: Said) -> tuple[str, str]:
    """The formula and text of C = −ln a_label."""
    t, L, lab = c.t, c.L, c.t.label
    a, C = t.a[L], t.cost
    formula = (f"C = −ln a{sub(lab)}{sup(L)} = −ln {fmt_sig(a[lab])} = {fmt_sig(C)}\n"
               "(cross-entropy: only the right answer's share counts, and it counts more the "
               "nearer it is to 0)")
    text = (f"How wrong is the network on this {c.name(lab)}? With softmax outputs the cost "
            f"is −ln of the share given to the right answer: the {c.q(lab)} gets "
            f"{num(a[lab])}, so C = {fmt_sig(C, 3)}. A sure, right answer (1) would cost 0.")
    return formula, text


def _squared_error_words(c: Context, said: Said) -> tuple[str, str]:
    """The formula and text of C = Σⱼ (aⱼ − yⱼ)², naming the output with the biggest share."""
    t, L, lab = c.t, c.L, c.t.label
    a, y, terms, C = t.a[L], t.y, t.cost_terms, t.cost
    formula = (f"C = Σⱼ (aⱼ{sup(L)} − yⱼ)²\n  = "
               + " + ".join(fmt_sig(v, 2) for v in terms) + f"\n  = {fmt_sig(C)}")
    big = int(np.argmax(terms))
    if big == lab:
        where = (f"lit at only {num(a[big])} when it should be 1" if c.bright else
                 f"at {num(a[big])} when its target is 1")
        share = f"comes from the {c.q(big)} itself, {where}"
    else:
        where = (f"lit at {num(a[big])} when it should be dark" if c.bright else
                 f"at {num(a[big])} when its target is {fmt_sig(y[big])}")
        share = f"comes from the {c.q(big)}, {where}"
    share = said.first(("most", [big], [terms[big], *terms],
                        f"The biggest share, {num(terms[big])}, {share}."))
    text = (f"How wrong is the network on this {c.name(lab)}? For each output, take how far it "
            f"is from what it should be (1 for the {c.q(lab)}, 0 for the rest), square it, and "
            f"add the {len(a)} up: C = {fmt_sig(C, 3)}. A perfect answer costs 0. {share}")
    return formula, text.rstrip()


def wants_stage(c: Context) -> Stage:
    """3: what the outputs want, −∂C/∂aⱼ⁽ᴸ⁾ = −2 (aⱼ − yⱼ) (or −∂C/∂zⱼ = yⱼ − aⱼ at a softmax
    output): toward each output's target (up for the right answer), each in proportion to how far
    it is from it."""
    t, L = c.t, c.L
    a, y, lab = t.a[L], t.y, t.label
    nudges = c.out_nudges()
    others = [j for j in range(len(a)) if j != lab]
    most = max(others, key=lambda j: abs(nudges[j]))  # the wrong output furthest from its target
    n_lab, n_most = nudges[lab], nudges[most]
    if c.softmax:
        grad = t.grad_z[L]
        head = "−∂C/∂zⱼ"
        formula = (f"−∂C/∂zⱼ{sup(L)} = yⱼ − aⱼ   (softmax with cross-entropy)\n"
                   f"{c.q(lab)}: 1 − {par(a[lab])} = {fmt_sig(n_lab, signed=True)},   "
                   f"{c.q(most)}: 0 − {par(a[most])} = {fmt_sig(n_most, signed=True)}")
    else:
        grad = t.grad_a[L]
        head = "−∂C/∂aⱼ"
        formula = (f"−∂C/∂aⱼ{sup(L)} = −2 (aⱼ − yⱼ)\n"
                   f"{c.q(lab)}: −2 ({fmt_sig(a[lab])} − 1) = {fmt_sig(n_lab, signed=True)},   "
                   f"{c.q(most)}: −2 ({fmt_sig(a[most])} − 0) = {fmt_sig(n_most, signed=True)}")
    tab = Table(c.what, "aⱼ", "yⱼ", head, "wants", signed=(3,))
    for j in range(len(a)):
        tab.add(c.name(j), a[j], y[j], nudges[j], updown(nudges[j]))
    said = Said()
    text = " ".join(filter(None, (_verdict(c, said), _wants(c, said, most),
                                  _in_proportion(c, said, most))))
    return Stage(
        key="wants", number=3, title="3 · What the outputs want", short="3 · What they want",
        highlight=lab, text=text, formula=formula,
        values={"a": a, "y": y, "nudges": nudges, "grad": grad},
        overlay=Overlay(nudges={L: nudges}, focus=(L, lab),
                        neuron_text={(L, j): fmt_sig(nudges[j], 2, signed=True)
                                     for j in range(len(a))},
                        caption="What the outputs want: each toward its target, the right "
                                "answer up"),
        **tab.fields(), **said.fields(),
    )


def _verdict(c: Context, said: Said) -> str:
    """What the network says now: "already says 2 (0.81)" or "thinks this is a 7 (0.64)"."""
    a, lab, p = c.t.a[c.L], c.t.label, c.t.prediction
    same = first_true(("equal", ["outputs"], a, f"Every output is {num(a[0])}: the network "
                                               f"cannot tell the {c.what}s apart at all."))
    if same:
        return said(same)
    if p == lab:
        surer = ", but it could be surer" if c.out_nudges()[lab] > 0 else ""
        return said.claim("says", [lab], [lab, a[lab], *a],
                          f"The network already says {c.name(lab)} ({num(a[lab])}){surer}.")
    return said.claim("says", [p], [p, a[p], *a],
                      f"The network thinks this is a {c.name(p)} ({num(a[p])}).")


def _wants(c: Context, said: Said, most: int) -> str:
    """Which way each output should go: the right answer up, every other one down (or toward its
    target, for outputs below it), the furthest from its target most of all."""
    nudges, lab = c.out_nudges(), c.t.label
    others = np.delete(nudges, lab)
    n_lab, n_most = nudges[lab], nudges[most]
    by_a_lot = " by a lot" if 1 - c.t.a[c.L][lab] > 0.5 else ""
    first = said.first(
        ("up", [lab], [n_lab], f"We want the {c.q(lab)} output to go up{by_a_lot} "
                               f"({fmt_sig(n_lab, 2, signed=True)})"),
        ("zero", [lab], [n_lab], f"The {c.q(lab)} output is exactly at its target"))
    rest = said.first(("down", ["others"], others, "and every other output down"),
                      ("zero", ["others"], others,
                       "; every other output is already exactly at its target"))
    if not rest:
        rest = "and every other output toward its target, 0"
    mostly = said.first(("most", [most], [n_most, *others],
                         f"the {c.q(most)} most of all ({fmt_sig(n_most, 2, signed=True)}), "
                         f"because at {num(c.t.a[c.L][most])} it is the furthest from its "
                         "target"))
    return f"{first}{' ' if rest[0] != ';' else ''}{rest}" + (f" — {mostly}." if mostly else ".")


def _in_proportion(c: Context, said: Said, most: int) -> str:
    """Each nudge in proportion to the distance from the target (squared error), and which matters
    more: raising the right answer or lowering the wrong output nearest its target."""
    if c.softmax:
        return ("With softmax the outputs share one budget, so each nudge is simply how far the "
                "output is from its target: y − a.")
    t, L, lab = c.t, c.L, c.t.label
    a, nudges = t.a[L], c.out_nudges()
    others = [j for j in range(len(a)) if j != lab]
    least = min(others, key=lambda j: abs(nudges[j]))
    n_lab, n_least, n_most = nudges[lab], nudges[least], nudges[most]
    near = first_true(
        ("zero", [least], [n_least], "which is already exactly at its target"),
        ("near", [least], [a[least], t.y[least]], "which is already near its target"),
        ("least", [least], [n_least, *nudges[others]], "the other output nearest its target"))
    ahead = "Each nudge is in proportion to how far the output is from its target"
    more = first_true(
        ("more", [lab, least], [n_lab, n_least],
         f"{moving(n_lab)} the {c.q(lab)} matters more than {moving(n_least)} the {c.q(least)}, "
         f"{near.text} ({num(a[least])}, nudge {fmt_sig(n_least, 2, signed=True)})"))
    if more is not None:
        said(near)
        return f"{ahead}: {said(more)}."
    which = said.first(
        ("more", [most, lab], [n_most, n_lab],
         f"here the {c.q(lab)} ({num(a[lab])}) is nearer its target than the {c.q(most)} "
         f"({num(a[most])}), so {moving(n_most)} the {c.q(most)} "
         f"({fmt_sig(n_most, 2, signed=True)}) matters more than {moving(n_lab)} the {c.q(lab)} "
         f"({fmt_sig(n_lab, 2, signed=True)})"),
    )
    return f"{ahead}: {which}." if which else f"{ahead}."


def moving(nudge: float) -> str:
    """The verb of a nudge: "raising" (up), "lowering" (down), "moving" (none)."""
    return "raising" if nudge > 0 else ("lowering" if nudge < 0 else "moving")
