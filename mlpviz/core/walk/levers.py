"""Stages 4 and 6 of the walk, the three levers of one neuron: its bias, its weights (mostly those
from bright neurons) and the activations coming in (its wishes for the layer before), first for an
output neuron (4a–c), then for the most-wanted neuron of each hidden layer (6).

∂C/∂bⱼ⁽ˡ⁾ = ∂C/∂zⱼ⁽ˡ⁾,  ∂C/∂wⱼₖ⁽ˡ⁾ = aₖ⁽ˡ⁻¹⁾ · ∂C/∂zⱼ⁽ˡ⁾,  wish of j for k: wⱼₖ⁽ˡ⁾ · ∂C/∂zⱼ⁽ˡ⁾,
with ∂C/∂zⱼ⁽ˡ⁾ = σ'(zⱼ⁽ˡ⁾) · ∂C/∂aⱼ⁽ˡ⁾ (aⱼ − yⱼ at a softmax output), all read from the trace.
"""

from __future__ import annotations

import math

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.context import (
    Context, count, lr_text, only, only_row, par, pixel, updown,
)
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table

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


def _responsiveness(c: Context, l: int, j: int) -> str:
    """A sentence on σ'(zⱼ⁽ˡ⁾): how strongly the neuron responds to a change of z right now. A
    kinked σ (relu) is either on or off; a smooth one responds at most `prime_max`, at z = 0, and a
    bounded one (sigmoid, tanh) hardly at all when saturated."""
    if l == c.L and c.softmax:
        return "With softmax and cross-entropy, ∂C/∂z is simply a − y: no σ' factor."
    sp = c.prime(l)[j]
    if c.act.has_kink:
        if sp > 0:
            return (f"The neuron is on (z > 0), so {c.f}'(z) = {fmt_sig(sp)}: it passes every "
                    "change on.")
        return (f"The neuron is off (z ≤ 0), so {c.f}'(z) = {fmt_sig(sp)}: none of its levers do "
                "anything right now.")
    who = "the output" if l == c.L else "the neuron"
    saturates = "; near 0 when the neuron is saturated" if math.isfinite(c.act.hi) else ""
    return (f"How much {who} responds is {c.f}'(z) = {fmt_sig(sp, 3)} right now (at most "
            f"{c.act.prime_max:g}, at z = 0{saturates}).")


def bias_stage(c: Context, j: int) -> Stage:
    """4a: lever 1 of output j, its bias: ∂C/∂bⱼ⁽ᴸ⁾ = ∂C/∂zⱼ⁽ᴸ⁾ = σ'(zⱼ) · ∂C/∂aⱼ."""
    t, L = c.t, c.L
    z, a, gb = t.z[L][j], t.a[L][j], t.grad_b[L - 1][j]
    ga, gz = t.grad_a[L][j], t.grad_z[L][j]
    sp = c.prime(L)[j]
    up = c.out_nudges()[j] > 0
    dz = _dz_formula(c, L, j)
    step = -c.lr * gb
    tab = Table("", "value", signed=())
    tab.add(f"z{sub(j)}", z)
    tab.add(f"a{sub(j)}", a)
    if not c.softmax:
        tab.add(f"{c.f}'(z{sub(j)})", sp)
        tab.add(f"∂C/∂a{sub(j)}", ga)
    tab.add(f"∂C/∂b{sub(j)} = ∂C/∂z{sub(j)}", gb)
    tab.add(f"one step: −η ∂C/∂b{sub(j)} (η = {lr_text(c.lr)})", step)
    text = (f"To make {c.neuron(L, j)} go {'up' if up else 'down'}, the first lever is its bias: "
            f"{'raise' if up else 'lower'} it and z, and the output with it, "
            f"{'rise' if up else 'fall'}. {_responsiveness(c, L, j)} So ∂C/∂b = {fmt_sig(gb, 3)}, "
            f"and one step moves this bias by {fmt_sig(step, 3, signed=True)}.")
    formula = f"∂C/∂b{sub(j)}{sup(L)} = ∂C/∂z{sub(j)}{sup(L)}\n{dz}"
    return Stage(
        key="lever-bias", number=4, title="4a · Lever 1: the bias", short="4a · The bias",
        text=text, formula=formula,
        values={"z": z, "a": a, "prime": sp, "grad_a": ga, "grad_z": gz, "grad_b": gb,
                "step": step, "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        nudges={L: only(c.sizes[L], j, c.out_nudges()[j])},
                        neuron_text={(L, j): f"∂C/∂b = {fmt_sig(gb, 2)}"},
                        caption=f"Lever 1: the bias of {c.neuron(L, j)}"),
        **tab.fields(),
    )


