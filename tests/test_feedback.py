"""The feedback loop's scoring (core.evaluation.feedback) and the labels it reads, without audio."""

from __future__ import annotations

import json

import pytest

from core.evaluation.feedback import compare_multi, compare_single, summarise, write_report
from core.analysis.reduce import segment_table
from core.record import TARGETS
from core.render.planning import plan_multi
from core.render.timeline import Timeline

D1 = ("pop", "indie", "hopeful", "positive", "2", "2")
D2 = ("rock", "indie", "driving", "positive", "1", "3")
UNKS = ("UNK",) * 6


def _labelled(analysis, strict, nearest):
    """``analysis`` with per-window strict and nearest label paths (one tuple a window)."""
    labels = {t: tuple(p[i] for p in strict) for i, t in enumerate(TARGETS)}
    near = {t: tuple(p[i] for p in nearest) for i, t in enumerate(TARGETS)}
    probs = {t: tuple(0.0 if v == "UNK" else 0.8 for v in labels[t]) for t in TARGETS}
    nov = tuple(2.0 if p[0] == "UNK" else 0.5 for p in strict)
    return analysis.with_labels(labels, probs, "m", nearest=near, novelty=nov)


def _timeline(names, bounds=(0.0, 12.5, 21.0, 30.0)):
    n = len(names)
    return Timeline.from_regions(bounds, descriptors=names, keys=[("C", "major")] * n,
                                 tempi=[120.0] * n, instrument_groups=[()] * n)


def test_segment_table_keeps_the_nearest_path_and_the_unk_share(small_analysis):
    a = _labelled(small_analysis, [UNKS, D2, UNKS], [D1, D2, D1])
    rows = segment_table(a)
    assert [r.descriptor for r in rows] == ["UNK", "rock_indie_driving", "UNK"]
    assert [r.nearest_descriptor for r in rows] == ["pop_indie_hopeful", "rock_indie_driving",
                                                    "pop_indie_hopeful"]
    assert [r.unk_share for r in rows] == [1.0, 0.0, 1.0]
    assert a.windows.novelty == (2.0, 0.5, 2.0)


def test_the_planner_asks_for_the_nearest_descriptor_where_the_original_is_unk(small_analysis):
    a = _labelled(small_analysis, [UNKS, D2, UNKS], [D1, D2, D1])
    (tl,) = plan_multi(a, variants=1)
    assert [v.region.descriptor for v in tl.regions()] == [
        "pop_indie_hopeful", "rock_indie_driving", "pop_indie_hopeful"]


def test_multi_region_scores_nearest_labels_and_keeps_the_strict_ones(small_analysis, tmp_path):
    original = _labelled(small_analysis, [UNKS, D2, UNKS], [D1, D2, D1])
    tl = _timeline(["pop_indie_hopeful", "rock_indie_driving", "pop_indie_hopeful"])
    # The render is heard as asked in its first two regions, as rock in the last.
    render = _labelled(small_analysis, [D1, D2, D2], [D1, D2, D2])
    r = compare_multi("r.wav", tl, render, original)
    assert r.targets["genre"] == pytest.approx(2 / 3)     # pop, rock | pop vs rock
    assert r.targets["subgenre"] == 1.0                    # indie everywhere
    assert r.strict["genre"] == pytest.approx(1 / 3)      # the original's UNK never agrees
    assert r.unk == {"original": pytest.approx(2 / 3), "render": 0.0}
    assert r.details[2]["genre"] == ("pop", "rock")
    c = summarise("t", [r, r])
    assert c.targets["genre"] == pytest.approx(2 / 3) and c.strict["genre"] == pytest.approx(1 / 3)
    files = write_report(c, tmp_path, json_path=tmp_path / "c.json")
    assert all(f.exists() for f in files)
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["targets"]["genre"] == pytest.approx(2 / 3)
    assert doc["strict"]["genre"] == pytest.approx(1 / 3)
    text = (tmp_path / "compare.txt").read_text()
    assert "UNK counted as wrong" in text and "UNK windows: original 0.67" in text


