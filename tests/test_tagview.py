"""core.analysis.tagview: instrument rows, the voice curve and top tags from window tags
(no Qt): hand-made tag tables, and the shipped tagger on real recordings."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import tagview as TV
from core.record import Settings, WindowTags

MTT = ("guitar", "drums", "beat", "beats", "vocal", "singing", "no vocal", "no voice",
       "piano", "slow")


def _tags(rows: list[dict[str, float]], names=MTT) -> WindowTags:
    return WindowTags("test tagger", tuple(names),
                      tuple(tuple(r.get(n, 0.0) for n in names) for r in rows))


def test_an_instrument_gets_a_row_when_a_window_reaches_the_threshold():
    tags = _tags([{"guitar": 0.6, "piano": 0.19}, {"guitar": 0.1, "drums": 0.2}])
    rows = TV.instrument_rows(tags)
    assert [r.name for r in rows] == ["guitar", "drums"]  # INSTRUMENTS order, piano below
    assert np.allclose(rows[0].activity, [0.6, 0.1]) and rows[0].peak == pytest.approx(0.6)
    assert [r.name for r in TV.instrument_rows(tags, threshold=0.1)] == ["guitar", "piano",
                                                                          "drums"]


def test_merged_tags_take_the_largest_probability():
    rows = TV.instrument_rows(_tags([{"beat": 0.1, "beats": 0.5}, {"beat": 0.3}]))
    assert [r.name for r in rows] == ["beat"]
    assert rows[0].tags == ("beat", "beats")
    assert np.allclose(rows[0].activity, [0.5, 0.3])


def test_no_tags_no_rows_and_no_curve():
    assert TV.instrument_rows(None) == []
    assert TV.voice_curve(None) is None
    msd = _tags([{"rock": 0.9}], names=("rock", "pop"))
    assert TV.instrument_rows(msd) == [] and TV.voice_curve(msd) is None
    assert TV.top_tags(None, [0]) == () and TV.top_tags(msd, []) == ()


def test_voice_curve_weighs_vocal_against_no_vocal_evidence():
    tags = _tags([{"vocal": 0.4, "singing": 0.2, "no vocal": 0.05},   # sung
                  {"vocal": 0.05, "no vocal": 0.04},                  # both weak: no voice
                  {"vocal": 0.15, "no voice": 0.05},                  # lead of the margin
                  {"vocal": 0.0, "no vocal": 0.6}])
    curve = TV.voice_curve(tags)
    assert np.allclose(curve, [1.0, 0.05, 0.5, 0.0])


def test_top_tags_and_their_text():
    tags = _tags([{"rock": 0.8, "pop": 0.2}, {"rock": 0.4, "pop": 0.6}], names=("rock", "pop"))
    top = TV.top_tags(tags, [0, 1], 3)
    assert [n for n, _ in top] == ["rock", "pop"]
    assert TV.tags_text(top) == "rock 60%, pop 40%"
    assert TV.tags_text(()) == ""


def test_every_listed_tag_is_one_the_shipped_tagger_has():
    import json

    from core.resources import resource_path

    prov = json.loads(resource_path("models", "musicnn.provenance.json").read_text("utf-8"))
    mtt = set(prov["models"]["mtt"]["labels"])
    listed = {t for tags in TV.INSTRUMENTS.values() for t in tags}
    assert listed | set(TV.VOCAL_TAGS) | set(TV.NO_VOCAL_TAGS) <= mtt


@pytest.fixture(scope="module")
def real_tags(demo_track, audio_dir):
    """MTT tags of the sung bluegrass demo and of an orchestral piece."""
    from core.analysis.pipeline import analyze

    sung = analyze(demo_track, settings=Settings(tags=True)).windows.tags["mtt"]
    orchestra = analyze(audio_dir / "brahms-hungarian_dance_5.ogg",
                        settings=Settings(tags=True)).windows.tags["mtt"]
    return sung, orchestra


def test_voice_and_instruments_of_real_recordings(real_tags):
    sung, orchestra = real_tags
    assert np.median(TV.voice_curve(sung)) > 0.8
    assert TV.voice_curve(orchestra).max() < 0.3
    assert "guitar" in [r.name for r in TV.instrument_rows(sung)]
    names = [r.name for r in TV.instrument_rows(orchestra)]
    assert {"violin", "strings"} <= set(names) and "drums" not in names
