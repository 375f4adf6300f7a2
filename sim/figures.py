"""Plotly figures shared by the dashboard, the HTML report and the notebooks.

Every function here is pure: it takes results or tidy DataFrames and returns a
``plotly.graph_objects.Figure`` (or, for the series helpers, a DataFrame). Labels come from the
string tables in :mod:`sim.i18n`, so one figure reads in English, 简体中文 or 日本語 by passing
``lang``. Nothing here imports Streamlit.

Series helpers turn a run's daily table into the derived series the charts show (cumulative
profit, the 30-day private share of revenue...) and summarise several replicate runs into
day-by-day bands (mean, 5th and 95th percentiles)::

    from sim import figures
    bands = figures.series_bands([r1.brand_daily("China playbook"), r2.brand_daily("China playbook")],
                                 "cum_profit")
    fig = figures.band_figure({"China": bands}, metric="cum_profit", currency="CNY")
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.i18n import t
from sim.model import layout as L

#: Private share of revenue targeted in the long run (DOMAIN.md: 90/10 -> 70/30, seeds/001).
PRIVATE_SHARE_TARGET = 0.30

#: Column colours, in order (first scenario, second...). Colour-blind-safe qualitative set.
PALETTE: tuple[str, ...] = ("#c0392b", "#1f4e9c", "#2a9d55", "#e08a00", "#7b4fa0", "#8c564b", "#d6609e", "#17a2b8")
STAGE_COLOURS: Mapping[str, str] = {
    "unaware": "#b8bec6", "aware": "#6fa8dc", "customer": "#f0a23b", "member": "#2a9d55", "lapsed": "#666f78",
}
FONT = "Noto Sans CJK SC, Noto Sans CJK JP, Noto Sans, Helvetica, Arial, sans-serif"

#: Events drawn as markers on journey timelines: event -> (marker symbol, colour, size).
EVENT_STYLE: Mapping[str, tuple[str, str, int]] = {
    "aware": ("circle-open", "#6fa8dc", 9),
    "forgot": ("x-thin-open", "#888888", 8),
    "bought_public": ("square", "#f0a23b", 9),
    "bought_private": ("diamond", "#2a9d55", 10),
    "invited": ("triangle-right-open", "#7b4fa0", 9),
    "declined": ("triangle-left", "#b06ad0", 8),
    "joined": ("triangle-up", "#2a9d55", 12),
    "message": ("line-ns-open", "#9aa3ad", 6),
    "cold_message": ("line-ns-open", "#c0392b", 8),
    "opted_out": ("x", "#c0392b", 11),
    "shared": ("hexagram-open", "#e08a00", 9),
    "referred_friend": ("hexagram", "#e08a00", 11),
    "lapsed": ("circle-x", "#444444", 10),
    "won_back": ("circle-cross-open", "#1f4e9c", 10),
    "points_redeemed": ("hourglass", "#d6609e", 8),
    "tier_up": ("arrow-up", "#d6609e", 11),
    "birthday_perk": ("star-open", "#d6609e", 10),
    "left_after_breach": ("x", "#000000", 12),
}

#: Stage a consumer is in after each journey event (events not listed leave the stage unchanged).
STAGE_AFTER_EVENT: Mapping[str, str] = {
    "aware": "aware", "forgot": "unaware", "bought_public": "customer", "joined": "member",
    "opted_out": "customer", "lapsed": "lapsed", "won_back": "aware", "left_after_breach": "customer",
    "bought_private": "member",
}


# ------------------------------------------------------------------------------------------------
# Series: derived daily metrics and replicate bands
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesInfo:
    """A daily series the charts can show: its unit and whether it is a money amount."""

    unit: str
    money: bool = False


#: Metrics offered on time-series charts (labels in the string tables under ``metric.<name>``).
SERIES: Mapping[str, SeriesInfo] = {
    "member": SeriesInfo("people"),
    "active_members": SeriesInfo("people"),
    "customers": SeriesInfo("people"),
    "cum_profit": SeriesInfo("currency", money=True),
    "cum_revenue": SeriesInfo("currency", money=True),
    "profit_30d": SeriesInfo("currency", money=True),
    "private_share_30d": SeriesInfo("fraction"),
    "mean_trust": SeriesInfo("0-1"),
    "mean_fatigue": SeriesInfo("messages"),
    "cum_joins": SeriesInfo("people"),
    "cum_opt_outs": SeriesInfo("people"),
    "cum_complaints": SeriesInfo("people"),
    "cum_fines": SeriesInfo("currency", money=True),
    "cpm": SeriesInfo("currency", money=True),
}

_JOINS = ("joins_organic", "joins_kol", "joins_partner", "joins_interception", "joins_referral")


def _rolling_sum(x: np.ndarray, window: int) -> np.ndarray:
    c = np.cumsum(np.concatenate([[0.0], x.astype(float)]))
    idx = np.arange(1, x.size + 1)
    return c[idx] - c[np.maximum(idx - window, 0)]


#: Series read directly from a KPI column of the ensemble layout (``sim.analysis`` series frames).
_FROM_KPI = {"member": "pool_size", "active_members": "active_members", "customers": "customers",
             "cum_profit": "profit", "cum_revenue": "revenue", "mean_trust": "mean_trust",
             "mean_fatigue": "mean_fatigue", "cum_joins": "members_joined", "cum_opt_outs": "opt_outs",
             "cum_complaints": "complaints", "cum_fines": "fines"}


def series_values(daily: pd.DataFrame, metric: str) -> np.ndarray:
    """One derived daily series of one brand, in the run's currency.

    ``daily`` is either a brand's daily rows (``RunResult.brand_daily``) or a frame in the ensemble
    layout of ``sim.analysis`` (``day``, KPI series, ``daily.<column>``).
    """
    if metric not in SERIES:
        raise KeyError(f"unknown series {metric!r}; known: {', '.join(SERIES)}")
    if "daily.profit" in daily.columns or "pool_size" in daily.columns:
        return _ensemble_values(daily, metric)
    d = daily
    if metric in ("member", "active_members", "mean_trust", "mean_fatigue", "cpm"):
        return d[metric].to_numpy(dtype=float)
    if metric == "customers":
        return (d["customer"] + d["member"]).to_numpy(dtype=float)
    if metric == "cum_profit":
        return np.cumsum(d["profit"].to_numpy(dtype=float))
    if metric == "cum_revenue":
        return np.cumsum(d["revenue"].to_numpy(dtype=float))
    if metric == "profit_30d":
        return _rolling_sum(d["profit"].to_numpy(dtype=float), 30)
    if metric == "private_share_30d":
        return _rolling_share(d["revenue_private"].to_numpy(dtype=float), d["revenue_public"].to_numpy(dtype=float))
    if metric == "cum_joins":
        return np.cumsum(d[list(_JOINS)].sum(axis=1).to_numpy(dtype=float))
    return np.cumsum(d[metric.removeprefix("cum_")].to_numpy(dtype=float))


def _rolling_share(private: np.ndarray, public: np.ndarray, window: int = 30) -> np.ndarray:
    priv = _rolling_sum(private, window)
    pub = _rolling_sum(public, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(priv + pub > 0, priv / np.maximum(priv + pub, 1e-300), np.nan)


def _ensemble_values(f: pd.DataFrame, metric: str) -> np.ndarray:
    if metric in _FROM_KPI:
        return f[_FROM_KPI[metric]].to_numpy(dtype=float)
    if metric == "cpm":
        return f["daily.cpm"].to_numpy(dtype=float) if "daily.cpm" in f else f["mean_cpm"].to_numpy(dtype=float)
    if metric == "profit_30d":
        return _rolling_sum(f["daily.profit"].to_numpy(dtype=float), 30)
    if metric == "private_share_30d":
        if "daily.revenue_private" in f and "daily.revenue_public" in f:
            return _rolling_share(f["daily.revenue_private"].to_numpy(dtype=float),
                                  f["daily.revenue_public"].to_numpy(dtype=float))
        return f["private_share"].to_numpy(dtype=float)  # cumulative share when daily revenue is absent
    raise KeyError(metric)


def series_bands(dailies: Sequence[pd.DataFrame], metric: str, *, scale: float = 1.0,
                 low: float = 0.05, high: float = 0.95) -> pd.DataFrame:
    """Day-by-day mean and percentiles of a derived series over replicate runs of one brand.

    Args:
        dailies: The daily rows of one brand, one DataFrame per replicate.
        metric: A key of :data:`SERIES`.
        scale: Multiplier applied to money series (e.g. ``1 / fx`` to show US dollars).
        low: Lower quantile of the band.
        high: Upper quantile of the band.

    Returns:
        Columns ``day, mean, p05, p50, p95`` (p05/p95 equal the mean for a single run).
    """
    if not dailies:
        return pd.DataFrame(columns=["day", "mean", "p05", "p50", "p95"])
    n = min(len(d) for d in dailies)
    mult = scale if SERIES.get(metric, SeriesInfo("")).money else 1.0
    stack = np.vstack([series_values(d.iloc[:n], metric) * mult for d in dailies])
    days = dailies[0]["day"].to_numpy()[:n]
    mean, q = _mean_quantiles(stack, (low, 0.5, high))
    return pd.DataFrame({"day": days, "mean": mean, "p05": q[0], "p50": q[1], "p95": q[2]})


def _mean_quantiles(stack: np.ndarray, qs: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Column means and quantiles ignoring NaNs, fast when most columns have none."""
    bad = np.isnan(stack).any(axis=0)
    mean = np.full(stack.shape[1], np.nan)
    q = np.full((len(qs), stack.shape[1]), np.nan)
    good = ~bad
    if good.any():
        mean[good] = stack[:, good].mean(axis=0)
        q[:, good] = np.quantile(stack[:, good], qs, axis=0)
    for j in np.nonzero(bad)[0]:
        col = stack[:, j]
        col = col[~np.isnan(col)]
        if col.size:
            mean[j] = col.mean()
            q[:, j] = np.quantile(col, qs)
    return mean, q


