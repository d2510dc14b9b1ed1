"""Sampled instruments: note events rendered through a General MIDI SoundFont (issue 13).

Owns finding the SoundFont (:func:`find_soundfont`: an explicit path, then the
``TWINTRACK_SOUNDFONT`` environment variable, then :data:`SEARCH_PATHS`), loading it into
FluidSynth synthesisers without an audio driver (:class:`SoundFont`), the General MIDI
program of every instrument group per genre (:func:`program`), the humanising of note
timing and velocity (:func:`humanise`), and the offline rendering of one part's notes to a
stereo stem (:meth:`SoundFont.render_part`).

FluidSynth's own reverb and chorus are off: the production (:mod:`core.render.production`)
is ours, so a render depends only on the notes, the seed and the SoundFont file.  Loading
the samples is the slow part, so it happens once per process; a fresh synthesiser sharing
the loaded font plays each part, so a stem does not depend on what was played before it.
"""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from core.errors import TwintrackError
from core.render.events import NoteEvent

__all__ = ["SoundFontError", "SoundFont", "ENV", "SEARCH_PATHS", "find_soundfont",
           "load_soundfont", "program", "humanise", "select_instruments", "INSTRUMENTS"]

#: Environment variable naming the SoundFont to use (overrides :data:`SEARCH_PATHS`).
ENV = "TWINTRACK_SOUNDFONT"
#: Where a General MIDI SoundFont is looked for, in order (Debian's fluid-soundfont-gm
#: first; the others are where distributions put their default GM font).
SEARCH_PATHS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
)
#: What may play a render's notes (see :func:`select_instruments`).
INSTRUMENTS = ("synth", "soundfont", "auto")
DRUM_CHANNEL = 9        # General MIDI channel 10
INTERPOLATION = 1       # FLUID_INTERP_LINEAR
GAIN = 0.4              # FluidSynth master gain: headroom for chords of many voices
# Humanising: with tighter timing (6 ms, 4 %) the real-music tagger heard rock renders
# as "electronic" (bench.realism, rock 2-3 of 5 -> 4 of 5 at these spreads)
TIMING_SD = 0.015       # seconds: spread of humanised note starts (half for drums)
VELOCITY_SD = 0.08      # spread of humanised velocities (0..1 scale)

#: (bank, preset) per instrument group: General MIDI programs, drum kits in bank 128.
PROGRAMS: dict[str, tuple[int, int]] = {
    "grand_piano": (0, 0), "electric_piano": (0, 4), "organ": (0, 16),
    "strings": (0, 48), "brass": (0, 61), "woodwinds": (0, 73), "choir_pad": (0, 52),
    "synth_pad": (0, 89), "synth_lead": (0, 81), "synth_bass": (0, 38), "bass": (0, 33),
    "acoustic_guitar": (0, 25), "electric_guitar": (0, 27), "mallets": (0, 11),
    "harp_pluck": (0, 46), "drum_kit": (128, 0), "electronic_drums": (128, 25),
    "orchestral_percussion": (128, 48),
}
#: Per genre, the programs that differ from :data:`PROGRAMS`: how the genre plays a group
#: (``"group"``) or a group in one role (``"role/group"``, roles as the composer names its
#: parts), e.g. rock's chords on a distorted guitar, folk's melodies on a fiddle.
GENRE_PROGRAMS: dict[str, dict[str, tuple[int, int]]] = {
    "rock": {"electric_guitar": (0, 29), "chords/electric_guitar": (0, 30),
             "melody/organ": (0, 29), "synth_lead": (0, 29), "synth_pad": (0, 48),
             "bass": (0, 34), "organ": (0, 18)},
    "pop": {"melody/synth_lead": (0, 53), "electronic_drums": (128, 0),
            "synth_pad": (0, 88), "electric_guitar": (0, 27)},
    # folk melodies on a banjo: on a fiddle the MTT tagger hears violin and strings,
    # which the table counts for cinematic; for the same reason folk's string parts are
    # a nylon guitar (and its low strings an acoustic bass) (bench.realism)
    "folk": {"bass": (0, 32), "electric_guitar": (0, 25), "drum_kit": (128, 40),
             "harp_pluck": (0, 105), "mallets": (0, 105), "woodwinds": (0, 22),
             "melody/acoustic_guitar": (0, 105), "melody/grand_piano": (0, 105),
             "melody/strings": (0, 105), "strings": (0, 24), "bass/strings": (0, 32)},
    # hip-hop's electronic drums on the standard kit: on the 808 kit trap read as
    # electronica, though its top tag was Hip-Hop (bench.realism)
    "hip_hop": {"bass": (0, 33), "synth_bass": (0, 38), "drum_kit": (128, 0),
                "electronic_drums": (128, 0)},
    # electronica's pads on a polysynth and its electric piano on a crystal pad: on the
    # new-age pad and the FM piano ambient electronica read as documentary (bench.realism)
    "electronica": {"synth_lead": (0, 80), "bass": (0, 38), "drum_kit": (128, 24),
                    "electric_piano": (0, 98), "synth_pad": (0, 90)},
    "documentary": {"drum_kit": (128, 32)},
}

