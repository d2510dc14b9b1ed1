"""Benchmarks and dev-set evaluations, run as modules from the repository root.

``python -m bench.analysis`` (``make bench``), ``bench.render``, ``bench.batch``,
``bench.roundtrip``, ``bench.gui``, ``bench.playback``, ``bench.classify``, ``bench.feedback``,
``bench.synth_gallery`` and the dev-set evaluations ``bench.dev_accuracy``,
``bench.dev_key``, ``bench.dev_structure`` and ``bench.dev_tempo``; each module's
docstring says what it prints and how to run it.  Benches import ``core`` and, for
shared signal generators and audio servers, :mod:`tests.fixtures` (nothing else from
``tests``); nothing imports a bench.
"""
