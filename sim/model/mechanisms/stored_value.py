"""Stored-value cards (储值卡) and member benefits (priority service, exclusive rights).

Private e-commerce encyclopedia 2025: for high-repurchase, high-ticket products a brand designs
stored-value products ("a beauty brand's private pool launches a stored-value card: top up an
amount, enjoy a discount and priority booking") and member rights (exclusive member events...) that
"lock in the customer's long-term choice and promote repurchase"; Rimaotong 2025 names member
benefits and member-only rights among Japanese brands' retention tools. The rules (functional
forms and levels: assumption):

- **Top-up.** A pool member whose balance cannot pay one basket tops up on a day with probability
  ``1 - exp(-topup_rate / 365)``: they pay ``amount`` in cash and their balance grows by
  ``amount * (1 + bonus)`` ("top up 1000, get 1100"). The cash is received in advance: it is **not
  revenue** (tally ``stored_value_cash``); it pays the payment fee when it is received.
- **Spending.** A holder's purchases (the everyday purchase pass and purchases prompted by messages)
  go through the private channel and are paid from the balance first. Revenue is **recognised on
  spending**, at list price as any sale; the part of the balance spent that was bonus, not cash
  (``drawn * bonus / (1 + bonus)``), is booked as a cost (``stored_value_bonus``), so a balance-paid
  sale nets the cash that bought it. A member pays the member price of the tier held before the purchase.
  Sales booked by other levers (stores, livestreams, groups, the own site, other product lines) are
  paid as usual (a simplification).
- **Lock-in.** While a balance lasts, the holder's purchase rate is multiplied by
  ``1 + repurchase_lift`` and their BG/NBD dropout by ``dropout_multiplier``.
- **Liability.** Unspent balances are owed to their holders: the stock ``stored_value_liability``
  (face value, end of day) is a liability, not income. A holder who lapses keeps the balance owed,
  except a share ``breakage_share`` written off on the day they lapse as breakage income
  (``stored_value_breakage``, revenue, with its bonus part as a cost; IFRS 15 B44-B47 breakage).
- **Member benefits.** Member-only rights (priority service, exclusive events) cost
  ``cost_per_member_year`` per member per year (``member_benefits``, accrued daily on the members
  counted) and multiply a member's dropout by ``1 - dropout_relief``.

Switched off (no top-up rate, no benefits cost, no balance outstanding) the step draws nothing and
writes nothing, and the purchase pass multiplies by exactly 1.

Cost. The step visits no one it need not: the members are counted by the census carried by the day's
flows, and the ids of the members (in order, for the top-up draw) are carried from one day to the
next with the joins logged since (:func:`sim.model.state.log_join`); only the members chosen for a
top-up are read. A pass over everyone rebuilds the list on its first day or after the log overflowed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model.carried import EVERY_MEMBER, check_list, pool_members
from sim.model.component import Param, RunState, Slots, State
from sim.model.forms import Form
from sim.model.kernel import kernel
from sim.model.rng import uniform
from sim.model.state import log_event

if TYPE_CHECKING:
    from sim.model.market import MarketModel


def benefits_on(cost: float) -> float:
    """1.0 when member benefits run (a cost per member is set), else 0.0."""
    return 1.0 if cost > 0 else 0.0


NAME = "stored_value"
#: The rng stream of this component (21-29 are reserved for the levers of issue 13, one each).
STREAM = 25
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "BP_SV_RATE": Param("brand.strategy.stored_value.topup_rate"),
    "BP_SV_AMOUNT": Param("brand.strategy.stored_value.amount"),
    "BP_SV_BONUS": Param("brand.strategy.stored_value.bonus"),
    "BP_SV_LIFT": Param("brand.strategy.stored_value.repurchase_lift"),
    "BP_SV_DROPOUT": Param("brand.strategy.stored_value.dropout_multiplier"),
    "BP_SV_BREAKAGE": Param("brand.strategy.stored_value.breakage_share"),
    "BP_BENEFITS_COST": Param("brand.strategy.member_benefits.cost_per_member_year"),
    "BP_BENEFITS_ON": Param("brand.strategy.member_benefits.cost_per_member_year", derive=benefits_on, unit="flag",
                            source="on when a cost per member is set"),
    "BP_BENEFITS_RELIEF": Param("brand.strategy.member_benefits.dropout_relief"),
}
STATE = {
    "SV_BALANCE": State("stored_value", np.float32,
                        doc="Unspent stored value (face value, currency): owed to the holder."),
}
RUN_STATE = {
    "stored_value_issued": RunState(("brands",), np.bool_, False,
                                    doc="The brand has issued stored value (it keeps its liability from then on)."),
    "stored_value_owed": RunState(("brands",), np.float64, 0.0,
                                  doc="Stored value owed to holders (face value, currency), carried forward."),
}
TALLIES = {"T_SV_TOPUPS": "stored_value_topups", "T_SV_CASH": "stored_value_cash",
           "T_SV_SPENT": "stored_value_spent", "T_PUR_SV": "purchases_stored_value",
           "T_SV_LIABILITY": "stored_value_liability", "T_SV_CREDIT": "stored_value_credited",
           "T_SV_BROKEN": "stored_value_broken"}
LEDGER = {"REV_SV_BREAKAGE": "stored_value_breakage", "C_SV_BONUS": "stored_value_bonus",
          "C_BENEFITS": "member_benefits"}
REVENUE = ("REV_SV_BREAKAGE",)
EVENTS = {"E_TOPUP": "topped_up"}
DAY_SLOTS = Slots(STREAM, block=4, ranges={"topup": (0, 1)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_TOPUP = DAY_SLOTS.first("topup")
_M = "sim.model.mechanisms.stored_value"
FORMS = (
    Form("Chance a member whose balance cannot pay a basket tops up today, R top-ups a year", f"{_M}:topup_chance",
         "f(R)", "1 - exp(-R / 365)", {"R": (0.01, 52.0)}),
    Form("Cost of the bonus in a drawn balance D, bonus share B", f"{_M}:bonus_cost", "f(D, B)",
         "D * B / (1 + B)", {"D": (0.0, 1e5), "B": (0.0, 1.0)}),
    Form("Dropout multiplier of a member holding a balance, card multiplier V, benefits relief E",
         f"{_M}:lock_in_multiplier", "f(V, E)", "V * (1 - E)", {"V": (0.0, 1.0), "E": (0.0, 0.95)}),
)


@njit(inline="always")
def topup_chance(rate_per_year):
    """Chance of a top-up today at ``rate_per_year`` top-ups a year: ``1 - exp(-rate / 365)``."""
    return -math.expm1(-rate_per_year / 365.0)


@njit(inline="always")
def bonus_cost(drawn, bonus):
    """The part of a drawn balance ``drawn`` that was bonus, not cash: ``drawn * bonus / (1 + bonus)``."""
    return drawn * bonus / (1.0 + bonus)


@njit(inline="always")
def lock_in_multiplier(card, relief):
    """Dropout multiplier ``card * (1 - relief)`` of a card multiplier and a benefits relief."""
    return card * (1.0 - relief)


@njit(inline="always")
def holds_balance(pair, i, k):
    """Whether consumer ``i`` holds stored value with brand ``k`` (their purchases then go private)."""
    return pair[i, k].stored_value > 0.0


@njit(inline="always")
def repurchase_multiplier(pair, bp, i, k):
    """Purchase-rate multiplier of consumer ``i``: ``1 + repurchase_lift`` while a balance lasts, else 1."""
    if pair[i, k].stored_value > 0.0:
        return 1.0 + bp[k, L.BP_SV_LIFT]
    return 1.0


@njit(inline="always")
def dropout_multiplier(pair, bp, i, k, member):
    """Dropout multiplier of consumer ``i``: the card's while a balance lasts, times the members' benefits."""
    card = bp[k, L.BP_SV_DROPOUT] if pair[i, k].stored_value > 0.0 else 1.0
    relief = bp[k, L.BP_BENEFITS_RELIEF] if member and bp[k, L.BP_BENEFITS_ON] > 0.5 else 0.0
    return lock_in_multiplier(card, relief)


@njit(inline="always")
def pay_from_balance(c, prm, books, i, k, price, member):
    """Pay a private purchase of list price ``price`` from the balance first; returns the face value drawn.

    A member pays the member price of the tier they hold (the tier's discount is booked as a cost by
    membership, as for any private purchase). The bonus part of what is drawn is booked as a cost.
    """
    pair, mp, bp = c.pair, prm.mp, prm.bp
    money_k, tally_k = books.money[k], books.tally[k]
    due = price
    if member and bp[k, L.BP_MEMBERSHIP_ON] > 0.5:
        due = price * (1.0 - prm.tiers[k, pair[i, k].tier, L.TIER_DISCOUNT])
    balance = pair[i, k].stored_value
    drawn = min(balance, due)
    pair[i, k].stored_value = balance - drawn
    money_k[L.C_SV_BONUS] += bonus_cost(drawn, bp[k, L.BP_SV_BONUS]) * mp[L.MP_REP]
    tally_k[L.T_SV_SPENT] += drawn
    tally_k[L.T_PUR_SV] += 1.0
    return drawn


@njit(cache=True)
def write_off(pair, prm, books, i, k):
    """Breakage on a lapse: a share ``breakage_share`` of the balance is income, the rest stays owed."""
    mp, bp, money_k = prm.mp, prm.bp, books.money[k]
    broken = pair[i, k].stored_value * bp[k, L.BP_SV_BREAKAGE]
    if broken > 0.0:
        pair[i, k].stored_value -= broken
        books.tally[k, L.T_SV_BROKEN] += broken
        money_k[L.REV_SV_BREAKAGE] += broken * mp[L.MP_REP]
        money_k[L.C_SV_BONUS] += bonus_cost(broken, bp[k, L.BP_SV_BONUS]) * mp[L.MP_REP]


@njit(inline="always")
def skip(key_day, draw, slot, log_q):
    """Members passed over before the next one chosen: geometric, ``floor(log(1 - u) / log(1 - p))``.

    Choosing members by geometric gaps is the same as asking each member in turn with chance ``p``
    (independent Bernoulli trials), with one draw per member chosen instead of one per member.
    """
    return int(math.floor(math.log1p(-uniform(key_day, draw, slot)) / log_q))


@kernel
def stored_value_kernel(c, prm, books, jr, day, key_day, k, members):
    """Top-ups of brand ``k``'s ``members`` (their ids, in order).

    Who tops up: each member is chosen with the day's top-up chance by geometric gaps (:func:`skip`),
    so only the chosen members are visited, and tops up if their balance cannot pay one basket.
    """
    pair, traits = c.pair, c.traits
    mp, bp = prm.mp, prm.bp
    money, tally = books.money, books.tally
    rep = mp[L.MP_REP]
    slot = BLOCK * k + S_TOPUP
    p_topup = topup_chance(bp[k, L.BP_SV_RATE])
    log_q = math.log1p(-p_topup)
    amount = bp[k, L.BP_SV_AMOUNT]
    credit = amount * (1.0 + bp[k, L.BP_SV_BONUS])
    draws = 0
    r = skip(key_day, 0, slot, log_q)  # rank, among the members in id order, of the next member chosen
    while r < members.shape[0]:
        i = members[r]
        draws += 1
        r += 1 + skip(key_day, draws, slot, log_q)
        if pair[i, k].stored_value < traits[i, L.BASKET]:
            pair[i, k].stored_value += credit
            tally[k, L.T_SV_TOPUPS] += 1.0
            tally[k, L.T_SV_CASH] += amount
            tally[k, L.T_SV_CREDIT] += credit
            money[k, L.C_PAYMENT] += amount * rep * mp[L.MP_PAYFEE]
            log_event(jr, day, i, k, L.E_TOPUP, int(amount))


def members_now(model: MarketModel, day: int) -> np.ndarray:
    """Members of each brand now: the census before the day, moved by the day's flows so far (no pass)."""
    flows = model.flows[day]
    return model.census[day, :, L.MEMBER] + flows[:, :, L.MEMBER].sum(axis=1) - flows[:, L.MEMBER, :].sum(axis=1)