def _one_segment(analysis, n):
    """``analysis`` with ``n`` windows over one 30 s segment."""
    from dataclasses import replace

    from core.record import Segment

    starts = tuple(30.0 * i / n for i in range(n))
    w = analysis.windows
    windows = replace(w, start=starts, end=tuple(s + 30.0 / n for s in starts),
                      features=(w.features[0],) * n, tempo=(120.0,) * n,
                      tempo_confidence=(0.9,) * n, tonic=("C",) * n, mode=("major",) * n,
                      key_confidence=(0.8,) * n)
    return replace(analysis, windows=windows,
                   segments=(Segment(0.0, 30.0, "A", 120.0, "C", "major"),))


def test_a_real_majority_is_scored_as_the_planner_renders_it(small_analysis):
    """Pop is the segment's majority (3 of 7 windows; rock 2, UNK 2), though the UNK
    windows' nearest guesses (rock) would outvote it: the planner asks for pop, so the
    render is scored against pop."""
    one = _one_segment(small_analysis, 7)
    original = _labelled(one, [D1] * 3 + [D2] * 2 + [UNKS] * 2, [D1] * 3 + [D2] * 4)
    (tl,) = plan_multi(original, variants=1)
    assert [v.region.descriptor for v in tl.regions()] == ["pop_indie_hopeful"]
    heard = _labelled(one, [D1] * 7, [D1] * 7)
    r = compare_multi("r.wav", tl, heard, original)
    assert r.targets["genre"] == r.strict["genre"] == 1.0
    assert r.details[0]["genre"] == ("pop", "pop")


def test_the_planner_renders_the_descriptor_that_agrees_with_most_majorities(small_analysis):
    """Driving wins the mood vote among indie windows (2 of 3), but the sentiment,
    valence and momentum majorities (negative, 0, 1: 3 of 5 windows) are not driving's
    (neutral, 1, 3).  Indie melancholic, which one window was heard as, agrees with
    five of the six majorities; driving with three."""
    from core.descriptors import load_dictionary

    d = load_dictionary()
    paths = [tuple(d.by_name(n).labels().values()) for n in
             ("rock_indie_driving", "rock_indie_driving", "rock_indie_melancholic",
              "rock_hard_brooding", "rock_hard_brooding")]
    original = _labelled(_one_segment(small_analysis, 5), paths, paths)
    (row,) = segment_table(original)
    assert row.descriptor == "rock_indie_driving"
    assert row.heard() == {"genre": "rock", "subgenre": "indie", "mood": "driving",
                           "sentiment": "negative", "valence": "0", "momentum": "1"}
    (tl,) = plan_multi(original, variants=1)
    assert [v.region.descriptor for v in tl.regions()] == ["rock_indie_melancholic"]


def test_a_region_without_a_window_of_its_own_is_not_scored(small_analysis, tmp_path):
    """A 1 s region at the start holds no window centre: its labels would be those of the
    window that covers the next region, so it is listed but not scored."""
    original = _labelled(small_analysis, [D1, D2, D1], [D1, D2, D1])
    render = _labelled(small_analysis, [D2, D2, D1], [D2, D2, D1])
    names = ["pop_indie_hopeful", "rock_indie_driving", "pop_indie_hopeful"]
    plain = compare_multi("r.wav", _timeline(names), render, original)
    short = compare_multi("r.wav", _timeline(["pop_indie_hopeful"] + names,
                                             (0.0, 1.0, 12.5, 21.0, 30.0)), render, original)
    assert plain.targets["genre"] == pytest.approx(2 / 3)
    assert short.targets == plain.targets and short.strict == plain.strict
    assert [d["scored"] for d in short.details] == [False, True, True, True]
    assert short.details[0]["genre"] == ("pop", "rock")  # what it would have scored
    text = (write_report(summarise("t", [short]), tmp_path)[0]).read_text()
    assert "not scored: 1 of 4" in text


