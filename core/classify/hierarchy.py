"""The hierarchical descriptor model: fit on a window table, predict consistent label paths.

See :mod:`core.classify` for the hierarchy, the path scores and ``UNK``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.errors import FormatError, TwintrackError
from core.analysis.featureset import (DEFAULT_SET, FEATURE_NAMES, PCA_VERSION, feature_names,
                             target_subset)
from core.record import ANCESTORS, TARGETS, UNK

logger = logging.getLogger(__name__)

FORMAT = "twintrack.classify/1"
K_NEIGHBORS = 15          # KNN classifiers
#: KNN classifiers find their neighbours in the linear discriminant space of the label
#: paths (descriptors) they are trained on, not among the standardised features, where
#: 100-odd features of very different use weigh alike.  ``bench/classify.py``, grouped
#: split of the v5 corpus, ``extended-v4``, plain / discriminant space: genre 0.927 /
#: 0.967, subgenre 0.880 / 0.949, mood 0.789 / 0.920, sentiment 0.880 / 0.959, valence
#: 0.909 / 0.975, momentum 0.928 / 0.985.
#: At most this many discriminant components: the later ones separate the training
#: paths by noise and blur the neighbourhoods.  3-fold grouped CV on the training side
#: of the v5 corpus (``extended-v3``), genre by KNN with 10 / 20 / 30 / 40 / 50 / all
#: 169 components: 0.928 / 0.956 / 0.964 / 0.965 / 0.962 / 0.951 (sentiment 0.883 /
#: 0.909 / 0.912 / 0.912 / 0.910 / 0.896; the number of neighbours, 5 to 40, moves
#: either by 0.002 at most).
KNN_COMPONENTS = 40
KNN_SPACE = f"lda-paths-{KNN_COMPONENTS}"
MLP_HIDDEN = (128,)       # hidden layer sizes (64: -0.5 to -0.8 points on every target)
#: L2 penalty of the MLPs, per target (default 1e-3).  A mood classifier sees one
#: subgenre's renders, whose windows overlap and repeat their render: without a strong
#: penalty it learns the renders, not the moods.  Grouped split of the v2 corpus, mood
#: given the true subgenre: alpha 1e-3 0.813, 1e-2 0.825, 0.1 0.841, 1 0.851, 3 0.853
#: (L-BFGS stops unconverged at 3 and above); subgenre is flat up to 3 (0.978-0.981),
#: valence falls from 1 on (0.974 -> 0.966).
MLP_ALPHA = {"mood": 1.0}
MLP_ALPHA_DEFAULT = 1e-3
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
    "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
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


def target_labels(table: pd.DataFrame, target: str) -> np.ndarray:
    if target not in table:
        return np.full(len(table), "", dtype=object)
    return table[target].fillna("").astype(str).to_numpy(dtype=object)


def feature_matrix(table: pd.DataFrame, names: tuple[str, ...] = FEATURE_NAMES) -> np.ndarray:
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
        filled = target_labels(table, t) != ""
        if filled.all():
            out.append(t)
        elif filled.any():
            logger.warning("target %s is labelled in only %d of %d windows; not modelled",
                           t, int(filled.sum()), len(table))
    if not out:
        raise TrainingError("the corpus has no target labelled in every window")
    return tuple(out)


def _estimator(kind: str, n: int, seed: int, *, ovr: bool,
               alpha: float = MLP_ALPHA_DEFAULT) -> Any:
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
        clf = MLPClassifier(hidden_layer_sizes=MLP_HIDDEN, alpha=alpha, random_state=seed,
                            solver="adam" if big else "lbfgs", early_stopping=big,
                            max_iter=1000 if big else 3000, n_iter_no_change=15)
    else:
        raise ValueError(f"kind must be 'knn' or 'mlp', not {kind!r}")
    return Pipeline([("scale", StandardScaler()),
                     ("clf", OneVsRestClassifier(clf) if ovr else clf)])


def _fit_one(x: np.ndarray, y: np.ndarray, kind: str, seed: int, *, ovr: bool,
             target: str = "", fine: np.ndarray | None = None) -> Any:
    """A fitted pipeline, or the label itself when ``y`` has a single value.

    ``fine``: the label path of every row; a KNN classifier works in the linear
    discriminant space of these paths (:data:`KNN_SPACE`)."""
    values = np.unique(y)
    if len(values) == 1:
        return str(values[0])
    if kind == "knn" and fine is not None and len(np.unique(fine)) > 1:
        return _discriminant_knn(x, y, fine, ovr=ovr)
    alpha = MLP_ALPHA.get(target, MLP_ALPHA_DEFAULT)
    return _compact(_estimator(kind, len(y), seed, ovr=ovr, alpha=alpha).fit(x, y))


def _discriminant_knn(x: np.ndarray, y: np.ndarray, fine: np.ndarray, *, ovr: bool) -> Any:
    """``StandardScaler`` + LDA fitted on the label paths ``fine`` + KNN fitted on ``y``
    in that space: one pipeline, its steps fitted on different labels."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    pipe = _estimator("knn", len(y), 0, ovr=ovr)
    scale = pipe.named_steps["scale"].fit(x)
    z = scale.transform(x)
    n = min(KNN_COMPONENTS, len(np.unique(fine)) - 1, z.shape[1])
    lda = LinearDiscriminantAnalysis(n_components=n).fit(z, fine)
    clf = pipe.named_steps["clf"].fit(lda.transform(z), y)
    pipe.steps[:] = [("scale", scale), ("lda", lda), ("clf", clf)]
    return pipe


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
class Novelty:
    """Standardiser, k-NN index over training windows, and the calibrated threshold."""

    scaler: Any
    index: Any
    threshold: float

    def score(self, x: np.ndarray) -> np.ndarray:
        dist, _ = self.index.kneighbors(self.scaler.transform(x).astype(np.float32))
        return dist.mean(axis=1) / self.threshold


