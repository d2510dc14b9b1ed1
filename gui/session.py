"""The open documents, the analysis queue, and the work that fills documents.

:class:`Session` turns user intents (open these files, render this track, export
that) into task requests for :class:`gui.workers.Worker` and puts the results into
:class:`gui.document.Document` objects.  It decides *what* runs; the use cases in
:mod:`core.app` decide *how*; views only listen.

Dropped or opened files form a queue: one document loads and analyses at a time
(each analysis already uses both cores), its waveform first; the first file of a
batch becomes the current document as soon as it starts loading.  A file that cannot
be read stays in the list as "failed" with its reason (dropping it again retries);
nothing already open is touched.  Every message names its file (``message_logged``).

An analysis comes in two steps of one job (:func:`core.app.tagging.analyze_then_tag`):
the timeline, form and labels as soon as they exist (status "tagging"), then the same
analysis with its real-music tags ("analysed").  Cancelling the second step, or its
failure, keeps the first: only the tags are missing, and the tag lanes say why.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal

from core import jitcache
from core.app.exports import export_analysis, export_render_audio, export_render_midi
from core.app.pool import Isolated, ProcessPool
from core.app.project import load_project_renders
from core.app.renders import load_render, render_track
from core.app.tagging import analyze_then_tag
from core.app.tracks import expand_paths, load_track
from core.io.project import ProjectTrack
from gui.document import Document
from gui.lanes.key import key_text
from gui.lanes.tempo import tempo_text
from gui.settings import AppSettings
from gui.workers import Worker

__all__ = ["Session", "EXPORT_KINDS", "FIRST_RUN", "TAGS_CANCELLED", "TAGS_SKIPPED"]

logger = logging.getLogger(__name__)

#: What a document waits for while the compiled-kernel cache is being built.
FIRST_RUN = "first run: preparing the analysis engine, about 30 s, once"

#: Why an analysis has no real-music tags (shown by the tag lanes).
TAGS_CANCELLED = "real-music tags cancelled (Track \u2192 Analyse again computes them)"
TAGS_SKIPPED = "real-music tags stopped for a render (Track \u2192 Analyse again computes them)"

#: Export kind -> (menu text, file suffix, needs).  "needs" is "analysis" or "render".
EXPORT_KINDS = {
    "json": ("Analysis JSON", ".json", "analysis"),
    "jams": ("JAMS annotations", ".jams", "analysis"),
    "csv": ("Segment table CSV", ".csv", "analysis"),
    "audacity": ("Audacity labels", ".audacity.txt", "analysis"),
    "svcsv": ("Sonic Visualiser CSV", ".sv.csv", "analysis"),
    "chords": ("Chord labels", ".chords.txt", "analysis"),
    "wav": ("Render WAV", ".render.wav", "render"),
    "midi": ("Render MIDI", ".render.mid", "render"),
}


class Session(QObject):
    """Documents, the current one, the queue, and their workers.  GUI thread only.

    Owns the documents and one :class:`Worker` per document (a new request on a
    document cancels its previous one) plus one for exports.  ``pool`` runs heavy
    tasks in warm child processes; without it they run on the worker thread.
    """

    documents_changed = Signal()
    current_changed = Signal(object)  # Document | None
    message_posted = Signal(str, str)  # level ("info" | "error"), text
    message_logged = Signal(str, str, str)  # level, file name ("" if none), text
    export_finished = Signal(str)  # path written
    document_restored = Signal(object)  # Document: its project's analysis and renders are in

    def __init__(self, settings: AppSettings, *, pool: ProcessPool | None = None,
                 playback_rate: Callable[[], int | None] = lambda: None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self._pool = pool
        self._playback_rate = playback_rate
        self.documents: list[Document] = []
        self.current: Document | None = None
        self._workers: dict[Document, Worker] = {}
        self._wanted: list[Document] = []  # the batch whose first good file gets shown
        self._renders: dict[Document, str] = {}  # render files to show once analysed
        self._restoring: dict[Document, ProjectTrack] = {}  # from a project, not yet in
        self._export = Worker(self)
        self._export.finished.connect(self._on_export_finished)
        self._export.failed.connect(lambda msg: self._post("error", msg))

    # -- helpers ---------------------------------------------------------------------
    def _post(self, level: str, text: str, doc: Document | None = None) -> None:
        """Say something to the user: ``message_posted`` and, with the file it concerns,
        ``message_logged`` (the window's message history)."""
        self.message_posted.emit(level, text)
        self.message_logged.emit(level, doc.name if doc is not None else "", text)

    def _task(self, fn: Callable) -> Callable:
        return Isolated(fn, self._pool) if self._pool is not None else fn

    def _worker(self, doc: Document) -> Worker:
        worker = self._workers.get(doc)
        if worker is None:
            worker = Worker(self)
            worker.progressed.connect(doc.set_progress)
            worker.yielded.connect(lambda part, d=doc: self._on_job_yielded(d, part))
            worker.finished.connect(lambda result, d=doc: self._on_job_finished(d, result))
            worker.failed.connect(lambda msg, d=doc: self._on_job_failed(d, msg))
            worker.cancelled.connect(lambda d=doc: self._on_job_cancelled(d))
            self._workers[doc] = worker
        return worker

    def find(self, path: str) -> Document | None:
        key = os.path.abspath(path)
        return next((d for d in self.documents if os.path.abspath(d.path) == key), None)

    # -- intents ---------------------------------------------------------------------
    def open_paths(self, paths: list[str | os.PathLike], *,
                   render: str | os.PathLike | None = None) -> list[Document]:
        """Queue files (folders expand to their audio files); returns the new documents.

        ``render``: a render of the first file written earlier (audio with its
        ``<stem>.timeline.json``), shown as its B lane once the file is analysed.
        """
        files = expand_paths(paths)
        if not files:
            self._post("error", "Nothing to open: no audio files in "
                       + ", ".join(Path(p).name for p in paths))
            return []
        new = []
        for f in files:
            existing = self.find(f)
            if existing is not None:
                if existing.status == "failed" and existing.loaded is None:
                    existing.set_status("queued")  # dropped again: try it again
                    new.append(existing)
                elif len(files) == 1:
                    self.set_current(existing)
                continue
            doc = Document(f, self)
            self.documents.append(doc)
            new.append(doc)
        if render is not None:
            self.attach_render(self.find(files[0]), render)
        if new:
            self._wanted = list(new)
            self.documents_changed.emit()
            if len(new) > 1:
                self._post("info", f"{len(new)} files queued for analysis")
            self._pump()
        return new

    def restore(self, tracks: list[ProjectTrack], current: int = -1) -> list[Document]:
        """Open a project's tracks: each loads for display and playback, then takes its
        stored analysis (analysed only if it has none) and its stored renders; the
        ``current`` one is shown first.  ``document_restored`` says when each is in."""
        docs = []
        for track in tracks:
            doc = self.find(track.file.path)
            if doc is None:
                doc = Document(track.file.path, self)
                self.documents.append(doc)
                self._restoring[doc] = track
                docs.append(doc)
        if docs:
            first = docs[current] if 0 <= current < len(docs) else docs[0]
            self._wanted = [first]
            self.documents_changed.emit()
            self._pump()
        return docs

    @property
    def restoring(self) -> bool:
        """Whether a project's documents are still taking their stored results."""
        return bool(self._restoring)

    def set_current(self, doc: Document | None) -> None:
        if doc is not self.current:
            self.current = doc
            self.current_changed.emit(doc)

    def close_document(self, doc: Document) -> None:
        worker = self._workers.get(doc)
        if worker is not None:
            worker.cancel()
        if doc in self.documents:
            self.documents.remove(doc)
        if doc in self._wanted:
            self._wanted.remove(doc)
        self._renders.pop(doc, None)
        self._restoring.pop(doc, None)
        if self.current is doc:
            self.set_current(self.documents[0] if self.documents else None)
        self.documents_changed.emit()
        self._pump()

    def analyse(self, doc: Document) -> None:
        """(Re)run the analysis of a loaded document."""
        if doc.loaded is None:
            doc.set_status("queued")
            self._pump()
            return
        doc.set_status("analysing")
        self._worker(doc).start(self._task(analyze_then_tag), doc.path, partial=True,
                                model=self.settings.model,
                                vocal_suppression=self.settings.vocal_suppression)

    def attach_render(self, doc: Document, path: str | os.PathLike) -> None:
        """Show the render in ``path`` as ``doc``'s B lane (now if ``doc`` is analysed,
        else once it is)."""
        self._renders[doc] = os.fspath(path)
        if doc.status in ("analysed", "not analysed", "failed"):
            self._load_render(doc)

    def _load_render(self, doc: Document) -> None:
        path = self._renders.pop(doc, None)
        if path is None:
            return
        doc.set_status("rendering")
        self._worker(doc).start(self._task(load_render), path,
                                playback_sr=self._playback_rate())

    def render(self, doc: Document | None = None) -> bool:
        """Plan, render and analyse render variants of an analysed document."""
        doc = doc or self.current
        if doc is None or doc.analysis is None:
            self._post("error", "Analyse a track before rendering it.")
            return False
        if doc.status == "tagging":  # one job per document: the render replaces the tags
            doc.set_tags(doc.analysis, TAGS_SKIPPED)
            self._post("info", f"{doc.name}: real-music tags stopped for the render "
                       "(Track \u2192 Analyse again computes them)", doc)
        doc.set_status("rendering")
        self._worker(doc).start(self._task(render_track), doc.analysis,
                                variants=self.settings.variants, seed=self.settings.seed,
                                playback_sr=self._playback_rate(), model=self.settings.model,
                                vocal_suppression=self.settings.vocal_suppression)
        return True

    def cancel(self, doc: Document | None = None) -> None:
        doc = doc or self.current
        if doc is not None and doc in self._workers:
            self._workers[doc].cancel()

    def export(self, kind: str, path: str, doc: Document | None = None) -> bool:
        """Write the current document's analysis or render in the background."""
        doc = doc or self.current
        text, _suffix, needs = EXPORT_KINDS[kind]
        if doc is None or (needs == "analysis" and doc.analysis is None):
            self._post("error", f"{text}: there is no analysis to export yet.")
            return False
        if needs == "render" and doc.render is None:
            self._post("error", f"{text}: render the track first.")
            return False
        if kind == "midi" and not doc.render.render.events:
            self._post("error", f"{text}: this render was opened from a file "
                       "and its notes are not known; press Render for a new one.", doc)
            return False
        if needs == "analysis":
            self._export.start(export_analysis, doc.analysis, path, kind)
        elif kind == "wav":
            self._export.start(export_render_audio, doc.render.render, path)
        else:
            self._export.start(export_render_midi, doc.render.render, path)
        return True

    def shutdown(self) -> None:
        for worker in [*self._workers.values(), self._export]:
            worker.shutdown(timeout=3.0)

    # -- queue -----------------------------------------------------------------------
    def _pump(self) -> None:
        """Start loading the next queued document unless one is loading or analysing."""
        if any(d.status in ("loading", "analysing") for d in self.documents):
            return
        doc = next((d for d in self.documents if d.status == "queued"), None)
        if doc is None:
            return
        doc.set_status("loading")
        if not jitcache.is_ready():
            # The warm workers are compiling the analysis kernels (once, 20-40 s) before
            # they take any job: say so, or the window looks stuck.
            doc.set_progress(0.0, FIRST_RUN)
            self._post("info", f"{doc.name}: {FIRST_RUN}", doc)
        if self._wanted and self._wanted[0] is doc:
            self.set_current(doc)  # shown at once: its job bar, Cancel and progress
        self._worker(doc).start(self._task(load_track), doc.path,
                                playback_sr=self._playback_rate(), partial=True)

    def _show_if_wanted(self, doc: Document) -> None:
        if self._wanted and self._wanted[0] is doc:
            self._wanted = []
            self.set_current(doc)

    # -- results -----------------------------------------------------------------------
    def _on_job_yielded(self, doc: Document, part) -> None:
        """A partial result: a growing waveform while loading, the analysis without its
        tags while analysing (the tags follow as the job's result)."""
        if doc not in self.documents:  # closed meanwhile
            return
        if doc.status == "loading":
            doc.set_envelope(part)
            self._show_if_wanted(doc)
        elif doc.status == "analysing":
            self._analysed(doc, part, status="tagging")

    def _analysed(self, doc: Document, result, *, status: str = "analysed") -> None:
        doc.set_analysis(result)
        doc.set_status(status)
        notes = "; ".join(result.track.notes)
        self._post(
            "info", f"{doc.name}: analysed ({len(result.segments)} segments, "
                    f"{tempo_text(result.globals.tempo)}, "
                    f"{key_text(result.globals.tonic, result.globals.mode)})"
                    + (f" - note: {notes}" if notes else ""), doc)
        self._pump()
        if status == "analysed":
            self._load_render(doc)

    def _tags_ended(self, doc: Document, analysis, note: str = "") -> None:
        """The tag step is over (tags in ``analysis``, or ``note`` says why not)."""
        doc.set_tags(analysis, note)
        doc.set_status("analysed")
        self._load_render(doc)

    def _on_job_finished(self, doc: Document, result) -> None:
        if doc not in self.documents:  # closed meanwhile
            return
        if doc.status == "loading":
            doc.set_loaded(result)
            self._show_if_wanted(doc)
            self.settings.add_recent(doc.path)
            track = self._restoring.get(doc)
            if track is not None and track.analysis is not None:
                self._restore_results(doc, track)
            else:
                self.analyse(doc)
        elif doc.status == "analysing":  # the engine tagged in its first step
            self._analysed(doc, result)
            self._end_restore(doc)
        elif doc.status == "tagging":
            self._tags_ended(doc, result)  # the lanes filling in say it; no banner
            self._end_restore(doc)
        elif doc in self._restoring:
            doc.set_renders(result)
            doc.set_render_index(self._restoring[doc].kept)
            doc.set_status("analysed")
            self._end_restore(doc)
        elif doc.status == "rendering":
            doc.set_renders(result)
            doc.set_status("analysed")
            self._post("info", f"{doc.name}: {len(result)} render"
                       f"{'s' if len(result) != 1 else ''} ready - press B to compare", doc)

    def _restore_results(self, doc: Document, track: ProjectTrack) -> None:
        """A project's document: its stored analysis now, its stored renders read next."""
        doc.set_analysis(track.analysis)
        doc.set_status("analysed")
        self._post("info", f"{doc.name}: analysis restored from the project", doc)
        self._pump()
        if not track.renders:
            self._end_restore(doc)
            return
        doc.set_status("rendering")
        self._worker(doc).start(self._task(load_project_renders), track.renders,
                                playback_sr=self._playback_rate())

    def _end_restore(self, doc: Document) -> None:
        if self._restoring.pop(doc, None) is not None:
            self.document_restored.emit(doc)

    def _on_job_failed(self, doc: Document, message: str) -> None:
        if doc not in self.documents:  # closed meanwhile
            return
        self._end_restore(doc)  # what did not come back stays out; the message says why
        stage = doc.status
        if stage == "loading":
            reason = message[len(doc.name):].lstrip(" :") if message.startswith(doc.name) \
                else message
            doc.set_status("failed", reason or message)
            if doc in self._wanted:  # "show me" passes to the next file of its batch
                self._wanted.remove(doc)
            self._post("error", f"Could not open {doc.name}: {reason or message}", doc)
        elif stage == "analysing":
            doc.set_status("failed", message)
            self._post("error", f"Analysis failed: {message}", doc)
            self._load_render(doc)  # a render asked for still shows, without the analysis
        elif stage == "tagging":
            self._tags_ended(doc, doc.analysis, f"real-music tags failed: {message}")
            self._post("error", f"Real-music tags failed: {message} (the analysis is kept)",
                       doc)
        else:
            doc.set_status("analysed" if doc.analysis is not None else "not analysed")
            self._post("error", f"Render failed: {message}", doc)
        self._pump()

    def _on_job_cancelled(self, doc: Document) -> None:
        if doc not in self.documents:  # closed meanwhile
            return
        stage = doc.status
        self._end_restore(doc)
        if stage == "loading":
            self._forget_unopened(doc)
            self._post("info", f"{doc.name}: opening cancelled", doc)
        elif stage == "analysing":
            doc.set_status("not analysed")
            self._post("info", f"{doc.name}: analysis cancelled", doc)
        elif stage == "tagging":
            self._tags_ended(doc, doc.analysis, TAGS_CANCELLED)
            self._post("info", f"{doc.name}: real-music tags cancelled (the analysis is kept)",
                       doc)
        else:
            doc.set_status("analysed" if doc.analysis is not None else "not analysed")
            self._post("info", f"{doc.name}: render cancelled", doc)
        self._pump()

    def _forget_unopened(self, doc: Document) -> None:
        """Forget a document whose opening was cancelled, and the rest of its batch's
        "show me" wish.  Its Worker is kept: its thread may still be finishing."""
        self._renders.pop(doc, None)
        self._wanted = []
        self.documents.remove(doc)
        if self.current is doc:
            self.set_current(next((d for d in self.documents if d.loaded), None))
        self.documents_changed.emit()

    def _on_export_finished(self, path: str) -> None:
        self._post("info", f"Saved {path}")
        self.export_finished.emit(path)
