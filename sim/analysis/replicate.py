"""Replicates: Monte Carlo runs of one scenario, with means and 5-95% bands for every KPI.

A scenario is run ``n`` times with seeds spawned from one root seed (NumPy ``SeedSequence``), so
the ensemble is reproducible from ``(scenario, root seed, n)`` and a larger ensemble extends a
smaller one. Each run returns the series of every KPI (the value ``RunResult.kpis(day)`` would give
at each day) plus a few daily columns; the ensemble summarises them across seeds: mean, standard
deviation and the empirical 5th, 50th and 95th percentiles (linear interpolation), per day or at a
chosen day. The bands describe the spread of outcomes between runs (what a strategist may see),
not the uncertainty of the mean; for the latter use :meth:`Ensemble.kpi_summary`'s ``sd`` over
``sqrt(n)``, or the paired comparisons of :mod:`sim.analysis.compare`.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import DEFAULT_DAILY, run_series, spawn_seeds
from sim.analysis.paths import scenario_doc
from sim.errors import SimInputError
from sim.results.folders import check_runs_table, json_object, scenario_file, table_file, whole_numbers
from sim.results.kpis import KPI_NAMES
from sim.results.result import read_folder, write_folder
from sim.scenario.loader import suggest
from sim.scenario.schema import Scenario

__all__ = ["MAX_REPLICATES", "Ensemble", "load_ensemble", "replicate", "summarise"]

#: Most replicates of one scenario in one call.
MAX_REPLICATES = 10_000
QUANTILES = (0.05, 0.5, 0.95)


def summarise(values: pd.DataFrame | pd.Series) -> dict[str, float]:
    """Mean, sd and 5/50/95% percentiles of a sample (NaNs ignored)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return {"mean": np.nan, "sd": np.nan, "p05": np.nan, "p50": np.nan, "p95": np.nan, "n": 0}
    q = np.percentile(v, [100 * x for x in QUANTILES])
    return {
        "mean": float(v.mean()),
        "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0,
        "p05": float(q[0]),
        "p50": float(q[1]),
        "p95": float(q[2]),
        "n": int(v.size),
    }


