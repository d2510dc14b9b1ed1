"""The application layer without Qt: the analysis request, renders read back from disk,
and the warm worker processes."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from core.errors import Cancelled, TwintrackError
from core.render.timeline import Timeline


def test_the_analysis_uses_the_preferred_model(tmp_path):
    """The GUI's analysis task labels windows with the shipped model, none with 'none',
    and refuses a model file that is not a trusted skops file."""
    import pickle

    from core.app.tagging import analyze_then_tag
    from core.classify import UntrustedModelError

    t = np.arange(22050 * 14) / 22050
    path = tmp_path / "tone.wav"
    sf.write(path, (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 2 * t))
                    ).astype(np.float32), 22050)
    labelled = analyze_then_tag(path)
    assert set(labelled.windows.labels) == {"genre", "subgenre", "mood", "sentiment",
                                            "valence", "momentum"}
    assert labelled.versions.model
    assert analyze_then_tag(path, model="none").windows.labels == {}
    bad = tmp_path / "evil.skops"
    bad.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(UntrustedModelError):
        analyze_then_tag(path, model=str(bad))


def _timeline() -> Timeline:
    return Timeline.from_regions(
        [0.0, 1.0, 2.0], descriptors=["pop_indie_hopeful"] * 2,
        keys=[("D", "major"), ("A", "minor")], tempi=[100.0, 80.0],
        instrument_groups=[("grand_piano",)] * 2, meta={"title": "written earlier"})


def test_a_render_read_from_a_file_has_its_timeline_and_tempo_but_no_notes(tmp_path):
    from core.render.engine import Render

    mono = (0.1 * np.sin(np.arange(44100 * 2) / 20.0)).astype(np.float32)
    sf.write(tmp_path / "r.wav", mono, 44100, subtype="FLOAT")
    render = Render.from_file(tmp_path / "r.wav", _timeline())
    assert render.sr == 44100 and render.audio.shape == (len(mono), 2)
    assert render.audio.dtype == np.float32 and render.audio.flags.c_contiguous
    np.testing.assert_array_equal(render.audio[:, 1], mono)
    assert render.tempo_map.changes == ((0.0, 100.0), (1.0, 80.0))
    assert render.events == () and render.parts == ()
    assert render.timeline.meta["title"] == "written earlier"


def test_load_render_reads_the_companion_analysis(tmp_path, small_analysis):
    from core.app.renders import load_render, render_companions
    from core.io.export import write_formats
    from core.render.timeline import save_timeline

    wav = tmp_path / "song.render.wav"
    sf.write(wav, np.zeros((44100 * 2, 2), np.float32), 44100)
    timeline_path, analysis_path = render_companions(wav)
    assert (timeline_path.name, analysis_path.name) == ("song.render.timeline.json",
                                                        "song.render.json")
    with pytest.raises(TwintrackError, match="timeline"):
        load_render(wav)
    save_timeline(_timeline(), timeline_path)
    write_formats(small_analysis, tmp_path, ["json"], stem="song.render")
    stages = []
    (variant,) = load_render(wav, playback_sr=48000, progress=lambda f, s: stages.append(s))
    assert variant.index == 0 and variant.analysis == small_analysis
    assert variant.render.audio.shape == (44100 * 2, 2) and variant.playback.shape[1] == 2
    assert variant.envelope.duration == pytest.approx(2.0)
    assert stages[-1] == "render ready"


def test_process_pool_forwards_hooks_and_big_results():
    from core.app.pool import Isolated, ProcessPool
    from tests.fixtures import tasks as t

    pool = ProcessPool(size=1, max_children=1, warm=False)
    try:
        stages, partials = [], []
        result = Isolated(t.big_array, pool)(3_000_000, progress=lambda f, s: stages.append(s),
                                            cancelled=lambda: False, partial=partials.append)
        assert result["name"] == "big" and result["data"][-1] == 2_999_999
        assert stages == ["making"] and list(partials[0]) == [0, 1, 2, 3]
        with pytest.raises(TwintrackError, match="nope"):
            pool.call(t.fail, ("nope",))
        with pytest.raises(Cancelled):
            pool.call(t.wait_for_cancel, cancelled=lambda: True)
        assert pool.call(t.count, (2,), progress=lambda f, s: None) == 2  # child reused
    finally:
        pool.close()


def test_a_worker_killed_by_a_signal_is_reported_replaced_and_its_cache_moved_aside(
        tmp_path, monkeypatch):
    """Issue 14: dead workers were handed the next job (BrokenPipeError); a segmentation
    fault (damaged compiled kernels) must also send the kernel cache to be rebuilt."""
    from core import jitcache
    from core.app.pool import ProcessPool, WorkerProcessError
    from tests.fixtures import tasks as t

    monkeypatch.setenv("TWINTRACK_CACHE", str(tmp_path))
    shared = jitcache.shared_cache()
    shared.mkdir(parents=True)
    (shared / ".complete").touch()
    pool = ProcessPool(size=1, max_children=1, warm=False)
    try:
        with pytest.raises(WorkerProcessError, match="killed by SIGSEGV"):
            pool.call(t.segfault)
        assert not shared.exists()  # moved aside: the next worker that warms rebuilds it
        assert pool.call(t.count, (3,)) == 3  # a fresh worker took the job
        idle = pool._idle[0].process  # noqa: SLF001
        idle.kill()  # dies while idle
        idle.join(5)
        assert pool.call(t.count, (2,)) == 2  # not handed to the dead one
    finally:
        pool.close()


def test_a_cancelled_worker_that_is_stopped_does_not_touch_the_cache(tmp_path, monkeypatch):
    from core import jitcache
    from core.app.pool import ProcessPool
    from tests.fixtures import tasks as t

    monkeypatch.setenv("TWINTRACK_CACHE", str(tmp_path))
    shared = jitcache.shared_cache()
    shared.mkdir(parents=True)
    (shared / ".complete").touch()
    monkeypatch.setattr("core.app.pool._CANCEL_GRACE", 0.2)
    pool = ProcessPool(size=1, max_children=1, warm=False)
    try:
        with pytest.raises(Cancelled):
            pool.call(t.ignore_cancel, (1,), {"seconds": 5.0}, cancelled=lambda: True)
        assert (shared / ".complete").exists()
        assert pool.call(t.count, (1,)) == 1
    finally:
        pool.close()
