"""Build ``resources/descriptors.json`` from compact musical rules.

Run from the repository root::

    .venv/bin/python -m tools.make_descriptors           # rewrite the shipped file
    .venv/bin/python -m tools.make_descriptors --check   # exit 1 if it is out of date

The dictionary is the product of a few small tables.  :data:`MOODS` fixes what a mood
*means* (sentiment, valence, momentum) and its colour instrument, register and filter;
:data:`HARMONY` its preferred modes and progressions, best first.
:data:`SUBGENRES` fixes how a style is played (tempo band per momentum, drum style per
momentum, instrument palettes for calm / moderate / busy music, its idiomatic modes
and progressions, its space and grit).  Every entry is a mood played in a subgenre:
the first preferred mode (progression) of the mood that the subgenre uses idiomatically
wins, falling back to the mood's own first choice; a positive mood looks at its
major-family modes first, a negative one at its minor-family modes.  Moods of one
subgenre with equal sentiment, valence and momentum ("twins") always play their own
colour instrument and register, and each takes a mode its earlier twins do not use.

Identifiers are stable: ``id = 1000 * genre + 100 * subgenre + mood`` (1-based
positions in the tables).  Append new moods at the end of a subgenre's list, never
reorder or delete, and retire a descriptor through :data:`RETIRED` instead, so models
trained on older dictionaries keep their meaning.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from core.descriptors import dictionary_from_dict
from core.render.theory import family

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "descriptors.json"
VERSION = "descriptors-v4"
logger = logging.getLogger("make_descriptors")

# name: display name, roles, MIDI low, MIDI high (typical written range of the group)
GROUPS: dict[str, tuple[str, tuple[str, ...], int, int]] = {
    "grand_piano": ("Grand piano", ("chords", "melody", "bass", "arpeggio"), 21, 108),
    "electric_piano": ("Electric piano", ("chords", "melody", "arpeggio"), 28, 100),
    "organ": ("Organ", ("chords", "pad", "bass"), 36, 96),
    "strings": ("Strings", ("chords", "pad", "melody", "bass"), 28, 103),
    "brass": ("Brass", ("chords", "melody", "bass"), 28, 82),
    "woodwinds": ("Woodwinds", ("melody", "arpeggio"), 34, 98),
    "choir_pad": ("Choir", ("pad", "chords", "melody", "bass"), 40, 81),
    "synth_pad": ("Synth pad", ("pad", "chords"), 36, 96),
    "synth_lead": ("Synth lead", ("melody", "arpeggio"), 48, 96),
    "synth_bass": ("Synth bass", ("bass",), 24, 60),
    "bass": ("Bass", ("bass",), 28, 67),
    "acoustic_guitar": ("Acoustic guitar", ("chords", "melody", "arpeggio", "rhythm"), 40, 84),
    "electric_guitar": ("Electric guitar", ("chords", "melody", "rhythm"), 40, 88),
    "mallets": ("Mallets", ("melody", "arpeggio"), 45, 108),
    "harp_pluck": ("Harp / pluck", ("arpeggio", "melody", "chords"), 24, 103),
    "drum_kit": ("Drum kit", ("rhythm",), 35, 81),
    "electronic_drums": ("Electronic drums", ("rhythm",), 35, 81),
    "orchestral_percussion": ("Orchestral percussion", ("rhythm",), 35, 81),
}

# mood: sentiment, valence, momentum, colour group, register, filter ('' = the style's own)
MOODS: dict[str, tuple[str, int, int, str, str, str]] = {
    "serene": ("positive", 2, 0, "harp_pluck", "high", ""),
    "tender": ("positive", 2, 0, "grand_piano", "mid", ""),
    "ethereal": ("neutral", 2, 0, "choir_pad", "high", "highpass"),
    "meditative": ("neutral", 1, 0, "synth_pad", "wide", ""),
    "lonely": ("negative", 1, 0, "acoustic_guitar", "mid", ""),
    "desolate": ("negative", 0, 0, "choir_pad", "low", ""),
    "mournful": ("negative", 0, 0, "strings", "low", ""),
    "melancholic": ("negative", 0, 1, "strings", "mid", ""),
    "brooding": ("negative", 0, 1, "synth_pad", "low", ""),
    "wistful": ("negative", 1, 1, "acoustic_guitar", "mid", ""),
    "mysterious": ("neutral", 0, 1, "mallets", "low", ""),
    "dreamy": ("neutral", 1, 1, "synth_pad", "high", "lowpass"),
    "reflective": ("neutral", 1, 1, "grand_piano", "mid", ""),
    "nostalgic": ("neutral", 1, 1, "electric_piano", "mid", "lowpass"),
    "laid_back": ("positive", 1, 1, "electric_piano", "mid", ""),
    "heartfelt": ("positive", 2, 1, "strings", "mid", ""),
    "peaceful": ("positive", 2, 1, "woodwinds", "wide", ""),
    "romantic": ("positive", 2, 1, "strings", "high", ""),
    "tense": ("negative", 0, 2, "strings", "low", "highpass"),
    "ominous": ("negative", 0, 2, "brass", "low", ""),
    "dark": ("negative", 0, 2, "synth_pad", "low", ""),
    "curious": ("neutral", 1, 2, "mallets", "high", ""),
    "groovy": ("positive", 1, 2, "electric_piano", "mid", ""),
    "hopeful": ("positive", 1, 2, "grand_piano", "mid", ""),
    "playful": ("positive", 2, 2, "mallets", "high", ""),
    "inspiring": ("positive", 2, 2, "grand_piano", "wide", ""),
    "urgent": ("negative", 0, 3, "strings", "low", ""),
    "gritty": ("negative", 0, 3, "electric_guitar", "low", ""),
    "rebellious": ("negative", 1, 3, "electric_guitar", "mid", ""),
    "primal_pulsing": ("neutral", 0, 3, "choir_pad", "low", ""),
    "driving": ("neutral", 1, 3, "synth_lead", "mid", ""),
    "determined": ("neutral", 1, 3, "strings", "wide", ""),
    "confident": ("positive", 1, 3, "brass", "mid", ""),
    "adventurous": ("positive", 2, 3, "brass", "wide", ""),
    "uplifting": ("positive", 2, 3, "strings", "wide", ""),
    "aggressive": ("negative", 0, 4, "electric_guitar", "low", ""),
    "frantic": ("negative", 0, 4, "strings", "wide", ""),
    "defiant": ("negative", 1, 4, "electric_guitar", "mid", ""),
    "hype": ("neutral", 1, 4, "synth_lead", "low", ""),
    "epic": ("neutral", 1, 4, "choir_pad", "wide", ""),
    "triumphant": ("positive", 2, 4, "brass", "wide", ""),
    "euphoric": ("positive", 2, 4, "synth_lead", "high", "sweep"),
    "anthemic": ("positive", 2, 4, "electric_guitar", "wide", ""),
    "jubilant": ("positive", 2, 4, "woodwinds", "high", ""),
}
# mood: preferred modes / preferred progressions (first idiomatic one wins)
HARMONY: dict[str, str] = {
    "serene": "lydian major / suspended drone axis",
    "tender": "major / axis suspended jazz_ii_v doo_wop",
    "ethereal": "lydian major / suspended drone",
    "meditative": "dorian mixolydian lydian / drone modal_vamp suspended",
    "lonely": "dorian minor mixolydian / lament suspended modal_vamp",
    "desolate": "minor phrygian / drone lament",
    "mournful": "minor dorian / lament minor_descending",
    "melancholic": "minor dorian / minor_descending lament minor_epic",
    "brooding": "minor phrygian / drone minor_descending chromatic_tension",
    "wistful": "dorian mixolydian minor / lament suspended jazz_ii_v",
    "mysterious": "phrygian minor dorian / chromatic_tension drone modal_vamp",
    "dreamy": "lydian major mixolydian / suspended jazz_ii_v axis modal_vamp",
    "reflective": "major dorian mixolydian / suspended axis jazz_ii_v modal_vamp",
    "nostalgic": "major mixolydian / doo_wop jazz_ii_v axis",
    "laid_back": "dorian mixolydian major / jazz_ii_v modal_vamp blues",
    "heartfelt": "major / axis doo_wop suspended",
    "peaceful": "major lydian / suspended axis drone",
    "romantic": "major lydian / doo_wop jazz_ii_v axis",
    "tense": "minor phrygian / chromatic_tension drone modal_vamp",
    "ominous": "phrygian minor / chromatic_tension drone lament",
    "dark": "minor phrygian dorian / minor_descending modal_vamp drone chromatic_tension",
    "curious": "lydian dorian mixolydian major / modal_vamp suspended jazz_ii_v",
    "groovy": "dorian mixolydian / modal_vamp blues jazz_ii_v",
    "hopeful": "major mixolydian lydian / suspended axis doo_wop",
    "playful": "major mixolydian lydian / doo_wop blues axis jazz_ii_v",
    "inspiring": "major lydian / axis suspended",
    "urgent": "minor phrygian / chromatic_tension minor_descending minor_epic",
    "gritty": "minor dorian phrygian / blues modal_vamp minor_descending",
    "rebellious": "mixolydian dorian minor / blues modal_vamp minor_epic",
    "primal_pulsing": "phrygian dorian minor / drone modal_vamp",
    "driving": "minor mixolydian dorian / minor_epic modal_vamp axis",
    "determined": "dorian minor / minor_epic modal_vamp suspended",
    "confident": "dorian mixolydian minor / modal_vamp blues jazz_ii_v",
    "adventurous": "major lydian mixolydian / axis suspended modal_vamp",
    "uplifting": "major lydian / axis doo_wop suspended",
    "aggressive": "phrygian minor / chromatic_tension modal_vamp drone blues",
    "frantic": "minor phrygian / chromatic_tension minor_descending",
    "defiant": "minor dorian mixolydian / minor_epic blues modal_vamp",
    "hype": "minor dorian / modal_vamp drone minor_epic",
    "epic": "minor dorian / minor_epic lament",
    "triumphant": "major mixolydian lydian / axis suspended doo_wop",
    "euphoric": "major lydian mixolydian / axis suspended doo_wop",
    "anthemic": "major mixolydian / axis doo_wop blues",
    "jubilant": "major mixolydian / doo_wop axis blues",
}

# Which modes a progression can be voiced in (the composer spells it in the mode).
PROGRESSION_MODES: dict[str, str] = {
    "axis": "major lydian mixolydian",
    "doo_wop": "major lydian mixolydian",
    "minor_epic": "minor dorian phrygian",
    "minor_descending": "minor dorian phrygian",
    "modal_vamp": "major minor dorian mixolydian phrygian lydian",
    "blues": "major mixolydian dorian minor",
    "drone": "major minor dorian mixolydian phrygian lydian",
    "suspended": "major minor dorian mixolydian phrygian lydian",
    "jazz_ii_v": "major lydian mixolydian dorian minor",
    "lament": "minor dorian major",
    "chromatic_tension": "minor phrygian",
}
HARMONIC_RHYTHM = {"drone": 0.25, "modal_vamp": 0.5, "suspended": 0.5, "chromatic_tension": 0.5}

GENRES = ("cinematic", "documentary", "electronica", "folk", "hip_hop", "pop", "rock")
NAMES = {"hip_hop": "Hip-Hop", "lofi": "Lo-Fi", "boom_bap": "Boom Bap", "post_rock": "Post-Rock",
         "laid_back": "Laid-Back", "primal_pulsing": "Primal Pulsing"}
#: Descriptors that stay findable but are no longer offered or trained on.
RETIRED = {"pop_upbeat_jubilant", "cinematic_suspense_frantic", "rock_hard_defiant"}


def _narrow(lo: int, hi: int) -> tuple[int, int]:
    """The middle half of a tempo band: neighbouring momenta of a style overlap less, so a
    step of momentum is heard as a step of tempo (the band's centre is kept)."""
    centre, half = (lo + hi) / 2, max((hi - lo) / 4, 2)
    return int(round(centre - half)), int(round(centre + half))


def _sub(genre: str, name: str, *, moods: str, tempo: str, drums: str, palettes: str,
         colours: str, harmony: str, kit: str = "drum_kit", reverb: float, saturation: float,
         brightness: float, filter: str = "none", register: str = "", density: int = 0,
         loudness: int = 0) -> dict[str, Any]:
    """One subgenre's playing rules.

    ``tempo`` and ``drums`` give the BPM band and drum style for momentum 0..4 (``-``
    where the subgenre has no mood of that momentum); ``palettes`` the non-drum groups
    for calm (momentum 0-1) / moderate (2) / busy (3-4) music; ``harmony`` the idiomatic
    modes / progressions; ``kit`` the drum group for styles a kit or a machine can play.
    """
    bands = {m: _narrow(*(int(b) for b in band.split("-")))
             for m, band in enumerate(tempo.split()) if band != "-"}
    modes, progs = harmony.split(" / ")
    return {"genre": genre, "name": name, "moods": moods.split(), "tempo": bands,
            "drums": drums.split(), "palettes": [p.split() for p in palettes.split(" / ")],
            "colours": set(colours.split()), "modes": set(modes.split()),
            "progs": set(progs.split()), "kit": kit, "reverb": reverb,
            "saturation": saturation, "brightness": brightness, "filter": filter,
            "register": register, "density": density, "loudness": loudness}


SUBGENRES: list[dict[str, Any]] = [
    # ------------------------------------------------------------- cinematic
    _sub("cinematic", "orchestral",
         moods="serene mournful heartfelt melancholic hopeful playful tense adventurous epic "
               "triumphant",
         tempo="50-66 60-76 84-108 108-132 120-144",
         drums="none none orchestral orchestral orchestral",
         palettes="strings choir_pad brass / strings brass choir_pad / strings brass choir_pad",
         colours="strings brass choir_pad",
         harmony="major minor dorian mixolydian phrygian lydian / axis doo_wop minor_epic "
                 "minor_descending modal_vamp drone suspended lament chromatic_tension",
         reverb=0.7, saturation=0.05, brightness=0.42, register="low"),
    _sub("cinematic", "percussion",
         moods="ominous tense primal_pulsing urgent determined epic aggressive triumphant",
         tempo="- - 80-100 96-120 110-140", drums="- - orchestral orchestral orchestral",
         palettes="strings synth_pad brass / strings synth_pad synth_bass brass / strings brass "
                  "synth_bass choir_pad",
         colours="grand_piano strings brass woodwinds choir_pad synth_pad mallets harp_pluck",
         harmony="major minor dorian mixolydian phrygian / axis minor_epic modal_vamp drone "
                 "suspended chromatic_tension",
         reverb=0.45, saturation=0.25, brightness=0.4, register="low"),
    _sub("cinematic", "ambient",
         moods="serene desolate ethereal meditative mysterious dreamy",
         tempo="50-70 60-80 70-90 - -", drums="none none orchestral - -",
         palettes="synth_pad strings grand_piano / synth_pad strings grand_piano mallets / "
                  "synth_pad strings grand_piano mallets",
         colours="grand_piano strings brass woodwinds choir_pad synth_pad mallets harp_pluck",
         harmony="major minor dorian mixolydian phrygian lydian / axis minor_descending modal_vamp "
                 "drone suspended lament chromatic_tension",
         reverb=0.85, saturation=0.05, brightness=0.45, density=-1),
    _sub("cinematic", "suspense",
         moods="brooding mysterious tense ominous dark urgent frantic",
         tempo="- 60-80 76-100 100-130 130-160", drums="- none light halftime breakbeat",
         palettes="strings synth_pad mallets / strings synth_pad synth_bass mallets / "
                  "strings synth_bass synth_pad mallets brass",
         colours="strings brass synth_pad mallets",
         harmony="minor dorian phrygian / minor_descending modal_vamp drone lament "
                 "chromatic_tension",
         kit="electronic_drums", reverb=0.6, saturation=0.15, brightness=0.3),
    # ----------------------------------------------------------- documentary
    _sub("documentary", "underscore",
         moods="tender meditative reflective melancholic mysterious curious hopeful tense "
               "determined",
         tempo="60-76 70-90 88-108 100-120 -", drums="none light light halftime -",
         palettes="grand_piano mallets synth_pad synth_bass / grand_piano mallets synth_pad "
                  "synth_bass / grand_piano mallets synth_bass synth_pad strings",
         colours="grand_piano electric_piano synth_pad mallets",
         harmony="major minor dorian mixolydian lydian / axis minor_epic minor_descending "
                 "modal_vamp drone suspended lament chromatic_tension",
         kit="electronic_drums", reverb=0.4, saturation=0.1, brightness=0.45),
    _sub("documentary", "corporate",
         moods="reflective inspiring playful driving confident uplifting determined triumphant",
         tempo="- 88-100 100-114 112-124 120-132", drums="- light full full full",
         palettes="grand_piano electric_guitar synth_pad synth_bass / grand_piano electric_guitar "
                  "synth_pad synth_bass mallets / grand_piano electric_guitar synth_pad synth_bass "
                  "synth_lead",
         colours="grand_piano electric_piano synth_pad synth_lead mallets",
         harmony="major dorian mixolydian lydian / axis doo_wop minor_epic modal_vamp suspended",
         kit="electronic_drums", reverb=0.25, saturation=0.15, brightness=0.72),
    _sub("documentary", "nature",
         moods="serene peaceful mysterious curious playful tense adventurous epic",
         tempo="56-70 64-84 88-108 104-124 112-136",
         drums="none none orchestral orchestral orchestral",
         palettes="harp_pluck woodwinds strings mallets / harp_pluck woodwinds mallets strings / "
                  "harp_pluck woodwinds mallets strings",
         colours="strings woodwinds mallets harp_pluck",
         harmony="major dorian mixolydian lydian / axis doo_wop modal_vamp drone suspended lament",
         reverb=0.4, saturation=0.0, brightness=0.7, register="high"),
    # ----------------------------------------------------------- electronica
    _sub("electronica", "house",
         moods="groovy dark driving uplifting euphoric hype",
         tempo="- - 118-122 120-125 124-128",
         drums="- - four_on_the_floor four_on_the_floor four_on_the_floor",
         palettes="electric_piano synth_bass synth_pad / electric_piano synth_bass synth_pad "
                  "synth_lead / grand_piano synth_bass synth_pad synth_lead",
         colours="grand_piano electric_piano organ synth_pad synth_lead mallets",
         harmony="major minor dorian mixolydian lydian / axis doo_wop minor_epic modal_vamp "
                 "suspended jazz_ii_v",
         kit="electronic_drums", reverb=0.3, saturation=0.2, brightness=0.55, filter="sweep"),
    _sub("electronica", "ambient",
         moods="serene meditative ethereal desolate dreamy mysterious brooding",
         tempo="60-76 70-90 80-100 - -", drums="none none light - -",
         palettes="synth_pad synth_bass electric_piano / synth_pad synth_bass synth_lead mallets / "
                  "synth_pad synth_bass synth_lead mallets",
         colours="electric_piano choir_pad synth_pad synth_lead mallets harp_pluck",
         harmony="major minor dorian mixolydian phrygian lydian / axis minor_descending modal_vamp "
                 "drone suspended lament chromatic_tension",
         kit="electronic_drums", reverb=0.85, saturation=0.1, brightness=0.4, filter="lowpass",
         density=-1),
    _sub("electronica", "downtempo",
         moods="laid_back dreamy nostalgic mysterious groovy dark curious",
         tempo="- 80-95 88-102 - -", drums="- halftime breakbeat - -",
         palettes="electric_piano synth_bass strings harp_pluck / electric_piano synth_bass "
                  "mallets synth_pad / electric_piano synth_bass mallets strings",
         colours="electric_piano strings synth_pad mallets harp_pluck",
         harmony="major minor dorian mixolydian lydian / doo_wop minor_descending modal_vamp drone "
                 "suspended jazz_ii_v lament",
         kit="electronic_drums", reverb=0.5, saturation=0.3, brightness=0.4),
    _sub("electronica", "synthwave",
         moods="nostalgic romantic dark driving adventurous urgent euphoric",
         tempo="- 84-100 96-110 104-118 112-126", drums="- halftime full full full",
         palettes="synth_pad synth_bass synth_lead electric_guitar / synth_pad synth_bass "
                  "synth_lead / synth_pad synth_bass synth_lead electric_guitar",
         colours="synth_pad synth_lead electric_guitar",
         harmony="major minor dorian mixolydian lydian / axis doo_wop minor_epic minor_descending "
                 "modal_vamp suspended chromatic_tension",
         kit="electronic_drums", reverb=0.55, saturation=0.35, brightness=0.5),
    # ------------------------------------------------------------------ folk
    _sub("folk", "acoustic",
         moods="tender lonely heartfelt reflective melancholic hopeful playful uplifting",
         tempo="60-74 68-88 92-112 108-126 -", drums="none none light full -",
         palettes="acoustic_guitar bass strings / acoustic_guitar bass strings / "
                  "acoustic_guitar bass strings",
         colours="acoustic_guitar strings",
         harmony="major minor dorian mixolydian / axis doo_wop minor_descending modal_vamp "
                 "suspended lament",
         reverb=0.3, saturation=0.1, brightness=0.55),
    _sub("folk", "americana",
         moods="lonely mournful laid_back nostalgic gritty rebellious anthemic",
         tempo="60-72 70-90 90-110 104-124 120-140", drums="none light light full full",
         palettes="acoustic_guitar bass electric_guitar grand_piano / acoustic_guitar bass "
                  "electric_guitar organ / acoustic_guitar electric_guitar bass organ",
         colours="grand_piano organ strings acoustic_guitar electric_guitar",
         harmony="major minor dorian mixolydian / axis doo_wop minor_descending modal_vamp blues "
                 "suspended lament",
         reverb=0.35, saturation=0.25, brightness=0.5),
    _sub("folk", "celtic",
         moods="mournful serene mysterious heartfelt playful adventurous jubilant triumphant",
         tempo="56-70 66-84 100-116 110-130 120-144", drums="none none light full full",
         palettes="harp_pluck woodwinds acoustic_guitar strings / harp_pluck woodwinds "
                  "acoustic_guitar bass / "
                  "acoustic_guitar woodwinds harp_pluck bass",
         colours="strings woodwinds harp_pluck",
         harmony="dorian mixolydian major / axis doo_wop minor_epic modal_vamp drone suspended "
                 "lament",
         reverb=0.45, saturation=0.05, brightness=0.6),
    # --------------------------------------------------------------- hip_hop
    _sub("hip_hop", "boom_bap",
         moods="laid_back nostalgic groovy dark gritty confident defiant",
         tempo="- 82-88 86-92 88-96 92-100", drums="- boom_bap boom_bap boom_bap boom_bap",
         palettes="electric_piano bass strings / grand_piano bass strings / grand_piano bass brass "
                  "strings",
         colours="grand_piano electric_piano organ strings brass",
         harmony="major minor dorian mixolydian / doo_wop minor_descending modal_vamp blues "
                 "jazz_ii_v lament",
         reverb=0.2, saturation=0.4, brightness=0.45),
    _sub("hip_hop", "trap",
         moods="brooding melancholic dark ominous confident hype aggressive triumphant",
         tempo="- 130-140 134-146 140-152 146-160", drums="- halftime trap trap trap",
         palettes="synth_pad synth_bass grand_piano / synth_bass synth_pad mallets grand_piano / "
                  "synth_bass synth_lead synth_pad",
         colours="grand_piano strings brass choir_pad synth_pad synth_lead mallets",
         harmony="major minor dorian phrygian / axis minor_epic minor_descending modal_vamp drone "
                 "lament chromatic_tension",
         kit="electronic_drums", reverb=0.3, saturation=0.4, brightness=0.35, density=1),
    _sub("hip_hop", "lofi",
         moods="lonely meditative laid_back dreamy nostalgic melancholic groovy",
         tempo="64-74 70-85 80-92 - -", drums="light boom_bap boom_bap - -",
         palettes="electric_piano bass acoustic_guitar / electric_piano bass electric_guitar "
                  "mallets / electric_piano bass electric_guitar mallets",
         colours="electric_piano synth_pad acoustic_guitar mallets",
         harmony="major minor dorian mixolydian lydian / minor_descending modal_vamp suspended "
                 "jazz_ii_v lament",
         reverb=0.35, saturation=0.45, brightness=0.3, filter="lowpass"),
    # ------------------------------------------------------------------- pop
    _sub("pop", "upbeat",
         moods="playful groovy driving confident uplifting euphoric anthemic jubilant",
         tempo="- - 100-116 112-124 118-132", drums="- - full full four_on_the_floor",
         palettes="grand_piano synth_bass synth_lead / grand_piano synth_bass synth_lead "
                  "acoustic_guitar / synth_pad synth_bass synth_lead electric_guitar grand_piano",
         colours="strings brass synth_pad synth_lead mallets",
         harmony="major dorian mixolydian lydian / axis doo_wop modal_vamp blues suspended",
         kit="electronic_drums", reverb=0.3, saturation=0.2, brightness=0.7),
    _sub("pop", "ballad",
         moods="tender lonely heartfelt melancholic romantic hopeful uplifting",
         tempo="60-70 64-76 68-80 70-84 -", drums="none light light full -",
         palettes="grand_piano strings synth_pad / grand_piano strings bass synth_pad / "
                  "grand_piano strings bass synth_pad electric_piano",
         colours="strings synth_pad electric_piano",
         harmony="major minor mixolydian lydian / axis doo_wop minor_descending suspended "
                 "jazz_ii_v lament",
         reverb=0.5, saturation=0.1, brightness=0.5),
    _sub("pop", "indie",
         moods="dreamy nostalgic melancholic playful hopeful driving anthemic",
         tempo="- 84-100 100-118 116-132 124-140", drums="- light full full full",
         palettes="electric_guitar synth_pad bass / electric_guitar bass synth_lead mallets / "
                  "electric_guitar bass synth_pad synth_lead",
         colours="electric_piano synth_pad synth_lead mallets",
         harmony="major minor dorian mixolydian lydian / axis doo_wop minor_epic modal_vamp "
                 "suspended lament",
         kit="electronic_drums", reverb=0.45, saturation=0.2, brightness=0.6),
    # ------------------------------------------------------------------ rock
    _sub("rock", "indie",
         moods="wistful melancholic hopeful driving rebellious anthemic",
         tempo="- 76-96 100-120 120-140 130-150", drums="- light full full full",
         palettes="electric_guitar acoustic_guitar bass / electric_guitar bass grand_piano / "
                  "electric_guitar bass organ",
         colours="grand_piano organ synth_pad",
         harmony="major minor dorian mixolydian / axis doo_wop minor_epic modal_vamp blues "
                 "suspended lament",
         reverb=0.3, saturation=0.45, brightness=0.55),
    _sub("rock", "hard",
         moods="brooding dark gritty driving rebellious aggressive defiant triumphant anthemic",
         tempo="- 66-80 84-104 104-128 130-170", drums="- halftime full full full",
         palettes="electric_guitar bass organ / electric_guitar bass organ / electric_guitar bass "
                  "organ",
         colours="organ strings synth_lead",
         harmony="major minor dorian mixolydian phrygian / axis doo_wop minor_epic "
                 "minor_descending modal_vamp blues drone chromatic_tension",
         reverb=0.25, saturation=0.75, brightness=0.5, loudness=1),
    _sub("rock", "post_rock",
         moods="ethereal desolate reflective brooding hopeful determined uplifting epic",
         tempo="60-72 66-84 80-100 96-120 110-132", drums="none light light full full",
         palettes="electric_guitar bass grand_piano synth_pad / electric_guitar bass strings "
                  "mallets / electric_guitar bass strings synth_pad",
         colours="grand_piano strings choir_pad synth_pad mallets",
         harmony="major minor dorian lydian / axis minor_epic minor_descending modal_vamp drone "
                 "suspended lament",
         reverb=0.75, saturation=0.35, brightness=0.45),
]

DRUM_GROUPS = ("drum_kit", "electronic_drums", "orchestral_percussion")
ELECTRONIC_STYLES = ("four_on_the_floor", "trap")
BAND_STYLES = ("halftime", "boom_bap", "breakbeat", "full", "four_on_the_floor", "trap")
DYNAMICS = ("soft", "soft", "medium", "loud", "loud")
#: Brightness offset of a sentiment: negative moods sound darker, positive ones brighter.
SENTIMENT_LIGHT = {"negative": -0.1, "neutral": 0.0, "positive": 0.1}
#: Mode family (:func:`core.render.theory.family`) a sentiment prefers among its mood's
#: choices: positive moods play in the major family, negative ones in the minor family,
#: neutral ones keep their own order.
SENTIMENT_FAMILY = {"positive": "major", "negative": "minor"}


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return round(min(max(x, lo), hi), 2)


def _title(part: str) -> str:
    return NAMES.get(part, part.replace("_", " ").title())


def _idiom_first(preferred: list[str], idiom: set[str]) -> list[str]:
    """``preferred`` with the choices the style uses idiomatically first (order kept)."""
    return sorted(preferred, key=lambda p: p not in idiom)


def _pick(preferred: list[str], idiom: set[str], ok: set[str] | None = None) -> str:
    """First preferred choice the style uses idiomatically (and ``ok`` allows), else the
    first allowed one."""
    return _idiom_first([p for p in preferred if ok is None or p in ok], idiom)[0]


def _drum_group(style: str, sub: dict[str, Any]) -> str | None:
    if style == "none":
        return None
    if style == "orchestral":
        return "orchestral_percussion"
    return "electronic_drums" if style in ELECTRONIC_STYLES else sub["kit"]


def _groups(sub: dict[str, Any], mood: str, momentum: int, drum_style: str,
            twinned: bool) -> list[str]:
    """Palette for the energy level, the mood's colour if the style allows it (always for a
    twinned mood: the colour is its identity), drums."""
    groups = list(sub["palettes"][0 if momentum <= 1 else 1 if momentum == 2 else 2])
    colour = MOODS[mood][3]
    if (twinned or colour in sub["colours"]) and colour not in groups:
        groups.append(colour)
    if drum_style in BAND_STYLES and not {"bass", "synth_bass"} & set(groups):
        groups.insert(1, "synth_bass" if sub["kit"] == "electronic_drums" else "bass")
    drum = _drum_group(drum_style, sub)
    groups = groups[:6] if drum else groups[:7]
    return groups + [drum] if drum else groups


def _harmony(sub: dict[str, Any], mood: str, taken: set[tuple[str, str]]) -> tuple[str, str]:
    """The mood's (mode, progression) in this style: the first idiomatic choice (modes of
    the sentiment's family first: :data:`SENTIMENT_FAMILY`), unless a twin already plays
    in that mode; then the first pair of its own choices in another mode, else with
    another progression (idiomatic ones first)."""
    modes, progs = (part.split() for part in HARMONY[mood].split(" / "))
    liked = SENTIMENT_FAMILY.get(MOODS[mood][0])
    modes = sorted(modes, key=lambda m: family(m) != liked)  # the sentiment's family first
    mode = _pick(modes, sub["modes"])
    ok = {p for p, m in PROGRESSION_MODES.items() if mode in m.split()}
    first = mode, _pick(progs, sub["progs"], ok)
    used_modes = {m for m, _ in taken}
    if mode not in used_modes:
        return first
    pairs = [(m, p) for m in _idiom_first(modes, sub["modes"])
             for p in _idiom_first(progs, sub["progs"]) if m in PROGRESSION_MODES[p].split()]
    return next((pair for pair in pairs if pair[0] not in used_modes),
                next((pair for pair in pairs if pair not in taken), first))


def _tags(sub: dict[str, Any], mood: str, twins: list[dict[str, Any]]) -> dict[str, Any]:
    """How ``mood`` is played in ``sub``.  ``twins`` are the tags of the moods listed before
    it in the style with the same sentiment, valence and momentum: a mood with twins plays
    its own colour instrument and register and a harmony none of them uses, so that moods
    with equal tag triples still sound apart."""
    _, valence, momentum, _, register, filt = MOODS[mood]
    twinned = any(MOODS[m][:3] == MOODS[mood][:3] for m in sub["moods"] if m != mood)
    mode, progression = _harmony(sub, mood, {(t["mode"], t["progression"]) for t in twins})
    lo, hi = sub["tempo"][momentum]
    harmonic = HARMONIC_RHYTHM.get(progression, 1.0)
    if progression == "jazz_ii_v" and hi <= 100:
        harmonic = 2.0
    if momentum == 0:
        harmonic = max(0.25, harmonic / 2)
    drum_style = sub["drums"][momentum]
    shift = 0.04 * (momentum - 2)
    return {
        "tempo_min": lo, "tempo_max": hi, "mode": mode, "harmonic_rhythm": harmonic,
        "progression": progression,
        "rhythmic_density": min(max(momentum + sub["density"], 0), 4),
        "drum_style": drum_style,
        "instrument_groups": _groups(sub, mood, momentum, drum_style, twinned),
        "register": register if twinned else sub["register"] or register,
        "dynamics": DYNAMICS[min(momentum + sub["loudness"], 4)],
        "reverb": _clamp(sub["reverb"] - shift + (0.1 if filt in ("highpass", "lowpass") else 0)),
        "saturation": _clamp(sub["saturation"] + shift / 2 + (0.1 if register == "low" else 0)),
        "filter": filt if sub["filter"] == "none" and filt else sub["filter"],
        "brightness": _clamp(sub["brightness"] + 0.2 * (valence - 1) + shift
                                 + SENTIMENT_LIGHT[MOODS[mood][0]], 0.05, 0.95),
    }


def _entries() -> list[dict[str, Any]]:
    out = []
    sub_index: dict[str, int] = {}
    for sub in SUBGENRES:
        g = GENRES.index(sub["genre"]) + 1
        sub_index[sub["genre"]] = s = sub_index.get(sub["genre"], 0) + 1
        played: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
        for m, mood in enumerate(sub["moods"], start=1):
            sentiment, valence, momentum = MOODS[mood][:3]
            twins = played.setdefault((sentiment, valence, momentum), [])
            tags = _tags(sub, mood, twins)
            twins.append(tags)
            name = f"{sub['genre']}_{sub['name']}_{mood}"
            out.append({
                "id": 1000 * g + 100 * s + m, "name": name, "genre": sub["genre"],
                "subgenre": sub["name"], "mood": mood,
                "display_name": " · ".join(_title(p) for p in (sub["genre"], sub["name"], mood)),
                "sentiment": sentiment, "valence": valence, "momentum": momentum,
                "active": name not in RETIRED, "tags": tags})
    return out


def build() -> dict[str, Any]:
    """The whole dictionary document."""
    genres: dict[str, Any] = {g: {"display_name": _title(g), "subgenres": {}} for g in GENRES}
    for sub in SUBGENRES:
        genres[sub["genre"]]["subgenres"][sub["name"]] = {
            "display_name": _title(sub["name"]), "moods": list(sub["moods"])}
    return {
        "schema": "twintrack.descriptors/1",
        "version": VERSION,
        "instrument_groups": {
            name: {"display_name": d, "roles": list(r), "midi_low": lo, "midi_high": hi}
            for name, (d, r, lo, hi) in GROUPS.items()},
        "moods": {name: {"display_name": _title(name), "sentiment": m[0], "valence": m[1],
                         "momentum": m[2]} for name, m in MOODS.items()},
        "genres": genres,
        "descriptors": _entries(),
    }


def render() -> str:
    """The document as the exact text of the shipped file."""
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the shipped file")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    text = render()
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        logger.info("%s is %s", args.out, "up to date" if same else "OUT OF DATE")
        return 0 if same else 1
    dictionary_from_dict(json.loads(text))  # never write a file the loader would refuse
    args.out.write_text(text, encoding="utf-8")
    logger.info("wrote %s (%d descriptors)", args.out, len(build()["descriptors"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