@dataclass
class Ensemble:
    """Replicate runs of one scenario.

    Attributes:
        scenario: The resolved scenario (its ``run.seed`` is not used; see ``seeds``).
        seeds: The run seeds, in replicate order.
        root_seed: The seed the run seeds were spawned from.
        series: Tidy table ``seed, day, brand``, every KPI, and ``daily.<column>`` daily values.
        meta: Provenance (version, executor, timing).
    """

    scenario: Scenario
    seeds: list[int]
    root_seed: int
    series: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def brands(self) -> list[str]:
        """Brand names in scenario order."""
        return [b.name for b in self.scenario.brands]

    @property
    def last_day(self) -> int:
        """The last simulated day (0-based)."""
        return int(self.series["day"].max())

    def _brand(self, brand: str | None) -> str:
        if brand is None:
            if len(self.brands) == 1:
                return self.brands[0]
            raise SimInputError.single(
                "brand", "brand", f"this scenario has {len(self.brands)} brands; choose one of {', '.join(self.brands)}"
            )
        if brand not in self.brands:
            best = suggest(brand, self.brands)
            raise SimInputError.single(
                "brand",
                "brand",
                f"unknown brand; known: {', '.join(self.brands)}" + (f". Did you mean {best!r}?" if best else ""),
                brand,
            )
        return brand

    def _day(self, day: int | None) -> int:
        if day is None:
            return self.last_day
        if not 0 <= int(day) <= self.last_day:
            raise SimInputError.single("day", "day", f"must be between 0 and {self.last_day}", day)
        return int(day)

    def metric_column(self, metric: str) -> str:
        """The series column of a KPI name or a daily column.

        ``profit`` is the KPI (cumulative); ``daily.profit`` the day's profit; ``member`` the daily census.
        """
        if metric in KPI_NAMES:
            return metric
        for col in (metric, f"daily.{metric}"):
            if col in self.series.columns and col not in ("seed", "day", "brand"):
                return col
        known = list(KPI_NAMES) + [c for c in self.series.columns if c.startswith("daily.")]
        best = suggest(metric, known)
        raise SimInputError.single(
            "metric",
            "metric",
            "is neither a KPI nor a daily column of this ensemble"
            + (f". Did you mean {best!r}?" if best else f"; KPIs: {', '.join(KPI_NAMES)}"),
            metric,
        )

    def samples(self, day: int | None = None) -> pd.DataFrame:
        """One row per (seed, brand): every KPI at ``day`` (default: the last day)."""
        d = self._day(day)
        rows = self.series[self.series["day"] == d]
        return rows[["seed", "brand", *KPI_NAMES]].reset_index(drop=True)

    def kpi_summary(self, day: int | None = None) -> pd.DataFrame:
        """Tidy summary at ``day``: ``brand, kpi, mean, sd, p05, p50, p95, n`` (n = seeds with a value)."""
        s = self.samples(day)
        rows = []
        for b in self.brands:
            sb = s[s["brand"] == b]
            for k in KPI_NAMES:
                rows.append({"brand": b, "kpi": k, **summarise(sb[k])})
        return pd.DataFrame(rows, columns=["brand", "kpi", "mean", "sd", "p05", "p50", "p95", "n"])

    def daily_bands(self, metric: str, brand: str | None = None) -> pd.DataFrame:
        """Per-day ``day, mean, p05, p50, p95`` of a KPI (cumulative to that day) or a daily column."""
        col = self.metric_column(metric)
        b = self._brand(brand)
        s = self.series[self.series["brand"] == b]
        wide = s.pivot(index="day", columns="seed", values=col).to_numpy(dtype=np.float64)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(wide, axis=1)
                q = np.nanpercentile(wide, [100 * x for x in QUANTILES], axis=1)
        return pd.DataFrame({"day": np.sort(s["day"].unique()), "mean": mean, "p05": q[0], "p50": q[1], "p95": q[2]})

    # ---- persistence -------------------------------------------------------------------------------
    def files(self) -> dict[str, bytes]:
        """The files of a run folder for this ensemble."""
        buf = io.BytesIO()
        self.series.to_parquet(buf, index=False)
        return {
            "scenario.yaml": _yaml(scenario_doc(self.scenario)),
            "series.parquet": buf.getvalue(),
            "kpi_samples.csv": self.samples().to_csv(index=False).encode(),
            "kpi_summary.csv": self.kpi_summary().to_csv(index=False).encode(),
            "meta.json": json.dumps(
                {**self.meta, "seeds": self.seeds, "root_seed": self.root_seed}, indent=2, default=str
            ).encode(),
        }

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Write an atomic run folder (resolved scenario, manifest, series, KPI samples and summary)."""
        return write_folder(
            Path(folder),
            self.files(),
            overwrite=overwrite,
            extra_manifest={"kind": "replicate", "replicates": len(self.seeds)},
        )


def load_ensemble(folder: str | Path) -> Ensemble:
    """Load a folder written by :meth:`Ensemble.save` (checksums verified)."""
    files = read_folder(Path(folder), keep=("scenario.yaml", "series.parquet", "meta.json"))
    for name in ("scenario.yaml", "series.parquet", "meta.json"):
        if name not in files:
            raise SimInputError.single(str(folder), name, "is missing: this is not a replicate (ensemble) folder")
    where = Path(folder)
    sc = scenario_file(files, "scenario.yaml", where)  # safe YAML rules, validated
    meta = json_object(files, "meta.json", where)
    seeds = whole_numbers(meta.pop("seeds", None), where, "seeds")
    root = meta.pop("root_seed", None)
    if not isinstance(root, int) or isinstance(root, bool):
        raise SimInputError.single(str(folder), "meta.json: root_seed", "must be a whole number", root)
    series = table_file(files, "series.parquet", where, ("seed", "day", "brand", *KPI_NAMES))
    check_runs_table(series, where, "series.parquet", ("seed", "day", "brand"), seeds)
    return Ensemble(sc, seeds, root, series, meta)


def _yaml(doc: dict[str, Any]) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


def check_reps(n: int, name: str = "reps") -> int:
    """Validate a replicate count."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= int(n) <= MAX_REPLICATES:
        raise SimInputError.single(name, "", f"must be a whole number from 1 to {MAX_REPLICATES:,}", n)
    return int(n)


