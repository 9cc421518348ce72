"""Regression: PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on every Qt call
that returns nothing. None's count then falls by one per call until it reaches zero and the
interpreter aborts with "Fatal Python error: none_dealloc" — in the app, after a few minutes of
painting. pyproject.toml pins PySide6-Essentials < 6.12 on Python < 3.12 for this reason.

(From Python 3.12 None is immortal and its count never changes, so this passes trivially there.)
"""

import gc
import sys

CALLS = 20_000
SLACK = 300  # unrelated code may hold or drop a few references to None meanwhile


def test_void_qt_calls_keep_none_alive(qapp):
    from PySide6.QtGui import QColor, QImage, QPainter, QPen
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    pen = QPen(QColor(200, 30, 30))
    try:
        gc.collect()
        before = sys.getrefcount(None)
        done = 0
        while done < CALLS and before - sys.getrefcount(None) <= SLACK:
            # Checked every 100 calls: a leaking build is stopped long before None's count
            # reaches zero and takes the whole test run down with it.
            for _ in range(50):
                widget.update()  # void QWidget::update()
                painter.setPen(pen)  # void QPainter::setPen(const QPen &)
            done += 100
        after = sys.getrefcount(None)
    finally:
        painter.end()
    assert before - after <= SLACK, (
        f"{done:,} Qt calls that return nothing took {before - after:,} references to None: "
        "this PySide6 build drops a reference on every such call and will abort the app "
        "(Fatal Python error: none_dealloc); use PySide6-Essentials < 6.12 on Python 3.11")
