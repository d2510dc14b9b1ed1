"""The analysis pipeline: audio file -> :class:`~core.record.Analysis`.

::

    decode ─ frame features (STFT ∥ CQT, once) ─┬─ onset envelope ─ tempo, beats
                                                ├─ chroma ─ keys, chords per beat
                                                ├─ form segmentation (beat-synchronous)
                                                └─ window features (cumulative sums)
    with ``settings.tags``, on its own thread from the start (it reads only the decoded audio):
    the analysis copy at 16 kHz ─ log-mel ─ ONNX taggers ─ patch tags ─ (pooled) window tags

:func:`analyze` is a plain function with ``progress`` and ``cancelled`` hooks (see
:mod:`core.progress`); it raises :class:`core.errors.Cancelled` at the next check
point (at most one block of ~47 s of audio away) and never writes anything.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from core import __version__
from core.analysis import chords as harmony, key as tonality, structure, tempo as rhythm
from core.analysis.audio import AnalysisAudio, load_for_analysis
from core.analysis.features import (FrameFeatures, WindowGrid, compute_frame_features,
                                    window_grid)
from core.analysis.featureset import (DEFAULT_SET, DEGREE_NAMES, EMBEDDING_NAMES,
                                      EXTENDED_NAMES, FEATURE_NAMES, MID_NAMES, PCA_VERSION,
                                      extended_features, feature_names, load_pca,
                                      window_features)
from core.analysis.tagstage import TAG_STAGE, Tagging, sings, window_embeddings, window_tags
from core.progress import CancelledFn, ProgressFn, Reporter
from core.record import (Analysis, GlobalEstimates, Segment, Settings, TrackInfo, Versions,
                         WindowTable, WindowTags)

__all__ = ["analyze", "analyze_audio", "untagged", "TAG_STAGE", "window_feature_table",
           "window_tags", "versions"]

logger = logging.getLogger(__name__)

#: Relative cost of the stages, for an even progress bar.
_WEIGHTS = {"decode": 3.0, "frames": 4.0, "rhythm": 1.0, "tonality": 0.3,
            "structure": 1.0, "windows": 0.3}


def versions(model: str | None = None) -> Versions:
    """Versions of the code and artefacts an analysis made now depends on."""
    import librosa
    import sklearn

    return Versions(__version__, librosa.__version__, np.__version__, sklearn.__version__,
                    PCA_VERSION, model)


def analyze(path: str | os.PathLike, *, settings: Settings = Settings(), model=None,
            progress: ProgressFn | None = None,
            cancelled: CancelledFn | None = None) -> Analysis:
    """Analyse one audio file.

    Parameters
    ----------
    path : str or path-like
        Audio file (anything :func:`core.analysis.audio.load_for_analysis` reads).
    settings : Settings
        Analysis settings (sample rate, frames, window grid, seed, forced k).
    model : core.classify.DescriptorModel, optional
        Labels every window with descriptor targets and probabilities.
    progress : callable, optional
        ``progress(fraction, stage)`` with fraction in [0, 1].
    cancelled : callable, optional
        Returns True to stop; the function then raises :class:`core.errors.Cancelled`.

    Returns
    -------
    Analysis

    Raises
    ------
    core.errors.AudioError
        The file cannot be analysed (message says why).
    core.errors.Cancelled
    """
    rep = Reporter(progress, cancelled)
    total = sum(_WEIGHTS.values())
    decode_rep = rep.sub(0.0, _WEIGHTS["decode"] / total)
    rest_rep = rep.sub(_WEIGHTS["decode"] / total, 1.0)
    audio = load_for_analysis(path, sr=settings.sr, reporter=decode_rep)
    return analyze_audio(audio, settings=settings, model=model, reporter=rest_rep)


@dataclass(frozen=True)
class _Rhythm:
    onset_env: np.ndarray
    onset_peaks: np.ndarray
    window_tempo: np.ndarray
    window_conf: np.ndarray
    global_tempo: "rhythm.GlobalTempo"
    beat_frames: np.ndarray


def _rhythm_stage(frames: FrameFeatures, grid: WindowGrid) -> _Rhythm:
    import librosa

    p = frames.settings
    oenv = rhythm.onset_envelope(frames.mel, sr=p.sr, hop_length=p.hop_length)
    peaks = np.zeros(len(oenv), dtype=np.float32)
    onsets = librosa.onset.onset_detect(onset_envelope=oenv, sr=p.sr, hop_length=p.hop_length)
    peaks[onsets] = 1.0
    glob = rhythm.global_tempo(oenv, sr=p.sr, hop_length=p.hop_length)
    bpm, conf = rhythm.estimate_tempo(oenv, sr=p.sr, hop_length=p.hop_length,
                                      starts=grid.start_frames, ends=grid.end_frames,
                                      level=glob.bpm)
    beats = (rhythm.beat_track(oenv, sr=p.sr, hop_length=p.hop_length, bpm=glob.bpm)
             if glob.bpm > 0 else np.zeros(0, dtype=int))  # no pulse, no beats
    return _Rhythm(oenv, peaks, np.asarray(bpm), np.asarray(conf), glob, np.asarray(beats))


def _same_level(bpm: float, reference: float, *, tol: float = 0.04) -> float:
    """``bpm`` moved to the track's metrical level when it is the same pulse at another.

    A section's own tempo estimate (often from few seconds) can land an octave or a
    third away from the whole-track tempo while the music keeps its pulse; a song
    rarely changes metrical level between sections, so a section whose tempo is the
    global tempo times 2, 1/2, 3/2 or 2/3 (within 4 %) takes the global level.  A real
    tempo change (any other ratio) is kept.
    """
    if bpm <= 0 or reference <= 0:
        return float(bpm)
    for factor in (2.0, 0.5, 1.5, 2.0 / 3.0):
        if abs(bpm * factor - reference) <= tol * reference:
            return float(bpm * factor)
    return float(bpm)


def _segments(frames: FrameFeatures, seg: "structure.Segmentation", rh: _Rhythm,
              chroma: np.ndarray) -> tuple[Segment, ...]:
    """Segments with their own tempo and key, estimated over each segment's frames."""
    p = frames.settings
    fps = p.sr / p.hop_length
    b = np.asarray(seg.boundaries)
    f0 = np.clip(np.round(b[:-1] * fps).astype(int), 0, frames.n_frames - 1)
    f1 = np.clip(np.round(b[1:] * fps).astype(int), f0 + 1, frames.n_frames)
    # A segment shorter than a window is judged for a pulse and a key on a window's
    # length around it, as the windows are: a held final chord keeps its tempo.
    context = int(round(p.window * fps))
    bpm, _ = rhythm.estimate_tempo(rh.onset_env, sr=p.sr, hop_length=p.hop_length,
                                   starts=f0, ends=f1, context=context)
    bpm = [_same_level(b, rh.global_tempo.bpm) for b in bpm]
    keys = tonality.estimate_keys(chroma, starts=f0, ends=f1, context=context)
    return tuple(Segment(float(b[i]), float(b[i + 1]), seg.labels[i], float(bpm[i]),
                         keys[i].tonic, keys[i].mode) for i in range(len(seg.labels)))


