"""Stage-to-stage flows (Sankey) and the profit build-up of the ledger (waterfall)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from sim.figures.style import HIGH_COLOUR, LOW_COLOUR, STAGE_COLOURS, _rgba, plain, style
from sim.i18n import t
from sim.model import layout as L


def mean_joins(frames: list[pd.DataFrame], day: int) -> dict[str, float]:
    """Joins by source from day 0 to ``day``, mean over replicate frames (``daily.joins_<source>`` columns).

    Sources a frame lacks (runs saved before a lever existed) count as zero.
    """
    out: dict[str, float] = {}
    for source in L.SOURCES[2:]:
        col = f"daily.joins_{source}"
        sums = [float(f.loc[f["day"] <= day, col].sum()) for f in frames if col in f]
        out[source] = float(sum(sums) / len(frames)) if sums and frames else 0.0
    return out


def sankey_figure(flows: pd.DataFrame, *, lang: str = "en", title: str = "", height: int = 420,
                  joins: dict[str, float] | None = None) -> go.Figure:
    """Stage-to-stage flows of one brand as a two-column Sankey (stage before -> stage after).

    Back-edges (opt-outs, forgetting, lapses, win-backs) would make loops in a one-column diagram,
    so each stage appears twice: on the left as where people came from, on the right as where
    they went.

    Args:
        flows: Rows ``from, to, people`` (e.g. ``RunResult.flow_totals()`` for one brand).
        lang: Language of labels.
        title: Chart title.
        height: Height in pixels.
        joins: Optional people joined by source (``mean_joins``): the moves into the pool are then drawn
            from one node per join source (organic, KOL, store, livestream...), in proportion, instead
            of from the stage the joiners left.
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
    xs = [0.01] * len(stages) + [0.99] * len(stages)
    ys = [0.05 + 0.22 * i for i in range(len(stages))] * 2
    into_pool = len(stages) + stages.index("member")
    total_joins = sum(v for v in (joins or {}).values() if v > 0)
    if total_joins > 0:  # moves into the pool, redrawn from their join sources
        keep = [j for j, d in enumerate(dst) if d != into_pool or src[j] == stages.index("member")]
        moved = sum(val[j] for j in range(len(val)) if j not in keep)
        src, dst, val = [src[j] for j in keep], [dst[j] for j in keep], [val[j] for j in keep]
        link_col, hover = [link_col[j] for j in keep], [hover[j] for j in keep]
        shown = [(s, v) for s, v in joins.items() if v > 0]
        for n, (source, people) in enumerate(shown):
            labels.append(t(f"source.{source}", lang))
            node_colours.append(_rgba(STAGE_COLOURS["member"], 0.8))
            xs.append(0.45)
            ys.append(0.05 + 0.9 * n / max(1, len(shown) - 1) if len(shown) > 1 else 0.5)
            src.append(len(labels) - 1)
            dst.append(into_pool)
            val.append(moved * people / total_joins)
            link_col.append(_rgba(STAGE_COLOURS["member"], 0.45))
            hover.append(t("fig.join_hover", lang, source=t(f"source.{source}", lang)))
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": node_colours, "pad": 14, "thickness": 16, "x": xs, "y": ys},
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
        increasing={"marker": {"color": HIGH_COLOUR}}, decreasing={"marker": {"color": LOW_COLOUR}},
        totals={"marker": {"color": "#666666"}},
        hovertemplate="%{x}: %{y:,.0f} " + plain(currency) + "<extra></extra>",
    ))
    style(fig, title=title, height=height, legend=False)
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(title_text=plain(currency), exponentformat="B")
    fig.update_xaxes(tickangle=-35)
    return fig
