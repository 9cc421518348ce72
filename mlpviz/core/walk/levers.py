"""Stages 4 and 6 of the walk, the three levers of one neuron: its bias, its weights (mostly those
from bright neurons) and the activations coming in (its wishes for the layer before), first for an
output neuron (4a–c), then for the most-wanted neuron of each hidden layer (6).

∂C/∂bⱼ⁽ˡ⁾ = ∂C/∂zⱼ⁽ˡ⁾,  ∂C/∂wⱼₖ⁽ˡ⁾ = aₖ⁽ˡ⁻¹⁾ · ∂C/∂zⱼ⁽ˡ⁾,  wish of j for k: −wⱼₖ⁽ˡ⁾ · ∂C/∂zⱼ⁽ˡ⁾
(a wish is always −∂C/∂a, the way that lowers the cost; `Trace.wishes` holds wⱼₖ · ∂C/∂zⱼ),
with ∂C/∂zⱼ⁽ˡ⁾ = σ'(zⱼ⁽ˡ⁾) · ∂C/∂aⱼ⁽ˡ⁾ (aⱼ − yⱼ at a softmax output), all read from the trace.
A lever that is exactly 0 (a relu that is off, a layer of zeros, a black pixel) is said to do
nothing; the comparisons ("matter most", "hardly at all") are `Claim`s, written only when true.
"""

from __future__ import annotations

import math

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said
from mlpviz.core.walk.context import (
    Context, count, lr_text, num, only, only_row, par, pixel, pixel_place, updown,
)
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import _

MAX_WEIGHT_ROWS = 12  # weight tables from the 784 pixels show only the largest ones


def _dz_formula(c: Context, l: int, j: int) -> str:
    """∂C/∂zⱼ⁽ˡ⁾ as a formula with its numbers: σ'(zⱼ) · ∂C/∂aⱼ, or aⱼ − yⱼ at a softmax output."""
    t = c.t
    gz = t.grad_z[l][j]
    if l == c.L and c.softmax:
        return (f"∂C/∂z{sub(j)}{sup(l)} = a{sub(j)} − y{sub(j)} = {fmt_sig(t.a[l][j])} − "
                f"{fmt_sig(t.y[j])} = {fmt_sig(gz)}")
    sp = c.prime(l)[j]
    return (f"∂C/∂z{sub(j)}{sup(l)} = {c.f}'(z{sub(j)}) · ∂C/∂a{sub(j)} = {fmt_sig(sp)} × "
            f"{par(t.grad_a[l][j])} = {fmt_sig(gz)}")


def _responsiveness(c: Context, l: int, j: int, said: Said) -> str:
    """A sentence on σ'(zⱼ⁽ˡ⁾): how strongly the neuron responds to a change of z right now. A
    kinked σ (relu) is either on or off; a smooth one responds at most `prime_max`, at z = 0, and a
    bounded one (sigmoid, tanh) hardly at all when saturated."""
    if l == c.L and c.softmax:
        return _("With softmax and cross-entropy, ∂C/∂z is simply a − y: no σ' factor.")
    sp = c.prime(l)[j]
    if c.act.has_kink:
        return said.first(
            ("acts", [f"{c.f}'"], [sp], _("The neuron is on (z > 0), so {f}'(z) = {prime}: it "
                                          "passes every change on.").format(
                                              f=c.f, prime=fmt_sig(sp))),
            ("zero", [f"{c.f}'"], [sp], _("The neuron is off (z ≤ 0), so {f}'(z) = 0: none of "
                                          "its levers do anything right now.").format(f=c.f)))
    if l == c.L:
        text = (_("How much the output responds is {f}'(z) = {prime} right now (at most {top}, "
                  "at z = 0; near 0 when the neuron is saturated).") if math.isfinite(c.act.hi)
                else _("How much the output responds is {f}'(z) = {prime} right now (at most "
                       "{top}, at z = 0)."))
    else:
        text = (_("How much the neuron responds is {f}'(z) = {prime} right now (at most {top}, "
                  "at z = 0; near 0 when the neuron is saturated).") if math.isfinite(c.act.hi)
                else _("How much the neuron responds is {f}'(z) = {prime} right now (at most "
                       "{top}, at z = 0)."))
    return text.format(f=c.f, prime=fmt_sig(sp, 3), top=fmt_sig(c.act.prime_max, 2))


