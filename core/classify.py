"""Hierarchical descriptor classifiers: train, evaluate, predict, save and load safely.

::

    genre (one-vs-rest) ── subgenre | genre ── mood | genre, subgenre ─┐
                                                                       ├─ best path ─ UNK?
    sentiment (one-vs-rest) ── valence | sentiment, momentum | sentiment ┘

Every modelled target has a classifier per value of its parents (the top targets one,
one-vs-rest).  A window's score for a path of labels seen in training (for the render
corpus: an active descriptor) is the product of its conditional probabilities; the best
path is the prediction, so labels are always a consistent descriptor, and each target's
probability is its marginal over the normalised path scores.  A window whose mean
k-NN distance to the training windows (standardised features) exceeds a threshold
calibrated on held-out sources is ``UNK`` for every target.  Models are saved with
skops and loaded only if every type in the file is on :data:`ALLOWED_TYPES`.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import time
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.errors import FormatError, TwintrackError
from core.featureset import DEFAULT_SET, FEATURE_NAMES, PCA_VERSION, feature_names
from core.fileio import atomic_path, atomic_write_text
from core.model import ANCESTORS, TARGETS

__all__ = ["UNK", "ALLOWED_TYPES", "UntrustedModelError", "TrainingError", "Prediction",
           "DescriptorModel", "Evaluation", "evaluate", "split_indices",
           "cross_validate_target", "train_and_save", "save_model", "load_model",
           "format_accuracy"]

logger = logging.getLogger(__name__)

UNK = "UNK"
FORMAT = "twintrack.classify/1"
K_NEIGHBORS = 15          # KNN classifiers
MLP_HIDDEN = (128,)       # hidden layer sizes (64: -0.5 to -0.8 points on every target)
MLP_ADAM_MIN = 2000       # MLPs on fewer windows use L-BFGS
K_NOVELTY = 5             # neighbours averaged for the UNK distance
NOVELTY_QUANTILE = 0.99   # default share of held-out in-distribution windows kept
NOVELTY_MAX_POINTS = 8000  # reference windows kept for the UNK distance
_EPS = 1e-4               # floor on a conditional probability (k-NN gives exact zeros)
#: Every type a model file may contain; anything else is refused before loading.
ALLOWED_TYPES = frozenset({
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "numpy.ndarray", "numpy.float64",
    "numpy.random.mtrand.RandomState",
    "sklearn.pipeline.Pipeline", "sklearn.preprocessing._data.StandardScaler",
    "sklearn.multiclass.OneVsRestClassifier", "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.neighbors._classification.KNeighborsClassifier",
    "sklearn.neighbors._unsupervised.NearestNeighbors",
    "sklearn.neural_network._multilayer_perceptron.MLPClassifier",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
})


class UntrustedModelError(TwintrackError):
    """A model file is not a Twintrack model or holds types we do not load (nothing ran)."""


class TrainingError(TwintrackError):
    """A corpus cannot train or evaluate a model (too few sources, no labels)."""


@dataclass(frozen=True)
class Prediction:
    """Labels and their probabilities per window, per target; ``UNK`` windows have 0.0.

    ``novelty`` is the window's k-NN distance over the UNK threshold (> 1 is UNK);
    ``nearest`` is the most probable path for every window, ``UNK`` ones included (the
    closest descriptor the model knows: what planning and the feedback loop fall back on).
    """

    labels: dict[str, tuple[str, ...]]
    probabilities: dict[str, tuple[float, ...]]
    novelty: tuple[float, ...] = ()
    nearest: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def descriptors(self) -> tuple[str, ...]:
        """``genre_subgenre_mood`` (the JAMS ``tag_open`` value) or ``UNK`` per window."""
        parts = [self.labels[t] for t in ("genre", "subgenre", "mood") if t in self.labels]
        return tuple(UNK if UNK in p else "_".join(p) for p in zip(*parts))


def _key(target: str, parents: tuple[str, ...] = ()) -> str:
    return json.dumps([target, *parents]) if parents else target


def _labels(table: pd.DataFrame, target: str) -> np.ndarray:
    if target not in table:
        return np.full(len(table), "", dtype=object)
    return table[target].fillna("").astype(str).to_numpy(dtype=object)


def _features(table: pd.DataFrame, names: tuple[str, ...] = FEATURE_NAMES) -> np.ndarray:
    missing = [n for n in names if n not in table]
    if missing or "source" not in table:
        raise FormatError(f"corpus table: missing columns {missing or ['source']}"
                          + (" (a corpus built before this feature set: rebuild it)"
                             if missing else ""))
    return table[list(names)].to_numpy(dtype=np.float64)


def _modelled(table: pd.DataFrame, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """Targets labelled in every row (partly labelled ones are left out, with a note)."""
    out = []
    for t in wanted:
        filled = _labels(table, t) != ""
        if filled.all():
            out.append(t)
        elif filled.any():
            logger.warning("target %s is labelled in only %d of %d windows; not modelled",
                           t, int(filled.sum()), len(table))
    if not out:
        raise TrainingError("the corpus has no target labelled in every window")
    return tuple(out)


def _estimator(kind: str, n: int, seed: int, *, ovr: bool) -> Any:
    """``StandardScaler`` + a KNN or MLP classifier (one-vs-rest for the top targets)."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "knn":
        clf: Any = KNeighborsClassifier(n_neighbors=min(K_NEIGHBORS, n), weights="distance",
                                        algorithm="brute")
    elif kind == "mlp":
        # Adam with early stopping converges on the full corpus; L-BFGS on small subsets.
        big = n >= MLP_ADAM_MIN
        clf = MLPClassifier(hidden_layer_sizes=MLP_HIDDEN, alpha=1e-3, random_state=seed,
                            solver="adam" if big else "lbfgs", early_stopping=big,
                            max_iter=1000 if big else 3000, n_iter_no_change=15)
    else:
        raise ValueError(f"kind must be 'knn' or 'mlp', not {kind!r}")
    return Pipeline([("scale", StandardScaler()),
                     ("clf", OneVsRestClassifier(clf) if ovr else clf)])