def series_mean(dailies: Sequence[pd.DataFrame], metric: str, *, scale: float = 1.0) -> np.ndarray:
    """Day-by-day mean over replicates of a derived series (NaNs ignored)."""
    n = min(len(d) for d in dailies)
    mult = scale if SERIES.get(metric, SeriesInfo("")).money else 1.0
    stack = np.vstack([series_values(d.iloc[:n], metric) * mult for d in dailies])
    with np.errstate(invalid="ignore"):
        counts = (~np.isnan(stack)).sum(axis=0)
        total = np.nansum(stack, axis=0)
    return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def crossover_day(a: np.ndarray, b: np.ndarray) -> int | None:
    """The last day on which the sign of ``a - b`` changes (``None`` if it never does)."""
    n = min(a.size, b.size)
    diff = np.sign(np.asarray(a[:n], float) - np.asarray(b[:n], float))
    nz = np.nonzero(diff)[0]
    if nz.size < 2:
        return None
    signs = diff[nz]
    changes = np.nonzero(signs[1:] != signs[:-1])[0]
    return int(nz[changes[-1] + 1]) if changes.size else None


def first_day_at_or_above(x: np.ndarray, level: float, *, start: int = 0, hold: int = 1) -> int | None:
    """The first day from ``start`` on which a series reaches ``level`` and holds it for ``hold`` days.

    A run that reaches the level less than ``hold`` days before its end counts; ``None`` if never.
    """
    above = np.nan_to_num(np.asarray(x, float), nan=-np.inf) >= level
    n = above.size
    for d in np.nonzero(above)[0]:
        if d < start:
            continue
        if above[d : min(d + hold, n)].all():
            return int(d)
    return None