def _calibrate(x: np.ndarray, groups: np.ndarray, seed: int, quantile: float) -> Novelty:
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
    return Novelty(scaler, index, max(threshold, 1e-9))


def _fit_target(x: np.ndarray, labels: dict[str, np.ndarray], target: str,
                modelled: tuple[str, ...], kind: str, seed: int,
                fine: np.ndarray | None = None) -> dict[str, Any]:
    """The classifiers of one target: one-vs-rest at the top, else one per parent path.
    ``fine``: every row's label path, for KNN classifiers (see :func:`_fit_one`)."""
    parents = tuple(a for a in ANCESTORS[target] if a in modelled)
    y = labels[target]
    if not parents:
        return {target: _fit_one(x, y, kind, seed, ovr=True, target=target, fine=fine)}
    joined = np.array(["\x1f".join(p) for p in zip(*(labels[a] for a in parents))])
    out = {}
    for value in dict.fromkeys(joined):
        mask = joined == value
        out[_key(target, tuple(value.split("\x1f")))] = _fit_one(
            x[mask], y[mask], kind, seed, ovr=False, target=target,
            fine=None if fine is None else fine[mask])
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
    novelty: Novelty | None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # target -> columns of the feature set its classifiers read (targets reading all of
    # it are absent); derived from ``metadata["target_features"]``
    _columns: Mapping[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "estimators", MappingProxyType(dict(self.estimators)))
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        subsets = self.metadata.get("target_features") or {}
        object.__setattr__(self, "_columns", {  # targets that read part of the set
            t: _subset_columns(self.feature_set, sub) for t, sub in subsets.items()})

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
            Named feature set (:data:`core.analysis.featureset.FEATURE_SETS`) the model reads;
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
        x = feature_matrix(table, names)
        if not len(x):
            raise TrainingError("the corpus table is empty")
        if not np.isfinite(x).all():
            raise FormatError("corpus table: features contain NaN or infinite values")
        modelled = _modelled(table, tuple(targets))
        labels = {t: target_labels(table, t) for t in modelled}
        groups = table["source"].astype(str).to_numpy()
        estimators: dict[str, Any] = {}
        with threadpool_limits(limits=1):  # small problems: threads cost more than they save
            subsets = {t: target_subset(feature_set, t) for t in modelled}
            subsets = {t: sub for t, sub in subsets.items() if sub != feature_set}
            fine = (np.array(["\x1f".join(p) for p in zip(*labels.values())])
                    if kind == "knn" else None)
            for t in modelled:
                xt = x[:, _subset_columns(feature_set, subsets[t])] if t in subsets else x
                estimators.update(_fit_target(xt, labels, t, modelled, kind, seed, fine))
            novelty = _calibrate(x, groups, seed, unk_quantile) if calibrate else None
        paths = tuple(dict.fromkeys(tuple(map(str, p)) for p in zip(*labels.values())))
        meta = _metadata(kind=kind, seed=seed, targets=modelled, paths=paths,
                         feature_set=feature_set,
                         target_features=subsets,
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
            cols = self._columns.get(t)
            xt = x if cols is None else x[:, cols]
            for i, path in enumerate(self.paths):
                key = _key(t, tuple(path[p] for p in parents))
                if key not in cache:
                    cache[key] = self._proba(key, xt)
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


def _subset_columns(feature_set: str, subset: str) -> np.ndarray:
    """Positions of the named set ``subset``'s features within ``feature_set``."""
    column = {n: i for i, n in enumerate(feature_names(feature_set))}
    return np.array([column[n] for n in feature_names(subset)])


def _metadata(*, kind: str, seed: int, targets: tuple[str, ...],
              paths: tuple[tuple[str, ...], ...], unk: dict[str, Any] | None, digest: str,
              corpus: dict[str, Any], feature_set: str = DEFAULT_SET,
              target_features: dict[str, str] | None = None) -> dict[str, Any]:
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
    if kind == "mlp" and MLP_ALPHA:
        ident += f"|alpha={sorted(MLP_ALPHA.items())}"
    if kind == "knn":
        ident += f"|{KNN_SPACE}"
    if target_features:
        ident += f"|subsets={sorted(target_features.items())}"
    version = hashlib.sha256(ident.encode())
    return {"format": FORMAT, "version": f"{kind}-{version.hexdigest()[:12]}", "kind": kind,
            "seed": seed, "targets": list(targets), "dictionary": dictionary.version,
            "mlp_alpha": ({t: MLP_ALPHA.get(t, MLP_ALPHA_DEFAULT) for t in targets}
                          if kind == "mlp" else None),
            "knn_space": KNN_SPACE if kind == "knn" else None,
            "feature_set": feature_set, "feature_names": list(feature_names(feature_set)),
            "target_features": dict(target_features or {}),
            "pca": PCA_VERSION,
            "scikit_learn": sklearn.__version__,
            "corpus": {**corpus, "paths": len(paths), "sha256": digest},
            "unk": unk,
            "metrics": {}}