_lib = None


class SoundFontError(TwintrackError):
    """The SoundFont cannot be found or loaded, or FluidSynth is missing."""


def find_soundfont(path: str | os.PathLike | None = None) -> Path | None:
    """The SoundFont to use: ``path``, else ``$TWINTRACK_SOUNDFONT``, else the first of
    :data:`SEARCH_PATHS` that exists; None when none is set and none exists (an explicit
    or environment path is returned as given, whether it exists or not)."""
    if path:
        return Path(path)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    return next((p for p in SEARCH_PATHS if p.is_file()), None)


def program(group: str, genre: str, role: str = "") -> tuple[int, int]:
    """(bank, preset) of instrument ``group`` playing ``role`` in a render of ``genre``."""
    mine = GENRE_PROGRAMS.get(genre, {})
    return mine.get(f"{role}/{group}", mine.get(group, PROGRAMS.get(group, (0, 0))))


def humanise(events: Sequence[NoteEvent], seed: int, *,
             drums: bool = False) -> list[tuple[float, float, int, int]]:
    """(start, end, pitch, MIDI velocity) of each event, nudged like a player would:
    starts by a small Gaussian spread (half of it for drums, which keep the grid), and
    velocities by a few percent; the same ``seed`` gives the same nudges."""
    rng = np.random.default_rng([seed % 2**32, len(events), 13])
    spread = TIMING_SD * (0.5 if drums else 1.0)
    shift = np.clip(rng.normal(0.0, spread, len(events)), -2.5 * spread, 2.5 * spread)
    vel = rng.normal(0.0, VELOCITY_SD, len(events))
    out = []
    for e, dt, dv in zip(events, shift, vel):
        start = e.start + float(dt)
        midi_vel = int(np.clip(round((e.velocity + dv) * 127), 1, 127))
        out.append((start, start + max(e.duration, 0.01), int(e.pitch), midi_vel))
    return out


def _fluidsynth():
    """The pyfluidsynth module, with prototypes for the calls it does not wrap
    (its writer gives 16-bit samples; sharing a loaded font between synthesisers) and
    FluidSynth's warnings silenced (they would go to stderr; failures raise here)."""
    global _lib
    try:
        import fluidsynth
    except (ImportError, OSError) as exc:
        raise SoundFontError(f"FluidSynth is not available ({exc}); install libfluidsynth3 "
                             "and pyfluidsynth") from None
    if _lib is None:
        fl, p, i = fluidsynth._fl, ctypes.c_void_p, ctypes.c_int
        for name, args, res in (
                ("fluid_synth_write_float", [p, i, p, i, i, p, i, i], i),
                ("fluid_synth_get_sfont_by_id", [p, i], p),
                ("fluid_synth_add_sfont", [p, p], i),
                ("fluid_synth_remove_sfont", [p, p], i),
                ("fluid_set_log_function", [i, p, p], p),
                ("fluid_synth_set_interp_method", [p, i, i], i)):
            getattr(fl, name).argtypes, getattr(fl, name).restype = args, res
        for level in (2, 3, 4):                  # FLUID_WARN, FLUID_INFO, FLUID_DBG
            fl.fluid_set_log_function(level, None, None)
        _lib = fl
    return fluidsynth


