"""Production of sampled renders: stems mixed and produced per genre (issue 13).

Owns the sampled counterpart of :func:`core.render.mixer.render_mix`
(:func:`render_sampled_mix`): every part's notes are played on the SoundFont
(:mod:`core.render.soundfont`; a vocal part is voiced by :mod:`core.render.voice`)
into a stereo stem, faded, panned (mid/side, so the mono sum
keeps the part's level) and summed into a dry bus and a reverb send; the descriptor's tone
(filter and brightness, as the synthesis path applies them) follows, then the genre's
production (:data:`PRODUCTION`, with ``pedalboard``: a room or hall reverb on the send, a
high-pass, shelving and presence EQ, saturation where the genre is driven, bus compression)
and last the shared master chain (:func:`core.render.master.master_chain`: loudness to the
descriptor's dynamics and a limiter under the ceiling).

Every stage is deterministic: the same notes, seed and SoundFont give the same samples.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np
from scipy import signal

from core.progress import Reporter
from core.render.events import MixSpec, NoteEvent, PartSpec
from core.render.master import REVERB_DECIMATION, master_chain, sweep
from core.render.sampler import tone_sos
from core.render.soundfont import SoundFont
from core.render.voice import SUNG, VOICE, delivery_of, sing

__all__ = ["Production", "PRODUCTION", "ROLE_GAIN", "produce", "render_sampled_mix"]


@dataclass(frozen=True)
class Production:
    """One genre's production settings (dB, Hz, ms; ``room``, ``wet``, ``drive`` 0..1)."""

    highpass: float = 30.0
    low_shelf: tuple[float, float] = (120.0, 0.0)
    presence: tuple[float, float] = (3000.0, 0.0)
    high_shelf: tuple[float, float] = (9000.0, 0.0)
    drive: float = 0.0          # added to the descriptor's master saturation (0..1)
    comp: tuple[float, float, float, float] = (-18.0, 2.0, 15.0, 150.0)  # thr, ratio, att, rel
    room: float = 0.5
    wet: float = 0.6
    damping: float = 0.5


#: Per descriptor genre: how a produced record of the genre sounds.
PRODUCTION: dict[str, Production] = {
    "rock": Production(highpass=40.0, low_shelf=(100.0, 2.0), presence=(2500.0, 2.5),
                       high_shelf=(8000.0, 1.5), drive=0.35,
                       comp=(-20.0, 4.0, 10.0, 120.0), room=0.35, wet=0.4),
    "pop": Production(highpass=35.0, low_shelf=(100.0, 1.5), presence=(3000.0, 2.0),
                      high_shelf=(10000.0, 3.0), comp=(-20.0, 3.0, 10.0, 120.0),
                      room=0.45, wet=0.5),
    "electronica": Production(highpass=25.0, low_shelf=(70.0, 3.0), high_shelf=(10000.0, 2.0),
                              comp=(-18.0, 3.0, 20.0, 150.0), room=0.7, wet=0.7),
    "hip_hop": Production(highpass=25.0, low_shelf=(80.0, 4.0), presence=(2500.0, 1.0),
                          high_shelf=(9000.0, -1.0), drive=0.15,
                          comp=(-20.0, 4.0, 15.0, 120.0), room=0.3, wet=0.35),
    "folk": Production(highpass=45.0, low_shelf=(150.0, -1.0), presence=(3500.0, 1.5),
                       high_shelf=(9000.0, 1.0), comp=(-16.0, 1.5, 25.0, 200.0),
                       room=0.3, wet=0.3),
    "cinematic": Production(highpass=30.0, high_shelf=(9000.0, 1.0),
                            comp=(-16.0, 1.5, 30.0, 250.0), room=0.85, wet=0.9, damping=0.4),
    "documentary": Production(highpass=35.0, comp=(-16.0, 1.5, 30.0, 250.0), room=0.65,
                              wet=0.7),
}


#: Per genre, the fader moves (dB) of the parts' roles against the composer's balance
#: (which was set for the synthesised voices): what the genre puts up front.
#: The voice (:mod:`core.render.voice`) sits up front; hip-hop's beat leaves it room (a
#: tune over the rap read as rock or electronica), folk's drums stay in the back.
ROLE_GAIN: dict[str, dict[str, float]] = {
    "folk": {"chords": 3.0, "pad": -8.0, "drums": -12.0},
    "pop": {"vocal": 4.0},
    "hip_hop": {"vocal": 6.0, "melody": -12.0, "counter": -12.0, "pad": -10.0, "arp": -6.0,
                "chords": -8.0, "bass": -3.0},
}


