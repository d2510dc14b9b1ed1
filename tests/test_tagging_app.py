"""core.app.tagging: the analysis first (a partial result), then the tags from the same
decoded audio, equal to a one-step analysis with tags; cancel after the first step."""

from __future__ import annotations

import pytest

from core.errors import Cancelled
from core.record import Settings


@pytest.fixture(scope="module")
def trumpet(audio_dir):
    return audio_dir / "sorohan-solo_trumpet_06.ogg"


def test_partial_analysis_then_tags_equal_a_tagged_analysis(trumpet, monkeypatch):
    import core.analysis.audio as audio_mod
    from core.analysis.pipeline import analyze
    from core.app.tagging import TAG_STAGE, analyze_then_tag

    decodes = []
    real_load = audio_mod.load_for_analysis
    monkeypatch.setattr(audio_mod, "load_for_analysis",
                        lambda *a, **k: decodes.append(a) or real_load(*a, **k))
    partials, stages = [], []
    tagged = analyze_then_tag(trumpet, model="none", partial=partials.append,
                              progress=lambda f, s: stages.append((f, s)))
    assert len(decodes) == 1  # one decode serves both steps
    assert len(partials) == 1 and partials[0].windows.tags == {}
    assert not partials[0].settings.tags
    assert set(tagged.windows.tags) == {"msd", "mtt"} and tagged.settings.tags
    assert tagged == analyze(trumpet, settings=Settings(tags=True))
    assert tagged.segments == partials[0].segments
    tag_steps = [f for f, s in stages if s == TAG_STAGE]
    assert tag_steps[0] == 0.0 and tag_steps[-1] == 1.0


def test_a_cancel_after_the_analysis_stops_the_tags(trumpet):
    from core.app.tagging import analyze_then_tag

    partials = []
    with pytest.raises(Cancelled):
        analyze_then_tag(trumpet, model="none", partial=partials.append,
                         cancelled=lambda: bool(partials))
    assert len(partials) == 1  # the analysis reached the caller before the cancel


def test_the_tag_step_reports_its_progress_and_polls_for_a_cancel(trumpet):
    """After the hand-over the progress runs again from 0 to 1 in the tag stage, and a
    cancel during the tags stops the analysis (the taggers too)."""
    import threading

    from core.app.tagging import TAG_STAGE, analyze_then_tag

    stages, partials = [], []
    analyze_then_tag(trumpet, model="none", partial=partials.append,
                     progress=lambda f, s: stages.append((f, s)))
    after = [f for f, s in stages[stages.index((0.0, TAG_STAGE)):]]
    assert after == sorted(after) and after[-1] == 1.0
    assert all(s == TAG_STAGE for _, s in stages[stages.index((0.0, TAG_STAGE)):])
    assert not [t for t in threading.enumerate() if t.name.startswith(("tags", "tagger"))]
