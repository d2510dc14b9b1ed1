"""The synthesiser and mixer: every voice renders, in tune, click-free, deterministic,
and the master never exceeds full scale."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from core.errors import Cancelled
from core.progress import Reporter
from core.render.dsp import equal_power_crossfade
from core.render.events import MixSpec, NoteEvent, PartSpec
from core.render.instruments import DRUM_GROUPS, INSTRUMENT_GROUPS, midi_hz, render_note
from core.render.master import CEILING
from core.render.mixer import render_mix

SR = 44100
PITCHED = [g for g in INSTRUMENT_GROUPS if g not in DRUM_GROUPS]
DRY = MixSpec(reverb=0.0)


def _notes(group: str, *, start: float = 0.1) -> list[NoteEvent]:
    if group in DRUM_GROUPS:
        keys = (36, 38, 42, 46, 49, 51, 39, 37, 45, 70, 56, 41)
        return [NoteEvent(start + 0.15 * i, 0.1, k, 0.8, "p", group) for i, k in enumerate(keys)]
    return [NoteEvent(start + 0.3 * i, 0.25, p, 0.5 + 0.2 * i, "p", group)
            for i, p in enumerate((48, 55, 64))] + [NoteEvent(1.0, 0.8, 60, 0.7, "p", group)]


def _mix(group: str, *, seed: int = 0, mix: MixSpec = MixSpec(), length: float = 2.5,
         events: list[NoteEvent] | None = None) -> np.ndarray:
    return render_mix(events if events is not None else _notes(group),
                      [PartSpec("p", group)], mix, length=length, seed=seed)


def test_groups_are_the_published_ones():
    assert len(INSTRUMENT_GROUPS) == 18 and len(set(INSTRUMENT_GROUPS)) == 18
    assert DRUM_GROUPS == {"drum_kit", "electronic_drums", "orchestral_percussion"}


@pytest.mark.parametrize("group", INSTRUMENT_GROUPS)
def test_every_group_renders_sound(group):
    y = _mix(group)
    assert y.shape == (round(2.5 * SR), 2) and y.dtype == np.float32
    assert np.isfinite(y).all()
    assert np.abs(y).max() <= CEILING + 1e-6
    assert np.sqrt(np.mean(y ** 2)) > 0.01
    assert abs(float(y.mean())) < 1e-3          # no DC


@pytest.mark.parametrize("group", PITCHED)
@pytest.mark.parametrize("pitch", [57, 69])
def test_pitched_energy_sits_on_the_fundamental(group, pitch):
    x = render_note(group, pitch, 0.7, 1.0)
    f0 = midi_hz(pitch)
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    ratio = freqs[np.argmax(spec)] / f0
    # the strongest partial is a harmonic (or the sub-octave) of the note...
    assert min(abs(ratio - k) for k in (0.5, 1, 2, 3, 4)) < 0.03 * ratio
    # ...the fundamental itself is strong, and the spectrum is not smeared upwards
    near = spec[np.abs(freqs - f0) < 0.03 * f0].max()
    assert near > 0.1 * spec.max()
    centroid = (freqs * spec ** 2).sum() / (spec ** 2).sum()
    assert centroid < 6 * f0


@pytest.mark.parametrize("group", ["grand_piano", "strings", "bass", "drum_kit", "synth_pad"])
def test_deterministic_for_a_seed(group):
    assert np.array_equal(_mix(group, seed=5), _mix(group, seed=5))


def test_drums_vary_with_the_seed():
    assert not np.array_equal(_mix("drum_kit", seed=1), _mix("drum_kit", seed=2))


@pytest.mark.parametrize("group", INSTRUMENT_GROUPS)
def test_no_clicks_at_note_start_and_end(group):
    start, dur = 0.2, 0.5
    key = 38 if group in DRUM_GROUPS else 60
    ev = [NoteEvent(start, dur, key, 0.9, "p", group)]
    y = _mix(group, events=ev, mix=DRY, length=4.0 if group in DRUM_GROUPS else 3.0)[:, 0]
    peak = np.abs(y).max()
    s = round(start * SR)
    assert np.all(y[:s] == 0)
    jumps = np.abs(np.diff(y))
    first = int(0.00025 * SR)
    body = jumps[s + first:s + round(dur * SR) - 10].max()
    assert abs(y[s]) < 0.01 * peak                                     # starts from silence
    assert jumps[s - 1:s + first].max() < 0.5 * body                   # no step at onset
    off = round((start + dur) * SR)
    if group not in DRUM_GROUPS:                                       # release starts smoothly
        assert jumps[off - 50:off + 50].max() <= 1.05 * body + 1e-4
    last = int(np.flatnonzero(np.abs(y) > 0)[-1])
    assert np.abs(y[last - int(0.001 * SR):last + 1]).max() < 0.02 * peak  # fades to zero


def test_long_held_notes_loop_without_gaps():
    ev = [NoteEvent(0.0, 9.0, 60, 0.7, "p", "synth_pad")]
    y = _mix("synth_pad", events=ev, mix=DRY, length=9.5)[:, 0]
    frame = int(0.05 * SR)
    rms = np.sqrt(np.mean(y[:frame * 190].reshape(190, frame) ** 2, axis=1))
    steady = rms[30:175]
    assert steady.min() > 0.5 * steady.max()   # no dropouts at the loop seams


def test_limiter_never_exceeds_full_scale():
    ev = []
    for i in range(80):
        t = i * 0.05
        ev += [NoteEvent(t, 0.4, 36 + (i * 7) % 40, 1.0, "brass", "brass"),
               NoteEvent(t, 0.1, 36, 1.0, "drums", "electronic_drums"),
               NoteEvent(t + 0.01, 0.3, 28 + i % 12, 1.0, "sub", "synth_bass")]
    parts = [PartSpec("brass", "brass", 30.0), PartSpec("drums", "electronic_drums", 36.0),
             PartSpec("sub", "synth_bass", 24.0)]
    for mix in (MixSpec(dynamics="loud", saturation=0.0, reverb=1.0),
                MixSpec(dynamics="loud", saturation=1.0, filter="sweep", brightness=1.0)):
        y = render_mix(ev, parts, mix, length=4.0, seed=3)
        assert np.isfinite(y).all() and np.abs(y).max() <= 1.0
        assert np.abs(y).max() <= CEILING + 1e-6
        true_peak = np.abs(signal.resample_poly(y, 4, 1, axis=0)).max()
        assert true_peak <= 1.0


def test_dynamics_set_the_level():
    rms = {d: np.sqrt(np.mean(_mix("strings", mix=MixSpec(dynamics=d)) ** 2))
           for d in ("soft", "medium", "loud")}
    assert rms["soft"] < rms["medium"] < rms["loud"]


@pytest.mark.parametrize("filt", ["lowpass", "highpass", "sweep"])
def test_filters_shape_the_spectrum(filt):
    base = _mix("synth_lead")[:, 0]
    y = _mix("synth_lead", mix=MixSpec(filter=filt, brightness=0.2))[:, 0]

    def centroid(x):
        spec = np.abs(np.fft.rfft(x))
        return (np.fft.rfftfreq(x.size, 1 / SR) * spec).sum() / spec.sum()

    assert np.isfinite(y).all()
    assert (centroid(y) > centroid(base)) if filt == "highpass" else (centroid(y) < centroid(base))


@pytest.mark.parametrize("length", [0.5, 10.0, 10.0001, 1.0 / SR, 3.33333, 0.0])
def test_exact_output_length(length):
    ev = [NoteEvent(0.0, 0.3, 60, 0.8, "p", "organ"), NoteEvent(0.2, 20.0, 36, 0.8, "d", "drum_kit")]
    y = render_mix(ev, [PartSpec("p", "organ"), PartSpec("d", "drum_kit")], MixSpec(),
                   length=length)
    assert y.shape == (round(length * SR), 2) and y.dtype == np.float32
    assert np.isfinite(y).all()


def test_empty_and_silent_renders():
    assert not render_mix([], [], MixSpec(), length=1.0).any()
    late = [NoteEvent(5.0, 1.0, 60, 0.8, "p", "organ")]
    assert render_mix(late, [PartSpec("p", "organ")], MixSpec(), length=1.0).shape == (SR, 2)


def test_progress_and_cancel():
    seen: list[float] = []
    _ = render_mix(_notes("bass"), [PartSpec("p", "bass")], MixSpec(), length=2.0,
                   reporter=Reporter(lambda f, s: seen.append(f)))
    assert seen and seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    with pytest.raises(Cancelled):
        render_mix(_notes("bass"), [PartSpec("p", "bass")], MixSpec(), length=2.0,
                   reporter=Reporter(cancelled=lambda: True))


@pytest.mark.parametrize("correlated", [True, False])
def test_equal_power_crossfade_keeps_power(correlated, rng):
    n = 4096
    a = rng.standard_normal((n, 2)).astype(np.float32)
    b = a.copy() if correlated else rng.standard_normal((n, 2)).astype(np.float32)
    out = equal_power_crossfade(a, b, n)
    assert out.shape == (n, 2) and out.dtype == np.float32
    power = np.mean(out.reshape(16, -1) ** 2, axis=1)
    assert np.allclose(power, 1.0, atol=0.2)
    assert np.allclose(out[:8], a[:8], atol=0.01) and np.allclose(out[-8:], b[-8:], atol=0.01)
    if correlated:
        assert np.allclose(out, a, atol=1e-5)


def test_bad_specs_are_rejected():
    with pytest.raises(ValueError):
        MixSpec(filter="bandpass")
    with pytest.raises(ValueError):
        NoteEvent(0.0, 1.0, 60, 1.5, "p", "organ")
    with pytest.raises(ValueError):
        PartSpec("p", "organ", pan=2.0)