def produce(dry: np.ndarray, send: np.ndarray, mix: MixSpec, genre: str,
            sr: int) -> np.ndarray:
    """The produced and mastered render (2, n) of a dry bus (2, n) and send (2, n)."""
    import pedalboard as pb

    prod = PRODUCTION.get(genre, Production())
    if mix.reverb > 0 and np.any(send):
        dry += _reverb(send, prod, mix.reverb, sr)
    if mix.filter == "sweep":
        dry = sweep(dry, mix.brightness, sr).astype(np.float32)
    chain = [pb.HighpassFilter(prod.highpass)]
    bands = ((pb.LowShelfFilter, prod.low_shelf), (pb.PeakFilter, prod.presence),
             (pb.HighShelfFilter, prod.high_shelf))
    for kind, (fc, gain) in bands:
        if gain:
            chain.append(kind(fc, gain, 0.8 if kind is pb.PeakFilter else 0.7071))
    thr, ratio, att, rel = prod.comp
    chain.append(pb.Compressor(thr, ratio, att, rel))
    out = pb.Pedalboard(chain)(np.ascontiguousarray(dry, dtype=np.float32), sr)
    # the genre's drive joins the descriptor's in the master's tanh saturation (cheaper
    # than a second saturator, and driven at a known level however loud the parts are)
    drive = min(mix.saturation + prod.drive, 1.0)
    return master_chain(np.ascontiguousarray(out, dtype=np.float32),
                        replace(mix, saturation=drive), sr)


def _reverb(send: np.ndarray, prod: Production, amount: float, sr: int) -> np.ndarray:
    """The reverb return (2, n) of ``send``: pedalboard's reverb at a quarter of the rate
    (the tail carries little above 5 kHz, as in :func:`core.render.master.add_reverb`)."""
    import pedalboard as pb
    import soxr

    low = sr // REVERB_DECIMATION
    verb = pb.Reverb(room_size=prod.room * (0.6 + 0.4 * amount), damping=prod.damping,
                     wet_level=1.0, dry_level=0.0, width=1.0)
    small = soxr.resample(np.ascontiguousarray(send.T), sr, low, quality="MQ")
    wet = verb(np.ascontiguousarray(small.T), low)
    back = soxr.resample(np.ascontiguousarray(wet.T), low, sr, quality="MQ")
    out = np.zeros_like(send)
    m = min(len(back), send.shape[1])
    out[:, :m] = back[:m].T * np.float32(prod.wet * (0.5 + amount))
    return out


def _pan(stem: np.ndarray, pan: float, gain: float) -> np.ndarray:
    """``stem`` (2, n) with its mid panned (equal power, unity at centre) and gained."""
    theta = (np.clip(pan, -1, 1) + 1) * np.pi / 4
    gl, gr = np.cos(theta) * np.sqrt(2), np.sin(theta) * np.sqrt(2)
    mid, side = (stem[0] + stem[1]) * 0.5, (stem[0] - stem[1]) * 0.5
    return np.stack([mid * np.float32(gl * gain) + side * np.float32(gain),
                     mid * np.float32(gr * gain) - side * np.float32(gain)])


def render_sampled_mix(events: Sequence[NoteEvent], parts: Sequence[PartSpec], mix: MixSpec,
                       *, font: SoundFont, genre: str, length: float, seed: int = 0,
                       reporter: Reporter | None = None, workers: int = 2,
                       offset: float = 0.0) -> np.ndarray:
    """Play ``events`` on ``font`` and produce them as ``genre``: the sampled
    counterpart of :func:`core.render.mixer.render_mix` (same parts, mix and timing;
    channels first, ``(2, round(length * font.sr))`` float32 within the master ceiling).

    Raises
    ------
    core.errors.Cancelled
        The reporter's caller cancelled.
    """
    rep = reporter or Reporter()
    sr, n = font.sr, int(round(length * font.sr))
    if n == 0:
        return np.zeros((2, 0), dtype=np.float32)
    specs = {p.name: p for p in parts}
    groups: dict[tuple[str, str], list[NoteEvent]] = {}
    for e in events:
        groups.setdefault((e.part, e.instrument), []).append(e)
    keys = sorted(groups)

    def stem(i: int) -> np.ndarray:
        rep.check()
        part, group = keys[i]
        if group == VOICE:
            mono = sing(groups[keys[i]], sr=sr, n=n, delivery=delivery_of(genre) or SUNG,
                        offset=offset, seed=seed * 7919 + i)
            return np.stack([mono, mono])
        return font.render_part(groups[keys[i]], group=group, genre=genre, n=n,
                                role=part.split(":")[-1], offset=offset,
                                seed=seed * 7919 + i)

    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        stems = list(pool.map(stem, range(len(keys))))
    dry = np.zeros((2, n), dtype=np.float32)
    send = np.zeros((2, n), dtype=np.float32)
    for (part, _), audio in zip(keys, stems):
        spec = specs.get(part, PartSpec(part, "synth_lead"))
        role = part.split(":")[-1]
        gain_db = spec.gain_db + ROLE_GAIN.get(genre, {}).get(role, 0.0)
        placed = _pan(audio, spec.pan, 10 ** (gain_db / 20))
        dry += placed
        send += placed * np.float32(spec.reverb_send)
    sos = tone_sos(mix, sr)
    if sos is not None:
        dry = signal.sosfilt(sos, dry, axis=1).astype(np.float32)
        send = signal.sosfilt(sos, send, axis=1).astype(np.float32)
    rep.check()
    return produce(dry, send, mix, genre, sr)
