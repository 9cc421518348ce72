"""Stages 2 and 3 of the walk: the cost of this one sample, C = Σⱼ (aⱼ⁽ᴸ⁾ − yⱼ)² (or −ln a_label
for softmax outputs), and what the outputs want, −∂C/∂a⁽ᴸ⁾ (or −∂C/∂z⁽ᴸ⁾ = y − a): up for the
right answer, down for the rest, each by how far it is from its target."""

from __future__ import annotations

import math

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said, first_true
from mlpviz.core.walk.context import Context, num, par, updown
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import N_, _


_NETWORK_COST = N_("The cost of the whole network is this, averaged over all the training samples: "
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
        key="cost", number=2, title="2 · " + _("The cost of this sample"),
        short="2 · " + _("The cost"), highlight=lab, text=f"{text} {_(_NETWORK_COST)}",
        formula=formula,
        values={"a": a, "y": y, "terms": terms, "cost": C},
        overlay=Overlay(focus=(L, lab),
                        neuron_text={(L, j): fmt_sig(terms[j], 2) for j in range(len(a))},
                        caption=_("Cost of this sample: C = {cost}").format(cost=fmt_sig(C, 3))),
        **tab.fields(), **said.fields(),
    )


def _cross_entropy_words(c: Context, said: Said) -> tuple[str, str]:
    """The formula and text of C = −ln a_label."""
    t, L, lab = c.t, c.L, c.t.label
    a, C = t.a[L], t.cost
    share, tail = fmt_sig(a[lab]), f" = {fmt_sig(C)}"
    if not math.isclose(-math.log(a[lab]) if a[lab] > 0 else math.inf, C, rel_tol=1e-9):
        # the share underflows (or rounds): C comes from the logits, −ln a = ln Σᵢ e^zᵢ − z_label
        share = f"(e^z{sub(lab)} / Σᵢ e^zᵢ)"
        tail = f" = ln Σᵢ e^zᵢ − z{sub(lab)}{sup(L)} = {fmt_sig(C)}"
    formula = (f"C = −ln a{sub(lab)}{sup(L)} = −ln {share}{tail}\n"
               + _("(cross-entropy: only the right answer's share counts, and it counts more the "
                   "nearer it is to 0)"))
    gets = num(a[lab]) if a[lab] > 0 and C < 700 else \
        f"e^−{fmt_sig(C, 4)} ≈ 10^−{fmt_sig(C / math.log(10), 4)}"
    text = _("How wrong is the network on this {digit}? With softmax outputs the cost is −ln of "
             "the share given to the right answer: the {name} gets {share}, so C = {cost}. A "
             "sure, right answer (1) would cost 0.").format(
                 digit=c.name(lab), name=c.q(lab), share=gets, cost=fmt_sig(C, 3))
    return formula, text


def _squared_error_words(c: Context, said: Said) -> tuple[str, str]:
    """The formula and text of C = Σⱼ (aⱼ − yⱼ)², naming the output with the biggest share."""
    t, L, lab = c.t, c.L, c.t.label
    a, y, terms, C = t.a[L], t.y, t.cost_terms, t.cost
    formula = (f"C = Σⱼ (aⱼ{sup(L)} − yⱼ)²\n  = "
               + " + ".join(fmt_sig(v, 2) for v in terms) + f"\n  = {fmt_sig(C)}")
    big = int(np.argmax(terms))
    if big == lab:
        share = (_("The biggest share, {share}, comes from the {name} itself, lit at only {value} "
                   "when it should be 1.") if c.bright else
                 _("The biggest share, {share}, comes from the {name} itself, at {value} when its "
                   "target is 1."))
    else:
        share = (_("The biggest share, {share}, comes from the {name}, lit at {value} when it "
                   "should be dark.") if c.bright else
                 _("The biggest share, {share}, comes from the {name}, at {value} when its target "
                   "is {target}."))
    share = share.format(share=num(terms[big]), name=c.q(big), value=num(a[big]),
                         target=fmt_sig(y[big]))
    share = said.first(("most", [big], [terms[big], *terms], share))
    text = _("How wrong is the network on this {digit}? For each output, take how far it is from "
             "what it should be (1 for the {name}, 0 for the rest), square it, and add the {n} "
             "up: C = {cost}. A perfect answer costs 0.").format(
                 digit=c.name(lab), name=c.q(lab), n=len(a), cost=fmt_sig(C, 3))
    text = f"{text} {share}"
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
        formula = (f"−∂C/∂zⱼ{sup(L)} = yⱼ − aⱼ   " + _("(softmax with cross-entropy)") + "\n"
                   f"{c.q(lab)}: 1 − {par(a[lab])} = {fmt_sig(n_lab, signed=True)},   "
                   f"{c.q(most)}: 0 − {par(a[most])} = {fmt_sig(n_most, signed=True)}")
    else:
        grad = t.grad_a[L]
        head = "−∂C/∂aⱼ"
        formula = (f"−∂C/∂aⱼ{sup(L)} = −2 (aⱼ − yⱼ)\n"
                   f"{c.q(lab)}: −2 ({fmt_sig(a[lab])} − 1) = {fmt_sig(n_lab, signed=True)},   "
                   f"{c.q(most)}: −2 ({fmt_sig(a[most])} − 0) = {fmt_sig(n_most, signed=True)}")
    tab = Table(c.what, "aⱼ", "yⱼ", head, _("wants"), signed=(3,))
    for j in range(len(a)):
        tab.add(c.name(j), a[j], y[j], nudges[j], updown(nudges[j]))
    said = Said()
    text = " ".join(filter(None, (_verdict(c, said), _wants(c, said, most),
                                  _in_proportion(c, said, most))))
    return Stage(
        key="wants", number=3, title="3 · " + _("What the outputs want"),
        short="3 · " + _("What they want"),
        highlight=lab, text=text, formula=formula,
        values={"a": a, "y": y, "nudges": nudges, "grad": grad},
        overlay=Overlay(nudges={L: nudges}, focus=(L, lab),
                        neuron_text={(L, j): fmt_sig(nudges[j], 2, signed=True)
                                     for j in range(len(a))},
                        caption=_("What the outputs want: each toward its target, the right "
                                  "answer up")),
        **tab.fields(), **said.fields(),
    )