# ------------------------------------------------------------------------------------------------
# Common styling
# ------------------------------------------------------------------------------------------------


def colour(i: int) -> str:
    """The colour of the ``i``-th column of a comparison."""
    return PALETTE[i % len(PALETTE)]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[j : j + 2], 16) for j in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def style(fig: go.Figure, *, title: str = "", height: int = 380, legend: bool = True) -> go.Figure:
    """Apply the house style: white background, light grid, legend on top, compact margins."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.0, "xanchor": "left", "font": {"size": 15}} if title else None,
        height=height,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        font={"family": FONT, "size": 12},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "xanchor": "left", "x": 0.0},
        hovermode="x unified",
    )
    return fig


def _axis_format(unit: str) -> dict:
    if unit == "fraction":
        return {"tickformat": ".0%", "rangemode": "tozero"}
    if unit in ("0-1",):
        return {"range": [0, 1]}
    return {"exponentformat": "B"}


def unit_title(unit: str, currency: str = "", lang: str = "en") -> str:
    """Axis title suffix for a unit (``CNY``, ``%``, ``people``...)."""
    if unit.startswith("currency"):
        return currency
    key = f"unit.{unit}"
    from sim.i18n import has

    return t(key, lang) if has(key) else unit


# ------------------------------------------------------------------------------------------------
# Time series with uncertainty bands
# ------------------------------------------------------------------------------------------------


def band_figure(series: Mapping[str, pd.DataFrame], *, metric: str = "", title: str | None = None,
                y_title: str | None = None, unit: str | None = None, currency: str = "", lang: str = "en",
                target: float | None = None, target_label: str | None = None, height: int = 380,
                colours: Mapping[str, str] | None = None) -> go.Figure:
    """Daily lines (mean) with shaded 5-95% bands, one per label.

    Args:
        series: label -> DataFrame with ``day`` and ``mean`` (and optionally ``p05``/``p95``).
        metric: A key of :data:`SERIES` (sets the default title and unit).
        title: Chart title (default: the metric's label).
        y_title: Axis title (default: from the unit).
        unit: Unit (default: the metric's).
        currency: Shown on the axis of money series.
        lang: Language of labels.
        target: Draw a dashed horizontal line at this value (e.g. the 30% private-share mark).
        target_label: Its annotation.
        height: Height in pixels.
        colours: label -> colour (default: :data:`PALETTE` in order).
    """
    info = SERIES.get(metric, SeriesInfo(unit or ""))
    unit = unit if unit is not None else info.unit
    title = title if title is not None else (t(f"metric.{metric}", lang) if metric else "")
    if y_title is None:
        y_title = unit_title(unit, currency, lang)
    fig = go.Figure()
    for i, (label, df) in enumerate(series.items()):
        col = (colours or {}).get(label, colour(i))
        if df is None or df.empty:
            continue
        x = df["day"].to_numpy()
        if {"p05", "p95"} <= set(df.columns) and not np.allclose(
                np.nan_to_num(df["p05"].to_numpy(float)), np.nan_to_num(df["p95"].to_numpy(float))):
            fig.add_trace(go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([df["p95"].to_numpy(float), df["p05"].to_numpy(float)[::-1]]),
                fill="toself", fillcolor=_rgba(col, 0.18), line={"width": 0}, hoverinfo="skip",
                name=t("fig.band", lang, label=label), legendgroup=label, showlegend=False,
            ))
        fig.add_trace(go.Scatter(x=x, y=df["mean"].to_numpy(float), mode="lines", name=label,
                                 line={"color": col, "width": 2.2}, legendgroup=label))
    if target is not None:
        fig.add_hline(y=target, line={"dash": "dash", "color": "#333", "width": 1.2},
                      annotation_text=target_label or "", annotation_position="top left")
    style(fig, title=title, height=height)
    fig.update_xaxes(title_text=t("fig.day", lang))
    fig.update_yaxes(title_text=y_title, **_axis_format(unit))
    return fig


def private_share_figure(series: Mapping[str, pd.DataFrame], *, lang: str = "en", height: int = 340,
                         title: str | None = None) -> go.Figure:
    """The 30-day private share of revenue over time against the 30% mark (DOMAIN.md)."""
    return band_figure(series, metric="private_share_30d", lang=lang, target=PRIVATE_SHARE_TARGET,
                       target_label=t("fig.target_30", lang), height=height, title=title)


# ------------------------------------------------------------------------------------------------
# KPI comparison
# ------------------------------------------------------------------------------------------------


def kpi_interval_figure(values: Mapping[str, float], low: Mapping[str, float] | None = None,
                        high: Mapping[str, float] | None = None, *, title: str = "", x_title: str = "",
                        unit: str = "", lang: str = "en", height: int | None = None) -> go.Figure:
    """One KPI across columns: a dot per column with its 5-95% whisker."""
    labels = list(values)
    fig = go.Figure()
    for i, lab in enumerate(labels):
        v = values[lab]
        err = None
        if low is not None and high is not None and not (math.isnan(low[lab]) or math.isnan(high[lab])):
            err = {"type": "data", "symmetric": False, "array": [max(high[lab] - v, 0.0)],
                   "arrayminus": [max(v - low[lab], 0.0)], "color": colour(i), "thickness": 2, "width": 8}
        fig.add_trace(go.Scatter(x=[v], y=[lab], mode="markers", error_x=err, name=lab,
                                 marker={"color": colour(i), "size": 12}))
    style(fig, title=title, height=height or 110 + 45 * len(labels), legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=x_title, **({"tickformat": ".0%"} if unit == "fraction" else {}))
    fig.update_yaxes(autorange="reversed")
    return fig


# ------------------------------------------------------------------------------------------------
# Flows (Sankey) and economics (waterfall)
# ------------------------------------------------------------------------------------------------


def sankey_figure(flows: pd.DataFrame, *, lang: str = "en", title: str = "", height: int = 420) -> go.Figure:
    """Stage-to-stage flows of one brand as a two-column Sankey (stage before -> stage after).

    Back-edges (opt-outs, forgetting, lapses, win-backs) would make loops in a one-column diagram,
    so each stage appears twice: on the left as where people came from, on the right as where
    they went.

    Args:
        flows: Rows ``from, to, people`` (e.g. ``RunResult.flow_totals()`` for one brand).
        lang: Language of labels.
        title: Chart title.
        height: Height in pixels.
    """
    stages = list(L.STAGES)
    f = flows.groupby(["from", "to"], as_index=False)["people"].sum() if len(flows) else flows
    names = [t(f"stage.{s}", lang) for s in stages]
    labels = [f"{n} →" for n in names] + [f"→ {n}" for n in names]
    node_colours = [STAGE_COLOURS[s] for s in stages] * 2
    src, dst, val, link_col, hover = [], [], [], [], []
    for a, b, people in f[["from", "to", "people"]].itertuples(index=False, name=None) if len(f) else ():
        people = float(people)
        if people <= 0 or a not in stages or b not in stages:
            continue
        src.append(stages.index(a))
        dst.append(len(stages) + stages.index(b))
        val.append(people)
        link_col.append(_rgba(STAGE_COLOURS[b], 0.45))
        hover.append(t("fig.flow_hover", lang, a=t(f"stage.{a}", lang), b=t(f"stage.{b}", lang)))
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": node_colours, "pad": 14, "thickness": 16,
              "x": [0.01] * len(stages) + [0.99] * len(stages),
              "y": [0.05 + 0.22 * i for i in range(len(stages))] * 2},
        link={"source": src, "target": dst, "value": val, "color": link_col, "customdata": hover,
              "hovertemplate": "%{customdata}: %{value:,.0f}<extra></extra>"},
        valueformat=",.0f",
    ))
    style(fig, title=title, height=height, legend=False)
    fig.update_layout(hovermode="closest")
    if not val:
        fig.add_annotation(text=t("fig.no_flows", lang), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


def waterfall_figure(breakdown: pd.Series, *, currency: str = "", lang: str = "en", title: str = "",
                     height: int = 420, scale: float = 1.0) -> go.Figure:
    """Revenue items up, every cost item down, profit as the total (one brand, summed to a day).

    Args:
        breakdown: Ledger item -> amount (``RunResult.cost_breakdown(brand, day)``).
        currency: Currency shown on the axis.
        lang: Language of labels.
        title: Chart title.
        height: Height in pixels.
        scale: Multiplier on every amount (e.g. ``1 / fx`` for US dollars).
    """
    rev = [m for m in L.MONEY[: len(L.REVENUE_ITEMS)] if abs(float(breakdown.get(m, 0.0))) > 0]
    costs = [m for m in L.MONEY[len(L.REVENUE_ITEMS):] if abs(float(breakdown.get(m, 0.0))) > 0]
    costs.sort(key=lambda m: -abs(float(breakdown[m])))
    x = [t(f"money.{m}", lang) for m in rev + costs] + [t("fig.profit", lang)]
    y = [float(breakdown[m]) * scale for m in rev] + [-float(breakdown[m]) * scale for m in costs] + [0.0]
    measure = ["relative"] * (len(rev) + len(costs)) + ["total"]
    fig = go.Figure(go.Waterfall(
        x=x, y=y, measure=measure, connector={"line": {"color": "#bbb", "width": 1}},
        increasing={"marker": {"color": "#2a9d55"}}, decreasing={"marker": {"color": "#c0392b"}},
        totals={"marker": {"color": "#1f4e9c"}},
        hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra></extra>",
    ))
    style(fig, title=title, height=height, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(title_text=currency, exponentformat="B")
    fig.update_xaxes(tickangle=-35)
    return fig


# ------------------------------------------------------------------------------------------------
# Consumer journeys
# ------------------------------------------------------------------------------------------------


def journey_stages(events: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Stage intervals of each consumer from their events: ``consumer, stage, start, end``.

    Every tracked consumer starts unaware on day 0; each event listed in
    :data:`STAGE_AFTER_EVENT` moves them to a stage (a public purchase by a member keeps them a
    member).
    """
    rows = []
    for consumer, ev in events.sort_values(["consumer", "day"], kind="stable").groupby("consumer", sort=False):
        stage, start = "unaware", 0
        for day, event in zip(ev["day"].to_numpy(), ev["event"].to_numpy(), strict=True):
            new = STAGE_AFTER_EVENT.get(str(event))
            if new is None or new == stage or (event == "bought_public" and stage == "member"):
                continue
            if day > start:
                rows.append((consumer, stage, start, int(day)))
            stage, start = new, int(day)
        rows.append((consumer, stage, start, int(horizon)))
    return pd.DataFrame(rows, columns=["consumer", "stage", "start", "end"])


def journey_figure(journeys: pd.DataFrame, *, horizon: int | None = None, lang: str = "en", title: str = "",
                   consumers: Sequence[int] | None = None, height: int | None = None) -> go.Figure:
    """A timeline per consumer: coloured bars for the stage they are in, markers for events.

    Args:
        journeys: Rows ``day, consumer, event`` (one brand), e.g. from ``RunResult.journeys``.
        horizon: Last day drawn (default: the last event).
        lang: Language of labels.
        title: Chart title.
        consumers: Which consumers to show, in order (default: all in the table).
        height: Height in pixels (default: from the number of consumers).
    """
    j = journeys if consumers is None else journeys[journeys["consumer"].isin(list(consumers))]
    order = list(consumers) if consumers is not None else list(dict.fromkeys(j.sort_values("day")["consumer"]))
    order = [c for c in order if c in set(j["consumer"])]
    horizon = int(horizon if horizon is not None else (j["day"].max() + 1 if len(j) else 1))
    seg = j.drop_duplicates("consumer").set_index("consumer")["segment"] if "segment" in j else None

    def ylab(c: int) -> str:
        s = f" · {seg[c]}" if seg is not None and c in seg.index else ""
        return f"#{c}{s}"

    ymap = {c: ylab(c) for c in order}
    fig = go.Figure()
    stages = journey_stages(j, horizon)
    for stage in L.STAGES:
        part = stages[stages["stage"] == stage]
        if part.empty:
            continue
        xs, ys = [], []
        for r in part.itertuples(index=False):
            xs += [r.start, r.end, None]
            ys += [ymap[r.consumer], ymap[r.consumer], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=t(f"stage.{stage}", lang), hoverinfo="skip",
                                 line={"color": STAGE_COLOURS[stage], "width": 9}, opacity=0.55,
                                 legendgroup="stage"))
    for event, (symbol, col, size) in EVENT_STYLE.items():
        part = j[j["event"] == event]
        if part.empty:
            continue
        label = t(f"event.{event}", lang)
        fig.add_trace(go.Scatter(
            x=part["day"], y=[ymap[c] for c in part["consumer"]], mode="markers", name=label,
            marker={"symbol": symbol, "color": col, "size": size, "line": {"width": 1.5, "color": col}},
            customdata=part["value"], hovertemplate=label + " · " + t("fig.day", lang) + " %{x}<extra>%{y}</extra>",
        ))
    style(fig, title=title, height=height or max(320, 90 + 34 * len(order)))
    fig.update_layout(hovermode="closest", legend={"orientation": "v", "y": 1.0, "yanchor": "top",
                                                   "x": 1.01, "xanchor": "left", "font": {"size": 11}},
                      margin={"r": 200})
    fig.update_xaxes(title_text=t("fig.day", lang), range=[0, horizon])
    fig.update_yaxes(categoryorder="array", categoryarray=[ymap[c] for c in order][::-1], type="category")
    return fig


# ------------------------------------------------------------------------------------------------
# Exploration: sweeps, sensitivity, generic lines and bars
# ------------------------------------------------------------------------------------------------


def heatmap_figure(grid: pd.DataFrame, *, x_title: str = "", y_title: str = "", z_title: str = "",
                   title: str = "", unit: str = "", lang: str = "en", height: int = 460,
                   best: tuple[float, float] | None = None) -> go.Figure:
    """A 2-D sweep as a heatmap: ``grid`` indexed by the y values, columns are the x values."""
    z = grid.to_numpy(dtype=float)
    text = [[_short(v, unit) for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[_tick(v) for v in grid.columns], y=[_tick(v) for v in grid.index], text=text,
        texttemplate="%{text}", colorscale="RdYlGn", colorbar={"title": {"text": z_title}},
        hovertemplate=f"{x_title}: %{{x}}<br>{y_title}: %{{y}}<br>{z_title}: %{{text}}<extra></extra>",
    ))
    if best is not None:
        fig.add_trace(go.Scatter(x=[_tick(best[0])], y=[_tick(best[1])], mode="markers", showlegend=False,
                                 marker={"symbol": "star", "size": 18, "color": "white",
                                         "line": {"color": "black", "width": 1.5}}, hoverinfo="skip"))
    style(fig, title=title, height=height, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text=y_title, type="category")
    return fig


def _tick(v: object) -> str:
    if isinstance(v, float | int | np.floating | np.integer) and not isinstance(v, bool):
        x = float(v)
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.4g}"
    return str(v)


