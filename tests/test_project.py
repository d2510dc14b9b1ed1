"""Project files (core.io.project): round trips, paths relative to the project, moved or
changed files reported, damaged and absurd files refused with a message."""

from __future__ import annotations

import json
import shutil

import pytest

from core.errors import FormatError
from core.io.project import (VERSION, OpenedProject, Project, ProjectRender, ProjectTrack,
                             open_project, project_file, save_project)


def _timeline_doc() -> dict:
    from core.render.timeline import Timeline, timeline_to_dict

    tl = Timeline.from_regions([0.0, 10.0, 20.0], descriptors=["a", "b"],
                               keys=[("C", "major"), ("A", "minor")], tempi=[120.0, 100.0],
                               instrument_groups=[("keys",), ("keys",)])
    return timeline_to_dict(tl)


@pytest.fixture
def workspace(tmp_path, small_analysis):
    """A project folder with a track and a render inside it, and a track outside."""
    folder = tmp_path / "proj"
    (folder / "renders").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    track = folder / "song.wav"
    track.write_bytes(b"RIFF song bytes")
    other = outside / "other.flac"
    other.write_bytes(b"fLaC other bytes")
    render = folder / "renders" / "song.render-1.flac"
    render.write_bytes(b"fLaC render bytes")
    project = Project(
        tracks=(ProjectTrack(project_file(track), small_analysis,
                             (ProjectRender(project_file(render), _timeline_doc(),
                                            small_analysis),), kept=0),
                ProjectTrack(project_file(other), None)),
        current=1, view={"range": [2.5, 12.0], "mode": "B", "loop": True,
                         "hidden_lanes": ["spectrogram"]})
    return folder / "work.twintrack", project


def test_round_trip_is_equal(workspace):
    path, project = workspace
    save_project(project, path)
    assert open_project(path) == OpenedProject(project, ())


def test_paths_inside_the_folder_are_relative_so_the_folder_can_move(workspace, tmp_path):
    path, project = workspace
    save_project(project, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == VERSION
    assert doc["tracks"][0]["file"]["path"] == "song.wav"
    assert doc["tracks"][0]["renders"][0]["file"]["path"] == "renders/song.render-1.flac"
    assert doc["tracks"][1]["file"]["path"] == str(tmp_path / "elsewhere" / "other.flac")
    moved = shutil.move(str(path.parent), str(tmp_path / "moved"))
    opened = open_project(f"{moved}/work.twintrack")
    assert opened.problems == ()
    assert opened.project.tracks[0].file.path == f"{moved}/song.wav"
    assert opened.project.tracks[0].analysis == project.tracks[0].analysis


def test_a_gone_or_changed_file_is_reported_and_the_rest_loaded(workspace, tmp_path):
    path, project = workspace
    save_project(project, path)
    (tmp_path / "elsewhere" / "other.flac").unlink()
    (path.parent / "renders" / "song.render-1.flac").write_bytes(b"another render")
    opened = open_project(path)
    assert [t.file.path for t in opened.project.tracks] == [str(path.parent / "song.wav")]
    assert opened.project.tracks[0].analysis is not None
    assert opened.project.tracks[0].renders == ()
    assert opened.project.current == 0
    assert len(opened.problems) == 2
    assert "render song.render-1.flac: the file changed" in opened.problems[0]
    assert "track other.flac: the file is gone" in opened.problems[1]


def test_a_changed_track_is_kept_to_be_analysed_again(workspace):
    path, project = workspace
    save_project(project, path)
    (path.parent / "song.wav").write_bytes(b"RIFF edited song")
    opened = open_project(path)
    first = opened.project.tracks[0]
    assert first.analysis is None and first.renders == ()
    assert first.file.sha256 != project.tracks[0].file.sha256
    assert "song.wav: the file changed since the project was saved" in opened.problems[0]


def _edit(path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(version=VERSION + 1), "written by a newer Twintrack"),
    (lambda d: d.update(version="1"), "$.version: '1' is not a project format version"),
    (lambda d: d.pop("format"), "not a Twintrack project"),
    (lambda d: d.pop("tracks"), "'tracks' is a required property"),
    (lambda d: d.update(current=7), "$.current: track 7 of a project with 2 tracks"),
    (lambda d: d["tracks"][0].update(kept=3), "$.tracks[0].kept: render 3 of 1"),
    (lambda d: d["tracks"][0]["file"].update(sha256="xyz"), "$.tracks[0].file.sha256"),
    (lambda d: d["view"].update(big={"nested": 1}), "$.view.big"),
])
def test_damaged_or_absurd_projects_are_refused_by_name(workspace, change, message):
    path, project = workspace
    save_project(project, path)
    _edit(path, change)
    with pytest.raises(FormatError) as err:
        open_project(path)
    assert str(err.value).startswith("work.twintrack: ")
    assert message in str(err.value)


def test_not_json_is_refused(tmp_path):
    path = tmp_path / "junk.twintrack"
    path.write_bytes(b"\x00\x01 not json")
    with pytest.raises(FormatError, match="junk.twintrack: not valid JSON"):
        open_project(path)


def test_a_damaged_analysis_drops_only_that_analysis(workspace):
    path, project = workspace
    save_project(project, path)
    _edit(path, lambda d: d["tracks"][0]["analysis"]["segments"].append({"start": "x"}))
    opened = open_project(path)
    assert opened.project.tracks[0].analysis is None
    assert opened.project.tracks[0].renders == project.tracks[0].renders
    assert "track song.wav: its analysis is damaged ($.segments[3]" in opened.problems[0]


def test_an_unstorable_view_is_refused_and_the_old_file_kept(workspace):
    path, project = workspace
    save_project(project, path)
    before = path.read_bytes()
    bad = Project(project.tracks, 0, {"range": {"not": "plain"}})
    with pytest.raises(FormatError, match=r"work.twintrack: cannot be saved: \$.view.range"):
        save_project(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []
