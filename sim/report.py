"""Self-contained HTML reports and the plain-language verdict.

A report shows one run, a comparison (single seed or replicates with common random numbers) or a
saved run folder: the verdict, KPI tables (mean and 5-95% range over replicates), time series with
bands, the stage-to-stage Sankey and the cost waterfall of each brand. Plotly's JavaScript is
embedded once, inline, so the file opens offline; files are written atomically (a temporary file
in the same folder, then renamed).

On request the report adds the decision sections of :mod:`sim.report_decisions`: the break-even
search, the profit gap by ledger item with intervals, and risk (``ptsim report --breakeven/--attribution/
--risk``).

The verdict is written from the numbers, not canned: who leads on profit and by how much (with
the paired difference over replicates when there are several), when the lead changes hands, who
builds the bigger pool and through what (referrals, the K-factor), who reaches the 30% private
share of revenue, and why in the model's terms (trust and fatigue, opt-outs, cost structure,
fines and breaches). Money is compared in US dollars when the columns' currencies differ.

    from sim import report
    report.write_report(result, "report.html", lang="ja")
    for line in report.verdict(report.columns_of(comparison), lang="zh"):
        print(line)
"""

from __future__ import annotations

import contextlib
import html
import math
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import figures
from sim.analysis.attribution import why_lines as attribution_why
from sim.errors import SimInputError
from sim.format import human, md_escape
from sim.i18n import t
from sim.model import layout as L
from sim.results.kpis import KPI_INFO
from sim.results.result import RunResult
from sim.scenario.schema import Scenario, market_fx

__all__ = ["Column", "columns_of", "md_escape", "replicate_columns", "report_html", "verdict", "write_report"]

#: KPIs of the report's tables, in order.
REPORT_KPIS = ("profit", "revenue", "private_share", "pool_size", "active_members", "members_joined", "cac",
               "cost_per_member", "member_ltv", "ltv_cac", "payback_month", "k_factor", "viral_share",
               "unsubs_per_1000", "opt_outs", "complaints", "violations", "fines", "breaches", "mean_trust",
               "mean_fatigue")
#: Time series charted in reports.
REPORT_SERIES = ("cum_profit", "member", "mean_trust")


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


# ------------------------------------------------------------------------------------------------
# The verdict
# ------------------------------------------------------------------------------------------------


_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~$:<>&\"'=])")


def _b(label: str) -> str:
    """A column label in bold, escaped (labels are user text: scenario and brand names)."""
    return f"**{md_escape(label)}**"


def verdict(columns: Sequence[Column], *, day: int | None = None, lang: str = "en") -> list[str]:
    """Plain-language findings from the numbers (Markdown, ``**bold**`` labels), most important first.

    Args:
        columns: The columns to compare (one column gives a summary of that run).
        day: Day the KPIs are read at (default: the last day common to every column).
        lang: Language of the sentences.
    """
    cols = list(columns)
    if not cols:
        return []
    last = min(c.last_day for c in cols)
    day = last if day is None else max(0, min(int(day), last))
    usd = mixed_currency(cols)

    def scale(c: Column) -> float:
        return 1.0 / c.fx if usd and c.fx == c.fx else 1.0

    def money(c: Column, v: float) -> str:
        return human(v * scale(c), "currency", "USD" if usd else c.currency)

    def val(c: Column, kpi: str) -> float:
        v = c.stat(kpi, day)
        return v * scale(c) if KPI_INFO[kpi][1].startswith("currency") else v

    when = t("verdict.when", lang, day=f"{day + 1:,}", years=f"{(day + 1) / 365:.1f}")
    lines: list[str] = []
    if len(cols) == 1:
        c = cols[0]
        lines.append(t("verdict.single", lang, label=_b(c.label), when=when, profit=money(c, c.stat("profit", day)),
                       pool=human(c.stat("pool_size", day), "people"),
                       share=human(c.stat("private_share", day), "fraction")))
    else:
        ranked = sorted(cols, key=lambda c: -np.nan_to_num(val(c, "profit"), nan=-np.inf))
        lead, second = ranked[0], ranked[1]
        key = "verdict.profit_lead" if val(lead, "profit") >= 0 else "verdict.loss_lead"
        line = t(key, lang, lead=_b(lead.label), other=_b(second.label), when=when,
                 v_lead=money(lead, lead.stat("profit", day)), v_other=money(second, second.stat("profit", day)))
        lines.append(line + _certainty(lead, second, "profit", day, scale(lead), scale(second), lang, usd))
        if len(ranked) > 2:
            order = " > ".join(f"{md_escape(c.label)} ({money(c, c.stat('profit', day))})" for c in ranked)
            lines.append(t("verdict.ranking", lang, order=order))
        if val(lead, "profit") < 0:
            lines.append(t("verdict.all_loss", lang, when=when))
        lines.append(_who_leads_when(lead, second, day, scale, lang))
    pool = _pool_lines(cols, day, lang)
    share = _share_lines(cols, day, lang)
    why = _why_lines(cols, day, lang, money)
    lines += pool[:1] + share + why[:1] + pool[1:] + why[1:]
    lines += _risk_lines(cols, day, lang, money)
    for c in cols:
        pb = c.stat("payback_month", day)
        if c.stat("profit", day) < 0 and (math.isnan(pb) or pb > 0):
            lines.append(t("verdict.not_repaid", lang, label=_b(c.label), when=when))
        elif pb and pb > 0 and not math.isnan(pb):
            lines.append(t("verdict.payback", lang, label=_b(c.label), month=f"{pb:.0f}"))
    if usd:
        rates = ", ".join(f"1 USD = {c.fx:g} {c.currency}" for c in {c.currency: c for c in cols}.values())
        lines.append(t("verdict.usd", lang, rates=rates))
    if any(c.n > 1 for c in cols):
        lines.append(t("verdict.reps_note", lang, n=max(c.n for c in cols)))
    return [x for x in lines if x]


