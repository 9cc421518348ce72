"""A widget on its own, shown at a size and exposed: what a view test draws and clicks on."""


def on_screen(qtbot, widget, width: int, height: int):
    """`widget` owned by `qtbot` (closed after the test), resized, shown and exposed."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
