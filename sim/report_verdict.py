"""The report's plain-language verdict, written from the numbers, not canned.

Who leads on profit and by how much (with the paired difference over replicates when there are
several), when the lead changes hands, who builds the bigger pool and through what (referrals, the
K-factor), who reaches the 30% private share of revenue, and why in the model's terms (trust and
fatigue, opt-outs, cost structure, fines and breaches). Money is compared in US dollars when the
columns' currencies differ. Lines are Markdown with ``**bold**`` labels (labels, user text, escaped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim import figures
from sim.analysis.attribution import why_lines as attribution_why
from sim.format import human, md_escape
from sim.i18n import t
from sim.model import layout as L
from sim.report_columns import Column, mixed_currency
from sim.results.kpis import KPI_INFO

__all__ = ["verdict"]

# ------------------------------------------------------------------------------------------------
# The verdict
# ------------------------------------------------------------------------------------------------


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
