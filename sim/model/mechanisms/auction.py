"""The public ad auction: the price of traffic rises with everyone's demand for it.

All brands' daily budgets plus competitors' demand (growing yearly; ITC c. 2019: Tmall Global's 20,000
brands expected to double in 3 years) form the demand D_t; the price of 1,000 impressions is
``CPM_t = cpm_base * (D_t / demand_ref)^elasticity``: competition makes traffic dear, the core
reason private traffic exists (ITC c. 2019, EO Intelligence 2022). A brand's impressions are spread over its
target segments by weight; a consumer sees at least one ad with probability
1 - exp(-impressions per person) (Poisson exposure) and becomes aware with ``ad_effectiveness``
(drawn in :mod:`sim.model.mechanisms.acquisition`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import layout as L
from sim.model.component import Param

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "auction"
PARAMS = {
    "MP_CPM_BASE": Param("market.platforms.cpm_base"),
    "MP_DEMAND_REF": Param("market.platforms.demand_ref"),
    "MP_ELASTICITY": Param("market.platforms.elasticity"),
    "MP_COMPETITORS": Param("market.platforms.competitor_demand"),
    "MP_COMPETITOR_GROWTH": Param("market.platforms.competitor_growth"),
    "MP_AD_EFF": Param("market.platforms.ad_effectiveness"),
}
TALLIES = {"T_CPM": "cpm", "T_IMPRESSIONS": "impressions"}
SLOTS = ()  # the auction clears deterministically


def cpm(total_demand: float, cpm_base: float, demand_ref: float, elasticity: float) -> float:
    """Price of 1,000 impressions for a given total daily ad demand."""
    return cpm_base * (max(total_demand, 1e-9) / demand_ref) ** elasticity


def ad_awareness_probability(budget: float, price_cpm: float, weights: np.ndarray, seg_people: np.ndarray,
                             effectiveness: float) -> np.ndarray:
    """Per-segment daily chance that a consumer becomes aware from one brand's ads.

    Args:
        budget: The brand's ad spend today.
        price_cpm: Today's CPM.
        weights: Targeting weight of each segment.
        seg_people: Real people in each segment (agents times ``represents``).
        effectiveness: Chance that a consumer who saw the ads becomes aware.
    """
    return ad_awareness_by_mass(budget, price_cpm, weights, float(np.dot(weights, seg_people)), effectiveness)


def ad_awareness_by_mass(budget: float, price_cpm: float, weights: np.ndarray, reach_mass: float,
                         effectiveness: float) -> np.ndarray:
    """:func:`ad_awareness_probability` given the targeted mass ``reach_mass = weights . seg_people``."""
    impressions = budget / price_cpm * 1000.0
    if impressions <= 0 or reach_mass <= 0:
        return np.zeros_like(weights)
    per_person = impressions * weights / reach_mass
    return -np.expm1(-per_person) * effectiveness


def reach_masses(model: MarketModel) -> list[float]:
    """Each brand's targeted mass ``target[k] . seg_people``, worked out once per packed parameter set.

    Both factors are fixed when the parameters are packed (a strategy phase swaps in another set), so the
    dot products are the same every day; they are kept with the set they came from.
    """
    packed = model.packed
    cached = model.__dict__.get("_reach_masses")
    if cached is not None and cached[0] is packed and cached[1] is model.seg_people:
        return cached[2]
    masses = [float(np.dot(packed.target[k], model.seg_people)) for k in range(model.k)]
    model._reach_masses = (packed, model.seg_people, masses)
    return masses


def clear(model: MarketModel, day: int) -> None:
    """Clear today's auction: the CPM, each brand's impressions and per-segment awareness chance.

    Writes ``model.ad_p`` and ``model.partner_p`` (today's exposure of partner pools) for acquisition.
    """
    packed = model.packed
    mp = packed.mp.tolist()  # Python floats: the same arithmetic as on the schema's values
    budgets = model.plan[:, L.PLAN_AD_BUDGET]
    competitors = mp[L.MP_COMPETITORS] * (1.0 + mp[L.MP_COMPETITOR_GROWTH]) ** (day / 365.0)
    price = cpm(budgets.sum() + competitors, mp[L.MP_CPM_BASE], mp[L.MP_DEMAND_REF], mp[L.MP_ELASTICITY])
    masses, tally, ad_p = reach_masses(model), model.tally[day], model.ad_p
    for k, budget in enumerate(budgets.tolist()):
        ad_p[k] = ad_awareness_by_mass(budget, price, packed.target[k], masses[k], mp[L.MP_AD_EFF])
        tally[k, L.T_CPM] = price
        tally[k, L.T_IMPRESSIONS] = budget / price * 1000.0
    model.partner_p[:] = packed.partner_expo


step = clear
