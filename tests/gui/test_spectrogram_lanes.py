"""Spectrograms of A and B with the user's settings, and the lanes' legends and tooltips
(offscreen; images made on worker threads)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.gui.conftest import drop_files

SR = 22050


def _settle(qtbot, feed) -> None:
    qtbot.waitUntil(lambda: not feed.busy("A") and not feed.busy("B"), timeout=30000)


def _ticks(plot) -> list[str]:
    return [text for _, text in plot.getAxis("left")._tickLevels[0]]  # noqa: SLF001


def test_settings_round_trip_and_bad_values_fall_back(settings, tmp_path, caplog):
    from PySide6.QtCore import QSettings

    from gui.settings import AppSettings, SpectrogramSettings

    assert settings.spectrogram == SpectrogramSettings()  # nothing stored: the defaults
    chosen = SpectrogramSettings(window=4096, scale="mel", floor_db=-100.0, gain_db=12.0,
                                 colour_map="viridis")
    settings.spectrogram = chosen
    settings.sync()
    path = str(tmp_path / "settings.ini")
    assert AppSettings(QSettings(path, QSettings.Format.IniFormat)).spectrogram == chosen
    # a hand-edited file: every bad value reads as its default, the good one stays
    store = QSettings(path, QSettings.Format.IniFormat)
    for key, value in (("window", "banana"), ("scale", "bark"), ("floor_db", "-5"),
                       ("gain_db", "inf"), ("colour_map", "viridis")):
        store.setValue(f"spectrogram/{key}", value)
    store.sync()
    again = AppSettings(QSettings(path, QSettings.Format.IniFormat)).spectrogram
    assert again == SpectrogramSettings(colour_map="viridis")
    assert "spectrogram window 'banana'" in caplog.text


def test_preferences_set_the_spectrogram(qtbot, settings):
    from gui.settings import SpectrogramSettings
    from gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(settings, devices=[])
    qtbot.addWidget(dialog)
    assert dialog.spec_window.currentData() == 2048 and dialog.spec_floor.value() == -80
    dialog.spec_window.setCurrentIndex(dialog.spec_window.findData(1024))
    dialog.spec_scale.setCurrentIndex(dialog.spec_scale.findData("linear"))
    dialog.spec_floor.setValue(-60)
    dialog.spec_gain.setValue(-6)
    dialog.spec_colours.setCurrentIndex(dialog.spec_colours.findData("greys"))
    dialog.apply()
    assert settings.spectrogram == SpectrogramSettings(1024, "linear", -60.0, -6.0, "greys")


class _Variant:
    """Stands in for a RenderedVariant: what the feed reads of one (weakly referable)."""

    def __init__(self, seconds: float, hz: float):
        t = np.arange(int(seconds * SR)) / SR
        audio = np.sin(2 * np.pi * hz * t).astype(np.float32)
        self.render = SimpleNamespace(audio=np.stack([audio, audio], 1), sr=SR)


def test_feed_computes_only_when_shown_and_keeps_an_image_per_render(qtbot):
    import pyqtgraph as pg

    from gui.lanes.spectrogram import SpectrogramLane
    from gui.spectrograms import SpectrogramFeed

    glw = pg.GraphicsLayoutWidget()
    qtbot.addWidget(glw)
    lanes = {side: SpectrogramLane(glw.addPlot(row=i, col=0), side=side)
             for i, side in enumerate("AB")}
    feed = SpectrogramFeed(lanes)
    first, second = _Variant(3.0, 300.0), _Variant(5.0, 3000.0)
    feed.show_render(first)
    assert not feed.busy("B") and lanes["B"].spectrogram is None  # hidden: nothing made
    with qtbot.waitSignal(feed.drawn, timeout=30000):
        feed.set_active(True)
    drawn = lanes["B"].spectrogram
    assert drawn.duration == pytest.approx(3.0)
    with qtbot.waitSignal(feed.drawn, timeout=30000):
        feed.show_render(second)  # another render: its own image
    assert lanes["B"].spectrogram.duration == pytest.approx(5.0)
    feed.show_render(first)  # the first render again: drawn at once from the cache
    assert lanes["B"].spectrogram is drawn and not feed.busy("B")
    feed.show_render(None)
    assert lanes["B"].spectrogram is None
    del first, drawn
    import gc

    gc.collect()
    assert len(feed._images) == 1  # noqa: SLF001 - the dropped render's images went too
    feed.shutdown()


def test_b_spectrogram_after_a_render_follows_the_settings(qtbot, window, short_track,
                                                           settings):
    from gui.lanes.spectrogram import level_text

    drop_files(window.timeline, [short_track])
    qtbot.waitUntil(lambda: window.session.current is not None
                    and window.session.current.status == "analysed", timeout=60000)
    doc = window.session.current
    tl, feed = window.timeline, window.timeline.spectrograms
    window.spectrogram_action.setChecked(True)
    _settle(qtbot, feed)
    lane_a, lane_b = tl._spectrum, tl._spectrum_b  # noqa: SLF001
    assert lane_a.spectrogram is doc.loaded.spectrogram  # made while loading, not again
    assert tl.plots["spectrum"].isVisible() and not tl.plots["spectrum_b"].isVisible()
    window.session.render(doc)
    qtbot.waitUntil(lambda: doc.status == "analysed" and doc.render is not None,
                    timeout=90000)
    qtbot.waitUntil(lambda: lane_b.spectrogram is not None, timeout=30000)
    assert tl.plots["spectrum_b"].isVisible()
    assert lane_b.spectrogram.duration == pytest.approx(doc.render.render.duration, abs=0.01)
    assert _ticks(tl.plots["spectrum_b"]) == ["100", "1k", "10k"]

    # window and scale: new images for A and B, off the GUI thread, ticks for mel
    window.lane_menus.set_spectrogram(window=4096, scale="mel")
    _settle(qtbot, feed)
    for lane in (lane_a, lane_b):
        assert (lane.spectrogram.n_fft, lane.spectrogram.scale) == (4096, "mel")
    assert _ticks(tl.plots["spectrum"]) == ["1k", "3k", "10k"]
    # floor, gain and colours: a restyle of the same images, the colour scale says so
    images = lane_a.spectrogram, lane_b.spectrogram
    window.lane_menus.set_spectrogram(floor_db=-100.0, gain_db=12.0, colour_map="greys")
    assert (lane_a.spectrogram, lane_b.spectrogram) == images and not feed.busy("B")
    for lane in (lane_a, lane_b):
        assert tuple(lane.image.levels) == (-112.0, -12.0)
        assert set(lane.scale_legend.labels) == {level_text(-12.0), level_text(-112.0)}
    assert settings.spectrogram.colour_map == "greys" and settings.spectrogram.window == 4096
    # the right-click menu offers the same settings, the current ones checked
    menu = window.lane_menus.lane_menu("spectrum_b")
    subs = {a.text(): a.menu() for a in menu.actions() if a.menu() is not None}
    checked = {t: [a.text() for a in m.actions() if a.isChecked()] for t, m in subs.items()}
    assert checked == {"&Window size": ["4096 samples"], "&Frequency scale": ["mel"],
                       "F&loor": ["-100 dB"], "&Gain": ["+12 dB"], "&Colour map": ["greys"]}
    next(a for a in subs["&Frequency scale"].actions() if a.text() == "linear").trigger()
    _settle(qtbot, feed)
    assert lane_b.spectrogram.scale == "linear" and settings.spectrogram.scale == "linear"
    window.spectrogram_action.setChecked(False)
    assert not tl.plots["spectrum_b"].isVisible()


def test_numeric_lanes_have_legends_and_every_lane_a_tooltip(qtbot):
    from gui.timeline_view import TimelineView

    view = TimelineView()
    qtbot.addWidget(view)
    texts = {name: lane.legend.text for name, lane in (
        ("tempo", view._tempo), ("voice", view._voice),  # noqa: SLF001
        ("valence", view._labels["valence"]), ("momentum", view._labels["momentum"]))}  # noqa: SLF001
    assert "BPM" in texts["tempo"] and "segment" in texts["tempo"]
    assert "0-1" in texts["voice"]
    assert "0 = low" in texts["valence"] and "4 = busy" in texts["momentum"]
    assert view._labels["genre"].legend is None  # noqa: SLF001 - categories need none
    assert view.plots["tempo"].getAxis("left").labelText == "BPM"
    assert view.plots["spectrum"].getAxis("left").labelText == "A Hz"
    assert view.plots["spectrum_b"].getAxis("left").labelText == "B Hz"
    tips = {name: plot.toolTip() for name, plot in view.plots.items()}
    assert all(tips[name] for name in tips if name != "labels"), tips  # labels: on import
    assert "beats per minute" in tips["tempo"] and "probability" in tips["momentum"]
    assert "Spectrogram of the render" in tips["spectrum_b"]


def test_a_saved_lane_order_without_the_b_spectrogram_keeps_it_under_b(qtbot):
    from gui.timeline_view import TimelineView

    view = TimelineView()
    qtbot.addWidget(view)
    shipped = view.grid.order()
    saved = [n for n in shipped if n != "spectrum_b"]  # from before it existed
    saved.remove("tempo")
    saved.insert(0, "tempo")  # the user moved tempo to the top
    view.arrange_lanes(order=saved + ["gone"])
    order = view.grid.order()
    assert order[0] == "tempo" and order.index("spectrum_b") == order.index("B") + 1
    assert sorted(order) == sorted(shipped)
