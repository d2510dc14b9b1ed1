"""Realism of renders (core.evaluation.realism): the set judged, and a real judgement.

The tiny run is what ``python -m bench.realism --tiny`` does: one short render, heard by
the shipped taggers through the documented genre-to-tag table.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.classify.tagmap import tag_table
from core.descriptors import load_dictionary
from core.evaluation.realism import judge, realism_items, run_realism


def test_realism_set_is_the_gallery_example_plus_random_descriptors_per_genre():
    dictionary = load_dictionary()
    items = realism_items(dictionary, per_genre=2, seed=3)
    genres = dictionary.genres()
    assert len(items) == 3 * len(genres)
    for i, genre in enumerate(genres):
        chunk = items[3 * i:3 * i + 3]
        assert chunk[0].section == "genre"
        assert {it.descriptor.genre for it in chunk} == {genre}
        assert chunk[1].descriptor.name != chunk[2].descriptor.name
    again = realism_items(dictionary, per_genre=2, seed=3)
    assert [it.stem for it in again] == [it.stem for it in items]
    rock = realism_items(dictionary, per_genre=2, seed=3, genres=("rock",), gallery=False)
    full_rock = [it for it in items if it.descriptor.genre == "rock"][1:]
    assert [it.stem for it in rock] == [it.stem for it in full_rock]
    other = realism_items(dictionary, per_genre=2, seed=4, genres=("rock",), gallery=False)
    assert len(other) == 2 and all(it.descriptor.genre == "rock" for it in other)


def test_tiny_realism_run_judges_a_real_render_with_the_real_tagger():
    seen = []
    report = run_realism(per_genre=1, seconds=6.0, seed=0, genres=("rock",), gallery=False,
                         on_item=seen.append)
    assert len(report.items) == 1 and seen == list(report.items)
    item = report.items[0]
    assert item.genre == "rock" and item.heard in tag_table().genres
    assert sum(item.distribution) == pytest.approx(1.0)
    assert len(item.top_tags) == 4 and len(set(item.top_tags)) == 4
    assert report.per_genre() == {"rock": (int(item.right), 1)}
    assert report.realism("rock") == float(item.right)
    assert np.isnan(report.realism("pop"))


def test_judge_hears_what_the_table_says_of_the_tags():
    """A plain sine is not a record of any genre the goal names; whatever is heard is the
    table's argmax of the taggers' evidence."""
    sr = 22050
    t = np.arange(5 * sr) / sr
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    item = judge(np.stack([tone, tone], axis=1), sr, descriptor="x", genre="pop")
    assert item.heard == tag_table().genres[int(np.argmax(item.distribution))]
    assert item.right == (item.heard == "pop")


@pytest.mark.parametrize("name, genre", [("hip_hop_boom_bap_groovy", "hip_hop"),
                                         ("pop_upbeat_playful", "pop")])
def test_the_voice_of_sampled_renders_makes_the_tagger_hear_their_genre_more(
        monkeypatch, name, genre):
    """The same 10 s SoundFont render with and without its voice: the real-music tagger
    gives the asked genre a clearly larger share with the voice (a rap or a sung lead)."""
    from core.evaluation.realism import _mid_item
    from core.render import voice
    from core.render.gallery import render_item

    dictionary = load_dictionary()
    item = _mid_item(dictionary.by_name(name))
    index = tag_table().genres.index(genre)

    def share() -> float:
        render = render_item(item, seconds=10.0, seed=2, dictionary=dictionary,
                             instruments="soundfont")
        return judge(render.audio, render.sr, descriptor=name, genre=genre).distribution[index]

    sung = share()
    monkeypatch.delitem(voice.GENRE_DELIVERY, genre)
    assert sung > share() + 0.05
