"""Real-music tags per analysis window from pretrained ONNX taggers (issue 13).

Owns the tagger interface (:class:`Tagger`: an ONNX model with its tag names and the
front-end settings it was trained with, loaded by path), the float32 log-mel front end
(:func:`log_mel`), the cutting into patches (:func:`mel_patches`), and the pooling of
patch outputs onto the analysis windows (:func:`tag_windows`).

The shipped taggers are musicnn's ``MSD_musicnn`` (50 Million-Song-Dataset tags: genres,
moods, eras) and ``MTT_musicnn`` (50 MagnaTagATune tags: instruments and voice), converted
by ``tools/convert_musicnn.py`` (provenance in ``resources/models/musicnn.provenance.json``).
Their front end: 16 kHz, 512-point FFT, hop 256, 96 Slaney mel bands, log10(10000 x + 1),
non-overlapping 3 s (187-frame) patches.  The mel power stays float32 throughout: the
original extractor's float16 cast overflows on loud tracks and then every track reads alike.

The audio is the analysis copy the pipeline already decoded, resampled here to the
tagger's rate: there is no second decode.  The pipeline starts the taggers on a thread of
their own right after decoding (:func:`tag_patches`) and pools the patch tags onto the
windows when the other stages are done (:meth:`PatchTagging.pooled`).  Each onnxruntime
session runs with one intra-op thread; the taggers of a track run side by side, one thread
each (onnxruntime releases the GIL), up to the number of cores.  The models are
compute-bound (about 1.4 GMAC per 3 s patch each, 80 % of it the two timbral
convolutions); onnxruntime's default graph optimisation (NCHWc convolutions) runs those
near the core's peak, and the converter takes the frequency maximum before the ReLU and
batch normalisation (see ``tools/convert_musicnn.py``), which saves a fifth of the rest.
More threads per session or larger batches measured no faster.
"""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from core.errors import TwintrackError
from core.progress import CancelledFn, raise_if_cancelled
from core.resources import resource_path

__all__ = ["FrontEnd", "PatchTagging", "Tagger", "TaggerError", "WindowTagging", "log_mel",
           "mel_patches", "resample", "tag_patches", "tag_windows", "shipped_taggers",
           "voice_activity", "has_vocals", "sampled_voice", "SHIPPED", "VOICE_TAGS", "NO_VOICE_TAGS", "VOICE_MARGIN"]

#: The shipped taggers: key -> model file in ``resources/models``.
SHIPPED = {"msd": "musicnn-msd.onnx", "mtt": "musicnn-mtt.onnx"}
_BATCH = 8  # patches per onnxruntime call: bounds memory, paces cancel and progress

#: MTT tags that say a lead voice is heard ("opera", "choir" and "choral" are left out:
#: the tagger gives them to orchestras and string pads, and a choir is no lead vocal for
#: vocal suppression to take out), and those that say none is.
VOICE_TAGS = ("vocal", "vocals", "voice", "singing", "female", "male", "woman", "man",
              "female vocal", "male vocal", "female voice", "male voice")
NO_VOICE_TAGS = ("no vocal", "no vocals", "no voice")
#: The lead of the voice tags over the no-voice tags where the voice activity is 0.5:
#: musicnn's MTT tags are independent sigmoids and its no-voice tags stay weak even on
#: instrumental music (0.03-0.09 on the shared recordings), so a ratio v / (v + n) calls
#: an orchestra half vocal; the shared recordings with a singer lead by 0.11-0.5 per
#: window, those without by less than 0.05.
VOICE_MARGIN = 0.1
#: A track "has vocals" when at least this share of its windows has activity >= 0.5.
VOCAL_SHARE = 0.25


class TaggerError(TwintrackError):
    """A tagger model file is missing, unreadable or does not describe itself."""


