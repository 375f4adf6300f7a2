"""Figures of the decision analyses (issue 15): gap waterfall, break-even curve, risk, Pareto front.

Plotly figures in the house style of :mod:`sim.figures`; every label comes from :mod:`sim.i18n`, and
names from the user (scenario names) reach the figures only as plain text (Plotly does not interpret
HTML in data strings unless they are put into a template, and hover templates here hold only fixed
text and numbers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.figures import PALETTE, style
from sim.i18n import t

__all__ = ["breakeven_figure", "breakeven_month_figure", "gap_waterfall_figure", "pareto_figure",
           "profit_distribution_figure", "stress_pairs_figure"]


def _plain(text: str) -> str:
    """User text for a Plotly label: angle brackets made inert (Plotly renders a subset of HTML tags)."""
    return str(text).replace("<", "‹").replace(">", "›")


def gap_waterfall_figure(steps: pd.DataFrame, *, by: str = "item", currency: str = "", lang: str = "en",
                         title: str = "", height: int = 420) -> go.Figure:
    """The paired profit gap as a waterfall: one bar per step, the total last, 95% intervals as error bars.

    Args:
        steps: ``step, mean, ci_low, ci_high`` (:meth:`sim.analysis.attribution.Attribution.waterfall`).
        by: ``"item"`` (ledger item names) or ``"mechanism"``.
        currency: Currency of the amounts.
        lang: Language of labels.
        title: Chart title.
        height: Height in pixels.
    """
    prefix = "money" if by == "item" else "mechanism"
    names = [t("money.total", lang) if s == "total" else t(f"{prefix}.{s}", lang) for s in steps["step"]]
    y = steps["mean"].to_numpy(dtype=np.float64)
    measure = ["relative"] * (len(y) - 1) + ["total"]
    yw = y.copy()
    yw[-1] = 0.0
    fig = go.Figure(go.Waterfall(
        x=names, y=yw, measure=measure, connector={"line": {"color": "#bbb", "width": 1}},
        increasing={"marker": {"color": "#2a9d55"}}, decreasing={"marker": {"color": "#c0392b"}},
        totals={"marker": {"color": "#1f4e9c"}},
        hovertemplate="%{x}: %{y:,.0f} " + _plain(currency) + "<extra></extra>",
        name=t("decide.gap", lang),
    ))
    # intervals: error bars on the end of each step (cumulative position), from the per-seed spread
    ends = np.cumsum(y[:-1]).tolist() + [y[-1]]
    lo = steps["ci_low"].to_numpy(dtype=np.float64)
    hi = steps["ci_high"].to_numpy(dtype=np.float64)
    ok = np.isfinite(lo) & np.isfinite(hi)
    if ok.any():
        fig.add_trace(go.Scatter(
            x=[n for n, k in zip(names, ok, strict=True) if k], y=[e for e, k in zip(ends, ok, strict=True) if k],
            mode="markers", marker={"size": 1, "color": "#333"}, showlegend=False, hoverinfo="skip",
            error_y={"type": "data", "symmetric": False, "array": (hi - y)[ok], "arrayminus": (y - lo)[ok],
                     "color": "#333", "thickness": 1.2, "width": 4},
        ))
    style(fig, title=_plain(title), height=height, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(title_text=_plain(currency), exponentformat="B")
    fig.update_xaxes(tickangle=-35)
    return fig


def breakeven_figure(evaluations: pd.DataFrame, *, flip: float | None, interval: tuple[float, float] | None,
                     target: float = 0.0, x_title: str = "", y_title: str = "", lang: str = "en", title: str = "",
                     height: int = 380) -> go.Figure:
    """The paired difference (or the KPI) against the lever, with its interval band, zero line and flip point."""
    ev = evaluations.sort_values("value")
    x = ev["value"].to_numpy(dtype=np.float64)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]),
                             y=np.concatenate([ev["ci_high"] + target, (ev["ci_low"] + target)[::-1]]),
                             fill="toself", fillcolor="rgba(31,78,156,0.15)", line={"width": 0},
                             name=t("decide.band", lang), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=ev["mean_diff"] + target, mode="lines+markers", name=t("decide.mean", lang),
                             line={"color": PALETTE[1]}))
    fig.add_hline(y=target, line={"color": "#888", "dash": "dot"})
    if interval is not None:
        fig.add_vrect(x0=interval[0], x1=interval[1], fillcolor="rgba(224,138,0,0.15)", line_width=0)
    if flip is not None and math.isfinite(flip):
        fig.add_vline(x=flip, line={"color": PALETTE[0], "dash": "dash"},
                      annotation_text=t("decide.flip_at", lang, value=f"{flip:.4g}"), annotation_position="top")
    style(fig, title=_plain(title), height=height)
    fig.update_xaxes(title_text=_plain(x_title))
    fig.update_yaxes(title_text=_plain(y_title), exponentformat="B")
    return fig


def profit_distribution_figure(profit: Sequence[float], *, percentiles: Mapping[str, float], currency: str = "",
                               lang: str = "en", title: str = "", height: int = 340) -> go.Figure:
    """Histogram of profit at the horizon over replicates, with P5/P50/P95 and the zero line."""
    v = np.asarray(profit, dtype=np.float64)
    fig = go.Figure(go.Histogram(x=v, nbinsx=max(5, min(40, int(math.sqrt(v.size)) * 2)),
                                 marker={"color": PALETTE[1]}, name=t("decide.runs", lang)))
    fig.add_vline(x=0.0, line={"color": "#888", "dash": "dot"})
    for key, colour in (("p05", PALETTE[0]), ("p50", "#333"), ("p95", PALETTE[2])):
        if key in percentiles and math.isfinite(percentiles[key]):
            fig.add_vline(x=percentiles[key], line={"color": colour, "dash": "dash"},
                          annotation_text=key.upper().replace("P0", "P"), annotation_position="top")
    style(fig, title=_plain(title), height=height, legend=False)
    fig.update_layout(hovermode="closest", bargap=0.05)
    fig.update_xaxes(title_text=_plain(currency), exponentformat="B")
    fig.update_yaxes(title_text=t("decide.runs", lang))
    return fig


def breakeven_month_figure(months: pd.DataFrame, *, lang: str = "en", title: str = "",
                           height: int = 300) -> go.Figure:
    """Bars of the break-even month distribution (``never`` last)."""
    labels = [t("decide.never", lang) if m == "never" else str(m) for m in months["month"]]
    colours = [PALETTE[0] if m == "never" else PALETTE[2] for m in months["month"]]
    fig = go.Figure(go.Bar(x=labels, y=100 * months["share"], marker={"color": colours},
                           hovertemplate="%{x}: %{y:.1f}%<extra></extra>"))
    style(fig, title=_plain(title), height=height, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=t("decide.month", lang), type="category")
    fig.update_yaxes(title_text="%")
    return fig


def pareto_figure(points: pd.DataFrame, x: str, y: str, *, color: str | None = None, x_title: str = "",
                  y_title: str = "", color_title: str = "", lang: str = "en", title: str = "",
                  height: int = 420) -> go.Figure:
    """The Pareto front of two objectives (a third as colour), each point numbered as in the table."""
    p = points.sort_values(x)
    marker: dict = {"size": 10, "color": PALETTE[1]}
    if color is not None:
        marker = {"size": 10, "color": p[color], "colorscale": "Viridis", "showscale": True,
                  "colorbar": {"title": {"text": _plain(color_title)}}}
    fig = go.Figure(go.Scatter(x=p[x], y=p[y], mode="lines+markers+text", marker=marker,
                               line={"color": "#bbb", "width": 1}, text=[str(i) for i in p.index],
                               textposition="top center", name=t("decide.front", lang)))
    style(fig, title=_plain(title), height=height, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=_plain(x_title), exponentformat="B")
    fig.update_yaxes(title_text=_plain(y_title), exponentformat="B")
    return fig


def stress_pairs_figure(samples: pd.DataFrame, *, kpi: str = "profit", currency: str = "", lang: str = "en",
                        title: str = "", height: int = 340) -> go.Figure:
    """A stress against its twin, run by run: the unstressed and stressed value of ``kpi`` for each seed.

    ``samples`` has one row per seed with columns ``kpi`` and ``<kpi>_stressed``
    (:class:`sim.analysis.risk.StressResult`); a grey line joins the two runs of a seed (common random
    numbers), so the stress's effect is read pair by pair.
    """
    runs = [f"{i + 1}" for i in range(len(samples))]
    base = samples[kpi].to_numpy(dtype=np.float64)
    hit = samples[f"{kpi}_stressed"].to_numpy(dtype=np.float64)
    fig = go.Figure()
    for i, run in enumerate(runs):
        fig.add_trace(go.Scatter(x=[run, run], y=[base[i], hit[i]], mode="lines", line={"color": "#bbb", "width": 1},
                                 showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=runs, y=base, mode="markers", marker={"color": PALETTE[2], "size": 8},
                             name=t("decide.unstressed", lang), hovertemplate="%{y:,.4s}<extra></extra>"))
    fig.add_trace(go.Scatter(x=runs, y=hit, mode="markers", marker={"color": PALETTE[0], "size": 8, "symbol": "x"},
                             name=t("decide.stressed", lang), hovertemplate="%{y:,.4s}<extra></extra>"))
    fig.add_hline(y=0.0, line={"color": "#888", "dash": "dot"})
    style(fig, title=_plain(title), height=height)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=t("decide.runs", lang), type="category")
    fig.update_yaxes(title_text=_plain(currency), exponentformat="B")
    return fig
