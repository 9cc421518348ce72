"""Render the README's neuron-editor picture offscreen: the default network after one epoch,
hidden neuron 5 of layer 1 in the Neuron tab with its bias dragged to −4 (the bias as a
threshold: its weighted sum no longer passes it), in a 1280×800 window.

    .venv/bin/python scripts/make_neuron_editor_picture.py [--out resources/neuron-editor.png]
        [--present] [--bias -4]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from offscreen_window import OffscreenWindow

LAYER, NEURON = 1, 5


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "resources"
                                             / "neuron-editor.png"))
    parser.add_argument("--present", action="store_true", help="presentation mode (F5)")
    parser.add_argument("--bias", type=float, default=-4.0)
    args = parser.parse_args(argv)
    shown = OffscreenWindow()
    window, session = shown.window, shown.session
    shown.train(1)
    if args.present:
        window.presentation_action.trigger()
    window.network_view.neuron_clicked.emit(LAYER, NEURON)
    shown.wait(lambda: window.neuron_panel.editor.isVisible(), 10)
    window.neuron_panel.editor.bias_spin.setValue(args.bias)
    shown.wait(lambda: session.snapshot.biases[LAYER - 1][NEURON] == args.bias, 10)
    return shown.save(args.out)


if __name__ == "__main__":
    sys.exit(main())
