"""The real-music taggers (issue 13): ONNX parity with the original musicnn code, the
float32 front end, pooling onto windows, and tags in the analysis record and exports.

``tests/data/musicnn_reference.npz`` holds inputs and outputs of the ORIGINAL musicnn
graph and weights under TensorFlow (``tools/musicnn_reference.py``); TensorFlow is not
needed here.
"""

from __future__ import annotations

import csv
import json
import threading
from dataclasses import replace
from pathlib import Path

import jams
import numpy as np
import pytest

from core.analysis import tags as T
from core.errors import FormatError, TwintrackError
from core.record import (Settings, WindowTags, analysis_from_dict, analysis_to_dict, dumps,
                         load_analysis)
from tools.musicnn_reference import chirp, synthetic_patches

REFERENCE = Path(__file__).parent / "data" / "musicnn_reference.npz"


@pytest.fixture(scope="module")
def reference():
    return dict(np.load(REFERENCE))


@pytest.mark.parametrize("key", ["msd", "mtt"])
def test_onnx_models_match_the_original_code(reference, key):
    """Both outputs of the shipped ONNX model against musicnn's own TF graph (1e-4)."""
    assert np.array_equal(reference["synthetic"].astype(np.float32), synthetic_patches())
    inputs = np.concatenate([synthetic_patches(), reference["recording"][None]])
    tags, emb = T.shipped_taggers()[key].predict(inputs)
    np.testing.assert_allclose(tags, reference[f"{key}_tags"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(emb, reference[f"{key}_embedding"], rtol=0, atol=1e-4)
    assert emb.shape == (4, 200) and tags.shape == (4, 50)
    # The recording's patch is not read like the synthetic ones (a dead graph would be).
    assert np.abs(tags[3] - tags[0]).max() > 0.05


def test_taggers_record_their_names_and_front_end():
    t = T.shipped_taggers()
    assert t["msd"].labels[:3] == ("rock", "pop", "alternative") and len(t["msd"].labels) == 50
    assert {"piano", "violin", "no vocals", "choir"} <= set(t["mtt"].labels)
    fe = t["msd"].front_end
    assert (fe.sr, fe.n_fft, fe.hop_length, fe.n_mels, fe.patch_frames) == (16000, 512, 256,
                                                                              96, 187)
    assert (fe.htk, fe.norm, fe.pad_mode) == (False, "slaney", "reflect")
    assert "musicnn 0.1.0" in t["msd"].tool and "MSD_musicnn" in t["msd"].tool


def test_front_end_matches_the_reference_mel(reference):
    np.testing.assert_allclose(T.log_mel(chirp()), reference["chirp_mel"], rtol=0, atol=1e-4)


def test_front_end_stays_finite_on_loud_audio():
    """The original extractor casts the mel power to float16, so 10000 x is float16 too and
    inf beyond 65504; a full-scale square wave gets there, float32 does not."""
    t = np.arange(16000) / 16000
    y = np.sign(np.sin(2 * np.pi * 110 * t)).astype(np.float32)
    mel = T.log_mel(y)
    assert mel.dtype == np.float32 and np.isfinite(mel).all()
    assert mel.max() > np.log10(65504.0 + 1)  # where float16 would have overflowed


def test_patches_cover_the_tail_and_repeat_short_audio():
    fe = T.FrontEnd()
    mel = np.arange(500 * 96, dtype=np.float32).reshape(500, 96)
    patches, starts = T.mel_patches(mel, fe)
    assert list(starts) == [0, 187, 313] and patches.shape == (3, 187, 96)
    assert np.array_equal(patches[2][-1], mel[-1])
    short, first = T.mel_patches(mel[:50], fe)
    assert short.shape == (1, 187, 96) and list(first) == [0]
    assert np.array_equal(short[0, 50:100], mel[:50])


def test_pooling_weights_patches_by_their_overlap_with_the_window():
    values = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    p0 = np.array([0.0, 3.0, 6.0])
    pooled = T._pool(values, p0, p0 + 3.0, np.array([0.0, 2.0, 20.0]), np.array([3.0, 5.0, 30.0]))
    np.testing.assert_allclose(pooled[0], [1.0, 0.0])            # one patch only
    np.testing.assert_allclose(pooled[1], [1 / 3, 2 / 3])        # 1 s of one, 2 s of the next
    np.testing.assert_allclose(pooled[2], [0.5, 0.5])            # past the end: nearest patch


def test_a_tagger_is_loaded_by_path(tmp_path):
    path = T.resource_path("models", T.SHIPPED["mtt"])
    names = [f"t{i}" for i in range(50)]
    tagger = T.Tagger(path, labels=names, tool="my tagger")
    assert tagger.labels == tuple(names) and tagger.tool == "my tagger"
    bad = tmp_path / "not-a-model.onnx"
    bad.write_bytes(b"no model here")
    with pytest.raises(TwintrackError, match="not-a-model.onnx: not a readable ONNX tagger"):
        T.Tagger(bad)


class _MeetingTagger:
    """A shipped tagger whose predict first waits for the other one at a barrier: taggers
    run one after the other never meet, and the barrier breaks (no hang: it gives up)."""

    def __init__(self, tagger: T.Tagger, barrier: threading.Barrier):
        self._tagger, self._barrier = tagger, barrier
        self.front_end, self.labels, self.tool = tagger.front_end, tagger.labels, tagger.tool

    def predict(self, patches, *, cancelled=None, done=None):
        self._barrier.wait(timeout=30)
        return self._tagger.predict(patches, cancelled=cancelled, done=done)


def test_the_taggers_of_a_track_run_side_by_side():
    """Both models run at the same time (one thread each): the tagger's wall time on two
    cores is that of one model, and the results are those of running them in turn."""
    y = np.tile(chirp(), 12)
    starts, ends = np.array([0.0, 2.0, 4.0]), np.array([10.0, 12.0, 14.0])
    shipped = T.shipped_taggers()
    barrier = threading.Barrier(2)
    meeting = {key: _MeetingTagger(t, barrier) for key, t in shipped.items()}
    together = T.tag_windows(y, 16000, starts, ends, taggers=meeting, workers=2)
    in_turn = T.tag_windows(y, 16000, starts, ends, taggers=shipped, workers=1)
    assert list(together) == ["msd", "mtt"] and not barrier.broken
    for key in shipped:
        assert np.array_equal(together[key].probabilities, in_turn[key].probabilities)
        assert np.array_equal(together[key].embeddings, in_turn[key].embeddings)
        assert together[key].probabilities.shape == (3, 50)


@pytest.fixture(scope="module")
def tagged(demo_track):
    """The bundled bluegrass/folk demo analysed with tags (no descriptor model)."""
    from core.analysis.pipeline import analyze

    return analyze(demo_track, settings=Settings(tags=True))


def test_analysis_carries_tags_per_window(tagged):
    w = tagged.windows
    assert set(w.tags) == {"msd", "mtt"}
    for t in w.tags.values():
        assert len(t.probabilities) == len(w) and all(len(r) == 50 for r in t.probabilities)
        assert all(0.0 <= p <= 1.0 for r in t.probabilities for p in r)
    top = [n for n, _ in w.tags["msd"].top(range(len(w)), 3)]
    assert {"folk", "country"} & set(top), top
    assert "guitar" in [n for n, _ in w.tags["mtt"].top(range(len(w)), 3)]


def test_tagged_analysis_round_trips_and_exports(tagged, tmp_path):
    from core.io.export import write_formats

    text = dumps(tagged)
    assert analysis_from_dict(json.loads(text)) == tagged
    written = write_formats(tagged, tmp_path, ["json", "jams", "csv"], stem="demo")
    assert load_analysis(written[0]) == tagged
    jam = jams.load(str(written[1]), validate=True)
    tag_anns = [a for a in jam.annotations if a.namespace == "tag_open"]
    assert len(tag_anns) == 2
    tools = [a.annotation_metadata.annotation_tools for a in tag_anns]
    assert any("MSD_musicnn" in s for s in tools) and any("MTT_musicnn" in s for s in tools)
    obs = tag_anns[0].data
    assert len(obs) == 5 * len(tagged.windows)
    assert all(0.0 <= o.confidence <= 1.0 for o in obs)
    with open(written[2], newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(tagged.segments)
    assert all(r["msd_tags"].count(":") == 5 and r["mtt_tags"] for r in rows)


def test_analysis_without_tags_reads_as_before(small_analysis):
    """No ``tags`` keys at all when tags are off: old files and their hashes stay."""
    doc = analysis_to_dict(small_analysis)
    assert "tags" not in doc["settings"] and "tags" not in doc["windows"]
    assert analysis_from_dict(json.loads(dumps(small_analysis))).windows.tags == {}


def test_tag_rows_of_the_wrong_length_are_reported(small_analysis):
    names = ("rock", "pop")
    good = WindowTags("x", names, ((0.1, 0.2),) * 3)
    doc = json.loads(dumps(small_analysis.with_tags({"msd": good})))
    doc["windows"]["tags"]["msd"]["probabilities"][1] = [0.5]
    with pytest.raises(FormatError, match=r"\$\.windows\.tags\.msd\.probabilities\[1\]"):
        analysis_from_dict(json.loads(json.dumps(doc)))
    doc["windows"]["tags"]["msd"]["probabilities"] = [[0.1, 0.2]]
    with pytest.raises(FormatError, match=r"\$\.windows\.tags\.msd\.probabilities: has 1"):
        analysis_from_dict(json.loads(json.dumps(doc)))
    doc["windows"]["tags"]["msd"]["probabilities"] = [[0.1, 1.5]] * 3
    with pytest.raises(FormatError):
        analysis_from_dict(json.loads(json.dumps(doc)))


def test_cli_analyze_tags(demo_track, tmp_path):
    from core.cli import main

    clip = tmp_path / "clip.wav"
    import soundfile as sf

    y, sr = sf.read(demo_track, frames=44100 * 20, start=44100 * 30)
    sf.write(clip, y, sr)
    # tags are the default; automatic vocal suppression is asked for (the demo sings)
    assert main(["analyze", str(clip), "--out-dir", str(tmp_path), "--format", "json",
                 "--model", "none", "--vocal-suppression", "auto", "--quiet",
                 "--jobs", "1"]) == 0
    a = load_analysis(tmp_path / "clip.json")
    assert a.settings.tags and set(a.windows.tags) == {"msd", "mtt"}
    assert a.settings.vocals_auto and a.settings.vocal_suppression
    assert replace(a.settings, tags=False, vocals_auto=False,
                   vocal_suppression=False) == Settings(k=None)
    assert main(["analyze", str(clip), "--out-dir", str(tmp_path / "plain"), "--format",
                 "json", "--model", "none", "--no-tags", "--quiet", "--jobs", "1"]) == 0
    plain = load_analysis(tmp_path / "plain" / "clip.json")
    assert plain.settings == Settings(k=None) and plain.windows.tags == {}
