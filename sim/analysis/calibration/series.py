"""Fitting scenario parameters to observed KPI time series.

**(b) KPI series: least squares on the Monte Carlo mean.**
Given observed monthly (or daily) series such as pool size and revenue, chosen parameters are
fitted by :func:`scipy.optimize.least_squares` (trust-region reflective, within bounds) on the
mean of ``reps`` runs with common seeds; residuals of each series are divided by the root mean
square of its observations so that series in different units weigh alike. The Jacobian is taken by
forward differences of 5% of each range, evaluated as one parallel batch. Fit quality: RMSE and
R^2 per series and overall.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize

from sim.analysis.calibration.data import MONTH_DAYS, find_column, missing_columns, read_table, row_line
from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import Progress, run_series, spawn_seeds
from sim.analysis.paths import ParamRange, apply_values, apply_values_doc, parse_range, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand
from sim.errors import SimInputError
from sim.results.result import write_folder
from sim.scenario.loader import suggest
from sim.scenario.schema import Scenario

# =====================================================================================================
# (b) KPI time series
# =====================================================================================================

#: Observed series that are levels at the end of a period (the rest are summed over the period).
STOCKS = {
    "pool_size": "member",
    "members": "member",
    "member": "member",
    "customers": "customers",
    "customer": "customer",
    "aware": "aware",
    "unaware": "unaware",
    "lapsed": "lapsed",
    "active_members": "active_members",
    "paid_members": "paid_members",
    "records": "records",
}
#: Observed series averaged over a period.
MEANS = {"mean_trust": "mean_trust", "mean_fatigue": "mean_fatigue", "cpm": "cpm"}


def _daily_columns() -> set[str]:
    from sim.model import layout as L

    return set(L.MONEY) | set(L.TALLY) | {"revenue", "costs", "profit"}


def read_observed_series(path: str | Path | pd.DataFrame, horizon_days: int) -> tuple[pd.DataFrame, str]:
    """Read observed KPI series: a ``month`` (1-based) or ``day`` (0-based) column and one column per series.

    Returns:
        ``(frame, period)``: the frame indexed by period and the period kind.

    Raises:
        SimInputError: Missing period column, unknown series names (with did-you-mean), non-numeric
            values (line named), duplicate or out-of-horizon periods.
    """
    source = str(path) if not isinstance(path, pd.DataFrame) else "observed"
    df = read_table(path, source)
    period_col = find_column(df, None, ("month",)) or find_column(df, None, ("day",))
    if period_col is None:
        raise missing_columns(source, df, [("month", ("month", "day"))])
    period = period_col.strip().lower()
    known = set(STOCKS) | set(MEANS) | _daily_columns()
    series_cols = [c for c in df.columns if c != period_col]
    if not series_cols:
        raise SimInputError.single(source, "", "has no series columns besides the period (e.g. pool_size, revenue)")
    out = pd.DataFrame()
    idx = pd.to_numeric(df[period_col].astype(str).str.strip(), errors="coerce")
    bad = np.nonzero((idx.isna() | (idx % 1 != 0)).to_numpy())[0]
    if bad.size:
        i = int(bad[0])
        raise SimInputError.single(
            source, f"{row_line(i)}, column {period_col!r}", "must be a whole number", df[period_col].iloc[i]
        )
    lo = 1 if period == "month" else 0
    hi = int(math.floor(horizon_days / MONTH_DAYS)) if period == "month" else horizon_days - 1
    out_of = np.nonzero(((idx < lo) | (idx > hi)).to_numpy())[0]  # on the numbers read, before any integer cast
    if out_of.size:
        i = int(out_of[0])
        written = str(df[period_col].iloc[i]).strip()
        raise SimInputError.single(
            source,
            f"{row_line(i)}, column {period_col!r}",
            f"is outside the simulated horizon: {period}s {lo} to {hi}",
            written,
        )
    idx = idx.astype(int)
    if idx.duplicated().any():
        i = int(np.nonzero(idx.duplicated().to_numpy())[0][0])
        raise SimInputError.single(
            source, f"{row_line(i)}, column {period_col!r}", f"{period} {idx.iloc[i]} appears twice"
        )
    for c in series_cols:
        name = c.strip()
        if name not in known:
            best = suggest(name, sorted(known))
            raise SimInputError.single(
                source,
                f"column {name!r}",
                "is not a series the model produces"
                + (f". Did you mean {best!r}?" if best else "; e.g. pool_size, revenue, profit"),
            )
        v = pd.to_numeric(df[c].astype(str).str.strip().replace("", "nan"), errors="coerce")
        text = df[c].astype(str).str.strip()
        badv = np.nonzero((v.isna() & (text != "")).to_numpy() | ~np.isfinite(v.fillna(0).to_numpy()))[0]
        if badv.size:
            i = int(badv[0])
            raise SimInputError.single(source, f"{row_line(i)}, column {name!r}", "is not a number", df[c].iloc[i])
        out[name] = v.to_numpy(dtype=np.float64)
    out.index = pd.Index(idx.to_numpy(), name=period)
    if out.notna().sum().sum() < 2:
        raise SimInputError.single(source, "", "needs at least two observed values")
    return out.sort_index(), period


def aggregate_run(daily: pd.DataFrame, columns: Sequence[str], period: str, periods: Sequence[int]) -> pd.DataFrame:
    """Model values of observed series at observed periods from one brand's daily rows."""
    d = daily.reset_index(drop=True)
    n = len(d)
    out = {}
    for name in columns:
        if name in STOCKS:
            src = STOCKS[name]
            vals = (d["customer"] + d["member"]).to_numpy() if src == "customers" else d[src].to_numpy()
            kind = "stock"
        elif name in MEANS:
            vals, kind = d[MEANS[name]].to_numpy(), "mean"
        else:
            vals, kind = d[name].to_numpy(), "flow"
        vals = vals.astype(np.float64)
        res = []
        for p in periods:
            if period == "day":
                lo, hi = p, p + 1
            else:
                lo, hi = int(round((p - 1) * MONTH_DAYS)), min(int(round(p * MONTH_DAYS)), n)
            seg = vals[lo:hi]
            res.append(seg[-1] if kind == "stock" else (np.nanmean(seg) if kind == "mean" else seg.sum()))
        out[name] = res
    return pd.DataFrame(out, index=pd.Index(list(periods), name=period))


