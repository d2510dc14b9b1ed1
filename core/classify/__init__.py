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

from core.classify.validation import (Evaluation, cross_validate_target, evaluate, format_accuracy,
                                      split_indices, train_and_save)
from core.classify.hierarchy import UNK, DescriptorModel, Prediction, TrainingError
from core.classify.persistence import (ALLOWED_TYPES, UntrustedModelError, default_model,
                                       default_model_path, load_model, resolve_model,
                                       save_model)

__all__ = ["UNK", "ALLOWED_TYPES", "UntrustedModelError", "TrainingError", "Prediction",
           "DescriptorModel", "Evaluation", "evaluate", "split_indices",
           "cross_validate_target", "train_and_save", "save_model", "load_model",
           "format_accuracy", "default_model", "default_model_path", "resolve_model"]
