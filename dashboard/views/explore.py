"""Explore: a 2-D sweep (heatmap), global sensitivity (tornado and ranked indices) and the optimiser.

Each analysis runs many small simulations with common random numbers (``sim.analysis``); a Run
button starts it, a progress bar follows it, and the result is cached under its inputs, so
switching language or page and coming back shows it again at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import common as C
from dashboard.runs import Ticker, slot
from sim import figures
from sim.analysis.paths import even_points
from sim.results.kpis import KPI_INFO

T = C.T
SZ = C.sizes()

#: Levers offered (strategy-relative paths) -> (kind, default range from the baseline value and fx).
LEVERS: dict[str, tuple[str, Callable[[float, float], tuple[float, float]]]] = {
    "messaging.per_week": ("num", lambda b, fx: (0.5, 14.0)),
    "messaging.quality": ("num", lambda b, fx: (0.1, 1.0)),
    "acquisition.ad_budget_per_day": ("money", lambda b, fx: (0.0, _round(max(3 * b, 5_000 * fx)))),
    "referral.referrer_reward": ("money", lambda b, fx: (0.0, _round(max(3 * b, 3 * fx)))),
    "referral.referee_reward": ("money", lambda b, fx: (0.0, _round(max(3 * b, 3 * fx)))),
    "membership.points_rate": ("num", lambda b, fx: (0.0, 0.05)),
    "compliance.security_per_day": ("money", lambda b, fx: (0.0, _round(max(3 * b, 200 * fx)))),
    "compliance.cold_outreach_per_week": ("num", lambda b, fx: (0.0, 7.0)),
    "interception.invite_share": ("num", lambda b, fx: (0.0, 1.0)),
    "interception.hook_value": ("money", lambda b, fx: (0.0, _round(max(3 * b, 2 * fx)))),
    "referral.share_rate": ("num", lambda b, fx: (0.0, max(3 * b, 0.05))),
}
KPIS = tuple(KPI_INFO)


def _round(x: float) -> float:
    if x <= 0:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    return float(math.ceil(x / p) * p)


def grid(low: float, high: float, points: int) -> tuple[float, ...]:
    """``points`` evenly spaced values from ``low`` to ``high``, rounded to 4 or more significant figures.

    The points are :func:`sim.analysis.paths.even_points` (no overflow for any finite ends), rounded to the
    fewest figures that keep them distinct.
    """
    exact = even_points(low, high, points)
    for digits in range(4, 18):
        values = tuple(float(f"{v:.{digits}g}") for v in exact)
        if len(set(values)) == len(values):
            return values
    return tuple(exact)


def _value_at(sc, bi: int, rel: str) -> float:
    obj = sc.brands[bi].strategy
    for part in rel.split("."):
        obj = getattr(obj, part)
    return float(obj)


def _lever_label(rel: str) -> str:
    return T(f"lever.{rel}")


# ---- cached analyses (progress bars are created inside so cache hits replay cleanly) -------------------


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def sweep_cached(key: str, axes: tuple[tuple[str, tuple[float, ...]], ...], objective: str, reps: int,
                 brand: str, _text: str = "") -> object:
    """A 2-D sweep, cached by its inputs."""
    from sim.analysis.sweep import sweep

    bar = st.progress(0.0, text=_text)
    try:
        with slot(bar, _text):
            return sweep(C.from_key(key), dict(axes), reps=reps, objective=objective, brand=brand,
                         execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def sensitivity_cached(key: str, params: tuple[tuple[str, float, float], ...], method: str, n: int, kpi: str,
                       brand: str, _text: str = "") -> object:
    """A sensitivity analysis, cached by its inputs."""
    from sim.analysis.sensitivity import sensitivity

    bar = st.progress(0.0, text=_text)
    try:
        with slot(bar, _text):
            return sensitivity(C.from_key(key), {p: (lo, hi) for p, lo, hi in params}, method=method, n=n, kpis=(kpi,),
                               brand=brand, execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def optimise_cached(key: str, levers: tuple[tuple[str, float, float], ...], objective: str,
                    constraints: tuple[str, ...], reps: int, maxiter: int, popsize: int, brand: str,
                    _text: str = "") -> object:
    """An optimisation, cached by its inputs."""
    from sim.analysis.optimise import optimise

    bar = st.progress(0.0, text=_text)
    try:
        with slot(bar, _text):
            return optimise(C.from_key(key), {p: (lo, hi) for p, lo, hi in levers}, objective, constraints=constraints,
                            brand=brand, reps=reps, validation_reps=max(2, reps), maxiter=maxiter, popsize=popsize,
                            execution=C.execution(None, Ticker(bar, _text)))
    finally:
        bar.empty()


# ---- page -------------------------------------------------------------------------------------------

st.title(T("explore.title"))
st.caption(T("explore.intro"))
options = C.source_options()
top = st.columns([2, 1, 1])
src = top[0].selectbox(T("common.scenario"), options, key="ex_src", format_func=C.bind(C.source_label),
                       index=options.index("china_in_china") if "china_in_china" in options else 0)
population = top[1].number_input(T("common.population"), 500, C.CAPS.population, SZ.explore_population, 1_000,
                                 key="ex_pop", help=T("explore.size_help"))
days = top[2].number_input(T("common.days"), 30, C.CAPS.days, SZ.explore_days, 90, key="ex_days")
sc = C.safe(lambda: C.sized(C.source_doc(src), population=population, days=days))
key = C.doc_key(sc)
brands = [b.name for b in sc.brands]
bi = 0
if len(brands) > 1:
    bi = st.radio(T("common.brand"), range(len(brands)), format_func=lambda i: C.md(brands[i]), horizontal=True,
                  key="ex_brand")
brand = brands[bi]
fx = C.fx(sc)
cur = sc.market.currency
full = {rel: f"brands.{bi}.strategy.{rel}" for rel in LEVERS}


def default_range(rel: str) -> tuple[float, float]:
    """The default range of a lever around the baseline's value."""
    return LEVERS[rel][1](_value_at(sc, bi, rel), fx if fx == fx else 1.0)


