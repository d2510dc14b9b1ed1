"""Planning render timelines from an analysis.

* **multi-region** ("stitched"): one metered span per form segment, at the segment's
  start, with that segment's descriptor, tempo and key; the region boundaries are the
  segment boundaries exactly; an unmetered span at the track's end.
* **single-region**: one span over the whole track for each combination of a
  top-ranked descriptor, a top tempo and a top key.

Each of the ``variants`` timelines gets its own seed, and its instrumentation is drawn
with that seed from the descriptor's instrument groups (drums always kept when the
descriptor has them, so the style's rhythm survives).  The planner takes descriptors
as input; until a classifier labels the analysis, :func:`suggest_descriptors` ranks
the dictionary by how well tempo, mode and activity fit.

A segment without a tempo (no pulse) is rendered at the middle of its descriptor's
tempo range (:func:`fit_tempo`); one without a key (``N``) in the track's key, or where
the track has none either, in C in the descriptor's mode family (C major or C minor:
no accidentals, the style's own colour) (:func:`fallback_key`).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Sequence

import numpy as np

from core.descriptors import Descriptor, Dictionary, load_dictionary
from core.analysis.reduce import SegmentRow, segment_table
from core.record import NO_KEY, Analysis
from core.render.theory import family
from core.render.timeline import Timeline

__all__ = ["instrumentation", "fit_tempo", "fallback_key", "suggest_descriptors",
           "segment_descriptor", "plan_multi", "plan_single", "DRUM_GROUPS"]

DRUM_GROUPS = frozenset({"drum_kit", "electronic_drums", "orchestral_percussion"})


def instrumentation(descriptor: Descriptor, *, seed: int) -> tuple[str, ...]:
    """Draw the instrument groups of one variant from the descriptor's groups."""
    groups = list(descriptor.tags.instrument_groups)
    drums = [g for g in groups if g in DRUM_GROUPS]
    others = [g for g in groups if g not in DRUM_GROUPS]
    rng = np.random.default_rng(seed)
    low = min(len(others), max(2, len(others) - 2))
    k = int(rng.integers(low, len(others) + 1)) if others else 0
    chosen = set(rng.choice(others, size=k, replace=False).tolist()) if k else set()
    return tuple(g for g in groups if g in chosen or g in drums)


def fit_tempo(bpm: float, descriptor: Descriptor) -> float:
    """The analysed tempo at the metrical level the descriptor plays: ``bpm`` times the
    power of two (1/4 .. 4) nearest to the descriptor's range (inside it when one is),
    the smallest move on a tie.  A tempo no octave brings into the range stays as close
    to it as an octave can: the render keeps the original's beat grid (every beat of one
    falls on a beat of the other) rather than a tempo of the style's own."""
    lo, hi = descriptor.tags.tempo_min, descriptor.tags.tempo_max
    if bpm <= 0 or not np.isfinite(bpm):
        return float((lo + hi) / 2)

    def miss(f: float) -> float:  # octaves outside the range
        t = bpm * f
        return max(np.log2(lo / t), np.log2(t / hi), 0.0)

    best = min((1.0, 2.0, 0.5, 4.0, 0.25), key=lambda f: (round(miss(f), 9), abs(np.log2(f))))
    return float(bpm * best)


def fallback_key(analysis: Analysis, descriptor: Descriptor) -> tuple[str, str]:
    """The ``(tonic, mode)`` of a span the analysis found no key in: the track's key, or
    without one C in the descriptor's mode family (``family(tags.mode)``)."""
    g = analysis.globals
    if g.key != NO_KEY:
        return g.tonic, g.mode
    return "C", family(descriptor.tags.mode)


def _activity(analysis: Analysis) -> float:
    """0..4 activity from the window onset rate (onsets per second)."""
    w = analysis.windows
    rate = float(np.median([f[w.feature_names.index("onset_rate")] for f in w.features]))
    return float(np.clip(rate / 1.5, 0.0, 4.0))


def suggest_descriptors(analysis: Analysis, *, n: int = 3,
                        dictionary: Dictionary | None = None) -> list[str]:
    """Rank active descriptors by fit to the analysis (tempo, mode, activity)."""
    dictionary = dictionary or load_dictionary()
    bpm, minor = analysis.globals.tempo, analysis.globals.mode == "minor"
    activity = _activity(analysis)
    scored = []
    for d in dictionary.active():
        t = d.tags
        tempo_ok = any(t.tempo_min <= bpm * f <= t.tempo_max for f in (1.0, 2.0, 0.5))
        mode_ok = (family(t.mode) == "minor") == minor
        score = 2.0 * tempo_ok + 1.5 * mode_ok - abs(d.momentum - activity)
        scored.append((-score, d.id, d.name))
    return [name for _, _, name in sorted(scored)[:n]]


