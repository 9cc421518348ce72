"""File › Import…'s question: the activation and/or cost a file does not state.

`core.imports` never guesses them: it raises `ImportNeedsChoice` naming what is missing and the
names that fit the file. This dialog shows its message and one list per missing choice; OK gives
{"activation": …, "cost": …} (only the missing ones) for `Session.import_model`, Cancel gives
None and nothing changes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget,
)

from mlpviz.core.imports import ImportNeedsChoice
from mlpviz.i18n import N_, _

IMPORT_FILTER = N_("Models (*.npz *.safetensors *.h5 *.hdf5 *.onnx);;"
                 "PyTorch state dict (*.safetensors *.npz);;Keras weights (*.npz *.h5 *.hdf5);;"
                 "ONNX graph (*.onnx);;All files (*)")
# what the file may leave unsaid, as the dialog names it
THE_CHOICE = {"activation": N_("the activation function"), "cost": N_("the cost function")}
ROW = {"activation": N_("Activation:"), "cost": N_("Cost:")}


class ImportChoiceDialog(QDialog):
    """Asks for each choice in `need.missing`, offering `need.choices[what]`; the core's message
    (with its command-line options) is left for the command line."""

    def __init__(self, path: str, need: ImportNeedsChoice, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Import: what the file does not say"))
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        message = QLabel(_("{file} does not say {what} it was made with. Choose (only the names "
                           "that fit this file are offered; nothing is guessed):").format(
            file=Path(path).name,
            what=_(" nor ").join(_(THE_CHOICE.get(w, w)) for w in need.missing)))
        message.setWordWrap(True)
        layout.addWidget(message)
        form = QFormLayout()
        self.boxes: dict[str, QComboBox] = {}
        for what in need.missing:
            box = QComboBox()
            box.addItems(list(need.choices.get(what, ())))
            box.setObjectName(f"import_{what}")
            form.addRow(_(ROW.get(what, what)), box)
            self.boxes[what] = box
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.path = path

    def choices(self) -> dict[str, str]:
        """{what: the chosen name} for each missing choice."""
        return {what: box.currentText() for what, box in self.boxes.items()}


def ask_and_import(parent: QWidget, session, path: str, need: ImportNeedsChoice) -> ImportChoiceDialog:
    """Open the dialog (window-modal, not blocking); OK imports `path` again with the choices."""
    dialog = ImportChoiceDialog(path, need, parent)
    dialog.accepted.connect(lambda: session.import_model(path, **dialog.choices()))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
