"""Stage 8 of the walk, one gradient step: every weight and bias moves a little against its
derivative, θ ← θ − η ∂C/∂θ, and this sample's cost and outputs before and after it. The step is a
new network; the old one's parameters are the exact undo."""

from __future__ import annotations

from mlpviz.core.gradient import all_gradients
from mlpviz.core.network import Network, Trace
from mlpviz.core.notation import fmt_sig, sub
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.claims import Said
from mlpviz.core.walk.context import Context, count, lr_text, num
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import _


def gradient_step(net: Network, trace: Trace, lr: float) -> Network:
    """A new network, one gradient descent step on this sample: W − η ∂C/∂W, b − η ∂C/∂b.
    `net` is left untouched (so its parameters are the exact undo)."""
    new = net.copy()
    new.apply_step(trace.grad_w, trace.grad_b, lr)
    return new


def step_stage(c: Context, after: Network) -> Stage:
    """8: one step θ ← θ − η ∂C/∂θ on this sample (`after`), and what it does: the outputs
    a⁽ᴸ⁾ and the cost C before and after (one forward pass of the stepped network)."""
    t, L, lab = c.t, c.L, c.t.label
    a0 = t.a[L]
    zs, acts = after.forward_layers(t.x)
    a1 = acts[-1]
    c0, c1 = t.cost, float(c.cost.value_from_z(zs[-1], t.y, after.act))
    change = a1 - a0
    tab = Table(c.what, _("a now"), _("a after one step"), _("change"), signed=(3,))
    for j in range(len(a0)):
        tab.add(c.name(j), a0[j], a1[j], change[j])
    P = after.parameter_count
    formula = ("θ ← θ − η ∂C/∂θ  " + _("for all {n} parameters").format(n=count(P))
               + f",  η = {lr_text(c.lr)}\n"
               f"C: {fmt_sig(c0)} → {fmt_sig(c1)},   "
               f"a{sub(lab)}: {fmt_sig(a0[lab])} → {fmt_sig(a1[lab])}")
    said = Said()
    text = _("One step with learning rate η = {lr} moves every weight and bias a little against "
             "its derivative. For this {name} the cost goes from {before} to {after}, and the "
             "{name} output from {a_before} to {a_after}.").format(
                 lr=lr_text(c.lr), name=c.q(lab), before=fmt_sig(c0, 3), after=fmt_sig(c1, 3),
                 a_before=num(a0[lab]), a_after=num(a1[lab]))
    up = said.first(("rises", ["C"], [c0, c1],
                     _("The cost went UP: η = {lr} is too big a step here — the slope changes "
                       "before we get there.").format(lr=lr_text(c.lr))))
    if not up and c1 == c0:
        up = said.first(("zero", ["∇C"], [c0 - c1, *all_gradients(t)],
                         _("Nothing changed: every derivative is 0, so the step is 0.")))
    if up:
        text += " " + up
    text += " " + _("Take the step to see it in the network; Undo puts every weight back exactly.")
    return Stage(
        key="step", number=8, title="8 · " + _("Take one step"), short="8 · " + _("One step"),
        highlight=lab,
        text=text, formula=formula,
        values={"a_before": a0, "a_after": a1, "change": change, "cost_before": c0,
                "cost_after": c1, "lr": c.lr},
        overlay=Overlay(line_values={l: -c.lr * g for l, g in enumerate(t.grad_w)},
                        nudges={L: change},
                        neuron_text={(L, j): f"{num(a0[j])}→{num(a1[j])}" for j in range(len(a0))},
                        caption=_("One step, η = {lr}: C {before} → {after}").format(
                            lr=lr_text(c.lr), before=fmt_sig(c0, 3), after=fmt_sig(c1, 3))),
        **tab.fields(), **said.fields(),
    )

