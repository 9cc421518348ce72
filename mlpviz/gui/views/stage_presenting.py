"""The stepper's presentation mode: which of a stage's sentences and table rows are on screen.

Off, everything shows. On (F5), the text shows one page of at most two sentences (↓ / ↑ turn the
pages), the table the rows that matter (A shows them all), and a one-line road map of the walk's
stage numbers replaces the list of stages. The choices are `core.presenting`'s; this keeps the
state: which page, all rows or not, for which stage.
"""

from __future__ import annotations

import html

from mlpviz.core.presenting import key_columns, key_rows, pages, sentences, stage_label
from mlpviz.core.walk import Stage
from mlpviz.i18n import _, tidy

SENTENCES_PER_PAGE = 2
KEY_ROWS = 5  # the rows a reduced table keeps
KEY_COLUMNS = 6  # and its columns


class StagePresenting:
    """The page on show and the table's rows, per stage, while presenting."""

    def __init__(self) -> None:
        self.on = False
        self.all_rows = False
        self.page = 0
        self._stage_id: tuple | None = None

    def follow(self, stage: Stage | None) -> None:
        """A stage comes on screen: a new one starts at its first page."""
        stage_id = None if stage is None else (stage.key, stage.title, stage.text)
        if stage_id != self._stage_id:
            self._stage_id = stage_id
            self.page = 0

    def pages(self, stage: Stage) -> list[list[str]]:
        return pages(sentences(stage.text), SENTENCES_PER_PAGE) or [[]]

    def text(self, stage: Stage) -> str:
        """The stage's whole text, or (presenting) the sentences of the page on show."""
        if not self.on:
            return stage.text
        book = self.pages(stage)
        return tidy(" ".join(book[min(self.page, len(book) - 1)]))

    def more(self, stage: Stage | None) -> str:
        """What the page note says: where the other sentences are ("" when there are none)."""
        if not self.on or stage is None:
            return ""
        n = len(self.pages(stage))
        if n <= 1:
            return ""
        keys = (_("↓ next") if self.page == 0 else _("↑ back") if self.page >= n - 1
                else _("↓ next, ↑ back"))
        return _("{keys} · sentences, page {page} of {pages}").format(
            keys=keys, page=min(self.page, n - 1) + 1, pages=n)

    def turn(self, stage: Stage | None, step: int) -> bool:
        """The next (+1) or previous (−1) page; False when there is none that way."""
        if not self.on or stage is None:
            return False
        page = self.page + step
        if not 0 <= page < len(self.pages(stage)):
            return False
        self.page = page
        return True

    def rows(self, stage: Stage, room: int | None = None) -> list[int]:
        """The indices of the table rows to show: all of them, or (presenting) those that matter
        — at most KEY_ROWS, fewer when the table has `room` for fewer (a taller font)."""
        n = len(stage.rows)
        if not self.on or self.all_rows or not stage.row_values:
            return list(range(n))
        limit = KEY_ROWS if room is None else max(1, min(KEY_ROWS, room))
        return key_rows(stage.row_values, stage.highlight, stage.signed, limit)

    def columns(self, stage: Stage, rows: list[int]) -> list[int]:
        """The indices of the columns to show: all, or (presenting) those that matter in `rows`."""
        n = len(stage.columns or (stage.rows[0] if stage.rows else ()))
        if not self.on or self.all_rows or not stage.row_values:
            return list(range(n))
        return key_columns(stage.row_values, rows, stage.signed, KEY_COLUMNS)

    def road_map(self, stages: list[Stage], index: int | None) -> str:
        """The walk's stage numbers on one line (rich text), the one on show in bold."""
        out = []
        for i, s in enumerate(stages):
            label = html.escape(stage_label(s.title, i))
            out.append(f"<b><u>{label}</u></b>" if i == index else label)
        return "&nbsp; ".join(out)
