"""The house rule that keeps the math testable: mlpviz.core, and the headless commands, never
import Qt (checked in a fresh interpreter, where nothing else has imported it first)."""

import ast
import pathlib
import subprocess
import sys

import mlpviz.core

CORE = pathlib.Path(mlpviz.core.__file__).parent
QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")


def test_no_core_module_names_qt():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(CORE)}: {n}" for n in names if n.split(".")[0] in QT]
    assert not offenders


def test_core_and_the_headless_cli_load_without_qt():
    code = ("import sys, mlpviz.core, mlpviz.core.walk, mlpviz.core.layout, mlpviz.cli\n"
            f"loaded = [m for m in {QT!r} if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
