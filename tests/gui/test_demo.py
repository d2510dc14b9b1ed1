"""``make demo``: headless without a display, the window on the demo results with one;
``twintrack gui TRACK --render RENDER`` shows a render written earlier as lane B."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.fixtures import xvfb
from tests.gui.conftest import wait_idle

ROOT = Path(__file__).resolve().parents[2]


# -- deciding whether there is a display ---------------------------------------------

class Probe:
    def __init__(self, ok: bool, detail: str = "xcb"):
        self.ok, self.detail, self.calls = ok, detail, 0

    def __call__(self, environ):
        self.calls += 1
        return self.ok, self.detail


def test_no_display_variables_means_headless_without_trying_qt():
    from gui.display import display_available

    probe = Probe(True)
    ok, reason = display_available({"HOME": "/root"}, probe=probe)
    assert not ok and "neither DISPLAY nor WAYLAND_DISPLAY" in reason and probe.calls == 0


@pytest.mark.parametrize("platform", ["offscreen", "minimal"])
def test_a_headless_qt_platform_means_headless(platform):
    from gui.display import display_available

    probe = Probe(True)
    ok, reason = display_available({"DISPLAY": ":0", "QT_QPA_PLATFORM": platform}, probe=probe)
    assert not ok and platform in reason and probe.calls == 0


def test_a_display_qt_cannot_reach_means_headless():
    from gui.display import display_available

    ok, reason = display_available({"DISPLAY": ":99"},
                                   probe=Probe(False, "could not connect to display :99"))
    assert not ok and "DISPLAY=:99" in reason and "could not connect" in reason


def test_a_display_qt_reaches_means_a_window():
    from gui.display import display_available

    ok, reason = display_available({"DISPLAY": ":1", "QT_QPA_PLATFORM": "xcb"},
                                   probe=Probe(True, "xcb"))
    assert ok and "DISPLAY=:1" in reason


def test_wayland_needs_its_socket(tmp_path):
    from gui.display import display_available

    env = {"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path)}
    probe = Probe(True, "wayland")
    assert not display_available(env, probe=probe)[0] and probe.calls == 0  # stale variable
    (tmp_path / "wayland-0").touch()
    ok, reason = display_available(env, probe=probe)
    assert ok and "WAYLAND_DISPLAY=wayland-0" in reason and probe.calls == 1


def test_display_module_exits_1_without_a_display():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "gui.display"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "no display" in done.stdout


# -- the Makefile's demo target, with stand-ins for the long commands ------------------

@pytest.fixture
def stub_bin(tmp_path):
    """A BIN directory: ``twintrack`` logs its arguments (and QT_QPA_PLATFORM),
    ``python`` is the real interpreter (``-m gui.display`` decides for real)."""
    if subprocess.run(["make", "--version"], capture_output=True).returncode != 0:
        pytest.skip("make is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    (bin_dir / "twintrack").write_text(
        "#!/bin/sh\n"
        f'echo "$* | QT_QPA_PLATFORM=${{QT_QPA_PLATFORM-unset}}" >> "{log}"\n')
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return bin_dir, log


def _make_demo(bin_dir: Path, env: dict) -> tuple[subprocess.CompletedProcess, list[str]]:
    # -o install: the prerequisites (venv, system packages) count as made
    done = subprocess.run(["make", "-s", "-C", str(ROOT), "-o", "install", "demo",
                           f"BIN={bin_dir}"], env=env, capture_output=True, text=True,
                          timeout=120)
    log = bin_dir.parent / "calls.log"
    return done, (log.read_text().splitlines() if log.exists() else [])


def test_make_demo_stays_headless_and_exits_without_a_display(stub_bin):
    bin_dir, _ = stub_bin
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done, calls = _make_demo(bin_dir, env)
    assert done.returncode == 0, done.stderr
    assert [c.split(" |")[0] for c in calls] == ["warmup --quiet", "demo --out-dir demo-output"]
    assert "no window" in done.stdout


@pytest.mark.skipif(xvfb.missing() is not None, reason=str(xvfb.missing()))
def test_make_demo_opens_the_window_on_the_demo_results_with_a_display(stub_bin):
    bin_dir, _ = stub_bin
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",
                                                             "QT_QPA_PLATFORM")}
    with xvfb.xvfb_display() as display:
        done, calls = _make_demo(bin_dir, dict(env, DISPLAY=display))
    assert done.returncode == 0, done.stderr
    assert len(calls) == 3, calls
    assert calls[2] == ("gui resources/demo/karissa_hobbs-lets_go_fishin.ogg --render "
                        "demo-output/karissa_hobbs-lets_go_fishin.render.wav "
                        "| QT_QPA_PLATFORM=unset")  # not the tests' offscreen default


# -- twintrack gui TRACK --render RENDER -----------------------------------------------

@pytest.fixture(scope="module")
def rendered(tmp_path_factory, short_track):
    """A render of the short track as ``twintrack demo`` writes one: WAV, timeline JSON
    and the render's analysis JSON."""
    from core.analysis.pipeline import analyze, analyze_audio
    from core.analysis.audio import audio_from_array
    from core.io.export import write_formats
    from core.render.planning import plan_multi
    from core.render.engine import render_timeline, write_audio
    from core.render.timeline import save_timeline

    out = tmp_path_factory.mktemp("render")
    timeline = plan_multi(analyze(short_track), variants=1)[0]
    render = render_timeline(timeline, seed=0)
    wav = out / "short.render.wav"
    write_audio(render, wav)
    save_timeline(timeline, out / "short.render.timeline.json")
    again = analyze_audio(audio_from_array(render.audio, render.sr, name=wav.name))
    write_formats(again, out, ["json"], stem="short.render")
    return wav


