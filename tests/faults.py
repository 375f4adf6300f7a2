"""Test-only fault injection: work units that kill their own pool worker (never imported by ``sim``).

Product code has no fault hook. A test wraps a real work unit (``run_kpis``, ``run_series``) in one of
these picklable callables and hands it to an analysis by monkeypatching the name the analysis module
calls (``sim.analysis.replicate.run_series``, ``sim.analysis.sweep.run_kpis``), or passes it to
:func:`sim.analysis.executors.map_runs` directly. The wrapper travels to the worker with every call
(pickled by reference to this module), so a forkserver started before the test still runs it.

* :class:`KillOnce` - the first run that manages to create a marker file kills its worker with SIGKILL
  (a transient crash);
* :class:`KillIf` - every run whose scenario has a value at a dotted path kills its worker (a run that
  always crashes, like one the out-of-memory killer stops every time).

Both act only inside a pool worker process (``multiprocessing.parent_process()`` is set), never in the
process that runs the test.

As a script, it runs the ``ptsim`` command line with ``sim.analysis.sweep.run_kpis`` wrapped in
:class:`KillIf` (for tests that run the command in a subprocess)::

    python tests/faults.py kill-if brands.0.strategy.messaging.per_week=5 -- sweep china_in_china ...
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _in_worker() -> bool:
    return multiprocessing.parent_process() is not None


def _die() -> None:
    sigkill = getattr(signal, "SIGKILL", None)
    if sigkill is not None:
        os.kill(os.getpid(), sigkill)
    os._exit(70)  # pragma: no cover - platforms without SIGKILL


class KillOnce:
    """A work unit whose first run in a pool worker that creates ``marker`` kills that worker."""

    def __init__(self, fn: Callable[..., Any], marker: str | Path) -> None:
        self.fn, self.marker = fn, str(marker)

    def __call__(self, *args: Any) -> Any:
        """Kill this worker if it is the first to create the marker; else run the wrapped unit."""
        if _in_worker():
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except OSError:
                return self.fn(*args)
            os.close(fd)
            _die()
        return self.fn(*args)


class KillIf:
    """A work unit that kills its pool worker whenever its scenario has ``value`` at the dotted ``path``."""

    def __init__(self, fn: Callable[..., Any], path: str, value: str) -> None:
        self.fn, self.path, self.value = fn, path, value

    def matches(self, scenario: Any) -> bool:
        """Whether ``scenario`` (a Scenario or its document) has the value at the path."""
        node: Any = scenario.model_dump(mode="json") if hasattr(scenario, "model_dump") else scenario
        for part in self.path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        try:
            return float(node) == float(self.value)
        except (TypeError, ValueError):
            return str(node) == self.value

    def __call__(self, *args: Any) -> Any:
        """Kill this worker if the run's scenario matches; else run the wrapped unit."""
        if _in_worker() and args and self.matches(args[0]):
            _die()
        return self.fn(*args)


def main(argv: list[str]) -> None:
    """``kill-if PATH=VALUE -- ptsim arguments...``: run the command line with a faulty sweep work unit."""
    kind, spec, sep, *rest = argv
    if kind != "kill-if" or sep != "--":
        raise SystemExit("usage: faults.py kill-if PATH=VALUE -- COMMAND ...")
    path, _, value = spec.partition("=")
    import sim.analysis.sweep as sweep_module
    from sim.cli import main as ptsim

    sweep_module.run_kpis = KillIf(sweep_module.run_kpis, path, value)
    sys.argv = ["ptsim", *rest]
    ptsim()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # so workers unpickle faults.KillIf by this name
    import faults  # noqa: E402 - the module under its importable name, not __main__

    faults.main(sys.argv[1:])
