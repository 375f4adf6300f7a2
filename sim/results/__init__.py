"""Results layer: run results, KPIs, atomic run folders and spreadsheet-safe CSVs.

Public names load on first use (PEP 562), so a command that only writes a file through
:mod:`sim.results.folders` (``ptsim schema -o``) does not import the engine with :class:`RunResult`.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {"neutralise_frame": "csvsafe", "read_folder": "folders", "write_folder": "folders", "KPI_INFO": "kpis",
          "RunResult": "result"}

__all__ = ["KPI_INFO", "RunResult", "neutralise_frame", "read_folder", "write_folder"]


def __getattr__(name: str) -> Any:
    """Import the defining module of a public name on first access."""
    if name in _WHERE:
        value = getattr(importlib.import_module(f"sim.results.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.results' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
