"""Purchases: BG/NBD repeat buying with a private or public channel, first purchases, forgetting.

While a consumer's relationship with a brand lives (stage CUSTOMER or MEMBER), purchase occasions
arrive as a Poisson process with rate lambda (per year, Gamma-distributed across consumers) times
the membership multiplier; after each purchase the relationship dies with probability p
(Beta-distributed) times the trust and membership multipliers: the BG/NBD model of Fader, Hardie &
Lee (2005), in daily steps. As in BG/NBD, the first (trial) purchase cannot end the relationship. A dead relationship is LAPSED (points forfeited, consent withdrawn).

An AWARE consumer makes a first purchase on a public platform at rate lambda * aware_conversion, or
forgets the brand at rate 1/forget_days. Members buy through the private channel with the pool
tool's checkout convenience (WeChat mini-program high, LINE or a member site lower; seeds/000),
otherwise on the platform, paying its commission. Every platform purchase by a non-member may carry
an invitation (:mod:`interception`). Stocks (active members, mean trust and fatigue, records held)
are measured in the same pass, at the start of the day.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.model.layout import (
    AWARE, BASKET, BP_DIST_COMM, C_DISTRIBUTION, REFERRER, BP_BIRTHDAY, BP_BIRTHDAY_RESP, BP_CHECKOUT, BP_COGS, BP_MEMBERSHIP_ON,
    C_COGS, C_COMMISSION, C_PAYMENT, CUSTOMER, CONSENT, DROP, E_BUY_PRIV, E_BUY_PUB, E_FORGOT,
    E_LAPSED, LAM, LAPSED, LAST_BUY, MEMBER, MP_AWARE_CONV, MP_COMMISSION, MP_FORGET, MP_PAYFEE,
    MP_REP, MP_TRUST_DROP, PAID, POINTS, REV_PRIV, REV_PUB, SPEND_PRIV, SPEND_PUB, T_ACTIVE,
    T_FATIGUE_SUM, T_FIRST, T_LAPSED_MEMBERS, T_LAPSES, T_MEMBER_GROSS, T_PTS_FORFEIT, T_PUR_PRIV, T_PUR_PUB,
    T_RECORDS, T_TRUST_SUM, TIER, TRUST, UNAWARE,
)
from sim.model.mechanisms.interception import invite_at_checkout
from sim.model.mechanisms.membership import (
    dropout_multiplier, is_birthday, on_member_purchase, purchase_multiplier,
)
from sim.model.population import ids_where, prefetch_ahead
from sim.model.rng import uniform
from sim.model.state import log_event, move

ACTIVE_DAYS = 90  # a member is active if they bought in the last 90 days (DESIGN.md KPI)


@njit(inline="always")
def chance(rate):
    """Probability of at least one event in a day for a Poisson rate per day: 1 - exp(-rate)."""
    if rate < 0.05:
        return rate * (1.0 - rate * (0.5 - rate * (1.0 / 6.0)))
    return -math.expm1(-rate)


@njit(inline="always")
def trust_dropout_multiplier(trust, weight):
    """Dropout multiplier of a member with ``trust``: 1 at trust 0.5, lower when trust is higher."""
    return max(0.0, 1.0 + weight * (0.5 - trust))


@njit(inline="always")
def book_purchase(i, k, day, private, member, fs, ist, u8, traits, bp, mp, tiers, money_k, tally_k,
                  ev, ev_n, tracked, event_code):
    """Book one purchase of consumer ``i`` from brand ``k``: revenue, COGS, fees, membership."""
    price = traits[i, BASKET]
    rep = mp[MP_REP]
    gross = price * rep
    if private:
        money_k[REV_PRIV] += gross
        tally_k[T_PUR_PRIV] += 1.0
        fs[i, k, SPEND_PRIV] += price
    else:
        money_k[REV_PUB] += gross
        money_k[C_COMMISSION] += gross * mp[MP_COMMISSION]
        tally_k[T_PUR_PUB] += 1.0
        fs[i, k, SPEND_PUB] += price
    money_k[C_COGS] += gross * bp[k, BP_COGS]
    money_k[C_PAYMENT] += gross * mp[MP_PAYFEE]
    if member:
        tally_k[T_MEMBER_GROSS] += gross
        if private and bp[k, BP_DIST_COMM] > 0.0 and ist[i, k, REFERRER] >= 0:  # 社交分销 to the referrer
            money_k[C_DISTRIBUTION] += gross * bp[k, BP_DIST_COMM]
    if member and bp[k, BP_MEMBERSHIP_ON] > 0.5:
        on_member_purchase(i, k, day, price, private, fs, ist, u8, bp, mp, tiers, money_k, tally_k,
                           ev, ev_n, tracked)
    ist[i, k, LAST_BUY] = day
    log_event(ev, ev_n, tracked, day, i, k, event_code, int(price))


@njit(inline="always")
def lapse(i, k, day, stage, flows, fs, u8, tally_k, ev, ev_n, tracked):
    """The relationship dies (BG/NBD dropout): points are forfeited, consent ends."""
    if stage[i, k] == MEMBER:
        tally_k[T_LAPSED_MEMBERS] += 1.0
        tally_k[T_PTS_FORFEIT] += fs[i, k, POINTS]
    fs[i, k, POINTS] = 0.0
    u8[i, k, CONSENT] = 0
    u8[i, k, PAID] = 0
    u8[i, k, TIER] = 0
    move(stage, flows, i, k, LAPSED)
    tally_k[T_LAPSES] += 1.0
    log_event(ev, ev_n, tracked, day, i, k, E_LAPSED, 0)


@njit(cache=True)
def engaged_consumers(stage):
    """Ids, in order, of the consumers who are aware of, customers of or members of some brand."""
    n, n_brands = stage.shape
    engaged = np.zeros(n, dtype=np.uint8)
    for k in range(n_brands):
        for i in range(n):
            s = stage[i, k]
            engaged[i] |= (s == AWARE) | (s == CUSTOMER) | (s == MEMBER)
    return ids_where(engaged)


@njit(cache=True)
def purchase_kernel(day, stage, fs, ist, u8, traits, fatigue, tracked, mp, bp, tiers,
                    key_day, key_birthday, flows, money, tally, ev, ev_n):
    """One day of purchases for every consumer and brand."""
    n, n_brands = stage.shape
    p_forget = 1.0 / mp[MP_FORGET]
    conv = mp[MP_AWARE_CONV]
    w_trust = mp[MP_TRUST_DROP]
    who = engaged_consumers(stage)  # the unaware and the lapsed buy nothing and forget nothing
    for j in range(who.shape[0]):
        prefetch_ahead(who, j, traits, fs, ist, u8, fatigue)  # a memory hint only
        i = who[j]
        lam_day = traits[i, LAM] / 365.0
        for k in range(n_brands):
            s = stage[i, k]
            if s == UNAWARE or s == LAPSED:
                continue
            slot = 8 * k
            if s != AWARE:
                tally[k, T_RECORDS] += 1.0
            if s == MEMBER:
                tally[k, T_TRUST_SUM] += fs[i, k, TRUST]
                tally[k, T_FATIGUE_SUM] += fatigue[i]
                if day - ist[i, k, LAST_BUY] <= ACTIVE_DAYS:
                    tally[k, T_ACTIVE] += 1.0
            u = uniform(key_day, i, slot)
            if s == AWARE:
                p_first = chance(lam_day * conv)
                if u < p_forget:
                    move(stage, flows, i, k, UNAWARE)
                    log_event(ev, ev_n, tracked, day, i, k, E_FORGOT, 0)
                elif u < p_forget + p_first:
                    move(stage, flows, i, k, CUSTOMER)
                    tally[k, T_FIRST] += 1.0
                    book_purchase(i, k, day, False, False, fs, ist, u8, traits, bp, mp, tiers,
                                  money[k], tally[k], ev, ev_n, tracked, E_BUY_PUB)
                    # BG/NBD: dropout follows repeat purchases only; the trial purchase starts the relationship
                    invite_at_checkout(i, k, day, uniform(key_day, i, slot + 2), uniform(key_day, i, slot + 3),
                                       uniform(key_day, i, slot + 4), uniform(key_day, i, slot + 5),
                                       stage, flows, fs, ist, u8, traits, mp, bp, money[k], tally[k],
                                       ev, ev_n, tracked)
                continue
            member = s == MEMBER
            rate = lam_day
            if member:
                rate *= purchase_multiplier(i, k, traits, u8, bp, tiers)
            p_buy = chance(rate)
            if member and bp[k, BP_BIRTHDAY] > 0.0 and is_birthday(i, day, key_birthday):
                p_buy = p_buy + (1.0 - p_buy) * bp[k, BP_BIRTHDAY_RESP]
            if u >= p_buy:
                continue
            private = member and uniform(key_day, i, slot + 6) < bp[k, BP_CHECKOUT]
            book_purchase(i, k, day, private, member, fs, ist, u8, traits, bp, mp, tiers,
                          money[k], tally[k], ev, ev_n, tracked, E_BUY_PRIV if private else E_BUY_PUB)
            p_drop = traits[i, DROP]
            if member:
                p_drop *= dropout_multiplier(i, k, traits, u8, bp, tiers)
                p_drop *= trust_dropout_multiplier(fs[i, k, TRUST], w_trust)
            if uniform(key_day, i, slot + 1) < p_drop:
                lapse(i, k, day, stage, flows, fs, u8, tally[k], ev, ev_n, tracked)
            elif not member:
                invite_at_checkout(i, k, day, uniform(key_day, i, slot + 2), uniform(key_day, i, slot + 3),
                                   uniform(key_day, i, slot + 4), uniform(key_day, i, slot + 5),
                                   stage, flows, fs, ist, u8, traits, mp, bp, money[k], tally[k],
                                   ev, ev_n, tracked)
