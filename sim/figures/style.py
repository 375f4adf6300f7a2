"""House style of every figure: palette, fonts (CJK-capable), layout, axis formats, escaping of text."""

from __future__ import annotations

import html
from collections.abc import Mapping

import plotly.graph_objects as go

from sim.i18n import t

#: Column colours, in order (first scenario, second...): the Okabe–Ito set (Okabe & Ito 2008, "Color Universal
#: Design"), distinguishable with every common colour-vision deficiency. Order kept as red, blue, green, orange,
#: violet, grey, so the dashboard's swatch names (compare page) still match.
PALETTE: tuple[str, ...] = ("#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#666666", "#56B4E9", "#F0E442")
#: One colour per strategy in every figure, found from the label (preset id or its name in en/zh/ja):
#: the China playbook (also transplanted) vermillion, Japan's membership strategy blue, the hybrid green.
STRATEGY_COLOURS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("hybrid", "混合", "ハイブリッド"), PALETTE[2]),
    (("china", "中国", "中國"), PALETTE[0]),
    (("japan", "日本"), PALETTE[1]),
)
#: Public, other and private domain (Learn page, notebook 01): blue, orange, green.
DOMAIN_COLOURS: tuple[str, str, str] = (PALETTE[1], PALETTE[3], PALETTE[2])
#: Two-sided charts (tornado low/high, waterfall down/up): vermillion and blue, never red against green.
LOW_COLOUR, HIGH_COLOUR = PALETTE[0], PALETTE[1]
#: Sequential colour scale of heatmaps: perceptually uniform and colour-blind safe (no red–green diverging scale).
HEATMAP_SCALE = "Cividis"
STAGE_COLOURS: Mapping[str, str] = {
    "unaware": "#b8bec6", "aware": "#6fa8dc", "customer": "#f0a23b", "member": "#009E73", "lapsed": "#666f78",
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


def strategy_colour(label: object) -> str | None:
    """The fixed colour of a strategy named in ``label`` (China, Japan, hybrid), or None for other labels."""
    text = str(label).lower()
    for keys, col in STRATEGY_COLOURS:
        if any(k in text for k in keys):
            return col
    return None


def colour_for(label: object, i: int) -> str:
    """The colour of a series: its strategy's colour when the label names one, else the ``i``-th palette colour."""
    return strategy_colour(label) or colour(i)


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