def _certainty(a: Column, b: Column, kpi: str, day: int, sa: float, sb: float, lang: str, usd: bool) -> str:
    xa, xb = a.samples(kpi, day) * sa, b.samples(kpi, day) * sb
    n = min(xa.size, xb.size)
    if n < 2:
        return t("verdict.one_run", lang)
    paired = a.seeds[:n] == b.seeds[:n]  # common random numbers: replicate i of each column saw the same luck
    diff = xa[:n] - xb[:n]
    diff = diff[~np.isnan(diff)]
    if diff.size < 2:
        return t("verdict.one_run", lang)
    from sim.analysis.compare import paired_ci

    lo, hi = paired_ci(diff, 0.95, "t")
    wins = int((diff > 0).sum())
    cur = "USD" if usd else a.currency
    rng = f"{human(lo, 'currency', cur)} – {human(hi, 'currency', cur)}"
    if paired and (lo > 0 or hi < 0):
        return t("verdict.sure", lang, wins=wins, n=int(diff.size), range=rng)
    return t("verdict.unsure", lang, wins=wins, n=int(diff.size), range=rng)


def _who_leads_when(a: Column, b: Column, day: int, scale: Any, lang: str) -> str:
    ya = a.mean_series("cum_profit", scale(a))[: day + 1]
    yb = b.mean_series("cum_profit", scale(b))[: day + 1]
    cross = figures.crossover_day(ya, yb)
    if cross is None:
        ahead = a if np.nansum(ya - yb) >= 0 else b
        return t("verdict.ahead_throughout", lang, label=_b(ahead.label))
    early, late = (a, b) if ya[max(cross - 1, 0)] > yb[max(cross - 1, 0)] else (b, a)
    return t("verdict.crossover", lang, early=_b(early.label), late=_b(late.label), day=f"{cross + 1:,}",
             month=f"{(cross + 1) / 30.4375:.0f}")


def _pool_lines(cols: list[Column], day: int, lang: str) -> list[str]:
    out = []
    by_pool = sorted(cols, key=lambda c: -np.nan_to_num(c.stat("pool_size", day)))
    top = by_pool[0]
    if len(cols) > 1:
        other = by_pool[1]
        out.append(t("verdict.pool", lang, a=_b(top.label), b=_b(other.label),
                     pa=human(top.stat("pool_size", day), "people"), pb=human(other.stat("pool_size", day), "people")))
    for c in cols:
        viral, k = c.stat("viral_share", day), c.stat("k_factor", day)
        if not math.isnan(viral) and viral >= 0.15:
            key = "verdict.k_above_1" if k >= 1 else "verdict.viral"
            out.append(t(key, lang, label=_b(c.label), viral=human(viral, "fraction"), k=f"{k:.2f}"))
    return out


