"""Purchases: BG/NBD repeat buying with a private or public channel, first purchases, forgetting.

While a consumer's relationship with a brand lives (stage CUSTOMER or MEMBER), purchase occasions
arrive as a Poisson process with rate lambda (per year, Gamma-distributed across consumers) times
the membership multiplier; after each purchase the relationship dies with probability p
(Beta-distributed) times the trust and membership multipliers: the BG/NBD model of Fader, Hardie &
Lee (2005), in daily steps. As in BG/NBD, the first (trial) purchase cannot end the relationship. A
dead relationship is LAPSED (points forfeited, consent withdrawn).

An AWARE consumer makes a first purchase on a public platform at rate lambda * aware_conversion, or
forgets the brand at rate 1/forget_days. Members buy through the private channel with the pool
tool's checkout convenience (WeChat mini-program high, LINE or a member site lower; Rimaotong 2025),
otherwise on the platform, paying its commission. A member's unprompted purchase goes through the
private channel only if the brand still holds their attention (促活, activation): attention
a = 0.5 ** (days since the member last saw a brand message or joined / attention_half_life_days)
decays without contact and is refreshed to 1 by every seen message (:mod:`messaging`) and every
private-channel purchase (the member used the brand's own channel), and the
private-channel chance is a * (checkout_convenience + the points' pull, see :mod:`membership`)
(a purchase prompted by a message has a = 1). A
member nobody reaches keeps buying, but back on the platform. Every platform purchase by a non-member may carry
an invitation (:mod:`interception`). Stocks (active members, mean trust and fatigue, records held)
are measured in the same pass, at the start of the day.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import rng
from sim.model.component import DAY, Param, Slots, State
from sim.model.kernel import kernel
from sim.model.mechanisms import membership, stored_value
from sim.model.mechanisms.interception import invite_at_checkout
from sim.model.mechanisms.membership import (
    dropout_multiplier,
    is_birthday,
    on_member_purchase,
    private_channel_probability,
    purchase_multiplier,
)
from sim.model.population import SPAN, ids_of_span, prefetch_ahead
from sim.model.rng import uniform
from sim.model.state import decay_factor, log_event, move, set_flag, settled_fatigue

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "purchase"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_AWARE_CONV": Param("market.platforms.aware_conversion"),
    "MP_FORGET": Param("market.platforms.forget_days"),
    "MP_COMMISSION": Param("market.platforms.commission_rate"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "MP_TRUST_DROP": Param("market.behaviour.trust_dropout_weight"),
    "MP_ATTN_HALF": Param("market.behaviour.attention_half_life_days"),
    "BP_COGS": Param("brand.strategy.product.cogs_rate"),
    "BP_CHECKOUT": Param("tool.checkout_convenience"),
    "BP_DIST_COMM": Param("brand.strategy.referral.distribution_commission"),
    "BP_BIRTHDAY": membership.PARAMS["BP_BIRTHDAY"],
    "BP_BIRTHDAY_RESP": membership.PARAMS["BP_BIRTHDAY_RESP"],
    "BP_MEMBERSHIP_ON": membership.PARAMS["BP_MEMBERSHIP_ON"],
}
STATE = {
    "SPEND_PUB": State("spend_public", np.float32, doc="Spend on public platforms so far (currency)."),
    "SPEND_PRIV": State("spend_private", np.float32, doc="Spend in the private channel so far (currency)."),
    "LAST_BUY": State("last_purchase", DAY, L.NEVER, doc="Day of the last purchase."),
}
TALLIES = {
    "T_PUR_PUB": "purchases_public", "T_PUR_PRIV": "purchases_private", "T_FIRST": "first_purchases",
    "T_LAPSES": "lapses", "T_LAPSED_MEMBERS": "lapsed_members", "T_ACTIVE": "active_members",
    "T_TRUST_SUM": "trust_sum", "T_FATIGUE_SUM": "fatigue_sum_members", "T_RECORDS": "records",
    "T_MEMBER_GROSS": "member_gross", "T_TRUST_N": "trust_members",
}
LEDGER = {
    "REV_PUB": "revenue_public", "REV_PRIV": "revenue_private", "C_COGS": "cogs",
    "C_COMMISSION": "platform_commission", "C_PAYMENT": "payment_fees", "C_DISTRIBUTION": "distribution_commission",
}
REVENUE = ("REV_PUB", "REV_PRIV")
EVENTS = {"E_FORGOT": "forgot", "E_BUY_PUB": "bought_public", "E_BUY_PRIV": "bought_private", "E_LAPSED": "lapsed"}
#: A consumer's draws for brand k today (block of 8 per brand); the invitation at checkout
#: (:mod:`sim.model.mechanisms.interception`) draws with this mechanism's slots.
DAY_SLOTS = Slots(rng.PURCHASE, block=8, ranges={
    "occasion": (0, 1), "dropout": (1, 1), "invite": (2, 1), "accept": (3, 1), "consent": (4, 1),
    "paid": (5, 1), "private": (6, 1)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_OCCASION, S_DROPOUT, S_INVITE, S_ACCEPT, S_CONSENT, S_PAID, S_PRIVATE = (
    DAY_SLOTS.first(n) for n in ("occasion", "dropout", "invite", "accept", "consent", "paid", "private"))

# A member is active if they bought in the last 90 days (a common retail definition of an active customer;
# assumption).
ACTIVE_DAYS = 90


@njit(inline="always")
def chance(rate):
    """Probability of at least one event in a day for a Poisson rate per day: 1 - exp(-rate)."""
    if rate < 0.05:
        return rate * (1.0 - rate * (0.5 - rate * (1.0 / 6.0)))
    return -math.expm1(-rate)


@njit(inline="always")
def attention(days_since_contact, half_life_days):
    """Share of a member's attention the brand still holds: halves every ``half_life_days`` without contact."""
    return math.exp(-0.6931471805599453 * days_since_contact / half_life_days)


