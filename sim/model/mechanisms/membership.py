"""Membership (会員制): points with expiry and breakage, tiers, member price, birthday perk and an
optional paid membership (seeds/000, seeds/004).

Effects on behaviour (functional forms are assumptions, documented in docs/MODEL.md):

- points effect s = x / (x + half) with x = points_rate * appetite: saturating, so giving more
  points has diminishing returns while its cost (the points redeemed) grows linearly;
- purchase rate multiplier = 1 + tier boost + points_lift * s (+ paid boost);
- dropout multiplier = tier multiplier * (1 - relief * s) (* paid);
- points are earned on every member purchase (1 point = 1 currency unit), expire exponentially
  with mean ``points_expiry_days`` (settled lazily at the next purchase), are redeemed in full at a
  purchase once the balance reaches ``min_redeem`` (a cost), and are forfeited when the member lapses
  (breakage = expired + forfeited);
- private-channel purchases get the tier's member price (a discount, booked as a cost).
"""

from __future__ import annotations

import math

from numba import njit

from sim.model.layout import (
    BP_BIRTHDAY, BP_DIST_COMM, BP_MEMBERSHIP_ON, BP_MIN_REDEEM, BP_NTIERS,
    BP_PAID_BOOST, BP_PAID_DROPOUT, BP_PAID_FEE, BP_POINTS_EXPIRY, BP_POINTS_LIFT, BP_POINTS_RATE,
    BP_POINTS_RELIEF, BP_POINTS_HALF, C_BIRTHDAY, C_DISCOUNTS, C_DISTRIBUTION, C_POINTS, E_BIRTHDAY, E_REDEEMED,
    E_TIER_UP, JOINED, LAST_BUY, MEMBER, MP_REP, PAID, POINTS, PTS, REFERRER, REV_FEES,
    SPEND_MEMBER, T_PTS_EARNED, T_PTS_EXPIRED, T_PTS_REDEEMED, T_TIER_UPS, TIER, TIER_BOOST,
    TIER_DISCOUNT, TIER_DROPOUT, TIER_MIN, T_PAID,
)
from sim.model.population import ids_where
from sim.model.rng import uniform
from sim.model.state import log_event


@njit(inline="always")
def points_effect(rate, appetite, half):
    """Saturating strength (0 to 1) of a points programme for one member: x / (x + half)."""
    x = rate * appetite
    return x / (x + half)


@njit(inline="always")
def member_purchase_multiplier(k, tier, appetite, paid, bp, tiers):
    """How much membership of brand ``k`` (tier, points appetite, paid or not) lifts the purchase rate."""
    m = 1.0 + tiers[k, tier, TIER_BOOST]
    m += bp[k, BP_POINTS_LIFT] * points_effect(bp[k, BP_POINTS_RATE], appetite, bp[k, BP_POINTS_HALF])
    if paid:
        m += bp[k, BP_PAID_BOOST]
    return m


@njit(inline="always")
def member_dropout_multiplier(k, tier, appetite, paid, bp, tiers):
    """How much membership of brand ``k`` (tier, points appetite, paid or not) lowers dropout (stickiness)."""
    m = tiers[k, tier, TIER_DROPOUT]
    m *= 1.0 - bp[k, BP_POINTS_RELIEF] * points_effect(bp[k, BP_POINTS_RATE], appetite, bp[k, BP_POINTS_HALF])
    if paid:
        m *= bp[k, BP_PAID_DROPOUT]
    return m


@njit(inline="always")
def purchase_multiplier(i, k, traits, u8, bp, tiers):
    """How much membership lifts consumer ``i``'s purchase rate."""
    return member_purchase_multiplier(k, u8[i, k, TIER], traits[i, PTS], u8[i, k, PAID] == 1, bp, tiers)


@njit(inline="always")
def dropout_multiplier(i, k, traits, u8, bp, tiers):
    """How much membership lowers consumer ``i``'s dropout."""
    return member_dropout_multiplier(k, u8[i, k, TIER], traits[i, PTS], u8[i, k, PAID] == 1, bp, tiers)


