"""The transport prepares the player's audio off the GUI thread and hands it over ready."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from tests.gui.conftest import FakePlayer


def _loaded(seconds: float, sr: int = 44100, seed: int = 0):
    from core.app.tracks import LoadedTrack, envelope_of

    audio = (np.random.default_rng(seed).standard_normal((int(seconds * sr), 2)) * 0.1
             ).astype(np.float32)
    return LoadedTrack(f"track{seed}.wav", audio, sr, sr, 2, seconds, envelope_of(audio, sr),
                       None)


def _render(seconds: float, sr: int = 44100):
    audio = np.zeros((int(seconds * sr), 2), np.float32)
    return SimpleNamespace(render=SimpleNamespace(audio=audio, sr=sr), playback=None)


@pytest.fixture
def prep_log(monkeypatch):
    """Record the thread and input length of every ``prepare_source`` call; a test can
    hold preparation back with ``log.gate``."""
    from core import playback

    real = playback.prepare_source
    log = SimpleNamespace(calls=[], gate=threading.Event())
    log.gate.set()

    def prepare_source(y, sr, *, samplerate):
        log.gate.wait(10)
        log.calls.append((threading.current_thread(), None if y is None else len(y)))
        return real(y, sr, samplerate=samplerate)

    monkeypatch.setattr(playback, "prepare_source", prepare_source)
    yield log
    log.gate.set()  # a failed test may have left it shut (torn down before ``transport``)


@pytest.fixture
def transport(qtbot):
    from gui.transport import Transport

    t = Transport()
    qtbot.addWidget(t)
    yield t
    t.shutdown()


def _document(loaded, name="x.wav"):
    from gui.document import Document

    doc = Document(name)
    doc.set_loaded(loaded)
    return doc


def test_audio_is_prepared_on_a_worker_and_handed_over_ready(qtbot, transport, prep_log):
    player = FakePlayer(samplerate=48000)  # the track is 44.1 kHz: A must be resampled
    transport.set_player(player, "fake")
    loaded = _loaded(3.0)
    doc = _document(loaded)
    transport.set_document(doc)  # preparation starts now, before anyone presses play
    qtbot.waitUntil(lambda: transport._prepared is not None, timeout=10000)  # noqa: SLF001
    assert "set_sources" not in player.names()  # nothing handed over while nobody listens
    transport.play_pause()
    assert player.names()[-2:] == ["set_sources", "play"]
    assert player.prepared == [True]  # read-only stereo float32 at 48 kHz
    assert len(player.a) == 3 * 48000
    gui = threading.main_thread()
    assert prep_log.calls and all(thread is not gui for thread, _ in prep_log.calls)


def test_play_pressed_while_preparing_plays_when_ready(qtbot, transport, prep_log):
    player = FakePlayer()
    transport.set_player(player, "fake")
    prep_log.gate.clear()  # preparation is slow
    transport.set_document(_document(_loaded(2.0)))
    transport.play_pause()
    transport.seek(1.0)  # the newest command waiting wins
    transport.play_pause()
    qtbot.wait(50)
    assert player.names() == ["stop", "set_loop"]  # the GUI thread did not wait for audio
    prep_log.gate.set()
    qtbot.waitUntil(lambda: player.state == "playing", timeout=10000)
    assert player.names()[2:] == ["set_sources", "play"]


def test_a_new_render_while_listening_is_prepared_alone_and_swapped_in(qtbot, transport,
                                                                        prep_log):
    player = FakePlayer()
    transport.set_player(player, "fake")
    doc = _document(_loaded(2.0))
    transport.set_document(doc)
    qtbot.waitUntil(lambda: transport._prepared is not None, timeout=10000)  # noqa: SLF001
    transport.play_pause()
    a = player.a
    prep_log.calls.clear()
    doc.set_renders((_render(2.5),))
    qtbot.waitUntil(lambda: "set_b" in player.names(), timeout=10000)
    assert player.a is a and len(player.b) == int(2.5 * 44100) and player.prepared[-1]
    assert [n for _, n in prep_log.calls] == [int(2.5 * 44100)]  # A was not prepared again


def test_switching_tracks_drops_the_old_preparation(qtbot, transport, prep_log):
    player = FakePlayer()
    transport.set_player(player, "fake")
    prep_log.gate.clear()
    transport.set_document(_document(_loaded(1.0, seed=1), "one.wav"))
    second = _document(_loaded(2.0, seed=2), "two.wav")
    transport.set_document(second)
    prep_log.gate.set()
    transport.play_pause()
    qtbot.waitUntil(lambda: player.state == "playing", timeout=10000)
    assert len(player.a) == 2 * 44100
    np.testing.assert_array_equal(player.a, second.loaded.audio)


def test_a_preparation_error_is_reported_not_raised(qtbot, transport, monkeypatch):
    from core import playback

    def broken(y, sr, *, samplerate):
        raise ValueError("bad buffer")

    monkeypatch.setattr(playback, "prepare_source", broken)
    player = FakePlayer()
    transport.set_player(player, "fake")
    with qtbot.waitSignal(transport.message_posted, timeout=10000) as blocker:
        transport.set_document(_document(_loaded(1.0)))
    assert blocker.args[0] == "error" and "could not be prepared" in blocker.args[1]
    assert "set_sources" not in player.names()


def test_a_second_render_plays_after_the_first_was_heard(qtbot, transport, prep_log):
    """Issue 14: Render, play B, keep variant 1, Render again, Space: B plays, the new
    render (the two renders' arrays are equal in shape: comparing them is an error)."""
    player = FakePlayer()
    transport.set_player(player, "fake")
    doc = _document(_loaded(2.0))
    transport.set_document(doc)
    doc.set_renders((_render(2.0),))
    transport.set_mode("B")
    transport.play_pause()
    qtbot.waitUntil(lambda: player.state == "playing", timeout=10000)
    transport.play_pause()  # pause, then render again: a new variant 1
    doc.set_renders((_render(2.0),))
    transport.play_pause()  # Space
    qtbot.waitUntil(lambda: player.state == "playing", timeout=10000)
    names = player.names()
    assert names[names.index("pause"):][-2:] == ["set_b", "play"]  # the new B, then play
    assert player.mode == "B" and player.prepared[-1]
    assert transport.play_button.text() == "Pause"


def test_a_playback_failure_is_shown_and_the_buttons_stay_true(qtbot, transport, prep_log):
    player = FakePlayer()

    def broken():
        raise RuntimeError("the stream went away")

    player.play = broken
    transport.set_player(player, "fake")
    transport.set_document(_document(_loaded(1.0)))
    with qtbot.waitSignal(transport.message_posted, timeout=10000) as blocker:
        transport.play_pause()
    level, text = blocker.args
    assert level == "error" and "the stream went away" in text
    assert "the stream went away" in transport.status_label.text()
    assert transport.play_button.text() == "Play" and player.state == "stopped"


def test_an_output_that_stops_is_reported_once(qtbot, transport):
    player = FakePlayer()
    transport.set_player(player, "fake")
    messages = []
    transport.message_posted.connect(lambda level, text: messages.append((level, text)))
    player.state, player.is_available = "stopped", False  # its stream's callback failed
    qtbot.waitUntil(lambda: bool(messages), timeout=2000)
    qtbot.wait(4 * 30)  # more clock ticks: still one message
    assert [level for level, _ in messages] == ["error"]
    assert "audio output failed" in messages[0][1] and transport.play_button.text() == "Play"


def _timeline(boundaries):
    from core.render.timeline import Timeline

    n = len(boundaries) - 1
    return Timeline.from_regions(boundaries, descriptors=["x"] * n, keys=[("C", "major")] * n,
                                 tempi=[120.0] * n, instrument_groups=[()] * n)


def test_b_is_level_matched_by_default_and_the_toggle_gives_the_raw_render(qtbot, transport,
                                                                            monkeypatch):
    """Issue 14: B at A's loudness per section unless the toggle is off; switching back
    and forth while listening measures the loudness once."""
    from core.app import listen
    from core.app.levels import section_loudness

    measured = []
    real = listen.match_levels
    monkeypatch.setattr(listen, "match_levels",
                        lambda *args, **kwargs: measured.append(1) or real(*args, **kwargs))
    player = FakePlayer()
    transport.set_player(player, "fake")
    loaded, sr = _loaded(4.0), 44100
    doc = _document(loaded)
    transport.set_document(doc)
    # The render: the original 12 dB louder in its first region, 12 dB quieter after.
    raw = np.concatenate([loaded.audio[:2 * sr] * 4.0, loaded.audio[2 * sr:] / 4.0])
    render = SimpleNamespace(audio=raw, sr=sr, timeline=_timeline([0.0, 2.0, 4.0]))
    doc.set_renders((SimpleNamespace(render=render, playback=None),))
    assert transport.level_button.isEnabled() and transport.level_button.isChecked()
    transport.set_mode("B")
    transport.play_pause()
    qtbot.waitUntil(lambda: player.state == "playing", timeout=10000)
    spans = [(0.0, 2.0), (2.0, 4.0)]
    differences = np.subtract(section_loudness(player.b, sr, spans),
                              section_loudness(player.a, sr, spans))
    assert np.abs(differences).max() < 0.5
    tip = transport.level_button.toolTip()
    assert "0:00.0-0:02.0: -12.0 dB" in tip and "0:02.0-0:04.0: +12.0 dB" in tip

    transport.level_button.click()  # off while listening: the raw render is swapped in
    qtbot.waitUntil(lambda: player.names().count("set_b") == 1, timeout=10000)
    np.testing.assert_array_equal(player.b, raw)
    assert "as rendered" in transport.level_button.toolTip()
    transport.level_button.click()  # on again: the gains measured before
    qtbot.waitUntil(lambda: player.names().count("set_b") == 2, timeout=10000)
    assert np.abs(np.subtract(section_loudness(player.b, sr, spans),
                              section_loudness(player.a, sr, spans))).max() < 0.5
    assert measured == [1] and "-12.0 dB" in transport.level_button.toolTip()
    assert player.state == "playing" and player.mode == "B"


def test_fast_arrow_presses_add_up(qtbot, transport, monkeypatch):
    """Issue 14, bug 6: three presses of Right before the audio callback ran move 15 s.

    A real ``core.playback.Player`` on a fake output stream whose callback the test runs:
    a seek reaches the playhead only once a callback has taken it."""
    from core.playback import Player
    from tests.test_playback import Clock, fake_sounddevice

    clock = Clock()
    monkeypatch.setattr("core.playback.player._clock", clock)
    monkeypatch.setattr("core.playback.player._import_sounddevice", fake_sounddevice)
    player = Player(samplerate=48000, blocksize=512)
    out = np.zeros((512, 2), np.float32)

    def pump(n):
        for _ in range(n):
            info = SimpleNamespace(currentTime=clock.now, outputBufferDacTime=clock.now)
            player._stream.callback(out, 512, info, SimpleNamespace(output_underflow=False))
            clock.now += 512 / 48000

    try:
        transport.set_player(player, "fake")
        transport.set_document(_document(_loaded(60.0)))
        qtbot.waitUntil(lambda: transport._prepared is not None, timeout=10000)
        transport.play_pause()
        pump(94)  # about 1 s
        start = player.position()
        assert 0.9 < start < 1.1
        for _ in range(3):
            transport.forward_action.trigger()
        pump(2)
        assert player.position() == pytest.approx(start + 15.0, abs=0.1)
        transport.back_action.trigger()
        transport.back_action.trigger()
        pump(2)
        assert player.position() == pytest.approx(start + 5.0, abs=0.1)
    finally:
        transport.set_player(None)
        player.close()
