"""Executive risk of a strategy over replicates: chance of a loss, profit percentiles, break-even month.

Over ``reps`` replicate runs (seeds spawned from one root, :class:`~sim.analysis.execution.Execution`):

* the probability of a loss at the horizon: the share of replicates whose cumulative profit at the
  horizon is below zero, with a 95% Wilson interval (Wilson 1927, "Probable inference, the law of
  succession, and statistical inference", JASA 22), which stays inside [0, 1] for 0 or n losses;
* the 5th, 50th and 95th percentiles of profit at the horizon (linear interpolation);
* the distribution of the break-even month (``payback_month`` of :mod:`sim.results.kpis`: the first
  month whose closing cumulative profit is back at or above zero after a loss; month 0 means never in
  loss), with the share of replicates that have not broken even by the horizon.

Stress scenarios (:func:`stress_test`): a stress (a data breach, an enforcement order, a wave of LINE
blocks / WeChat group bans, ad prices +50%; :class:`~sim.scenario.schema.Stress`) is scheduled on a
day the user chooses inside the run (:mod:`sim.model.mechanisms.schedule`) and each replicate is run
twice on the same seed, stressed and unstressed: common random numbers, so the paired difference is
the stress's effect alone (the stress draws with keys of its own and shifts no other draw). Days before
the stress are identical in both runs; a stress of size 0 changes nothing.
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
from sim.scenario.schema import STRESS_KINDS, Scenario, Stress

__all__ = ["RiskProfile", "StressResult", "parse_stress", "risk", "stress_test", "wilson"]


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
        raise SimInputError.single("--day", "", f"must be between 0 and {sc.run.days - 1}", day)
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    doc = scenario_doc(sc)
    parts = ex.map(run_kpis, [(doc, s, (day,)) for s in seeds])
    runs = pd.concat(parts, ignore_index=True)
    runs = runs[runs["brand"] == b].reset_index(drop=True)
    samples = runs[["seed", "profit", "payback_month", "revenue", "pool_size"]].copy()
    used = int(runs["day"].iloc[0])
    return RiskProfile(sc, b, used, samples, seeds, provenance(ex, replicates=reps, root_seed=root))


# ---- stress scenarios ------------------------------------------------------------------------------


def parse_stress(text: str, where: str = "--stress") -> Stress:
    """A stress from ``KIND:DAY[:SIZE]`` (day 1-based, as users count), e.g. ``breach:200``, ``ad_price:365:0.5``.

    Raises:
        SimInputError: Naming ``where``, the text and what was expected.
    """
    expected = (f"KIND:DAY[:SIZE] with KIND one of {', '.join(STRESS_KINDS)}, DAY from 1, e.g. breach:200 "
                "or ad_price:365:0.5")
    parts = str(text).strip().split(":")
    if len(parts) not in (2, 3) or parts[0] not in STRESS_KINDS:
        raise SimInputError.single(where, "", f"must look like {expected}", text)
    try:
        day = int(parts[1])
        size = float(parts[2]) if len(parts) == 3 else (0.5 if parts[0] == "ad_price" else 1.0)
    except ValueError:
        raise SimInputError.single(where, "", f"day and size must be numbers: {expected}", text) from None
    if day < 1 or not math.isfinite(size):
        raise SimInputError.single(where, "", f"day must be at least 1 and size finite: {expected}", text)
    return as_stress({"kind": parts[0], "day": day - 1, "size": size}, where)


def as_stress(value: Stress | dict[str, Any] | str, where: str = "stress") -> Stress:
    """A validated :class:`Stress` from a stress, its document or ``KIND:DAY[:SIZE]`` text."""
    if isinstance(value, Stress):
        return value
    if isinstance(value, str):
        return parse_stress(value, where)
    from sim.scenario.loader import validate_document

    return validate_document(dict(value), where, Stress)


def with_stress(sc: Scenario, stress: Stress) -> Scenario:
    """``sc`` with ``stress`` added to its market's scheduled stresses (validated against the scenario)."""
    from sim.scenario.loader import validate_document

    doc = scenario_doc(sc)
    doc["market"]["stresses"] = [*doc["market"].get("stresses", []), stress.model_dump(mode="json")]
    return validate_document(doc, "stress", Scenario)


