"""Saving what a session made: an analysis in an export format, a render's audio or notes.

Owns the export requests (plain tasks with the usual ``progress``/``cancelled`` hooks,
so a GUI can run them off its thread); the formats themselves live in
:mod:`core.io.export` and :mod:`core.render.engine`.  Each returns the path written.
"""

from __future__ import annotations

import os

from core.progress import CancelledFn, ProgressFn

__all__ = ["export_analysis", "export_render_audio", "export_render_midi"]


def export_analysis(analysis, path: str | os.PathLike, fmt: str, *,
                    progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> str:
    """Write ``analysis`` in one of :data:`core.io.export.WRITERS`' formats to ``path``."""
    from core.io.export import WRITERS

    WRITERS[fmt][1](analysis, path)
    return os.fspath(path)


def export_render_audio(render, path: str | os.PathLike, *, progress: ProgressFn | None = None,
                        cancelled: CancelledFn | None = None) -> str:
    """Write the render as WAV or FLAC (by extension)."""
    from core.render.engine import write_audio

    write_audio(render, path)
    return os.fspath(path)


def export_render_midi(render, path: str | os.PathLike, *, progress: ProgressFn | None = None,
                       cancelled: CancelledFn | None = None) -> str:
    """Write the render's notes as a Standard MIDI File."""
    render.write_midi(path)
    return os.fspath(path)
