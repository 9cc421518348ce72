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
from mlpviz.i18n import _


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
               + _("(the sum of the {n} wishes)").format(n=n_out) + "\n"
               + _sum_example(k_star, -wishes, nudges))
    said = Said()
    if not np.any(wishes):
        text = said.claim("zero", ["wishes"], wishes,
                          _("No output wishes anything of layer {l} here: every wish is 0, so "
                            "layer {l} gets no nudges at all.").format(l=L - 1))
    else:
        jp = int(np.argmax(-wishes[:, k_star]))
        jn = int(np.argmin(-wishes[:, k_star]))
        up = first_true(("up", [jp], [-wishes[jp, k_star]],
                         _("the {name} wishes up ({wish})").format(
                             name=c.q(jp), wish=fmt_sig(-wishes[jp, k_star], 2, True))))
        down = first_true(("down", [jn], [-wishes[jn, k_star]],
                           _("the {name} down ({wish})").format(
                               name=c.q(jn), wish=fmt_sig(-wishes[jn, k_star], 2, True))))
        if up and down:
            head = _("Every output has its own wishes for layer {l}, and they pull different "
                     "ways. For neuron {k} {up}, {down}.").format(
                         l=L - 1, k=k_star, up=said(up), down=said(down))
        else:
            head = _("Every output has its own wishes for layer {l}.").format(l=L - 1)
        most = said.claim("most", [k_star], [nudges[k_star], *nudges],
                          (_("Neuron {k} is wanted most: {nudge} (up).") if nudges[k_star] > 0
                           else _("Neuron {k} is wanted most: {nudge} (down).")).format(
                              k=k_star, nudge=fmt_sig(nudges[k_star], 2, signed=True)))
        text = head + " " + _("Adding up the {n} wishes (each column below is one output's) "
                              "gives the nudges layer {l} should get, Σ.").format(
                                  n=n_out, l=L - 1) + f" {most}"
    return Stage(
        key=f"sum-{L - 1}", number=5, title="5 · " + _("Adding up the wishes"),
        short="5 · " + _("All the wishes"),
        highlight=k_star, text=text, formula=formula,
        values={"wishes": wishes, "grad_a": grad, "nudges": nudges, "most_wanted": k_star},
        overlay=Overlay(nudges={L - 1: nudges, L: c.out_nudges()}, focus=(L - 1, k_star),
                        caption=_("All outputs' wishes added up: the nudges for layer "
                                  "{l}").format(l=L - 1)),
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
    tab = Table("k", _("pulling up"), _("pulling down"), _("strongest wish"),
                f"Σ = −∂C/∂aₖ{sup(l - 1)}", signed=(1, 2, 4))
    for k in range(wishes.shape[1]):
        js = int(np.argmax(np.abs(w_nudges[:, k])))
        tab.add(str(k), ups[k], downs[k],
                _("{wish} (neuron {j})").format(wish=fmt_sig(w_nudges[js, k], 2, signed=True),
                                                 j=js), nudges[k], digits=3)
    k_star = int(np.argmax(np.abs(nudges)))
    formula = (f"−∂C/∂aₖ{sup(l - 1)} = Σⱼ −wⱼₖ{sup(l)} · ∂C/∂zⱼ{sup(l)}\n"
               + _sum_example(k_star, w_nudges, nudges))
    said = Said()
    head = _("Every neuron of layer {l} has its wishes for layer {previous}, each weighted by how "
             "much it should change itself.").format(l=l, previous=l - 1)
    if not np.any(wishes):
        text = head + " " + said.claim(
            "zero", ["wishes"], wishes, _("Here every one of them is 0, so layer {l} gets no "
                                          "nudges at all.").format(l=l - 1))
    else:
        most = said.claim("most", [k_star], [nudges[k_star], *nudges],
                          _("neuron {k} is wanted most ({nudge})").format(
                              k=k_star, nudge=fmt_sig(nudges[k_star], 2, signed=True)))
        text = head + " " + _("Added up, they are the nudges for layer {l}: {most}, {up} pulling "
                              "up against {down} pulling down.").format(
                                  l=l - 1, most=most, up=fmt_sig(ups[k_star], 2, signed=True),
                                  down=fmt_sig(downs[k_star], 2))
    return Stage(
        key=f"sum-{l - 1}", number=6,
        title=f"6{letter} · " + _("Layer {l}'s wishes, added up").format(l=l),
        short=f"6{letter} · " + _("Layer {l} wishes").format(l=l), highlight=k_star,
        text=text, formula=formula,
        values={"wishes": wishes, "grad_a": grad, "nudges": nudges, "up": ups, "down": downs,
                "most_wanted": k_star},
        overlay=Overlay(nudges={l - 1: nudges, l: -t.grad_a[l]}, focus=(l - 1, k_star),
                        caption=_("Layer {l}'s wishes added up: the nudges for layer "
                                  "{previous}").format(l=l, previous=l - 1)),
        **tab.fields(), **said.fields(),
    )



def _sum_example(k: int, wish_nudges: np.ndarray, nudges: np.ndarray) -> str:
    """The sum for neuron k with its numbers: −∂C/∂aₖ = (−wish₀) + (−wish₁) + … = Σ.
    wish_nudges (n_l, n_{l−1}) holds −wⱼₖ · ∂C/∂zⱼ; nudges (n_{l−1},) their sums over j."""
    terms = " + ".join(spar(v, 2) for v in wish_nudges[:, k])
    return f"k = {k}: −∂C/∂a{sub(k)} = {terms}\n      = {fmt_sig(nudges[k], signed=True)}"