def _short(v: float, unit: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if unit == "fraction":
        return f"{100 * v:.1f}%"
    a = abs(v)
    for div, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{v / div:.3g}{suf}"
    return f"{v:.3g}"


def tornado_figure(labels: Sequence[str], low: Sequence[float], high: Sequence[float], *, base: float = 0.0,
                   title: str = "", x_title: str = "", low_name: str = "", high_name: str = "",
                   height: int | None = None) -> go.Figure:
    """A tornado chart: for each parameter, the output at its low and high end around ``base``.

    Bars are sorted by swing, widest on top.
    """
    rows = sorted(zip(labels, low, high, strict=True), key=lambda r: abs(r[2] - r[1]))
    ys = [r[0] for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=ys, x=[r[1] - base for r in rows], base=base, orientation="h", name=low_name,
                         marker_color="#c0392b"))
    fig.add_trace(go.Bar(y=ys, x=[r[2] - base for r in rows], base=base, orientation="h", name=high_name,
                         marker_color="#2a9d55"))
    fig.update_layout(barmode="overlay")
    style(fig, title=title, height=height or 120 + 34 * len(ys))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=x_title, exponentformat="B")
    return fig


def ranked_bar_figure(labels: Sequence[str], values: Sequence[float], *, errors: Sequence[float] | None = None,
                      second: Sequence[float] | None = None, names: tuple[str, str] = ("", ""), title: str = "",
                      x_title: str = "", height: int | None = None) -> go.Figure:
    """Horizontal bars ranked by value (e.g. Sobol total-order indices, Morris mu*), largest on top.

    ``second`` adds a thinner bar per row (e.g. first-order indices next to total-order ones).
    """
    order = np.argsort(np.asarray(values, dtype=float))
    ys = [labels[i] for i in order]
    fig = go.Figure()
    err = None if errors is None else {"type": "data", "array": [errors[i] for i in order], "color": "#555"}
    fig.add_trace(go.Bar(y=ys, x=[values[i] for i in order], orientation="h", name=names[0],
                         marker_color="#1f4e9c", error_x=err))
    if second is not None:
        fig.add_trace(go.Bar(y=ys, x=[second[i] for i in order], orientation="h", name=names[1],
                             marker_color="#6fa8dc", width=0.35))
        fig.update_layout(barmode="overlay")
    style(fig, title=title, height=height or 120 + 34 * len(ys), legend=second is not None)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=x_title)
    return fig


