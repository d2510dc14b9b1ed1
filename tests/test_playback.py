"""Playback engine: the mixer without PortAudio, the player against a fake PortAudio,
and real playback through a private PulseAudio null sink (recorded and matched)."""

from __future__ import annotations

import builtins
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from core import playback
from core.errors import TwintrackError
from core.playback import FADE_SECONDS, MODES, Loop, Mixer, PlaybackUnavailable, Player

from .fixtures.pulse import pulse  # noqa: F401  (fixture)

SR = 44100
N_FADE = round(FADE_SECONDS * SR)
ROOT = Path(__file__).resolve().parents[1]
_EMPTY = np.zeros((0, 2), np.float32)


def stereo(y: np.ndarray) -> np.ndarray:
    out = np.repeat(np.asarray(y, np.float32)[:, None], 2, axis=1)
    out.flags.writeable = False
    return out


def noise(seconds: float, seed: int) -> np.ndarray:
    y = np.random.default_rng(seed).standard_normal(int(seconds * SR)) * 0.25
    return y.astype(np.float32)


def sine(freq: float, seconds: float) -> np.ndarray:
    return (0.5 * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)).astype(np.float32)


def mixer_with(a, b=None, *, mode="A", loop=None, block=4096) -> Mixer:
    m = Mixer(SR, max_block=block)
    m.post("sources", stereo(a), _EMPTY if b is None else stereo(b), 1)
    m.post("mode", mode)
    if loop:
        m.post("loop", *loop)
    m.post("play", 1)
    return m


