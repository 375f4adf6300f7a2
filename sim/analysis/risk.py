"""Executive risk of a strategy over replicates: chance of a loss, profit percentiles, break-even month.

Over ``reps`` replicate runs (seeds spawned from one root, :class:`~sim.analysis.execution.Execution`):

* the probability of a loss at the horizon: the share of replicates whose cumulative profit at the
  horizon is below zero, with a 95% Wilson interval (Wilson 1927, "Probable inference, the law of
  succession, and statistical inference", JASA 22), which stays inside [0, 1] for 0 or n losses;
* the 5th, 50th and 95th percentiles of profit at the horizon (linear interpolation);
* the distribution of the break-even month (``payback_month`` of :mod:`sim.results.kpis`: the first
  month whose closing cumulative profit is back at or above zero after a loss; month 0 means never in
  loss), with the share of replicates that have not broken even by the horizon.

Stress scenarios applied on a chosen day (a breach, an enforcement order, a wave of blocks, ad prices
+50% from a date) need events scheduled inside a run, which the model cannot take yet; they are not
offered here rather than imitated by changing parameters from day 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import run_kpis, spawn_seeds
from sim.analysis.paths import scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand
from sim.errors import SimInputError
from sim.scenario.schema import Scenario

__all__ = ["RiskProfile", "risk", "wilson"]


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n``."""
    from scipy import stats

    if n <= 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class RiskProfile:
    """Risk figures of one brand of one scenario over replicates.

    Attributes:
        scenario: The resolved scenario.
        brand: The brand.
        day: The horizon (0-based day the KPIs are read at).
        samples: One row per replicate: ``seed, profit, payback_month, revenue, pool_size``.
        seeds: The replicate seeds.
    """

    scenario: Scenario
    brand: str
    day: int
    samples: pd.DataFrame
    seeds: list[int]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        """The market's currency."""
        return self.scenario.market.currency

    @property
    def n(self) -> int:
        """Replicates."""
        return len(self.samples)

    def p_loss(self) -> dict[str, float]:
        """Probability of a loss at the horizon, with its 95% Wilson interval."""
        losses = int((self.samples["profit"] < 0).sum())
        lo, hi = wilson(losses, self.n)
        return {"p": losses / self.n if self.n else math.nan, "low": lo, "high": hi, "losses": losses, "n": self.n}

    def profit_percentiles(self) -> dict[str, float]:
        """P5, P50 and P95 of profit at the horizon, and the mean."""
        v = self.samples["profit"].to_numpy(dtype=np.float64)
        q = np.percentile(v, [5, 50, 95])
        return {"p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2]), "mean": float(v.mean())}

    def breakeven_months(self) -> pd.DataFrame:
        """Distribution of the break-even month.

        Columns ``month`` (0 = never in loss; ``never`` = not by the horizon), ``runs``, ``share`` and
        ``cumulative`` share broken even by then.
        """
        m = self.samples["payback_month"]
        never = int(m.isna().sum())
        counts = m.dropna().astype(int).value_counts().sort_index()
        rows = [{"month": str(k), "runs": int(v)} for k, v in counts.items()]
        rows.append({"month": "never", "runs": never})
        out = pd.DataFrame(rows)
        out["share"] = out["runs"] / max(self.n, 1)
        out["cumulative"] = out["share"].cumsum()
        out.loc[out["month"] == "never", "cumulative"] = math.nan
        return out

    def summary(self) -> dict[str, Any]:
        """Every headline figure in one record."""
        m = self.samples["payback_month"]
        med = float(np.nanmedian(m)) if m.notna().any() else math.nan
        return {**{f"loss_{k}": v for k, v in self.p_loss().items()}, **self.profit_percentiles(),
                "breakeven_median_month": med, "never_breaks_even": float(m.isna().mean()), "day": self.day,
                "currency": self.currency}


def risk(
    scenario: str | Path | dict | Scenario,
    reps: int = 50,
    *,
    brand: str | None = None,
    day: int | None = None,
    execution: Execution | None = None,
) -> RiskProfile:
    """Risk of one scenario over ``reps`` replicates.

    Args:
        scenario: Preset, path, document or scenario.
        reps: Replicates (at least 2 for percentiles to mean anything).
        brand: The brand (default: the first).
        day: Horizon (0-based; default the last day).
        execution: Seed, overrides, executor and progress.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    reps = check_reps(reps)
    b = _brand(sc, brand)
    if day is not None and not 0 <= int(day) < sc.run.days:
        raise SimInputError.single("--day", "day", f"must be between 0 and {sc.run.days - 1}", day)
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    doc = scenario_doc(sc)
    parts = ex.map(run_kpis, [(doc, s, (day,)) for s in seeds])
    runs = pd.concat(parts, ignore_index=True)
    runs = runs[runs["brand"] == b].reset_index(drop=True)
    samples = runs[["seed", "profit", "payback_month", "revenue", "pool_size"]].copy()
    used = int(runs["day"].iloc[0])
    return RiskProfile(sc, b, used, samples, seeds, provenance(ex, replicates=reps, root_seed=root))
