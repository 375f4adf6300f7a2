"""Member capture in stores, at events and service centres (Japan's member sources, Rimaotong 2025).

Rimaotong 2025 lists stores, events and service centres among the sources of a Japanese brand's
members, next to the own site and the marketplaces; the Private e-commerce encyclopedia 2025 names
the QR code in the store ("scan to get a sample") as an interception route. The rules (functional
forms: assumption):

- **Footfall.** The brand's ``touchpoints`` each receive ``footfall_per_day`` visitors, drawn
  uniformly from the market: a consumer visits on a day with probability
  ``p_visit = min(1, touchpoints * footfall_per_day / people)``. Members who visit change nothing.
- **Purchase in store.** A visitor who is not a member buys one basket ``b`` with probability
  ``purchase_share``: revenue ``b * rep`` (booked as ``revenue_store``: no platform commission; the
  cost of goods and the payment fee apply). An unaware, aware or lapsed buyer becomes a customer (a
  first purchase when they were unaware or aware).
- **Sign-up at the till.** The buyer, unless in a cool-off, joins the pool (source ``store``) with
  probability ``signup_share * (1 - psi)^w`` (``w``: the market's ``invite_psi_weight``). No consent
  form friction applies: consent is asked in person, and under explicit opt-in the sign-up ticks
  marketing consent with probability ``on_spot_consent`` (instead of the market's opt-in rate).
- **Events.** ``events_per_year`` events are spread evenly over the year (an event on day ``d`` when
  ``floor((d + 1) r / 365) > floor(d r / 365)``); on an event day a consumer visits with probability
  ``min(1, visitors_per_event / people)``. An unaware or lapsed visitor becomes aware; a visitor who
  is not a member, unless in a cool-off, signs up on the spot (source ``event``) with probability
  ``event_signup_share * (1 - psi)^w``, with the same in-person consent.
- **Costs.** ``touchpoints * cost_per_touchpoint_day`` every day (``store_costs``) and
  ``cost_per_event`` on each event day (``event_costs``).

Switched off (no touchpoints, no events) the step draws nothing and writes nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model.component import Param, Slots
from sim.model.kernel import kernel
from sim.model.population import SPAN, ids_of_span
from sim.model.rng import uniform
from sim.model.state import join_pool, log_event, move

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "stores"
#: The rng stream of this component (21-29 are reserved for the levers of issue 13, one each).
STREAM = 21
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "MP_ACCEPT_PSI": Param("market.behaviour.invite_psi_weight"),
    "BP_COGS": Param("brand.strategy.product.cogs_rate"),
    "BP_COOLOFF": Param("brand.strategy.interception.cooloff_days"),
    "BP_STORE_TOUCHPOINTS": Param("brand.strategy.stores.touchpoints"),
    "BP_STORE_FOOTFALL": Param("brand.strategy.stores.footfall_per_day"),
    "BP_STORE_BUY": Param("brand.strategy.stores.purchase_share"),
    "BP_STORE_SIGNUP": Param("brand.strategy.stores.signup_share"),
    "BP_STORE_CONSENT": Param("brand.strategy.stores.on_spot_consent"),
    "BP_STORE_COST": Param("brand.strategy.stores.cost_per_touchpoint_day"),
    "BP_EVENTS_YEAR": Param("brand.strategy.stores.events_per_year"),
    "BP_EVENT_VISITORS": Param("brand.strategy.stores.visitors_per_event"),
    "BP_EVENT_SIGNUP": Param("brand.strategy.stores.event_signup_share"),
    "BP_EVENT_COST": Param("brand.strategy.stores.cost_per_event"),
}
JOIN_SOURCES = {"SRC_STORE": "store", "SRC_EVENT": "event"}
TALLIES = {"T_STORE_VISITS": "store_visits", "T_PUR_STORE": "purchases_store", "T_EVENT_VISITS": "event_visits",
           "T_J_STORE": "joins_store", "T_J_EVENT": "joins_event"}
LEDGER = {"REV_STORE": "revenue_store", "C_STORES": "store_costs", "C_EVENTS": "event_costs"}
REVENUE = ("REV_STORE",)
EVENTS = {"E_BUY_STORE": "bought_in_store", "E_EVENT_VISIT": "visited_event"}
DAY_SLOTS = Slots(STREAM, block=16, ranges={
    "visit": (0, 1), "buy": (1, 1), "signup": (2, 1), "consent": (3, 1), "paid": (4, 1),
    "event_visit": (5, 1), "event_signup": (6, 1), "event_consent": (7, 1), "event_paid": (8, 1)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_VISIT, S_BUY, S_SIGNUP, S_CONSENT, S_PAID, S_EVENT_VISIT, S_EVENT_SIGNUP, S_EVENT_CONSENT, S_EVENT_PAID = (
    DAY_SLOTS.first(n) for n in ("visit", "buy", "signup", "consent", "paid", "event_visit", "event_signup",
                                 "event_consent", "event_paid"))


def events_on_day(per_year: float, day: int) -> int:
    """Events held on ``day`` for ``per_year`` events a year, spread evenly (0 or 1 for up to 365 a year)."""
    if per_year <= 0:
        return 0
    rate = per_year / 365.0
    return math.floor((day + 1) * rate + 1e-9) - math.floor(day * rate + 1e-9)


@njit(inline="always")
def in_person_consent(u, on_spot):
    """The consent draw handed to ``join_pool``: 0 (consents) with chance ``on_spot``, else 1 (declines).

    ``join_pool`` gives consent under explicit opt-in when its draw is below the market's opt-in rate,
    so a draw of 0 consents (unless that rate is 0: nobody may consent) and a draw of 1 never does.
    """
    return 0.0 if u < on_spot else 1.0


@njit(cache=True)
def visitors_span(start, stop, key_day, slot, p_store, p_event, mask, who):
    """Ids, in order, of consumers ``start <= i < stop`` who visit a store or today's event; returns how many.

    The mask is built without branches (SIMD lanes: the draws are integer arithmetic), one chance at a time,
    then the ids. A visit changes only the visitor's own state and the draws depend on nobody's state, so the
    visitors are fixed before the first visit, as in one pass over everyone.
    """
    size = stop - start
    for r in range(size):
        mask[r] = 0
    if p_store > 0.0:
        for r in range(size):
            mask[r] |= uniform(key_day, start + r, slot + S_VISIT) < p_store
    if p_event > 0.0:
        for r in range(size):
            mask[r] |= uniform(key_day, start + r, slot + S_EVENT_VISIT) < p_event
    return ids_of_span(mask, start, size, who)


@njit(inline="always")
def visit(c, prm, books, jr, day, key_day, k, i, p_store, p_event):
    """Consumer ``i``'s store visit, then event visit, with brand ``k`` today: each one if drawn."""
    stage, pair, traits = c.stage, c.pair, c.traits
    mp, bp = prm.mp, prm.bp
    flows, money, tally = books.flows, books.money, books.tally
    rep = mp[L.MP_REP]
    w_psi = mp[L.MP_ACCEPT_PSI]
    trust0 = mp[L.MP_TRUST0]
    consent = bp[k, L.BP_STORE_CONSENT]
    slot = BLOCK * k
    if p_store > 0.0 and uniform(key_day, i, slot + S_VISIT) < p_store:
        tally[k, L.T_STORE_VISITS] += 1.0
        s = stage[i, k]
        if s != L.MEMBER and uniform(key_day, i, slot + S_BUY) < bp[k, L.BP_STORE_BUY]:
            price = traits[i, L.BASKET]
            gross = price * rep
            money[k, L.REV_STORE] += gross
            money[k, L.C_COGS] += gross * bp[k, L.BP_COGS]
            money[k, L.C_PAYMENT] += gross * mp[L.MP_PAYFEE]
            tally[k, L.T_PUR_STORE] += 1.0
            pair[i, k].last_purchase = day
            if s == L.UNAWARE or s == L.AWARE:
                tally[k, L.T_FIRST] += 1.0
            if s != L.CUSTOMER:
                move(stage, flows, i, k, L.CUSTOMER)
            log_event(jr, day, i, k, L.E_BUY_STORE, int(price))
            if pair[i, k].cooloff <= day and \
                    uniform(key_day, i, slot + S_SIGNUP) < bp[k, L.BP_STORE_SIGNUP] * (1.0 - traits[i, L.PSI]) ** w_psi:
                join_pool(c, prm, books, jr, i, k, day, L.SRC_STORE, trust0, -1,
                          in_person_consent(uniform(key_day, i, slot + S_CONSENT), consent),
                          uniform(key_day, i, slot + S_PAID))
    if p_event > 0.0 and uniform(key_day, i, slot + S_EVENT_VISIT) < p_event:
        tally[k, L.T_EVENT_VISITS] += 1.0
        s = stage[i, k]
        if s == L.MEMBER:
            return
        event_signup = bp[k, L.BP_EVENT_SIGNUP]
        log_event(jr, day, i, k, L.E_EVENT_VISIT, 0)
        if s == L.UNAWARE or s == L.LAPSED:
            move(stage, flows, i, k, L.AWARE)
        if pair[i, k].cooloff <= day and \
                uniform(key_day, i, slot + S_EVENT_SIGNUP) < event_signup * (1.0 - traits[i, L.PSI]) ** w_psi:
            join_pool(c, prm, books, jr, i, k, day, L.SRC_EVENT, trust0, -1,
                      in_person_consent(uniform(key_day, i, slot + S_EVENT_CONSENT), consent),
                      uniform(key_day, i, slot + S_EVENT_PAID))


