"""The schedule: strategies that change over time, seasonal demand, and stress events on chosen days.

Runs first each day, before the brands plan. Everything is worked out once at set-up (:func:`build`)
into three look-ups by day, so a day costs three dict look-ups when nothing is scheduled that day:

* **Phases** (``brands[].strategy.phases``): from day ``from_day`` on, levers of a brand's strategy
  take new values; phases accumulate in order. At set-up each distinct combination of phases in
  force is packed once with :func:`sim.model.params.pack` on the derived scenario (the strategies in
  force); on a change day the model's ``packed`` parameters are swapped for that day's. Every
  component reads ``model.packed`` when it runs, so the change reaches every mechanism at once.
* **Seasonal calendar** (``market.calendar``): inside a window of the year (day of run modulo 365;
  day 0 is 1 January, an assumption), every consumer's purchase rate lambda is multiplied by the
  season's ``demand``: first purchases (lambda x aware_conversion) and repeat purchases alike. It is
  applied to the population's purchase-rate trait on the days a window opens and closes (restored
  bit for bit from a copy taken at set-up), not inside the purchase kernel.
* **Stress events** (``market.stresses``), at the start of their day:

  - ``breach``: a data breach of the brand with the regime's consequences times ``size``: fine x
    size, trust shock x size and the exit share x size (each capped at 1; privacy-sensitive members
    leave first), counted in ``breaches``;
  - ``enforcement``: an enforcement order: fine x size and trust shock x size, counted in
    ``enforcements``;
  - ``channel_ban``: a wave of LINE blocks or WeChat group bans: each member of the brand's pool on
    the tool (``tool``; any tool when unset) leaves the pool with probability ``size`` (whatever
    their privacy sensitivity: the platform, not the member, decides), counted in
    ``channel_ban_exits``;
  - ``ad_price``: every CPM of the public auction x (1 + size) from the day on, for ``days`` days
    (default: to the horizon), by scaling the packed ``cpm_base``.

  :func:`apply_breach` and :func:`apply_enforcement` apply a breach or an enforcement order to one
  brand on one day, reusing :func:`sim.model.mechanisms.compliance.shock_kernel`; they draw with keys
  of their own (day offsets of the compliance stream), so a stress never shifts another draw's luck
  and a stressed run and its unstressed twin share every other random number.

With no phase, no season and no stress, :func:`build` returns ``None`` and the step does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from sim.model import layout as L
from sim.model import rng
from sim.model.component import RunState, Slots
from sim.model.kernel import kernel
from sim.model.mechanisms.compliance import ENFORCEMENT_SHOCK_DAYS, breach_cost, shock_kernel
from sim.model.params import Packed, pack
from sim.model.rng import uniform
from sim.model.state import log_event, move, set_flag
from sim.scenario.schema import YEAR_DAYS, Scenario

if TYPE_CHECKING:
    from sim.model.market import MarketModel

NAME = "schedule"
PARAMS: dict = {}  # reads the other components' packed columns (MP_CPM_BASE, the breach and enforcement constants)
TALLIES = {"T_BAN_EXITS": "channel_ban_exits"}
EVENTS = {"E_BAN_EXIT": "left_after_ban"}
RUN_STATE = {
    "traits_written": RunState((), np.int64, 0, doc="How many times a step has rewritten a trait column (the "
                               "seasonal demand): a reader keeping a bound over a trait measures it again."),
}
#: Day offsets of the stresses' keys in the compliance stream (far from compliance's own 0, 100,000, 200,000).
STRESS_BREACH_DAYS, BAN_DAYS = 300_000, 400_000
SLOTS = (
    Slots(rng.COMPLIANCE, block=1, ranges={"stress_breach_exit": (0, 1)}, day_offset=STRESS_BREACH_DAYS),
    Slots(rng.COMPLIANCE, block=1, ranges={"ban_exit": (0, 1)}, day_offset=BAN_DAYS),
)


# ---- stress consequences on one brand ------------------------------------------------------------
def _shock(model: MarketModel, day: int, b: int, trust_shock: float, exit_share: float, offset: int) -> None:
    cooloff = int(model.packed.bp[b, L.BP_COOLOFF])
    shock_kernel(model.consumers, model.books_of(day), model.journal, day,
                 rng.key(model.seed, rng.COMPLIANCE, day + offset), b, trust_shock, exit_share, cooloff)


def apply_breach(model: MarketModel, day: int, b: int, size: float = 1.0) -> None:
    """A data breach of brand ``b`` on ``day`` with the regime's consequences times ``size`` (0: none)."""
    if size <= 0:
        return
    mp = model.packed.mp
    model.tally[day, b, L.T_BREACHES] += 1.0
    # the same consequences as a breach the hazard draws (compliance.apply_breach), times size: the
    # response cost for the records held, any fine for the breach itself, the trust shock and exits
    records = float(model.tally[day - 1, b, L.T_RECORDS]) * model.rep if day > 0 else 0.0  # (counted later today)
    model.money[day, b, L.C_BREACH] += breach_cost(records, mp.tolist()) * size
    model.money[day, b, L.C_FINES] += float(mp[L.MP_BREACH_FINE]) * size
    _shock(model, day, b, min(1.0, float(mp[L.MP_BREACH_SHOCK]) * size), min(1.0, float(mp[L.MP_BREACH_EXIT]) * size),
           STRESS_BREACH_DAYS)


