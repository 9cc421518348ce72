"""Stages 5 and 6 of the walk, adding up the wishes: every neuron of layer l wishes its layer l − 1
to move, its wish −wⱼₖ⁽ˡ⁾ · ∂C/∂zⱼ⁽ˡ⁾ (a wish is always −∂C/∂a: the way that lowers the cost), and
the sum of those wishes over j is the nudge layer l − 1 gets, −∂C/∂aₖ⁽ˡ⁻¹⁾ = Σⱼ −wⱼₖ⁽ˡ⁾ · ∂C/∂zⱼ⁽ˡ⁾
— first for the outputs (5), then one layer further back each time (6). `Trace.wishes` holds
wⱼₖ · ∂C/∂zⱼ, so a wish is −Trace.wishes."""

from __future__ import annotations

import numpy as np

from mlpviz.core.notation import fmt_sig, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said, first_true
from mlpviz.core.walk.context import Context, spar
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table


def outputs_sum_stage(c: Context) -> Stage:
    """5: every output's wishes for layer L − 1, added up: −∂C/∂aₖ⁽ᴸ⁻¹⁾ = Σⱼ −wⱼₖ⁽ᴸ⁾ · ∂C/∂zⱼ⁽ᴸ⁾,
    one column per output in the table."""
    t, L = c.t, c.L
    wishes = t.wishes[L - 1]  # (n_out, n_prev): ∂C/∂a_k wished by output j
    grad = t.grad_a[L - 1]
    nudges = -grad
    n_out, n_prev = wishes.shape
    cols = ["k", "Σ = −∂C/∂aₖ"] + [c.name(j) for j in range(n_out)]
    tab = Table(*cols, signed=tuple(range(1, n_out + 2)))
    for k in range(n_prev):
        tab.add(str(k), (nudges[k], 3), *(-wishes[:, k]), digits="f2")
    k_star = int(np.argmax(np.abs(nudges)))
    formula = (f"−∂C/∂aₖ{sup(L - 1)} = Σⱼ −wⱼₖ{sup(L)} · ∂C/∂zⱼ{sup(L)}   "
               f"(the sum of the {n_out} wishes)\n" + _sum_example(k_star, -wishes, nudges))
    said = Said()
    if not np.any(wishes):
        text = said.claim("zero", ["wishes"], wishes,
                          f"No output wishes anything of layer {L - 1} here: every wish is 0, "
                          f"so layer {L - 1} gets no nudges at all.")
    else:
        jp = int(np.argmax(-wishes[:, k_star]))
        jn = int(np.argmin(-wishes[:, k_star]))
        up = first_true(("up", [jp], [-wishes[jp, k_star]],
                         f"the {c.q(jp)} wishes up ({fmt_sig(-wishes[jp, k_star], 2, True)})"))
        down = first_true(("down", [jn], [-wishes[jn, k_star]],
                           f"the {c.q(jn)} down ({fmt_sig(-wishes[jn, k_star], 2, True)})"))
        pull = ""
        if up and down:
            pull = (f", and they pull different ways. For neuron {k_star} {said(up)}, "
                    f"{said(down)}")
        most = said.claim("most", [k_star], [nudges[k_star], *nudges],
                          f"Neuron {k_star} is wanted most: "
                          f"{fmt_sig(nudges[k_star], 2, signed=True)} "
                          f"({'up' if nudges[k_star] > 0 else 'down'}).")
        text = (f"Every output has its own wishes for layer {L - 1}{pull}. Adding up the "
                f"{n_out} wishes (each column below is one output's) gives the nudges layer "
                f"{L - 1} should get, Σ. {most}")
    return Stage(
        key=f"sum-{L - 1}", number=5, title="5 · Adding up the wishes", short="5 · All the wishes",
        highlight=k_star, text=text, formula=formula,
        values={"wishes": wishes, "grad_a": grad, "nudges": nudges, "most_wanted": k_star},
        overlay=Overlay(nudges={L - 1: nudges, L: c.out_nudges()}, focus=(L - 1, k_star),
                        caption=f"All outputs' wishes added up: the nudges for layer {L - 1}"),
        **tab.fields(), **said.fields(),
    )