def _share_lines(cols: list[Column], day: int, lang: str) -> list[str]:
    out = []
    for c in cols:
        share = c.stat("private_share", day)
        rolling = c.mean_series("private_share_30d")[: day + 1]
        # the 30-day share must hold the mark for 30 days, after the first month (early days are noisy)
        hit = figures.first_day_at_or_above(rolling, figures.PRIVATE_SHARE_TARGET, start=30, hold=30)
        if hit is not None:
            out.append(t("verdict.share_reached", lang, label=_b(c.label), day=f"{hit + 1:,}",
                         share=human(share, "fraction")))
        else:
            out.append(t("verdict.share_below", lang, label=_b(c.label), share=human(share, "fraction")))
    return out


def _why_lines(cols: list[Column], day: int, lang: str, money: Any) -> list[str]:
    """Why the leader leads: the paired profit gap attributed to ledger items and mechanisms.

    Built by :func:`sim.analysis.attribution.why_lines` from the columns' daily ledger when every
    replicate kept it (replicate ``i`` of both columns share a seed); else from the cost structure.
    """
    out = []
    if len(cols) >= 2:
        usd = mixed_currency(cols)
        scale = {c.label: (1.0 / c.fx if usd and c.fx == c.fx else 1.0) for c in cols}
        ranked = sorted(cols, key=lambda c: -np.nan_to_num(c.stat("profit", day) * scale[c.label], nan=-np.inf))
        lead, second = ranked[0], ranked[1]
        attr = _attribution(lead, second, day, scale, "USD" if usd else lead.currency)
        if attr is not None:
            out += attribution_why(attr, lang)
        else:
            gap = _cost_gap(lead, second, day)
            if gap is not None:
                item, sa, sb = gap
                out.append(t("verdict.cost_gap", lang, item=t(f"money.{item}", lang), a=_b(lead.label),
                             b=_b(second.label), sa=human(sa, "fraction"), sb=human(sb, "fraction")))
        ranked = sorted(cols, key=lambda c: -np.nan_to_num(c.stat("member_ltv", day) / c.fx if c.fx else 0.0))
        a, b = ranked[0], ranked[1]
        out.append(t("verdict.ltv", lang, a=_b(a.label), b=_b(b.label),
                     ltv_a=money(a, a.stat("member_ltv", day)), ltv_b=money(b, b.stat("member_ltv", day)),
                     cpm_a=money(a, a.stat("cost_per_member", day)), cpm_b=money(b, b.stat("cost_per_member", day))))
    else:
        c = cols[0]
        out.append(t("verdict.single_trust", lang, label=_b(c.label), trust=f"{c.stat('mean_trust', day):.2f}",
                     unsubs=f"{c.stat('unsubs_per_1000', day):.1f}"))
    return out


def _attribution(a: Column, b: Column, day: int, scale: dict[str, float], currency: str) -> Any:
    """The paired attribution of A's profit lead over B, or None without paired ledgers."""
    from sim.analysis.attribution import LEDGER_DAILY, attribute_frames

    n = min(a.n, b.n)
    if n < 1 or a.seeds[:n] != b.seeds[:n]:
        return None
    if any(f"daily.{c}" not in f.columns for f in (*a.frames[:n], *b.frames[:n]) for c in LEDGER_DAILY):
        return None
    return attribute_frames(a.frames[:n], b.frames[:n], a=a.label, b=b.label, day=day, currency=currency,
                            scale_a=scale[a.label], scale_b=scale[b.label])


def _cost_gap(a: Column, b: Column, day: int) -> tuple[str, float, float] | None:
    """The cost item whose share of revenue differs most between two columns."""
    def shares(c: Column) -> dict[str, float]:
        out = {}
        for f in c.frames[:1] if c.frames else []:
            upto = f[f["day"] <= day]
            rev = float(upto["daily.revenue"].sum()) if "daily.revenue" in upto else math.nan
            for item in L.MONEY[len(L.REVENUE_ITEMS):]:
                col = f"daily.{item}"
                if col in upto and rev:
                    out[item] = float(upto[col].sum()) / rev
        return out

    sa, sb = shares(a), shares(b)
    common = [k for k in sa if k in sb and k != "cogs"]
    if not common:
        return None
    item = max(common, key=lambda k: abs(sa[k] - sb[k]))
    if abs(sa[item] - sb[item]) < 0.01:
        return None
    return item, sa[item], sb[item]


def _risk_lines(cols: list[Column], day: int, lang: str, money: Any) -> list[str]:
    out = []
    for c in cols:
        fines = c.stat("fines", day)
        if fines and fines > 0:
            out.append(t("verdict.fines", lang, label=_b(c.label), fines=money(c, fines),
                         enf=f"{c.stat('enforcements', day):.1f}", viol=human(c.stat("violations", day), "count")))
        breaches = c.stat("breaches", day)
        if breaches and breaches > 0:
            out.append(t("verdict.breach", lang, label=_b(c.label), n=f"{breaches:.1f}"))
    return out


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------


