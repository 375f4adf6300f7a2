"""Messaging and fatigue (促活): broadcasts to pool members and cold outreach to platform buyers.

Fatigue is one number per consumer, shared by every brand (EO Intelligence 2022: "repeated operations without
novelty fatigue users"). Each seen message adds 1; fatigue decays with time constant T days. The
pressure a message meets is x = fatigue / (tau * T / 7) with the fatigue of the messages seen *before*
it (the message just received is not counted: a member at exactly their tolerated cadence meets x
just below 1, and the first message after a quiet spell meets x = 0), where tau is the messages per
week they tolerate. Per seen message (functional forms: assumptions, tuned to 1-4 unsubscribes per
1,000 sends at weekly cadence, Campaign Monitor 2022 / Mailchimp 2019 benchmarks):

- read:      with probability trust. Trust *is* the chance a member reads a message they see (an
             educator can state it: trust 0.4 = 4 in 10 seen messages are read); LINE official-account
             messages are opened about 55% of the time, e-mails 15-21% (benchmarks cited in the schema).
- purchase:  a read message triggers a purchase with response_base * quality * (0.5 + selling_share) * exp(-x)
- trust:     a read message moves trust up by trust_up * (1 - trust) if value = quality * (1 - selling_share / 2)
             beats threshold + threshold_fatigue * x, else down by trust_down * trust (hard selling)
- attention: a seen message (read or not) refreshes the member's attention to the brand (the day of last
             contact, see :mod:`sim.model.mechanisms.purchase`), which decides their unprompted private buying
- opt-out:   optout_base * (1 + psi_weight * psi) * (1 + x)^power       -> MEMBER to CUSTOMER
- complaint: complaint_rate_member * min(x, 1); a member who declined marketing consent but is
             messaged anyway complains like a cold recipient: complaint_rate_cold * (0.5 + psi)

So more messages buy more responses and attention with diminishing returns, while opt-outs and
trust loss grow superlinearly: profit against frequency is an inverted U. A cold message to a platform
buyer is read with the initial trust of a stranger (``initial_trust``). Under explicit opt-in a brand
that respects the law messages only members who ticked consent; every other marketing message is
counted as a violation. Cold outreach messages platform buyers who never joined (nor opted out); under
where its channel's law needs consent (SMS, in both markets) each is a violation whose complaints may bring
enforcement (see :mod:`compliance`).

``cap_per_week`` below ``per_week`` thins every broadcast to a member with probability cap / per_week
(the schema warns when it binds); the broadcasts so withheld are counted (``sends_capped``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model import rng, state
from sim.model.component import MAX_SENDS_PER_DAY, Param, RunState, Slots, State
from sim.model.kernel import kernel
from sim.model.mechanisms.membership import private_channel_probability
from sim.model.mechanisms.purchase import book_purchase, listing
from sim.model.mechanisms.stored_value import holds_balance
from sim.model.population import SPAN, ids_of_span, is_tracked, prefetch_ahead
from sim.model.rng import uniform
from sim.model.state import decay_factor, flag, log_event, move, set_flag, settle_all_fatigue, settled_fatigue

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "messaging"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_OPT_IN": state.PARAMS["MP_OPT_IN"],
    "MP_COMPLAIN_COLD": Param("market.regime.complaint_rate_cold"),
    "MP_COMPLAIN_MEMBER": Param("market.regime.complaint_rate_member"),
    "MP_FATIGUE_DAYS": Param("market.behaviour.fatigue_decay_days"),
    "MP_TRUST0": state.PARAMS["MP_TRUST0"],
    "MP_RESPONSE": Param("market.behaviour.response_base"),
    "MP_OPTOUT": Param("market.behaviour.optout_base"),
    "MP_OPTOUT_POW": Param("market.behaviour.optout_fatigue_power"),
    "MP_OPTOUT_PSI": Param("market.behaviour.optout_psi_weight"),
    "MP_TRUST_UP": Param("market.behaviour.trust_up"),
    "MP_TRUST_DOWN": Param("market.behaviour.trust_down"),
    "MP_TRUST_THR": Param("market.behaviour.trust_threshold"),
    "MP_TRUST_THR_F": Param("market.behaviour.trust_threshold_fatigue"),
    "BP_PER_WEEK": Param("brand.strategy.messaging.per_week"),
    "BP_QUALITY": Param("brand.strategy.messaging.quality"),
    "BP_SELLING": Param("brand.strategy.messaging.selling_share"),
    "BP_CAP": Param("brand.strategy.messaging.cap_per_week"),
    "BP_COLD_QUALITY": Param("brand.strategy.compliance.cold_quality"),
    "BP_RESPECT": Param("brand.strategy.compliance.respect_opt_in", derive=float, unit="flag",
                        source="strategy choice (the law: Japan's Specified E-mail Act)"),
    "BP_COOLOFF": Param("brand.strategy.interception.cooloff_days"),
    "BP_CHECKOUT": Param("tool.checkout_convenience"),
    "BP_TOOL_REACH": Param("tool.reach"),
    "BP_MSG_COST": Param("tool.cost_per_message"),
}
STATE = {
    "FATIGUE": State("fatigue", np.float32, per_brand=False,
                     doc="Messaging fatigue, shared by every brand: +1 per seen message, decaying."),
}
#: The fatigue time constant T (days) in force: fatigue decays lazily (``state.settled_fatigue``) with it, and a
#: strategy phase that changes T settles everyone's fatigue first (:func:`step`). Read as ``model.fatigue_days``.
RUN_STATE = {
    "fatigue_days": RunState((), np.float64, param="MP_FATIGUE_DAYS", doc="Fatigue time constant T in force (days)."),
}
TALLIES = {
    "T_MSG_PUR": "message_purchases", "T_SENDS": "sends", "T_SEEN": "seen", "T_COLD": "cold_sends",
    "T_OPTOUTS": "opt_outs", "T_COMPLAINTS": "complaints", "T_VIOLATIONS": "violations",
    "T_VIOL_COMPLAINTS": "violation_complaints", "T_READ": "read", "T_CAPPED": "sends_capped",
}
LEDGER = {"C_MESSAGES": "message_costs"}
EVENTS = {"E_MESSAGE": "message", "E_COLD": "cold_message", "E_OPTOUT": "opted_out"}
#: Draws of one broadcast message: reach cap, seen, purchase, private channel, complaint, opt-out, read.
D_CAP, D_SEEN, D_RESPOND, D_PRIVATE, D_COMPLAIN, D_OPTOUT, D_READ = range(7)
BROADCAST_DRAWS = 7
#: Draws of one cold message: purchase, complaint, read (one reserved).
DC_RESPOND, DC_COMPLAIN, DC_READ = range(3)
COLD_DRAWS = 4
#: A consumer's draws for brand k today: one block of 256 slots per brand, broadcasts then cold messages,
#: each room for the most messages a day the schema admits.
DAY_SLOTS = Slots(rng.MESSAGING, block=256, ranges={
    "broadcasts": (0, BROADCAST_DRAWS * MAX_SENDS_PER_DAY), "cold": (128, COLD_DRAWS * MAX_SENDS_PER_DAY)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_BROADCAST, S_COLD = DAY_SLOTS.first("broadcasts"), DAY_SLOTS.first("cold")


@njit(inline="always")
def pressure(fatigue, tau, decay_days):
    """Fatigue relative to what the consumer tolerates (1 = at their tolerated weekly cadence)."""
    return fatigue / (tau * decay_days / 7.0)


@njit(inline="always")
def read_probability(trust):
    """Chance a member reads a message they see: their trust in the brand, by definition."""
    return trust


@njit(inline="always")
def response_probability(quality, selling, x, mp):
    """Chance a read message triggers a purchase."""
    return mp[L.MP_RESPONSE] * quality * (0.5 + selling) * math.exp(-x)


@njit(inline="always")
def optout_probability(psi, x, mp):
    """Chance a seen message makes the member leave the pool."""
    return min(1.0, mp[L.MP_OPTOUT] * (1.0 + mp[L.MP_OPTOUT_PSI] * psi) * (1.0 + x) ** mp[L.MP_OPTOUT_POW])


@njit(inline="always")
def opts_out(u, psi, x, mp):
    """``u < optout_probability(psi, x, mp)``, with the power computed only when a cheap bound allows it.

    For ``1 + x >= 1`` and ``0 <= power <= n = ceil(power)``, ``(1 + x) ** power <= (1 + x) ** n``, a product
    of ``n`` factors (at most six). A draw at or above the probability with that bound (widened by a part
    in 1e12, far more than the rounding of either side) cannot be below the exact one: the answer is the
    same, bit for bit, and most seen messages (whose draw is far above an opt-out chance of a few in a
    thousand) skip the power.
    """
    if x < 0.0:  # (never: fatigue is not negative; the bound would not hold)
        return u < optout_probability(psi, x, mp)
    scale = mp[L.MP_OPTOUT] * (1.0 + mp[L.MP_OPTOUT_PSI] * psi)
    bound = 1.0
    for _ in range(int(math.ceil(mp[L.MP_OPTOUT_POW]))):
        bound *= 1.0 + x
    if u >= min(1.0, scale * bound * (1.0 + 1e-12)):
        return False
    return u < optout_probability(psi, x, mp)


@njit(inline="always")
def new_trust(trust, quality, selling, x, mp):
    """Trust after one seen message: value above a fatigue-dependent threshold builds it."""
    value = quality * (1.0 - 0.5 * selling)
    if value > mp[L.MP_TRUST_THR] + mp[L.MP_TRUST_THR_F] * x:
        return trust + mp[L.MP_TRUST_UP] * (1.0 - trust)
    return trust - mp[L.MP_TRUST_DOWN] * trust


@njit(cache=True)
def recipients_span(stage, plan, start, stop, mask, who):
    """Ids, in order, of consumers ``start <= i < stop`` some brand may message today, written into ``who``.

    Returns how many (``mask`` and ``who`` hold at least ``stop - start``). Only members (broadcasts)
    and platform customers (cold outreach) can receive a message. Everyone else's day in this
    mechanism would be the fatigue decay alone, which is left to the next reader
    (:func:`settled_fatigue`): no daily pass over everyone.
    """
    size = stop - start
    rows = stage[start:stop]  # (indexing stage[start + r, k] instead keeps the loops off SIMD lanes: 3x slower)
    for r in range(size):
        mask[r] = 0
    for k in range(stage.shape[1]):
        broadcast = plan[k, L.PLAN_MESSAGES] > 0.0
        cold = plan[k, L.PLAN_COLD] > 0.0
        if broadcast or cold:
            for r in range(size):
                s = rows[r, k]
                mask[r] |= (broadcast & (s == L.MEMBER)) | (cold & (s == L.CUSTOMER))
    return ids_of_span(mask, start, size, who)


@kernel
def messaging_kernel(c, prm, books, jr, day, key_day, plan, seg_ok, listed):
    """Deliver today's broadcasts and cold messages, brand by brand (each recipient's fatigue decays first)."""
    stage, pair, traits, fatigue, segment = c.stage, c.pair, c.traits, c.fatigue, c.segment
    fatigue_day = c.fatigue_day
    mp, bp = prm.mp, prm.bp
    flows, money, tally = books.flows, books.money, books.tally
    tracked = jr.tracked
    n, n_brands = stage.shape
    decay_days = mp[L.MP_FATIGUE_DAYS]
    decay = decay_factor(decay_days)
    rep = mp[L.MP_REP]
    opt_in = mp[L.MP_OPT_IN] > 0.5
    cold_law = mp[L.MP_COLD_LAW] > 0.5  # cold outreach (SMS) needs consent under the regime's message law
    any_sends = False
    for k in range(n_brands):
        if plan[k, L.PLAN_MESSAGES] > 0.0 or plan[k, L.PLAN_COLD] > 0.0:
            any_sends = True
    mask, buffer = np.empty(SPAN, dtype=np.uint8), np.empty(SPAN, dtype=np.int32)
    for start in range(0, n, SPAN):  # a span at a time; everyone else's fatigue just decays, lazily
        who = buffer[:recipients_span(stage, plan, start, min(n, start + SPAN), mask, buffer)]
        for j in range(who.shape[0]):
            prefetch_ahead(who, j, c)  # a memory hint only
            i = who[j]
            f = settled_fatigue(fatigue, fatigue_day, i, day - 1, decay) * decay
            if any_sends:
                tau = traits[i, L.TAU]
                psi = traits[i, L.PSI]
                for k in range(n_brands):
                    s = stage[i, k]
                    slot = BLOCK * k
                    if s == L.MEMBER:
                        n_msgs = int(plan[k, L.PLAN_MESSAGES])
                        if n_msgs == 0 or seg_ok[k, segment[i]] == 0:
                            continue
                        # LINE official accounts fall under no message law
                        lawful = (not opt_in) or flag(pair[i, k], L.BIT_CONSENT) or bp[k, L.BP_TOOL_LAW] < 0.5
                        if not lawful and bp[k, L.BP_RESPECT] > 0.5:
                            continue
                        per_week = bp[k, L.BP_PER_WEEK]
                        cap_share = 1.0
                        if bp[k, L.BP_CAP] > 0.0 and bp[k, L.BP_CAP] < per_week:
                            cap_share = bp[k, L.BP_CAP] / per_week
                        quality = bp[k, L.BP_QUALITY]
                        selling = bp[k, L.BP_SELLING]
                        for m in range(n_msgs):
                            base = slot + S_BROADCAST + BROADCAST_DRAWS * m
                            if cap_share < 1.0 and uniform(key_day, i, base + D_CAP) >= cap_share:
                                tally[k, L.T_CAPPED] += 1.0
                                continue
                            money[k, L.C_MESSAGES] += bp[k, L.BP_MSG_COST] * rep
                            tally[k, L.T_SENDS] += 1.0
                            if is_tracked(tracked, i):  # (checked here too: the call costs even when it logs nothing)
                                log_event(jr, day, i, k, L.E_MESSAGE, 0)
                            if not lawful:
                                tally[k, L.T_VIOLATIONS] += 1.0
                            if uniform(key_day, i, base + D_SEEN) >= bp[k, L.BP_TOOL_REACH]:
                                continue
                            tally[k, L.T_SEEN] += 1.0
                            x = pressure(f, tau, decay_days)  # the messages seen before this one
                            f += 1.0
                            pair[i, k].last_contact = day
                            trust = pair[i, k].trust
                            if uniform(key_day, i, base + D_READ) < read_probability(trust):
                                tally[k, L.T_READ] += 1.0
                                respond = response_probability(quality, selling, x, mp)
                                if uniform(key_day, i, base + D_RESPOND) < respond:
                                    # a stored-value holder pays with the card, in the brand's own channel
                                    private = holds_balance(pair, i, k) or uniform(
                                        key_day, i, base + D_PRIVATE) < private_channel_probability(
                                        k, traits[i, L.PTS], 1.0, bp)
                                    if private or listed[k]:  # delisted (own_site penalty): no platform sale
                                        tally[k, L.T_MSG_PUR] += 1.0
                                        book_purchase(c, prm, books, jr, i, k, day, private, True,
                                                      L.E_BUY_PRIV if private else L.E_BUY_PUB)
                                pair[i, k].trust = new_trust(trust, quality, selling, x, mp)
                            # a member who declined marketing consent complains like a cold recipient
                            if lawful:
                                p_complain = mp[L.MP_COMPLAIN_MEMBER] * min(x, 1.0)
                            else:
                                p_complain = mp[L.MP_COMPLAIN_COLD] * (0.5 + psi)
                            if uniform(key_day, i, base + D_COMPLAIN) < p_complain:
                                tally[k, L.T_COMPLAINTS] += 1.0
                                if not lawful:
                                    tally[k, L.T_VIOL_COMPLAINTS] += 1.0
                            if opts_out(uniform(key_day, i, base + D_OPTOUT), psi, x, mp):
                                move(stage, flows, i, k, L.CUSTOMER)
                                set_flag(pair[i, k], L.BIT_CONSENT, False)
                                set_flag(pair[i, k], L.BIT_OPTED_OUT, True)
                                pair[i, k].cooloff = day + int(bp[k, L.BP_COOLOFF])
                                tally[k, L.T_OPTOUTS] += 1.0
                                log_event(jr, day, i, k, L.E_OPTOUT, 0)
                                break
                    elif s == L.CUSTOMER and plan[k, L.PLAN_COLD] > 0.0 and not flag(pair[i, k], L.BIT_OPTED_OUT):
                        n_cold = int(plan[k, L.PLAN_COLD])
                        for m in range(n_cold):
                            base = slot + S_COLD + COLD_DRAWS * m
                            money[k, L.C_MESSAGES] += bp[k, L.BP_MSG_COST] * rep
                            tally[k, L.T_COLD] += 1.0
                            if is_tracked(tracked, i):  # (checked here too: the call costs even when it logs nothing)
                                log_event(jr, day, i, k, L.E_COLD, 0)
                            if cold_law:
                                tally[k, L.T_VIOLATIONS] += 1.0
                            x = pressure(f, tau, decay_days)  # the messages seen before this one
                            f += 1.0
                            q = bp[k, L.BP_COLD_QUALITY]
                            read = uniform(key_day, i, base + DC_READ) < read_probability(mp[L.MP_TRUST0])
                            if read and uniform(key_day, i, base + DC_RESPOND) < response_probability(q, 1.0, x, mp) \
                                    and listed[k]:  # a cold message sells on the platform: not while delisted
                                tally[k, L.T_MSG_PUR] += 1.0
                                book_purchase(c, prm, books, jr, i, k, day, False, False, L.E_BUY_PUB)
                            if uniform(key_day, i, base + DC_COMPLAIN) < mp[L.MP_COMPLAIN_COLD] * (0.5 + psi):
                                tally[k, L.T_COMPLAINTS] += 1.0
                                if cold_law:
                                    tally[k, L.T_VIOL_COMPLAINTS] += 1.0
                                set_flag(pair[i, k], L.BIT_OPTED_OUT, True)  # a complainer is never cold-messaged again
                                break
            fatigue[i] = f
            fatigue_day[i] = day


def step(model: MarketModel, day: int) -> None:
    """Today's broadcasts and cold messages are delivered (see :func:`messaging_kernel`).

    Fatigue decays lazily with the time constant T in force (:func:`settled_fatigue`); on a day T changes
    (a strategy phase), everyone's fatigue is first brought up to yesterday with the old T.
    """
    decay_days = float(model.packed.mp[L.MP_FATIGUE_DAYS])
    in_force = model.run_state.fatigue_days
    if decay_days != float(in_force):  # (a Python comparison: the 0-d array's costs a microsecond)
        p = model.pop
        settle_all_fatigue(p.fatigue, p.fatigue_day, day - 1, float(in_force))
        in_force[()] = decay_days
    messaging_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                     model.keys.day(rng.MESSAGING, day), model.plan, model.packed.seg_ok, listing(model, day))
