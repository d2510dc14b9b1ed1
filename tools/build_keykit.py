"""Build the key and tempo development kit (issue 15) into ``build/keykit/``.

The kit is audio with known answers, rendered here so that nothing has to be annotated
by hand: Bach chorales from the ``music21`` corpus (key from the key signature and the
final bass note, beats and downbeats from the score) and generated progressions in all
24 keys (:mod:`tools.keykit_scores`), both rendered through Debian's General MIDI
SoundFont with FluidSynth, with varied programs, tempi, tunings (+-40 cents, by pitch
bend), reverb (pedalboard), drums and noise.  Every item is a 22.05 kHz mono FLAC with
a JSON annotation beside it (key, tempo, beats, downbeats, tuning, what was rendered);
``index.json`` lists the items.  The real recordings in ``../shared/data`` are read in
place by ``bench.keykit``, never copied.

Every random choice comes from ``numpy.random.default_rng([seed, item])``: the same
arguments build the same kit.  A stopped build resumes (an item whose annotation exists
is kept).

Usage::

    python -m tools.build_keykit --out build/keykit                  # about 330 items
    python -m tools.build_keykit --out /tmp/kit --chorales 2 --progressions 2 --seconds 8
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from core.errors import TwintrackError
from core.io.atomic import atomic_path, atomic_write_text
from tools import keykit_scores as scores

log = logging.getLogger("build_keykit")

SR = 22050
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
_BEND_PER_CENT = 8192 / 200.0  # default pitch-bend range: +-2 semitones
_TAIL_S = 1.5  # rendered past the clip so reverb tails and releases are not cut short


class KitError(TwintrackError):
    """The kit cannot be built (SoundFont missing, output folder unusable)."""


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=Path("build/keykit"))
    p.add_argument("--chorales", type=int, default=180, help="Bach chorales to render")
    p.add_argument("--progressions", type=int, default=168,
                   help="generated progressions, cycled over the 24 keys")
    p.add_argument("--seconds", type=float, default=25.0, help="clip length")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.chorales < 0 or args.progressions < 0 or not 4.0 <= args.seconds <= 120.0:
        p.error("counts must be >= 0 and --seconds in [4, 120]")
    return args


class _Renderer:
    """One FluidSynth instance reused for every item (loading the SoundFont takes ~1 s)."""

    def __init__(self, soundfont: Path = SOUNDFONT) -> None:
        if not soundfont.is_file():
            raise KitError(f"{soundfont}: General MIDI SoundFont not found "
                           "(Debian package fluid-soundfont-gm)")
        import fluidsynth

        self.synth = fluidsynth.Synth(samplerate=float(SR), gain=0.35)
        self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid < 0:
            raise KitError(f"{soundfont}: FluidSynth cannot load this SoundFont")

    def render(self, piece: scores.Piece, *, cents: float, seconds: float) -> np.ndarray:
        """Mono float32 audio of ``piece`` (``seconds`` long), detuned by ``cents``."""
        s = self.synth
        s.system_reset()
        s.get_samples(SR)  # flush the previous item's tails
        for chan, program in piece.programs.items():
            s.program_select(chan, self.sfid, 128 if chan == 9 else 0, program)
            if chan != 9:
                s.pitch_bend(chan, int(round(cents * _BEND_PER_CENT)))
        events = sorted([(n.start, 1, n) for n in piece.notes]
                        + [(n.start + n.duration, 0, n) for n in piece.notes],
                        key=lambda e: (e[0], e[1]))
        total = int(round((seconds + _TAIL_S) * SR))
        chunks, done = [], 0
        for when, is_on, note in events:
            frame = min(int(round(when * SR)), total)
            if frame > done:
                chunks.append(s.get_samples(frame - done))
                done = frame
            if frame >= total:
                break
            if is_on:
                s.noteon(note.channel, note.pitch, note.velocity)
            else:
                s.noteoff(note.channel, note.pitch)
        if done < total:
            chunks.append(s.get_samples(total - done))
        stereo = np.concatenate(chunks).astype(np.float32).reshape(-1, 2) / 32768.0
        return stereo.mean(axis=1)[:int(round(seconds * SR))]


def _effects(y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Reverb (pedalboard) on 60 % of items and noise on 40 %, then peak-normalise."""
    applied: dict = {}
    if rng.random() < 0.6:
        from pedalboard import Pedalboard, Reverb

        room, wet = float(rng.uniform(0.2, 0.9)), float(rng.uniform(0.1, 0.4))
        board = Pedalboard([Reverb(room_size=room, wet_level=wet, dry_level=1.0 - wet / 2)])
        y = board(y[None, :].astype(np.float32), SR)[0]
        applied["reverb"] = {"room_size": round(room, 3), "wet_level": round(wet, 3)}
    if rng.random() < 0.4:
        snr = float(rng.uniform(12.0, 35.0))
        white = rng.standard_normal(y.size)
        pink = np.fft.irfft(np.fft.rfft(white) / np.sqrt(np.arange(1, y.size // 2 + 2)),
                            n=y.size)
        power = np.mean(y ** 2) / 10 ** (snr / 10)
        y = y + pink * np.sqrt(power / max(np.mean(pink ** 2), 1e-20))
        applied["noise_snr_db"] = round(snr, 1)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    return (y * (0.8 / peak) if peak > 0 else y).astype(np.float32), applied


def _write_item(out: Path, name: str, y: np.ndarray, annotation: dict) -> None:
    """FLAC then its annotation, each atomically (the annotation marks the item done)."""
    buffer = io.BytesIO()
    sf.write(buffer, y, SR, format="FLAC", subtype="PCM_16")
    with atomic_path(out / f"{name}.flac") as tmp:
        tmp.write_bytes(buffer.getvalue())
    atomic_write_text(out / f"{name}.json", json.dumps(annotation, indent=1) + "\n")


def _plan(args: argparse.Namespace) -> list[tuple[str, int]]:
    """``(kind, number)`` of every item: chorales and progressions interleaved."""
    plan = [("chorale", i) for i in range(args.chorales)]
    plan += [("progression", i) for i in range(args.progressions)]
    return plan


def build(args: argparse.Namespace) -> list[dict]:
    """Render every planned item not yet in ``args.out``; return the index entries."""
    items_dir = args.out / "items"
    try:
        items_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KitError(f"{args.out}: cannot create the kit folder ({exc.strerror})") from None
    renderer, index = None, []
    chorales = scores.chorale_paths()
    for number, (kind, i) in enumerate(_plan(args)):
        name = f"{kind}-{i:03d}"
        done = items_dir / f"{name}.json"
        if done.is_file():
            index.append(json.loads(done.read_text()))
            continue
        rng = np.random.default_rng([args.seed, number])
        if kind == "chorale":
            piece = scores.chorale(chorales[i % len(chorales)], rng, seconds=args.seconds)
        else:
            piece = scores.progression(i, rng, seconds=args.seconds)
        if piece is None:
            continue  # a chorale whose mode the score does not settle
        renderer = renderer or _Renderer()
        cents = float(np.round(rng.uniform(-40.0, 40.0), 1))
        y = renderer.render(piece, cents=cents, seconds=piece.seconds)
        y, effects = _effects(y, rng)
        annotation = {"name": name, "audio": f"items/{name}.flac", **piece.annotation(),
                      "tuning_cents": cents, "effects": effects}
        _write_item(items_dir, name, y, annotation)
        index.append(annotation)
        log.info("%s %s %.0f bpm %+.0f cents", name, annotation["key"],
                 annotation["tempo"], cents)
    atomic_write_text(args.out / "index.json",
                      json.dumps({"seed": args.seed, "seconds": args.seconds,
                                  "items": [it["name"] for it in index]}, indent=1) + "\n")
    return index


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = _args(argv)
    start = time.time()
    try:
        index = build(args)
    except TwintrackError as exc:
        print(f"build_keykit: {exc}", file=sys.stderr)
        return 1
    audio = sum(it["seconds"] for it in index)
    print(f"{len(index)} items, {audio / 60:.1f} min of audio in {args.out} "
          f"({time.time() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