def step(model: MarketModel, day: int) -> None:
    """Top-ups and benefits for brands that run them; the liability of every brand that has issued value.

    The members are counted by the census carried by the day's flows (:func:`members_now`), and the
    members who may top up come from the pool's shared list (:func:`sim.model.carried.pool_members`).
    The liability is carried forward rather than summed over every consumer's balance (a pass over the
    whole population each day): owed today = owed yesterday + face value credited today - drawn today -
    written off today, all in face value (the drawn and written-off amounts are tallied where they happen,
    in the purchase pass, messaging and cross-sell).
    """
    bp = model.packed.bp
    rate, benefits = bp[:, L.BP_SV_RATE].tolist(), bp[:, L.BP_BENEFITS_ON].tolist()
    run = model.run_state
    issued = run.stored_value_issued  # a brand that has issued value keeps its liability
    topping_up = [r > 0 for r in rate]  # (per-brand Python on one or two brands: cheaper than small-array numpy)
    for k in range(model.k):
        if topping_up[k] and not issued[k]:
            issued[k] = True
    counting = any(b > 0.5 for b in benefits)  # only the benefits (and the check below) need today's members
    if any(topping_up) or counting:
        members = members_now(model, day) if counting or model.validating else None
        lists = pool_members(model, day, topping_up) if any(topping_up) else []
        key_day = model.keys.day(STREAM, day)
        for k, ids in enumerate(lists):
            if ids is None:
                continue
            if model.validating:
                check_list(model.pop, k, ids, day, EVERY_MEMBER, "stored-value member")
                if ids.shape[0] != members[k]:
                    from sim.model.market import InvariantError

                    raise InvariantError(f"brand {k}: the stored-value member list ({ids.shape[0]} ids) is not "
                                         f"the {members[k]} members counted by the census")
            if ids.shape[0] == 0:  # no member: the kernel's loop (while rank < members) would not start
                continue
            stored_value_kernel(model.consumers, model.packed.params, model.books, model.journal, day, key_day,
                                k, ids)
        if counting:
            money, rep = model.books.money, model.packed.mp[L.MP_REP]
            for k in range(model.k):
                if benefits[k] > 0.5:
                    money[k, L.C_BENEFITS] += members[k] * bp[k, L.BP_BENEFITS_COST] / 365.0 * rep
    if True in issued.tolist():
        tally = model.tally[day]
        owed = run.stored_value_owed
        for k in range(model.k):  # every brand's carried balance moves (zero flows for one that never issued)
            row = tally[k]
            owed[k] += row[L.T_SV_CREDIT] - row[L.T_SV_SPENT] - row[L.T_SV_BROKEN]
            row[L.T_SV_LIABILITY] = owed[k] if issued[k] else 0.0
