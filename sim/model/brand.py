"""A brand: a Mesa agent that runs one strategy in the market.

Each morning the brand plans its day (``plan_day``): how much to bid in the ad auction, whether a
KOL campaign runs, how many broadcasts and cold messages go out. Consumers then react in the
mechanism kernels. Cadences are spread evenly: ``per_week = 3`` sends on 3 of every 7 days,
``per_week = 14`` sends two a day.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from sim.model import layout as L
from sim.model.mechanisms.plan import kol_view_probability
from sim.scenario.schema import Brand as BrandSpec

if TYPE_CHECKING:
    from sim.model.market import MarketModel


def sends_on_day(per_week: float, day: int) -> int:
    """Messages sent on ``day`` for a cadence of ``per_week``, spread evenly over the week."""
    if per_week <= 0:
        return 0
    rate = per_week / 7.0
    return math.floor((day + 1) * rate + 1e-9) - math.floor(day * rate + 1e-9)


class Brand(mesa.Agent):
    """A brand agent; ``index`` is its column in every per-brand array."""

    def __init__(self, model: MarketModel, index: int, spec: BrandSpec, tool: str) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.strategy = spec.strategy
        self.tool = tool

    def plan_day(self) -> None:
        """Write today's plan (ad budget, content, KOL, sends) into the model's plan matrix.

        Reads the brand's packed parameters (declared by :mod:`sim.model.mechanisms.plan`).
        """
        model = self.model
        day = model.day
        bp = model.packed.bp[self.index].tolist()
        row = model.plan[self.index]
        row[L.PLAN_AD_BUDGET] = bp[L.BP_AD_BUDGET]
        row[L.PLAN_ORGANIC] = bp[L.BP_ORG_REACH]
        row[L.PLAN_KOL] = kol_view_probability(bp[L.BP_KOL_FEE], bp[L.BP_KOL_REACH], model.people, day,
                                               int(bp[L.BP_KOL_EVERY]))
        row[L.PLAN_MESSAGES] = sends_on_day(bp[L.BP_PER_WEEK], day)
        row[L.PLAN_COLD] = sends_on_day(bp[L.BP_COLD_PER_WEEK], day)

    def fixed_costs(self, members_people: float, kol_today: bool) -> dict[int, float]:
        """Today's brand-level costs that do not scale with single consumers' actions.

        Reads the brand's packed parameters (declared by :mod:`sim.model.mechanisms.books`).
        """
        bp = self.model.packed.bp[self.index].tolist()
        staff = math.ceil(members_people / bp[L.BP_MEMBERS_PER_OPERATOR]) * bp[L.BP_OPERATOR_COST]
        saas = bp[L.BP_SAAS_DAY] + members_people * bp[L.BP_SAAS_MEMBER_MONTH] * 12.0 / 365.0
        return {
            L.C_ADS: bp[L.BP_AD_BUDGET],
            L.C_CONTENT: bp[L.BP_CONTENT_COST],
            L.C_KOL: bp[L.BP_KOL_FEE] if kol_today else 0.0,
            L.C_STAFF: staff,
            L.C_SAAS: saas,
            L.C_SECURITY: bp[L.BP_SECURITY],
        }
