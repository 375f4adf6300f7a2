"""Key performance indicators computed from a run's daily table, as time series in one pass.

Every KPI is a pure function of the tidy daily table (one row per day and brand), so a result
loaded from disk gives exactly the KPIs of the run that wrote it. :func:`kpi_series` writes every
definition once, with cumulative sums, giving the KPIs for every day in milliseconds (what per-day
uncertainty bands over many replicates need); :func:`brand_kpis` is its last row. Counts are in people (agents
times ``represents``) and money in the market's currency.

Definitions (per brand, from day 0 up to and including ``day``):

- ``pool_size``: members at the end of ``day``; ``active_members``: members who bought in 90 days.
- ``private_share``: private-channel revenue / all sales revenue (ITC c. 2019: the 90/10 -> 70/30 target).
- ``revenue``: every revenue item of the ledger, **recognised when goods are sold**: the cash of a
  stored-value top-up (daily column ``stored_value_cash``) is received in advance and is no revenue; it is
  owed to its holders (the stock ``stored_value_liability``, face value at the end of the day) until spent,
  when the sale is booked as any private sale and the bonus part of the balance spent is a cost
  (``stored_value_bonus``); a balance written off when its holder lapses is income
  (``stored_value_breakage``).
- ``cac``: acquisition spend (ads, content, KOL, partner fees, hooks, invitations, referral rewards, and the
  levers' store, event, livestream-host and own-site costs)
  per new relationship (first purchases plus direct joins).
- ``cost_per_member``: pool-building spend (content, KOL, partner fees, hooks, invitations,
  referral rewards) per new member.
- ``member_ltv``: discounted member contribution (member sales less COGS, fees and commission, plus
  membership fees, less points, member prices, messages, operators, SaaS, perks, distribution
  commission, stored-value bonuses and member benefits) per member ever joined, over the horizon (a
  horizon-truncated LTV).
- ``ltv_cac``: ``member_ltv / cac``, the conventional LTV/CAC: value per member over the full acquisition
  cost, ads included, per new relationship (Skok, SaaS Metrics 2.0: healthy at about 3, CAC counts all sales
  and marketing spend). NaN before any acquisition spend.
- ``ltv_pool_cac``: ``member_ltv / cost_per_member``, the pool-only variant: ads left out, it asks whether
  members repay what it cost to bring buyers into the pool (reads higher than ``ltv_cac``).
- ``k_factor``: successful referrals made by the members who joined at least a sharing window
  before ``day`` (so their sharing is over), per such member: the Galton-Watson offspring mean of
  finished cohorts (seed members count as joining on day 0);
  ``viral_share``: referral joins / all joins.
- ``unsubs_per_1000``: opt-outs per 1,000 member sends (industry band 1-4 at weekly cadence).
- ``mean_trust``: mean trust of the members the day's purchase pass counted (members at the start of
  the day and those who joined earlier that day, e.g. from a KOL campaign). Trust is the chance a
  member reads a brand message they see, so 0.4 reads as "4 of 10 seen messages are read".
- ``payback_month``: first month whose closing cumulative profit is >= 0 after a loss (0 if never
  in loss, NaN if never repaid).
- ``marketing_roi``: profit / marketing spend (acquisition spend plus messages, points, member, livestream
  and group-buying discounts, birthday perks, distribution commission, stored-value bonuses and member
  benefits).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.model import layout as L

__all__ = ["KPI_INFO", "KPI_NAMES", "brand_kpis", "kpi_series", "payback_month"]

ACQUISITION_SPEND = ("ad_spend", "content_cost", "kol_fees", "partner_fees", "hooks", "invite_costs",
                     "referral_rewards",
                     "store_costs", "event_costs", "live_host_fees", "own_site_costs", "own_site_ads")  # (the levers')
POOL_SPEND = ("content_cost", "kol_fees", "partner_fees", "hooks", "invite_costs", "referral_rewards")
MARKETING_SPEND = ACQUISITION_SPEND + ("message_costs", "points_redeemed", "member_discounts", "birthday_perks",
                                       "distribution_commission", "live_discounts", "group_discounts",
                                       "stored_value_bonus", "member_benefits")  # (the last two: issue 13 item 4)
MEMBER_COSTS = ("points_redeemed", "member_discounts", "message_costs", "operator_staff", "saas", "birthday_perks",
                "distribution_commission", "stored_value_bonus", "member_benefits")
#: Joins by source (all but the seed members): the core sources, then those the levers declare (store, event...).
JOIN_COLUMNS = tuple(f"joins_{s}" for s in L.SOURCES[2:])

#: KPI name -> (label, unit, higher is better); drives tables and verdicts.
KPI_INFO: dict[str, tuple[str, str, bool]] = {
    "pool_size": ("Pool size", "people", True),
    "active_members": ("Active members (90 d)", "people", True),
    "members_joined": ("Members joined", "people", True),
    "customers": ("Live customers (incl. members)", "people", True),
    "opt_outs": ("Opt-outs", "people", False),
    "complaints": ("Complaints", "people", False),
    "violations": ("Unlawful messages", "count", False),
    "enforcements": ("Enforcement actions", "count", False),
    "breaches": ("Data breaches", "count", False),
    "fines": ("Fines", "currency", False),
    "revenue": ("Revenue", "currency", True),
    "revenue_private": ("Private-channel revenue", "currency", True),
    "private_share": ("Private share of revenue", "fraction", True),
    "profit": ("Profit", "currency", True),
    "marketing_spend": ("Marketing spend", "currency", False),
    "marketing_roi": ("Marketing ROI", "ratio", True),
    "cac": ("CAC", "currency / customer", False),
    "cost_per_member": ("Cost per member", "currency / member", False),
    "member_ltv": ("Member LTV (discounted)", "currency / member", True),
    "ltv_cac": ("LTV / CAC (all acquisition spend)", "ratio", True),
    "ltv_pool_cac": ("LTV / pool cost per member (no ads)", "ratio", True),
    "payback_month": ("Payback month", "month", False),
    "k_factor": ("K-factor", "referrals / member", True),
    "viral_share": ("Viral share of joins", "fraction", True),
    "response_rate": ("Purchases per seen message", "fraction", True),
    "unsubs_per_1000": ("Opt-outs per 1,000 sends", "per 1,000", False),
    "mean_trust": ("Mean member trust", "0-1", True),
    "mean_fatigue": ("Mean member fatigue", "messages", False),
    "mean_cpm": ("Mean CPM paid", "currency", False),
}


def payback_month(daily_profit: np.ndarray) -> float:
    """First month whose closing cumulative profit is >= 0 after a loss; 0 if never in loss.

    The plain definition; :func:`kpi_series` computes it for every day at once, and the tests check
    that the two agree.
    """
    cum = np.cumsum(daily_profit)
    if cum.size == 0 or cum.min() >= 0:
        return 0.0
    months = math.ceil(cum.size / 30.4375)
    first_loss = int(np.argmax(cum < 0))
    for m in range(1, months + 1):
        end = min(int(round(m * 30.4375)), cum.size) - 1
        if end > first_loss and cum[end] >= 0:
            return float(m)
    return math.nan


#: KPI names in table order.
KPI_NAMES: tuple[str, ...] = tuple(KPI_INFO)
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
    joins = sum(c[j] for j in JOIN_COLUMNS)
    acq = sum(c[j] for j in ACQUISITION_SPEND)
    pool_spend = sum(c[j] for j in POOL_SPEND)
    mkt = sum(c[j] for j in MARKETING_SPEND)
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
        ltv_pool_cac = np.where((cost_per_member > 0) & ~np.isnan(cost_per_member), _div(ltv, cost_per_member),
                                np.nan)
        cac = _div(acq, c["first_purchases"] + joins)
        ltv_cac = np.where((cac > 0) & ~np.isnan(cac), _div(ltv, cac), np.nan)
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
        "cac": cac,
        "cost_per_member": cost_per_member,
        "member_ltv": ltv,
        "ltv_cac": ltv_cac,
        "ltv_pool_cac": ltv_pool_cac,
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
        set(JOIN_COLUMNS)
        | set(ACQUISITION_SPEND)
        | set(POOL_SPEND)
        | set(MARKETING_SPEND)
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


def brand_kpis(d: pd.DataFrame, seeds: float, window: int, discount_rate: float) -> dict[str, float]:
    """KPIs of one brand from its daily rows (sorted by day, already cut at the chosen day)."""
    row = kpi_series(d, seed_members=seeds, share_window_days=window, discount_rate=discount_rate).iloc[-1]
    return {name: float(row[name]) for name in KPI_NAMES}
