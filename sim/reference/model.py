"""The reference market: idiomatic Mesa, one agent per consumer (the correctness oracle).

The day reads like the fast engine's (:class:`sim.model.market.MarketModel`) and uses the same
brand agents, auction formulas, fixed costs and compliance formulas::

    brands plan  ->  auction  ->  every consumer's own day (shuffled)  ->  members share (shuffled)
    ->  enforcement and breaches  ->  books closed  ->  data collected

Consumers are :class:`~sim.reference.agents.Consumer` objects; luck comes from ``self.rng`` (a
``numpy.random.Generator``), so a run cannot reproduce the fast engine's counter-based draws, only
their distribution. The ledger is written into the same arrays as the fast engine's (money, tallies,
flows, census per day) so :class:`~sim.results.result.RunResult` computes the KPIs of both with one
definition. It is about three orders of magnitude slower than the fast engine: use it to read the
rules and to check the engine (``tests/test_reference.py``), not to run studies.
"""

from __future__ import annotations

import math
import time

import mesa
import numpy as np

from sim.model import layout as L
from sim.model import rng as crng
from sim.model.brand import Brand
from sim.model.mechanisms import auction, compliance
from sim.model.network import contact, degree
from sim.model.params import pack
from sim.model.population import draw
from sim.reference.agents import Consumer
from sim.scenario.schema import Scenario

_TRAITS = {"psi": "privacy_sensitivity", "tau": "message_tolerance", "lam": "purchase_rate", "drop": "dropout",
           "basket": "basket", "soc": "sociability", "pts": "points_appetite"}


# ---- data collector reporters (module-level functions: picklable, no lambdas) -------------------
def members(model: ReferenceMarket) -> tuple[int, ...]:
    """Pool size of each brand at the end of the day."""
    return tuple(int(c) for c in model.census[model.day + 1, :, L.MEMBER])


def customers(model: ReferenceMarket) -> tuple[int, ...]:
    """Live platform customers (not members) of each brand at the end of the day."""
    return tuple(int(c) for c in model.census[model.day + 1, :, L.CUSTOMER])


def revenue(model: ReferenceMarket) -> tuple[float, ...]:
    """Revenue of each brand today."""
    return tuple(float(model.money_today[k, list(L.REVENUE_ITEMS)].sum()) for k in range(model.k))


def profit(model: ReferenceMarket) -> tuple[float, ...]:
    """Profit of each brand today."""
    m = model.money_today
    return tuple(float(m[k, list(L.REVENUE_ITEMS)].sum() - m[k, list(L.COST_ITEMS)].sum()) for k in range(model.k))


class _PopulationFacts:
    """What the results layer asks of a population (segments; no arrays to size)."""

    def __init__(self, segment: np.ndarray) -> None:
        self.segment = segment

    def bytes_per_consumer(self) -> float:
        return math.nan


