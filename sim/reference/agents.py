"""Reference consumers: one Mesa agent per consumer, written the usual object-oriented way.

A :class:`Consumer` holds its traits and one :class:`Tie` (its relationship) per brand as plain
Python attributes, and lives its day in :meth:`Consumer.step`: it notices brands (acquisition),
shops (purchase, with the invitation at checkout), counts as a member (membership) and reads its
messages (messaging, fatigue). After every consumer's own day, members tell friends in
:meth:`Consumer.share` (referral), because a friend who joins today must not also live today as a
member. Luck comes from the model's ``numpy.random.Generator``, one draw at a time.

The rules are the fast engine's (:mod:`sim.model.mechanisms`): every probability and multiplier is
one of its own functions (numba dispatchers are callable from Python), every constant comes from
:mod:`sim.model.layout`, and only the bookkeeping of state is written again here, in objects
instead of arrays. So the two implementations can only disagree where a procedure differs, which
is what ``tests/test_reference.py`` checks, statistically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

from sim.model import layout as L
from sim.model.mechanisms.interception import accept_probability
from sim.model.mechanisms.membership import (
    member_dropout_multiplier,
    member_purchase_multiplier,
    points_kept,
    private_channel_probability,
)
from sim.model.mechanisms.messaging import (
    new_trust,
    optout_probability,
    pressure,
    read_probability,
    response_probability,
)
from sim.model.mechanisms.purchase import ACTIVE_DAYS, attention, chance, trust_dropout_multiplier
from sim.model.mechanisms.referral import MAX_CONTACTS, join_probability, share_probability
from sim.model.rng import bernoulli_round

if TYPE_CHECKING:
    from sim.reference.model import ReferenceMarket

NOT_YET_AWARE = (L.UNAWARE, L.LAPSED)


@dataclass(slots=True)
class Tie:
    """One consumer's relationship with one brand."""

    stage: int = L.UNAWARE
    consent: bool = False
    trust: float = 0.0
    points: float = 0.0
    tier: int = 0
    paid: bool = False
    opted_out: bool = False
    source: int = L.SRC_NONE
    last_buy: int = L.NEVER
    joined: int = L.NEVER
    cooloff: int = L.NEVER
    referrer: int = -1
    last_contact: int = 0
    spend_public: float = 0.0
    spend_private: float = 0.0
    spend_member: float = 0.0


