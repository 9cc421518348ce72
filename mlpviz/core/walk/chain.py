"""The chain rule for one weight (the page a click on a line opens, off stage 7):
∂C/∂wⱼₖ⁽ˡ⁺¹⁾ = aₖ⁽ˡ⁾ · σ'(zⱼ⁽ˡ⁺¹⁾) · ∂C/∂aⱼ⁽ˡ⁺¹⁾ (aₖ⁽ˡ⁾ · (aⱼ − yⱼ) into a softmax output), with its
numbers from the trace and, when given, the numerical derivative beside it."""

from __future__ import annotations

from mlpviz.core.activations import get_activation
from mlpviz.core.gradcheck import CheckedParameter
from mlpviz.core.network import Trace
from mlpviz.core.notation import fmt_sig, param_name, sub, sup
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.check import verdict_words
from mlpviz.core.walk.context import DIGITS, Context, only, only_row, par, pixel
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import _


def chain_rule(trace: Trace, l: int, j: int, k: int, class_names=DIGITS,
               numeric: CheckedParameter | None = None) -> Stage:
    """The chain rule for one weight w⁽ˡ⁺¹⁾ⱼₖ (`Network.weights[l][j, k]`) with its numbers:
    ∂C/∂w = aₖ⁽ˡ⁾ · σ'(zⱼ⁽ˡ⁺¹⁾) · ∂C/∂aⱼ⁽ˡ⁺¹⁾ (at a softmax output: aₖ · (aⱼ − yⱼ)).
    With `numeric` (`core.gradcheck.check_parameter`: central differences and their verdict),
    the table also compares the two."""
    L = trace.L
    if not (0 <= l < L and 0 <= j < trace.W[l].shape[0] and 0 <= k < trace.W[l].shape[1]):
        raise ValueError(f"no weight ({l}, {j}, {k}) in a network of sizes "
                         f"{[len(a) for a in trace.a]}")
    c = Context(None, trace, class_names, 0.0)
    lo = l + 1  # the neuron layer j is in
    a_k, gz, gw = trace.a[l][k], trace.grad_z[lo][j], trace.grad_w[l][j, k]
    ga = trace.grad_a[lo][j]
    sp = c.prime(lo)[j]
    w = trace.W[l][j, k]
    name = param_name(l, j, k)
    tab = Table("", _("value"))
    tab.add(f"w = {name}", w)
    tab.add(f"a{sub(k)}{sup(l)}  " + _("(what it multiplies)"), a_k)
    if lo == L and c.softmax:
        tab.add(f"∂C/∂z{sub(j)} = a{sub(j)} − y{sub(j)}", gz)
        formula = (f"∂C/∂{name} = a{sub(k)}{sup(l)} · ∂C/∂z{sub(j)}{sup(lo)},  "
                   f"∂C/∂z{sub(j)} = a{sub(j)} − y{sub(j)}\n = {fmt_sig(a_k)} × "
                   f"({fmt_sig(trace.a[lo][j])} − {fmt_sig(trace.y[j])}) = {fmt_sig(gw)}")
    else:
        tab.add(f"{c.f}'(z{sub(j)}{sup(lo)})", sp)
        tab.add(f"∂C/∂a{sub(j)}{sup(lo)}", ga)
        tab.add(f"∂C/∂z{sub(j)} = {c.f}'(z) · ∂C/∂a", gz)
        formula = (f"∂C/∂{name} = a{sub(k)}{sup(l)} · {c.f}'(z{sub(j)}{sup(lo)}) · "
                   f"∂C/∂a{sub(j)}{sup(lo)}\n"
                   f" = {fmt_sig(a_k)} × {fmt_sig(sp)} × {par(ga)} = {fmt_sig(gw)}")
    tab.add(_("∂C/∂w (backprop)"), gw)
    values = {"w": w, "a_prev": a_k, "prime": sp, "grad_a": ga, "grad_z": gz, "grad_w": gw}
    if numeric is not None:
        tab.add(_("∂C/∂w (central differences)"), numeric.numerical)
        tab.add(_("relative error"), numeric.rel_error)
        tab.add(_("allowance (the check's own error)"), numeric.allowance)
        values.update(numeric=numeric.numerical, rel_error=numeric.rel_error,
                      allowance=numeric.allowance, verdict=numeric.verdict)
    frm = c.neuron(l, k) if l > 0 else pixel(k, c.sizes[0])
    text = _("This weight connects {source} to {target}. Its derivative is a chain of three "
             "factors: the activation it multiplies ({a}), how responsive the neuron is and how "
             "much the cost cares about that neuron (∂C/∂z = {dz}).")
    if lo == L and c.softmax:
        text = _("This weight connects {source} to {target}. With softmax and cross-entropy ∂C/∂z "
                 "is simply a − y = {dz}; times the activation it multiplies ({a}) that is ∂C/∂w.")
    text = text.format(source=frm, target=c.neuron(lo, j), a=fmt_sig(a_k, 3), dz=fmt_sig(gz, 3))
    if numeric is not None:
        text += " " + _("Nudging the weight a little both ways and measuring the cost gives "
                        "{numeric}: {verdict}").format(
                            numeric=fmt_sig(numeric.numerical, 6),
                            verdict=verdict_words(numeric, get_activation(trace.activation)))
    return Stage(
        key="weight", number=7, title=_("The chain rule for {name}").format(name=name), text=text,
        formula=formula,
        values=values,
        overlay=Overlay(focus=(lo, j), dim_others=True,
                        line_values={l: only_row(trace.W[l].shape, j,
                                                 only(trace.W[l].shape[1], k, -gw))},
                        neuron_text={(l, k): fmt_sig(a_k, 2),
                                     (lo, j): f"∂C/∂z = {fmt_sig(gz, 2)}"},
                        caption=f"∂C/∂{name} = {fmt_sig(gw, 3)}"),
        **tab.fields(),
    )

