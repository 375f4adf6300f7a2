"""The market model: a Mesa model shell around array-based consumers and numba mechanisms.

One step is one day. The day runs in a fixed, documented order::

    brands plan the day  ->  ad auction  ->  acquisition  ->  purchase (+ interception)
    ->  membership  ->  messaging  ->  referral  ->  compliance  ->  books closed

Mesa owns the seed, the step counter and the brand agents; consumers live in
:class:`~sim.model.population.Population` arrays. Every draw is counter-based (``sim.model.rng``),
so a run is reproducible on any executor and two scenarios with the same seed share their luck.
With ``validating=True`` the conservation checks of :meth:`MarketModel.check_invariants` run after
every day (tests only: they cost a pass over the arrays).
"""

from __future__ import annotations

import time
from collections import defaultdict

import mesa
import numpy as np

from sim.model import layout as L
from sim.model import rng
from sim.model.brand import Brand
from sim.model.mechanisms import compliance
from sim.model.mechanisms.acquisition import acquisition_kernel, ad_awareness_probability, cpm
from sim.model.mechanisms.compliance import shock_kernel
from sim.model.mechanisms.membership import membership_kernel
from sim.model.mechanisms.messaging import messaging_kernel
from sim.model.mechanisms.purchase import purchase_kernel
from sim.model.mechanisms.referral import referral_kernel
from sim.model.params import pack
from sim.model.population import Population
from sim.model.state import empty_events, join_pool
from sim.scenario.schema import Scenario

#: The daily order of mechanisms, as timed and reported.
DAILY_ORDER = ("plan", "auction", "acquisition", "purchase", "membership", "messaging", "referral",
               "compliance", "books")
EVENTS_PER_TRACKED_DAY = 3


def first_in_order(values: np.ndarray, count: int) -> np.ndarray:
    """``np.argsort(values, kind="stable")[:count]`` without sorting everything (10M values: 0.2 s, not 1.7 s).

    Only the ids that can be among the first ``count`` (value at most the ``count``-th smallest) are
    sorted, stably and in id order, so ties are broken exactly as the full stable sort breaks them.
    """
    if count >= values.size:
        return np.argsort(values, kind="stable")
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    cut = np.partition(values, count - 1)[count - 1]
    candidates = np.flatnonzero(values <= cut)
    return candidates[np.argsort(values[candidates], kind="stable")][:count]


class InvariantError(AssertionError):
    """A conservation law of the model was broken (a bug, never a user error)."""


