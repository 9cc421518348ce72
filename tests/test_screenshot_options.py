"""`mlpviz --screenshot OUT.png` with --size, --present, --tab, --stage, --theme and --sample: the
options reach the window as a WindowSetup; bad values are one line and an exit code."""

import sys
import types

import pytest

from mlpviz.cli import main
from mlpviz.gui.window_setup import WindowSetup


@pytest.fixture
def seen(monkeypatch):
    """What the command line hands to the app (a stand-in for mlpviz.gui.app)."""
    got = {}
    fake = types.ModuleType("mlpviz.gui.app")
    fake.run_app = lambda **kw: got.update(kw) or 0
    monkeypatch.setitem(sys.modules, "mlpviz.gui.app", fake)
    return got


def test_window_options_reach_the_app(seen):
    assert main(["--screenshot", "s.png", "--size", "1024x768", "--present", "--stage", "4b",
                 "--theme", "light", "--sample", "7"]) == 0
    assert seen["setup"] == WindowSetup(size=(1024, 768), present=True, stage="4b",
                                        theme="light", sample=7)
    assert main(["--screenshot", "s.png", "--tab", "weights", "--size", "1920×1080"]) == 0
    assert seen["setup"] == WindowSetup(size=(1920, 1080), tab="weights")
    assert main(["--screenshot", "s.png", "--palette", "colour-blind"]) == 0
    assert seen["setup"] == WindowSetup(palette="colour-blind")


@pytest.mark.parametrize("argv, needle", [
    (["--screenshot", "s.png", "--size", "12x5"], "320x240 to 7680x4320, got '12x5'"),
    (["--screenshot", "s.png", "--size", "wide"], "got 'wide'"),
    (["--screenshot", "s.png", "--tab", "plots"], "invalid choice: 'plots'"),
    (["--screenshot", "s.png", "--theme", "blue"], "invalid choice: 'blue'"),
    (["--screenshot", "s.png", "--palette", "rainbow"], "invalid choice: 'rainbow'"),
    (["--screenshot", "s.png", "--sample", "-1"], "whole number ≥ 0"),
    (["--screenshot", "s.png", "--stage", "5", "--tab", "draw"], "not --tab draw"),
    (["--present", "train"], "only to the app"),
])
def test_bad_window_options_are_one_line(seen, capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and not seen


def test_trace_keeps_its_own_sample_option(seen, tmp_path):
    """`--sample` of `trace` (and `gradcheck`) is theirs, not the window's."""
    from mlpviz.core.network import Network

    net = Network([784, 8, 10], seed=0)
    net.save(tmp_path / "m.npz")
    assert main(["trace", str(tmp_path / "m.npz"), "--sample", "3",
                 "--out", str(tmp_path / "t.json")]) == 0
    assert not seen
