"""File › Compare trace… in the app, on the worked example's buggy trace (docs/debugging-
backprop.md, run as the student would): the network view marks exactly compare's differing
entries, the stepper lands on compare's first stage with their numbers beside ours, the likely
mistake is said, and clearing returns to normal; a trace that does not fit is a banner."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from mlpviz.core.compare import compare_trace, read_their_trace
from mlpviz.core.compare.side_by_side import side_by_side

DOC = Path(__file__).resolve().parents[2] / "docs" / "debugging-backprop.md"


def _student_trace(folder: Path, monkeypatch, fixed: bool = False) -> Path:
    found = re.findall(r"```(\w+)\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    python = [text for kind, text in found if kind == "python"]
    code = python[0]
    if fixed:
        fix = python[1].strip()
        marker = fix.split("#")[1]
        code = "\n".join(fix if line.endswith(marker) else line for line in code.splitlines())
    monkeypatch.chdir(folder)
    exec(compile(code, "student.py", "exec"), {"__name__": "__main__"})
    return folder / "theirs.json"


def _compare(qtbot, window, path):
    assert window.compare.open(str(path))
    qtbot.waitUntil(lambda: window.compare.comparison is not None, timeout=10_000)
    return window.compare.comparison


def test_the_view_marks_exactly_what_differs_and_the_stepper_lands_on_it(
        qtbot, window, tmp_path, monkeypatch):
    path = _student_trace(tmp_path, monkeypatch)
    expected = compare_trace(*[read_their_trace(path)[0]], str(path))
    assert not expected.agrees
    result = _compare(qtbot, window, path)
    assert result.first_stage == expected.first_stage

    lines, circles = window.network_view.disagreement_drawn()
    want_lines = {(l, int(j), int(k)) for l in range(3)
                  for j, k in np.argwhere(expected.line_mask(l))}
    want_circles = {(l, int(j)) for l in (1, 2, 3) for j in np.flatnonzero(expected.neuron_mask(l))}
    assert want_lines and set(lines) == want_lines
    assert want_circles and set(circles) == want_circles

    # the window shows their network and sample
    snap = window.session.snapshot
    assert all(np.array_equal(a, b) for a, b in zip(snap.weights, expected.setup.network.weights))
    assert window.stepper_dock.isVisible() or window.compare.dock.isVisible()
    assert window.stepper.current_stage().key == expected.first_stage

    panel = window.compare.panel
    assert expected.diagnoses and expected.diagnoses[0].text in panel.sentence.text()
    rows, _ = side_by_side(expected, expected.first_stage)
    assert panel.table.rowCount() == len(rows) > 0
    assert [panel.table.item(0, c).text() for c in range(4)] == list(rows[0])
    assert rows[0][2] != rows[0][3]  # ours and theirs differ in every listed row

    # the panel follows the stepper: another stage, that stage's differing entries
    window.stepper.go_to(window.stepper.walk.index("cost"))
    assert panel.table.rowCount() == len(side_by_side(expected, "cost")[0])
    window.stepper.go_to(window.stepper.walk.index(expected.first_stage))
    assert panel.table.rowCount() == len(rows)

    window.compare.clear()
    assert window.compare.comparison is None
    assert window.network_view.disagreement_drawn() == ([], [])
    assert not window.compare.dock.isVisible()


def test_a_correct_trace_marks_nothing(qtbot, window, tmp_path, monkeypatch):
    path = _student_trace(tmp_path, monkeypatch, fixed=True)
    result = _compare(qtbot, window, path)
    assert result.agrees
    assert window.network_view.disagreement_drawn() == ([], [])
    assert "agree" in window.compare.panel.sentence.text()
    assert window.compare.panel.table.rowCount() == 0


@pytest.mark.parametrize("content, words", [
    ("{not json", "Could not compare"),
    (json.dumps({"x": [0.5] * 4, "label": 1, "W0": [[1.0] * 4] * 3, "b0": [0.0] * 3,
                 "activation": "sigmoid", "cost": "mse", "grad_W0": [[0.0] * 4] * 3}),
     "open or import that network first"),
])
def test_a_trace_that_cannot_be_compared_is_a_banner(qtbot, window, tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    before = window.session.snapshot.weights[0].copy()
    assert not window.compare.open(str(path))
    assert window.banner.isVisible() and words in window.banner.text()
    assert window.compare.comparison is None
    assert np.array_equal(window.session.snapshot.weights[0], before)
