"""Trade-offs: the Pareto front with pymoo's NSGA-II, each point a runnable scenario (issue 15 item 6)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import sim
from sim.analysis.execution import Execution
from sim.analysis.executors import run_kpis
from sim.analysis.pareto import non_dominated, pareto
from sim.errors import SimInputError

SMALL = ("run.population=600", "run.days=60")
RUN = Execution(seed=8, overrides=SMALL, executor="serial")


def test_non_dominated_known_sets() -> None:
    """Textbook cases: a dominated point is dropped, ties and incomparable points stay."""
    c = np.array([[1, 5], [2, 2], [3, 3], [5, 1], [2, 2]])
    assert non_dominated(c).tolist() == [True, True, False, True, True]
    assert non_dominated(np.array([[0, 0], [np.inf, 0]])).tolist() == [True, False]


def test_agreeing_objectives_collapse_the_front_to_the_best_point() -> None:
    """A pure fixed cost lowers profit and ROI alike: the front is one point, the lowest fee evaluated."""
    fee = "brands.0.strategy.pool.saas_per_day"
    res = pareto("china_in_china", {fee: (0, 1000)}, ("profit", "marketing_roi"), reps=1, pop_size=6,
                 generations=3, execution=RUN)
    assert len(res.front) == 1
    assert res.front[fee].iloc[0] == pytest.approx(res.history[fee].min())


def test_front_points_are_undominated_and_runnable(tmp_path) -> None:
    """No evaluated candidate dominates a front point, and a point's YAML reruns to its numbers."""
    levers = {"messaging.per_week": (0, 14), "compliance.cold_outreach_per_week": (0, 7)}
    res = pareto("china_in_china", levers, ("profit", "complaints"), reps=1, pop_size=6, generations=2,
                 execution=RUN)
    assert len(res.history) >= 6 and len(res.front) >= 1
    cost = np.column_stack([-res.history["profit"], res.history["complaints"]])
    for _, p in res.front.iterrows():
        q = np.array([-p["profit"], p["complaints"]])
        assert not np.any(np.all(cost <= q, axis=1) & np.any(cost < q, axis=1))
    doc = yaml.safe_load(res.scenario_yaml(0))
    sc = sim.resolve(doc)
    again = run_kpis(sc, res.seeds[0]).iloc[0]
    assert again["profit"] == pytest.approx(res.front.loc[0, "profit"], rel=1e-12)
    out = res.save(tmp_path / "pareto")
    assert (out / "points" / "point_0.yaml").exists() and (out / "front.csv").exists()


def test_pareto_checks_its_input() -> None:
    """One objective, an unknown KPI or a huge budget is refused before any run."""
    with pytest.raises(SimInputError, match="two or three"):
        pareto("china_in_china", {"messaging.per_week": (0, 14)}, ("profit",), execution=RUN)
    with pytest.raises(SimInputError, match="KPI"):
        pareto("china_in_china", {"messaging.per_week": (0, 14)}, ("profit", "complaint"), execution=RUN)
    with pytest.raises(SimInputError, match="cap"):
        pareto("china_in_china", {"messaging.per_week": (0, 14)}, pop_size=1000, generations=100, reps=5,
               execution=RUN)