@kernel
def stores_kernel(c, prm, books, jr, day, key_day, p_store, p_event):
    """One day of store visits and events for brands with touchpoints or an event today.

    Only the day's visitors are visited (:func:`visitors_span`), a span at a time: the same consumers in the
    same order as a pass over everyone, which would draw nothing for the others.
    """
    n, n_brands = c.stage.shape
    mask, buffer = np.empty(SPAN, dtype=np.uint8), np.empty(SPAN, dtype=np.int32)
    for k in range(n_brands):
        if p_store[k] <= 0.0 and p_event[k] <= 0.0:
            continue
        for start in range(0, n, SPAN):
            count = visitors_span(start, min(n, start + SPAN), key_day, BLOCK * k, p_store[k], p_event[k], mask,
                                  buffer)
            for j in range(count):
                visit(c, prm, books, jr, day, key_day, k, buffer[j], p_store[k], p_event[k])


def step(model: MarketModel, day: int) -> None:
    """Today's visit chances and fixed costs per brand, then the visits (see :func:`stores_kernel`)."""
    bp = model.packed.bp
    events = [events_on_day(per_year, day) for per_year in bp[:, L.BP_EVENTS_YEAR].tolist()]
    if not (any(events) or any(t > 0 for t in bp[:, L.BP_STORE_TOUCHPOINTS].tolist())):
        return  # no store and no event today: nothing is booked below and every chance would be 0
    p_store = np.zeros(model.k)
    p_event = np.zeros(model.k)
    for k in range(model.k):
        touchpoints = bp[k, L.BP_STORE_TOUCHPOINTS]
        if touchpoints > 0:
            p_store[k] = min(1.0, touchpoints * bp[k, L.BP_STORE_FOOTFALL] / model.people)
            model.money[day, k, L.C_STORES] += touchpoints * bp[k, L.BP_STORE_COST]
        if events[k]:
            p_event[k] = min(1.0, bp[k, L.BP_EVENT_VISITORS] / model.people)
            model.money[day, k, L.C_EVENTS] += bp[k, L.BP_EVENT_COST]
    if not (any(p_store.tolist()) or any(p_event.tolist())):  # (Python: a numpy .any() costs 2 us)
        return
    stores_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                  model.keys.day(STREAM, day), p_store, p_event)
