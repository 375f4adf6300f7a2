"""Membership (会員制): points, tiers, member price, birthday perk and an optional paid membership.

Sources: Rimaotong 2025, Private e-commerce encyclopedia 2025.

Effects on behaviour (functional forms are assumptions, documented in docs/MODEL.md):

- points effect s = x / (x + half) with x = points_rate * appetite: saturating, so giving more
  points has diminishing returns while its cost (the points redeemed) grows linearly;
- purchase rate multiplier = 1 + tier boost + points_lift * s (+ paid boost);
- dropout multiplier = tier multiplier * (1 - relief * s) (* paid);
- own-channel pull: points are earned in the brand's own channel, so they draw a member's purchases
  there: the private-channel chance is attention * (c + (1 - c) * pull * s) for a tool with checkout
  convenience c (:func:`private_channel_probability`);
- points are earned on every member purchase (1 point = 1 currency unit), expire exponentially
  with mean ``points_expiry_days`` (settled lazily at the next purchase), are redeemed in full at a
  purchase once the balance reaches ``min_redeem`` (a cost), and are forfeited when the member lapses
  (breakage = expired + forfeited);
- private-channel purchases get the tier's member price (a discount, booked as a cost).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import rng
from sim.model.carried import EVERY_MEMBER, check_list, pool_members
from sim.model.component import FLAG, Param, Slots, State
from sim.model.kernel import kernel
from sim.model.rng import uniform
from sim.model.state import flag, log_event

if TYPE_CHECKING:
    from sim.model.market import MarketModel


def programme_on(ms: Any) -> float:
    """1.0 if the brand runs any membership programme (points, tiers, a birthday perk or a fee)."""
    return 1.0 if (ms.points_rate > 0 or ms.tiers or ms.birthday_perk > 0 or ms.paid.fee_per_year > 0) else 0.0


NAME = "membership"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "BP_POINTS_RATE": Param("brand.strategy.membership.points_rate"),
    "BP_MIN_REDEEM": Param("brand.strategy.membership.min_redeem"),
    "BP_POINTS_EXPIRY": Param("brand.strategy.membership.points_expiry_days"),
    "BP_POINTS_LIFT": Param("brand.strategy.membership.points_purchase_lift"),
    "BP_POINTS_RELIEF": Param("brand.strategy.membership.points_dropout_relief"),
    "BP_POINTS_HALF": Param("brand.strategy.membership.points_half_rate"),
    "BP_POINTS_PULL": Param("brand.strategy.membership.points_channel_pull"),
    "BP_NTIERS": Param("brand.strategy.membership.tiers", derive=len, unit="tiers",
                       source="count of the declared tiers"),
    "BP_BIRTHDAY": Param("brand.strategy.membership.birthday_perk"),
    "BP_BIRTHDAY_RESP": Param("brand.strategy.membership.birthday_response"),
    "BP_PAID_FEE": Param("brand.strategy.membership.paid.fee_per_year"),
    "BP_PAID_UPTAKE": Param("brand.strategy.membership.paid.uptake"),
    "BP_PAID_BOOST": Param("brand.strategy.membership.paid.purchase_boost"),
    "BP_PAID_DROPOUT": Param("brand.strategy.membership.paid.dropout_multiplier"),
    "BP_CHECKOUT": Param("tool.checkout_convenience"),
    "BP_MEMBERSHIP_ON": Param("brand.strategy.membership", derive=programme_on, unit="flag",
                              source="on when points, tiers, a birthday perk or a fee is set"),
}
STATE = {
    "POINTS": State("points", np.float32, doc="Unredeemed points (1 point = 1 currency unit)."),
    "SPEND_MEMBER": State("spend_member", np.float32, doc="Spend as a member, for tiers (currency)."),
    "TIER": State("tier", np.uint8, doc="Current tier (0 = none)."),
    "PAID": State("paid", FLAG, doc="1 if a paying member."),
}
TALLIES = {
    "T_PTS_EARNED": "points_earned", "T_PTS_REDEEMED": "points_redeemed", "T_PTS_EXPIRED": "points_expired",
    "T_TIER_UPS": "tier_ups", "T_PAID": "paid_members",
}
LEDGER = {"REV_FEES": "membership_fees", "C_POINTS": "points_redeemed", "C_DISCOUNTS": "member_discounts",
          "C_BIRTHDAY": "birthday_perks"}
REVENUE = ("REV_FEES",)
EVENTS = {"E_REDEEMED": "points_redeemed", "E_TIER_UP": "tier_up", "E_BIRTHDAY": "birthday_perk"}
#: Each consumer's birthday: one draw fixed for the run (shared by the perk and the purchase pass).
BIRTHDAY_SLOTS = Slots(rng.MEMBERSHIP, shared={"birthday": (0, 1)}, day_offset=None)
SLOTS = (BIRTHDAY_SLOTS,)
S_BIRTHDAY = BIRTHDAY_SLOTS.first("birthday")


@njit(inline="always")
def points_effect(rate, appetite, half):
    """Saturating strength (0 to 1) of a points programme for one member: x / (x + half)."""
    x = rate * appetite
    return x / (x + half)


@njit(inline="always")
def member_purchase_multiplier(k, tier, appetite, paid, bp, tiers):
    """How much membership of brand ``k`` (tier, points appetite, paid or not) lifts the purchase rate."""
    m = 1.0 + tiers[k, tier, L.TIER_BOOST]
    m += bp[k, L.BP_POINTS_LIFT] * points_effect(bp[k, L.BP_POINTS_RATE], appetite, bp[k, L.BP_POINTS_HALF])
    if paid:
        m += bp[k, L.BP_PAID_BOOST]
    return m


@njit(inline="always")
def member_dropout_multiplier(k, tier, appetite, paid, bp, tiers):
    """How much membership of brand ``k`` (tier, points appetite, paid or not) lowers dropout (stickiness)."""
    m = tiers[k, tier, L.TIER_DROPOUT]
    m *= 1.0 - bp[k, L.BP_POINTS_RELIEF] * points_effect(bp[k, L.BP_POINTS_RATE], appetite, bp[k, L.BP_POINTS_HALF])
    if paid:
        m *= bp[k, L.BP_PAID_DROPOUT]
    return m


@njit(inline="always")
def private_channel_probability(k, appetite, attention, bp):
    """Chance a member buys through the private channel: checkout convenience plus the points' pull, times attention.

    ``attention`` is 1 for a purchase prompted by a message just seen (see
    :func:`sim.model.mechanisms.purchase.attention`).
    """
    c = bp[k, L.BP_CHECKOUT]
    pull = 0.0
    if bp[k, L.BP_POINTS_RATE] > 0.0:
        pull = bp[k, L.BP_POINTS_PULL] * points_effect(bp[k, L.BP_POINTS_RATE], appetite, bp[k, L.BP_POINTS_HALF])
    return attention * (c + (1.0 - c) * pull)


@njit(inline="always")
def purchase_multiplier(c, prm, i, k):
    """How much membership lifts consumer ``i``'s purchase rate."""
    rec = c.pair[i, k]
    return member_purchase_multiplier(k, rec.tier, c.traits[i, L.PTS], flag(rec, L.BIT_PAID), prm.bp, prm.tiers)


