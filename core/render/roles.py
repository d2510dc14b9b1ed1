"""Genre idioms and how a band is dealt out to the composer's parts.

:func:`flavour` names the idiom a style is played in, :func:`assign_roles` deals the
instrument groups out to drums, bass, chords, pad, melody and arpeggio (the idiom's
preferred instruments first), and :func:`pulse_role` names the part that marks every
beat when the drums cannot.
"""

from __future__ import annotations

from typing import Sequence

from core.render.events import Style

__all__ = ["INSTRUMENT_GROUPS", "DRUM_GROUPS", "PLUCKED", "ARP_FIRST", "flavour", "assign_roles",
           "pulse_role"]

INSTRUMENT_GROUPS = (
    "grand_piano", "electric_piano", "organ", "strings", "brass", "woodwinds", "choir_pad",
    "synth_pad", "synth_lead", "synth_bass", "bass", "acoustic_guitar", "electric_guitar",
    "mallets", "harp_pluck", "drum_kit", "electronic_drums", "orchestral_percussion")
DRUM_GROUPS = ("drum_kit", "electronic_drums", "orchestral_percussion")


# Genre idioms, recognised from words in the subgenre, genre, mood (in that order).
_FLAVOURS = (
    ("pastoral", ("nature", "pastoral", "wildlife", "landscape")),
    ("corporate", ("corporate", "motivational", "business")),
    ("celtic", ("celtic", "irish", "scottish", "gaelic")),
    ("suspense", ("suspense", "thriller", "horror")),
    ("underscore", ("underscore", "minimal")),
    ("postrock", ("post_rock", "post-rock", "shoegaze")),
    ("synthwave", ("synthwave", "retrowave", "outrun", "80s", "vaporwave")),
    ("lofi", ("lofi", "lo-fi", "lo_fi", "chillhop", "lounge")),
    ("hiphop", ("hip", "trap", "boom", "rap", "drill", "urban")),
    ("house", ("house", "techno", "edm", "dance", "electro", "trance", "disco", "club")),
    ("cinematic", ("cinematic", "film", "score", "epic", "trailer", "orchestra", "documentary",
                   "percussion")),
    ("ambient", ("ambient", "drone", "meditat", "new_age", "soundscape", "atmospher")),
    ("rock", ("rock", "metal", "punk", "grunge")),
    ("folk", ("folk", "acoustic", "country", "americana", "singer")),
    ("jazz", ("jazz", "swing", "bossa", "soul", "funk", "blues", "rnb", "r&b")),
    ("classical", ("classical", "chamber", "baroque", "romantic", "piano_solo")),
    ("electronic", ("electronic", "synth", "chill", "downtempo", "idm", "future")),
    ("pop", ("pop", "commercial", "upbeat", "advert")),
)
_DRUM_FLAVOUR = {"four_on_the_floor": "house", "trap": "hiphop", "boom_bap": "hiphop",
                 "orchestral": "cinematic"}


def flavour(style: Style) -> str:
    """The genre idiom the composer plays ``style`` in (``'pop'`` when nothing matches)."""
    for text in (style.subgenre, style.genre, style.mood):
        low = text.lower().replace(" ", "_")
        for name, words in _FLAVOURS:
            if any(w in low for w in words):
                return name
    return _DRUM_FLAVOUR.get(style.drum_style, "pop")


_CHORD_PREF = {
    "folk": ("acoustic_guitar",), "rock": ("electric_guitar",), "lofi": ("electric_piano",),
    "jazz": ("electric_piano", "grand_piano"), "cinematic": ("strings",),
    "synthwave": ("synth_pad",), "ambient": ("synth_pad", "choir_pad", "strings"),
    "house": ("electric_piano", "organ", "grand_piano", "synth_pad"),
    "pastoral": ("strings", "harp_pluck"), "celtic": ("acoustic_guitar", "harp_pluck"),
    "corporate": ("electric_guitar", "electric_piano", "synth_pad"),
    "suspense": ("strings", "synth_pad"), "underscore": ("synth_pad", "electric_piano"),
    "postrock": ("strings", "synth_pad", "grand_piano"),
}
#: Idioms whose broken-chord figure leads: the arpeggio is dealt before the tune (a
#: pastoral harp, a corporate piano ostinato, the ticking clock of suspense, the minimal
#: mallet pulse of a documentary underscore, post-rock's delayed guitar arpeggios), and
#: the tune falls back to its group.
ARP_FIRST = {"pastoral": ("harp_pluck", "mallets"),
              "corporate": ("grand_piano", "mallets", "electric_piano"),
              "suspense": ("mallets", "grand_piano", "harp_pluck"),
              "underscore": ("mallets", "grand_piano", "electric_piano"),
              "postrock": ("electric_guitar",)}
