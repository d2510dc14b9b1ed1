"""Level matching of a render to its original, per section: the fair A/B.

Owns the loudness comparison of the B side: :func:`match_levels` measures the integrated
loudness (ITU-R BS.1770-4, K-weighted and gated, through ``pyloudnorm.Meter``) of each
section of the original and of the render, and gives the gain per section that brings
the render to the original's loudness; :meth:`LevelMatch.apply` turns those gains into
a gain curve (constant inside a section, a short ramp centred on each boundary, like
the renderer's 30 ms crossfades) applied to a copy of the render.  The render files
``twintrack render`` and ``demo`` write are never level-matched: only what the player
gets as B is (:func:`core.app.listen.prepare_playback`).

Sections a gated measurement cannot judge take the whole track's gain instead (its
``how`` says which rule applied):

* shorter than :data:`MIN_SECTION` seconds (a few 400 ms gating blocks, too few to gate);
* silent on either side (below BS.1770's absolute gate of -70 LUFS): no gain makes
  silence as loud as music, and boosting a near-silent render would only raise noise.

Every gain is limited to +/- :data:`MAX_GAIN_DB`.  If even the whole track cannot be
measured (both silent) the gain is 0 dB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["SectionLevel", "LevelMatch", "match_levels", "integrated_loudness",
           "section_loudness", "MIN_SECTION", "MAX_GAIN_DB", "RAMP"]

MIN_SECTION = 1.0  # seconds: shorter sections take the whole track's gain
MAX_GAIN_DB = 24.0  # no section is boosted or cut by more
RAMP = 0.03  # seconds, centred on each boundary (the renderer's crossfade)
_GATE = -70.0  # LUFS: BS.1770's absolute gate; quieter counts as silent


@dataclass(frozen=True)
class SectionLevel:
    """One section: its times, both loudnesses (None: not measurable) and B's gain.

    ``how`` is ``'section'`` (the gain matches this section's own loudness),
    ``'short'`` or ``'silent'`` (the whole track's gain was used, see the module).
    """

    start: float
    end: float
    original_lufs: float | None
    render_lufs: float | None
    gain_db: float
    how: str

    @property
    def difference(self) -> float | None:
        """Render minus original in LU before matching (None if not measurable)."""
        if self.original_lufs is None or self.render_lufs is None:
            return None
        return self.render_lufs - self.original_lufs


@dataclass(frozen=True)
class LevelMatch:
    """Per-section gains for a render, and the ramp between them."""

    sections: tuple[SectionLevel, ...]
    overall_db: float  # the whole track's gain (what short or silent sections use)
    ramp: float = RAMP

    def gain_curve(self, frames: int, sr: int) -> np.ndarray:
        """The linear gain for each of ``frames`` samples at ``sr``: float32 (frames,).

        Constant inside each section; across a boundary the gain in dB moves linearly
        over ``ramp`` seconds centred on it.  Before the first and after the last
        section the nearest section's gain holds.
        """
        if not self.sections:
            return np.ones(frames, dtype=np.float32)
        half = self.ramp / 2.0
        knots, values = [self.sections[0].start], [self.sections[0].gain_db]
        for left, right in zip(self.sections[:-1], self.sections[1:]):
            knots += [right.start - half, right.start + half]
            values += [left.gain_db, right.gain_db]
        knots.append(self.sections[-1].end)
        values.append(self.sections[-1].gain_db)
        t = np.arange(frames, dtype=np.float64) / sr
        # Sections shorter than the ramp would put knots out of order: np.interp needs them
        # non-decreasing.
        db = np.interp(t, np.maximum.accumulate(knots), values)
        return np.power(10.0, db / 20.0).astype(np.float32)

    def apply(self, audio: np.ndarray, sr: int) -> np.ndarray:
        """A level-matched float32 copy of ``audio`` (frames, channels) at ``sr``."""
        gain = self.gain_curve(len(audio), sr)
        return np.asarray(audio, dtype=np.float32) * gain[:, None]

    def describe(self) -> str:
        """One line per section for a tooltip: times and the gain given to B."""
        return "\n".join(f"{_clock(s.start)}-{_clock(s.end)}: {s.gain_db:+.1f} dB"
                         + ("" if s.how == "section" else f" ({s.how}: whole-track gain)")
                         for s in self.sections)


def integrated_loudness(audio: np.ndarray, sr: int) -> float | None:
    """BS.1770-4 integrated loudness of ``audio`` (frames, channels) in LUFS.

    None when it cannot be measured: shorter than one 400 ms gating block, or silent
    (every block under the absolute gate of -70 LUFS).
    """
    import pyloudnorm

    meter = pyloudnorm.Meter(sr)
    if len(audio) < int(round(meter.block_size * sr)) + 1:
        return None
    value = float(meter.integrated_loudness(np.asarray(audio, dtype=np.float64)))
    return value if math.isfinite(value) and value > _GATE else None


def section_loudness(audio: np.ndarray, sr: int,
                     spans: Sequence[tuple[float, float]]) -> list[float | None]:
    """The integrated loudness of ``audio`` in each ``(start, end)`` span (seconds);
    None for a span that cannot be measured (see :func:`integrated_loudness`)."""
    out = []
    for start, end in spans:
        a, b = max(0, int(round(start * sr))), min(len(audio), int(round(end * sr)))
        out.append(integrated_loudness(audio[a:b], sr) if b > a else None)
    return out


def match_levels(original: np.ndarray, original_sr: int, render: np.ndarray, render_sr: int,
                 spans: Sequence[tuple[float, float]], *, ramp: float = RAMP,
                 min_section: float = MIN_SECTION,
                 max_gain_db: float = MAX_GAIN_DB) -> LevelMatch:
    """The gains that bring each section of ``render`` to the original's loudness.

    Parameters
    ----------
    original, render : np.ndarray, shape (frames, channels)
        The two audios, each at its own rate; the sections are at the same times in both.
    original_sr, render_sr : int
        Their rates.
    spans : sequence of (float, float)
        The sections' start and end in seconds (the render's regions).
    ramp : float
        Seconds over which the gain moves at a boundary.
    min_section : float
        Sections shorter than this take the whole track's gain.
    max_gain_db : float
        Largest boost or cut.

    Returns
    -------
    LevelMatch
    """
    spans = [(float(s), float(e)) for s, e in spans]
    whole = min(len(original) / original_sr, len(render) / render_sr)
    overall = _gain(integrated_loudness(original[:int(whole * original_sr)], original_sr),
                    integrated_loudness(render[:int(whole * render_sr)], render_sr),
                    max_gain_db)
    ours = section_loudness(original, original_sr, spans)
    theirs = section_loudness(render, render_sr, spans)
    sections = []
    for (start, end), lo, lr in zip(spans, ours, theirs):
        if end - start < min_section:
            gain, how = overall, "short"
        elif lo is None or lr is None:
            gain, how = overall, "silent"
        else:
            gain, how = _gain(lo, lr, max_gain_db), "section"
        sections.append(SectionLevel(start, end, lo, lr, gain, how))
    return LevelMatch(tuple(sections), overall, float(ramp))


def _gain(original: float | None, render: float | None, limit: float) -> float:
    """Original minus render in dB, limited to +/- ``limit``; 0 if either is None."""
    if original is None or render is None:
        return 0.0
    return float(min(max(original - render, -limit), limit))


def _clock(seconds: float) -> str:
    m, s = divmod(max(0.0, seconds), 60.0)
    return f"{int(m)}:{s:04.1f}"
