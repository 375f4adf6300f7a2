"""Livestream commerce (直播): scheduled sessions, live viewers, a conversion spike, joins from viewers.

Ebrun n.d.: social-commerce marketplaces (AliExpress, Lazada, Shopee) let sellers build pools through
KOLs, livestreams and short video; the Private e-commerce encyclopedia 2025 names livestreams among
the conversion levers. The rules (functional forms: assumption):

- **Schedule.** ``sessions_per_week`` sessions spread evenly over the week (as message cadences are:
  a session on day ``d`` when ``floor((d + 1) r / 7) > floor(d r / 7)``), each paid ``host_fee``
  (``live_host_fees``).
- **Viewers.** On a session day a pool member watches with probability ``pool_attendance``; a
  consumer who is not a member is brought by the platform's live feed with probability
  ``min(1, platform_viewers / people)``. An unaware or lapsed platform viewer becomes aware.
- **The spike.** During the session a viewer buys one basket ``b`` with probability
  ``min(1, conversion * (1 + discount_lift * discount))``, at the live price ``b (1 - discount)``.
  Revenue is booked at the list price and the discount as a cost (``live_discounts``); commission and
  payment fee are charged on the price paid, the cost of goods on the list price. Members buy in the
  private channel (the pool's own live room: no commission); platform viewers buy on the platform
  (commission). An unaware or aware buyer becomes a customer (a first purchase). The session's
  purchases add to the everyday BG/NBD purchases (a live sale neither counts as a repeat purchase
  nor earns points: a simplification).
- **Listing.** On a day the marketplace has delisted the brand (:func:`~sim.model.mechanisms.purchase.listing`, a
  penalty of the ``own_site`` lever) the platform brings no viewers; members still watch in the pool.
- **Joins.** A platform viewer who is not a member, outside a cool-off, follows into the pool (source
  ``live``) with probability ``join_rate * (1 - psi)^w * friction`` (``w``: the market's
  ``invite_psi_weight``; friction: the consent form's).

Switched off (no sessions) the step draws nothing and writes nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model.component import Param, Slots
from sim.model.kernel import kernel
from sim.model.mechanisms.purchase import listing
from sim.model.population import SPAN, ids_of_span
from sim.model.rng import uniform
from sim.model.state import join_pool, log_event, move

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "livestream"
#: The rng stream of this component (21-29 are reserved for the levers of issue 13, one each).
STREAM = 22
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "MP_COMMISSION": Param("market.platforms.commission_rate"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "MP_ACCEPT_PSI": Param("market.behaviour.invite_psi_weight"),
    "MP_FRICTION": Param("market.regime.consent_friction"),
    "BP_COGS": Param("brand.strategy.product.cogs_rate"),
    "BP_LIVE_PER_WEEK": Param("brand.strategy.livestream.sessions_per_week"),
    "BP_LIVE_HOST_FEE": Param("brand.strategy.livestream.host_fee"),
    "BP_LIVE_PLATFORM_VIEWERS": Param("brand.strategy.livestream.platform_viewers"),
    "BP_LIVE_ATTENDANCE": Param("brand.strategy.livestream.pool_attendance"),
    "BP_LIVE_CONVERSION": Param("brand.strategy.livestream.conversion"),
    "BP_LIVE_DISCOUNT": Param("brand.strategy.livestream.discount"),
    "BP_LIVE_DISCOUNT_LIFT": Param("brand.strategy.livestream.discount_lift"),
    "BP_LIVE_JOIN": Param("brand.strategy.livestream.join_rate"),
}
JOIN_SOURCES = {"SRC_LIVE": "live"}
TALLIES = {"T_LIVE_VIEWERS": "live_viewers", "T_PUR_LIVE": "purchases_live", "T_J_LIVE": "joins_live"}
LEDGER = {"C_LIVE_HOST": "live_host_fees", "C_LIVE_DISCOUNTS": "live_discounts"}
EVENTS = {"E_LIVE_WATCH": "watched_live", "E_BUY_LIVE": "bought_live"}
DAY_SLOTS = Slots(STREAM, block=8, ranges={
    "view": (0, 1), "buy": (1, 1), "join": (2, 1), "consent": (3, 1), "paid": (4, 1)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_VIEW, S_BUY, S_JOIN, S_CONSENT, S_PAID = (DAY_SLOTS.first(n) for n in ("view", "buy", "join", "consent", "paid"))


def sessions_on_day(per_week: float, day: int) -> int:
    """Sessions on ``day`` for ``per_week`` a week, spread evenly (0 or 1 for up to 7 a week)."""
    if per_week <= 0:
        return 0
    rate = per_week / 7.0
    return math.floor((day + 1) * rate + 1e-9) - math.floor(day * rate + 1e-9)


def live_conversion(conversion: float, discount: float, lift: float) -> float:
    """Purchase chance of a viewer during a session: ``min(1, conversion * (1 + lift * discount))``."""
    return min(1.0, conversion * (1.0 + lift * discount))


@njit(cache=True)
def viewers_span(stage, k, start, stop, key_day, slot, attendance, p_platform, mask, who):
    """Ids, in order, of consumers ``start <= i < stop`` who watch brand ``k``'s session today; returns how many.

    A member watches with the attendance rate, anyone else with the platform's share of viewers. The mask is
    built without branches (SIMD lanes: the draw is integer arithmetic), then the ids; a visit changes only
    the viewer's own stage, so the viewers are fixed before the first visit as in one pass over everyone.
    """
    size = stop - start
    rows = stage[start:stop]  # (a view of the span's rows keeps the loop on SIMD lanes)
    for r in range(size):
        threshold = attendance if rows[r, k] == L.MEMBER else p_platform
        mask[r] = uniform(key_day, start + r, slot) < threshold
    return ids_of_span(mask, start, size, who)


@kernel
def livestream_kernel(c, prm, books, jr, day, key_day, p_platform, p_buy):
    """One session day for every brand with a session today (``p_buy[k] >= 0``)."""
    stage, pair, traits = c.stage, c.pair, c.traits
    mp, bp = prm.mp, prm.bp
    flows, money, tally = books.flows, books.money, books.tally
    n, n_brands = stage.shape
    rep = mp[L.MP_REP]
    w_psi = mp[L.MP_ACCEPT_PSI]
    friction = mp[L.MP_FRICTION]
    trust0 = mp[L.MP_TRUST0]
    mask, buffer = np.empty(SPAN, dtype=np.uint8), np.empty(SPAN, dtype=np.int32)
    for k in range(n_brands):
        if p_buy[k] < 0.0:
            continue
        slot = BLOCK * k
        attendance = bp[k, L.BP_LIVE_ATTENDANCE]
        discount = bp[k, L.BP_LIVE_DISCOUNT]
        join_rate = bp[k, L.BP_LIVE_JOIN]
        pp = p_platform[k]
        for start in range(0, n, SPAN):  # a span at a time: the same viewers in the same order as one pass
            who = buffer[:viewers_span(stage, k, start, min(n, start + SPAN), key_day, slot + S_VIEW, attendance, pp,
                                       mask, buffer)]
            for j in range(who.shape[0]):
                i = who[j]
                s = stage[i, k]
                member = s == L.MEMBER
                tally[k, L.T_LIVE_VIEWERS] += 1.0
                log_event(jr, day, i, k, L.E_LIVE_WATCH, 0)
                if s == L.UNAWARE or s == L.LAPSED:
                    move(stage, flows, i, k, L.AWARE)
                    s = L.AWARE
                if uniform(key_day, i, slot + S_BUY) < p_buy[k]:
                    price = traits[i, L.BASKET]
                    gross = price * rep
                    paid = gross * (1.0 - discount)
                    money[k, L.C_LIVE_DISCOUNTS] += gross - paid
                    money[k, L.C_COGS] += gross * bp[k, L.BP_COGS]
                    money[k, L.C_PAYMENT] += paid * mp[L.MP_PAYFEE]
                    if member:
                        money[k, L.REV_PRIV] += gross
                        pair[i, k].spend_private += price
                        tally[k, L.T_PUR_PRIV] += 1.0
                        tally[k, L.T_MEMBER_GROSS] += gross
                    else:
                        money[k, L.REV_PUB] += gross
                        money[k, L.C_COMMISSION] += paid * mp[L.MP_COMMISSION]
                        pair[i, k].spend_public += price
                        tally[k, L.T_PUR_PUB] += 1.0
                    tally[k, L.T_PUR_LIVE] += 1.0
                    pair[i, k].last_purchase = day
                    if s == L.AWARE:
                        tally[k, L.T_FIRST] += 1.0
                        move(stage, flows, i, k, L.CUSTOMER)
                        s = L.CUSTOMER
                    log_event(jr, day, i, k, L.E_BUY_LIVE, int(price))
                if not member and pair[i, k].cooloff <= day and uniform(key_day, i, slot + S_JOIN) < \
                        join_rate * (1.0 - traits[i, L.PSI]) ** w_psi * friction:
                    join_pool(c, prm, books, jr, i, k, day, L.SRC_LIVE, trust0, -1,
                              uniform(key_day, i, slot + S_CONSENT), uniform(key_day, i, slot + S_PAID))


def step(model: MarketModel, day: int) -> None:
    """Today's sessions and host fees per brand, then the viewers (see :func:`livestream_kernel`)."""
    bp = model.packed.bp
    live = [sessions_on_day(per_week, day) for per_week in bp[:, L.BP_LIVE_PER_WEEK].tolist()]
    if not any(live):  # no brand holds a session today: no host fee, and p_buy would be -1 for all (see below)
        return
    p_platform = np.zeros(model.k)
    p_buy = np.full(model.k, -1.0)  # -1: no session today
    listed = listing(model, day)
    for k in range(model.k):
        if live[k]:
            model.money[day, k, L.C_LIVE_HOST] += bp[k, L.BP_LIVE_HOST_FEE]
            if listed[k]:
                p_platform[k] = min(1.0, bp[k, L.BP_LIVE_PLATFORM_VIEWERS] / model.people)
            p_buy[k] = live_conversion(bp[k, L.BP_LIVE_CONVERSION], bp[k, L.BP_LIVE_DISCOUNT],
                                       bp[k, L.BP_LIVE_DISCOUNT_LIFT])
    if not any(p >= 0 for p in p_buy.tolist()):
        return
    livestream_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                      model.keys.day(STREAM, day), p_platform, p_buy)
