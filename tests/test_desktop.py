"""`mlpviz install-desktop` / `uninstall-desktop`: a valid freedesktop entry and the icon under a
temporary XDG_DATA_HOME, pointing at an mlpviz that runs; removed again without touching
anything else. And the gui-scripts entry point the launcher uses."""

import shutil
import struct
import subprocess
import tomllib
from importlib import import_module
from pathlib import Path

import pytest

from mlpviz import desktop
from mlpviz.about import about_html, data_source
from mlpviz.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_install_writes_a_valid_entry_and_every_icon_size(data_home, capsys):
    assert main(["install-desktop"]) == 0
    entry = data_home / "applications" / "mlpviz.desktop"
    assert str(entry) in capsys.readouterr().out
    text = entry.read_text()
    assert "Icon=mlpviz" in text and "Terminal=false" in text
    if shutil.which("desktop-file-validate"):
        run = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert run.returncode == 0 and "error" not in run.stdout + run.stderr, run.stdout
    for n in desktop.ICON_SIZES:
        assert png_size(data_home / f"icons/hicolor/{n}x{n}/apps/mlpviz.png") == (n, n)
    assert "<svg" in (data_home / "icons/hicolor/scalable/apps/mlpviz.svg").read_text()


def test_the_entry_starts_an_mlpviz_that_runs(data_home):
    main(["install-desktop"])
    line = next(l for l in (data_home / "applications/mlpviz.desktop").read_text().splitlines()
                if l.startswith("Exec="))
    argv = desktop.launch_command()
    assert line == "Exec=" + desktop.exec_value(argv) + " %f"  # %f: the lesson double-clicked
    assert Path(argv[0]).is_file()
    run = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0 and run.stdout.startswith("mlpviz ")


def test_lesson_files_get_their_mime_type_and_open_in_mlpviz(data_home):
    """A double-click on a .mlpviz file: the entry says it opens application/x-mlpviz-lesson
    (with the file as its argument, %f) and the shared-mime-info XML maps *.mlpviz to it."""
    import xml.etree.ElementTree as ET

    main(["install-desktop"])
    entry = (data_home / "applications/mlpviz.desktop").read_text().splitlines()
    assert "MimeType=application/x-mlpviz-lesson;" in entry
    assert next(l for l in entry if l.startswith("Exec=")).endswith(" %f")
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(data_home / "mime/packages/mlpviz.xml").getroot()
    kind = root.find("m:mime-type", ns)
    assert kind.get("type") == "application/x-mlpviz-lesson"
    assert kind.find("m:glob", ns).get("pattern") == "*.mlpviz"
    assert kind.find("m:sub-class-of", ns).get("type") == "application/zip"
    if shutil.which("update-mime-database"):  # the desktop's own tool read it (here, not /usr)
        globs = (data_home / "mime/globs2").read_text()
        assert "application/x-mlpviz-lesson:*.mlpviz" in globs


def test_the_desktop_command_line_opens_the_lesson(monkeypatch):
    """Exec's "%f" becomes the file: `mlpviz FILE.mlpviz` opens it (as --lesson)."""
    from mlpviz.cli import build_parser, lesson_as_option

    p = build_parser()
    assert p.parse_args(lesson_as_option(p, ["/home/t/week 3.mlpviz"])).app_lesson == \
        "/home/t/week 3.mlpviz"
    assert lesson_as_option(p, ["--size", "800x600", "a.MLPVIZ"])[2:] == ["--lesson", "a.MLPVIZ"]
    for argv in (["train", "--save", "x.mlpviz"], ["--screenshot", "x.mlpviz"], ["trian"]):
        assert lesson_as_option(p, argv) == argv


def test_exec_quotes_what_the_spec_reserves():
    assert desktop.exec_value(["/opt/my apps/bin/python", "-m", "mlpviz"]) == \
        '"/opt/my apps/bin/python" -m mlpviz'
    assert desktop.exec_value(['/a"b$c', "50%"]) == '"/a\\"b\\$c" 50%%'


def test_uninstall_removes_exactly_what_install_wrote(data_home, capsys):
    other = data_home / "applications" / "other.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\n")
    main(["install-desktop"])
    written = desktop.planned(data_home).paths()
    assert all(p.is_file() for p in written)
    assert main(["uninstall-desktop"]) == 0
    assert not any(p.exists() for p in written)
    assert other.read_text() == "[Desktop Entry]\n"
    capsys.readouterr()
    assert main(["uninstall-desktop"]) == 0  # twice: says there is nothing, no error
    assert "nothing to remove" in capsys.readouterr().out


def test_a_relative_xdg_data_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    assert desktop.data_home() == tmp_path / ".local" / "share"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert desktop.data_home() == tmp_path / ".local" / "share"


def test_missing_icons_are_refused_before_anything_is_written(data_home, monkeypatch, tmp_path):
    monkeypatch.setattr(desktop, "icons_dir", lambda: tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="icons are missing"):
        desktop.install()
    assert not data_home.exists()


def test_gui_scripts_name_the_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    target = project["gui-scripts"][desktop.GUI_SCRIPT]
    module, func = target.split(":")
    assert callable(getattr(import_module(module), func))


def test_about_names_version_data_source_and_licences():
    from mlpviz import __version__

    text = about_html("bundled")
    assert f"mlpviz {__version__}" in text and "CC BY-SA 3.0" in text and "MIT licence" in text
    assert "Zalando" in data_source("fashion") and "LeCun" in data_source("mnist")
    assert "/data/mine" in about_html("/data/mine")
