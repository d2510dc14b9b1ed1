"""Audio in: every damaged or odd file gets a clear error or a sensible result."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from core.analysis.audio import (MIN_DURATION, audio_from_array, load_for_analysis, load_original,
                                 probe)
from core.errors import (AudioError, Cancelled, EmptyAudioError, NonFiniteAudioError,
                         TooShortError, UnreadableAudioError)
from core.progress import Reporter

ERRORS = {
    "empty.wav": (EmptyAudioError, "empty"),
    "not_audio.wav": (UnreadableAudioError, "not a readable audio file"),
    "random_bytes.mp3": (UnreadableAudioError, "not a readable audio file"),
    "truncated_header.wav": (UnreadableAudioError, "not a readable audio file"),
    "zero_samples.wav": (EmptyAudioError, "no audio samples"),
    "one_sample.wav": (TooShortError, "at least"),
    "nan_inf_float.wav": (NonFiniteAudioError, "NaN or infinite"),
}
VALID = {  # name -> (duration, note expected in the analysis, or None)
    "clipped_loud.wav": (12.0, "clipped"),
    "dc_offset.wav": (12.0, "DC offset"),
    "rate_8k_mono.wav": (12.0, None),
    "rate_96k_24bit.flac": (12.0, None),
    "short_2s.wav": (2.0, None),
    "silence_30s.wav": (30.0, "silent"),
    "six_channels.wav": (12.0, None),
    "tone_12s.wav": (12.0, None),
    "truncated_data.wav": (None, None),
    "unicode_名前 with spaces.wav": (12.0, None),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_files_raise_clear_errors(bad_dir, name):
    cls, words = ERRORS[name]
    with pytest.raises(cls) as info:
        load_for_analysis(bad_dir / name)
    message = str(info.value)
    assert name in message and words in message
    assert "Traceback" not in message


@pytest.mark.parametrize("name", sorted(VALID))
def test_odd_but_valid_files_load(bad_dir, name):
    duration, note = VALID[name]
    audio = load_for_analysis(bad_dir / name)
    assert audio.sr == 22050 and audio.y.ndim == 1 and audio.y.dtype == np.float32
    assert np.isfinite(audio.y).all() and not audio.y.flags.writeable
    if duration is not None:
        assert audio.duration == pytest.approx(duration, abs=0.01)
    if note:
        assert any(note in n for n in audio.notes), audio.notes
    assert len(audio.info.sha256) == 64


def test_dc_offset_is_removed(bad_dir):
    audio = load_for_analysis(bad_dir / "dc_offset.wav")
    assert abs(float(np.mean(audio.y))) < 1e-3


def test_native_format_is_kept(bad_dir):
    info = probe(bad_dir / "rate_96k_24bit.flac")
    assert (info.sample_rate, info.format, info.subtype) == (96000, "FLAC", "PCM_24")
    data, sr = load_original(bad_dir / "six_channels.wav")
    assert sr == 22050 and data.shape[1] == 6


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnreadableAudioError, match="no such file"):
        load_for_analysis(tmp_path / "nope.wav")
    with pytest.raises(UnreadableAudioError, match="folder"):
        load_for_analysis(tmp_path)


def test_resampling_keeps_pitch(tmp_path):
    sr = 48000
    t = np.arange(sr * 3) / sr
    sf.write(tmp_path / "a440.wav", 0.5 * np.sin(2 * np.pi * 440 * t), sr)
    audio = load_for_analysis(tmp_path / "a440.wav")
    spec = np.abs(np.fft.rfft(audio.y))
    peak_hz = np.argmax(spec) * audio.sr / len(audio.y)
    assert peak_hz == pytest.approx(440, abs=1)
    assert audio.duration == pytest.approx(3.0, abs=1e-3)


def test_fallback_decoder_reads_what_libsndfile_cannot(tmp_path):
    av = pytest.importorskip("av")
    path = tmp_path / "tone.m4a"
    sr = 44100
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=sr, layout="mono")
        t = np.arange(sr * 2) / sr
        samples = (0.3 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
        for i in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(samples[None, i:i + 1024], format="flt",
                                               layout="mono")
            frame.sample_rate = sr
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    audio = load_for_analysis(path)
    assert audio.info.decoder == "ffmpeg"
    assert audio.duration == pytest.approx(2.0, abs=0.1)


def test_cancel_stops_decoding(tmp_path):
    sf.write(tmp_path / "long.wav", np.zeros(44100 * 60, np.float32), 44100)
    with pytest.raises(Cancelled):
        load_for_analysis(tmp_path / "long.wav", reporter=Reporter(cancelled=lambda: True))


def test_array_input(rng):
    y = rng.standard_normal((44100 * 2, 2)).astype(np.float32) * 0.1
    audio = audio_from_array(y, 44100, name="render")
    assert audio.info.channels == 2 and audio.duration == pytest.approx(2.0, abs=1e-3)
    with pytest.raises(TooShortError):
        audio_from_array(np.zeros(10), 44100)
    bad = y.copy()
    bad[100, 0] = np.nan
    with pytest.raises(NonFiniteAudioError):
        audio_from_array(bad, 44100)


def test_all_errors_share_the_root():
    assert issubclass(AudioError, Exception)
    assert MIN_DURATION <= 2.0  # a 2 s clip must stay analysable


@pytest.mark.parametrize("rate", [44100, 48000, 22050])
def test_long_files_decoded_in_halves_equal_one_pass(tmp_path, rng, rate):
    import soxr

    seconds = 64  # above the two-core threshold
    y = (0.2 * rng.standard_normal((rate * seconds, 2))).astype(np.float32)
    sf.write(tmp_path / "long.wav", y, rate, subtype="FLOAT")
    audio = load_for_analysis(tmp_path / "long.wav")
    ref = soxr.resample(y.mean(axis=1), rate, 22050, quality="MQ")
    assert len(audio.y) == len(ref)
    np.testing.assert_allclose(audio.y, ref, atol=1e-5)
    assert audio.info.frames == rate * seconds