class SoundFont:
    """A SoundFont loaded for offline rendering at one sample rate.

    The file is loaded once, into a holder synthesiser; every part plays on a fresh
    synthesiser that shares the loaded font (creating one takes milliseconds), so a stem
    depends only on its own notes.  Thread-safety: :meth:`render_part` may run in several
    threads at once (FluidSynth's calls release the GIL).
    """

    def __init__(self, path: str | os.PathLike, sr: int):
        self.path, self.sr = Path(path), int(sr)
        if not self.path.is_file():
            raise SoundFontError(f"{self.path}: no SoundFont there (set {ENV} or "
                                 "--soundfont to a General MIDI .sf2 file)")
        self._holder = self._synth()
        sfid = self._holder.sfload(str(self.path))
        if sfid < 0:
            self._holder.delete()
            raise SoundFontError(f"{self.path}: FluidSynth cannot load this SoundFont "
                                 "(not an .sf2 file, or damaged)")
        self._font = _lib.fluid_synth_get_sfont_by_id(self._holder.synth, sfid)

    def _synth(self):
        fluidsynth = _fluidsynth()
        synth = fluidsynth.Synth(gain=GAIN, samplerate=float(self.sr), channels=16, **{
            "synth.reverb.active": 0, "synth.chorus.active": 0, "synth.polyphony": 256,
            "synth.cpu-cores": 1})
        # linear interpolation: 1.4x faster than the default 4th order, and the
        # difference is far above what the mix (and the tagger's 8 kHz band) shows
        _lib.fluid_synth_set_interp_method(synth.synth, -1, INTERPOLATION)
        return synth

    def render_part(self, events: Sequence[NoteEvent], *, group: str, genre: str, n: int,
                    role: str = "", offset: float = 0.0, seed: int = 0) -> np.ndarray:
        """The stereo stem (2, n) float32 of one part's ``events`` played on instrument
        ``group`` in ``role`` as ``genre`` plays it (:func:`program`; event times plus
        ``offset`` seconds; notes outside ``[0, n)`` frames are cut at the edges)."""
        out = np.zeros((n, 2), dtype=np.float32)
        if n == 0 or not events:
            return np.ascontiguousarray(out.T)
        bank, preset = program(group, genre, role)
        drums = bank == 128
        chan = DRUM_CHANNEL if drums else 0
        timeline = self._schedule(humanise(events, seed, drums=drums), offset)
        synth = self._synth()
        sfid = _lib.fluid_synth_add_sfont(synth.synth, self._font)
        try:
            synth.program_select(chan, sfid, bank, preset)
            self._play(synth, chan, timeline, out)
        finally:
            _lib.fluid_synth_remove_sfont(synth.synth, self._font)   # the holder owns it
            synth.delete()
        return np.ascontiguousarray(out.T)

    def _schedule(self, notes: list[tuple[float, float, int, int]],
                  offset: float) -> list[tuple[int, int, int, int]]:
        """(frame, 0 = off / 1 = on, pitch, velocity), note-offs first at a tie; notes
        that start before frame 0 are left out (their region's neighbour plays them)."""
        timeline = []
        for start, end, pitch, vel in notes:
            on, off = round((start + offset) * self.sr), round((end + offset) * self.sr)
            if on < 0:
                continue
            timeline.append((on, 1, pitch, vel))
            timeline.append((max(off, on + 1), 0, pitch, 0))
        timeline.sort()
        return timeline

    @staticmethod
    def _play(synth, chan: int, timeline, out: np.ndarray) -> None:
        """Send ``timeline``'s events and render into ``out`` (n, 2) between them."""
        write, n, pos = _lib.fluid_synth_write_float, len(out), 0
        ptr, stride = out.ctypes.data, out.strides[0]
        for frame, kind, pitch, vel in timeline:
            frame = min(frame, n)
            if frame > pos:
                addr = ptr + pos * stride
                write(synth.synth, frame - pos, addr, 0, 2, addr, 1, 2)
                pos = frame
            if pos >= n:
                break
            if kind:
                synth.noteon(chan, pitch, vel)
            else:
                synth.noteoff(chan, pitch)
        if pos < n:
            addr = ptr + pos * stride
            write(synth.synth, n - pos, addr, 0, 2, addr, 1, 2)


@lru_cache(maxsize=4)
def load_soundfont(path: str, sr: int) -> SoundFont:
    """The SoundFont at ``path`` loaded for rate ``sr``, once per process.

    Raises
    ------
    SoundFontError
        No file there, FluidSynth missing, or the file is not a loadable SoundFont.
    """
    return SoundFont(path, sr)


def select_instruments(mode: str, path: str | os.PathLike | None,
                       sr: int) -> tuple[SoundFont | None, tuple[str, ...]]:
    """The SoundFont a render in ``mode`` plays on (None: synthesis), and notes for the
    render's metadata.

    ``"synth"`` never loads one; ``"soundfont"`` must (else :class:`SoundFontError`);
    ``"auto"`` uses one when found and loadable and otherwise falls back to synthesis,
    saying why in the notes.

    Raises
    ------
    SoundFontError
        ``mode`` is ``"soundfont"`` and no SoundFont is found or loads.
    ValueError
        ``mode`` is not one of :data:`INSTRUMENTS`.
    """
    if mode not in INSTRUMENTS:
        raise ValueError(f"instruments must be one of {INSTRUMENTS}, got {mode!r}")
    if mode == "synth":
        return None, ()
    found = find_soundfont(path)
    if found is None:
        if mode == "soundfont":
            raise SoundFontError("no SoundFont found (looked in " + ", ".join(
                str(p) for p in SEARCH_PATHS) + f"); set {ENV} or pass --soundfont")
        return None, ("no SoundFont found: synthesised instruments",)
    try:
        return load_soundfont(str(found), int(sr)), (f"SoundFont {found}",)
    except SoundFontError as exc:
        if mode == "soundfont":
            raise
        return None, (f"{exc}: synthesised instruments",)
