"""The market model: a Mesa model shell around array-based consumers and numba mechanism components.

One step is one day, and the day is a list (:data:`sim.model.components.DAILY`)::

    plan  ->  auction  ->  acquisition  ->  purchase (+ interception)  ->  membership
    ->  messaging  ->  referral  ->  compliance  ->  books

Each component declares its parameters, state, tallies, ledger items, events and random-number
slots and has a ``step(model, day)`` (:mod:`sim.model.component`); the model runs the list in order and
times each step by the component's name (``model.timings``). Mesa owns the seed, the step counter
and the brand agents; consumers live in :class:`~sim.model.population.Population` arrays. Every draw
is counter-based (``sim.model.rng``), so a run is reproducible on any executor and two scenarios with
the same seed share their luck. With ``validating=True`` the conservation checks of
:meth:`MarketModel.check_invariants` run after every day (tests only: they cost a pass over the arrays).
"""

from __future__ import annotations

import time
from types import ModuleType

import mesa
import numpy as np

from sim.model import layout as L
from sim.model import rng, state
from sim.model.brand import Brand
from sim.model.component import RunStates
from sim.model.components import DAILY
from sim.model.mechanisms import schedule
from sim.model.params import pack
from sim.model.population import Journal, Population
from sim.model.state import Books, empty_events, empty_joins, join_pool, settle_all_fatigue
from sim.scenario.schema import Scenario

#: The daily order of components, as timed and reported.
DAILY_ORDER = tuple(c.NAME for c in DAILY)
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


#: Consumers whose draws :func:`first_drawn` holds at once (2 MiB of float64): set-up never holds a
#: float64 per consumer, which at ten million consumers was the run's peak memory (+0.13 GiB).
DRAW_CHUNK = 1 << 18


