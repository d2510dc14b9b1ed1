"""Level matching of a render to its original, per section: the fair A/B.

Owns the loudness comparison of the B side: :func:`match_levels` measures the integrated
loudness (ITU-R BS.1770-4: ``pyloudnorm``'s K-weighting filters, its gating vectorised
over one cumulative sum; equal to ``pyloudnorm.Meter`` to 1e-12 LU) of each section of
the original and of the render, and gives the gain per section that brings the render
to the original's loudness; :meth:`LevelMatch.apply` turns those gains into
a gain curve (constant inside a section, a short ramp centred on each boundary, like
the renderer's 30 ms crossfades) applied to a copy of the render.  The render files
``twintrack render`` and ``demo`` write are never level-matched: only what the player
gets as B is (:func:`core.app.listen.prepare_ab`).

Sections a gated measurement cannot judge take the whole track's gain instead (its
``how`` says which rule applied):

* shorter than :data:`MIN_SECTION` seconds (a few 400 ms gating blocks, too few to gate);
* silent on either side (below BS.1770's absolute gate of -70 LUFS): no gain makes
  silence as loud as music, and boosting a near-silent render would only raise noise.

The whole track's gain compares the blocks of every section gated together.  Every gain
is limited to +/- :data:`MAX_GAIN_DB`; if even the whole track cannot be measured (one
side silent) it is 0 dB.
"""

from __future__ import annotations

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
    (every block under the absolute gate of -70 LUFS).  Equal to
    ``pyloudnorm.Meter(sr).integrated_loudness`` (tests/test_levels.py).
    """
    return _gated(_block_powers(audio, sr))


def section_loudness(audio: np.ndarray, sr: int,
                     spans: Sequence[tuple[float, float]]) -> list[float | None]:
    """The integrated loudness of ``audio`` in each ``(start, end)`` span (seconds);
    None for a span that cannot be measured (see :func:`integrated_loudness`).

    Each section is measured as a clip of its own: the weighting filters start at
    rest, so the ringing of the section before (an artefact of the filters, not sound)
    cannot make a silent section look merely quiet.
    """
    return [_gated(_block_powers(_clip(audio, sr, start, end), sr)) for start, end in spans]


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
        Its ``overall_db`` compares the two gated over the blocks of every section.
    """
    spans = [(float(s), float(e)) for s, e in spans]
    ours = [_block_powers(_clip(original, original_sr, s, e), original_sr) for s, e in spans]
    theirs = [_block_powers(_clip(render, render_sr, s, e), render_sr) for s, e in spans]
    overall = _gain(_gated(np.concatenate([np.zeros(0), *ours])),
                    _gated(np.concatenate([np.zeros(0), *theirs])), max_gain_db)
    sections = []
    for (start, end), zo, zr in zip(spans, ours, theirs):
        lo, lr = _gated(zo), _gated(zr)
        if end - start < min_section:
            gain, how = overall, "short"
        elif lo is None or lr is None:
            gain, how = overall, "silent"
        else:
            gain, how = _gain(lo, lr, max_gain_db), "section"
        sections.append(SectionLevel(start, end, lo, lr, gain, how))
    return LevelMatch(tuple(sections), overall, float(ramp))


_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)  # BS.1770 channel weights (L, R, C, Ls, Rs)
_BLOCK, _STEP = 0.4, 0.1  # seconds: 400 ms gating blocks overlapping by 75 %


def _clip(audio: np.ndarray, sr: int, start: float, end: float) -> np.ndarray:
    return audio[max(0, int(round(start * sr))):max(0, int(round(end * sr)))]


def _block_powers(audio: np.ndarray, sr: int) -> np.ndarray:
    """The K-weighted mean square of each gating block, channels weighted and summed;
    empty when the audio is shorter than one block.

    pyloudnorm's filters and block bounds, with one cumulative sum instead of a
    Python loop over the blocks.
    """
    from pyloudnorm import IIRfilter
    from scipy.signal import lfilter

    seconds = len(audio) / sr
    if seconds < _BLOCK:
        return np.zeros(0)
    y = np.asarray(audio, dtype=np.float64).reshape(len(audio), -1)[:, :5]
    # K-weighting: the head's high shelf, then the RLB high-pass.
    for stage in (IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sr, "high_shelf"),
                  IIRfilter(0.0, 0.5, 38.0, sr, "high_pass")):
        y = stage.passband_gain * lfilter(stage.b, stage.a, y, axis=0)
    power = np.square(y) @ np.asarray(_WEIGHTS[:y.shape[1]])
    cumulative = np.concatenate([[0.0], np.cumsum(power)])
    j = np.arange(int(np.round((seconds - _BLOCK) / _STEP)) + 1, dtype=np.float64)
    lo = (_BLOCK * (j * 0.25) * sr).astype(np.int64)  # truncated, as pyloudnorm does
    hi = np.minimum((_BLOCK * (j * 0.25 + 1) * sr).astype(np.int64), len(audio))
    return (cumulative[hi] - cumulative[lo]) / (_BLOCK * sr)


def _gated(z: np.ndarray) -> float | None:
    """BS.1770's gated loudness of blocks with mean squares ``z`` (LUFS), or None when
    no block passes the absolute gate."""
    with np.errstate(divide="ignore"):
        level = -0.691 + 10.0 * np.log10(z)
        gated = z[level >= _GATE]
        if not len(gated):
            return None
        relative = -0.691 + 10.0 * np.log10(gated.mean()) - 10.0
        kept = z[(level > relative) & (level > _GATE)]
        value = -0.691 + 10.0 * np.log10(kept.mean()) if len(kept) else -np.inf
    return float(value) if np.isfinite(value) and value > _GATE else None


def _gain(original: float | None, render: float | None, limit: float) -> float:
    """Original minus render in dB, limited to +/- ``limit``; 0 if either is None."""
    if original is None or render is None:
        return 0.0
    return float(min(max(original - render, -limit), limit))


def _clock(seconds: float) -> str:
    m, s = divmod(max(0.0, seconds), 60.0)
    return f"{int(m)}:{s:04.1f}"
