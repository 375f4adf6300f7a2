"""Optimisation under constraints: the optimum respects the constraints, and binding ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.execution import Execution
from sim.analysis.optimise import OptimisationResult, optimise, parse_constraint
from sim.errors import SimInputError

SMALL = ["run.population=1000", "run.days=180"]
BUDGET = "brands.0.strategy.acquisition.ad_budget_per_day"


@pytest.fixture(scope="module")
def capped_cac() -> OptimisationResult:
    """Maximise revenue by ad budget while CAC stays at or below 80: dearer traffic makes the cap bind.

    At 4,000 consumers x 180 days CAC rises from about 34 (budget 5,000) to about 119 (60,000); the fines
    (one order under China's commercial-SMS rules, CNY 30,000, whatever the budget) stay under their cap.
    """
    sc = sim.resolve("china_in_china", ["run.population=4000", "run.days=180"])
    return optimise(
        sc,
        {"acquisition.ad_budget_per_day": (5000, 60000)},
        "revenue",
        constraints=["cac<=80", "fines<=100000"],
        reps=2,
        validation_reps=4,
        maxiter=4,
        popsize=5,
        execution=Execution(executor="serial"),
    )


def test_optimum_is_feasible_and_the_cac_cap_binds(capped_cac: OptimisationResult) -> None:
    """Optimum is feasible and the cac cap binds."""
    res = capped_cac
    assert res.feasible and res.maximise
    assert 5000 <= res.x[BUDGET] < 60000  # without the cap the optimiser would go to the top of the range
    rep = res.constraint_report.set_index("kpi")
    assert rep.loc["cac", "search_mean"] <= 80
    assert bool(rep.loc["cac", "binding"]) and not bool(rep.loc["fines", "binding"])
    # the search met richer candidates that broke the cap
    hist = res.history
    assert ((hist["revenue"] > res.search_value) & (hist["cac"] > 80)).any()


def test_validation_uses_fresh_seeds(capped_cac: OptimisationResult) -> None:
    """Validation uses fresh seeds."""
    meta = capped_cac.meta
    assert not set(meta["search_seeds"]) & set(meta["validation_seeds"])
    v = capped_cac.validation.set_index("kpi")
    assert list(v.index) == ["revenue", "cac", "fines"]
    assert v.loc["revenue", "n"] == 4
    assert v.loc["revenue", "ci_low"] <= v.loc["revenue", "mean"] <= v.loc["revenue", "ci_high"]


def test_optimum_scenario_and_folder(capped_cac: OptimisationResult, tmp_path: Path) -> None:
    """Optimum scenario and folder."""
    sc = capped_cac.optimum_scenario
    assert sc.brands[0].strategy.acquisition.ad_budget_per_day == pytest.approx(capped_cac.x[BUDGET])
    folder = capped_cac.save(tmp_path / "opt")
    assert {
        "scenario.yaml",
        "optimum.yaml",
        "history.csv",
        "validation.csv",
        "constraints.csv",
        "result.json",
        "manifest.json",
    } <= {p.name for p in folder.iterdir()}


def test_constraints_parse_and_reject_nonsense() -> None:
    """Constraints parse and reject nonsense."""
    c = parse_constraint("unsubs_per_1000 <= 4")
    assert (c.kpi, c.op, c.bound) == ("unsubs_per_1000", "<=", 4.0)
    assert c.holds(3.9) and not c.holds(4.1)
    assert parse_constraint("fines==0").holds(0.0) and not parse_constraint("fines==0").holds(1.0)
    assert parse_constraint("pool_size>=100").slack(150) == 50
    with pytest.raises(SimInputError, match="Did you mean 'unsubs_per_1000'"):
        parse_constraint("unsubs<=3")
    with pytest.raises(SimInputError, match="must look like"):
        parse_constraint("profit is big")
    with pytest.raises(SimInputError, match="bound must be a number"):
        parse_constraint("fines<=lots")


def test_bad_levers() -> None:
    """Bad levers."""
    sc = sim.resolve("china_in_china", SMALL)
    with pytest.raises(SimInputError, match="at least one lever"):
        optimise(sc, {}, execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="high end 100: must be at most 70"):
        optimise(sc, {"messaging.per_week": (1, 100)}, execution=Execution(executor="serial"))
