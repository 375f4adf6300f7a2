"""What-if: move the main strategy levers and see the change against a baseline in about two seconds.

The baseline and the variant run with the same seeds (common random numbers), so the difference
comes from the levers, not the draw. Runs are cached by the resolved scenario's JSON text and the
seed: moving a slider back to a value already seen is instant.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import common as C
from sim import figures, report
from sim.model import layout as L
from sim.results.kpis import KPI_INFO

T = C.T
SZ = C.sizes()
CARD_KPIS = ("profit", "pool_size", "private_share", "opt_outs", "complaints", "fines", "mean_trust", "member_ltv")


def _nice_max(x: float) -> float:
    """A round upper bound at least ``x``: 1, 2 or 5 times a power of ten."""
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * p >= x:
            return float(m * p)
    return float(10 * p)


def _money_slider(label: str, key: str, base: float, floor_usd: float, fx: float, help_text: str) -> float:
    hi = _nice_max(max(3 * base, floor_usd * (fx if fx == fx else 1.0)))
    step = hi / 100
    value = float(min(base, hi))
    return float(st.slider(label, 0.0, hi, value, step=step, key=key, help=help_text, format="%.0f"))


st.title(T("whatif.title"))
st.caption(T("whatif.intro"))

options = C.source_options()
top = st.columns([2, 1, 1, 1])
src = top[0].selectbox(T("whatif.base"), options, index=options.index("japan_in_japan") if "japan_in_japan" in options
                       else 0, key="wi_src", format_func=C.bind(C.source_label))
population = top[1].number_input(T("common.population"), 500, C.CAPS.population, SZ.population, 5_000, key="wi_pop")
days = top[2].number_input(T("common.days"), 30, C.CAPS.days, SZ.days, 365, key="wi_days")
reps = top[3].slider(T("common.reps"), 1, 10, SZ.whatif_reps, key="wi_reps", help=T("whatif.reps_help"))

base_sc = C.safe(lambda: C.sized(C.source_doc(src), population=population, days=days))
brands = [b.name for b in base_sc.brands]
bi = 0
if len(brands) > 1:
    bi = st.radio(T("whatif.brand"), range(len(brands)), format_func=lambda i: brands[i], horizontal=True,
                  key="wi_brand")
strategy = base_sc.brands[bi].strategy
fx = C.fx(base_sc)
cur = base_sc.market.currency
prefix = f"brands.{bi}.strategy"
kp = f"wi_{src}_{bi}_"  # widget keys depend on the baseline, so a new baseline starts from its own values


def _reset() -> None:
    for k in [k for k in st.session_state if str(k).startswith(kp)]:
        del st.session_state[k]


with st.container(border=True):
    st.markdown(f"**{T('whatif.levers')}** — {T('whatif.levers_note', currency=cur)}")
    c1, c2, c3 = st.columns(3)
    with c1:
        ad = _money_slider(T("whatif.ad_budget", currency=cur), kp + "ad", strategy.acquisition.ad_budget_per_day,
                           5_000, fx, T("whatif.ad_budget_help"))
        per_week = st.slider(T("whatif.per_week"), 0.0, 14.0, float(min(strategy.messaging.per_week, 14.0)), 0.5,
                             key=kp + "pw", help=T("whatif.per_week_help"))
        quality = st.slider(T("whatif.quality"), 0.0, 1.0, float(strategy.messaging.quality), 0.05, key=kp + "q",
                            help=T("whatif.quality_help"))
    with c2:
        r_ref = _money_slider(T("whatif.referrer_reward", currency=cur), kp + "rr", strategy.referral.referrer_reward,
                              3, fx, T("whatif.reward_help"))
        r_fee = _money_slider(T("whatif.referee_reward", currency=cur), kp + "re", strategy.referral.referee_reward,
                              3, fx, T("whatif.reward_help"))
        points = st.slider(T("whatif.points_rate"), 0.0, 10.0, float(100 * strategy.membership.points_rate), 0.5,
                           key=kp + "pts", help=T("whatif.points_help"), format="%.1f%%") / 100
    with c3:
        regimes = ("explicit_opt_in", "implied_consent_with_easy_exit")
        regime = st.radio(T("whatif.regime"), regimes, index=regimes.index(base_sc.market.regime.kind),
                          key=kp + "reg", format_func=C.bind(lambda r: T(f"regime.{r}")), help=T("whatif.regime_help"))
        respect = st.checkbox(T("whatif.respect"), value=strategy.compliance.respect_opt_in, key=kp + "resp",
                              help=T("whatif.respect_help"))
        security = _money_slider(T("whatif.security", currency=cur), kp + "sec", strategy.compliance.security_per_day,
                                 200, fx, T("whatif.security_help"))
        cold = st.slider(T("whatif.cold"), 0.0, 7.0, float(min(strategy.compliance.cold_outreach_per_week, 7.0)), 0.5,
                         key=kp + "cold", help=T("whatif.cold_help"))
    st.button(T("whatif.reset"), on_click=_reset, key="wi_reset", icon=":material/restart_alt:")

overrides = [
    f"{prefix}.acquisition.ad_budget_per_day={ad}",
    f"{prefix}.messaging.per_week={per_week}",
    f"{prefix}.messaging.quality={quality}",
    f"{prefix}.referral.referrer_reward={r_ref}",
    f"{prefix}.referral.referee_reward={r_fee}",
    f"{prefix}.membership.points_rate={points}",
    f"market.regime.kind={regime}",
    f"{prefix}.compliance.respect_opt_in={'true' if respect else 'false'}",
    f"{prefix}.compliance.security_per_day={security}",
    f"{prefix}.compliance.cold_outreach_per_week={cold}",
]
t0 = time.perf_counter()
var_sc = C.safe(lambda: C.sized(base_sc, overrides=overrides))
seed = int(base_sc.run.seed)
base_ens = C.safe(lambda: C.replicate_cached(C.doc_key(base_sc), reps, seed,
                                             _text=T("common.computing", name=T("common.baseline"))))
var_ens = C.safe(lambda: C.replicate_cached(C.doc_key(var_sc), reps, seed,
                                            _text=T("common.computing", name=T("common.variant"))))
elapsed = time.perf_counter() - t0
b_col = [c for c in report.columns_of(base_ens) if c.brand == brands[bi]][0]
v_col = [c for c in report.columns_of(var_ens) if c.brand == brands[bi]][0]
b_col.label, v_col.label = T("common.baseline"), T("common.variant")
day = min(b_col.last_day, v_col.last_day)
changed = C.doc_key(base_sc) != C.doc_key(var_sc)

st.caption(T("common.size_note", population=f"{base_sc.run.population:,}", days=C.days_label(base_sc.run.days),
             represents=f"{base_sc.market.represents:,.0f}") + " "
           + T("whatif.timing", seconds=f"{elapsed:.1f}", reps=reps))
if not changed:
    st.info(T("whatif.unchanged"))

cells = [c for _ in range(2) for c in st.columns(len(CARD_KPIS) // 2)]
for cell, k in zip(cells, CARD_KPIS, strict=True):
    v, bv = v_col.stat(k, day), b_col.stat(k, day)
    C.metric(cell, k, v, delta=(v - bv) if changed else None, currency=cur,
             help=T("whatif.card_help", base=C.fmt(bv, k, cur)))
if changed and reps >= 2:
    diffs = v_col.samples("profit", day) - b_col.samples("profit", day)
    st.caption(T("whatif.paired", wins=int((diffs > 0).sum()), n=len(diffs)))

cols = [b_col, v_col]
colours = {b_col.label: "#7f8c8d", v_col.label: "#c0392b"}
left, right = st.columns(2)
with left:
    metric = st.selectbox(T("compare.metric"), ("cum_profit", "member", "private_share_30d", "mean_trust",
                                                "cum_opt_outs", "cum_complaints", "cum_fines", "mean_fatigue"),
                          key="wi_metric", format_func=C.bind(lambda m: T(f"metric.{m}")))
    series = {c.label: c.bands(metric) for c in cols}
    target = figures.PRIVATE_SHARE_TARGET if metric == "private_share_30d" else None
    C.chart(figures.band_figure(series, metric=metric, currency=cur, lang=C.lang(), colours=colours, target=target,
                                target_label=T("fig.target_30") if target else None), "wi_series",
            T(f"metric.{metric}"))
with right:
    items = [m for m in L.MONEY[len(L.REVENUE_ITEMS):]]
    tot = {}
    for c in cols:
        tot[c.label] = [float(np.mean([fr.loc[fr["day"] <= day, f"daily.{m}"].sum() for fr in c.frames]))
                        for m in items]
    keep = [i for i, m in enumerate(items) if max(abs(tot[b_col.label][i]), abs(tot[v_col.label][i])) > 0]
    fig = figures.bar_figure([T(f"money.{items[i]}") for i in keep],
                             {lab: [vals[i] for i in keep] for lab, vals in tot.items()},
                             title=T("whatif.costs_title"), y_title=cur, height=420, colours=colours)
    fig.update_xaxes(tickangle=-35)
    C.chart(fig, "wi_costs", "costs")

table = pd.DataFrame({
    T("common.baseline"): [C.fmt(b_col.stat(k, day), k, cur) for k in KPI_INFO],
    T("common.variant"): [C.fmt(v_col.stat(k, day), k, cur) for k in KPI_INFO],
    T("common.delta"): [C.signed(v_col.stat(k, day) - b_col.stat(k, day), k, cur) for k in KPI_INFO],
}, index=[C.kpi_label(k) for k in KPI_INFO])
with st.expander(T("compare.tab_table")):
    st.dataframe(table, width="stretch")
with st.expander(T("whatif.overrides")):
    st.code("\n".join(overrides), language="text")
    st.caption(T("whatif.overrides_help"))

e1, e2 = st.columns(2)
with e1:
    C.csv_button(report.kpi_numbers(cols, day), "whatif_kpis", "wi_csv", label=T("export.kpi_csv"))
with e2:
    lang = C.lang()
    C.html_button(lambda cols=cols, day=day, lang=lang: report.report_html(cols, lang=lang, day=day,
                                                                           title=T("whatif.title")),
                  "whatif_report", "wi_html")
