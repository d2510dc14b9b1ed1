"""The feedback loop: renders analysed again with the same model, scored.

* A **single-region** render is scored for accuracy against the descriptor it was asked
  for: per target, the share of its windows whose predicted label is the asked one.
* A **multi-region** render is compared per region with the original track: per target,
  the share of regions whose majority label in the render equals the majority label of
  the original's segment at the same place (the segment table), over the regions that
  hold a window of their own.

Labels are the model's most probable ones (``nearest``), also for windows it flags as
``UNK`` (far from its training data): a real recording is often far from every render,
and the loop asks whether the render is heard as what the original was heard as, as
the original study did (its models had no ``UNK``).  The strict scores, where ``UNK``
counts as a disagreement, are kept beside them (``strict``), with the ``UNK`` shares.

Results are plain data; :func:`write_report` turns them into text, CSV, JSON and a PNG.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.io.atomic import atomic_path, atomic_write_text
from core.analysis.reduce import majority, segment_table
from core.record import TARGETS, Analysis
from core.render.timeline import Timeline

__all__ = ["RenderComparison", "Comparison", "compare_single", "compare_multi",
           "summarise", "write_report"]


@dataclass(frozen=True)
class RenderComparison:
    """Agreement of one render, per target, with what it should be."""

    name: str
    mode: str  # "single" | "multi"
    targets: dict[str, float]
    details: tuple[dict, ...] = ()
    strict: dict[str, float] = field(default_factory=dict)   # UNK counts as wrong
    unk: dict[str, float] = field(default_factory=dict)      # UNK window shares


@dataclass(frozen=True)
class Comparison:
    """All renders of one original (or of a folder), and the per-target means."""

    title: str
    renders: tuple[RenderComparison, ...]
    targets: dict[str, float] = field(default_factory=dict)
    strict: dict[str, float] = field(default_factory=dict)


def _region_windows(analysis: Analysis, start: float, end: float) -> tuple[list[int], bool]:
    """The windows centred in ``[start, end)`` and True; else the window nearest to the
    middle and False (the region holds no window of its own); no windows: ``[]``."""
    w = analysis.windows
    centres = (np.asarray(w.start) + np.asarray(w.end)) / 2
    idx = np.flatnonzero((centres >= start) & (centres < end))
    if len(idx) or not len(centres):
        return [int(i) for i in idx], bool(len(idx))
    return [int(np.argmin(np.abs(centres - (start + end) / 2)))], False


def _window_labels(analysis: Analysis, idx: list[int], target: str, *,
                   nearest: bool = True) -> list[str]:
    """Labels of windows ``idx``: the most probable ones, or with ``nearest=False`` the
    strict ones (``UNK``)."""
    w = analysis.windows
    labels = (w.nearest.get(target) if nearest else None) or w.labels.get(target)
    return [] if labels is None else [labels[i] for i in idx]


def compare_single(name: str, timeline: Timeline, render: Analysis, *, dictionary=None
                   ) -> RenderComparison:
    """Accuracy of a single-region render against the descriptor it was asked for."""
    from core.descriptors import load_dictionary

    dictionary = dictionary or load_dictionary()
    (view,) = timeline.regions()
    asked = dictionary.by_name(view.region.descriptor).labels()
    scores, strict = {}, {}
    idx, _ = _region_windows(render, 0.0, render.duration + 1.0)
    for t in TARGETS:
        for out, near in ((scores, True), (strict, False)):
            got = _window_labels(render, idx, t, nearest=near)
            if got:
                out[t] = float(np.mean([g == asked[t] for g in got]))
    return RenderComparison(name, "single", scores, ({"asked": view.region.descriptor},),
                            strict, {"render": render.windows.unk_share()})


def compare_multi(name: str, timeline: Timeline, render: Analysis, original: Analysis
                  ) -> RenderComparison:
    """Per-region agreement of a multi-region render with the original's segments.

    A region that holds no window centre (shorter than the window stride, typically a
    second at the start or end of a track) has no label of its own: both the original's
    label and the render's are then those of a window that mostly covers the neighbouring
    region.  Such regions are listed in ``details`` with ``"scored": False`` and left out
    of the scores (regions cover the track, so some region always holds a window).
    """
    rows = segment_table(original)
    details, hits, strict = [], {t: [] for t in TARGETS}, {t: [] for t in TARGETS}
    for view in timeline.regions():
        idx, scored = _region_windows(render, view.start, view.end)
        mid = (view.start + view.end) / 2
        seg = min(rows, key=lambda r: 0 if r.start <= mid < r.end else
                  min(abs(r.start - mid), abs(r.end - mid)))
        row = {"start": view.start, "end": view.end, "asked": view.region.descriptor,
               "scored": scored}
        heard = seg.heard()
        for t in TARGETS:
            if t not in seg.targets:
                continue
            want = heard[t]
            got = majority(_window_labels(render, idx, t))
            row[t] = (want, got)
            if scored:
                hits[t].append(got == want)
                strict[t].append(majority(_window_labels(render, idx, t, nearest=False))
                                 == seg.targets[t])
        details.append(row)
    scores = {t: float(np.mean(v)) for t, v in hits.items() if v}
    return RenderComparison(name, "multi", scores, tuple(details),
                            {t: float(np.mean(v)) for t, v in strict.items() if v},
                            {"original": original.windows.unk_share(), "render": render.windows.unk_share()})


def summarise(title: str, renders: list[RenderComparison]) -> Comparison:
    """Mean per target over all renders."""
    targets, strict = {}, {}
    for t in TARGETS:
        vals = [r.targets[t] for r in renders if t in r.targets]
        if vals:
            targets[t] = float(np.mean(vals))
        vals = [r.strict[t] for r in renders if t in r.strict]
        if vals:
            strict[t] = float(np.mean(vals))
    return Comparison(title, tuple(renders), targets, strict)


def _text(c: Comparison) -> str:
    head = f"{'render':<44}{'mode':>7}" + "".join(f"{t:>11}" for t in TARGETS)
    lines = [f"feedback loop: {c.title}", head]
    for r in c.renders:
        lines.append(f"{r.name[:43]:<44}{r.mode:>7}" + "".join(
            f"{r.targets[t]:>11.3f}" if t in r.targets else f"{'-':>11}" for t in TARGETS))
    lines.append(f"{'mean':<44}{'':>7}" + "".join(
        f"{c.targets[t]:>11.3f}" if t in c.targets else f"{'-':>11}" for t in TARGETS))
    if c.strict:
        lines.append(f"{'mean, UNK counted as wrong':<44}{'':>7}" + "".join(
            f"{c.strict[t]:>11.3f}" if t in c.strict else f"{'-':>11}" for t in TARGETS))
    skipped = sum(not d.get("scored", True) for r in c.renders for d in r.details)
    if skipped:
        lines.append(f"regions without a window of their own, not scored: {skipped} of "
                     f"{sum(len(r.details) for r in c.renders)}")
    unk = [r.unk.get("original") for r in c.renders if "original" in r.unk]
    if unk:
        lines.append(f"UNK windows: original {unk[0]:.2f}, renders "
                     f"{np.mean([r.unk.get('render', 0.0) for r in c.renders]):.2f}")
    return "\n".join(lines)


def _png(c: Comparison, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [t for t in TARGETS if t in c.targets]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=90)
    ax.bar(names, [c.targets[t] for t in names], color="#4a7fb5")
    ax.set_ylim(0, 1)
    ax.axhline(0.9, color="#c44", lw=1, ls="--")
    ax.set_ylabel("agreement")
    ax.set_title(f"render vs original: {c.title}", fontsize=10)
    for i, t in enumerate(names):
        ax.text(i, c.targets[t] + 0.02, f"{c.targets[t]:.2f}", ha="center", fontsize=9)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def write_report(c: Comparison, out_dir: str | os.PathLike, *, json_path=None) -> list[Path]:
    """Text, CSV and PNG in ``out_dir``; JSON at ``json_path`` if given.  Returns paths."""
    out = Path(out_dir)
    written = [out / "compare.txt", out / "compare.csv", out / "compare.png"]
    atomic_write_text(written[0], _text(c) + "\n")
    csv_lines = ["render,mode," + ",".join(TARGETS)]
    csv_lines += [f"{r.name},{r.mode}," + ",".join(
        f"{r.targets[t]:.4f}" if t in r.targets else "" for t in TARGETS) for r in c.renders]
    atomic_write_text(written[1], "\n".join(csv_lines) + "\n")
    _png(c, written[2])
    if json_path:
        doc = {"title": c.title, "targets": c.targets, "strict": c.strict,
               "renders": [{"name": r.name, "mode": r.mode, "targets": r.targets,
                            "strict": r.strict, "unk": r.unk,
                            "details": list(r.details)} for r in c.renders]}
        atomic_write_text(json_path, json.dumps(doc, indent=1, default=list) + "\n")
        written.append(Path(json_path))
    return written
