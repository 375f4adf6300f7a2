"""Compliance and data risk: consent regimes, enforcement, fines and data breaches.

Regimes (Rimaotong 2025): ``explicit_opt_in`` (Japan: the Specified E-mail Act requires
opt-in for marketing messages, fines up to 30M yen for a corporation; APPI governs data use, up to
100M yen for a corporation that ignores an order) and ``implied_consent_with_easy_exit`` (China:
joining a group or adding a contact counts as consent, PIPL requires an easy refusal).

Messages that break the regime are counted as violations in :mod:`messaging`; each complaint about
one leads to enforcement with probability ``enforcement_per_violation_complaint``. An enforcement
costs ``fine_per_enforcement`` and, once public, lowers every member's trust by
``enforcement_trust_shock``.

Data breaches arrive with hazard ``rate * records / 1e6 / 365 * 0.5^(security / halving)`` per day,
where records are the people whose data the brand holds (customers and members). A breach costs
``breach.fine``, lowers members' trust by ``breach.trust_shock`` and makes each member leave with
probability ``breach.optout_share * 2 psi`` (privacy-sensitive members leave first; much stronger
in Japan, where "leaks can sink a firm", Rimaotong 2025).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numba import njit

from sim.model import layout as L
from sim.model import rng
from sim.model.component import Param, Slots
from sim.model.rng import uniform
from sim.model.state import log_event, move

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "compliance"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_ENFORCE_PER_COMPLAINT": Param("market.regime.enforcement_per_violation_complaint"),
    "MP_ENFORCE_FINE": Param("market.regime.fine_per_enforcement"),
    "MP_ENFORCE_SHOCK": Param("market.regime.enforcement_trust_shock"),
    "MP_BREACH_RATE": Param("market.regime.breach.rate_per_million_records_year"),
    "MP_BREACH_FINE": Param("market.regime.breach.fine"),
    "MP_BREACH_SHOCK": Param("market.regime.breach.trust_shock"),
    "MP_BREACH_EXIT": Param("market.regime.breach.optout_share"),
    "MP_SECURITY_HALVING": Param("market.regime.breach.security_halving"),
    "BP_SECURITY": Param("brand.strategy.compliance.security_per_day"),
    "BP_COOLOFF": Param("brand.strategy.interception.cooloff_days"),
}
TALLIES = {"T_ENFORCE": "enforcements", "T_BREACHES": "breaches", "T_BREACH_EXITS": "breach_exits"}
LEDGER = {"C_FINES": "fines"}
EVENTS = {"E_BREACH_EXIT": "left_after_breach"}
#: Day offsets of the shocks' keys (a second and third key of the compliance stream; farther apart
#: than the longest horizon, so no shock key is ever another day's brand-draw key).
ENFORCEMENT_SHOCK_DAYS, BREACH_SHOCK_DAYS = 100_000, 200_000
#: Brand-level draws (the agent index is the brand), then each shock's member exits (slot = brand).
BRAND_DRAWS = Slots(rng.COMPLIANCE, shared={"enforcement": (0, 1), "breach": (1, 1)})
SLOTS = (
    BRAND_DRAWS,
    Slots(rng.COMPLIANCE, block=1, ranges={"enforcement_exit": (0, 1)}, day_offset=ENFORCEMENT_SHOCK_DAYS),
    Slots(rng.COMPLIANCE, block=1, ranges={"breach_exit": (0, 1)}, day_offset=BREACH_SHOCK_DAYS),
)


@njit(cache=True)
def shock_kernel(day, k, trust_shock, exit_share, cooloff_days, stage, fs, ist, u8, traits, key_day,
                 flows, tally, ev, ev_n, tracked):
    """A public shock to brand ``k``: members lose trust; some leave (privacy-sensitive first)."""
    n = stage.shape[0]
    for i in range(n):
        if stage[i, k] != L.MEMBER:
            continue
        fs[i, k, L.TRUST] = fs[i, k, L.TRUST] * (1.0 - trust_shock)
        if exit_share > 0.0 and uniform(key_day, i, k) < exit_share * 2.0 * traits[i, L.PSI]:
            move(stage, flows, i, k, L.CUSTOMER)
            u8[i, k, L.CONSENT] = 0
            u8[i, k, L.OPTED_OUT] = 1
            ist[i, k, L.COOLOFF] = day + cooloff_days
            tally[k, L.T_BREACH_EXITS] += 1.0
            log_event(ev, ev_n, tracked, day, i, k, L.E_BREACH_EXIT, 0)


def enforcement_probability(violation_complaints: float, per_complaint: float) -> float:
    """Chance that at least one of today's complaints about violations leads to enforcement."""
    return 1.0 - (1.0 - per_complaint) ** violation_complaints


