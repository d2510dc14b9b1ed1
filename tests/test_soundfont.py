"""Sampled renders (core.render.soundfont, core.render.production) on the real GM
SoundFont: deterministic for a seed, notes where the events say, every instrument group
on a program the font has, and a clear message or a silent fallback without a font."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.descriptors import INSTRUMENT_GROUPS, load_dictionary
from core.errors import Cancelled, TwintrackError
from core.render import soundfont as sfm
from core.render.engine import render_timeline
from core.render.events import NoteEvent
from core.render.master import CEILING
from core.render.timeline import Timeline
from core.render.voice import VOICE

GENRES = ("rock", "pop", "electronica", "hip_hop", "folk", "cinematic", "documentary")


def _timeline(parts) -> Timeline:
    d = load_dictionary()
    names, tempi, seconds = zip(*parts)
    bounds = list(itertools.accumulate(seconds, initial=0.0))
    return Timeline.from_regions(bounds, descriptors=names, keys=[("D", "major")] * len(names),
                                 tempi=tempi,
                                 instrument_groups=[d.by_name(n).tags.instrument_groups
                                                    for n in names], meta={"title": "t"})


TWO = [("rock_indie_driving", 128.0, 5.0), ("folk_acoustic_tender", 96.0, 4.0)]


@pytest.fixture(scope="module")
def font_path():
    path = sfm.find_soundfont()
    assert path is not None, "the GM SoundFont (fluid-soundfont-gm) is a listed dependency"
    return path


@pytest.fixture(scope="module")
def sampled(font_path):
    return render_timeline(_timeline(TWO), seed=3, instruments="soundfont")


def test_sampled_render_is_deterministic_for_a_seed_and_differs_from_synthesis(sampled):
    again = render_timeline(_timeline(TWO), seed=3, instruments="soundfont")
    assert again.audio.tobytes() == sampled.audio.tobytes()
    assert sampled.instruments == "soundfont" and "SoundFont" in sampled.notes[0]
    synth = render_timeline(_timeline(TWO), seed=3)
    assert synth.instruments == "synth" and synth.notes == ()
    assert synth.audio.shape == sampled.audio.shape
    assert not np.allclose(synth.audio, sampled.audio, atol=1e-3)
    # the same notes, and the sampled render's voice (folk has one) on top
    assert tuple(e for e in sampled.events if e.instrument != VOICE) == synth.events
    sung = [e for e in sampled.events if e.instrument == VOICE]
    assert sung and {e.part for e in sung} == {"r1:vocal"}
    assert [p.name for p in sampled.parts if p.instrument == VOICE] == ["r1:vocal"]
    assert all(p.instrument != VOICE for p in synth.parts)
    other = render_timeline(_timeline(TWO), seed=4, instruments="soundfont")
    assert other.audio.tobytes() != sampled.audio.tobytes()


def test_sampled_render_is_full_length_finite_and_under_the_ceiling(sampled):
    assert len(sampled.audio) == round(9.0 * sampled.sr)
    assert np.all(np.isfinite(sampled.audio))
    peak = float(np.max(np.abs(sampled.audio)))
    assert 0.2 < peak <= CEILING + 1e-6
    for a, b in ((0, 5), (5, 9)):                 # both regions sound
        seg = sampled.audio[int(a * sampled.sr):int(b * sampled.sr)]
        assert np.sqrt(np.mean(seg ** 2)) > 0.02


def test_every_group_of_every_genre_plays_a_preset_the_font_has(font_path):
    import fluidsynth

    synth = fluidsynth.Synth()
    sfid = synth.sfload(str(font_path))
    try:
        for genre, group in itertools.product(GENRES, INSTRUMENT_GROUPS):
            for role in ("", "melody", "chords", "counter"):
                bank, preset = sfm.program(group, genre, role)
                assert synth.sfpreset_name(sfid, bank, preset), (genre, group, role)
                drum = group in ("drum_kit", "electronic_drums", "orchestral_percussion")
                assert (bank == 128) == drum
    finally:
        synth.delete()


def test_a_note_sounds_when_its_event_says(font_path):
    font = sfm.load_soundfont(str(font_path), 44100)
    ev = [NoteEvent(0.5, 0.4, 60, 0.8, "melody", "grand_piano")]
    stem = font.render_part(ev, group="grand_piano", genre="pop", n=44100, role="melody")
    assert stem.shape == (2, 44100)
    loud = np.flatnonzero(np.abs(stem).max(axis=0) > 1e-3)
    onset = loud[0] / 44100
    assert 0.5 - 2.5 * sfm.TIMING_SD - 0.002 <= onset <= 0.5 + 2.5 * sfm.TIMING_SD + 0.01
    shifted = font.render_part(ev, group="grand_piano", genre="pop", n=44100, offset=-0.25)
    assert np.flatnonzero(np.abs(shifted).max(axis=0) > 1e-3)[0] < loud[0] - 0.2 * 44100


def test_humanising_is_small_seeded_and_keeps_the_notes():
    ev = [NoteEvent(0.25 * i, 0.2, 60 + i % 7, 0.6, "m", "strings") for i in range(200)]
    a, b = sfm.humanise(ev, 1), sfm.humanise(ev, 1)
    assert a == b and a != sfm.humanise(ev, 2)
    shifts = np.array([h[0] - e.start for h, e in zip(a, ev)])
    assert 0 < np.abs(shifts).max() <= 2.5 * sfm.TIMING_SD + 1e-9
    assert [h[2] for h in a] == [e.pitch for e in ev]
    vel = np.array([h[3] for h in a])
    assert np.all((vel >= 1) & (vel <= 127)) and abs(vel.mean() - 0.6 * 127) < 3
    drums = sfm.humanise(ev, 1, drums=True)
    assert np.abs([h[0] - e.start for h, e in zip(drums, ev)]).max() <= 1.25 * sfm.TIMING_SD + 1e-9


def test_missing_or_broken_font_is_a_clear_error_in_soundfont_mode(tmp_path, monkeypatch):
    tl = _timeline([("pop_indie_hopeful", 112.0, 2.0)])
    missing = tmp_path / "none.sf2"
    with pytest.raises(sfm.SoundFontError, match="none.sf2"):
        render_timeline(tl, instruments="soundfont", soundfont=missing)
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF not a soundfont at all" * 10)
    monkeypatch.setenv(sfm.ENV, str(broken))
    assert sfm.find_soundfont() == broken
    with pytest.raises(sfm.SoundFontError, match="broken.sf2.*cannot load") as err:
        render_timeline(tl, instruments="soundfont")
    assert isinstance(err.value, TwintrackError)


def test_auto_mode_falls_back_to_synthesis_with_a_note(tmp_path, monkeypatch, font_path):
    tl = _timeline([("pop_indie_hopeful", 112.0, 2.0)])
    synth = render_timeline(tl, seed=1)
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF....sfbk" * 10)
    fell = render_timeline(tl, seed=1, instruments="auto", soundfont=broken)
    assert fell.instruments == "synth" and "cannot load" in fell.notes[0]
    assert fell.audio.tobytes() == synth.audio.tobytes()
    monkeypatch.setattr(sfm, "SEARCH_PATHS", (tmp_path / "nowhere.sf2",))
    monkeypatch.delenv(sfm.ENV, raising=False)
    none = render_timeline(tl, seed=1, instruments="auto")
    assert none.instruments == "synth" and "no SoundFont found" in none.notes[0]
    assert none.events == synth.events          # synthesis: no voice, the same notes
    with pytest.raises(sfm.SoundFontError, match="no SoundFont found"):
        render_timeline(tl, seed=1, instruments="soundfont")
    monkeypatch.undo()
    found = render_timeline(tl, seed=1, instruments="auto")
    assert found.instruments == "soundfont" and str(font_path) in found.notes[0]
    assert any(e.instrument == VOICE for e in found.events)     # pop sings
    with pytest.raises(ValueError, match="instruments"):
        render_timeline(tl, instruments="samples")


def test_a_sampled_voice_is_heard_and_written_to_midi(tmp_path, monkeypatch, font_path):
    """A rap over a hip-hop beat: it changes the mix well above rounding, the beat's notes
    stay, and the MIDI file carries the voice (as GM Voice Oohs)."""
    import mido

    from core.render import voice as vc

    tl = _timeline([("hip_hop_boom_bap_groovy", 90.0, 8.0)])
    render = render_timeline(tl, seed=2, instruments="soundfont")
    rap = [e for e in render.events if e.instrument == VOICE]
    assert len(rap) > 10
    monkeypatch.delitem(vc.GENRE_DELIVERY, "hip_hop")
    beat = render_timeline(tl, seed=2, instruments="soundfont")
    assert beat.events == tuple(e for e in render.events if e.instrument != VOICE)
    assert np.sqrt(np.mean((render.audio - beat.audio) ** 2)) > 0.02
    render.write_midi(tmp_path / "r.mid")
    programs = {m.program for t in mido.MidiFile(tmp_path / "r.mid").tracks for m in t
                if m.type == "program_change"}
    assert 53 in programs                      # the voice as GM Voice Oohs


def test_a_sampled_render_can_be_cancelled(font_path):
    with pytest.raises(Cancelled):
        render_timeline(_timeline(TWO), instruments="soundfont", cancelled=lambda: True)


def test_cli_render_chooses_the_instruments_and_names_a_missing_font(tmp_path, capsys):
    from core.cli import main
    from core.render.timeline import save_timeline

    save_timeline(_timeline([("folk_acoustic_tender", 96.0, 3.0)]), tmp_path / "t.json")
    assert main(["render", str(tmp_path / "t.json"), "--out", str(tmp_path / "a.wav"),
                 "--instruments", "soundfont"]) == 0
    assert "soundfont instruments" in capsys.readouterr().out
    code = main(["render", str(tmp_path / "t.json"), "--out", str(tmp_path / "b.wav"),
                 "--instruments", "soundfont", "--soundfont", str(tmp_path / "gone.sf2")])
    assert code == 1 and "gone.sf2: no SoundFont there" in capsys.readouterr().err
    assert not (tmp_path / "b.wav").exists()
    assert main(["render", str(tmp_path / "t.json"), "--out", str(tmp_path / "c.wav"),
                 "--instruments", "auto", "--soundfont", str(tmp_path / "gone.sf2")]) == 0
    out = capsys.readouterr().out
    assert "synth instruments; " in out and "gone.sf2" in out


def test_production_is_per_genre_deterministic_and_under_the_ceiling():
    from core.render import production as pr
    from core.render.events import MixSpec

    genres = set(load_dictionary().genres())
    assert set(pr.PRODUCTION) == genres and set(pr.ROLE_GAIN) <= genres
    assert set(sfm.GENRE_PROGRAMS) <= genres
    rng = np.random.default_rng(0)
    sr, n = 44100, 44100 * 2
    t = np.arange(n) / sr
    tone = (np.sin(2 * np.pi * 220 * t) * (0.2 + 0.8 * (t % 0.5 < 0.1))).astype(np.float32)
    dry = np.stack([tone, tone]) + rng.normal(0, 0.01, (2, n)).astype(np.float32)

    def crest(genre: str) -> float:
        out = pr.produce(dry.copy(), dry * np.float32(0.3), MixSpec(reverb=0.3), genre, sr)
        again = pr.produce(dry.copy(), dry * np.float32(0.3), MixSpec(reverb=0.3), genre, sr)
        assert out.tobytes() == again.tobytes() and out.shape == (2, n)
        assert np.max(np.abs(out)) <= CEILING + 1e-6
        return float(np.max(np.abs(out)) / np.sqrt(np.mean(out ** 2)))

    # rock is driven and compressed harder than a cinematic mix: a lower crest factor
    assert crest("rock") < crest("cinematic") - 0.2
