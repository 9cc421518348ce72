"""mlpviz in the desktop's applications menu: a freedesktop.org `.desktop` entry and the app's icon,
written under the user's data directory (no Qt, no root), and the lesson files' type
(application/x-mlpviz-lesson, *.mlpviz) as shared-mime-info XML, so a double-click on a lesson
opens it in mlpviz.

    mlpviz install-desktop      # $XDG_DATA_HOME/applications/mlpviz.desktop + hicolor icons
                                # + mime/packages/mlpviz.xml (then the desktop's caches)
    mlpviz uninstall-desktop    # removes exactly those files

`$XDG_DATA_HOME` is `~/.local/share` when unset or not absolute (the XDG Base Directory spec).
The entry starts the mlpviz that is running this code: its `mlpviz-app` (or `mlpviz`) script
beside this interpreter, else `python -m mlpviz` with this interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mlpviz.core.datasets import resources_dir
from mlpviz.core.lesson_file import EXTENSION, MIME_TYPE

APP_ID = "mlpviz"  # the .desktop file's name, the icon's name and the window class
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SUMMARY = "Watch a small neural network learn handwritten digits, and step through backpropagation"


def icons_dir() -> Path:
    """resources/icons: mlpviz.svg and its PNG sizes mlpviz-16.png … mlpviz-512.png."""
    return resources_dir() / "icons"


def data_home(environ=os.environ) -> Path:
    """$XDG_DATA_HOME if it is an absolute path, else ~/.local/share."""
    value = environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


GUI_SCRIPT = "mlpviz-app"  # pyproject's [project.gui-scripts] (no console window on Windows)


def launch_command() -> list[str]:
    """How the menu entry starts the app: the `mlpviz-app` (else `mlpviz`) script installed
    beside this Python (a venv's bin/), else this Python with `-m mlpviz`."""
    for name in (GUI_SCRIPT, APP_ID):
        script = Path(sys.executable).parent / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
    return [sys.executable, "-m", APP_ID]


def exec_value(argv: list[str]) -> str:
    """argv as a .desktop Exec value: each argument with a space or a reserved character quoted,
    with the spec's escapes inside quotes, and "%" doubled."""
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    out = []
    for arg in argv:
        arg = arg.replace("%", "%%")
        if any(c in reserved for c in arg):
            arg = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
        out.append(arg)
    return " ".join(out)


def desktop_entry(argv: list[str]) -> str:
    """The text of mlpviz.desktop for a launcher running `argv`."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=mlpviz",
        "GenericName=Neural network visualiser",
        f"Comment={SUMMARY}",
        f"Exec={exec_value(argv)} %f",
        f"Icon={APP_ID}",
        f"MimeType={MIME_TYPE};",
        "Terminal=false",
        "Categories=Education;ArtificialIntelligence;",
        "Keywords=neural network;MNIST;backpropagation;gradient descent;perceptron;",
        f"StartupWMClass={APP_ID}",
        "",
    ])


def mime_xml() -> str:
    """The shared-mime-info description of lesson files: application/x-mlpviz-lesson, a zip
    named *.mlpviz, shown with the app's icon."""
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
        f'  <mime-type type="{MIME_TYPE}">',
        "    <comment>mlpviz lesson</comment>",
        '    <sub-class-of type="application/zip"/>',
        f'    <icon name="{APP_ID}"/>',
        f'    <glob pattern="*{EXTENSION}"/>',
        "  </mime-type>",
        "</mime-info>",
        "",
    ])


@dataclass(frozen=True)
class Installed:
    """What install-desktop writes: the .desktop file, each icon (source → target) and the
    lesson files' MIME type."""

    entry: Path
    icons: tuple[tuple[Path, Path], ...]
    mime: Path

    def paths(self) -> list[Path]:
        return [self.entry, *(target for _, target in self.icons), self.mime]


def planned(home: Path | None = None) -> Installed:
    """Where every file goes under the data directory `home` (default: `data_home()`)."""
    home = data_home() if home is None else Path(home)
    hicolor, src = home / "icons" / "hicolor", icons_dir()
    icons = [(src / f"{APP_ID}-{n}.png", hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png")
             for n in ICON_SIZES]
    icons.append((src / f"{APP_ID}.svg", hicolor / "scalable" / "apps" / f"{APP_ID}.svg"))
    return Installed(home / "applications" / f"{APP_ID}.desktop", tuple(icons),
                     home / "mime" / "packages" / f"{APP_ID}.xml")


def install(home: Path | None = None, argv: list[str] | None = None) -> list[Path]:
    """Write the .desktop entry (launching `argv`, default `launch_command()`) and the icons;
    returns the files written. Missing icon sources raise FileNotFoundError before anything is
    written."""
    plan = planned(home)
    missing = [str(s) for s, _ in plan.icons if not s.is_file()]
    if missing:
        raise FileNotFoundError(f"the app's icons are missing: {', '.join(missing)}")
    for source, target in plan.icons:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    _write_text(plan.entry, desktop_entry(argv or launch_command()))
    _write_text(plan.mime, mime_xml())
    refresh_caches(home)
    return plan.paths()


def _write_text(path: Path, text: str) -> None:
    """`text` to `path` whole or not at all (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def refresh_caches(home: Path | None = None) -> list[str]:
    """Tell the desktop about the entry and the MIME type: update-mime-database and
    update-desktop-database on the folders under `home`, where those tools are installed (a
    desktop without them reads the files directly). Returns the tools that ran; a tool that
    fails or hangs is skipped, never an error."""
    home = data_home() if home is None else Path(home)
    ran = []
    for tool, folder in (("update-mime-database", home / "mime"),
                         ("update-desktop-database", home / "applications")):
        if shutil.which(tool) and folder.is_dir():
            try:
                subprocess.run([tool, str(folder)], capture_output=True, timeout=30, check=True)
                ran.append(tool)
            except (OSError, subprocess.SubprocessError):
                pass
    return ran


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what `install` wrote (nothing else); returns the files removed."""
    removed = []
    for path in planned(home).paths():
        if path.is_file():
            path.unlink()
            removed.append(path)
    if removed:
        refresh_caches(home)  # the desktop forgets the lesson files' type
    return removed
