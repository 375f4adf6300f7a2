"""The dashboard's unit of work for process pools: one full run (no Streamlit import, picklable)."""

from __future__ import annotations

from typing import Any


def full_run(doc: dict[str, Any], seed: int) -> Any:
    """One full run (a ``RunResult``) of a scenario document with ``seed``."""
    import sim
    from sim.scenario.schema import Scenario

    return sim.run(Scenario.model_validate(doc), seed=int(seed))