def test_single_region_accuracy_against_the_asked_descriptor(small_analysis):
    tl = Timeline.from_regions((0.0, 30.0), descriptors=["pop_indie_hopeful"],
                               keys=[("C", "major")], tempi=[120.0], instrument_groups=[()])
    render = _labelled(small_analysis, [D1, UNKS, D2], [D1, D1, D2])
    r = compare_single("s.wav", tl, render)
    assert r.targets["genre"] == pytest.approx(2 / 3) and r.strict["genre"] == pytest.approx(1 / 3)
    assert r.targets["mood"] == pytest.approx(2 / 3)
    assert r.unk == {"render": pytest.approx(1 / 3)}


def test_an_analysis_without_nearest_labels_scores_its_strict_ones(small_analysis):
    """Analyses saved before ``nearest`` existed still compare (strict labels)."""
    labels = {t: tuple(p[i] for p in (D1, D2, D1)) for i, t in enumerate(TARGETS)}
    old = small_analysis.with_labels(labels, {}, "m")
    tl = _timeline(["pop_indie_hopeful", "rock_indie_driving", "pop_indie_hopeful"])
    r = compare_multi("r.wav", tl, old, old)
    assert r.targets == r.strict and set(r.targets.values()) == {1.0}


def test_segment_majority_is_a_consistent_path(small_analysis):
    """Independent majorities would give pop + (rock's) indie... here: a path a window has."""
    from core.analysis.reduce import path_majority

    labels = {"genre": ("pop", "rock", "rock", "pop", "pop"),
              "subgenre": ("indie", "indie", "indie", "upbeat", "upbeat"),
              "mood": ("hopeful", "driving", "driving", "playful", "anthemic")}
    got = path_majority(labels, [0, 1, 2, 3, 4])
    # genre: pop (3 of 5); among pop windows subgenre upbeat (2 of 3); then its mood.
    assert got == {"genre": "pop", "subgenre": "upbeat", "mood": "playful"}
    assert path_majority(labels, []) == {"genre": "", "subgenre": "", "mood": ""}


def test_the_planner_renders_the_style_the_segment_was_heard_as(small_analysis):
    """A 200 BPM segment heard as a 71-77 BPM ballad is rendered as that ballad (not as
    another descriptor whose range holds the tempo), at the octave of 200 BPM nearest its
    range (100 BPM: every beat of the render falls on a beat of the original)."""
    from dataclasses import replace

    from core.descriptors import load_dictionary
    from core.render.planning import fit_tempo, segment_descriptor

    d = load_dictionary()
    ballad = ("pop", "ballad", "hopeful", "positive", "2", "1")
    rows = segment_table(_labelled(small_analysis, [ballad, D1, D1], [ballad, D1, D1]))
    row = replace(rows[0], tempo=200.0, descriptor="pop_ballad_hopeful",
                  nearest_descriptor="pop_ballad_hopeful",
                  candidates=("pop_indie_hopeful", "pop_ballad_hopeful"))
    assert segment_descriptor(row, d) == "pop_ballad_hopeful"
    tags = d.by_name("pop_ballad_hopeful").tags
    assert (tags.tempo_min, tags.tempo_max) == (71, 77)
    assert fit_tempo(200.0, d.by_name("pop_ballad_hopeful")) == 100.0
    # UNK: the nearest majority, then the windows' most frequent nearest descriptor.
    unk = replace(row, descriptor="UNK", targets={t: "UNK" for t in TARGETS})
    assert segment_descriptor(unk, d) == "pop_ballad_hopeful"
    nothing = replace(unk, nearest_descriptor="", nearest={})
    assert segment_descriptor(nothing, d) == "pop_indie_hopeful"
    assert segment_descriptor(replace(nothing, candidates=()), d) is None
