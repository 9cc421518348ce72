"""The dataset list is read again whenever it opens: a dataset downloaded while the app runs is
there without a restart; a folder opened by hand stays listed."""

import pytest

from mlpviz.gui.run_controls import DatasetBox


def specs(box):
    return [box.itemData(i) for i in range(box.count())]


@pytest.mark.qt_log_ignore("This plugin does not support raise", "grabbing the keyboard")
def test_a_dataset_downloaded_later_appears_when_the_list_opens(qtbot, tmp_path, monkeypatch,
                                                               bundled, write_dataset):
    monkeypatch.setenv("MLPVIZ_DATA", str(tmp_path / "cache"))
    box = DatasetBox()
    qtbot.addWidget(box)
    box.refresh()
    box.show()
    assert "mnist" not in specs(box)
    box.addItem("my digits", str(tmp_path / "mine"))  # opened by hand (File ▸ Open data folder)
    write_dataset(tmp_path / "cache" / "mnist", bundled, 20, 10)  # `mlpviz data download mnist`
    box.showPopup()
    box.hidePopup()
    assert "mnist" in specs(box) and str(tmp_path / "mine") in specs(box)
    assert box.currentData() == "bundled"
    chosen = []
    box.activated.connect(chosen.append)
    box.setCurrentIndex(specs(box).index("mnist"))
    (tmp_path / "cache" / "mnist" / "train-labels-idx1-ubyte").unlink()  # gone again
    box.refresh()
    assert box.currentData() == "mnist"  # the current choice stays listed
    box.setCurrentIndex(0)
    box.refresh()
    assert "mnist" not in specs(box)


def test_the_toolbar_uses_it(window):
    assert isinstance(window.controls.dataset, DatasetBox)
    assert window.controls.dataset.currentData() == window.session.dataset_spec
