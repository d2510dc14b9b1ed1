"""The genre-to-tag table (core.classify.tagmap): complete, consistent, and read right."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from core.classify.tagmap import TagTable, tag_table
from core.descriptors import load_dictionary
from core.errors import FormatError
from core.resources import resource_path


def _labels() -> dict[str, list[str]]:
    prov = json.loads(resource_path("models", "musicnn.provenance.json").read_text("utf-8"))
    return {key: prov["models"][key]["labels"] for key in ("msd", "mtt")}


def _one_hot(names: list[str], *hot: str) -> SimpleNamespace:
    p = np.zeros((1, len(names)))
    for tag in hot:
        p[0, names.index(tag)] = 1.0
    return SimpleNamespace(names=names, probabilities=p)


def test_table_covers_every_descriptor_genre_and_names_only_real_tags():
    table, labels = tag_table(), _labels()
    assert set(table.genres) == set(load_dictionary().genres())
    for key, genres in table.weights.items():
        for genre, tags in genres.items():
            unknown = set(tags) - set(labels[key])
            assert not unknown, f"{key}/{genre}: {unknown} are not tags of the model"
            assert all(0 < w <= 2 for w in tags.values())


@pytest.mark.parametrize("msd, mtt, genre", [
    (("Hip-Hop",), (), "hip_hop"), (("heavy metal", "hard rock"), (), "rock"),
    (("country", "acoustic"), (), "folk"), (("House", "electronic"), (), "electronica"),
    (("indie pop", "catchy"), (), "pop"), (("instrumental",), ("classical", "strings"),
                                           "cinematic"),
    (("instrumental",), ("piano", "new age", "soft"), "documentary")])
def test_clear_tags_are_heard_as_their_genre(msd, mtt, genre):
    labels = _labels()
    tags = {"msd": _one_hot(labels["msd"], *msd), "mtt": _one_hot(labels["mtt"], *mtt)}
    assert tag_table().heard(tags) == genre
    d = tag_table().distribution(tags)
    assert d.shape == (1, len(tag_table().genres)) and d.sum() == pytest.approx(1.0)


def test_silence_of_every_tag_gives_a_uniform_distribution_not_a_division_by_zero():
    labels = _labels()
    tags = {"msd": _one_hot(labels["msd"]), "mtt": _one_hot(labels["mtt"])}
    d = tag_table().distribution(tags)
    assert np.allclose(d, 1 / len(tag_table().genres))


def test_a_tagger_the_table_does_not_know_is_refused_clearly():
    with pytest.raises(ValueError, match="no tagger output the table knows"):
        tag_table().scores({"other": _one_hot(["a", "b"], "a")})


@pytest.mark.parametrize("doc", [{}, {"genres": {"rock": {"msd": {"rock": "loud"}}}},
                                 {"genres": ["rock"]}])
def test_a_malformed_table_is_a_format_error(doc):
    with pytest.raises(FormatError, match="genre-to-tag table"):
        TagTable.from_dict(doc)