def _direction(nudge: float) -> str:
    return _("up") if nudge > 0 else _("down")


def bias_stage(c: Context, j: int) -> Stage:
    """4a: lever 1 of output j, its bias: ∂C/∂bⱼ⁽ᴸ⁾ = ∂C/∂zⱼ⁽ᴸ⁾ = σ'(zⱼ) · ∂C/∂aⱼ."""
    t, L = c.t, c.L
    z, a, gb = t.z[L][j], t.a[L][j], t.grad_b[L - 1][j]
    ga, gz = t.grad_a[L][j], t.grad_z[L][j]
    sp = c.prime(L)[j]
    nudge = c.out_nudges()[j]
    up = nudge > 0
    dz = _dz_formula(c, L, j)
    step = -c.lr * gb
    tab = Table("", _("value"), signed=())
    tab.add(f"z{sub(j)}", z)
    tab.add(f"a{sub(j)}", a)
    if not c.softmax:
        tab.add(f"{c.f}'(z{sub(j)})", sp)
        tab.add(f"∂C/∂a{sub(j)}", ga)
    tab.add(f"∂C/∂b{sub(j)} = ∂C/∂z{sub(j)}", gb)
    tab.add(_("one step: −η ∂C/∂b{j} (η = {lr})").format(j=sub(j), lr=lr_text(c.lr)), step)
    said = Said()
    if nudge == 0:
        text = said.claim("zero", [c.neuron(L, j)], [nudge, gb],
                          _("The {name} output is exactly at its target: none of its levers "
                            "needs to move, and ∂C/∂b = 0.").format(name=c.q(j)))
    else:
        want = said.claim("up" if up else "down", [c.neuron(L, j)], [nudge],
                          (_("To make {neuron} go up, the first lever is its bias") if up else
                           _("To make {neuron} go down, the first lever is its bias")).format(
                              neuron=c.neuron(L, j)))
        how = said.first(
            ("acts", ["∂C/∂b"], [gb], _("raise it and z, and the output with it, rise") if up
             else _("lower it and z, and the output with it, fall")),
            ("zero", ["∂C/∂b"], [gb], _("but right now it does nothing")))
        resp = _responsiveness(c, L, j, said)
        moves = said.first(
            ("acts", ["step"], [step], _("So ∂C/∂b = {grad}, and one step moves this bias by "
                                         "{step}.").format(grad=fmt_sig(gb, 3),
                                                           step=fmt_sig(step, 3, signed=True))),
            ("zero", ["step"], [gb, step], _("So ∂C/∂b = 0, and a step leaves this bias as it "
                                             "is.")))
        text = _("{want}: {how}.").format(want=want, how=how) + f" {resp} {moves}"
    formula = f"∂C/∂b{sub(j)}{sup(L)} = ∂C/∂z{sub(j)}{sup(L)}\n{dz}"
    return Stage(
        key="lever-bias", number=4, title="4a · " + _("Lever 1: the bias"),
        short="4a · " + _("The bias"),
        text=text, formula=formula,
        values={"z": z, "a": a, "prime": sp, "grad_a": ga, "grad_z": gz, "grad_b": gb,
                "step": step, "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        nudges={L: only(c.sizes[L], j, nudge)},
                        neuron_text={(L, j): f"∂C/∂b = {fmt_sig(gb, 2)}"},
                        caption=_("Lever 1: the bias of {neuron}").format(
                            neuron=c.neuron(L, j))),
        **tab.fields(), **said.fields(),
    )


def _off_reason(c: Context, l: int, j: int) -> str:
    """Why neuron j of layer l passes nothing back (∂C/∂zⱼ = 0): it is off, or saturated, or the
    cost does not care about it."""
    if c.t.grad_a[l][j] == 0:
        return _("the cost does not depend on it right now, with ∂C/∂a = 0")
    if c.act.has_kink:
        return _("it is off, with z ≤ 0 and {f}'(z) = 0").format(f=c.f)
    return _("{f}'(z) is 0 at z = {z}").format(f=c.f, z=fmt_sig(c.t.z[l][j], 3))