def breach_probability(records_people: float, rate_per_million_year: float, security_per_day: float,
                       halving: float) -> float:
    """Chance of a data breach today."""
    hazard = rate_per_million_year * records_people / 1e6 / 365.0 * 0.5 ** (security_per_day / halving)
    return min(hazard, 1.0)


def apply_enforcement(model: MarketModel, b: int, day: int) -> None:
    """Apply one enforcement action's consequences to brand ``b`` on ``day``.

    The plain entry used by the daily step and by scheduled stress events: counts the action, books its
    fine and, once public, lowers members' trust. Draws only from the compliance stream's shock key of
    the day (no other mechanism's luck moves).
    """
    mp = model.packed.mp.tolist()
    p = model.pop
    tally, money, flows = model.tally[day], model.money[day], model.flows[day]
    cooloff = int(model.packed.bp[b, L.BP_COOLOFF])
    tally[b, L.T_ENFORCE] += 1
    money[b, L.C_FINES] += mp[L.MP_ENFORCE_FINE]
    shock_kernel(day, b, mp[L.MP_ENFORCE_SHOCK], 0.0, cooloff, p.stage, p.fs, p.ist, p.u8, p.traits,
                 rng.key(model.seed, rng.COMPLIANCE, day + ENFORCEMENT_SHOCK_DAYS), flows, tally,
                 model.ev, model.ev_n, p.tracked)


def apply_breach(model: MarketModel, b: int, day: int) -> None:
    """Apply one data breach's consequences to brand ``b`` on ``day``.

    The plain entry used by the daily step and by scheduled stress events: counts the breach, books its
    cost, lowers members' trust and makes some members leave (privacy-sensitive first).
    """
    mp = model.packed.mp.tolist()
    p = model.pop
    tally, money, flows = model.tally[day], model.money[day], model.flows[day]
    cooloff = int(model.packed.bp[b, L.BP_COOLOFF])
    tally[b, L.T_BREACHES] += 1
    money[b, L.C_FINES] += mp[L.MP_BREACH_FINE]
    shock_kernel(day, b, mp[L.MP_BREACH_SHOCK], mp[L.MP_BREACH_EXIT], cooloff, p.stage, p.fs, p.ist,
                 p.u8, p.traits, rng.key(model.seed, rng.COMPLIANCE, day + BREACH_SHOCK_DAYS), flows,
                 tally, model.ev, model.ev_n, p.tracked)


def step(model: MarketModel, day: int) -> None:
    """Enforcement after complaints about unlawful messages, then data breaches, brand by brand."""
    mp = model.packed.mp.tolist()  # Python floats: the same arithmetic as on the schema's values
    key = rng.key(model.seed, rng.COMPLIANCE, day)
    tally = model.tally[day]
    for b in range(model.k):
        bp = model.packed.bp[b].tolist()
        complaints = tally[b, L.T_VIOL_COMPLAINTS] * model.rep
        if complaints > 0 and rng.uniform_py(key, b, BRAND_DRAWS.first("enforcement")) < enforcement_probability(
                complaints, mp[L.MP_ENFORCE_PER_COMPLAINT]):
            apply_enforcement(model, b, day)
        records = tally[b, L.T_RECORDS] * model.rep
        pb = breach_probability(records, mp[L.MP_BREACH_RATE], bp[L.BP_SECURITY], mp[L.MP_SECURITY_HALVING])
        if pb > 0 and rng.uniform_py(key, b, BRAND_DRAWS.first("breach")) < pb:
            apply_breach(model, b, day)
