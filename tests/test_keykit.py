"""The key and tempo kit's build script (tools.build_keykit) on a tiny subset: real
FluidSynth renders of a music21 chorale and a generated progression, their annotations,
reproducibility, the rendered detuning, and a clear error for an unusable folder."""

from __future__ import annotations

import json

import librosa
import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("fluidsynth")
pytest.importorskip("music21")

from tools import build_keykit  # noqa: E402

ARGS = ["--chorales", "1", "--progressions", "2", "--seconds", "6"]


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    if not build_keykit.SOUNDFONT.is_file():
        pytest.skip("no General MIDI SoundFont")
    out = tmp_path_factory.mktemp("kit")
    assert build_keykit.main(ARGS + ["--out", str(out)]) == 0
    return out


def _annotation(kit, name):
    return json.loads((kit / "items" / f"{name}.json").read_text())


def test_every_item_has_audio_and_answers(kit):
    names = json.loads((kit / "index.json").read_text())["items"]
    assert names == ["chorale-000", "progression-000", "progression-001"]
    for name in names:
        ann = _annotation(kit, name)
        y, sr = sf.read(kit / ann["audio"])
        assert sr == build_keykit.SR and y.size == int(round(ann["seconds"] * sr))
        assert np.sqrt(np.mean(y ** 2)) > 0.02  # something was played
        assert ann["key"].split()[1] in ("major", "minor")
        beats = np.array(ann["beats"])
        np.testing.assert_allclose(np.diff(beats), 60.0 / ann["tempo"], atol=1e-3)
        assert set(np.round(ann["downbeats"], 3)) <= set(np.round(beats, 3))
    assert _annotation(kit, "progression-000")["key"] == "C major"
    assert _annotation(kit, "progression-001")["key"] == "C# major"
    assert _annotation(kit, "chorale-000")["key"] == "F major"  # BWV 1.6: one flat, ends on F


def test_the_build_is_reproducible(kit, tmp_path):
    assert build_keykit.main(ARGS + ["--out", str(tmp_path)]) == 0
    for name in ("chorale-000", "progression-001"):
        assert ((tmp_path / "items" / f"{name}.flac").read_bytes()
                == (kit / "items" / f"{name}.flac").read_bytes())
        assert _annotation(tmp_path, name) == _annotation(kit, name)


def test_renders_are_detuned_by_the_annotated_cents(kit):
    for name in ("progression-000", "progression-001"):
        ann = _annotation(kit, name)
        y, sr = sf.read(kit / ann["audio"], dtype="float32")
        measured = librosa.estimate_tuning(y=y, sr=sr) * 100.0
        assert abs(measured - ann["tuning_cents"]) < 10.0, (name, measured, ann)


def test_an_unusable_folder_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert build_keykit.main(ARGS + ["--out", str(blocker / "kit")]) == 1
    err = capsys.readouterr().err
    assert "cannot create the kit folder" in err and "Traceback" not in err
    assert blocker.read_text() == "not a folder"
