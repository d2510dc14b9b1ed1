"""The analysis pipeline, one module per stage.

:mod:`~core.analysis.audio` and :mod:`~core.analysis.decode` (audio in, clear errors),
:mod:`~core.analysis.features` (frame features once per track, the window grid) and
:mod:`~core.analysis.featureset` (named window feature sets, the shipped PCA basis),
:mod:`~core.analysis.tempo`, :mod:`~core.analysis.key`, :mod:`~core.analysis.structure`
(form segmentation), :mod:`~core.analysis.vocals` (REPET-SIM background),
:mod:`~core.analysis.reduce` (the majority rules: one row per segment),
:mod:`~core.analysis.query` (what is at a time: window, segment, labels) and
:mod:`~core.analysis.pipeline` (``analyze(path) -> Analysis``).
"""