def _dead_weights(c: Context, l: int, j: int, said: Said, own: bool = False) -> str:
    """The sentence for weights into neuron j of layer l that are all exactly 0 (a neuron that
    passes nothing back, or a layer before it that is all 0): they do nothing."""
    t = c.t
    gw, gz = t.grad_w[l - 1][j], t.grad_z[l][j]
    if gz == 0:
        why = _("{neuron} passes nothing back ({reason})").format(
            neuron=c.neuron(l, j), reason=_off_reason(c, l, j))
    elif l == 1:
        why = _("no pixel is lit (every input is 0)")
    else:
        why = _("every activation of {layer} is 0").format(layer=c.layer(l - 1))
    text = (_("Right now none of its weights does anything, because {why}: every ∂C/∂w = aₖ · "
              "∂C/∂z is 0.") if own else
            _("Right now none of them does anything, because {why}: every ∂C/∂w = aₖ · ∂C/∂z "
              "is 0."))
    return said.claim("zero", ["∂C/∂w"], gw, text.format(why=why))


def _weight_rows(c: Context, l: int, j: int, tab: Table, wishes: bool) -> list[int]:
    """Rows k of the weights into neuron j of layer l: every one for a hidden layer (largest |aₖ|,
    the brightest, first), the largest |∂C/∂w| ones for the pixels."""
    t = c.t
    a_prev, w, gw = t.a[l - 1], t.W[l - 1][j], t.grad_w[l - 1][j]
    if l == 1:
        order = np.argsort(-np.abs(gw), kind="stable")[:MAX_WEIGHT_ROWS]
    else:
        order = np.argsort(-np.abs(a_prev), kind="stable")
    for k in order:
        cells = [pixel_place(int(k), c.sizes[0]) if l == 1 else str(int(k)),
                 a_prev[k], w[k], -gw[k]]
        if wishes:
            cells.append(-t.wishes[l - 1][j, k])
        tab.add(*cells)
    return [int(k) for k in order]


def _matter_most(c: Context, l: int, j: int, said: Said) -> str:
    """Which weights into neuron j of layer l matter most: those from the largest |aₖ⁽ˡ⁻¹⁾|
    (∂C/∂wⱼₖ = aₖ · ∂C/∂zⱼ), and those from activations near 0 hardly or not at all."""
    a_prev, gw = c.t.a[l - 1], c.t.grad_w[l - 1][j]
    kb, kd = int(np.argmax(np.abs(a_prev))), int(np.argmin(np.abs(a_prev)))
    most = said.claim("most", [kb], [gw[kb], *gw], (
        _("the weights from the brightest neurons of layer {l} matter most — neuron {k} "
          "({value})") if c.bright else
        _("the weights from the neurons of layer {l} furthest from 0 matter most — neuron {k} "
          "({value})")).format(l=l - 1, k=kb, value=num(a_prev[kb])))
    if c.bright:
        none, hardly = (_("those from dark ones not at all (neuron {k}: {value})"),
                        _("those from dark ones hardly at all (neuron {k}: {value})"))
    else:
        none, hardly = (_("those from neurons near 0 not at all (neuron {k}: {value})"),
                        _("those from neurons near 0 hardly at all (neuron {k}: {value})"))
    least = said.first(
        ("zero", [kd], [gw[kd]], none.format(k=kd, value=num(a_prev[kd]))),
        ("least", [kd], [gw[kd], *gw], hardly.format(k=kd, value=num(a_prev[kd]))))
    return _("{most} — and {least}").format(most=most, least=least)


