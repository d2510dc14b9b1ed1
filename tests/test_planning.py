"""Planning render timelines from an analysis: regions at segment times, variants, seeds."""

from __future__ import annotations

import pytest

from core.descriptors import load_dictionary
from core.render.planning import (fit_tempo, instrumentation, plan_multi, plan_single,
                                  suggest_descriptors)
from core.render.timeline import timeline_from_dict, timeline_to_dict


def test_multi_region_follows_the_segments(small_analysis):
    names = ["pop_indie_hopeful", "pop_indie_melancholic", "pop_indie_hopeful"]
    timelines = plan_multi(small_analysis, descriptors=names, variants=4, seed=7)
    assert len(timelines) == 4
    for tl in timelines:
        assert tl.boundaries() == [0.0, 12.5, 21.0, 30.0]
        assert [r.region.descriptor for r in tl.regions()] == names
        assert [r.region.key for r in tl.regions()] == ["C:major", "A:minor", "C:major"]
        assert timeline_from_dict(timeline_to_dict(tl)) == tl  # valid by the schema
        assert tl.meta["mode"] == "multi"
    seeds = {tl.meta["seed"] for tl in timelines}
    assert len(seeds) == 4
    groups = {tuple(s.instrument_groups) for tl in timelines for s in tl.spans[:1]}
    assert len(groups) > 1  # instrumentation varies between variants


def test_multi_region_without_labels_uses_suggestions(small_analysis):
    tl = plan_multi(small_analysis, variants=1)[0]
    d = load_dictionary()
    assert all(r.region.descriptor in d for r in tl.regions())


def test_wrong_descriptor_count_is_refused(small_analysis):
    with pytest.raises(ValueError):
        plan_multi(small_analysis, descriptors=["pop_indie_hopeful"], variants=1)


def test_single_region_cycles_combinations(small_analysis):
    names = ["pop_indie_hopeful", "rock_indie_driving"]
    timelines = plan_single(small_analysis, descriptors=names, variants=10, top_tempi=2, top_keys=2)
    d = load_dictionary()
    tempi = [b for b, _ in small_analysis.globals.tempo_candidates[:2]]
    keys = [k for k, _ in small_analysis.globals.key_candidates[:2]]
    expected = [(n, t, k) for n in names for t in tempi for k in keys]
    for v, tl in enumerate(timelines):
        (view,) = tl.regions()
        name, bpm, key = expected[v % len(expected)]  # ranked combinations, then again
        assert view.region.descriptor == name and view.region.key == key
        assert view.tempo == fit_tempo(bpm, d.by_name(name))
        assert tl.duration == 30.0 and tl.meta["seed"] == v


@pytest.mark.parametrize("seed", range(5))
def test_instrumentation_keeps_drums_and_draws_from_the_descriptor(seed):
    d = load_dictionary()
    for desc in list(d.active())[::17]:
        groups = instrumentation(desc, seed=seed)
        assert set(groups) <= set(desc.tags.instrument_groups)
        assert set(desc.tags.drum_groups) <= set(groups)
        assert len(groups) >= min(2, len(desc.tags.instrument_groups))
        assert instrumentation(desc, seed=seed) == groups


def test_tempo_fitting_moves_by_octaves_only():
    d = load_dictionary().by_name("electronica_house_euphoric")  # 124-128 BPM
    assert fit_tempo(63.0, d) == pytest.approx(126.0)
    assert fit_tempo(126.0, d) == 126.0
    assert fit_tempo(31.5, d) == pytest.approx(126.0)
    # No octave lands in range: the octave nearest to it (in octaves), the smallest move
    # on a tie; the track's own tempo when that is nearest.
    assert fit_tempo(97.0, d) == 97.0
    assert fit_tempo(170.0, d) == 170.0
    assert fit_tempo(180.0, d) == 90.0
    assert fit_tempo(0.0, d) == 126.0


def test_suggestions_are_active_and_ranked(small_analysis):
    names = suggest_descriptors(small_analysis, n=5)
    d = load_dictionary()
    assert len(names) == 5 and all(d.by_name(n).active for n in names)


def _without_tempo_and_key(analysis, *, keep_global_key: bool):
    """``analysis`` whose segment B (and the track) has no tempo and segment B no key."""
    from dataclasses import replace

    segments = list(analysis.segments)
    segments[1] = replace(segments[1], tempo=0.0, tonic="N", mode="N")
    g = replace(analysis.globals, tempo=0.0, tempo_confidence=0.0, tempo_candidates=())
    if not keep_global_key:
        g = replace(g, tonic="N", mode="N", key_confidence=0.0, key_candidates=())
    return replace(analysis, segments=tuple(segments), globals=g)


@pytest.mark.parametrize("keep_global_key", [True, False])
def test_segments_without_tempo_or_key_still_render(small_analysis, keep_global_key):
    """No tempo: the middle of the descriptor's range; no key: the track's, else C in the
    descriptor's mode family."""
    from core.render.theory import family

    analysis = _without_tempo_and_key(small_analysis, keep_global_key=keep_global_key)
    names = ["pop_indie_hopeful", "pop_indie_melancholic", "pop_indie_hopeful"]
    (tl,) = plan_multi(analysis, descriptors=names, variants=1)
    view = tl.regions()[1]
    tags = load_dictionary().by_name(names[1]).tags
    assert view.tempo == (tags.tempo_min + tags.tempo_max) / 2
    expected = "C:major" if keep_global_key else f"C:{family(tags.mode)}"
    assert view.region.key == expected
    assert timeline_from_dict(timeline_to_dict(tl)) == tl
    for single in plan_single(analysis, descriptors=names[1:2], variants=2):
        (only,) = single.regions()
        assert only.tempo == (tags.tempo_min + tags.tempo_max) / 2
        assert only.region.key in ([k for k, _ in analysis.globals.key_candidates]
                                   or [expected])
