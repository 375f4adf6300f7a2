"""Series helpers: derived daily metrics of a run and day-by-day bands over replicate runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.results.kpis import JOIN_COLUMNS


@dataclass(frozen=True)
class SeriesInfo:
    """A daily series the charts can show: its unit and whether it is a money amount."""

    unit: str
    money: bool = False


#: Metrics offered on time-series charts (labels in the string tables under ``metric.<name>``).
SERIES: Mapping[str, SeriesInfo] = {
    "member": SeriesInfo("people"),
    "active_members": SeriesInfo("people"),
    "customers": SeriesInfo("people"),
    "cum_profit": SeriesInfo("currency", money=True),
    "cum_revenue": SeriesInfo("currency", money=True),
    "profit_30d": SeriesInfo("currency", money=True),
    "private_share_30d": SeriesInfo("fraction"),
    "mean_trust": SeriesInfo("0-1"),
    "mean_fatigue": SeriesInfo("messages"),
    "cum_joins": SeriesInfo("people"),
    "cum_opt_outs": SeriesInfo("people"),
    "cum_complaints": SeriesInfo("people"),
    "cum_fines": SeriesInfo("currency", money=True),
    "cpm": SeriesInfo("currency", money=True),
}

_JOINS = JOIN_COLUMNS  # every join source, the levers' (store, live, group...) included


def _rolling_sum(x: np.ndarray, window: int) -> np.ndarray:
    c = np.cumsum(np.concatenate([[0.0], x.astype(float)]))
    idx = np.arange(1, x.size + 1)
    return c[idx] - c[np.maximum(idx - window, 0)]


#: Series read directly from a KPI column of the ensemble layout (``sim.analysis`` series frames).
_FROM_KPI = {"member": "pool_size", "active_members": "active_members", "customers": "customers",
             "cum_profit": "profit", "cum_revenue": "revenue", "mean_trust": "mean_trust",
             "mean_fatigue": "mean_fatigue", "cum_joins": "members_joined", "cum_opt_outs": "opt_outs",
             "cum_complaints": "complaints", "cum_fines": "fines"}


def series_values(daily: pd.DataFrame, metric: str) -> np.ndarray:
    """One derived daily series of one brand, in the run's currency.

    ``daily`` is either a brand's daily rows (``RunResult.brand_daily``) or a frame in the ensemble
    layout of ``sim.analysis`` (``day``, KPI series, ``daily.<column>``).
    """
    if metric not in SERIES:
        raise KeyError(f"unknown series {metric!r}; known: {', '.join(SERIES)}")
    if "daily.profit" in daily.columns or "pool_size" in daily.columns:
        return _ensemble_values(daily, metric)
    d = daily
    if metric in ("member", "active_members", "mean_trust", "mean_fatigue", "cpm"):
        return d[metric].to_numpy(dtype=float)
    if metric == "customers":
        return (d["customer"] + d["member"]).to_numpy(dtype=float)
    if metric == "cum_profit":
        return np.cumsum(d["profit"].to_numpy(dtype=float))
    if metric == "cum_revenue":
        return np.cumsum(d["revenue"].to_numpy(dtype=float))
    if metric == "profit_30d":
        return _rolling_sum(d["profit"].to_numpy(dtype=float), 30)
    if metric == "private_share_30d":
        return _rolling_share(d["revenue_private"].to_numpy(dtype=float), d["revenue_public"].to_numpy(dtype=float))
    if metric == "cum_joins":
        return np.cumsum(d[list(_JOINS)].sum(axis=1).to_numpy(dtype=float))
    return np.cumsum(d[metric.removeprefix("cum_")].to_numpy(dtype=float))


def _rolling_share(private: np.ndarray, public: np.ndarray, window: int = 30) -> np.ndarray:
    priv = _rolling_sum(private, window)
    pub = _rolling_sum(public, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(priv + pub > 0, priv / np.maximum(priv + pub, 1e-300), np.nan)


def _ensemble_values(f: pd.DataFrame, metric: str) -> np.ndarray:
    if metric in _FROM_KPI:
        return f[_FROM_KPI[metric]].to_numpy(dtype=float)
    if metric == "cpm":
        return f["daily.cpm"].to_numpy(dtype=float) if "daily.cpm" in f else f["mean_cpm"].to_numpy(dtype=float)
    if metric == "profit_30d":
        return _rolling_sum(f["daily.profit"].to_numpy(dtype=float), 30)
    if metric == "private_share_30d":
        if "daily.revenue_private" in f and "daily.revenue_public" in f:
            return _rolling_share(f["daily.revenue_private"].to_numpy(dtype=float),
                                  f["daily.revenue_public"].to_numpy(dtype=float))
        return f["private_share"].to_numpy(dtype=float)  # cumulative share when daily revenue is absent
    raise KeyError(metric)


def series_bands(dailies: Sequence[pd.DataFrame], metric: str, *, scale: float = 1.0,
                 low: float = 0.05, high: float = 0.95) -> pd.DataFrame:
    """Day-by-day mean and percentiles of a derived series over replicate runs of one brand.

    Args:
        dailies: The daily rows of one brand, one DataFrame per replicate.
        metric: A key of :data:`SERIES`.
        scale: Multiplier applied to money series (e.g. ``1 / fx`` to show US dollars).
        low: Lower quantile of the band.
        high: Upper quantile of the band.

    Returns:
        Columns ``day, mean, p05, p50, p95`` (p05/p95 equal the mean for a single run).
    """
    if not dailies:
        return pd.DataFrame(columns=["day", "mean", "p05", "p50", "p95"])
    n = min(len(d) for d in dailies)
    mult = scale if SERIES.get(metric, SeriesInfo("")).money else 1.0
    stack = np.vstack([series_values(d.iloc[:n], metric) * mult for d in dailies])
    days = dailies[0]["day"].to_numpy()[:n]
    mean, q = _mean_quantiles(stack, (low, 0.5, high))
    return pd.DataFrame({"day": days, "mean": mean, "p05": q[0], "p50": q[1], "p95": q[2]})


def _mean_quantiles(stack: np.ndarray, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Column means and quantiles ignoring NaNs, fast when most columns have none."""
    bad = np.isnan(stack).any(axis=0)
    mean = np.full(stack.shape[1], np.nan)
    q = np.full((len(qs), stack.shape[1]), np.nan)
    good = ~bad
    if good.any():
        mean[good] = stack[:, good].mean(axis=0)
        q[:, good] = np.quantile(stack[:, good], qs, axis=0)
    for j in np.nonzero(bad)[0]:
        col = stack[:, j]
        col = col[~np.isnan(col)]
        if col.size:
            mean[j] = col.mean()
            q[:, j] = np.quantile(col, qs)
    return mean, q


