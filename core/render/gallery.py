"""A listening-and-looking gallery of the render engine.

One render per genre, a momentum sweep (one subgenre, every momentum level it has)
and a valence sweep (one subgenre at one momentum, valence 0, 1, 2), each written as
WAV plus a spectrogram PNG, with an ``index.md`` that lists them, so a person can
hear and see whether momentum drives activity and valence drives mode and brightness.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.descriptors import Descriptor, Dictionary, load_dictionary
from core.io.atomic import atomic_path, atomic_write_text
from core.render.planning import instrumentation
from core.progress import CancelledFn, ProgressFn, Reporter
from core.render.timeline import Timeline

__all__ = ["GalleryItem", "gallery_items", "render_item", "build_gallery", "spectrogram_png"]


@dataclass(frozen=True)
class GalleryItem:
    """One gallery render: which descriptor, why it is in the gallery, and how."""

    section: str
    descriptor: Descriptor
    tempo: float
    tonic: str
    mode: str

    @property
    def stem(self) -> str:
        return f"{self.section}-{self.descriptor.name}"


def _item(section: str, d: Descriptor) -> GalleryItem:
    minor = d.tags.mode not in ("major", "lydian", "mixolydian")
    tempo = float(round((d.tags.tempo_min + d.tags.tempo_max) / 2))
    return GalleryItem(section, d, tempo, "B" if minor else "D", "minor" if minor else "major")


def gallery_items(dictionary: Dictionary) -> list[GalleryItem]:
    """Per genre one mid-momentum example, then a momentum and a valence sweep."""
    active = list(dictionary.active())
    items = []
    for genre in dictionary.genres():
        mine = [d for d in active if d.genre == genre]
        best = min(mine, key=lambda d: (abs(d.momentum - 2.5), -d.valence, d.id))
        items.append(_item("genre", best))
    by_sub: dict[tuple[str, str], dict[int, Descriptor]] = defaultdict(dict)
    for d in active:
        by_sub[(d.genre, d.subgenre)].setdefault(d.momentum, d)
    sub = max(by_sub, key=lambda k: (len(by_sub[k]), k))
    items += [_item("momentum", by_sub[sub][m]) for m in sorted(by_sub[sub])]
    by_level: dict[tuple[str, str, int], dict[int, Descriptor]] = defaultdict(dict)
    for d in active:
        by_level[(d.genre, d.subgenre, d.momentum)].setdefault(d.valence, d)
    level = max(by_level, key=lambda k: (len(by_level[k]), k))
    items += [_item("valence", by_level[level][v]) for v in sorted(by_level[level])]
    return items


def spectrogram_png(audio: np.ndarray, sr: int, path: str | os.PathLike, *, title: str) -> None:
    """A log-frequency (mel) spectrogram of ``audio`` as a PNG."""
    import librosa
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    mel = librosa.feature.melspectrogram(y=mono, sr=sr, n_fft=2048, hop_length=512, n_mels=128,
                                         fmax=sr / 2)
    db = librosa.power_to_db(mel, ref=np.max, top_db=80)
    fig, ax = plt.subplots(figsize=(10, 3.2), dpi=90)
    ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=-80, vmax=0,
              extent=(0, len(mono) / sr, 0, db.shape[0]))
    ticks = [100, 300, 1000, 3000, 10000]
    mel_hz = librosa.mel_frequencies(n_mels=128, fmax=sr / 2)
    ax.set_yticks([int(np.searchsorted(mel_hz, f)) for f in ticks], [f"{f:g} Hz" for f in ticks])
    ax.set_xlabel("seconds")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def render_item(item: GalleryItem, *, seconds: float, seed: int, dictionary: Dictionary,
                instruments: str | None = None, soundfont: str | os.PathLike | None = None):
    """``item`` rendered alone for ``seconds`` with ``seed`` (its instrumentation drawn
    with the same seed): the gallery's render, and the realism bench's."""
    from core.render.engine import render_timeline

    d = item.descriptor
    tl = Timeline.from_regions((0.0, seconds), descriptors=[d.name],
                               keys=[(item.tonic, item.mode)], tempi=[item.tempo],
                               instrument_groups=[instrumentation(d, seed=seed)],
                               meta={"title": d.display_name})
    return render_timeline(tl, seed=seed, dictionary=dictionary, instruments=instruments,
                           soundfont=soundfont)


def build_gallery(out_dir: str | os.PathLike, *, seconds: float = 20.0, seed: int = 0,
                  dictionary: Dictionary | None = None, instruments: str | None = None,
                  soundfont: str | os.PathLike | None = None,
                  progress: ProgressFn | None = None,
                  cancelled: CancelledFn | None = None) -> list[Path]:
    """Render every gallery item to ``out_dir`` (WAV + PNG) and write ``index.md``
    (``instruments`` and ``soundfont`` as :func:`core.render.engine.render_timeline`
    takes them)."""
    from core.render.engine import write_audio

    dictionary = dictionary or load_dictionary()
    out = Path(out_dir)
    rep = Reporter(progress, cancelled)
    items = gallery_items(dictionary)
    rows, written = [], []
    for i, item in enumerate(items):
        rep(i / len(items), f"rendering {item.descriptor.name}")
        d = item.descriptor
        render = render_item(item, seconds=seconds, seed=seed + i, dictionary=dictionary,
                             instruments=instruments, soundfont=soundfont)
        write_audio(render, out / f"{item.stem}.wav")
        title = (f"{d.display_name} — valence {d.valence}, momentum {d.momentum}, "
                 f"{item.tempo:.0f} BPM, {item.tonic} {item.mode} ({d.tags.mode})")
        spectrogram_png(render.audio, render.sr, out / f"{item.stem}.png", title=title)
        written += [out / f"{item.stem}.wav", out / f"{item.stem}.png"]
        rows.append(f"| {item.section} | `{d.name}` | {d.valence} | {d.momentum} | "
                    f"{item.tempo:.0f} | {item.tonic} {item.mode} | "
                    f"[wav]({item.stem}.wav) | ![]({item.stem}.png) |")
    text = ("# Twintrack render gallery\n\n| section | descriptor | valence | momentum | BPM | "
            "key | audio | spectrogram |\n|---|---|---|---|---|---|---|---|\n"
            + "\n".join(rows) + "\n")
    atomic_write_text(out / "index.md", text)
    rep(1.0, "gallery written")
    return written + [out / "index.md"]