#: Bytes per value of an ensemble's series (8-byte numbers, a shared brand name), twice over while the
#: runs are concatenated (measured: 367 bytes per run, day and brand for the 44 default columns).
SERIES_BYTES_PER_VALUE = 2 * 9


def check_series_memory(scenarios: Sequence[Scenario], reps: int, daily_columns: Sequence[str] = DEFAULT_DAILY,
                        source: str = "replicates") -> None:
    """Refuse, before any run, an ensemble whose KPI series would not fit in memory (see ``sim.api.memory_cap``).

    Raises:
        SimInputError: Stating the estimate and the cap.
    """
    from sim.api import _size, memory_cap

    per_day = SERIES_BYTES_PER_VALUE * (3 + len(KPI_NAMES) + len(daily_columns))  # seed, day, brand, KPIs, daily
    need = sum(reps * s.run.days * len(s.brands) * per_day for s in scenarios)
    cap, how = memory_cap()
    if cap is not None and need > cap:
        days = max(s.run.days for s in scenarios)
        raise SimInputError.single(
            source, "reps",
            f"{reps:,} replicates x {days:,} days keep about {_size(need)} of KPI series in memory; the cap is "
            f"{_size(cap)} ({how}); use fewer replicates or a shorter run.days",
            reps,
        )


def provenance(executor: Any, **extra: Any) -> dict[str, Any]:
    """Metadata common to every analysis folder (``executor``: an :class:`Execution` or an executor kind)."""
    from sim import __version__

    if isinstance(executor, Execution):
        kind = executor.kind
    else:
        kind = executor if isinstance(executor, str) or executor is None else type(executor).__name__
    return {
        "version": __version__,
        "executor": kind or "process",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }


def replicate(
    scenario: str | Path | dict | Scenario,
    n: int,
    *,
    execution: Execution | None = None,
    daily_columns: Sequence[str] = DEFAULT_DAILY,
) -> Ensemble:
    """Run a scenario ``n`` times with seeds spawned from one root seed.

    Args:
        scenario: A preset name, YAML path, document or :class:`Scenario`.
        n: Number of replicates.
        execution: Root seed (default: the scenario's ``run.seed``), overrides, executor and progress
            (:class:`~sim.analysis.execution.Execution`; default: a local process pool).
        daily_columns: Daily columns kept besides the KPI series.

    Returns:
        The :class:`Ensemble`.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    n = check_reps(n, "n")
    _check_daily(daily_columns)
    check_series_memory([sc], n, daily_columns)
    root = ex.root(sc)
    seeds = spawn_seeds(root, n)
    doc = scenario_doc(sc)
    t0 = datetime.now(UTC)
    parts = ex.map(run_series, [(doc, s, tuple(daily_columns)) for s in seeds])
    wall = (datetime.now(UTC) - t0).total_seconds()
    series = pd.concat(parts, ignore_index=True)
    return Ensemble(sc, seeds, root, series, provenance(ex, wall_seconds=wall, replicates=n))


def _check_daily(columns: Sequence[str]) -> None:
    from sim.model import layout as L

    known = (
        set(L.STAGES)
        | set(L.MONEY)
        | set(L.TALLY)
        | {"revenue", "costs", "profit", "mean_trust", "mean_fatigue", "member_contribution"}
    )
    for c in columns:
        if c not in known:
            best = suggest(c, sorted(known))
            raise SimInputError.single(
                "daily columns", c, "is not a daily column" + (f". Did you mean {best!r}?" if best else "")
            )
