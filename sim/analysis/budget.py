"""Budget planner: a total acquisition budget over the horizon split across channels, under constraints.

The channels and what buys what (constant daily rates over the whole run; phases over time need
scheduled changes inside a run, which the model does not take yet):

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
from sim.errors import SimInputError
from sim.results.kpis import ACQUISITION_SPEND
from sim.scenario.schema import Scenario

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
        plan: Channel -> the planned value (daily spend; per-unit value for hooks and referral rewards).
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

    @property
    def currency(self) -> str:
        """The market's currency."""
        return self.scenario.market.currency

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
        execution: Seed, overrides, executor and progress.

    Raises:
        SimInputError: A bad budget, an unknown or unpriced channel, bad constraints, or too many runs.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not math.isfinite(budget) or budget <= 0:
        raise SimInputError.single("--budget", "budget", "must be a positive number", budget)
    chans = list(dict.fromkeys(channels))
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
        raise SimInputError.single("--channel", "channels", "name at least one channel")
    cons = [parse_constraint(c) for c in constraints]
    reps = check_reps(reps)
    validation_reps = check_reps(validation_reps, "validation_reps")
    days = sc.run.days
    per_day = budget / days
    unit_hi = max_unit_value if max_unit_value is not None else max(
        3 * max(s.interception.hook_value, s.referral.referrer_reward, 1.0), 0.01 * per_day)
    bounds = [(0.0, per_day) if ch in ("ads", "content", "kol") else (0.0, float(unit_hi)) for ch in chans]
    pop = max(5, popsize * len(chans))
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
        docs = [apply_values_doc(base, _channel_settings(sc, chans, row, days)) for row in points]
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
                history.append({**dict(zip(chans, map(float, row), strict=True)),
                                **{k: float(m[k]) for k in kpis}, "feasible": feasible, "violation": violation})
            return out

        optimize.differential_evolution(
            batch, bounds=bounds, maxiter=maxiter, popsize=max(1, pop // len(chans)), rng=np.random.default_rng(
                optimiser_seed), polish=False, init="latinhypercube", updating="deferred", vectorized=True, tol=0.01)
        hist = pd.DataFrame(history)
        ok = hist[hist["feasible"]]
        best = (ok["profit"].idxmax() if len(ok) else hist["violation"].idxmin())
        x_best = [float(hist.loc[best, ch]) for ch in chans]
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
    settings = _channel_settings(sc, chans, x_best, days)
    return BudgetPlan(
        sc, apply_values(sc, settings, source="budget plan"), float(budget), chans,
        dict(zip(chans, x_best, strict=True)), bool(hist.loc[best, "feasible"]),
        {k: float(hist.loc[best, k]) for k in kpis}, pd.DataFrame(rows), cons, hist,
        provenance(ex, replicates=reps, validation_reps=validation_reps, root_seed=root, search_seeds=seeds,
                   validation_seeds=fresh, runs=done[0], evaluations=len(hist), settings=settings,
                   phases="constant daily rates over the whole run (phases need model support)"),
    )
