"""The texts the timeline shows: times, the hover read-out of a moment, the empty page.

Plain formatting of what :mod:`core.analysis.query` and a :class:`~gui.document.Document`
say; no widgets here, so :mod:`gui.timeline_view` and :mod:`gui.transport` share it.
"""

from __future__ import annotations

import html

from core.analysis import query
from core.analysis.tagview import (ACTIVE_THRESHOLD, instrument_rows, tags_text, top_tags,
                                   voice_curve)
from core.record import NO_KEY
from gui.document import Document
from gui.lanes.chords import chord_text
from gui.lanes.key import NO_KEY_TEXT
from gui.lanes.tempo import NO_TEMPO_TEXT

__all__ = ["format_time", "describe_moment", "describe_tags", "tags_hint", "pending_text",
           "EMPTY_TEXT", "HOVER_HINT", "TOP_TAGS"]

#: How many genre/mood tags the hover read-out and the segment table show.
TOP_TAGS = 3

HOVER_HINT = "Hover over the timeline to see a window's values."
EMPTY_TEXT = ("<div style='font-size:15pt;color:#555'>Drop audio files or folders here</div>"
              "<div style='font-size:10pt;color:#777;margin-top:8px'>or use File \u2192 Open "
              "(Ctrl+O). Several files form a queue; each is analysed in turn.<br>"
              "Space plays, B switches original/render, \u2190 \u2192 seek 5 s, "
              "L loops the selected segment.</div>")


def pending_text(doc: Document) -> str:
    """The empty page's text for a document that has no waveform yet."""
    if doc.status == "failed":
        what = f"Could not open this file: {doc.error}"
    elif doc.busy:
        what = f"{doc.status}: {doc.stage}" if doc.stage else f"{doc.status}..."
    else:
        what = doc.status
    return (f"<div style='font-size:15pt;color:#555'>{html.escape(doc.name)}</div>"
            f"<div style='font-size:11pt;color:#555;margin-top:8px'>{html.escape(what)}</div>")


def tags_hint(doc: Document | None) -> str:
    """Why the tag lanes of ``doc`` are empty: tags still coming, the document's note
    (cancelled, failed), or no analysis yet; "" when its analysis has tags."""
    a = doc.analysis if doc is not None else None
    if a is not None and a.windows.tags:
        return ""
    if doc is not None and doc.status in ("analysing", "tagging"):
        return "computing real-music tags..."
    return (doc.tags_note if doc is not None else "") or \
        "real-music tags appear when the analysis is done"


def format_time(seconds: float) -> str:
    """m:ss.s"""
    seconds = max(0.0, float(seconds))
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def describe_tags(analysis, i: int) -> str:
    """The hover's tag line for window ``i``: the top MSD genre/mood tags, the
    instruments active there and the voice activity ("" without tags)."""
    tags = analysis.windows.tags
    parts = []
    top = tags_text(top_tags(tags.get("msd"), [i], TOP_TAGS))
    if top:
        parts.append(f"tags: {top}")
    mtt = tags.get("mtt")
    playing = sorted(((float(r.activity[i]), r.name) for r in instrument_rows(mtt)
                      if r.activity[i] >= ACTIVE_THRESHOLD), reverse=True)
    if playing:
        parts.append("instruments: " + tags_text([(n, a) for a, n in playing]))
    voice = voice_curve(mtt)
    if voice is not None:
        parts.append(f"voice {100 * voice[i]:.0f}%")
    return "  |  ".join(parts)


def describe_moment(moment: query.Moment) -> str:
    """The hover line: time, then the segment and the window's values when there are
    any (``core.analysis.query.Moment``)."""
    text = format_time(moment.time)
    w = moment.window
    if w is None:
        return text
    s = moment.segment
    if s is not None:
        text += f"  |  segment {s.label} ({format_time(s.start)}-{format_time(s.end)})"
    tempo = (f"{w.tempo:.1f} BPM ({w.tempo_confidence:.2f})" if w.tempo > 0
             else NO_TEMPO_TEXT)
    key = f"{w.tonic} {w.mode} ({w.key_confidence:.2f})" if w.tonic != NO_KEY else NO_KEY_TEXT
    text += f"  |  window {w.index + 1}/{w.count} ({w.start:.0f}-{w.end:.0f} s): {tempo}, {key}"
    if moment.chord is not None:
        text += f"  |  chord {chord_text(moment.chord.label)} ({moment.chord.confidence:.2f})"
    labels = [f"{target} {label}" + (f" ({p:.2f})" if p is not None else "")
              for target, label, p in w.labels]
    # The descriptors on a line of their own: on one line with the rest, the last of
    # them (valence, momentum) ran off the right edge of the window.
    return text + ("\n" + ",  ".join(labels) if labels else "")
