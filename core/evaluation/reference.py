"""Scoring estimates against references with the MIR community's own metrics.

* boundaries: ``mir_eval.segment.detection`` hit-rate F at 0.5 s and 3 s, trimmed
  (first and last boundary ignored) and untrimmed;
* tempo: ACC1 (within 4 %) and ACC2 (also at 2x, 3x, 1/2, 1/3);
* key: the MIREX weighted score (``mir_eval.key.weighted_score``);
* chords: ``mir_eval.chord``'s duration-weighted root and majmin accuracies
  (:func:`chord_scores`).

An *estimate* or *reference* is read from a Twintrack analysis JSON, a JAMS file, or
a JSON object shaped like an item of ``shared/data/dev/index.json``
(``{audio, segments, boundaries, tempo, key}``), or a whole index
(``{"items": [...]}``, matched by audio file name).

No tempo and no key are answers, not gaps: a tempo of 0 (an analysis without a pulse, or
a JAMS ``tempo`` annotation without observations) scores ACC1/ACC2 1 against a
reference without tempo and 0 against one with a tempo (and the other way round); key
``N`` is scored by ``mir_eval`` as ``X`` (1 against ``N``, 0 against a key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from core.errors import FormatError

__all__ = ["Annotations", "read_annotations", "score", "tempo_accuracy", "key_score",
           "boundary_scores", "chord_scores"]


@dataclass(frozen=True)
class Annotations:
    """What a file says about a track (any part may be missing)."""

    name: str
    boundaries: tuple[float, ...] | None = None
    tempo: float | None = None  # 0.0: no tempo (no pulse)
    key: str | None = None  # "C:major" form, "N" for no key


def _key_text(key: str | None) -> str | None:
    """Normalise 'C:major' / 'C major' / 'c minor' / 'F# minor' to 'C:major' form."""
    if not key:
        return None
    from core.analysis.key import parse_key

    return parse_key(key).key_mode()


def _from_jams(path: Path) -> Annotations:
    import jams

    try:
        jam = jams.load(str(path), validate=False)
    except Exception as exc:  # jams raises many types for a bad file
        raise FormatError(f"{path.name}: not a readable JAMS file ({exc})") from None
    bounds = tempo = key = None
    seg = jam.search(namespace="segment_open|segment_salami_function|segment_.*")
    if len(seg):
        ivals, _ = seg[0].to_interval_values()
        if len(ivals):
            bounds = tuple(sorted({float(v) for iv in ivals for v in iv}))
    tm = jam.search(namespace="tempo")
    if len(tm) and len(tm[0].data):
        tempo = float(max(tm[0].data, key=lambda o: o.confidence or 0).value)
    elif len(tm):
        tempo = 0.0  # annotated, without an observation: no tempo
    km = jam.search(namespace="key_mode")
    if len(km) and len(km[0].data):
        key = _key_text(str(km[0].data[0].value))
    return Annotations(path.stem, bounds, tempo, key)


def _from_item(item: dict[str, Any], name: str) -> Annotations:
    bounds = item.get("boundaries")
    if bounds is None and item.get("segments"):
        bounds = sorted({float(v) for s in item["segments"] for v in (s["start"], s["end"])})
    return Annotations(name, tuple(float(b) for b in bounds) if bounds else None,
                       float(item["tempo"]) if item.get("tempo") else None,
                       _key_text(item.get("key")))


def _from_analysis(doc: dict[str, Any], name: str) -> Annotations:
    from core.record import analysis_from_dict

    a = analysis_from_dict(doc)
    bounds = [s.start for s in a.segments] + [a.segments[-1].end]
    return Annotations(name, tuple(bounds), a.globals.tempo, a.globals.key)


def read_annotations(path: str | Path, *, match: str | None = None) -> Annotations:
    """Read annotations from a JAMS, analysis JSON or dev-index JSON file.

    Parameters
    ----------
    match : str, optional
        For a whole index: the audio file stem to pick the item of.
    """
    path = Path(path)
    if path.suffix.lower() == ".jams":
        return _from_jams(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path.name}: cannot read JSON ({exc})") from None
    if isinstance(doc, dict) and doc.get("schema", "").startswith("twintrack.analysis"):
        return _from_analysis(doc, Path(doc["track"]["path"]).stem)
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        for item in doc["items"]:
            if match and Path(item.get("audio", "")).stem == match:
                return _from_item(item, match)
        raise FormatError(f"{path.name}: no item for {match!r} in the index")
    if isinstance(doc, dict) and {"boundaries", "segments", "tempo", "key"} & doc.keys():
        return _from_item(doc, Path(doc.get("audio", path.stem)).stem)
    raise FormatError(f"{path.name}: not an analysis, JAMS or reference-item document")


def tempo_accuracy(estimate: float, reference: float, *, tol: float = 0.04) -> tuple[bool, bool]:
    """(ACC1, ACC2) of one tempo estimate."""
    acc1 = abs(estimate - reference) <= tol * reference
    acc2 = any(abs(estimate - f * reference) <= tol * f * reference
               for f in (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0))
    return acc1, acc2


def key_score(estimate: str, reference: str) -> float:
    """MIREX weighted key score; keys in 'C:major' form, or 'N' for no key."""
    import mir_eval

    def text(key: str) -> str:
        return "X" if key == "N" else key.replace(":", " ")

    return float(mir_eval.key.weighted_score(text(reference), text(estimate)))


def _intervals(bounds: tuple[float, ...]) -> np.ndarray:
    b = np.asarray(bounds, dtype=float)
    return np.column_stack([b[:-1], b[1:]])


def boundary_scores(estimate: tuple[float, ...], reference: tuple[float, ...]) -> dict[str, float]:
    """Hit-rate F at 0.5 s and 3 s, trimmed and untrimmed."""
    import mir_eval

    ref, est = _intervals(reference), _intervals(estimate)
    out = {}
    for window in (0.5, 3.0):
        for trim in (True, False):
            _, _, f = mir_eval.segment.detection(ref, est, window=window, trim=trim)
            out[f"F@{window:g}{'' if trim else ' untrimmed'}"] = float(f)
    return out


def chord_scores(estimate: Sequence[tuple[float, float, str]],
                 reference: Sequence[tuple[float, float, str]]) -> dict[str, float]:
    """Duration-weighted chord accuracies of ``estimate`` against ``reference``.

    Parameters
    ----------
    estimate, reference : sequence of (start, end, label)
        Chord intervals in seconds with mir_eval chord labels (``'C:maj'``, ``'N'``).
        The estimate is cut or padded with ``N`` to the reference's span.

    Returns
    -------
    dict
        ``{"root": ..., "majmin": ...}`` in [0, 1] (``mir_eval.chord.root`` and
        ``mir_eval.chord.majmin``, weighted by duration; ``majmin`` leaves out reference
        chords outside major, minor and N).
    """
    import mir_eval

    if not reference:
        raise ValueError("the reference has no chords")
    ref_int = np.array([[s, e] for s, e, _ in reference], dtype=float)
    est_int = np.array([[s, e] for s, e, _ in estimate], dtype=float).reshape(-1, 2)
    est_int, est_lab = mir_eval.util.adjust_intervals(
        est_int, [lab for *_, lab in estimate], ref_int.min(), ref_int.max(), "N", "N")
    merged, ref_lab, est_lab = mir_eval.util.merge_labeled_intervals(
        ref_int, [lab for *_, lab in reference], est_int, est_lab)
    durations = mir_eval.util.intervals_to_durations(merged)
    return {name: float(mir_eval.chord.weighted_accuracy(
        getattr(mir_eval.chord, name)(ref_lab, est_lab), durations))
        for name in ("root", "majmin")}


def score(estimate: Annotations, reference: Annotations) -> dict[str, float]:
    """Every metric both sides allow, as a flat name -> value dict."""
    out: dict[str, float] = {}
    if estimate.boundaries and reference.boundaries and len(reference.boundaries) > 1:
        out.update(boundary_scores(estimate.boundaries, reference.boundaries))
    if estimate.tempo is not None and reference.tempo is not None:
        acc1, acc2 = tempo_accuracy(estimate.tempo, reference.tempo)
        out["tempo ACC1"], out["tempo ACC2"] = float(acc1), float(acc2)
    if estimate.key and reference.key:
        out["key weighted"] = key_score(estimate.key, reference.key)
    return out


# ----------------------------------------------------------------------------- render round trip
@dataclass(frozen=True)
class RegionScore:
    """How the analysis of a render agrees with one region of its timeline."""

    index: int
    descriptor: str
    tempo_asked: float
    tempo_found: float
    key_asked: str
    key_found: str
    tempo_acc1: bool
    key_score: float


def score_render(timeline, analysis) -> tuple[list[RegionScore], dict[str, float]]:
    """Compare the analysis of a render with the timeline it was rendered from.

    Per region: the median tempo and the majority key of the analysis windows that lie
    inside the region (or, for a region shorter than a window, the windows overlapping
    it most), against the region's tempo and key.  Overall: boundary F at 1 s (and 3 s)
    of the analysed segments against the region changes.

    Parameters
    ----------
    timeline : core.render.timeline.Timeline
    analysis : core.record.Analysis
        The analysis of the rendered audio.
    """
    from core.analysis.reduce import majority

    w = analysis.windows
    starts, ends = np.asarray(w.start), np.asarray(w.end)
    scores = []
    for i, view in enumerate(timeline.regions()):
        inside = np.flatnonzero((starts >= view.start - 1e-6) & (ends <= view.end + 1e-6))
        if not len(inside):
            overlap = np.minimum(ends, view.end) - np.maximum(starts, view.start)
            inside = np.flatnonzero(overlap >= overlap.max() - 1e-6)
        bpm = float(np.median(np.asarray(w.tempo)[inside]))
        key = majority([w.key(j) for j in inside])
        scores.append(RegionScore(i, view.region.descriptor, view.tempo, bpm, view.region.key,
                                  key, tempo_accuracy(bpm, view.tempo)[0],
                                  key_score(key, view.region.key)))
    est = tuple([s.start for s in analysis.segments] + [analysis.duration])
    ref = tuple(timeline.boundaries())
    import mir_eval

    overall = {}
    for window in (1.0, 3.0):
        _, _, f = mir_eval.segment.detection(_intervals(ref), _intervals(est), window=window,
                                             trim=True)
        overall[f"F@{window:g}"] = float(f)
    return scores, overall