def _weight_rows(c: Context, l: int, j: int, tab: Table, wishes: bool) -> list[int]:
    """Rows k of the weights into neuron j of layer l: every one for a hidden layer (brightest
    first), the largest |∂C/∂w| ones for the pixels."""
    t = c.t
    a_prev, w, gw = t.a[l - 1], t.W[l - 1][j], t.grad_w[l - 1][j]
    if l == 1:
        order = np.argsort(-np.abs(gw), kind="stable")[:MAX_WEIGHT_ROWS]
    else:
        order = np.argsort(-a_prev, kind="stable")
    for k in order:
        cells = [pixel(int(k), c.sizes[0]).replace("pixel ", "") if l == 1 else str(int(k)),
                 a_prev[k], w[k], -gw[k]]
        if wishes:
            cells.append(-t.wishes[l - 1][j, k])
        tab.add(*cells)
    return [int(k) for k in order]


def weights_stage(c: Context, j: int) -> Stage:
    """4b: lever 2 of output j, its weights: ∂C/∂wⱼₖ⁽ᴸ⁾ = aₖ⁽ᴸ⁻¹⁾ · ∂C/∂zⱼ⁽ᴸ⁾, so the weights from
    the brightest neurons matter most."""
    t, L = c.t, c.L
    a_prev, w, gw, gz = t.a[L - 1], t.W[L - 1][j], t.grad_w[L - 1][j], t.grad_z[L][j]
    tab = Table("k", f"aₖ{sup(L - 1)}", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ", signed=(3,))
    order = _weight_rows(c, L, j, tab, wishes=False)
    kb, kd = order[0], int(np.argmin(a_prev))
    up = c.out_nudges()[j] > 0
    formula = (f"∂C/∂w{sub(j)}ₖ{sup(L)} = aₖ{sup(L - 1)} · ∂C/∂z{sub(j)}{sup(L)}"
               f" = aₖ{sup(L - 1)} × {par(gz)}\n"
               f"k = {kb}: {fmt_sig(a_prev[kb])} × {par(gz)} = {fmt_sig(gw[kb])}")
    text = (f"The second lever: the {c.sizes[L - 1]} weights into {c.neuron(L, j)}. Each weight's "
            f"effect is in proportion to the activation it multiplies, so the weights from the "
            f"brightest neurons of layer {L - 1} matter most — neuron {kb} ({a_prev[kb]:.2f}) — "
            f"and those from dark ones hardly at all (neuron {kd}: {a_prev[kd]:.2f}). To push the "
            f"output {'up' if up else 'down'}, green lines should grow, red ones shrink.")
    return Stage(
        key="lever-weights", number=4, title="4b · Lever 2: the weights", short="4b · The weights",
        highlight=0, text=text,
        formula=formula,
        values={"a_prev": a_prev, "w": w, "grad_w": gw, "grad_z": gz, "order": np.array(order),
                "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        line_values={L - 1: only_row(t.W[L - 1].shape, j, -gw)},
                        neuron_text={(L - 1, k): fmt_sig(a_prev[k], 2) for k in order[:3]},
                        caption=f"Lever 2: the weights into {c.neuron(L, j)} "
                                "(green: should grow, red: shrink)"),
        **tab.fields(),
    )


def activations_stage(c: Context, j: int) -> Stage:
    """4c: lever 3 of output j, the activations coming in: its wish for layer L − 1,
    −∂C/∂aₖ⁽ᴸ⁻¹⁾ = −wⱼₖ⁽ᴸ⁾ · ∂C/∂zⱼ⁽ᴸ⁾ (`Trace.wishes`), in proportion to each weight."""
    t, L = c.t, c.L
    w, gz = t.W[L - 1][j], t.grad_z[L][j]
    wish = t.wishes[L - 1][j]
    nudges = -wish
    order = [int(k) for k in np.argsort(-np.abs(w), kind="stable")]
    tab = Table("k", f"w{sub(j)}ₖ", f"wish −∂C/∂aₖ{sup(L - 1)}", "direction", signed=(2,))
    for k in order:
        tab.add(str(k), w[k], nudges[k], updown(nudges[k]))
    up = c.out_nudges()[j] > 0
    k1 = int(np.argmax(np.abs(nudges)))
    formula = (f"∂C/∂aₖ{sup(L - 1)} (the wish of {c.q(j)}) = w{sub(j)}ₖ{sup(L)} · "
               f"∂C/∂z{sub(j)}{sup(L)} = w{sub(j)}ₖ × {par(gz)}\n"
               f"k = {k1}: −({par(w[k1])} × {par(gz)}) = {fmt_sig(nudges[k1], signed=True)}")
    pos, neg = ("brighter", "dimmer") if up else ("dimmer", "brighter")
    text = (f"The third lever: change what comes in. For {c.neuron(L, j)} to go "
            f"{'up' if up else 'down'}, the neurons of layer {L - 1} with a positive weight into "
            f"it should get {pos} and those with a negative weight {neg}, each in proportion to "
            f"its weight — neuron {k1} (w = {fmt_sig(w[k1], 2)}) most. We cannot set activations "
            f"directly, so these are the {c.q(j)} neuron's wishes for layer {L - 1}.")
    return Stage(
        key="lever-activations", number=4, title=f"4c · Lever 3: layer {L - 1}'s activations",
        short="4c · What comes in", highlight=order.index(k1),
        text=text, formula=formula,
        values={"w": w, "grad_z": gz, "wishes": wish, "nudges": nudges, "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        nudges={L - 1: nudges, L: only(c.sizes[L], j, c.out_nudges()[j])},
                        caption=f"Lever 3: what {c.neuron(L, j)} wishes from layer {L - 1}"),
        **tab.fields(),
    )


def hidden_levers_stage(c: Context, l: int, letter: str) -> Stage:
    """6: the same three levers for neuron j of hidden layer l (the most wanted, max |∂C/∂aⱼ⁽ˡ⁾|,
    unless it is off): ∂C/∂bⱼ = ∂C/∂zⱼ, ∂C/∂wⱼₖ = aₖ⁽ˡ⁻¹⁾ · ∂C/∂zⱼ, its wishes wⱼₖ · ∂C/∂zⱼ."""
    t = c.t
    nudges_l = -t.grad_a[l]
    j = int(np.argmax(np.abs(nudges_l)))
    skipped = None
    if t.grad_z[l][j] == 0 and np.any(t.grad_z[l] != 0):
        # The most-wanted neuron is off (relu): its levers do nothing; take the one that can move.
        skipped, j = j, int(np.argmax(np.abs(t.grad_z[l])))
    z, gz, gb = t.z[l][j], t.grad_z[l][j], t.grad_b[l - 1][j]
    sp = c.prime(l)[j]
    gw = t.grad_w[l - 1][j]
    wish = t.wishes[l - 1][j]
    first = l == 1
    if first:
        tab = Table("pixel", "aₖ", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ", signed=(3,))
    else:
        tab = Table("k", f"aₖ{sup(l - 1)}", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ",
                    f"wish −∂C/∂aₖ{sup(l - 1)}", signed=(3, 4))
    order = _weight_rows(c, l, j, tab, wishes=not first)
    up = nudges_l[j] > 0
    dz = _dz_formula(c, l, j)
    formula = (f"{dz}\n"
               f"∂C/∂b{sub(j)}{sup(l)} = ∂C/∂z{sub(j)} = {fmt_sig(gb)}\n"
               f"∂C/∂w{sub(j)}ₖ{sup(l)} = aₖ{sup(l - 1)} × {par(gz)}")
    if not first:
        formula += f",   ∂C/∂aₖ{sup(l - 1)} (wish) = w{sub(j)}ₖ × {par(gz)}"
    kb = order[0]
    if skipped is None:
        who = f"Its most-wanted neuron is {j}"
    else:
        who = (f"Its most-wanted neuron, {skipped}, is off ({c.f}'(z) = 0), so take neuron {j}, "
               f"whose levers matter most")
    text = (f"Layer {l} now has its nudges, just as the outputs had theirs. {who} "
            f"({fmt_sig(nudges_l[j], 2, signed=True)}: {'up' if up else 'down'}); its levers work "
            f"exactly as before. {_responsiveness(c, l, j)} ")
    if first:
        n_zero = int(np.count_nonzero(gw == 0))
        text += (f"Its {count(c.sizes[0])} weights come from the pixels: those from lit pixels "
                 f"matter ({pixel(kb, c.sizes[0])} most), the {n_zero} from black ones not at "
                 f"all. The pixels are the image itself — we cannot change them, so "
                 f"backpropagation stops here.")
    else:
        text += (f"Its weights from bright neurons of layer {l - 1} matter most (neuron {kb}: "
                 f"{t.a[l - 1][kb]:.2f}), and it has its own wishes for layer {l - 1}.")
    overlay_nudges = {l: nudges_l}
    if not first:
        overlay_nudges[l - 1] = -wish
    return Stage(
        key=f"levers-{l}", number=6, title=f"6{letter} · Layer {l}: the same three levers",
        short=f"6{letter} · Layer {l} levers",
        text=text, formula=formula,
        values={"nudges": nudges_l, "focus": j, "z": z, "prime": sp, "grad_a": t.grad_a[l][j],
                "grad_z": gz, "grad_b": gb, "grad_w": gw, "a_prev": t.a[l - 1],
                "w": t.W[l - 1][j], "wishes": wish, "order": np.array(order)},
        overlay=Overlay(focus=(l, j), dim_others=True, nudges=overlay_nudges,
                        line_values={l - 1: only_row(t.W[l - 1].shape, j, -gw)},
                        neuron_text={(l, j): fmt_sig(nudges_l[j], 2, signed=True)},
                        caption=f"The same three levers, for neuron {j} of layer {l}"),
        **tab.fields(),
    )

