"""Number formatting shared by the CLI, the dashboard and reports (no UI imports here)."""

from __future__ import annotations

import math
import re

from sim.results.kpis import KPI_INFO


def human(x: float, unit: str = "", currency: str = "") -> str:
    """A short human-readable rendering of a KPI value in its unit."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if unit == "fraction":
        return f"{100 * x:.1f}%"
    if unit in ("ratio",):
        return f"{x:.2f}"
    if unit in ("0-1", "referrals / member"):
        return f"{x:.3f}"
    if unit == "per 1,000":
        return f"{x:.2f}"
    if unit == "month":
        return f"{x:.0f}"
    if unit == "messages" and abs(x) < 100:
        return f"{x:.2f}"
    prefix = f"{currency} " if unit.startswith("currency") and currency else ""
    a = abs(x)
    if a >= 1e15:
        return f"{prefix}{x:.3g}"
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{prefix}{x / div:.2f}{suf}"
    if unit.startswith("currency"):
        return f"{prefix}{x:,.2f}"
    return f"{x:,.0f}"


def kpi_label(name: str) -> str:
    """Display label of a KPI."""
    return KPI_INFO[name][0] if name in KPI_INFO else name


def kpi_unit(name: str) -> str:
    """Unit of a KPI."""
    return KPI_INFO[name][1] if name in KPI_INFO else ""


#: The KPIs a strategist reads first when asking "who leads?".
STORY_KPIS = ("pool_size", "profit", "private_share", "opt_outs", "fines")


def leaders(table, kpis=STORY_KPIS) -> list[tuple[str, str, str]]:
    """For each KPI, which column leads: (kpi label, leading column, how), ties and n/a skipped.

    ``table`` has KPIs as rows and compared columns; "leads" means best in the KPI's direction
    (largest pool, profit and private share; fewest opt-outs and fines).
    """
    out = []
    for k in kpis:
        if k not in table.index or len(table.columns) < 2:
            continue
        row = table.loc[k].astype(float).dropna()
        if row.empty or row.nunique() == 1:
            continue
        higher = KPI_INFO[k][2]
        best_value = row.max() if higher else row.min()
        best = [str(c) for c in row.index[row == best_value]]
        how = "highest" if higher else "lowest"
        out.append((kpi_label(k), ", ".join(best), how if len(best) == 1 else f"tied {how}"))
    return out


#: Characters with a meaning in Markdown (and Streamlit's directives); escaped by :func:`md_escape`.
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:<>&\"'=])")


def md_escape(text: object) -> str:
    """Text made inert for Markdown (links, images, emphasis, HTML, Streamlit directives).

    Each markup character is backslash-escaped; line breaks become spaces. Use it on every user string
    (scenario and brand names) that goes into Markdown.
    """
    return MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
