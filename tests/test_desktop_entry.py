"""Issue 16, part 4: ``make install-desktop`` puts the desktop entry and the icon into
the user's XDG folders, ``make uninstall-desktop`` takes them out again.

The entry is checked with ``desktop-file-validate`` (Debian's desktop-file-utils, a
``test:`` package) when it is installed, and always against the rules of the Desktop
Entry Specification a desktop relies on to show and start the app.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _make(target: str, data_home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    return subprocess.run(["make", "-s", "-C", str(ROOT), target], env=env,
                          capture_output=True, text=True, check=True)


def _entry(path: Path) -> dict[str, str]:
    """The [Desktop Entry] group, checked for the file-format rules on the way."""
    text = path.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert lines[0] == "[Desktop Entry]", "the first group must be [Desktop Entry]"
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    return dict(parser["Desktop Entry"])


def _exec_argv(value: str) -> list[str]:
    """Split an Exec value as the spec says: string escapes first (``\\\\`` is ``\\``),
    then arguments on spaces, double-quoted ones with ``\\`` before ``"`$\\``."""
    value = value.replace("\\\\", "\\")
    argv, i = [], 0
    while i < len(value):
        if value[i] == " ":
            i += 1
            continue
        if value[i] != '"':
            end = value.find(" ", i)
            end = len(value) if end < 0 else end
            argv.append(value[i:end])
            i = end
            continue
        arg, i = "", i + 1
        while value[i] != '"':
            if value[i] == "\\" and value[i + 1] in '"`$\\':
                i += 1
            arg += value[i]
            i += 1
        argv.append(arg)
        i += 1
    return argv


def _icon_files(data_home: Path) -> list[Path]:
    return ([data_home / f"icons/hicolor/{n}x{n}/apps/twintrack.png" for n in SIZES]
            + [data_home / "icons/hicolor/scalable/apps/twintrack.svg"])


def test_install_desktop_puts_a_valid_entry_and_every_icon_size_in_xdg_data_home(tmp_path):
    from PySide6.QtGui import QImage

    data_home = tmp_path / "share home"
    _make("install-desktop", data_home)
    desktop = data_home / "applications" / "twintrack.desktop"
    entry = _entry(desktop)
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(desktop)],
                              capture_output=True, text=True)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout
    assert entry["Type"] == "Application" and entry["Name"] == "Twintrack"
    assert entry["Icon"] == "twintrack"  # a theme name, found in the icons installed below
    assert entry["StartupWMClass"] == "Twintrack"
    for key in ("Categories", "MimeType", "Keywords"):
        assert entry[key].endswith(";"), f"{key}: a list must end with ';'"
    argv = _exec_argv(entry["Exec"])
    assert argv[1:] == ["gui", "%F"]
    assert argv[0] == "twintrack" or os.access(argv[0], os.X_OK), argv[0]
    for path in _icon_files(data_home):
        assert path.is_file(), path
    for size in SIZES:
        image = QImage(str(_icon_files(data_home)[SIZES.index(size)]))
        assert (image.width(), image.height()) == (size, size)

    _make("uninstall-desktop", data_home)
    assert not desktop.exists()
    assert not any(p.exists() for p in _icon_files(data_home))
    leftovers = [p for p in data_home.rglob("*") if p.is_file() and "twintrack" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("command", ["/opt/twin track/twintrack", '/opt/odd "$name"/tt'])
def test_an_app_in_a_folder_with_spaces_or_quotes_gets_a_quoted_exec(tmp_path, command):
    subprocess.run(["bash", str(ROOT / "packaging" / "desktop-entry.sh"), "install",
                    str(tmp_path), command], check=True, capture_output=True)
    desktop = tmp_path / "applications" / "twintrack.desktop"
    exec_value = _entry(desktop)["Exec"]
    assert _exec_argv(exec_value) == [command, "gui", "%F"]
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(desktop)],
                              capture_output=True, text=True)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_a_wrong_action_says_how_to_call_it(tmp_path):
    done = subprocess.run(["bash", str(ROOT / "packaging" / "desktop-entry.sh"), "instal",
                           str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "usage:" in done.stderr
    assert not any(tmp_path.iterdir())
