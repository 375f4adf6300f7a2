"""Every KPI as a time series: the value :meth:`RunResult.kpis` would give at each day, in one pass.

``RunResult.kpis(day)`` recomputes the KPIs from the daily rows up to ``day``; calling it for every
day of a three-year run costs seconds. Here the same definitions (``sim.results.kpis``) are written
with cumulative sums, so the series of every KPI for every day costs milliseconds, which is what
per-day uncertainty bands over many replicates need. ``tests/test_analysis_replicate.py`` checks
that the two agree exactly on sample days.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.results import kpis as K

__all__ = ["KPI_NAMES", "kpi_series"]

#: KPI names in table order.
KPI_NAMES: tuple[str, ...] = tuple(K.KPI_INFO)
_MONTH = 30.4375


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.full(np.broadcast(a, b).shape, np.nan)
    ok = b != 0
    np.divide(a, b, out=out, where=ok)
    return out


def _payback_series(profit: np.ndarray) -> np.ndarray:
    """:func:`sim.results.kpis.payback_month` of ``profit[:t + 1]`` for every ``t``."""
    cum = np.cumsum(profit)
    n = cum.size
    out = np.zeros(n)
    neg = np.nonzero(cum < 0)[0]
    if neg.size == 0:
        return out
    first_loss = int(neg[0])
    months_total = math.ceil(n / _MONTH)
    # the first month whose full-month end repays (months before the current one end at fixed days)
    first_full = math.inf
    for m in range(1, months_total + 1):
        e = min(int(round(m * _MONTH)), n) - 1
        if e > first_loss and cum[e] >= 0:
            first_full = m
            break
    for t in range(first_loss, n):
        months = math.ceil((t + 1) / _MONTH)
        if first_full < months:
            out[t] = float(first_full)
            continue
        e = min(int(round(months * _MONTH)), t + 1) - 1  # the current month ends at most at t
        out[t] = float(months) if (e > first_loss and cum[e] >= 0) else math.nan
    return out


def kpi_series(
    daily: pd.DataFrame, *, seed_members: float, share_window_days: int, discount_rate: float
) -> pd.DataFrame:
    """Every KPI of one brand at every day (row ``t`` equals ``RunResult.kpis(t)`` for that brand).

    Args:
        daily: The brand's daily rows (``RunResult.brand_daily``), sorted by day from day 0.
        seed_members: People in the pool at day 0 (``result.meta["seed_members"][brand]``).
        share_window_days: The brand's referral sharing window.
        discount_rate: ``scenario.run.discount_rate``.

    Returns:
        A frame with ``day`` and one column per KPI of :data:`sim.results.kpis.KPI_INFO`.
    """
    d = daily
    day = d["day"].to_numpy()
    c = {name: np.cumsum(d[name].to_numpy(dtype=np.float64)) for name in _CUMULATED}
    joins = sum(c[j] for j in K.JOIN_COLUMNS)
    acq = sum(c[j] for j in K.ACQUISITION_SPEND)
    pool_spend = sum(c[j] for j in K.POOL_SPEND)
    mkt = sum(c[j] for j in K.MARKETING_SPEND)
    sales = c["revenue_public"] + c["revenue_private"]
    disc = (1.0 + discount_rate) ** (-day / 365.0)
    ltv = _div(np.cumsum(disc * d["member_contribution"].to_numpy(dtype=np.float64)), seed_members + joins)
    cost_per_member = _div(pool_spend, joins)
    lag = day - share_window_days  # joins on days <= t - window count as "old enough"
    joins_daily = np.diff(np.concatenate([[0.0], joins]))
    cum_joins = np.cumsum(joins_daily)
    old_idx = np.searchsorted(day, lag, side="right") - 1
    joined_old = seed_members + np.where(old_idx >= 0, cum_joins[np.maximum(old_idx, 0)], 0.0)
    if "cohort_referrals" in d:
        cum_cohort = np.cumsum(d["cohort_referrals"].to_numpy(dtype=np.float64))
        referrals_old = np.where(old_idx >= 0, cum_cohort[np.maximum(old_idx, 0)], 0.0)
    else:
        referrals_old = np.full(day.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ltv_cac = np.where((cost_per_member > 0) & ~np.isnan(cost_per_member), _div(ltv, cost_per_member), np.nan)
    cpm = d["cpm"].to_numpy(dtype=np.float64)
    out = {
        "day": day,
        "pool_size": d["member"].to_numpy(dtype=np.float64),
        "active_members": d["active_members"].to_numpy(dtype=np.float64),
        "members_joined": joins,
        "customers": (d["customer"] + d["member"]).to_numpy(dtype=np.float64),
        "opt_outs": c["opt_outs"],
        "complaints": c["complaints"],
        "violations": c["violations"],
        "enforcements": c["enforcements"],
        "breaches": c["breaches"],
        "fines": c["fines"],
        "revenue": c["revenue"],
        "revenue_private": c["revenue_private"],
        "private_share": _div(c["revenue_private"], sales),
        "profit": c["profit"],
        "marketing_spend": mkt,
        "marketing_roi": _div(c["profit"], mkt),
        "cac": _div(acq, c["first_purchases"] + joins),
        "cost_per_member": cost_per_member,
        "member_ltv": ltv,
        "ltv_cac": ltv_cac,
        "payback_month": _payback_series(d["profit"].to_numpy(dtype=np.float64)),
        "k_factor": _div(referrals_old, joined_old),
        "viral_share": _div(c["joins_referral"], joins),
        "response_rate": _div(c["message_purchases"], c["seen"]),
        "unsubs_per_1000": 1000.0 * _div(c["opt_outs"], c["sends"]),
        "mean_trust": d["mean_trust"].to_numpy(dtype=np.float64),
        "mean_fatigue": d["mean_fatigue"].to_numpy(dtype=np.float64),
        "mean_cpm": np.cumsum(cpm) / np.arange(1, cpm.size + 1),
    }
    missing = set(KPI_NAMES) - set(out)
    if missing:  # a KPI was added to sim.results.kpis without a series here
        raise NotImplementedError(f"kpi_series lacks {sorted(missing)}")
    return pd.DataFrame({k: out[k] for k in ("day", *KPI_NAMES)})


_CUMULATED = tuple(
    sorted(
        set(K.JOIN_COLUMNS)
        | set(K.ACQUISITION_SPEND)
        | set(K.POOL_SPEND)
        | set(K.MARKETING_SPEND)
        | {
            "revenue_public",
            "revenue_private",
            "opt_outs",
            "complaints",
            "violations",
            "enforcements",
            "breaches",
            "fines",
            "revenue",
            "profit",
            "first_purchases",
            "joins_referral",
            "message_purchases",
            "seen",
            "sends",
        }
    )
)
