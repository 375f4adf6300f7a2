"""House style of every figure: palette, fonts (CJK-capable), layout, axis formats, escaping of text."""

from __future__ import annotations

import html
from collections.abc import Mapping

import plotly.graph_objects as go

from sim.i18n import t

#: Column colours, in order (first scenario, second...). Colour-blind-safe qualitative set.
PALETTE: tuple[str, ...] = ("#c0392b", "#1f4e9c", "#2a9d55", "#e08a00", "#7b4fa0", "#8c564b", "#d6609e", "#17a2b8")
STAGE_COLOURS: Mapping[str, str] = {
    "unaware": "#b8bec6", "aware": "#6fa8dc", "customer": "#f0a23b", "member": "#2a9d55", "lapsed": "#666f78",
}
FONT = "Noto Sans CJK SC, Noto Sans CJK JP, Noto Sans, Helvetica, Arial, sans-serif"


def plain(text: object) -> str:
    """Text made inert for plotly, which renders a subset of HTML in its texts.

    Titles, legends, axis titles and hover labels accept ``<b>``, ``<a href>``...: ``<``, ``>`` and
    ``&`` become entities, shown as typed.
    """
    return html.escape(str(text), quote=False) if text is not None else ""


def colour(i: int) -> str:
    """The colour of the ``i``-th column of a comparison."""
    return PALETTE[i % len(PALETTE)]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[j : j + 2], 16) for j in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


#: Width (px) a chart's legend is assumed to have: charts sit in half-page columns of the dashboard.
LEGEND_WIDTH = 540


def _legend_rows(fig: go.Figure) -> int:
    """Rows a horizontal legend takes in a :data:`LEGEND_WIDTH` chart (CJK characters are wider)."""
    names = list(dict.fromkeys(str(tr.name) for tr in fig.data
                               if getattr(tr, "name", None) and getattr(tr, "showlegend", None) is not False))
    rows, used = 1, 0
    for name in names:
        w = 40 + sum(12 if ord(c) > 0x2E80 else 7 for c in name)
        if used and used + w > LEGEND_WIDTH:
            rows, used = rows + 1, 0
        used += w
    return rows


def style(fig: go.Figure, *, title: str = "", height: int = 380, legend: bool = True) -> go.Figure:
    """Apply the house style: white background, light grid, title then legend above the plot, compact margins.

    The legend sits between the title and the plot (never below it, where it would cover the x-axis
    title); the top margin leaves room for both. Fonts include Noto Sans CJK so Chinese and Japanese
    render in the browser and in PNG exports wherever fonts-noto-cjk (or another Noto CJK) is installed.
    """
    top = (48 if title else 12) + (22 * _legend_rows(fig) + 12 if legend else 0)
    fig.update_layout(
        template="plotly_white",
        title={"text": plain(title), "x": 0.0, "xref": "paper", "xanchor": "left", "y": 0.98, "yanchor": "top",
               "yref": "container", "font": {"size": 15}} if title else None,
        height=height,
        margin={"l": 64, "r": 24, "t": top, "b": 56},
        font={"family": FONT, "size": 12},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0.0},
        hovermode="x unified",
    )
    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = plain(trace.name)
        if getattr(trace, "legendgroup", None):
            trace.legendgroup = plain(trace.legendgroup)
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