def apply_enforcement(model: MarketModel, day: int, b: int, size: float = 1.0) -> None:
    """An enforcement order against brand ``b`` on ``day``: the regime's fine and trust shock times ``size``."""
    if size <= 0:
        return
    mp = model.packed.mp
    model.tally[day, b, L.T_ENFORCE] += 1.0
    model.tally[day, b, L.T_ORDERS] += 1.0  # the stress is an order (it skips the ladder's warnings)
    model.money[day, b, L.C_FINES] += float(mp[L.MP_ENFORCE_FINE]) * size
    _shock(model, day, b, min(1.0, float(mp[L.MP_ENFORCE_SHOCK]) * size), 0.0, ENFORCEMENT_SHOCK_DAYS)


@kernel
def ban_kernel(c, books, jr, day, key_day, k, share, cooloff_days):
    """Each member of brand ``k`` leaves the pool with probability ``share`` (a block or ban wave)."""
    stage, pair = c.stage, c.pair
    flows, tally = books.flows, books.tally
    n = stage.shape[0]
    for i in range(n):
        if stage[i, k] != L.MEMBER:
            continue
        if uniform(key_day, i, k) < share:
            move(stage, flows, i, k, L.CUSTOMER)
            set_flag(pair[i, k], L.BIT_CONSENT, False)
            set_flag(pair[i, k], L.BIT_OPTED_OUT, True)
            pair[i, k].cooloff = day + cooloff_days
            tally[k, L.T_BAN_EXITS] += 1.0
            log_event(jr, day, i, k, L.E_BAN_EXIT, 0)


def apply_channel_ban(model: MarketModel, day: int, b: int, share: float) -> None:
    """A share ``share`` of brand ``b``'s members leave its pool on ``day`` (LINE blocks, group bans)."""
    if share <= 0:
        return
    ban_kernel(model.consumers, model.books_of(day), model.journal, day,
               rng.key(model.seed, rng.COMPLIANCE, day + BAN_DAYS), b, min(1.0, share),
               int(model.packed.bp[b, L.BP_COOLOFF]))


SHOCKS: dict[str, Callable[[MarketModel, int, int, float], None]] = {
    "breach": apply_breach, "enforcement": apply_enforcement, "channel_ban": apply_channel_ban}


# ---- the timeline, worked out once --------------------------------------------------------------
@dataclass
class Timeline:
    """What changes on which day of one run.

    Attributes:
        packed_on: Day -> the packed parameters in force from that day.
        demand_on: Day -> the seasonal demand multiplier in force from that day.
        shocks_on: Day -> (apply function, brand index, size) of the stresses striking that day.
        base_lam: The population's purchase rates before any season (restored when a window closes).
    """

    packed_on: dict[int, Packed] = field(default_factory=dict)
    demand_on: dict[int, float] = field(default_factory=dict)
    shocks_on: dict[int, list[tuple[Callable, int, float]]] = field(default_factory=dict)
    base_lam: np.ndarray | None = None

    def set_demand(self, traits: np.ndarray, factor: float) -> None:
        """Write the purchase-rate trait for a demand ``factor`` (exactly the base rates at 1)."""
        if factor == 1.0:
            traits[:, L.LAM] = self.base_lam
        else:
            traits[:, L.LAM] = self.base_lam * np.float32(factor)