def hidden_sum_stage(c: Context, l: int, letter: str) -> Stage:
    """6: layer l's wishes for layer l − 1, added up, −∂C/∂aₖ⁽ˡ⁻¹⁾ = Σⱼ −wⱼₖ⁽ˡ⁾ · ∂C/∂zⱼ⁽ˡ⁾: the
    nudges layer l − 1 gets, with what pulls each neuron up and down."""
    t = c.t
    wishes = t.wishes[l - 1]  # (n_l, n_{l−1})
    grad = t.grad_a[l - 1]
    nudges = -grad
    w_nudges = -wishes
    ups = np.where(w_nudges > 0, w_nudges, 0).sum(axis=0)
    downs = np.where(w_nudges < 0, w_nudges, 0).sum(axis=0)
    tab = Table("k", "pulling up", "pulling down", "strongest wish", f"Σ = −∂C/∂aₖ{sup(l - 1)}",
                signed=(1, 2, 4))
    for k in range(wishes.shape[1]):
        js = int(np.argmax(np.abs(w_nudges[:, k])))
        tab.add(str(k), ups[k], downs[k],
                f"{fmt_sig(w_nudges[js, k], 2, signed=True)} (neuron {js})", nudges[k], digits=3)
    k_star = int(np.argmax(np.abs(nudges)))
    formula = (f"−∂C/∂aₖ{sup(l - 1)} = Σⱼ −wⱼₖ{sup(l)} · ∂C/∂zⱼ{sup(l)}\n"
               + _sum_example(k_star, w_nudges, nudges))
    said = Said()
    head = (f"Every neuron of layer {l} has its wishes for layer {l - 1}, each weighted by how "
            f"much it should change itself.")
    if not np.any(wishes):
        text = head + " " + said.claim(
            "zero", ["wishes"], wishes, f"Here every one of them is 0, so layer {l - 1} gets no "
                                        "nudges at all.")
    else:
        most = said.claim("most", [k_star], [nudges[k_star], *nudges],
                          f"neuron {k_star} is wanted most "
                          f"({fmt_sig(nudges[k_star], 2, signed=True)})")
        text = (f"{head} Added up, they are the nudges for layer {l - 1}: {most}, "
                f"{fmt_sig(ups[k_star], 2, signed=True)} pulling up against "
                f"{fmt_sig(downs[k_star], 2)} pulling down.")
    return Stage(
        key=f"sum-{l - 1}", number=6, title=f"6{letter} · Layer {l}'s wishes, added up",
        short=f"6{letter} · Layer {l} wishes", highlight=k_star,
        text=text, formula=formula,
        values={"wishes": wishes, "grad_a": grad, "nudges": nudges, "up": ups, "down": downs,
                "most_wanted": k_star},
        overlay=Overlay(nudges={l - 1: nudges, l: -t.grad_a[l]}, focus=(l - 1, k_star),
                        caption=f"Layer {l}'s wishes added up: the nudges for layer {l - 1}"),
        **tab.fields(), **said.fields(),
    )



def _sum_example(k: int, wish_nudges: np.ndarray, nudges: np.ndarray) -> str:
    """The sum for neuron k with its numbers: −∂C/∂aₖ = (−wish₀) + (−wish₁) + … = Σ.
    wish_nudges (n_l, n_{l−1}) holds −wⱼₖ · ∂C/∂zⱼ; nudges (n_{l−1},) their sums over j."""
    terms = " + ".join(spar(v, 2) for v in wish_nudges[:, k])
    return f"k = {k}: −∂C/∂a{sub(k)} = {terms}\n      = {fmt_sig(nudges[k], signed=True)}"
