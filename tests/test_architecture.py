"""Architecture rules that keep core headless."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "pyqtgraph", "gui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_qt():
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & set(FORBIDDEN))
                 for p in (ROOT / "core").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_import_linter_contract_holds():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core never imports Qt KEPT" in result.stdout


def test_core_imports_without_qt_or_portaudio():
    code = ("import sys; import core.analysis.pipeline, core.io.export, core.cli, core.app.batch; "
            "bad = [m for m in ('PySide6', 'pyqtgraph', 'sounddevice') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
