"""Synthesiser gallery and speed check: hear and see every voice.

Writes, into an output folder (default ``/tmp/synth_gallery``):

* ``<group>.wav`` / ``<group>.png`` -- a short phrase per instrument group (melody and
  chord for pitched groups, a two-bar groove for percussion) with a spectrogram
  (log frequency 30 Hz - 20 kHz, 90 dB range) above the waveform envelope;
* ``arrangement.wav`` / ``.png`` -- eight bars of drums, bass, chords and lead;

and prints the real-time factor of a dense three-minute, five-part render.

Usage: ``python -m bench.synth_gallery [OUT_DIR] [--no-speed]``
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from core.render.events import MixSpec, NoteEvent, PartSpec
from core.render.instruments import DRUM_GROUPS, INSTRUMENT_GROUPS
from core.render.mixer import render_mix

SR = 44100
RANGES = {"bass": 36, "synth_bass": 36, "brass": 55, "woodwinds": 67, "synth_lead": 67,
          "mallets": 67, "harp_pluck": 60, "acoustic_guitar": 52, "electric_guitar": 52}


def phrase(group: str, beat: float = 0.5) -> list[NoteEvent]:
    """A short musical phrase for one instrument group."""
    if group in DRUM_GROUPS:
        return groove(group, "p", group, bars=2, beat=beat)
    root = RANGES.get(group, 60)
    ev, t = [], 0.0
    for step, (interval, beats) in enumerate([(0, 1), (4, 0.5), (7, 0.5), (12, 1), (11, 0.5),
                                              (7, 0.5), (9, 1), (7, 2)]):
        ev.append(NoteEvent(t, beats * beat * 0.95, root + interval, 0.55 + 0.1 * (step % 3),
                            "p", group))
        t += beats * beat
    for interval in (0, 4, 7, 12):     # then a held chord
        ev.append(NoteEvent(t + 0.25, 4 * beat, root - 12 * (root >= 60) + interval, 0.7, "p", group))
    return ev


def groove(kit: str, part: str, inst: str, *, bars: int, beat: float, start: float = 0.0,
           rng: np.random.Generator | None = None) -> list[NoteEvent]:
    """A rock/pop groove (orchestral: timpani and bass drum with a cymbal swell)."""
    rng = rng or np.random.default_rng(1)
    ev = []
    for bar in range(bars):
        t0 = start + bar * 4 * beat
        if kit == "orchestral_percussion":
            ev += [NoteEvent(t0, beat, 36, 0.9, part, inst),
                   NoteEvent(t0 + 2 * beat, beat, 43, 0.8, part, inst),
                   NoteEvent(t0 + 3 * beat, beat, 38 + 5, 0.7, part, inst),
                   NoteEvent(t0 + 3.5 * beat, beat, 36 + 5, 0.75, part, inst)]
            if bar % 2 == 0:
                ev.append(NoteEvent(t0, 4 * beat, 57, 0.6, part, inst))
            continue
        for eighth in range(8):
            t = t0 + eighth * beat / 2
            hat = 46 if eighth == 7 and bar % 2 else 42
            ev.append(NoteEvent(t, 0.1, hat, 0.5 + 0.25 * (eighth % 2 == 0) + 0.05 * rng.random(),
                                part, inst))
        ev += [NoteEvent(t0, 0.1, 36, 0.95, part, inst),
               NoteEvent(t0 + 1.5 * beat, 0.1, 36, 0.8, part, inst),
               NoteEvent(t0 + beat, 0.1, 38, 0.9, part, inst),
               NoteEvent(t0 + 3 * beat, 0.1, 38 if kit == "drum_kit" else 39, 0.9, part, inst)]
        if bar == 0:
            ev.append(NoteEvent(t0, 0.1, 49, 0.8, part, inst))
    return ev


def arrangement(bars: int, *, bpm: float = 112.0, seed: int = 0, lead: str = "synth_lead",
                chords: str = "electric_piano") -> tuple[list[NoteEvent], list[PartSpec]]:
    """Drums, bass, chords, lead (and a pad) over a I-vi-IV-V loop in C."""
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    prog = [(48, (0, 4, 7, 11)), (45, (0, 3, 7, 10)), (41, (0, 4, 7, 9)), (43, (0, 4, 7, 10))]
    scale = [0, 2, 4, 7, 9]
    ev = groove("drum_kit", "drums", "drum_kit", bars=bars, beat=beat, rng=rng)
    for bar in range(bars):
        t0 = bar * 4 * beat
        root, chord = prog[bar % 4]
        for b in range(8):
            ev.append(NoteEvent(t0 + b * beat / 2, beat * 0.45, root - 12 + 12 * (b == 6),
                                0.75 + 0.1 * (b % 2 == 0), "bass", "bass"))
        for iv in chord:
            ev.append(NoteEvent(t0, 2 * beat * 0.95, root + 12 + iv, 0.6, "chords", chords))
            ev.append(NoteEvent(t0 + 2.5 * beat, 1.4 * beat, root + 12 + iv, 0.5, "chords", chords))
            ev.append(NoteEvent(t0, 4 * beat, root + 12 + iv, 0.5, "pad", "synth_pad"))
        t = t0
        while t < t0 + 4 * beat - 1e-6:
            d = beat * float(rng.choice([0.5, 0.5, 1.0, 1.5]))
            p = 72 + scale[int(rng.integers(5))] + 12 * int(rng.random() < 0.2)
            ev.append(NoteEvent(t, d * 0.9, p, 0.6 + 0.3 * rng.random(), "lead", lead))
            t += d
    parts = [PartSpec("drums", "drum_kit", 0.0, 0.0, 0.12),
             PartSpec("bass", "bass", -1.0, 0.0, 0.03),
             PartSpec("chords", chords, -5.0, -0.3, 0.25),
             PartSpec("pad", "synth_pad", -13.0, 0.2, 0.5),
             PartSpec("lead", lead, -4.0, 0.25, 0.3)]
    return ev, parts


# -- pictures --------------------------------------------------------------------------------

def spectrogram_png(audio: np.ndarray, path: Path, *, sr: int = SR, width: int = 1200) -> None:
    """Log-frequency spectrogram (top) and peak envelope (bottom) as a PNG (Qt offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImage

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    n_fft, hop = 4096, 256
    frames = max((len(mono) - n_fft) // hop, 1)
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    spec = np.abs(np.fft.rfft(np.pad(mono, (0, n_fft))[idx] * np.hanning(n_fft), axis=1))
    db = 20 * np.log10(spec / (spec.max() + 1e-12) + 1e-9)
    height = 360
    freqs = 30 * (20000 / 30) ** (np.arange(height)[::-1] / (height - 1))
    rows = np.clip((freqs / sr * n_fft).astype(int), 0, spec.shape[1] - 1)
    cols = np.linspace(0, frames - 1, width).astype(int)
    img = np.clip((db[cols][:, rows].T + 90) / 90, 0, 1)
    rgb = np.stack([np.clip(1.5 * img, 0, 1), np.clip(1.5 * img - 0.5, 0, 1) ** 1.2,
                    np.clip(0.6 - 2 * abs(img - 0.3), 0, 1) + np.clip(3 * img - 2.4, 0, 1)], -1)
    env = np.zeros((120, width, 3))
    edges = np.linspace(0, len(mono), width + 1).astype(int)
    peaks = np.array([np.abs(mono[a:max(b, a + 1)]).max() for a, b in zip(edges[:-1], edges[1:])])
    for x, p in enumerate(peaks):
        h = int(min(p, 1.0) * 59)
        env[60 - h:61 + h, x] = (0.3, 0.9, 0.5)
    pixels = (np.concatenate([rgb, env]) * 255).astype(np.uint8).copy()
    image = QImage(pixels.data, width, pixels.shape[0], 3 * width, QImage.Format.Format_RGB888)
    image.save(str(path))


def write(name: str, audio: np.ndarray, out: Path) -> None:
    sf.write(out / f"{name}.wav", audio, SR, subtype="PCM_16")
    spectrogram_png(audio, out / f"{name}.png")
    peak = np.abs(audio).max()
    rms = np.sqrt(np.mean(audio.astype(np.float64) ** 2))
    print(f"  {name:22s} peak {20 * np.log10(peak + 1e-12):6.1f} dBFS  rms "
          f"{20 * np.log10(rms + 1e-12):6.1f} dBFS  dc {audio.mean():+.5f}")


def speed(seconds: float = 180.0, repeats: int = 3) -> None:
    """Real-time factor of a dense multi-part render (best of ``repeats``)."""
    bpm = 120.0
    ev, parts = arrangement(int(seconds / (4 * 60 / bpm)), bpm=bpm, seed=3)
    mix = MixSpec(reverb=0.35, saturation=0.2)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        render_mix(ev, parts, mix, length=seconds, seed=1)
        best = min(best, time.perf_counter() - t)
    print(f"dense render: {seconds:.0f} s, {len(ev)} notes, {len(parts)} parts: "
          f"{best:.2f} s wall (best of {repeats}) = {seconds / best:.0f}x real time")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="/tmp/synth_gallery")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"gallery -> {out}")
    for group in INSTRUMENT_GROUPS:
        ev = phrase(group)
        length = max(e.start + e.duration for e in ev) + 1.5
        write(group, render_mix(ev, [PartSpec("p", group, reverb_send=0.2)], MixSpec(reverb=0.25),
                                length=length), out)
    ev, parts = arrangement(8)
    write("arrangement", render_mix(ev, parts, MixSpec(reverb=0.35), length=8 * 4 * 60 / 112 + 1),
          out)
    if not args.no_speed:
        speed()


if __name__ == "__main__":
    main()
