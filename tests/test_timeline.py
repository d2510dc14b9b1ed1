"""Render timeline JSON: schema, rules, round trip, and a fuzzed reader."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings, strategies as st

from core.errors import FormatError
from core.render.timeline import (Region, Span, Timeline, load_timeline, save_timeline,
                           timeline_from_dict, timeline_to_dict)


def _timeline() -> Timeline:
    return Timeline((
        Span(0.0, "metered", 0, 120.0, ("grand_piano", "bass", "drum_kit"),
             (Region(0, "pop_indie_hopeful", "D", "major", 0.0),
              Region(1, "pop_indie_melancholic", "B", "minor", 16.0))),
        Span(20.0, "metered", 1, 90.0, ("strings",), (Region(2, "cinematic_orchestral_tense",
                                                             "C#", "minor", 0.0),)),
        Span(31.5, "unmetered", 2),
    ), {"mode": "multi", "seed": 3})


def test_round_trip_and_regions(tmp_path):
    tl = _timeline()
    save_timeline(tl, tmp_path / "t.json")
    assert load_timeline(tmp_path / "t.json") == tl
    views = tl.regions()
    assert [(v.start, v.end) for v in views] == [(0.0, 8.0), (8.0, 20.0), (20.0, 31.5)]
    assert tl.boundaries() == [0.0, 8.0, 20.0, 31.5]
    assert tl.duration == 31.5


def test_from_regions_gives_every_region_its_own_span_then_the_end():
    groups = [("grand_piano", "bass"), ("strings",)]
    tl = Timeline.from_regions((0.0, 20.0, 31.5),
                               descriptors=["pop_indie_hopeful", "cinematic_orchestral_tense"],
                               keys=[("D", "major"), ("C#", "minor")], tempi=[120.0, 90.0],
                               instrument_groups=groups, meta={"seed": 3})
    assert tl == Timeline((
        Span(0.0, "metered", 0, 120.0, groups[0],
             (Region(0, "pop_indie_hopeful", "D", "major", 0.0),)),
        Span(20.0, "metered", 1, 90.0, groups[1],
             (Region(1, "cinematic_orchestral_tense", "C#", "minor", 0.0),)),
        Span(31.5, "unmetered", 2),
    ), {"seed": 3})
    assert tl.boundaries() == [0.0, 20.0, 31.5]
    assert timeline_from_dict(timeline_to_dict(tl)) == tl
    with pytest.raises(ValueError, match="n \\+ 1 boundaries"):
        Timeline.from_regions((0.0, 20.0), descriptors=["a", "b"], keys=[("C", "major")] * 2,
                              tempi=[90.0] * 2, instrument_groups=[()] * 2)


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["timeline"]["spans"][-1].update(type="metered"), "$.timeline.spans[2]"),
    (lambda d: d["timeline"]["spans"][1].update(time=50.0), "$.timeline.spans[2].time"),
    (lambda d: d["timeline"]["spans"][0].update(time=1.0), "$.timeline.spans[0].time"),
    (lambda d: d["timeline"]["spans"][0]["actions"][1].update(cut_at=99.0),
     "$.timeline.spans[0].actions[1].cut_at"),
    (lambda d: d["timeline"]["spans"][0]["actions"][0]["key"].update(tonic="H"),
     "$.timeline.spans[0].actions[0].key.tonic"),
    (lambda d: d["timeline"]["spans"][1].pop("tempo"), "$.timeline.spans[1]"),
    (lambda d: d["timeline"]["spans"][1].update(actions=[]), "$.timeline.spans[1].actions"),
    (lambda d: d["timeline"]["spans"][2].update(id=0), "$.timeline.spans[2].id"),
    (lambda d: d.pop("timeline"), "$"),
])
def test_bad_documents_name_their_path(mutate, path):
    doc = timeline_to_dict(_timeline())
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(FormatError) as info:
        timeline_from_dict(bad)
    assert str(info.value).startswith(path), str(info.value)


def test_unreadable_files(tmp_path):
    (tmp_path / "a.json").write_text("{")
    with pytest.raises(FormatError, match="not valid JSON"):
        load_timeline(tmp_path / "a.json")
    with pytest.raises(FormatError, match="cannot read"):
        load_timeline(tmp_path / "missing.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | st.floats(allow_nan=False, width=32)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=5),
    max_leaves=25)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_fuzzed_documents_never_crash(doc):
    try:
        timeline_from_dict(doc)
    except FormatError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fuzzed_mutations_of_a_good_document(data):
    doc = timeline_to_dict(_timeline())
    spans = doc["timeline"]["spans"]
    i = data.draw(st.integers(0, len(spans) - 1))
    key = data.draw(st.sampled_from(["time", "type", "id", "tempo", "instrument_groups",
                                     "actions"]))
    spans[i][key] = data.draw(json_values)
    try:
        tl = timeline_from_dict(json.loads(json.dumps(doc)))
    except FormatError:
        return
    assert tl.duration > 0 and tl.spans[-1].type == "unmetered"