def weights_stage(c: Context, j: int) -> Stage:
    """4b: lever 2 of output j, its weights: ∂C/∂wⱼₖ⁽ᴸ⁾ = aₖ⁽ᴸ⁻¹⁾ · ∂C/∂zⱼ⁽ᴸ⁾, so the weights from
    the neurons with the largest |aₖ| matter most."""
    t, L = c.t, c.L
    a_prev, w, gw, gz = t.a[L - 1], t.W[L - 1][j], t.grad_w[L - 1][j], t.grad_z[L][j]
    tab = Table("k", f"aₖ{sup(L - 1)}", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ", signed=(3,))
    order = _weight_rows(c, L, j, tab, wishes=False)
    kb = order[0]
    nudge = c.out_nudges()[j]
    formula = (f"∂C/∂w{sub(j)}ₖ{sup(L)} = aₖ{sup(L - 1)} · ∂C/∂z{sub(j)}{sup(L)}"
               f" = aₖ{sup(L - 1)} × {par(gz)}\n"
               f"k = {kb}: {fmt_sig(a_prev[kb])} × {par(gz)} = {fmt_sig(gw[kb])}")
    said = Said()
    head = _("The second lever: the {n} weights into {neuron}.").format(
        n=c.sizes[L - 1], neuron=c.neuron(L, j))
    if not np.any(gw):
        text = f"{head} {_dead_weights(c, L, j, said)}"
    else:
        text = (_("Each weight's effect is in proportion to the activation it multiplies, so "
                  "{which}. To push the output up, {pos} lines should grow, {neg} ones shrink.")
                if nudge > 0 else
                _("Each weight's effect is in proportion to the activation it multiplies, so "
                  "{which}. To push the output down, {pos} lines should grow, {neg} ones "
                  "shrink."))
        text = f"{head} {text.format(which=_matter_most(c, L, j, said), pos=c.pos, neg=c.neg)}"
    return Stage(
        key="lever-weights", number=4, title="4b · " + _("Lever 2: the weights"),
        short="4b · " + _("The weights"),
        highlight=0, text=text,
        formula=formula,
        values={"a_prev": a_prev, "w": w, "grad_w": gw, "grad_z": gz, "order": np.array(order),
                "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        line_values={L - 1: only_row(t.W[L - 1].shape, j, -gw)},
                        neuron_text={(L - 1, k): fmt_sig(a_prev[k], 2) for k in order[:3]},
                        caption=_("Lever 2: the weights into {neuron} ({pos}: should grow, "
                                  "{neg}: shrink)").format(neuron=c.neuron(L, j), pos=c.pos,
                                                           neg=c.neg)),
        **tab.fields(), **said.fields(),
    )


def _wish_formula(c: Context, l: int, j: int, k: int) -> str:
    """The wish of neuron j of layer l for neuron k of the layer before, in the one convention
    (the wish is −∂C/∂a): −∂C/∂aₖ⁽ˡ⁻¹⁾ = −wⱼₖ⁽ˡ⁾ · ∂C/∂zⱼ⁽ˡ⁾, with k's numbers."""
    t = c.t
    w, gz = t.W[l - 1][j], t.grad_z[l][j]
    return (_("wish") + f" −∂C/∂aₖ{sup(l - 1)} = −w{sub(j)}ₖ{sup(l)} · ∂C/∂z{sub(j)}{sup(l)} = "
            f"−w{sub(j)}ₖ × {par(gz)}\n"
            f"k = {k}: −{par(w[k])} × {par(gz)} = {fmt_sig(-t.wishes[l - 1][j, k], signed=True)}")


def activations_stage(c: Context, j: int) -> Stage:
    """4c: lever 3 of output j, the activations coming in: its wish for layer L − 1,
    −∂C/∂aₖ⁽ᴸ⁻¹⁾ = −wⱼₖ⁽ᴸ⁾ · ∂C/∂zⱼ⁽ᴸ⁾ (`Trace.wishes` holds wⱼₖ · ∂C/∂zⱼ), ∝ each weight."""
    t, L = c.t, c.L
    w, gz = t.W[L - 1][j], t.grad_z[L][j]
    wish = t.wishes[L - 1][j]
    nudges = -wish
    order = [int(k) for k in np.argsort(-np.abs(w), kind="stable")]
    tab = Table("k", f"w{sub(j)}ₖ", _("wish") + f" −∂C/∂aₖ{sup(L - 1)}", _("direction"),
                signed=(2,))
    for k in order:
        tab.add(str(k), w[k], nudges[k], updown(nudges[k]))
    nudge = c.out_nudges()[j]
    k1 = int(np.argmax(np.abs(nudges)))
    said = Said()
    head = _("The third lever: change what comes in.")
    if not np.any(nudges):
        text = head + " " + said.claim(
            "zero", ["wishes"], nudges,
            _("But {neuron} passes nothing back ({reason}), so it has no wishes for layer {l}: "
              "every wish −wⱼₖ · ∂C/∂zⱼ is 0.").format(
                  neuron=c.neuron(L, j), reason=_off_reason(c, L, j), l=L - 1))
    else:
        pos, neg = (_("brighter"), _("dimmer")) if c.bright else (_("higher"), _("lower"))
        if nudge < 0:
            pos, neg = neg, pos
        most = said.claim("most", [k1], [nudges[k1], *nudges],
                          _("neuron {k} (w = {w}) most").format(k=k1, w=fmt_sig(w[k1], 2)))
        text = (_("For {neuron} to go up, the neurons of layer {l} with a positive weight into it "
                  "should get {pos} and those with a negative weight {neg}, each in proportion to "
                  "its weight — {most}. We cannot set activations directly, so these are the "
                  "{name} neuron's wishes for layer {l}.") if nudge > 0 else
                _("For {neuron} to go down, the neurons of layer {l} with a positive weight into "
                  "it should get {pos} and those with a negative weight {neg}, each in proportion "
                  "to its weight — {most}. We cannot set activations directly, so these are the "
                  "{name} neuron's wishes for layer {l}."))
        text = head + " " + text.format(neuron=c.neuron(L, j), l=L - 1, pos=pos, neg=neg,
                                        most=most, name=c.q(j))
    return Stage(
        key="lever-activations", number=4,
        title="4c · " + _("Lever 3: layer {l}'s activations").format(l=L - 1),
        short="4c · " + _("What comes in"), highlight=order.index(k1),
        text=text, formula=_wish_formula(c, L, j, k1),
        values={"w": w, "grad_z": gz, "wishes": wish, "nudges": nudges, "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        nudges={L - 1: nudges, L: only(c.sizes[L], j, nudge)},
                        caption=_("Lever 3: what {neuron} wishes from layer {l}").format(
                            neuron=c.neuron(L, j), l=L - 1)),
        **tab.fields(), **said.fields(),
    )


def _hidden_focus(c: Context, l: int, said: Said) -> tuple[int, str]:
    """The neuron of hidden layer l whose levers stage 6 shows, and the words that say why: the
    most wanted (max |∂C/∂aⱼ⁽ˡ⁾|), or, when that one passes nothing back (relu off), the one whose
    levers matter most (max |∂C/∂zⱼ⁽ˡ⁾|)."""
    t = c.t
    nudges, gz = -t.grad_a[l], t.grad_z[l]
    j = int(np.argmax(np.abs(nudges)))
    if gz[j] != 0 or not np.any(gz):
        return j, said.claim("most", [j], [nudges[j], *nudges],
                             _("Its most-wanted neuron is {j} ({nudge}: {direction})").format(
                                 j=j, nudge=fmt_sig(nudges[j], 2, signed=True),
                                 direction=_direction(nudges[j])))
    k = int(np.argmax(np.abs(gz)))
    off = said.claim("zero", [j], [gz[j]], _("Its most-wanted neuron, {j}, passes nothing back "
                                             "({reason})").format(j=j,
                                                                  reason=_off_reason(c, l, j)))
    other = said.claim("most", [k], [gz[k], *gz],
                       _("so take neuron {k}, which passes the most back ({nudge}: "
                         "{direction})").format(k=k, nudge=fmt_sig(nudges[k], 2, signed=True),
                                                direction=_direction(nudges[k])))
    return k, _("{off}, {other}").format(off=off, other=other)


def _hidden_words(c: Context, l: int, j: int, said: Said) -> str:
    """Stage 6's sentences on neuron j of hidden layer l: its levers, its weights, its wishes."""
    t = c.t
    gz, gw = t.grad_z[l][j], t.grad_w[l - 1][j]
    first = l == 1
    if not np.any(t.grad_a[l]):
        return said.claim("zero", [f"layer {l}"], t.grad_z[l],
                          _("So none of its neurons' levers has anything to do: every ∂C/∂z, "
                            "∂C/∂b and ∂C/∂w of this layer is 0, and backpropagation has nothing "
                            "to carry further back."))
    if gz == 0:
        return said.claim("zero", [f"layer {l}"], t.grad_z[l],
                          _("No neuron of layer {l} passes anything back: ∂C/∂z = 0 for every one "
                            "(neuron {j}: {reason}), so none of their levers do anything and "
                            "backpropagation has nothing to carry further back.").format(
                                l=l, j=j, reason=_off_reason(c, l, j)))
    text = said.claim("acts", [j], [gz], _("its levers work exactly as before."))
    text += f" {_responsiveness(c, l, j, said)} "
    if not np.any(gw):
        return text + _dead_weights(c, l, j, said, own=True)
    if first:
        x = t.a[0]
        kb = int(np.argmax(np.abs(gw)))
        most = said.claim("most", [kb], [gw[kb], *gw],
                          _("those from lit pixels matter ({pixel} most)").format(
                              pixel=pixel(kb, c.sizes[0])))
        black = x == 0
        none = ""
        if black.any():
            none = said.claim("zero", ["blank pixels"], gw[black],
                              _(", the {n} from blank ones not at all").format(
                                  n=count(int(black.sum()))))
        return text + _("Its {n} weights come from the pixels: {most}{none}. The pixels are the "
                        "image itself — we cannot change them, so backpropagation stops "
                        "here.").format(n=count(c.sizes[0]), most=most, none=none)
    return text + _("Its weights follow the same rule: {which}; and it has its own wishes for "
                    "layer {l}.").format(which=_matter_most(c, l, j, said), l=l - 1)


def hidden_levers_stage(c: Context, l: int, letter: str) -> Stage:
    """6: the same three levers for neuron j of hidden layer l (the most wanted, max |∂C/∂aⱼ⁽ˡ⁾|,
    unless it passes nothing back): ∂C/∂bⱼ = ∂C/∂zⱼ, ∂C/∂wⱼₖ = aₖ⁽ˡ⁻¹⁾ · ∂C/∂zⱼ, and its wishes
    −wⱼₖ · ∂C/∂zⱼ."""
    t = c.t
    nudges_l = -t.grad_a[l]
    said = Said()
    if np.any(nudges_l):
        j, who = _hidden_focus(c, l, said)
        who = (_("{who};") if t.grad_z[l][j] != 0 else _("{who}.")).format(who=who) + " "
    else:
        j = 0
        who = said.claim("zero", [f"layer {l}"], nudges_l,
                         _("But its nudges are all 0: the wishes from layer {l} are 0 or cancel "
                           "out.").format(l=l + 1)) + " "
    z, gz, gb = t.z[l][j], t.grad_z[l][j], t.grad_b[l - 1][j]
    sp = c.prime(l)[j]
    gw = t.grad_w[l - 1][j]
    wish = t.wishes[l - 1][j]
    first = l == 1
    if first:
        tab = Table(_("pixel"), "aₖ", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ", signed=(3,))
    else:
        tab = Table("k", f"aₖ{sup(l - 1)}", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ",
                    _("wish") + f" −∂C/∂aₖ{sup(l - 1)}", signed=(3, 4))
    order = _weight_rows(c, l, j, tab, wishes=not first)
    formula = (f"{_dz_formula(c, l, j)}\n"
               f"∂C/∂b{sub(j)}{sup(l)} = ∂C/∂z{sub(j)} = {fmt_sig(gb)}\n"
               f"∂C/∂w{sub(j)}ₖ{sup(l)} = aₖ{sup(l - 1)} × {par(gz)}")
    if not first:
        formula += ",   " + _("wish") + f" −∂C/∂aₖ{sup(l - 1)} = −w{sub(j)}ₖ × {par(gz)}"
    text = (_("Layer {l} now has its nudges, just as the outputs had theirs.").format(l=l)
            + f" {who}{_hidden_words(c, l, j, said)}")
    overlay_nudges = {l: nudges_l}
    if not first:
        overlay_nudges[l - 1] = -wish
    return Stage(
        key=f"levers-{l}", number=6,
        title=f"6{letter} · " + _("Layer {l}: the same three levers").format(l=l),
        short=f"6{letter} · " + _("Layer {l} levers").format(l=l),
        text=text.strip(), formula=formula,
        values={"nudges": nudges_l, "focus": j, "z": z, "prime": sp, "grad_a": t.grad_a[l][j],
                "grad_z": gz, "grad_b": gb, "grad_w": gw, "a_prev": t.a[l - 1],
                "w": t.W[l - 1][j], "wishes": wish, "order": np.array(order)},
        overlay=Overlay(focus=(l, j), dim_others=True, nudges=overlay_nudges,
                        line_values={l - 1: only_row(t.W[l - 1].shape, j, -gw)},
                        neuron_text={(l, j): fmt_sig(nudges_l[j], 2, signed=True)},
                        caption=_("The same three levers, for neuron {j} of layer {l}").format(
                            j=j, l=l)),
        **tab.fields(), **said.fields(),
    )
