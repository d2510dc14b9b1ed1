"""The twintrack command line: analyze (serial and parallel), score, demo, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import jams
import numpy as np
import pytest
import soundfile as sf

from core.cli import main

from .fixtures.signals import SR, form


@pytest.fixture(scope="module")
def two_tracks(tmp_path_factory):
    d = tmp_path_factory.mktemp("tracks")
    y1, b1 = form([("A", 62, False, 16.0), ("B", 57, True, 16.0), ("A", 62, False, 16.0)],
                  bpm=120.0)
    y2, _ = form([("A", 65, False, 10.0), ("B", 60, False, 10.0)], bpm=128.0)
    sf.write(d / "one.wav", y1, SR)
    sf.write(d / "two.flac", y2, SR)
    (d / "one.ref.json").write_text(json.dumps(
        {"audio": "one.wav", "boundaries": b1, "tempo": 120.0, "key": "D major"}))
    return d


def test_analyze_writes_every_format(two_tracks, tmp_path, capsys):
    code = main(["analyze", str(two_tracks / "one.wav"), "--out-dir", str(tmp_path),
                 "--quiet", "--jobs", "1"])
    assert code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["one.audacity.txt", "one.chords.txt", "one.csv", "one.jams", "one.json",
                     "one.sv.csv"]
    jam = jams.load(str(tmp_path / "one.jams"))
    jam.validate()
    assert len(jam.search(namespace="chord")) == 1
    assert "one.wav" in capsys.readouterr().out


def test_bad_files_do_not_stop_the_batch(two_tracks, bad_dir, tmp_path, capsys):
    code = main(["analyze", str(bad_dir / "not_audio.wav"), str(two_tracks / "one.wav"),
                 str(two_tracks / "two.flac"), str(tmp_path / "missing.wav"),
                 "--out-dir", str(tmp_path), "--format", "json", "--quiet", "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["one.json", "two.json"]
    lines = [l for l in err.splitlines() if l.startswith("twintrack:")]
    assert len(lines) == 2 and any("not_audio.wav" in l for l in lines)
    assert "Traceback" not in err


def test_unknown_format_is_a_usage_error(two_tracks, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["analyze", str(two_tracks / "one.wav"), "--format", "mp4"])
    assert info.value.code == 2


def test_score_against_reference(two_tracks, tmp_path, capsys):
    main(["analyze", str(two_tracks / "one.wav"), "--out-dir", str(tmp_path), "--quiet",
          "--format", "json,jams"])
    capsys.readouterr()
    for est in ("one.json", "one.jams"):
        assert main(["score", str(tmp_path / est), str(two_tracks / "one.ref.json")]) == 0
        out = dict(line.rsplit(None, 1) for line in capsys.readouterr().out.splitlines())
        assert float(out["tempo ACC1"]) == 1.0
        assert float(out["key weighted"]) == 1.0
        assert float(out["F@3"]) >= 0.99
        assert set(out) >= {"F@0.5", "F@3 untrimmed", "tempo ACC2"}


def test_score_of_garbage_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "x.json").write_text("[1, 2]")
    assert main(["score", str(tmp_path / "x.json"), str(tmp_path / "x.json")]) == 1
    assert "not an analysis" in capsys.readouterr().err


def test_console_script_demo(tmp_path):
    exe = shutil.which("twintrack", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "the twintrack console script is installed with the project"
    out = subprocess.run([exe, "demo", "--out-dir", str(tmp_path)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "tempo" in out.stdout and "key" in out.stdout and "form" in out.stdout
    assert {p.suffix for p in tmp_path.iterdir()} >= {".json", ".jams", ".csv", ".txt"}


def test_train_cross_validates_a_folder_corpus(tmp_path):
    """``corpus --from-folder`` then ``train --target genre --cv 5`` (grouped by file)."""
    import re

    rng = np.random.default_rng(3)
    sr, n = 22050, 22050 * 11
    t = np.arange(n) / sr
    for i in range(5):
        # "drone": a low sustained chord; "clicks": bright noise bursts on a fast pulse.
        f = 110.0 * (1 + 0.05 * i)
        drone = 0.2 * sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 2, 3))
        pulse = (np.sin(2 * np.pi * (3.0 + 0.3 * i) * t) > 0.9).astype(float)
        clicks = 0.3 * pulse * rng.standard_normal(n)
        for label, y in (("drone", drone), ("clicks", clicks)):
            path = tmp_path / "music" / label / f"{label}{i}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(path, y.astype(np.float32), sr)
    exe = [sys.executable, "-m", "core.cli"]
    built = subprocess.run([*exe, "corpus", str(tmp_path / "corpus"), "--from-folder",
                            str(tmp_path / "music"), "--quiet"], capture_output=True, text=True,
                           timeout=600)
    assert built.returncode == 0, built.stderr
    out = subprocess.run([*exe, "train", str(tmp_path / "corpus"), "--target", "genre",
                          "--cv", "5", "--kind", "knn"], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    # the user's own recordings: the real-music tagger's embeddings by default
    assert "features: wide-v3" in out.stdout
    m = re.search(r"^genre accuracy: (\d\.\d\d)$", out.stdout, re.M)
    assert m and float(m.group(1)) >= 0.9, out.stdout
    model = tmp_path / "mine.skops"
    fit = subprocess.run([*exe, "train", str(tmp_path / "corpus"), "--kind", "knn",
                          "--out", str(model)], capture_output=True, text=True, timeout=600)
    assert fit.returncode == 0, fit.stderr
    done = subprocess.run([*exe, "analyze", str(tmp_path / "music" / "drone" / "drone0.wav"),
                           "--model", str(model), "--no-tags", "--format", "json", "--quiet",
                           "--out-dir", str(tmp_path / "a"), "--jobs", "1"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    from core.record import load_analysis

    labels = load_analysis(tmp_path / "a" / "drone0.json").windows.labels["genre"]
    assert set(labels) <= {"drone", "clicks", "UNK"} and "drone" in labels
    # with the tags computed, the model reads the very embeddings the tags came with
    again = subprocess.run([*exe, "analyze", str(tmp_path / "music" / "drone" / "drone0.wav"),
                            "--model", str(model), "--format", "json", "--quiet",
                            "--out-dir", str(tmp_path / "b"), "--jobs", "1"],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    tagged = load_analysis(tmp_path / "b" / "drone0.json").windows
    assert tagged.tags and tagged.labels["genre"] == labels


def test_version(capsys):
    from core import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"twintrack {__version__}"
