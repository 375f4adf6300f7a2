"""Shared rules for changing a consumer's state: stage moves, joining a pool, journey logging.

Stage moves are always counted as flows; joining a brand's pool sets consent, trust and source; a
tracked consumer's journey is logged.

Every stage change in every mechanism goes through :func:`move`, so the flow matrix balances the
stage census by construction and tests can check that it does.

This module is also the model's core component (no daily step): it declares the state of a
consumer's relationship with a brand's pool that every mechanism reads (trust, consent, when they
joined, from where, who referred them, any cool-off) and what joining writes.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import rng
from sim.model.component import DAY, FLAG, Param, RunState, Slots, State
from sim.model.population import is_tracked


def explicit_opt_in(kind: str) -> float:
    """1.0 under an explicit opt-in regime (Japan), 0.0 under implied consent (China)."""
    return 1.0 if kind == "explicit_opt_in" else 0.0


NAME = "pool"
PARAMS = {
    "MP_OPT_IN": Param("market.regime.kind", derive=explicit_opt_in, unit="flag",
                       source="Japan's Specified E-mail Act (opt-in) vs China's PIPL (implied consent); "
                              "regime kind of the scenario"),
    "MP_OPT_IN_RATE": Param("market.regime.marketing_opt_in_rate"),
    "MP_CONSENT_BONUS": Param("market.regime.consent_trust_bonus"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "BP_PAID_FEE": Param("brand.strategy.membership.paid.fee_per_year"),
    "BP_PAID_UPTAKE": Param("brand.strategy.membership.paid.uptake"),
}
STATE = {
    "TRUST": State("trust", np.float32, doc="Trust in the brand, 0 to 1."),
    "JOINED": State("joined", DAY, L.NEVER, doc="Day the consumer last joined the pool (-1: seed member)."),
    "COOLOFF": State("cooloff", DAY, L.NEVER, doc="No invitation before this day (after a decline or exit)."),
    "REFERRER": State("referrer", np.int32, -1, doc="Id of the member who referred them (-1: none)."),
    "CONSENT": State("consent", FLAG, doc="1 if the member consented to marketing messages."),
    "SOURCE": State("source", np.uint8, doc="How they joined (SOURCES)."),
    "OPTED_OUT": State("opted_out", FLAG, doc="1 after an opt-out or a complaint: no cold messages."),
    "LAST_CONTACT": State("last_contact", DAY, 0,
                          doc="Day the member last saw a brand message or joined (0 for seed members): attention."),
}
#: Every member of each brand's pool, carried from day to day with the joins logged since
#: (:func:`sim.model.carried.pool_members`): one list shared by the passes that visit every member.
RUN_STATE = {
    "pool_members": RunState(("brands",), object, None,
                             doc="The brand's members at the last reading, (ids, count), carried forward with the "
                                 "joins logged since (None until a pass first asks)."),
    "pool_members_read": RunState((), np.int64, 0, doc="The join log's count at the last reading of the members."),
}
TALLIES = {
    "T_J_SEED": "joins_seed", "T_J_ORGANIC": "joins_organic", "T_J_KOL": "joins_kol", "T_J_PARTNER": "joins_partner",
    "T_J_INTERCEPT": "joins_interception", "T_J_REFERRAL": "joins_referral",
    "T_PAID_NEW": "paid_members_new", "T_PTS_FORFEIT": "points_forfeited",
}
EVENTS = {"E_NONE": "none", "E_JOINED": "joined"}
#: Set-up draws, one per consumer for the whole run: segment, order of seeding and of journey tracking.
#: (Joining draws with the slots of the mechanism that made the consumer join.)
SEGMENT_SLOTS = Slots(rng.TRAITS, shared={"segment": (0, 1)}, day_offset=None)
SEEDING_SLOTS = Slots(rng.SEEDING, shared={"seed_order": (0, 1)}, day_offset=None)
JOURNEY_SLOTS = Slots(rng.JOURNEYS, shared={"tracking_order": (0, 1)}, day_offset=None)
SLOTS = (SEGMENT_SLOTS, SEEDING_SLOTS, JOURNEY_SLOTS)
step = None


#: One day's books, as kernels take them: flows (K, 5, 5) int64 between stages, money (K, N_MONEY) and
#: tally (K, N_TALLY) float64 (the day's rows of the run's arrays: views, written in place).
Books = namedtuple("Books", ("flows", "money", "tally"))
Books.__doc__ = """The day's stage flows, ledger and tallies (views of the run's arrays)."""


@njit(inline="always")
def log_event(jr, day, i, k, code, value):
    """Append one journey event to the :class:`~sim.model.population.Journal` if consumer ``i`` is tracked."""
    if is_tracked(jr.tracked, i):
        ev, ev_n = jr.ev, jr.ev_n
        n = ev_n[0]
        if n < ev.shape[0]:
            ev[n, 0] = day
            ev[n, 1] = i
            ev[n, 2] = k
            ev[n, 3] = code
            ev[n, 4] = value
            ev_n[0] = n + 1


@njit(inline="always")
def log_join(jr, i, k):
    """Log that consumer ``i`` joined brand ``k``'s pool, for readers that carry member lists forward.

    The log is a ring (entry ``n`` at ``n % capacity``) whose count never resets: each reader keeps the count
    it read up to, and when more than the capacity were logged since, it lists by a pass instead
    (:mod:`sim.model.carried`).
    """
    n = jr.joins_n[0]
    at = n % jr.joins.shape[0]
    jr.joins[at, 0] = i
    jr.joins[at, 1] = k
    jr.joins_n[0] = n + 1


@njit(inline="always")
def flag(rec, bit):
    """Whether the yes/no state ``bit`` (``L.BIT_CONSENT``...) is set in a consumer's record with a brand."""
    return (rec.flag_bits & bit) != 0