@dataclass
class StressResult:
    """A stress against the unstressed twin, replicate by replicate on common seeds.

    Attributes:
        scenario: The unstressed scenario.
        stressed: The same scenario with the stress scheduled.
        stress: The stress.
        brand: The brand read.
        day: The day the KPIs are read at (0-based; default the horizon).
        samples: One row per seed: ``seed``, then ``<kpi>`` (unstressed), ``<kpi>_stressed`` and
            ``<kpi>_change`` (stressed minus unstressed) for profit, revenue, pool size and trust.
        seeds: The replicate seeds.
    """

    scenario: Scenario
    stressed: Scenario
    stress: Stress
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

    def effects(self) -> pd.DataFrame:
        """Per KPI: mean unstressed, mean stressed, mean paired change with its 95% t interval."""
        from scipy import stats

        rows = []
        for kpi in STRESS_KPIS:
            diff = self.samples[f"{kpi}_change"].to_numpy(dtype=np.float64)
            diff = diff[~np.isnan(diff)]  # mean trust is undefined while a pool is empty
            mean = float(diff.mean()) if diff.size else math.nan
            half = (float(stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size))
                    if diff.size > 1 else math.nan)
            rows.append({"kpi": kpi, "unstressed": float(self.samples[kpi].mean()),
                         "stressed": float(self.samples[f"{kpi}_stressed"].mean()), "change": mean, "n": int(diff.size),
                         "ci_low": mean - half, "ci_high": mean + half})
        return pd.DataFrame(rows)

    def p_loss(self) -> dict[str, float]:
        """Probability of a loss at the day read, unstressed and stressed, with Wilson intervals."""
        out: dict[str, float] = {}
        for label, col in (("unstressed", "profit"), ("stressed", "profit_stressed")):
            losses = int((self.samples[col] < 0).sum())
            lo, hi = wilson(losses, self.n)
            out.update({label: losses / self.n if self.n else math.nan, f"{label}_low": lo, f"{label}_high": hi})
        return out

    def summary(self) -> dict[str, Any]:
        """Headline figures: the stress, the mean paired profit change and the chances of a loss."""
        e = self.effects().set_index("kpi")
        return {"stress": self.stress.model_dump(mode="json"), "brand": self.brand, "day": self.day,
                "profit_change": float(e.loc["profit", "change"]),
                "profit_change_low": float(e.loc["profit", "ci_low"]),
                "profit_change_high": float(e.loc["profit", "ci_high"]),
                **{f"p_loss_{k}": v for k, v in self.p_loss().items()}, "currency": self.currency, "n": self.n}


#: KPIs compared between a stressed run and its twin.
STRESS_KPIS = ("profit", "revenue", "pool_size", "mean_trust")


def stress_test(
    scenario: str | Path | dict | Scenario,
    stress: Stress | dict[str, Any] | str,
    reps: int = 20,
    *,
    brand: str | None = None,
    day: int | None = None,
    execution: Execution | None = None,
) -> StressResult:
    """A stress on a chosen day against the unstressed twin, paired on common seeds.

    Args:
        scenario: Preset, path, document or scenario (any strategy, phased or not).
        stress: The stress (its ``day`` is 0-based; text ``KIND:DAY[:SIZE]`` counts days from 1). A
            brand stress with no ``brand`` strikes the brand analysed.
        reps: Replicate pairs.
        brand: The brand read (default: the first).
        day: Day the KPIs are read at (0-based; default the horizon).
        execution: Seed, overrides, executor and progress.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    reps = check_reps(reps)
    b = _brand(sc, brand)
    st = as_stress(stress)
    if st.kind != "ad_price" and st.brand is None:
        st = st.model_copy(update={"brand": b})
    if day is not None and not 0 <= int(day) < sc.run.days:
        raise SimInputError.single("--day", "", f"must be between 0 and {sc.run.days - 1}", day)
    if not 0 <= st.day < sc.run.days:
        raise SimInputError.single("--stress", "stress.day", f"must be a day of the run: 1 to {sc.run.days}",
                                   st.day + 1)
    stressed = with_stress(sc, st)
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    docs = (scenario_doc(sc), scenario_doc(stressed))
    parts = ex.map(run_kpis, [(doc, s, (day,)) for doc in docs for s in seeds])
    runs = pd.concat(parts, ignore_index=True)
    runs = runs[runs["brand"] == b].reset_index(drop=True)
    twin, hit = runs.iloc[:reps].reset_index(drop=True), runs.iloc[reps:].reset_index(drop=True)
    samples = pd.DataFrame({"seed": twin["seed"]})
    for kpi in STRESS_KPIS:
        samples[kpi] = twin[kpi].to_numpy(dtype=np.float64)
        samples[f"{kpi}_stressed"] = hit[kpi].to_numpy(dtype=np.float64)
        samples[f"{kpi}_change"] = samples[f"{kpi}_stressed"] - samples[kpi]
    used = int(runs["day"].iloc[0])
    return StressResult(sc, stressed, st, b, used, samples, seeds,
                        provenance(ex, replicates=reps, root_seed=root, paired="common random numbers"))