def kpi_table(columns: Sequence[Column], day: int, *, lang: str = "en", kpis: Sequence[str] = REPORT_KPIS,
              ranges: bool = True) -> pd.DataFrame:
    """KPIs (rows, translated labels) by column, formatted: ``mean`` or ``mean (p05 – p95)``."""
    usd = mixed_currency(columns)
    rows = {}
    for k in kpis:
        unit = KPI_INFO[k][1]
        row = {}
        for c in columns:
            s = (1.0 / c.fx) if usd and unit.startswith("currency") else 1.0
            cur = "USD" if usd else c.currency
            m = c.stat(k, day) * s
            text = human(m, unit, cur)
            if ranges and c.n > 1:
                lo, hi = c.stat(k, day, "p05") * s, c.stat(k, day, "p95") * s
                text += f" ({human(lo, unit, cur)} – {human(hi, unit, cur)})"
            row[c.label] = text
        rows[t(f"kpi.{k}", lang)] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def kpi_numbers(columns: Sequence[Column], day: int, *, kpis: Sequence[str] = tuple(KPI_INFO),
                usd: bool | None = None) -> pd.DataFrame:
    """Tidy numbers for CSV export: ``column, kpi, unit, mean, p05, p50, p95, n``."""
    usd = mixed_currency(columns) if usd is None else usd
    rows = []
    for c in columns:
        for k in kpis:
            unit = KPI_INFO[k][1]
            s = (1.0 / c.fx) if usd and unit.startswith("currency") else 1.0
            cur = ("USD" if usd else c.currency) if unit.startswith("currency") else ""
            shown = unit.replace("currency", cur) if cur else unit
            rows.append({"column": c.label, "day": day, "kpi": k, "unit": shown,
                         "mean": c.stat(k, day) * s, "p05": c.stat(k, day, "p05") * s,
                         "p50": c.stat(k, day, "p50") * s, "p95": c.stat(k, day, "p95") * s, "n": c.n})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans CJK JP","Noto Sans","Helvetica Neue",Arial,sans-serif;margin:0;
