"""Acquisition from the public domain and from other brands' pools (它域).

**Paid ads** (priced in the auction, :mod:`sim.model.mechanisms.auction`): a consumer of a target
segment becomes aware with the day's chance from the brand's impressions. Lapsed customers can be
won back with a lower effectiveness (``winback_share``).

**Organic content** (free, slower; Private e-commerce encyclopedia 2025 route 2): a daily view probability; a
view makes an unaware consumer aware, and an aware viewer may follow the brand's account (join the pool directly).
**KOL campaigns** (Ebrun n.d.: buying an influencer is buying their followers): on campaign days a
fee exposes ``reach`` people; joiners carry the KOL's trust bonus. **Partner pools** (resource
swaps, Private e-commerce encyclopedia 2025 route 3): consumers in a partner's pool are shown the brand; some join
at once, trusting the brand as much as the partner, and the partner is paid per join.

Each route's first draw (the ad, the view, the exposure) is a ranked draw (:func:`sim.model.rng.ranked_uniform`,
one shuffle per span, route and day): the few consumers a route can reach today are listed by rank
(:func:`reached_span`) and only they are visited. Common random numbers hold: a higher probability reaches the
same consumers and more.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import rng
from sim.model.component import MAX_PARTNERS, Param, Slots
from sim.model.kernel import kernel
from sim.model.population import SPAN
from sim.model.rng import block_key, ranked_below, ranked_candidates, ranked_uniform, uniform
from sim.model.state import join_pool, log_event, move

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "acquisition"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_WINBACK": Param("market.platforms.winback_share"),
    "MP_FRICTION": Param("market.regime.consent_friction"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "BP_ORG_EFF": Param("brand.strategy.acquisition.organic.effectiveness"),
    "BP_ORG_FOLLOW": Param("brand.strategy.acquisition.organic.follow_rate"),
    "BP_KOL_EFF": Param("brand.strategy.acquisition.kol.effectiveness"),
    "BP_KOL_FOLLOW": Param("brand.strategy.acquisition.kol.follow_rate"),
    "BP_KOL_TRUST": Param("brand.strategy.acquisition.kol.trust_bonus"),
}
TALLIES = {"T_AD_AWARE": "ad_aware", "T_ORG_AWARE": "organic_aware", "T_KOL_AWARE": "kol_aware",
           "T_PARTNER_AWARE": "partner_aware", "T_WINBACKS": "winbacks"}
LEDGER = {"C_PARTNER": "partner_fees"}
EVENTS = {"E_AWARE": "aware", "E_WONBACK": "won_back"}
#: A consumer's draws for brand k today: one block of 32 slots per brand. Partner pool m uses slots
#: PARTNER + 2m (shown the brand) and PARTNER + 2m + 1 (joins), for up to MAX_PARTNERS partners.
DAY_SLOTS = Slots(rng.ACQUISITION, block=32, ranges={
    "ad": (0, 1), "organic_view": (1, 1), "organic_aware": (2, 1), "organic_follow": (3, 1),
    "organic_consent": (4, 1), "organic_paid": (5, 1), "kol_view": (6, 1), "kol_aware": (7, 1),
    "kol_follow": (8, 1), "kol_consent": (9, 1), "kol_paid": (10, 1), "partner": (11, 2 * MAX_PARTNERS),
    "partner_consent": (28, 1), "partner_paid": (29, 1)})
#: Who belongs to partner pool m: fixed for the run (slot m of the run-long partners key).
PARTNER_SLOTS = Slots(rng.PARTNERS, shared={"member_of_partner": (0, MAX_PARTNERS)}, day_offset=None)
SLOTS = (DAY_SLOTS, PARTNER_SLOTS)
BLOCK = DAY_SLOTS.block
S_AD, S_ORG_VIEW, S_ORG_AWARE, S_ORG_FOLLOW, S_ORG_CONSENT, S_ORG_PAID = (
    DAY_SLOTS.first(n) for n in ("ad", "organic_view", "organic_aware", "organic_follow", "organic_consent",
                                 "organic_paid"))
S_KOL_VIEW, S_KOL_AWARE, S_KOL_FOLLOW, S_KOL_CONSENT, S_KOL_PAID = (
    DAY_SLOTS.first(n) for n in ("kol_view", "kol_aware", "kol_follow", "kol_consent", "kol_paid"))
S_PARTNER, S_PARTNER_CONSENT, S_PARTNER_PAID = (
    DAY_SLOTS.first(n) for n in ("partner", "partner_consent", "partner_paid"))
S_MEMBER_OF_PARTNER = PARTNER_SLOTS.first("member_of_partner")

@njit(inline="always")
def _content_view(c, prm, books, jr, i, k, day, s, key_day, d_aware, p_aware, tally_code, d_follow, p_follow, source,
                  trust, d_consent, d_paid):
    """Consumer ``i`` viewed brand ``k``'s content (an organic post or a KOL campaign) in stage ``s``.

    The view makes an unaware or lapsed viewer aware with chance ``p_aware`` (draw ``d_aware``), then an
    aware viewer or a customer out of cool-off follows, i.e. joins the pool from ``source`` at ``trust``,
    with chance ``p_follow`` (draw ``d_follow``). Returns the stage after the view and whether they joined.
    """
    if (s == L.UNAWARE or s == L.LAPSED) and uniform(key_day, i, d_aware) < p_aware:
        _become_aware(c, books, jr, i, k, day, s, tally_code)
        s = L.AWARE
    if (s == L.AWARE or s == L.CUSTOMER) and c.pair[i, k].cooloff <= day \
            and uniform(key_day, i, d_follow) < p_follow:
        join_pool(c, prm, books, jr, i, k, day, source, trust, -1, uniform(key_day, i, d_consent),
                  uniform(key_day, i, d_paid))
        return s, True
    return s, False


#: Today's exposure routes: the brands' plan (K, N_PLAN), ad awareness by segment (K, S), partner pools'
#: exposure today (K, P), and the partner pools' fixed tables (share, trust, join rate, fee).
Reach = namedtuple("Reach", ("plan", "ad_p", "partner_p", "partner_share", "partner_trust", "partner_join",
                             "partner_fee"))


@njit(cache=True)
def _become_aware(c, books, jr, i, k, day, s, tally_code):
    tally = books.tally
    if s == L.LAPSED:
        tally[k, L.T_WINBACKS] += 1.0
        log_event(jr, day, i, k, L.E_WONBACK, 0)
    move(c.stage, books.flows, i, k, L.AWARE)
    tally[k, tally_code] += 1.0
    # value: 1 ads, 2 organic, 3 KOL, 4 partner (the four awareness tallies are consecutive: PUBLISHED_ORDER)
    log_event(jr, day, i, k, L.E_AWARE, tally_code - L.T_AD_AWARE + 1)


#: The exposure routes whose draws are ranked (:func:`sim.model.rng.ranked_uniform`), by column of the keys table
#: of a span: ads, organic views, KOL views, then partner pool m's exposure at ``R_PARTNER + m``.
R_AD, R_ORGANIC, R_KOL, R_PARTNER = range(4)


@njit(inline="always")
def route_keys(key_day, start, keys):
    """Fill ``keys[k, route]`` with the block keys of the span starting at ``start`` (one span, one block)."""
    block = start // SPAN
    for k in range(keys.shape[0]):
        slot = BLOCK * k
        keys[k, R_AD] = block_key(key_day, slot + S_AD, block)
        keys[k, R_ORGANIC] = block_key(key_day, slot + S_ORG_VIEW, block)
        keys[k, R_KOL] = block_key(key_day, slot + S_KOL_VIEW, block)
        for m in range(keys.shape[1] - R_PARTNER):
            keys[k, R_PARTNER + m] = block_key(key_day, slot + S_PARTNER + 2 * m, block)


#: A route expecting more than this share of a span is marked by drawing for everyone in the span (a KOL
#: campaign day), not listed by rank: past it, a list costs more than the pass.
DENSE_SHARE = 0.125


@njit(inline="always")
def _reaches(key, r, size, p):
    """Whether span position ``r``'s ranked draw under ``key`` is below ``p`` (always, without the draw, if p >= 1)."""
    return p >= 1.0 or ranked_uniform(key, r, size) < p