def range_inputs(rel: str, prefix: str, col: object) -> tuple[float, float]:
    """Two number inputs (from, to) for a lever's range."""
    lo, hi = default_range(rel)
    a, b = col.columns(2)
    low = a.number_input(T("explore.low"), value=float(lo), key=f"{prefix}_{src}_{rel}_lo", format="%g")
    high = b.number_input(T("explore.high"), value=float(hi), key=f"{prefix}_{src}_{rel}_hi", format="%g")
    return float(low), float(high)


tool = st.radio(T("explore.tool"), ("sweep", "sensitivity", "optimise"), horizontal=True, key="ex_tool",
                format_func=C.bind(lambda x: T(f"explore.{x}")))
st.caption(T(f"explore.{tool}_about"))

if tool == "sweep":
    c1, c2, c3 = st.columns(3)
    levers = list(LEVERS)
    xp = c1.selectbox(T("explore.x"), levers, index=0, key="ex_sw_x", format_func=C.bind(_lever_label))
    x_lo, x_hi = range_inputs(xp, "ex_sw_x", c1)
    yp = c2.selectbox(T("explore.y"), [p for p in levers if p != xp], index=1, key="ex_sw_y",
                      format_func=C.bind(_lever_label))
    y_lo, y_hi = range_inputs(yp, "ex_sw_y", c2)
    objective = c3.selectbox(T("explore.objective"), KPIS, index=KPIS.index("profit"), key="ex_sw_obj",
                             format_func=C.bind(C.kpi_label))
    points = c3.slider(T("explore.points"), 2, C.CAPS.sweep_points, SZ.sweep_points, key="ex_sw_pts")
    reps = c3.slider(T("common.reps"), 1, 5, 1, key="ex_sw_reps")
    st.caption(T("explore.runs", n=points * points * reps))
    axes = ((full[xp], grid(x_lo, x_hi, points)), (full[yp], grid(y_lo, y_hi, points)))
    for rel, lo, hi in ((xp, x_lo, x_hi), (yp, y_lo, y_hi)):
        if lo == hi:
            st.warning(T("explore.range_equal", lever=_lever_label(rel), value=f"{lo:g}"))
    req = (key, axes, objective, int(reps), brand)
    if st.button(T("explore.run"), key="ex_sw_run", type="primary", icon=":material/play_arrow:"):
        st.session_state["ex_sw_req"] = req
    if st.session_state.get("ex_sw_req"):
        r = st.session_state["ex_sw_req"]
        n_runs = len(r[1][0][1]) * len(r[1][1][1]) * r[3]
        res = C.safe(lambda: sweep_cached(*r, _text=T("common.computing_many", n=n_runs)))
        if r != req:
            st.info(T("explore.stale"))
        show = st.selectbox(T("explore.show_kpi"), KPIS, index=KPIS.index(res.objective), key="ex_sw_show",
                            format_func=C.bind(C.kpi_label))
        grid = res.pivot(show)  # rows: first axis (x), columns: second axis (y)
        best = res.best()
        ppx, ppy = res.paths
        money = C.is_money(show)
        referral = any(".referral." in p for p in (ppx, ppy)) or show == "k_factor"
        k_grid = res.pivot("k_factor").T if referral else None
        fig = figures.heatmap_figure(grid.T, x_title=_lever_label(ppx.split(".strategy.")[-1]),
                                     y_title=_lever_label(ppy.split(".strategy.")[-1]),
                                     z_title=C.kpi_label(show) + (f" ({cur})" if money else ""),
                                     unit=C.kpi_unit(show), title=T("explore.heatmap_title", kpi=C.kpi_label(show)),
                                     best=(best[ppx], best[ppy]) if best and show == res.objective else None,
                                     contour=k_grid, contour_level=1.0, contour_label=T("explore.k1_legend"))
        C.chart(fig, "ex_heatmap", "sweep_heatmap")
        k_vals = k_grid.to_numpy(dtype=float) if k_grid is not None else np.array([])
        if np.isfinite(k_vals).any():
            k_max = float(np.nanmax(k_vals))
            (st.warning if k_max < 1.0 else st.info)(
                T("explore.no_k1" if k_max < 1.0 else "explore.k1_reached", k=f"{k_max:.2f}"))
        if best:
            st.success(T("explore.best", x=_lever_label(ppx.split(".strategy.")[-1]), xv=f"{best[ppx]:g}",
                         y=_lever_label(ppy.split(".strategy.")[-1]), yv=f"{best[ppy]:g}",
                         kpi=C.kpi_label(res.objective), value=C.fmt(best[res.objective], res.objective, cur)))
        summ = res.summary()
        C.csv_button(summ, "sweep", "ex_sw_csv")

