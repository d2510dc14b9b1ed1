"""The analysis of one track as plain, immutable data, and its JSON form.

An :class:`Analysis` holds what the pipeline found (per-window table, form segments,
global tempo and key, beats, chords per beat), how it was found (settings, versions) and what it was
found in (track info with the file's SHA-256).  Times are in seconds.  Views, exports
and the render planner read these objects; nothing here computes audio features.

JSON round-trips exactly: floats are written with ``repr`` precision, tuples come back
as tuples, and :func:`analysis_from_dict` validates the document against
``resources/schemas/analysis.schema.json`` first, so a damaged file is reported with
the JSON path of the first problem instead of failing somewhere later.

No tempo and no key (silence, noise, unpitched material) use the existing fields, so
older files stay valid: a tempo of :data:`NO_TEMPO` (0.0) with confidence 0 (and no
tempo candidates), and tonic and mode :data:`NO_KEY` (``"N"``) with confidence 0 (and
no key candidates); the ``key`` properties then read ``"N"``, as JAMS writes it.

Chords (:class:`Chord` runs) came later and are optional in the same schema: a file
without the ``chords`` key (written before them) loads with no chords, and an analysis
without chords writes no ``chords`` key.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Sequence

from core.errors import FormatError
from core.io.schemas import validate_document

__all__ = ["UNK", "TrackInfo", "Settings", "Versions", "WindowTags", "WindowTable", "Segment",
           "GlobalEstimates", "Analysis", "analysis_to_dict", "analysis_from_dict", "dumps",
           "load_analysis", "settings_to_dict", "SCHEMA_ID", "TARGETS", "ANCESTORS", "NO_TEMPO",
           "NO_KEY", "NO_CHORD", "Chord", "key_mode"]

SCHEMA_ID = "twintrack.analysis/1"
#: The label of a window too far from the model's training data (any target).
UNK = "UNK"
#: The tempo of a span without a pulse, and the tonic and mode of a span without a key.
NO_TEMPO, NO_KEY = 0.0, "N"
#: The chord label of a span without a chord (silence, noise, unpitched material).
NO_CHORD = "N"


def key_mode(tonic: str, mode: str) -> str:
    """JAMS ``key_mode`` text: ``'F#:minor'``, or ``'N'`` for no key."""
    return NO_KEY if tonic == NO_KEY else f"{tonic}:{mode}"


#: Descriptor targets a classifier fills in (issue 4); empty until a model is used.
TARGETS = ("genre", "subgenre", "mood", "sentiment", "valence", "momentum")
#: The targets each target is conditioned on (the descriptor hierarchy).
ANCESTORS = {"genre": (), "subgenre": ("genre",), "mood": ("genre", "subgenre"),
             "sentiment": (), "valence": ("sentiment",), "momentum": ("sentiment",)}


@dataclass(frozen=True)
class TrackInfo:
    """The analysed file: where, which bytes, native format, what we noticed."""

    path: str
    sha256: str
    sample_rate: int
    channels: int
    frames: int
    duration: float
    format: str
    subtype: str
    decoder: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """Everything that changes the numbers of an analysis."""

    sr: int = 22050
    n_fft: int = 2048
    hop_length: int = 512
    window: float = 10.0
    stride: float = 2.0
    feature_set: str = "default21"
    vocal_suppression: bool = False  # classification features from the REPET-SIM background
    seed: int = 0
    k: int | None = None  # None: chosen by the structure stage within its bounds
    tags: bool = False  # real-music tags per window (core.analysis.tags); off: not in JSON
    tag_stride: int = 2  # tag every n-th 3 s patch (core.analysis.tags.mel_patches)
    # vocal_suppression was decided from the track's voice activity (the MTT tagger)
    vocals_auto: bool = False


@dataclass(frozen=True)
class Versions:
    """Versions of the code and fitted artefacts that produced an analysis."""

    twintrack: str
    librosa: str
    numpy: str
    scikit_learn: str
    pca: str
    model: str | None = None


@dataclass(frozen=True)
class WindowTags:
    """One real-music tagger's tag probabilities per window (see core.analysis.tags)."""

    tool: str
    names: tuple[str, ...]
    probabilities: tuple[tuple[float, ...], ...]  # one row per window, one entry per name

    def top(self, idx: Sequence[int], n: int = 3) -> tuple[tuple[str, float], ...]:
        """The ``n`` most probable tags over windows ``idx`` (mean probability)."""
        if not idx:
            return ()
        mean = [sum(self.probabilities[i][j] for i in idx) / len(idx)
                for j in range(len(self.names))]
        order = sorted(range(len(mean)), key=lambda j: -mean[j])[:n]
        return tuple((self.names[j], mean[j]) for j in order)


