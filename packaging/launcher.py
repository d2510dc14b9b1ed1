"""The frozen app's entry point: the ``twintrack`` command, as PyInstaller starts it.

A frozen app has no Python interpreter to start children with, so the children
Twintrack starts with ``sys.executable`` reach this script instead:

* ``multiprocessing`` children (the GUI's warm worker processes are *spawned*, and
  their resource tracker) are diverted by :func:`multiprocessing.freeze_support`,
  which must run before any argument parsing;
* :mod:`core.jitcache` builds and checks the compiled-kernel cache in children it
  starts as ``sys.executable -m core.app.warmup build|check``: the ``-m`` form is
  honoured here for the modules in :data:`CHILD_MODULES` only.

Everything else is the ordinary command line (:func:`core.cli.main`), whose ``gui``
subcommand finds the window through the ``twintrack.frontends`` entry point that the
spec ships as metadata (``packaging/twintrack.spec``).
"""

from __future__ import annotations

import multiprocessing
import runpy
import sys

#: Modules a frozen child may be started with (``twintrack -m MODULE ARGS``).
CHILD_MODULES = frozenset({"core.app.warmup"})


def _run_child_module(argv: list[str]) -> int:
    """Run ``argv = [exe, "-m", MODULE, *args]`` as ``python -m`` would; the exit status."""
    module = argv[2] if len(argv) > 2 else ""
    if module not in CHILD_MODULES:
        print(f"twintrack: -m {module or '(no module)'}: not a module this app runs "
              f"(it runs {', '.join(sorted(CHILD_MODULES))})", file=sys.stderr)
        return 2
    sys.argv = [argv[0], *argv[3:]]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as done:  # the module's own sys.exit(status)
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def main() -> int:
    """Dispatch: a multiprocessing child, a ``-m`` child, or the command line."""
    multiprocessing.freeze_support()  # returns only in the parent process
    if len(sys.argv) > 1 and sys.argv[1] == "-m":
        return _run_child_module(sys.argv)
    from core.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
