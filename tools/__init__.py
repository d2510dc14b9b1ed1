"""Maintainers' tools, run as modules from the repository root (``python -m tools.X``).

Generators of shipped resources (:mod:`tools.make_descriptors` writes
``resources/descriptors.json``; :mod:`tools.build_corpus` builds a rendered training
corpus, resumably, with its speed) and :mod:`tools.check_outputs`, which hashes every
output of the ``twintrack`` command to show a refactoring changed none.
"""