def line_figure(df: pd.DataFrame, x: str, ys: Mapping[str, str], *, title: str = "", x_title: str = "",
                y_title: str = "", unit: str = "", height: int = 320, markers: bool = True,
                hline: float | None = None, hline_label: str = "", vline: float | None = None,
                vline_label: str = "", secondary: Iterable[str] = (), y2_title: str = "",
                log_x: bool = False) -> go.Figure:
    """Lines of columns ``ys`` (column -> legend label) against ``x``; optional reference lines.

    Columns named in ``secondary`` are drawn on a right-hand axis.
    """
    secondary = set(secondary)
    fig = go.Figure()
    for i, (col, label) in enumerate(ys.items()):
        fig.add_trace(go.Scatter(x=df[x], y=df[col], mode="lines+markers" if markers else "lines", name=label,
                                 line={"color": colour(i), "width": 2.2, "dash": "dot" if col in secondary else None},
                                 yaxis="y2" if col in secondary else "y"))
    if hline is not None:
        fig.add_hline(y=hline, line={"dash": "dash", "color": "#333", "width": 1.2}, annotation_text=hline_label,
                      annotation_position="top left")
    if vline is not None:
        fig.add_vline(x=vline, line={"dash": "dot", "color": "#333", "width": 1.2}, annotation_text=vline_label,
                      annotation_position="top right")
    style(fig, title=title, height=height)
    fig.update_xaxes(title_text=x_title, type="log" if log_x else None)
    fig.update_yaxes(title_text=y_title, **_axis_format(unit))
    if secondary:
        fig.update_layout(yaxis2={"title": {"text": y2_title}, "overlaying": "y", "side": "right",
                                  "showgrid": False, "exponentformat": "B"})
    return fig