@njit(inline="always")
def trust_dropout_multiplier(trust, weight):
    """Dropout multiplier of a member with ``trust``: 1 at trust 0.5, lower when trust is higher."""
    return max(0.0, 1.0 + weight * (0.5 - trust))


@njit(inline="always")
def book_sale(c, prm, books, i, k, day, price, private, member):
    """Book one sale of list price ``price`` to consumer ``i`` of brand ``k``: revenue, fees, COGS, spend.

    The channel's revenue and fees (a platform sale pays commission; a private one is contact), cost of
    goods, the payment fee (a stored-value balance pays first: its cash paid the fee when topped up),
    a member's gross and the referrer's distribution commission. Shared by every sale of a product line
    (this pass and :mod:`cross_sell`).
    """
    mp, bp = prm.mp, prm.bp
    money_k, tally_k = books.money[k], books.tally[k]
    pair = c.pair
    rep = mp[L.MP_REP]
    gross = price * rep
    if private:
        money_k[L.REV_PRIV] += gross
        tally_k[L.T_PUR_PRIV] += 1.0
        pair[i, k].spend_private += price
        pair[i, k].last_contact = day  # buying in the brand's own channel is contact too
    else:
        money_k[L.REV_PUB] += gross
        money_k[L.C_COMMISSION] += gross * mp[L.MP_COMMISSION]
        tally_k[L.T_PUR_PUB] += 1.0
        pair[i, k].spend_public += price
    money_k[L.C_COGS] += gross * bp[k, L.BP_COGS]
    drawn = 0.0  # stored value drawn (face value): its cash paid the payment fee when it was topped up
    if private and stored_value.holds_balance(pair, i, k):
        drawn = stored_value.pay_from_balance(c, prm, books, i, k, price, member)
    money_k[L.C_PAYMENT] += (gross - drawn * rep) * mp[L.MP_PAYFEE]
    if member:
        tally_k[L.T_MEMBER_GROSS] += gross
        if private and bp[k, L.BP_DIST_COMM] > 0.0 and pair[i, k].referrer >= 0:  # 社交分销 to the referrer
            money_k[L.C_DISTRIBUTION] += gross * bp[k, L.BP_DIST_COMM]


