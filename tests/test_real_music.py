"""Real music through the real-music tagger: automatic vocal suppression, tag patch
stride, the joining of the render-trained hierarchy with what the tags hear, and the
genres of the shared recordings (issue 13)."""

from __future__ import annotations

import collections

import numpy as np
import pytest
import soundfile as sf

from core.analysis import tags as T
from core.analysis.audio import load_for_analysis
from core.analysis.pipeline import analyze, analyze_audio
from core.classify.hierarchy import join_genre_evidence
from core.record import Settings
from tests.fixtures.signals import chord, tone


@pytest.fixture(scope="module")
def model():
    from core.app.analyze import analysis_options

    return analysis_options()[0]


@pytest.fixture(scope="module")
def demo_clip(demo_track, tmp_path_factory):
    """40 s of the bluegrass demo (a woman sings over banjo and fiddle)."""
    y, sr = sf.read(demo_track, frames=44100 * 40, start=44100 * 20)
    path = tmp_path_factory.mktemp("real") / "demo-clip.wav"
    sf.write(path, y, sr)
    return path


# ------------------------------------------------------------------ patch stride
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_a_stride_keeps_every_kth_patch_and_the_last(stride):
    fe = T.FrontEnd()
    mel = np.zeros((187 * 10 + 50, 96), dtype=np.float32)
    _, starts = T.mel_patches(mel, fe, stride=stride)
    regular = list(range(0, len(mel) - 187 + 1, 187 * stride))
    assert list(starts) == regular + [len(mel) - 187]


def test_with_stride_two_every_ten_second_window_holds_a_whole_patch():
    fe = T.FrontEnd()
    frames = int(120 * fe.sr / fe.hop_length)
    _, first = T.mel_patches(np.zeros((frames, 96), np.float32), fe, stride=2)
    p0 = first * fe.hop_length / fe.sr
    for w0 in np.arange(0, 110, 2.0):
        assert np.any((p0 >= w0) & (p0 + fe.patch_seconds <= w0 + 10)), w0


# ------------------------------------------------------------------ voice
def test_voice_activity_counts_lead_voice_not_orchestral_opera():
    names = ["female", "opera", "no vocal", "guitar"]
    p = np.array([[0.5, 0.0, 0.1, 0.3],     # a woman sings: leads by 0.4
                  [0.15, 0.0, 0.05, 0.0],   # leads by the margin: 0.5
                  [0.02, 0.6, 0.05, 0.0],   # "opera" on an orchestra: not a lead vocal
                  [0.3, 0.0, 0.4, 0.0]])    # the tagger says rather no voice
    assert T.voice_activity(names, p) == pytest.approx([1.0, 0.5, 0.0, 0.0])
    assert T.has_vocals([0.5, 0.0, 0.0, 0.0])            # 1 of 4 windows voiced
    assert not T.has_vocals([0.49, 0.0, 0.0, 0.0])
    assert not T.has_vocals([1.0, 0.0, 0.0, 0.0, 0.0])   # 1 of 5
    assert not T.has_vocals([])


def test_sampled_voice_hears_the_singer_and_not_a_synthetic_chord(demo_clip):
    audio = load_for_analysis(demo_clip)
    assert T.has_vocals(T.sampled_voice(audio.y, audio.sr))
    y = tone(chord(57, True), 20.0)
    assert not T.has_vocals(T.sampled_voice(y, 22050))


def test_automatic_vocal_suppression_switches_per_track(demo_clip, tmp_path):
    auto = Settings(vocals_auto=True)
    sung = analyze(demo_clip, settings=auto)
    assert sung.settings.vocals_auto and sung.settings.vocal_suppression
    path = tmp_path / "chords.wav"
    sf.write(path, np.concatenate([tone(chord(r, False), 6.0) for r in (60, 65, 67, 60)]),
             22050)
    plain = analyze(path, settings=auto)
    assert plain.settings.vocals_auto and not plain.settings.vocal_suppression
    # the decision is the same when the full tags are computed
    tagged = analyze(path, settings=Settings(vocals_auto=True, tags=True))
    assert not tagged.settings.vocal_suppression


# ------------------------------------------------------------------ joining
def test_join_with_no_opinion_takes_the_genre_from_the_evidence_keeps_the_rest():
    paths = ["rock", "rock", "folk", "folk"]          # genre of each path
    post = np.array([[0.6, 0.3, 0.06, 0.04]])          # the hierarchy: rock
    ev = np.array([[0.1, 0.9]])                        # the tags: folk
    out = join_genre_evidence(post, paths, ("rock", "folk"), ev)   # default: no opinion
    assert out.sum() == pytest.approx(1.0)
    assert out[0, 2:].sum() > 0.8                      # folk now
    assert out[0, 2] / out[0, 3] == pytest.approx(0.06 / 0.04)   # within folk: unchanged
    assert out[0, 0] / out[0, 1] == pytest.approx(0.6 / 0.3)


@pytest.mark.parametrize("opinion", [0.1, 0.25])
def test_join_a_confident_hierarchy_yields_to_clear_evidence_but_breaks_ties(opinion):
    paths = ["rock", "folk"]
    sure = np.array([[0.999, 0.001]])
    clear = join_genre_evidence(sure, paths, ("rock", "folk"), np.array([[0.05, 0.95]]),
                                opinion=opinion)
    assert clear[0, 1] > 0.5
    tie = join_genre_evidence(sure, paths, ("rock", "folk"), np.array([[0.5, 0.5]]),
                              opinion=opinion)
    assert tie[0, 0] > 0.5
    # a genre the evidence does not know gets the evidence's mean
    odd = join_genre_evidence(sure, ["rock", "polka"], ("rock", "folk"),
                              np.array([[0.5, 0.5]]))
    assert np.isfinite(odd).all() and odd.sum() == pytest.approx(1.0)


