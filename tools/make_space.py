"""Build ``resources/space/space-v1.json``: the descriptor map's 2-D projection.

Run from the repository root on a corpus of renders (``twintrack corpus OUT``; the
shipped file: 510 renders, ``--per-descriptor 3 --durations 10 20 30``)::

    .venv/bin/python -m tools.make_space CORPUS_DIR

The window features an analysis carries (:data:`core.analysis.featureset.FEATURE_NAMES`)
are standardised and projected on their first two principal components
(scikit-learn's PCA, fitted once here; the app only multiplies).  The file keeps the
projection, each descriptor's centroid (the mean of its windows on the map, with its
genre), a seeded sample of the corpus windows, and where it all came from.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from core.io.atomic import atomic_write_text

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "space" / "space-v1.json"
VERSION = "space-v1"
SAMPLE = 600  # corpus windows kept on the map (the file stays near 50 kB)


def build(corpus_dir: Path, *, sample: int = SAMPLE, seed: int = 0) -> dict:
    """The resource's content from the corpus at ``corpus_dir``."""
    from sklearn.decomposition import PCA

    from core.analysis.featureset import FEATURE_NAMES
    from core.corpus.store import load_corpus

    table = load_corpus(corpus_dir)
    table = table[table["descriptor"].astype(str).str.len() > 0]
    x = table[list(FEATURE_NAMES)].to_numpy(np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    pca = PCA(n_components=2, random_state=seed).fit((x - mean) / scale)
    xy = pca.transform((x - mean) / scale)
    descriptors = []
    for name, rows in table.groupby("descriptor", sort=True).indices.items():
        c = xy[rows].mean(axis=0)
        descriptors.append({"name": str(name), "genre": str(table["genre"].iloc[rows[0]]),
                            "x": round(float(c[0]), 4), "y": round(float(c[1]), 4)})
    pick = np.sort(np.random.default_rng(seed).choice(len(table), min(sample, len(table)),
                                                      replace=False))
    manifest = json.loads((Path(corpus_dir) / "corpus.json").read_text())
    return {
        "version": VERSION,
        "feature_names": list(FEATURE_NAMES),
        "mean": [float(v) for v in mean], "scale": [float(v) for v in scale],
        "components": pca.components_.tolist(),
        "explained_variance_ratio": [round(float(v), 4) for v in pca.explained_variance_ratio_],
        "provenance": {
            "tool": "python -m tools.make_space", "seed": seed,
            "corpus": "twintrack corpus --per-descriptor "
                      f"{manifest['identity'].get('per_descriptor')} --durations "
                      f"{' '.join(str(d) for d in manifest['identity'].get('durations', []))}",
            "corpus_created": manifest.get("created"),
            "dictionary_version": manifest.get("dictionary_version"),
            "pca_version": manifest.get("versions", {}).get("pca"),
            "sources": manifest.get("counts", {}).get("sources"),
            "windows": int(len(table)),
        },
        "descriptors": descriptors,
        "windows": {"x": [round(float(v), 4) for v in xy[pick, 0]],
                    "y": [round(float(v), 4) for v in xy[pick, 1]],
                    "genre": [str(g) for g in table["genre"].iloc[pick]],
                    "descriptor": [str(d) for d in table["descriptor"].iloc[pick]]},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a corpus folder of renders")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    doc = build(args.corpus)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(doc, indent=0) + "\n")
    sys.stderr.write(f"wrote {args.out}: {len(doc['descriptors'])} descriptors, "
                     f"{len(doc['windows']['x'])} windows, explained variance "
                     f"{doc['explained_variance_ratio']}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
