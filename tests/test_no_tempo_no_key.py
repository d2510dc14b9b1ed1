"""No tempo and no key (issue 14 bug 5), from the audio file to every output.

Synthetic files with known answers (silence, white noise and a steady tone have neither
tempo nor key, clicks alone a tempo but no key, a chord progression with drums both) and
the shared ``bad/`` files are analysed by the real pipeline; the record, the JSON, the
exports (JAMS validated by ``jams``), the command line summary, reference scoring and
the display spectrogram are checked on the results.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import soundfile as sf

from core.analysis.pipeline import analyze
from core.record import NO_KEY, NO_TEMPO, analysis_from_dict, analysis_to_dict, dumps
from tests.fixtures.signals import SR, section

SECONDS = 24.0


def _signal(kind: str) -> np.ndarray:
    n = int(SECONDS * SR)
    rng = np.random.default_rng(7)
    t = np.arange(n) / SR
    if kind == "silence":
        return np.zeros(n)
    if kind == "noise":
        return 0.1 * rng.standard_normal(n)
    if kind == "tone":  # held A3 with partials: pitched, no onsets after the first
        return 0.2 * sum(np.sin(2 * np.pi * 220.0 * k * t) / k for k in range(1, 5))
    if kind == "clicks":  # broadband clicks at 120 BPM: a pulse, no pitch
        y = np.zeros(n)
        for start in range(0, n - 3, SR // 2):
            y[start:start + 3] = (0.8, -0.5, 0.2)
        return y
    return section(57, True, 112.0, SECONDS, seed=3)  # A minor cadences with drums


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """kind -> Analysis of a WAV file of that kind."""
    folder = tmp_path_factory.mktemp("signals")
    out = {}
    for kind in ("silence", "noise", "tone", "clicks", "music"):
        path = folder / f"{kind}.wav"
        sf.write(path, _signal(kind).astype(np.float32), SR, subtype="FLOAT")
        out[kind] = analyze(path)
    return out


def _tempi(a) -> list[float]:
    return [a.globals.tempo, *a.windows.tempo, *(s.tempo for s in a.segments)]


def _keys(a) -> list[str]:
    return [a.globals.key, *(a.windows.key(i) for i in range(len(a.windows))),
            *(s.key for s in a.segments)]


@pytest.mark.parametrize("kind, has_tempo, has_key", [
    ("silence", False, False), ("noise", False, False), ("tone", False, True),
    ("clicks", True, False), ("music", True, True)])
def test_known_answers_everywhere(analysed, kind, has_tempo, has_key):
    a = analysed[kind]
    if has_tempo:
        assert all(t > 0 for t in _tempi(a))
    else:
        assert set(_tempi(a)) == {NO_TEMPO} and a.globals.tempo_candidates == ()
        assert set(a.windows.tempo_confidence) == {0.0} and a.globals.beats == ()
    if has_key:
        assert NO_KEY not in _keys(a)
    else:
        assert set(_keys(a)) == {NO_KEY} and a.globals.key_candidates == ()
        assert set(a.windows.key_confidence) == {0.0} and a.globals.key_confidence == 0.0
    if kind == "music":
        assert a.globals.key == "A:minor" and abs(a.globals.tempo - 112.0) < 3.0


@pytest.mark.data
def test_bad_files_silence_and_tone(bad_dir):
    """Measured before: silence 120 BPM C major, the tone 69.9 BPM (confidence 0.98)."""
    silence = analyze(bad_dir / "silence_30s.wav")
    assert set(_tempi(silence)) == {NO_TEMPO} and set(_keys(silence)) == {NO_KEY}
    tone = analyze(bad_dir / "tone_12s.wav")
    assert set(_tempi(tone)) == {NO_TEMPO} and tone.globals.tempo_confidence == 0.0


def test_music_then_silence_per_segment_and_window(tmp_path):
    """The silent half of a track has no tempo and no key; the music keeps both."""
    y = np.concatenate([_signal("music")[: 16 * SR], np.zeros(20 * SR)]).astype(np.float32)
    sf.write(tmp_path / "half.wav", y, SR, subtype="FLOAT")
    a = analyze(tmp_path / "half.wav")
    first, last = a.segments[0], a.segments[-1]
    assert first.tempo > 0 and first.key == "A:minor"
    assert last.start >= 15.0 and last.tempo == NO_TEMPO and last.key == NO_KEY
    w = a.windows
    inside = [i for i in range(len(w)) if w.start[i] >= 16.0]
    assert inside and all(w.tempo[i] == NO_TEMPO and w.key(i) == NO_KEY for i in inside)
    assert a.globals.tempo > 0 and a.globals.key == "A:minor"


def test_json_round_trips_and_validates(analysed):
    a = analysed["clicks"]
    doc = json.loads(dumps(a))
    assert doc["globals"]["tonic"] == doc["globals"]["mode"] == "N"
    assert analysis_from_dict(doc) == a
    broken = analysis_to_dict(a)
    broken["globals"]["tonic"] = "H"
    with pytest.raises(Exception, match="tonic"):
        analysis_from_dict(broken)


def test_exports_say_no_tempo_and_no_key(analysed, tmp_path):
    from core.io.export import to_jams, write_formats

    a = analysed["silence"]
    jam = to_jams(a)  # validated by jams inside
    tempo = jam.search(namespace="tempo")
    assert all(len(ann.data) == 0 for ann in tempo)
    keys = [obs.value for ann in jam.search(namespace="key_mode") for obs in ann.data]
    assert keys and set(keys) == {"N"}
    paths = write_formats(a, tmp_path, ["jams", "csv", "audacity", "svcsv"], stem="s")
    rows = list(csv.DictReader(paths[1].open(encoding="utf-8")))
    assert {(r["tempo"], r["key"]) for r in rows} == {("no tempo", "no key")}
    for text in (paths[2].read_text(encoding="utf-8"), paths[3].read_text(encoding="utf-8")):
        assert "(no tempo, no key)" in text and "BPM" not in text


def test_cli_summary_says_so(analysed):
    from core.cli.commands import format_summary

    text = format_summary(analysed["noise"])
    assert "tempo  none (no pulse)" in text and "key    none (not pitched)" in text
    assert "BPM" not in text and "C major" not in text
    assert "A:minor" not in format_summary(analysed["music"])  # still printed as A minor
    assert "A minor" in format_summary(analysed["music"])


def test_scoring_handles_no_tempo_and_no_key(analysed, tmp_path):
    from core.evaluation.reference import read_annotations, score
    from core.io.export import write_formats

    write_formats(analysed["silence"], tmp_path, ["json", "jams"], stem="silence")
    write_formats(analysed["music"], tmp_path, ["json"], stem="music")
    silent = read_annotations(tmp_path / "silence.json")
    assert (silent.tempo, silent.key) == (0.0, "N")
    from_jams = read_annotations(tmp_path / "silence.jams")
    assert (from_jams.tempo, from_jams.key) == (0.0, "N")
    same = score(silent, from_jams)
    assert same["tempo ACC1"] == 1.0 and same["key weighted"] == 1.0
    music = read_annotations(tmp_path / "music.json")
    other = score(silent, music)
    assert other["tempo ACC1"] == other["tempo ACC2"] == 0.0 and other["key weighted"] == 0.0


def test_spectrogram_of_silence_is_the_floor():
    from core.app.spectrogram import DEPTH_DB, spectrogram_of

    assert np.all(spectrogram_of(np.zeros(5 * SR, np.float32), SR).image == -DEPTH_DB)
    t = np.arange(5 * SR) / SR
    quiet = spectrogram_of((1e-3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), SR)
    assert quiet.image.max() == 0.0  # quiet music still uses the whole range