class ReferenceMarket(mesa.Model):
    """Consumers and brands in one market, written the usual Mesa way."""

    def __init__(self, scenario: Scenario) -> None:
        super().__init__(rng=scenario.run.seed)
        self.spec = scenario
        run, market = scenario.run, scenario.market
        self.n, self.days, self.day, self.k = run.population, run.days, 0, len(scenario.brands)
        self.rep = market.represents
        self.people = self.n * self.rep
        # the fast engine's packed parameters: the same constants, by the same names
        self.packed = pk = pack(scenario)
        self.mp, self.bp, self.tiers, self.seg_ok = pk.mp, pk.bp, pk.tiers, pk.seg_ok
        self.partner_trust, self.partner_join, self.partner_fee = pk.partner_trust, pk.partner_join, pk.partner_fee
        self.bp_rows = pk.bp.tolist()  # each brand's parameters as Python floats, for the agents' rules
        self.opt_in = pk.mp[L.MP_OPT_IN] > 0.5
        self.cold_law = pk.mp[L.MP_COLD_LAW] > 0.5  # cold outreach (SMS) needs consent
        self.ladders = compliance.Ladders.empty(len(scenario.brands))
        self.trust0, self.winback, self.friction = pk.mp[L.MP_TRUST0], pk.mp[L.MP_WINBACK], pk.mp[L.MP_FRICTION]
        self.decay_days = pk.mp[L.MP_FATIGUE_DAYS]
        self.decay = math.exp(-1.0 / self.decay_days)
        self.net_kind = int(pk.mp[L.MP_NET_KIND])
        self.mean_degree, self.rewire, self.sf_beta = pk.mp[L.MP_DEGREE], pk.mp[L.MP_REWIRE], pk.mp[L.MP_SF_BETA]
        self.net_key = crng.key(int(self.rng.integers(2**62)), crng.NETWORK)  # this run's own social graph
        # the day's plan, auction results and ledger (same arrays as the fast engine's results)
        self.plan = np.zeros((self.k, L.N_PLAN))
        self.ad_p = np.zeros((self.k, len(market.segments)))
        self.partner_p = np.zeros_like(pk.partner_expo)
        self.money = np.zeros((self.days, self.k, L.N_MONEY))
        self.tally = np.zeros((self.days, self.k, L.N_TALLY))
        self.flows = np.zeros((self.days, self.k, L.N_STAGES, L.N_STAGES), dtype=np.int64)
        self.census = np.zeros((self.days + 1, self.k, L.N_STAGES), dtype=np.int64)
        self.cohort_referrals = np.zeros((self.days, self.k))  # successful referrals by the referrer's join day
        self.paid_members = np.zeros(self.k)
        self.ev, self.ev_n = np.zeros((0, 5), dtype=np.int32), np.zeros(1, dtype=np.int64)
        self.timings: dict[str, float] = {}
        self.brands = [Brand(self, k, spec, pk.tools[k]) for k, spec in enumerate(scenario.brands)]
        self.consumers = self._populate()
        self.pop = _PopulationFacts(np.array([c.segment for c in self.consumers], dtype=np.uint8))
        self.seg_people = np.bincount(self.pop.segment, minlength=len(market.segments)).astype(float) * self.rep
        self._seed_members()
        self.census[0] = self.count_stages()
        self.datacollector = mesa.DataCollector(
            model_reporters={"members": members, "customers": customers, "revenue": revenue, "profit": profit})

    # ---- set-up ----------------------------------------------------------------------------------
    def _populate(self) -> list[Consumer]:
        """Draw every consumer's segment and traits from the scenario's distributions."""
        market = self.spec.market
        shares = np.array([s.share for s in market.segments], dtype=float)
        segment = self.rng.choice(len(shares), size=self.n, p=shares / shares.sum())
        traits = {name: np.empty(self.n) for name in _TRAITS}
        for s, seg in enumerate(market.segments):
            who = np.flatnonzero(segment == s)
            for name, field in _TRAITS.items():
                traits[name][who] = draw(getattr(seg, field), who.size, self.rng)
        traits["tau"] = np.maximum(traits["tau"], 0.05)  # as the fast engine: at least 0.05 messages/week
        pools = [self.rng.random(self.n) < p.reach_share for p in market.partners]
        birthdays = (self.rng.random(self.n) * 365.0).astype(int)
        return [Consumer(self, i, int(segment[i]), {name: float(traits[name][i]) for name in _TRAITS},
                         int(birthdays[i]), [bool(pool[i]) for pool in pools]) for i in range(self.n)]

    def _seed_members(self) -> None:
        """Seed members (the same consumers for every brand) join before day 0, uncounted."""
        order = self.rng.permutation(self.n)
        for k, spec in enumerate(self.spec.brands):
            for i in order[: spec.seed_members]:
                tie = self.consumers[i].ties[k]
                tie.stage, tie.source, tie.joined = L.MEMBER, L.SRC_SEED, -1
                tie.consent, tie.trust = True, self.trust0
                if self.opt_in:  # seeds ticked the box: the fast engine seeds them with u_consent = 0
                    tie.consent = self.mp[L.MP_OPT_IN_RATE] > 0.0
                    if tie.consent:
                        tie.trust = min(self.trust0 + self.mp[L.MP_CONSENT_BONUS], 1.0)

    # ---- the day ---------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance the market by one day."""
        d = self.day
        self.money_today, self.tally_today = self.money[d], self.tally[d]
        self.paid_members[:] = 0.0
        for brand in self.brands:
            brand.plan_day()
        self.auction()
        self.consumers_set.shuffle_do("step")
        self.collect_membership_fees()
        self.consumers_set.shuffle_do("share")
        self.enforce_and_breach()
        self.close_books()
        self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.days:
            self.running = False

    @property
    def consumers_set(self) -> mesa.agent.AgentSet:
        """The consumer agents (brands are agents too)."""
        return self.agents_by_type[Consumer]

    def auction(self) -> None:
        """Today's CPM from total ad demand, and each brand's awareness chance per segment (the engine's auction)."""
        auction.clear(self, self.day)
        self.plan_rows, self.ad_p_rows, self.partner_p_rows = (
            self.plan.tolist(), self.ad_p.tolist(), self.partner_p.tolist())

    def collect_membership_fees(self) -> None:
        """Paid members counted during the day pay a day of their yearly fee."""
        for k in range(self.k):
            if self.bp[k, L.BP_MEMBERSHIP_ON] < 0.5:
                continue
            self.money_today[k, L.REV_FEES] += self.paid_members[k] * self.bp[k, L.BP_PAID_FEE] / 365.0 * self.rep
            self.tally_today[k, L.T_PAID] = self.paid_members[k]

    def friend_of(self, consumer: Consumer) -> Consumer:
        """A contact of ``consumer`` chosen uniformly (the network's shape is the fast engine's)."""
        i, n = consumer.index, self.n
        if self.net_kind == L.NET_MIXED:
            j = int(self.rng.random() * n)
            return self.consumers[(i + 1) % n if j == i else j]
        d = degree(self.net_kind, i, n, self.mean_degree, self.sf_beta)
        m = int(self.rng.random() * max(d, 1.0))
        return self.consumers[contact(self.net_kind, i, m, n, self.mean_degree, self.rewire, self.sf_beta,
                                      self.net_key, self.net_key)]

    def enforce_and_breach(self) -> None:
        """Complaints about unlawful messages may bring a regulator action; records held may leak.

        The same rules, ladder and declared parameters as :mod:`sim.model.mechanisms.compliance`, with this
        model's own luck. (A regime's tightening on a day is the fast engine's only; the oracle has none.)
        """
        mp = self.mp.tolist()
        for k in range(self.k):
            bp = self.bp_rows[k]
            cooloff = int(bp[L.BP_COOLOFF])
            complaints = self.tally_today[k, L.T_VIOL_COMPLAINTS] * self.rep
            if complaints > 0 and self.rng.random() < compliance.enforcement_probability(
                    complaints, mp[L.MP_ENFORCE_PER_COMPLAINT]):
                self.regulator_action(k, compliance.MESSAGE_LAW, mp, cooloff)
            records = self.tally_today[k, L.T_RECORDS] * self.rep
            p_breach = compliance.breach_probability(records, mp, bp[L.BP_SECURITY])
            if p_breach > 0 and self.rng.random() < p_breach:
                self.tally_today[k, L.T_BREACHES] += 1
                self.money_today[k, L.C_BREACH] += compliance.breach_cost(records, mp)
                self.money_today[k, L.C_FINES] += mp[L.MP_BREACH_FINE]
                self.consumers_set.do("suffer_shock", k, mp[L.MP_BREACH_SHOCK], mp[L.MP_BREACH_EXIT], cooloff)
                self.regulator_action(k, compliance.DATA_LAW, mp, cooloff)

    def regulator_action(self, k: int, law: int, mp: list[float], cooloff: int) -> None:
        """One step up brand ``k``'s ladder under ``law`` (see :func:`compliance.apply_enforcement`)."""
        rung = self.ladders.climb(k, law, self.day, mp)
        if rung is None:
            return
        self.tally_today[k, L.T_ENFORCE] += 1
        self.tally_today[k, compliance.rung_tally(rung)] += 1
        if rung != compliance.WARNING:
            self.money_today[k, L.C_FINES] += compliance.rung_fine(rung, law, mp)
            self.consumers_set.do("suffer_shock", k, mp[L.MP_ENFORCE_SHOCK], 0.0, cooloff)

    def close_books(self) -> None:
        """Count the stages and book the brands' fixed costs (operators, SaaS, ads, content, KOL)."""
        d = self.day
        self.census[d + 1] = self.count_stages()
        for k, brand in enumerate(self.brands):
            members_people = self.census[d + 1, k, L.MEMBER] * self.rep
            for item, amount in brand.fixed_costs(members_people, self.plan[k, L.PLAN_KOL] > 0).items():
                self.money_today[k, item] += amount

    def count_stages(self) -> np.ndarray:
        """Consumers in each stage for each brand: int64 (K, 5)."""
        out = np.zeros((self.k, L.N_STAGES), dtype=np.int64)
        for c in self.consumers:
            for k, tie in enumerate(c.ties):
                out[k, tie.stage] += 1
        return out

    def run_days(self) -> float:
        """Step until the horizon; returns the wall time in seconds."""
        started = time.perf_counter()
        while self.running and self.day < self.days:
            self.step()
        return time.perf_counter() - started
