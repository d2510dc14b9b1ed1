"""Realism of renders: does a real-music model hear each render as its genre? (issue 13)

Owns the choice of the renders that are judged (:func:`realism_items`: per descriptor
genre, the gallery's example plus ``n`` descriptors drawn at random with a seed), their
rendering, and the judgement (:func:`judge`): the shipped real-music taggers listen to
each whole render, and the documented genre-to-tag table
(:func:`core.classify.tagmap.tag_table`) says which genre it hears.  A render counts as
realistic when the genre heard is the genre asked for.  The table is the same one that
reads real tracks, so renders and real music are judged alike.

Results are plain data (:class:`RealismItem`, :class:`RealismReport`); ``bench/realism.py``
prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.classify.tagmap import tag_table
from core.descriptors import Descriptor, Dictionary, load_dictionary
from core.render.gallery import GalleryItem, gallery_items, render_item

__all__ = ["RealismItem", "RealismReport", "realism_items", "judge", "run_realism"]

TOP_TAGS = 4  # tags kept per render for the report


@dataclass(frozen=True)
class RealismItem:
    """One judged render: what was asked, what the taggers heard."""

    descriptor: str
    genre: str
    heard: str
    top_tags: tuple[str, ...]
    distribution: tuple[float, ...]   # over ``tag_table().genres``

    @property
    def right(self) -> bool:
        return self.heard == self.genre


@dataclass(frozen=True)
class RealismReport:
    """Every judged render, with per-genre realism (share heard as its genre)."""

    items: tuple[RealismItem, ...]
    instruments: str
    seconds: float

    def per_genre(self) -> dict[str, tuple[int, int]]:
        """Genre -> (renders heard as the genre, renders), in the order first seen."""
        out: dict[str, tuple[int, int]] = {}
        for it in self.items:
            right, total = out.get(it.genre, (0, 0))
            out[it.genre] = (right + it.right, total + 1)
        return out

    def realism(self, genre: str) -> float:
        right, total = self.per_genre().get(genre, (0, 0))
        return right / total if total else float("nan")


def _mid_item(d: Descriptor) -> GalleryItem:
    """A descriptor rendered as the gallery renders its examples (mid tempo, D/B key)."""
    minor = d.tags.mode not in ("major", "lydian", "mixolydian")
    tempo = float(round((d.tags.tempo_min + d.tags.tempo_max) / 2))
    return GalleryItem("random", d, tempo, "B" if minor else "D", "minor" if minor else "major")


def realism_items(dictionary: Dictionary, *, per_genre: int, seed: int = 0,
                  genres: tuple[str, ...] | None = None,
                  gallery: bool = True) -> list[GalleryItem]:
    """Per genre: the gallery's example (if ``gallery``) then ``per_genre`` random active
    descriptors of the genre (without replacement, drawn with ``seed`` and the genre, so
    the same whichever other genres are asked for)."""
    wanted = genres or dictionary.genres()
    order = {g: i for i, g in enumerate(dictionary.genres())}
    examples = {it.descriptor.genre: it for it in gallery_items(dictionary)
                if it.section == "genre"}
    items: list[GalleryItem] = []
    for genre in wanted:
        if gallery and genre in examples:
            items.append(examples[genre])
        mine = [d for d in dictionary.active() if d.genre == genre]
        k = min(per_genre, len(mine))
        # a draw of its own per genre: a run of some genres renders what the full run does
        rng = np.random.default_rng([seed, order.get(genre, len(order))])
        picks = rng.choice(len(mine), size=k, replace=False) if k else []
        items += [_mid_item(mine[int(i)]) for i in picks]
    return items


def judge(audio: np.ndarray, sr: int, *, descriptor: str, genre: str) -> RealismItem:
    """What the shipped taggers hear in ``audio`` (stereo or mono), as one window."""
    from core.analysis.tags import tag_windows

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    duration = len(mono) / sr
    tags = tag_windows(mono, sr, [0.0], [duration])
    table = tag_table()
    dist = table.distribution(tags)[0]
    msd = tags["msd"]
    order = np.argsort(-msd.probabilities[0])[:TOP_TAGS]
    return RealismItem(descriptor, genre, table.genres[int(np.argmax(dist))],
                       tuple(msd.names[i] for i in order), tuple(float(x) for x in dist))


def run_realism(*, per_genre: int = 4, seconds: float = 30.0, seed: int = 0,
                instruments: str = "synth", genres: tuple[str, ...] | None = None,
                gallery: bool = True, dictionary: Dictionary | None = None,
                on_item: Callable[[RealismItem], None] | None = None) -> RealismReport:
    """Render the realism set and judge every render.

    Parameters
    ----------
    per_genre : int
        Random descriptors per genre (beside the gallery example).
    seconds : float
        Length of each render.
    seed : int
        Draws the descriptors, the instrumentations and the renders.
    instruments : str
        What plays the notes: ``"synth"``, ``"soundfont"`` or ``"auto"`` (see
        :func:`core.render.engine.render_timeline`).
    genres : tuple of str, optional
        Only these genres (default: all).
    gallery : bool
        Include the gallery's example of each genre.
    on_item : callable, optional
        Called with each judged render as soon as it is judged.
    """

    dictionary = dictionary or load_dictionary()
    judged = []
    for i, item in enumerate(realism_items(dictionary, per_genre=per_genre, seed=seed,
                                           genres=genres, gallery=gallery)):
        d = item.descriptor
        render = render_item(item, seconds=seconds, seed=seed + i, dictionary=dictionary,
                             instruments=instruments)
        result = judge(render.audio, render.sr, descriptor=d.name, genre=d.genre)
        judged.append(result)
        if on_item is not None:
            on_item(result)
    return RealismReport(tuple(judged), instruments, seconds)
