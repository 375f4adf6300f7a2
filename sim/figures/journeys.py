"""Consumer journeys: stage intervals from events and a timeline per consumer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from sim.figures.style import STAGE_COLOURS, plain, style
from sim.i18n import t
from sim.model import layout as L

#: Events drawn as markers on journey timelines: event -> (marker symbol, colour, size).
EVENT_STYLE: Mapping[str, tuple[str, str, int]] = {
    "aware": ("circle-open", "#6fa8dc", 9),
    "forgot": ("x-thin-open", "#888888", 8),
    "bought_public": ("square", "#f0a23b", 9),
    "bought_private": ("diamond", "#009E73", 10),
    "invited": ("triangle-right-open", "#7b4fa0", 9),
    "declined": ("triangle-left", "#b06ad0", 8),
    "joined": ("triangle-up", "#009E73", 12),
    "message": ("line-ns-open", "#9aa3ad", 6),
    "cold_message": ("line-ns-open", "#D55E00", 8),
    "opted_out": ("x", "#D55E00", 11),
    "shared": ("hexagram-open", "#E69F00", 9),
    "referred_friend": ("hexagram", "#E69F00", 11),
    "lapsed": ("circle-x", "#444444", 10),
    "won_back": ("circle-cross-open", "#0072B2", 10),
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
                   consumers: Sequence[int] | None = None, height: int | None = None,
                   segment_names: Mapping[str, str] | None = None) -> go.Figure:
    """A timeline per consumer: coloured bars for the stage they are in, markers for events.

    Args:
        journeys: Rows ``day, consumer, event`` (one brand), e.g. from ``RunResult.journeys``.
        horizon: Last day drawn (default: the last event).
        lang: Language of labels.
        title: Chart title.
        consumers: Which consumers to show, in order (default: all in the table).
        height: Height in pixels (default: from the number of consumers).
        segment_names: Display names of segment ids (default: from the string tables, else the id).
    """
    if segment_names is None:
        from sim.i18n import has

        ids = set(journeys["segment"]) if "segment" in journeys else set()
        segment_names = {s: t(f"segment.{s}", lang) for s in ids if has(f"segment.{s}")}
    j = journeys if consumers is None else journeys[journeys["consumer"].isin(list(consumers))]
    order = list(consumers) if consumers is not None else list(dict.fromkeys(j.sort_values("day")["consumer"]))
    order = [c for c in order if c in set(j["consumer"])]
    horizon = int(horizon if horizon is not None else (j["day"].max() + 1 if len(j) else 1))
    seg = j.drop_duplicates("consumer").set_index("consumer")["segment"] if "segment" in j else None

    def ylab(c: int) -> str:
        s = f" · {plain(segment_names.get(seg[c], seg[c]))}" if seg is not None and c in seg.index else ""
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
            customdata=part["value"],
            hovertemplate=plain(label) + " · " + plain(t("fig.day", lang)) + " %{x}<extra>%{y}</extra>",
        ))
    style(fig, title=title, height=height or max(320, 90 + 34 * len(order)))
    fig.update_layout(hovermode="closest", legend={"orientation": "v", "y": 1.0, "yanchor": "top",
                                                   "x": 1.01, "xanchor": "left", "font": {"size": 11}},
                      margin={"r": 200, "t": 56 if title else 16})
    fig.update_xaxes(title_text=plain(t("fig.day", lang)), range=[0, horizon])
    fig.update_yaxes(categoryorder="array", categoryarray=[ymap[c] for c in order][::-1], type="category")
    return fig