@njit(inline="always")
def _counts(route, i, slot, key_day, key_partner, p_aware, p_follow, partner_share):
    """Whether consumer ``i``, if reached by ``route`` of the brand whose draws start at ``slot``, can be changed.

    A KOL view counts only if it makes aware or makes follow (campaign days expose many); a partner pool's
    exposure only reaches the pool's members; an ad or an organic view always counts.
    """
    if route == R_KOL:
        aware = uniform(key_day, i, slot + S_KOL_AWARE) < p_aware
        return aware | (uniform(key_day, i, slot + S_KOL_FOLLOW) < p_follow)
    if route >= R_PARTNER:
        m = route - R_PARTNER
        return uniform(key_partner, i, S_MEMBER_OF_PARTNER + m) < partner_share[m]
    return True


@njit(inline="always")
def _flag(reached, k, r, who, count):
    """Flag brand ``k`` at span position ``r``; a position no brand had flagged joins ``who``. Returns the count."""
    fresh = True
    for b in range(reached.shape[0]):
        if reached[b, r]:
            fresh = False
    reached[k, r] = 1
    if fresh:
        who[count] = r
        count += 1
    return count


@njit(cache=True)
def reached_span(plan, bp, ad_p, winback, partner_share, partner_p, key_day, key_partner, start, stop, keys, reached,
                 who):
    """Which consumers ``start <= i < stop`` some brand may reach today: their ids, in order, into ``who``.

    Returns how many; ``reached[k, i - start]`` says which brands. ``reached`` must be all zeros on entry,
    and the caller clears the flags of the ids returned once it has visited them. A consumer's day starts
    with one ranked draw per exposure route (ads, content, KOL, partner pools; ``keys`` holds the span's
    block keys, :func:`route_keys`). The consumers whose draw can be below a route's largest probability
    ``p`` are listed directly, by rank (:func:`sim.model.rng.ranked_below`: about ``p`` times the span's
    size of them), instead of drawn for one by one; a route expecting more than :data:`DENSE_SHARE` of the
    span is drawn for everyone. ``reached[k, i - start] = 0`` guarantees that no route of brand ``k``
    reaches consumer ``i`` today, so the kernel can skip them: it runs the full rules, with the exact
    probabilities and the same draws, only for the consumers returned.
    """
    n_brands = reached.shape[0]
    size = stop - start
    dense_from = max(1, int(DENSE_SHARE * size))
    count = 0
    for k in range(n_brands):
        slot = BLOCK * k
        p_ad = 0.0
        for seg in range(ad_p.shape[1]):
            p_ad = max(p_ad, ad_p[k, seg] * max(1.0, winback))
        p_kol = plan[k, L.PLAN_KOL]
        p_aware, p_follow = bp[k, L.BP_KOL_EFF], bp[k, L.BP_KOL_FOLLOW]
        for route in range(keys.shape[1]):
            key = keys[k, route]
            if route == R_AD:
                p = p_ad
            elif route == R_ORGANIC:
                p = plan[k, L.PLAN_ORGANIC]
            elif route == R_KOL:
                p = p_kol
            else:
                p = partner_p[k, route - R_PARTNER]
            listed = ranked_candidates(p, size)
            if listed == 0:
                continue
            if listed > dense_from:  # draw for everyone in the span, in order
                hits = np.empty(size, dtype=np.uint8)
                for r in range(size):  # the hashed conditions first (the route is fixed: no branch, SIMD lanes)
                    hits[r] = _counts(route, start + r, slot, key_day, key_partner, p_aware, p_follow, partner_share)
                for r in range(size):
                    if hits[r] and _reaches(key, r, size, p):
                        count = _flag(reached, k, r, who, count)
                continue
            for rank in range(listed):  # list the lowest ranks (a superset: the kernel draws exactly)
                r = ranked_below(key, rank, size)
                if _counts(route, start + r, slot, key_day, key_partner, p_aware, p_follow, partner_share):
                    count = _flag(reached, k, r, who, count)
    ids = who[:count]
    ids.sort()
    for j in range(count):
        ids[j] += start
    return count


