"""The built wheel works on its own (issue 16, part 3).

Before: ``uv build`` gave a wheel with ``core/`` and ``gui/`` only; ``analyze`` from it
died on the missing PCA basis and the default model was silently skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from core import __version__, jitcache

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_list_names_every_package():
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = sorted(str(p.parent.relative_to(ROOT)).replace(os.sep, ".")
                   for top in ("core", "gui") for p in (ROOT / top).rglob("__init__.py"))
    assert sorted(listed["packages"]) == sorted(found + ["core._resources"])
    assert listed["package-dir"] == {"core._resources": "resources"}


def _build_wheel(out: Path) -> Path:
    uv = Path(sys.executable).parent / "uv"
    cmd = ([str(uv), "build", "--wheel", "--out-dir", str(out), str(ROOT)] if uv.exists()
           else [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)])
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=out)
    (wheel,) = out.glob("twintrack-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_installed_outside_the_checkout_runs_the_demo(tmp_path):
    wheel = _build_wheel(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    # The dependencies come from this test's environment (a path entry: its .pth files,
    # the editable install of this checkout among them, are not run); Twintrack itself
    # only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    uv = Path(sys.executable).parent / "uv"
    install = ([str(uv), "pip", "install", "--no-deps", "--python", str(py), str(wheel)]
               if uv.exists() else [str(py), "-m", "pip", "install", "--no-deps", str(wheel)])
    subprocess.run(install, check=True, capture_output=True, text=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "NUMBA_CACHE_DIR", "TWINTRACK_JIT_PRIVATE")}
    env["TWINTRACK_CACHE"] = str(tmp_path / "cache")
    if jitcache.is_ready():  # the same librosa: its compiled kernels load from here
        env["NUMBA_CACHE_DIR"] = str(jitcache.shared_cache())
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> str:
        done = subprocess.run([str(venv / "bin" / "twintrack"), *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([str(py), "-c", "import core, core.resources as r; "
                            "print(core.__file__); print(r.resource_dir())"], cwd=work,
                           env=env, capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where
    for shipped in ("help/guide.md", "schemas/project.schema.json"):  # read by the window
        assert (Path(where[1]) / shipped).is_file(), shipped
    assert run("--version").strip() == f"twintrack {__version__}"
    run("demo", "--out-dir", "out")
    analysis = json.loads((work / "out" / "karissa_hobbs-lets_go_fishin.json").read_text())
    assert analysis["versions"]["model"]  # the shipped descriptor model was found and used
    assert analysis["windows"]["labels"]
    assert (work / "out" / "karissa_hobbs-lets_go_fishin.render.wav").stat().st_size > 0
    shutil.rmtree(venv)
