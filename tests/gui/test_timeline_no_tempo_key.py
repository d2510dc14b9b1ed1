"""The tempo and key lanes say "no tempo" / "no key" where the analysis found none
(issue 14 bug 5), on a real analysis of a silent file and on a track that is partly
unpitched, in a real (offscreen) window."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from tests.gui.test_timeline import _show, synthetic_analysis, view  # noqa: F401  (fixture)


def _partly_without(analysis):
    """``analysis`` whose first half of windows and first segment have no tempo and key,
    and whose globals have neither."""
    w = analysis.windows
    half = len(w) // 2
    windows = replace(
        w, tempo=(0.0,) * half + w.tempo[half:], tempo_confidence=(0.0,) * half
        + w.tempo_confidence[half:], tonic=("N",) * half + w.tonic[half:],
        mode=("N",) * half + w.mode[half:], key_confidence=(0.0,) * half
        + w.key_confidence[half:])
    segments = (replace(analysis.segments[0], tempo=0.0, tonic="N", mode="N"),
                *analysis.segments[1:])
    g = replace(analysis.globals, tempo=0.0, tempo_confidence=0.0, tempo_candidates=(),
                tonic="N", mode="N", key_confidence=0.0, key_candidates=())
    return replace(analysis, windows=windows, segments=segments, globals=g), half


def test_lanes_show_no_tempo_and_no_key_instead_of_numbers(qtbot, view):  # noqa: F811
    from gui.lanes.key import NO_KEY_COLOUR

    analysis, half = _partly_without(synthetic_analysis())
    _show(qtbot, view, analysis)
    cells = view._key_blocks.cells  # noqa: SLF001
    grey = NO_KEY_COLOUR.rgb()
    assert all(c.rgb() == grey for _, _, c in cells[:half])
    assert all(c.rgb() != grey for _, _, c in cells[half:])
    assert [t for _, _, t in view._key_labels.shown()][0] == "no key"  # noqa: SLF001
    _, ys = view._tempo_windows.getData()  # noqa: SLF001
    assert np.isnan(ys[:half]).all() and (ys[half:] > 0).all()
    tempo = view._tempo  # noqa: SLF001
    assert not tempo.global_line.isVisible()
    third = analysis.duration / 3
    assert tempo.none.shown() == [(0.0, third, "no tempo")]


@pytest.mark.data
def test_a_silent_file_shows_no_tempo_no_key_and_the_floor_colour(  # noqa: F811
        qtbot, view, bad_dir):
    from core.analysis.pipeline import analyze
    from core.app.tracks import load_track
    from gui.settings import FLOOR_RANGE, GAIN_RANGE, SpectrogramSettings

    path = bad_dir / "silence_30s.wav"
    analysis = analyze(path)
    _show(qtbot, view, analysis)
    assert {t for _, _, t in view._key_labels.shown()} == {"no key"}  # noqa: SLF001
    _, ys = view._tempo_windows.getData()  # noqa: SLF001
    assert ys is None or np.isnan(ys).all()  # no dot
    assert {t for _, _, t in view._tempo.none.shown()} == {"no tempo"}  # noqa: SLF001
    spec = load_track(path).spectrogram
    # the bottom colour, not full colour, at the deepest floor and the highest gain too
    deepest = SpectrogramSettings(floor_db=FLOOR_RANGE[0], gain_db=GAIN_RANGE[1])
    assert np.all(spec.image <= deepest.levels[0])


def test_texts_for_other_views():
    from gui.lanes.key import key_text
    from gui.lanes.tempo import tempo_text

    assert (tempo_text(119.6), tempo_text(0.0)) == ("120 BPM", "no tempo")
    assert (key_text("D", "minor"), key_text("N", "N")) == ("D min", "no key")


def test_hover_and_segment_details_say_no_tempo_and_no_key(qtbot, view):  # noqa: F811
    analysis, _ = _partly_without(synthetic_analysis())
    _show(qtbot, view, analysis)
    first = view.describe(0.5)
    assert "no tempo" in first and "no key" in first and "0.0 BPM" not in first
    later = view.describe(analysis.duration - 0.5)
    assert "BPM" in later and "no key" not in later
    texts = [t for _, _, t in view._form.details.shown()]  # noqa: SLF001
    assert "no tempo" in texts[0] and "no key" in texts[0] and " N " not in texts[0]
