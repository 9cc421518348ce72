"""Presentation mode at 1280×800: the stepper's table shows whole rows only, in both languages —
the rows that matter (at most core.presenting.KEY_ROWS), fewer when a taller font (the CJK one)
leaves room for fewer, and its "… more rows" line whole below them."""

import pytest

from mlpviz import i18n


@pytest.fixture
def back_to_english():
    yield
    i18n.set_language("en")


def _rows_fit(table) -> bool:
    """Every row and the header within the table's frame: no row cut in half at the bottom."""
    header = table.horizontalHeader()
    used = table.verticalHeader().length() + (header.height() if header.isVisible() else 0)
    return used <= table.height() - 2 * table.frameWidth()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_presented_tables_rows_are_whole(qtbot, window, back_to_english, lang):
    i18n.set_language(lang)
    window.presentation_action.trigger()
    window._show_stepper()
    stepper = window.stepper
    qtbot.wait(100)
    assert (window.width(), window.height()) == (1280, 800)
    fewer = 0
    for i in range(stepper.stage_count()):
        stepper.go_to(i)
        qtbot.wait(20)
        stage = stepper.current_stage()
        table = stepper.table
        if not table.isVisible() or not stage.rows:
            continue
        assert _rows_fit(table), (lang, stage.title, table.rowCount())
        shown = stepper._shown_rows
        assert stage.highlight is None or stage.highlight not in range(len(stage.rows)) \
            or stage.highlight in shown, stage.title  # the row the text talks about stays
        fewer += len(shown) < min(len(stage.rows), 5)
    assert stepper.presenting.on
    if lang == "zh":  # the taller font fits fewer rows somewhere (stage 5's wishes, at least)
        assert fewer > 0
