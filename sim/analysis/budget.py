"""Budget planner: a total acquisition budget over the horizon split across channels, under constraints.

The channels and what buys what (daily rates, constant over the run or, with ``phases``, over each
period of the run: the budget is then split across channels AND periods, e.g. year 1 against later):

* **ads** - ``acquisition.ad_budget_per_day`` (spent every day);
* **content** - ``acquisition.organic.cost_per_day``, with the content's reach scaled in proportion to
  its cost at the base scenario's price per unit of reach (assumption: constant returns);
* **KOL** - the campaign fee per day of the cycle (``kol.fee / kol.every_days``), with the campaign's
  reach scaled in proportion at the base scenario's fee per follower (assumption: constant returns);
  offered only when the base scenario prices both (a fee and a reach);
* **hooks** - ``interception.hook_value`` per accepted invitation (spend follows acceptances);
* **referral rewards** - ``referral.referrer_reward`` and ``referee_reward`` per join (set equal).

The planner (:func:`plan_budget`) maximises mean profit over ``reps`` common seeds with SciPy's
differential evolution, subject to the realised acquisition spend over the horizon (every ledger item
of ``sim.results.kpis.ACQUISITION_SPEND``: ads, content, KOL, partners, hooks, invitations, referral
rewards) staying within the budget, and to any KPI constraints (complaints, fines, payback month,
minimum trust), all on Monte Carlo means, feasibility first. The chosen plan is then re-evaluated on
fresh seeds never used in the search; both figures are reported (the in-sample one is optimistic).

Over time: ``phases=(365,)`` cuts the run into periods (days 0-364, 365-horizon); each channel gets
one value per period, the first period's on the strategy itself and each later one as a strategy
phase from its first day (:class:`~sim.scenario.schema.Phase`, run by the model's schedule), so
"acquire in year 1, nurture later" is a plan the search can find. A daily channel may spend, in one
period, up to the whole budget spread over that period's days; the budget constraint is on the realised
total over the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import spawn_seeds
from sim.analysis.optimise import Constraint, parse_constraint
from sim.analysis.paths import apply_values, apply_values_doc, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.errors import Problem, SimInputError
from sim.results.kpis import ACQUISITION_SPEND
from sim.scenario.schema import MAX_MONEY, Scenario

__all__ = ["CHANNELS", "BudgetPlan", "plan_budget", "run_budget_kpis"]

#: Channels the planner can fund.
CHANNELS = ("ads", "content", "kol", "hooks", "referral_rewards")
_INFEASIBLE = 1e30
#: Most runs one plan may use.
MAX_RUNS = 20_000


def run_budget_kpis(scenario: Any, seed: int, day: int | None = None) -> pd.DataFrame:
    """Run once; the first brand's KPIs at ``day`` plus ``acquisition_spend`` (every acquisition ledger item)."""
    from sim.analysis.executors import _scenario
    from sim.api import run

    res = run(_scenario(scenario, seed))
    b = res.scenario.brands[0].name
    d = res.brand_daily(b)
    last = int(d["day"].max())
    upto = last if day is None else min(int(day), last)
    k = res.kpis(upto).loc[[b]].reset_index()
    k.insert(0, "seed", int(seed))
    k["acquisition_spend"] = float(d.loc[d["day"] <= upto, list(ACQUISITION_SPEND)].to_numpy().sum())
    return k


def check_periods(phases: Sequence[int], days: int) -> list[tuple[int, int]]:
    """Periods ``(first day, last day + 1)`` cut at the 0-based days ``phases``; refuses bad cuts."""
    cuts = [int(d) for d in phases]
    for j, d in enumerate(cuts):
        if isinstance(phases[j], bool) or not 1 <= d < days:
            raise SimInputError.single("--phase", "", f"must be a day from 2 to {days} (counted from 1) "
                                       "inside the run", d + 1)
        if j and d <= cuts[j - 1]:
            raise SimInputError.single("--phase", "", f"must be after the previous cut (day {cuts[j - 1] + 1}); "
                                       "expected increasing days", d + 1)
    starts = [0, *cuts]
    return list(zip(starts, [*cuts, days], strict=True))


def _nested(settings: dict[str, Any], prefix: str = "brands.0.strategy.") -> dict[str, Any]:
    """Full-path settings of the first brand's strategy as a nested partial strategy (a phase's ``set``)."""
    out: dict[str, Any] = {}
    for path, value in settings.items():
        node = out
        *parents, leaf = path.removeprefix(prefix).split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out


