"""Project files that go wrong, in a real offscreen window: a damaged project is refused
with a message and changes nothing; a project whose track is gone opens the rest and
says what is missing; a project that cannot be written says so."""

from __future__ import annotations

import shutil

from core.io.project import Project, ProjectTrack, project_file, save_project
from tests.gui.conftest import wait_idle


def test_a_damaged_project_is_refused_and_nothing_changes(qtbot, window, tmp_path):
    junk = tmp_path / "junk.twintrack"
    junk.write_text('{"format": "twintrack-project", "version": 1, "tracks": 3, '
                    '"current": -1, "view": {}}')
    assert window.project.open(str(junk)) is False
    (error,) = window.message_log.errors()
    assert error.text.startswith("Could not open the project: junk.twintrack: $.tracks: 3 ")
    assert window.session.documents == [] and window.project.path is None
    assert window.settings.recent(kind="projects") == []


def test_a_gone_track_is_reported_and_the_rest_opened(qtbot, window, tmp_path, short_track):
    here, gone = tmp_path / "here.wav", tmp_path / "gone.wav"
    shutil.copy(short_track, here)
    shutil.copy(short_track, gone)
    path = tmp_path / "two.twintrack"
    save_project(Project((ProjectTrack(project_file(gone)), ProjectTrack(project_file(here))),
                         current=0), path)
    gone.unlink()
    assert window.project.open(str(path))
    wait_idle(qtbot, window.session, timeout=120000)
    assert [d.path for d in window.session.documents] == [str(here)]
    assert window.session.current.analysis is not None  # saved without one: analysed
    (error,) = window.message_log.errors()
    assert error.text.startswith("two.twintrack: track gone.wav: the file is gone")
    assert window.isWindowModified()  # the project on disk still names the gone track
    assert window.windowTitle() == "here.wav - two[*] - Twintrack"


def test_a_project_that_cannot_be_written_is_said_and_no_file_is_left(qtbot, window,
                                                                      tmp_path):
    blocker = tmp_path / "not a folder"
    blocker.write_text("a file where the project's folder should be")
    window.ask_save_path = lambda *args: str(blocker / "work.twintrack")
    window.project.save_action.trigger()
    (error,) = window.message_log.errors()
    assert error.text.startswith("Could not save the project work.twintrack: ")
    assert window.project.path is None
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".ini"] == ["not a folder"]
