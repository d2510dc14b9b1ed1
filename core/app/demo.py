"""The main job on the bundled demo track, as ``twintrack demo`` runs it.

Owns the demo's two steps and the files they write into one folder:
:func:`analyse_demo` analyses the track with the shipped descriptor model and writes
the analysis in every export format; :func:`render_demo` makes one multi-region render
of it (:func:`core.app.renders.render_and_reanalyse`), writes the render
(``<stem>.render.wav``/``.mid``/``.timeline.json``) and its analysis
(``<stem>.render.json``/``.jams``) and, with a model, the render-vs-original report
(``compare.*``).  Two steps, so a caller can show the analysis while the render is made.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.app.renders import RenderedVariant, render_and_reanalyse
from core.progress import CancelledFn, ProgressFn

if TYPE_CHECKING:
    from core.evaluation.feedback import Comparison
    from core.record import Analysis

__all__ = ["DEMO_TRACK", "DemoAnalysis", "DemoRender", "analyse_demo", "render_demo"]

#: The bundled demo track, as :func:`core.resources.resource_path` parts.
DEMO_TRACK = ("demo", "karissa_hobbs-lets_go_fishin.ogg")
_FORMATS = ("json", "jams", "csv", "audacity", "svcsv")


@dataclass(frozen=True)
class DemoAnalysis:
    """The demo track's analysis, how long it took, and the files written from it."""

    track: Path
    analysis: Analysis
    model: object | None  # the shipped descriptor model; None when none is shipped
    seconds: float
    written: tuple[Path, ...]

    @property
    def stem(self) -> str:
        """The track's file stem: the demo's outputs are named after it."""
        return Path(self.track).stem


@dataclass(frozen=True)
class DemoRender:
    """The demo's render with its analysis, the comparison (None without a model) and
    the files written."""

    variant: RenderedVariant
    comparison: Comparison | None
    written: tuple[Path, ...]


def analyse_demo(out_dir: str | os.PathLike, *, progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None) -> DemoAnalysis:
    """Analyse the demo track as ``twintrack analyze`` does by default (the shipped
    model, the real-music tags joined in, automatic vocal suppression); write every
    export format to ``out_dir``."""
    from core.analysis.pipeline import analyze
    from core.classify import default_model
    from core.io.export import write_formats
    from core.record import Settings
    from core.resources import resource_path

    track = resource_path(*DEMO_TRACK)
    model = default_model()
    t0 = time.perf_counter()
    analysis = analyze(track, settings=Settings(tags=True, vocals_auto=True), model=model,
                       progress=progress, cancelled=cancelled)
    seconds = time.perf_counter() - t0
    written = write_formats(analysis, out_dir, list(_FORMATS))
    return DemoAnalysis(track, analysis, model, seconds, tuple(written))


def render_demo(demo: DemoAnalysis, out_dir: str | os.PathLike, *,
                progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> DemoRender:
    """Render one multi-region timeline of the demo (seed 0), analyse the render and
    compare it with the original; write all of it to ``out_dir``."""
    from core.evaluation.feedback import compare_multi, summarise, write_report
    from core.io.export import write_formats
    from core.render.engine import write_audio
    from core.render.timeline import save_timeline

    out, stem = Path(out_dir), demo.stem
    (variant,) = render_and_reanalyse(demo.analysis, variants=1, seed=0, model=demo.model,
                                      name="{stem}.render.wav", progress=progress,
                                      cancelled=cancelled)
    render, again = variant.render, variant.analysis
    written = [out / f"{stem}.render.timeline.json", out / f"{stem}.render.wav",
               out / f"{stem}.render.mid"]
    save_timeline(render.timeline, written[0])
    write_audio(render, written[1])
    render.write_midi(written[2])
    written += write_formats(again, out, ["json", "jams"], stem=f"{stem}.render")
    comparison = None
    if demo.model is not None:
        comparison = summarise(stem, [compare_multi(f"{stem}.render.wav", render.timeline,
                                                    again, demo.analysis)])
        written += write_report(comparison, out, json_path=out / "compare.json")
    return DemoRender(variant, comparison, tuple(written))
