"""Interception / diversion (截流): inviting platform buyers into the brand's pool at checkout.

At a public-platform purchase by a non-member, an invitation (order card, SMS, QR code, seeds/004)
is enclosed with probability ``invite_share``. Acceptance (functional form: assumption)::

    p_accept = accept_base * (1 - psi)^psi_weight * friction
               * (1 + hook_lift * h / (h + h_half) + points_join_lift * x / (x + points_half))

falls with privacy sensitivity psi and with the friction of an explicit consent form (Japan's
APPI / Specified E-mail Act, seeds/000), and rises, saturating, with the hook value h (a red packet
or sample, paid for each buyer who joins) and with the points programme itself, for consumers with
an appetite for points (Japan's points culture, seeds/000), saturating in x = points_rate * appetite. A decline starts a cool-off with no re-invitation.
"""

from __future__ import annotations

from numba import njit

from sim.model.layout import (
    BP_COOLOFF, BP_HOOK, BP_INVITE_COST, BP_INVITE_SHARE, C_HOOKS, C_INVITES, COOLOFF,
    E_DECLINED, E_INVITED, MP_ACCEPT, MP_ACCEPT_PSI, MP_FRICTION, MP_HOOK_HALF, MP_HOOK_LIFT,
    MP_POINTS_JOIN, MP_REP, MP_TRUST0, PSI, PTS, SRC_INTERCEPT, T_ACCEPTED, T_INVITES, BP_POINTS_RATE, BP_POINTS_HALF,
)
from sim.model.state import join_pool, log_event


@njit(inline="always")
def accept_probability(psi, hook, points_rate, appetite, mp, points_half=0.01):
    """Chance a buyer with privacy sensitivity ``psi`` accepts an invitation with hook ``hook``."""
    x = points_rate * appetite
    lift = 1.0 + mp[MP_HOOK_LIFT] * hook / (hook + mp[MP_HOOK_HALF]) + mp[MP_POINTS_JOIN] * x / (x + points_half)
    p = mp[MP_ACCEPT] * (1.0 - psi) ** mp[MP_ACCEPT_PSI] * lift * mp[MP_FRICTION]
    return min(p, 1.0)


@njit(inline="always")
def invite_at_checkout(i, k, day, u_invite, u_accept, u_consent, u_paid,
                       stage, flows, fs, ist, u8, traits, mp, bp, money_k, tally_k, ev, ev_n, tracked):
    """Offer an invitation to buyer ``i`` after a platform purchase; returns 1 if they joined."""
    if bp[k, BP_INVITE_SHARE] <= 0.0 or ist[i, k, COOLOFF] > day or u_invite >= bp[k, BP_INVITE_SHARE]:
        return 0
    rep = mp[MP_REP]
    money_k[C_INVITES] += bp[k, BP_INVITE_COST] * rep
    tally_k[T_INVITES] += 1.0
    log_event(ev, ev_n, tracked, day, i, k, E_INVITED, 0)
    hook = bp[k, BP_HOOK]
    if u_accept < accept_probability(traits[i, PSI], hook, bp[k, BP_POINTS_RATE], traits[i, PTS], mp,
                                     bp[k, BP_POINTS_HALF]):
        join_pool(i, k, day, SRC_INTERCEPT, mp[MP_TRUST0], -1, u_consent, u_paid,
                  stage, flows, fs, ist, u8, traits, mp, bp, tally_k, ev, ev_n, tracked)
        money_k[C_HOOKS] += hook * rep
        tally_k[T_ACCEPTED] += 1.0
        return 1
    ist[i, k, COOLOFF] = day + int(bp[k, BP_COOLOFF])
    log_event(ev, ev_n, tracked, day, i, k, E_DECLINED, 0)
    return 0
