"""Budget planner: a total acquisition budget split across channels under constraints (issue 15 item 5)."""

from __future__ import annotations

import pytest

from sim.analysis.budget import plan_budget
from sim.analysis.execution import Execution
from sim.errors import SimInputError

SMALL = ("run.population=600", "run.days=60")
RUN = Execution(seed=9, overrides=SMALL, executor="serial")
SIZE = {"reps": 1, "validation_reps": 2, "maxiter": 2, "popsize": 3}


def test_ads_that_buy_nothing_get_the_least_money() -> None:
    """With ad effectiveness 0, ads are pure cost: the plan is the smallest ad budget the search tried."""
    run = RUN.replace(overrides=(*SMALL, "market.platforms.ad_effectiveness=0"))
    plan = plan_budget("china_in_china", 60 * 200_000, channels=["ads"], execution=run, **SIZE)
    assert plan.feasible
    assert plan.plan["ads"] == pytest.approx(plan.history["ads"].min())
    # profit falls by exactly the ad spend: the best in-sample profit belongs to the cheapest candidate
    h = plan.history.sort_values("ads")
    gaps = -h["profit"].diff().dropna() - h["ads"].diff().dropna() * 60
    assert gaps.abs().max() == pytest.approx(0, abs=1e-3)
    # fresh seeds are reported separately from the search seeds
    assert set(plan.meta["validation_seeds"]).isdisjoint(plan.meta["search_seeds"])
    assert plan.fresh.set_index("kpi").loc["profit", "n"] == 2


def test_budget_below_the_fixed_channels_is_infeasible() -> None:
    """China's content and KOL spend alone exceed a budget of 100 a day: no plan can meet it, and it says so."""
    plan = plan_budget("china_in_china", 60 * 100, channels=["ads"], execution=RUN, **SIZE)
    assert not plan.feasible
    assert not plan.fresh_holds()["budget"]


def test_the_plan_respects_budget_and_constraints_in_sample() -> None:
    """A feasible plan keeps acquisition spend within the budget and meets each constraint in the search."""
    plan = plan_budget("china_in_china", 60 * 150_000, channels=["ads", "content", "hooks"],
                       constraints=["complaints<=1000000"], execution=RUN, **SIZE)
    assert plan.feasible
    assert plan.in_sample["acquisition_spend"] <= 60 * 150_000 * (1 + 1e-9)
    feasible = plan.history[plan.history["feasible"]]
    assert plan.in_sample["profit"] == pytest.approx(feasible["profit"].max())
    s = plan.plan_scenario.brands[0].strategy
    assert s.acquisition.ad_budget_per_day == pytest.approx(plan.plan["ads"])
    assert s.acquisition.organic.cost_per_day == pytest.approx(plan.plan["content"])


def test_unpriced_channels_and_bad_budgets_are_refused() -> None:
    """Japan's preset has no KOL campaign (no price): funding KOL there is refused, as is a negative budget."""
    with pytest.raises(SimInputError, match="KOL"):
        plan_budget("japan_in_japan", 1e6, channels=["kol"], execution=RUN)
    with pytest.raises(SimInputError, match="positive"):
        plan_budget("china_in_china", -5, execution=RUN)
    with pytest.raises(SimInputError, match="channel"):
        plan_budget("china_in_china", 1e6, channels=["tv"], execution=RUN)
