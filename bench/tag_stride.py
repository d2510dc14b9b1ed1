"""How sparse can the real-music tagger's patches be?  Tag density against every patch.

For each real recording (the shared recordings and the dev items) the shipped taggers
tag every 3 s patch once; a stride k keeps the patches ``mel_patches(stride=k)`` keeps
(every k-th, plus the one aligned to the end), and the pooled window tags are compared
with those of every patch (stride 1), which the models were meant to see:

* cost: patches per minute of audio and per model (the tagger's cost is proportional);
* windows: the genre the documented table hears per window (``TagTable``), the top-5 MSD
  tags (mean overlap), the voice decision (activity >= 0.5), the mean absolute
  difference of the probabilities;
* tracks: the genre heard over the whole track, and whether it is one a listener accepts
  (``bench.tag_join.ACCEPTED``), and the track's has-vocals decision.

Usage: ``python -m bench.tag_stride [--strides 1 2 3 4 6]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.tag_join import ACCEPTED, SHARED
from core.analysis import tags as T
from core.analysis.audio import load_for_analysis
from core.analysis.features import window_grid
from core.classify.tagmap import tag_table
from core.record import Settings

AUDIO_SUFFIXES = {".ogg", ".mp3", ".wav", ".flac"}


def recordings() -> list[Path]:
    """The shared recordings and the dev items, sorted."""
    return [p for d in ("audio", "dev") for p in sorted((SHARED / d).glob("*"))
            if p.suffix.lower() in AUDIO_SUFFIXES]


def subset(full: T.PatchTagging, n_frames: int, stride: int) -> T.PatchTagging:
    """The patches ``mel_patches(stride=stride)`` keeps, taken from every patch."""
    fe = T.FrontEnd()
    _, starts = T.mel_patches(np.zeros((n_frames, fe.n_mels), np.float32), fe, stride=stride)
    seconds = starts * fe.hop_length / fe.sr
    idx = [int(np.argmin(np.abs(full.start - s))) for s in seconds]
    emb = None if full.embeddings is None else full.embeddings[idx]
    return T.PatchTagging(full.tool, full.names, full.probabilities[idx], emb,
                          full.start[idx], full.end[idx])


def accepted(path: Path, genre: str) -> bool:
    return any(part in path.name and genre in ok for part, ok in ACCEPTED.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strides", type=int, nargs="+", default=[1, 2, 3, 4, 6])
    args = parser.parse_args(argv)
    settings, table, fe = Settings(), tag_table(), T.FrontEnd()
    rows = {k: {"win": [], "top5": [], "voice": [], "dp": [], "track": [], "ok": [],
                "sings": [], "patches": 0.0} for k in args.strides}
    minutes = 0.0
    for path in recordings():
        audio = load_for_analysis(path)
        n_frames = 1 + len(T.resample(audio.y, audio.sr, fe.sr)) // fe.hop_length  # centred
        full = T.tag_patches(audio.y, audio.sr, stride=1)
        grid = window_grid(audio.duration, 1 + len(audio.y) // settings.hop_length,
                           sr=settings.sr, hop_length=settings.hop_length,
                           length=settings.window, stride=settings.stride)
        ref = {k: p.pooled(grid.starts, grid.ends) for k, p in full.items()}
        ref_genre = table.distribution(ref).argmax(axis=1)
        ref_top = np.argsort(-ref["msd"].probabilities, axis=1)[:, :5]
        ref_voice = T.voice_activity(ref["mtt"].names, ref["mtt"].probabilities)
        ref_heard = table.heard(ref)
        minutes += audio.duration / 60
        for k in args.strides:
            part = {key: subset(p, n_frames, k) for key, p in full.items()}
            got = {key: p.pooled(grid.starts, grid.ends) for key, p in part.items()}
            r = rows[k]
            r["patches"] += len(part["msd"].start)
            r["win"] += list(table.distribution(got).argmax(axis=1) == ref_genre)
            top = np.argsort(-got["msd"].probabilities, axis=1)[:, :5]
            r["top5"] += [len(set(a) & set(b)) / 5 for a, b in zip(top, ref_top)]
            voice = T.voice_activity(got["mtt"].names, got["mtt"].probabilities)
            r["voice"] += list((voice >= 0.5) == (ref_voice >= 0.5))
            r["dp"].append(float(np.mean([np.abs(got[key].probabilities
                                                 - ref[key].probabilities).mean()
                                          for key in got])))
            heard = table.heard(got)
            r["track"].append(heard == ref_heard)
            r["ok"].append(accepted(path, heard))
            r["sings"].append(T.has_vocals(voice) == T.has_vocals(ref_voice))
        print(f"  {path.name[:48]:<48} {audio.duration:6.0f} s  heard {ref_heard}", flush=True)
    n = len(rows[args.strides[0]]["track"])
    print(f"\n{n} recordings, {minutes:.1f} minutes; agreement with every patch (stride 1)\n")
    print(f"{'stride':>6} {'patches/min':>12} {'win genre':>10} {'top-5 MSD':>10} "
          f"{'win voice':>10} {'mean |dp|':>10} {'track genre':>12} {'accepted':>9} "
          f"{'has vocals':>11}")
    for k in args.strides:
        r = rows[k]
        print(f"{k:>6} {r['patches'] / minutes:12.1f} {np.mean(r['win']):10.3f} "
              f"{np.mean(r['top5']):10.3f} {np.mean(r['voice']):10.3f} "
              f"{np.mean(r['dp']):10.4f} {sum(r['track']):>8}/{n:<3} "
              f"{sum(r['ok']):>5}/{n:<3} {sum(r['sings']):>7}/{n:<3}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
