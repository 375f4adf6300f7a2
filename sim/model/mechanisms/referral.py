"""Referral / fission (裂变): members share with friends; both sides may get a coupon (seeds/004).

A member shares on a day, during their first ``share_window_days`` in the pool, with probability::

    share_rate * (2 trust) * (2 sociability) * R(referrer_reward)

and a share reaches ``contacts_per_share`` contacts on the social network (hubs of a scale-free
network reach proportionally more). A contact who is not a member and not in a cool-off joins with
probability::

    referral_accept_base * (1 - psi)^invite_psi_weight * R(referee_reward) * consent_friction

where R(r) = 1 + lift * r / (r + half) saturates in the reward. Both rewards are paid per
successful join (coupons), and each share costs ``cost_per_share`` (posters, check-in prizes); an
unwanted share adds ``spam_fatigue`` to the contact. Each successful referral is credited to the
referrer's joining cohort, which gives the K-factor of finished cohorts. With
``neutral: true`` the trust, sociability and privacy factors are 1, so each member makes on
average K = window * share_rate * R(referrer) * contacts * accept_base * R(referee) successful
referrals: a Galton-Watson branching process whose total size from S seeds is S / (1 - K) for K < 1.
"""

from __future__ import annotations

from numba import njit

from sim.model.layout import (
    AWARE, BP_CONTACTS, BP_REF_NEUTRAL, BP_REFEREE_REWARD, BP_REFERRER_REWARD, BP_SHARE_RATE,
    BP_WINDOW, C_REWARDS, COOLOFF, E_REFERRED, E_SHARED, JOINED, LAPSED, MEMBER, MP_DEGREE,
    MP_ACCEPT_PSI, MP_FRICTION, MP_NET_KIND, MP_REF_ACCEPT, MP_REF_HALF, MP_REF_LIFT, MP_REP, MP_REWIRE,
    MP_SF_BETA, MP_SPAM, MP_TRUST0, NET_NONE, NET_SCALE_FREE, PSI, SOC, SRC_REFERRAL,
    T_CONTACTS, T_SHARES, TRUST, UNAWARE, BP_SHARE_COST,
)
from sim.model.network import degree, pick_contact
from sim.model.population import ids_where, prefetch_ahead
from sim.model.rng import bernoulli_round, uniform
from sim.model.state import join_pool, log_event, move

MAX_CONTACTS = 1000  # per share; keeps each share's draws in its own slots


@njit(inline="always")
def reward_lift(reward, mp):
    """Saturating lift of sharing or joining from a reward."""
    return 1.0 + mp[MP_REF_LIFT] * reward / (reward + mp[MP_REF_HALF])


@njit(inline="always")
def share_probability(trust, sociability, neutral, k, bp, mp):
    """Chance a member in their sharing window shares today."""
    p = bp[k, BP_SHARE_RATE] * reward_lift(bp[k, BP_REFERRER_REWARD], mp)
    if not neutral:
        p *= 4.0 * trust * sociability
    return min(p, 1.0)


@njit(inline="always")
def join_probability(psi, neutral, k, bp, mp):
    """Chance a contact joins after a share."""
    p = mp[MP_REF_ACCEPT] * reward_lift(bp[k, BP_REFEREE_REWARD], mp)
    if not neutral:
        p *= (1.0 - psi) ** mp[MP_ACCEPT_PSI] * mp[MP_FRICTION]
    return min(p, 1.0)


@njit(cache=True)
def referral_kernel(day, stage, fs, ist, u8, traits, fatigue, tracked, mp, bp, net_key, key_day,
                    flows, money, tally, ev, ev_n, cohort):
    """Members in their sharing window share; contacts may join. Returns nothing; books costs."""
    n, n_brands = stage.shape
    kind = int(mp[MP_NET_KIND])
    if kind == NET_NONE:
        return
    mean_degree = mp[MP_DEGREE]
    rewire = mp[MP_REWIRE]
    beta = mp[MP_SF_BETA]
    rep = mp[MP_REP]
    for k in range(n_brands):
        if bp[k, BP_SHARE_RATE] <= 0.0:
            continue
        neutral = bp[k, BP_REF_NEUTRAL] > 0.5
        window = bp[k, BP_WINDOW]
        reward_both = (bp[k, BP_REFERRER_REWARD] + bp[k, BP_REFEREE_REWARD]) * rep
        members = ids_where(stage[:, k] == MEMBER)  # who joins today shares from tomorrow
        for m in range(members.shape[0]):
            prefetch_ahead(members, m, traits, fs, ist, u8, fatigue)  # a memory hint only
            i = members[m]
            age = day - ist[i, k, JOINED]
            if age <= 0 or age > window:  # joined today: shares from tomorrow
                continue
            slot = 4096 * k
            p = share_probability(fs[i, k, TRUST], traits[i, SOC], neutral, k, bp, mp)
            if uniform(key_day, i, slot) >= p:
                continue
            tally[k, T_SHARES] += 1.0
            money[k, C_REWARDS] += bp[k, BP_SHARE_COST] * rep
            log_event(ev, ev_n, tracked, day, i, k, E_SHARED, 0)
            reach = bp[k, BP_CONTACTS]
            if kind == NET_SCALE_FREE:
                reach *= degree(kind, i, n, mean_degree, beta) / mean_degree
            n_contacts = min(bernoulli_round(reach, uniform(key_day, i, slot + 1)), MAX_CONTACTS)
            for c in range(n_contacts):
                j = pick_contact(kind, i, n, mean_degree, rewire, beta, net_key, key_day,
                                 uniform(key_day, i, slot + 2 + 3 * c))
                tally[k, T_CONTACTS] += 1.0
                sj = stage[j, k]
                if sj == MEMBER or ist[j, k, COOLOFF] > day:
                    continue
                if uniform(key_day, i, slot + 3 + 3 * c) < join_probability(traits[j, PSI], neutral, k, bp, mp):
                    if sj == LAPSED or sj == UNAWARE:
                        move(stage, flows, j, k, AWARE)
                    join_pool(j, k, day, SRC_REFERRAL, mp[MP_TRUST0], i,
                              uniform(key_day, j, slot + 4000), uniform(key_day, j, slot + 4001),
                              stage, flows, fs, ist, u8, traits, mp, bp, tally[k], ev, ev_n, tracked)
                    money[k, C_REWARDS] += reward_both
                    cohort[max(ist[i, k, JOINED], 0), k] += 1.0  # credit the referrer's joining cohort
                    log_event(ev, ev_n, tracked, day, i, k, E_REFERRED, j)
                else:
                    fatigue[j] += mp[MP_SPAM]