def analyze_audio(audio: AnalysisAudio, *, settings: Settings = Settings(), model=None,
                  reporter: Reporter | None = None,
                  partial: Callable[[Analysis], None] | None = None,
                  rest: Reporter | None = None) -> Analysis:
    """Analyse already-decoded audio (see :func:`analyze` for the stages and options).

    With ``settings.tags`` the taggers start on their own thread at once and run beside
    the other stages (at a lower priority, so those finish first).  ``partial`` is then
    called, as soon as the other stages are done, with the analysis as it is without the
    tags (and without automatic vocal suppression, which waits for the voice tags):
    the window shows that timeline while the taggers finish.  ``rest`` reports what
    follows the hand-over (default: the end of ``reporter``'s range).  The returned
    analysis is the same with or without ``partial``.
    """
    rep = reporter or Reporter()
    y = np.asarray(audio.y)
    tagging = Tagging(y, settings.sr, settings.tag_stride, rep.cancelled) if settings.tags \
        else None
    try:
        return _analyze_stages(audio, y, settings, model, rep, tagging,
                               partial if tagging is not None else None, rest)
    finally:
        if tagging is not None:
            tagging.stop()


def untagged(settings: Settings) -> Settings:
    """The settings of the analysis handed over before the tags: no tags, and vocal
    suppression only where it was asked for outright (automatic waits for the tags)."""
    return replace(settings, tags=False, vocals_auto=False,
                   vocal_suppression=settings.vocal_suppression and not settings.vocals_auto)