@njit(inline="always")
def set_flag(rec, bit, on):
    """Set (``on``) or clear the yes/no state ``bit`` in a consumer's record with a brand."""
    if on:
        rec.flag_bits = rec.flag_bits | bit
    else:
        rec.flag_bits = rec.flag_bits & (0xFF ^ bit)  # (not ~bit: negative, out of a byte's range in NumPy)


@njit(inline="always")
def move(stage, flows, i, k, to):
    """Move consumer ``i`` to stage ``to`` with brand ``k`` and count the flow."""
    frm = stage[i, k]
    flows[k, frm, to] += 1
    stage[i, k] = to


@njit(cache=True)
def join_pool(c, prm, books, jr, i, k, day, source, trust0, referrer, u_consent, u_paid):
    """Consumer ``i`` joins brand ``k``'s private pool from ``source``.

    Under explicit opt-in only those who tick the marketing box (``u_consent``) give consent; under
    implied consent joining is consent. Explicit consent adds a trust bonus. Points appetite decides
    whether a paid membership, if offered, is taken (``u_paid``).
    """
    mp, bp = prm.mp, prm.bp
    tally_k = books.tally[k]
    move(c.stage, books.flows, i, k, L.MEMBER)
    log_join(jr, i, k)
    consent = True
    trust = trust0
    if mp[L.MP_OPT_IN] > 0.5:
        if u_consent < mp[L.MP_OPT_IN_RATE]:
            trust += mp[L.MP_CONSENT_BONUS]
        else:
            consent = False
    rec = c.pair[i, k]
    set_flag(rec, L.BIT_CONSENT, consent)
    rec.source = source
    rec.tier = 0
    set_flag(rec, L.BIT_OPTED_OUT, False)
    rec.joined = day
    rec.last_contact = day  # joining is a contact: attention starts full
    rec.referrer = referrer
    rec.trust = min(trust, 1.0)
    tally_k[L.T_PTS_FORFEIT] += rec.points  # points kept after an opt-out lapse on rejoining
    rec.points = 0.0
    rec.spend_member = 0.0
    paid = bp[k, L.BP_PAID_FEE] > 0.0 and u_paid < bp[k, L.BP_PAID_UPTAKE] * c.traits[i, L.PTS]
    if paid:
        tally_k[L.T_PAID_NEW] += 1.0
    set_flag(rec, L.BIT_PAID, paid)
    tally_k[L.JOIN_TALLY_OF_SOURCE[source]] += 1.0
    log_event(jr, day, i, k, L.E_JOINED, source)


# ---- fatigue, shared by every brand, decays lazily ----------------------------------------------
@njit(inline="always")
def decay_factor(decay_days):
    """The share of fatigue left after one day: exp(-1 / T)."""
    return math.exp(-1.0 / decay_days)


@njit(inline="always")
def settled_fatigue(fatigue, fatigue_day, i, through, decay):
    """Consumer ``i``'s fatigue after the daily decays of every day up to ``through``; stored back.

    Fatigue decays lazily: ``fatigue[i]`` holds the value after the decay of day ``fatigue_day[i]``,
    and a reader first applies the days since, one day at a time with the same arithmetic as a daily
    pass over everyone (float32 times the float64 factor, stored as float32), so the value is bit for
    bit the one a daily pass would hold. Zero fatigue (most consumers: never messaged) stays zero.
    """
    f = fatigue[i]
    last = fatigue_day[i]
    if last < through:
        if f != 0.0:
            for _ in range(through - last):
                f = np.float32(f * decay)
            fatigue[i] = f
        fatigue_day[i] = through
    return f


@njit(cache=True)
def settle_all_fatigue(fatigue, fatigue_day, through, decay_days):
    """Bring every consumer's fatigue up to the end of day ``through`` (the end of a run, a change of T)."""
    decay = decay_factor(decay_days)
    for i in range(fatigue.shape[0]):
        settled_fatigue(fatigue, fatigue_day, i, through, decay)


def empty_events(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """An empty journey-event buffer (day, agent, brand, code, value) and its fill counter."""
    return np.zeros((capacity, 5), dtype=np.int32), np.zeros(1, dtype=np.int64)


def empty_joins(n: int) -> tuple[np.ndarray, np.ndarray]:
    """An empty log of joins (consumer, brand) for ``n`` consumers, and its count (see :func:`log_join`).

    The ring holds a 32nd of the population (at least 4096 joins); a reader that finds more logged since
    its last reading lists by a pass over everyone instead.
    """
    return np.zeros((max(4096, n // 32), 2), dtype=np.int32), np.zeros(1, dtype=np.int64)
