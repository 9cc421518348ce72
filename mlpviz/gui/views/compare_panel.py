"""The compare panel (File › Compare trace…): the sentence naming where their trace first
differs and the likely mistake, their numbers beside ours for the stage on show, and a button
that clears the comparison. Everything it says comes from core.compare.side_by_side."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from mlpviz.core.compare.side_by_side import side_by_side, summary


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
        self.table.setHorizontalHeaderLabels(["array", "entry", "ours", "theirs"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.more = QLabel()
        self.clear_button = QPushButton("Clear comparison")
        self.clear_button.clicked.connect(self.cleared)
        for w in (self.title, self.sentence, self.table, self.more, self.clear_button):
            layout.addWidget(w)
        self.comparison = None

    def show_comparison(self, comparison, path: str) -> None:
        self.comparison = comparison
        self.title.setText(f"<b>Their trace</b>: {path} — where the numbers differ is "
                           "highlighted on the network")
        self.sentence.setText(summary(comparison))
        self.show_stage(comparison.first_stage)

    def show_stage(self, stage: str | None) -> None:
        """Their numbers beside ours for the entries that differ on `stage`."""
        if self.comparison is None:
            return
        rows, left_out = side_by_side(self.comparison, stage)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(i, c, QTableWidgetItem(text))
        self.more.setText(f"… and {left_out:,} more entries differ on this stage."
                          if left_out else "")
        self.more.setVisible(bool(left_out))
