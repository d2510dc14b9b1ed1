"""Which files a batch analyses, and where under the output folder each one's outputs go.

Owns the meaning of the ``twintrack analyze`` inputs (:func:`collect_inputs`):

* a **folder** contributes its audio files (:data:`~core.app.tracks.AUDIO_SUFFIXES`,
  recursive); their outputs mirror the tree under a folder named like the input
  folder, so ``A/01 Intro.mp3`` and ``B/01 Intro.mp3`` go to ``OUT/A/01 Intro.*``
  and ``OUT/B/01 Intro.*``;
* a **glob** (a quoted pattern, ``**`` included) contributes the files it matches;
  their outputs mirror the path from the first wildcard on (``albums/*/*.mp3`` gives
  ``OUT/<album>/<stem>.*``);
* ``@list.txt`` contributes the paths, folders or globs it names, one per line,
  relative to the list's folder; blank lines and ``#`` comments are skipped;
* a **file** given directly goes to ``OUT/<stem>.*``.  Loose files that share a stem
  are told apart by their parent folders' names instead (``a/x.wav b/x.wav`` give
  ``OUT/a/x.*`` and ``OUT/b/x.*``), so the result does not depend on their order.

A file reached twice is analysed once.  Any clash left (``x.wav`` and ``x.mp3`` in one
folder) gets ``-2``, ``-3``... suffixes in input order.  An input that names nothing is
a problem line, and the others still run.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from core.app.tracks import AUDIO_SUFFIXES

__all__ = ["BatchInput", "collect_inputs", "loose_inputs"]


@dataclass(frozen=True)
class BatchInput:
    """One file of a batch: the file read and its outputs' place under the output folder.

    ``rel`` is relative and has no suffix: the outputs are ``OUT/<rel><ext>``.
    """

    path: Path
    rel: Path


def collect_inputs(specs: Sequence[str | os.PathLike]
                   ) -> tuple[list[BatchInput], list[tuple[str, str]]]:
    """Expand folders, globs and ``@list`` files (see the module docstring).

    Returns
    -------
    inputs : list of BatchInput
        Every file found, in input order, each once, with distinct ``rel``.
    problems : list of (str, str)
        The input (or list line) and the reason, for each that names nothing
        (missing, unreadable list, no audio in a folder, a pattern with no match).
    """
    mirrored: list[tuple[Path, Path]] = []
    loose: list[Path] = []
    problems: list[tuple[str, str]] = []
    for spec in specs:
        _expand(os.fspath(spec), mirrored, loose, problems, label=os.fspath(spec))
    return _distinct(mirrored + [(p, r) for p, r in _place_loose(loose)]), problems


def loose_inputs(paths: Sequence[str | os.PathLike]) -> list[BatchInput]:
    """Files given directly, placed as :func:`collect_inputs` places them."""
    return _distinct(_place_loose([Path(p) for p in paths]))


def _expand(spec: str, mirrored: list, loose: list, problems: list, *, label: str,
            listed: bool = False) -> None:
    path = Path(spec).expanduser()
    if spec.startswith("@") and not listed:
        _read_list(Path(spec[1:]).expanduser(), mirrored, loose, problems)
    elif path.is_dir():
        top = Path(path.resolve().name)  # the folder's own name keeps two folders apart
        files = _audio_in(path)
        mirrored += [(f, top / f.relative_to(path).with_suffix("")) for f in files]
        if not files:
            problems.append((label, "no audio files in this folder"))
    elif path.is_file():
        loose.append(path)
    elif glob.has_magic(spec):
        base = _fixed_prefix(Path(spec).expanduser())
        matches = [Path(m) for m in sorted(glob.glob(os.path.expanduser(spec), recursive=True))]
        files = [m for m in matches if m.is_file()]
        mirrored += [(f, f.relative_to(base).with_suffix("")) for f in files]
        if not files:
            problems.append((label, "the pattern matches no files"))
    else:
        problems.append((label, "no such file or folder"))


def _read_list(listing: Path, mirrored: list, loose: list, problems: list) -> None:
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = "no such list file" if isinstance(exc, FileNotFoundError) else \
            f"cannot read this list file ({exc.__class__.__name__})"
        problems.append((f"@{listing}", reason))
        return
    for number, line in enumerate(lines, 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        target = Path(entry).expanduser()
        if not target.is_absolute():  # relative to the list, not to where it is run
            target = listing.parent / target
        _expand(os.fspath(target), mirrored, loose, problems, listed=True,
                label=f"{listing}:{number}: {entry}")


def _audio_in(folder: Path) -> list[Path]:
    return sorted(f for f in folder.rglob("*")
                  if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES)


def _fixed_prefix(pattern: Path) -> Path:
    """The folder a glob's matches are mirrored from: its parts before the first wildcard."""
    fixed = []
    for part in pattern.parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _place_loose(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Loose files by stem; files sharing a stem get as many parent folder names as it
    takes to tell them apart (the same for any order of the arguments)."""
    by_stem: dict[str, list[Path]] = {}
    for p in dict.fromkeys(paths):
        by_stem.setdefault(p.stem, []).append(p)
    placed: dict[Path, Path] = {}
    for stem, group in by_stem.items():
        folders = [p.resolve().parent.parts[1:] for p in group]
        depth = 0
        while len({f[len(f) - depth:] for f in folders}) < len(group) and \
                depth < max(map(len, folders)):
            depth += 1
        for p, f in zip(group, folders):
            placed[p] = Path(*f[len(f) - depth:], stem)
    return [(p, placed[p]) for p in dict.fromkeys(paths)]


def _distinct(pairs: list[tuple[Path, Path]]) -> list[BatchInput]:
    """Each file once; clashing output places left after mirroring get -2, -3..."""
    seen_files: set[Path] = set()
    counts: dict[Path, int] = {}
    out = []
    for path, rel in pairs:
        key = path.resolve()
        if key in seen_files:
            continue
        seen_files.add(key)
        n = counts.get(rel, 0) + 1
        counts[rel] = n
        out.append(BatchInput(path, rel if n == 1 else rel.with_name(f"{rel.name}-{n}")))
    return out