def segment_descriptor(row: SegmentRow, dictionary: Dictionary) -> str | None:
    """The descriptor a segment is rendered as: of its majority descriptor, its nearest
    majority (where the majority is ``UNK``) and its windows' nearest descriptors (most
    frequent first), the first that agrees with most of the segment's majority labels
    (:meth:`~core.analysis.reduce.SegmentRow.heard`); None when the analysis has no labels.

    The descriptor named by the majority genre, subgenre and mood usually agrees with
    all six; where the sentiment, valence or momentum majority disagrees with that mood's
    (the windows split between moods), a descriptor some window was heard as that agrees
    with more of them is rendered instead.  The tempo follows the descriptor
    (:func:`fit_tempo`), not the other way round: the render plays the style the
    segment was heard as.
    """
    names = [n for n in dict.fromkeys((row.descriptor, row.nearest_descriptor, *row.candidates))
             if n in dictionary]
    if not names:
        return None
    heard = row.heard()
    labels = {n: dictionary.by_name(n).labels() for n in names}
    return max(names, key=lambda n: sum(labels[n].get(t) == v for t, v in heard.items()))


def _meta(analysis: Analysis, mode: str, variant: int, seed: int) -> dict:
    return {"mode": mode, "variant": variant, "seed": seed,
            "title": f"{Path(analysis.track.path).stem} ({mode}-region render {variant + 1})",
            "source": analysis.track.path, "source_sha256": analysis.track.sha256}


def plan_multi(analysis: Analysis, *, descriptors: Sequence[str] | None = None,
               variants: int = 10, seed: int = 0,
               dictionary: Dictionary | None = None) -> list[Timeline]:
    """One timeline per variant, one region per form segment.

    Parameters
    ----------
    descriptors : sequence of str, optional
        A descriptor per segment; default: :func:`segment_descriptor` of every segment,
        or (no model) the best :func:`suggest_descriptors`.
    """
    dictionary = dictionary or load_dictionary()
    rows = segment_table(analysis)
    if descriptors is None:
        fallback = suggest_descriptors(analysis, n=1, dictionary=dictionary)[0]
        descriptors = [segment_descriptor(r, dictionary) or fallback for r in rows]
    if len(descriptors) != len(rows):
        raise ValueError(f"{len(descriptors)} descriptors for {len(rows)} segments")
    descs = [dictionary.by_name(name) for name in descriptors]
    segments = analysis.segments
    bounds = [seg.start for seg in segments] + [analysis.duration]
    keys = [(seg.tonic, seg.mode) if seg.key != NO_KEY else fallback_key(analysis, d)
            for seg, d in zip(segments, descs)]
    tempi = [fit_tempo(seg.tempo, d) for seg, d in zip(segments, descs)]
    names = [d.name for d in descs]
    timelines = []
    for v in range(variants):
        s = seed + v
        groups = [instrumentation(d, seed=s * 100 + i) for i, d in enumerate(descs)]
        timelines.append(Timeline.from_regions(bounds, descriptors=names, keys=keys,
                                               tempi=tempi, instrument_groups=groups,
                                               meta=_meta(analysis, "multi", v, s)))
    return timelines


def plan_single(analysis: Analysis, *, descriptors: Sequence[str] | None = None,
                variants: int = 10, seed: int = 0, top_tempi: int = 2, top_keys: int = 2,
                dictionary: Dictionary | None = None) -> list[Timeline]:
    """Whole-track timelines cycling through descriptor x tempo x key combinations."""
    dictionary = dictionary or load_dictionary()
    names = list(descriptors or suggest_descriptors(analysis, n=3, dictionary=dictionary))
    g = analysis.globals
    tempi = [b for b, _ in g.tempo_candidates[:top_tempi]] or [g.tempo]
    keys = [k for k, _ in g.key_candidates[:top_keys]] or [g.key]  # [NO_KEY]: fallback_key
    combos = list(itertools.product(names, tempi, keys))
    timelines = []
    for v in range(variants):
        name, bpm, key = combos[v % len(combos)]
        d = dictionary.by_name(name)
        tonic, mode = key.split(":") if key != NO_KEY else fallback_key(analysis, d)
        s = seed + v
        timelines.append(Timeline.from_regions(
            (0.0, analysis.duration), descriptors=[d.name], keys=[(tonic, mode)],
            tempi=[fit_tempo(bpm, d)], instrument_groups=[instrumentation(d, seed=s * 100)],
            meta=_meta(analysis, "single", v, s)))
    return timelines