elif tool == "sensitivity":
    c1, c2 = st.columns([2, 1])
    chosen = c1.multiselect(T("explore.params"), list(LEVERS), default=["messaging.per_week", "messaging.quality",
                                                                         "referral.referrer_reward",
                                                                         "membership.points_rate"],
                            key="ex_se_params", format_func=C.bind(_lever_label), max_selections=8,
                            placeholder=T("common.choose"))
    method = c2.radio(T("explore.method"), ("sobol", "morris"), horizontal=True, key="ex_se_method",
                      format_func=C.bind(lambda m: T(f"explore.method_{m}")))
    kpi = c2.selectbox(T("explore.kpi"), KPIS, index=KPIS.index("profit"), key="ex_se_kpi",
                       format_func=C.bind(C.kpi_label))
    if method == "sobol":
        n = c2.select_slider(T("explore.n_sobol"), [2, 4, 8, 16, 32, 64], value=SZ.sens_samples, key="ex_se_n")
    else:
        n = c2.slider(T("explore.n_morris"), 2, C.CAPS.sens_samples, max(2, SZ.sens_samples), key="ex_se_nm")
    ranges = []
    with c1:
        for rel in chosen:
            st.markdown(f"**{_lever_label(rel)}**")
            lo, hi = range_inputs(rel, "ex_se", st)
            ranges.append((full[rel], lo, hi))
    d = len(ranges)
    runs = (n * (d + 2) if method == "sobol" else n * (d + 1)) + 2 * d + 1
    st.caption(T("explore.runs", n=runs))
    req = (key, tuple(ranges), method, int(n), kpi, brand)
    if st.button(T("explore.run"), key="ex_se_run", type="primary", icon=":material/play_arrow:", disabled=d < 2):
        st.session_state["ex_se_req"] = req
    if d < 2:
        st.info(T("explore.need_two"))
    if st.session_state.get("ex_se_req"):
        r = st.session_state["ex_se_req"]
        res = C.safe(lambda: sensitivity_cached(*r, _text=T("common.computing_many", n=runs)))
        if r != req:
            st.info(T("explore.stale"))
        ranked = res.ranked()
        labels = [_lever_label(p.split(".strategy.")[-1]) for p in ranked["path"]]
        left, right = st.columns(2)
        with left:
            base = float(ranked["base"].iloc[0]) if len(ranked) else 0.0
            unit = f" ({cur})" if C.is_money(res.kpis[0]) else ""
            fig = figures.tornado_figure(labels, ranked["kpi_at_low"].tolist(), ranked["kpi_at_high"].tolist(),
                                         base=base, title=T("explore.tornado_title", kpi=C.kpi_label(res.kpis[0])),
                                         x_title=C.kpi_label(res.kpis[0]) + unit,
                                         low_name=T("explore.at_low"), high_name=T("explore.at_high"))
            C.chart(fig, "ex_tornado", "tornado")
        with right:
            if res.method == "sobol":
                fig = figures.ranked_bar_figure(labels, ranked["ST"].tolist(), errors=ranked["ST_conf"].tolist(),
                                                second=ranked["S1"].tolist(), names=(T("explore.st"), T("explore.s1")),
                                                title=T("explore.indices_title"), x_title=T("explore.share_variance"))
            else:
                fig = figures.ranked_bar_figure(labels, ranked["mu_star"].tolist(),
                                                errors=ranked["mu_star_conf"].tolist(), names=("μ*", ""),
                                                title=T("explore.morris_title"), x_title="μ*")
            C.chart(fig, "ex_indices", "sensitivity_indices")
        top_label = labels[0] if labels else ""
        st.success(T("explore.sens_top", param=top_label, kpi=C.kpi_label(res.kpis[0])))
        st.caption(T("explore.sens_note"))
        C.csv_button(ranked, "sensitivity", "ex_se_csv")