def _fit_one(x: np.ndarray, y: np.ndarray, kind: str, seed: int, *, ovr: bool) -> Any:
    """A fitted pipeline, or the label itself when ``y`` has a single value."""
    values = np.unique(y)
    if len(values) == 1:
        return str(values[0])
    return _compact(_estimator(kind, len(y), seed, ovr=ovr).fit(x, y))


def _compact(pipeline: Any) -> Any:
    """Drop what prediction never reads from fitted MLPs: the Adam optimiser's moment
    estimates (twice the weights), early stopping's copy of the best weights and the
    training curves; keep the weights in float32
    (a shipped model of 46 MLPs on 94 features: 14 MB -> about 4 MB; predictions differ
    by float rounding only)."""
    from sklearn.neural_network import MLPClassifier

    clf = pipeline.named_steps["clf"]
    for mlp in getattr(clf, "estimators_", [clf]):
        if isinstance(mlp, MLPClassifier):
            mlp._optimizer = None
            for copy in ("_best_coefs", "_best_intercepts"):  # early stopping's spare copy
                if hasattr(mlp, copy):
                    delattr(mlp, copy)
            for curve in ("loss_curve_", "validation_scores_"):
                if getattr(mlp, curve, None) is not None:
                    setattr(mlp, curve, [])
            mlp.coefs_ = [c.astype(np.float32) for c in mlp.coefs_]
            mlp.intercepts_ = [b.astype(np.float32) for b in mlp.intercepts_]
    return pipeline


