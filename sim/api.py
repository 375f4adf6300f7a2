"""The public Python API: what a strategist scripts against, and what the CLI, the dashboard and
the notebooks use.

>>> import sim
>>> scenario = sim.load_scenario("china_in_china", ["run.population=20000"])
>>> result = sim.run(scenario)
>>> result.kpis(day=364)[["pool_size", "profit", "private_share"]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sim.model.market import MarketModel
from sim.results.result import RunResult
from sim.scenario.schema import Scenario


def run(scenario: Scenario, *, seed: int | None = None, validating: bool = False,
        progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run one scenario and return its result.

    Args:
        scenario: A validated scenario (see :func:`sim.load_scenario`).
        seed: Use this seed instead of ``scenario.run.seed`` (the returned scenario records it).
        validating: Check the conservation laws after every day (slower; for tests).
        progress: Optional ``progress(days_done, days_total)`` callback.
    """
    if seed is not None and seed != scenario.run.seed:
        scenario = scenario.model_copy(update={"run": scenario.run.model_copy(update={"seed": int(seed)})})
    model = MarketModel(scenario, validating=validating)
    wall = model.run_days(progress)
    return RunResult.from_model(model, wall)


def load_result(folder: str | Path) -> RunResult:
    """Load a saved run folder (checksums verified)."""
    return RunResult.load(folder)


def resolve(source: str | Path | Scenario | dict, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario from a preset name, a YAML path, a dict or a Scenario, with dotted overrides."""
    from sim.scenario.loader import apply_overrides, load_scenario

    if isinstance(source, Scenario):
        if not overrides:
            return source
        return load_scenario(apply_overrides(source.model_dump(mode="json"), overrides))
    return load_scenario(_preset_or_path(source), overrides)


def _preset_or_path(source: str | Path | dict) -> str | Path | dict:
    if isinstance(source, dict):
        return source
    p = Path(source)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    from sim.scenario.presets import preset_path

    return preset_path(str(source))
