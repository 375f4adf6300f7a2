"""The brand's own independent site, and the marketplace's rules against diversion.

Ebrun n.d.: building an independent site (Shopify and the like) fell from about 100,000 yuan and two
months to a few thousand yuan and two days; its traffic has to be bought or brought from the pool, and
sellers divert marketplace buyers to it. Marketplaces forbid such diversion; a seller caught loses
listing days. The rules (functional forms: assumption):

- **Set-up.** On ``setup_day`` the build cost ``setup_cost`` is paid (``own_site_costs``); the site
  takes orders from ``setup_day + build_days`` on and costs ``running_cost_per_day`` every day after
  set-up.
- **Traffic.** Each day the site is live, a consumer who is not a member arrives from bought ads with
  probability ``min(1, ad_visitors_per_day / people)`` (each visit costs ``cost_per_visitor``,
  ``own_site_ads``), and a member is brought from the pool with probability ``pool_visit_rate``. An
  unaware or lapsed visitor becomes aware.
- **Purchase.** A visit ends in a purchase of one basket with probability ``conversion``, in the
  brand's own channel: private revenue, cost of goods and payment fee, **no platform commission**. An
  unaware or aware buyer becomes a customer (a first purchase). A buyer who is not a member, outside a
  cool-off, opens an account (joins the pool, source ``own_site``) with probability
  ``signup_share * (1 - psi)^w * friction``.
- **Diversion.** Each of the day's platform buyers who is not a member (a customer whose last purchase
  is today) is sent a card with probability ``diversion_share`` (``cost_per_card``, ``own_site_costs``);
  a card joins the pool (source ``own_site``) with probability ``diversion_join * (1 - psi)^w * friction``.
- **Platform rules.** Each card is reported with probability ``detection_per_card``; with ``c`` cards
  sent (people: agents times ``rep``), a penalty strikes with probability ``1 - (1 - q)^c`` (one
  brand-level draw a day). A penalty delists the brand for ``penalty_days`` from the next day (the
  purchase component sells nothing on the platform on delisted days: first purchases and purchases
  outside the private channel are lost, and so are platform purchases prompted by messages, booked by
  the messaging component); a penalty during a penalty extends it.

Switched off (no set-up day) the step draws nothing and writes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import layout as L
from sim.model.component import MAX_BRANDS, Param, RunState, Slots
from sim.model.kernel import kernel
from sim.model.rng import uniform, uniform_py
from sim.model.state import join_pool, log_event, move

if TYPE_CHECKING:
    from sim.model.market import MarketModel


def setup_day_or_off(day: int | None) -> float:
    """The set-up day, or -1 for no own site."""
    return -1.0 if day is None else float(day)


NAME = "own_site"
#: The rng stream of this component (21-29 are reserved for the levers of issue 13, one each).
STREAM = 23
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "MP_ACCEPT_PSI": Param("market.behaviour.invite_psi_weight"),
    "MP_FRICTION": Param("market.regime.consent_friction"),
    "BP_COGS": Param("brand.strategy.product.cogs_rate"),
    "BP_SITE_DAY": Param("brand.strategy.own_site.setup_day", derive=setup_day_or_off, unit="day",
                         source="the set-up day; -1 for no own site"),
    "BP_SITE_SETUP": Param("brand.strategy.own_site.setup_cost"),
    "BP_SITE_BUILD": Param("brand.strategy.own_site.build_days"),
    "BP_SITE_RUNNING": Param("brand.strategy.own_site.running_cost_per_day"),
    "BP_SITE_AD_VISITORS": Param("brand.strategy.own_site.ad_visitors_per_day"),
    "BP_SITE_CPV": Param("brand.strategy.own_site.cost_per_visitor"),
    "BP_SITE_POOL_VISIT": Param("brand.strategy.own_site.pool_visit_rate"),
    "BP_SITE_CONVERSION": Param("brand.strategy.own_site.conversion"),
    "BP_SITE_SIGNUP": Param("brand.strategy.own_site.signup_share"),
    "BP_SITE_DIVERSION": Param("brand.strategy.own_site.diversion_share"),
    "BP_SITE_DIVERSION_JOIN": Param("brand.strategy.own_site.diversion_join"),
    "BP_SITE_CARD_COST": Param("brand.strategy.own_site.cost_per_card"),
    "BP_SITE_DETECTION": Param("brand.strategy.own_site.detection_per_card"),
    "BP_SITE_PENALTY_DAYS": Param("brand.strategy.own_site.penalty_days"),
}
JOIN_SOURCES = {"SRC_OWN_SITE": "own_site"}
TALLIES = {"T_SITE_VISITS": "own_site_visits", "T_PUR_SITE": "purchases_own_site", "T_CARDS": "diversion_cards",
           "T_PLATFORM_PENALTIES": "platform_penalties", "T_DELISTED": "delisted_days",
           "T_J_OWN_SITE": "joins_own_site"}
LEDGER = {"C_SITE": "own_site_costs", "C_SITE_ADS": "own_site_ads"}
EVENTS = {"E_SITE_VISIT": "visited_own_site", "E_BUY_SITE": "bought_own_site", "E_CARD": "diversion_card"}
#: A brand's latest suspension from the marketplace (read through :func:`purchase.listing` by every sales
#: component): listed on every day outside ``delisted_from ... delisted_until`` (-1, -1: never suspended).
RUN_STATE = {
    "delisted_from": RunState(("brands",), np.int64, -1, doc="First day of the brand's latest delisting spell."),
    "delisted_until": RunState(("brands",), np.int64, -1, doc="Last day of the brand's latest delisting spell."),
}
DAY_SLOTS = Slots(STREAM, block=16, ranges={
    "visit": (0, 1), "buy": (1, 1), "signup": (2, 1), "consent": (3, 1), "paid": (4, 1),
    "card": (5, 1), "card_join": (6, 1), "card_consent": (7, 1), "card_paid": (8, 1)},
    shared={"penalty": (16 * MAX_BRANDS, MAX_BRANDS)})  # brand k's daily penalty draw: agent 0, slot first + k
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_VISIT, S_BUY, S_SIGNUP, S_CONSENT, S_PAID, S_CARD, S_CARD_JOIN, S_CARD_CONSENT, S_CARD_PAID = (
    DAY_SLOTS.first(n) for n in ("visit", "buy", "signup", "consent", "paid", "card", "card_join", "card_consent",
                                 "card_paid"))
S_PENALTY = DAY_SLOTS.first("penalty")


@kernel
def own_site_kernel(c, prm, books, jr, day, key_day, p_ad, p_card):
    """One day of own-site visits, purchases, sign-ups and diversion cards; returns cards sent per brand."""
    stage, pair, traits = c.stage, c.pair, c.traits
    mp, bp = prm.mp, prm.bp
    flows, money, tally = books.flows, books.money, books.tally
    n, n_brands = stage.shape
    rep = mp[L.MP_REP]
    w_psi = mp[L.MP_ACCEPT_PSI]
    friction = mp[L.MP_FRICTION]
    trust0 = mp[L.MP_TRUST0]
    cards = np.zeros(n_brands)
    for k in range(n_brands):
        if p_ad[k] < 0.0 and p_card[k] <= 0.0:
            continue
        slot = BLOCK * k
        live = p_ad[k] >= 0.0
        p_member = bp[k, L.BP_SITE_POOL_VISIT]
        for i in range(n):
            s = stage[i, k]
            # diversion of today's platform buyers (customers who bought today)
            if p_card[k] > 0.0 and s == L.CUSTOMER and pair[i, k].last_purchase == day \
                    and uniform(key_day, i, slot + S_CARD) < p_card[k]:
                cards[k] += 1.0
                log_event(jr, day, i, k, L.E_CARD, 0)
                if pair[i, k].cooloff <= day and uniform(key_day, i, slot + S_CARD_JOIN) < \
                        bp[k, L.BP_SITE_DIVERSION_JOIN] * (1.0 - traits[i, L.PSI]) ** w_psi * friction:
                    join_pool(c, prm, books, jr, i, k, day, L.SRC_OWN_SITE, trust0, -1,
                              uniform(key_day, i, slot + S_CARD_CONSENT), uniform(key_day, i, slot + S_CARD_PAID))
                continue
            if not live:
                continue
            member = s == L.MEMBER
            if uniform(key_day, i, slot + S_VISIT) >= (p_member if member else p_ad[k]):
                continue
            tally[k, L.T_SITE_VISITS] += 1.0
            if not member:
                money[k, L.C_SITE_ADS] += bp[k, L.BP_SITE_CPV] * rep
            log_event(jr, day, i, k, L.E_SITE_VISIT, 0)
            if s == L.UNAWARE or s == L.LAPSED:
                move(stage, flows, i, k, L.AWARE)
                s = L.AWARE
            if uniform(key_day, i, slot + S_BUY) >= bp[k, L.BP_SITE_CONVERSION]:
                continue
            price = traits[i, L.BASKET]
            gross = price * rep
            money[k, L.REV_PRIV] += gross
            money[k, L.C_COGS] += gross * bp[k, L.BP_COGS]
            money[k, L.C_PAYMENT] += gross * mp[L.MP_PAYFEE]
            pair[i, k].spend_private += price
            tally[k, L.T_PUR_PRIV] += 1.0
            tally[k, L.T_PUR_SITE] += 1.0
            pair[i, k].last_purchase = day
            log_event(jr, day, i, k, L.E_BUY_SITE, int(price))
            if member:
                tally[k, L.T_MEMBER_GROSS] += gross
                continue
            if s == L.AWARE:
                tally[k, L.T_FIRST] += 1.0
                move(stage, flows, i, k, L.CUSTOMER)
            if pair[i, k].cooloff <= day and uniform(key_day, i, slot + S_SIGNUP) < \
                    bp[k, L.BP_SITE_SIGNUP] * (1.0 - traits[i, L.PSI]) ** w_psi * friction:
                join_pool(c, prm, books, jr, i, k, day, L.SRC_OWN_SITE, trust0, -1,
                          uniform(key_day, i, slot + S_CONSENT), uniform(key_day, i, slot + S_PAID))
    return cards


def penalty_probability(cards_people: float, detection: float) -> float:
    """Chance at least one of ``cards_people`` diversion cards is reported: ``1 - (1 - q)^c``."""
    if cards_people <= 0 or detection <= 0:
        return 0.0
    if detection >= 1:
        return 1.0
    return -np.expm1(cards_people * np.log1p(-detection))


def step(model: MarketModel, day: int) -> None:
    """Set-up and running costs, today's traffic and cards, then the marketplace's penalty draw."""
    bp = model.packed.bp
    site_day = bp[:, L.BP_SITE_DAY]
    if not any(start >= 0 for start in site_day.tolist()):  # (Python: a numpy .any() costs 2 us)
        return
    delisted_from, delisted_until = model.run_state.delisted_from, model.run_state.delisted_until
    p_ad = np.full(model.k, -1.0)  # -1: the site takes no orders today
    p_card = np.zeros(model.k)
    for k in range(model.k):
        start = site_day[k]
        if start < 0 or day < start:
            continue
        money = model.money[day, k]
        if day == start:
            money[L.C_SITE] += bp[k, L.BP_SITE_SETUP]
        money[L.C_SITE] += bp[k, L.BP_SITE_RUNNING]
        if day >= start + bp[k, L.BP_SITE_BUILD]:
            p_ad[k] = min(1.0, bp[k, L.BP_SITE_AD_VISITORS] / model.people)
            p_card[k] = bp[k, L.BP_SITE_DIVERSION]
    key_day = model.keys.day(STREAM, day)
    if any(p >= 0 for p in p_ad.tolist()) or any(p > 0 for p in p_card.tolist()):
        cards = own_site_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                                key_day, p_ad, p_card)
    else:
        cards = np.zeros(model.k)
    for k in range(model.k):
        if cards[k] > 0:
            model.tally[day, k, L.T_CARDS] += cards[k]
            model.money[day, k, L.C_SITE] += cards[k] * model.rep * bp[k, L.BP_SITE_CARD_COST]
            chance = penalty_probability(cards[k] * model.rep, bp[k, L.BP_SITE_DETECTION])
            if chance > 0 and uniform_py(key_day, 0, S_PENALTY + k) < chance and bp[k, L.BP_SITE_PENALTY_DAYS] > 0:
                model.tally[day, k, L.T_PLATFORM_PENALTIES] += 1.0
                if delisted_until[k] < day + 1:  # a new spell, from tomorrow (today's sales stand)
                    delisted_from[k] = day + 1
                delisted_until[k] = max(delisted_until[k], day + int(bp[k, L.BP_SITE_PENALTY_DAYS]))
        if delisted_from[k] <= day + 1 <= delisted_until[k] and day + 1 < model.days:
            model.tally[day + 1, k, L.T_DELISTED] += 1.0
