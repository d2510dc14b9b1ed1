"""The render's notes as a Standard MIDI File (type 1), for a user's DAW.

One track per part (General MIDI program from the part's instrument group; drum
parts on channel 10), a conductor track with the tempo map of the timeline's metered
spans, so bars and beats line up in the DAW exactly as they did in the render.
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


def _channels(parts: Sequence[PartSpec]) -> dict[str, int]:
    """A MIDI channel per part; drums on 10; more than 15 pitched parts share channels."""
    out, free = {}, [c for c in range(16) if c != DRUM_CHANNEL]
    for i, p in enumerate(parts):
        out[p.name] = DRUM_CHANNEL if p.instrument in DRUM_GROUPS else free[i % len(free)]
    return out


def _part_track(part: PartSpec, events: list[NoteEvent], channel: int, tmap: TempoMap):
    import mido

    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=f"{part.name} ({part.instrument})", time=0))
    if channel != DRUM_CHANNEL:
        track.append(mido.Message("program_change", channel=channel,
                                  program=GM_PROGRAMS.get(part.instrument, 0), time=0))
    pan = int(round(64 + 63 * max(-1.0, min(1.0, part.pan))))
    track.append(mido.Message("control_change", channel=channel, control=10, value=pan, time=0))
    msgs = []
    for e in events:
        on, off = tmap.ticks(e.start), tmap.ticks(e.start + max(e.duration, 0.01))
        vel = max(1, min(127, int(round(e.velocity * 127))))
        pitch = max(0, min(127, e.pitch))
        # note-offs sort before note-ons at the same tick, so repeated notes re-trigger
        msgs.append((on, 1, mido.Message("note_on", channel=channel, note=pitch, velocity=vel)))
        msgs.append((max(off, on + 1), 0, mido.Message("note_off", channel=channel, note=pitch,
                                                       velocity=0)))
    now = 0
    for tick, _, msg in sorted(msgs, key=lambda m: (m[0], m[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def write_midi(events: Sequence[NoteEvent], parts: Sequence[PartSpec], tempo_map: TempoMap,
               path: str | os.PathLike, *, title: str = "Twintrack render") -> None:
    """Write ``events`` as a type-1 Standard MIDI File."""
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
    channels = _channels(parts)
    for part in parts:
        mine = [e for e in events if e.part == part.name]
        if mine:
            mid.tracks.append(_part_track(part, mine, channels[part.name], tempo_map))
    with atomic_path(path) as tmp:
        mid.save(str(tmp))