def run(m: Mixer, frames: int, block: int = 512) -> np.ndarray:
    """Render ``frames`` (a multiple of ``block`` if more follows) in callback-sized
    blocks; returns channel 0."""
    out = np.zeros((block, 2), np.float32)
    got = []
    for _ in range(-(-frames // block)):
        m.render(out)
        assert np.array_equal(out[:, 0], out[:, 1])
        got.append(out[:, 0].copy())
    return np.concatenate(got)[:frames]


# -- the mixer, without sounddevice -----------------------------------------------

@pytest.mark.parametrize("mode", ["A", "B", "AB"])
def test_modes_mix_the_right_samples(mode):
    a, b = noise(1.0, 1), noise(0.5, 2)  # B shorter: silent after its end
    y = run(mixer_with(a, b, mode=mode), SR)
    ga, gb = MODES[mode]
    want = ga * a + gb * np.pad(b, (0, len(a) - len(b)))
    np.testing.assert_allclose(y[N_FADE:], want[N_FADE:], atol=1e-6)
    assert abs(y[0]) <= abs(want[0]) / N_FADE * 1.01  # play fades in


def test_stereo_channels_stay_apart():
    lr = np.tile(np.array([[0.25, -0.75]], np.float32), (SR, 1))
    m = Mixer(SR)
    m.post("sources", playback.prepare_source(lr, SR, samplerate=SR), _EMPTY, 1)
    m.post("play", 1)
    out = np.zeros((1024, 2), np.float32)
    m.render(out)
    assert np.all(out[N_FADE:] == [0.25, -0.75])


def test_toggle_crossfades_sample_accurately_without_a_click():
    ones = np.ones(SR, np.float32)
    m = mixer_with(ones, -ones)
    y = run(m, 3 * 512)
    m.post("mode", "B")  # lands on the next block's first frame: 1536
    y = np.concatenate([y, run(m, 2048)])
    fade = y[1536:1536 + N_FADE]
    np.testing.assert_allclose(fade, 1 - 2 * np.arange(1, N_FADE + 1) / N_FADE, atol=1e-5)
    assert y[1535] == 1.0 and np.all(y[1536 + N_FADE:] == -1.0)
    # Real signals: the switch adds no step larger than the signals' own.
    m = mixer_with(sine(440, 2), sine(660, 2))
    y = run(m, 10 * 512)
    for mode in ("B", "AB", "A", "B"):
        m.post("mode", mode)
        y = np.concatenate([y, run(m, 3000, block=300)])
    assert np.abs(np.diff(y[N_FADE:])).max() <= 0.5 * 2 * np.pi * 660 / SR * 1.02


def test_loop_wraps_with_a_crossfade_and_repeats_exactly():
    t = np.arange(SR, dtype=np.float32) / SR  # the sample value says where it came from
    start, end = 1000, 4000
    m = mixer_with(t, loop=(start, end))
    y = run(m, 20000, block=512)
    period = end - start
    after = end + N_FADE  # first wrap's crossfade done
    np.testing.assert_allclose(y[after:after + 2000], t[start + N_FADE:start + N_FADE + 2000])
    np.testing.assert_array_equal(y[after:after + 10000], y[after + period:after + period + 10000])
    # the wrap blends the outgoing run (past the loop end) into the loop start
    r = np.arange(1, N_FADE + 1) / N_FADE
    np.testing.assert_allclose(y[end:end + N_FADE],
                               t[end:end + N_FADE] * (1 - r) + t[start:start + N_FADE] * r,
                               atol=1e-6)
    # a sine looped at a non-integer period does not click at the wrap
    y = run(mixer_with(sine(440, 1), loop=(1000, 4321)), 20000)
    assert np.abs(np.diff(y[N_FADE:])).max() <= 0.5 * 2 * np.pi * 440 / SR + 1.0 / N_FADE


def test_seek_while_playing_and_while_paused():
    t = np.arange(SR, dtype=np.float32) / SR
    m = mixer_with(t)
    run(m, 2048)
    m.post("seek", 30000)
    y = run(m, 2048)
    assert y[N_FADE] == t[30000 + N_FADE] and m.pos == 32048
    m.post("pause", 10000)  # fade out, then rest at frame 10000
    y = run(m, 2048)
    assert not m.running and m.pos == 10000 and np.all(y[N_FADE:] == 0)
    m.post("seek", 20000)
    m.post("play", 2)
    y = run(m, 2048)
    assert y[N_FADE] == t[20000 + N_FADE] and abs(y[0]) < t[20000] / N_FADE * 1.01


def test_end_of_material_stops_and_rewinds():
    m = mixer_with(noise(0.1, 3), noise(0.2, 4), mode="A")  # A silent after 0.1 s, B runs on
    y = run(m, int(0.3 * SR))
    assert np.all(y[int(0.1 * SR):] == 0)
    assert not m.running and m.pos == 0 and m.ended_run == 1
    assert m.counter == len(y) + (-len(y)) % 512
    # the end is found mid-block: the rest of that block is silence
    y = run(mixer_with(noise(0.1, 3)), 5000, block=1000)
    assert np.all(y[4410:] == 0) and np.any(y[4400:4410] != 0)
    # a pause fading out across the end rests where it asked: paused, not stopped
    m = mixer_with(noise(0.1, 3))
    run(m, 4096)
    m.post("pause", 4000)
    run(m, 1024)
    assert not m.running and m.pos == 4000 and m.ended_run == 0


def test_callback_path_allocates_no_buffers():
    block = 1024  # one block of output is 8 KB; scratch buffers are already there
    m = mixer_with(noise(5.0, 5), noise(4.0, 6), mode="AB", loop=(3000, 30000), block=block)
    out = np.zeros((block, 2), np.float32)
    modes = ("A", "B", "AB")
    for i in range(50):
        m.render(out)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for i in range(3000):  # ~70 s of audio: loop wraps, toggles, a seek, a pause
            if i % 40 == 0:
                m.post("mode", modes[i // 40 % 3])
            if i == 1500:
                m.post("seek", 100)
            m.render(out)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current - base < 1024, "memory grows in the callback path"
    assert peak - base < 4096, "the callback path allocates block-sized buffers"


def test_timeline_follows_output_frames_through_pause_seek_and_wraps():
    m = mixer_with(noise(2.0, 7), loop=(10000, 20000))
    run(m, 512 * 10)  # output frames 0..5120 are timeline 0..5120
    assert m.timeline_at(100.0) == (100.0, 1)
    run(m, 512 * 30)  # past the wrap at output frame 20000
    assert m.timeline_at(20000.0 + 7)[0] == 10007.0
    assert m.timeline_at(19999.0)[0] == 19999.0
    m.post("pause", 12345)
    run(m, 1024)
    m.post("play", 2)
    at_play = m.counter
    run(m, 1024)
    assert m.timeline_at(at_play - 10.0)[0] == 12345.0  # silence: where sound resumes
    assert m.timeline_at(at_play + 10.0)[0] == 12355.0


# -- the player against a fake PortAudio ------------------------------------------

class FakeStream:
    def __init__(self, *, callback, blocksize, **kwargs):
        self.callback, self.blocksize, self.kwargs = callback, blocksize, kwargs
        self.latency, self.active, self.closed = 0.02, False, False

    def start(self):
        self.active = True

    def close(self, ignore_errors=True):
        self.active, self.closed = False, True


def fake_sounddevice(*, devices=True, open_error=None):
    class PortAudioError(Exception):
        pass

    def query_devices(device=None, kind=None):
        if not devices:
            raise PortAudioError("Error querying device -1")
        return {"name": "fake out", "default_samplerate": 48000.0}

    def OutputStream(**kwargs):  # noqa: N802 (sounddevice's name)
        if open_error:
            raise PortAudioError(open_error)
        return FakeStream(**kwargs)

    return SimpleNamespace(PortAudioError=PortAudioError, query_devices=query_devices,
                           CallbackAbort=type("CallbackAbort", (Exception,), {}),
                           OutputStream=OutputStream)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def fake(monkeypatch):
    """A Player on a fake device at 48 kHz, with ``pump(n)`` to run n callbacks."""
    clock = Clock()
    monkeypatch.setattr("core.playback.player._clock", clock)
    monkeypatch.setattr("core.playback.player._import_sounddevice", lambda: fake_sounddevice())
    player = Player(samplerate=SR, blocksize=512)
    stream = player._stream
    out = np.zeros((512, 2), np.float32)

    def pump(n=1, *, latency=0.02, underflow=False):
        for _ in range(n):
            t = clock.now
            time_info = SimpleNamespace(currentTime=t, outputBufferDacTime=t + latency)
            stream.callback(out, 512, time_info, SimpleNamespace(output_underflow=underflow))
            clock.now += 512 / SR
        return out

    yield SimpleNamespace(player=player, pump=pump, clock=clock, stream=stream)
    player.close()


def test_player_position_is_the_frame_leaving_the_speakers(fake):
    p, pump, clock = fake.player, fake.pump, fake.clock
    p.set_sources(noise(2.0, 8), SR, noise(3.0, 9), SR)
    assert (p.duration, p.position(), p.state) == (3.0, 0.0, "stopped")
    pump(2)
    p.play()
    assert p.state == "playing" and p.position() == 0.0
    pump(40)  # 40 blocks rendered since play; 20 ms of them still in the pipe
    rendered = 40 * 512
    assert p.position() == pytest.approx((rendered - 0.02 * SR) / SR, abs=1e-9)
    clock.now += 0.005  # between callbacks: extrapolated
    assert p.position() == pytest.approx((rendered - 0.02 * SR) / SR + 0.005, abs=1e-9)
    clock.now += 1.0  # a stalled callback: no further than what was rendered
    assert p.position() == pytest.approx(rendered / SR, abs=1e-9)
    p.pause()
    held = p.position()
    pump(10)
    assert p.state == "paused" and p.position() == held
    p.play()
    seen = []
    for _ in range(20):
        pump()
        seen.append(p.position())
    assert seen[0] == held and np.all(np.diff(seen) >= 0) and seen[-1] > held
    p.stop()
    assert (p.state, p.position()) == ("stopped", 0.0)


def test_player_stops_itself_at_the_end_and_counts_underruns(fake):
    p, pump = fake.player, fake.pump
    p.set_sources(noise(0.1, 10), SR)
    p.play()
    pump(5, underflow=True)
    pump(10)
    assert (p.state, p.position(), p.underruns) == ("stopped", 0.0, 5)
    p.seek(0.1)  # at the end: play starts again from 0
    p.play()
    pump(2)
    assert p.state == "playing" and 0 < p.position() < 0.05


def test_player_prepares_sources_once_and_keeps_position_on_set_b(fake):
    p, pump = fake.player, fake.pump
    mono_22k = noise(2.0, 11)[::2]
    p.set_sources(mono_22k, 22050, np.stack([noise(1.0, 12)] * 3, axis=1), SR)
    pump()
    m = p._mixer
    assert m._a.shape == (2 * len(mono_22k), 2) and m._a.dtype == np.float32
    assert m._b.shape == (SR, 2) and not m._a.flags.writeable
    ready = p._mixer._a
    assert playback.prepare_source(ready, SR, samplerate=SR) is ready  # not copied again
    p.play()
    pump(30)
    before = p.position()
    p.set_b(noise(4.0, 13), SR)
    pump(1)
    assert p.duration == 4.0 and p.position() >= before
    assert len(p._gens) <= 2  # retired sources are freed here, not in the callback


def test_prepare_source_makes_what_the_callback_reads():
    from core.playback import is_prepared, prepare_source

    mono = noise(1.0, 20)
    mono[10] = np.nan
    y = prepare_source(mono, 22050, samplerate=SR)  # resampled, stereo, finite, read-only
    assert y.shape == (2 * len(mono), 2) and y.dtype == np.float32
    assert not y.flags.writeable and y.flags.c_contiguous and np.isfinite(y).all()
    assert is_prepared(y, SR, SR) and not is_prepared(y, 22050, SR)
    assert np.array_equal(y[:, 0], y[:, 1])
    four = np.stack([noise(0.5, 21 + c) for c in range(4)], axis=1)
    z = prepare_source(four, SR, samplerate=SR)
    np.testing.assert_array_equal(z, four[:, :2])
    # a writeable array in the right format is still copied: its owner could change it
    ready = np.ascontiguousarray(four[:, :2])
    assert not is_prepared(ready, SR, SR)
    assert prepare_source(ready, SR, samplerate=SR) is not ready
    assert prepare_source(None, None, samplerate=SR).shape == (0, 2)
    with pytest.raises(ValueError):
        prepare_source(mono, None, samplerate=SR)


def test_prepared_sources_cost_the_control_thread_nothing(fake):
    """Prepare on a worker thread; set_sources on the control thread only swaps
    references (no copy, no resampling: allocations stay tiny next to the audio)."""
    import threading

    p = fake.player
    raw_a, raw_b = noise(20.0, 22)[::2], noise(10.0, 23)  # A at 22.05 kHz: needs resampling
    prepared = {}
    worker = threading.Thread(target=lambda: prepared.update(
        a=p.prepare(raw_a, 22050), b=p.prepare(np.stack([raw_b] * 2, axis=1), SR)))
    worker.start()
    worker.join()
    a, b = prepared["a"], prepared["b"]
    tracemalloc.start()
    try:
        p.set_sources(a, p.samplerate, b, p.samplerate)
        p.set_b(b, p.samplerate)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 < a.nbytes // 100
    fake.pump()
    assert p._mixer._a is a and p._mixer._b is b  # the very arrays prepared off-thread
    assert p.duration == pytest.approx(20.0, abs=1e-3)


def test_a_failing_callback_goes_silent_and_stops_the_player(fake, caplog):
    p, pump = fake.player, fake.pump
    p.set_sources(noise(1.0, 14), SR)
    p.play()
    pump(2)

    def broken(out):
        raise RuntimeError("bug")

    p._mixer.render = broken
    with pytest.raises(Exception) as abort:
        pump()
    assert type(abort.value).__name__ == "CallbackAbort"
    assert p.state == "stopped" and not p.is_available
    assert "error in the audio callback" in caplog.text


def test_player_modes_loop_and_errors(fake):
    p = fake.player
    p.set_mode("AB")
    p.toggle_ab()
    assert p.mode == "A"
    p.toggle_ab()
    assert p.mode == "B"
    with pytest.raises(ValueError):
        p.set_mode("C")
    with pytest.raises(ValueError):
        Loop(2.0, 1.0)
    with pytest.raises(ValueError):
        p.set_loop(Loop(1.0, 1.005))
    p.set_loop(Loop(0.5, 1.0))
    assert p.loop == Loop(0.5, 1.0)
    assert p.is_available
    with p:
        pass
    p.close()
    assert fake.stream.closed and not p.is_available


# -- when playback is impossible --------------------------------------------------

def test_import_core_playback_does_not_load_portaudio():
    code = "import sys, core.playback; sys.exit('sounddevice' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


@pytest.mark.parametrize("failure", [ImportError("No module named 'sounddevice'"),
                                     OSError("PortAudio library not found")])
def test_no_portaudio_is_reported_clearly(monkeypatch, failure):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise failure
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    ok, reason = playback.playback_status()
    assert not ok and "PortAudio" in reason and "libportaudio2" in reason
    with pytest.raises(PlaybackUnavailable, match="PortAudio") as err:
        Player()
    assert isinstance(err.value, TwintrackError)


def test_no_device_and_device_errors_are_reported_clearly(monkeypatch):
    monkeypatch.setattr("core.playback.player._import_sounddevice",
                        lambda: fake_sounddevice(devices=False))
    ok, reason = playback.playback_status()
    assert not ok and "no usable audio output device" in reason
    with pytest.raises(PlaybackUnavailable, match="no usable audio output device"):
        Player()
    monkeypatch.setattr("core.playback.player._import_sounddevice",
                        lambda: fake_sounddevice(open_error="Device unavailable"))
    assert playback.playback_status() == (True, "output: fake out (48000 Hz)")
    with pytest.raises(PlaybackUnavailable, match="'fake out' could not be opened"):
        Player()


# -- real playback through a PulseAudio null sink ---------------------------------

def chirp(seconds: float, f0: float = 200.0, f1: float = 4000.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / seconds * t * t)
    return (0.5 * np.sin(phase)).astype(np.float32)


def lowpass(y: np.ndarray, cutoff: float) -> np.ndarray:
    from scipy.signal import butter, sosfiltfilt

    return sosfiltfilt(butter(8, cutoff, fs=SR, output="sos"), y).astype(np.float32)


def ncc(x: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Normalised cross-correlation of ``template`` at every offset into ``x``."""
    from scipy.signal import correlate

    x, template = np.asarray(x, np.float64), np.asarray(template, np.float64)
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    window = energy[len(template):] - energy[:-len(template)]
    num = correlate(x, template, mode="valid", method="fft")
    return num / (np.linalg.norm(template) * np.sqrt(np.maximum(window, 1e-12)))


class Recorder:
    """Records channel 0 of the pulse device (the null sink's monitor) in a callback."""

    def __init__(self, sd):
        self.blocks: list[np.ndarray] = []
        self.stream = sd.InputStream(device="pulse", samplerate=SR, channels=2, blocksize=512,
                                     dtype="float32", callback=self._callback)

    def _callback(self, indata, frames, time_info, status):  # input underflows are expected
        self.blocks.append(indata[:, 0].copy())

    def signal(self) -> np.ndarray:
        return np.concatenate(self.blocks)


def wait_until(predicate, timeout: float, log: list, player: Player) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out; positions {log[-5:]}"
        log.append((time.monotonic(), player.position()))
        time.sleep(0.005)


def switch_frame(x: np.ndarray, a: np.ndarray, b: np.ndarray, lo: int, hi: int,
                 win: int = 64) -> tuple[int, int]:
    """Where, in [lo, hi), the recording ``x`` (aligned to the timeline) turns from A
    to B: least squares x = alpha A + beta B per window.  Returns (frame where beta
    first exceeds 0.5, frames from the last beta < 0.1 to the first beta > 0.9)."""
    starts = np.arange(lo, hi - win, win // 4)
    beta = np.empty(len(starts))
    for i, s in enumerate(starts):  # 2x2 normal equations, solved for beta
        ua, ub, v = (np.asarray(y[s:s + win], np.float64) for y in (a, b, x))
        aa, bb, ab = ua @ ua, ub @ ub, ua @ ub
        beta[i] = (aa * (ub @ v) - ab * (ua @ v)) / (aa * bb - ab * ab)
    mid = starts + win // 2
    half = int(np.argmax(beta > 0.5))
    below = np.flatnonzero(beta[:half] < 0.1)
    above = np.flatnonzero(beta[half:] > 0.9)
    return int(mid[half]), int(mid[half + above[0]] - mid[below[-1]])


def find(x: np.ndarray, src: np.ndarray, t0: float, t1: float) -> tuple[float, int]:
    """Best NCC of ``src[t0:t1]`` (seconds) in ``x``, and where timeline 0 then sits."""
    c = ncc(x, src[int(t0 * SR):int(t1 * SR)])
    return float(c.max()), int(np.argmax(c)) - int(t0 * SR)


@pytest.mark.slow
def test_real_playback_plays_a_then_b_then_the_loop(pulse):  # noqa: F811
    import sounddevice as sd

    # Distinct signals, so a match proves which one played.  B is noise below 8 kHz,
    # so a resampler somewhere in PulseAudio would not blur the match.
    a, b = chirp(4.0), lowpass(noise(4.0, 21), 8000)
    loop = Loop(1.6, 2.0)

    def capture():
        log: list[tuple[float, float]] = []
        rec = Recorder(sd)
        with rec.stream, Player(device="pulse", samplerate=SR) as player:
            player.set_sources(a, SR, b, SR)
            player.play()
            wait_until(lambda: player.position() >= 1.0, 5.0, log, player)
            toggled_at = player.position()
            player.toggle_ab()
            player.set_loop(loop)
            wraps = lambda: sum(q[1] - p[1] < -0.2 for p, q in zip(log, log[1:]))  # noqa: E731
            wait_until(lambda: wraps() >= 4, 6.0, log, player)
            time.sleep(0.3)
            player.stop()
            stats = player.stats()
            time.sleep(0.1)
        return rec.signal(), stats, toggled_at, log

    # A recording that a dropout left too short to hold the switch window cannot be
    # measured at all (the player is not at fault there): capture once more.
    for _ in range(2):
        x, stats, toggled_at, log = capture()
        latency = stats.latency * SR
        zero_t = find(x, a, toggled_at - 0.4, toggled_at - 0.1)[1]
        hi = int((toggled_at + 0.1) * SR) + int(latency)
        if len(x) - zero_t >= hi + 64:
            break
    assert np.isfinite(x).all() and np.abs(x).max() <= 1.0

    ncc_a, zero = find(x, a, 0.3, 0.9)  # A, the chirp
    ncc_b, zero_b = find(x, b, 1.2, 1.5)  # B after the toggle, where A would have been
    ncc_a_late = find(x, a, 1.2, 1.5)[0]  # ... and A never there
    # The switch, on the timeline: after the frame that was audible when toggle_ab()
    # was called (position() subtracts the output latency), crossfaded over ~10 ms.
    switch, width = switch_frame(x[zero_t:], a, b, int(toggled_at * SR) - 4096, hi)
    ahead = switch - toggled_at * SR
    # The loop: the segment repeats exactly one loop length apart (first pass + wraps).
    c_l = ncc(x, b[int((loop.start + 0.02) * SR):int(loop.end * SR)])
    peaks = [i for i in np.flatnonzero(c_l > 0.9)
             if c_l[i] == c_l[max(0, i - 2000):i + 2000].max()]
    spacing = np.diff(peaks) / SR
    print(f"\nNCC A {ncc_a:.4f}, B {ncc_b:.4f} (A there {ncc_a_late:.3f}), loop "
          f"{[round(float(c_l[i]), 4) for i in peaks]} at spacings {spacing.round(5).tolist()} s; "
          f"B sits {zero_b - zero} frames off A; switch {ahead:.0f} frames after position() "
          f"(latency {latency:.0f}, block 512), crossfade 10-90% {width} frames; "
          f"underruns {stats.underruns}")

    assert ncc_a > 0.95 and ncc_b > 0.95 and ncc_a_late < 0.3
    assert abs(zero_b - zero) < 0.05 * SR  # B on A's clock (a dropout may shift a little)
    assert 0.5 * latency <= ahead <= latency + 4 * 512 + 512  # latency was subtracted
    assert 0.2 * N_FADE <= width <= 2 * N_FADE
    # (a dropout on a busy machine may cost one repetition its match, so not all five)
    assert np.sum(np.abs(spacing - (loop.end - loop.start)) < 0.002) >= 2
    # position(): tracks the wall clock, never goes backwards except at a wrap
    t, pos = np.array(log).T
    steps = np.diff(pos)
    assert np.all((steps >= 0) | (np.abs(steps + 0.4) < 0.1))
    early = (pos > 0.2) & (pos < 0.95)
    assert np.polyfit(t[early], pos[early], 1)[0] == pytest.approx(1.0, abs=0.05)


@pytest.mark.slow
def test_real_playback_stops_at_the_end(pulse):  # noqa: F811
    with Player(device="pulse") as player:
        player.set_sources(sine(440, 0.3), SR)
        player.play()
        deadline = time.monotonic() + 3.0
        while player.state == "playing" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (player.state, player.position()) == ("stopped", 0.0)
        assert player.is_available
