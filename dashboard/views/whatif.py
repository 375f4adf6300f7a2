"""What-if: set the main strategy levers on both sides — a baseline (A) and a variant (B) — and compare.

Both sides run the same replicate seeds (common random numbers), so each pair of runs differs only
by the levers. Side B may switch to its levers on a later day (a phased strategy: A's levers until
then, B's from that day, as a strategy phase run by the model's schedule).

Every card shows B's mean, its 5-95% range, A's mean and in how many paired runs B
did better; a difference is called clear only when its 95% paired interval excludes zero. Runs are
shared by every session: moving a slider back to a value anyone has run is instant.
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
from sim.model import layout as L
from sim.results.kpis import KPI_INFO

T = C.T
SZ = C.sizes()
CARD_KPIS = ("profit", "pool_size", "private_share", "opt_outs", "complaints", "fines", "mean_trust", "member_ltv")
MIN_HONEST_REPS = 5
REGIMES = ("explicit_opt_in", "consent_at_join")


def _nice_max(x: float) -> float:
    """A round upper bound at least ``x``: 1, 2 or 5 times a power of ten."""
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * p >= x:
            return float(m * p)
    return float(10 * p)


def _money_slider(where, label: str, key: str, base: float, floor_usd: float, fx: float, help_text: str) -> float:
    hi = _nice_max(max(3 * base, floor_usd * (fx if fx == fx else 1.0)))
    return float(where.slider(label, 0.0, hi, float(min(base, hi)), step=hi / 100, key=key, help=help_text,
                              format="%.0f"))


def levers(where, strategy, regime_kind: str, kp: str, cur: str, fx: float) -> dict[str, object]:
    """The lever widgets of one side, starting from ``strategy``; returns their values."""
    v: dict[str, object] = {}
    v["ad"] = _money_slider(where, T("whatif.ad_budget", currency=cur), kp + "ad",
                            strategy.acquisition.ad_budget_per_day, 5_000, fx, T("whatif.ad_budget_help"))
    v["pw"] = where.slider(T("whatif.per_week"), 0.0, 14.0, float(min(strategy.messaging.per_week, 14.0)), 0.5,
                           key=kp + "pw", help=T("whatif.per_week_help"))
    v["q"] = where.slider(T("whatif.quality"), 0.0, 1.0, float(strategy.messaging.quality), 0.05, key=kp + "q",
                          help=T("whatif.quality_help"))
    v["rr"] = _money_slider(where, T("whatif.referrer_reward", currency=cur), kp + "rr",
                            strategy.referral.referrer_reward, 3, fx, T("whatif.reward_help"))
    v["re"] = _money_slider(where, T("whatif.referee_reward", currency=cur), kp + "re",
                            strategy.referral.referee_reward, 3, fx, T("whatif.reward_help"))
    v["pts"] = where.slider(T("whatif.points_rate"), 0.0, 10.0, float(100 * strategy.membership.points_rate), 0.5,
                            key=kp + "pts", help=T("whatif.points_help"), format="%.1f%%") / 100
    v["reg"] = where.radio(T("whatif.regime"), REGIMES, index=REGIMES.index(regime_kind), key=kp + "reg",
                           format_func=C.bind(lambda r: T(f"regime.{r}")), help=T("whatif.regime_help"))
    v["resp"] = where.checkbox(T("whatif.respect"), value=strategy.compliance.respect_opt_in, key=kp + "resp",
                               help=T("whatif.respect_help"))
    v["sec"] = _money_slider(where, T("whatif.security", currency=cur), kp + "sec",
                             strategy.compliance.security_per_day, 200, fx, T("whatif.security_help"))
    v["cold"] = where.slider(T("whatif.cold"), 0.0, 7.0, float(min(strategy.compliance.cold_outreach_per_week, 7.0)),
                             0.5, key=kp + "cold", help=T("whatif.cold_help"))
    v.update(entry_levers(where, strategy, kp))
    v.update(value_levers(where, strategy, kp, cur, fx))
    return v


# ---- levers of market entry (issue 13): stores and events, livestreams, the own site ----------------
def entry_levers(where, strategy, kp: str) -> dict[str, object]:
    """Widgets of the market-entry levers of one side (issue 13), starting from ``strategy``."""
    v: dict[str, object] = {}
    with where.expander(T("whatif.entry_levers"), expanded=False):
        v["stores"] = st.slider(T("whatif.touchpoints"), 0, 200, int(min(strategy.stores.touchpoints, 200)), 1,
                                key=kp + "stores", help=T("whatif.touchpoints_help"))
        v["events"] = st.slider(T("whatif.events"), 0.0, 52.0, float(min(strategy.stores.events_per_year, 52.0)), 1.0,
                                key=kp + "events", help=T("whatif.events_help"))
        v["live"] = st.slider(T("whatif.live_sessions"), 0.0, 7.0,
                              float(min(strategy.livestream.sessions_per_week, 7.0)), 0.5, key=kp + "live",
                              help=T("whatif.live_sessions_help"))
        v["live_disc"] = st.slider(T("whatif.live_discount"), 0.0, 0.5, float(min(strategy.livestream.discount, 0.5)),
                                   0.05, key=kp + "live_disc", help=T("whatif.live_discount_help"))
        v["site"] = st.checkbox(T("whatif.own_site"), value=strategy.own_site.setup_day is not None, key=kp + "site",
                                help=T("whatif.own_site_help"))
        v["divert"] = st.slider(T("whatif.diversion"), 0.0, 1.0, float(strategy.own_site.diversion_share), 0.05,
                                key=kp + "divert", help=T("whatif.diversion_help"))
        v["group"] = st.slider(T("whatif.group_open"), 0.0, 5.0, float(min(100 * strategy.group_buying.open_rate, 5.0)),
                               0.1, key=kp + "group", help=T("whatif.group_open_help"), format="%.1f%%") / 100
    v["site_day"] = strategy.own_site.setup_day
    return v


def entry_overrides(v: dict[str, object], prefix: str) -> list[str]:
    """``--set``-style overrides of the market-entry levers (the own site opens on day 0 when switched on)."""
    day = v["site_day"] if v["site_day"] is not None else 0
    return [
        f"{prefix}.stores.touchpoints={v['stores']}",
        f"{prefix}.stores.events_per_year={v['events']}",
        f"{prefix}.livestream.sessions_per_week={v['live']}",
        f"{prefix}.livestream.discount={v['live_disc']}",
        f"{prefix}.own_site.setup_day={day if v['site'] else 'null'}",
        f"{prefix}.own_site.diversion_share={v['divert']}",
        f"{prefix}.group_buying.open_rate={v['group']}",
    ]


# ---- stored value and cross-sell (issue 13) ---------------------------------------------------------
def value_levers(where, strategy, kp: str, cur: str, fx: float) -> dict[str, object]:
    """Widgets of the lock-in levers of one side: stored-value top-ups, member benefits, cross-sell trials."""
    v: dict[str, object] = {}
    with where.expander(T("whatif.value_levers"), expanded=False):
        v["topups"] = st.slider(T("whatif.topups"), 0.0, 12.0, float(min(strategy.stored_value.topup_rate, 12.0)),
                                0.5, key=kp + "topups", help=T("whatif.topups_help"))
        v["benefits"] = _money_slider(st, T("whatif.benefits", currency=cur), kp + "benefits",
                                      strategy.member_benefits.cost_per_member_year, 20, fx, T("whatif.benefits_help"))
        v["xsell"] = st.slider(T("whatif.cross_sell"), 0.0, 1.0, float(strategy.cross_sell.trial_rate), 0.01,
                               key=kp + "xsell", help=T("whatif.cross_sell_help"))
    return v


def value_overrides(v: dict[str, object], prefix: str) -> list[str]:
    """``--set``-style overrides of the lock-in levers."""
    return [f"{prefix}.stored_value.topup_rate={v['topups']}",
            f"{prefix}.member_benefits.cost_per_member_year={v['benefits']}",
            f"{prefix}.cross_sell.trial_rate={v['xsell']}"]


def overrides_of(v: dict[str, object], prefix: str) -> list[str]:
    """``--set``-style overrides of one side's lever values."""
    return [
        f"{prefix}.acquisition.ad_budget_per_day={v['ad']}",
        f"{prefix}.messaging.per_week={v['pw']}",
        f"{prefix}.messaging.quality={v['q']}",
        f"{prefix}.referral.referrer_reward={v['rr']}",
        f"{prefix}.referral.referee_reward={v['re']}",
        f"{prefix}.membership.points_rate={v['pts']}",
        f"market.regime.kind={v['reg']}",
        f"{prefix}.compliance.respect_opt_in={'true' if v['resp'] else 'false'}",
        f"{prefix}.compliance.security_per_day={v['sec']}",
        f"{prefix}.compliance.cold_outreach_per_week={v['cold']}",
        *entry_overrides(v, prefix),
        *value_overrides(v, prefix),
    ]


