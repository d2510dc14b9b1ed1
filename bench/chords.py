"""Chord estimation scored on rendered progressions, against a textbook baseline.

Run from the repository root after building the progressions of the key and tempo kit
(General MIDI SoundFont, every key, varied programs, tempi, tunings, reverb, drums,
noise; each item annotated with its chord per bar)::

    python -m tools.build_keykit --out build/keykit --chorales 0 --progressions 144 --seconds 20
    python -m bench.chords [--kit build/keykit] [--limit N]

Scores (``mir_eval.chord``, duration-weighted, :func:`core.evaluation.reference.chord_scores`),
mean over items, for:

* *twintrack*: :func:`core.analysis.chords.estimate_chords` on the pipeline's chroma and
  tracked beats (what an analysis stores);
* *no bass*: the same without the bass chroma's root evidence;
* *no smoothing*: the same without the Viterbi smoothing (every transition as likely);
* *annotated beats*: the same on the kit's beats instead of the tracked ones;
* *textbook*: ``librosa.feature.chroma_cqt`` averaged between ``librosa.beat.beat_track``
  beats, the best of the same 24 triad templates per beat, no smoothing, no N.

Also the chord step's time per minute of audio against the whole frame-feature stage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import librosa
import numpy as np

from core.analysis import tempo as rhythm
from core.analysis.audio import load_for_analysis
from core.analysis.chords import CHORD_LABELS, bass_chroma, chord_templates, estimate_chords
from core.analysis.features import compute_frame_features
from core.analysis.key import chroma_from_cqt
from core.evaluation.reference import chord_scores

SR, HOP = 22050, 512
METHODS = ("twintrack", "no bass", "no smoothing", "annotated beats", "textbook")


def _items(kit: Path, limit: int | None) -> list[dict]:
    index = kit / "index.json"
    if not index.is_file():
        raise SystemExit(f"{kit}: no kit here; build it first (see python -m bench.chords -h)")
    items = []
    for name in json.loads(index.read_text())["items"]:
        ann = json.loads((kit / "items" / f"{name}.json").read_text())
        if ann.get("chords"):
            items.append(ann)
    if not items:
        raise SystemExit(f"{kit}: the kit has no items with chords (build progressions)")
    return items[:limit] if limit else items


def _runs(chords) -> list[tuple[float, float, str]]:
    return [(c.start, c.end, c.label) for c in chords]


def _textbook(y: np.ndarray) -> list[tuple[float, float, str]]:
    """librosa's chroma between librosa's beats, best triad per beat."""
    chroma = librosa.feature.chroma_cqt(y=y, sr=SR, hop_length=HOP)
    _, beats = librosa.beat.beat_track(y=y, sr=SR, hop_length=HOP, trim=False)
    edges = np.unique(np.r_[0, beats, chroma.shape[1]])
    sync = librosa.util.sync(chroma, edges, aggregate=np.mean, pad=False)
    best = (chord_templates() @ sync).argmax(axis=0)
    t = librosa.frames_to_time(edges, sr=SR, hop_length=HOP)
    return [(float(t[i]), float(t[i + 1]), CHORD_LABELS[b]) for i, b in enumerate(best)]


def score_item(kit: Path, ann: dict) -> tuple[dict[str, dict[str, float]], float, float]:
    """Scores per method, and seconds of the frame features and of the chord step."""
    audio = load_for_analysis(kit / ann["audio"], sr=SR)
    y = np.asarray(audio.y)
    t0 = time.perf_counter()
    frames = compute_frame_features(y)
    t1 = time.perf_counter()
    chroma, bass = chroma_from_cqt(frames.cqt), bass_chroma(frames.cqt)
    oenv = rhythm.onset_envelope(frames.mel, sr=SR, hop_length=HOP)
    bpm = rhythm.global_tempo(oenv, sr=SR, hop_length=HOP).bpm
    beats = rhythm.beat_track(oenv, sr=SR, hop_length=HOP, bpm=bpm) if bpm > 0 else []
    t2 = time.perf_counter()
    ours = estimate_chords(chroma, beats, bass=bass, sr=SR, hop_length=HOP)
    chord_time = time.perf_counter() - t2
    seconds = float(ann["seconds"])
    reference = [(s, min(e, seconds), c) for s, e, c in ann["chords"] if s < seconds]
    known = librosa.time_to_frames(np.asarray(ann["beats"]), sr=SR, hop_length=HOP)
    estimates = {
        "twintrack": _runs(ours),
        "no bass": _runs(estimate_chords(chroma, beats)),
        "no smoothing": _runs(estimate_chords(chroma, beats, bass=bass,
                                              self_prob=1 / len(CHORD_LABELS))),
        "annotated beats": _runs(estimate_chords(chroma, known, bass=bass)),
        "textbook": _textbook(y),
    }
    return ({m: chord_scores(est, reference) for m, est in estimates.items()},
            t1 - t0, chord_time)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--kit", type=Path, default=Path("build/keykit"))
    ap.add_argument("--limit", type=int, default=None, help="score the first N items only")
    args = ap.parse_args(argv)
    items = _items(args.kit, args.limit)
    results = {m: {"root": [], "majmin": []} for m in METHODS}
    by_mode = {"major": [], "minor": []}
    frame_time = chord_time = audio_time = 0.0
    for ann in items:
        scores, ft, ct = score_item(args.kit, ann)
        frame_time, chord_time = frame_time + ft, chord_time + ct
        audio_time += float(ann["seconds"])
        for m, s in scores.items():
            for k, v in s.items():
                results[m][k].append(v)
        by_mode[ann["key"].split()[1]].append(scores["twintrack"]["majmin"])
    print(f"{len(items)} progressions, {audio_time / 60:.1f} min of audio\n")
    print(f"{'method':18s}{'root':>8s}{'majmin':>8s}")
    for m in METHODS:
        print(f"{m:18s}{np.mean(results[m]['root']):8.3f}{np.mean(results[m]['majmin']):8.3f}")
    base = np.mean(results["textbook"]["majmin"])
    print(f"\nmajmin twintrack / textbook: {np.mean(results['twintrack']['majmin']) / base:.2f}")
    print("twintrack majmin by mode: " + ", ".join(
        f"{mode} {np.mean(v):.3f} (n={len(v)})" for mode, v in by_mode.items() if v))
    print(f"chord step: {1000 * chord_time / (audio_time / 60):.1f} ms per minute of audio, "
          f"{100 * chord_time / frame_time:.1f} % of the frame features' time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
