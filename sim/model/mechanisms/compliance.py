"""Compliance and data risk: consent regimes, enforcement, fines and data breaches.

Regimes (seeds/000, DOMAIN.md): ``explicit_opt_in`` (Japan: the Specified E-mail Act requires
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
in Japan, where "leaks can sink a firm", seeds/000).
"""

from __future__ import annotations

from numba import njit

from sim.model.layout import (
    CONSENT, COOLOFF, CUSTOMER, E_BREACH_EXIT, MEMBER, OPTED_OUT, PSI, T_BREACH_EXITS, TRUST,
)
from sim.model.rng import uniform
from sim.model.state import log_event, move


@njit(cache=True)
def shock_kernel(day, k, trust_shock, exit_share, cooloff_days, stage, fs, ist, u8, traits, key_day,
                 flows, tally, ev, ev_n, tracked):
    """A public shock to brand ``k``: members lose trust; some leave (privacy-sensitive first)."""
    n = stage.shape[0]
    for i in range(n):
        if stage[i, k] != MEMBER:
            continue
        fs[i, k, TRUST] = fs[i, k, TRUST] * (1.0 - trust_shock)
        if exit_share > 0.0 and uniform(key_day, i, k) < exit_share * 2.0 * traits[i, PSI]:
            move(stage, flows, i, k, CUSTOMER)
            u8[i, k, CONSENT] = 0
            u8[i, k, OPTED_OUT] = 1
            ist[i, k, COOLOFF] = day + cooloff_days
            tally[k, T_BREACH_EXITS] += 1.0
            log_event(ev, ev_n, tracked, day, i, k, E_BREACH_EXIT, 0)


def enforcement_probability(violation_complaints: float, per_complaint: float) -> float:
    """Chance that at least one of today's complaints about violations leads to enforcement."""
    return 1.0 - (1.0 - per_complaint) ** violation_complaints


def breach_probability(records_people: float, rate_per_million_year: float, security_per_day: float,
                       halving: float) -> float:
    """Chance of a data breach today."""
    hazard = rate_per_million_year * records_people / 1e6 / 365.0 * 0.5 ** (security_per_day / halving)
    return min(hazard, 1.0)
