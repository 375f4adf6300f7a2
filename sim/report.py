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

import html
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import figures
from sim.errors import SimInputError
from sim.format import human, md_escape
from sim.i18n import t
from sim.report_columns import (
    Column,
    columns_of,
    display_label,
    frame_of,
    mixed_currency,
    relabel,
    replicate_columns,
)
from sim.report_verdict import verdict
from sim.results.kpis import KPI_INFO
from sim.results.result import RunResult

__all__ = ["REPORT_KPIS", "REPORT_SERIES", "Column", "columns_of", "display_label", "frame_of", "kpi_numbers",
           "kpi_table", "load_source", "md_escape", "mixed_currency", "relabel", "replicate_columns", "report_html",
           "verdict", "write_report"]

#: KPIs of the report's tables, in order.
REPORT_KPIS = ("profit", "revenue", "private_share", "pool_size", "active_members", "members_joined", "cac",
               "cost_per_member", "member_ltv", "ltv_cac", "payback_month", "k_factor", "viral_share",
               "unsubs_per_1000", "opt_outs", "complaints", "violations", "fines", "breaches", "mean_trust",
               "mean_fatigue")
#: Time series charted in reports.
REPORT_SERIES = ("cum_profit", "member", "mean_trust")


_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~$:<>&\"'=])")

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
    return (f"<!DOCTYPE html>\n<html lang='{html.escape(lang)}'><head><meta charset='utf-8'>{GENERATOR}"
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


#: The mark of a report ptsim wrote (in its head): ``--overwrite`` replaces only a file that carries it.
GENERATOR = "<meta name='generator' content='ptsim report'>"


def write_report(obj: Any, path: str | os.PathLike, *, lang: str = "en", title: str | None = None,
                 description: str | None = None, day: int | None = None,
                 results: dict[str, RunResult] | None = None, overwrite: bool = True, breakeven: Any = None,
                 attribution: Any = None, risk: Any = None) -> Path:
    """Write the report atomically (temporary file in the same folder, then rename); returns the path.

    The decision sections (``breakeven``, ``attribution``, ``risk``) are those of :func:`report_html`.
    """
    from sim.results.folders import atomic_write_file, check_file_target

    target = check_file_target(path, overwrite=overwrite, ours=GENERATOR.encode())  # before the work
    text = report_html(obj, lang=lang, title=title, description=description, day=day, results=results,
                       breakeven=breakeven, attribution=attribution, risk=risk)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_file(target, text.encode("utf-8"), overwrite=overwrite, ours=GENERATOR.encode())
