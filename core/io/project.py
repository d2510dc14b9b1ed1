"""Project files: the workspace (tracks, their analyses and renders, the view) as one JSON.

Owns the project record (:class:`Project` and its parts), its JSON (validated against
``resources/schemas/project.schema.json``, format version :data:`VERSION`) and the
checks made when a project is opened: every file it refers to is found (beside the
project first, then where it was when saved) and is the same file (SHA-256).  What can
be loaded is loaded; what cannot is listed in :attr:`OpenedProject.problems`.  A file
that is not a project at all, or an absurd one, is refused with a :class:`FormatError`.

Analyses are embedded as the record's own JSON (:mod:`core.record`); render timelines
as their JSON document (turned into timelines by :mod:`core.app.project`).  Audio is
never embedded: a render's audio is a file beside the project (or anywhere, absolute).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import FormatError, TwintrackError
from core.io.atomic import atomic_write_text, read_json
from core.io.schemas import validate_document
from core.record import Analysis, analysis_from_dict, analysis_to_dict

__all__ = ["VERSION", "SUFFIX", "ProjectFile", "ProjectRender", "ProjectTrack", "Project",
           "OpenedProject", "file_sha256", "project_file", "project_to_dict",
           "project_from_dict", "save_project", "open_project"]

#: The format version this module writes and reads.
VERSION = 1
#: A project file's suffix.
SUFFIX = ".twintrack"
_FORMAT = "twintrack-project"


@dataclass(frozen=True)
class ProjectFile:
    """A file the project refers to: where it is (absolute) and its SHA-256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class ProjectRender:
    """One render: its audio file, the timeline it was made from (the timeline JSON
    document) and the render's own analysis."""

    file: ProjectFile
    timeline: dict[str, Any]
    analysis: Analysis


@dataclass(frozen=True)
class ProjectTrack:
    """One track: its file, its analysis (None: analyse it again), its renders and the
    render variant kept (the one the B lane shows)."""

    file: ProjectFile
    analysis: Analysis | None = None
    renders: tuple[ProjectRender, ...] = ()
    kept: int = 0


@dataclass(frozen=True)
class Project:
    """The workspace: tracks, the current one (-1: none) and the view, a small dict of
    plain values the front end chose (zoom range, A/B mode, loop, hidden lanes...)."""

    tracks: tuple[ProjectTrack, ...] = ()
    current: int = -1
    view: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenedProject:
    """A project as opened: what could be loaded, and why the rest could not."""

    project: Project
    problems: tuple[str, ...] = ()


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def project_file(path: str | os.PathLike) -> ProjectFile:
    """A :class:`ProjectFile` for an existing file (hashed now).

    Raises
    ------
    TwintrackError
        The file cannot be read (the message names it).
    """
    try:
        return ProjectFile(os.path.abspath(path), file_sha256(path))
    except OSError as exc:
        raise TwintrackError(f"{Path(path).name}: cannot be read for the project "
                             f"({exc.strerror or exc})") from None


# ----------------------------------------------------------------------------- writing
def _file_to_dict(f: ProjectFile, folder: Path) -> dict[str, str]:
    """Relative to the project's folder when the file is inside it (the folder can then
    move as a whole), else absolute."""
    absolute = Path(f.path).resolve()
    try:
        path = absolute.relative_to(folder.resolve()).as_posix()
    except ValueError:
        path = str(absolute)
    return {"path": path, "absolute": str(absolute), "sha256": f.sha256}


def project_to_dict(project: Project, where: str | os.PathLike) -> dict[str, Any]:
    """The project as JSON-ready data, paths relative to ``where`` (the project file)."""
    folder = Path(where).resolve().parent
    tracks = [{"file": _file_to_dict(t.file, folder),
               "analysis": analysis_to_dict(t.analysis) if t.analysis is not None else None,
               "renders": [{"file": _file_to_dict(r.file, folder), "timeline": r.timeline,
                            "analysis": analysis_to_dict(r.analysis)} for r in t.renders],
               "kept": t.kept} for t in project.tracks]
    return {"format": _FORMAT, "version": VERSION, "tracks": tracks,
            "current": project.current, "view": dict(project.view)}


def save_project(project: Project, path: str | os.PathLike) -> None:
    """Write ``project`` to ``path`` atomically (an earlier file stays intact on error).

    Raises
    ------
    FormatError
        The view holds something a project cannot store (the message says what).
    """
    doc = project_to_dict(project, path)
    try:
        validate_document(doc, "project.schema.json")
    except FormatError as exc:
        raise FormatError(f"{Path(path).name}: cannot be saved: {exc}") from None
    text = json.dumps(doc, allow_nan=False, ensure_ascii=False, indent=1)
    atomic_write_text(path, text + "\n")