def _period_doc(base: dict[str, Any], sc: Scenario, chans: Sequence[str], x: Sequence[float], days: int,
                periods: list[tuple[int, int]]) -> dict[str, Any]:
    """The scenario document for decision vector ``x`` (channel values of period 0, then of each later period)."""
    n = len(chans)
    doc = apply_values_doc(base, _channel_settings(sc, chans, x[:n], days))
    if len(periods) > 1:
        doc["brands"][0]["strategy"]["phases"] = [
            {"from_day": start, "name": f"budget period {j + 1}",
             "set": _nested(_channel_settings(sc, chans, x[j * n:(j + 1) * n], days))}
            for j, (start, _end) in enumerate(periods) if j]
    return doc


def _channel_settings(sc: Scenario, channels: Sequence[str], x: Sequence[float], days: int) -> dict[str, Any]:
    """Scenario values (full paths) for daily spends / unit values ``x`` of each channel."""
    s = sc.brands[0].strategy
    p = "brands.0.strategy"
    out: dict[str, Any] = {}
    for ch, v in zip(channels, x, strict=True):
        v = max(0.0, float(v))
        if ch == "ads":
            out[f"{p}.acquisition.ad_budget_per_day"] = v
        elif ch == "content":
            o = s.acquisition.organic
            out[f"{p}.acquisition.organic.cost_per_day"] = v
            out[f"{p}.acquisition.organic.reach_per_day"] = min(1.0, o.reach_per_day * v / o.cost_per_day)
        elif ch == "kol":
            k = s.acquisition.kol
            fee = v * k.every_days
            out[f"{p}.acquisition.kol.fee"] = fee
            out[f"{p}.acquisition.kol.reach"] = k.reach * fee / k.fee
        elif ch == "hooks":
            out[f"{p}.interception.hook_value"] = v
        elif ch == "referral_rewards":
            out[f"{p}.referral.referrer_reward"] = v
            out[f"{p}.referral.referee_reward"] = v
    return out


@dataclass
class BudgetPlan:
    """A planned split of an acquisition budget, with in-sample and fresh-seed figures.

    Attributes:
        scenario: The base scenario.
        plan_scenario: The base scenario with the plan's channel values set (runnable).
        budget: The total acquisition budget over the horizon.
        channels: Channels planned.
        plan: Channel -> the planned value (daily spend; per-unit value for hooks and referral rewards); with
            periods, the first period's.
        periods: ``(first day, last day + 1)`` of each period (one period without ``phases``).
        by_period: One ``{channel: value}`` per period.
        feasible: Whether a plan meeting the budget and every constraint was found in the search.
        in_sample: Means over the search seeds: profit, acquisition spend, constraint KPIs.
        fresh: Means, sd and 95% t intervals over fresh seeds (``kpi, mean, sd, ci_low, ci_high, n``).
        spend_by_channel: Realised spend by ledger item over the fresh seeds (mean).
        history: Every candidate evaluated.
    """

    scenario: Scenario
    plan_scenario: Scenario
    budget: float
    channels: list[str]
    plan: dict[str, float]
    feasible: bool
    in_sample: dict[str, float]
    fresh: pd.DataFrame
    constraints: list[Constraint]
    history: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    periods: list[tuple[int, int]] = field(default_factory=list)
    by_period: list[dict[str, float]] = field(default_factory=list)

    @property
    def currency(self) -> str:
        """The market's currency."""
        return self.scenario.market.currency

    def table(self) -> pd.DataFrame:
        """The plan as rows.

        Columns: ``period`` (1-based first and last day), ``channel``, ``value``, ``unit`` and
        ``planned_spend`` (a daily channel's value times the period's days; per-join channels: blank).
        """
        rows = []
        for (start, end), values in zip(self.periods, self.by_period, strict=True):
            for ch, v in values.items():
                daily = ch in ("ads", "content", "kol")
                rows.append({"period": f"{start + 1}-{end}", "channel": ch, "value": v,
                             "unit": "per day" if daily else "per join",
                             "planned_spend": v * (end - start) if daily else math.nan})
        return pd.DataFrame(rows)

    def fresh_holds(self) -> dict[str, bool]:
        """Whether the budget and each constraint hold on the fresh-seed means."""
        f = self.fresh.set_index("kpi")["mean"]
        out = {"budget": bool(f["acquisition_spend"] <= self.budget * (1 + 1e-9))}
        for c in self.constraints:
            out[c.text or c.kpi] = c.holds(float(f[c.kpi]))
        return out


