"""Key performance indicators computed from a run's daily table.

Every KPI is a pure function of the tidy daily table (one row per day and brand), so a result
loaded from disk gives exactly the KPIs of the run that wrote it. Counts are in people (agents
times ``represents``) and money in the market's currency.

Definitions (per brand, from day 0 up to and including ``day``):

- ``pool_size``: members at the end of ``day``; ``active_members``: members who bought in 90 days.
- ``private_share``: private-channel revenue / all sales revenue (DOMAIN.md: 90/10 -> 70/30 target).
- ``cac``: acquisition spend (ads, content, KOL, partner fees, hooks, invitations, referral rewards)
  per new relationship (first purchases plus direct joins).
- ``cost_per_member``: pool-building spend (content, KOL, partner fees, hooks, invitations,
  referral rewards) per new member.
- ``member_ltv``: discounted member contribution (member sales less COGS, fees and commission, plus
  membership fees, less points, member prices, messages, operators, SaaS, perks and distribution
  commission) per member ever joined, over the horizon (a horizon-truncated LTV).
- ``k_factor``: successful referrals made by the members who joined at least a sharing window
  before ``day`` (so their sharing is over), per such member: the Galton-Watson offspring mean of
  finished cohorts (seed members count as joining on day 0);
  ``viral_share``: referral joins / all joins.
- ``unsubs_per_1000``: opt-outs per 1,000 member sends (industry band 1-4 at weekly cadence).
- ``payback_month``: first month whose closing cumulative profit is >= 0 after a loss (0 if never
  in loss, NaN if never repaid).
- ``marketing_roi``: profit / marketing spend.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

ACQUISITION_SPEND = ("ad_spend", "content_cost", "kol_fees", "partner_fees", "hooks", "invite_costs", "referral_rewards")
POOL_SPEND = ("content_cost", "kol_fees", "partner_fees", "hooks", "invite_costs", "referral_rewards")
MARKETING_SPEND = ACQUISITION_SPEND + ("message_costs", "points_redeemed", "member_discounts", "birthday_perks",
                                       "distribution_commission")
MEMBER_COSTS = ("points_redeemed", "member_discounts", "message_costs", "operator_staff", "saas", "birthday_perks",
                "distribution_commission")
JOIN_COLUMNS = ("joins_organic", "joins_kol", "joins_partner", "joins_interception", "joins_referral")

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
    "ltv_cac": ("LTV / cost per member", "ratio", True),
    "payback_month": ("Payback month", "month", False),
    "k_factor": ("K-factor", "referrals / member", True),
    "viral_share": ("Viral share of joins", "fraction", True),
    "response_rate": ("Purchases per seen message", "fraction", True),
    "unsubs_per_1000": ("Opt-outs per 1,000 sends", "per 1,000", False),
    "mean_trust": ("Mean member trust", "0-1", True),
    "mean_fatigue": ("Mean member fatigue", "messages", False),
    "mean_cpm": ("Mean CPM paid", "currency", False),
}


def _safe_div(a: float, b: float) -> float:
    return float(a) / float(b) if b else math.nan


def payback_month(daily_profit: np.ndarray) -> float:
    """First month whose closing cumulative profit is >= 0 after a loss; 0 if never in loss."""
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


def brand_kpis(d: pd.DataFrame, seeds: float, window: int, discount_rate: float) -> dict[str, float]:
    """KPIs of one brand from its daily rows (sorted by day, already cut at the chosen day)."""
    last = d.iloc[-1]
    s = d.sum(numeric_only=True)
    joins = float(sum(s[c] for c in JOIN_COLUMNS))
    acq = float(sum(s[c] for c in ACQUISITION_SPEND))
    pool_spend = float(sum(s[c] for c in POOL_SPEND))
    mkt = float(sum(s[c] for c in MARKETING_SPEND))
    sales = s["revenue_public"] + s["revenue_private"]
    disc = (1.0 + discount_rate) ** (-d["day"].to_numpy() / 365.0)
    member_contrib = (
        d["member_contribution"].to_numpy()
    )
    ltv = _safe_div(float(np.dot(disc, member_contrib)), seeds + joins)
    cost_per_member = _safe_div(pool_spend, joins)
    day = int(last["day"])
    old_enough = d["day"].to_numpy() <= day - window
    joined_old = seeds + float(sum(d.loc[old_enough, c].sum() for c in JOIN_COLUMNS))
    referrals_old = float(d.loc[old_enough, "cohort_referrals"].sum()) if "cohort_referrals" in d else math.nan
    members_now = last["member"]
    return {
        "pool_size": float(members_now),
        "active_members": float(last["active_members"]),
        "members_joined": joins,
        "customers": float(last["customer"] + last["member"]),
        "opt_outs": float(s["opt_outs"]),
        "complaints": float(s["complaints"]),
        "violations": float(s["violations"]),
        "enforcements": float(s["enforcements"]),
        "breaches": float(s["breaches"]),
        "fines": float(s["fines"]),
        "revenue": float(s["revenue"]),
        "revenue_private": float(s["revenue_private"]),
        "private_share": _safe_div(s["revenue_private"], sales),
        "profit": float(s["profit"]),
        "marketing_spend": mkt,
        "marketing_roi": _safe_div(s["profit"], mkt),
        "cac": _safe_div(acq, s["first_purchases"] + joins),
        "cost_per_member": cost_per_member,
        "member_ltv": ltv,
        "ltv_cac": _safe_div(ltv, cost_per_member) if cost_per_member and cost_per_member > 0 else math.nan,
        "payback_month": payback_month(d["profit"].to_numpy()),
        "k_factor": _safe_div(referrals_old, joined_old),
        "viral_share": _safe_div(s["joins_referral"], joins),
        "response_rate": _safe_div(s["message_purchases"], s["seen"]),
        "unsubs_per_1000": 1000.0 * _safe_div(s["opt_outs"], s["sends"]),
        "mean_trust": float(last["mean_trust"]),
        "mean_fatigue": float(last["mean_fatigue"]),
        "mean_cpm": float(d["cpm"].mean()),
    }
