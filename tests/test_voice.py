"""The voice of sampled renders: the formant synthesiser (core.render.voice) and the vocal
part (core.render.parts.vocal) that the composer adds only when asked.

Known answers: a held sung note sounds at its pitch, a rapped syllable falls, the vowel
filters peak at their formants; the other parts' notes do not change when a voice is
added, so synthesised renders (which never ask for one) keep theirs.
"""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from scipy import signal

from core.descriptors import load_dictionary
from core.render import voice as vc
from core.render.composer import compose_region
from core.render.engine import style_of
from core.render.events import NoteEvent
from core.render.parts.vocal import FLOWS, RAP_PITCH, SUNG_CENTRE

SR = 22050


def _note(start, dur, pitch, vel=0.8):
    return NoteEvent(start, dur, pitch, vel, "vocal", vc.VOICE)


def _f0(y: np.ndarray) -> np.ndarray:
    f0 = librosa.yin(y.astype(np.float64), fmin=80, fmax=800, sr=SR, frame_length=2048)
    return f0[np.isfinite(f0)]


@pytest.mark.parametrize("pitch", [55, 69])
def test_a_held_sung_note_sounds_at_its_pitch(pitch):
    y = vc.sing([_note(0.1, 1.2, pitch)], sr=SR, n=int(1.5 * SR), seed=2)
    f0 = _f0(y[int(0.3 * SR):int(1.2 * SR)])    # past the glide and the consonant
    cents = 1200 * np.log2(f0 / librosa.midi_to_hz(pitch))
    assert abs(np.median(cents)) < 40
    # every frame within the vibrato's reach (yin jumps an octave down on a few frames
    # of a low voice: folded back), most of them at the pitch itself
    folded = (cents + 600) % 1200 - 600
    assert np.ptp(folded) < 100 and np.mean(np.abs(cents) < 60) > 0.8


def test_a_rapped_syllable_falls_like_speech():
    y = vc.sing([_note(0.05, 0.5, 57)], sr=SR, n=int(0.7 * SR), delivery=vc.RAPPED, seed=1)
    f0 = _f0(y[int(0.08 * SR):int(0.5 * SR)])
    head, tail = np.median(f0[: len(f0) // 3]), np.median(f0[-len(f0) // 3:])
    assert tail < head * 2 ** (-2 / 12)           # more than two semitones down


@pytest.mark.parametrize("vowel", sorted(vc.VOWELS))
def test_each_vowel_filter_peaks_at_its_first_two_formants(vowel):
    sos = vc._vowel_sos(vowel, 1.0, SR)
    freqs, h = signal.sosfreqz(sos, worN=8192, fs=SR)
    gain = np.abs(h)
    peaks, _ = signal.find_peaks(gain)
    found = freqs[peaks]
    for formant in vc.VOWELS[vowel][0][:2]:
        assert np.min(np.abs(found - formant)) < 60


def test_sing_is_deterministic_placed_and_cut_at_the_edges():
    notes = [_note(0.2, 0.3, 64), _note(0.6, 0.3, 67), _note(1.9, 0.5, 60)]
    a = vc.sing(notes, sr=SR, n=2 * SR, seed=5)
    assert a.dtype == np.float32 and a.shape == (2 * SR,) and np.all(np.isfinite(a))
    assert a.tobytes() == vc.sing(notes, sr=SR, n=2 * SR, seed=5).tobytes()
    assert a.tobytes() != vc.sing(notes, sr=SR, n=2 * SR, seed=6).tobytes()
    # silent before the first consonant can start and between the notes' tails
    assert np.max(np.abs(a[: int(0.15 * SR)])) == 0.0
    assert np.max(np.abs(a[int(1.05 * SR):int(1.8 * SR)])) == 0.0
    assert np.sqrt(np.mean(a[int(0.25 * SR):int(0.45 * SR)] ** 2)) > 0.01
    shifted = vc.sing(notes, sr=SR, n=2 * SR, seed=5, offset=-0.2)
    assert np.max(np.abs(shifted[: int(0.05 * SR)])) > 0    # the first note now at 0
    assert not np.any(vc.sing([], sr=SR, n=100))


def _compose(name: str, *, voice: bool, seed: int = 4, seconds: float = 16.0):
    d = load_dictionary().by_name(name)
    tempo = float(round((d.tags.tempo_min + d.tags.tempo_max) / 2))
    return compose_region(style_of(d), tempo=tempo, tonic="D", mode=None, start=2.0,
                          duration=seconds, instrument_groups=d.tags.instrument_groups,
                          seed=seed, intro=True, ending=True, voice=voice)


@pytest.mark.parametrize("name, has_voice", [
    ("hip_hop_boom_bap_groovy", True), ("pop_upbeat_playful", True),
    ("folk_acoustic_hopeful", True), ("rock_indie_driving", False)])
def test_a_voice_adds_a_part_and_leaves_the_others_alone(name, has_voice):
    plain, voiced = _compose(name, voice=False), _compose(name, voice=True)
    others = tuple(e for e in voiced.events if e.part != "vocal")
    assert others == plain.events and voiced.mix == plain.mix
    vocal = [e for e in voiced.events if e.part == "vocal"]
    assert bool(vocal) == has_voice
    assert [p.name for p in voiced.parts] == [p.name for p in plain.parts] + ["vocal"] * has_voice
    assert all(e.instrument == vc.VOICE for e in vocal)
    assert all(2.0 <= e.start and e.start + e.duration <= 18.0 + 1e-9 for e in vocal)
    assert voiced.events == _compose(name, voice=True).events           # same seed
    assert voiced.events != _compose(name, voice=True, seed=5).events


def test_the_sung_line_is_the_tune_moved_by_octaves_into_the_singers_range():
    arr = _compose("pop_upbeat_playful", voice=True)
    tune = [e for e in arr.events if e.part == "melody"]
    sung = [e for e in arr.events if e.part == "vocal"]
    assert len(sung) == len(tune) > 8
    shifts = {s.pitch - t.pitch for s, t in zip(sung, tune)}
    assert len(shifts) == 1 and shifts.pop() % 12 == 0
    assert [(s.start, s.duration) for s in sung] == [(t.start, t.duration) for t in tune]
    assert abs(np.median([e.pitch for e in sung]) - SUNG_CENTRE["pop"]) <= 6


def test_the_rap_flows_on_the_sixteenth_grid_near_a_speaking_pitch():
    arr = _compose("hip_hop_boom_bap_groovy", voice=True)
    rap = [e for e in arr.events if e.part == "vocal"]
    spb = arr.beat_times[1] - arr.beat_times[0]
    steps = np.array([(e.start - 2.0) / (spb / 4) for e in rap])
    swing = np.round(steps) - steps                 # off-beat sixteenths are swung late
    assert np.all(np.abs(steps - np.round(steps)) < 0.35) and np.all(swing <= 1e-6)
    assert all(abs(e.pitch - RAP_PITCH) <= 4 for e in rap)
    syllables = [sum(ch != "." for ch in cell) for flow in FLOWS for cell in flow]
    per_bar = len(rap) / arr.bars                  # the intro bar has no voice
    assert min(syllables) / 2 <= per_bar <= max(syllables)