@dataclass(frozen=True)
class WindowTable:
    """Per-window results, column-wise; every column has one entry per window."""

    start: tuple[float, ...]
    end: tuple[float, ...]
    feature_names: tuple[str, ...]
    features: tuple[tuple[float, ...], ...]
    tempo: tuple[float, ...]
    tempo_confidence: tuple[float, ...]
    tonic: tuple[str, ...]
    mode: tuple[str, ...]
    key_confidence: tuple[float, ...]
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    probabilities: dict[str, tuple[float, ...]] = field(default_factory=dict)
    # The model's most probable path even where ``labels`` says UNK, and the window's
    # distance to the training data over the UNK threshold (> 1 is UNK).
    nearest: dict[str, tuple[str, ...]] = field(default_factory=dict)
    novelty: tuple[float, ...] = ()
    # Real-music tags per tagger key ("msd", "mtt"); empty unless settings.tags.
    tags: dict[str, WindowTags] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.start)

    def unk_share(self, idx: Sequence[int] | None = None) -> float:
        """Share of windows ``idx`` (default: all) the model labelled ``UNK`` (0 without
        labels; a UNK window is UNK for every target, so the first target tells)."""
        first = next(iter(self.labels.values()), ())
        idx = range(len(first)) if idx is None else idx
        return sum(first[i] == UNK for i in idx) / len(idx) if first and len(idx) else 0.0

    def key(self, i: int) -> str:
        """JAMS ``key_mode`` string of window ``i`` (e.g. ``'C:major'``, ``'N'``)."""
        return key_mode(self.tonic[i], self.mode[i])


@dataclass(frozen=True)
class Segment:
    """One form segment: time span, letter (same letter = same cluster), tempo, key."""

    start: float
    end: float
    label: str
    tempo: float
    tonic: str
    mode: str

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def key(self) -> str:
        return key_mode(self.tonic, self.mode)


@dataclass(frozen=True)
class Chord:
    """One run of beats with the same chord: [start, end) seconds, the label in mir_eval /
    JAMS chord syntax (``'C:maj'``, ``'A:min'``, :data:`NO_CHORD`), and a confidence in
    [0, 1] (see :mod:`core.analysis.chords`)."""

    start: float
    end: float
    label: str
    confidence: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class GlobalEstimates:
    """Whole-track tempo, key and beats, with ranked alternatives."""

    tempo: float
    tempo_confidence: float
    tempo_candidates: tuple[tuple[float, float], ...]
    tonic: str
    mode: str
    key_confidence: float
    key_candidates: tuple[tuple[str, float], ...]
    beats: tuple[float, ...]

    @property
    def key(self) -> str:
        return key_mode(self.tonic, self.mode)


