"""Exploration figures: sweep heatmaps, tornado and ranked bars, generic lines, areas, bars, funnels."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.figures.style import HEATMAP_SCALE, HIGH_COLOUR, LOW_COLOUR, _axis_format, colour, colour_for, plain, style


def heatmap_figure(grid: pd.DataFrame, *, x_title: str = "", y_title: str = "", z_title: str = "",
                   title: str = "", unit: str = "", lang: str = "en", height: int = 460,
                   best: tuple[float, float] | None = None, contour: pd.DataFrame | None = None,
                   contour_level: float = 1.0, contour_label: str = "") -> go.Figure:
    """A 2-D sweep as a heatmap: ``grid`` indexed by the y values, columns are the x values.

    ``contour`` (a grid of the same shape, e.g. the K-factor) adds a dashed line where it crosses
    ``contour_level`` (e.g. K = 1, self-sustaining referral growth), named ``contour_label``.
    """
    z = grid.to_numpy(dtype=float)
    text = [[_short(v, unit) for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[_tick(v) for v in grid.columns], y=[_tick(v) for v in grid.index], text=text,
        texttemplate="%{text}", colorscale=HEATMAP_SCALE, colorbar={"title": {"text": plain(z_title)}},
        hovertemplate=(f"{plain(x_title)}: %{{x}}<br>{plain(y_title)}: %{{y}}<br>{plain(z_title)}: "
                       "%{text}<extra></extra>"),
    ))
    if best is not None:
        fig.add_trace(go.Scatter(x=[_tick(best[0])], y=[_tick(best[1])], mode="markers", showlegend=False,
                                 marker={"symbol": "star", "size": 18, "color": "white",
                                         "line": {"color": "black", "width": 1.5}}, hoverinfo="skip"))
    has_line = False
    if contour is not None:
        cz = contour.to_numpy(dtype=float)
        finite = cz[np.isfinite(cz)]
        if finite.size and finite.min() <= contour_level <= finite.max() and cz.shape[0] > 1 and cz.shape[1] > 1:
            has_line = True
            fig.add_trace(go.Contour(
                z=cz, x=list(range(cz.shape[1])), y=list(range(cz.shape[0])), showscale=False, hoverinfo="skip",
                contours={"start": contour_level, "end": contour_level, "size": 1.0, "coloring": "none",
                          "showlabels": True, "labelfont": {"size": 12, "color": "black"}},
                line={"color": "black", "width": 3, "dash": "dash"}, name=contour_label, showlegend=True,
                xaxis="x2", yaxis="y2"))
            fig.update_layout(xaxis2={"overlaying": "x", "visible": False, "range": [-0.5, cz.shape[1] - 0.5]},
                              yaxis2={"overlaying": "y", "visible": False, "range": [-0.5, cz.shape[0] - 0.5]})
    style(fig, title=title, height=height, legend=has_line)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=plain(x_title), type="category")
    fig.update_yaxes(title_text=plain(y_title), type="category")
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
    ys = [plain(r[0]) for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=ys, x=[r[1] - base for r in rows], base=base, orientation="h", name=low_name,
                         marker_color=LOW_COLOUR))
    fig.add_trace(go.Bar(y=ys, x=[r[2] - base for r in rows], base=base, orientation="h", name=high_name,
                         marker_color=HIGH_COLOUR))
    fig.update_layout(barmode="overlay")
    style(fig, title=title, height=height or 120 + 34 * len(ys))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=plain(x_title), exponentformat="B")
    return fig


def ranked_bar_figure(labels: Sequence[str], values: Sequence[float], *, errors: Sequence[float] | None = None,
                      second: Sequence[float] | None = None, names: tuple[str, str] = ("", ""), title: str = "",
                      x_title: str = "", height: int | None = None) -> go.Figure:
    """Horizontal bars ranked by value (e.g. Sobol total-order indices, Morris mu*), largest on top.

    ``second`` adds a thinner bar per row (e.g. first-order indices next to total-order ones).
    """
    order = np.argsort(np.asarray(values, dtype=float))
    ys = [plain(labels[i]) for i in order]
    fig = go.Figure()
    err = None if errors is None else {"type": "data", "array": [errors[i] for i in order], "color": "#555"}
    fig.add_trace(go.Bar(y=ys, x=[values[i] for i in order], orientation="h", name=names[0],
                         marker_color=colour(1), error_x=err))
    if second is not None:
        fig.add_trace(go.Bar(y=ys, x=[second[i] for i in order], orientation="h", name=names[1],
                             marker_color="#6fa8dc", width=0.35))
        fig.update_layout(barmode="overlay")
    style(fig, title=title, height=height or 120 + 34 * len(ys), legend=second is not None)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=plain(x_title))
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
                                 line={"color": colour_for(label, i), "width": 2.2,
                                       "dash": "dot" if col in secondary else None},
                                 yaxis="y2" if col in secondary else "y"))
    if hline is not None:
        fig.add_hline(y=hline, line={"dash": "dash", "color": "#333", "width": 1.2}, annotation_text=plain(hline_label),
                      annotation_position="top left")
    if vline is not None:
        fig.add_vline(x=vline, line={"dash": "dot", "color": "#333", "width": 1.2}, annotation_text=plain(vline_label),
                      annotation_position="top right")
    style(fig, title=title, height=height)
    fig.update_xaxes(title_text=plain(x_title), type="log" if log_x else None)
    fig.update_yaxes(title_text=plain(y_title), **_axis_format(unit))
    if secondary:
        fig.update_layout(yaxis2={"title": {"text": plain(y2_title)}, "overlaying": "y", "side": "right",
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
    fig.update_xaxes(title_text=plain(x_title))
    fig.update_yaxes(title_text=plain(y_title), exponentformat="B")
    return fig


def bar_figure(categories: Sequence[str], groups: Mapping[str, Sequence[float]], *, title: str = "",
               y_title: str = "", height: int = 320, unit: str = "",
               colours: Mapping[str, str] | None = None) -> go.Figure:
    """Grouped bars: one group per key of ``groups``, one bar per category."""
    fig = go.Figure()
    for i, (name, vals) in enumerate(groups.items()):
        fig.add_trace(go.Bar(x=[plain(c) for c in categories], y=list(vals), name=name,
                             marker_color=(colours or {}).get(name) or colour_for(name, i)))
    style(fig, title=title, height=height)
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(title_text=plain(y_title), **_axis_format(unit))
    return fig


def funnel_figure(stages: Sequence[str], values: Sequence[float], *, title: str = "", height: int = 340) -> go.Figure:
    """A funnel (e.g. the six-step method: reached, aware, bought, joined, referred...)."""
    fig = go.Figure(go.Funnel(y=[plain(s) for s in stages], x=list(values), textinfo="value+percent initial",
                              marker={"color": [colour(i) for i in range(len(stages))]}))
    style(fig, title=title, height=height, legend=False)
    fig.update_layout(hovermode="closest")
    return fig


def panels_figure(panels: Sequence[Mapping], *, title: str = "", x_title: str = "", height: int | None = None,
                  shared_x: bool = True) -> go.Figure:
    """Panels stacked one above another, each with its own y axis, title and unit.

    Quantities of different kinds (a K-factor and money, messages and people) each get their own
    panel instead of sharing an axis. Each panel is a mapping with ``x`` (values or categories),
    ``ys`` (legend label -> values), ``y_title``, optional ``title``, ``kind`` (``"line"`` or
    ``"bar"``), ``hline`` with ``hline_label`` (a dashed reference line, e.g. K = 1), ``log``
    (a log y axis) and ``unit``.
    """
    from plotly.subplots import make_subplots

    n = len(panels)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=shared_x, vertical_spacing=0.16 if n > 1 else 0.0,
                        subplot_titles=[plain(p.get("title", "")) for p in panels])
    k = 0
    for r, p in enumerate(panels, start=1):
        for label, ys in p["ys"].items():
            c = colour(k)
            k += 1
            xs = [plain(v) if isinstance(v, str) else v for v in p["x"]]
            if p.get("kind", "line") == "bar":
                fig.add_trace(go.Bar(x=xs, y=list(ys), name=label, marker_color=c), row=r, col=1)
            else:
                fig.add_trace(go.Scatter(x=xs, y=list(ys), mode="lines+markers", name=label,
                                         line={"color": c, "width": 2.2}), row=r, col=1)
        if p.get("hline") is not None:
            fig.add_hline(y=p["hline"], line={"dash": "dash", "color": "#333", "width": 1.2}, row=r, col=1,
                          annotation_text=plain(p.get("hline_label", "")), annotation_position="top left")
        fig.update_yaxes(title_text=plain(p.get("y_title", "")), row=r, col=1,
                         **({"type": "log"} if p.get("log") else _axis_format(p.get("unit", ""))))
    fig.update_xaxes(title_text=plain(x_title), row=n, col=1)
    style(fig, title=title, height=height or 140 + 230 * n)
    fig.update_layout(hovermode="closest", barmode="group")
    return fig
