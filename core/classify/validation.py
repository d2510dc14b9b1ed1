"""Honest evaluation of descriptor models: grouped splits, cross-validation, reports.

Windows of one source overlap, so held-out scores split by source (*grouped*); the
window split is there to show how much a random split inflates them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.classify.hierarchy import (UNK, DescriptorModel, TrainingError, feature_matrix,
                                     target_labels)
from core.classify.persistence import save_model
from core.analysis.featureset import DEFAULT_SET
from core.io.atomic import atomic_path, atomic_write_text
from core.record import ANCESTORS, TARGETS

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    """Held-out scores of one model on one split (``UNK`` counts as wrong).

    ``accuracy`` has every modelled target plus ``descriptor`` (all targets right);
    ``source_accuracy`` scores each test source's majority label, as the majority-rules
    segment table would (windows of one source share their labels); ``reports`` are
    scikit-learn classification reports; ``confusion`` tables have the true labels as
    rows and the predicted ones as columns.
    """

    kind: str
    split: str
    n_train: int
    n_test: int
    accuracy: dict[str, float]
    source_accuracy: dict[str, float]
    reports: dict[str, str]
    confusion: dict[str, pd.DataFrame]
    unk_rate: float
    fit_seconds: float
    predict_seconds: float

    def write(self, folder: str | Path, *, png: bool = True) -> list[Path]:
        """Write each target's confusion matrix as CSV, as text with its report and (with
        ``png``) as a row-normalised heat map."""
        written = []
        for t, table in self.confusion.items():
            stem = Path(folder) / f"confusion_{self.kind}_{self.split}_{t}"
            atomic_write_text(stem.with_suffix(".csv"), table.to_csv())
            atomic_write_text(stem.with_suffix(".txt"), f"{self.reports[t]}\n"
                              f"{table.to_string()}\n")
            written += [stem.with_suffix(".csv"), stem.with_suffix(".txt")]
            if png:
                title = (f"{t}: {self.kind}, {self.split} split, accuracy "
                         f"{self.accuracy.get(t, float('nan')):.3f} ({self.n_test} windows)")
                _confusion_png(table, title, stem.with_suffix(".png"))
                written.append(stem.with_suffix(".png"))
        return written


def _confusion_png(table: pd.DataFrame, title: str, path: Path) -> None:
    """A confusion matrix as a heat map, rows (true labels) normalised to sum 1."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = table.to_numpy(dtype=float)
    rows = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    n = max(len(table.index), len(table.columns))
    size = float(np.clip(2.0 + 0.28 * n, 4.0, 16.0))
    fig, ax = plt.subplots(figsize=(size + 1.5, size), dpi=90)
    im = ax.imshow(rows, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], rotation=90,
                  fontsize=7 if n > 20 else 9)
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index],
                  fontsize=7 if n > 20 else 9)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if n <= 25:
        for i, j in zip(*np.nonzero(counts)):
            ax.text(j, i, f"{rows[i, j]:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if rows[i, j] > 0.6 else "black")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.04, label="share of the true label")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def _strata(table: pd.DataFrame) -> np.ndarray:
    if "descriptor" in table and (table["descriptor"].fillna("") != "").all():
        return table["descriptor"].astype(str).to_numpy(dtype=object)
    return np.array(["/".join(p) for p in zip(*(target_labels(table, t) for t in TARGETS))],
                    dtype=object)


def split_indices(table: pd.DataFrame, *, split: str = "grouped", test_size: float = 0.25,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row positions.

    ``"grouped"`` holds out whole sources (about ``test_size`` of each descriptor's
    sources, at least one where it has two), so overlapping windows of one render never
    sit on both sides.  ``"window"`` splits windows at random (stratified): it leaks
    through the overlap and is only reported to show how much.
    """
    from sklearn.model_selection import train_test_split

    strata = _strata(table)
    if split == "window":
        counts = pd.Series(strata).value_counts()
        tr, te = train_test_split(np.arange(len(table)), test_size=test_size, random_state=seed,
                                  stratify=strata if counts.min() >= 2 else None)
        return np.sort(tr), np.sort(te)
    if split != "grouped":
        raise ValueError(f"split must be 'grouped' or 'window', not {split!r}")
    rng = np.random.default_rng(seed)
    first = pd.DataFrame({"source": table["source"].astype(str).to_numpy(), "stratum": strata})
    first = first.drop_duplicates("source")
    held: list[str] = []
    for _, sources in sorted(first.groupby("stratum")["source"]):
        names = rng.permutation(sorted(sources))
        n = 0 if len(names) < 2 else int(np.clip(round(test_size * len(names)), 1, len(names) - 1))
        held += list(names[:n])
    test = table["source"].astype(str).isin(held).to_numpy()
    return np.flatnonzero(~test), np.flatnonzero(test)


def evaluate(table: pd.DataFrame, *, kind: str = "knn", split: str = "grouped",
             test_size: float = 0.25, seed: int = 0, calibrate: bool = True,
             feature_set: str = DEFAULT_SET) -> Evaluation:
    """Fit on one side of :func:`split_indices`, score the other.

    Raises
    ------
    TrainingError
        The split leaves no test (or no training) window.
    """
    from sklearn.metrics import classification_report, confusion_matrix

    tr, te = split_indices(table, split=split, test_size=test_size, seed=seed)
    if not len(tr) or not len(te):
        raise TrainingError(f"the {split} split leaves {len(tr)} training and {len(te)} test "
                            "windows; the corpus needs at least two sources per descriptor")
    t0 = time.perf_counter()
    model = DescriptorModel.fit(table.iloc[tr], kind=kind, seed=seed, calibrate=calibrate,
                                feature_set=feature_set)
    t1 = time.perf_counter()
    test = table.iloc[te]
    pred = model.predict(feature_matrix(test, model.feature_names))
    t2 = time.perf_counter()
    accuracy, by_source, reports, confusion = {}, {}, {}, {}
    right = np.ones(len(te), dtype=bool)
    sources = test["source"].astype(str).to_numpy()
    for t in model.targets:
        truth, guess = target_labels(test, t), np.array(pred.labels[t], dtype=object)
        right &= truth == guess
        accuracy[t] = float(np.mean(truth == guess))
        majority = pd.Series(guess).groupby(sources).agg(lambda g: g.mode().iloc[0])
        by_source[t] = float((majority == pd.Series(truth).groupby(sources).first()).mean())
        names = sorted(set(truth)) + sorted(set(guess) - set(truth))
        reports[t] = classification_report(truth, guess, labels=names, zero_division=0)
        confusion[t] = pd.DataFrame(confusion_matrix(truth, guess, labels=names),
                                    index=pd.Index(names, name="true"), columns=names)
    accuracy["descriptor"] = float(right.mean())
    unk_rate = float(np.mean([lab == UNK for lab in pred.labels[model.targets[0]]]))
    return Evaluation(kind, split, len(tr), len(te), accuracy, by_source, reports, confusion,
                      unk_rate, t1 - t0, t2 - t1)


def cross_validate_target(table: pd.DataFrame, *, target: str, cv: int = 5,
                          kind: str = "knn", seed: int = 0,
                          feature_set: str = DEFAULT_SET) -> float:
    """Mean accuracy of ``target`` over ``cv`` folds grouped by source (no ``UNK``).

    The model of each fold has ``target`` and its labelled parents, as in use.  For
    ``twintrack train CORPUS --target genre --cv 5`` (see :func:`format_accuracy`).

    Raises
    ------
    TrainingError
        Fewer labelled sources than folds.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    rows = table[target_labels(table, target) != ""]
    groups = rows["source"].astype(str).to_numpy()
    if len(np.unique(groups)) < cv:
        raise TrainingError(f"{target}: {len(np.unique(groups))} labelled sources; "
                            f"{cv}-fold cross-validation needs at least {cv}")
    y = target_labels(rows, target)
    folds = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
    scores = []
    for tr, te in folds.split(np.zeros(len(rows)), y, groups):
        model = DescriptorModel.fit(rows.iloc[tr], kind=kind, seed=seed, calibrate=False,
                                    targets=(*ANCESTORS[target], target),
                                    feature_set=feature_set)
        guess = model.predict(feature_matrix(rows.iloc[te], model.feature_names)).labels[target]
        scores.append(float(np.mean(y[te] == np.array(guess, dtype=object))))
    logger.info("%s: %d-fold grouped accuracy %s", target, cv, [round(s, 3) for s in scores])
    return float(np.mean(scores))


def format_accuracy(target: str, accuracy: float) -> str:
    """The CLI line for :func:`cross_validate_target`, e.g. ``genre accuracy: 0.97``."""
    return f"{target} accuracy: {accuracy:.2f}"


def train_and_save(table: pd.DataFrame, path: str | Path, *, kind: str = "knn",
                   seed: int = 0, description: str = "",
                   feature_set: str = DEFAULT_SET) -> DescriptorModel:
    """Evaluate on a grouped split, fit on the whole corpus, save with the metrics."""
    try:
        ev = evaluate(table, kind=kind, split="grouped", seed=seed, feature_set=feature_set)
        metrics: dict[str, Any] = {"split": "grouped", "n_test": ev.n_test,
                                   "accuracy": ev.accuracy, "unk_rate": ev.unk_rate}
    except TrainingError as exc:
        logger.warning("saving without held-out metrics: %s", exc)
        metrics = {}
    model = DescriptorModel.fit(table, kind=kind, seed=seed, description=description,
                                feature_set=feature_set)
    model = model.with_metrics(metrics)
    save_model(model, path)
    return model
