"""Compare (landing page): China-in-China vs Japan-in-Japan by default, any presets or uploads added.

KPI cards with deltas against the first column and 5-95% ranges over replicate runs (common random
numbers), the plain-language verdict, daily series with bands, the private share against the 30%
mark, the Sankey of stage flows, the cost waterfall, every KPI with paired differences, and exports.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import common as C
from sim import figures, report
from sim.i18n import has
from sim.results.kpis import KPI_INFO

T = C.T
SZ = C.sizes()
CARD_KPIS = ("profit", "revenue", "pool_size", "private_share", "member_ltv", "k_factor", "unsubs_per_1000",
             "mean_trust")
SPARKLINES = {"profit": "cum_profit", "revenue": "cum_revenue", "pool_size": "member",
              "private_share": "private_share_30d", "mean_trust": "mean_trust"}
SERIES_CHOICES = ("cum_profit", "member", "active_members", "cum_revenue", "profit_30d", "mean_trust",
                  "cum_opt_outs", "cum_joins", "customers")
DEFAULT_COMPARISON = "china_vs_japan"
VERDICT_HEAD = 6


def _load_preset_comparison() -> None:
    name = st.session_state.get("cmp_preset")
    if name:
        _, _, refs = C.comparison(name)
        st.session_state["cmp_sel"] = [r for r in refs if r in C.source_options()]
        st.session_state["cmp_sources"] = st.session_state["cmp_sel"]


def _keep_sources() -> None:
    # widget state is dropped when another page runs; keep the choice under a plain key
    st.session_state["cmp_sel"] = list(st.session_state.get("cmp_sources") or [])


def _display(name: str) -> str:
    return report.display_label(name, C.lang())


_default_refs = list(C.comparison(DEFAULT_COMPARISON)[2])
st.title(T("compare.title") if st.session_state.get("cmp_sel", _default_refs) == _default_refs
         else T("compare.title_other"))
comparisons = [c.removeprefix("comparisons/") for c in C.presets().get("comparisons", [])]
if "cmp_sel" not in st.session_state:
    st.session_state["cmp_sel"] = _default_refs
st.session_state["cmp_sources"] = [s for s in st.session_state["cmp_sel"] if s in C.source_options()]

with st.expander(T("compare.setup"), expanded=False):
    a, b = st.columns([1, 2])
    a.selectbox(T("compare.preset"), comparisons, index=None, key="cmp_preset", placeholder=T("compare.preset_pick"),
                format_func=C.bind(lambda n: T(f"comparison.{n}") if has(f"comparison.{n}") else n),
                on_change=_load_preset_comparison)
    b.multiselect(T("compare.scenarios"), C.source_options(), key="cmp_sources", format_func=C.bind(C.source_label),
                  max_selections=6, help=T("compare.scenarios_help"), on_change=_keep_sources)
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
keys = tuple(C.doc_key(s) for s in scenarios)
ce = C.safe(lambda: C.compare_cached(keys, int(reps), int(seed), _text=T("common.computing_many", n=len(keys) * reps)))
results = {}
for name, ens in ce.ensembles.items():
    k = C.doc_key(ens.scenario)
    results[name] = C.safe(lambda k=k, s=ens.seeds[0], n=name: C.run_cached(k, s, _text=T("common.computing", name=n)))
cols = report.columns_of(ce, results)
for c in cols:
    c.label = _display(c.label)
elapsed = time.perf_counter() - t0

title = ""
if sources == _default_refs:
    title = T(f"comparison.{DEFAULT_COMPARISON}")
    st.caption(T(f"comparison.{DEFAULT_COMPARISON}.about"))
sc0 = scenarios[0]
st.caption(T("common.size_note", population=f"{sc0.run.population:,}", days=C.days_label(sc0.run.days),
             represents=f"{sc0.market.represents:,.0f}") + " " + T("compare.reps_note", n=reps)
           + " " + T("common.updated_in", seconds=f"{elapsed:.1f}"))

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
    lines = report.verdict(cols, day=day, lang=C.lang())
    st.markdown("\n".join(f"- {line}" for line in lines[:VERDICT_HEAD]))
    if len(lines) > VERDICT_HEAD:
        with st.expander(T("compare.verdict_more", n=len(lines) - VERDICT_HEAD)):
            st.markdown("\n".join(f"- {line}" for line in lines[VERDICT_HEAD:]))

# ---- KPI cards ----------------------------------------------------------------------------------
st.subheader(T("compare.kpis"))
base = cols[0]
for i, c in enumerate(cols):
    st.markdown(f"<span style='color:{figures.colour(i)};font-size:1.3em'>■</span> **{c.label}**",
                unsafe_allow_html=True)
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
                 help=T("compare.card_help", base=base.label) if i > 0 else None)
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
    st.caption(T("compare.flows_note", day=f"{day + 1:,}"))
    fcols = st.columns(min(len(cols), 2))
    for i, c in enumerate(cols):
        flows = c.result.flow_totals(0, day)
        flows = flows[flows["brand"] == c.brand]
        with fcols[i % len(fcols)]:
            C.chart(figures.sankey_figure(flows, lang=C.lang(), title=c.label), f"cmp_sankey_{i}",
                    f"sankey_{c.label}")

with tab_costs:
    st.caption(T("compare.costs_note", day=f"{day + 1:,}"))
    wcols = st.columns(min(len(cols), 2))
    for i, c in enumerate(cols):
        with wcols[i % len(wcols)]:
            fig = figures.waterfall_figure(c.result.cost_breakdown(c.brand, day), currency=cur(c), scale=scale(c),
                                           lang=C.lang(), title=c.label)
            C.chart(fig, f"cmp_waterfall_{i}", f"waterfall_{c.label}")

with tab_table:
    table = report.kpi_table(cols, day, lang=C.lang(), kpis=tuple(KPI_INFO)) if usd or not mixed else None
    if table is None:
        table = pd.DataFrame({c.label: [C.fmt(c.stat(k, day), k, c.currency) + (
            f" ({C.fmt(c.stat(k, day, 'p05'), k, c.currency)} – {C.fmt(c.stat(k, day, 'p95'), k, c.currency)})"
            if c.n > 1 else "") for k in KPI_INFO] for c in cols}, index=[C.kpi_label(k) for k in KPI_INFO])
    st.dataframe(table, width="stretch")
    if len(cols) >= 2 and reps >= 2:
        st.markdown(f"**{T('compare.paired')}**")
        st.caption(T("compare.paired_note", a=cols[0].label, b=cols[1].label, n=reps))
        names = list(ce.ensembles)
        raw = [lab for lab, _, _ in ce.columns()]
        rows = []
        for k in ("profit", "revenue", "private_share", "pool_size", "member_ltv", "unsubs_per_1000", "mean_trust"):
            p = C.safe(lambda k=k: ce.paired(k, raw[0], raw[1], day))
            u = p.unit if C.is_money(k) else ""
            rows.append({T("compare.col_kpi"): C.kpi_label(k),
                         T("compare.col_diff"): C.fmt(p.mean_diff, k, u),
                         T("compare.col_ci"): f"{C.fmt(p.ci_low, k, u)} – {C.fmt(p.ci_high, k, u)}",
                         T("compare.col_wins"): f"{p.a_wins} / {p.n}",
                         T("compare.col_sig"): "✓" if p.significant else ""})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

# ---- exports --------------------------------------------------------------------------------------------
st.subheader(T("common.download"))
e1, e2, e3 = st.columns(3)
with e1:
    C.csv_button(report.kpi_numbers(cols, day, usd=usd), "kpis", "cmp_kpis", label=T("export.kpi_csv"))
with e2:
    daily = pd.concat([r.daily.assign(scenario=_display(n)) for n, r in results.items()], ignore_index=True)
    C.csv_button(daily, "daily_results", "cmp_daily", label=T("export.daily_csv"))
with e3:
    lang = C.lang()

    def _html(cols=cols, day=day, lang=lang, title=title) -> str:
        return report.report_html(cols, lang=lang, day=day, title=title or None)

    C.html_button(_html, "report", "cmp_report")
st.caption(T("compare.samples_note", n=int(np.sum([c.n for c in cols]))))
