"""How robust a verdict is: paired differences as a target, and the break-even value of a lever.

A verdict "A beats B" is a statement about the paired difference ``A - B`` under common random numbers
(the same seeds for both, :mod:`sim.analysis.compare`). This module makes that difference a target:

* :func:`run_paired_kpis` is a work unit (module level, seed in its arguments: any executor, Dask
  included) that runs A and B with one seed and returns ``KPI(A) - KPI(B)`` in the table layout of
  :func:`sim.analysis.executors.run_kpis`; :func:`sim.analysis.sweep.sweep` and
  :func:`sim.analysis.sensitivity.sensitivity` take ``versus=B`` to sweep or rank parameters by their
  effect on the difference instead of a KPI of A.
* :func:`breakeven` finds, for one assumption or lever, the value at which the verdict flips: it
  brackets a sign change of the mean paired difference on a grid over the range, then bisects it
  (the flip point), and bisects where each end of the difference's confidence interval crosses zero
  (the interval: below its low end the verdict is sure one way, above its high end the other way).
  With no sign change of the mean in the range it says so ("no flip in the range") and reports the
  difference at both ends.

The lever is set on A only (a strategy choice), or on both A and B (``both=True``: a market
assumption both strategies live with, such as a consent law's enforcement rate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import run_kpis, spawn_seeds
from sim.analysis.paths import ParamRange, apply_values_doc, even_points, parse_range, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import check_kpi
from sim.errors import SimInputError
from sim.results.kpis import KPI_INFO, KPI_NAMES
from sim.scenario.loader import validate_document
from sim.scenario.schema import Scenario

__all__ = ["BreakEven", "breakeven", "paired_doc", "run_paired_kpis"]

#: Most evaluations (points of the lever) one break-even search may make.
MAX_EVALS = 200


def _fx(doc: dict) -> float:
    from sim.scenario.schema import market_fx

    sc = Scenario.model_validate(doc)
    return float(market_fx(sc.market))


def run_paired_kpis(doc_a: Any, doc_b: Any, seed: int, days: Sequence[int | None] = (None,)) -> pd.DataFrame:
    """Run A and B with the same seed; ``KPI(A) - KPI(B)`` per day and brand position.

    Brand ``i`` of A is paired with brand ``i`` of B and the rows carry A's brand names. Money KPIs of
    markets in different currencies are converted to US dollars before differencing.

    Args:
        doc_a: Scenario A (document or :class:`Scenario`).
        doc_b: Scenario B.
        seed: The common run seed.
        days: Days (``None`` = the last).

    Returns:
        The layout of :func:`~sim.analysis.executors.run_kpis`: ``seed, day, brand`` and every KPI.
    """
    a = run_kpis(doc_a, seed, days)
    b = run_kpis(doc_b, seed, days)
    if len(a) != len(b):
        raise SimInputError.single("versus", "brands", "A and B must have the same number of brands and days")
    money = [k for k in KPI_NAMES if KPI_INFO[k][1].startswith("currency")]
    sa, sb = _as_doc(doc_a), _as_doc(doc_b)
    fa, fb = 1.0, 1.0
    if sa["market"].get("currency") != sb["market"].get("currency"):
        fa, fb = 1.0 / _fx(sa), 1.0 / _fx(sb)
    out = a.copy()
    # copies: pandas may hand out a read-only view of its own block, which the conversion below would write to
    av = a[list(KPI_NAMES)].to_numpy(dtype=np.float64, copy=True)
    bv = b[list(KPI_NAMES)].to_numpy(dtype=np.float64, copy=True)
    if fa != 1.0 or fb != 1.0:
        idx = [list(KPI_NAMES).index(k) for k in money]
        av[:, idx] *= fa
        bv[:, idx] *= fb
    out[list(KPI_NAMES)] = av - bv
    return out


def _as_doc(doc: Any) -> dict:
    return doc.model_dump(mode="json") if isinstance(doc, Scenario) else doc


def paired_doc(base_b: dict, setting: dict[str, Any], both: bool) -> dict:
    """B's document for one setting of the lever (B unchanged unless ``both``)."""
    return apply_values_doc(base_b, setting) if both else base_b