class Consumer(mesa.Agent):
    """A consumer: traits, shared fatigue, and a :class:`Tie` with every brand."""

    model: ReferenceMarket

    def __init__(self, model: ReferenceMarket, index: int, segment: int, traits: dict[str, float],
                 birthday: int, partner_pools: list[bool]) -> None:
        super().__init__(model)
        self.index = index
        self.segment = segment
        self.psi = traits["psi"]
        self.tau = traits["tau"]
        self.lam = traits["lam"]
        self.drop = traits["drop"]
        self.basket = traits["basket"]
        self.soc = traits["soc"]
        self.pts = traits["pts"]
        self.birthday = birthday
        self.partner_pools = partner_pools
        self.fatigue = 0.0
        self.ties = [Tie() for _ in range(model.k)]

    # ---- the consumer's own day ----------------------------------------------------------------
    def step(self) -> None:
        """One day: notice brands, shop, count as a member, read messages."""
        for k, tie in enumerate(self.ties):
            self.notice(k, tie)
        for k, tie in enumerate(self.ties):
            self.shop(k, tie)
        for k, tie in enumerate(self.ties):
            self.count_membership(k, tie)
        self.read_messages()

    # ---- state changes ---------------------------------------------------------------------------
    def move(self, k: int, tie: Tie, to: int) -> None:
        """Change stage with brand ``k`` and count the flow."""
        self.model.flows[self.model.day, k, tie.stage, to] += 1
        tie.stage = to

    def become_aware(self, k: int, tie: Tie, channel_tally: int) -> None:
        """Learn about brand ``k`` through a channel (a lapsed customer is won back)."""
        if tie.stage == L.LAPSED:
            self.model.tally_today[k, L.T_WINBACKS] += 1
        self.move(k, tie, L.AWARE)
        self.model.tally_today[k, channel_tally] += 1

    def join(self, k: int, tie: Tie, source: int, trust0: float, referrer: int = -1) -> None:
        """Join brand ``k``'s private pool (consent, trust, paid membership decided now)."""
        m = self.model
        self.move(k, tie, L.MEMBER)
        consent, trust = True, trust0
        if m.opt_in:
            if m.rng.random() < m.mp[L.MP_OPT_IN_RATE]:
                trust += m.mp[L.MP_CONSENT_BONUS]
            else:
                consent = False
        tie.consent, tie.source, tie.tier, tie.opted_out = consent, source, 0, False
        tie.joined, tie.referrer, tie.last_contact = m.day, referrer, m.day
        tie.trust, tie.points, tie.spend_member = min(trust, 1.0), 0.0, 0.0
        bp = m.bp_rows[k]
        tie.paid = bp[L.BP_PAID_FEE] > 0.0 and m.rng.random() < bp[L.BP_PAID_UPTAKE] * self.pts
        if tie.paid:
            m.tally_today[k, L.T_PAID_NEW] += 1
        m.tally_today[k, L.JOIN_TALLY_OF_SOURCE[source]] += 1

    def lapse(self, k: int, tie: Tie) -> None:
        """The relationship dies: points forfeited, consent withdrawn."""
        tally = self.model.tally_today[k]
        if tie.stage == L.MEMBER:
            tally[L.T_LAPSED_MEMBERS] += 1
            tally[L.T_PTS_FORFEIT] += tie.points
        tie.points, tie.consent, tie.paid, tie.tier = 0.0, False, False, 0
        self.move(k, tie, L.LAPSED)
        tally[L.T_LAPSES] += 1

    def leave_pool(self, k: int, tie: Tie) -> None:
        """Opt out of brand ``k``'s pool (back to customer, no re-invitation for a cool-off)."""
        self.move(k, tie, L.CUSTOMER)
        tie.consent, tie.opted_out = False, True
        tie.cooloff = self.model.day + int(self.model.bp_rows[k][L.BP_COOLOFF])

    # ---- 1. acquisition ------------------------------------------------------------------------
    def notice(self, k: int, tie: Tie) -> None:
        """Ads, organic content, a KOL campaign and partner pools may reach this consumer."""
        m, rng = self.model, self.model.rng
        s = tie.stage
        if s == L.MEMBER:
            return
        bp, plan, day, trust0 = m.bp_rows[k], m.plan_rows[k], m.day, m.trust0
        if s in NOT_YET_AWARE:
            p = m.ad_p_rows[k][self.segment] * (m.winback if s == L.LAPSED else 1.0)
            if p > 0.0 and rng.random() < p:
                self.become_aware(k, tie, L.T_AD_AWARE)
                s = L.AWARE
        p_view = plan[L.PLAN_ORGANIC]
        if p_view > 0.0 and rng.random() < p_view:
            if s in NOT_YET_AWARE and rng.random() < bp[L.BP_ORG_EFF]:
                self.become_aware(k, tie, L.T_ORG_AWARE)
                s = L.AWARE
            if s in (L.AWARE, L.CUSTOMER) and tie.cooloff <= day and rng.random() < bp[L.BP_ORG_FOLLOW]:
                self.join(k, tie, L.SRC_ORGANIC, trust0)
                return
        p_view = plan[L.PLAN_KOL]
        if p_view > 0.0 and rng.random() < p_view:
            if s in NOT_YET_AWARE and rng.random() < bp[L.BP_KOL_EFF]:
                self.become_aware(k, tie, L.T_KOL_AWARE)
                s = L.AWARE
            if s in (L.AWARE, L.CUSTOMER) and tie.cooloff <= day and rng.random() < bp[L.BP_KOL_FOLLOW]:
                self.join(k, tie, L.SRC_KOL, trust0 + bp[L.BP_KOL_TRUST])
                return
        for pool, in_pool in enumerate(self.partner_pools):
            p_view = m.partner_p_rows[k][pool]
            if p_view <= 0.0 or not in_pool or rng.random() >= p_view:
                continue
            if s in NOT_YET_AWARE:
                self.become_aware(k, tie, L.T_PARTNER_AWARE)
                s = L.AWARE
            if tie.cooloff > day:
                continue
            if rng.random() < m.partner_join[k, pool] * (1.0 - self.psi) * m.friction:
                self.join(k, tie, L.SRC_PARTNER, max(trust0, m.partner_trust[pool]))
                m.money_today[k, L.C_PARTNER] += m.partner_fee[k, pool] * m.rep
                return

    # ---- 2. purchase (BG/NBD) and 3. interception --------------------------------------------------
    def shop(self, k: int, tie: Tie) -> None:
        """Maybe buy (first purchase, repeat purchase, private or public channel), maybe drop out."""
        m, rng = self.model, self.model.rng
        s = tie.stage
        if s in NOT_YET_AWARE:
            return
        tally, bp, day = m.tally_today[k], m.bp_rows[k], m.day
        if s != L.AWARE:
            tally[L.T_RECORDS] += 1
        if s == L.MEMBER:
            tally[L.T_TRUST_SUM] += tie.trust
            tally[L.T_TRUST_N] += 1.0
            tally[L.T_FATIGUE_SUM] += self.fatigue
            if day - tie.last_buy <= ACTIVE_DAYS:
                tally[L.T_ACTIVE] += 1
        lam_day = self.lam / 365.0
        u = rng.random()
        if s == L.AWARE:
            p_forget = 1.0 / m.mp[L.MP_FORGET]
            if u < p_forget:
                self.move(k, tie, L.UNAWARE)
            elif u < p_forget + chance(lam_day * m.mp[L.MP_AWARE_CONV]):
                self.move(k, tie, L.CUSTOMER)
                tally[L.T_FIRST] += 1
                self.buy(k, tie, private=False, member=False)
                self.consider_invitation(k, tie)  # the trial purchase never ends the relationship
            return
        member = s == L.MEMBER
        rate = lam_day
        if member:
            rate *= member_purchase_multiplier(k, tie.tier, self.pts, tie.paid, m.bp, m.tiers)
        p_buy = chance(rate)
        if member and bp[L.BP_BIRTHDAY] > 0.0 and self.birthday == day % 365:
            p_buy += (1.0 - p_buy) * bp[L.BP_BIRTHDAY_RESP]
        if u >= p_buy:
            return
        private = member and rng.random() < private_channel_probability(  # unprompted: needs attention (促活)
            k, self.pts, attention(day - tie.last_contact, m.mp[L.MP_ATTN_HALF]), m.bp)
        self.buy(k, tie, private, member)
        p_drop = self.drop
        if member:
            p_drop *= member_dropout_multiplier(k, tie.tier, self.pts, tie.paid, m.bp, m.tiers)
            p_drop *= trust_dropout_multiplier(tie.trust, m.mp[L.MP_TRUST_DROP])
        if rng.random() < p_drop:
            self.lapse(k, tie)
        elif not member:
            self.consider_invitation(k, tie)

    def buy(self, k: int, tie: Tie, private: bool, member: bool) -> None:
        """Book one purchase: revenue, COGS, fees, commission; membership rules for members."""
        m = self.model
        money, tally, bp = m.money_today[k], m.tally_today[k], m.bp_rows[k]
        price = self.basket
        gross = price * m.rep
        if private:
            money[L.REV_PRIV] += gross
            tally[L.T_PUR_PRIV] += 1
            tie.spend_private += price
            tie.last_contact = m.day  # buying in the brand's own channel is contact too
        else:
            money[L.REV_PUB] += gross
            money[L.C_COMMISSION] += gross * m.mp[L.MP_COMMISSION]
            tally[L.T_PUR_PUB] += 1
            tie.spend_public += price
        money[L.C_COGS] += gross * bp[L.BP_COGS]
        money[L.C_PAYMENT] += gross * m.mp[L.MP_PAYFEE]
        if member:
            tally[L.T_MEMBER_GROSS] += gross
            if private and bp[L.BP_DIST_COMM] > 0.0 and tie.referrer >= 0:  # 社交分销 to the referrer
                money[L.C_DISTRIBUTION] += gross * bp[L.BP_DIST_COMM]
            if bp[L.BP_MEMBERSHIP_ON] > 0.5:
                self.member_purchase(k, tie, price, private)
        tie.last_buy = m.day

    def member_purchase(self, k: int, tie: Tie, price: float, private: bool) -> None:
        """Member price, points (expiry, redemption, earning) and tier upgrades."""
        m = self.model
        money, tally, bp = m.money_today[k], m.tally_today[k], m.bp_rows[k]
        tier = tie.tier
        if private:
            money[L.C_DISCOUNTS] += price * m.tiers[k, tier, L.TIER_DISCOUNT] * m.rep
        rate = bp[L.BP_POINTS_RATE]
        if rate > 0.0:
            points = tie.points
            if points > 0.0:
                keep = points_kept(m.day - max(tie.last_buy, tie.joined), bp[L.BP_POINTS_EXPIRY])
                tally[L.T_PTS_EXPIRED] += points * (1.0 - keep)
                points *= keep
            if points >= bp[L.BP_MIN_REDEEM] and points > 0.0:
                money[L.C_POINTS] += points * m.rep
                tally[L.T_PTS_REDEEMED] += points
                points = 0.0
            tally[L.T_PTS_EARNED] += price * rate
            tie.points = points + price * rate
        tie.spend_member += price
        while tier < int(bp[L.BP_NTIERS]) and tie.spend_member >= m.tiers[k, tier + 1, L.TIER_MIN]:
            tier += 1
            tally[L.T_TIER_UPS] += 1
        tie.tier = tier

    def consider_invitation(self, k: int, tie: Tie) -> None:
        """Interception: an invitation may come with the platform order; accept or start a cool-off."""
        m, rng = self.model, self.model.rng
        bp, day = m.bp_rows[k], m.day
        share = bp[L.BP_INVITE_SHARE]
        if share <= 0.0 or tie.cooloff > day or rng.random() >= share:
            return
        m.money_today[k, L.C_INVITES] += bp[L.BP_INVITE_COST] * m.rep
        m.tally_today[k, L.T_INVITES] += 1
        hook = bp[L.BP_HOOK]
        if rng.random() < accept_probability(self.psi, hook, bp[L.BP_POINTS_RATE], self.pts, m.mp,
                                             bp[L.BP_POINTS_HALF]):
            self.join(k, tie, L.SRC_INTERCEPT, m.trust0)
            m.money_today[k, L.C_HOOKS] += hook * m.rep
            m.tally_today[k, L.T_ACCEPTED] += 1
        else:
            tie.cooloff = day + int(bp[L.BP_COOLOFF])

    # ---- 4. membership ---------------------------------------------------------------------------
    def count_membership(self, k: int, tie: Tie) -> None:
        """A member is counted for the paid-membership fee and may get a birthday perk today."""
        m = self.model
        if tie.stage != L.MEMBER or m.bp_rows[k][L.BP_MEMBERSHIP_ON] < 0.5:
            return
        if tie.paid:
            m.paid_members[k] += 1
        perk = m.bp_rows[k][L.BP_BIRTHDAY] * m.rep
        if perk > 0.0 and self.birthday == m.day % 365:
            m.money_today[k, L.C_BIRTHDAY] += perk

    # ---- 5. messaging and fatigue ------------------------------------------------------------------
    def read_messages(self) -> None:
        """Fatigue decays; broadcasts (members) and cold messages (platform buyers) arrive."""
        m, rng = self.model, self.model.rng
        fatigue = self.fatigue * m.decay
        for k, tie in enumerate(self.ties):
            bp, plan, money, tally = m.bp_rows[k], m.plan_rows[k], m.money_today[k], m.tally_today[k]
            if tie.stage == L.MEMBER:
                n_msgs = int(plan[L.PLAN_MESSAGES])
                if n_msgs == 0 or not m.seg_ok[k, self.segment]:
                    continue
                lawful = (not m.opt_in) or tie.consent or bp[L.BP_TOOL_LAW] < 0.5  # a tool outside the law
                if not lawful and bp[L.BP_RESPECT] > 0.5:
                    continue
                per_week, cap = bp[L.BP_PER_WEEK], bp[L.BP_CAP]
                cap_share = cap / per_week if 0.0 < cap < per_week else 1.0
                quality, selling = bp[L.BP_QUALITY], bp[L.BP_SELLING]
                for _ in range(n_msgs):
                    if cap_share < 1.0 and rng.random() >= cap_share:
                        tally[L.T_CAPPED] += 1
                        continue
                    money[L.C_MESSAGES] += bp[L.BP_MSG_COST] * m.rep
                    tally[L.T_SENDS] += 1
                    if not lawful:
                        tally[L.T_VIOLATIONS] += 1
                    if rng.random() >= bp[L.BP_TOOL_REACH]:
                        continue
                    tally[L.T_SEEN] += 1
                    x = pressure(fatigue, self.tau, m.decay_days)  # the messages seen before this one
                    fatigue += 1.0
                    tie.last_contact = m.day
                    trust = tie.trust
                    if rng.random() < read_probability(trust):  # trust is the chance a seen message is read
                        tally[L.T_READ] += 1
                        if rng.random() < response_probability(quality, selling, x, m.mp):
                            tally[L.T_MSG_PUR] += 1
                            private = rng.random() < private_channel_probability(k, self.pts, 1.0, m.bp)
                            self.buy(k, tie, private=private, member=True)
                        tie.trust = new_trust(trust, quality, selling, x, m.mp)
                    if lawful:
                        p_complain = m.mp[L.MP_COMPLAIN_MEMBER] * min(x, 1.0)
                    else:  # a member who declined marketing consent complains like a cold recipient
                        p_complain = m.mp[L.MP_COMPLAIN_COLD] * (0.5 + self.psi)
                    if rng.random() < p_complain:
                        tally[L.T_COMPLAINTS] += 1
                        if not lawful:
                            tally[L.T_VIOL_COMPLAINTS] += 1
                    if rng.random() < optout_probability(self.psi, x, m.mp):
                        self.leave_pool(k, tie)
                        tally[L.T_OPTOUTS] += 1
                        break
            elif tie.stage == L.CUSTOMER and plan[L.PLAN_COLD] > 0.0 and not tie.opted_out:
                for _ in range(int(plan[L.PLAN_COLD])):
                    money[L.C_MESSAGES] += bp[L.BP_MSG_COST] * m.rep
                    tally[L.T_COLD] += 1
                    if m.cold_law:
                        tally[L.T_VIOLATIONS] += 1
                    x = pressure(fatigue, self.tau, m.decay_days)  # the messages seen before this one
                    fatigue += 1.0
                    read = rng.random() < read_probability(m.trust0)  # a stranger reads like a new member
                    if read and rng.random() < response_probability(bp[L.BP_COLD_QUALITY], 1.0, x, m.mp):
                        tally[L.T_MSG_PUR] += 1
                        self.buy(k, tie, private=False, member=False)
                    if rng.random() < m.mp[L.MP_COMPLAIN_COLD] * (0.5 + self.psi):
                        tally[L.T_COMPLAINTS] += 1
                        if m.cold_law:
                            tally[L.T_VIOL_COMPLAINTS] += 1
                        tie.opted_out = True  # a complainer is never cold-messaged again
                        break
        self.fatigue = fatigue

    # ---- 6. referral (after everyone's own day) ------------------------------------------------------
    def share(self) -> None:
        """A member in the sharing window may share with friends, who may join."""
        m, rng = self.model, self.model.rng
        if m.net_kind == L.NET_NONE:
            return
        for k, tie in enumerate(self.ties):
            if tie.stage != L.MEMBER:
                continue
            bp = m.bp_rows[k]
            if bp[L.BP_SHARE_RATE] <= 0.0:
                continue
            age = m.day - tie.joined
            if age <= 0 or age > bp[L.BP_WINDOW]:  # joined today: shares from tomorrow
                continue
            neutral = bp[L.BP_REF_NEUTRAL] > 0.5
            if rng.random() >= share_probability(tie.trust, self.soc, neutral, k, m.bp, m.mp):
                continue
            m.tally_today[k, L.T_SHARES] += 1
            m.money_today[k, L.C_REWARDS] += bp[L.BP_SHARE_COST] * m.rep
            reach = bp[L.BP_CONTACTS]  # the same on every network kind (see sim.model.mechanisms.referral)
            for _ in range(min(bernoulli_round(reach, rng.random()), MAX_CONTACTS)):
                friend = m.friend_of(self)
                m.tally_today[k, L.T_CONTACTS] += 1
                friend_tie = friend.ties[k]
                if friend_tie.stage == L.MEMBER or friend_tie.cooloff > m.day:
                    continue
                if rng.random() < join_probability(friend.psi, neutral, k, m.bp, m.mp):
                    if friend_tie.stage in NOT_YET_AWARE:
                        friend.move(k, friend_tie, L.AWARE)
                    friend.join(k, friend_tie, L.SRC_REFERRAL, m.trust0, referrer=self.index)
                    m.money_today[k, L.C_REWARDS] += (bp[L.BP_REFERRER_REWARD] + bp[L.BP_REFEREE_REWARD]) * m.rep
                    m.cohort_referrals[max(tie.joined, 0), k] += 1  # credited to the referrer's joining cohort
                else:
                    friend.fatigue += m.mp[L.MP_SPAM]

    # ---- 7. compliance (a public shock to one brand) ---------------------------------------------------
    def suffer_shock(self, k: int, trust_shock: float, exit_share: float, cooloff_days: int) -> None:
        """An enforcement or a breach becomes public: a member loses trust and may leave."""
        tie = self.ties[k]
        if tie.stage != L.MEMBER:
            return
        tie.trust *= 1.0 - trust_shock
        if exit_share > 0.0 and self.model.rng.random() < exit_share * 2.0 * self.psi:
            self.move(k, tie, L.CUSTOMER)
            tie.consent, tie.opted_out = False, True
            tie.cooloff = self.model.day + cooloff_days
            self.model.tally_today[k, L.T_BREACH_EXITS] += 1
