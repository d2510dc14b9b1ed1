"""Render engine: exact length, determinism, region changes, MIDI, every descriptor."""

from __future__ import annotations

import itertools
import threading
import time

import mido
import numpy as np
import pytest
import soundfile as sf

from core.descriptors import UnknownDescriptorError, load_dictionary
from core.errors import Cancelled
from core.render.engine import render_timeline, write_audio
from core.render.timeline import Timeline


def make_timeline(parts, *, end_gap: float = 0.0) -> Timeline:
    """``parts``: (descriptor, bpm, tonic, mode, seconds) per region, one span each."""
    d = load_dictionary()
    names, tempi, tonics, modes, seconds = zip(*parts)
    bounds = list(itertools.accumulate(seconds, initial=0.0))
    bounds[-1] += end_gap
    return Timeline.from_regions(bounds, descriptors=names, keys=list(zip(tonics, modes)),
                                 tempi=tempi,
                                 instrument_groups=[d.by_name(n).tags.instrument_groups
                                                    for n in names], meta={"title": "test"})


TWO = [("pop_indie_hopeful", 112.0, "D", "major", 9.3),
       ("cinematic_orchestral_tense", 84.0, "C#", "minor", 7.45)]


@pytest.fixture(scope="module")
def two_region_render():
    return render_timeline(make_timeline(TWO), seed=5)


def test_exact_length_format_and_level(two_region_render):
    r = two_region_render
    assert r.sr == 44100 and r.audio.shape == (int(round(16.75 * 44100)), 2)
    assert r.audio.dtype == np.float32 and np.isfinite(r.audio).all()
    assert np.abs(r.audio).max() <= 1.0
    assert np.sqrt(np.mean(r.audio ** 2)) > 0.01  # music, not silence


def test_deterministic_for_a_seed(two_region_render):
    again = render_timeline(make_timeline(TWO), seed=5)
    np.testing.assert_array_equal(again.audio, two_region_render.audio)
    other = render_timeline(make_timeline(TWO), seed=6)
    assert not np.array_equal(other.audio, two_region_render.audio)


def test_notes_stay_inside_their_regions(two_region_render):
    r = two_region_render
    for e in r.events:
        region = 0 if e.part.startswith("r0:") else 1
        lo, hi = (0.0, 9.3) if region == 0 else (9.3, 16.75)
        assert lo - 1e-6 <= e.start < hi


def test_region_change_is_a_smooth_crossfade():
    """Two sustained regions: the join has no jump bigger than the signals' own steps."""
    from core.render.engine import _place

    sr, half = 44100, 661
    t = np.arange(sr) / sr
    a = np.column_stack([np.sin(2 * np.pi * 220 * t)] * 2).astype(np.float32)
    b = np.column_stack([0.8 * np.sin(2 * np.pi * 330 * t + 1.0)] * 2).astype(np.float32)
    out = np.zeros((2 * sr, 2), np.float32)
    _place(out, a[: sr // 2 + half].T, 0, half, first=True)   # regions come channels first
    _place(out, b.T, sr // 2, half, first=False)
    # a click is a jump of the order of the amplitude; a crossfade of two sines can
    # step at most by the sum of their own largest steps
    own_steps = np.abs(np.diff(a, axis=0)).max() + np.abs(np.diff(b, axis=0)).max()
    assert np.abs(np.diff(out[: sr], axis=0)).max() <= own_steps
    np.testing.assert_allclose(out[sr // 2 + half:sr], b[2 * half:sr // 2 + half], atol=1e-6)


def test_audio_and_midi_files(two_region_render, tmp_path):
    write_audio(two_region_render, tmp_path / "r.flac")
    data, sr = sf.read(tmp_path / "r.flac")
    assert sr == 44100 and data.shape == two_region_render.audio.shape
    two_region_render.write_midi(tmp_path / "r.mid")
    mid = mido.MidiFile(tmp_path / "r.mid")
    tempos = [m.tempo for m in mid.tracks[0] if m.type == "set_tempo"]
    assert [round(mido.tempo2bpm(t), 2) for t in tempos] == [112.0, 84.0]
    notes = sum(1 for tr in mid.tracks for m in tr if m.type == "note_on")
    assert notes == len(two_region_render.events)
    assert abs(mid.length - 16.75) < 3.0  # last notes may ring a little past the end


def test_unknown_descriptor_is_reported_before_any_work():
    timeline = Timeline.from_regions((0.0, 5.0), descriptors=["pop_indie_hopefull"],
                                     keys=[("C", "major")], tempi=[100.0],
                                     instrument_groups=[("grand_piano",)])
    with pytest.raises(UnknownDescriptorError, match="pop_indie_hopeful"):
        render_timeline(timeline)


def test_cancel():
    with pytest.raises(Cancelled):
        render_timeline(make_timeline(TWO), cancelled=lambda: True)


def test_cancel_mid_render_stops_soon_and_leaves_no_threads():
    before = threading.active_count()
    t0 = time.perf_counter()
    with pytest.raises(Cancelled):
        render_timeline(make_timeline(TWO), cancelled=lambda: time.perf_counter() - t0 > 0.05)
    assert time.perf_counter() - t0 < 2.0
    assert threading.active_count() == before


def test_same_render_whatever_the_number_of_threads(two_region_render, monkeypatch):
    from core.render import engine

    for workers in (1, 3):
        monkeypatch.setattr(engine, "WORKERS", workers)
        np.testing.assert_array_equal(render_timeline(make_timeline(TWO), seed=5).audio,
                                      two_region_render.audio)


def test_a_failing_region_is_raised_and_leaves_no_threads(monkeypatch):
    from core.render import sampler

    def broken(self, key, n):
        raise RuntimeError("synth exploded")

    before = threading.active_count()
    monkeypatch.setattr(sampler.NoteCache, "_render", broken)
    with pytest.raises(RuntimeError, match="synth exploded"):
        render_timeline(make_timeline(TWO))
    assert threading.active_count() == before


@pytest.mark.parametrize("chunk", range(5))
def test_every_descriptor_renders_without_clipping(chunk):
    active = list(load_dictionary().active())
    mine = active[chunk::5]
    parts = [(d.name, float((d.tags.tempo_min + d.tags.tempo_max) // 2), "E", "minor"
              if d.tags.mode not in ("major", "lydian", "mixolydian") else "major", 3.0)
             for d in mine]
    r = render_timeline(make_timeline(parts), seed=chunk)
    assert np.isfinite(r.audio).all() and np.abs(r.audio).max() <= 1.0
    for i in range(len(parts)):  # every region sounds
        seg = r.audio[int(i * 3.0 * r.sr) + 2000:int((i + 1) * 3.0 * r.sr) - 2000]
        assert np.sqrt(np.mean(seg ** 2)) > 1e-3, parts[i][0]