@dataclass(frozen=True)
class Analysis:
    """Everything Twintrack knows about one track.  Immutable; share freely."""

    track: TrackInfo
    settings: Settings
    versions: Versions
    windows: WindowTable
    segments: tuple[Segment, ...]
    globals: GlobalEstimates
    k_scores: tuple[tuple[int, float], ...] = ()
    # Chord runs tiling the track (core.analysis.chords); empty in analyses made before
    # chords were estimated, whose JSON has no "chords" key.
    chords: tuple[Chord, ...] = ()

    @property
    def duration(self) -> float:
        return self.track.duration

    def with_labels(self, labels: dict[str, tuple[str, ...]],
                    probabilities: dict[str, tuple[float, ...]], model: str, *,
                    nearest: dict[str, tuple[str, ...]] | None = None,
                    novelty: tuple[float, ...] = ()) -> "Analysis":
        """A copy with classifier labels filled in (see :data:`TARGETS`)."""
        windows = replace(self.windows, labels=dict(labels), probabilities=dict(probabilities),
                          nearest=dict(nearest or {}), novelty=tuple(novelty))
        return replace(self, windows=windows, versions=replace(self.versions, model=model))

    def with_tags(self, tags: dict[str, WindowTags]) -> "Analysis":
        """A copy with real-music tags per window (one :class:`WindowTags` per tagger)."""
        return replace(self, windows=replace(self.windows, tags=dict(tags)))


# ----------------------------------------------------------------------------- JSON
def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """Settings as a dict; ``tags`` and ``tag_stride`` only when tags are on and
    ``vocals_auto`` only when on, so analyses and corpora made without them read exactly
    as before the options existed."""
    d = asdict(settings)
    if not d["tags"]:
        del d["tags"], d["tag_stride"]
    if not d["vocals_auto"]:
        del d["vocals_auto"]
    return d


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """A JSON-ready dict (tuples become lists; no ``tags`` keys without tags)."""
    d = asdict(analysis)
    d["settings"] = settings_to_dict(analysis.settings)
    if not analysis.windows.tags:
        del d["windows"]["tags"]
    if not analysis.chords:
        del d["chords"]
    d["schema"] = SCHEMA_ID
    return d


def _tuples(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_tuples(v) for v in x)
    if isinstance(x, dict):
        return {k: _tuples(v) for k, v in x.items()}
    return x


def _build(cls: type, d: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: _tuples(v) for k, v in d.items() if k in names})


def analysis_from_dict(d: Any) -> Analysis:
    """Rebuild an :class:`Analysis` from :func:`analysis_to_dict` output (validated)."""
    validate_document(d, "analysis.schema.json")
    w = dict(d["windows"])
    tags = {k: _build(WindowTags, v) for k, v in w.pop("tags", {}).items()}
    windows = WindowTable(**{k: _tuples(v) for k, v in w.items()}, tags=tags)
    n = len(windows)
    for name in ("end", "features", "tempo", "tempo_confidence", "tonic", "mode", "key_confidence"):
        if len(getattr(windows, name)) != n:
            raise FormatError(f"$.windows.{name}: has {len(getattr(windows, name))} entries, "
                              f"expected {n} (one per window)")
    _check_tags(tags, n)
    return Analysis(
        track=_build(TrackInfo, d["track"]),
        settings=_build(Settings, d["settings"]),
        versions=_build(Versions, d["versions"]),
        windows=windows,
        segments=tuple(_build(Segment, s) for s in d["segments"]),
        globals=_build(GlobalEstimates, d["globals"]),
        k_scores=_tuples(d.get("k_scores", [])),
        chords=tuple(_build(Chord, c) for c in d.get("chords", [])),
    )


def _check_tags(tags: dict[str, WindowTags], n: int) -> None:
    for key, t in tags.items():
        if len(t.probabilities) != n:
            raise FormatError(f"$.windows.tags.{key}.probabilities: has {len(t.probabilities)} "
                              f"rows, expected {n} (one per window)")
        bad = next((i for i, row in enumerate(t.probabilities) if len(row) != len(t.names)), None)
        if bad is not None:
            raise FormatError(f"$.windows.tags.{key}.probabilities[{bad}]: has "
                              f"{len(t.probabilities[bad])} entries, expected {len(t.names)} "
                              "(one per tag name)")


def dumps(analysis: Analysis) -> str:
    """Analysis as JSON text (no NaN: the pipeline never produces one)."""
    return json.dumps(analysis_to_dict(analysis), allow_nan=False, ensure_ascii=False, indent=1)


def load_analysis(path: str | Path) -> Analysis:
    """Read and validate an analysis JSON file."""
    from core.io.atomic import read_json

    return analysis_from_dict(read_json(path))