def demand_by_day(sc: Scenario) -> np.ndarray:
    """The seasonal demand multiplier of every day of the run (1 outside every window)."""
    out = np.ones(sc.run.days, dtype=np.float64)
    day_of_year = np.arange(sc.run.days) % YEAR_DAYS
    for season in sc.market.calendar:
        out[(day_of_year >= season.start) & (day_of_year <= season.end)] = season.demand
    return out


def ad_price_by_day(sc: Scenario) -> np.ndarray:
    """The ad-price multiplier of every day of the run from ``ad_price`` stresses (1 when none)."""
    out = np.ones(sc.run.days, dtype=np.float64)
    for st in sc.market.stresses:
        if st.kind == "ad_price":
            end = sc.run.days if st.days is None else min(sc.run.days, st.day + st.days)
            out[st.day:end] *= 1.0 + st.size
    return out


def phases_in_force(sc: Scenario, day: int) -> tuple[int, ...]:
    """How many phases of each brand have started by ``day``."""
    return tuple(sum(ph.from_day <= day for ph in b.strategy.phases) for b in sc.brands)


def derived_scenario(sc: Scenario, day: int) -> Scenario:
    """The scenario with each brand's strategy replaced by the strategy in force on ``day``."""
    brands = [b.model_copy(update={"strategy": b.strategy.in_force(day)}) for b in sc.brands]
    return sc.model_copy(update={"brands": brands})


def build(model: MarketModel) -> Timeline | None:
    """Work out the run's timeline (``None`` when nothing is scheduled: the step then does nothing)."""
    sc = model.spec
    has_phases = any(b.strategy.phases for b in sc.brands)
    if not (has_phases or sc.market.calendar or sc.market.stresses):
        return None
    t = Timeline()
    # phases and ad prices: one packed set per distinct (phases in force, ad-price factor)
    ad = ad_price_by_day(sc)
    changes = sorted({ph.from_day for b in sc.brands for ph in b.strategy.phases}
                     | {0} | {d for d in range(1, sc.run.days) if ad[d] != ad[d - 1]})
    cache: dict[tuple, Packed] = {}
    previous: tuple = (phases_in_force(sc, 0), 1.0)
    for day in changes:
        state = (phases_in_force(sc, day), float(ad[day]))
        if state == previous:
            continue
        previous = state
        if state not in cache:
            counts, factor = state
            packed = model.packed if not any(counts) else pack(derived_scenario(sc, day))
            if factor != 1.0:
                mp = packed.mp.copy()
                mp[L.MP_CPM_BASE] *= factor
                packed = replace(packed, mp=mp)
            cache[state] = packed
        t.packed_on[day] = cache[state]
    # the calendar
    if sc.market.calendar:
        demand = demand_by_day(sc)
        before = 1.0
        for day in range(sc.run.days):
            if demand[day] != before:
                t.demand_on[day] = float(demand[day])
                before = demand[day]
        t.base_lam = model.pop.traits[:, L.LAM].copy()
    # stresses on one brand
    names = [b.name for b in sc.brands]
    for st in sc.market.stresses:
        if st.kind == "ad_price":
            continue
        for b in range(model.k):
            if st.brand is not None and names[b] != st.brand:
                continue
            if st.kind == "channel_ban" and st.tool is not None and model.packed.tools[b] != st.tool:
                continue
            t.shocks_on.setdefault(st.day, []).append((SHOCKS[st.kind], b, float(st.size)))
    return t


def step(model: MarketModel, day: int) -> None:
    """Swap in today's parameters, seasonal demand and stresses, when any is scheduled today."""
    t = model.timeline
    if t is None:
        return
    packed = t.packed_on.get(day)
    if packed is not None:
        model.packed = packed
    factor = t.demand_on.get(day)
    if factor is not None:
        t.set_demand(model.pop.traits, factor)
        model.run_state.traits_written[()] += 1
    for apply, b, size in t.shocks_on.get(day, ()):
        apply(model, day, b, size)
