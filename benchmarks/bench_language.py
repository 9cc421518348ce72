"""What the two languages cost: building the backprop walk in English and in 中文 (the same
numbers, other words), and one live switch of the whole window (View › Language), median seconds.

    .venv/bin/python benchmarks/bench_language.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MLPVIZ_SETTINGS_ORG", "mlpviz-benchmarks")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    from benchmarks.bench_mistakes import median_ms  # one timing rule for the benchmarks
    from mlpviz import i18n
    from mlpviz.core.datasets import load_dataset
    from mlpviz.core.network import Network
    from mlpviz.core.walk import build_walk

    ds = load_dataset("bundled")
    net = Network([784, 16, 16, 10], "sigmoid", "mse", 0)
    x, label = ds.test_images[3] / 255.0, int(ds.test_labels[3])
    walk = {}
    for lang in ("en", "zh"):
        i18n.set_language(lang)
        walk[lang] = median_ms(lambda: build_walk(net, x, label), args.repeats)
    i18n.set_language("en")
    print(f"build_walk, 784-16-16-10, {args.repeats} runs: en {walk['en']:.1f} ms, "
          f"zh {walk['zh']:.1f} ms (zh/en {walk['zh'] / walk['en']:.2f})")

    from PySide6.QtWidgets import QApplication

    from mlpviz.gui.app import _application
    from mlpviz.gui.main_window import MainWindow

    _application()
    window = MainWindow(restore=False)
    window.resize(1280, 800)
    window.show()
    window.stepper_dock.show()
    window.stepper_dock.raise_()
    for _ in range(30):
        QApplication.processEvents()
    state = {"lang": "en"}

    def switch() -> None:
        state["lang"] = "zh" if state["lang"] == "en" else "en"
        window.set_language(state["lang"])
        QApplication.processEvents()

    ms = median_ms(switch, args.repeats)
    print(f"View › Language, the whole window relabelled with the stepper open: "
          f"{ms:.0f} ms per switch (median of {args.repeats})")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
