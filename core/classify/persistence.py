"""Saving and loading descriptor models with skops, refusing untrusted files unexecuted."""

from __future__ import annotations

import functools
import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

from core.analysis.featureset import DEFAULT_SET, PCA_VERSION, feature_names
from core.classify.hierarchy import FORMAT, DescriptorModel
from core.classify.novelty import Novelty
from core.errors import FormatError, TwintrackError
from core.io.atomic import atomic_path

__all__ = ["ALLOWED_TYPES", "UntrustedModelError", "save_model", "load_model",
           "default_model", "default_model_path", "resolve_model"]

logger = logging.getLogger(__name__)

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
        novelty = Novelty(nov["scaler"], nov["index"], float(nov["threshold"])) if nov else None
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
    _check_sklearn(meta.get("scikit_learn"), name)
    if meta.get("pca") != PCA_VERSION:
        raise FormatError(f"{name}: trained with PCA basis {meta.get('pca')!r}, but "
                          f"Twintrack uses {PCA_VERSION!r}; retrain the model")
    if meta.get("dictionary") != load_dictionary().version:
        logger.warning("%s was trained on dictionary %s, not %s", name, meta.get("dictionary"),
                       load_dictionary().version)
    return model


def _check_sklearn(saved: Any, name: str) -> None:
    """Refuse a model whose scikit-learn minor version differs from this one's: its
    estimators were pickled by other code, and may load but predict differently."""
    import sklearn

    def minor(version: str) -> tuple[str, ...]:
        return tuple(str(version).split(".")[:2])

    if saved is None:
        return  # models from before the version was recorded: nothing to compare
    if minor(saved) != minor(sklearn.__version__):
        raise FormatError(f"{name}: saved with scikit-learn {saved}, but this Twintrack runs "
                          f"scikit-learn {sklearn.__version__}; install scikit-learn "
                          f"{'.'.join(minor(saved))}.x or retrain the model (twintrack train)")


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
