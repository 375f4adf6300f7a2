"""The private-traffic strategy sandbox.

An agent-based model of consumers flowing between public platforms, partners' pools and brands'
private pools, with the analysis tools to compare China-style private traffic with Japan's
membership commerce. Public API::

    import sim
    scenario = sim.resolve("china_in_china", ["run.population=20000"])
    result = sim.run(scenario)
    result.kpis()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim._version import __version__
from sim.errors import Problem, SimInputError  # noqa: E402

if TYPE_CHECKING:
    from sim.api import load_result, resolve, run
    from sim.results.result import RunResult
    from sim.scenario.schema import Scenario

#: Public names imported on first use, so that ``import sim`` (and every command that does not run a
#: model, such as ``ptsim list``) does not pay for the engine: numba, Mesa, pandas, SciPy.
_LAZY = {"load_result": "sim.api", "resolve": "sim.api", "run": "sim.api", "RunResult": "sim.results.result",
         "Scenario": "sim.scenario.schema"}


def __getattr__(name: str) -> Any:
    """Import a public name of :data:`_LAZY` on first access (PEP 562)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["Problem", "RunResult", "Scenario", "SimInputError", "__version__", "load_result", "resolve", "run"]
