"""The whole pipeline on synthetic tracks with known answers and on real recordings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.analysis.pipeline import analyze, analyze_audio
from core.analysis.audio import audio_from_array
from core.errors import AudioError, Cancelled
from core.evaluation.reference import boundary_scores, key_score
from core.io.export import to_jams
from core.record import Settings, analysis_from_dict, dumps
from core.progress import Reporter

from .fixtures.signals import SR, form


@pytest.fixture(scope="module")
def aba_analysis():
    # A (C major) 16 s, B (A minor, other drums) 16 s, A again 16 s, at 120 BPM
    y, bounds = form([("A", 60, False, 16.0), ("B", 69, True, 16.0), ("A", 60, False, 16.0)],
                     bpm=120.0)
    return analyze_audio(audio_from_array(y, SR, name="aba")), bounds


def test_synthetic_form_tempo_and_key(aba_analysis):
    a, bounds = aba_analysis
    assert a.globals.tempo == pytest.approx(120.0, rel=0.04)
    letters = [s.label for s in a.segments]
    assert letters[0] == letters[-1] and len(set(letters)) >= 2
    est = [s.start for s in a.segments] + [a.segments[-1].end]
    assert boundary_scores(tuple(est), tuple(bounds))["F@3"] >= 0.99
    keys = {s.label: s.key for s in a.segments}
    assert key_score(keys[letters[0]], "C:major") == 1.0


def test_windows_and_features(aba_analysis):
    a, _ = aba_analysis
    w = a.windows
    assert len(w) == 20  # 48 s: starts 0..38 every 2 s
    assert len(w.feature_names) == 21 and all(len(f) == 21 for f in w.features)
    assert np.isfinite(np.asarray(w.features)).all()
    assert w.end[-1] == pytest.approx(a.duration)
    tempo = np.asarray(w.tempo)
    assert np.median(tempo) == pytest.approx(120.0, rel=0.04)


def test_real_analysis_round_trips(aba_analysis):
    a, _ = aba_analysis
    assert analysis_from_dict(json.loads(dumps(a))) == a
    to_jams(a).validate()


def test_short_and_silent_tracks_still_get_one_window_and_segment(rng):
    short = audio_from_array(0.1 * rng.standard_normal(2 * SR), SR, name="short")
    a = analyze_audio(short)
    assert len(a.windows) == 1 and len(a.segments) >= 1
    assert a.segments[0].start == 0.0 and a.segments[-1].end == pytest.approx(a.duration)
    silent = analyze_audio(audio_from_array(np.zeros(20 * SR), SR, name="silence"))
    assert np.isfinite(np.asarray(silent.windows.features)).all()
    assert "silent" in silent.track.notes
    json.loads(dumps(silent))  # no NaN anywhere


def test_cancel_raises_and_reports_every_stage(aba_analysis):
    y, _ = form([("A", 60, False, 20.0), ("B", 62, False, 20.0)], bpm=100.0)
    audio = audio_from_array(y, SR, name="c")
    stages = []
    analyze_audio(audio, reporter=Reporter(lambda f, s: stages.append((f, s))))
    names = [s for _, s in stages]
    assert {"spectral features", "tempo and beats", "key", "form", "window features"} <= set(names)
    fractions = [f for f, _ in stages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    for stop_at in ("spectral features", "tempo and beats", "form"):
        seen = []

        def cancelled(stop_at=stop_at):
            return stop_at in seen

        with pytest.raises(Cancelled):
            analyze_audio(audio, reporter=Reporter(lambda f, s: seen.append(s), cancelled))


def test_forced_k_is_honoured(aba_analysis):
    y, _ = form([("A", 60, False, 12.0), ("B", 64, True, 12.0), ("C", 67, False, 12.0)],
                bpm=110.0)
    a = analyze_audio(audio_from_array(y, SR, name="k"), settings=Settings(k=3))
    assert len({s.label for s in a.segments}) == 3
    assert a.settings.k == 3


@pytest.mark.parametrize("name", ["not_audio.wav", "nan_inf_float.wav", "one_sample.wav"])
def test_bad_file_raises_before_any_work(bad_dir, name):
    with pytest.raises(AudioError):
        analyze(bad_dir / name)


def test_demo_track(demo_track):
    a = analyze(demo_track)
    assert 120 < a.duration < 140
    assert 3 <= len(a.segments) <= 16
    assert 60 < a.globals.tempo < 200
    assert a.segments[0].start == 0.0 and a.segments[-1].end == pytest.approx(a.duration)
    assert all(s.end > s.start for s in a.segments)
    to_jams(a).validate()


@pytest.mark.parametrize("bpm, reference, expected", [
    (89.0, 178.0, 178.0), (178.0, 89.0, 89.0), (117.5, 178.0, 117.5 * 1.5),
    (120.0, 180.0, 180.0), (131.0, 100.0, 131.0), (100.0, 100.0, 100.0), (0.0, 100.0, 0.0),
])
def test_section_tempo_keeps_the_tracks_metrical_level(bpm, reference, expected):
    from core.analysis.pipeline import _same_level

    assert _same_level(bpm, reference) == pytest.approx(expected)


@pytest.mark.parametrize("feature_set", ["extended-v1", "extended-v3", "extended-v4"])
def test_a_model_of_the_extended_set_gets_its_features_from_the_same_frames(feature_set):
    """analyze_audio computes the set the model reads; window_feature_table agrees, and a
    set that leaves features out (extended-v3 and -v4: no tempo) is the wide set's columns."""
    import pandas as pd

    from core.analysis.pipeline import window_feature_table
    from core.classify import DescriptorModel
    from core.descriptors import load_dictionary
    from core.analysis.featureset import FEATURE_NAMES, TEMPO_NAMES, WIDEST_SET, feature_names

    names = feature_names(feature_set)
    d = load_dictionary()
    rows = []
    for i, (part, desc) in enumerate([(("A", 60, False, 16.0), d.active()[0]),
                                      (("B", 69, True, 16.0), d.active()[-1])]):
        for s in range(2):
            y, _ = form([part], bpm=100.0 + 20 * s)
            _, x = window_feature_table(audio_from_array(y, SR), feature_set=feature_set)
            assert x.shape[1] == len(names)
            rows += [{"source": f"{i}-{s}", "descriptor": desc.name, **desc.labels(),
                      **dict(zip(names, r))} for r in x]
    model = DescriptorModel.fit(pd.DataFrame(rows), kind="knn", feature_set=feature_set,
                                calibrate=False)
    y, _ = form([("B", 69, True, 16.0)], bpm=120.0)
    audio = audio_from_array(y, SR)
    a = analyze_audio(audio, model=model)
    assert a.windows.feature_names == FEATURE_NAMES  # the analysis table keeps default21
    _, wide = window_feature_table(audio, feature_set=WIDEST_SET)
    np.testing.assert_allclose(np.asarray(a.windows.features), wide[:, :len(FEATURE_NAMES)])
    _, x = window_feature_table(audio, feature_set=feature_set)
    columns = [feature_names(WIDEST_SET).index(n) for n in names]
    np.testing.assert_allclose(x, wide[:, columns])
    assert (feature_set != "extended-v1") == (not set(TEMPO_NAMES) & set(names))
    assert set(a.windows.labels["genre"]) == {d.active()[-1].genre}
