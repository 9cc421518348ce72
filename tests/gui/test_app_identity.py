"""The app's icon on the window (and so the taskbar) and in the About box, which names the
version, the data's source and the licences."""

from mlpviz import __version__
from mlpviz.gui.icon import app_icon


def test_the_window_carries_the_apps_icon_in_every_size(window):
    icon = window.windowIcon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    assert sizes == {(s.width(), s.height()) for s in app_icon().availableSizes()}


def test_about_box_shows_version_source_licence_and_icon(qtbot, window):
    window._on_about()
    box = window.about_box
    qtbot.waitUntil(box.isVisible, timeout=2000)
    text = box.text()
    assert f"mlpviz {__version__}" in text
    assert "MNIST" in text and "CC BY-SA 3.0" in text and "MIT licence" in text
    assert not box.iconPixmap().isNull() and box.iconPixmap().width() >= 64
    box.close()
