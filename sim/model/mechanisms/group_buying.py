"""Group buying (拼团 / 社群团购): a member opens a group at a discount and must recruit friends in time.

The Private e-commerce encyclopedia 2025 lists group buying among the fission routes: the group price is
paid only when enough friends join. The rules (functional forms: assumption):

- **Opening.** A pool member opens a group on a day with probability ``open_rate`` and asks ``invites``
  contacts on the social network (chosen as referral shares choose them).
- **Recruiting.** An asked contact (not the opener) is willing with probability
  ``friend_accept * (1 - psi)^w * friction`` and answers within the window with probability
  ``1 - exp(-window_days / response_days)``; the group fills when at least ``group_size`` friends
  join in time (the first ``group_size`` count).
- **Success.** The opener and the ``group_size`` friends each buy one basket at the group price
  ``b (1 - discount)``, in the private channel (the mini-program: no commission). Revenue is booked at
  list price and the discount as a cost (``group_discounts``); cost of goods on list price, payment fee
  on the price paid. A friend who is not a member joins the pool (source ``group``; an unaware or lapsed
  friend first becomes aware); the group is settled on its opening day.
- **Failure.** Fewer than ``group_size`` friends: nobody buys, nobody joins (``groups_failed``).

With ``k`` friends needed out of ``n`` asked, each in with probability ``q``, a group fills with
probability ``P(Binomial(n, q) >= k)`` (:func:`fill_probability`; the tests check it). Group purchases add
to the everyday BG/NBD purchases and earn no points (a simplification). Switched off (``open_rate = 0``)
or with no network, the step draws nothing and writes nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import network, rng
from sim.model.carried import EVERY_MEMBER, check_list, pool_members
from sim.model.component import Param, Slots
from sim.model.kernel import kernel
from sim.model.mechanisms import referral
from sim.model.network import pick_contact
from sim.model.rng import uniform
from sim.model.state import join_pool, log_event, move

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "group_buying"
#: The rng stream of this component (21-29 are reserved for the levers of issue 13, one each).
STREAM = 24
MAX_GROUP = 20  # schema bound of group_size
MAX_INVITES = 50  # schema bound of invites
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "MP_TRUST0": Param("market.behaviour.initial_trust"),
    "MP_ACCEPT_PSI": Param("market.behaviour.invite_psi_weight"),
    "MP_FRICTION": Param("market.regime.consent_friction"),
    **{const: referral.PARAMS[const] for const in ("MP_NET_KIND", "MP_DEGREE", "MP_REWIRE", "MP_SF_BETA")},
    "BP_COGS": Param("brand.strategy.product.cogs_rate"),
    "BP_GROUP_OPEN": Param("brand.strategy.group_buying.open_rate"),
    "BP_GROUP_SIZE": Param("brand.strategy.group_buying.group_size"),
    "BP_GROUP_INVITES": Param("brand.strategy.group_buying.invites"),
    "BP_GROUP_WINDOW": Param("brand.strategy.group_buying.window_days"),
    "BP_GROUP_RESPONSE": Param("brand.strategy.group_buying.response_days"),
    "BP_GROUP_DISCOUNT": Param("brand.strategy.group_buying.discount"),
    "BP_GROUP_ACCEPT": Param("brand.strategy.group_buying.friend_accept"),
}
JOIN_SOURCES = {"SRC_GROUP": "group"}
TALLIES = {"T_GROUPS_OPENED": "groups_opened", "T_GROUPS_FILLED": "groups_filled",
           "T_GROUPS_FAILED": "groups_failed", "T_PUR_GROUP": "purchases_group", "T_J_GROUP": "joins_group"}
LEDGER = {"C_GROUP_DISCOUNTS": "group_discounts"}
EVENTS = {"E_GROUP_OPENED": "opened_group", "E_BUY_GROUP": "bought_in_group"}
DAY_SLOTS = Slots(STREAM, block=128, ranges={
    "open": (0, 1), "invites": (1, 2 * MAX_INVITES), "friend_consent": (110, 1), "friend_paid": (111, 1)},
    shared={"mixed_contacts": (network.MIXED_FIRST_SLOT, network.MIXED_CONTACTS)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_OPEN, S_INVITES, S_FRIEND_CONSENT, S_FRIEND_PAID = (
    DAY_SLOTS.first(n) for n in ("open", "invites", "friend_consent", "friend_paid"))


def fill_probability(invites: int, size: int, q: float) -> float:
    """Chance a group fills: at least ``size`` of ``invites`` friends join, each with probability ``q``."""
    return sum(math.comb(invites, j) * q**j * (1.0 - q) ** (invites - j) for j in range(size, invites + 1))


@njit(cache=True)
def _group_purchase(c, prm, books, jr, i, k, day):
    """One buyer of a filled group pays the group price in the private channel."""
    stage, pair, traits, mp, bp = c.stage, c.pair, c.traits, prm.mp, prm.bp
    money_k, tally_k = books.money[k], books.tally[k]
    price = traits[i, L.BASKET]
    gross = price * mp[L.MP_REP]
    paid = gross * (1.0 - bp[k, L.BP_GROUP_DISCOUNT])
    money_k[L.REV_PRIV] += gross
    money_k[L.C_GROUP_DISCOUNTS] += gross - paid
    money_k[L.C_COGS] += gross * bp[k, L.BP_COGS]
    money_k[L.C_PAYMENT] += paid * mp[L.MP_PAYFEE]
    pair[i, k].spend_private += price
    tally_k[L.T_PUR_PRIV] += 1.0
    tally_k[L.T_PUR_GROUP] += 1.0
    if stage[i, k] == L.MEMBER:
        tally_k[L.T_MEMBER_GROSS] += gross
    pair[i, k].last_purchase = day
    log_event(jr, day, i, k, L.E_BUY_GROUP, int(price))


@kernel
def group_buying_kernel(c, prm, books, jr, day, net_key, key_day, k, members):
    """Brand ``k``'s ``members`` (their ids, in order) open groups; filled groups buy and bring friends in.

    The members are listed before the first visit (:func:`step`): a friend who joins today opens groups
    from tomorrow.
    """
    stage, pair, traits = c.stage, c.pair, c.traits
    mp, bp = prm.mp, prm.bp
    flows, tally = books.flows, books.tally
    n = stage.shape[0]
    kind = int(mp[L.MP_NET_KIND])
    mean_degree = mp[L.MP_DEGREE]
    rewire = mp[L.MP_REWIRE]
    beta = mp[L.MP_SF_BETA]
    w_psi = mp[L.MP_ACCEPT_PSI]
    friction = mp[L.MP_FRICTION]
    friends = np.zeros(MAX_GROUP, dtype=np.int64)
    p_open = bp[k, L.BP_GROUP_OPEN]
    slot = BLOCK * k
    size = int(bp[k, L.BP_GROUP_SIZE])
    asked = int(bp[k, L.BP_GROUP_INVITES])
    in_time = -math.expm1(-bp[k, L.BP_GROUP_WINDOW] / bp[k, L.BP_GROUP_RESPONSE])
    accept = bp[k, L.BP_GROUP_ACCEPT] * in_time
    for m in range(members.shape[0]):
        i = members[m]
        if uniform(key_day, i, slot + S_OPEN) >= p_open:
            continue
        tally[k, L.T_GROUPS_OPENED] += 1.0
        log_event(jr, day, i, k, L.E_GROUP_OPENED, size)
        got = 0
        for q in range(asked):
            j = pick_contact(kind, i, n, mean_degree, rewire, beta, net_key, key_day,
                             uniform(key_day, i, slot + S_INVITES + 2 * q))
            if j == i:
                continue
            duplicate = False
            for g in range(got):
                duplicate |= friends[g] == j
            if duplicate:
                continue
            p = accept * (1.0 - traits[j, L.PSI]) ** w_psi * friction
            if uniform(key_day, i, slot + S_INVITES + 2 * q + 1) < p:
                friends[got] = j
                got += 1
                if got == size:
                    break
        if got < size:
            tally[k, L.T_GROUPS_FAILED] += 1.0
            continue
        tally[k, L.T_GROUPS_FILLED] += 1.0
        _group_purchase(c, prm, books, jr, i, k, day)
        for g in range(size):
            j = friends[g]
            sj = stage[j, k]
            if sj == L.UNAWARE or sj == L.LAPSED:
                move(stage, flows, j, k, L.AWARE)
                sj = L.AWARE
            if sj != L.MEMBER and pair[j, k].cooloff <= day:
                join_pool(c, prm, books, jr, j, k, day, L.SRC_GROUP, mp[L.MP_TRUST0], i,
                          uniform(key_day, j, slot + S_FRIEND_CONSENT), uniform(key_day, j, slot + S_FRIEND_PAID))
            elif sj == L.AWARE:  # in a cool-off: buys as a customer without joining
                tally[k, L.T_FIRST] += 1.0
                move(stage, flows, j, k, L.CUSTOMER)
            _group_purchase(c, prm, books, jr, j, k, day)


def step(model: MarketModel, day: int) -> None:
    """Members open groups; filled groups buy and bring friends in (see :func:`group_buying_kernel`), brand by brand.

    Each brand's members come from the pool's shared list (:func:`sim.model.carried.pool_members`) rather
    than a pass over everyone; all lists are brought up to date before any brand's pass (a brand's pass
    moves only its own stages).
    """
    pk = model.packed
    networked = int(pk.mp[L.MP_NET_KIND]) != L.NET_NONE
    opening = [networked and rate > 0 for rate in pk.bp[:, L.BP_GROUP_OPEN].tolist()]  # (Python: cheaper than .any())
    if not any(opening):
        return
    lists = pool_members(model, day, opening)
    net_key, key_day = model.keys.run(rng.NETWORK), model.keys.day(STREAM, day)
    for k, members in enumerate(lists):
        if members is None:
            continue
        if model.validating:
            check_list(model.pop, k, members, day, EVERY_MEMBER, "group-buying member")
        group_buying_kernel(model.consumers, pk.params, model.books, model.journal, day, net_key, key_day, k,
                            members)