def test_the_analysis_handed_over_before_the_tags_is_the_untagged_one(demo_clip, model):
    """``partial`` gets what an analysis without tags gives, while the taggers run on;
    the result is the one-step analysis with tags, its labels joined with them."""
    from core.analysis.pipeline import untagged

    audio = load_for_analysis(demo_clip)
    settings = Settings(tags=True, vocals_auto=True)
    seen = []
    done = analyze_audio(audio, settings=settings, model=model, partial=seen.append)
    assert len(seen) == 1
    first = seen[0]
    assert first == analyze_audio(audio, settings=untagged(settings), model=model)
    assert first.windows.tags == {} and not first.settings.tags
    assert not first.settings.vocal_suppression  # automatic waits for the voice tags
    assert done.settings.tags and set(done.windows.tags) == {"msd", "mtt"}
    assert done.settings.vocal_suppression  # the demo sings
    genres = collections.Counter(done.windows.labels["genre"])
    assert genres.most_common(1)[0][0] == "folk", genres
    assert done == analyze_audio(audio, settings=settings, model=model)


# ------------------------------------------------------------------ the shared recordings
@pytest.mark.parametrize("name, accepted", [
    ("brahms-hungarian_dance_5.ogg", {"cinematic", "documentary"}),
    ("kevin_macleod-sugar_plum_fairy.ogg", {"cinematic", "documentary"}),
    ("kevin_macleod-vibe_ace.ogg", {"electronica", "documentary"})])
def test_the_shared_recordings_majority_genre_is_one_a_listener_accepts(audio_dir, model,
                                                                        name, accepted):
    a = analyze(audio_dir / name, settings=Settings(tags=True), model=model)
    genres = collections.Counter(g for g in a.windows.labels["genre"] if g != "UNK")
    assert genres.most_common(1)[0][0] in accepted, genres


def test_the_two_step_analysis_hands_over_the_timeline_first_then_the_joined_one(demo_clip):
    from core.app.tagging import analyze_then_tag

    seen = []
    final = analyze_then_tag(demo_clip, partial=seen.append)
    assert len(seen) == 1 and seen[0].windows.tags == {} and not seen[0].settings.tags
    assert final.settings.tags and set(final.windows.tags) == {"msd", "mtt"}
    assert final.windows.start == seen[0].windows.start
    # the tags joined the labels: the bluegrass reads folk once they are in
    genres = collections.Counter(final.windows.labels["genre"])
    assert genres.most_common(1)[0][0] == "folk", genres


def test_the_tagger_stops_when_asked(demo_clip):
    from core.errors import Cancelled

    audio = load_for_analysis(demo_clip)
    calls = []

    def cancel_on_second_poll() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        T.tag_windows(audio.y, audio.sr, [0.0], [10.0], workers=1,
                      cancelled=cancel_on_second_poll)


# ------------------------------------------------------------------ taggers beside the stages
def _tagger_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith(("tags", "tagger"))]


def test_the_taggers_running_beside_the_stages_give_the_tags_of_the_windows(demo_clip):
    """The pipeline's background taggers give what tagging the finished windows gives."""
    from core.analysis.pipeline import window_tags
    from core.analysis.features import window_grid

    audio = load_for_analysis(demo_clip)
    settings = Settings(tags=True)
    analysis = analyze_audio(audio, settings=settings)
    w = analysis.windows
    grid = window_grid(audio.duration, int(round(audio.duration * settings.sr
                                                 / settings.hop_length)) + 1,
                       sr=settings.sr, hop_length=settings.hop_length,
                       length=settings.window, stride=settings.stride)
    assert np.allclose(grid.starts, w.start) and np.allclose(grid.ends, w.end)
    direct = window_tags(audio.y, audio.sr, grid, stride=settings.tag_stride)
    assert {k: v.probabilities for k, v in direct.items()} == \
        {k: v.probabilities for k, v in w.tags.items()}
    assert not _tagger_threads()


@pytest.mark.parametrize("failure", ["cancel", "error"])
def test_a_failed_analysis_leaves_no_tagger_running(demo_clip, monkeypatch, failure):
    """Cancelled, or failing in another stage while the taggers work: the taggers stop
    and their threads are gone when the analysis returns."""
    from core.analysis import pipeline
    from core.errors import Cancelled

    audio = load_for_analysis(demo_clip)
    seen_running = []

    def broken_segment(*args, **kwargs):
        seen_running.append(bool(_tagger_threads()))
        raise RuntimeError("form stage failed")

    if failure == "error":
        monkeypatch.setattr(pipeline.structure, "segment", broken_segment)
    stages = []

    def cancelled() -> bool:
        return failure == "cancel" and "key" in stages

    def progress(_f: float, stage: str) -> None:
        stages.append(stage)

    from core.progress import Reporter

    expected = Cancelled if failure == "cancel" else RuntimeError
    with pytest.raises(expected):
        analyze_audio(audio, settings=Settings(tags=True),
                      reporter=Reporter(progress, cancelled))
    assert not _tagger_threads()
    if failure == "error":
        assert seen_running == [True]  # the taggers were at work when the stage failed
