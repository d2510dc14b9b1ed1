"""The composer's part writers, one module per family.

Each writer takes the region's :class:`~core.render.parts.context.PartContext` (style,
scale, chord plan, beat grid, activity levels), its role and instrument group and a
seeded generator, and appends its notes (in seconds) to a shared list.  The families:
:mod:`~core.render.parts.drums`, :mod:`~core.render.parts.bass`,
:mod:`~core.render.parts.chords` (comping and pads), :mod:`~core.render.parts.melody`
(the tune and the counter line), :mod:`~core.render.parts.arpeggio` and
:mod:`~core.render.parts.vocal` (the voice of sampled renders); what they
share is in :mod:`~core.render.parts.context`.  :data:`WRITERS` maps a role to its
writer.
"""

from __future__ import annotations

from core.render.parts.arpeggio import write_arp
from core.render.parts.bass import write_bass
from core.render.parts.chords import write_chords
from core.render.parts.drums import write_drums
from core.render.parts.melody import write_counter, write_melody
from core.render.parts.vocal import write_vocal

__all__ = ["WRITERS"]

WRITERS = {"drums": write_drums, "percussion": write_drums, "bass": write_bass,
           "chords": write_chords, "pad": write_chords, "pad2": write_chords,
           "melody": write_melody, "arp": write_arp, "counter": write_counter,
           "vocal": write_vocal}
