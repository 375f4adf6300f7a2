"""Referral / fission (裂变): members share with friends; both sides may get a coupon.

Source: Private e-commerce encyclopedia 2025.

A member shares on a day, during their first ``share_window_days`` in the pool, with probability::

    share_rate * (2 trust) * (2 sociability) * R(referrer_reward)

and a share reaches ``contacts_per_share`` contacts on the social network, on every network kind: the
contacts are drawn from the sharer's own contact list (with repetition when the list is shorter),
so the mean reach per share is the stated ``contacts_per_share`` whatever the topology and
``q = share_rate * contacts_per_share * accept`` holds on every network. What the topology changes is
*who* is reached: on ``scale_free`` a contact is a hub with probability proportional to its degree
(the friendship paradox of Chung-Lu graphs), on ``small_world`` mostly a lattice neighbour, so
saturation and clustering differ, not the reach. (Until issue 17 a scale-free hub's reach was also
multiplied by its degree / mean degree, which made the mean reach per share depend on who shares.)
A contact who is not a member and not in a cool-off joins with
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

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import network, rng
from sim.model.carried import carry, check_list
from sim.model.component import MAX_POPULATION, Param, RunState, Slots
from sim.model.kernel import kernel
from sim.model.network import pick_contact
from sim.model.population import prefetch_ahead
from sim.model.rng import bernoulli_round, uniform
from sim.model.state import decay_factor, join_pool, log_event, move, settled_fatigue

if TYPE_CHECKING:
    from sim.model.market import MarketModel

MAX_CONTACTS = 1000  # per share; keeps each share's draws in its own slots


def net_kind(kind: str) -> float:
    """The network kind's code (``L.NET_KINDS``)."""
    return float(L.NET_KINDS.index(kind))


NAME = "referral"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_FRICTION": Param("market.regime.consent_friction"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "MP_ACCEPT_PSI": Param("market.behaviour.invite_psi_weight"),
    "MP_REF_ACCEPT": Param("market.behaviour.referral_accept_base"),
    "MP_REF_HALF": Param("market.behaviour.referral_reward_half"),
    "MP_REF_LIFT": Param("market.behaviour.referral_reward_lift"),
    "MP_SPAM": Param("market.behaviour.spam_fatigue"),
    "MP_NET_KIND": Param("market.network.kind", derive=net_kind, unit="code", source="network kind of the scenario"),
    "MP_DEGREE": Param("market.network.mean_degree"),
    "MP_REWIRE": Param("market.network.rewire"),
    "MP_SF_BETA": Param("market.network.exponent", derive=network.sf_beta, unit="-",
                        source="Chung & Lu (2002): beta = 1 / (gamma - 1)"),
    "BP_SHARE_RATE": Param("brand.strategy.referral.share_rate"),
    "BP_CONTACTS": Param("brand.strategy.referral.contacts_per_share"),
    "BP_WINDOW": Param("brand.strategy.referral.share_window_days"),
    "BP_REFERRER_REWARD": Param("brand.strategy.referral.referrer_reward"),
    "BP_REFEREE_REWARD": Param("brand.strategy.referral.referee_reward"),
    "BP_REF_NEUTRAL": Param("brand.strategy.referral.neutral", derive=float, unit="flag",
                            source="validation switch (Galton-Watson closed form)"),
    "BP_SHARE_COST": Param("brand.strategy.referral.cost_per_share"),
}
TALLIES = {"T_SHARES": "shares", "T_CONTACTS": "referral_contacts"}
RUN_STATE = {
    "referral_sharers": RunState(("brands",), object, None,
                                 doc="The brand's members who joined at most the sharing window's days ago, "
                                     "(ids, count), carried forward with the joins logged since (None: no list)."),
    "referral_joins_read": RunState((), np.int64, 0, doc="The join log's count at the last referral pass."),
}
LEDGER = {"C_REWARDS": "referral_rewards"}
EVENTS = {"E_SHARED": "shared", "E_REFERRED": "referred_friend"}
#: A sharer's draws for brand k today (a block of 4096 per brand): share or not, how many contacts,
#: then two per contact (who, and whether they join) in a room of three; the friend who joins draws
#: consent and paid membership with their own id. A mixed population's contacts of the day
#: (:func:`sim.model.network.contact`) are shared by every brand, past all blocks.
DAY_SLOTS = Slots(rng.REFERRAL, block=4096, ranges={
    "share": (0, 1), "n_contacts": (1, 1), "contacts": (2, 3 * MAX_CONTACTS),
    "friend_consent": (4000, 1), "friend_paid": (4001, 1)},
    shared={"mixed_contacts": (network.MIXED_FIRST_SLOT, network.MIXED_CONTACTS)})
#: The network's fixed contact lists (random, small-world, scale-free; one kind per run).
NETWORK_SLOTS = Slots(rng.NETWORK, shared={"contact_lists": (0, 2 * MAX_POPULATION)}, day_offset=None)
SLOTS = (DAY_SLOTS, NETWORK_SLOTS)
BLOCK = DAY_SLOTS.block
S_SHARE, S_N_CONTACTS, S_CONTACTS, S_FRIEND_CONSENT, S_FRIEND_PAID = (
    DAY_SLOTS.first(n) for n in ("share", "n_contacts", "contacts", "friend_consent", "friend_paid"))
D_PICK, D_ACCEPT = 0, 1  # draws of one contact, at S_CONTACTS + 3 c


@njit(inline="always")
def reward_lift(reward, mp):
    """Saturating lift of sharing or joining from a reward."""
    return 1.0 + mp[L.MP_REF_LIFT] * reward / (reward + mp[L.MP_REF_HALF])


