"""Shared fixtures: seeded rng, the shared data folder (skips when absent), a small
hand-made Analysis for format tests, and an offscreen Qt platform for GUI tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

# Without a platform plugin Qt aborts the whole pytest process; never needs a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_addoption(parser):
    parser.addoption("--run-app", action="store_true", default=False,
                     help="run the tests of the frozen app in dist/twintrack (make test-app)")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``app`` need ``make app`` first: skipped unless --run-app."""
    if config.getoption("--run-app"):
        return
    skip = pytest.mark.skip(reason="the frozen app's tests run with --run-app (make test-app)")
    for item in items:
        if item.get_closest_marker("app") is not None:
            item.add_marker(skip)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


def _shared(sub: str) -> Path:
    path = SHARED_DATA / sub
    if not path.is_dir():
        pytest.skip(f"shared test data not present ({path})")
    return path


@pytest.fixture(scope="session")
def bad_dir() -> Path:
    return _shared("bad")


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    return _shared("audio")


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    return _shared("dev")


@pytest.fixture(scope="session")
def demo_track() -> Path:
    from core.resources import resource_path

    return resource_path("demo", "karissa_hobbs-lets_go_fishin.ogg")


@pytest.fixture
def small_analysis():
    """A hand-made two-window, three-segment analysis (no audio involved)."""
    from core.analysis.featureset import FEATURE_NAMES
    from core.record import (Analysis, GlobalEstimates, Segment, Settings, TrackInfo, Versions,
                             WindowTable)

    track = TrackInfo("/music/t\u00e9st track.wav", "ab" * 32, 44100, 2, 44100 * 30, 30.0,
                      "WAV", "PCM_16", "soundfile", ("clipped (0.2% of samples at full scale)",))
    feats = tuple(tuple(float(i * 0.1 + j) for j in range(len(FEATURE_NAMES))) for i in range(3))
    windows = WindowTable((0.0, 10.0, 20.0), (10.0, 20.0, 30.0), FEATURE_NAMES, feats,
                          (120.0, 121.5, 119.25), (0.9, 0.8, 0.7), ("C", "C", "A"),
                          ("major", "major", "minor"), (0.8, 0.75, 0.6))
    segments = (Segment(0.0, 12.5, "A", 120.0, "C", "major"),
                Segment(12.5, 21.0, "B", 121.0, "A", "minor"),
                Segment(21.0, 30.0, "A", 119.0, "C", "major"))
    glob = GlobalEstimates(120.1, 0.85, ((120.1, 0.7), (60.05, 0.2)), "C", "major", 0.7,
                           (("C:major", 0.7), ("A:minor", 0.6)), (0.5, 1.0, 1.5, 2.0))
    versions = Versions("0.1.0", "0.11.0", "2.0", "1.5", "pca-v1")
    return Analysis(track, Settings(), versions, windows, segments, glob, ((2, 0.4), (3, 0.2)))