def plan_budget(
    scenario: str | Path | dict | Scenario,
    budget: float,
    *,
    channels: Sequence[str] = ("ads", "content", "kol", "hooks", "referral_rewards"),
    constraints: Sequence[str | Constraint] = (),
    max_unit_value: float | None = None,
    reps: int = 3,
    validation_reps: int = 10,
    maxiter: int = 10,
    popsize: int = 6,
    optimiser_seed: int = 0,
    phases: Sequence[int] = (),
    execution: Execution | None = None,
) -> BudgetPlan:
    """Split a total acquisition budget across channels to maximise profit under constraints.

    Args:
        scenario: The base scenario (its first brand is planned).
        budget: Total acquisition budget over the horizon (currency of the market).
        channels: Channels to fund (:data:`CHANNELS`); channels the base scenario cannot price are refused.
        constraints: ``"complaints<=50"``, ``"fines<=0"``, ``"payback_month<=18"``, ``"mean_trust>=0.5"`` ...
        max_unit_value: Upper bound of a hook or referral reward per join (default: 3x the base value, at
            least 1% of the budget per day).
        reps: Common seeds per candidate in the search.
        validation_reps: Fresh seeds for re-evaluating the plan.
        maxiter: Differential-evolution generations.
        popsize: Population multiplier.
        optimiser_seed: Seed of the optimiser.
        phases: 0-based first days of the later periods (e.g. ``(365,)``: year 1 and the rest); each
            channel gets one value per period. Empty: one value for the whole run.
        execution: Seed, overrides, executor and progress.

    Raises:
        SimInputError: A bad budget, an unknown or unpriced channel, bad constraints, or too many runs.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not math.isfinite(budget) or budget <= 0:
        raise SimInputError.single("--budget", "", "must be a positive number", budget)
    if budget > MAX_MONEY:
        raise SimInputError("--budget", [Problem("", f"must be at most {MAX_MONEY:.0e} in the market's currency (the "
                                                 "cap on every money amount of a scenario)", f"{budget:g}")])
    chans = list(dict.fromkeys(channels))
    for ch in chans:
        if list(channels).count(ch) > 1:
            raise SimInputError.single("--channel", "", f"names {ch} twice; give each channel once", list(channels))
    s = sc.brands[0].strategy
    for ch in chans:
        if ch not in CHANNELS:
            raise SimInputError.single("--channel", ch, f"is not a channel; channels: {', '.join(CHANNELS)}")
        if ch == "content" and not (s.acquisition.organic.cost_per_day > 0 and s.acquisition.organic.reach_per_day > 0):
            raise SimInputError.single("--channel", ch, "the base scenario gives content no price (cost and reach per "
                                       "day), so money cannot be turned into content reach")
        if ch == "kol" and not (s.acquisition.kol.fee > 0 and s.acquisition.kol.reach > 0):
            raise SimInputError.single("--channel", ch, "the base scenario gives KOL campaigns no price (fee and "
                                       "reach), so money cannot be turned into KOL reach")
    if not chans:
        raise SimInputError.single("--channel", "", "name at least one channel")
    cons = [parse_constraint(c) for c in constraints]
    reps = check_reps(reps)
    validation_reps = check_reps(validation_reps, "validation_reps")
    days = sc.run.days
    periods = check_periods(phases, days)
    if len(periods) > 1 and s.phases:
        raise SimInputError.single("--phase", "", "the base strategy has phases of its own; plan periods over a "
                                   "strategy without phases", ", ".join(str(ph.from_day + 1) for ph in s.phases))
    per_day = budget / days
    unit_hi = max_unit_value if max_unit_value is not None else max(
        3 * max(s.interception.hook_value, s.referral.referrer_reward, 1.0), 0.01 * per_day)
    # (a daily share is at most the budget, so within MAX_MONEY; a KOL fee is a daily share times the days
    # between campaigns, capped so that the fee stays within MAX_MONEY too)
    kol_hi = MAX_MONEY / s.acquisition.kol.every_days
    bounds = [(0.0, min(budget / (end - start), kol_hi) if ch == "kol" else budget / (end - start))
              if ch in ("ads", "content", "kol") else (0.0, float(unit_hi))
              for start, end in periods for ch in chans]
    names = [ch if j == 0 else f"{ch}@{start + 1}" for j, (start, _e) in enumerate(periods) for ch in chans]
    pop = max(5, popsize * len(names))
    planned = pop * (maxiter + 1) * reps + validation_reps
    if planned > MAX_RUNS:
        raise SimInputError.single("budget", "size", f"{planned:,} runs; the cap is {MAX_RUNS:,}")
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    fresh = spawn_seeds(root, validation_reps, skip=reps)
    base = scenario_doc(sc)
    kpis = ["profit", "acquisition_spend", *dict.fromkeys(c.kpi for c in cons)]
    budget_c = Constraint("acquisition_spend", "<=", float(budget), "acquisition_spend<=budget")
    history: list[dict[str, Any]] = []
    done = [0]

    def means_of(points: np.ndarray, use: list[int], pool: Any) -> pd.DataFrame:
        docs = [_period_doc(base, sc, chans, row, days, periods) for row in points]
        calls = [(d, sd, None) for d in docs for sd in use]
        start = done[0]

        def tick(k: int, _n: int) -> None:
            if ex.progress is not None:
                ex.progress(min(start + k, planned), planned)

        parts = ex.map(run_budget_kpis, calls, on=pool, progress=tick)
        done[0] += len(calls)
        runs = pd.concat(parts, ignore_index=True)
        runs["point"] = np.repeat(np.arange(len(points)), len(use))
        return runs

    with ex.pool(pop * reps) as pool:

        def batch(xt: np.ndarray) -> np.ndarray:
            points = np.atleast_2d(xt.T) if xt.ndim == 2 else xt[None, :]
            means = means_of(points, seeds, pool).groupby("point", sort=True)[kpis].mean()
            out = np.empty(len(points))
            for i, row in enumerate(points):
                m = means.loc[i]
                violation = 0.0
                for c in (budget_c, *cons):
                    v = float(m[c.kpi])
                    if not c.holds(v):
                        violation += (-c.slack(v) if math.isfinite(c.slack(v)) else 1e6) / c.scale()
                feasible = violation == 0 and math.isfinite(float(m["profit"]))
                out[i] = -float(m["profit"]) if feasible else _INFEASIBLE * (1 + min(violation, 1e6) / 1e6)
                history.append({**dict(zip(names, map(float, row), strict=True)),
                                **{k: float(m[k]) for k in kpis}, "feasible": feasible, "violation": violation})
            return out

        optimize.differential_evolution(
            batch, bounds=bounds, maxiter=maxiter, popsize=max(1, pop // len(names)), rng=np.random.default_rng(
                optimiser_seed), polish=False, init="latinhypercube", updating="deferred", vectorized=True, tol=0.01)
        hist = pd.DataFrame(history)
        ok = hist[hist["feasible"]]
        best = (ok["profit"].idxmax() if len(ok) else hist["violation"].idxmin())
        x_best = [float(hist.loc[best, name]) for name in names]
        val = means_of(np.array([x_best]), fresh, pool)
    rows = []
    for k in kpis:
        v = val[k].to_numpy(dtype=np.float64)
        v = v[~np.isnan(v)]
        n = v.size
        mean = float(v.mean()) if n else math.nan
        sd = float(v.std(ddof=1)) if n > 1 else math.nan
        h = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n) if n > 1 else math.nan
        rows.append({"kpi": k, "mean": mean, "sd": sd, "ci_low": mean - h, "ci_high": mean + h, "n": n})
    if ex.progress is not None:
        ex.progress(planned, planned)
    settings = _channel_settings(sc, chans, x_best[:len(chans)], days)
    planned_sc = apply_values(sc, settings, source="budget plan")
    if len(periods) > 1:
        from sim.scenario.messages import validate_document

        planned_sc = validate_document(_period_doc(base, sc, chans, x_best, days, periods), "budget plan", Scenario)
    by_period = [dict(zip(chans, x_best[j * len(chans):(j + 1) * len(chans)], strict=True))
                 for j in range(len(periods))]
    return BudgetPlan(
        sc, planned_sc, float(budget), chans,
        dict(by_period[0]), bool(hist.loc[best, "feasible"]),
        {k: float(hist.loc[best, k]) for k in kpis}, pd.DataFrame(rows), cons, hist,
        provenance(ex, replicates=reps, validation_reps=validation_reps, root_seed=root, search_seeds=seeds,
                   validation_seeds=fresh, runs=done[0], evaluations=len(hist), settings=settings,
                   periods=[[a + 1, b] for a, b in periods]),
        periods, by_period,
    )