def _analyze_stages(audio: AnalysisAudio, y: np.ndarray, settings: Settings, model,
                    rep: Reporter, tagging: "Tagging | None",
                    partial: Callable[[Analysis], None] | None,
                    rest: Reporter | None) -> Analysis:
    names = ["frames", "rhythm", "tonality", "structure", "windows"]
    r_frames, r_rhythm, r_tonal, r_struct, r_win = rep.split([_WEIGHTS[n] for n in names])
    frames = compute_frame_features(y, settings=settings, reporter=r_frames)
    grid = window_grid(audio.duration, frames.n_frames, sr=settings.sr,
                       hop_length=settings.hop_length, length=settings.window,
                       stride=settings.stride)

    r_rhythm(0.0, "tempo and beats")
    rh = _rhythm_stage(frames, grid)
    r_tonal(0.0, "key")
    chroma = tonality.chroma_from_cqt(frames.cqt)
    win_keys = tonality.estimate_keys(chroma, starts=grid.start_frames, ends=grid.end_frames)
    gkey = tonality.estimate_global_key(chroma)
    r_tonal(0.5, "chords")
    chords = harmony.estimate_chords(chroma, rh.beat_frames,
                                     bass=harmony.bass_chroma(frames.cqt), sr=settings.sr,
                                     hop_length=settings.hop_length)
    r_struct(0.0, "form")
    seg = structure.segment(frames.cqt, frames.mfcc, rh.beat_frames, sr=settings.sr,
                            hop_length=settings.hop_length, duration=audio.duration,
                            k=settings.k, seed=settings.seed, cancelled=rep.cancelled)
    segments = _segments(frames, seg, rh, chroma)
    finish = _Finish(audio, y, frames, grid, rh, (win_keys, gkey, segments, seg), chords,
                     model)
    if partial is not None and tagging is not None:
        partial(finish(untagged(settings), {}, lambda: tagging.windows(grid)[1], r_win))
        r_win = rest or Reporter(rep.progress, rep.cancelled, rep.stop, rep.stop)
    tags: dict[str, WindowTags] = {}
    embedding = None
    if tagging is not None:
        r_win(0.0, TAG_STAGE)
        tags, embedding = tagging.windows(grid, r_win.sub(0.0, 0.3))
    if settings.vocals_auto:
        settings = replace(settings, vocal_suppression=sings(y, settings.sr, tags))
    if embedding is None:  # read only by a model whose feature set needs them
        embedding = lambda: window_embeddings(  # noqa: E731
            y, settings.sr, grid, settings.tag_stride)
    return finish(settings, tags, embedding, r_win)