def test_cli_gui_passes_the_render_to_the_app(monkeypatch, capsys):
    import gui.app

    from core.cli import main

    got = {}
    monkeypatch.setattr(gui.app, "main", lambda files, render=None: got.update(
        files=files, render=render) or 0)
    assert main(["gui", "a.ogg", "--render", "out/a.render.wav"]) == 0
    assert got == {"files": ["a.ogg"], "render": "out/a.render.wav"}
    assert main(["gui", "a.ogg"]) == 0 and got["render"] is None
    assert main(["gui", "--render", "x.wav"]) == 1
    assert "needs the track" in capsys.readouterr().err


def test_open_with_a_render_shows_it_as_lane_b(qtbot, window, short_track, rendered,
                                               tmp_path, fake_player):
    window.open_paths([str(short_track)], render=str(rendered))
    qtbot.waitUntil(lambda: window.session.current is not None
                    and window.session.current.render is not None, timeout=90000)
    wait_idle(qtbot, window.session)
    doc = window.session.current
    assert doc.status == "analysed" and doc.analysis is not None
    assert window.timeline.has_b_lane()
    assert doc.render.render.duration == pytest.approx(doc.duration, abs=0.1)
    assert doc.render.render.timeline.regions()
    assert window.transport.mode_buttons["B"].isEnabled()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: fake_player.state == "playing", timeout=10000)
    assert fake_player.b is not None and len(fake_player.b) > 0
    # its notes were not stored with it: MIDI export says so instead of writing nothing
    window.ask_save_path = lambda *a: str(tmp_path / "x.mid")
    window.files.export_dialog("midi")
    assert "opened from a file" in window.banner.text and not (tmp_path / "x.mid").exists()


def test_a_render_without_its_analysis_is_analysed_and_without_timeline_refused(
        qtbot, window, short_track, rendered, tmp_path):
    import shutil

    bare = tmp_path / "bare.render.wav"
    shutil.copy(rendered, bare)
    shutil.copy(rendered.with_name("short.render.timeline.json"),
                tmp_path / "bare.render.timeline.json")
    lonely = tmp_path / "lonely.wav"
    shutil.copy(rendered, lonely)
    window.open_paths([str(short_track)], render=str(bare))
    qtbot.waitUntil(lambda: window.session.current is not None
                    and window.session.current.render is not None, timeout=90000)
    doc = window.session.current
    assert doc.render.analysis.segments  # analysed here, no JSON beside it
    window.session.attach_render(doc, lonely)
    wait_idle(qtbot, window.session)
    assert "lonely.timeline.json" in window.banner.text
    assert doc.render is not None and doc.status == "analysed"  # the old B is kept


@pytest.mark.slow
@pytest.mark.skipif(xvfb.missing() is not None, reason=str(xvfb.missing()))
def test_real_window_under_xvfb_opens_with_track_and_render(short_track, rendered, tmp_path):
    """``twintrack gui TRACK --render RENDER`` on a real X server (Xvfb), warm worker
    processes and all: the window shows, the track is analysed, the render is lane B."""
    out = tmp_path / "seen.json"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM",
                                                             "WAYLAND_DISPLAY")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # the app's settings stay private
    with xvfb.xvfb_display() as display:
        done = subprocess.run(
            [sys.executable, "-m", "tests.gui.open_window_check",
             str(short_track), str(rendered), str(out), "150"],
            env=dict(env, DISPLAY=display), cwd=ROOT, capture_output=True, text=True,
            timeout=240)
    seen = json.loads(out.read_text()) if out.exists() else {}
    assert done.returncode == 0, (seen, done.stderr[-3000:])
    assert seen["platform"] == "xcb" and seen["visible"] and seen["exposed"]
    assert seen["track"] == str(short_track) and seen["status"] == "analysed"
    assert seen["render"] and seen["b_lane"]
    assert seen["segments"] >= 1 and seen["render_regions"] >= 1
    assert short_track.name in seen["title"]
    assert out.with_suffix(".png").stat().st_size > 10_000