@njit(inline="always")
def dropout_multiplier(c, prm, i, k):
    """How much membership lowers consumer ``i``'s dropout."""
    rec = c.pair[i, k]
    return member_dropout_multiplier(k, rec.tier, c.traits[i, L.PTS], flag(rec, L.BIT_PAID), prm.bp, prm.tiers)


@njit(inline="always")
def points_kept(days, expiry_days):
    """Share of a points balance that survives ``days`` with exponential expiry of mean ``expiry_days``."""
    return math.exp(-days / expiry_days)


@njit(cache=True)
def on_member_purchase(c, prm, books, jr, i, k, day, price, private):
    """Member price, points (expiry, redemption, earning) and tier upgrades."""
    mp, bp, tiers = prm.mp, prm.bp, prm.tiers
    money_k, tally_k = books.money[k], books.tally[k]
    pair = c.pair
    rep = mp[L.MP_REP]
    tier = pair[i, k].tier
    n_tiers = int(bp[k, L.BP_NTIERS])
    # a tier reached by spend so far (e.g. a base tier with min_spend 0) applies to this purchase
    while tier < n_tiers and pair[i, k].spend_member >= tiers[k, tier + 1, L.TIER_MIN]:
        tier += 1
        tally_k[L.T_TIER_UPS] += 1.0
        log_event(jr, day, i, k, L.E_TIER_UP, tier)
    if private:
        money_k[L.C_DISCOUNTS] += price * tiers[k, tier, L.TIER_DISCOUNT] * rep
    rate = bp[k, L.BP_POINTS_RATE]
    if rate > 0.0:
        pts = pair[i, k].points
        if pts > 0.0:
            since = day - max(pair[i, k].last_purchase, pair[i, k].joined)
            keep = points_kept(since, bp[k, L.BP_POINTS_EXPIRY])
            tally_k[L.T_PTS_EXPIRED] += pts * (1.0 - keep)
            pts *= keep
        if pts >= bp[k, L.BP_MIN_REDEEM] and pts > 0.0:
            money_k[L.C_POINTS] += pts * rep
            tally_k[L.T_PTS_REDEEMED] += pts
            log_event(jr, day, i, k, L.E_REDEEMED, int(pts))
            pts = 0.0
        earn = price * rate
        tally_k[L.T_PTS_EARNED] += earn
        pair[i, k].points = pts + earn
    spend = pair[i, k].spend_member + price
    pair[i, k].spend_member = spend
    while tier < n_tiers and spend >= tiers[k, tier + 1, L.TIER_MIN]:
        tier += 1
        tally_k[L.T_TIER_UPS] += 1.0
        log_event(jr, day, i, k, L.E_TIER_UP, tier)
    pair[i, k].tier = tier


