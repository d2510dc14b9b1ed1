"""The classifiers of one target: KNN or MLP pipelines, fitted and compacted.

A target's classifiers are one-vs-rest at the top of the hierarchy, else one per path
of parent labels (:func:`fit_target`), stored under :func:`estimator_key`.  A KNN
looks for neighbours in the linear discriminant space of the label paths it is trained
on (:data:`KNN_SPACE`); fitted MLPs are compacted to what prediction reads.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from core.record import ANCESTORS

__all__ = ["K_NEIGHBORS", "KNN_COMPONENTS", "KNN_SPACE", "MLP_HIDDEN", "MLP_ALPHA",
           "MLP_ALPHA_DEFAULT", "MLP_ADAM_MIN", "estimator_key", "fit_target"]

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


def estimator_key(target: str, parents: tuple[str, ...] = ()) -> str:
    """Where a model keeps the classifier of ``target`` given its parents' labels."""
    return json.dumps([target, *parents]) if parents else target


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


def fit_target(x: np.ndarray, labels: dict[str, np.ndarray], target: str,
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
        out[estimator_key(target, tuple(value.split("\x1f")))] = _fit_one(
            x[mask], y[mask], kind, seed, ovr=False, target=target,
            fine=None if fine is None else fine[mask])
    return out
