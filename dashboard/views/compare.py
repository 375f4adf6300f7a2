"""Compare (landing page): China-in-China vs Japan-in-Japan by default, any presets or uploads added.

One set of replicate runs per scenario (common random numbers) feeds everything on the page: the
KPI cards (mean, with the 5-95% range), the verdict, the daily bands, the Sankey of stage flows and
the cost waterfall (both means over the same runs, so the waterfall ends at the profit card), the
paired differences and the CSV downloads (in the currency the page shows).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import common as C
from sim import figures, report
from sim.analysis.compare import paired_ci
from sim.figures.flows import mean_joins
from sim.i18n import has
from sim.model import layout as L
from sim.results.kpis import KPI_INFO

T = C.T
SZ = C.sizes()
CARD_KPIS = ("profit", "revenue", "pool_size", "private_share", "member_ltv", "k_factor", "unsubs_per_1000",
             "mean_trust")
SPARKLINES = {"profit": "cum_profit", "revenue": "cum_revenue", "pool_size": "member",
              "private_share": "private_share_30d", "mean_trust": "mean_trust"}
SERIES_CHOICES = ("cum_profit", "member", "active_members", "cum_revenue", "profit_30d", "mean_trust",
                  "cum_opt_outs", "cum_joins", "customers")
PAIRED_KPIS = ("profit", "revenue", "private_share", "pool_size", "member_ltv", "unsubs_per_1000", "mean_trust")
DEFAULT_COMPARISON = "china_vs_japan"
#: Streamlit colour names nearest to the chart palette (sim.figures.PALETTE), for the swatch before a label.
MARK_COLOURS = ("red", "blue", "green", "orange", "violet", "gray")
VERDICT_HEAD = 6
#: Daily columns that are money (converted like the page's money).
MONEY_DAILY = frozenset((*L.MONEY, "revenue", "costs", "profit", "cpm", "member_gross", "member_contribution"))


def _load_preset_comparison() -> None:
    name = st.session_state.get("cmp_preset")
    if name:
        _, _, refs = C.comparison(name)
        st.session_state["cmp_sel"] = [r for r in refs if r in C.source_options()]
        st.session_state["cmp_sources"] = st.session_state["cmp_sel"]


def _keep_sources() -> None:
    # widget state is dropped when another page runs; keep the choice under a plain key
    st.session_state["cmp_sel"] = list(st.session_state.get("cmp_sources") or [])


def labels_of(sources: list[str]) -> list[str]:
    """Display labels of the sources; a number is added only when two labels would be equal."""
    raw = [C.source_label(s) for s in sources]
    out = []
    for i, lab in enumerate(raw):
        out.append(f"{lab} ({raw[: i + 1].count(lab)})" if raw.count(lab) > 1 else lab)
    return out


_default_refs = list(C.comparison(DEFAULT_COMPARISON)[2])
if "cmp_sel" not in st.session_state:
    st.session_state["cmp_sel"] = _default_refs
st.session_state["cmp_sources"] = [s for s in st.session_state["cmp_sel"] if s in C.source_options()]
st.title(T("compare.title") if st.session_state["cmp_sources"] == _default_refs else T("compare.title_other"))
comparisons = [c.removeprefix("comparisons/") for c in C.presets().get("comparisons", [])]

with st.expander(T("compare.setup"), expanded=False):
    a, b = st.columns([1, 2])
    a.selectbox(T("compare.preset"), comparisons, index=None, key="cmp_preset", placeholder=T("compare.preset_pick"),
                format_func=C.bind(lambda n: T(f"comparison.{n}") if has(f"comparison.{n}") else n),
                on_change=_load_preset_comparison)
    b.multiselect(T("compare.scenarios"), C.source_options(), key="cmp_sources", format_func=C.bind(C.source_label),
                  max_selections=6, help=T("compare.scenarios_help"), on_change=_keep_sources,
                  placeholder=T("common.choose"))
    c1, c2, c3, c4 = st.columns(4)
    population = c1.number_input(T("common.population"), min_value=500, max_value=C.CAPS.population,
                                 value=SZ.population, step=5_000, key="cmp_pop")
    days = c2.number_input(T("common.days"), min_value=30, max_value=C.CAPS.days, value=SZ.days, step=365,
                           key="cmp_days")
    reps = c3.slider(T("common.reps"), 1, C.CAPS.reps, SZ.reps, key="cmp_reps", help=T("compare.reps_help"))
    seed = c4.number_input(T("common.seed"), min_value=0, value=20261121, step=1, key="cmp_seed")
    st.caption(C.caps_note())

sources = st.session_state.get("cmp_sources") or []
if not sources:
    st.warning(T("error.need_two"))
    st.stop()

t0 = time.perf_counter()
scenarios = C.safe(lambda: [C.sized(C.source_doc(s), population=population, days=days) for s in sources])
keys = [C.doc_key(s) for s in scenarios]
runs = C.safe(lambda: C.replicates(keys, int(reps), int(seed), what=T("progress.runs")))
cols: list[report.Column] = []
for label, rr in zip(labels_of(sources), runs, strict=True):
    cols += report.replicate_columns(label, rr)
elapsed = time.perf_counter() - t0

title = ""
if sources == _default_refs:
    title = T(f"comparison.{DEFAULT_COMPARISON}")
    st.caption(T(f"comparison.{DEFAULT_COMPARISON}.about"))
sc0 = scenarios[0]
st.caption(T("common.size_note", population=f"{sc0.run.population:,}", days=C.days_label(sc0.run.days),
             represents=f"{sc0.market.represents:,.0f}") + " " + T("compare.reps_note", n=reps)
           + " " + T("common.updated_in", seconds=f"{elapsed:.1f}"))
st.caption(T("compare.figures_mean", n=reps))

# ---- controls: day and currency -------------------------------------------------------------------
last = min(c.last_day for c in cols)
mixed = report.mixed_currency(cols)
day_choices = sorted({d for d in (89, 181, 364, 729, last) if d <= last})
left, right = st.columns([2, 1])
day = left.select_slider(T("common.at_day"), day_choices, value=last, key="cmp_day",
                         format_func=C.bind(lambda d: C.days_label(d + 1)))
usd = True
if mixed:
    usd = right.radio(T("common.money_in"), (True, False), key="cmp_usd", horizontal=True,
                      format_func=C.bind(lambda u: T("common.usd") if u else T("common.own_currency")))
else:
    usd = False


def scale(c: report.Column) -> float:
    """Multiplier that converts a column's money to the display currency."""
    return 1.0 / c.fx if usd and c.fx == c.fx else 1.0