# ---- break-even -----------------------------------------------------------------------------------


@dataclass
class BreakEven:
    """The value of a lever at which the verdict on the paired difference flips.

    Attributes:
        a: Name of scenario A.
        b: Name of scenario B (empty when A's KPI was compared with ``target``).
        path: The lever's full path.
        low: Lower end of the range searched.
        high: Upper end.
        kpi: The KPI whose paired difference A - B decides the verdict.
        both: Whether the lever was set on both scenarios (an assumption) or on A only (a lever).
        flip: The lever value where the mean difference crosses zero, or ``None`` (no flip in the range).
        interval: ``(low, high)`` lever values between which the confidence interval of the difference
            contains zero (the verdict is unsure there); an end at the range bound means the interval
            reaches beyond the range (see ``open_ends``). ``None`` with no flip.
        open_ends: ``(low_open, high_open)``: the interval reaches the range bound at that end.
        evaluations: Every lever value evaluated: ``value, mean_diff, sd_diff, ci_low, ci_high, n``.
        seeds: The common seeds.
        unit: Unit of the difference (the market currency, or USD).
        target: Threshold subtracted from the difference (``b`` empty: A's KPI minus the target).
    """

    a: str
    b: str
    path: str
    low: float
    high: float
    kpi: str
    both: bool
    flip: float | None
    interval: tuple[float, float] | None
    open_ends: tuple[bool, bool]
    evaluations: pd.DataFrame
    seeds: list[int]
    unit: str = ""
    level: float = 0.95
    target: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def flips(self) -> bool:
        """Whether the verdict flips inside the range."""
        return self.flip is not None

    def at(self, end: str) -> dict[str, float]:
        """The difference at ``"low"`` or ``"high"`` end of the range."""
        v = self.low if end == "low" else self.high
        row = self.evaluations.iloc[(self.evaluations["value"] - v).abs().argmin()]
        return {k: float(row[k]) for k in ("value", "mean_diff", "ci_low", "ci_high")}

    def sentence(self, lang: str = "en") -> str:
        """The finding in words (:mod:`sim.i18n`)."""
        from sim.format import human, kpi_unit
        from sim.i18n import t

        unit = kpi_unit(self.kpi)
        cur = self.unit if unit.startswith("currency") else ""
        lever = path_label(self.path, lang)
        a, b = scenario_label(self.a, lang), scenario_label(self.b, lang)
        lo, hi = self.at("low"), self.at("high")
        if not self.b:
            kv = t(f"kpi.{self.kpi}", lang)
            tgt = human(self.target, unit, cur)
            v_lo = human(lo["mean_diff"] + self.target, unit, cur)
            v_hi = human(hi["mean_diff"] + self.target, unit, cur)
            if self.flip is None:
                return t("decide.target_none", lang, lever=lever, low=_num(self.low), high=_num(self.high), a=a,
                         kpi=kv, target=tgt, v_low=v_lo, v_high=v_hi)
            ilo, ihi = self.interval or (math.nan, math.nan)
            return t("decide.target_hit", lang, lever=lever, flip=_num(self.flip), a=a, kpi=kv, target=tgt,
                     i_low=_num(ilo) + ("−" if self.open_ends[0] else ""),
                     i_high=_num(ihi) + ("+" if self.open_ends[1] else ""), pct=int(round(100 * self.level)),
                     v_low=v_lo, v_high=v_hi, low=_num(self.low), high=_num(self.high))
        if self.flip is None:
            return t("decide.no_flip", lang, lever=lever, low=_num(self.low), high=_num(self.high),
                     a=a, b=b, kpi=t(f"kpi.{self.kpi}", lang),
                     d_low=human(lo["mean_diff"], unit, cur), d_high=human(hi["mean_diff"], unit, cur))
        ilo, ihi = self.interval or (math.nan, math.nan)
        return t("decide.flip", lang, lever=lever, flip=_num(self.flip), a=a, b=b,
                 kpi=t(f"kpi.{self.kpi}", lang), i_low=_num(ilo) + ("−" if self.open_ends[0] else ""),
                 i_high=_num(ihi) + ("+" if self.open_ends[1] else ""), pct=int(round(100 * self.level)),
                 d_low=human(lo["mean_diff"], unit, cur), d_high=human(hi["mean_diff"], unit, cur),
                 low=_num(self.low), high=_num(self.high))


