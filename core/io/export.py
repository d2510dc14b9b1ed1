"""Exports of an :class:`~core.record.Analysis` to the formats music people use.

* JAMS (validated with the ``jams`` package before it is written): ``segment_open``
  with the form letters, ``tempo`` (global, and per window), ``key_mode`` (global and
  per segment), ``beat``, ``tag_open`` with the descriptor of every window once a
  classifier has labelled them, one ``tag_open`` per real-music tagger when the
  analysis has tags (each window's :data:`TOP_TAGS` most probable tags, the probability as
  confidence, the tagger named in ``annotation_tools``), and ``chord`` (a run of beats
  per chord, :mod:`core.analysis.chords` named in ``annotation_tools``) when the
  analysis has chords;
* the analysis JSON itself;
* the majority-rules segment table as CSV (with the top real-music tags of each segment
  per tagger when the analysis has tags);
* an Audacity label track (``start<TAB>end<TAB>label``), and one of the chords
  (``chords``: a label per chord run; empty for an analysis without chords);
* a Sonic Visualiser region layer CSV (``time,value,duration,label``).

No tempo and no key (:data:`~core.record.NO_TEMPO`, :data:`~core.record.NO_KEY`) are
written as JAMS ``key_mode`` ``N`` and no ``tempo`` observation, and as the words
"no tempo" and "no key" in the text formats.

Every writer builds the whole content first and writes it atomically.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Callable

from core import __version__
from core.io.atomic import atomic_write_text
from core.analysis.reduce import SegmentRow, segment_table, segment_windows
from core.record import NO_KEY, TARGETS, Analysis, dumps

__all__ = ["to_jams", "write_jams", "write_json", "write_csv", "write_audacity",
           "write_svcsv", "write_chords", "WRITERS", "write_formats", "TOP_TAGS"]

#: Real-music tags per window in JAMS, and per segment in the CSV.
TOP_TAGS = 5


def _annotation(namespace: str, analysis: Analysis, rules: str, *, tool: str | None = None):
    import jams

    ann = jams.Annotation(namespace=namespace, time=0.0, duration=analysis.duration)
    ann.annotation_metadata = jams.AnnotationMetadata(
        corpus="", version=__version__, annotation_rules=rules,
        annotation_tools=f"Twintrack {__version__}" + (f", {tool}" if tool else ""),
        data_source="automatic analysis")
    return ann


def _tag_annotations(analysis: Analysis) -> list:
    """One ``tag_open`` annotation per real-music tagger: per window, its most probable
    tags with their probabilities as confidences."""
    w = analysis.windows
    out = []
    for key, tags in w.tags.items():
        ann = _annotation("tag_open", analysis, f"real-music tags ({key}) per analysis window: "
                          f"the {TOP_TAGS} most probable, confidence = probability",
                          tool=tags.tool)
        for i in range(len(w)):
            for name, p in tags.top([i], TOP_TAGS):
                ann.append(time=w.start[i], duration=w.end[i] - w.start[i], value=name,
                           confidence=_unit(p))
        out.append(ann)
    return out


def _chord_annotation(analysis: Analysis):
    """The ``chord`` annotation: one observation per run of beats with the same chord."""
    ann = _annotation("chord", analysis, "chord per beat (24 major/minor triads and N), "
                      "runs of equal chords; confidence = mean template likelihood",
                      tool="core.analysis.chords (beat-synchronous chroma templates, Viterbi)")
    for c in analysis.chords:
        ann.append(time=c.start, duration=c.duration, value=c.label,
                   confidence=_unit(c.confidence))
    return ann


def to_jams(analysis: Analysis):
    """The analysis as a validated :class:`jams.JAMS` object."""
    import jams

    dur = analysis.duration
    jam = jams.JAMS()
    jam.file_metadata.duration = dur
    jam.file_metadata.title = Path(analysis.track.path).stem
    jam.file_metadata.identifiers = {"sha256": analysis.track.sha256}

    seg = _annotation("segment_open", analysis, "form segments; same letter = same cluster")
    for s in analysis.segments:
        seg.append(time=s.start, duration=s.duration, value=s.label, confidence=None)
    jam.annotations.append(seg)

    g = analysis.globals
    tempo = _annotation("tempo", analysis, "global tempo")
    if g.tempo > 0:  # no pulse: no observation
        tempo.append(time=0.0, duration=dur, value=g.tempo,
                     confidence=_unit(g.tempo_confidence))
    jam.annotations.append(tempo)

    key = _annotation("key_mode", analysis, "global key")
    key.append(time=0.0, duration=dur, value=g.key, confidence=_unit(g.key_confidence))
    jam.annotations.append(key)

    seg_key = _annotation("key_mode", analysis, "key per form segment")
    for s in analysis.segments:
        seg_key.append(time=s.start, duration=s.duration, value=s.key, confidence=None)
    jam.annotations.append(seg_key)

    w = analysis.windows
    win_tempo = _annotation("tempo", analysis, "tempo per analysis window")
    for i in range(len(w)):
        if w.tempo[i] > 0:
            win_tempo.append(time=w.start[i], duration=w.end[i] - w.start[i],
                             value=w.tempo[i], confidence=_unit(w.tempo_confidence[i]))
    jam.annotations.append(win_tempo)

    beats = _annotation("beat", analysis, "beat times")
    for t in g.beats:
        beats.append(time=t, duration=0.0, value=None, confidence=None)
    jam.annotations.append(beats)

    if "genre" in w.labels:
        tags = _annotation("tag_open", analysis, "descriptor per analysis window (UNK: unknown)")
        for i in range(len(w)):
            tags.append(time=w.start[i], duration=w.end[i] - w.start[i],
                        value=_descriptor_of_window(analysis, i),
                        confidence=_unit(w.probabilities.get("mood", [1.0] * len(w))[i]))
        jam.annotations.append(tags)
    jam.annotations.extend(_tag_annotations(analysis))
    if analysis.chords:
        jam.annotations.append(_chord_annotation(analysis))
    jam.validate()
    return jam


def _unit(x: float) -> float:
    return float(min(max(x, 0.0), 1.0))


def _descriptor_of_window(analysis: Analysis, i: int) -> str:
    labels = analysis.windows.labels
    parts = [labels[t][i] for t in ("genre", "subgenre", "mood") if t in labels]
    return "UNK" if any(p == "UNK" for p in parts) else "_".join(parts)


def write_jams(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write the analysis as a validated JAMS file."""
    jam = to_jams(analysis)
    buf = io.StringIO()
    jam.save(buf)
    atomic_write_text(path, buf.getvalue())


