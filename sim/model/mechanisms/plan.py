"""Brands plan the day: ad budget, organic content, KOL campaign days, broadcasts and cold messages.

Each brand is a Mesa agent (:class:`sim.model.brand.Brand`); each morning it writes one row of the
plan matrix that the consumer mechanisms read: ``plan[k, L.PLAN_*]``. Cadences are spread evenly over
the week (``per_week = 3`` sends on 3 of every 7 days, ``per_week = 14`` sends two a day); a KOL
campaign runs every ``every_days`` days and exposes ``reach`` people (Ebrun n.d.).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.component import Param

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "plan"
PARAMS = {
    "BP_AD_BUDGET": Param("brand.strategy.acquisition.ad_budget_per_day"),
    "BP_ORG_REACH": Param("brand.strategy.acquisition.organic.reach_per_day"),
    "BP_KOL_FEE": Param("brand.strategy.acquisition.kol.fee"),
    "BP_KOL_REACH": Param("brand.strategy.acquisition.kol.reach"),
    "BP_KOL_EVERY": Param("brand.strategy.acquisition.kol.every_days"),
    "BP_PER_WEEK": Param("brand.strategy.messaging.per_week"),
    "BP_COLD_PER_WEEK": Param("brand.strategy.compliance.cold_outreach_per_week"),
}
SLOTS = ()  # planning is deterministic


def kol_view_probability(fee: float, reach_people: float, n_people: float, day: int, every_days: int) -> float:
    """Chance a consumer is one of the followers exposed on a KOL campaign day (0 otherwise)."""
    if fee <= 0 or reach_people <= 0 or day % every_days != 0:
        return 0.0
    return min(1.0, reach_people / n_people)


def step(model: MarketModel, day: int) -> None:
    """Every brand writes today's plan (see :meth:`sim.model.brand.Brand.plan_day`).

    The brands are the model's only agents, in the order Mesa's ``model.agents.do("plan_day")`` visits them
    (the order they were created): calling them directly skips the agent set's weak references (about
    10 us a day).
    """
    for brand in model.brands:
        brand.plan_day()