def _verdict(c: Context, said: Said) -> str:
    """What the network says now: "already says 2 (0.81)" or "thinks this is a 7 (0.64)"."""
    a, lab, p = c.t.a[c.L], c.t.label, c.t.prediction
    same = first_true(("equal", ["outputs"], a, (
        _("Every output is {value}: the network cannot tell the digits apart at all.")
        if c.digits else
        _("Every output is {value}: the network cannot tell the classes apart at all.")).format(
            value=num(a[0]))))
    if same:
        return said(same)
    if p == lab:
        says = (_("The network already says {digit} ({value}), but it could be surer.")
                if c.out_nudges()[lab] > 0 else
                _("The network already says {digit} ({value})."))
        return said.claim("says", [lab], [lab, a[lab], *a],
                          says.format(digit=c.name(lab), value=num(a[lab])))
    return said.claim("says", [p], [p, a[p], *a],
                      _("The network thinks this is a {digit} ({value}).").format(
                          digit=c.name(p), value=num(a[p])))


def _wants(c: Context, said: Said, most: int) -> str:
    """Which way each output should go: the right answer up, every other one down (or toward its
    target, for outputs below it), the furthest from its target most of all."""
    nudges, lab = c.out_nudges(), c.t.label
    others = np.delete(nudges, lab)
    n_lab, n_most = nudges[lab], nudges[most]
    up = (_("We want the {name} output to go up by a lot ({nudge})")
          if 1 - c.t.a[c.L][lab] > 0.5 else _("We want the {name} output to go up ({nudge})"))
    first = said.first(
        ("up", [lab], [n_lab], up.format(name=c.q(lab), nudge=fmt_sig(n_lab, 2, signed=True))),
        ("zero", [lab], [n_lab],
         _("The {name} output is exactly at its target").format(name=c.q(lab))))
    rest = said.first(("down", ["others"], others, _("and every other output down")),
                      ("zero", ["others"], others,
                       _("every other output is already exactly at its target")))
    at_target = bool(rest) and said.claims[-1].relation == "zero"
    if not rest:
        rest = _("and every other output toward its target, 0")
    mostly = said.first(("most", [most], [n_most, *others],
                         _("the {name} most of all ({nudge}), because at {value} it is the "
                           "furthest from its target").format(
                               name=c.q(most), nudge=fmt_sig(n_most, 2, signed=True),
                               value=num(c.t.a[c.L][most]))))
    if at_target:
        return _("{first}; {rest}.").format(first=first, rest=rest)
    if mostly:
        return _("{first} {rest} — {most}.").format(first=first, rest=rest, most=mostly)
    return _("{first} {rest}.").format(first=first, rest=rest)


def _in_proportion(c: Context, said: Said, most: int) -> str:
    """Each nudge in proportion to the distance from the target (squared error), and which matters
    more: raising the right answer or lowering the wrong output nearest its target."""
    if c.softmax:
        return _("With softmax the outputs share one budget, so each nudge is simply how far the "
                 "output is from its target: y − a.")
    t, L, lab = c.t, c.L, c.t.label
    a, nudges = t.a[L], c.out_nudges()
    others = [j for j in range(len(a)) if j != lab]
    least = min(others, key=lambda j: abs(nudges[j]))
    n_lab, n_least, n_most = nudges[lab], nudges[least], nudges[most]
    near = first_true(
        ("zero", [least], [n_least], _("which is already exactly at its target")),
        ("near", [least], [a[least], t.y[least]], _("which is already near its target")),
        ("least", [least], [n_least, *nudges[others]], _("the other output nearest its target")))
    more = first_true(
        ("more", [lab, least], [n_lab, n_least],
         _("{moving} the {name} matters more than {moving_other} the {other}, {near} ({value}, "
           "nudge {nudge})").format(
             moving=moving(n_lab), name=c.q(lab), moving_other=moving(n_least),
             other=c.q(least), near=near.text, value=num(a[least]),
             nudge=fmt_sig(n_least, 2, signed=True))))
    if more is not None:
        said(near)
        which = said(more)
    else:
        which = said.first(
            ("more", [most, lab], [n_most, n_lab],
             _("here the {name} ({value}) is nearer its target than the {other} ({value_other}), "
               "so {moving_other} the {other} ({nudge_other}) matters more than {moving} the "
               "{name} ({nudge})").format(
                 name=c.q(lab), value=num(a[lab]), other=c.q(most), value_other=num(a[most]),
                 moving_other=moving(n_most), nudge_other=fmt_sig(n_most, 2, signed=True),
                 moving=moving(n_lab), nudge=fmt_sig(n_lab, 2, signed=True))),
        )
    if which:
        return _("Each nudge is in proportion to how far the output is from its target: "
                 "{which}.").format(which=which)
    return _("Each nudge is in proportion to how far the output is from its target.")


def moving(nudge: float) -> str:
    """The verb of a nudge: "raising" (up), "lowering" (down), "moving" (none)."""
    return _("raising") if nudge > 0 else (_("lowering") if nudge < 0 else _("moving"))