def write_json(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write the analysis JSON."""
    atomic_write_text(path, dumps(analysis) + "\n")


def write_csv(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write the majority-rules segment table; with real-music tags, one more column per
    tagger (``<key>_tags``: the segment's most probable tags, ``name:probability``
    separated by ``;``, probability the mean over the segment's windows)."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    tags = analysis.windows.tags
    out.writerow(["start", "end", "duration", "label", "tempo", "key", *TARGETS, "descriptor",
                  *(f"{key}_tags" for key in tags)])
    rows = segment_table(analysis)
    for row, idx in zip(rows, segment_windows(analysis)):
        out.writerow([f"{row.start:.3f}", f"{row.end:.3f}", f"{row.duration:.3f}", row.label,
                      _tempo_text(row.tempo, "{:.1f}"), _key_text(row.key, ":"),
                      *(row.targets.get(t, "") for t in TARGETS), row.descriptor,
                      *("; ".join(f"{n}:{p:.3f}" for n, p in t.top(idx, TOP_TAGS))
                        for t in tags.values())])
    atomic_write_text(path, buf.getvalue())


def _tempo_text(bpm: float, form: str) -> str:
    return form.format(bpm) if bpm > 0 else "no tempo"


def _key_text(key: str, separator: str) -> str:
    return "no key" if key == NO_KEY else key.replace(":", separator)


def _caption(row: SegmentRow) -> str:
    extra = f" {row.descriptor}" if row.descriptor else ""
    return (f"{row.label}{extra} ({_tempo_text(row.tempo, '{:.0f} BPM')}, "
            f"{_key_text(row.key, ' ')})")


def write_audacity(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write an Audacity label track: one region label per segment."""
    rows = segment_table(analysis)
    lines = [f"{r.start:.6f}\t{r.end:.6f}\t{_caption(r)}" for r in rows]
    atomic_write_text(path, "\n".join(lines) + "\n")


def write_chords(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write the chords as an Audacity label track: one region label per chord run
    (``C:maj``, ``A:min``, ``N``); Sonic Visualiser imports it as a region layer too."""
    lines = [f"{c.start:.6f}\t{c.end:.6f}\t{c.label}" for c in analysis.chords]
    atomic_write_text(path, "".join(line + "\n" for line in lines))


def write_svcsv(analysis: Analysis, path: str | os.PathLike) -> None:
    """Write a Sonic Visualiser region layer: ``time,value,duration,label``.

    ``value`` is the segment's cluster number (A=1, B=2, ...), so a region layer
    coloured by value shows repeated sections alike.
    """
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    for r in segment_table(analysis):
        out.writerow([f"{r.start:.6f}", ord(r.label[0]) - ord("A") + 1, f"{r.duration:.6f}",
                      _caption(r)])
    atomic_write_text(path, buf.getvalue())


#: Output format name -> (file extension, writer).
WRITERS: dict[str, tuple[str, Callable[[Analysis, str | os.PathLike], None]]] = {
    "json": (".json", write_json),
    "jams": (".jams", write_jams),
    "csv": (".csv", write_csv),
    "audacity": (".audacity.txt", write_audacity),
    "svcsv": (".sv.csv", write_svcsv),
    "chords": (".chords.txt", write_chords),
}


def write_formats(analysis: Analysis, out_dir: str | os.PathLike, formats: list[str],
                  *, stem: str | None = None) -> list[Path]:
    """Write ``analysis`` in every named format to ``out_dir/<stem><ext>``."""
    stem = stem or Path(analysis.track.path).stem
    written = []
    for name in formats:
        ext, writer = WRITERS[name]
        target = Path(out_dir) / f"{stem}{ext}"
        writer(analysis, target)
        written.append(target)
    return written