def first_drawn(k: np.uint64, n: int, slot: int, count: int, chunk: int = DRAW_CHUNK) -> np.ndarray:
    """The ``count`` consumers with the smallest uniform draws (key ``k``, ``slot``), smallest first.

    The same ids, in the same order, as ``first_in_order(rng.uniforms(k, n, slot), count)`` (ties by id,
    as a stable sort), but drawn ``chunk`` consumers at a time: each chunk's own first ``count`` are
    merged with the best so far, so memory is ``chunk + 2 * count`` draws, not ``n``.
    """
    count = min(count, n)
    if count <= 0:
        return np.empty(0, dtype=np.int64)
    best_u, best_id = np.empty(0, dtype=np.float64), np.empty(0, dtype=np.int64)
    for lo in range(0, n, chunk):
        u = rng.uniforms(k, min(chunk, n - lo), slot, lo)
        keep = first_in_order(u, count)
        merged_u = np.concatenate((best_u, u[keep]))
        merged_id = np.concatenate((best_id, keep + lo))
        order = np.lexsort((merged_id, merged_u))[:count]  # by draw, ties by id: the stable sort's order
        best_u, best_id = merged_u[order], merged_id[order]
    return best_id


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
        self.seg_people = self.pop.segment_sizes(len(market.segments)).astype(float) * self.rep
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
        #: The day, in order: every component's ``step(model, day)``.
        self.components: tuple[ModuleType, ...] = DAILY
        #: Seconds spent in each component's step so far, by position in :attr:`components` (see :attr:`timings`).
        self.elapsed = [0.0] * len(self.components)
        #: The run's random-number keys, derived once per stream for every day (``keys.day(stream, day)``).
        self.keys = rng.Keys(self.seed, self.days)
        self._choose_journeys(run.journeys)
        self.ev, self.ev_n = empty_events(max(1024, run.journeys * self.k * run.days * EVENTS_PER_TRACKED_DAY))
        #: What kernels take, built once: the consumers' arrays and the journey log (named tuples of the
        #: same arrays), and today's books (:meth:`books_of`, set at the start of each day).
        self.consumers = self.pop.consumers()
        self.journal = Journal(self.ev, self.ev_n, self.pop.tracked, *empty_joins(self.n))
        self.books = self.books_of(0)
        #: Every run-level state the components declare (``RUN_STATE``), created here once, at its initial value.
        self.run_state = RunStates(L.RUN_STATE, self.k, lambda const: float(self.packed.mp[getattr(L, const)]))
        self._seed_members()
        self.census[0] = self.pop.census()
        #: Phases, seasons and stresses by day (``None``: nothing scheduled; :mod:`sim.model.mechanisms.schedule`).
        self.timeline = schedule.build(self)

    # ---- set-up ---------------------------------------------------------------------------------
    def _choose_journeys(self, count: int) -> None:
        count = min(count, self.n)
        if count:
            order = first_drawn(rng.key(self.seed, rng.JOURNEYS), self.n, state.JOURNEY_SLOTS.first("tracking_order"),
                                count)
            self.pop.track(order)

    def _seed_members(self) -> None:
        p, pk = self.pop, self.packed
        most = max((brand.seed_members for brand in self.spec.brands), default=0)
        order = first_drawn(rng.key(self.seed, rng.SEEDING), self.n, state.SEEDING_SLOTS.first("seed_order"), most)
        scratch = Books(np.zeros((self.k, L.N_STAGES, L.N_STAGES), dtype=np.int64),
                        np.zeros((self.k, L.N_MONEY)), np.zeros((self.k, L.N_TALLY)))
        trust0 = pk.mp[L.MP_TRUST0]
        for b, brand in enumerate(self.spec.brands):
            for i in order[: brand.seed_members]:
                i = int(i)
                p.stage[i, b] = L.AWARE
                join_pool(self.consumers, pk.params, scratch, self.journal, i, b, 0, L.SRC_SEED, trust0, -1, 0.0, 1.0)
                p.pair[L.JOINED][i, b] = -1  # members since before day 0: they share from day 0

    @property
    def fatigue_days(self) -> float:
        """The fatigue time constant T (days) in force (messaging's run state): fatigue decays lazily with it."""
        return float(self.run_state.fatigue_days)

    # ---- the day ----------------------------------------------------------------------------------
    def books_of(self, day: int) -> Books:
        """Day ``day``'s rows of the flows, ledger and tallies, as the named tuple kernels write (views)."""
        return Books(self.flows[day], self.money[day], self.tally[day])

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent in each component's step so far, by component name, in the day's order."""
        out: dict[str, float] = {}
        for component, seconds in zip(self.components, self.elapsed, strict=True):
            out[component.NAME] = out.get(component.NAME, 0.0) + seconds
        return out

    def step(self) -> None:
        """Advance the market by one day (through Mesa's scheduler, which counts the step)."""
        self.run_day()

    def run_day(self) -> None:
        """Run one day: every component in order, timing each; the last day settles fatigue."""
        day = self.day
        self.books = self.books_of(day)
        clock = time.perf_counter
        elapsed = self.elapsed
        for j, component in enumerate(self.components):
            started = clock()
            component.step(self, day)
            elapsed[j] += clock() - started
        if self.validating:
            self.check_invariants(day)
        self.day += 1
        if self.day >= self.days:
            self.running = False
            # fatigue decays lazily: bring everyone's up to the last day, as a daily pass would have left it
            settle_all_fatigue(self.pop.fatigue, self.pop.fatigue_day, day, self.fatigue_days)

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
        pair = p.pair
        if np.any(p.column(L.CONSENT)[~members]):
            raise InvariantError(f"day {d}: a non-member holds marketing consent")
        if not (np.all(pair[L.TRUST] >= 0) and np.all(pair[L.TRUST] <= 1.0 + 1e-6)):
            raise InvariantError(f"day {d}: trust outside [0, 1]")
        if not np.all(np.isfinite(self.money[d])) or not np.all(np.isfinite(p.fatigue)):
            raise InvariantError(f"day {d}: non-finite money or fatigue")
        if np.any(self.money[d] < 0):
            raise InvariantError(f"day {d}: negative ledger item {self.money[d].min()}")
        if np.any(self.tally[d] < 0) or not np.all(np.isfinite(self.tally[d])):
            raise InvariantError(f"day {d}: a negative or non-finite tally")
        if np.any(pair[L.SOURCE][members] == L.SRC_NONE):
            raise InvariantError(f"day {d}: a member with no join source")
        if np.any(pair[L.POINTS] < 0):
            raise InvariantError(f"day {d}: a negative points balance")
        lapsed = p.stage == L.LAPSED  # a lapse forfeits points and ends paid membership and tier
        kept = pair[L.POINTS][lapsed].any() or p.column(L.PAID)[lapsed].any() or pair[L.TIER][lapsed].any()
        if kept:
            raise InvariantError(f"day {d}: a lapsed consumer keeps points, a tier or a paid membership")
        if np.any(pair[L.LAST_BUY] > d) or np.any(pair[L.JOINED] > d):
            raise InvariantError(f"day {d}: a purchase or a join dated after today")

    # ---- running ----------------------------------------------------------------------------------
    def run_days(self, progress=None) -> float:
        """Run every day until the horizon; returns the wall time in seconds.

        Days are run directly (:meth:`run_day`), not through Mesa's event scheduler behind :meth:`step`,
        which costs about 20 us a day in event bookkeeping (a tenth of a small run); Mesa's step counter
        (``steps``) is advanced as its scheduler would, its event clock (``time``) is not (nothing is
        scheduled on it).

        Args:
            progress: Optional callable ``progress(days_done, days_total)`` called every 30 days.
        """
        started = time.perf_counter()
        while self.running and self.day < self.days:
            self.run_day()
            self.steps += 1
            if progress is not None and (self.day % 30 == 0 or self.day == self.days):
                progress(self.day, self.days)
        return time.perf_counter() - started

    def final_state(self) -> dict[str, np.ndarray]:
        """End-of-run per-consumer facts the results layer needs (K-factor, spend, sources)."""
        p = self.pop
        return {
            "stage": p.stage.copy(),
            "referrer": p.pair[L.REFERRER].copy(),
            "joined": p.pair[L.JOINED].astype(np.int32),  # stored in 16 bits (component.DAY); wider for analysis
            "spend_public": p.pair[L.SPEND_PUB].copy(),
            "spend_private": p.pair[L.SPEND_PRIV].copy(),
            "segment": p.segment.copy(),
            "source": p.pair[L.SOURCE].copy(),
        }
