"""skops rebuilds a model's objects from type names stored in the file: the
estimators a Twintrack model may hold (``core.classify.persistence.ALLOWED_TYPES``)
are imported by name only, never statically, so they are listed here."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

# skops.io loads its dispatch modules by name, among them those of ``skops/io/old``, a
# folder without __init__ (a namespace package, which collect_submodules skips).
_OLD = ["skops.io.old", "skops.io.old._general_v0", "skops.io.old._numpy_v0",
        "skops.io.old._numpy_v1"]
hiddenimports = collect_submodules("skops.io") + _OLD + [
    "sklearn.pipeline",
    "sklearn.preprocessing._data",
    "sklearn.preprocessing._label",
    "sklearn.multiclass",
    "sklearn.neighbors._classification",
    "sklearn.neighbors._unsupervised",
    "sklearn.discriminant_analysis",
    "sklearn.neural_network._multilayer_perceptron",
    "sklearn.neural_network._stochastic_optimizers",
]
# core.classify.persistence records and checks the scikit-learn version of a model
datas = collect_data_files("skops") + copy_metadata("skops") + copy_metadata("scikit-learn")