def cur(c: report.Column) -> str:
    """The display currency of a column."""
    return "USD" if usd else c.currency


# ---- verdict ----------------------------------------------------------------------------------------
with st.container(border=True):
    st.subheader(T("compare.verdict"))
    lines = report.verdict(cols, day=day, lang=C.lang())  # labels in the lines are Markdown-escaped
    st.markdown("\n".join(f"- {line}" for line in lines[:VERDICT_HEAD]))
    if len(lines) > VERDICT_HEAD:
        with st.expander(T("compare.verdict_more", n=len(lines) - VERDICT_HEAD)):
            st.markdown("\n".join(f"- {line}" for line in lines[VERDICT_HEAD:]))

# ---- KPI cards ----------------------------------------------------------------------------------
st.subheader(T("compare.kpis"))
base = cols[0]
for i, c in enumerate(cols):
    st.markdown(f":{MARK_COLOURS[i % len(MARK_COLOURS)]}[■] **{C.md(c.label)}**")
    cells = [cell for _ in range(2) for cell in st.columns(len(CARD_KPIS) // 2)]
    for cell, k in zip(cells, CARD_KPIS, strict=True):
        money = C.is_money(k)
        s = scale(c) if money else 1.0
        v = c.stat(k, day) * s
        delta = None
        if i > 0 and (not money or usd or c.currency == base.currency):
            bv = base.stat(k, day) * (scale(base) if money else 1.0)
            if not (math.isnan(v) or math.isnan(bv)):
                delta = v - bv
        spark = None
        if k in SPARKLINES:
            y = c.mean_series(SPARKLINES[k], s)[: day + 1]
            spark = [float(x) for x in y[:: max(1, len(y) // 52)] if x == x]
        C.metric(cell, k, v, delta=delta, currency=cur(c), chart=spark,
                 help=T("compare.card_help", base=C.md(base.label)) if i > 0 else None)
        if c.n > 1:
            cell.caption(T("compare.range", lo=C.fmt(c.stat(k, day, "p05") * s, k, cur(c)),
                           hi=C.fmt(c.stat(k, day, "p95") * s, k, cur(c))))

# ---- charts -------------------------------------------------------------------------------------------
colours = {c.label: figures.colour(i) for i, c in enumerate(cols)}
tab_time, tab_share, tab_flows, tab_costs, tab_table = st.tabs(
    [T("compare.tab_time"), T("compare.tab_share"), T("compare.tab_flows"), T("compare.tab_costs"),
     T("compare.tab_table")])

with tab_time:
    metric = st.selectbox(T("compare.metric"), SERIES_CHOICES, key="cmp_metric",
                          format_func=C.bind(lambda m: T(f"metric.{m}")))
    money_series = figures.SERIES[metric].money
    series = {c.label: c.bands(metric, scale(c)) for c in cols}
    fig = figures.band_figure(series, metric=metric, currency=cur(cols[0]) if (usd or not mixed) else "",
                              lang=C.lang(), colours=colours)
    fig.add_vline(x=day, line={"dash": "dot", "color": "#999", "width": 1})
    C.chart(fig, "cmp_series", T(f"metric.{metric}"))
    if money_series and mixed and not usd:
        st.caption(T("compare.mixed_axis"))
    st.caption(T("compare.band_note", n=reps))

with tab_share:
    share = {c.label: c.bands("private_share_30d") for c in cols}
    C.chart(figures.private_share_figure(share, lang=C.lang()), "cmp_share", T("metric.private_share_30d"))
    st.caption(T("compare.share_note"))

with tab_flows:
    st.caption(T("compare.flows_mean", day=f"{day + 1:,}", n=reps))
    fcols = st.columns(min(len(cols), 2))
    for i, c in enumerate(cols):
        with fcols[i % len(fcols)]:
            C.chart(figures.sankey_figure(c.mean_flows(day), lang=C.lang(), joins=mean_joins(c.frames, day),
                                          title=T("compare.sankey_title", label=c.label, n=c.n)),
                    f"cmp_sankey_{i}", f"sankey_{c.label}")

with tab_costs:
    wcols = st.columns(min(len(cols), 2))
    for i, c in enumerate(cols):
        with wcols[i % len(wcols)]:
            fig = figures.waterfall_figure(c.mean_breakdown(day), currency=cur(c), scale=scale(c), lang=C.lang(),
                                           title=T("compare.waterfall_title", label=c.label, n=c.n))
            C.chart(fig, f"cmp_waterfall_{i}", f"waterfall_{c.label}")
            st.caption(T("compare.costs_mean", day=f"{day + 1:,}", n=c.n,
                         profit=C.fmt(c.stat("profit", day) * scale(c), "profit", cur(c))))

with tab_table:
    table = report.kpi_table(cols, day, lang=C.lang(), kpis=tuple(KPI_INFO)) if usd or not mixed else None
    if table is None:
        table = pd.DataFrame({c.label: [C.fmt(c.stat(k, day), k, c.currency) + (
            f" ({C.fmt(c.stat(k, day, 'p05'), k, c.currency)} – {C.fmt(c.stat(k, day, 'p95'), k, c.currency)})"
            if c.n > 1 else "") for k in KPI_INFO] for c in cols}, index=[C.kpi_label(k) for k in KPI_INFO])
    st.dataframe(table, width="stretch")
    if len(cols) >= 2 and reps >= 2:
        a_col, b_col = cols[0], cols[1]
        st.markdown(f"**{T('compare.paired')}**")
        st.caption(T("compare.paired_note", a=C.md(a_col.label), b=C.md(b_col.label), n=reps))
        same_cur = usd or a_col.currency == b_col.currency
        rows = []
        for k in PAIRED_KPIS:
            money = C.is_money(k)
            if money and not same_cur:
                continue
            sa, sb = (scale(a_col), scale(b_col)) if money else (1.0, 1.0)
            diff = a_col.samples(k, day) * sa - b_col.samples(k, day) * sb
            diff = diff[~np.isnan(diff)]
            if diff.size < 2:
                continue
            lo, hi = paired_ci(diff, 0.95, "t")
            u = cur(a_col) if money else ""
            rows.append({T("compare.col_kpi"): C.kpi_label(k),
                         T("compare.col_diff"): C.fmt_diff(float(diff.mean()), k, u),
                         T("compare.col_ci"): f"{C.fmt_diff(lo, k, u)} – {C.fmt_diff(hi, k, u)}",
                         T("compare.col_wins"): f"{int((diff > 0).sum())} / {diff.size}",
                         T("compare.col_sure"): "✓" if (lo > 0 or hi < 0) else ""})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


# ---- exports --------------------------------------------------------------------------------------------
def daily_means() -> pd.DataFrame:
    """Day-by-day means over each column's replicate runs, money in the page's currency, currency stated."""
    parts = []
    for c in cols:
        stack = pd.concat([f[["day", *[x for x in f.columns if x.startswith("daily.")]]] for f in c.frames])
        m = stack.groupby("day", as_index=False).mean()
        m.columns = [x.removeprefix("daily.") for x in m.columns]
        for col in m.columns:
            if col in MONEY_DAILY:
                m[col] = m[col] * scale(c)
        m.insert(0, "scenario", c.label)
        m.insert(1, "brand", c.brand)
        m.insert(2, "currency", cur(c))
        m.insert(3, "usd_rate", c.fx if not usd else 1.0)
        m.insert(4, "replicates", c.n)
        parts.append(m)
    return pd.concat(parts, ignore_index=True)


st.subheader(T("common.download"))
e1, e2, e3 = st.columns(3)
with e1:
    C.csv_button(report.kpi_numbers(cols, day, usd=usd), "kpis", "cmp_kpis", label=T("export.kpi_csv"))
with e2:
    C.csv_button(daily_means(), "daily_results", "cmp_daily", label=T("export.daily_csv"))
    st.caption(T("compare.daily_note"))
with e3:
    lang = C.lang()

    def _html(cols=cols, day=day, lang=lang, title=title) -> str:
        return report.report_html(cols, lang=lang, day=day, title=title or None)

    C.html_button(_html, "report", "cmp_report")
st.caption(T("compare.samples_note", n=int(np.sum([len(r) for r in runs]))))
C.assumptions_panel("compare")