def stacked_area_figure(df: pd.DataFrame, x: str, ys: Mapping[str, str], *, title: str = "", x_title: str = "",
                        y_title: str = "", height: int = 320, colours: Sequence[str] | None = None) -> go.Figure:
    """Stacked areas of columns ``ys`` against ``x`` (e.g. joins by source)."""
    fig = go.Figure()
    for i, (col, label) in enumerate(ys.items()):
        c = colours[i] if colours else colour(i)
        fig.add_trace(go.Scatter(x=df[x], y=df[col], mode="lines", stackgroup="one", name=label,
                                 line={"width": 0.5, "color": c}))
    style(fig, title=title, height=height)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, exponentformat="B")
    return fig


def bar_figure(categories: Sequence[str], groups: Mapping[str, Sequence[float]], *, title: str = "",
               y_title: str = "", height: int = 320, unit: str = "",
               colours: Mapping[str, str] | None = None) -> go.Figure:
    """Grouped bars: one group per key of ``groups``, one bar per category."""
    fig = go.Figure()
    for i, (name, vals) in enumerate(groups.items()):
        fig.add_trace(go.Bar(x=list(categories), y=list(vals), name=name,
                             marker_color=(colours or {}).get(name, colour(i))))
    style(fig, title=title, height=height)
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(title_text=y_title, **_axis_format(unit))
    return fig


