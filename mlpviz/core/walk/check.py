"""The gradient check as a page of the stepper: backpropagation against central differences,
each parameter judged with the check's own rounding and truncation allowance, the worst
parameter of each weight layer, then the worst offenders overall. The check itself is
`core.gradcheck.per_layer_gradcheck`; every sentence here is written from its verdicts."""

from __future__ import annotations

import numpy as np

from mlpviz.core.activations import Activation
from mlpviz.core.gradcheck import (
    AGREES, DISAGREES, KINK, NOT_DIFFERENTIABLE, NOT_FINITE, TOO_SMALL, CheckedParameter,
    GradCheckReport,
)
from mlpviz.core.notation import fmt_sig, param_name
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.context import count
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table
from mlpviz.i18n import N_, _

MARKS = {AGREES: "✓", TOO_SMALL: N_("✓ too small to check"), NOT_DIFFERENTIABLE: N_("kink (z = 0)"),
         KINK: N_("kink within step"), NOT_FINITE: N_("✗ not finite"), DISAGREES: N_("✗ wrong")}


def kink_rule(act: Activation | None) -> str:
    """What backprop does at the kink: "backprop uses relu'(0) = 0"."""
    if act is None:
        return _("backprop uses σ'(0) there")
    return _("backprop uses {f}'(0) = {value}").format(
        f=act.symbol, value=fmt_sig(float(act.prime(np.zeros(1))[0])))


def verdict_words(p: CheckedParameter, act: Activation | None) -> str:
    """One parameter's verdict as a sentence ending the chain-rule page's text."""
    noise = fmt_sig(p.allowance, 2)
    words = {
        AGREES: N_("backprop agrees."),
        TOO_SMALL: N_("the two agree within the difference quotient's own rounding error "
                      "(±{noise}): too small to check numerically."),
        NOT_DIFFERENTIABLE: N_("a unit on its path sits exactly at its kink (z = 0), so C is not "
                               "differentiable at this point; {rule}."),
        KINK: N_("a unit on its path crosses its kink within the nudge, so the difference "
                 "quotient measures no derivative here."),
        NOT_FINITE: N_("a number is not finite, so nothing can be compared — something is "
                       "wrong."),
        DISAGREES: N_("backprop DISAGREES (by more than the check's allowance ±{noise}) — "
                      "something is wrong."),
    }[p.verdict]
    return _(words).format(noise=noise, rule=kink_rule(act))


def check_summary(report: GradCheckReport, n_parameters: int) -> str:
    """The page's sentence, from the report's counts: agrees or disagrees, and how many
    parameters were too small to check or sat at a kink."""
    checked = report.check.checked or n_parameters
    which = (_("all {n} parameters").format(n=count(n_parameters)) if checked >= n_parameters
             else _("the {k} parameters of a seeded sample of neurons (of {n})").format(
                 k=count(checked), n=count(n_parameters)))
    n = {v: report.count(v) for v in MARKS}
    if report.ok:
        text = (_("Backpropagation agrees with the numerical gradient for {which}.").format(
                    which=which) if n[AGREES] == checked else
                _("No parameter disagrees: backpropagation agrees with the numerical gradient on "
                  "{k} of {which}.").format(k=count(n[AGREES]), which=which))
    else:
        bad = ", ".join(str(l + 1) for l in report.worst_layers())
        wrong = n[DISAGREES] + n[NOT_FINITE]
        text = _("Backpropagation DISAGREES with the numerical gradient on {k} of {which}, in "
                 "the weights into layer {layers}. The worst offenders are listed below.").format(
                     k=count(wrong), which=which, layers=bad)
        if n[NOT_FINITE]:
            text += " " + _("{k} of them are not finite numbers.").format(k=count(n[NOT_FINITE]))
    if n[TOO_SMALL]:
        text += " " + _("{k} are too small to check numerically: backprop and the difference "
                        "quotient agree within its own rounding error.").format(
                            k=count(n[TOO_SMALL]))
    if n[NOT_DIFFERENTIABLE]:
        text += " " + _("{k} lead through a unit sitting exactly at its kink (z = 0): C is not "
                        "differentiable there; {rule}.").format(
                            k=count(n[NOT_DIFFERENTIABLE]), rule=kink_rule(report.act))
    if n[KINK]:
        text += " " + _("{k} lead through a unit that crosses its kink within the nudge: no "
                        "derivative to compare.").format(k=count(n[KINK]))
    return text


def gradcheck_stage(report: GradCheckReport, n_parameters: int) -> Stage:
    """The gradient check as a page: what was checked and whether backprop agrees, and a table
    with a row per weight layer (its worst parameter), then the worst offenders."""
    h = report.check.step
    formula = (_("numerical") + f": ∂C/∂θ ≈ aₖ · (C(z + h) − C(z − h)) / 2h,  h = {fmt_sig(h, 2)} · "
               "max(1, |z|)\n"
               + _("agrees when |backprop − numerical| ≤ allowance (rounding ≈ u·C/h and "
                   "truncation from h vs 2h) + {tolerance} · (|backprop| + |numerical|)").format(
                       tolerance=fmt_sig(report.tolerance, 1)))
    return Stage(key="gradcheck", number=0, title=_("Gradient check"),
                 text=check_summary(report, n_parameters), formula=formula,
                 values={"max_rel_error": report.max_rel_error, "ok": report.ok,
                         "counts": {v: report.count(v) for v in MARKS}},
                 overlay=Overlay(), **_check_table(report).fields())


def _check_table(report: GradCheckReport) -> Table:
    """One row per checked parameter: where, which, backprop, numerical, relative error, the
    allowance, the verdict."""
    tab = Table("", _("parameter"), _("backprop"), _("numerical"), _("relative error"),
                _("± allowance"), "")
    sizes = report.sizes

    def add(where: str, p: CheckedParameter) -> None:
        tab.add(where, param_name(p.l, p.j, p.k), p.backprop, p.numerical, p.rel_error,
                (p.allowance, 2), _(MARKS[p.verdict]), digits=6)

    for p in report.layer_rows:
        add(_("layer {l} ({n_in}→{n_out})").format(l=p.l + 1, n_in=sizes[p.l],
                                                   n_out=sizes[p.l + 1]), p)
    for r, p in enumerate(report.offenders, 1):
        add(_("worst #{rank}").format(rank=r), p)
    return tab
