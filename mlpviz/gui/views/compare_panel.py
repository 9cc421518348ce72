"""The compare panel (File › Compare trace…): the sentence naming where their trace first
differs and the likely mistake, their numbers beside ours for the stage on show, and a button
that clears the comparison. Everything it says comes from core.compare.side_by_side."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from mlpviz.core.compare.side_by_side import side_by_side, summary
from mlpviz.gui.labels import Labels
from mlpviz.i18n import N_, _, count


class ComparePanel(QWidget):
    """Shows one TraceComparison; `cleared` when the user ends it."""

    cleared = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.labels = Labels()  # the fixed texts, in the current language
        self.labels.add(lambda _text: self.table.setHorizontalHeaderLabels(
            [_("array"), _("entry"), _("ours"), _("theirs")]), N_("array"))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.more = QLabel()
        self.clear_button = QPushButton()
        self.labels.add(self.clear_button.setText, N_("Clear comparison"))
        self.clear_button.clicked.connect(self.cleared)
        for w in (self.title, self.sentence, self.table, self.more, self.clear_button):
            layout.addWidget(w)
        self.comparison = None
        self._path = ""
        self._stage: str | None = None

    def retranslate(self) -> None:
        """Every text again in the current language (the same comparison, the same stage)."""
        self.labels.retranslate()
        if self.comparison is not None:
            self.show_comparison(self.comparison, self._path)
            self.show_stage(self._stage)

    def show_comparison(self, comparison, path: str) -> None:
        self.comparison, self._path = comparison, path
        self.title.setText(_("<b>Their trace</b>: {path} — where the numbers differ is "
                             "highlighted on the network").format(path=path))
        self.sentence.setText(summary(comparison))
        self.show_stage(comparison.first_stage)

    def show_stage(self, stage: str | None) -> None:
        """Their numbers beside ours for the entries that differ on `stage`."""
        if self.comparison is None:
            return
        self._stage = stage
        rows, left_out = side_by_side(self.comparison, stage)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(i, c, QTableWidgetItem(text))
        self.more.setText(_("… and {n} more entries differ on this stage.").format(
            n=count(left_out)) if left_out else "")
        self.more.setVisible(bool(left_out))
