"""Messaging and fatigue (促活): broadcasts to pool members and cold outreach to platform buyers.

Fatigue is one number per consumer, shared by every brand (seeds/003: "repeated operations without
novelty fatigue users"). Each seen message adds 1; fatigue decays with time constant T days. A
consumer's pressure is x = fatigue / (tau * T / 7), where tau is the messages per week they
tolerate, so x = 1 at the steady state of exactly the tolerated cadence. Per seen message
(functional forms: assumptions, tuned to 1-4 unsubscribes per 1,000 sends at weekly cadence):

- purchase:  response_base * quality * (0.5 + selling_share) * (0.5 + trust) * exp(-x)
- opt-out:   optout_base * (1 + psi_weight * psi) * (1 + x)^power       -> MEMBER to CUSTOMER
- trust:     up by trust_up * (1 - trust) if value = quality * (1 - selling_share / 2) beats
             threshold + threshold_fatigue * x, else down by trust_down * trust (hard selling)
- complaint: complaint_rate_member * min(x, 1); a member who declined marketing consent but is
             messaged anyway complains like a cold recipient: complaint_rate_cold * (0.5 + psi)

So more messages buy more responses linearly but opt-outs and trust loss superlinearly: profit
against frequency is an inverted U. Under explicit opt-in a brand that respects the law messages
only members who ticked consent; every other marketing message is counted as a violation. Cold
outreach messages platform buyers who never joined (nor opted out); under explicit opt-in each is a
violation whose complaints may bring enforcement (see :mod:`compliance`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.model.layout import (
    BP_CAP, BP_CHECKOUT, BP_COLD, BP_COLD_QUALITY, BP_COOLOFF, BP_MSG_COST, BP_PER_WEEK,
    BP_QUALITY, BP_RESPECT, BP_SELLING, BP_TOOL_REACH, C_MESSAGES, CONSENT, COOLOFF, CUSTOMER,
    E_BUY_PRIV, E_BUY_PUB, E_COLD, E_MESSAGE, E_OPTOUT, MEMBER, MP_COMPLAIN_COLD,
    MP_COMPLAIN_MEMBER, MP_FATIGUE_DAYS, MP_OPT_IN, MP_OPTOUT, MP_OPTOUT_POW, MP_OPTOUT_PSI,
    MP_REP, MP_RESPONSE, MP_TRUST_DOWN, MP_TRUST_THR, MP_TRUST_THR_F, MP_TRUST_UP, OPTED_OUT,
    PLAN_COLD, PLAN_MESSAGES, PSI, T_COLD, T_COMPLAINTS, T_MSG_PUR, T_OPTOUTS, T_SEEN, T_SENDS,
    T_VIOL_COMPLAINTS, T_VIOLATIONS, TAU, TRUST,
)
from sim.model.mechanisms.purchase import book_purchase
from sim.model.population import ids_where, prefetch_ahead
from sim.model.rng import uniform
from sim.model.state import log_event, move


@njit(inline="always")
def pressure(fatigue, tau, decay_days):
    """Fatigue relative to what the consumer tolerates (1 = at their tolerated weekly cadence)."""
    return fatigue / (tau * decay_days / 7.0)


@njit(inline="always")
def response_probability(quality, selling, trust, x, mp):
    """Chance a seen message triggers a purchase."""
    return mp[MP_RESPONSE] * quality * (0.5 + selling) * (0.5 + trust) * math.exp(-x)


@njit(inline="always")
def optout_probability(psi, x, mp):
    """Chance a seen message makes the member leave the pool."""
    return min(1.0, mp[MP_OPTOUT] * (1.0 + mp[MP_OPTOUT_PSI] * psi) * (1.0 + x) ** mp[MP_OPTOUT_POW])


@njit(inline="always")
def new_trust(trust, quality, selling, x, mp):
    """Trust after one seen message: value above a fatigue-dependent threshold builds it."""
    value = quality * (1.0 - 0.5 * selling)
    if value > mp[MP_TRUST_THR] + mp[MP_TRUST_THR_F] * x:
        return trust + mp[MP_TRUST_UP] * (1.0 - trust)
    return trust - mp[MP_TRUST_DOWN] * trust


@njit(cache=True)
def recipients_today(stage, plan, fatigue, decay):
    """Ids, in order, of consumers some brand may message today; decays the fatigue of all others.

    Only members (broadcasts) and platform customers (cold outreach) can receive a message. Everyone
    else's day in this mechanism is the fatigue decay alone, done here in one vectorised pass with
    the same arithmetic as the kernel's (float64 product stored as float32).
    """
    n, n_brands = stage.shape
    gets = np.zeros(n, dtype=np.uint8)
    for k in range(n_brands):
        broadcast = plan[k, PLAN_MESSAGES] > 0.0
        cold = plan[k, PLAN_COLD] > 0.0
        if broadcast or cold:
            for i in range(n):
                s = stage[i, k]
                gets[i] |= (broadcast & (s == MEMBER)) | (cold & (s == CUSTOMER))
    for i in range(n):
        fatigue[i] = fatigue[i] if gets[i] else fatigue[i] * decay
    return ids_where(gets)


@njit(cache=True)
def messaging_kernel(day, stage, fs, ist, u8, traits, segment, fatigue, tracked, mp, bp, tiers,
                     plan, seg_ok, key_day, flows, money, tally, ev, ev_n):
    """Decay fatigue, then deliver today's broadcasts and cold messages, brand by brand."""
    n, n_brands = stage.shape
    decay_days = mp[MP_FATIGUE_DAYS]
    decay = math.exp(-1.0 / decay_days)
    rep = mp[MP_REP]
    opt_in = mp[MP_OPT_IN] > 0.5
    any_sends = False
    for k in range(n_brands):
        if plan[k, PLAN_MESSAGES] > 0.0 or plan[k, PLAN_COLD] > 0.0:
            any_sends = True
    who = recipients_today(stage, plan, fatigue, decay)  # everyone else's fatigue just decays
    for j in range(who.shape[0]):
        prefetch_ahead(who, j, traits, fs, ist, u8, fatigue)  # a memory hint only
        i = who[j]
        f = fatigue[i] * decay
        if any_sends:
            tau = traits[i, TAU]
            psi = traits[i, PSI]
            for k in range(n_brands):
                s = stage[i, k]
                slot = 256 * k  # broadcasts use slots 0..59, cold messages 128..167
                if s == MEMBER:
                    n_msgs = int(plan[k, PLAN_MESSAGES])
                    if n_msgs == 0 or seg_ok[k, segment[i]] == 0:
                        continue
                    lawful = (not opt_in) or u8[i, k, CONSENT] == 1
                    if not lawful and bp[k, BP_RESPECT] > 0.5:
                        continue
                    per_week = bp[k, BP_PER_WEEK]
                    cap_share = 1.0
                    if bp[k, BP_CAP] > 0.0 and bp[k, BP_CAP] < per_week:
                        cap_share = bp[k, BP_CAP] / per_week
                    quality = bp[k, BP_QUALITY]
                    selling = bp[k, BP_SELLING]
                    for m in range(n_msgs):
                        base = slot + 6 * m
                        if cap_share < 1.0 and uniform(key_day, i, base) >= cap_share:
                            continue
                        money[k, C_MESSAGES] += bp[k, BP_MSG_COST] * rep
                        tally[k, T_SENDS] += 1.0
                        if tracked[i]:  # (checked here too: the call costs even when it logs nothing)
                            log_event(ev, ev_n, tracked, day, i, k, E_MESSAGE, 0)
                        if not lawful:
                            tally[k, T_VIOLATIONS] += 1.0
                        if uniform(key_day, i, base + 1) >= bp[k, BP_TOOL_REACH]:
                            continue
                        tally[k, T_SEEN] += 1.0
                        f += 1.0
                        x = pressure(f, tau, decay_days)
                        trust = fs[i, k, TRUST]
                        if uniform(key_day, i, base + 2) < response_probability(quality, selling, trust, x, mp):
                            private = uniform(key_day, i, base + 3) < bp[k, BP_CHECKOUT]
                            tally[k, T_MSG_PUR] += 1.0
                            book_purchase(i, k, day, private, True, fs, ist, u8, traits, bp, mp, tiers,
                                          money[k], tally[k], ev, ev_n, tracked,
                                          E_BUY_PRIV if private else E_BUY_PUB)
                        # a member who declined marketing consent complains like a cold recipient
                        if lawful:
                            p_complain = mp[MP_COMPLAIN_MEMBER] * min(x, 1.0)
                        else:
                            p_complain = mp[MP_COMPLAIN_COLD] * (0.5 + psi)
                        if uniform(key_day, i, base + 4) < p_complain:
                            tally[k, T_COMPLAINTS] += 1.0
                            if not lawful:
                                tally[k, T_VIOL_COMPLAINTS] += 1.0
                        fs[i, k, TRUST] = new_trust(trust, quality, selling, x, mp)
                        if uniform(key_day, i, base + 5) < optout_probability(psi, x, mp):
                            move(stage, flows, i, k, CUSTOMER)
                            u8[i, k, CONSENT] = 0
                            u8[i, k, OPTED_OUT] = 1
                            ist[i, k, COOLOFF] = day + int(bp[k, BP_COOLOFF])
                            tally[k, T_OPTOUTS] += 1.0
                            log_event(ev, ev_n, tracked, day, i, k, E_OPTOUT, 0)
                            break
                elif s == CUSTOMER and plan[k, PLAN_COLD] > 0.0 and u8[i, k, OPTED_OUT] == 0:
                    n_cold = int(plan[k, PLAN_COLD])
                    for m in range(n_cold):
                        base = slot + 128 + 4 * m
                        money[k, C_MESSAGES] += bp[k, BP_MSG_COST] * rep
                        tally[k, T_COLD] += 1.0
                        if tracked[i]:  # (checked here too: the call costs even when it logs nothing)
                            log_event(ev, ev_n, tracked, day, i, k, E_COLD, 0)
                        if opt_in:
                            tally[k, T_VIOLATIONS] += 1.0
                        f += 1.0
                        x = pressure(f, tau, decay_days)
                        q = bp[k, BP_COLD_QUALITY]
                        if uniform(key_day, i, base) < response_probability(q, 1.0, 0.0, x, mp):
                            tally[k, T_MSG_PUR] += 1.0
                            book_purchase(i, k, day, False, False, fs, ist, u8, traits, bp, mp, tiers,
                                          money[k], tally[k], ev, ev_n, tracked, E_BUY_PUB)
                        if uniform(key_day, i, base + 1) < mp[MP_COMPLAIN_COLD] * (0.5 + psi):
                            tally[k, T_COMPLAINTS] += 1.0
                            if opt_in:
                                tally[k, T_VIOL_COMPLAINTS] += 1.0
                            u8[i, k, OPTED_OUT] = 1  # a complainer is never cold-messaged again
                            break
        fatigue[i] = f
