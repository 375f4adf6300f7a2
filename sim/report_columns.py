"""The report's columns: one brand of one scenario over one or more replicate runs.

A :class:`Column` carries what the report, the verdict and the dashboard's comparison read of a brand:
its daily frames (one per replicate), KPI statistics at a day, bands of a series, mean flows and the
mean cost breakdown. :func:`columns_of` builds the columns of a run, a comparison, an ensemble or a
list of results; :func:`mixed_currency` says when money must be compared in US dollars.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import figures
from sim.errors import SimInputError
from sim.i18n import t
from sim.model import layout as L
from sim.results.result import RunResult
from sim.scenario.schema import Scenario, market_fx

__all__ = ["Column", "columns_of", "display_label", "frame_of", "mixed_currency", "relabel", "replicate_columns"]

# ------------------------------------------------------------------------------------------------
# Columns: one brand of one scenario, over one or more replicate runs
# ------------------------------------------------------------------------------------------------


@dataclass
class Column:
    """One brand of one scenario over one or more replicate runs.

    Attributes:
        label: Column label (scenario name, or ``scenario / brand``).
        scenario: The resolved scenario.
        brand: Brand name.
        frames: One frame per replicate: ``day``, every KPI (cumulative to that day) and
            ``daily.<column>`` daily values (the layout of ``sim.analysis`` ensembles).
        seeds: The replicate seeds, in the order of ``frames``.
        result: One full run (the median replicate by profit, for journeys), if available.
        results: Every replicate's full run, in the order of ``frames``, when kept (for mean flows).
    """

    label: str
    scenario: Scenario
    brand: str
    frames: list[pd.DataFrame]
    seeds: list[int] = field(default_factory=list)
    result: RunResult | None = None
    results: list[RunResult] = field(default_factory=list, repr=False)
    _memo: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def currency(self) -> str:
        """The market's currency."""
        return self.scenario.market.currency

    @property
    def fx(self) -> float:
        """Units of the currency per US dollar (NaN if unknown)."""
        try:
            return float(market_fx(self.scenario.market))
        except ValueError:
            return math.nan

    @property
    def last_day(self) -> int:
        """The last day common to every replicate."""
        return int(min(f["day"].max() for f in self.frames))

    @property
    def n(self) -> int:
        """Number of replicates."""
        return len(self.frames)

    def samples(self, kpi: str, day: int) -> np.ndarray:
        """The KPI at ``day`` in each replicate (own currency)."""
        key = ("samples", kpi, int(day))
        if key not in self._memo:
            out = []
            for f in self.frames:
                days = f["day"].to_numpy()
                i = int(day) if 0 <= day < days.size and days[int(day)] == day else int(np.searchsorted(days, day))
                out.append(float(f[kpi].iat[i]) if i < days.size and days[i] == day else math.nan)
            self._memo[key] = np.asarray(out, dtype=float)
        return self._memo[key]

    def stat(self, kpi: str, day: int, how: str = "mean") -> float:
        """Mean (or ``p05``/``p50``/``p95``) of a KPI at ``day`` over replicates, NaNs ignored."""
        v = self.samples(kpi, day)
        v = v[~np.isnan(v)]
        if v.size == 0:
            return math.nan
        if how == "mean":
            return float(v.mean())
        return float(np.percentile(v, {"p05": 5, "p50": 50, "p95": 95}[how]))

    def bands(self, metric: str, scale: float = 1.0) -> pd.DataFrame:
        """Day-by-day mean and 5-95% band of a series of :data:`sim.figures.SERIES`."""
        key = ("bands", metric, float(scale))
        if key not in self._memo:
            self._memo[key] = figures.series_bands(self.frames, metric, scale=scale)
        return self._memo[key]

    def mean_breakdown(self, day: int) -> pd.Series:
        """Every ledger item summed from day 0 to ``day``, mean over replicates (ends at the mean profit).

        Read from the ``daily.<item>`` columns of the frames: the same runs, and so the same profit,
        as :meth:`stat` gives the cards.
        """
        vals = {}
        for item in L.MONEY:
            col = f"daily.{item}"
            sums = [float(f.loc[f["day"] <= day, col].sum()) for f in self.frames if col in f]
            vals[item] = float(np.mean(sums)) if sums else 0.0
        return pd.Series(vals, dtype=float)

    def mean_flows(self, day: int) -> pd.DataFrame | None:
        """Stage-to-stage moves from day 0 to ``day``, mean over the replicate runs (``from, to, people``).

        ``None`` when the full runs were not kept (ensembles keep daily series only).
        """
        if not self.results:
            return None
        parts = []
        for r in self.results:
            f = r.flow_totals(0, day)
            parts.append(f[f["brand"] == self.brand][["from", "to", "people"]])
        total = pd.concat(parts, ignore_index=True).groupby(["from", "to"], as_index=False)["people"].sum()
        total["people"] = total["people"].astype(float) / len(self.results)
        return total

    def mean_series(self, metric: str, scale: float = 1.0) -> np.ndarray:
        """The mean over replicates of a series."""
        key = ("mean", metric, float(scale))
        if key not in self._memo:
            self._memo[key] = figures.series_mean(self.frames, metric, scale=scale)
        return self._memo[key]


