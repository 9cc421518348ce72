"""The gradient check as a page of the stepper: backpropagation against central differences,
∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε, the worst relative error of each weight layer, then the worst
offenders overall. The check itself is `core.gradcheck.per_layer_gradcheck`."""

from __future__ import annotations

from mlpviz.core.gradcheck import CheckedParameter, GradCheckReport
from mlpviz.core.notation import fmt_sig, param_name
from mlpviz.core.overlay import Overlay
from mlpviz.core.walk.context import count
from mlpviz.core.walk.stage import Stage
from mlpviz.core.walk.table import Table


def gradcheck_stage(report: GradCheckReport, n_parameters: int) -> Stage:
    """The gradient check as a page: what was checked and whether backprop agrees, and a table
    with a row per weight layer (its worst parameter), then the worst offenders."""
    worst = report.max_rel_error
    checked = report.check.checked or n_parameters
    which = (f"all {count(n_parameters)} parameters" if checked >= n_parameters else
             f"the {count(checked)} parameters of a seeded sample of neurons (of "
             f"{count(n_parameters)})")
    if report.ok:
        text = (f"Backpropagation agrees with the numerical gradient for {which}: the worst "
                f"relative error is {fmt_sig(worst, 2)}, well below {fmt_sig(report.tolerance)}.")
    else:
        bad = ", ".join(str(l + 1) for l in report.worst_layers())
        text = (f"Backpropagation DISAGREES with the numerical gradient: the worst relative error "
                f"is {fmt_sig(worst, 2)} (above {fmt_sig(report.tolerance)}), in the weights into "
                f"layer {bad}. The worst offenders are listed below.")
    formula = ("numerical: ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε,  ε = 10⁻⁵\n"
               "relative error = |backprop − numerical| / max(|backprop| + |numerical|, "
               "10⁻⁴ · largest |backprop|)")
    return Stage(key="gradcheck", number=0, title="Gradient check", text=text, formula=formula,
                 values={"max_rel_error": worst, "ok": report.ok}, overlay=Overlay(),
                 **_check_table(report).fields())


def _check_table(report: GradCheckReport) -> Table:
    """One row per checked parameter: where, which, backprop, numerical, relative error, ✓/✗."""
    tab = Table("", "parameter", "backprop", "numerical", "relative error", "")
    sizes = report.sizes

    def add(where: str, p: CheckedParameter) -> None:
        tab.add(where, param_name(p.l, p.j, p.k), p.backprop, p.numerical, p.rel_error,
                "✓" if report.agrees(p) else "✗ wrong", digits=6)

    for p in report.layer_rows:
        add(f"layer {p.l + 1} ({sizes[p.l]}→{sizes[p.l + 1]})", p)
    for r, p in enumerate(report.offenders, 1):
        add(f"worst #{r}", p)
    return tab
