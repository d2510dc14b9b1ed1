"""Frame features once per track, window grid, window statistics, feature set."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from core.analysis.features import (compute_frame_features, window_grid, window_mean,
                                    window_std)
from core.analysis.featureset import FEATURE_NAMES, load_pca, pca_inputs, window_features


@pytest.fixture(scope="module")
def signal():
    rng = np.random.default_rng(7)
    sr = 22050
    t = np.arange(sr * 25) / sr
    y = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(len(t))
    return y.astype(np.float32)


@pytest.mark.parametrize("block_frames", [64, 300, 2048])
def test_blocked_features_equal_whole_track_librosa(signal, block_frames):
    frames = compute_frame_features(signal, block_frames=block_frames,
                                    cqt_block_frames=4 * block_frames)
    S = np.abs(librosa.stft(signal, n_fft=2048, hop_length=512))
    mel = librosa.feature.melspectrogram(S=S ** 2, sr=22050, n_mels=128)
    assert frames.mel.shape == mel.shape
    np.testing.assert_allclose(frames.mel, mel, rtol=1e-3, atol=1e-6 * mel.max())
    C = np.abs(librosa.cqt(signal, sr=22050, hop_length=512, fmin=librosa.note_to_hz("C1"),
                           n_bins=84))
    np.testing.assert_allclose(frames.cqt, C, rtol=1e-3, atol=1e-5 * C.max())
    cent = librosa.feature.spectral_centroid(S=S, sr=22050)[0]
    np.testing.assert_allclose(frames.spectral[0], cent, rtol=1e-3)


@pytest.mark.parametrize("duration, n_windows, last", [
    (2.0, 1, (0.0, 2.0)),
    (10.0, 1, (0.0, 10.0)),
    (12.0, 2, (2.0, 12.0)),
    (13.0, 3, (3.0, 13.0)),     # the stride grid stops at 2..12: one end-aligned extra
    (30.0, 11, (20.0, 30.0)),
])
def test_window_grid(duration, n_windows, last):
    n_frames = 1 + int(duration * 22050) // 512
    grid = window_grid(duration, n_frames, sr=22050, hop_length=512)
    assert len(grid) == n_windows
    assert (grid.starts[-1], grid.ends[-1]) == pytest.approx(last)
    assert grid.ends[-1] == pytest.approx(duration)
    assert np.all(grid.end_frames > grid.start_frames)
    assert np.all(grid.end_frames <= n_frames)
    assert np.all(np.diff(grid.starts) > 0)


def test_window_statistics_match_direct_computation(rng):
    x = rng.standard_normal((3, 1000))
    grid = window_grid(20.0, 1000, sr=22050, hop_length=512, length=5.0, stride=1.0)
    for i in range(len(grid)):
        a, b = grid.start_frames[i], grid.end_frames[i]
        np.testing.assert_allclose(window_mean(x, grid)[i], x[:, a:b].mean(axis=1))
        np.testing.assert_allclose(window_std(x, grid)[i], x[:, a:b].std(axis=1), atol=1e-9)


def test_window_features_shape_and_pca_version(signal):
    frames = compute_frame_features(signal)
    grid = window_grid(len(signal) / 22050, frames.n_frames, sr=22050, hop_length=512)
    n = frames.n_frames
    feats = window_features(frames, grid, onset_env=np.ones(n), onset_peaks=np.zeros(n),
                            tempo=np.full(len(grid), 100.0))
    assert feats.shape == (len(grid), 21) == (len(grid), len(FEATURE_NAMES))
    assert np.isfinite(feats).all()
    assert feats[:, FEATURE_NAMES.index("tempo")] == pytest.approx(100.0)
    # A steady 220 Hz tone over faint noise: mostly harmonic energy.
    assert feats[:, FEATURE_NAMES.index("harmonic_ratio")].min() > 0.5
    pca = load_pca()
    assert pca.version == "pca-v1" and pca.components.shape == (3, 39)
    np.testing.assert_allclose(feats[:, -3:], pca.transform(pca_inputs(frames, grid)))


def test_silence_gives_finite_features():
    y = np.zeros(22050 * 12, np.float32)
    frames = compute_frame_features(y)
    grid = window_grid(12.0, frames.n_frames, sr=22050, hop_length=512)
    n = frames.n_frames
    feats = window_features(frames, grid, onset_env=np.zeros(n), onset_peaks=np.zeros(n),
                            tempo=np.zeros(len(grid)))
    assert np.isfinite(feats).all()


def _chord(midis, seconds=12.0, sr=22050):
    t = np.arange(int(sr * seconds)) / sr
    y = sum(np.sin(2 * np.pi * 440.0 * 2 ** ((m - 69) / 12) * t) for m in midis)
    return (0.2 * y / len(midis)).astype(np.float32)


def _extended(y, tempo=100.0, **kw):
    from core.analysis.featureset import extended_features

    frames = compute_frame_features(y)
    grid = window_grid(len(y) / 22050, frames.n_frames, sr=22050, hop_length=512)
    return extended_features(frames, grid, tempo=np.full(len(grid), tempo), **kw)


def test_extended_features_are_named_finite_and_mean_what_they_say():
    from core.analysis.featureset import EXTENDED_NAMES, FEATURE_SETS, feature_names

    assert feature_names("extended-v1") == FEATURE_NAMES + EXTENDED_NAMES
    assert len(set(FEATURE_SETS["extended-v1"])) == len(FEATURE_SETS["extended-v1"])
    with pytest.raises(ValueError, match="unknown feature set"):
        feature_names("nope")
    col = {n: i for i, n in enumerate(EXTENDED_NAMES)}
    major = _extended(_chord([60, 64, 67]), tempo=128.0)    # C major triad, middle register
    minor = _extended(_chord([60, 63, 67]))                 # C minor triad
    low = _extended(_chord([36, 40, 43]))                    # C major, two octaves down
    assert major.shape[1] == len(EXTENDED_NAMES) and np.isfinite(major).all()
    assert major[:, col["mode_fit"]].min() > 0 > minor[:, col["mode_fit"]].max()
    assert low[:, col["pitch_centroid"]].max() < major[:, col["pitch_centroid"]].min() - 12
    assert low[:, col["bass_share"]].min() > 0.9 > 0.1 > major[:, col["bass_share"]].max()
    assert major[:, col["log2_tempo"]] == pytest.approx(np.log2(128.0))
    # Noise spreads its energy over every pitch class; a triad holds it in three.
    noise = _extended(np.random.default_rng(1).standard_normal(22050 * 12).astype(np.float32) * 0.1)
    assert noise[:, col["chroma_entropy"]].min() > major[:, col["chroma_entropy"]].max()


def test_degree_shares_are_relative_to_the_best_key():
    """``extended-v2``'s degree shares rotate a window's chroma to its key's tonic: the
    same scale in any key gives the same profile, and a mode change moves one degree."""
    from core.analysis.featureset import _degree_shares
    from core.analysis.key import key_scores

    major = np.array([5, 0, 3, 0, 4, 3, 0, 4, 0, 3, 0, 2], dtype=float)
    mixolydian = major.copy()
    mixolydian[[10, 11]] = [2, 0]  # the flat seventh
    rows = [np.roll(major, 7), np.roll(major, 2), np.roll(mixolydian, 7)]  # G, D, G mixo
    chroma = np.array([r / r.sum() for r in rows])
    shares = _degree_shares(chroma, key_scores(chroma.T))
    np.testing.assert_allclose(shares[0], major / major.sum())
    np.testing.assert_allclose(shares[1], shares[0])
    assert shares[2][10] > 0 and shares[2][11] == 0 and shares[0][10] == 0


def _mid(y):
    from core.analysis.featureset import MID_NAMES

    return dict(zip(MID_NAMES, _extended(y, mid=True)[:, -len(MID_NAMES):].T))


def test_the_harmony_above_the_bass_tells_open_chords_from_triads_in_any_key():
    """``extended-v4``: a suspended chord has no third and a whole tone instead, a minor
    triad with its ninth a cluster, and a loud low bass note does not drown either."""
    from core.analysis.featureset import MID_NAMES, feature_names

    assert feature_names("extended-v4")[-len(MID_NAMES):] == MID_NAMES
    bass = _chord([33]) * 3.0                             # a loud low A under every chord
    sus = _mid(_chord([62, 64, 69]) + bass)               # D sus2
    major = _mid(_chord([62, 66, 69]) + bass)             # D major
    minor9 = _mid(_chord([62, 64, 65, 69]) + bass)        # D minor add9
    major_e = _mid(_chord([64, 68, 71]) + bass)           # E major: another key
    thirds = {n: v["mid_ic_3"] + v["mid_ic_4"] for n, v in
              (("sus", sus), ("major", major), ("minor9", minor9))}
    assert thirds["sus"].max() < thirds["major"].min()
    assert sus["mid_ic_2"].min() > major["mid_ic_2"].max()
    assert minor9["mid_ic_1"].min() > max(sus["mid_ic_1"].max(), major["mid_ic_1"].max())
    assert major["mid_mode_fit"].min() > 0
    # Degree shares and the interval profile do not depend on the key.
    for name in MID_NAMES:
        if name != "mid_mode_fit":
            np.testing.assert_allclose(major_e[name], major[name], atol=0.03, err_msg=name)
