"""The ``twintrack`` command line.

Subcommands::

    twintrack analyze FILE/FOLDER/GLOB/@LIST... --out-dir DIR [--format F,...] [--force]
                      [--report REPORT.jsonl] [--cluster local[:N]|tcp://HOST:PORT]
    twintrack score ESTIMATE REFERENCE
    twintrack plan ANALYSIS.json --mode single|multi --variants N --out-dir DIR
    twintrack render TIMELINE.json --out render.wav [--midi render.mid] [--seed N]
    twintrack gallery [--out-dir gallery]
    twintrack corpus OUT_DIR [--per-descriptor N --durations 10,30,60 | --from-folder DIR | --from-csv FILE]
    twintrack corpus-merge CORPUS CORPUS... -o OUT_DIR
    twintrack train CORPUS... --out model.skops [--kind knn|mlp] | --target genre --cv 5
    twintrack compare ORIGINAL --renders DIR [--json OUT]
    twintrack gui [FILES...] [--render RENDER.wav]
    twintrack demo [--out-dir demo-output]
    twintrack warmup
    twintrack fit-pca AUDIO... --version pca-vN

:func:`main` is the entry point; :mod:`core.cli.parser` holds the arguments and
:mod:`core.cli.commands` the subcommands.  Only this package prints; everything it
calls (:mod:`core.app` and below) returns data or raises a
:class:`~core.errors.TwintrackError`, which becomes one clear line on stderr.
"""

from __future__ import annotations

import logging
import sys

from core.cli.parser import build_parser
from core.errors import TwintrackError

__all__ = ["main"]

logger = logging.getLogger(__name__)


#: Subcommands that analyse audio, and so run librosa's compiled kernels.
_ANALYSES = frozenset({"analyze", "demo", "compare", "corpus", "fit-pca"})


def _prepare_kernels(*, quiet: bool) -> None:
    """Make sure the shared compiled-kernel cache is complete before any analysis starts
    (and before worker processes fork); on a fresh machine that takes half a minute, once."""
    from core import jitcache

    def say(message: str) -> None:  # called only before a slow step (a build or a wait)
        if not quiet:
            print(f"twintrack: first run: {message}, about 30 s, once", file=sys.stderr)

    jitcache.prepare(progress=say)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``twintrack`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from core.cli import commands

    handler = getattr(commands, f"cmd_{args.command.replace('-', '_')}")
    try:
        if args.command in _ANALYSES:
            _prepare_kernels(quiet=getattr(args, "quiet", False))
        return handler(args)
    except TwintrackError as exc:
        print(f"twintrack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("twintrack: interrupted", file=sys.stderr)
        return 130