#: Lever values of :func:`levers` -> the strategy path they set (the market's regime is not a strategy lever).
LEVER_PATHS = {"ad": "acquisition.ad_budget_per_day", "pw": "messaging.per_week", "q": "messaging.quality",
               "rr": "referral.referrer_reward", "re": "referral.referee_reward", "pts": "membership.points_rate",
               "resp": "compliance.respect_opt_in", "sec": "compliance.security_per_day",
               "cold": "compliance.cold_outreach_per_week"}


def switch_phase(v: dict[str, object], day0: int) -> dict[str, object]:
    """A strategy phase from 0-based ``day0`` setting every strategy lever of ``v``."""
    changes: dict[str, object] = {}
    for key, path in LEVER_PATHS.items():
        section, leaf = path.split(".")
        value = v[key]
        changes.setdefault(section, {})[leaf] = bool(value) if key == "resp" else float(value)
    return {"from_day": int(day0), "name": "what-if switch", "set": changes}


def switched_doc(first: object, v: dict[str, object], bi: int, day0: int) -> dict:
    """The document of scenario ``first`` (A's levers) with brand ``bi`` switching to ``v``'s levers on ``day0``.

    A phase of the strategy on the same day is merged (the switch wins); phases stay in order of day.
    """
    doc = first.model_dump(mode="json")
    phases = [ph for ph in doc["brands"][bi]["strategy"].get("phases", []) if ph["from_day"] != day0]
    same = [ph for ph in doc["brands"][bi]["strategy"].get("phases", []) if ph["from_day"] == day0]
    new = switch_phase(v, day0)
    if same:
        from sim.scenario.schema import deep_merge

        new["set"] = deep_merge(same[0]["set"], new["set"])
    doc["brands"][bi]["strategy"]["phases"] = sorted([*phases, new], key=lambda ph: ph["from_day"])
    return doc