@njit(inline="always")
def points_kept(days, expiry_days):
    """Share of a points balance that survives ``days`` with exponential expiry of mean ``expiry_days``."""
    return math.exp(-days / expiry_days)


@njit(inline="always")
def on_member_purchase(i, k, day, price, private, fs, ist, u8, bp, mp, tiers, money_k, tally_k,
                       ev, ev_n, tracked):
    """Member price, points (expiry, redemption, earning) and tier upgrades."""
    rep = mp[MP_REP]
    tier = u8[i, k, TIER]
    n_tiers = int(bp[k, BP_NTIERS])
    # a tier reached by spend so far (e.g. a base tier with min_spend 0) applies to this purchase
    while tier < n_tiers and fs[i, k, SPEND_MEMBER] >= tiers[k, tier + 1, TIER_MIN]:
        tier += 1
        tally_k[T_TIER_UPS] += 1.0
        log_event(ev, ev_n, tracked, day, i, k, E_TIER_UP, tier)
    if private:
        money_k[C_DISCOUNTS] += price * tiers[k, tier, TIER_DISCOUNT] * rep
    rate = bp[k, BP_POINTS_RATE]
    if rate > 0.0:
        pts = fs[i, k, POINTS]
        if pts > 0.0:
            since = day - max(ist[i, k, LAST_BUY], ist[i, k, JOINED])
            keep = points_kept(since, bp[k, BP_POINTS_EXPIRY])
            tally_k[T_PTS_EXPIRED] += pts * (1.0 - keep)
            pts *= keep
        if pts >= bp[k, BP_MIN_REDEEM] and pts > 0.0:
            money_k[C_POINTS] += pts * rep
            tally_k[T_PTS_REDEEMED] += pts
            log_event(ev, ev_n, tracked, day, i, k, E_REDEEMED, int(pts))
            pts = 0.0
        earn = price * rate
        tally_k[T_PTS_EARNED] += earn
        fs[i, k, POINTS] = pts + earn
    spend = fs[i, k, SPEND_MEMBER] + price
    fs[i, k, SPEND_MEMBER] = spend
    while tier < n_tiers and spend >= tiers[k, tier + 1, TIER_MIN]:
        tier += 1
        tally_k[T_TIER_UPS] += 1.0
        log_event(ev, ev_n, tracked, day, i, k, E_TIER_UP, tier)
    u8[i, k, TIER] = tier


@njit(inline="always")
def is_birthday(i, day, key_birthday):
    """Whether today is consumer ``i``'s birthday (a fixed day of the year drawn from the seed)."""
    return int(uniform(key_birthday, i, 0) * 365.0) == day % 365


@njit(cache=True)
def membership_kernel(day, stage, u8, bp, mp, key_birthday, money, tally, ev, ev_n, tracked):
    """Daily membership rules: paid-membership fees accrue and birthday perks are sent.

    The purchase a birthday perk may trigger is drawn in the purchase pass (see
    :func:`sim.model.mechanisms.purchase.purchase_kernel`), which uses the same :func:`is_birthday`.
    """
    n, n_brands = stage.shape
    for k in range(n_brands):
        # without a paid membership nobody pays (join_pool makes a member paying only if the fee is > 0)
        if bp[k, BP_MEMBERSHIP_ON] < 0.5 or (bp[k, BP_PAID_FEE] <= 0.0 and bp[k, BP_BIRTHDAY] <= 0.0):
            tally[k, T_PAID] = 0.0
            continue
        fee_day = bp[k, BP_PAID_FEE] / 365.0 * mp[MP_REP]
        perk = bp[k, BP_BIRTHDAY] * mp[MP_REP]
        paid_count = 0.0
        for i in ids_where(stage[:, k] == MEMBER):
            if u8[i, k, PAID] == 1:
                paid_count += 1.0
            if perk > 0.0 and is_birthday(i, day, key_birthday):
                money[k, C_BIRTHDAY] += perk
                log_event(ev, ev_n, tracked, day, i, k, E_BIRTHDAY, 0)
        money[k, REV_FEES] += paid_count * fee_day
        tally[k, T_PAID] = paid_count
