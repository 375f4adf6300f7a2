"""Number formatting shared by the CLI, the dashboard and reports (no UI imports here)."""

from __future__ import annotations

import math
import re

from sim.results.kpis import KPI_INFO
from sim.textsafe import literal


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


#: Large-number units of Chinese (万 10^4, 亿 10^8, 万亿 10^12) and Japanese (万, 億, 兆).
_CJK_UNITS = {"zh": ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")), "ja": ((1e12, "兆"), (1e8, "億"), (1e4, "万"))}
#: Unit words after a localised count (people are the most common in the dashboard's captions).
_PEOPLE = {"en": " people", "zh": "人", "ja": "人"}


def _sig(x: float, digits: int = 3) -> str:
    """``x`` with about ``digits`` significant digits and no trailing zeros (378.2, 37.8, 3.78, 1,234)."""
    a = abs(x)
    decimals = 0 if a >= 10 ** (digits - 1) else max(0, digits - 1 - int(math.floor(math.log10(a)))) if a else 0
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def localised(x: float, unit: str = "", currency: str = "", lang: str = "en") -> str:
    """A number as a reader of ``lang`` writes it: ``378.2k`` in English, ``37.8万`` in Chinese and Japanese.

    Chinese and Japanese group large numbers by ten thousand (万), not by thousand, so "378.20k 人" reads
    wrongly in both; they get 万 / 亿 (zh) or 万 / 億 (ja) with three significant digits. Units other than
    counts, people and money (fractions, ratios, per-1,000 rates) are formatted as :func:`human` does.
    ``unit="people"`` adds the word for people (" people", 人).

    Args:
        x: The value.
        unit: A KPI unit (``people``, ``count``, ``currency``...).
        currency: Currency code shown before money.
        lang: ``en``, ``zh`` or ``ja`` (anything else is treated as English).
    """
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if math.isnan(x) or math.isinf(x) or unit in ("fraction", "ratio", "0-1", "referrals / member", "per 1,000",
                                                    "month") or (unit == "messages" and abs(x) < 100):
        return human(x, unit, currency)
    lang = lang if lang in ("en", "zh", "ja") else "en"
    money = unit.startswith("currency")
    a = abs(x)
    if lang == "en":
        units = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
        body = next((f"{_sig(x / d, 4)}{suf}" for d, suf in units if a >= d), None)
    else:
        body = next((f"{_sig(x / d)}{suf}" for d, suf in _CJK_UNITS[lang] if a >= d), None)
    if body is None:
        body = f"{x:,.2f}" if money and a < 1000 else f"{x:,.0f}"
    if money:
        return f"{currency} {body}" if currency else body
    return body + (_PEOPLE[lang] if unit == "people" else "")


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

    Each markup character is backslash-escaped; line breaks become spaces; control characters and
    bidirectional overrides show as visible escapes (:func:`literal`). Use it on every user string
    (scenario and brand names) that goes into Markdown.
    """
    return MD_SPECIAL.sub(r"\\\1", literal(" ".join(str(text).split())))


def table_number(x: float) -> str:
    """A float for a notebook or report table without scientific notation: ``131,381,400``, ``4.96``, ``0.0073``."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 1 or a == 0:
        return f"{x:,.2f}".rstrip("0").rstrip(".") if a else "0"
    return f"{x:.3g}" if a >= 1e-4 else f"{x:.2e}"