class _Finish:
    """The window features, the record and the labels from the stages' results, for
    given settings and tags; the classification inputs are computed once per vocal
    suppression choice (the analysis before the tags and the one after share them
    unless the voice tags switch suppression on)."""

    def __init__(self, audio, y, frames, grid, rh, parts, chords, model):
        self.audio, self.y, self.frames, self.grid, self.rh = audio, y, frames, grid, rh
        self.parts, self.chords, self.model = parts, chords, model
        self._inputs: dict[bool, tuple] = {}

    def __call__(self, settings: Settings, tags: dict[str, WindowTags], embedding,
                 r: Reporter) -> Analysis:
        r(0.3, "window features")
        suppress = bool(settings.vocal_suppression)
        if suppress not in self._inputs:
            fc, rc = _classification_inputs(self.y, self.frames, self.rh, settings,
                                            r.sub(0.3, 0.6) if suppress else None)
            self._inputs[suppress] = fc, rc, _window_set(fc, self.grid, rc, DEFAULT_SET)
        fc, rc, feats = self._inputs[suppress]
        analysis = replace(_assemble(self.audio, settings, self.grid, feats, self.rh,
                                     *self.parts), chords=self.chords)
        if tags:
            analysis = analysis.with_tags(tags)
        if self.model is not None:
            r(0.8, "descriptors")
            wanted = getattr(self.model, "feature_set", DEFAULT_SET)
            analysis = _labelled(analysis, self.model, feats if wanted == DEFAULT_SET
                                 else _window_set(fc, self.grid, rc, wanted, feats,
                                                  embedding=embedding))
        r(1.0, "done")
        return analysis


def _labelled(analysis: Analysis, model, features: np.ndarray) -> Analysis:
    """``analysis`` with ``model``'s labels of ``features``; with the analysis' real-music
    tags joined in where the model takes them (see DescriptorModel.predict)."""
    tags = analysis.windows.tags
    pred = model.predict(features, tags=tags) if tags else model.predict(features)
    return analysis.with_labels(pred.labels, pred.probabilities, model=model.version,
                                nearest=pred.nearest, novelty=pred.novelty)


def _classification_inputs(y: np.ndarray, frames: FrameFeatures, rh: _Rhythm,
                           settings: Settings, reporter: Reporter | None
                           ) -> tuple[FrameFeatures, _Rhythm]:
    """Frames and onsets the window features come from: the track's own, or with
    ``settings.vocal_suppression`` those of its repeating background
    (:func:`core.analysis.vocals.suppress_vocals`); tempo stays the full mix's."""
    if not settings.vocal_suppression:
        return frames, rh
    import librosa

    from core.analysis.vocals import suppress_vocals

    rep = reporter or Reporter()
    rep(0.0, "vocal suppression")
    p = frames.settings
    bg = suppress_vocals(y, p.sr, n_fft=p.n_fft, hop_length=p.hop_length,
                         cancelled=rep.cancelled)
    rep(0.7, "background features")
    fb = compute_frame_features(bg, settings=p)
    oenv = rhythm.onset_envelope(fb.mel, sr=p.sr, hop_length=p.hop_length)
    peaks = np.zeros(len(oenv), dtype=np.float32)
    peaks[librosa.onset.onset_detect(onset_envelope=oenv, sr=p.sr, hop_length=p.hop_length)] = 1
    rep(1.0, "background features")
    return fb, replace(rh, onset_env=oenv, onset_peaks=peaks)


