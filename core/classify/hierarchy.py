"""The hierarchical descriptor model: fit on a window table, predict consistent label paths.

See :mod:`core.classify` for the hierarchy, the path scores and ``UNK``.  The
classifiers of each target are fitted by :mod:`core.classify.estimators`, the ``UNK``
threshold calibrated by :mod:`core.classify.novelty`; this module owns the
:class:`DescriptorModel` that joins them, its :class:`Prediction` and its metadata.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.analysis.featureset import (DEFAULT_SET, FEATURE_NAMES, PCA_VERSION, feature_names,
                                      target_subset)
from core.classify.estimators import (KNN_SPACE, MLP_ALPHA, MLP_ALPHA_DEFAULT, estimator_key,
                                      fit_target)
from core.classify.novelty import (K_NOVELTY, NOVELTY_QUANTILE, Novelty,
                                   calibrate_novelty)
from core.classify.tagmap import tag_table
from core.errors import FormatError, TwintrackError
from core.record import ANCESTORS, TARGETS, UNK

__all__ = ["FORMAT", "TrainingError", "Prediction", "DescriptorModel", "target_labels",
           "feature_matrix", "join_genre_evidence", "GENRE_OPINION"]

logger = logging.getLogger(__name__)

FORMAT = "twintrack.classify/1"
_EPS = 1e-4               # floor on a conditional probability (k-NN gives exact zeros)


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


def _digest(x: np.ndarray, labels: list[np.ndarray], groups: np.ndarray) -> str:
    h = hashlib.sha256(np.ascontiguousarray(x).tobytes())
    for col in [*labels, groups]:
        h.update("\x1f".join(map(str, col)).encode())
    return h.hexdigest()


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
                estimators.update(fit_target(xt, labels, t, modelled, kind, seed, fine))
            novelty = calibrate_novelty(x, groups, seed, unk_quantile) if calibrate else None
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

    def predict(self, features: np.ndarray, *,
                tags: Mapping[str, Any] | None = None) -> Prediction:
        """Labels of every window: a consistent path, or ``UNK`` for every target.

        Parameters
        ----------
        features : np.ndarray, shape (n_windows, n_features)
            Window features of :attr:`feature_set`, in its order; rows with NaN are
            ``UNK``.
        tags : dict, optional
            The windows' real-music tags per tagger key (``Analysis.windows.tags``):
            what they say of the genre through the documented table
            (:mod:`core.classify.tagmap`) is joined with the hierarchy's own genre
            posterior by :func:`join_genre_evidence`, for a model whose genres are the
            table's (the descriptor genres); other models ignore them.
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
            path_genres = ([p[self.targets.index("genre")] for p in self.paths]
                           if "genre" in self.targets else [])
            table = tag_table()
            # the table speaks for the descriptor genres only: a model of the user's own
            # labels (blues, jazz, ...) keeps its own opinion
            if tags and n and path_genres and set(path_genres) <= set(table.genres):
                post = join_genre_evidence(post, path_genres, table.genres,
                                           table.distribution(tags))
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
                key = estimator_key(t, tuple(path[p] for p in parents))
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


#: How much the render-trained hierarchy's genre opinion counts against a real-music
#: model's (an exponent on its genre marginal; the real-music evidence counts 1).  The
#: hierarchy only ever heard renders; measured side by side (README, "Descriptors on real
#: music"), the share of windows with an accepted genre on 14 real
#: recordings rose steadily as its opinion fell (1: 0.40, 0.5: 0.57, 0.25: 0.79,
#: 0.1: 0.90, 0: 0.91), so on real music the tags decide the genre and the hierarchy the
#: subgenre and mood within it.  On renders the opposite holds (the tags hear synthesis
#: as electronic: 0.955 -> 0.164), which is why a render's own analysis (the feedback loop,
#: corpora, the re-analysis of a render) labels without tags.
GENRE_OPINION = 0.0
_FLOOR = 0.05  # share of a uniform mixed into both opinions: nothing is ever ruled out


def join_genre_evidence(post: np.ndarray, path_genres, genres, evidence: np.ndarray, *,
                        opinion: float = GENRE_OPINION) -> np.ndarray:
    """Path posteriors whose genre marginal is ``p_h(g)^opinion * q(g)`` (normalised).

    Parameters
    ----------
    post : np.ndarray, (n, n_paths)
        The hierarchy's path posterior.
    path_genres : sequence of str
        The genre of each path.
    genres : sequence of str
        The genres of ``evidence``'s columns; a path whose genre is not among them gets
        the evidence's mean.
    evidence : np.ndarray, (n, n_genres)
        The real-music model's genre distribution per window.
    opinion : float
        The exponent on the hierarchy's genre marginal (1: both count alike; 0: the
        evidence decides the genre alone).
    """
    names = list(dict.fromkeys(path_genres))
    member = np.array([[g == name for name in names] for g in path_genres], dtype=float)
    p_h = post @ member                                   # (n, n_names) genre marginal
    col = {g: i for i, g in enumerate(genres)}
    q = np.asarray(evidence, dtype=float)
    q = np.stack([q[:, col[g]] if g in col else q.mean(axis=1) for g in names], axis=1)
    q = (1 - _FLOOR) * q / q.sum(axis=1, keepdims=True) + _FLOOR / len(names)
    p_f = (1 - _FLOOR) * p_h + _FLOOR / len(names)
    joined = p_f ** opinion * q
    joined /= joined.sum(axis=1, keepdims=True)
    within = post / np.maximum(p_h @ member.T, 1e-300)     # p_h(path | genre)
    out = within * (joined @ member.T)
    return out / out.sum(axis=1, keepdims=True)


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
