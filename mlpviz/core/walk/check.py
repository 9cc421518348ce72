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

MARKS = {AGREES: "✓", TOO_SMALL: "✓ too small to check", NOT_DIFFERENTIABLE: "kink (z = 0)",
         KINK: "kink within step", NOT_FINITE: "✗ not finite", DISAGREES: "✗ wrong"}


def kink_rule(act: Activation | None) -> str:
    """What backprop does at the kink: "backprop uses relu'(0) = 0"."""
    if act is None:
        return "backprop uses σ'(0) there"
    return f"backprop uses {act.symbol}'(0) = {fmt_sig(float(act.prime(np.zeros(1))[0]))}"


def verdict_words(p: CheckedParameter, act: Activation | None) -> str:
    """One parameter's verdict as a sentence ending the chain-rule page's text."""
    noise = fmt_sig(p.allowance, 2)
    return {
        AGREES: "backprop agrees.",
        TOO_SMALL: (f"the two agree within the difference quotient's own rounding error (±{noise})"
                    ": too small to check numerically."),
        NOT_DIFFERENTIABLE: (f"a unit on its path sits exactly at its kink (z = 0), so C is not "
                             f"differentiable at this point; {kink_rule(act)}."),
        KINK: ("a unit on its path crosses its kink within the nudge, so the difference quotient "
               "measures no derivative here."),
        NOT_FINITE: "a number is not finite, so nothing can be compared — something is wrong.",
        DISAGREES: (f"backprop DISAGREES (by more than the check's allowance ±{noise}) — something "
                    "is wrong."),
    }[p.verdict]


def check_summary(report: GradCheckReport, n_parameters: int) -> str:
    """The page's sentence, from the report's counts: agrees or disagrees, and how many
    parameters were too small to check or sat at a kink."""
    checked = report.check.checked or n_parameters
    which = (f"all {count(n_parameters)} parameters" if checked >= n_parameters else
             f"the {count(checked)} parameters of a seeded sample of neurons (of "
             f"{count(n_parameters)})")
    n = {v: report.count(v) for v in MARKS}
    if report.ok:
        text = (f"Backpropagation agrees with the numerical gradient for {which}."
                if n[AGREES] == checked else
                f"No parameter disagrees: backpropagation agrees with the numerical gradient on "
                f"{count(n[AGREES])} of {which}.")
    else:
        bad = ", ".join(str(l + 1) for l in report.worst_layers())
        wrong = n[DISAGREES] + n[NOT_FINITE]
        text = (f"Backpropagation DISAGREES with the numerical gradient on {count(wrong)} of "
                f"{which}, in the weights into layer {bad}. The worst offenders are listed below.")
        if n[NOT_FINITE]:
            text += f" {count(n[NOT_FINITE])} of them are not finite numbers."
    if n[TOO_SMALL]:
        text += (f" {count(n[TOO_SMALL])} are too small to check numerically: backprop and the "
                 "difference quotient agree within its own rounding error.")
    if n[NOT_DIFFERENTIABLE]:
        text += (f" {count(n[NOT_DIFFERENTIABLE])} lead through a unit sitting exactly at its "
                 f"kink (z = 0): C is not differentiable there; {kink_rule(report.act)}.")
    if n[KINK]:
        text += (f" {count(n[KINK])} lead through a unit that crosses its kink within the nudge: "
                 "no derivative to compare.")
    return text


def gradcheck_stage(report: GradCheckReport, n_parameters: int) -> Stage:
    """The gradient check as a page: what was checked and whether backprop agrees, and a table
    with a row per weight layer (its worst parameter), then the worst offenders."""
    h = report.check.step
    formula = (f"numerical: ∂C/∂θ ≈ aₖ · (C(z + h) − C(z − h)) / 2h,  h = {fmt_sig(h, 2)} · "
               "max(1, |z|)\n"
               "agrees when |backprop − numerical| ≤ allowance (rounding ≈ u·C/h and truncation "
               f"from h vs 2h) + {fmt_sig(report.tolerance, 1)} · (|backprop| + |numerical|)")
    return Stage(key="gradcheck", number=0, title="Gradient check",
                 text=check_summary(report, n_parameters), formula=formula,
                 values={"max_rel_error": report.max_rel_error, "ok": report.ok,
                         "counts": {v: report.count(v) for v in MARKS}},
                 overlay=Overlay(), **_check_table(report).fields())


def _check_table(report: GradCheckReport) -> Table:
    """One row per checked parameter: where, which, backprop, numerical, relative error, the
    allowance, the verdict."""
    tab = Table("", "parameter", "backprop", "numerical", "relative error", "± allowance", "")
    sizes = report.sizes

    def add(where: str, p: CheckedParameter) -> None:
        tab.add(where, param_name(p.l, p.j, p.k), p.backprop, p.numerical, p.rel_error,
                (p.allowance, 2), MARKS[p.verdict], digits=6)

    for p in report.layer_rows:
        add(f"layer {p.l + 1} ({sizes[p.l]}→{sizes[p.l + 1]})", p)
    for r, p in enumerate(report.offenders, 1):
        add(f"worst #{r}", p)
    return tab
