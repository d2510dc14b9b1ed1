"""The render's notes as a Standard MIDI File (type 1), for a user's DAW.

One track and one channel per part role across regions (the bass of every region on
one channel, drums on channel 10), with a program change to each region's instrument
(General MIDI program from its group) at that region's start, and a conductor track
with the tempo map of the timeline's metered spans, so bars and beats line up in the
DAW exactly as they did in the render.
Written with ``mido``; the file is written atomically.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from typing import Sequence

from core.io.atomic import atomic_path
from core.render.events import NoteEvent, PartSpec

__all__ = ["GM_PROGRAMS", "TempoMap", "write_midi"]

PPQ = 480
DRUM_CHANNEL = 9
DRUM_GROUPS = {"drum_kit", "electronic_drums", "orchestral_percussion"}
#: General MIDI program (0-based) for every instrument group.
GM_PROGRAMS = {
    "grand_piano": 0, "electric_piano": 4, "organ": 16, "strings": 48, "brass": 61,
    "woodwinds": 73, "choir_pad": 52, "synth_pad": 89, "synth_lead": 81, "synth_bass": 38,
    "bass": 33, "acoustic_guitar": 25, "electric_guitar": 27, "mallets": 11, "harp_pluck": 46,
    "drum_kit": 0, "electronic_drums": 25, "orchestral_percussion": 48,
    "voice": 53,    # the vocal part of sampled renders (core.render.voice): Voice Oohs
}


@dataclass(frozen=True)
class TempoMap:
    """Piecewise-constant tempo: ``(time_seconds, bpm)`` changes, first at 0."""

    changes: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        ticks = [0.0]
        for (t0, bpm), (t1, _) in zip(self.changes[:-1], self.changes[1:]):
            ticks.append(ticks[-1] + (t1 - t0) * bpm / 60.0 * PPQ)
        object.__setattr__(self, "_ticks", tuple(ticks))
        object.__setattr__(self, "_times", tuple(t for t, _ in self.changes))

    def ticks(self, seconds: float) -> int:
        """Absolute tick of a time in seconds."""
        i = max(bisect.bisect_right(self._times, seconds) - 1, 0)
        t0, bpm = self.changes[i]
        return int(round(self._ticks[i] + (seconds - t0) * bpm / 60.0 * PPQ))


def _role(part_name: str) -> tuple[int | None, str]:
    """``('r3:bass')`` -> ``(3, 'bass')``: the engine names a region's parts ``r<i>:<role>``."""
    head, sep, role = part_name.partition(":")
    if sep and head[:1] == "r" and head[1:].isdigit():
        return int(head[1:]), role
    return None, part_name


def _lanes(parts: Sequence[PartSpec]) -> dict[str, list[PartSpec]]:
    """Parts grouped by role, in order of first appearance: one track and channel each."""
    out: dict[str, list[PartSpec]] = {}
    for p in parts:
        out.setdefault(_role(p.name)[1], []).append(p)
    return out


def _channels(lanes: dict[str, list[PartSpec]]) -> dict[str, int]:
    """A MIDI channel per role; drums on 10; more than 15 pitched roles share channels."""
    out, free, i = {}, [c for c in range(16) if c != DRUM_CHANNEL], 0
    for role, specs in lanes.items():
        if any(p.instrument in DRUM_GROUPS for p in specs):
            out[role] = DRUM_CHANNEL
        else:
            out[role] = free[i % len(free)]
            i += 1
    return out


def _pan(part: PartSpec) -> int:
    return int(round(64 + 63 * max(-1.0, min(1.0, part.pan))))


def _role_track(role: str, specs: list[PartSpec], events: list[NoteEvent], channel: int,
                tmap: TempoMap, region_starts: Sequence[float]):
    """One role across regions: at each region's start the program (and pan) of that
    region's part; a note whose own instrument needs another program gets it first."""
    import mido

    drums = channel == DRUM_CHANNEL
    track = mido.MidiTrack()
    names = sorted({p.instrument for p in specs})
    track.append(mido.MetaMessage("track_name", name=f"{role} ({', '.join(names)})", time=0))
    # (tick, order, message, program a note-on needs): at one tick note-offs come first,
    # then program and pan, then note-ons
    msgs = []
    for p in specs:
        region = _role(p.name)[0]
        at = region_starts[region] if region is not None and region < len(region_starts) else 0.0
        tick = tmap.ticks(at)
        if not drums:
            msgs.append((tick, 1, mido.Message("program_change", channel=channel,
                                               program=GM_PROGRAMS.get(p.instrument, 0)), None))
        msgs.append((tick, 2, mido.Message("control_change", channel=channel, control=10,
                                           value=_pan(p)), None))
    for e in events:
        on, off = tmap.ticks(e.start), tmap.ticks(e.start + max(e.duration, 0.01))
        vel = max(1, min(127, int(round(e.velocity * 127))))
        pitch = max(0, min(127, e.pitch))
        # note-offs sort before note-ons at the same tick, so repeated notes re-trigger
        msgs.append((on, 3, mido.Message("note_on", channel=channel, note=pitch, velocity=vel),
                     None if drums else GM_PROGRAMS.get(e.instrument, 0)))
        msgs.append((max(off, on + 1), 0, mido.Message("note_off", channel=channel, note=pitch,
                                                       velocity=0), None))
    now, program = 0, None
    for tick, _, msg, wanted in sorted(msgs, key=lambda m: (m[0], m[1])):
        if msg.type == "program_change":
            program = msg.program
        if wanted is not None and wanted != program:
            track.append(mido.Message("program_change", channel=channel, program=wanted,
                                      time=tick - now))
            now, program = tick, wanted
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def write_midi(events: Sequence[NoteEvent], parts: Sequence[PartSpec], tempo_map: TempoMap,
               path: str | os.PathLike, *, title: str = "Twintrack render",
               region_starts: Sequence[float] = ()) -> None:
    """Write ``events`` as a type-1 Standard MIDI File.

    Parameters
    ----------
    region_starts : sequence of float
        Start time of every region (seconds), in order: region ``i``'s parts
        (``r<i>:<role>``) get their program change there.
    """
    import mido

    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    conductor = mido.MidiTrack()
    conductor.append(mido.MetaMessage("track_name", name=title, time=0))
    conductor.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    now = 0
    for t, bpm in tempo_map.changes:
        tick = tempo_map.ticks(t)
        conductor.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm),
                                          time=tick - now))
        now = tick
    conductor.append(mido.MetaMessage("end_of_track", time=0))
    mid.tracks.append(conductor)
    lanes = _lanes(parts)
    channels = _channels(lanes)
    for role, specs in lanes.items():
        names = {p.name for p in specs}
        mine = [e for e in events if e.part in names]
        if mine:
            mid.tracks.append(_role_track(role, specs, mine, channels[role], tempo_map,
                                          region_starts))
    with atomic_path(path) as tmp:
        mid.save(str(tmp))
