"""The descriptor dictionary: shipped data, its musical rules, lookups, validation, distance."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import statistics
from collections import Counter, defaultdict

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import descriptors as dm
from core.descriptors import (DRUM_GROUPS, DRUM_STYLE_GROUPS, Descriptor, Dictionary,
                              UnknownDescriptorError, describe, dictionary_from_dict, distance,
                              load_dictionary)
from core.errors import FormatError, TwintrackError
from core.resources import resource_path, schema
from tools import make_descriptors

GENRES = ("cinematic", "documentary", "electronica", "folk", "hip_hop", "pop", "rock")
SCHEMA = "descriptors.schema.json"

# Musical rules the shipped dictionary must follow (the spec, independent of the generator).
VALENCE_MODES = {0: {"minor", "phrygian", "dorian"},
                 1: {"minor", "dorian", "mixolydian", "major", "lydian"},
                 2: {"major", "lydian", "mixolydian"}}
VALENCE_PROGRESSIONS = {
    0: {"minor_epic", "minor_descending", "lament", "chromatic_tension", "drone", "modal_vamp",
        "blues"},
    1: set(dm.PROGRESSIONS) - {"chromatic_tension"},
    2: {"axis", "doo_wop", "suspended", "blues", "jazz_ii_v", "modal_vamp", "drone"}}
PROGRESSION_MODES = {
    "axis": {"major", "lydian", "mixolydian"}, "doo_wop": {"major", "lydian", "mixolydian"},
    "minor_epic": {"minor", "dorian", "phrygian"},
    "minor_descending": {"minor", "dorian", "phrygian"},
    "blues": {"major", "mixolydian", "dorian", "minor"},
    "jazz_ii_v": {"major", "lydian", "mixolydian", "dorian", "minor"},
    "lament": {"minor", "dorian", "major"}, "chromatic_tension": {"minor", "phrygian"},
    "modal_vamp": set(dm.MODES), "drone": set(dm.MODES), "suspended": set(dm.MODES)}
MOMENTUM_DRUMS = {
    0: {"none", "light", "orchestral"},
    1: {"none", "light", "halftime", "boom_bap", "orchestral"},
    2: {"light", "halftime", "boom_bap", "breakbeat", "full", "four_on_the_floor", "trap",
        "orchestral"},
    3: {"halftime", "boom_bap", "breakbeat", "full", "four_on_the_floor", "trap", "orchestral"},
    4: {"boom_bap", "breakbeat", "full", "four_on_the_floor", "trap", "orchestral"}}
GROOVE_STYLES = {"halftime", "boom_bap", "breakbeat", "full", "four_on_the_floor", "trap"}
TEMPO_BANDS = {("electronica", "house"): (115, 130), ("hip_hop", "trap"): (125, 165),
               ("hip_hop", "boom_bap"): (80, 100), ("hip_hop", "lofi"): (60, 95),
               ("pop", "ballad"): (55, 90), ("cinematic", "ambient"): (40, 100)}
MOOD_ANCHORS = {  # mood: sentiment, valence, allowed momenta
    "melancholic": ("negative", 0, {0, 1, 2}), "triumphant": ("positive", 2, {3, 4}),
    "dreamy": ("neutral", 1, {0, 1}), "heartfelt": ("positive", 2, {0, 1, 2}),
    "tense": ("negative", 0, {2, 3}), "playful": ("positive", 2, {2, 3}),
    "dark": ("negative", 0, {1, 2, 3}), "driving": ("neutral", 1, {3, 4}),
    "primal_pulsing": ("neutral", 0, {3, 4}), "hopeful": ("positive", 1, {1, 2, 3})}
USED_ELSEWHERE = ("pop_indie_hopeful", "pop_indie_melancholic", "cinematic_orchestral_tense",
                  "rock_indie_driving", "cinematic_percussion_primal_pulsing")


@pytest.fixture(scope="module")
def d() -> Dictionary:
    return load_dictionary()


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(resource_path("descriptors.json").read_text(encoding="utf-8"))


def _centre(x: Descriptor) -> float:
    return (x.tags.tempo_min + x.tags.tempo_max) / 2


# ----------------------------------------------------------------------------- shipped data
def test_shipped_file_matches_the_schema(doc):
    jsonschema.Draft202012Validator.check_schema(schema(SCHEMA))
    jsonschema.Draft202012Validator(schema(SCHEMA)).validate(doc)
    assert doc["version"].startswith("descriptors-v")


def test_counts(d):
    assert d.genres() == GENRES
    for g in GENRES:
        assert len(d.children(g)) in (1, 2, 3, 4)
    assert len(d.active()) > 100
    assert 130 <= len(d) <= 200
    assert 0 < len(d) - len(d.active()) <= 5  # a few retired


def test_ids_and_names_unique_and_named_by_parts(d):
    assert len({x.id for x in d}) == len({x.name for x in d}) == len(d)
    for x in d:
        assert x.name == "_".join(x.parts) and x.parts == (x.genre, x.subgenre, x.mood)
        assert d.find(*x.parts) is x and d.by_id(x.id) is x
        assert x.display_name and x.mood.replace("_", " ") in x.display_name.lower().replace(
            "-", " ")


def test_ids_encode_the_tree_position(d):
    for x in d:
        g = d.genres().index(x.genre) + 1
        s = d.children(x.genre).index(x.subgenre) + 1
        m = d.children(x.genre, x.subgenre).index(x.mood) + 1
        assert x.id == 1000 * g + 100 * s + m


def test_vocabularies_match_the_schema():
    defs = schema(SCHEMA)["$defs"]
    tags = defs["tags"]["properties"]
    assert tuple(tags["mode"]["enum"]) == dm.MODES
    assert tuple(tags["progression"]["enum"]) == dm.PROGRESSIONS
    assert tuple(tags["drum_style"]["enum"]) == dm.DRUM_STYLES
    assert tuple(tags["register"]["enum"]) == dm.REGISTERS
    assert tuple(tags["dynamics"]["enum"]) == dm.DYNAMICS
    assert tuple(tags["filter"]["enum"]) == dm.FILTERS
    assert tuple(float(h) for h in tags["harmonic_rhythm"]["enum"]) == dm.HARMONIC_RHYTHMS
    assert tuple(defs["group"]["enum"]) == dm.INSTRUMENT_GROUPS
    assert tuple(defs["sentiment"]["enum"]) == dm.SENTIMENTS
    assert tuple(defs["group_info"]["properties"]["roles"]["items"]["enum"]) == dm.ROLES
    assert set(DRUM_STYLE_GROUPS) == set(dm.DRUM_STYLES)


def test_tags_within_vocabularies(d):
    for x in d:
        t = x.tags
        assert 40 <= t.tempo_min < t.tempo_max <= 200
        assert t.mode in dm.MODES and t.progression in dm.PROGRESSIONS
        assert t.harmonic_rhythm in dm.HARMONIC_RHYTHMS and 0 <= t.rhythmic_density <= 4
        assert t.drum_style in dm.DRUM_STYLES and t.register in dm.REGISTERS
        assert t.dynamics in dm.DYNAMICS and t.filter in dm.FILTERS
        assert 3 <= len(t.instrument_groups) <= 7
        assert set(t.instrument_groups) <= set(dm.INSTRUMENT_GROUPS)
        assert all(0.0 <= v <= 1.0 for v in (t.reverb, t.saturation, t.brightness))
        assert x.sentiment in dm.SENTIMENTS and 0 <= x.valence <= 2 and 0 <= x.momentum <= 4


def test_instrument_group_section(d):
    assert tuple(d.instrument_groups) == dm.INSTRUMENT_GROUPS
    for g in d.instrument_groups.values():
        assert g.display_name and set(g.roles) <= set(dm.ROLES)
        assert 0 <= g.midi_low < g.midi_high <= 127
    for g in DRUM_GROUPS:
        assert d.instrument_groups[g].roles == ("rhythm",)


def test_tree_lists_exactly_the_entries(d, doc):
    listed = {(g, s, m) for g, gi in doc["genres"].items()
              for s, si in gi["subgenres"].items() for m in si["moods"]}
    assert listed == {x.parts for x in d}
    assert set(doc["moods"]) == {x.mood for x in d}  # the mood table has no stray entries
    for g in d.genres():
        assert doc["genres"][g]["display_name"]
        for s in d.children(g):
            assert [x.mood for x in d if x.genre == g and x.subgenre == s] == list(
                d.children(g, s))


def test_the_names_other_modules_use_exist(d):
    for name in USED_ELSEWHERE:
        assert d.by_name(name).active


def test_tags_are_plain_fields_for_the_renderer(d):
    # core.render.engine reads ``vars(descriptor.tags)``: keep RenderTags slot-free
    x = d.by_name("rock_indie_driving")
    assert set(vars(x.tags)) == {f.name for f in dataclasses.fields(dm.RenderTags)}
    assert isinstance(x.tags.instrument_groups, tuple)


# ----------------------------------------------------------------------------- musical rules
def test_mood_fixes_sentiment_valence_momentum(d, doc):
    seen: dict[str, tuple] = {}
    for x in d:
        assert seen.setdefault(x.mood, (x.sentiment, x.valence, x.momentum)) == (
            x.sentiment, x.valence, x.momentum), x.name
        m = doc["moods"][x.mood]
        assert (m["sentiment"], m["valence"], m["momentum"]) == seen[x.mood]
    for mood, (sentiment, valence, momenta) in MOOD_ANCHORS.items():
        s, v, m = seen[mood]
        assert (s, v) == (sentiment, valence) and m in momenta, mood


def test_sentiment_and_valence_agree_within_one_step(d):
    for x in d:
        assert abs(dm.SENTIMENTS.index(x.sentiment) - x.valence) <= 1, x.name


def test_momentum_drives_density_drums_and_dynamics(d):
    for x in d:
        t = x.tags
        assert abs(t.rhythmic_density - x.momentum) <= 1, x.name
        assert t.drum_style in MOMENTUM_DRUMS[x.momentum], x.name
        assert not (x.momentum == 0 and t.dynamics == "loud"), x.name
        assert not (x.momentum == 4 and t.dynamics == "soft"), x.name


def test_tempo_rises_with_momentum(d):
    by_sub: dict[tuple, list[Descriptor]] = defaultdict(list)
    by_genre: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for x in d:
        by_sub[x.genre, x.subgenre].append(x)
        by_genre[x.genre][x.momentum].append(_centre(x))
    for key, xs in by_sub.items():
        for a, b in itertools.permutations(xs, 2):
            if a.momentum < b.momentum:
                assert a.tags.tempo_min <= b.tags.tempo_min, (a.name, b.name)
                assert a.tags.tempo_max <= b.tags.tempo_max, (a.name, b.name)
                assert _centre(a) < _centre(b), (a.name, b.name)
    for g, per in by_genre.items():
        means = [statistics.mean(per[m]) for m in sorted(per)]
        assert means == sorted(means), g


def test_tempo_is_plausible_for_the_style(d):
    for x in d:
        lo, hi = TEMPO_BANDS.get((x.genre, x.subgenre), (40, 200))
        assert lo <= x.tags.tempo_min and x.tags.tempo_max <= hi, x.name


def test_valence_drives_mode_progression_and_brightness(d):
    for x in d:
        t = x.tags
        assert t.mode in VALENCE_MODES[x.valence], x.name
        assert t.progression in VALENCE_PROGRESSIONS[x.valence], x.name
        assert t.mode in PROGRESSION_MODES[t.progression], x.name
    groups: dict[tuple, list[Descriptor]] = defaultdict(list)
    for x in d:
        groups[x.genre, x.subgenre, x.momentum].append(x)
    for xs in groups.values():
        for a, b in itertools.permutations(xs, 2):
            if a.valence < b.valence:
                assert a.tags.brightness < b.tags.brightness, (a.name, b.name)
    means = [statistics.mean(x.tags.brightness for x in d if x.valence == v) for v in (0, 1, 2)]
    assert means[0] < means[1] < means[2]


def test_twins_differ_in_mode(d):
    """Moods of one style with equal sentiment, valence and momentum ("twins") must still
    sound apart: each pair plays in its own mode."""
    twins: dict[tuple, list[Descriptor]] = defaultdict(list)
    for x in d.active():
        twins[x.genre, x.subgenre, x.sentiment, x.valence, x.momentum].append(x)
    pairs = [p for xs in twins.values() for p in itertools.combinations(xs, 2)]
    assert len(pairs) >= 10
    for a, b in pairs:
        assert a.tags.mode != b.tags.mode, (a.name, b.name)


def test_drum_groups_match_drum_style(d):
    for x in d:
        t = x.tags
        drums = t.drum_groups
        if t.drum_style == "none":
            assert drums == (), x.name
        else:
            assert len(drums) == 1 and drums[0] in DRUM_STYLE_GROUPS[t.drum_style], x.name
        if t.drum_style == "orchestral":
            assert drums == ("orchestral_percussion",)
        if t.drum_style in ("four_on_the_floor", "trap"):
            assert drums == ("electronic_drums",)
        if t.drum_style in GROOVE_STYLES:  # a groove needs a dedicated bass
            assert {"bass", "synth_bass"} & set(t.instrument_groups), x.name


def test_every_descriptor_has_chords_bass_and_melody(d):
    roles = {g.name: set(g.roles) for g in d.instrument_groups.values()}
    for x in d:
        assert any(roles[a] & {"chords", "pad"} and "bass" in roles[b] and "melody" in roles[c]
                   for a, b, c in itertools.permutations(x.tags.instrument_groups, 3)), x.name


def test_targets_are_balanced(d):
    active = d.active()
    for target, values in (("sentiment", dm.SENTIMENTS), ("valence", (0, 1, 2)),
                           ("momentum", (0, 1, 2, 3, 4))):
        counts = Counter(getattr(x, target) for x in active)
        for v in values:
            assert counts[v] >= 0.10 * len(active), (target, v, counts)
    per_genre = Counter(x.genre for x in active)
    assert min(per_genre.values()) >= 0.10 * len(active)


# ----------------------------------------------------------------------------- lookups
def test_retired_descriptors_are_found_but_not_active(d):
    retired = [x for x in d if not x.active]
    assert retired
    for x in retired:
        assert d.by_name(x.name) is x and x not in d.active()
        assert "[retired]" in describe(x)
    assert all(x.active for x in d.active())


def test_unknown_name_suggests_close_matches(d):
    with pytest.raises(UnknownDescriptorError) as info:
        d.by_name("cinematic_orchestal_heartfelt")
    assert info.value.suggestions[0] == "cinematic_orchestral_heartfelt"
    assert "did you mean cinematic_orchestral_heartfelt" in str(info.value)
    assert isinstance(info.value, TwintrackError) and not isinstance(info.value, KeyError)
    with pytest.raises(UnknownDescriptorError) as info:
        d.by_name("zzz")
    assert info.value.suggestions == ()
    with pytest.raises(UnknownDescriptorError):
        d.by_id(999999)
    with pytest.raises(UnknownDescriptorError):
        d.find("pop", "ballad", "aggressive")
    assert "rock_indie_driving" in d and "rock_indie_drivin" not in d


def test_children(d):
    assert d.children() == d.genres()
    assert d.children("hip_hop") == ("boom_bap", "trap", "lofi")
    assert "laid_back" in d.children("hip_hop", "lofi")
    with pytest.raises(UnknownDescriptorError) as info:
        d.children("hiphop")
    assert info.value.suggestions[0] == "hip_hop"
    with pytest.raises(UnknownDescriptorError):
        d.children("rock", "lofi")
    with pytest.raises(ValueError):
        d.children(subgenre="lofi")


def test_targets_and_labels(d):
    t = d.targets()
    assert tuple(t) == dm.TARGETS
    assert t["genre"] == GENRES
    assert t["sentiment"] == dm.SENTIMENTS
    assert t["valence"] == ("0", "1", "2") and t["momentum"] == ("0", "1", "2", "3", "4")
    assert set(t["mood"]) == {x.mood for x in d.active()}
    x = d.by_name("cinematic_percussion_primal_pulsing")
    assert x.labels() == {"genre": "cinematic", "subgenre": "percussion",
                          "mood": "primal_pulsing", "sentiment": "neutral", "valence": "0",
                          "momentum": "3"}


def test_parent_of_and_consistency(d):
    assert d.parent_of("genre", "rock") == ()
    assert set(d.parent_of("subgenre", "ambient")) == {"cinematic", "electronica"}
    assert d.parent_of("subgenre", "trap") == ("hip_hop",)
    assert "lofi" in d.parent_of("mood", "laid_back")
    assert "melancholic" in d.parent_of("valence", 0)
    assert "triumphant" in d.parent_of("momentum", "4")
    with pytest.raises(UnknownDescriptorError) as info:
        d.parent_of("subgenre", "tarp")
    assert "trap" in info.value.suggestions
    with pytest.raises(ValueError):
        d.parent_of("tempo", "fast")
    assert d.is_consistent(genre="hip_hop", subgenre="trap", mood="dark", valence=0)
    assert not d.is_consistent(genre="rock", subgenre="ambient")
    assert not d.is_consistent(mood="melancholic", sentiment="positive")
    assert all(x.genre == "pop" and x.valence == 2 for x in d.matching(genre="pop", valence="2"))


def test_dictionary_and_entries_are_immutable(d):
    x = d.by_name("rock_indie_driving")
    with pytest.raises(dataclasses.FrozenInstanceError):
        x.valence = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        x.tags.tempo_min = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.version = "x"
    with pytest.raises(TypeError):
        d.tree["rock"] = {}
    with pytest.raises(TypeError):
        d.instrument_groups["bass"] = None


def test_describe_is_one_readable_line(d):
    text = describe(d.by_name("hip_hop_lofi_laid_back"))
    assert "\n" not in text and "Lo-Fi" in text and "BPM" in text and "#5303" in text
    assert "no drums" in describe(d.by_name("cinematic_ambient_serene"))


# ----------------------------------------------------------------------------- loading
def test_load_caches_the_shipped_file_and_reads_a_path(d, tmp_path):
    assert load_dictionary() is d
    path = tmp_path / "copy.json"
    path.write_text(resource_path("descriptors.json").read_text(encoding="utf-8"))
    other = load_dictionary(path)
    assert other is not d and [x.name for x in other] == [x.name for x in d]
    assert other.by_name("rock_indie_driving") == d.by_name("rock_indie_driving")


def test_unreadable_files_raise_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot read"):
        load_dictionary(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FormatError, match="not valid JSON"):
        load_dictionary(bad)


def _set(path, value):
    def edit(doc):
        *head, last = path
        node = doc
        for key in head:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value(doc) if callable(value) else value
    return edit


_DELETE = object()


def _duplicate_name(doc):
    doc["descriptors"][4] = {**copy.deepcopy(doc["descriptors"][3]), "id": 99999}


def _five_subgenres(doc):
    subs = doc["genres"]["cinematic"]["subgenres"]
    subs["extra"] = {"display_name": "Extra", "moods": ["tense"]}
    subs["extra2"] = {"display_name": "Extra 2", "moods": ["tense"]}


def _tree_without(doc):
    doc["genres"]["rock"]["subgenres"]["hard"]["moods"].remove("gritty")


def _tree_with_extra(doc):
    doc["genres"]["rock"]["subgenres"]["hard"]["moods"].append("serene")


def _unknown_mood(doc):
    e = doc["descriptors"][3]
    e["mood"], e["name"] = "sleepy", f"{e['genre']}_{e['subgenre']}_sleepy"


def _drums_without_group(doc):
    i = next(i for i, e in enumerate(doc["descriptors"]) if e["tags"]["drum_style"] == "trap")
    doc["descriptors"][i]["tags"]["drum_style"] = "orchestral"
    return i


def _no_bass(doc):
    doc["descriptors"][0]["tags"]["instrument_groups"] = ["synth_pad", "synth_lead", "mallets"]


BAD = [
    ("missing field", _set(("descriptors", 3, "tags", "mode"), _DELETE), "$.descriptors[3].tags"),
    ("missing entry field", _set(("descriptors", 2, "momentum"), _DELETE), "$.descriptors[2]"),
    ("wrong type", _set(("descriptors", 3, "valence"), "2"), "$.descriptors[3].valence"),
    ("wrong type in tags", _set(("descriptors", 7, "tags", "tempo_max"), 120.5),
     "$.descriptors[7].tags.tempo_max"),
    ("bad vocabulary", _set(("descriptors", 3, "tags", "mode"), "locrian"),
     "$.descriptors[3].tags.mode"),
    ("unknown group", _set(("descriptors", 3, "tags", "instrument_groups", 0), "kazoo"),
     "$.descriptors[3].tags.instrument_groups[0]"),
    ("extra field", _set(("descriptors", 3, "tags", "swing"), 0.5), "$.descriptors[3].tags"),
    ("tempo out of range", _set(("descriptors", 3, "tags", "tempo_min"), 20),
     "$.descriptors[3].tags.tempo_min"),
    ("tempo_min > tempo_max", _set(("descriptors", 3, "tags", "tempo_min"),
                                   lambda doc: doc["descriptors"][3]["tags"]["tempo_max"] + 5),
     "$.descriptors[3].tags.tempo_min"),
    ("duplicate id", _set(("descriptors", 5, "id"), lambda doc: doc["descriptors"][2]["id"]),
     "$.descriptors[5].id"),
    ("duplicate name", _duplicate_name, "$.descriptors[4].name"),
    ("name not its parts", _set(("descriptors", 3, "name"), "rock_indie_driving"),
     "$.descriptors[3].name"),
    ("unknown mood", _unknown_mood, "$.descriptors[3].mood"),
    ("sentiment off its mood", _set(("descriptors", 3, "sentiment"), "positive"),
     "$.descriptors[3].sentiment"),
    ("drum group off its style", _drums_without_group, "$.descriptors["),
    ("no bass group", _no_bass, "$.descriptors[0].tags.instrument_groups"),
    ("five subgenres", _five_subgenres, "$.genres.cinematic.subgenres"),
    ("entry missing from tree", _tree_without, "$.descriptors["),
    ("tree lists a missing entry", _tree_with_extra, "$.genres.rock.subgenres.hard.moods["),
    ("bad midi range", _set(("instrument_groups", "bass", "midi_low"), 90),
     "$.instrument_groups.bass.midi_low"),
    ("missing group", _set(("instrument_groups", "organ"), _DELETE), "$.instrument_groups"),
    ("no version", _set(("version",), _DELETE), "$"),
]


@pytest.mark.parametrize("edit, path", [pytest.param(e, p, id=n) for n, e, p in BAD])
def test_bad_documents_name_the_path(doc, edit, path):
    bad = copy.deepcopy(doc)
    edit(bad)
    with pytest.raises(FormatError) as info:
        dictionary_from_dict(bad)
    message = str(info.value)
    assert message.startswith(path), message
    assert ": " in message


def test_not_a_document_at_all():
    with pytest.raises(FormatError, match=r"^\$"):
        dictionary_from_dict([1, 2, 3])


# ----------------------------------------------------------------------------- distance
def _check_metric(a: Descriptor, b: Descriptor, c: Descriptor) -> None:
    ab, ba, bc, ac = distance(a, b), distance(b, a), distance(b, c), distance(a, c)
    assert 0.0 <= ab <= 1.0 and ab == ba
    assert (ab == 0.0) == (a.name == b.name)
    assert ac <= ab + bc + 1e-12


def test_distance_is_a_metric_on_a_spread_subset(d):
    sample = d.descriptors[::5]  # ~35 descriptors over every genre: ~43k triples
    assert {x.genre for x in sample} == set(GENRES)
    for a, b, c in itertools.product(sample, repeat=3):
        _check_metric(a, b, c)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_distance_is_a_metric_anywhere(data):
    xs = load_dictionary().descriptors
    a, b, c = (data.draw(st.sampled_from(xs)) for _ in range(3))
    _check_metric(a, b, c)


def test_distance_respects_the_hierarchy(d):
    same_sub, same_genre, other_genre = [], [], []
    for a, b in itertools.combinations(d.descriptors, 2):
        bucket = (same_sub if a.parts[:2] == b.parts[:2] else
                  same_genre if a.genre == b.genre else other_genre)
        bucket.append(distance(a, b))
    assert 0 < min(same_sub) and max(same_sub) < min(same_genre)
    assert max(same_genre) < min(other_genre) and max(other_genre) <= 1.0
    x = d.by_name("rock_indie_driving")
    assert distance(x, d.by_name("rock_indie_anthemic")) < distance(
        x, d.by_name("rock_indie_melancholic"))  # closer in momentum and valence


# ----------------------------------------------------------------------------- generator
def test_shipped_json_is_the_generator_output():
    assert (resource_path("descriptors.json").read_text(encoding="utf-8")
            == make_descriptors.render())
