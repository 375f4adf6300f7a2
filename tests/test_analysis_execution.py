"""The execution object: one place for seed, overrides, executor and progress (issue 11 item 6)."""

from __future__ import annotations

import dataclasses

import pytest

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import spawn_seeds
from sim.analysis.replicate import replicate
from sim.analysis.sweep import sweep
from sim.errors import SimInputError

SMALL = ("run.population=600", "run.days=60")


def test_default_is_the_local_pool_with_the_scenarios_seed() -> None:
    """None means a process pool, the scenario's run.seed and no overrides."""
    ex = as_execution(None)
    assert ex == Execution() and ex.kind == "process" and ex.overrides == ()
    assert Execution(scheduler="tcp://h:1").kind == "dask"
    sc = ex.resolve("china_in_china", SMALL)
    assert ex.root(sc) == sc.run.seed and Execution(seed=9).root(sc) == 9


def test_is_frozen_and_checks_its_fields() -> None:
    """A shared value cannot be changed in place; bad values are refused with the field named."""
    ex = Execution(seed=3, overrides=["run.days=10"])
    assert ex.overrides == ("run.days=10",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex.seed = 4  # type: ignore[misc]
    assert ex.replace(seed=4).seed == 4 and ex.seed == 3
    with pytest.raises(SimInputError, match="workers"):
        Execution(workers=0)
    with pytest.raises(SimInputError, match="seed"):
        Execution(seed="7")  # type: ignore[arg-type]
    with pytest.raises(SimInputError, match="Execution"):
        as_execution("serial")  # type: ignore[arg-type]


def test_seed_overrides_and_progress_reach_the_runs() -> None:
    """The seed spawns the run seeds, the overrides reach the model, progress counts every run."""
    seen: list[tuple[int, int]] = []
    ex = Execution(seed=21, overrides=SMALL, executor="serial", progress=lambda d, t: seen.append((d, t)))
    ens = replicate("china_in_china", 3, execution=ex)
    assert ens.seeds == spawn_seeds(21, 3) and ens.root_seed == 21
    assert ens.scenario.run.population == 600 and ens.last_day == 59
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert ens.meta["executor"] == "serial"
    # the same object gives the same numbers again; another seed gives others
    again = replicate("china_in_china", 3, execution=ex.replace(progress=None))
    assert again.series.equals(ens.series)
    other = replicate("china_in_china", 3, execution=ex.replace(seed=22))
    assert not other.series.equals(ens.series)


def test_sweep_uses_the_execution_overrides_before_its_axes() -> None:
    """Overrides apply to the base scenario; the axis then sets its own values."""
    res = sweep("china_in_china", {"messaging.per_week": [1, 3]},
                execution=Execution(seed=5, overrides=SMALL, executor="serial"))
    assert res.scenario.run.population == 600 and res.seeds == spawn_seeds(5, 1)
    assert sorted(res.table["brands.0.strategy.messaging.per_week"].unique()) == [1, 3]
