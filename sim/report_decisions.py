"""Decision sections of the HTML report: the break-even search, the attribution waterfall and risk.

Each section is built from the analysis object the API returns (:class:`~sim.analysis.robustness.BreakEven`,
:class:`~sim.analysis.attribution.Attribution`, :class:`~sim.analysis.risk.RiskProfile`), so the report
shows the API's numbers and nothing recomputed. Every number in a table carries its exact value in a
``data-value`` attribute next to its rounded text, and every row a ``data-key`` naming the figure, so
readers (and tests) can check the report against the API. All text from the user (scenario, brand and
lever names) is escaped; headings and sentences come from :mod:`sim.i18n` in the report's language.

    from sim.report import write_report
    write_report(comparison, "report.html", lang="zh", breakeven=be, attribution=attr, risk=profile)
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from sim.format import human, kpi_unit
from sim.i18n import has, t

__all__ = ["attribution_section", "breakeven_section", "decision_sections", "risk_section"]

#: A table row: ``(key, label, [(text, exact value or None), ...])``.
Row = tuple[str, str, Sequence[tuple[str, float | None]]]

_BOLD = re.compile(r"(?<!\\)\*\*(.+?)(?<!\\)\*\*")
_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~$:<>&\"'=])")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _md(text: str) -> str:
    """A sentence with ``**bold**`` Markdown (labels escaped for Markdown) as HTML, all text escaped."""
    parts = _BOLD.split(text)
    out = []
    for i, part in enumerate(parts):
        plain = html.escape(_MD_UNESCAPE.sub(r"\1", part), quote=False)
        out.append(f"<b>{plain}</b>" if i % 2 else plain)
    return "".join(out)


def _value(v: float | None) -> str:
    """The exact value for a ``data-value`` attribute (``repr`` of the float: round-trips exactly)."""
    if v is None:
        return ""
    f = float(v)
    return repr(f) if math.isfinite(f) else ("nan" if math.isnan(f) else repr(f))


def _table(rows: Sequence[Row], head: Sequence[str], css: str) -> str:
    """An HTML table; cells are escaped text with ``data-value`` for numbers; rows carry ``data-key``."""
    out = [f"<table class='{css}'><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for key, label, cells in rows:
        tds = "".join(
            f"<td data-value='{_e(_value(v))}'>{_e(text)}</td>" if v is not None else f"<td>{_e(text)}</td>"
            for text, v in cells
        )
        out.append(f"<tr data-key='{_e(key)}'><td>{_e(label)}</td>{tds}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _fig(fig: Any) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, default_width="100%",
                       config={"displaylogo": False, "responsive": True})


def _label(prefix: str, name: str, lang: str) -> str:
    key = f"{prefix}.{name}"
    return t(key, lang) if has(key) else name


# ---- break-even ------------------------------------------------------------------------------------


def breakeven_section(be: Any, lang: str = "en") -> str:
    """The break-even search: the finding in words, the flip point and interval, the curve.

    Args:
        be: A :class:`~sim.analysis.robustness.BreakEven`.
        lang: ``en``, ``zh`` or ``ja``.
    """
    from sim.figures_decide import breakeven_figure

    unit = kpi_unit(be.kpi)
    cur = be.unit if unit.startswith("currency") else ""

    def money(v: float) -> str:
        return human(v, unit, cur)

    lever = be.path.removeprefix("brands.0.strategy.")
    rows: list[Row] = [("range", t("report.be_range", lang), [(f"{be.low:g} … {be.high:g}", None)])]
    if be.flip is None:
        rows.append(("flip", t("report.be_flip", lang), [(t("report.be_no_flip", lang), None)]))
    else:
        rows.append(("flip", t("report.be_flip", lang), [(f"{be.flip:.6g}", be.flip)]))
        lo, hi = be.interval or (math.nan, math.nan)
        rows.append(("interval_low", t("report.be_interval_low", lang),
                     [(f"{lo:.6g}" + (" −" if be.open_ends[0] else ""), lo)]))
        rows.append(("interval_high", t("report.be_interval_high", lang),
                     [(f"{hi:.6g}" + (" +" if be.open_ends[1] else ""), hi)]))
    for end in ("low", "high"):
        d = be.at(end)
        rows.append((f"diff_at_{end}", t(f"report.be_diff_at_{end}", lang, value=f"{d['value']:g}"),
                     [(money(d["mean_diff"]), d["mean_diff"]),
                      (f"{money(d['ci_low'])} … {money(d['ci_high'])}", None)]))
    head = [t("report.figure", lang), t("report.value", lang), t("decide.band", lang)]
    rows = [(k, lab, [*cells, ("", None)][:2]) for k, lab, cells in rows]
    parts = [f"<h2>{_e(t('report.breakeven', lang))}</h2>", f"<p>{_e(be.sentence(lang))}</p>",
             _table(rows, head, "decide breakeven")]
    runs = be.meta.get("runs")
    note = t("report.be_note", lang, lever=lever, n=len(be.evaluations), reps=len(be.seeds),
             runs=f"{runs:,}" if isinstance(runs, int) else "?")
    parts.append(f"<p class='note'>{_e(note)}</p>")
    kpi = _label("kpi", be.kpi, lang)
    parts.append(_fig(breakeven_figure(be.evaluations, flip=be.flip, interval=be.interval, target=be.target,
                                       x_title=lever, y_title=t("decide.diff_axis", lang, kpi=kpi), lang=lang,
                                       title=t("decide.breakeven_title", lang))))
    return "\n".join(parts)


# ---- attribution -----------------------------------------------------------------------------------


def attribution_section(attr: Any, lang: str = "en") -> str:
    """The paired profit gap A - B by ledger item (a waterfall with 95% intervals) and by mechanism.

    Args:
        attr: An :class:`~sim.analysis.attribution.Attribution`.
        lang: ``en``, ``zh`` or ``ja``.
    """
    from sim.analysis.attribution import why_lines
    from sim.figures_decide import gap_waterfall_figure

    def money(v: float) -> str:
        return human(v, "currency", attr.currency)

    tot = attr.total()
    head = [t("report.at_item", lang), t("report.at_mechanism", lang), t("report.value", lang),
            t("decide.band", lang), t("report.at_share", lang)]
    rows: list[Row] = []
    items = attr.by_item()
    for _, r in items[items["mean"] != 0].iterrows():
        rows.append((f"item:{r['item']}", _label("money", r["item"], lang),
                     [(_label("mechanism", r["mechanism"], lang), None), (money(r["mean"]), float(r["mean"])),
                      (f"{money(r['ci_low'])} … {money(r['ci_high'])}", None),
                      (human(r["share_of_gap"], "fraction"), float(r["share_of_gap"]))]))
    band = f"{money(tot['ci_low'])} … {money(tot['ci_high'])}"
    rows.append(("total", t("money.total", lang), [("", None), (money(tot["mean"]), tot["mean"]), (band, None),
                                                   ("100.0%", None)]))
    mech_rows: list[Row] = []
    for _, r in attr.by_mechanism().iterrows():
        if r["mean"] != 0:
            mech_rows.append((f"mechanism:{r['mechanism']}", _label("mechanism", r["mechanism"], lang),
                              [(money(r["mean"]), float(r["mean"])),
                               (f"{money(r['ci_low'])} … {money(r['ci_high'])}", None)]))
    total = t("report.at_total", lang, a=attr.a, b=attr.b, gap=money(tot["mean"]), low=money(tot["ci_low"]),
              high=money(tot["ci_high"]), n=attr.n, day=f"{attr.day + 1:,}")
    parts = [f"<h2>{_e(t('report.attribution', lang))}</h2>", f"<p>{_e(total)}</p>"]
    why = why_lines(attr, lang)
    if why:
        parts.append("<ul>" + "".join(f"<li>{_md(x)}</li>" for x in why) + "</ul>")
    parts.append(_fig(gap_waterfall_figure(attr.waterfall("item"), by="item", currency=attr.currency, lang=lang,
                                           title=t("decide.waterfall_title", lang, a=attr.a, b=attr.b))))
    parts.append(_table(rows, head, "decide attribution"))
    parts.append(f"<h3>{_e(t('report.at_by_mechanism', lang))}</h3>")
    parts.append(_table(mech_rows, [t("report.at_mechanism", lang), t("report.value", lang), t("decide.band", lang)],
                        "decide attribution-mechanism"))
    return "\n".join(parts)


# ---- risk ------------------------------------------------------------------------------------------


def risk_section(rp: Any, lang: str = "en") -> str:
    """The chance of a loss, P5/P50/P95 profit and the distribution of the break-even month.

    Args:
        rp: A :class:`~sim.analysis.risk.RiskProfile`.
        lang: ``en``, ``zh`` or ``ja``.
    """
    from sim.figures_decide import breakeven_month_figure, profit_distribution_figure

    def money(v: float) -> str:
        return human(v, "currency", rp.currency)

    p = rp.p_loss()
    q = rp.profit_percentiles()
    s = rp.summary()
    pct = "fraction"
    rows: list[Row] = [
        ("p_loss", t("decide.p_loss", lang), [(human(p["p"], pct), p["p"])]),
        ("p_loss_low", t("report.rk_p_loss_low", lang), [(human(p["low"], pct), p["low"])]),
        ("p_loss_high", t("report.rk_p_loss_high", lang), [(human(p["high"], pct), p["high"])]),
        ("p05", "P5", [(money(q["p05"]), q["p05"])]),
        ("p50", "P50", [(money(q["p50"]), q["p50"])]),
        ("p95", "P95", [(money(q["p95"]), q["p95"])]),
        ("mean", t("report.rk_mean", lang), [(money(q["mean"]), q["mean"])]),
        ("breakeven_median_month", t("report.rk_median_month", lang),
         [(human(s["breakeven_median_month"], "month"), s["breakeven_median_month"])]),
        ("never_breaks_even", t("report.rk_never", lang), [(human(s["never_breaks_even"], pct),
                                                             s["never_breaks_even"])]),
    ]
    months = rp.breakeven_months()
    month_rows: list[Row] = [
        (f"month:{r['month']}", t("decide.never", lang) if r["month"] == "never" else str(r["month"]),
         [(str(int(r["runs"])), float(r["runs"])), (human(r["share"], pct), float(r["share"])),
          ("" if pd.isna(r["cumulative"]) else human(r["cumulative"], pct),
           None if pd.isna(r["cumulative"]) else float(r["cumulative"]))])
        for _, r in months.iterrows()
    ]
    intro = t("report.rk_intro", lang, name=rp.scenario.name, brand=rp.brand, day=f"{rp.day + 1:,}", n=rp.n)
    help_ = t("decide.p_loss_help", lang, low=human(p["low"], pct), high=human(p["high"], pct), n=p["n"])
    parts = [f"<h2>{_e(t('report.risk', lang))}</h2>", f"<p>{_e(intro)}</p>", f"<p>{_e(help_)}</p>",
             _table(rows, [t("report.figure", lang), t("report.value", lang)], "decide risk"),
             "<div class='grid'>",
             _fig(profit_distribution_figure(rp.samples["profit"], percentiles=q, currency=rp.currency, lang=lang,
                                             title=t("decide.profit_dist", lang))),
             _fig(breakeven_month_figure(months, lang=lang, title=t("decide.month_dist", lang))),
             "</div>",
             f"<h3>{_e(t('decide.month_dist', lang))}</h3>",
             _table(month_rows, [t("decide.month", lang), t("decide.runs", lang), t("report.at_share", lang),
                                 t("report.rk_cumulative", lang)], "decide risk-months")]
    return "\n".join(parts)


def decision_sections(*, breakeven: Any = None, attribution: Any = None, risk: Any = None,
                      lang: str = "en") -> list[str]:
    """The HTML of each decision section asked for, in report order (break-even, attribution, risk)."""
    builders: list[tuple[Any, Callable[[Any, str], str]]] = [
        (breakeven, breakeven_section), (attribution, attribution_section), (risk, risk_section)]
    return [build(obj, lang) for obj, build in builders if obj is not None]