class MarketModel(mesa.Model):
    """Consumers flowing between public platforms, partners' pools and brands' private pools."""

    def __init__(self, scenario: Scenario, *, validating: bool = False) -> None:
        super().__init__(rng=scenario.run.seed)
        self.spec = scenario
        self.validating = validating
        run = scenario.run
        self.seed = run.seed
        self.n = run.population
        self.days = run.days
        self.day = 0
        market = scenario.market
        self.k = len(scenario.brands)
        self.packed = pack(scenario)
        self.rep = market.represents
        self.people = self.n * self.rep
        self.pop = Population(market, self.n, self.k, self.seed)
        self.seg_people = np.bincount(self.pop.segment, minlength=len(market.segments)).astype(float) * self.rep
        self.brands = [Brand(self, k, spec, self.packed.tools[k]) for k, spec in enumerate(scenario.brands)]
        self.plan = np.zeros((self.k, L.N_PLAN), dtype=np.float64)
        self.ad_p = np.zeros((self.k, len(market.segments)), dtype=np.float64)
        self.partner_p = np.zeros_like(self.packed.partner_expo)
        # results, allocated once for every day
        self.money = np.zeros((self.days, self.k, L.N_MONEY), dtype=np.float64)
        self.tally = np.zeros((self.days, self.k, L.N_TALLY), dtype=np.float64)
        self.flows = np.zeros((self.days, self.k, L.N_STAGES, L.N_STAGES), dtype=np.int64)
        self.census = np.zeros((self.days + 1, self.k, L.N_STAGES), dtype=np.int64)
        # successful referrals credited to the day the referrer joined (day 0 for seed members)
        self.cohort_referrals = np.zeros((self.days, self.k), dtype=np.float64)
        self.timings: dict[str, float] = defaultdict(float)
        self.net_key = rng.key(self.seed, rng.NETWORK)
        self.partner_key = rng.key(self.seed, rng.PARTNERS)
        self.birthday_key = rng.key(self.seed, rng.MEMBERSHIP)
        self._choose_journeys(run.journeys)
        self.ev, self.ev_n = empty_events(max(1024, run.journeys * self.k * run.days * EVENTS_PER_TRACKED_DAY))
        self._seed_members()
        self.census[0] = self.pop.census()

    # ---- set-up ---------------------------------------------------------------------------------
    def _choose_journeys(self, count: int) -> None:
        count = min(count, self.n)
        if count:
            order = first_in_order(rng.uniforms(rng.key(self.seed, rng.JOURNEYS), self.n, 0), count)
            self.pop.tracked[order] = 1

    def _seed_members(self) -> None:
        p, pk = self.pop, self.packed
        most = max((brand.seed_members for brand in self.spec.brands), default=0)
        order = first_in_order(rng.uniforms(rng.key(self.seed, rng.SEEDING), self.n, 0), most)
        scratch_flows = np.zeros((self.k, L.N_STAGES, L.N_STAGES), dtype=np.int64)
        scratch_tally = np.zeros(L.N_TALLY)
        trust0 = pk.mp[L.MP_TRUST0]
        for b, brand in enumerate(self.spec.brands):
            for i in order[: brand.seed_members]:
                i = int(i)
                p.stage[i, b] = L.AWARE
                join_pool(i, b, 0, L.SRC_SEED, trust0, -1, 0.0, 1.0, p.stage, scratch_flows, p.fs, p.ist,
                          p.u8, p.traits, pk.mp, pk.bp, scratch_tally, self.ev, self.ev_n, p.tracked)
                p.ist[i, b, L.JOINED] = -1  # members since before day 0: they share from day 0

    # ---- the day ----------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance the market by one day."""
        d = self.day
        p, pk = self.pop, self.packed
        money, tally, flows = self.money[d], self.tally[d], self.flows[d]
        clock = time.perf_counter

        t0 = clock()
        self.agents.do("plan_day")
        t1 = clock()
        self._auction(d)
        t2 = clock()
        acquisition_kernel(d, p.stage, p.fs, p.ist, p.u8, p.traits, p.segment, p.tracked, pk.mp, pk.bp,
                           self.plan, self.ad_p, pk.partner_share, pk.partner_trust, self.partner_p,
                           pk.partner_join, pk.partner_fee, rng.key(self.seed, rng.ACQUISITION, d),
                           self.partner_key, flows, money, tally, self.ev, self.ev_n)
        t3 = clock()
        purchase_kernel(d, p.stage, p.fs, p.ist, p.u8, p.traits, p.fatigue, p.tracked, pk.mp, pk.bp,
                        pk.tiers, rng.key(self.seed, rng.PURCHASE, d), self.birthday_key, flows, money,
                        tally, self.ev, self.ev_n)
        t4 = clock()
        membership_kernel(d, p.stage, p.u8, pk.bp, pk.mp, self.birthday_key, money, tally,
                          self.ev, self.ev_n, p.tracked)
        t5 = clock()
        messaging_kernel(d, p.stage, p.fs, p.ist, p.u8, p.traits, p.segment, p.fatigue, p.tracked, pk.mp,
                         pk.bp, pk.tiers, self.plan, pk.seg_ok, rng.key(self.seed, rng.MESSAGING, d), flows,
                         money, tally, self.ev, self.ev_n)
        t6 = clock()
        referral_kernel(d, p.stage, p.fs, p.ist, p.u8, p.traits, p.fatigue, p.tracked, pk.mp, pk.bp,
                        self.net_key, rng.key(self.seed, rng.REFERRAL, d), flows, money, tally,
                        self.ev, self.ev_n, self.cohort_referrals)
        t7 = clock()
        self._compliance(d)
        t8 = clock()
        self._close_books(d)
        t9 = clock()
        for name, a, b in zip(DAILY_ORDER, (t0, t1, t2, t3, t4, t5, t6, t7, t8), (t1, t2, t3, t4, t5, t6, t7, t8, t9)):
            self.timings[name] += b - a
        if self.validating:
            self.check_invariants(d)
        self.day += 1
        if self.day >= self.days:
            self.running = False

    def _auction(self, d: int) -> None:
        plat = self.spec.market.platforms
        budgets = self.plan[:, L.PLAN_AD_BUDGET]
        competitors = plat.competitor_demand * (1.0 + plat.competitor_growth) ** (d / 365.0)
        price = cpm(budgets.sum() + competitors, plat.cpm_base, plat.demand_ref, plat.elasticity)
        for k in range(self.k):
            self.ad_p[k] = ad_awareness_probability(budgets[k], price, self.packed.target[k], self.seg_people,
                                                    plat.ad_effectiveness)
            self.tally[d, k, L.T_CPM] = price
            self.tally[d, k, L.T_IMPRESSIONS] = budgets[k] / price * 1000.0
        self.partner_p[:] = self.packed.partner_expo

    def _compliance(self, d: int) -> None:
        reg = self.spec.market.regime
        p = self.pop
        key = rng.key(self.seed, rng.COMPLIANCE, d)
        for b, brand in enumerate(self.brands):
            complaints = self.tally[d, b, L.T_VIOL_COMPLAINTS] * self.rep
            if complaints > 0 and rng.uniform_py(key, b, 0) < compliance.enforcement_probability(
                    complaints, reg.enforcement_per_violation_complaint):
                self.tally[d, b, L.T_ENFORCE] += 1
                self.money[d, b, L.C_FINES] += reg.fine_per_enforcement
                shock_kernel(d, b, reg.enforcement_trust_shock, 0.0, brand.strategy.interception.cooloff_days,
                             p.stage, p.fs, p.ist, p.u8, p.traits, rng.key(self.seed, rng.COMPLIANCE, d + 100_000),
                             self.flows[d], self.tally[d], self.ev, self.ev_n, p.tracked)
            records = self.tally[d, b, L.T_RECORDS] * self.rep
            pb = compliance.breach_probability(records, reg.breach.rate_per_million_records_year,
                                               brand.strategy.compliance.security_per_day, reg.breach.security_halving)
            if pb > 0 and rng.uniform_py(key, b, 1) < pb:
                self.tally[d, b, L.T_BREACHES] += 1
                self.money[d, b, L.C_FINES] += reg.breach.fine
                shock_kernel(d, b, reg.breach.trust_shock, reg.breach.optout_share,
                             brand.strategy.interception.cooloff_days, p.stage, p.fs, p.ist, p.u8, p.traits,
                             rng.key(self.seed, rng.COMPLIANCE, d + 200_000), self.flows[d], self.tally[d],
                             self.ev, self.ev_n, p.tracked)

    def _close_books(self, d: int) -> None:
        f = self.flows[d]
        self.census[d + 1] = self.census[d] + f.sum(axis=1) - f.sum(axis=2)
        for b, brand in enumerate(self.brands):
            members = self.census[d + 1, b, L.MEMBER] * self.rep
            kol_today = self.plan[b, L.PLAN_KOL] > 0
            for item, amount in brand.fixed_costs(members, kol_today).items():
                self.money[d, b, item] += amount

    # ---- checks -----------------------------------------------------------------------------------
    def check_invariants(self, d: int) -> None:
        """Conservation laws after day ``d``; raises :class:`InvariantError` when one fails."""
        counted = self.pop.census()
        if not np.array_equal(counted, self.census[d + 1]):
            raise InvariantError(f"day {d}: stage census from flows {self.census[d + 1].tolist()} "
                                 f"!= counted {counted.tolist()}")
        if not np.all(counted.sum(axis=1) == self.n):
            raise InvariantError(f"day {d}: consumers per brand {counted.sum(axis=1)} != {self.n}")
        p = self.pop
        members = p.stage == L.MEMBER
        if np.any(p.u8[..., L.CONSENT][~members]):
            raise InvariantError(f"day {d}: a non-member holds marketing consent")
        if not (np.all(p.fs[..., L.TRUST] >= 0) and np.all(p.fs[..., L.TRUST] <= 1.0 + 1e-6)):
            raise InvariantError(f"day {d}: trust outside [0, 1]")
        if not np.all(np.isfinite(self.money[d])) or not np.all(np.isfinite(p.fatigue)):
            raise InvariantError(f"day {d}: non-finite money or fatigue")
        if np.any(self.money[d] < 0):
            raise InvariantError(f"day {d}: negative ledger item {self.money[d].min()}")

    # ---- running ----------------------------------------------------------------------------------
    def run_days(self, progress=None) -> float:
        """Step until the horizon; returns the wall time in seconds.

        Args:
            progress: Optional callable ``progress(days_done, days_total)`` called every 30 days.
        """
        started = time.perf_counter()
        while self.running and self.day < self.days:
            self.step()
            if progress is not None and (self.day % 30 == 0 or self.day == self.days):
                progress(self.day, self.days)
        return time.perf_counter() - started

    def final_state(self) -> dict[str, np.ndarray]:
        """End-of-run per-consumer facts the results layer needs (K-factor, spend, sources)."""
        p = self.pop
        return {
            "stage": p.stage.copy(),
            "referrer": p.ist[:, :, L.REFERRER].copy(),
            "joined": p.ist[:, :, L.JOINED].copy(),
            "spend_public": p.fs[:, :, L.SPEND_PUB].copy(),
            "spend_private": p.fs[:, :, L.SPEND_PRIV].copy(),
            "segment": p.segment.copy(),
        }
