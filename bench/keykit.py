"""Score key, tempo and beat methods side by side on the key and tempo kit (issue 15).

Run from the repository root after ``python -m tools.build_keykit``::

    python -m bench.keykit [--kit build/keykit] [--only key|tempo] [--no-real]

Items: the kit's renders (``build/keykit/items``: chorales and progressions with known
key, tempo, beats and downbeats) and the annotated real recordings of ``../shared/data``
(keys as in :mod:`bench.dev_key`, tempi from ``dev/index.json``), read in place.  The
pipeline's frame features (CQT, mel) of every item are cached in ``build/keykit/cache``.

Scores, per method and per group (chorales, progressions, real, and the held-out half
of the kit: items with an odd number, never used by a method that learns):

* key: mean MIREX weighted score (``mir_eval.key.weighted_score``) and the error kinds
  (fifth, relative, parallel, other);
* tempo: ACC1 (within 4 %), ACC2 (also x2, x3, /2, /3) and the beat F-measure
  (``mir_eval.beat.f_measure``, 70 ms) of the beats tracked at that tempo.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import librosa
import mir_eval
import numpy as np
import soundfile as sf
import soxr

from bench import keykit_methods as methods
from bench.dev_key import ITEMS as REAL_KEYS
from core.analysis import downbeats, key as tonality
from core.analysis.features import compute_frame_features
from core.analysis.tuning import applied_tuning, estimate_tuning

SR, HOP = 22050, 512
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_KINDS = {1.0: "right", 0.5: "fifth", 0.3: "relative", 0.2: "parallel", 0.0: "other"}


@dataclass
class Item:
    """One scored item: its answers (None where unknown) and cached features."""

    name: str
    group: str
    audio: Path
    key: str | None
    tempo: float | None
    beats: np.ndarray | None
    downbeats: np.ndarray | None
    held_out: bool
    cache: Path

    def features(self) -> dict[str, np.ndarray]:
        """CQT (tuned, as the pipeline's), mel, the A440 CQT and method extras; cached."""
        feats: dict[str, np.ndarray] = {}
        if self.cache.is_file():
            with np.load(self.cache) as z:
                feats = dict(z)
            if "cqt_a440" in feats:
                return feats
        y, fresh = self._audio(), not feats
        if fresh:
            frames = compute_frame_features(y)
            feats = {"cqt": frames.cqt, "mel": frames.mel, **methods.extra_features(y, SR)}
        # caches of before the pipeline's CQT followed the tuning hold the A440 CQT
        tuning = applied_tuning(estimate_tuning(y, SR))
        feats["cqt_a440"] = _cqt(y, 0.0) if tuning else feats["cqt"]
        if tuning and not fresh:
            feats["cqt"] = _cqt(y, tuning)
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(self.cache, **feats)
        return feats

    def _audio(self) -> np.ndarray:
        y, sr = sf.read(str(self.audio), dtype="float32", always_2d=True)
        y = y.mean(axis=1)
        return soxr.resample(y, sr, SR).astype(np.float32) if sr != SR else y


def _cqt(y: np.ndarray, tuning: float) -> np.ndarray:
    """The pipeline's CQT (one block) at ``tuning`` semitones from A440."""
    fmin = librosa.note_to_hz("C1") * 2.0 ** (tuning / 12.0)
    return np.abs(librosa.cqt(y, sr=SR, hop_length=HOP, fmin=fmin, n_bins=84,
                              bins_per_octave=12)).astype(np.float32)


def kit_items(kit: Path) -> list[Item]:
    index = json.loads((kit / "index.json").read_text())
    items = []
    for number, name in enumerate(index["items"]):
        ann = json.loads((kit / "items" / f"{name}.json").read_text())
        items.append(Item(name, name.split("-")[0], kit / ann["audio"], ann["key"],
                          ann["tempo"], np.array(ann["beats"]), np.array(ann["downbeats"]),
                          number % 2 == 1, kit / "cache" / f"{name}.npz"))
    return items


def real_items(kit: Path) -> list[Item]:
    """The shared recordings with a key (bench.dev_key) or a tempo (dev/index.json)."""
    found: dict[str, Item] = {}
    for rel, key, counted in REAL_KEYS:
        if (DATA / rel).is_file():
            found[rel] = Item(Path(rel).stem, "real", DATA / rel, key if counted else None,
                              None, None, None, True, kit / "cache" / f"real-{Path(rel).stem}.npz")
    index = DATA / "dev" / "index.json"
    for it in json.loads(index.read_text())["items"] if index.is_file() else []:
        rel = "dev/" + it["audio"]
        if it.get("tempo") and (DATA / rel).is_file():
            item = found.setdefault(rel, Item(Path(rel).stem, "real", DATA / rel, None, None,
                                              None, None, True,
                                              kit / "cache" / f"real-{Path(rel).stem}.npz"))
            item.tempo = float(it["tempo"])
    return list(found.values())


def _key_table(items: list[Item], feats: dict[str, dict]) -> None:
    train = [(it.key, feats[it.name]) for it in items
             if it.key and it.group != "real" and not it.held_out]
    fitted = {name: make(train) for name, make in methods.KEY_METHODS.items()}
    groups = ("chorale", "progression", "real", "held-out")
    print(f"\n{'key method':24s}" + "".join(f"{g:>30s}" for g in groups))
    print(f"{'':24s}" + "   mean  n right/5th/rel/par/oth" * len(groups))
    for name, estimate in fitted.items():
        t0, cells = time.perf_counter(), []
        results = {it.name: estimate(feats[it.name]) for it in items if it.key}
        elapsed = time.perf_counter() - t0
        for group in groups:
            chosen = [it for it in items if it.key and (
                it.held_out and it.group != "real" if group == "held-out" else it.group == group)]
            scores = [mir_eval.key.weighted_score(it.key, results[it.name]) for it in chosen]
            kinds = [sum(_KINDS[round(s, 1)] == k for s in scores) for k in _KINDS.values()]
            cells.append(f"{np.mean(scores) if scores else np.nan:7.3f}{len(scores):4d} "
                         + "/".join(f"{k}" for k in kinds).rjust(18))
        print(f"{name:24s}" + "".join(cells) + f"  {1e3 * elapsed / len(results):.1f} ms/item")


def _accuracy(estimate: float, reference: float) -> tuple[bool, bool]:
    def near(factor: float) -> bool:
        return abs(estimate / (reference * factor) - 1.0) <= 0.04

    return near(1.0), any(near(f) for f in (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0))


def _tempo_table(items: list[Item], feats: dict[str, dict]) -> None:
    train = [(it, feats[it.name]) for it in items
             if it.tempo and it.group != "real" and not it.held_out]
    fitted = {name: make(train) for name, make in methods.TEMPO_METHODS.items()}
    groups = ("chorale", "progression", "real", "held-out")
    print(f"\n{'tempo method':24s}" + "".join(f"{g:>26s}" for g in groups))
    print(f"{'':24s}" + "    n  ACC1  ACC2  beatF".rjust(26) * len(groups))
    for name, estimate in fitted.items():
        cells = []
        out = {it.name: estimate(feats[it.name]) for it in items if it.tempo}
        for group in groups:
            chosen = [it for it in items if it.tempo and (
                it.held_out and it.group != "real" if group == "held-out" else it.group == group)]
            acc = np.array([_accuracy(out[it.name][0], it.tempo) for it in chosen], float)
            beat_f = [mir_eval.beat.f_measure(it.beats[it.beats >= 5.0],
                                              out[it.name][1][out[it.name][1] >= 5.0])
                      for it in chosen if it.beats is not None and it.beats.size]
            a1, a2 = acc.mean(axis=0) if acc.size else (np.nan, np.nan)
            f = np.mean(beat_f) if beat_f else np.nan
            cells.append(f"{len(chosen):5d} {a1:5.3f} {a2:5.3f} {f:6.3f}".rjust(26))
        print(f"{name:24s}" + "".join(cells))


def _downbeat_table(items: list[Item], feats: dict[str, dict]) -> None:
    """Downbeat F-measure (70 ms) from the annotated beats and from our tracked beats."""
    fps = SR / HOP
    rows: dict[str, list] = {f"{b}, {g}": [] for b in ("annotated beats", "tracked beats")
                             for g in ("chorale", "progression")}
    meters = []
    for it in items:
        if it.downbeats is None or it.downbeats.size < 2:
            continue
        f = feats[it.name]
        chroma = tonality.chroma_from_cqt(f["cqt"])
        _, tracked = methods.TEMPO_METHODS["ours (global_tempo)"]([])(f)
        for label, beats in (("annotated beats", it.beats), ("tracked beats", tracked)):
            frames = np.round(np.asarray(beats) * fps).astype(int)
            frames = frames[frames < chroma.shape[1]]
            est = downbeats.estimate_downbeats(frames, mel=f["mel"], chroma=chroma)
            times = est.frames / fps
            rows[f"{label}, {it.group}"].append(mir_eval.beat.f_measure(
                it.downbeats[it.downbeats >= 5.0], times[times >= 5.0]))
            if label == "annotated beats":
                meters.append(est.meter == json.loads(
                    (it.audio.with_suffix(".json")).read_text())["meter"])
    print(f"\ndownbeats ({len(meters)} kit items): meter right {np.mean(meters):.3f}")
    for k, v in rows.items():
        print(f"  F-measure from {k:30s} {np.mean(v):.3f} ({len(v)} items)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kit", type=Path, default=Path("build/keykit"))
    p.add_argument("--only", choices=("key", "tempo", "downbeats"), default=None)
    p.add_argument("--no-real", action="store_true", help="leave out ../shared/data")
    args = p.parse_args(argv)
    if not (args.kit / "index.json").is_file():
        print(f"skipped: no kit at {args.kit} (python -m tools.build_keykit)")
        return 0
    items = kit_items(args.kit) + ([] if args.no_real else real_items(args.kit))
    t0 = time.perf_counter()
    feats = {it.name: it.features() for it in items}
    print(f"{len(items)} items ({sum(it.group == 'real' for it in items)} real), features "
          f"{time.perf_counter() - t0:.0f} s")
    if args.only in (None, "key"):
        _key_table(items, feats)
    if args.only in (None, "tempo"):
        _tempo_table(items, feats)
    if args.only in (None, "downbeats"):
        _downbeat_table(items, feats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