else:  # optimise
    c1, c2 = st.columns([2, 1])
    chosen = c1.multiselect(T("explore.levers"), list(LEVERS),
                            default=["messaging.per_week", "referral.referrer_reward"],
                            key="ex_op_levers", format_func=C.bind(_lever_label), max_selections=4,
                            placeholder=T("common.choose"))
    objective = c2.selectbox(T("explore.objective"), KPIS, index=KPIS.index("profit"), key="ex_op_obj",
                             format_func=C.bind(C.kpi_label))
    cons_text = c2.text_input(T("explore.constraints"), value="unsubs_per_1000<=4", key="ex_op_cons",
                              help=T("explore.constraints_help"))
    maxiter = c2.slider(T("explore.generations"), 1, 30, max(1, SZ.opt_budget // 4), key="ex_op_iter")
    popsize = c2.slider(T("explore.popsize"), 1, 10, 3 if not C.test_mode() else 1, key="ex_op_pop")
    reps = c2.slider(T("common.reps"), 1, 5, 2 if not C.test_mode() else 1, key="ex_op_reps")
    levers = []
    with c1:
        for rel in chosen:
            st.markdown(f"**{_lever_label(rel)}**")
            lo, hi = range_inputs(rel, "ex_op", st)
            levers.append((full[rel], lo, hi))
    cons = tuple(c.strip() for c in cons_text.replace(";", ",").split(",") if c.strip())
    pop = max(5, popsize * max(1, len(levers)))
    st.caption(T("explore.runs", n=pop * (maxiter + 1) * reps + max(2, reps)))
    req = (key, tuple(levers), objective, cons, int(reps), int(maxiter), int(popsize), brand)
    if st.button(T("explore.run"), key="ex_op_run", type="primary", icon=":material/play_arrow:", disabled=not levers):
        st.session_state["ex_op_req"] = req
    if st.session_state.get("ex_op_req"):
        r = st.session_state["ex_op_req"]
        res = C.safe(lambda: optimise_cached(*r, _text=T("common.computing_many", n=pop * (maxiter + 1) * reps)))
        if r != req:
            st.info(T("explore.stale"))
        rows = []
        for lev in res.levers:
            rel = lev.path.split(".strategy.")[-1]
            rows.append({T("explore.col_lever"): _lever_label(rel),
                         T("common.baseline"): f"{_value_at(res.scenario, bi, rel):g}",
                         T("explore.col_best"): f"{res.x[lev.path]:.4g}",
                         T("explore.col_range"): f"{lev.low:g} – {lev.high:g}"})
        (st.success if res.feasible else st.warning)(
            T("explore.opt_found" if res.feasible else "explore.opt_infeasible", kpi=C.kpi_label(res.objective),
              value=C.fmt(res.search_value, res.objective, cur)))
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        for note in res.levers_at_bounds():
            st.caption(T("explore.at_bound", note=note))
        hist = res.history.copy()
        if len(hist) and "generation" in hist:
            obj_col = res.objective if res.objective in hist else hist.columns[-1]
            feas = hist[hist["feasible"]] if "feasible" in hist and hist["feasible"].any() else hist
            g = (feas.groupby("generation")[obj_col].max() if res.maximise else
                 feas.groupby("generation")[obj_col].min()).reset_index()
            if len(g):
                g["best"] = g[obj_col].cummax() if res.maximise else g[obj_col].cummin()
                fig = figures.line_figure(g, "generation", {"best": T("explore.best_so_far")},
                                          title=T("explore.convergence"), x_title=T("explore.generation"),
                                          y_title=C.kpi_label(res.objective)
                                          + (f" ({cur})" if C.is_money(res.objective) else ""),
                                          unit=C.kpi_unit(res.objective))
                C.chart(fig, "ex_conv", "convergence")
        with st.expander(T("explore.validation")):
            st.caption(T("explore.validation_note"))
            st.dataframe(res.validation, width="stretch")
            if len(res.constraint_report):
                st.dataframe(res.constraint_report, width="stretch")
        C.csv_button(res.history, "optimiser_history", "ex_op_csv")

C.assumptions_panel("explore")