@dataclass
class SeriesFit:
    """The result of :func:`fit_series`."""

    scenario: Scenario
    fitted_scenario: Scenario
    params: list[ParamRange]
    x: dict[str, float | int]
    observed: pd.DataFrame
    fitted: pd.DataFrame
    quality: pd.DataFrame
    history: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def r2(self) -> float:
        """Overall R^2 over every series (each normalised by its RMS)."""
        return float(self.quality.loc[self.quality["series"] == "all", "r2"].iloc[0])

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: base and fitted scenarios, observed vs fitted, fit quality, history."""
        both = self.observed.add_suffix(" observed").join(self.fitted.add_suffix(" fitted"))
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "fitted.yaml": yaml.safe_dump(
                scenario_doc(self.fitted_scenario), sort_keys=False, allow_unicode=True
            ).encode(),
            "observed_vs_fitted.csv": both.to_csv().encode(),
            "quality.csv": self.quality.to_csv(index=False).encode(),
            "history.csv": self.history.to_csv(index=False).encode(),
            "fit.json": json.dumps({**self.meta, "x": self.x}, indent=2, default=str).encode(),
        }
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "calibrate-series"})


def fit_quality(observed: pd.DataFrame, fitted: pd.DataFrame) -> pd.DataFrame:
    """RMSE (in each series' units), normalised RMSE and R^2 per series and overall."""
    rows = []
    z_obs, z_fit = [], []
    for c in observed.columns:
        o = observed[c].to_numpy(dtype=np.float64)
        f = fitted[c].to_numpy(dtype=np.float64)
        ok = ~np.isnan(o)
        o, f = o[ok], f[ok]
        rmse = float(np.sqrt(np.mean((f - o) ** 2)))
        sst = float(np.sum((o - o.mean()) ** 2))
        r2 = 1.0 - float(np.sum((f - o) ** 2)) / sst if sst > 0 else math.nan
        scale = float(np.sqrt(np.mean(o**2))) or 1.0
        rows.append({"series": c, "n": int(o.size), "rmse": rmse, "nrmse": rmse / scale, "r2": r2})
        z_obs.append(o / scale)
        z_fit.append(f / scale)
    zo, zf = np.concatenate(z_obs), np.concatenate(z_fit)
    sst = float(np.sum((zo - zo.mean()) ** 2))
    rmse = float(np.sqrt(np.mean((zf - zo) ** 2)))
    rows.append(
        {
            "series": "all",
            "n": int(zo.size),
            "rmse": math.nan,
            "nrmse": rmse,
            "r2": 1.0 - float(np.sum((zf - zo) ** 2)) / sst if sst > 0 else math.nan,
        }
    )
    return pd.DataFrame(rows)


def fit_series(
    scenario: str | Path | dict | Scenario,
    observed: str | Path | pd.DataFrame,
    params: Mapping[str, Sequence[float] | str],
    *,
    brand: str | None = None,
    reps: int = 2,
    root_seed: int | None = None,
    max_evals: int = 20,
    x0: Mapping[str, float] | None = None,
    execution: Execution | None = None,
    overrides: Sequence[str] = (),
    executor: Executor | str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> SeriesFit:
    """Fit parameters to observed KPI series by least squares on the Monte Carlo mean.

    Like every analysis entry point it takes one :class:`~sim.analysis.execution.Execution` (root seed,
    overrides, executor, workers, scheduler, progress). The separate keywords ``root_seed``, ``overrides``,
    ``executor``, ``workers``, ``scheduler`` and ``progress`` are the older call form, still accepted
    (not together with ``execution``).

    Args:
        scenario: The base scenario (its horizon must cover the observations).
        observed: CSV or frame with ``month`` (1-based; month m = days [(m-1)*30.4375, m*30.4375))
            or ``day`` and series columns: stocks (``pool_size``, ``customers``, ``active_members``...,
            end of period), means (``mean_trust``, ``cpm``) or daily ledger/tally columns
            (``revenue``, ``profit``, ``opt_outs``..., summed over the period).
        params: ``{path: (low, high)}`` bounds of the fitted parameters.
        brand: Brand the series belong to (default: the first).
        reps: Common seeds averaged per evaluation.
        root_seed: Older form of ``execution.seed``.
        max_evals: Most residual evaluations by the least-squares solver (each Jacobian adds one
            batch of ``len(params)`` points).
        x0: Starting values (default: the middle of each range).
        execution: Root seed (default: the scenario's ``run.seed``), overrides applied to the base
            scenario first, executor and ``progress(done, total)`` over the planned runs.
        overrides: Older form of ``execution.overrides``.
        executor: Older form of ``execution.executor``.
        workers: Older form of ``execution.workers``.
        scheduler: Older form of ``execution.scheduler``.
        progress: Older form of ``execution.progress``.

    Raises:
        SimInputError: For bad observations, parameters or options, or ``execution`` given together
            with the older keywords.
    """
    older = {"root_seed": root_seed, "overrides": tuple(overrides or ()), "executor": executor,
             "workers": workers, "scheduler": scheduler, "progress": progress}
    given = [k for k, v in older.items() if v not in (None, ())]
    if execution is not None and given:
        raise SimInputError.single("fit_series", given[0], "give either execution=Execution(...) or the separate "
                                   "keywords root_seed, overrides, executor, workers, scheduler, progress, not both")
    ex = as_execution(execution) if execution is not None else Execution(
        seed=root_seed, overrides=overrides or (), executor=executor, workers=workers, scheduler=scheduler,
        progress=progress)
    progress = ex.progress
    sc = ex.resolve(scenario)
    reps = check_reps(reps)
    b = _brand(sc, brand)
    obs, period = read_observed_series(observed, sc.run.days)
    ranges = [parse_range(sc, p, v, source="--param") for p, v in params.items()]
    if not ranges:
        raise SimInputError.single(
            "--param", "params", "name at least one parameter to fit, e.g. messaging.per_week=1:14"
        )
    if isinstance(max_evals, bool) or not isinstance(max_evals, int) or max_evals < 1:
        raise SimInputError.single("--max-evals", "", "must be a whole number of at least 1", max_evals)
    k = len(ranges)
    lows = np.array([r.low for r in ranges])
    widths = np.array([r.high - r.low for r in ranges])
    start = np.full(k, 0.5)
    if x0:
        for j, r in enumerate(ranges):
            for key in (r.path, r.label):
                if key in x0:
                    start[j] = min(max((float(x0[key]) - r.low) / (r.high - r.low), 0.0), 1.0)
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    base = scenario_doc(sc)
    periods = list(obs.index)
    columns = list(obs.columns)
    needed = sorted({STOCKS.get(c, MEANS.get(c, c)) for c in columns} - {"customers"} | {"customer", "member"})
    scale = np.array([float(np.sqrt(np.nanmean(obs[c].to_numpy() ** 2))) or 1.0 for c in columns])
    planned = (max_evals * (k + 1) + 1) * reps
    done = [0]
    history: list[dict[str, Any]] = []
    cache: dict[tuple[float, ...], np.ndarray] = {}

    def values(u: np.ndarray) -> dict[str, float | int]:
        return {r.path: r.value(lo + w * ui) for r, lo, w, ui in zip(ranges, lows, widths, u, strict=True)}

    def simulate(points: list[np.ndarray], pool: Executor) -> list[pd.DataFrame]:
        calls = [(apply_values_doc(base, values(u)), s, tuple(needed)) for u in points for s in seeds]
        start_n = done[0]

        def tick(j: int, _t: int) -> None:
            if progress is not None:
                progress(min(start_n + j, planned), planned)

        parts = ex.map(run_series, calls, on=pool, progress=tick)
        done[0] = start_n + len(calls)
        out = []
        for i in range(len(points)):
            sims = []
            for part in parts[i * reps : (i + 1) * reps]:
                rows = part[part["brand"] == b]
                d = pd.DataFrame({c: rows[f"daily.{c}"].to_numpy() for c in needed})  # daily values, not KPIs
                sims.append(aggregate_run(d, columns, period, periods))
            out.append(sum(sims) / len(sims))
        return out

    def residuals_of(fitted: pd.DataFrame) -> np.ndarray:
        res = (fitted[columns].to_numpy() - obs[columns].to_numpy()) / scale
        return np.nan_to_num(res[~np.isnan(obs[columns].to_numpy())], nan=1e3)

    t0 = datetime.now(UTC)
    with ex.pool((k + 1) * reps) as pool:

        def evaluate(points: list[np.ndarray]) -> list[np.ndarray]:
            todo = [u for u in points if tuple(np.round(u, 12)) not in cache]
            if todo:
                for u, fitted in zip(todo, simulate(todo, pool), strict=True):
                    r = residuals_of(fitted)
                    cache[tuple(np.round(u, 12))] = r
                    history.append({**values(u), "sse": float(np.sum(r**2))})
            return [cache[tuple(np.round(u, 12))] for u in points]

        def fun(u: np.ndarray) -> np.ndarray:
            return evaluate([np.clip(u, 0, 1)])[0]

        def jac(u: np.ndarray) -> np.ndarray:
            u = np.clip(u, 0, 1)
            h = 0.05
            steps = []
            for j in range(k):
                e = np.zeros(k)
                e[j] = h if u[j] + h <= 1 else -h
                steps.append(e)
            f0, *fs = evaluate([u] + [u + e for e in steps])
            return np.column_stack([(f - f0) / e[j] for j, (f, e) in enumerate(zip(fs, steps, strict=True))])

        sol = optimize.least_squares(
            fun, start, jac=jac, bounds=(np.zeros(k), np.ones(k)), method="trf", max_nfev=max_evals, x_scale=np.ones(k)
        )
        hist = pd.DataFrame(history)
        best_u = sol.x
        best = values(best_u)
        fitted = simulate([best_u], pool)[0]
    wall = (datetime.now(UTC) - t0).total_seconds()
    if progress is not None:
        progress(planned, planned)
    quality = fit_quality(obs, fitted)
    fitted_sc = apply_values(sc, best, source="fitted")
    return SeriesFit(
        sc,
        fitted_sc,
        ranges,
        best,
        obs,
        fitted,
        quality,
        hist,
        provenance(
            ex,
            wall_seconds=wall,
            replicates=reps,
            root_seed=root,
            seeds=seeds,
            brand=b,
            period=period,
            evaluations=len(hist),
            runs=done[0],
            optimiser="scipy.optimize.least_squares (trf)",
            message=str(sol.message),
        ),
    )
