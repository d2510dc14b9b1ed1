"""The render's MIDI file as a General MIDI player hears it (issue 16, part 5).

Before: every part of every region had its own track, the channels of later regions
were shared with earlier ones, and every program change sat at tick 0, so a GM player
played the first region's bass with the last program set on its channel.
"""

from __future__ import annotations

import mido
import pytest

from core.render.engine import render_timeline
from core.render.midi import DRUM_CHANNEL, DRUM_GROUPS, GM_PROGRAMS, TempoMap, write_midi
from core.render.events import NoteEvent, PartSpec
from core.render.timeline import Timeline

#: Three regions whose bands differ (keyboard, bass and drums change instrument).
REGIONS = [("pop_indie_hopeful", ("grand_piano", "bass", "drum_kit")),
           ("electronica_house_euphoric", ("synth_pad", "synth_bass", "electronic_drums")),
           ("pop_indie_hopeful", ("organ", "bass", "drum_kit"))]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    timeline = Timeline.from_regions(
        [0.0, 6.0, 12.0, 18.0], descriptors=[d for d, _ in REGIONS],
        keys=[("D", "major"), ("F", "minor"), ("D", "major")], tempi=[112.0, 124.0, 112.0],
        instrument_groups=[g for _, g in REGIONS])
    render = render_timeline(timeline, seed=3)
    path = tmp_path_factory.mktemp("midi") / "render.mid"
    render.write_midi(path)
    return render, mido.MidiFile(str(path))


def _heard(mid: mido.MidiFile) -> list[tuple[float, int, int | None]]:
    """(seconds, channel, program in force) of every note-on, as a GM player plays it."""
    program: dict[int, int] = {}
    now, out = 0.0, []
    for msg in mid:  # all tracks merged in time order, times in seconds
        now += msg.time
        if msg.type == "program_change":
            program[msg.channel] = msg.program
        elif msg.type == "note_on" and msg.velocity > 0:
            out.append((now, msg.channel, program.get(msg.channel)))
    return out


def test_every_note_plays_with_its_own_instruments_program(rendered):
    render, mid = rendered
    heard = _heard(mid)
    pitched = sorted((e for e in render.events if e.instrument not in DRUM_GROUPS),
                     key=lambda e: e.start)
    got = [h for h in heard if h[1] != DRUM_CHANNEL]
    assert len(got) == len(pitched) > 0
    # compare as multisets per (rounded time, program): the order of simultaneous notes
    # of one tick is the player's business
    want = sorted((round(e.start, 2), GM_PROGRAMS[e.instrument]) for e in pitched)
    assert sorted((round(t, 2), p) for t, _, p in got) == want


def test_one_channel_per_role_and_program_changes_at_region_starts(rendered):
    render, mid = rendered
    starts = [r.start for r in render.timeline.regions()]
    region_ticks = {render.tempo_map.ticks(t) for t in starts}
    tracks = mid.tracks[1:]
    assert len(tracks) == len({e.part.split(":", 1)[1] for e in render.events})
    for track in tracks:
        channels = {m.channel for m in track if hasattr(m, "channel")}
        assert len(channels) == 1  # one channel per role, across regions
        tick, changes = 0, set()
        for m in track:
            tick += m.time
            if m.type == "program_change":
                changes.add(tick)
        if channels == {DRUM_CHANNEL}:
            assert changes == set()
        else:
            assert changes == region_ticks  # one per region start (these parts play in all)
    # the bass (one group in regions 1 and 3, another in region 2) changes program at the
    # start of region 2 and back at the start of region 3, on one channel
    (track,) = [t for t in tracks if t.name.startswith("bass ")]
    (channel,) = {m.channel for m in track if hasattr(m, "channel")}
    heard = [h for h in _heard(mid) if h[1] == channel]
    assert len(heard) == sum(e.part.endswith(":bass") for e in render.events)
    bounds = starts + [float("inf")]
    region = [{p for t, _, p in heard if bounds[i] <= t + 1e-3 < bounds[i + 1]}
              for i in range(3)]
    assert region == [{GM_PROGRAMS["bass"]}, {GM_PROGRAMS["synth_bass"]}, {GM_PROGRAMS["bass"]}]


def test_a_note_whose_instrument_differs_from_its_part_gets_its_program_first(tmp_path):
    parts = (PartSpec("r0:keys", "grand_piano"), PartSpec("r1:keys", "organ"))
    events = (NoteEvent(0.0, 0.5, 60, 0.8, "r0:keys", "grand_piano"),
              NoteEvent(1.0, 0.5, 62, 0.8, "r0:keys", "strings"),  # a colour note
              NoteEvent(2.0, 0.5, 64, 0.8, "r1:keys", "organ"))
    path = tmp_path / "x.mid"
    write_midi(events, parts, TempoMap(((0.0, 120.0),)), path, region_starts=[0.0, 2.0])
    heard = _heard(mido.MidiFile(str(path)))
    assert [p for _, _, p in heard] == [GM_PROGRAMS["grand_piano"], GM_PROGRAMS["strings"],
                                         GM_PROGRAMS["organ"]]
    assert len({c for _, c, _ in heard}) == 1