def better(k: str, diff: np.ndarray) -> np.ndarray:
    """Which paired differences (B minus A) are improvements for KPI ``k``."""
    return diff > 0 if KPI_INFO.get(k, ("", "", True))[2] else diff < 0


st.title(T("whatif.title"))
st.caption(T("whatif.intro_honest"))

options = C.source_options()
top = st.columns([2, 1, 1, 1])
src = top[0].selectbox(T("whatif.base"), options, index=options.index("japan_in_japan") if "japan_in_japan" in options
                       else 0, key="wi_src", format_func=C.bind(C.source_label))
population = top[1].number_input(T("common.population"), 500, C.CAPS.population, SZ.population, 5_000, key="wi_pop")
days = top[2].number_input(T("common.days"), 30, C.CAPS.days, SZ.days, 365, key="wi_days")
reps = int(top[3].number_input(T("common.reps"), 1, C.CAPS.reps, SZ.whatif_reps, 1, key="wi_reps",
                               help=T("whatif.reps_honest")))

base_sc = C.safe(lambda: C.sized(C.source_doc(src), population=population, days=days))
brands = [b.name for b in base_sc.brands]
bi = 0
if len(brands) > 1:
    bi = st.radio(T("whatif.brand"), range(len(brands)), format_func=lambda i: C.md(brands[i]), horizontal=True,
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
    st.markdown(f"**{T('whatif.both_sides')}** — {T('whatif.levers_note', currency=cur)}")
    side_a, side_b = st.columns(2, border=True)
    side_a.markdown(f"**{T('whatif.side_base')}**")
    side_b.markdown(f"**{T('whatif.side_var')}**")
    va = levers(side_a, strategy, base_sc.market.regime.kind, kp + "a_", cur, fx)
    vb = levers(side_b, strategy, base_sc.market.regime.kind, kp + "b_", cur, fx)
    switch = int(side_b.number_input(T("whatif.switch_day"), 1, int(base_sc.run.days), 1, 1, key=kp + "b_switch",
                                     help=T("whatif.switch_help")))
    st.button(T("whatif.reset"), on_click=_reset, key="wi_reset", icon=":material/restart_alt:")

ov_a, ov_b = overrides_of(va, prefix), overrides_of(vb, prefix)
t0 = time.perf_counter()
sc_a = C.safe(lambda: C.sized(base_sc, overrides=ov_a))
if switch > 1:  # B runs A's levers (under B's consent law) until the switch, then its own
    ov_b = [o for o in ov_a if not o.startswith("market.")] + [f"market.regime.kind={vb['reg']}"]
    first_b = C.safe(lambda: C.sized(base_sc, overrides=ov_b))
    sc_b = C.safe(lambda: C.sized(switched_doc(first_b, vb, bi, switch - 1)))
    ov_b = [*ov_b, f"# from day {switch}:", *overrides_of(vb, prefix)[:6], *overrides_of(vb, prefix)[7:]]
else:
    sc_b = C.safe(lambda: C.sized(base_sc, overrides=ov_b))
seed = int(base_sc.run.seed)
runs = C.safe(lambda: C.replicates([C.doc_key(sc_a), C.doc_key(sc_b)], reps, seed, what=T("progress.runs")))
elapsed = time.perf_counter() - t0
a_col = [c for c in report.replicate_columns(T("whatif.side_base"), runs[0]) if c.brand == brands[bi]][0]
b_col = [c for c in report.replicate_columns(T("whatif.side_var"), runs[1]) if c.brand == brands[bi]][0]
day = min(a_col.last_day, b_col.last_day)
changed = C.doc_key(sc_a) != C.doc_key(sc_b)

st.caption(T("common.size_note", population=f"{base_sc.run.population:,}", days=C.days_label(base_sc.run.days),
             represents=f"{base_sc.market.represents:,.0f}") + " "
           + T("whatif.timing_honest", seconds=f"{elapsed:.1f}", reps=reps))
if not changed:
    st.info(T("whatif.unchanged"))
elif reps < MIN_HONEST_REPS:
    st.warning(T("whatif.few_reps", n=reps))
else:
    diff = b_col.samples("profit", day) - a_col.samples("profit", day)
    diff = diff[~np.isnan(diff)]
    lo, hi = paired_ci(diff, 0.95, "t")
    m = float(diff.mean())
    clear = lo > 0 or hi < 0
    text = T("whatif.sure" if clear else "whatif.unsure", diff=C.fmt_diff(m, "profit", cur),
             lo=C.fmt_diff(lo, "profit", cur), hi=C.fmt_diff(hi, "profit", cur),
             dir=T("whatif.better") if m > 0 else T("whatif.worse"))
    (st.success if clear else st.info)(text)

cells = [c for _ in range(2) for c in st.columns(len(CARD_KPIS) // 2)]
for cell, k in zip(cells, CARD_KPIS, strict=True):
    v, bv = b_col.stat(k, day), a_col.stat(k, day)
    C.metric(cell, k, v, delta=(v - bv) if changed else None, currency=cur)
    parts = [T("whatif.card_range", lo=C.fmt(b_col.stat(k, day, "p05"), k, cur),
               hi=C.fmt(b_col.stat(k, day, "p95"), k, cur), base=C.fmt(bv, k, cur))]
    if changed:
        d = b_col.samples(k, day) - a_col.samples(k, day)
        d = d[~np.isnan(d)]
        parts.append(T("whatif.card_wins", wins=int(better(k, d).sum()), n=int(d.size)))
    cell.caption(" · ".join(parts))

cols = [a_col, b_col]
colours = {a_col.label: "#7f8c8d", b_col.label: "#c0392b"}
left, right = st.columns(2)
with left:
    metric = st.selectbox(T("compare.metric"), ("cum_profit", "member", "private_share_30d", "mean_trust",
                                                "cum_opt_outs", "cum_complaints", "cum_fines", "mean_fatigue"),
                          key="wi_metric", format_func=C.bind(lambda m: T(f"metric.{m}")))
    series = {c.label: c.bands(metric) for c in cols}
    target = figures.PRIVATE_SHARE_TARGET if metric == "private_share_30d" else None
    fig = figures.band_figure(series, metric=metric, currency=cur, lang=C.lang(), colours=colours, target=target,
                              target_label=T("fig.target_30") if target else None)
    if switch > 1:
        fig.add_vline(x=switch - 1, line={"color": colours[b_col.label], "dash": "dot"},
                      annotation_text=T("whatif.switch_mark"), annotation_position="top left")
    C.chart(fig, "wi_series", T(f"metric.{metric}"))
with right:
    items = list(L.MONEY[len(L.REVENUE_ITEMS):])
    tot = {c.label: c.mean_breakdown(day) for c in cols}
    keep = [m for m in items if max(abs(tot[a_col.label][m]), abs(tot[b_col.label][m])) > 0]
    fig = figures.bar_figure([T(f"money.{m}") for m in keep], {lab: [b[m] for m in keep] for lab, b in tot.items()},
                             title=T("whatif.costs_title"), y_title=cur, height=420, colours=colours)
    fig.update_xaxes(tickangle=-35)
    C.chart(fig, "wi_costs", "costs")

table = pd.DataFrame({
    a_col.label: [C.fmt(a_col.stat(k, day), k, cur) for k in KPI_INFO],
    b_col.label: [C.fmt(b_col.stat(k, day), k, cur) for k in KPI_INFO],
    T("common.delta"): [C.fmt_diff(b_col.stat(k, day) - a_col.stat(k, day), k, cur) for k in KPI_INFO],
}, index=[C.kpi_label(k) for k in KPI_INFO])
with st.expander(T("compare.tab_table")):
    st.dataframe(table, width="stretch")
with st.expander(T("whatif.overrides")):
    st.code("# A\n" + "\n".join(ov_a) + "\n# B\n" + "\n".join(ov_b), language="text")
    st.caption(T("whatif.overrides_help"))

e1, e2 = st.columns(2)
with e1:
    C.csv_button(report.kpi_numbers(cols, day), "whatif_kpis", "wi_csv", label=T("export.kpi_csv"))
with e2:
    lang = C.lang()
    C.html_button(lambda cols=cols, day=day, lang=lang: report.report_html(cols, lang=lang, day=day,
                                                                           title=T("whatif.title")),
                  "whatif_report", "wi_html")
C.assumptions_panel("whatif")