color:#1d2329;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:28px 28px 60px;background:#fff}
h1{font-size:1.7em;margin:0 0 .2em}
h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid #e3e6ea;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .3em}.meta{color:#5b6570;font-size:.9em}
.verdict{background:#f1f6fd;border-left:4px solid #1f4e9c;padding:10px 18px;margin:12px 0}
.verdict li{margin:.35em 0;line-height:1.45}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0;width:100%}
th,td{border-bottom:1px solid #e3e6ea;padding:5px 9px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}thead th{background:#f1f3f5}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:10px}
.grid>div{min-width:0;overflow:hidden}
.note{color:#5b6570;font-size:.85em}
"""


def _md_bold(text: str) -> str:
    """A verdict line (Markdown with escaped labels) as HTML: bold kept, escapes undone, all text escaped."""
    parts = re.split(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*", text)
    out = []
    for i, part in enumerate(parts):
        plain_text = html.escape(_MD_UNESCAPE.sub(r"\1", part), quote=False)
        out.append(f"<b>{plain_text}</b>" if i % 2 else plain_text)
    return "".join(out)


def _fig_html(fig: Any) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, default_width="100%",
                       config={"displaylogo": False, "responsive": True})


#: Re-fit every chart to its box once fonts and the grid have settled.
_RESIZE = ("<script>window.addEventListener('load',function(){document.querySelectorAll('.js-plotly-plot')"
           ".forEach(function(g){Plotly.Plots.resize(g);});});</script>")


def report_html(obj: Any, *, lang: str = "en", title: str | None = None, description: str | None = None,
                day: int | None = None, results: dict[str, RunResult] | None = None, breakeven: Any = None,
                attribution: Any = None, risk: Any = None) -> str:
    """The HTML text of a self-contained report.

    Args:
        obj: A RunResult, Comparison, ComparisonEnsemble, Ensemble, list of results or columns, or
            the path of a run folder (or of a folder of run folders).
        lang: ``en``, ``zh`` or ``ja``.
        title: Report title (default: from the object).
        description: A paragraph under the title.
        day: Day the KPIs are read at (default: the last).
        results: Full runs by scenario name, for ensembles (Sankey and waterfall).
        breakeven: A :class:`~sim.analysis.robustness.BreakEven` to add as a section (optional).
        attribution: An :class:`~sim.analysis.attribution.Attribution` to add as a section: the profit
            gap by ledger item with intervals (optional).
        risk: A :class:`~sim.analysis.risk.RiskProfile` to add as a section: P(loss), P5/P50/P95, the
            break-even month distribution (optional).
    """
    from plotly.offline import get_plotlyjs

    from sim.report_decisions import decision_sections

    if isinstance(obj, str | os.PathLike):
        obj = load_source(obj)
    cols = columns_of(obj, results)
    if not isinstance(obj, list) or not all(isinstance(c, Column) for c in obj):
        relabel(cols, lang)
    title, description = _heading(obj, cols, lang, title, description)
    last = min(c.last_day for c in cols)
    day = last if day is None else max(0, min(int(day), last))
    usd = mixed_currency(cols)
    days = sorted({min(364, last), day})
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if description:
        parts.append(f"<p>{html.escape(description.strip())}</p>")
    sc0 = cols[0].scenario
    parts.append("<p class='meta'>" + html.escape(t(
        "report.meta", lang, population=f"{sc0.run.population:,}", days=f"{last + 1:,}", reps=max(c.n for c in cols),
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), version=_version())) + "</p>")
    parts.append(f"<h2>{html.escape(t('report.verdict', lang))}</h2><div class='verdict'><ul>")
    parts += [f"<li>{_md_bold(x)}</li>" for x in verdict(cols, day=day, lang=lang)]
    parts.append("</ul></div>")
    for d in days:
        head = t("report.kpis_at", lang, day=f"{d + 1:,}")
        if usd:
            head += " — " + t("report.in_usd", lang)
        table = kpi_table(cols, d, lang=lang)
        parts.append(f"<h2>{html.escape(head)}</h2>")
        parts.append(table.to_html(escape=True, border=0))
    if any(c.n > 1 for c in cols):
        parts.append(f"<p class='note'>{html.escape(t('report.ranges_note', lang))}</p>")
    parts += decision_sections(breakeven=breakeven, attribution=attribution, risk=risk, lang=lang)
    parts.append(f"<h2>{html.escape(t('report.over_time', lang))}</h2><div class='grid'>")
    colours = {c.label: figures.colour(i) for i, c in enumerate(cols)}
    for metric in REPORT_SERIES:
        series = {c.label: c.bands(metric, (1.0 / c.fx) if usd else 1.0) for c in cols}
        cur = "USD" if usd else cols[0].currency
        parts.append(_fig_html(figures.band_figure(series, metric=metric, currency=cur, lang=lang, colours=colours)))
    share = {c.label: c.bands("private_share_30d") for c in cols}
    parts.append(_fig_html(figures.private_share_figure(share, lang=lang)))
    parts.append("</div>")
    parts.append(f"<h2>{html.escape(t('report.flows_costs', lang))}</h2>")
    one_run = False
    for c in cols:
        flows = c.mean_flows(day)
        if flows is None and c.result is not None:  # ensembles keep daily series only: one run's flows
            flows = c.result.flow_totals(0, day)
            flows = flows[flows["brand"] == c.brand]
            one_run = True
        parts.append(f"<h3>{html.escape(c.label)}</h3><div class='grid'>")
        if flows is not None:
            parts.append(_fig_html(figures.sankey_figure(flows, lang=lang, title=t("fig.sankey_title", lang))))
        s = (1.0 / c.fx) if usd else 1.0
        parts.append(_fig_html(figures.waterfall_figure(c.mean_breakdown(day), scale=s,
                                                        currency="USD" if usd else c.currency, lang=lang,
                                                        title=t("fig.waterfall_title", lang))))
        parts.append("</div>")
    note = "report.one_run_note" if one_run else "report.flows_mean_note"
    parts.append(f"<p class='note'>{html.escape(t(note, lang))}</p>")
    parts.append(f"<h2>{html.escape(t('report.scenarios', lang))}</h2>")
    parts.append(_scenario_table(cols, lang).to_html(escape=True, border=0))
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang='{html.escape(lang)}'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
            f"<script type='text/javascript'>{get_plotlyjs()}</script></head>"
            f"<body><main>{body}</main>{_RESIZE}</body></html>\n")


def _heading(obj: Any, cols: Sequence[Column], lang: str, title: str | None,
             description: str | None) -> tuple[str, str]:
    """The report's title and description in ``lang``.

    Titles and descriptions of comparison and scenario presets are English text in the preset
    files: they are replaced by their translations, or left out, so a Chinese or Japanese report
    never carries an English subtitle. Text the user wrote (their own scenarios) is kept as written.
    """
    from sim.i18n import has

    own_title = getattr(obj, "title", None)
    own_desc = getattr(obj, "description", "") or ""
    preset = _comparison_preset(own_title) if own_title else None
    if preset is not None:
        own_title = t(f"comparison.{preset}", lang) if has(f"comparison.{preset}") else own_title
        key = f"comparison.{preset}.about"
        own_desc = t(key, lang) if has(key) else ("" if lang != "en" else own_desc)
    if not title:
        names = list(dict.fromkeys(c.scenario.name for c in cols))
        title = own_title or " vs ".join(t(f"preset.{n}", lang) if has(f"preset.{n}") else n for n in names)
    if description is None:
        description = own_desc
        if not description and len(cols) == 1:
            sc = cols[0].scenario
            is_preset = has(f"preset.{sc.name}")
            description = "" if (is_preset and lang != "en") else (sc.description or "")
    return title, description


def _comparison_preset(title: str) -> str | None:
    """The id of the comparison preset whose title is ``title``, if any."""
    try:
        from sim.scenario import list_presets, load_comparison

        for ref in list_presets().get("comparisons", []):
            if load_comparison(ref)[0] == title:
                return ref.removeprefix("comparisons/")
    except (SimInputError, OSError):
        return None
    return None


def _scenario_table(cols: Sequence[Column], lang: str) -> pd.DataFrame:

    rows: dict[str, dict[str, str]] = {}
    for c in cols:
        sc = c.scenario
        b = next(x for x in sc.brands if x.name == c.brand)
        s = b.strategy
        cur = sc.market.currency
        entries = {
            "report.sc_market": f"{_market_name(sc.market.name, lang)} ({cur})",
            "report.sc_regime": t(f"regime.{sc.market.regime.kind}", lang),
            "report.sc_people": f"{sc.run.population:,} × {sc.market.represents:g}",
            "report.sc_ads": human(s.acquisition.ad_budget_per_day, "currency", cur),
            "report.sc_messages": f"{s.messaging.per_week:g} / {s.messaging.quality:g}",
            "report.sc_referral": f"{human(s.referral.referrer_reward, 'currency', cur)} / "
                                  f"{human(s.referral.referee_reward, 'currency', cur)}",
            "report.sc_points": f"{100 * s.membership.points_rate:g}%",
            "report.sc_cold": f"{s.compliance.cold_outreach_per_week:g}",
            "report.sc_security": human(s.compliance.security_per_day, "currency", cur),
            "report.sc_seed": str(sc.run.seed),
        }
        for key, v in entries.items():
            rows.setdefault(t(key, lang), {})[c.label] = v
    return pd.DataFrame.from_dict(rows, orient="index")


def _market_name(name: str, lang: str) -> str:
    from sim.i18n import has

    return t(f"market.{name}", lang) if has(f"market.{name}") else name


def _version() -> str:
    from sim import __version__

    return __version__


def load_source(path: str | os.PathLike) -> Any:
    """A run folder as a RunResult, or a folder of run folders as a list of RunResults."""
    from sim.api import load_result

    p = Path(path)
    if (p / "daily.parquet").is_file():
        return load_result(p)
    if p.is_dir():
        subs = sorted(q for q in p.iterdir() if (q / "daily.parquet").is_file())
        if subs:
            return [load_result(q) for q in subs]
    raise SimInputError.single(str(path), "", "is not a run folder (no daily.parquet) nor a folder of run folders")


def write_report(obj: Any, path: str | os.PathLike, *, lang: str = "en", title: str | None = None,
                 description: str | None = None, day: int | None = None,
                 results: dict[str, RunResult] | None = None, overwrite: bool = True, breakeven: Any = None,
                 attribution: Any = None, risk: Any = None) -> Path:
    """Write the report atomically (temporary file in the same folder, then rename); returns the path.

    The decision sections (``breakeven``, ``attribution``, ``risk``) are those of :func:`report_html`.
    """
    target = Path(path).resolve()
    if target.exists() and not overwrite:
        raise SimInputError.single("output", str(target), "already exists; choose another file or allow overwriting")
    text = report_html(obj, lang=lang, title=title, description=description, day=day, results=results,
                       breakeven=breakeven, attribution=attribution, risk=risk)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
