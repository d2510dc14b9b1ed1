"""Saving and reopening a workspace as a project file: the use cases behind File > Save
Project and Open Project.

Owns what a front end hands over to save (:class:`WorkspaceTrack`), where a render made
in memory is written (:func:`renders_folder`, beside the project), and turning a
project's stored renders back into playable :class:`~core.app.renders.RenderedVariant`
objects (:func:`load_project_renders`).  The file format is :mod:`core.io.project`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from core.app.listen import playback_audio
from core.app.renders import RenderedVariant
from core.app.tracks import envelope_of
from core.io.project import (Project, ProjectRender, ProjectTrack, project_file,
                             save_project)
from core.progress import CancelledFn, ProgressFn, Reporter

__all__ = ["WorkspaceTrack", "renders_folder", "save_workspace", "load_project_renders"]


@dataclass(frozen=True)
class WorkspaceTrack:
    """One open track as a front end has it: its file, analysis, renders, kept render."""

    path: str
    analysis: Any = None  # core.record.Analysis | None
    renders: tuple[RenderedVariant, ...] = ()
    kept: int = 0


def renders_folder(project_path: str | os.PathLike) -> Path:
    """Where renders made in memory are written: ``<project stem> renders`` beside it."""
    path = Path(project_path)
    return path.with_name(f"{path.stem} renders")


def _render_path(folder: Path, track: str, variant: RenderedVariant, taken: set[Path]) -> Path:
    """A new FLAC name for a render of ``track`` in ``folder`` (never over another)."""
    stem = re.sub(r"[^\w.\- ]+", "_", Path(track).stem)
    n = variant.index + 1
    while True:
        path = folder / f"{stem}.render-{n}.flac"
        if path not in taken and not path.exists():
            taken.add(path)
            return path
        n += 1


def save_workspace(tracks: Sequence[WorkspaceTrack], path: str | os.PathLike, *,
                   current: int = -1, view: dict[str, Any] | None = None) -> dict[int, str]:
    """Write the project file at ``path``; renders that exist only in memory are first
    written as FLAC into :func:`renders_folder`.

    Returns
    -------
    dict
        ``id(variant) -> audio file`` for every render, so the front end knows which
        renders are now safe on disk.

    Raises
    ------
    core.errors.TwintrackError
        A track's file cannot be read or the project cannot be written (the message
        names the file); an earlier project file at ``path`` is then left intact.
    """
    from core.render.engine import write_audio
    from core.render.timeline import timeline_to_dict

    folder, taken = renders_folder(path), set()
    files: dict[int, str] = {}
    out = []
    for t in tracks:
        renders = []
        for v in t.renders:
            audio = v.source
            if not audio or not Path(audio).is_file():
                audio = os.fspath(_render_path(folder, t.path, v, taken))
                write_audio(v.render, audio)
            files[id(v)] = audio
            renders.append(ProjectRender(project_file(audio),
                                         timeline_to_dict(v.render.timeline), v.analysis))
        kept = min(t.kept, max(len(renders) - 1, 0))
        out.append(ProjectTrack(project_file(t.path), t.analysis, tuple(renders), kept))
    save_project(Project(tuple(out), current, dict(view or {})), path)
    return files


def load_project_renders(renders: Sequence[ProjectRender], *, playback_sr: int | None = None,
                         progress: ProgressFn | None = None,
                         cancelled: CancelledFn | None = None) -> tuple[RenderedVariant, ...]:
    """A project's renders as playable variants (the audio read, nothing analysed).

    Raises
    ------
    core.errors.TwintrackError
        An audio file or a timeline cannot be read (the message names it).
    core.errors.Cancelled
    """
    from core.render.engine import Render
    from core.render.timeline import timeline_from_dict

    rep = Reporter(progress, cancelled)
    out = []
    for i, (r, part) in enumerate(zip(renders, rep.split([1.0] * len(renders)))):
        part(0.0, f"reading render {i + 1} of {len(renders)}")
        render = Render.from_file(r.file.path, timeline_from_dict(r.timeline), reporter=part)
        playback = None
        if playback_sr and int(playback_sr) != render.sr:
            playback, _ = playback_audio(render.audio, render.sr, playback_sr)
        out.append(RenderedVariant(i, render, r.analysis, envelope_of(render.audio, render.sr),
                                   playback, source=r.file.path))
    rep(1.0, "renders ready")
    return tuple(out)