def frame_of(result: RunResult, brand: str) -> pd.DataFrame:
    """One brand of one run in ensemble layout: ``day``, every KPI series and ``daily.<column>``."""
    from sim.results.kpis import kpi_series

    d = result.brand_daily(brand)
    b = next(x for x in result.scenario.brands if x.name == brand)
    s = kpi_series(d, seed_members=float(result.meta.get("seed_members", {}).get(brand, 0.0)),
                   share_window_days=b.strategy.referral.share_window_days,
                   discount_rate=result.scenario.run.discount_rate)
    extra = {f"daily.{c}": d[c].to_numpy(dtype=float) for c in d.columns if c not in ("day", "brand")}
    return pd.concat([s.reset_index(drop=True), pd.DataFrame(extra)], axis=1)


def replicate_columns(label: str, runs: Sequence[RunResult]) -> list[Column]:
    """Columns (one per brand) over several full replicate runs of one scenario.

    Every quantity of a column — KPIs, bands, mean flows, the mean ledger — then comes from the same
    runs; ``result`` is the median run by profit at the last day (for journeys).
    """
    runs = list(runs)
    if not runs:
        raise SimInputError.single("report", label, "needs at least one run")
    sc = runs[0].scenario
    brands = list(runs[0].brands)
    seeds = [int(r.scenario.run.seed) for r in runs]
    cols = []
    for b in brands:
        frames = [frame_of(r, b) for r in runs]
        profits = [float(f["profit"].iat[-1]) for f in frames]
        order = np.argsort(np.nan_to_num(np.asarray(profits), nan=-np.inf), kind="stable")
        median = runs[int(order[(len(runs) - 1) // 2])]
        cols.append(Column(_label(label, b, len(brands)), sc, b, frames, seeds, median, runs))
    return cols


def _label(name: str, brand: str, n_brands: int) -> str:
    return name if n_brands == 1 else f"{name} / {brand}"


def columns_of(obj: Any, results: dict[str, RunResult] | None = None) -> list[Column]:
    """Columns of a RunResult, a Comparison, a ComparisonEnsemble, an Ensemble or a list of results.

    Args:
        obj: What to report on.
        results: For ensembles, one full run per scenario name (for Sankey and waterfall charts).
    """
    if isinstance(obj, list) and obj and all(isinstance(c, Column) for c in obj):
        return obj
    if isinstance(obj, RunResult):
        return [Column(_label(obj.scenario.name, b, len(obj.brands)), obj.scenario, b, [frame_of(obj, b)],
                       [int(obj.scenario.run.seed)], obj) for b in obj.brands]
    if isinstance(obj, list | tuple) and obj and all(isinstance(r, RunResult) for r in obj):
        cols = []
        for r in obj:
            cols += columns_of(r)
        return cols
    kind = type(obj).__name__
    if kind == "Comparison":
        cols = []
        for name, res in obj.results.items():
            for b in res.brands:
                cols.append(Column(_label(name, b, len(res.brands)), res.scenario, b, [frame_of(res, b)],
                                   [int(res.scenario.run.seed)], res))
        return cols
    if kind == "ComparisonEnsemble":
        cols = []
        for name, ens in obj.ensembles.items():
            cols += _ensemble_columns(name, ens, (results or {}).get(name))
        return cols
    if kind == "Ensemble":
        return _ensemble_columns(obj.scenario.name, obj, (results or {}).get(obj.scenario.name))
    raise SimInputError.single("report", "", "cannot report on this object; expected a run result, a comparison or "
                               "an ensemble", kind)


def _ensemble_columns(name: str, ens: Any, result: RunResult | None) -> list[Column]:
    cols = []
    brands = [b.name for b in ens.scenario.brands]
    for b in brands:
        s = ens.series[ens.series["brand"] == b]
        frames = [s[s["seed"] == seed].sort_values("day").reset_index(drop=True) for seed in ens.seeds]
        cols.append(Column(_label(name, b, len(brands)), ens.scenario, b, frames, list(ens.seeds), result))
    return cols


def display_label(label: str, lang: str = "en") -> str:
    """A column label with preset scenario ids replaced by their translated names.

    ``china_in_china`` becomes "China playbook in China" (or its Chinese/Japanese name);
    ``head_to_head_japan / China playbook`` keeps the brand after the slash.
    """
    from sim.i18n import has

    scenario, sep, brand = label.partition(" / ")
    key = f"preset.{scenario}"
    base = t(key, lang) if has(key) else scenario
    return f"{base}{sep}{brand}"


def relabel(columns: Sequence[Column], lang: str = "en") -> list[Column]:
    """The columns with display labels (see :func:`display_label`), in place; returns them."""
    for c in columns:
        c.label = display_label(c.label, lang)
    return list(columns)


def mixed_currency(columns: Sequence[Column]) -> bool:
    """Whether the columns' currencies differ (money is then compared in US dollars)."""
    return len({c.currency for c in columns}) > 1
