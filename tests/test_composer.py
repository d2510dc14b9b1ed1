"""The composer: key agreement, activity, beat grid, bounds, determinism, form shaping.

No audio: the checks read the notes the way a musician (or a MIDI key finder) would.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from core.errors import TwintrackError
from core.render import harmony as hm
from core.render import theory as th
from core.render.composer import Arrangement, Style, assign_roles, compose_region
from core.render.patterns import DRUM_STYLES

BAND = ("grand_piano", "bass", "drum_kit", "synth_lead", "strings", "harp_pluck")
DRUMS = ("drums", "percussion")
# Krumhansl-Kessler key profiles (C major, C minor).
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
GENRES = ("pop", "cinematic", "electronic", "hip_hop", "folk", "lofi", "rock", "jazz",
          "synthwave", "house", "ambient")


def make_style(**kw) -> Style:
    base = dict(genre="pop", subgenre="", mood="bright", valence=1, momentum=2,
                mode="major", harmonic_rhythm=1.0, progression="axis", rhythmic_density=2,
                drum_style="full", register="mid", dynamics="medium", reverb=0.3,
                saturation=0.0, filter="none", brightness=0.5)
    base.update(kw)
    return Style(**base)


def compose(style: Style, **kw) -> Arrangement:
    args = dict(tempo=110.0, tonic="C", mode=None, start=2.0, duration=40.0,
                instrument_groups=BAND, seed=1, intro=False, ending=False)
    args.update(kw)
    return compose_region(style, **args)


def best_key(arr: Arrangement) -> tuple[int, str]:
    """The major/minor key whose profile best correlates with the duration-weighted
    pitch-class histogram of all pitched notes."""
    hist = np.zeros(12)
    for e in arr.events:
        if e.part not in DRUMS:
            hist[e.pitch % 12] += e.duration
    scores = {(t, m): np.corrcoef(hist, np.roll(prof, t))[0, 1]
              for t in range(12) for m, prof in (("major", KK_MAJOR), ("minor", KK_MINOR))}
    return max(scores, key=scores.get)


def random_style(rng: np.random.Generator, **kw) -> Style:
    fields = dict(genre=str(rng.choice(GENRES)), valence=int(rng.integers(3)),
                  momentum=int(rng.integers(5)), rhythmic_density=int(rng.integers(5)),
                  harmonic_rhythm=float(rng.choice([0.5, 1.0, 2.0])),
                  drum_style=str(rng.choice(DRUM_STYLES)),
                  register=str(rng.choice(["low", "mid", "high", "wide"])))
    fields.update(kw)
    return make_style(**fields)


# --- harmony -----------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("mode", ["major", "minor"])
@pytest.mark.parametrize("progression", sorted(hm.PROGRESSIONS))
def test_pitch_classes_agree_with_the_requested_key(progression, mode, seed):
    rng = np.random.default_rng([seed, len(progression), len(mode)])
    for tonic in rng.choice(th.NOTE_NAMES, size=3, replace=False):
        style = random_style(rng, mode=mode, progression=progression)
        arr = compose(style, tonic=str(tonic), mode=mode, tempo=float(rng.uniform(70, 150)),
                      seed=int(rng.integers(10_000)), ending=bool(rng.integers(2)))
        assert best_key(arr) == (th.pitch_class(str(tonic)), mode), style


def test_church_modes_are_heard_in_their_family_key(rng):
    hits, n = 0, 0
    for mode in ("dorian", "phrygian", "mixolydian", "lydian"):
        for progression in sorted(hm.PROGRESSIONS):
            tonic = str(rng.choice(th.NOTE_NAMES))
            arr = compose(random_style(rng, mode=mode, progression=progression), tonic=tonic,
                          seed=int(rng.integers(10_000)))
            hits += best_key(arr) == (th.pitch_class(tonic), th.family(mode))
            n += 1
    # Modal loops are ambiguous by nature (C lydian is G major's scale); most must still
    # be heard in the right key.
    assert hits / n >= 0.8


@pytest.mark.parametrize("key_mode, style_mode, expected", [
    ("minor", "dorian", "dorian"), ("minor", "major", "minor"), ("major", "phrygian", "major"),
    ("major", "lydian", "lydian"), (None, "mixolydian", "mixolydian"), ("minor", "minor", "minor"),
])
def test_the_key_family_wins_and_the_style_mode_colours_it(key_mode, style_mode, expected):
    assert th.resolve_mode(style_mode, key_mode) == expected


def test_bass_plays_the_chord_bass_on_strong_beats_and_chord_changes():
    for progression in sorted(hm.PROGRESSIONS):
        for momentum, genre in zip(range(5), ("cinematic", "jazz", "house", "hip_hop", "rock")):
            style = make_style(progression=progression, momentum=momentum, genre=genre,
                               drum_style="boom_bap" if genre == "hip_hop" else "full")
            arr = compose(style, tonic="F", mode="major", ending=True, seed=momentum)
            strong = {round(t, 6) for t in arr.beat_times[::4]}
            strong |= {round(c.start, 6) for c in arr.chords}
            checked = 0
            for e in arr.events:
                if e.part == "bass" and round(e.start, 6) in strong:
                    chord = [c for c in arr.chords if c.start <= e.start + 1e-9][-1]
                    assert e.pitch % 12 == chord.bass, (progression, genre, e, chord)
                    checked += 1
            assert checked > 0


def test_chord_voicings_move_smoothly_and_never_cross():
    arr = compose(make_style(momentum=0, progression="minor_descending", genre="classical"),
                  instrument_groups=("grand_piano", "bass"))
    voicings: dict[float, list[int]] = {}
    for e in arr.events:
        if e.part == "chords":
            voicings.setdefault(e.start, []).append(e.pitch)
    chords = [sorted(v) for _, v in sorted(voicings.items())]
    assert len(chords) > 8 and all(len(c) == 4 for c in chords)
    moves = [abs(a - b) for c0, c1 in zip(chords, chords[1:]) for a, b in zip(c0, c1)]
    assert np.mean(moves) < 2.5 and max(moves) <= 7


def test_melody_moves_mostly_by_step():
    rng = np.random.default_rng(5)
    intervals = []
    for seed in range(12):
        arr = compose(random_style(rng), seed=seed)
        mel = [e.pitch for e in arr.events if e.part == "melody"]
        intervals += list(np.abs(np.diff(mel)))
    intervals = np.array(intervals)
    assert (intervals <= 2).mean() > 0.55 and (intervals <= 5).mean() > 0.9


# --- rhythm and activity -----------------------------------------------------------

@pytest.mark.parametrize("rhythmic_density", [0, 2, 4])
@pytest.mark.parametrize("drum_style", ["none", "full", "four_on_the_floor"])
@pytest.mark.parametrize("genre", GENRES)
def test_event_density_rises_with_momentum(genre, drum_style, rhythmic_density):
    density = []
    for momentum in range(5):
        style = make_style(genre=genre, momentum=momentum, rhythmic_density=rhythmic_density,
                           drum_style=drum_style)
        density.append(sum(len(compose(style, seed=s, duration=30.0).events) for s in range(2)))
    assert all(a < b for a, b in zip(density, density[1:])), density


def test_rhythmic_density_refines_activity():
    counts = [len(compose(make_style(momentum=2, rhythmic_density=d)).events) for d in (0, 2, 4)]
    assert counts[0] < counts[1] < counts[2]


@pytest.mark.parametrize("tempo", [40.0, 87.3, 120.0, 143.0, 200.0])
@pytest.mark.parametrize("drum_style", [d for d in DRUM_STYLES if d != "none"])
def test_kick_and_snare_sit_on_the_beat_grid(tempo, drum_style):
    style = make_style(drum_style=drum_style, momentum=4, rhythmic_density=4,
                       genre="hip_hop" if drum_style == "boom_bap" else "pop")
    arr = compose(style, tempo=tempo, start=1.234, duration=37.0, ending=True)
    beat = 60.0 / tempo
    assert np.allclose(np.diff(arr.beat_times), beat, atol=1e-9)
    assert arr.beat_times[0] == 1.234
    grid = np.array(arr.beat_times)
    for e in arr.events:
        if e.part == "drums" and e.pitch in (36, 38):
            # On a sixteenth of the beat grid (kick and snare are never swung).
            k = np.searchsorted(grid, e.start + 1e-6) - 1
            frac = (e.start - grid[k]) / beat * 4
            assert abs(frac - round(frac)) * beat / 4 < 1e-3, (e, drum_style)
    downbeat_kicks = {round(e.start, 6) for e in arr.events if e.part == "drums" and e.pitch == 36}
    assert round(arr.beat_times[0], 6) in downbeat_kicks


# --- bounds and odd regions ---------------------------------------------------------

@pytest.mark.parametrize("duration", [3.7, 10.0, 47.3])
@pytest.mark.parametrize("tempo", [40.0, 200.0, 123.4])
@pytest.mark.parametrize("ending", [False, True])
def test_every_note_lies_inside_the_region(duration, tempo, ending):
    start = 12.5
    for seed, intro in ((0, True), (1, False)):
        arr = compose(make_style(momentum=4, rhythmic_density=4, drum_style="trap"), seed=seed,
                      tempo=tempo, start=start, duration=duration, intro=intro, ending=ending)
        assert arr.events
        end = start + duration
        for e in arr.events:
            assert start - 1e-9 <= e.start < end and e.start + e.duration <= end + 1e-9, e
        assert arr.bars == math.ceil(duration / (4 * 60.0 / tempo) - 1e-9)
        assert len(arr.beat_times) == math.ceil(duration / (60.0 / tempo) - 1e-9)


def test_the_final_chord_is_released_before_the_region_end():
    arr = compose(make_style(momentum=1), duration=31.0, ending=True)
    end = 2.0 + 31.0
    last = max(e.start + e.duration for e in arr.events if e.part not in DRUMS)
    assert last < end - 0.05
    assert arr.chords[-1].symbol == "C" and arr.chords[-2].symbol == "G7"


# --- determinism, coverage ---------------------------------------------------------

def test_same_seed_same_notes_other_seed_other_motif():
    style = make_style(momentum=3)
    a, b, c = compose(style, seed=7), compose(style, seed=7), compose(style, seed=8)
    assert a == b
    melody = [[(round(e.start, 4), e.pitch) for e in x.events if e.part == "melody"][:16]
              for x in (a, c)]
    assert melody[0] != melody[1]


@pytest.mark.parametrize("mode", list(th.MODE_STEPS))
@pytest.mark.parametrize("progression", sorted(hm.PROGRESSIONS))
def test_every_progression_family_produces_music(progression, mode):
    arr = compose(make_style(progression=progression, mode=mode), duration=20.0, ending=True)
    parts = {e.part for e in arr.events}
    assert {"drums", "bass", "chords", "melody"} <= parts
    assert all(0 <= e.pitch <= 127 and 0 < e.velocity <= 1 for e in arr.events)


@pytest.mark.parametrize("drum_style", DRUM_STYLES)
@pytest.mark.parametrize("time_signature", [3, 4])
def test_every_drum_style_produces_its_part(drum_style, time_signature):
    arr = compose(make_style(drum_style=drum_style, momentum=3), duration=20.0,
                  time_signature=time_signature)
    drums = [e for e in arr.events if e.part == "drums"]
    assert bool(drums) == (drum_style != "none")
    assert len(arr.beat_times) == math.ceil(20.0 / (60 / 110) - 1e-9)


def test_roles_follow_the_instruments_and_the_genre():
    roles = dict(assign_roles(("acoustic_guitar", "strings", "bass", "drum_kit"), idiom="folk"))
    assert roles == {"drums": "drum_kit", "bass": "bass", "chords": "acoustic_guitar",
                     "pad": "strings", "melody": "acoustic_guitar"}
    solo = dict(assign_roles(("grand_piano",)))
    assert solo == {"bass": "grand_piano", "chords": "grand_piano", "melody": "grand_piano"}
    every = assign_roles(("strings", "brass", "woodwinds", "choir_pad", "harp_pluck",
                          "orchestral_percussion", "drum_kit"), idiom="cinematic")
    assert {g for _, g in every} == {"strings", "brass", "woodwinds", "choir_pad",
                                     "harp_pluck", "orchestral_percussion", "drum_kit"}


# --- form shaping ------------------------------------------------------------------

def _in_bar(arr: Arrangement, bar: int) -> list:
    spb = arr.beat_times[1] - arr.beat_times[0]
    t0 = arr.beat_times[0] + 4 * spb * bar
    return [e for e in arr.events if t0 - 1e-9 <= e.start < t0 + 4 * spb - 1e-9]


def test_an_intro_starts_thin_and_fades_in():
    style = make_style(momentum=3)
    intro, cont = compose(style, intro=True), compose(style, intro=False)
    first_i, first_c = _in_bar(intro, 0), _in_bar(cont, 0)
    assert len(first_i) < len(first_c)
    assert not [e for e in first_i if e.part in DRUMS + ("melody",)]
    assert np.mean([e.velocity for e in first_i]) < np.mean([e.velocity for e in first_c])


def test_a_section_change_crashes_on_its_first_downbeat():
    arr = compose(make_style(momentum=2), intro=False)
    assert any(e.pitch == 49 and e.start == arr.beat_times[0] for e in arr.events)


@pytest.mark.parametrize("duration", [10.0, 29.9, 47.3])
def test_an_ending_crashes_on_the_last_downbeat_and_holds(duration):
    arr = compose(make_style(momentum=3), duration=duration, ending=True)
    spb = arr.beat_times[1] - arr.beat_times[0]
    full = int(math.floor(duration / (4 * spb) + 1e-9))
    last_down = arr.beat_times[4 * max(full - 1, 0)]
    crashes = [e.start for e in arr.events if e.part == "drums" and e.pitch == 49]
    assert any(abs(t - last_down) < 1e-9 for t in crashes)
    assert not [e for e in arr.events if e.part == "drums" and e.start > last_down + 1e-9]
    final = arr.chords[-1]
    assert final.start == pytest.approx(last_down) and final.root == 0


def test_bad_style_tags_are_reported_by_name():
    with pytest.raises(TwintrackError, match="drum_style 'polka'"):
        compose(make_style(drum_style="polka"))
    with pytest.raises(TwintrackError, match="unknown tonic"):
        compose(make_style(), tonic="H")
    with pytest.raises(TwintrackError, match="instrument groups"):
        compose(make_style(), instrument_groups=("kazoo",))
    with pytest.raises(TwintrackError, match="sentiment 'wry'"):
        compose(make_style(sentiment="wry"))


def test_valence_brightens_register_and_mix():
    low, high = (compose(make_style(valence=v, mode="minor" if v == 0 else "major"))
                 for v in (0, 2))
    mean = [np.mean([e.pitch for e in a.events if e.part not in DRUMS]) for a in (low, high)]
    assert mean[1] - mean[0] > 3
    assert high.mix.brightness > low.mix.brightness


def test_a_dense_three_minutes_stays_a_reasonable_size():
    # No timing assertion here (timings belong in bench/); just the size a busy style reaches.
    style = dataclasses.replace(make_style(momentum=4, rhythmic_density=4), genre="synthwave")
    arr = compose(style, duration=180.0, tempo=128.0, intro=True, ending=True)
    assert 3000 < len(arr.events) < 20000


def test_timpani_are_tuned_to_the_key():
    style = make_style(genre="cinematic", drum_style="orchestral", momentum=3)
    arr = compose(style, tonic="D", mode="minor",
                  instrument_groups=("strings", "brass", "orchestral_percussion"))
    pitched = {e.pitch for e in arr.events
               if e.part == "drums" and 41 <= e.pitch <= 53 and e.pitch not in (49, 51)}
    assert pitched and {p % 12 for p in pitched} <= {2, 9}  # D and A


def test_rhythm_cells_get_busier_level_by_level():
    from core.render.patterns import BASS_CELLS, COMP_CELLS, parse_cell
    for table in (BASS_CELLS, COMP_CELLS):
        for name, cells in table.items():
            counts = [len(parse_cell(c).onsets) for c in cells]
            assert all(a < b for a, b in zip(counts, counts[1:])), (name, counts)


# --- key and pulse clarity ----------------------------------------------------------

@pytest.mark.parametrize("mode", list(th.MODE_STEPS))
@pytest.mark.parametrize("progression", sorted(hm.PROGRESSIONS))
def test_the_tonic_chord_opens_and_closes_every_phrase(progression, mode):
    scale = th.Scale(7, mode)
    for hr in (0.5, 1.0, 2.0):
        span = max(4 / hr, 8.0) if progression == "drone" else 4 / hr
        phrase = len(hm.progression(progression, scale)) * span
        plan = hm.chord_plan(progression, scale, ts=4, total=4 * phrase, harmonic_rhythm=hr)
        at = lambda beat: [c for a, b, c in plan if a <= beat < b][0]  # noqa: E731
        for k in range(4):
            first, last = at(k * phrase), at((k + 1) * phrase - 0.5)
            assert first.root == scale.tonic, (progression, mode, hr, k, first.symbol)
            assert last.root == scale.tonic, (progression, mode, hr, k, last.symbol)
            assert first.bass == scale.tonic  # the bass on the tonic on bar 1 of a phrase


@pytest.mark.parametrize("progression", ["axis", "minor_epic", "doo_wop", "suspended",
                                         "chromatic_tension"])
def test_minor_loops_keep_the_tonic_in_the_bass_under_relative_major_chords(progression):
    scale = th.Scale(9, "minor")
    plan = hm.chord_plan(progression, scale, ts=4, total=64.0, harmonic_rhythm=1.0)
    for a, b, c in plan:
        if (c.root - scale.tonic) % 12 in (1, 3, 8) and c.bass != scale.tonic:
            # Only the chord that closes a phrase (into the tonic) keeps its own bass.
            nxt = [x for x in plan if x[0] == b]
            assert nxt and nxt[0][2].root == scale.tonic, (progression, a, c.symbol)
    tonic = sum(b - a for a, b, c in plan if c.bass == scale.tonic)
    assert tonic / plan[-1][1] >= 0.6


def test_walking_basses_keep_their_line():
    plan = hm.chord_plan("minor_descending", th.Scale(9, "minor"), ts=4, total=16.0,
                         harmonic_rhythm=1.0)
    assert [c.bass for _, _, c in plan][:4] == [9, 7, 5, 4]  # A G F E


PULSE_BANDS = [BAND, ("strings", "synth_pad", "grand_piano", "choir_pad"),
               ("acoustic_guitar", "bass", "strings"), ("synth_pad", "strings", "choir_pad"),
               ("synth_pad", "synth_bass", "electric_piano")]


@pytest.mark.parametrize("band", PULSE_BANDS)
@pytest.mark.parametrize("drum_style", ["none", "light"])
@pytest.mark.parametrize("momentum", [0, 1])
def test_an_onset_marks_every_beat_when_the_drums_do_not(band, drum_style, momentum):
    for genre, tempo, intro in (("ambient", 56.0, True), ("folk", 72.0, False),
                                ("cinematic", 64.0, True)):
        style = make_style(genre=genre, momentum=momentum, rhythmic_density=momentum,
                           drum_style=drum_style, progression="suspended",
                           harmonic_rhythm=0.25)
        arr = compose(style, tempo=tempo, duration=40.0, instrument_groups=band, intro=intro,
                      ending=True)
        pitched = {round(e.start, 6) for e in arr.events if e.part not in DRUMS}
        last_down = arr.chords[-1].start
        beats = [t for t in arr.beat_times if t < last_down - 1e-6]
        missing = [t for t in beats if round(t, 6) not in pitched]
        assert not missing, (genre, band, missing[:4])


@pytest.mark.parametrize("momentum", [0, 1])
def test_a_slow_tune_over_the_pulse_stays_on_the_beat(momentum):
    style = make_style(genre="cinematic", momentum=momentum, rhythmic_density=momentum,
                       drum_style="none")
    for seed in range(6):
        arr = compose(style, tempo=60.0, seed=seed)
        spb = 1.0
        for e in arr.events:
            if e.part == "melody":
                pos = (e.start - 2.0) / spb
                assert abs(pos - round(pos)) < 1e-6, e


def test_driving_gallops_land_their_strongest_attack_on_the_beat():
    from core.render.patterns import BASS_CELLS, COMP_CELLS
    for cell in (COMP_CELLS["power"][4], BASS_CELLS["rock"][4]):
        assert len(cell) == 16
        for beat in range(4):
            assert cell[4 * beat].isalpha()       # every beat is played ...
            assert not cell[4 * beat - 1].isalpha()  # ... after a rest


@pytest.mark.parametrize("drum_style", ["trap", "halftime"])
def test_half_time_feels_keep_their_hats_on_the_eighths(drum_style):
    from core.render.patterns import drum_bar
    for level in (2, 3, 4):
        hats = {h.step for h in drum_bar(drum_style, level) if h.key in (42, 46)}
        assert set(np.arange(0.0, 16.0, 2.0)) <= hats, (drum_style, level)


def test_the_pulse_comes_forward_and_pads_step_back():
    arr = compose(make_style(genre="ambient", momentum=0, rhythmic_density=0,
                             drum_style="none"),
                  instrument_groups=("synth_pad", "strings", "grand_piano", "choir_pad"))
    gains = {p.name: p.gain_db for p in arr.parts}
    busy = compose(make_style(genre="ambient", momentum=3, rhythmic_density=3),
                   instrument_groups=("synth_pad", "strings", "grand_piano", "choir_pad",
                                      "drum_kit"))
    base = {p.name: p.gain_db for p in busy.parts}
    assert gains["arp"] > base.get("arp", -8.0)
    assert gains["chords"] < base["chords"]


def test_open_colour_suspends_every_chord_but_the_tonic():
    """Neutral moods: the chords other than the tonic lose their third (sus2, else sus4),
    in the key; the tonic keeps it, so the key stays clear."""
    from core.render import harmony as hm

    for mode in ("major", "minor", "dorian"):
        scale = th.Scale(2, mode)
        chords = tuple(th.chord_from_numeral(n, scale.tonic, scale.mode)
                       for n in (("I", "IV", "V", "vi") if mode == "major"
                                 else ("i", "iv", "v", "VI")))
        out = hm.coloured(chords, scale, "open")
        assert out[0] == chords[0]
        for before, after in zip(chords[1:], out[1:]):
            assert after.root == before.root and 7 in after.intervals
            assert not {3, 4} & set(after.intervals)
            if all(scale.contains(p) for p in before.pcs):  # an in-key chord stays in key
                assert all(scale.contains(p) for p in after.pcs)
