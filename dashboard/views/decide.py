"""Decide: which option, how sure, why, on which assumption the answer rests, and the risk (issue 15).

Four tools, each a few clicks:

* **Two options** - one lever at two values (e.g. 3 or 7 messages a week), paired over common seeds:
  who wins, in how many seeds, the interval of the difference, and why (the gap by ledger item);
* **Break-even** - the value of a lever or assumption at which A stops beating B, or at which a KPI
  reaches a target (which referral reward makes fission self-sustaining, K = 1, or none);
* **Robustness** - which market assumptions move the verdict A - B most (Morris screening on the
  paired difference; e.g. does the China playbook survive Japan's consent law, and what would change it);
* **Risk** - chance of a loss, P5/P50/P95 profit, and the break-even month over replicates.

Every run goes through ``sim.analysis`` with the dashboard's :class:`~sim.analysis.execution.Execution`,
shows a progress bar with the count of runs, and is cached under its inputs.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import streamlit as st

from dashboard import common as C
from dashboard.runs import Ticker, slot
from sim import figures, figures_decide
from sim.analysis.robustness import path_label, scenario_label
from sim.results.kpis import KPI_INFO

T = C.T
SZ = C.sizes()

#: Strategy levers (relative to the brand's strategy): default range.
LEVERS: dict[str, tuple[float, float]] = {
    "messaging.per_week": (0.0, 14.0),
    "messaging.quality": (0.1, 1.0),
    "referral.referrer_reward": (0.0, 60.0),
    "referral.referee_reward": (0.0, 60.0),
    "membership.points_rate": (0.0, 0.05),
    "compliance.security_per_day": (0.0, 20_000.0),
    "compliance.cold_outreach_per_week": (0.0, 7.0),
    "acquisition.ad_budget_per_day": (0.0, 200_000.0),
}
#: Market assumptions (full paths, set on both scenarios): default range.
ASSUMPTIONS: dict[str, tuple[float, float]] = {
    "market.regime.enforcement_per_violation_complaint": (0.0, 0.002),
    "market.regime.fine_per_enforcement": (0.0, 60_000_000.0),
    "market.regime.complaint_rate_cold": (0.0, 0.05),
    "market.regime.marketing_opt_in_rate": (0.2, 1.0),
    "market.regime.consent_friction": (0.3, 1.0),
    "market.regime.enforcement_trust_shock": (0.0, 0.3),
}
KPIS = tuple(KPI_INFO)
_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")



#: Daily columns kept by the paired ensembles of this page: the stage census, every ledger item, money
#: totals and the tallies its figures read.
ENSEMBLE_DAILY: tuple[str, ...] = tuple(dict.fromkeys((
    "unaware", "aware", "customer", "member", "lapsed", "revenue", "costs", "profit", "sends", "opt_outs",
    "first_purchases", "joins_referral", "cpm", "mean_trust", "mean_fatigue", "complaints", "active_members",
    *figures.L.MONEY)))


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def compare_cached(keys: tuple[str, ...], reps: int, root_seed: int | None, _text: str = "") -> Any:
    """Replicates of several scenarios with common random numbers (a ``ComparisonEnsemble``), in the work queue."""
    from sim.analysis.compare import compare_scenarios
    from sim.analysis.executors import DEFAULT_DAILY

    scs = [C.from_key(k) for k in keys]
    daily = tuple(dict.fromkeys((*DEFAULT_DAILY, *ENSEMBLE_DAILY)))
    bar = st.progress(0.0, text=_text)
    try:
        with slot(bar, _text):
            return compare_scenarios(scs, reps, execution=C.execution(root_seed, Ticker(bar, _text)),
                                     daily_columns=daily)
    finally:
        bar.empty()

def _md(text: str) -> str:
    """Text safe for ``st.markdown``: every Markdown and HTML character escaped (no markup from user names)."""
    return _MD.sub(r"\\\1", str(text))


def _label(path: str) -> str:
    """A lever or assumption path in words, in the session's language (plain text: escape before Markdown)."""
    return path_label(path, C.lang())


def _scenario(src: str, population: int, days: int):
    return C.safe(lambda: C.sized(C.source_doc(src), population=population, days=days))