@njit(cache=True)
def book_purchase(c, prm, books, jr, i, k, day, private, member, event_code):
    """Book one purchase of consumer ``i`` from brand ``k``: the sale (:func:`book_sale`), then membership."""
    bp = prm.bp
    pair = c.pair
    price = c.traits[i, L.BASKET]
    book_sale(c, prm, books, i, k, day, price, private, member)
    if member and bp[k, L.BP_MEMBERSHIP_ON] > 0.5:
        on_member_purchase(c, prm, books, jr, i, k, day, price, private)
    pair[i, k].last_purchase = day
    log_event(jr, day, i, k, event_code, int(price))


@njit(cache=True)
def lapse(c, books, jr, i, k, day):
    """The relationship dies (BG/NBD dropout): points are forfeited, consent ends."""
    stage, pair, tally_k = c.stage, c.pair, books.tally[k]
    if stage[i, k] == L.MEMBER:
        tally_k[L.T_LAPSED_MEMBERS] += 1.0
        tally_k[L.T_PTS_FORFEIT] += pair[i, k].points
    pair[i, k].points = 0.0
    set_flag(pair[i, k], L.BIT_CONSENT, False)
    set_flag(pair[i, k], L.BIT_PAID, False)
    pair[i, k].tier = 0
    move(stage, books.flows, i, k, L.LAPSED)
    tally_k[L.T_LAPSES] += 1.0
    log_event(jr, day, i, k, L.E_LAPSED, 0)


@njit(inline="always")
def occasion_ceilings(prm, lam_max, ceilings):
    """Upper bounds, per brand, of the chance that today's occasion draw does anything to a consumer.

    ``ceilings[k, 0]`` for the aware (forgetting or a first purchase: ``1/forget_days + lam * conversion``),
    ``ceilings[k, 1]`` for a customer (a repeat purchase: ``lam`` times the stored-value lift if any), with the
    largest purchase rate ``lam_max`` in force. Since ``chance(x) <= x`` and IEEE arithmetic is monotone, a
    consumer whose occasion uniform is at or above the ceiling of their stage draws nothing today, bit for bit as
    if visited. The bounds are widened by a part in 1e9 (a looser bound only visits more).
    """
    mp, bp = prm.mp, prm.bp
    lam_day_max = lam_max / 365.0
    widen = 1.0 + 1e-9
    for k in range(ceilings.shape[0]):
        ceilings[k, 0] = (1.0 / mp[L.MP_FORGET] + lam_day_max * mp[L.MP_AWARE_CONV]) * widen
        ceilings[k, 1] = lam_day_max * max(1.0, 1.0 + bp[k, L.BP_SV_LIFT]) * widen


@njit(cache=True)
def occasions_span(stage, start, stop, key_day, ceilings, mask, who, records):
    """Ids, in order, of consumers ``start <= i < stop`` today's purchase pass must visit; counts records.

    A member of some brand is visited (the members' stocks are measured in the pass); an aware consumer or a
    customer only if their occasion uniform for that brand falls below the stage's ceiling
    (:func:`occasion_ceilings`): the others draw nothing today. The unaware and the lapsed buy nothing and
    forget nothing. Customers and members are counted into ``records[k]`` (the records the brand holds).
    Written into ``who``; returns how many (``mask`` and ``who`` hold at least ``stop - start``). The mask is
    built brand by brand without branches (SIMD lanes: the hash is integer arithmetic), then the ids.
    """
    size = stop - start
    rows = stage[start:stop]  # (indexing stage[start + r, k] instead keeps the loops off SIMD lanes: 3x slower)
    for r in range(size):
        mask[r] = 0
    for k in range(stage.shape[1]):
        slot = BLOCK * k + S_OCCASION
        aware_ceiling, customer_ceiling = ceilings[k, 0], ceilings[k, 1]
        held = 0
        for r in range(size):
            s = rows[r, k]
            u = uniform(key_day, start + r, slot)
            mask[r] |= (s == L.MEMBER) | ((s == L.AWARE) & (u < aware_ceiling)) | (
                (s == L.CUSTOMER) & (u < customer_ceiling))
            held += (s == L.CUSTOMER) | (s == L.MEMBER)
        records[k] += held
    return ids_of_span(mask, start, size, who)


