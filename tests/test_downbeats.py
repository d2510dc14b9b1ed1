"""core.analysis.downbeats: downbeats and meter of click tracks with accents, through the
real frame features and beat tracker, and snapping times to downbeats."""

from __future__ import annotations

import numpy as np
import pytest

from core.analysis import tempo as rhythm
from core.analysis.downbeats import estimate_downbeats, snap_to_downbeats
from core.analysis.features import compute_frame_features
from core.analysis.key import chroma_from_cqt
from tests.fixtures.signals import SR

HOP = 512


def click_track(bpm: float, meter: int, seconds: float, *, first: int) -> np.ndarray:
    """Clicks on every beat; beat ``first`` of each bar (0-based) is an accented low
    click (kick-like, 70 Hz) and the others are quiet high ticks."""
    y = np.zeros(int(seconds * SR), np.float32)
    t = np.arange(int(0.08 * SR)) / SR
    accent = 0.9 * np.sin(2 * np.pi * 70 * t) * np.exp(-t * 40)
    tick = 0.25 * np.sin(2 * np.pi * 2000 * t) * np.exp(-t * 120)
    beat = 60.0 / bpm
    for k in range(int(seconds / beat)):
        start = int(round((0.5 + k * beat) * SR))
        sound = accent if k % meter == first else tick
        end = min(y.size, start + sound.size)
        y[start:end] += sound[:end - start]
    return y


def downbeats_of(y: np.ndarray):
    frames = compute_frame_features(y)
    env = rhythm.onset_envelope(frames.mel)
    beats = rhythm.beat_track(env, bpm=rhythm.global_tempo(env).bpm)
    return beats, estimate_downbeats(beats, mel=frames.mel, chroma=chroma_from_cqt(frames.cqt))


@pytest.mark.parametrize("bpm, meter, first", [(120.0, 4, 1), (100.0, 3, 2), (132.0, 4, 0)])
def test_accented_clicks_give_the_downbeats_and_meter(bpm, meter, first):
    beats, down = downbeats_of(click_track(bpm, meter, 24.0, first=first))
    assert down.meter == meter and 0.0 < down.confidence < 1.0
    expected = 0.5 + (first + meter * np.arange(40)) * 60.0 / bpm
    expected = expected[expected < 24.0 - 0.5]
    found = down.frames * HOP / SR
    assert set(down.frames) <= set(beats)
    # every accented click is found within 50 ms, and nothing else
    assert len(found) == pytest.approx(len(expected), abs=1)
    assert np.all(np.min(np.abs(found[:, None] - expected[None, :]), axis=1) < 0.05)


def test_too_few_beats_or_bad_meters():
    mel, chroma = np.ones((128, 100)), np.ones((12, 100))
    assert estimate_downbeats(np.arange(0, 40, 10), mel=mel, chroma=chroma).meter == 0
    with pytest.raises(ValueError, match="beats per bar"):
        estimate_downbeats(np.arange(0, 100, 10), mel=mel, chroma=chroma, meters=(1, 4))


def test_snap_to_downbeats():
    down = np.array([1.0, 3.0, 5.0, 7.0])
    snapped = snap_to_downbeats(np.array([0.4, 2.8, 3.3, 6.0]), down, within=0.5)
    assert snapped.tolist() == [0.4, 3.0, 3.3, 6.0]  # 3.3 would reuse 3.0: stays
    assert snap_to_downbeats(np.array([2.0]), np.zeros(0), within=1.0).tolist() == [2.0]