def path_label(path: str, lang: str = "en") -> str:
    """A lever or market assumption in words ("Referrer reward"), in ``lang``; an unlabelled one as its path.

    ``brands.N.strategy.<lever>`` reads the ``lever.<lever>`` label, ``market.regime.<name>`` the
    ``assumption.<name>`` label (:mod:`sim.i18n`).
    """
    from sim.i18n import has, t

    parts = path.split(".")
    if len(parts) > 3 and parts[0] == "brands" and parts[2] == "strategy":
        key = "lever." + ".".join(parts[3:])
    elif path.startswith("market.regime."):
        key = "assumption." + path.removeprefix("market.regime.")
    else:
        key = ""
    return t(key, lang) if key and has(key) else path.removeprefix("brands.0.strategy.")


def scenario_label(name: str, lang: str = "en") -> str:
    """A scenario's name in words: a preset id reads its translated title, any other name is kept as typed."""
    from sim.i18n import has, t

    return t(f"preset.{name}", lang) if name and has(f"preset.{name}") else name


def _num(v: float) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def breakeven(
    a: str | Path | dict | Scenario,
    b: str | Path | dict | Scenario | None,
    path: str,
    low: float,
    high: float,
    *,
    kpi: str = "profit",
    target: float = 0.0,
    both: bool = False,
    reps: int = 8,
    day: int | None = None,
    grid: int = 5,
    tol: float | None = None,
    max_evals: int = 40,
    level: float = 0.95,
    execution: Execution | None = None,
) -> BreakEven:
    """Find the value of ``path`` in ``[low, high]`` at which the paired difference A - B of a KPI flips sign.

    With ``b=None`` the search is for the value at which A's KPI crosses ``target`` (e.g. the referral
    reward at which the K-factor reaches 1): the "difference" is then ``KPI(A) - target``.

    Args:
        a: Scenario A (the one whose lever is moved).
        b: Scenario B (moved too when ``both``), or ``None`` to compare A with ``target``.
        path: Dotted path of the lever or assumption (short strategy paths are completed for A).
        low: Lower end of the range.
        high: Upper end.
        kpi: KPI whose paired difference decides (default profit).
        target: Subtracted from the difference (with ``b=None``: the KPI's threshold).
        both: Set the value on both scenarios (an assumption of the market) instead of A only.
        reps: Common seeds per evaluation.
        day: Day the KPI is read at (0-based; default the last).
        grid: Points of the first, bracketing pass (at least 2, ends included).
        tol: Bisection stops when the bracket is narrower (default: range / 1000; 1 for whole numbers).
        max_evals: Most evaluations (grid points + bisection steps for the flip and both interval ends).
        level: Confidence level of the interval.
        execution: Seed, overrides (applied to both scenarios), executor, progress (counts runs).

    Raises:
        SimInputError: Unknown path or KPI, a bad range, or sizes beyond the caps.
    """
    ex = as_execution(execution)
    alone = b is None
    sa = ex.resolve(a)
    sb = sa if alone else ex.resolve(b)
    both = bool(both) and not alone
    if not isinstance(target, int | float) or isinstance(target, bool) or not math.isfinite(target):
        raise SimInputError.single("--target", "", "must be a finite number", target)
    check_kpi(kpi, "--kpi")
    reps = check_reps(reps)
    if day is not None and not 0 <= int(day) < min(sa.run.days, sb.run.days):
        raise SimInputError.single("--day", "", f"must be between 0 and {min(sa.run.days, sb.run.days) - 1}", day)
    if len(sa.brands) != len(sb.brands):
        raise SimInputError.single("versus", "brands", "A and B must have the same number of brands")
    rng: ParamRange = parse_range(sa, path, (low, high), source="--param")
    if both:
        parse_range(sb, rng.path, (low, high), source="--param")
    if isinstance(max_evals, bool) or not isinstance(max_evals, int) or not 2 <= max_evals <= MAX_EVALS:
        raise SimInputError.single("--max-evals", "", f"must be a whole number from 2 to {MAX_EVALS}", max_evals)
    if isinstance(grid, bool) or not isinstance(grid, int) or not 2 <= grid <= max_evals:
        raise SimInputError.single("--grid", "", f"must be a whole number from 2 to {max_evals} (the grid's points "
                                   "count among --max-evals)", grid)
    if not 0 < level < 1:
        raise SimInputError.single("--level", "", "must be between 0 and 1", level)
    span = rng.high - rng.low
    tol = (1.0 if rng.integer else span / 1000.0) if tol is None else float(tol)
    if not tol > 0:
        raise SimInputError.single("--tol", "", "must be positive", tol)
    root = ex.root(sa)
    seeds = spawn_seeds(root, reps)
    base_a, base_b = scenario_doc(sa), scenario_doc(sb)
    mixed = sa.market.currency != sb.market.currency
    unit = "USD" if mixed and KPI_INFO[kpi][1].startswith("currency") else sa.market.currency
    days = (day,)
    cache: dict[float, np.ndarray] = {}
    planned = max_evals * reps * (2 if both else 1) + (0 if both or alone else reps)
    done = [0]

    def tick(k: int, _total: int, start: list[int] = done) -> None:
        if ex.progress is not None:
            ex.progress(min(start[0] + k, planned), planned)

    def docs_for(v: float) -> tuple[dict, dict]:
        setting = {rng.path: rng.value(v)}
        doc_a = apply_values_doc(base_a, setting)
        validate_document(doc_a, f"{sa.name} with {rng.path}={rng.value(v)}")
        doc_b = paired_doc(base_b, setting, both)
        if both:
            validate_document(doc_b, f"{sb.name} with {rng.path}={rng.value(v)}")
        return doc_a, doc_b

    with ex.pool(reps * (2 if both else 1) * grid) as pool:
        b_fixed = None
        if not both and not alone:
            start = done[0]
            parts = ex.map(run_kpis, [(base_b, s, days) for s in seeds], on=pool,
                           progress=lambda k, n: tick(k, n, [start]))
            done[0] += len(seeds)
            b_fixed = pd.concat(parts, ignore_index=True)

        def evaluate(values: Sequence[float]) -> None:
            todo = [v for v in dict.fromkeys(float(rng.value(x)) for x in values) if v not in cache]
            if not todo:
                return
            if len(cache) + len(todo) > max_evals:
                todo = todo[: max(0, max_evals - len(cache))]
                if not todo:
                    return
            pairs = [docs_for(v) for v in todo]
            start = done[0]
            if both:
                calls = [(da, db, s, days) for da, db in pairs for s in seeds]
                parts = ex.map(run_paired_kpis, calls, on=pool, progress=lambda k, n: tick(k, n, [start]))
            else:
                calls = [(da, s, days) for da, _ in pairs for s in seeds]
                parts = ex.map(run_kpis, calls, on=pool, progress=lambda k, n: tick(k, n, [start]))
                if not alone:
                    parts = [_minus(p, b_fixed, sa, sb, kpi) for p in parts]
            done[0] += len(calls)
            for i, v in enumerate(todo):
                chunk = parts[i * reps:(i + 1) * reps]
                cache[v] = np.array([_first_brand(p)[kpi] for p in chunk], dtype=np.float64) - float(target)

        def stats_at(v: float) -> tuple[float, float, float]:
            x = cache[float(rng.value(v))]
            x = x[~np.isnan(x)]
            m = float(x.mean()) if x.size else math.nan
            if x.size < 2 or np.all(x == x[0]):
                return m, m, m
            from sim.analysis.compare import paired_ci

            lo, hi = paired_ci(x, level, "t")
            return m, lo, hi

        points = even_points(rng.low, rng.high, grid)
        evaluate(points)
        points = sorted(cache)

        def crossing(which: int) -> tuple[float, float] | None:
            """First bracket of evaluated points where statistic ``which`` (0 mean, 1 low, 2 high) changes sign."""
            vals = sorted(cache)
            ys = [stats_at(v)[which] for v in vals]
            for i in range(len(vals) - 1):
                if ys[i] == 0:
                    return vals[i], vals[i]
                if ys[i] * ys[i + 1] < 0:
                    return vals[i], vals[i + 1]
            if ys and ys[-1] == 0:
                return vals[-1], vals[-1]
            return None

        def bisect(which: int, bracket: tuple[float, float]) -> float:
            lo_v, hi_v = bracket
            while hi_v - lo_v > tol and len(cache) < max_evals:
                mid = float(rng.value((lo_v + hi_v) / 2))
                if mid in (lo_v, hi_v):
                    break
                evaluate([mid])
                if mid not in cache:
                    break
                y_lo, y_mid = stats_at(lo_v)[which], stats_at(mid)[which]
                if y_mid == 0:
                    return mid
                if y_lo * y_mid < 0:
                    hi_v = mid
                else:
                    lo_v = mid
            y_lo, y_hi = stats_at(lo_v)[which], stats_at(hi_v)[which]
            if hi_v == lo_v or y_hi == y_lo:
                return lo_v
            x = lo_v + (hi_v - lo_v) * (0 - y_lo) / (y_hi - y_lo)  # linear within the last bracket
            return float(rng.value(x)) if rng.integer else x

        flip, interval, open_ends = None, None, (False, False)
        bracket = crossing(0)
        if bracket is not None:
            flip = bisect(0, bracket)
            ends = []
            for which in (1, 2):
                br = crossing(which)
                ends.append(bisect(which, br) if br is not None else None)
            found = [e for e in ends if e is not None]
            lo_i = min(found + [flip]) if found else flip
            hi_i = max(found + [flip]) if found else flip
            # an end that never crosses within the range: the unsure zone reaches the range bound
            open_lo = open_hi = False
            if ends[0] is None or ends[1] is None:
                below = stats_at(min(cache))
                above = stats_at(max(cache))
                if below[1] <= 0 <= below[2]:
                    lo_i, open_lo = rng.low, True
                if above[1] <= 0 <= above[2]:
                    hi_i, open_hi = rng.high, True
            interval, open_ends = (float(lo_i), float(hi_i)), (open_lo, open_hi)
    rows = []
    for v in sorted(cache):
        m, lo, hi = stats_at(v)
        x = cache[v]
        sd = float(np.nanstd(x, ddof=1)) if np.sum(~np.isnan(x)) > 1 else math.nan
        rows.append({"value": v, "mean_diff": m, "sd_diff": sd,
                     "ci_low": lo, "ci_high": hi, "n": int(np.sum(~np.isnan(x)))})
    if ex.progress is not None:
        ex.progress(planned, planned)
    return BreakEven(
        sa.name, "" if alone else sb.name, rng.path, rng.low, rng.high, kpi, both, flip, interval, open_ends,
        pd.DataFrame(rows), seeds, unit, level, float(target),
        provenance(ex, replicates=reps, root_seed=root, evaluations=len(cache), runs=done[0], tol=tol),
    )


def _first_brand(frame: pd.DataFrame) -> pd.Series:
    return frame.iloc[0]


def _minus(a: pd.DataFrame, b_all: pd.DataFrame, sa: Scenario, sb: Scenario, kpi: str) -> pd.DataFrame:
    """``a - b`` for the same seed (rows of ``b_all`` with ``a``'s seed), first brand, in a common currency."""
    from sim.scenario.schema import market_fx

    seed = int(a["seed"].iloc[0])
    b = b_all[b_all["seed"] == seed].reset_index(drop=True)
    out = a.reset_index(drop=True).copy()
    fa = fb = 1.0
    if sa.market.currency != sb.market.currency and KPI_INFO[kpi][1].startswith("currency"):
        fa, fb = 1.0 / market_fx(sa.market), 1.0 / market_fx(sb.market)
    out[kpi] = out[kpi].to_numpy(dtype=np.float64) * fa - b[kpi].to_numpy(dtype=np.float64) * fb
    return out