@njit(inline="always")
def is_birthday(i, day, key_birthday):
    """Whether today is consumer ``i``'s birthday (a fixed day of the year drawn from the seed)."""
    return int(uniform(key_birthday, i, S_BIRTHDAY) * 365.0) == day % 365


@njit(inline="always")
def has_rules(bp, k):
    """Whether brand ``k`` has a membership with a fee or a birthday perk: the daily rules' only work.

    Without a paid membership nobody pays (:func:`sim.model.state.join_pool` makes a member paying only
    if the fee is > 0). Shared by :func:`membership_kernel` and the step's test for skipping it.
    """
    return bp[k, L.BP_MEMBERSHIP_ON] >= 0.5 and (bp[k, L.BP_PAID_FEE] > 0.0 or bp[k, L.BP_BIRTHDAY] > 0.0)


@kernel
def membership_kernel(c, prm, books, jr, day, key_birthday, k, members):
    """Brand ``k``'s daily membership rules over its ``members`` (ids, in order): paid fees accrue, birthday perks.

    The purchase a birthday perk may trigger is drawn in the purchase pass (see
    :func:`sim.model.mechanisms.purchase.purchase_kernel`), which uses the same :func:`is_birthday`.
    """
    pair = c.pair
    mp, bp = prm.mp, prm.bp
    money, tally = books.money, books.tally
    fee_day = bp[k, L.BP_PAID_FEE] / 365.0 * mp[L.MP_REP]
    perk = bp[k, L.BP_BIRTHDAY] * mp[L.MP_REP]
    paid_count = 0.0
    for i in members:
        if flag(pair[i, k], L.BIT_PAID):
            paid_count += 1.0
        if perk > 0.0 and is_birthday(i, day, key_birthday):
            money[k, L.C_BIRTHDAY] += perk
            log_event(jr, day, i, k, L.E_BIRTHDAY, 0)
    money[k, L.REV_FEES] += paid_count * fee_day
    tally[k, L.T_PAID] = paid_count


def brands_with_rules(bp: np.ndarray) -> list[bool]:
    """Per brand, whether :func:`membership_kernel` has work for it (:func:`has_rules`)."""
    return [bool(has_rules.py_func(bp, k)) for k in range(bp.shape[0])]


def any_membership_rules(bp: np.ndarray) -> bool:
    """Whether :func:`membership_kernel` has work for some brand."""
    return any(brands_with_rules(bp))


def step(model: MarketModel, day: int) -> None:
    """Paid-membership fees accrue and birthday perks are sent (see :func:`membership_kernel`), brand by brand.

    Only brands with a membership with a fee or a birthday perk (:func:`has_rules`) have work; the others'
    paid-member tally stays at the 0 today's tallies start from. The members come from the pool's shared
    list (:func:`sim.model.carried.pool_members`), not from a pass over everyone.
    """
    rules = brands_with_rules(model.packed.bp)
    if not any(rules):
        return
    key = model.keys.run(rng.MEMBERSHIP)
    for k, members in enumerate(pool_members(model, day, rules)):
        if members is None:
            continue
        if model.validating:
            check_list(model.pop, k, members, day, EVERY_MEMBER, "membership member")
        membership_kernel(model.consumers, model.packed.params, model.books, model.journal, day, key, k, members)
