"""The render engine's data model: note events, part settings and mix settings.

These are plain frozen dataclasses so the composer, the MIDI writer and the mixer
can share them without depending on each other.  Values are validated on
construction (a bad value is a programming error in the caller, hence ``ValueError``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Style", "NoteEvent", "PartSpec", "MixSpec", "FILTERS", "DYNAMICS"]

FILTERS = ("none", "lowpass", "sweep", "highpass")
DYNAMICS = ("soft", "medium", "loud")


def _check_unit(name: str, value: float, lo: float = 0.0, hi: float = 1.0) -> None:
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """One note (or drum hit) to render.

    Attributes
    ----------
    start : float
        Seconds from the start of the render.
    duration : float
        Seconds the key is held.  For drum parts it is nominal: a hit decays naturally.
    pitch : int
        MIDI note number; for drum instruments a General MIDI percussion key
        (36 kick, 38 snare, 42 closed hat, 46 open hat, 49 crash, 51 ride, ...).
    velocity : float
        0..1; sets loudness and brightness.
    part : str
        Name of the :class:`PartSpec` this note belongs to.
    instrument : str
        Instrument group (see :data:`core.render.instruments.INSTRUMENT_GROUPS`).
    """

    start: float
    duration: float
    pitch: int
    velocity: float
    part: str
    instrument: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.duration)):
            raise ValueError(f"note start/duration must be finite: {self!r}")
        if self.duration < 0:
            raise ValueError(f"note duration must be >= 0, got {self.duration!r}")
        if not 0 <= int(self.pitch) <= 127:
            raise ValueError(f"pitch must be a MIDI note 0..127, got {self.pitch!r}")
        _check_unit("velocity", self.velocity)


@dataclass(frozen=True)
class PartSpec:
    """Mixer settings of one part (a track of the arrangement).

    Attributes
    ----------
    name : str
    instrument : str
        Default instrument group of the part's notes.
    gain_db : float
        Part fader in dB.
    pan : float
        -1 (left) .. 1 (right), equal-power.
    reverb_send : float
        0..1, share of the part sent to the reverb.
    """

    name: str
    instrument: str
    gain_db: float = 0.0
    pan: float = 0.0
    reverb_send: float = 0.2

    def __post_init__(self) -> None:
        if not math.isfinite(self.gain_db):
            raise ValueError(f"gain_db must be finite, got {self.gain_db!r}")
        _check_unit("pan", self.pan, -1.0, 1.0)
        _check_unit("reverb_send", self.reverb_send)


@dataclass(frozen=True)
class MixSpec:
    """Master-bus settings of one render.

    Attributes
    ----------
    reverb : float
        0..1: room size and wet level.
    saturation : float
        0..1: drive of the master soft clipper (0 = clean).
    filter : str
        ``"none"``, ``"lowpass"`` (static, cutoff from ``brightness``), ``"sweep"``
        (a resonant lowpass opening over the render) or ``"highpass"`` (thin, cutoff
        falling with ``brightness``).
    brightness : float
        0..1: with ``filter="none"`` a +-6 dB high-shelf tilt (0.5 = flat); otherwise
        it sets the filter's cutoff.
    dynamics : str
        ``"soft"``, ``"medium"`` or ``"loud"``: target loudness and bus compression.
    """

    reverb: float = 0.3
    saturation: float = 0.0
    filter: str = "none"
    brightness: float = 0.5
    dynamics: str = "medium"

    def __post_init__(self) -> None:
        _check_unit("reverb", self.reverb)
        _check_unit("saturation", self.saturation)
        _check_unit("brightness", self.brightness)
        if self.filter not in FILTERS:
            raise ValueError(f"filter must be one of {FILTERS}, got {self.filter!r}")
        if self.dynamics not in DYNAMICS:
            raise ValueError(f"dynamics must be one of {DYNAMICS}, got {self.dynamics!r}")


@dataclass(frozen=True)
class Style:
    """What the composer needs to know of a descriptor (its identity and render tags)."""

    genre: str
    subgenre: str
    mood: str
    valence: int            # 0..2
    momentum: int           # 0..4
    mode: str
    harmonic_rhythm: float  # chord changes per bar
    progression: str
    rhythmic_density: int   # 0..4
    drum_style: str
    register: str
    dynamics: str
    reverb: float
    saturation: float
    filter: str
    brightness: float
    sentiment: str = "neutral"  # negative / neutral / positive (the mood's)