@dataclass(frozen=True)
class FrontEnd:
    """The log-mel front end a tagger was trained with (recorded with the model)."""

    sr: int = 16000
    n_fft: int = 512
    hop_length: int = 256
    n_mels: int = 96
    fmin: float = 0.0
    fmax: float | None = None
    htk: bool = False
    norm: str | None = "slaney"
    center: bool = True
    pad_mode: str = "reflect"
    patch_frames: int = 187
    patch_hop: int = 187

    @classmethod
    def from_dict(cls, d: dict) -> "FrontEnd":
        """The settings in a model's ``front_end`` metadata (unknown keys ignored)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in names})

    @property
    def patch_seconds(self) -> float:
        return self.patch_frames * self.hop_length / self.sr


@dataclass(frozen=True)
class WindowTagging:
    """One tagger's output pooled per analysis window.

    ``probabilities`` is (n_windows, n_tags); ``embeddings`` is (n_windows, n_units) or
    None for a model without an ``embedding`` output.
    """

    tool: str
    names: tuple[str, ...]
    probabilities: np.ndarray
    embeddings: np.ndarray | None


class Tagger:
    """An ONNX music tagger: ``mel`` (batch, frames, bands) -> ``tags`` (batch, n_tags)
    probabilities and optionally ``embedding`` (batch, units).

    The model's metadata props ``labels`` (JSON list) and ``front_end`` (JSON object, see
    :class:`FrontEnd`) describe it; either can be given instead when loading a model that
    lacks them.  Thread-safety: :meth:`predict` may be called from any thread
    (onnxruntime sessions are thread-safe); load once and share.
    """

    def __init__(self, path: str | os.PathLike, *, labels: list[str] | None = None,
                 front_end: FrontEnd | None = None, tool: str | None = None):
        import onnxruntime as ort

        self.path = Path(path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(str(self.path), sess_options=opts,
                                                 providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise TaggerError(f"{self.path}: not a readable ONNX tagger ({exc})") from None
        meta = self._session.get_modelmeta().custom_metadata_map
        try:
            self.labels = tuple(labels or json.loads(meta["labels"]))
            self.front_end = front_end or FrontEnd.from_dict(json.loads(meta["front_end"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise TaggerError(f"{self.path}: the model does not name its tags and front end "
                              f"({exc}); pass labels= and front_end=") from None
        outputs = {o.name for o in self._session.get_outputs()}
        if "tags" not in outputs:
            raise TaggerError(f"{self.path}: the model has no 'tags' output")
        self._outputs = ["tags"] + (["embedding"] if "embedding" in outputs else [])
        self.tool = tool or meta.get("tool") or self.path.stem

    def predict(self, patches: np.ndarray, *, cancelled: CancelledFn | None = None,
                done: Callable[[int], None] | None = None
                ) -> tuple[np.ndarray, np.ndarray | None]:
        """Tag probabilities (n, n_tags) and embeddings (n, units) or None of
        ``patches`` (n, patch_frames, n_mels) float32; ``cancelled`` is polled between
        batches of 8 patches (a quarter of a second) and raises :class:`Cancelled`;
        ``done(k)`` hears of each batch of ``k`` patches tagged."""
        x = np.ascontiguousarray(patches, dtype=np.float32)
        parts = []
        for i in range(0, len(x), _BATCH):
            raise_if_cancelled(cancelled)
            parts.append(self._session.run(self._outputs, {"mel": x[i:i + _BATCH]}))
            if done is not None:
                done(len(parts[-1][0]))
        tags = np.concatenate([p[0] for p in parts])
        emb = np.concatenate([p[1] for p in parts]) if len(self._outputs) > 1 else None
        return tags, emb


@lru_cache(maxsize=None)
def _shipped(key: str) -> Tagger:
    prov = json.loads(resource_path("models", "musicnn.provenance.json").read_text("utf-8"))
    src = prov["source"]
    tool = (f"{src['package']} {src['version']} {prov['models'][key]['checkpoint']} "
            f"(ONNX, {src['licence']})")
    return Tagger(resource_path("models", SHIPPED[key]), tool=tool)


def shipped_taggers() -> dict[str, Tagger]:
    """The shipped musicnn taggers, loaded once per process: ``{"msd": ..., "mtt": ...}``."""
    return {key: _shipped(key) for key in SHIPPED}


def resample(y: np.ndarray, sr: int, target: int) -> np.ndarray:
    """``y`` (mono float32) at ``target`` Hz (soxr high quality)."""
    if sr == target:
        return np.asarray(y, dtype=np.float32)
    import soxr

    return soxr.resample(np.asarray(y, dtype=np.float32), sr, target, quality="HQ")


def log_mel(y: np.ndarray, fe: FrontEnd = FrontEnd()) -> np.ndarray:
    """log10(10000 mel power + 1) of ``y`` (mono at ``fe.sr``), float32, (frames, n_mels)."""
    import librosa

    mel = librosa.feature.melspectrogram(
        y=np.asarray(y, dtype=np.float32), sr=fe.sr, n_fft=fe.n_fft, hop_length=fe.hop_length,
        n_mels=fe.n_mels, fmin=fe.fmin, fmax=fe.fmax, htk=fe.htk, norm=fe.norm,
        center=fe.center, pad_mode=fe.pad_mode, power=2.0)
    return np.log10(np.float32(10000) * mel.T.astype(np.float32) + np.float32(1))


def mel_patches(mel: np.ndarray, fe: FrontEnd = FrontEnd(), *,
                stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``mel`` (frames, bands) into patches of ``fe.patch_frames`` every ``patch_hop``.

    A last patch aligned to the end covers a tail the regular ones leave out; audio
    shorter than one patch is repeated to fill it (as the models were trained).  With
    ``stride`` k only every k-th regular patch is kept (plus the last one): the tagger's
    cost falls to about 1/k, and with k = 2 (a 3 s patch every 6 s) every 10 s window
    still holds a whole patch.

    Returns
    -------
    patches : np.ndarray, (n, patch_frames, bands) float32
    starts : np.ndarray, (n,) first frame of each patch
    """
    n, size = len(mel), fe.patch_frames
    if n < size:
        mel = np.tile(mel, (-(-size // max(n, 1)), 1))[:size]
        return mel[None].astype(np.float32), np.zeros(1, dtype=int)
    starts = list(range(0, n - size + 1, fe.patch_hop * max(1, int(stride))))
    if starts[-1] + size < n:
        starts.append(n - size)
    return (np.stack([mel[s:s + size] for s in starts]).astype(np.float32),
            np.asarray(starts))


def _pool(values: np.ndarray, p0: np.ndarray, p1: np.ndarray, starts: np.ndarray,
          ends: np.ndarray) -> np.ndarray:
    """Per window [start, end), the mean of the patch rows overlapping it, each weighted
    by its overlap in seconds (a patch that only grazes a window counts little); a window
    no patch overlaps takes the nearest patch."""
    overlap = np.clip(np.minimum(p1[None, :], ends[:, None])
                      - np.maximum(p0[None, :], starts[:, None]), 0.0, None)
    total = overlap.sum(axis=1, keepdims=True)
    empty = total[:, 0] <= 0
    if empty.any():
        mid = (starts[empty] + ends[empty]) / 2
        nearest = np.argmin(np.abs((p0 + p1)[None, :] / 2 - mid[:, None]), axis=1)
        overlap[np.flatnonzero(empty), nearest] = 1.0
        total = overlap.sum(axis=1, keepdims=True)
    return (overlap / total) @ values


@dataclass(frozen=True)
class PatchTagging:
    """One tagger's output per 3 s patch, before pooling onto analysis windows.

    ``probabilities`` is (n_patches, n_tags); ``embeddings`` (n_patches, n_units) or None;
    ``start``/``end`` give each patch's span in seconds.
    """

    tool: str
    names: tuple[str, ...]
    probabilities: np.ndarray
    embeddings: np.ndarray | None
    start: np.ndarray
    end: np.ndarray

    def pooled(self, starts, ends) -> WindowTagging:
        """The patches pooled onto the windows ``[starts[i], ends[i])`` seconds (each
        window the overlap-weighted mean of the patches it holds)."""
        w0, w1 = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
        emb = self.embeddings
        return WindowTagging(self.tool, self.names,
                             _pool(self.probabilities, self.start, self.end, w0, w1),
                             None if emb is None else _pool(emb, self.start, self.end, w0, w1))


def tag_patches(y: np.ndarray, sr: int, *, taggers: dict[str, Tagger] | None = None,
                stride: int = 1, workers: int | None = None,
                cancelled: CancelledFn | None = None,
                progress: Callable[[float], None] | None = None) -> dict[str, PatchTagging]:
    """Tags (and embeddings) of ``y``'s 3 s patches, per tagger.

    Parameters
    ----------
    y : np.ndarray
        Mono audio (the analysis copy) at ``sr``.
    sr : int
    taggers : dict, optional
        Key -> :class:`Tagger`; default: :func:`shipped_taggers`.  Taggers sharing a front
        end share its mel spectrogram.
    stride : int
        Tag every ``stride``-th 3 s patch (see :func:`mel_patches`).
    workers : int, optional
        Taggers run at the same time, one thread each; default: one per tagger, at most
        the number of cores.  1 runs them one after the other.
    cancelled : callable, optional
        Polled between batches; raises :class:`core.errors.Cancelled`.
    progress : callable, optional
        ``progress(fraction)`` of the patches tagged, after each batch of each tagger
        (called from the taggers' threads).

    Returns
    -------
    dict
        Key -> :class:`PatchTagging`, in the order of ``taggers``.
    """
    taggers = shipped_taggers() if taggers is None else taggers
    cut: dict[FrontEnd, tuple[np.ndarray, np.ndarray]] = {}
    for tagger in taggers.values():
        fe = tagger.front_end
        if fe not in cut:
            raise_if_cancelled(cancelled)
            cut[fe] = mel_patches(log_mel(resample(y, sr, fe.sr), fe), fe, stride=stride)

    total = sum(len(cut[t.front_end][0]) for t in taggers.values())
    tagged = [0]
    lock = threading.Lock()

    def done(k: int) -> None:
        with lock:
            tagged[0] += k
            fraction = tagged[0] / total
        if progress is not None:
            progress(fraction)

    def run(tagger: Tagger) -> PatchTagging:
        fe = tagger.front_end
        patches, first = cut[fe]
        p0 = first * fe.hop_length / fe.sr
        tags, emb = tagger.predict(patches, cancelled=cancelled, done=done)
        return PatchTagging(tagger.tool, tagger.labels, tags, emb, p0, p0 + fe.patch_seconds)

    n = workers or min(len(taggers), os.cpu_count() or 1)
    if n <= 1 or len(taggers) <= 1:
        return {key: run(tagger) for key, tagger in taggers.items()}
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="tagger") as pool:
        done = pool.map(run, taggers.values())
        return dict(zip(taggers, done))


def tag_windows(y: np.ndarray, sr: int, starts, ends, **options) -> dict[str, WindowTagging]:
    """Tags (and embeddings) of ``y`` per window ``[starts[i], ends[i])`` seconds:
    :func:`tag_patches` (``options``: its keywords) pooled by :meth:`PatchTagging.pooled`.

    Returns
    -------
    dict
        Key -> :class:`WindowTagging`, in the order of the taggers.
    """
    return {key: p.pooled(starts, ends) for key, p in tag_patches(y, sr, **options).items()}


def voice_activity(names, probabilities) -> np.ndarray:
    """Per window, ``clip((v - n) / (2 VOICE_MARGIN), 0, 1)`` of an MTT tagger's output:
    ``v`` the strongest voice tag, ``n`` the strongest no-voice tag (0.5 where the voice
    leads by :data:`VOICE_MARGIN`)."""
    p = np.asarray(probabilities, dtype=float).reshape(-1, len(names))
    col = {name: i for i, name in enumerate(names)}
    v = p[:, [col[t] for t in VOICE_TAGS if t in col]].max(axis=1, initial=0.0)
    n = p[:, [col[t] for t in NO_VOICE_TAGS if t in col]].max(axis=1, initial=0.0)
    return np.clip((v - n) / (2 * VOICE_MARGIN), 0.0, 1.0)


def has_vocals(activity: np.ndarray) -> bool:
    """Whether a track sings: at least :data:`VOCAL_SHARE` of its windows have a voice
    activity of 0.5 or more."""
    a = np.asarray(activity, dtype=float)
    return bool(a.size) and float(np.mean(a >= 0.5)) >= VOCAL_SHARE


def sampled_voice(y: np.ndarray, sr: int, *, patches: int = 8,
                  tagger: Tagger | None = None) -> np.ndarray:
    """Voice activity of up to ``patches`` 3 s patches spread evenly over ``y`` (the MTT
    tagger on a sample: what automatic vocal suppression needs when the full tags are
    off, for a fraction of their cost)."""
    tagger = tagger or _shipped("mtt")
    fe = tagger.front_end
    cut, _ = mel_patches(log_mel(resample(y, sr, fe.sr), fe), fe)
    pick = np.unique(np.linspace(0, len(cut) - 1, min(patches, len(cut))).round().astype(int))
    tags, _ = tagger.predict(cut[pick])
    return voice_activity(tagger.labels, tags)
