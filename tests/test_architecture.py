"""Architecture rules: core stays headless; tests, benches and tools keep their layers
(no sys.path edits, tests never import a bench, benches take only tests.fixtures)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("PySide6", "pyqtgraph", "gui")
#: Folders of generated or installed files, never the project's own code.
NOT_SOURCE = {"build", "dist", "demo-output", "gallery", "__pycache__"}
#: Calls that import a module or run a file named by their arguments.
DYNAMIC_IMPORTS = {"import_module", "__import__", "spec_from_file_location", "run_path",
                   "run_module"}


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


def _python_files(folder: Path = ROOT) -> list[Path]:
    """The project's Python files under ``folder`` (no hidden, build or output folders)."""
    out = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in NOT_SOURCE
                         and not d.endswith(".egg-info"))
        out += [Path(here) / f for f in sorted(files) if f.endswith(".py")]
    return out


def _modules(tree: ast.AST) -> set[str]:
    """Dotted names a module imports: ``import a.b`` gives ``a.b``, ``from a import b``
    gives ``a.b`` (relative imports stay inside their package and are left out)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _dynamic_targets(tree: ast.AST) -> set[str]:
    """String constants in the arguments of importlib / runpy calls (module names, path
    parts): a file executed by path is imported all the same."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in DYNAMIC_IMPORTS:
                found.update(c.value for arg in node.args for c in ast.walk(arg)
                             if isinstance(c, ast.Constant) and isinstance(c.value, str))
    return found


def _edits_sys_path(tree: ast.AST) -> list[int]:
    """Lines that change ``sys.path``: a call of one of its methods that mutate it, an
    assignment to it or to an item of it, or ``from sys import path``."""
    def is_path(node) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "path"
                and isinstance(node.value, ast.Name) and node.value.id == "sys")

    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and is_path(node.func.value)
                and node.func.attr in ("insert", "append", "extend", "remove", "pop", "clear")):
            lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            if any(is_path(t) or (isinstance(t, ast.Subscript) and is_path(t.value))
                   for t in targets):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "sys":
            if any(a.name == "path" for a in node.names):
                lines.append(node.lineno)
    return lines


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"))


def test_no_sys_path_edits_anywhere():
    """Everything runs from the repository root (``python -m bench.X``, ``-m tools.X``,
    pytest): no file reaches around the package layout."""
    offenders = {str(p.relative_to(ROOT)): _edits_sys_path(_tree(p)) for p in _python_files()}
    assert {k: v for k, v in offenders.items() if v} == {}


def _is_bench(name: str) -> bool:
    return name == "bench" or name.startswith(("bench.", "bench/"))


def test_tests_never_import_benches():
    """A test that needs a bench's logic takes it from tests.fixtures or core."""
    offenders = {}
    for p in _python_files(ROOT / "tests"):
        tree = _tree(p)
        bad = sorted(n for n in _modules(tree) | _dynamic_targets(tree) if _is_bench(n))
        if bad:
            offenders[str(p.relative_to(ROOT))] = bad
    assert offenders == {}


def _tests_but_not_fixtures(name: str) -> bool:
    in_tests = name == "tests" or name.startswith("tests.")
    return in_tests and not (name == "tests.fixtures" or name.startswith("tests.fixtures."))


def test_benches_import_only_the_fixtures_from_tests():
    """Benches share the tests' generators and servers (tests.fixtures), not their tests."""
    offenders = {}
    for p in _python_files(ROOT / "bench"):
        tree = _tree(p)
        bad = sorted(n for n in _modules(tree) | _dynamic_targets(tree)
                     if _tests_but_not_fixtures(n))
        if bad:
            offenders[str(p.relative_to(ROOT))] = bad
    assert offenders == {}