@njit(inline="always")
def share_probability(trust, sociability, neutral, k, bp, mp):
    """Chance a member in their sharing window shares today."""
    p = bp[k, L.BP_SHARE_RATE] * reward_lift(bp[k, L.BP_REFERRER_REWARD], mp)
    if not neutral:
        p *= 4.0 * trust * sociability
    return min(p, 1.0)


@njit(inline="always")
def join_probability(psi, neutral, k, bp, mp):
    """Chance a contact joins after a share."""
    p = mp[L.MP_REF_ACCEPT] * reward_lift(bp[k, L.BP_REFEREE_REWARD], mp)
    if not neutral:
        p *= (1.0 - psi) ** mp[L.MP_ACCEPT_PSI] * mp[L.MP_FRICTION]
    return min(p, 1.0)


@kernel
def referral_kernel(c, prm, books, jr, day, net_key, key_day, cohort, fatigue_days, k, listed):
    """Brand ``k``'s members in their sharing window share; contacts may join. Books costs.

    ``listed`` holds, in order, the brand's members who joined at most the window's days ago (carried from
    day to day: :mod:`sim.model.carried`), including today's joiners, who share from tomorrow. The list is
    fixed before the first visit (a contact who joins shares from tomorrow). ``cohort`` (days, K) credits
    each successful referral to the referrer's joining day.
    """
    stage, pair, traits, fatigue = c.stage, c.pair, c.traits, c.fatigue
    decay = decay_factor(fatigue_days)
    mp, bp = prm.mp, prm.bp
    flows, money, tally = books.flows, books.money, books.tally
    n = stage.shape[0]
    kind = int(mp[L.MP_NET_KIND])
    mean_degree = mp[L.MP_DEGREE]
    rewire = mp[L.MP_REWIRE]
    beta = mp[L.MP_SF_BETA]
    rep = mp[L.MP_REP]
    neutral = bp[k, L.BP_REF_NEUTRAL] > 0.5
    window = bp[k, L.BP_WINDOW]
    reward_both = (bp[k, L.BP_REFERRER_REWARD] + bp[k, L.BP_REFEREE_REWARD]) * rep
    for m in range(listed.shape[0]):
        prefetch_ahead(listed, m, c)  # a memory hint only
        i = listed[m]
        age = day - pair[i, k].joined
        if age <= 0 or age > window:  # joined today: shares from tomorrow
            continue
        slot = BLOCK * k
        p = share_probability(pair[i, k].trust, traits[i, L.SOC], neutral, k, bp, mp)
        if uniform(key_day, i, slot + S_SHARE) >= p:
            continue
        tally[k, L.T_SHARES] += 1.0
        money[k, L.C_REWARDS] += bp[k, L.BP_SHARE_COST] * rep
        log_event(jr, day, i, k, L.E_SHARED, 0)
        reach = bp[k, L.BP_CONTACTS]  # the same on every network kind (hubs are reached more, not louder)
        n_contacts = min(bernoulli_round(reach, uniform(key_day, i, slot + S_N_CONTACTS)), MAX_CONTACTS)
        for q in range(n_contacts):
            j = pick_contact(kind, i, n, mean_degree, rewire, beta, net_key, key_day,
                             uniform(key_day, i, slot + S_CONTACTS + 3 * q + D_PICK))
            tally[k, L.T_CONTACTS] += 1.0
            sj = stage[j, k]
            if sj == L.MEMBER or pair[j, k].cooloff > day:
                continue
            p_join = join_probability(traits[j, L.PSI], neutral, k, bp, mp)
            if uniform(key_day, i, slot + S_CONTACTS + 3 * q + D_ACCEPT) < p_join:
                if sj == L.LAPSED or sj == L.UNAWARE:
                    move(stage, flows, j, k, L.AWARE)
                join_pool(c, prm, books, jr, j, k, day, L.SRC_REFERRAL, mp[L.MP_TRUST0], i,
                          uniform(key_day, j, slot + S_FRIEND_CONSENT), uniform(key_day, j, slot + S_FRIEND_PAID))
                money[k, L.C_REWARDS] += reward_both
                cohort[max(pair[i, k].joined, 0), k] += 1.0  # credit the referrer's joining cohort
                log_event(jr, day, i, k, L.E_REFERRED, j)
            else:
                fatigue[j] = settled_fatigue(fatigue, c.fatigue_day, j, day, decay) + mp[L.MP_SPAM]


def step(model: MarketModel, day: int) -> None:
    """Members in their sharing window share; contacts may join (see :func:`referral_kernel`), brand by brand.

    Each sharing brand's list of members in their window is carried from yesterday with the joins logged
    since (:func:`sim.model.carried.carry`) rather than found among all members: past the first weeks most
    of the pool is past its window. The lists are brought up to date before any brand's pass (a brand's
    pass moves only its own stages).
    """
    pk = model.packed
    bp, run = pk.bp, model.run_state
    networked = int(pk.mp[L.MP_NET_KIND]) != L.NET_NONE
    sharing = [networked and rate > 0.0 for rate in bp[:, L.BP_SHARE_RATE].tolist()]
    if not any(sharing):
        run.referral_sharers[:] = None  # nobody shares: no list is kept (a later start rebuilds it)
        return
    windows = [int(w) for w in bp[:, L.BP_WINDOW].tolist()]
    lists = carry(model, run.referral_sharers, run.referral_joins_read, sharing, windows, day)
    net_key, key_day = model.keys.run(rng.NETWORK), model.keys.day(rng.REFERRAL, day)
    for k, listed in enumerate(lists):
        if listed is None:
            continue
        if model.validating:
            check_list(model.pop, k, listed, day, windows[k], "referral window")
        referral_kernel(model.consumers, pk.params, model.books, model.journal, day, net_key, key_day,
                        model.cohort_referrals, model.fatigue_days, k, listed)
