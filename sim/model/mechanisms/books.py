"""Books closed: the stage census carried forward by the day's flows, and the brand's fixed costs.

The census after day ``d`` is the census before it plus every flow in minus every flow out, so the
census a run reports is built from counted moves (``validating=True`` recounts it from the arrays).
Fixed costs are the brand-level spend that no single consumer's action causes: the ad budget,
content, KOL fees on campaign days, operators (one per ``members_per_operator`` members, rounded
up), the pool tool's software fees and security spend (Rimaotong 2025 for the staffing levels).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model import layout as L
from sim.model.component import Param

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "books"
PARAMS = {
    "BP_AD_BUDGET": Param("brand.strategy.acquisition.ad_budget_per_day"),
    "BP_CONTENT_COST": Param("brand.strategy.acquisition.organic.cost_per_day"),
    "BP_KOL_FEE": Param("brand.strategy.acquisition.kol.fee"),
    "BP_OPERATOR_COST": Param("brand.strategy.pool.operator_cost_per_day"),
    "BP_SAAS_DAY": Param("brand.strategy.pool.saas_per_day"),
    "BP_MEMBERS_PER_OPERATOR": Param("tool.members_per_operator"),
    "BP_SAAS_MEMBER_MONTH": Param("tool.saas_per_member_month"),
    "BP_SECURITY": Param("brand.strategy.compliance.security_per_day"),
}
LEDGER = {
    "C_ADS": "ad_spend", "C_CONTENT": "content_cost", "C_KOL": "kol_fees", "C_STAFF": "operator_staff",
    "C_SAAS": "saas", "C_SECURITY": "security",
}
SLOTS = ()  # no chance involved


def step(model: MarketModel, day: int) -> None:
    """Carry the census forward by today's flows and book every brand's fixed costs."""
    f = model.flows[day]
    model.census[day + 1] = model.census[day] + f.sum(axis=1) - f.sum(axis=2)
    for b, brand in enumerate(model.brands):
        members = model.census[day + 1, b, L.MEMBER] * model.rep
        kol_today = model.plan[b, L.PLAN_KOL] > 0
        for item, amount in brand.fixed_costs(members, kol_today).items():
            model.money[day, b, item] += amount
