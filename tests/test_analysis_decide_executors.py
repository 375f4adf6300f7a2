"""The decision analyses give the same numbers on a Dask cluster and a process pool as in this process.

Break-even, risk, attribution and the budget planner (a differential-evolution search whose every
generation is one batch of runs, then a re-evaluation on fresh seeds).
"""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.analysis.attribution import LEDGER_DAILY, attribute
from sim.analysis.budget import plan_budget
from sim.analysis.compare import compare_scenarios
from sim.analysis.execution import Execution
from sim.analysis.risk import risk
from sim.analysis.robustness import breakeven

SMALL = ("run.population=600", "run.days=60")
SAAS = "brands.0.strategy.pool.saas_per_day"


def _analyses(ex: Execution) -> tuple:
    a = sim.resolve("china_in_china", [*SMALL, "brands.0.strategy.messaging.per_week=1"])
    b = sim.resolve("china_in_china", SMALL)
    be = breakeven(a, b, SAAS, 0, 2000, reps=2, max_evals=6, execution=ex)
    rk = risk("japan_in_japan", 3, execution=ex)
    comp = compare_scenarios(["japan_in_japan", "china_playbook_in_japan"], 2, daily_columns=LEDGER_DAILY,
                             execution=ex)
    plan = plan_budget("china_in_china", 3_000_000, channels=("ads",), reps=1, validation_reps=2, maxiter=1,
                       popsize=1, execution=ex)
    return be.evaluations, rk.samples, attribute(comp).per_seed, plan.history, plan.fresh


@pytest.fixture(scope="module")
def serial() -> tuple:
    """The serial numbers."""
    return _analyses(Execution(seed=4, overrides=SMALL, executor="serial"))


def test_dask_cluster_reproduces_the_decision_analyses(serial) -> None:
    """Break-even, risk, attribution and budget on a loopback Dask cluster (seeds in the call arguments)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        got = _analyses(Execution(seed=4, overrides=SMALL, scheduler=cluster.scheduler_address))
    for x, y in zip(got, serial, strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_process_pool_reproduces_the_decision_analyses(serial) -> None:
    """The same on the local process pool with two workers, progress counting every run."""
    seen: list[tuple[int, int]] = []
    got = _analyses(Execution(seed=4, overrides=SMALL, executor="process", workers=2,
                              progress=lambda d, t: seen.append((d, t))))
    for x, y in zip(got, serial, strict=True):
        pd.testing.assert_frame_equal(x, y)
    assert seen and all(d <= t for d, t in seen)