#: Bass of idioms without a bass instrument: a pastoral harp plucks it.
_LOW_PREF = {"pastoral": ("harp_pluck", "strings")}
_CHORDS = ("grand_piano", "electric_piano", "acoustic_guitar", "electric_guitar", "organ",
           "strings", "synth_pad", "choir_pad", "harp_pluck", "mallets", "brass", "woodwinds")
_PADS = ("strings", "synth_pad", "choir_pad", "organ")
PLUCKED = ("grand_piano", "electric_piano", "acoustic_guitar", "electric_guitar", "harp_pluck",
            "mallets", "bass", "synth_bass", "organ")
_MELODY = ("synth_lead", "brass", "woodwinds", "mallets", "electric_guitar", "strings",
           "grand_piano", "electric_piano", "harp_pluck", "acoustic_guitar")
_ARP = ("harp_pluck", "mallets", "acoustic_guitar", "synth_lead", "synth_pad",
        "electric_piano", "grand_piano")
_LOW = ("strings", "grand_piano", "organ", "electric_piano", "synth_pad", "acoustic_guitar",
        "electric_guitar", "harp_pluck", "brass", "choir_pad", "woodwinds", "mallets")


def assign_roles(groups: Sequence[str], *, idiom: str = "pop",
                 drums: bool = True) -> tuple[tuple[str, str], ...]:
    """Deal instrument groups out to roles: ``((role, group), ...)``.

    Roles are ``drums``/``percussion`` (drum groups), ``bass`` (bass, synth_bass, else
    the lowest harmonic group doubling as a left hand), ``chords`` (genre's preferred
    comping group first), ``pad``, ``melody`` (the chord group plays it if nothing else
    can), ``arp``, then ``pad2``/``counter`` for groups left over.
    """
    roles: list[tuple[str, str]] = []
    drum = [g for g in groups if g in DRUM_GROUPS]
    if drums:
        roles += list(zip(("drums", "percussion"), drum))
    left = [g for g in dict.fromkeys(groups) if g not in DRUM_GROUPS]
    basses = [g for g in left if g in ("synth_bass", "bass")]
    if idiom in ("synthwave", "house", "electronic", "hiphop"):
        basses.sort(key=lambda g: g != "synth_bass")
    if basses:
        roles.append(("bass", basses[0]))
        left = [g for g in left if g not in basses]
    elif left:
        low = _LOW_PREF.get(idiom, ()) + _LOW
        roles.append(("bass", min(left, key=lambda g: _rank(g, low))))

    def take(role: str, pref: Sequence[str]) -> str | None:
        cands = [g for g in left if g in pref]
        if not cands:
            return None
        g = min(cands, key=lambda g: _rank(g, pref))
        left.remove(g)
        roles.append((role, g))
        return g

    chords = take("chords", _CHORD_PREF.get(idiom, ()) + _CHORDS)
    take("pad", _PADS)
    arp = take("arp", ARP_FIRST[idiom]) if idiom in ARP_FIRST else None
    if take("melody", _MELODY) is None and (arp or chords) is not None:
        roles.append(("melody", arp or chords))
    if arp is None:
        take("arp", _ARP)
    for g in list(left):
        take("pad2" if g in _PADS else "counter", (g,))
    return tuple(roles)


def _rank(g: str, pref: Sequence[str]) -> int:
    return pref.index(g) if g in pref else len(pref)


def pulse_role(style: Style, roles: tuple[tuple[str, str], ...]
                ) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The part that marks every beat when the drums cannot (no drums, or drums at
    activity 0..1, which play one or two kicks a bar), and the roles with it.

    An instrument with a sharp attack marks the beat, a slow pad cannot: the arpeggio
    (a harp, piano or guitar picking quarter notes), else the chords (quarter-note
    chords or strums), else the bass.  When none of those is plucked or struck but
    the tune's instrument is (a piano playing the melody over pads), it adds a broken
    chord below the tune, as a pianist's left hand would.  Only pads: the chords
    re-strike on every beat.
    """
    if style.drum_style != "none" and style.momentum >= 2:
        return "", roles
    have = dict(roles)
    order = [r for r in ("arp", "chords", "bass") if r in have]
    plucked = [r for r in order if have[r] in PLUCKED]
    if plucked:
        return plucked[0], roles
    if "arp" not in have:
        hands = [g for r, g in roles if g in PLUCKED and r not in ("drums", "percussion")]
        if hands:
            return "arp", roles + (("arp", hands[0]),)
    return (order or [""])[0], roles