@kernel
def purchase_kernel(c, prm, books, jr, day, key_day, key_birthday, listed, fatigue_days, lam_max):
    """One day of purchases for every consumer and brand (``fatigue_days``: the fatigue time constant in force).

    ``lam_max`` is the largest purchase rate (per year) in force: consumers whose occasion draw is
    above its ceiling (:func:`occasion_ceilings`) are not visited, as nothing would happen to them.
    """
    stage, pair, traits = c.stage, c.pair, c.traits
    decay = decay_factor(fatigue_days)
    mp, bp = prm.mp, prm.bp
    flows, tally = books.flows, books.tally
    n, n_brands = stage.shape
    p_forget = 1.0 / mp[L.MP_FORGET]
    conv = mp[L.MP_AWARE_CONV]
    w_trust = mp[L.MP_TRUST_DROP]
    mask, buffer = np.empty(SPAN, dtype=np.uint8), np.empty(SPAN, dtype=np.int32)
    ceilings = np.empty((n_brands, 2))
    occasion_ceilings(prm, lam_max, ceilings)
    records = np.zeros(n_brands, dtype=np.int64)
    for start in range(0, n, SPAN):  # a span at a time: the same consumers in the same order as one list
        who = buffer[:occasions_span(stage, start, min(n, start + SPAN), key_day, ceilings, mask, buffer, records)]
        for j in range(who.shape[0]):
            prefetch_ahead(who, j, c)  # a memory hint only
            i = who[j]
            lam_day = traits[i, L.LAM] / 365.0
            for k in range(n_brands):
                s = stage[i, k]
                if s == L.UNAWARE or s == L.LAPSED:
                    continue
                slot = BLOCK * k
                if s == L.MEMBER:
                    tally[k, L.T_TRUST_SUM] += pair[i, k].trust
                    tally[k, L.T_TRUST_N] += 1.0  # the members summed (same-day joiners included), for the means
                    tally[k, L.T_FATIGUE_SUM] += settled_fatigue(c.fatigue, c.fatigue_day, i, day - 1, decay)
                    if day - pair[i, k].last_purchase <= ACTIVE_DAYS:
                        tally[k, L.T_ACTIVE] += 1.0
                u = uniform(key_day, i, slot + S_OCCASION)
                if s == L.AWARE:
                    p_first = chance(lam_day * conv)
                    if u < p_forget:
                        move(stage, flows, i, k, L.UNAWARE)
                        log_event(jr, day, i, k, L.E_FORGOT, 0)
                    elif u < p_forget + p_first and listed[k]:  # delisted (own_site penalty): no platform sale
                        move(stage, flows, i, k, L.CUSTOMER)
                        tally[k, L.T_FIRST] += 1.0
                        book_purchase(c, prm, books, jr, i, k, day, False, False, L.E_BUY_PUB)
                        # BG/NBD: dropout follows repeat purchases only; the trial purchase starts the relationship
                        invite_at_checkout(c, prm, books, jr, i, k, day, uniform(key_day, i, slot + S_INVITE),
                                           uniform(key_day, i, slot + S_ACCEPT),
                                           uniform(key_day, i, slot + S_CONSENT), uniform(key_day, i, slot + S_PAID))
                    continue
                member = s == L.MEMBER
                rate = lam_day
                if member:
                    rate *= purchase_multiplier(c, prm, i, k)
                rate *= stored_value.repurchase_multiplier(pair, bp, i, k)  # exactly 1 without a balance
                p_buy = chance(rate)
                if member and bp[k, L.BP_BIRTHDAY] > 0.0 and is_birthday(i, day, key_birthday):
                    p_buy = p_buy + (1.0 - p_buy) * bp[k, L.BP_BIRTHDAY_RESP]
                if u >= p_buy:
                    continue
                # a stored-value holder pays with the card, in the brand's own channel
                private = stored_value.holds_balance(pair, i, k) or (member and uniform(
                    key_day, i, slot + S_PRIVATE) < private_channel_probability(
                    k, traits[i, L.PTS], attention(day - pair[i, k].last_contact, mp[L.MP_ATTN_HALF]), bp))
                if not private and not listed[k]:
                    continue
                book_purchase(c, prm, books, jr, i, k, day, private, member, L.E_BUY_PRIV if private else L.E_BUY_PUB)
                p_drop = traits[i, L.DROP]
                if member:
                    p_drop *= dropout_multiplier(c, prm, i, k)
                    p_drop *= trust_dropout_multiplier(pair[i, k].trust, w_trust)
                p_drop *= stored_value.dropout_multiplier(pair, bp, i, k, member)  # exactly 1 when off
                if uniform(key_day, i, slot + S_DROPOUT) < p_drop:
                    lapse(c, books, jr, i, k, day)
                    stored_value.write_off(pair, prm, books, i, k)  # breakage of a balance, if any
                elif not member:
                    invite_at_checkout(c, prm, books, jr, i, k, day, uniform(key_day, i, slot + S_INVITE),
                                       uniform(key_day, i, slot + S_ACCEPT),
                                       uniform(key_day, i, slot + S_CONSENT), uniform(key_day, i, slot + S_PAID))
    for k in range(n_brands):  # customers and members at the start of the day (a count: exact in float64)
        tally[k, L.T_RECORDS] += float(records[k])


