"""Level matching of a render to its original per section (issue 14, fair A/B).

A synthetic pair whose sections differ in loudness by known amounts, the rules for
sections too short or too quiet to gate, the gain curve's ramps, the player's B with
and without matching, and a real shared recording rendered as the Render button does
(skipped when /work/shared/data is absent).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.app.levels import (MAX_GAIN_DB, RAMP, LevelMatch, SectionLevel,
                             integrated_loudness, match_levels, section_loudness)

SR = 22050
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VIBE_ACE = DATA / "audio" / "kevin_macleod-vibe_ace.ogg"


def _stereo(mono: np.ndarray) -> np.ndarray:
    return np.repeat(mono[:, None], 2, axis=1).astype(np.float32)


def _sections(parts, *, seed: int) -> np.ndarray:
    """Noise sections ``(seconds, dBFS)``: a stand-in for music of changing loudness."""
    rng = np.random.default_rng(seed)
    return np.concatenate([_stereo(rng.standard_normal(int(s * SR)) * 10 ** (db / 20))
                           for s, db in parts])


def _chord(seconds: float, freqs=(220.0, 277.2, 330.0)) -> np.ndarray:
    """Sustained harmonic tones with a slow tremolo: spectrally unlike the noise."""
    t = np.arange(int(seconds * SR)) / SR
    y = sum(np.sin(2 * np.pi * f * k * t) / k for f in freqs for k in (1, 2, 3))
    return _stereo(y * (1.0 + 0.3 * np.sin(2 * np.pi * 2.0 * t)) / len(freqs))


def _spans(seconds):
    edges = np.concatenate([[0.0], np.cumsum(seconds)])
    return list(zip(edges[:-1], edges[1:]))


def _differences(original, render, spans):
    return [r - o for o, r in zip(section_loudness(original, SR, spans),
                                  section_loudness(render, SR, spans))]


@pytest.mark.parametrize("sr, seconds", [(22050, 0.45), (44100, 3.7), (48000, 12.0)])
def test_the_loudness_is_pyloudnorms(sr, seconds):
    """BS.1770 as pyloudnorm.Meter measures it, gating included (a quiet tail)."""
    import pyloudnorm

    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(sr)
    y = np.stack([rng.standard_normal(len(t)) * 0.1 * np.exp(-t),
                  np.sin(2 * np.pi * 440 * t) * 0.3 * np.exp(-t / 2)], axis=1)
    expected = pyloudnorm.Meter(sr).integrated_loudness(y)
    assert integrated_loudness(y, sr) == pytest.approx(expected, abs=1e-6)
    assert integrated_loudness(y[:int(0.39 * sr)], sr) is None  # under one block
    assert integrated_loudness(np.zeros_like(y), sr) is None  # silent


def test_a_synthetic_render_is_matched_per_section_within_half_a_lu():
    seconds = [6.0, 8.0, 5.0]
    original = _sections(zip(seconds, [-30.0, -18.0, -24.0]), seed=1)
    # The render: chords, 6.5 LU too loud in the first section, 17.5 and 5.5 too quiet after.
    render = np.concatenate([_chord(s) * g for s, g in zip(seconds, [0.2, 0.05, 0.1])])
    spans = _spans(seconds)
    before = _differences(original, render, spans)
    assert max(abs(d) for d in before) > 3.0  # the test can fail: the pair is unmatched
    match = match_levels(original, SR, render, SR, spans)
    assert [s.how for s in match.sections] == ["section"] * 3
    after = _differences(original, match.apply(render, SR), spans)
    assert max(abs(d) for d in after) < 0.5, after
    np.testing.assert_allclose([s.gain_db for s in match.sections], [-d for d in before],
                               atol=1e-6)


def test_short_and_silent_sections_take_the_whole_tracks_gain():
    seconds = [6.0, 0.5, 4.0, 6.0]
    original = _sections(zip(seconds, [-20.0, -20.0, -200.0, -20.0]), seed=2)
    render = _sections(zip(seconds, [-26.0, -10.0, -26.0, -26.0]), seed=3)
    match = match_levels(original, SR, render, SR, _spans(seconds))
    assert [s.how for s in match.sections] == ["section", "short", "silent", "section"]
    assert match.sections[2].original_lufs is None  # under the -70 LUFS gate
    assert match.sections[0].gain_db == pytest.approx(6.0, abs=0.3)
    for s in match.sections[1:3]:
        assert s.gain_db == match.overall_db
    assert np.isfinite(match.apply(render, SR)).all()


def test_gains_are_limited_and_a_silent_render_gets_none():
    seconds = [5.0, 5.0]
    original = _sections(zip(seconds, [-10.0, -10.0]), seed=4)
    render = _sections(zip(seconds, [-60.0, -300.0]), seed=5)
    match = match_levels(original, SR, render, SR, _spans(seconds))
    assert match.sections[0].gain_db == MAX_GAIN_DB
    assert match.sections[1].how == "silent"
    silent = match_levels(original, SR, np.zeros_like(render), SR, _spans(seconds))
    assert [s.gain_db for s in silent.sections] == [0.0, 0.0]


def test_the_gain_ramps_over_the_crossfade_centred_on_the_boundary():
    match = LevelMatch((SectionLevel(0.0, 2.0, -20.0, -14.0, -6.0, "section"),
                        SectionLevel(2.0, 4.0, -20.0, -26.0, 6.0, "section")), 0.0)
    sr = 1000
    db = 20 * np.log10(match.gain_curve(4 * sr, sr))
    half = int(RAMP / 2 * sr)
    np.testing.assert_allclose(db[:2 * sr - half], -6.0, atol=1e-4)
    np.testing.assert_allclose(db[2 * sr + half:], 6.0, atol=1e-4)
    assert db[2 * sr] == pytest.approx(0.0, abs=1e-4)  # halfway at the boundary
    assert (np.diff(db[2 * sr - half:2 * sr + half + 1]) > 0).all()  # no step


def test_prepare_ab_matches_b_only_when_asked():
    from core.app.listen import prepare_ab, prepare_playback

    seconds = [4.0, 4.0]
    original = _sections(zip(seconds, [-20.0, -30.0]), seed=6)
    render = _sections(zip(seconds, [-14.0, -34.0]), seed=7)
    reference = (original, SR, _spans(seconds))
    matched = prepare_ab((original, SR), (render, SR), samplerate=SR, reference=reference)
    assert matched.levels is not None and matched.b.flags.writeable is False
    after = _differences(original, matched.b, _spans(seconds))
    assert max(abs(d) for d in after) < 0.5
    again = prepare_ab(None, (render, SR), samplerate=SR, reference=reference,
                       levels=matched.levels)
    assert again.a is None and again.levels is matched.levels
    np.testing.assert_array_equal(again.b, matched.b)
    raw = prepare_ab(None, (render, SR), samplerate=SR)
    assert raw.levels is None
    np.testing.assert_array_equal(raw.b, prepare_playback(((render, SR),), samplerate=SR)[0])


@pytest.mark.skipif(not VIBE_ACE.exists(), reason="shared recordings not present")
def test_a_real_render_is_matched_per_section_within_half_a_lu():
    """Vibe Ace rendered as the Render button does: unmatched, sections differ by
    several LU (issue 14); matched, every gated section is within 0.5 LU."""
    from core.analysis.audio import load_original
    from core.analysis.pipeline import analyze
    from core.app.analyze import analysis_options
    from core.app.listen import render_spans
    from core.render.engine import render_timeline
    from core.render.planning import plan_multi

    model, settings = analysis_options("default", False)
    timeline = plan_multi(analyze(VIBE_ACE, settings=settings, model=model), seed=0)[0]
    render = render_timeline(timeline, seed=0)
    audio, sr = load_original(VIBE_ACE)
    spans = render_spans(render)
    match = match_levels(audio, sr, render.audio, render.sr, spans)
    measured = [s for s in match.sections if s.how == "section"]
    assert len(measured) >= 2 and max(abs(s.difference) for s in measured) > 3.0
    after = section_loudness(match.apply(render.audio, render.sr), render.sr, spans)
    for s, lr in zip(match.sections, after):
        if s.how == "section":
            assert abs(lr - s.original_lufs) < 0.5, (s, lr)