# ---- cached analyses --------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def breakeven_cached(key_a: str, key_b: str | None, path: str, low: float, high: float, kpi: str, target: float,
                     both: bool, reps: int, _text: str = "") -> object:
    """A break-even search, cached by its inputs."""
    from sim.analysis.robustness import breakeven

    bar = st.progress(0.0, text=_text)
    try:
        return breakeven(C.from_key(key_a), C.from_key(key_b) if key_b else None, path, low, high, kpi=kpi,
                         target=target, both=both, reps=reps, grid=4 if C.test_mode() else 5,
                         max_evals=8 if C.test_mode() else 30, execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def robustness_cached(key_a: str, key_b: str, params: tuple[tuple[str, float, float], ...], n: int, reps: int,
                      _text: str = "") -> object:
    """Morris screening of the paired profit difference A - B, cached by its inputs."""
    from sim.analysis.sensitivity import sensitivity

    bar = st.progress(0.0, text=_text)
    try:
        return sensitivity(C.from_key(key_a), {p: (lo, hi) for p, lo, hi in params}, method="morris", n=n,
                           kpis=("profit",), reps=reps, versus=C.from_key(key_b), versus_too=True,
                           execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def pareto_cached(key: str, levers: tuple[tuple[str, float, float], ...], objectives: tuple[str, ...], reps: int,
                  pop_size: int, generations: int, _text: str = "") -> object:
    """A Pareto front (NSGA-II), cached by its inputs."""
    from sim.analysis.pareto import pareto

    bar = st.progress(0.0, text=_text)
    try:
        return pareto(C.from_key(key), {p: (lo, hi) for p, lo, hi in levers}, objectives, reps=reps,
                      pop_size=pop_size, generations=generations, execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def risk_cached(key: str, reps: int, _text: str = "") -> object:
    """The risk profile of one scenario, cached by its inputs."""
    from sim.analysis.risk import risk

    bar = st.progress(0.0, text=_text)
    try:
        return risk(C.from_key(key), reps, execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def stress_cached(key: str, kind: str, day0: int, size: float, reps: int, _text: str = "") -> object:
    """A stress on day ``day0`` against the unstressed twin (paired, common seeds), cached by its inputs."""
    from sim.analysis.risk import stress_test

    bar = st.progress(0.0, text=_text)
    try:
        return stress_test(C.from_key(key), {"kind": kind, "day": day0, "size": size}, reps,
                           execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


#: Stress kinds: (default size, largest size, step).
STRESS_SIZES: dict[str, tuple[float, float, float]] = {
    "breach": (1.0, 5.0, 0.5), "enforcement": (1.0, 5.0, 0.5), "channel_ban": (0.3, 1.0, 0.05),
    "ad_price": (0.5, 3.0, 0.1)}


def _stress_section(sc: Any, days: int, reps: int) -> None:
    """The stress test of the risk tool: a kind, a day and a size, against the unstressed twin."""
    st.subheader(T("decide.stress_title"))
    cols = st.columns(3)
    kind = cols[0].selectbox(T("decide.stress_kind"), tuple(STRESS_SIZES), key="de_st_kind",
                             format_func=C.bind(lambda x: T(f"decide.stress_kind_{x}")))
    day = cols[1].number_input(T("decide.stress_day"), 1, int(days), max(1, int(days) // 2), 1, key="de_st_day")
    default, top, step = STRESS_SIZES[kind]
    size = cols[2].number_input(T("decide.stress_size"), 0.0, top, default, step, key=f"de_st_size_{kind}",
                                help=T("decide.stress_size_help"))
    req = (C.doc_key(sc), kind, int(day) - 1, float(size), int(reps))
    if st.button(T("decide.stress_run"), key="de_st_run", icon=":material/bolt:"):
        st.session_state["de_st_req"] = req
    if not st.session_state.get("de_st_req"):
        return
    r = st.session_state["de_st_req"]
    res = C.safe(lambda: stress_cached(*r, _text=T("common.computing_many", n=2 * r[4])))
    if r != req:
        st.info(T("explore.stale"))
    cur = res.currency
    e = res.effects().set_index("kpi")
    p = res.p_loss()
    cols = st.columns(3)
    cols[0].metric(T("decide.stress_change"), C.fmt(e.loc["profit", "change"], "profit", cur),
                   help=T("decide.stress_change_help", n=res.n, low=C.fmt(e.loc["profit", "ci_low"], "profit", cur),
                          high=C.fmt(e.loc["profit", "ci_high"], "profit", cur)))
    cols[1].metric(T("decide.stress_p_loss"), f"{100 * p['stressed']:.0f}%",
                   delta=f"{100 * (p['stressed'] - p['unstressed']):+.0f} pt", delta_color="inverse")
    cols[2].metric(T("kpi.pool_size"), C.fmt(e.loc["pool_size", "stressed"], "pool_size"),
                   delta=C.signed(e.loc["pool_size", "change"], "pool_size"))
    C.chart(figures_decide.stress_pairs_figure(res.samples, currency=cur, lang=C.lang(), title=T("decide.stress_fig")),
            "de_stress_pairs", "stress_pairs")
    st.caption(T("decide.stress_new_note"))
    C.csv_button(res.samples, "stress", "de_st_csv")


# ---- page -------------------------------------------------------------------------------------------

st.title(T("decide.title"))
st.caption(T("decide.intro"))
options = C.source_options()
top = st.columns(3)
population = top[0].number_input(T("common.population"), 500, C.CAPS.population, SZ.explore_population, 1_000,
                                 key="de_pop")
days = top[1].number_input(T("common.days"), 30, C.CAPS.days, SZ.explore_days, 90, key="de_days")
reps = top[2].slider(T("common.reps"), 2, 20, max(2, SZ.reps), key="de_reps")
tool = st.radio(T("decide.tool"), ("two", "breakeven", "robust", "risk", "pareto"), horizontal=True, key="de_tool",
                format_func=C.bind(lambda x: T(f"decide.tool_{x}")))
st.caption(T(f"decide.about_{tool}"))


def _pick(label: str, key: str, default: str) -> str:
    """A scenario box; its pick is kept while the box is hidden (Streamlit drops a hidden widget's state)."""
    kept = st.session_state.get(f"{key}__kept", default)
    pick = st.selectbox(label, options, index=options.index(kept) if kept in options else 0, key=key,
                        format_func=C.bind(C.source_label))
    st.session_state[f"{key}__kept"] = pick
    return pick


def _why(comp: object, a: str, b: str) -> None:
    """The paired verdict on headline KPIs, the gap waterfall and the why."""
    from sim.analysis.attribution import attribute, why_lines

    summ = comp.summary(a, b, kpis=("profit", "pool_size", "opt_outs", "mean_trust"), lang=C.lang())
    for _, r in summ.iterrows():
        st.markdown("- " + _md(r["sentence"]))
    attr = attribute(comp, a, b)
    by = st.radio(T("decide.by"), ("item", "mechanism"), horizontal=True, key="de_by",
                  format_func=C.bind(lambda x: T(f"decide.by_{x}")))
    steps = attr.waterfall(by, min_share=0.02)
    fig = figures_decide.gap_waterfall_figure(steps, by=by, currency=attr.currency, lang=C.lang(),
                                              title=T("decide.waterfall_title", a=a, b=b))
    C.chart(fig, "de_waterfall", "gap_waterfall")
    for line in why_lines(attr, C.lang(), bold=False):
        st.markdown(_md(line))
    C.csv_button(attr.by_item(), "attribution", "de_attr_csv")


if tool == "two":
    c1, c2, c3 = st.columns(3)
    src = _pick(T("common.scenario"), "de_two_src", "china_in_china")
    sc = _scenario(src, population, days)
    rel = c1.selectbox(T("decide.lever"), list(LEVERS), key="de_two_lever",
                       format_func=C.bind(lambda r: T(f"lever.{r}")))
    obj = sc.brands[0].strategy
    for part in rel.split("."):
        obj = getattr(obj, part)
    lo, hi = LEVERS[rel]
    va = c2.number_input(T("decide.value_a"), value=3.0 if rel == "messaging.per_week" else float(obj),
                         key=f"de_two_a_{rel}", format="%g")
    vb = c3.number_input(T("decide.value_b"), value=7.0 if rel == "messaging.per_week" else float(hi),
                         key=f"de_two_b_{rel}", format="%g")
    path = f"brands.0.strategy.{rel}"
    sa = C.safe(lambda: C.sized(sc, overrides=[f"{path}={va}", f"name={T('decide.option_a')} ({va:g})"]))
    sb = C.safe(lambda: C.sized(sc, overrides=[f"{path}={vb}", f"name={T('decide.option_b')} ({vb:g})"]))
    st.caption(T("explore.runs", n=2 * reps))
    req = ((C.doc_key(sa), C.doc_key(sb)), int(reps))
    if st.button(T("explore.run"), key="de_two_run", type="primary", icon=":material/play_arrow:"):
        st.session_state["de_two_req"] = req
    if st.session_state.get("de_two_req"):
        r = st.session_state["de_two_req"]
        comp = C.safe(lambda: compare_cached(r[0], r[1], None, _text=T("common.computing_many", n=2 * r[1])))
        if r != req:
            st.info(T("explore.stale"))
        _why(comp, comp.labels[0], comp.labels[1])

elif tool == "breakeven":
    mode = st.radio(T("decide.mode"), ("versus", "target"), horizontal=True, key="de_be_mode",
                    format_func=C.bind(lambda x: T(f"decide.mode_{x}")))
    c1, c2 = st.columns(2)
    # each mode keeps its own Scenario A and its own last result: the two modes ask different questions, so a
    # pick (or an answer) of one must not carry over to the other
    src_a = _pick(T("decide.scenario_a"), f"de_be_a_{mode}", "china_in_china" if mode == "target" else
                  "china_playbook_in_japan")
    sa = _scenario(src_a, population, days)
    if mode == "versus":
        src_b = _pick(T("decide.scenario_b"), "de_be_b", "japan_in_japan")
        sb = _scenario(src_b, population, days)
        kpi, target = "profit", 0.0
        choices = [*ASSUMPTIONS, *(f"brands.0.strategy.{r}" for r in LEVERS)]
    else:
        sb = None
        kpi = c2.selectbox(T("decide.kpi"), KPIS, index=KPIS.index("k_factor"), key="de_be_kpi",
                           format_func=C.bind(C.kpi_label))
        target = c2.number_input(T("decide.target"), value=1.0, key="de_be_target", format="%g")
        choices = [f"brands.0.strategy.{r}" for r in LEVERS] + list(ASSUMPTIONS)
    default = "brands.0.strategy.referral.referrer_reward" if mode == "target" else choices[0]
    path = c1.selectbox(T("decide.lever_or_assumption"), choices, index=choices.index(default), key=f"de_be_p_{mode}",
                        format_func=C.bind(_label))
    lo0, hi0 = ASSUMPTIONS.get(path) or LEVERS[path.split(".strategy.")[-1]]
    a, b = c1.columns(2)
    low = a.number_input(T("explore.low"), value=float(lo0), key=f"de_be_lo_{path}", format="%g")
    high = b.number_input(T("explore.high"), value=float(hi0), key=f"de_be_hi_{path}", format="%g")
    both = path.startswith("market.") and sb is not None
    if both:
        st.caption(T("decide.both_note"))
    req = (C.doc_key(sa), C.doc_key(sb) if sb is not None else None, path, float(low), float(high), kpi,
           float(target), both, int(reps))
    if st.button(T("explore.run"), key="de_be_run", type="primary", icon=":material/play_arrow:"):
        st.session_state[f"de_be_req_{mode}"] = req
    if st.session_state.get(f"de_be_req_{mode}"):
        r = st.session_state[f"de_be_req_{mode}"]
        res = C.safe(lambda: breakeven_cached(*r, _text=T("common.computing_many", n=r[-1])))
        if r != req:
            st.info(T("explore.stale"))
        (st.success if res.flips else st.warning)(_md(res.sentence(C.lang())))
        y_title = C.kpi_label(res.kpi) if not res.b else T("decide.diff_axis", kpi=C.kpi_label(res.kpi))
        fig = figures_decide.breakeven_figure(res.evaluations, flip=res.flip, interval=res.interval,
                                              target=res.target, x_title=_label(res.path), y_title=y_title,
                                              lang=C.lang(),
                                              title=T("decide.breakeven_title" if res.b else "decide.target_title"))
        C.chart(fig, "de_breakeven", "breakeven")
        st.caption(T("decide.breakeven_note", runs=f"{res.meta['runs']:,}", points=res.meta["evaluations"],
                     reps=len(res.seeds)))
        C.csv_button(res.evaluations, "breakeven", "de_be_csv")

elif tool == "robust":
    c1, c2 = st.columns(2)
    with c1:
        src_a = _pick(T("decide.scenario_a"), "de_ro_a", "china_playbook_in_japan")
    with c2:
        src_b = _pick(T("decide.scenario_b"), "de_ro_b", "japan_in_japan")
    sa, sb = _scenario(src_a, population, days), _scenario(src_b, population, days)
    chosen = st.multiselect(T("decide.assumptions"), list(ASSUMPTIONS), default=list(ASSUMPTIONS)[:4],
                            key="de_ro_params", format_func=C.bind(_label))
    n = 2 if C.test_mode() else 4
    runs = (n * (len(chosen) + 1) + 2 * len(chosen) + 1) * reps * 2
    st.caption(T("explore.runs", n=runs))
    req = (C.doc_key(sa), C.doc_key(sb), tuple((p, *ASSUMPTIONS[p]) for p in chosen), n, int(reps))
    if st.button(T("explore.run"), key="de_ro_run", type="primary", icon=":material/play_arrow:",
                 disabled=len(chosen) < 2):
        st.session_state["de_ro_req"] = req
    if len(chosen) < 2:
        st.info(T("explore.need_two"))
    if st.session_state.get("de_ro_req"):
        r = st.session_state["de_ro_req"]
        comp = C.safe(lambda: compare_cached((r[0], r[1]), r[4], None,
                                               _text=T("common.computing_many", n=2 * r[4])))
        res = C.safe(lambda: robustness_cached(*r, _text=T("common.computing_many", n=runs)))
        if r != req:
            st.info(T("explore.stale"))
        p = comp.paired("profit", comp.labels[0], comp.labels[1])
        p = dataclasses.replace(p, a=scenario_label(p.a, C.lang()), b=scenario_label(p.b, C.lang()))  # ids in words
        st.markdown(_md(p.sentence(T("paired.when", day=p.day + 1), C.lang())))
        ranked = res.ranked("profit")
        labels = [_label(x) for x in ranked["path"]]
        fig = figures.tornado_figure(labels, ranked["kpi_at_low"].tolist(), ranked["kpi_at_high"].tolist(),
                                     base=float(ranked["base"].iloc[0]), title=T("decide.robust_title"),
                                     x_title=T("decide.diff_axis", kpi=C.kpi_label("profit")),
                                     low_name=T("explore.at_low"), high_name=T("explore.at_high"))
        C.chart(fig, "de_tornado", "robustness_tornado")
        flips = [lab for lab, lo_v, hi_v in zip(labels, ranked["kpi_at_low"], ranked["kpi_at_high"], strict=True)
                 if (lo_v > 0) != (hi_v > 0)]
        if flips:
            st.warning(_md(T("decide.robust_flips", params=", ".join(flips))))
        else:
            # name the assumption with the widest bar of the tornado the user sees (one at a time, low to high),
            # not the screening ranking's first, which can differ (a zero-width bar was named before)
            widths = [abs(hi_v - lo_v) for lo_v, hi_v in zip(ranked["kpi_at_low"], ranked["kpi_at_high"], strict=True)]
            top = labels[max(range(len(widths)), key=widths.__getitem__)] if widths else ""
            if p.significant:
                st.success(_md(T("decide.robust_holds", top=top)))
            else:  # no verdict to hold: the mean gap keeps its sign, but its interval includes zero
                st.info(_md(T("decide.robust_holds_unsure", top=top)))
        C.csv_button(ranked, "robustness", "de_ro_csv")

elif tool == "pareto":
    src = _pick(T("common.scenario"), "de_pa_src", "china_in_china")
    sc = _scenario(src, population, days)
    c1, c2 = st.columns([2, 1])
    chosen = c1.multiselect(T("explore.levers"), list(LEVERS), default=["messaging.per_week",
                                                                        "compliance.cold_outreach_per_week"],
                            key="de_pa_levers", format_func=C.bind(lambda r: T(f"lever.{r}")), max_selections=4)
    objectives = c2.multiselect(T("decide.objectives"), KPIS, default=["profit", "complaints", "mean_trust"],
                                key="de_pa_obj", format_func=C.bind(C.kpi_label), max_selections=3)
    pop_size = 4 if C.test_mode() else 12
    generations = 2 if C.test_mode() else 6
    runs = pop_size * generations * reps
    st.caption(T("explore.runs", n=runs))
    req = (C.doc_key(sc), tuple((f"brands.0.strategy.{r}", *LEVERS[r]) for r in chosen), tuple(objectives),
           int(reps), pop_size, generations)
    ready = bool(chosen) and 2 <= len(objectives) <= 3
    if st.button(T("explore.run"), key="de_pa_run", type="primary", icon=":material/play_arrow:", disabled=not ready):
        st.session_state["de_pa_req"] = req
    if not ready:
        st.info(T("decide.pareto_need"))
    if st.session_state.get("de_pa_req"):
        r = st.session_state["de_pa_req"]
        res = C.safe(lambda: pareto_cached(*r, _text=T("common.computing_many", n=runs)))
        if r != req:
            st.info(T("explore.stale"))
        o = res.objectives
        fig = figures_decide.pareto_figure(res.front, o[0], o[1], color=o[2] if len(o) > 2 else None,
                                           x_title=C.kpi_label(o[0]), y_title=C.kpi_label(o[1]),
                                           color_title=C.kpi_label(o[2]) if len(o) > 2 else "", lang=C.lang(),
                                           title=T("decide.pareto_title", n=len(res.front)))
        C.chart(fig, "de_pareto", "pareto_front")
        table = res.front[[lv.path for lv in res.levers] + o].rename(
            columns={**{lv.path: _label(lv.path) for lv in res.levers}, **{k: C.kpi_label(k) for k in o}})
        st.dataframe(table, width="stretch")
        point = st.selectbox(T("decide.pareto_point"), list(res.front.index), key="de_pa_point")
        st.download_button(T("decide.pareto_yaml"), res.scenario_yaml(int(point)), file_name=f"pareto_{point}.yaml",
                           mime="application/x-yaml", key="de_pa_yaml", icon=":material/download:")
        st.caption(T("decide.pareto_note"))

else:  # risk
    src = _pick(T("common.scenario"), "de_ri_src", "japan_in_japan")
    sc = _scenario(src, population, days)
    req = (C.doc_key(sc), int(reps))
    if st.button(T("explore.run"), key="de_ri_run", type="primary", icon=":material/play_arrow:"):
        st.session_state["de_ri_req"] = req
    if st.session_state.get("de_ri_req"):
        r = st.session_state["de_ri_req"]
        rk = C.safe(lambda: risk_cached(*r, _text=T("common.computing_many", n=r[1])))
        if r != req:
            st.info(T("explore.stale"))
        cur = rk.currency
        p, q = rk.p_loss(), rk.profit_percentiles()
        cols = st.columns(4)
        cols[0].metric(T("decide.p_loss"), f"{100 * p['p']:.0f}%",
                       help=T("decide.p_loss_help", low=f"{100 * p['low']:.0f}%", high=f"{100 * p['high']:.0f}%",
                              n=p["n"]))
        for cell, k in zip(cols[1:], ("p05", "p50", "p95"), strict=True):
            cell.metric(k.upper().replace("P0", "P"), C.fmt(q[k], "profit", cur))
        left, right = st.columns(2)
        with left:
            C.chart(figures_decide.profit_distribution_figure(rk.samples["profit"], percentiles=q, currency=cur,
                                                              lang=C.lang(), title=T("decide.profit_dist")),
                    "de_profit_dist", "profit_distribution")
        with right:
            C.chart(figures_decide.breakeven_month_figure(rk.breakeven_months(), lang=C.lang(),
                                                          title=T("decide.month_dist")),
                    "de_month_dist", "breakeven_months")
        C.csv_button(rk.samples, "risk", "de_ri_csv")
    if sc is not None:
        _stress_section(sc, days, reps)

C.assumptions_panel("decide")
