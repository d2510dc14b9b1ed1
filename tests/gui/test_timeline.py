"""The timeline's lanes show what the analysis says (offscreen, no workers, no audio)."""

from __future__ import annotations

import numpy as np
import pytest

from core.record import (TARGETS, Analysis, GlobalEstimates, Segment, Settings, TrackInfo,
                         Versions, WindowTable)

DURATION = 120.0
#: Per-target label of window i: runs of different lengths, UNK somewhere.
VALUES = {"genre": ("pop", "rock"), "subgenre": ("indie", "UNK"), "mood": ("hopeful", "dark"),
          "sentiment": ("positive", "negative"), "valence": ("2", "0"),
          "momentum": ("3", "1")}


def synthetic_analysis(*, labelled: bool = True, duration: float = DURATION) -> Analysis:
    """A track of ``duration`` s: 10 s windows every 2 s, segments A B A, known labels."""
    starts = tuple(float(s) for s in np.arange(0.0, duration - 10.0 + 1e-9, 2.0))
    n = len(starts)
    third = duration / 3
    segments = tuple(Segment(i * third, (i + 1) * third, letter, 120.0 + 10 * i, "D", "minor")
                     for i, letter in enumerate("ABA"))
    windows = WindowTable(
        start=starts, end=tuple(s + 10.0 for s in starts), feature_names=("x",),
        features=tuple((0.0,) for _ in starts),
        tempo=tuple(120.0 + (i % 3) for i in range(n)),
        tempo_confidence=(0.5,) * n,
        tonic=tuple("D" if i < n // 2 else "F" for i in range(n)),
        mode=tuple("minor" if i < n // 2 else "major" for i in range(n)),
        key_confidence=tuple(0.25 + 0.5 * (i % 2) for i in range(n)))
    a = Analysis(
        track=TrackInfo("synthetic.wav", "0" * 64, 44100, 2, int(duration * 44100), duration,
                        "WAV", "PCM_16", "test"),
        settings=Settings(), versions=Versions("t", "l", "n", "s", "p"), windows=windows,
        segments=segments,
        globals=GlobalEstimates(121.0, 0.5, ((121.0, 1.0),), "D", "minor", 0.6,
                                (("D:minor", 0.6),), ()))
    if not labelled:
        return a
    labels = {t: tuple(VALUES[t][0] if (i // 7) % 2 == 0 else VALUES[t][1] for i in range(n))
              for t in TARGETS}
    probs = {t: tuple(0.3 + 0.1 * (i % 7) for i in range(n)) for t in TARGETS}
    return a.with_labels(labels, probs, model="test-model")


@pytest.fixture
def view(qtbot):
    from gui.timeline_view import TimelineView

    v = TimelineView()
    qtbot.addWidget(v)
    v.resize(1400, 800)
    v.show()
    qtbot.waitExposed(v)
    return v


def _show(qtbot, view, analysis):
    from gui.document import Document

    doc = Document("synthetic.wav")
    view.set_document(doc)
    doc.set_analysis(analysis)
    qtbot.waitUntil(lambda: view._steps.pending == 0, timeout=5000)  # noqa: SLF001
    return doc


def test_label_lanes_show_each_windows_label_colour_and_probability(qtbot, view):
    from gui.lanes.colours import label_colour

    a = synthetic_analysis()
    _show(qtbot, view, a)
    w = a.windows
    for target in TARGETS:
        assert view.plots[target].isVisible()
        blocks, labels = view._lane_items[target]  # noqa: SLF001
        assert len(blocks.cells) == len(w)
        for i, (x0, x1, colour) in enumerate(blocks.cells):
            centre = (w.start[i] + w.end[i]) / 2
            assert x0 <= centre <= x1
            want = label_colour(target, w.labels[target][i],
                                alpha=60 + 195 * w.probabilities[target][i])
            assert colour.rgba() == want.rgba(), (target, i)
        # Whole track in view: every run of equal labels is wide enough to be named.
        shown = labels.shown()
        texts = [t for _, _, t in shown]
        expected = [w.labels[target][0]]
        for value in w.labels[target][1:]:
            if value != expected[-1]:
                expected.append(value)
        assert texts == expected, target
    assert not view.plots["descriptors"].isVisible()
    assert view.segment_count() == 3


def test_lanes_are_painted_with_their_colours(qtbot, view):
    """What reaches the screen: the genre lane's pixels are its cells' colours."""
    from PySide6.QtCore import QPointF

    from gui.lanes.colours import label_colour

    a = synthetic_analysis()
    _show(qtbot, view, a)
    image = view._glw.grab().toImage()  # noqa: SLF001
    vb = view.plots["genre"].getViewBox()
    w = a.windows
    for i in (3, 20):  # a "pop" and a "rock" cell
        centre = (w.start[i] + w.end[i]) / 2
        # near the lane's top edge, clear of the label text in its middle
        pixel = view._glw.mapFromScene(vb.mapViewToScene(QPointF(centre, 0.9)))  # noqa: SLF001
        got = image.pixelColor(pixel.x(), pixel.y())
        c = label_colour("genre", w.labels["genre"][i],
                         alpha=60 + 195 * w.probabilities["genre"][i])
        f = c.alpha() / 255  # blended over the white background
        want = [round(v * f + 255 * (1 - f)) for v in (c.red(), c.green(), c.blue())]
        assert max(abs(g - x) for g, x in zip((got.red(), got.green(), got.blue()), want)) <= 3


def test_hover_text_names_every_lanes_value(qtbot, view):
    a = synthetic_analysis()
    _show(qtbot, view, a)
    i = 20
    text = view.describe(a.windows.start[i] + 5.0)
    assert f"window {i + 1}/{len(a.windows)}" in text
    assert "segment B" in text
    for target in TARGETS:
        p = a.windows.probabilities[target][i]
        assert f"{target} {a.windows.labels[target][i]} ({p:.2f})" in text


def test_labels_follow_the_zoom(qtbot, view):
    a = synthetic_analysis(duration=1800.0)  # 30 minutes: runs too narrow to name at once
    _show(qtbot, view, a)
    _, genre = view._lane_items["genre"]  # noqa: SLF001
    assert len(genre.shown()) < len(genre._texts)  # noqa: SLF001
    view.set_x_range(0.0, 60.0)
    shown = genre.shown()
    assert shown and all(s < 60.0 and e > 0.0 for s, e, _ in shown)
    assert [t for _, _, t in shown] == ["pop", "rock", "pop", "rock"][:len(shown)]


def test_segments_select_and_tempo_key_lanes(qtbot, view):
    from gui.lanes.colours import key_colour

    a = synthetic_analysis()
    doc = _show(qtbot, view, a)
    assert [t for _, _, t in view._letters.shown()] == ["A", "B", "A"]  # noqa: SLF001
    doc.select_segment(1)
    assert view._segments._selected == 1  # noqa: SLF001
    assert view.segment_at(50.0) == 1
    w = a.windows
    cells = view._key_blocks.cells  # noqa: SLF001
    assert [c.rgba() for _, _, c in cells] == [
        key_colour(t, m, alpha=70 + 185 * k).rgba()
        for t, m, k in zip(w.tonic, w.mode, w.key_confidence)]
    assert [t for _, _, t in view._key_labels.shown()] == ["D min", "F maj"]  # noqa: SLF001
    xs, ys = view._tempo_windows.getData()  # noqa: SLF001
    np.testing.assert_allclose(ys, w.tempo)


def test_lanes_are_built_over_several_event_loop_turns_and_newest_wins(qtbot, view):
    from gui.document import Document

    doc = Document("synthetic.wav")
    view.set_document(doc)
    doc.set_analysis(synthetic_analysis())
    assert view._steps.pending > 0  # noqa: SLF001  (deferred, the slot returned at once)
    assert view.segment_count() == 3  # what the hover and clicks need is there at once
    unlabelled = synthetic_analysis(labelled=False)
    doc.set_analysis(unlabelled)  # arrives before the first one is drawn
    qtbot.waitUntil(lambda: view._steps.pending == 0, timeout=5000)  # noqa: SLF001
    assert all(not view._lane_items[t][0].cells for t in TARGETS)  # noqa: SLF001
    assert view.plots["descriptors"].isVisible()
    view.set_document(None)
    assert view.segment_count() == 0


def test_waveform_columns_keep_every_peak_at_any_zoom(qtbot):
    from gui.lanes.items import WaveformItem

    rng = np.random.default_rng(0)
    n, step = 100_000, 128 / 44100
    mins = -rng.random(n).astype(np.float32)
    maxs = rng.random(n).astype(np.float32)
    item = WaveformItem("#000")
    item.set_peaks(step, mins, maxs)
    # whole track on 1000 px: ~1000-2000 columns that still hold the extremes
    x, lo, hi = item.columns(1000 / (n * step), 0.0, n * step)
    assert 1000 <= len(x) <= 2100
    assert lo.min() == mins.min() and hi.max() == maxs.max()
    assert np.all(np.diff(x) > 0)
    # a slice: columns cover it (plus one column each side), in order
    x, lo, hi = item.columns(1000 / 10.0, 100.0, 110.0)
    assert x[0] <= 100.0 and x[-1] >= 110.0 - step
    i0, i1 = int(100.0 / step), int(110.0 / step)
    assert lo.min() <= mins[i0:i1].min() and hi.max() >= maxs[i0:i1].max()
    # zoomed in past one bin per pixel: the bins themselves
    x, lo, hi = item.columns(1e5, 1.0, 1.01)
    k0 = int(1.0 / step) - 1
    np.testing.assert_array_equal(lo[:3], mins[k0:k0 + 3])
    item.clear()
    assert len(item) == 0


def test_lanes_page_is_laid_out_while_the_window_is_still_empty(qtbot, view):
    """The first layout of the lanes is paid at start, not when a file's first waveform
    arrives; the empty state stays on screen meanwhile."""
    glw = view._glw  # noqa: SLF001
    pages = view._stack  # noqa: SLF001
    qtbot.waitUntil(lambda: pages.laid_out and glw.width() > 100, timeout=5000)
    assert view._stack.currentIndex() == 0  # noqa: SLF001
    assert view.plots["A"].getViewBox().width() > 100


def test_a_segment_starting_off_screen_keeps_its_letter(qtbot, view):
    """Issue 14, bug 6: zoomed into the middle of B (40-80 s), its letter is drawn at
    the view's left edge instead of at 40 s, off-screen."""
    _show(qtbot, view, synthetic_analysis())
    view.set_x_range(50.0, 70.0)
    shown = view._letters.shown()  # noqa: SLF001
    assert [t for _, _, t in shown] == ["B"]
    left, end, _ = shown[0]
    assert 50.0 <= left < 51.0 and end == 80.0
    view.set_x_range(30.0, 70.0)  # both starts in sight: each letter at its start
    shown = view._letters.shown()  # noqa: SLF001
    assert [(s, t) for s, _, t in shown] == [(30.0, "A"), (40.0, "B")]
