"""Interception / diversion (截流): inviting platform buyers into the brand's pool at checkout.

At a public-platform purchase by a non-member, an invitation (order card, SMS, QR code, Private e-commerce
encyclopedia 2025) is enclosed with probability ``invite_share``. Acceptance (functional form: assumption)::

    p_accept = accept_base * (1 - psi)^psi_weight * friction
               * (1 + hook_lift * h / (h + h_half) + points_join_lift * x / (x + points_half))

falls with privacy sensitivity psi and with the friction of an explicit consent form (Japan's
APPI / Specified E-mail Act, Rimaotong 2025), and rises, saturating, with the hook value h (a red packet
or sample, paid for each buyer who joins) and with the points programme itself, for consumers with
an appetite for points (Japan's points culture, Rimaotong 2025), saturating in x = points_rate * appetite.
A decline starts a cool-off with no re-invitation.
"""

from __future__ import annotations

from numba import njit

from sim.model import layout as L
from sim.model.component import Param
from sim.model.mechanisms import membership
from sim.model.state import join_pool, log_event

NAME = "interception"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_FRICTION": Param("market.regime.consent_friction"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "MP_ACCEPT": Param("market.behaviour.invite_accept_base"),
    "MP_ACCEPT_PSI": Param("market.behaviour.invite_psi_weight"),
    "MP_HOOK_LIFT": Param("market.behaviour.hook_lift"),
    "MP_HOOK_HALF": Param("market.behaviour.hook_half_value"),
    "MP_POINTS_JOIN": Param("market.behaviour.points_join_lift"),
    "BP_INVITE_SHARE": Param("brand.strategy.interception.invite_share"),
    "BP_HOOK": Param("brand.strategy.interception.hook_value"),
    "BP_INVITE_COST": Param("brand.strategy.interception.invite_cost"),
    "BP_COOLOFF": Param("brand.strategy.interception.cooloff_days"),
    "BP_POINTS_RATE": membership.PARAMS["BP_POINTS_RATE"],
    "BP_POINTS_HALF": membership.PARAMS["BP_POINTS_HALF"],
}
TALLIES = {"T_INVITES": "invites", "T_ACCEPTED": "invites_accepted"}
LEDGER = {"C_HOOKS": "hooks", "C_INVITES": "invite_costs"}
EVENTS = {"E_INVITED": "invited", "E_DECLINED": "declined"}
SLOTS = ()  # runs inside the purchase pass, with the purchase mechanism's slots (invite, accept, ...)
step = None  # no daily step of its own: :func:`invite_at_checkout` is called at each platform purchase


@njit(inline="always")
def accept_probability(psi, hook, points_rate, appetite, mp, points_half=0.01):
    """Chance a buyer with privacy sensitivity ``psi`` accepts an invitation with hook ``hook``."""
    x = points_rate * appetite
    lift = 1.0 + mp[L.MP_HOOK_LIFT] * hook / (hook + mp[L.MP_HOOK_HALF]) + mp[L.MP_POINTS_JOIN] * x / (x + points_half)
    p = mp[L.MP_ACCEPT] * (1.0 - psi) ** mp[L.MP_ACCEPT_PSI] * lift * mp[L.MP_FRICTION]
    return min(p, 1.0)


@njit(cache=True)
def invite_at_checkout(c, prm, books, jr, i, k, day, u_invite, u_accept, u_consent, u_paid):
    """Offer an invitation to buyer ``i`` after a platform purchase; returns 1 if they joined."""
    mp, bp, pair, traits = prm.mp, prm.bp, c.pair, c.traits
    money_k, tally_k = books.money[k], books.tally[k]
    if bp[k, L.BP_INVITE_SHARE] <= 0.0 or pair[i, k].cooloff > day or u_invite >= bp[k, L.BP_INVITE_SHARE]:
        return 0
    rep = mp[L.MP_REP]
    money_k[L.C_INVITES] += bp[k, L.BP_INVITE_COST] * rep
    tally_k[L.T_INVITES] += 1.0
    log_event(jr, day, i, k, L.E_INVITED, 0)
    hook = bp[k, L.BP_HOOK]
    if u_accept < accept_probability(traits[i, L.PSI], hook, bp[k, L.BP_POINTS_RATE], traits[i, L.PTS], mp,
                                     bp[k, L.BP_POINTS_HALF]):
        join_pool(c, prm, books, jr, i, k, day, L.SRC_INTERCEPT, mp[L.MP_TRUST0], -1, u_consent, u_paid)
        money_k[L.C_HOOKS] += hook * rep
        tally_k[L.T_ACCEPTED] += 1.0
        return 1
    pair[i, k].cooloff = day + int(bp[k, L.BP_COOLOFF])
    log_event(jr, day, i, k, L.E_DECLINED, 0)
    return 0