def _window_set(frames: FrameFeatures, grid: WindowGrid, rh: _Rhythm, feature_set: str,
                default: np.ndarray | None = None, *,
                embedding=None) -> np.ndarray:
    """The window features of a named set (``default`` reuses computed ``default21``).

    ``embedding`` gives the windows' tagger embeddings (an array, or a callable that
    computes them) for sets that read them (:data:`EMBEDDING_NAMES`)."""
    names = feature_names(feature_set)  # unknown names fail here
    feats = default if default is not None else window_features(
        frames, grid, onset_env=rh.onset_env, onset_peaks=rh.onset_peaks,
        tempo=rh.window_tempo, pca=load_pca())
    if feature_set == DEFAULT_SET:
        return feats
    degrees, mid = DEGREE_NAMES[0] in names, MID_NAMES[0] in names
    blocks = [feats, extended_features(frames, grid, tempo=rh.window_tempo, degrees=degrees,
                                       mid=mid)]
    computed = (FEATURE_NAMES + EXTENDED_NAMES + (DEGREE_NAMES if degrees else ())
                + (MID_NAMES if mid else ()))
    if EMBEDDING_NAMES[0] in names:
        if embedding is None:
            raise ValueError(f"the feature set {feature_set} reads the tagger's embeddings")
        blocks.append(np.asarray(embedding() if callable(embedding) else embedding))
        computed += EMBEDDING_NAMES
    full = np.hstack(blocks)
    if names == computed:
        return full
    column = {n: i for i, n in enumerate(computed)}
    return full[:, [column[n] for n in names]]  # a set that leaves some features out


def window_feature_table(audio: AnalysisAudio, *, settings: Settings = Settings(),
                         reporter: Reporter | None = None, feature_set: str = DEFAULT_SET
                         ) -> tuple[WindowGrid, np.ndarray]:
    """Only the window features of ``audio`` (no key, no form), ``default21`` or another
    named set (:data:`core.analysis.featureset.FEATURE_SETS`).

    The same code path as :func:`analyze_audio` up to the window features, for corpus
    building and classifier training, where key and form are not needed.

    Returns
    -------
    grid : WindowGrid
    features : np.ndarray, shape (n_windows, len(feature_names(feature_set)))
    """
    rep = reporter or Reporter()
    r_frames, r_rest = rep.split([_WEIGHTS["frames"], _WEIGHTS["rhythm"]])
    frames = compute_frame_features(np.asarray(audio.y), settings=settings, reporter=r_frames)
    grid = window_grid(audio.duration, frames.n_frames, sr=settings.sr,
                       hop_length=settings.hop_length, length=settings.window,
                       stride=settings.stride)
    r_rest(0.0, "tempo")
    rh = _rhythm_stage(frames, grid)
    y = np.asarray(audio.y)
    fc, rc = _classification_inputs(y, frames, rh, settings, None)
    feats = _window_set(fc, grid, rc, feature_set,
                        embedding=lambda: window_embeddings(y, settings.sr, grid,
                                                            settings.tag_stride))
    r_rest(1.0, "window features")
    return grid, feats


def _floats(x) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(x, dtype=np.float64).ravel())


def _assemble(audio, settings, grid, feats, rh, win_keys, gkey, segments, seg):
    info = audio.info
    track = TrackInfo(info.path, info.sha256, info.sample_rate, info.channels, info.frames,
                      float(info.duration), info.format, info.subtype, info.decoder,
                      tuple(audio.notes))
    windows = WindowTable(
        start=_floats(grid.starts), end=_floats(grid.ends), feature_names=FEATURE_NAMES,
        features=tuple(_floats(row) for row in feats),
        tempo=_floats(rh.window_tempo), tempo_confidence=_floats(rh.window_conf),
        tonic=tuple(k.tonic for k in win_keys), mode=tuple(k.mode for k in win_keys),
        key_confidence=_floats([k.confidence for k in win_keys]))
    g = rh.global_tempo
    beat_times = rh.beat_frames * (settings.hop_length / settings.sr)
    globals_ = GlobalEstimates(
        tempo=float(g.bpm), tempo_confidence=float(g.confidence),
        tempo_candidates=tuple((float(b), float(w)) for b, w in zip(g.candidates, g.weights)),
        tonic=gkey.key.tonic, mode=gkey.key.mode, key_confidence=float(gkey.key.confidence),
        key_candidates=tuple((k.key_mode(), float(s)) for k, s in gkey.candidates),
        beats=_floats(beat_times))
    k_scores = tuple((int(k), float(s)) for k, s in getattr(seg, "k_scores", ()))
    return Analysis(track, settings, versions(), windows, segments, globals_, k_scores)