def funnel_figure(stages: Sequence[str], values: Sequence[float], *, title: str = "", height: int = 340) -> go.Figure:
    """A funnel (e.g. the six-step method: reached, aware, bought, joined, referred...)."""
    fig = go.Figure(go.Funnel(y=list(stages), x=list(values), textinfo="value+percent initial",
                              marker={"color": [colour(i) for i in range(len(stages))]}))
    style(fig, title=title, height=height, legend=False)
    fig.update_layout(hovermode="closest")
    return fig


# ------------------------------------------------------------------------------------------------
# PNG export (kaleido 1.x drives a locally installed Chrome/Chromium; it never downloads one here)
# ------------------------------------------------------------------------------------------------


class PngExportUnavailable(RuntimeError):
    """Raised when a figure cannot be rendered to PNG (no kaleido, or no Chrome/Chromium found)."""


def png_export_problem() -> str | None:
    """``None`` if PNG export should work here, else why not (cheap: looks for kaleido and a browser)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "the 'kaleido' package is not installed"
    path = None
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception:  # noqa: BLE001 - best-effort search; fall back to PATH
        path = None
    if not path:
        import shutil

        path = next((p for n in ("chromium", "chromium-browser", "google-chrome", "chrome")
                     if (p := shutil.which(n))), None)
    if not path:
        return "no Chrome or Chromium browser was found on the server (install one, e.g. 'apt-get install chromium')"
    return None


def to_png(fig: go.Figure, *, width: int = 1100, height: int | None = None, scale: float = 2.0) -> bytes:
    """Render a figure to PNG bytes with kaleido.

    Raises:
        PngExportUnavailable: With a plain explanation when kaleido or a browser is missing.
    """
    try:
        import kaleido  # noqa: F401
    except ImportError as exc:  # pragma: no cover - kaleido is a dependency
        raise PngExportUnavailable("PNG export needs the 'kaleido' package (pip install kaleido)") from exc
    h = height or int(fig.layout.height or 420)
    try:
        return fig.to_image(format="png", width=width, height=h, scale=scale)
    except Exception as exc:  # kaleido reports a missing browser in several ways
        raise PngExportUnavailable(
            "PNG export needs Chrome or Chromium installed on the server (e.g. 'apt-get install chromium'): "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