def step(model: MarketModel, day: int) -> None:
    """One day of purchases, first purchases, forgetting and dropout (see :func:`purchase_kernel`)."""
    purchase_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                    model.keys.day(rng.PURCHASE, day), model.keys.run(rng.MEMBERSHIP), listing(model, day),
                    model.fatigue_days, rate_ceiling(model))


def rate_ceiling(model: MarketModel) -> float:
    """The largest purchase-rate trait (per year) in force, measured again after any rewrite of the trait.

    The trait changes only when the seasonal demand does (:mod:`schedule` rewrites the column and counts
    the rewrite in its run state ``traits_written``); the maximum is kept with the count it was taken at.
    """
    written = int(model.run_state.traits_written)
    cached = model.__dict__.get("_rate_ceiling")
    if cached is not None and cached[0] == written:
        return cached[1]
    lam = model.pop.traits[:, L.LAM]
    ceiling = float(lam.max()) if lam.size else 0.0
    model._rate_ceiling = (written, ceiling)
    return ceiling


def listing(model: MarketModel, day: int) -> np.ndarray:
    """1 per brand whose marketplace listing is live on ``day`` (the own_site lever's penalty suspends it).

    The same answer for every component of the day, whether it runs before or after own_site: a penalty
    on day d delists the brand from day d + 1 through ``delisted_until`` (own_site's run state, -1 until the
    first penalty). Four components ask each day: the array is built once for a day and the spells it was
    built from, and the same array (read only by the kernels) is returned while they hold.
    """
    run = model.run_state  # (Python on one or two brands: a quarter of the numpy expression's 4 us)
    spells = (day, run.delisted_from.tolist(), run.delisted_until.tolist())
    cached = model.__dict__.get("_listing")
    if cached is not None and cached[0] == spells:
        return cached[1]
    listed = np.array([0 if first <= day <= last else 1 for first, last in zip(spells[1], spells[2], strict=True)],
                      dtype=np.uint8)
    model._listing = (spells, listed)
    return listed
