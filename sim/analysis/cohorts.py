"""Cohorts and unit economics of a brand's pool, from every consumer's end state and the daily ledger.

Retention, revenue and payback by join source and join month; member LTV with the value of the members
they referred; acquisition cost with every acquisition spend; and the terminal value of the pool at
the horizon as an explicit option.

Read from the end-of-run state of every consumer (``MarketModel.final_state``: stage, join day, referrer,
lifetime spend on the public and private channel; plus the join source) and the run's daily ledger.
Definitions (all per brand, money in the market's currency, people = agents x ``market.represents``):

* **member** - a consumer who joined the brand's pool at least once (a re-joiner counts once, in the
  cohort of the last join); **retained** - still a member at the horizon;
* **revenue per member** - lifetime spend at the brand on both channels (including purchases made before
  joining); **contribution** - revenue x (1 - COGS rate - payment fee rate) - public-channel revenue x
  platform commission (the gross margin of the daily ``member_contribution``, before member costs);
* **LTV with referrals** - a member's own contribution plus the contribution of the members who named
  them as referrer (one generation);
* **acquisition cost** - every acquisition ledger item (ads, content, KOL, partners, hooks, invitations,
  referral rewards: ``sim.results.kpis.ACQUISITION_SPEND``) over the members who joined. By source, spend
  that serves one source is charged to it (KOL fees to KOL joins, partner fees to partner joins, hooks
  and invitations to interception, referral rewards to referral joins, content to organic follows);
  ads, which make consumers aware for every route, are shared in proportion to joins (assumption);
* **payback month** of a cohort - acquisition cost per member over its contribution per member per
  month since joining (assumption: a constant monthly contribution);
* **terminal value** (off unless asked) - the members at the horizon times the discounted value of a
  perpetuity of the recent monthly member contribution with the recent monthly retention:
  ``V = members x m x r / (1 + i - r)``, with ``m`` the member contribution per member-month over the last
  90 days, ``r`` one minus the monthly lapse rate over the last 90 days, and ``i`` the monthly discount rate
  from ``run.discount_rate``. It is a stated option because it is an extrapolation beyond the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import spawn_seeds
from sim.analysis.paths import scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand
from sim.model import layout as L
from sim.results.kpis import ACQUISITION_SPEND
from sim.scenario.schema import Scenario

__all__ = ["CohortReport", "SPEND_OF_SOURCE", "cohorts", "final_state", "run_cohorts"]

MONTH = 30.4375
#: Acquisition ledger items charged to one join source; the rest (ads) is shared in proportion to joins.
SPEND_OF_SOURCE: dict[str, tuple[str, ...]] = {
    "organic": ("content_cost",),
    "kol": ("kol_fees",),
    "partner": ("partner_fees",),
    "interception": ("hooks", "invite_costs"),
    "referral": ("referral_rewards",),
}
SHARED_SPEND = tuple(c for c in ACQUISITION_SPEND if all(c not in v for v in SPEND_OF_SOURCE.values()))


def final_state(model: Any, k: int) -> pd.DataFrame:
    """Per-consumer end state of brand ``k``, from the model's ``final_state()``."""
    fs = model.final_state()
    return pd.DataFrame({
        "stage": fs["stage"][:, k].astype(np.int64),
        "joined": fs["joined"][:, k].astype(np.int64),
        "referrer": fs["referrer"][:, k].astype(np.int64),
        "spend_public": fs["spend_public"][:, k].astype(np.float64),
        "spend_private": fs["spend_private"][:, k].astype(np.float64),
        "source": fs["source"][:, k].astype(np.int64),
    })


def run_cohorts(scenario: Any, seed: int, brand: str, terminal_value: bool = False) -> dict[str, Any]:
    """Run once and compute the cohort tables of ``brand`` (a work unit: scenario and seed in its arguments)."""
    from sim.analysis.executors import _scenario
    from sim.api import check_memory
    from sim.model.market import MarketModel
    from sim.results.result import RunResult

    sc = _scenario(scenario, seed)
    check_memory(sc)
    model = MarketModel(sc)
    model.run_days(None)
    res = RunResult.from_model(model)
    k = [b.name for b in sc.brands].index(brand)
    st = final_state(model, k)
    daily = res.brand_daily(brand)
    out = _tables(sc, k, st, daily, terminal_value)
    out["seed"] = int(seed)
    return out


