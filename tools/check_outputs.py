"""Hash every output Twintrack makes, to show a refactoring changed none of them.

Runs the ``twintrack`` command (the public surface, which outlives any module move) on
the demo track and the shared recordings and hashes what it writes: analyses in every
export format, single- and multi-region timelines, renders (audio and MIDI), a small
corpus, a KNN and an MLP trained on it and the analyses those models label, the demo's
outputs and a short gallery.

Usage::

    python -m tools.check_outputs --write tools/output_hashes.json   # record a baseline
    python -m tools.check_outputs --check tools/output_hashes.json   # compare (exit 1 if any differ)

Files that carry wall-clock facts are hashed without them: a corpus manifest's build
times, a model's training date.  Parquet tables are hashed by content (their bytes
hold writer metadata).  Hashes hold for one machine and one set of library versions:
record the baseline and check against it in the same environment.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "audio"
WORK = ROOT / "build" / "check-outputs"
DEMO = ROOT / "resources" / "demo" / "karissa_hobbs-lets_go_fishin.ogg"
#: Two descriptors of different genres: a corpus small enough to build in seconds.
CORPUS_DESCRIPTORS = ("folk_acoustic_tender", "electronica_house_euphoric")
#: Manifest keys that hold times of day or durations rather than results.
_TEXT = {".json", ".jams", ".csv", ".txt", ".md"}
_VOLATILE = {"started", "finished", "build_seconds", "last_run_seconds", "seconds", "created",
             "trained_at"}


def _twintrack(*args: str | os.PathLike, cwd: Path) -> str:
    exe = Path(sys.executable).parent / "twintrack"
    result = subprocess.run([str(exe), *map(str, args)], cwd=cwd, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise SystemExit(f"twintrack {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result.stdout


def _strip(obj):
    """``obj`` without the keys in :data:`_VOLATILE` (at any depth)."""
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in _VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _digest(path: Path) -> str:
    if path.suffix == ".parquet":
        import pandas as pd

        table = pd.read_parquet(path)
        return hashlib.sha256(table.to_csv(index=False, float_format="%.17g").encode()).hexdigest()
    if path.name == "corpus.json":
        data = _strip(json.loads(path.read_text(encoding="utf-8")))
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    data = path.read_bytes()
    if path.suffix in _TEXT:  # the demo's outputs name the checkout's resources folder
        data = data.replace(str(ROOT).encode(), b"<checkout>")
    return hashlib.sha256(data).hexdigest()


def _hash_tree(folder: Path, prefix: str, out: dict[str, str], *, skip=()) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not any(s in rel for s in skip):
            out[f"{prefix}/{rel}"] = _digest(path)


def _model_predictions(analysis_json: Path) -> str:
    """Hash of an analysis's labels, probabilities and novelty (what a model outputs)."""
    data = json.loads(analysis_json.read_text(encoding="utf-8"))
    w = data["windows"]
    keep = {k: w.get(k) for k in ("labels", "probabilities", "nearest", "novelty")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()


def collect(work: Path) -> dict[str, str]:
    """Run every stage into ``work`` and return {output name: sha256}."""
    hashes: dict[str, str] = {}
    # The demo track is one of the shared recordings; without them, the demo alone.
    tracks = sorted(SHARED.glob("*.ogg")) or [DEMO]
    # Copies under fixed names in one folder: the analysis records the path it read.
    (work / "audio").mkdir()
    for t in tracks:
        shutil.copy2(t, work / "audio" / t.name)
    # Relative paths (the command runs in ``work``): outputs that record the paths they
    # read are then the same wherever the check runs, e.g. in a git worktree.
    names = [Path("audio") / t.name for t in tracks]

    ana = Path("analyses")
    _twintrack("analyze", *names, "--out-dir", ana, "--jobs", "1", "--quiet", cwd=work)
    _hash_tree(work / ana, "analyze", hashes)

    plans = Path("timelines")
    for path in sorted((work / ana).glob("*.json")):
        path = path.relative_to(work)
        for mode in ("multi", "single"):
            _twintrack("plan", path, "--mode", mode, "--variants", "2", "--seed", "3",
                       "--out-dir", plans, cwd=work)
    _hash_tree(work / plans, "plan", hashes)

    renders = Path("renders")
    (work / renders).mkdir()
    for tl in sorted((work / plans).glob("*.01.timeline.json")):
        tl = tl.relative_to(work)
        stem = tl.name.removesuffix(".timeline.json")
        _twintrack("render", tl, "--out", renders / f"{stem}.wav", "--midi",
                   renders / f"{stem}.mid", cwd=work)
    _hash_tree(work / renders, "render", hashes)

    corpus = Path("corpus")
    args = [a for d in CORPUS_DESCRIPTORS for a in ("--descriptor", d)]
    _twintrack("corpus", corpus, *args, "--per-descriptor", "3", "--durations", "10,20",
               "--jobs", "1", "--quiet", cwd=work)
    _hash_tree(work / corpus, "corpus", hashes)

    for kind in ("mlp", "knn"):
        model = Path(f"{kind}.skops")
        _twintrack("train", corpus, "--out", model, "--kind", kind, "--seed", "0", cwd=work)
        labelled = Path(f"labelled-{kind}")
        _twintrack("analyze", names[0], names[-1], "--out-dir", labelled, "--jobs", "1",
                   "--quiet", "--model", model, cwd=work)
        for path in sorted((work / labelled).glob("*.json")):
            hashes[f"train-{kind}/{path.name}"] = _model_predictions(path)
    cv = _twintrack("train", corpus, "--target", "genre", "--cv", "3", cwd=work)
    hashes["train-cv/genre"] = hashlib.sha256(cv.encode()).hexdigest()

    _twintrack("demo", "--out-dir", "demo", cwd=work)
    _hash_tree(work / "demo", "demo", hashes)

    _twintrack("gallery", "--out-dir", "gallery", "--seconds", "6", cwd=work)
    _hash_tree(work / "gallery", "gallery", hashes, skip=(".png",))  # PNGs carry matplotlib metadata
    return hashes


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="record the hashes in this file")
    group.add_argument("--check", type=Path, help="compare against the hashes in this file")
    p.add_argument("--keep", action="store_true", help=f"keep the outputs in {WORK}")
    args = p.parse_args(argv)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    try:
        hashes = collect(WORK)
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    if args.write:
        args.write.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
        print(f"{len(hashes)} outputs hashed -> {args.write}")
        return 0
    want = json.loads(args.check.read_text(encoding="utf-8"))
    differ = sorted(k for k in want.keys() | hashes.keys() if want.get(k) != hashes.get(k))
    for k in differ:
        print(f"DIFFERS {k}: {want.get(k, '(missing)')[:12]} -> {hashes.get(k, '(missing)')[:12]}")
    print(f"{len(hashes) - len(differ)} of {len(want)} outputs identical"
          + ("" if not differ else f"; {len(differ)} differ"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
