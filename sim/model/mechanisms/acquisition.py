"""Acquisition from the public domain and from other brands' pools (它域).

**Ad auction.** All brands' daily budgets plus competitors' demand (growing yearly, seeds/001: Tmall
Global 20,000 brands expected to double in 3 years) form the demand D_t; the price of 1,000
impressions is ``CPM_t = cpm_base * (D_t / demand_ref)^elasticity`` — competition makes traffic
dear, the core reason private traffic exists (seeds/001, seeds/003). A brand's impressions are
spread over its target segments by weight; a consumer sees >=1 ad with probability
1 - exp(-impressions per person) (Poisson exposure) and becomes aware with ``ad_effectiveness``.
Lapsed customers can be won back with a lower effectiveness.

**Organic content** (free, slower; seeds/004 route 2): a daily view probability; a view makes an
unaware consumer aware, and an aware viewer may follow the brand's account (join the pool directly).
**KOL campaigns** (seeds/002: buying an influencer is buying their followers): on campaign days a
fee exposes ``reach`` people; joiners carry the KOL's trust bonus. **Partner pools** (resource
swaps, seeds/004 route 3): consumers in a partner's pool are shown the brand; some join at once,
trusting the brand as much as the partner, and the partner is paid per join.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.layout import (
    AWARE, BP_KOL_EFF, BP_KOL_FOLLOW, BP_KOL_TRUST, BP_ORG_EFF, BP_ORG_FOLLOW, C_PARTNER,
    COOLOFF, CUSTOMER, E_AWARE, E_WONBACK, LAPSED, MEMBER, MP_FRICTION, MP_REP, MP_TRUST0,
    MP_WINBACK, PLAN_KOL, PLAN_ORGANIC, PSI, SRC_KOL, SRC_ORGANIC, SRC_PARTNER, T_AD_AWARE,
    T_KOL_AWARE, T_ORG_AWARE, T_PARTNER_AWARE, T_WINBACKS, UNAWARE,
)
from sim.model.population import ids_where
from sim.model.rng import uniform
from sim.model.state import join_pool, log_event, move


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
    impressions = budget / price_cpm * 1000.0
    reach_mass = float(np.dot(weights, seg_people))
    if impressions <= 0 or reach_mass <= 0:
        return np.zeros_like(weights)
    per_person = impressions * weights / reach_mass
    return -np.expm1(-per_person) * effectiveness


@njit(inline="always")
def _become_aware(i, k, day, s, tally_code, stage, flows, tally, ev, ev_n, tracked):
    if s == LAPSED:
        tally[k, T_WINBACKS] += 1.0
        log_event(ev, ev_n, tracked, day, i, k, E_WONBACK, 0)
    move(stage, flows, i, k, AWARE)
    tally[k, tally_code] += 1.0
    log_event(ev, ev_n, tracked, day, i, k, E_AWARE, tally_code - T_AD_AWARE + 1)  # 1 ads, 2 organic, 3 KOL, 4 partner


@njit(cache=True)
def reached_today(plan, bp, ad_p, winback, partner_share, partner_p, key_day, key_partner, reached):
    """Which consumers some brand may reach today, in order; ``reached[k, i]`` says which brands.

    A consumer's day starts with one draw per exposure route (ads, content, KOL, partner pools).
    This pre-pass makes exactly those draws for everyone and compares each with the route's largest
    probability, without branches, so it runs on SIMD lanes, about ten times faster than the
    consumer-by-consumer loop. ``reached[k, i] = 0`` guarantees that no route of brand ``k`` reaches
    consumer ``i`` today, so the kernel can skip them: it runs the full rules, with the exact
    probabilities and the same draws, only for the consumers returned, and the results are
    identical to visiting everyone.
    """
    n_brands, n = reached.shape
    for k in range(n_brands):
        slot = 32 * k
        flags = reached[k]
        p_ad = 0.0
        for seg in range(ad_p.shape[1]):
            p_ad = max(p_ad, ad_p[k, seg] * max(1.0, winback))
        for i in range(n):
            flags[i] = uniform(key_day, i, slot) < p_ad
        p_view = plan[k, PLAN_ORGANIC]
        if p_view > 0.0:
            for i in range(n):
                flags[i] |= uniform(key_day, i, slot + 1) < p_view
        p_view = plan[k, PLAN_KOL]
        if p_view > 0.0:  # campaign days expose many: a view counts only if it makes aware or makes follow
            p_aware, p_follow = bp[k, BP_KOL_EFF], bp[k, BP_KOL_FOLLOW]
            for i in range(n):
                flags[i] |= (uniform(key_day, i, slot + 6) < p_view) & (
                    (uniform(key_day, i, slot + 7) < p_aware) | (uniform(key_day, i, slot + 8) < p_follow))
        for m in range(partner_share.shape[0]):
            p_view = partner_p[k, m]
            if p_view > 0.0:
                share = partner_share[m]
                for i in range(n):
                    flags[i] |= (uniform(key_partner, i, m) < share) & (uniform(key_day, i, slot + 11 + 2 * m) < p_view)
    anyone = reached[0].copy()
    for k in range(1, n_brands):
        anyone |= reached[k]
    return ids_where(anyone)


@njit(cache=True)
def acquisition_kernel(day, stage, fs, ist, u8, traits, segment, tracked, mp, bp, plan, ad_p,
                       partner_share, partner_trust, partner_p, partner_join, partner_fee,
                       key_day, key_partner, flows, money, tally, ev, ev_n):
    """One day of exposure for every non-member: ads, organic content, KOLs, partner pools."""
    n, n_brands = stage.shape
    winback = mp[MP_WINBACK]
    friction = mp[MP_FRICTION]
    trust0 = mp[MP_TRUST0]
    rep = mp[MP_REP]
    n_partners = partner_share.shape[0]
    reached = np.empty((n_brands, n), dtype=np.uint8)
    for i in reached_today(plan, bp, ad_p, winback, partner_share, partner_p, key_day, key_partner, reached):
        seg = segment[i]  # nothing reaches the others today: their day has no events
        for k in range(n_brands):
            s = stage[i, k]
            if s == MEMBER or not reached[k, i]:
                continue
            slot = 32 * k
            # paid ads in the public auction
            if s == UNAWARE or s == LAPSED:
                p = ad_p[k, seg]
                if s == LAPSED:
                    p *= winback
                if p > 0.0 and uniform(key_day, i, slot) < p:
                    _become_aware(i, k, day, s, T_AD_AWARE, stage, flows, tally, ev, ev_n, tracked)
                    s = AWARE
            # organic content: a view can make aware, and an aware viewer can follow
            pv = plan[k, PLAN_ORGANIC]
            if pv > 0.0 and uniform(key_day, i, slot + 1) < pv:
                if (s == UNAWARE or s == LAPSED) and uniform(key_day, i, slot + 2) < bp[k, BP_ORG_EFF]:
                    _become_aware(i, k, day, s, T_ORG_AWARE, stage, flows, tally, ev, ev_n, tracked)
                    s = AWARE
                if (s == AWARE or s == CUSTOMER) and ist[i, k, COOLOFF] <= day \
                        and uniform(key_day, i, slot + 3) < bp[k, BP_ORG_FOLLOW]:
                    join_pool(i, k, day, SRC_ORGANIC, trust0, -1, uniform(key_day, i, slot + 4),
                              uniform(key_day, i, slot + 5), stage, flows, fs, ist, u8, traits, mp, bp,
                              tally[k], ev, ev_n, tracked)
                    continue
            # KOL campaign day
            pk = plan[k, PLAN_KOL]
            if pk > 0.0 and uniform(key_day, i, slot + 6) < pk:
                if (s == UNAWARE or s == LAPSED) and uniform(key_day, i, slot + 7) < bp[k, BP_KOL_EFF]:
                    _become_aware(i, k, day, s, T_KOL_AWARE, stage, flows, tally, ev, ev_n, tracked)
                    s = AWARE
                if (s == AWARE or s == CUSTOMER) and ist[i, k, COOLOFF] <= day \
                        and uniform(key_day, i, slot + 8) < bp[k, BP_KOL_FOLLOW]:
                    join_pool(i, k, day, SRC_KOL, trust0 + bp[k, BP_KOL_TRUST], -1,
                              uniform(key_day, i, slot + 9), uniform(key_day, i, slot + 10),
                              stage, flows, fs, ist, u8, traits, mp, bp, tally[k], ev, ev_n, tracked)
                    continue
            # partner pools (resource swaps)
            for m in range(n_partners):
                pe = partner_p[k, m]
                if pe <= 0.0 or uniform(key_partner, i, m) >= partner_share[m]:
                    continue
                if uniform(key_day, i, slot + 11 + 2 * m) >= pe:
                    continue
                if s == UNAWARE or s == LAPSED:
                    _become_aware(i, k, day, s, T_PARTNER_AWARE, stage, flows, tally, ev, ev_n, tracked)
                    s = AWARE
                if ist[i, k, COOLOFF] > day:
                    continue
                accept = partner_join[k, m] * (1.0 - traits[i, PSI]) * friction
                if uniform(key_day, i, slot + 12 + 2 * m) < accept:
                    join_pool(i, k, day, SRC_PARTNER, max(trust0, partner_trust[m]), -1,
                              uniform(key_day, i, slot + 28), uniform(key_day, i, slot + 29),
                              stage, flows, fs, ist, u8, traits, mp, bp, tally[k], ev, ev_n, tracked)
                    money[k, C_PARTNER] += partner_fee[k, m] * rep
                    break


def kol_view_probability(fee: float, reach_people: float, n_people: float, day: int, every_days: int) -> float:
    """Chance a consumer is one of the followers exposed on a KOL campaign day (0 otherwise)."""
    if fee <= 0 or reach_people <= 0 or day % every_days != 0:
        return 0.0
    return min(1.0, reach_people / n_people)


def no_partners(n_brands: int) -> tuple[np.ndarray, ...]:
    """Empty partner arrays (a market with no partner pools)."""
    z1 = np.zeros(0, dtype=np.float64)
    z2 = np.zeros((n_brands, 0), dtype=np.float64)
    return z1, z1.copy(), z2, z2.copy(), z2.copy()


