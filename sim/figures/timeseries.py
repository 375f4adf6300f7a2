"""Time series with uncertainty bands, the private share against its mark, KPI intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.figures.series import SERIES, SeriesInfo
from sim.figures.style import _axis_format, _rgba, colour_for, plain, style, unit_title
from sim.i18n import t

#: Private share of revenue targeted in the long run (ITC c. 2019: from 90/10 to 70/30 public/private).
PRIVATE_SHARE_TARGET = 0.30


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
        col = (colours or {}).get(label) or colour_for(label, i)
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
                      annotation_text=plain(target_label or ""), annotation_position="top left")
    style(fig, title=title, height=height)
    fig.update_xaxes(title_text=plain(t("fig.day", lang)))
    fig.update_yaxes(title_text=plain(y_title), **_axis_format(unit))
    return fig


def private_share_figure(series: Mapping[str, pd.DataFrame], *, lang: str = "en", height: int = 340,
                         title: str | None = None) -> go.Figure:
    """The 30-day private share of revenue over time against the 30% mark (ITC c. 2019)."""
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
                   "arrayminus": [max(v - low[lab], 0.0)], "color": colour_for(lab, i), "thickness": 2, "width": 8}
        fig.add_trace(go.Scatter(x=[v], y=[plain(lab)], mode="markers", error_x=err, name=lab,
                                 marker={"color": colour_for(lab, i), "size": 12}))
    style(fig, title=title, height=height or 110 + 45 * len(labels), legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=plain(x_title), **({"tickformat": ".0%"} if unit == "fraction" else {}))
    fig.update_yaxes(autorange="reversed")
    return fig