def _tables(sc: Scenario, k: int, st: pd.DataFrame, daily: pd.DataFrame, terminal: bool) -> dict[str, Any]:
    rep = float(sc.market.represents)
    strat = sc.brands[k].strategy
    plat = sc.market.platforms
    days = int(daily["day"].max()) + 1
    margin = 1.0 - strat.product.cogs_rate - plat.payment_fee_rate
    st = st.assign(revenue=st["spend_public"] + st["spend_private"],
                   contribution=(st["spend_public"] + st["spend_private"]) * margin
                   - st["spend_public"] * plat.commission_rate)
    members = st[st["joined"] > L.NEVER].copy()
    members["retained"] = members["stage"] == L.STAGES.index("member")
    members["source_name"] = np.array(L.SOURCES, dtype=object)[members["source"].to_numpy()]
    members["month"] = (members["joined"] // MONTH).astype(int) + 1
    members["months_in"] = np.maximum((days - members["joined"]) / MONTH, 1.0 / MONTH)
    # referred value: contribution of the members who named each member as referrer (one generation)
    referred = members[members["referrer"] >= 0].groupby("referrer")["contribution"].sum()
    members["referred_value"] = members.index.map(referred).fillna(0.0).to_numpy()
    spend = {c: float(daily[c].sum()) for c in ACQUISITION_SPEND}
    total_spend = sum(spend.values())
    shared = sum(spend[c] for c in SHARED_SPEND)
    joins = members.groupby("source_name").size()
    n_joined = max(int(joins.sum()), 1)

    def source_cost(src: str) -> float:
        own = sum(spend.get(c, 0.0) for c in SPEND_OF_SOURCE.get(src, ()))
        return own + shared * joins.get(src, 0) / n_joined

    def group(key: str) -> pd.DataFrame:
        g = members.groupby(key)
        t = pd.DataFrame({
            "members": g.size() * rep,
            "retention": g["retained"].mean(),
            "revenue_per_member": g["revenue"].mean(),
            "contribution_per_member": g["contribution"].mean(),
            "ltv_with_referrals": (g["contribution"].sum() + g["referred_value"].sum()) / g.size(),
            "monthly_contribution": g["contribution"].sum() / g["months_in"].sum(),
        })
        return t

    by_source = group("source_name")
    by_source["acquisition_cost"] = [source_cost(s) for s in by_source.index]
    by_source["cost_per_member"] = by_source["acquisition_cost"] / by_source["members"]
    by_source["payback_month"] = _payback(by_source["cost_per_member"], by_source["monthly_contribution"])
    by_month = group("month")
    month_cost = total_spend / max(len(members) * rep, 1e-12)  # one cost per member for every cohort
    by_month["payback_month"] = _payback(pd.Series(month_cost, index=by_month.index), by_month["monthly_contribution"])
    summary = {
        "members": len(members) * rep,
        "retention": float(members["retained"].mean()) if len(members) else math.nan,
        "revenue_per_member": float(members["revenue"].mean()) if len(members) else math.nan,
        "ltv_own": float(members["contribution"].mean()) if len(members) else math.nan,
        "ltv_referred": float(members["referred_value"].mean()) if len(members) else math.nan,
        "acquisition_spend": total_spend,
        "cost_per_member": total_spend / (len(members) * rep) if len(members) else math.nan,
        "revenue_all": float(st["revenue"].sum() * rep),
    }
    summary["ltv_with_referrals"] = summary["ltv_own"] + summary["ltv_referred"]
    out: dict[str, Any] = {"by_source": by_source.reset_index(names="source"),
                           "by_month": by_month.reset_index(names="month"), "summary": summary,
                           "spend": spend, "terminal": None}
    if terminal:
        out["terminal"] = _terminal(daily, sc)
    return out


def _payback(cost: pd.Series, monthly: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(monthly > 0, cost / monthly, np.nan)
    return pd.Series(m, index=cost.index)


def _terminal(daily: pd.DataFrame, sc: Scenario) -> dict[str, float]:
    """Terminal value of the pool at the horizon (see the module docstring for the formula)."""
    last = daily.tail(90)
    member_months = float(last["member"].mean()) * len(last) / MONTH
    m = float(last["member_contribution"].sum()) / member_months if member_months > 0 else math.nan
    lapse = float(last["lapses"].sum()) / member_months if member_months > 0 else math.nan
    r = max(0.0, 1.0 - lapse)
    i = (1.0 + sc.run.discount_rate) ** (1 / 12) - 1.0
    members = float(daily["member"].iloc[-1])
    value = members * m * r / (1.0 + i - r) if (1.0 + i - r) > 0 and math.isfinite(m) else math.nan
    return {"value": value, "members": members, "monthly_contribution": m, "monthly_retention": r,
            "monthly_discount": i}


@dataclass
class CohortReport:
    """Cohort tables of one brand, averaged over replicate runs (``n`` seeds).

    Attributes:
        scenario: The resolved scenario.
        brand: The brand.
        by_source: Per join source: members (people), retention, revenue, contribution, LTV with referrals,
            acquisition cost, cost per member, payback month (means over runs).
        by_month: Per join month: the same, with one cost per member for every cohort.
        summary: Headline figures (mean over runs).
        terminal: Terminal value (mean over runs) when asked for, else ``None`` (not included).
        runs: The per-run results.
    """

    scenario: Scenario
    brand: str
    by_source: pd.DataFrame
    by_month: pd.DataFrame
    summary: dict[str, float]
    terminal: dict[str, float] | None
    runs: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def cohorts(
    scenario: str | Path | dict | Scenario,
    reps: int = 3,
    *,
    brand: str | None = None,
    terminal_value: bool = False,
    execution: Execution | None = None,
) -> CohortReport:
    """Cohort and unit-economics tables of one brand over ``reps`` replicate runs.

    Args:
        scenario: Preset, path, document or scenario.
        reps: Replicates (tables are means over runs).
        brand: The brand (default: the first).
        terminal_value: Include the terminal value of the pool at the horizon (an extrapolation; off).
        execution: Seed, overrides, executor and progress.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    reps = check_reps(reps)
    b = _brand(sc, brand)
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    doc = scenario_doc(sc)
    runs = ex.map(run_cohorts, [(doc, s, b, bool(terminal_value)) for s in seeds])

    def mean_table(key: str, index: str) -> pd.DataFrame:
        t = pd.concat([r[key] for r in runs], ignore_index=True)
        return t.groupby(index, sort=True).mean(numeric_only=True).reset_index()

    summary = {k: _nanmean([r["summary"][k] for r in runs]) for k in runs[0]["summary"]}
    terminal = None
    if terminal_value:
        terminal = {k: _nanmean([r["terminal"][k] for r in runs]) for k in runs[0]["terminal"]}
    return CohortReport(sc, b, mean_table("by_source", "source"), mean_table("by_month", "month"), summary,
                        terminal, list(runs),
                        provenance(ex, replicates=reps, root_seed=root, seeds=seeds,
                                   terminal_value="included" if terminal_value else "not included (option off)"))


def _nanmean(values: list[float]) -> float:
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    return float(v.mean()) if v.size else math.nan