def series_mean(dailies: Sequence[pd.DataFrame], metric: str, *, scale: float = 1.0) -> np.ndarray:
    """Day-by-day mean over replicates of a derived series (NaNs ignored)."""
    n = min(len(d) for d in dailies)
    mult = scale if SERIES.get(metric, SeriesInfo("")).money else 1.0
    stack = np.vstack([series_values(d.iloc[:n], metric) * mult for d in dailies])
    with np.errstate(invalid="ignore"):
        counts = (~np.isnan(stack)).sum(axis=0)
        total = np.nansum(stack, axis=0)
    return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def crossover_day(a: np.ndarray, b: np.ndarray) -> int | None:
    """The last day on which the sign of ``a - b`` changes (``None`` if it never does)."""
    n = min(a.size, b.size)
    diff = np.sign(np.asarray(a[:n], float) - np.asarray(b[:n], float))
    nz = np.nonzero(diff)[0]
    if nz.size < 2:
        return None
    signs = diff[nz]
    changes = np.nonzero(signs[1:] != signs[:-1])[0]
    return int(nz[changes[-1] + 1]) if changes.size else None


def first_day_at_or_above(x: np.ndarray, level: float, *, start: int = 0, hold: int = 1) -> int | None:
    """The first day from ``start`` on which a series reaches ``level`` and holds it for ``hold`` days.

    A run that reaches the level less than ``hold`` days before its end counts; ``None`` if never.
    """
    above = np.nan_to_num(np.asarray(x, float), nan=-np.inf) >= level
    n = above.size
    for d in np.nonzero(above)[0]:
        if d < start:
            continue
        if above[d : min(d + hold, n)].all():
            return int(d)
    return None