@kernel
def acquisition_kernel(c, prm, books, jr, day, key_day, key_partner, reach):
    """One day of exposure for every non-member: ads, organic content, KOLs, partner pools.

    ``reach`` is today's :class:`Reach` (the brands' plan, ad and partner exposure probabilities).
    """
    stage, pair, traits, segment = c.stage, c.pair, c.traits, c.segment
    mp, bp = prm.mp, prm.bp
    money = books.money
    plan, ad_p, partner_p = reach.plan, reach.ad_p, reach.partner_p
    partner_share, partner_trust = reach.partner_share, reach.partner_trust
    partner_join, partner_fee = reach.partner_join, reach.partner_fee
    n, n_brands = stage.shape
    winback = mp[L.MP_WINBACK]
    friction = mp[L.MP_FRICTION]
    trust0 = mp[L.MP_TRUST0]
    rep = mp[L.MP_REP]
    n_partners = partner_share.shape[0]
    reached = np.zeros((n_brands, SPAN), dtype=np.uint8)  # (all zeros between spans: visited flags are cleared)
    buffer = np.empty(SPAN, dtype=np.int32)
    keys = np.empty((n_brands, R_PARTNER + n_partners), dtype=np.uint64)
    for start in range(0, n, SPAN):  # a span at a time: the same consumers in the same order as one pass
        stop = min(n, start + SPAN)
        size = stop - start
        route_keys(key_day, start, keys)
        who = buffer[:reached_span(plan, bp, ad_p, winback, partner_share, partner_p, key_day, key_partner, start,
                                   stop, keys, reached, buffer)]
        for i in who:
            seg = segment[i]  # nothing reaches the others today: their day has no events
            for k in range(n_brands):
                s = stage[i, k]
                if s == L.MEMBER or not reached[k, i - start]:
                    continue
                slot = BLOCK * k
                # paid ads in the public auction
                if s == L.UNAWARE or s == L.LAPSED:
                    p = ad_p[k, seg]
                    if s == L.LAPSED:
                        p *= winback
                    if p > 0.0 and _reaches(keys[k, R_AD], i - start, size, p):
                        _become_aware(c, books, jr, i, k, day, s, L.T_AD_AWARE)
                        s = L.AWARE
                # organic content: a view can make aware, and an aware viewer can follow
                pv = plan[k, L.PLAN_ORGANIC]
                if pv > 0.0 and _reaches(keys[k, R_ORGANIC], i - start, size, pv):
                    s, joined = _content_view(c, prm, books, jr, i, k, day, s, key_day, slot + S_ORG_AWARE,
                                              bp[k, L.BP_ORG_EFF], L.T_ORG_AWARE, slot + S_ORG_FOLLOW,
                                              bp[k, L.BP_ORG_FOLLOW], L.SRC_ORGANIC, trust0, slot + S_ORG_CONSENT,
                                              slot + S_ORG_PAID)
                    if joined:
                        continue
                # KOL campaign day: the same rules, with the campaign's own rates and trust
                pk = plan[k, L.PLAN_KOL]
                if pk > 0.0 and _reaches(keys[k, R_KOL], i - start, size, pk):
                    s, joined = _content_view(c, prm, books, jr, i, k, day, s, key_day, slot + S_KOL_AWARE,
                                              bp[k, L.BP_KOL_EFF], L.T_KOL_AWARE, slot + S_KOL_FOLLOW,
                                              bp[k, L.BP_KOL_FOLLOW], L.SRC_KOL, trust0 + bp[k, L.BP_KOL_TRUST],
                                              slot + S_KOL_CONSENT, slot + S_KOL_PAID)
                    if joined:
                        continue
                # partner pools (resource swaps)
                for m in range(n_partners):
                    pe = partner_p[k, m]
                    if pe <= 0.0 or uniform(key_partner, i, S_MEMBER_OF_PARTNER + m) >= partner_share[m]:
                        continue
                    if not _reaches(keys[k, R_PARTNER + m], i - start, size, pe):
                        continue
                    if s == L.UNAWARE or s == L.LAPSED:
                        _become_aware(c, books, jr, i, k, day, s, L.T_PARTNER_AWARE)
                        s = L.AWARE
                    if pair[i, k].cooloff > day:
                        continue
                    accept = partner_join[k, m] * (1.0 - traits[i, L.PSI]) * friction
                    if uniform(key_day, i, slot + S_PARTNER + 2 * m + 1) < accept:
                        join_pool(c, prm, books, jr, i, k, day, L.SRC_PARTNER, max(trust0, partner_trust[m]), -1,
                                  uniform(key_day, i, slot + S_PARTNER_CONSENT),
                                  uniform(key_day, i, slot + S_PARTNER_PAID))
                        money[k, L.C_PARTNER] += partner_fee[k, m] * rep
                        break
        for i in who:  # the flags are all zeros again for the next span
            for k in range(n_brands):
                reached[k, i - start] = 0


def step(model: MarketModel, day: int) -> None:
    """One day of exposure for every non-member (see :func:`acquisition_kernel`)."""
    pk = model.packed
    reach = Reach(model.plan, model.ad_p, model.partner_p, pk.partner_share, pk.partner_trust, pk.partner_join,
                  pk.partner_fee)
    acquisition_kernel(model.consumers, pk.params, model.books, model.journal, day,
                       model.keys.day(rng.ACQUISITION, day), model.keys.run(rng.PARTNERS), reach)


def no_partners(n_brands: int) -> tuple[np.ndarray, ...]:
    """Empty partner arrays (a market with no partner pools)."""
    z1 = np.zeros(0, dtype=np.float64)
    z2 = np.zeros((n_brands, 0), dtype=np.float64)
    return z1, z1.copy(), z2, z2.copy(), z2.copy()


