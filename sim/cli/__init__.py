"""Command-line interface ``ptsim``.

The application and :func:`main` are in :mod:`sim.cli.application` (read from here too:
``from sim.cli import app, main``); the commands in one module per group (:data:`GROUPS`). This module
holds only the ``ptsim`` program, :func:`script`, so that it can pause the garbage collector before the
commands load.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from typing import Any

__all__ = ["EXIT_INCOMPLETE", "EXIT_INTERRUPTED", "EXIT_IO", "EXIT_USAGE", "GROUPS", "app", "build_app", "main",
           "script"]


#: The commands that run the engine: the script loads the model's modules for them before the cyclic garbage
#: collector starts (see :func:`script`); any other command loads only what it uses.
ENGINE_COMMANDS = frozenset({"run", "compare", "replicate", "sweep", "sensitivity", "optimise", "tournament",
                             "breakeven", "attribute", "risk", "cohorts", "budget", "pareto"})
#: The modules every engine command needs (loading them is most of a first run's start-up).
ENGINE_MODULES = ("sim.model.market", "sim.results.result")


def script(argv: list[str] | None = None) -> None:
    """The ``ptsim`` program: :func:`main` in a process that starts and ends faster.

    Two costs of the interpreter, not of the work, are taken off the time a user waits (about 0.2 s and
    0.4 s of a ``ptsim run`` of 3.4 s on the benchmark machine):

    - **Start-up.** Loading the modules creates a few hundred thousand objects that live as long as the
      process; the cyclic garbage collector scans them again and again while they load. It is paused
      while they load (those of the model too, for an engine command), they are then frozen out of
      its scans (:func:`gc.freeze`) and it runs as usual for the command itself, so long commands that
      make and drop many models still free them.
    - **Exit.** Tearing down the interpreter (every module, numba's compiled code) takes longer than
      the exit handlers that matter. Once the command has returned, the exit handlers registered with
      :mod:`atexit` run (log handlers, temporary folders, worker pools), standard output and error are
      flushed, and the process ends with the command's exit status without that teardown.

    :func:`main` itself (what tests call in-process) does neither.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``); for tests, which run this in a child process.
    """
    if argv is not None:
        sys.argv = ["ptsim", *argv]
    gc.disable()
    try:
        application = importlib.import_module("sim.cli.application")
        if len(sys.argv) > 1 and sys.argv[1] in ENGINE_COMMANDS:
            for name in ENGINE_MODULES:
                importlib.import_module(name)
    finally:
        gc.freeze()
        gc.enable()
    try:
        application.main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    _leave(code)


def _leave(code: object) -> None:
    """End the process as :func:`sys.exit` would with ``code``, after the exit handlers, without the teardown."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("text") prints the text and exits 1
        sys.stderr.write(f"{code}\n")
        status = 1
    atexit._run_exitfuncs()  # noqa: SLF001 (the handlers an interpreter exit would run: the same, in the same order)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more can be shown
            pass
    os._exit(status & 0xFF if status >= 0 else 1)


def __getattr__(name: str) -> Any:
    """The application's names (``app``, ``main``, ...), loaded on first use."""
    if name in __all__ and name != "script":
        return getattr(importlib.import_module("sim.cli.application"), name)
    raise AttributeError(f"module 'sim.cli' has no attribute {name!r}")