# ----------------------------------------------------------------------------- reading
def _check_header(doc: Any) -> None:
    """Refuse what is not a project of a version this code reads, before the schema
    (whose first complaint would be less telling)."""
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
        raise FormatError("not a Twintrack project (no \"format\": \"twintrack-project\")")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(f"$.version: {version!r} is not a project format version")
    if version > VERSION:
        raise FormatError(f"format version {version} was written by a newer Twintrack; "
                          f"this one reads version {VERSION}")


def _check_indices(doc: dict[str, Any]) -> None:
    """The indices the schema cannot check: the current track and each kept render."""
    n = len(doc["tracks"])
    if doc["current"] >= n:
        raise FormatError(f"$.current: track {doc['current']} of a project with {n} tracks")
    for i, t in enumerate(doc["tracks"]):
        if t["kept"] and t["kept"] >= len(t["renders"]):
            raise FormatError(f"$.tracks[{i}].kept: render {t['kept']} of "
                              f"{len(t['renders'])}")


def _locate(d: dict[str, str], folder: Path) -> Path | None:
    """The file ``d`` names: beside the project first, then where it was when saved."""
    rel = Path(d["path"])
    candidates = [rel if rel.is_absolute() else folder / rel, Path(d["absolute"])]
    return next((p.resolve() for p in candidates if p.is_file()), None)


def _find(d: dict[str, str], folder: Path,
          what: str) -> tuple[ProjectFile | None, ProjectFile | None, str]:
    """The file ``d`` names as (unchanged file, changed file, why not unchanged)."""
    found = _locate(d, folder)
    if found is None:
        return None, None, f"{what} {Path(d['path']).name}: the file is gone ({d['absolute']})"
    try:
        digest = file_sha256(found)
    except OSError as exc:
        return None, None, f"{what} {found.name}: cannot be read ({exc.strerror or exc})"
    if digest != d["sha256"]:
        return (None, ProjectFile(str(found), digest),
                f"{what} {found.name}: the file changed since the project was saved")
    return ProjectFile(str(found), digest), None, ""


def _analysis(d: Any, what: str, problems: list[str]) -> Analysis | None:
    if d is None:
        return None
    try:
        return analysis_from_dict(d)
    except FormatError as exc:
        problems.append(f"{what}: its analysis is damaged ({exc}); it is analysed again")
        return None


def _render(d: dict[str, Any], folder: Path, problems: list[str]) -> ProjectRender | None:
    found, _changed, why = _find(d["file"], folder, "render")
    if found is None:
        problems.append(why + "; the render is left out")
        return None
    name = Path(found.path).name
    try:
        validate_document(d["timeline"], "timeline.schema.json")
        analysis = analysis_from_dict(d["analysis"])
    except FormatError as exc:
        problems.append(f"render {name}: damaged ({exc}); the render is left out")
        return None
    return ProjectRender(found, d["timeline"], analysis)


def _track(d: dict[str, Any], folder: Path, problems: list[str]) -> ProjectTrack | None:
    found, changed, why = _find(d["file"], folder, "track")
    if changed is not None:
        # The same path with other content: open it and analyse it afresh; its renders
        # were made from what it was.
        problems.append(why + "; it is analysed again and its renders are left out")
        return ProjectTrack(changed)
    if found is None:
        problems.append(why + "; the track is left out")
        return None
    name = Path(found.path).name
    renders = tuple(r for r in (_render(rd, folder, problems) for rd in d["renders"])
                    if r is not None)
    kept = d["kept"] if len(renders) == len(d["renders"]) else 0
    return ProjectTrack(found, _analysis(d["analysis"], f"track {name}", problems), renders,
                        kept)


def project_from_dict(doc: Any, where: str | os.PathLike) -> OpenedProject:
    """Rebuild a project saved at ``where`` (paths are relative to its folder).

    Raises
    ------
    FormatError
        ``doc`` is not a project, is of a newer format, or is damaged (the message
        names the JSON path).  Missing or changed files are not errors: they are
        reported in :attr:`OpenedProject.problems`.
    """
    _check_header(doc)
    validate_document(doc, "project.schema.json")
    _check_indices(doc)
    folder = Path(where).resolve().parent
    problems: list[str] = []
    tracks, current = [], -1
    for i, d in enumerate(doc["tracks"]):
        track = _track(d, folder, problems)
        if track is not None:
            current = len(tracks) if i == doc["current"] else current
            tracks.append(track)
    if current < 0 and tracks and doc["current"] >= 0:
        current = 0
    return OpenedProject(Project(tuple(tracks), current, dict(doc["view"])), tuple(problems))


def open_project(path: str | os.PathLike) -> OpenedProject:
    """Read the project file at ``path``.

    Raises
    ------
    FormatError
        The file cannot be read, is not JSON, not a project, of a newer format, or
        damaged; the message starts with the file's name.
    """
    doc = read_json(path)
    try:
        return project_from_dict(doc, path)
    except FormatError as exc:
        raise FormatError(f"{Path(path).name}: {exc}") from None