def _digest(x: np.ndarray, labels: list[np.ndarray], groups: np.ndarray) -> str:
    h = hashlib.sha256(np.ascontiguousarray(x).tobytes())
    for col in [*labels, groups]:
        h.update("\x1f".join(map(str, col)).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class _Novelty:
    """Standardiser, k-NN index over training windows, and the calibrated threshold."""

    scaler: Any
    index: Any
    threshold: float

    def score(self, x: np.ndarray) -> np.ndarray:
        dist, _ = self.index.kneighbors(self.scaler.transform(x).astype(np.float32))
        return dist.mean(axis=1) / self.threshold


def _calibrate(x: np.ndarray, groups: np.ndarray, seed: int, quantile: float) -> _Novelty:
    """Threshold = ``quantile`` of held-out sources' mean k-NN distances."""
    from sklearn.model_selection import GroupShuffleSplit
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    # Windows of one source overlap by 80 %: a regular subsample keeps the shape of the
    # training cloud and keeps the shipped model small (the index stores its points).
    step = max(1, -(-len(x) // NOVELTY_MAX_POINTS))
    z = scaler.transform(x[::step]).astype(np.float32)
    groups = np.asarray(groups)[::step]
    k = min(K_NOVELTY, len(z) - 1)
    if len(np.unique(groups)) >= 4:
        tr, te = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
                      .split(z, groups=groups))
    else:  # too few sources to hold any out: use every window, minus itself
        tr = te = np.arange(len(z))
    held = NearestNeighbors(n_neighbors=k + (tr is te), algorithm="brute").fit(z[tr])
    dist, _ = held.kneighbors(z[te])
    dist = dist[:, 1:] if tr is te else dist
    threshold = float(np.quantile(dist.mean(axis=1), quantile))
    index = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(z)
    return _Novelty(scaler, index, max(threshold, 1e-9))


def _fit_target(x: np.ndarray, labels: dict[str, np.ndarray], target: str,
                modelled: tuple[str, ...], kind: str, seed: int) -> dict[str, Any]:
    """The classifiers of one target: one-vs-rest at the top, else one per parent path."""
    parents = tuple(a for a in ANCESTORS[target] if a in modelled)
    y = labels[target]
    if not parents:
        return {target: _fit_one(x, y, kind, seed, ovr=True)}
    joined = np.array(["\x1f".join(p) for p in zip(*(labels[a] for a in parents))])
    out = {}
    for value in dict.fromkeys(joined):
        mask = joined == value
        out[_key(target, tuple(value.split("\x1f")))] = _fit_one(x[mask], y[mask], kind, seed,
                                                                 ovr=False)
    return out


@dataclass(frozen=True, eq=False)
class DescriptorModel:
    """Fitted hierarchical classifiers for a named window feature set (:attr:`feature_set`).

    Owns its pipelines and never changes them after :meth:`fit` (or :func:`load_model`);
    :meth:`predict` only reads them, so any thread may call it, several at once.
    """

    kind: str
    targets: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]  # label tuples (over ``targets``) seen in training
    estimators: Mapping[str, Any]       # key -> fitted pipeline, or the only label
    novelty: _Novelty | None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimators", MappingProxyType(dict(self.estimators)))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    @property
    def version(self) -> str:
        """Identifies the model in an analysis (``Versions.model``)."""
        return str(self.metadata["version"])

    @classmethod
    def fit(cls, table: pd.DataFrame, *, kind: str = "knn", seed: int = 0,
            calibrate: bool = True, unk_quantile: float = NOVELTY_QUANTILE,
            targets: tuple[str, ...] = TARGETS, description: str = "",
            feature_set: str = DEFAULT_SET) -> "DescriptorModel":
        """Train on a corpus table (one row per window; see :mod:`core.corpus`).

        Parameters
        ----------
        table : pandas.DataFrame
            ``source``, the target columns and the :data:`FEATURE_NAMES` columns.
        kind : {"knn", "mlp"}
        seed : int
            Same table + seed = the same model.
        calibrate : bool
            Calibrate the ``UNK`` threshold (off: nothing is ever ``UNK``).
        unk_quantile : float
            Share of held-out in-distribution windows that stay below the threshold.
        targets : tuple of str
            Targets to model; those not labelled in every window are left out.
        description : str
            Where the corpus came from, kept in :attr:`metadata`.
        feature_set : str
            Named feature set (:data:`core.featureset.FEATURE_SETS`) the model reads;
            the analysis computes the same set for it.

        Raises
        ------
        FormatError
            Columns missing or non-finite features.
        TrainingError
            Empty table, or no target labelled in every window.
        """
        if kind not in ("knn", "mlp"):
            raise ValueError(f"kind must be 'knn' or 'mlp', not {kind!r}")
        names = feature_names(feature_set)
        x = _features(table, names)
        if not len(x):
            raise TrainingError("the corpus table is empty")
        if not np.isfinite(x).all():
            raise FormatError("corpus table: features contain NaN or infinite values")
        modelled = _modelled(table, tuple(targets))
        labels = {t: _labels(table, t) for t in modelled}
        groups = table["source"].astype(str).to_numpy()
        estimators: dict[str, Any] = {}
        with threadpool_limits(limits=1):  # small problems: threads cost more than they save
            for t in modelled:
                estimators.update(_fit_target(x, labels, t, modelled, kind, seed))
            novelty = _calibrate(x, groups, seed, unk_quantile) if calibrate else None
        paths = tuple(dict.fromkeys(tuple(map(str, p)) for p in zip(*labels.values())))
        meta = _metadata(kind=kind, seed=seed, targets=modelled, paths=paths,
                         feature_set=feature_set,
                         unk=None if novelty is None else {
                             "k": K_NOVELTY, "quantile": unk_quantile,
                             "threshold": novelty.threshold},
                         digest=_digest(x, list(labels.values()), groups),
                         corpus={"description": description, "windows": len(x),
                                 "sources": int(len(np.unique(groups)))})
        logger.info("fitted %s model %s: %d windows, %d paths, %d classifiers", kind,
                    meta["version"], len(x), len(paths), len(estimators))
        return cls(kind, modelled, paths, estimators, novelty, meta)

    @property
    def feature_set(self) -> str:
        """The named feature set the model reads (``default21`` for older models)."""
        return str(self.metadata.get("feature_set", DEFAULT_SET))

    @property
    def feature_names(self) -> tuple[str, ...]:
        return feature_names(self.feature_set)

    def with_metrics(self, metrics: Mapping[str, Any]) -> "DescriptorModel":
        """A copy whose metadata records ``metrics`` (e.g. a held-out evaluation)."""
        return replace(self, metadata={**self.metadata, "metrics": dict(metrics)})

    def predict(self, features: np.ndarray) -> Prediction:
        """Labels of every window: a consistent path, or ``UNK`` for every target.

        Parameters
        ----------
        features : np.ndarray, shape (n_windows, n_features)
            Window features of :attr:`feature_set`, in its order; rows with NaN are
            ``UNK``.
        """
        x = np.asarray(features, dtype=np.float64)
        width = len(self.feature_names)
        if x.ndim != 2 or x.shape[1] != width:
            raise FormatError(f"features: shape {x.shape}, expected (n, {width}) "
                              f"({self.feature_set})")
        finite = np.isfinite(x).all(axis=1)
        x = np.where(finite[:, None], x, 0.0)
        n = len(x)
        with threadpool_limits(limits=1):  # a track's windows: threads cost more than they save
            post = self._posterior(x) if n else np.zeros((0, len(self.paths)))
            novelty = self.novelty.score(x) if self.novelty and n else np.zeros(n)
        best = post.argmax(axis=1)
        novelty = np.where(finite, np.minimum(novelty, 1e9), 1e9)
        unk = novelty > 1.0
        labels, probs, nearest = {}, {}, {}
        for j, t in enumerate(self.targets):
            values, inv = np.unique([p[j] for p in self.paths], return_inverse=True)
            marginal = post @ (inv[:, None] == np.arange(len(values))).astype(float)
            chosen = inv[best]
            nearest[t] = tuple(str(values[c]) if f else UNK for f, c in zip(finite, chosen))
            labels[t] = tuple(UNK if u else str(values[c]) for u, c in zip(unk, chosen))
            probs[t] = tuple(0.0 if u else float(p)
                             for u, p in zip(unk, marginal[np.arange(n), chosen]))
        return Prediction(labels, probs, tuple(float(v) for v in novelty), nearest)

    def _posterior(self, x: np.ndarray) -> np.ndarray:
        """Normalised path scores, shape (n, n_paths)."""
        logp = np.zeros((len(x), len(self.paths)))
        cache: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        for j, t in enumerate(self.targets):
            parents = [self.targets.index(a) for a in ANCESTORS[t] if a in self.targets]
            for i, path in enumerate(self.paths):
                key = _key(t, tuple(path[p] for p in parents))
                if key not in cache:
                    cache[key] = self._proba(key, x)
                proba, column = cache[key]
                logp[:, i] += np.log(proba[:, column[path[j]]] + _EPS)
        logp -= logp.max(axis=1, keepdims=True)
        post = np.exp(logp)
        return post / post.sum(axis=1, keepdims=True)

    def _proba(self, key: str, x: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
        est = self.estimators[key]
        if isinstance(est, str):
            return np.ones((len(x), 1)), {est: 0}
        return est.predict_proba(x), {str(c): i for i, c in enumerate(est.classes_)}


def _metadata(*, kind: str, seed: int, targets: tuple[str, ...],
              paths: tuple[tuple[str, ...], ...], unk: dict[str, Any] | None, digest: str,
              corpus: dict[str, Any], feature_set: str = DEFAULT_SET) -> dict[str, Any]:
    """What a model records about itself (JSON-ready)."""
    import sklearn

    from core.descriptors import load_dictionary

    dictionary = load_dictionary()
    if {"genre", "subgenre", "mood"} <= set(targets):
        odd = [p for p in paths if not dictionary.is_consistent(**dict(zip(targets, p)))]
        if odd:
            logger.warning("%d label paths are not active descriptors of %s, e.g. %s",
                           len(odd), dictionary.version, "/".join(odd[0]))
    ident = f"{digest}|{kind}|{seed}|{dictionary.version}|{unk}"
    if feature_set != DEFAULT_SET:
        ident += f"|{feature_set}"
    version = hashlib.sha256(ident.encode())
    return {"format": FORMAT, "version": f"{kind}-{version.hexdigest()[:12]}", "kind": kind,
            "seed": seed, "targets": list(targets), "dictionary": dictionary.version,
            "feature_set": feature_set, "feature_names": list(feature_names(feature_set)),
            "pca": PCA_VERSION,
            "scikit_learn": sklearn.__version__,
            "corpus": {**corpus, "paths": len(paths), "sha256": digest},
            "unk": unk,
            "metrics": {}}


# ----------------------------------------------------------------------------- evaluation
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
    return np.array(["/".join(p) for p in zip(*(_labels(table, t) for t in TARGETS))],
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
    pred = model.predict(_features(test, model.feature_names))
    t2 = time.perf_counter()
    accuracy, by_source, reports, confusion = {}, {}, {}, {}
    right = np.ones(len(te), dtype=bool)
    sources = test["source"].astype(str).to_numpy()
    for t in model.targets:
        truth, guess = _labels(test, t), np.array(pred.labels[t], dtype=object)
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
    rows = table[_labels(table, target) != ""]
    groups = rows["source"].astype(str).to_numpy()
    if len(np.unique(groups)) < cv:
        raise TrainingError(f"{target}: {len(np.unique(groups))} labelled sources; "
                            f"{cv}-fold cross-validation needs at least {cv}")
    y = _labels(rows, target)
    folds = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
    scores = []
    for tr, te in folds.split(np.zeros(len(rows)), y, groups):
        model = DescriptorModel.fit(rows.iloc[tr], kind=kind, seed=seed, calibrate=False,
                                    targets=(*ANCESTORS[target], target),
                                    feature_set=feature_set)
        guess = model.predict(_features(rows.iloc[te], model.feature_names)).labels[target]
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


# ----------------------------------------------------------------------------- persistence
def save_model(model: DescriptorModel, path: str | Path) -> None:
    """Write ``model`` as a skops file, atomically."""
    import skops.io as sio

    novelty = model.novelty
    state = {"format": FORMAT, "metadata": json.dumps(dict(model.metadata)),
             "kind": model.kind, "targets": list(model.targets),
             "paths": [list(p) for p in model.paths], "estimators": dict(model.estimators),
             "novelty": {} if novelty is None else {
                 "scaler": novelty.scaler, "index": novelty.index,
                 "threshold": novelty.threshold}}
    with atomic_path(path) as tmp:
        # deflate: the schema part is verbose JSON and shrinks ~10x
        sio.dump(state, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    logger.info("saved model %s to %s", model.version, path)


def _schema_types(data: bytes) -> set[str]:
    """Every ``module.class`` named anywhere in a skops file's schema."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__module__" in node or "__class__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return found


def load_model(path: str | Path) -> DescriptorModel:
    """Load a model saved by :func:`save_model`, refusing anything else unexecuted.

    The file must be a skops archive whose every type is on :data:`ALLOWED_TYPES`;
    this is checked on the schema before any object is built.

    Raises
    ------
    UntrustedModelError
        Not a skops archive (e.g. a pickle), damaged, or holding other types.
    FormatError
        Unreadable, or made for other features (names or PCA version differ).
    """
    import skops.io as sio

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormatError(f"{path.name}: cannot read the file ({exc})") from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UntrustedModelError(f"{path.name}: not a Twintrack model (a skops file is "
                                  "expected); refused without running anything in it")
    try:  # any failure to parse a foreign archive means: not ours, refuse it
        found = _schema_types(data) | set(sio.get_untrusted_types(data=data))
    except Exception as exc:  # noqa: BLE001 - zip, JSON and skops errors alike
        raise UntrustedModelError(f"{path.name}: not a readable skops model "
                                  f"({type(exc).__name__}); refused") from None
    unexpected = sorted(found - ALLOWED_TYPES)
    if unexpected:
        raise UntrustedModelError(f"{path.name}: holds types a Twintrack model never contains "
                                  f"({', '.join(unexpected)}); refused, nothing in it was run")
    try:
        state = sio.load(io.BytesIO(data), trusted=sorted(found))
    except Exception as exc:  # noqa: BLE001 - a crafted archive can fail in many ways
        raise UntrustedModelError(f"{path.name}: damaged skops model ({exc}); refused") from None
    return _from_state(state, path.name)


def _from_state(state: Any, name: str) -> DescriptorModel:
    """Check what :func:`save_model` wrote and rebuild the model."""
    from sklearn.pipeline import Pipeline

    from core.descriptors import load_dictionary

    try:
        meta = json.loads(state["metadata"])
        nov = state["novelty"]
        novelty = _Novelty(nov["scaler"], nov["index"], float(nov["threshold"])) if nov else None
        model = DescriptorModel(str(state["kind"]), tuple(state["targets"]),
                                tuple(tuple(p) for p in state["paths"]),
                                dict(state["estimators"]), novelty, meta)
        complete = (state["format"] == FORMAT and isinstance(meta, dict) and all(
            isinstance(e, (str, Pipeline)) for e in model.estimators.values()))
    except (AttributeError, KeyError, TypeError, ValueError):
        complete = False
    if not complete:
        raise FormatError(f"{name}: not a complete {FORMAT} model")
    try:
        expected = feature_names(str(meta.get("feature_set", DEFAULT_SET)))
    except ValueError:
        raise FormatError(f"{name}: trained on feature set {meta.get('feature_set')!r}, which "
                          "this Twintrack does not compute; retrain the model") from None
    if tuple(meta.get("feature_names", ())) != expected:
        raise FormatError(f"{name}: trained on features {meta.get('feature_names')}, but "
                          f"Twintrack computes {list(expected)}; retrain the model")
    if meta.get("pca") != PCA_VERSION:
        raise FormatError(f"{name}: trained with PCA basis {meta.get('pca')!r}, but "
                          f"Twintrack uses {PCA_VERSION!r}; retrain the model")
    if meta.get("dictionary") != load_dictionary().version:
        logger.warning("%s was trained on dictionary %s, not %s", name, meta.get("dictionary"),
                       load_dictionary().version)
    return model


def default_model_path() -> Path:
    """Where the shipped default model lives (``resources/models/default.skops``)."""
    from core.resources import resource_path

    return resource_path("models", "default.skops")


@functools.lru_cache(maxsize=1)
def default_model() -> "DescriptorModel | None":
    """The shipped default model, loaded once per process; None if none is shipped."""
    path = default_model_path()
    return load_model(path) if path.exists() else None


def resolve_model(spec: str | Path | None) -> "DescriptorModel | None":
    """``'default'`` -> the shipped model (or None), ``'none'``/None -> None, else a file."""
    if spec is None or str(spec).lower() == "none":
        return None
    if str(spec).lower() == "default":
        return default_model()
    return load_model(spec)
