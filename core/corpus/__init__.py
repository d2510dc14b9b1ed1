"""The labelled training corpus: window features of renders, or of a user's own audio.

Three sources, one table (a row per analysis window, columns :data:`COLUMNS`):

* :func:`generate_corpus` renders ``per_descriptor`` examples of every active
  descriptor (durations cycled, tempo drawn in the descriptor's range, tonic uniform,
  major/minor by the descriptor's mode family, instrumentation drawn per render);
* :func:`corpus_from_folder`: one sub-folder per label (GTZAN style,
  ``genres/blues/*.wav``); **the sub-folder name is the value of** ``target``
  (default ``genre``), the other targets stay empty;
* :func:`corpus_from_csv`: a CSV with a ``path`` column (relative to the CSV's folder,
  or absolute) and any of the target columns.

:mod:`core.corpus.plan` lists the sources (renders to make, files to read),
:mod:`core.corpus.run` makes their rows (serially, in a process pool or on a Dask
cluster, resumable), :mod:`core.corpus.store` owns what lands on disk (shards,
``features.parquet``, ``corpus.json``) and reads the table back (:func:`load_corpus`),
and :mod:`core.corpus.merge` joins finished corpora (:func:`merge_corpora`).
"""

from __future__ import annotations

from core.corpus.merge import CorpusMergeError, merge_corpora, merged_table
from core.corpus.plan import AUDIO_EXTENSIONS, CorpusJob, plan_renders
from core.corpus.run import corpus_from_csv, corpus_from_folder, generate_corpus
from core.corpus.store import (ALL_FEATURES, COLUMNS, MANIFEST, META_COLUMNS, TABLE, CorpusInfo,
                               CorpusMismatchError, default_feature_set, load_corpus, summary)

__all__ = ["CorpusInfo", "CorpusJob", "CorpusMismatchError", "CorpusMergeError",
           "merge_corpora", "merged_table", "generate_corpus", "plan_renders",
           "corpus_from_folder", "corpus_from_csv", "load_corpus", "summary", "COLUMNS",
           "default_feature_set",
           "META_COLUMNS", "ALL_FEATURES", "AUDIO_EXTENSIONS", "MANIFEST", "TABLE"]
