"""Journeys: follow sampled consumers through stages, messages, purchases, referrals and opt-outs.

The model logs every event of a sample of consumers (``run.journeys``); the timeline shows the stage
each one is in (coloured bars) and their events (markers), and the table lists one consumer's day.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import common as C
from sim import figures
from sim.format import human
from sim.model import layout as L

T = C.T
SZ = C.sizes()
FILTERS = ("joined", "opted_out", "referred_friend", "bought_private", "lapsed", "won_back", "cold_message",
           "tier_up", "left_after_breach")

st.title(T("journeys.title"))
st.caption(T("journeys.intro"))
C.assumptions_panel("journeys")

options = C.source_options()
top = st.columns([2, 1, 1, 1])
src = top[0].selectbox(T("common.scenario"), options, key="jr_src", format_func=C.bind(C.source_label),
                       index=options.index("china_in_china") if "china_in_china" in options else 0)
population = top[1].number_input(T("common.population"), 500, C.CAPS.population, SZ.population, 5_000, key="jr_pop")
days = top[2].number_input(T("common.days"), 30, C.CAPS.days, SZ.days, 365, key="jr_days")
tracked = top[3].number_input(T("journeys.tracked"), 5, C.CAPS.journeys, SZ.journeys, 10, key="jr_n",
                              help=T("journeys.tracked_help", cap=C.CAPS.journeys))

sc = C.safe(lambda: C.sized(C.source_doc(src), population=population, days=days, journeys=tracked))
res = C.safe(lambda: C.single(C.doc_key(sc), None, what=T("common.computing", name=C.source_label(src))))
brands = res.brands
brand = brands[0]
if len(brands) > 1:
    brand = st.radio(T("common.brand"), brands, horizontal=True, key="jr_brand", format_func=C.md)
cur = res.currency
j = res.journeys
j = j[j["brand"] == brand] if len(j) else j
horizon = int(res.daily["day"].max()) + 1

if j.empty:
    st.info(T("journeys.empty"))
    st.stop()

counts = j.groupby("consumer")["event"].agg(lambda e: set(e))
f1, f2, f3 = st.columns([2, 1, 1])
need = f1.multiselect(T("journeys.filter"), FILTERS, default=["joined"], key="jr_filter",
                      placeholder=T("common.choose"),
                      format_func=C.bind(lambda e: T(f"event.{e}")), help=T("journeys.filter_help"))
show = f2.slider(T("journeys.show"), 3, 40, 12, key="jr_show")
messages = f3.checkbox(T("journeys.messages"), value=False, key="jr_msgs", help=T("journeys.messages_help"))
pool = [c for c, ev in counts.items() if set(need) <= ev]
n_events = j.groupby("consumer").size()
pool.sort(key=lambda c: (-len(counts[c]), -int(n_events[c]), c))
chosen = pool[:show]
st.caption(T("journeys.matching", n=len(pool), total=counts.size, shown=len(chosen)))
if not chosen:
    st.info(T("journeys.none_match"))
    st.stop()

view = j[j["consumer"].isin(chosen)]
if not messages:
    view = view[view["event"] != "message"]
fig = figures.journey_figure(view, horizon=horizon, lang=C.lang(), consumers=chosen, title=T("journeys.chart_title"))
C.chart(fig, "jr_timeline", "journeys")

# ---- one consumer ------------------------------------------------------------------------------------


#: Aware channel (``layout.AWARE_CHANNELS``) -> its tally, whose name keys the channel's label.
AWARE_TALLY = {"ads": "ad_aware", "organic": "organic_aware", "kol": "kol_aware", "partner": "partner_aware"}


def detail(event: str, value: int) -> str:
    """What an event's value means (price, join source, channel, referred friend, tier, points)."""
    if event in ("bought_public", "bought_private"):
        return human(float(value), "currency", cur)
    if event == "joined" and 0 <= value < len(L.SOURCES):
        return T(f"source.{L.SOURCES[value]}")
    if event == "aware" and 0 < value < len(L.AWARE_CHANNELS):  # the value is the channel code
        return T(f"channel.{AWARE_TALLY[L.AWARE_CHANNELS[value]]}")
    if event == "referred_friend":
        return f"#{value}"
    if event == "tier_up":
        return T("journeys.tier", n=value + 1)
    if event == "points_redeemed":
        return T("journeys.points", n=f"{value:,}")
    return ""


def segment_of(consumer: int) -> str:
    """The segment id of a followed consumer."""
    return str(j.loc[j["consumer"] == consumer, "segment"].iloc[0])


st.subheader(T("journeys.one"))
who = st.selectbox(T("journeys.consumer"), chosen, key="jr_who",
                   format_func=C.bind(lambda c: f"#{c} · {C.segment_label(segment_of(c))}" if "segment" in j
                                      else f"#{c}"))
mine = j[j["consumer"] == who].sort_values("day", kind="stable")
stages = figures.journey_stages(mine, horizon)
end_stage = stages["stage"].iloc[-1] if len(stages) else "unaware"
bought = mine["event"].isin(["bought_public", "bought_private"])
s1, s2, s3, s4 = st.columns(4)
s1.metric(T("journeys.stage_now"), T(f"stage.{end_stage}"))
s2.metric(T("journeys.purchases"), int(bought.sum()))
s3.metric(T("journeys.spent"), human(float(mine.loc[bought, "value"].sum()), "currency", cur))
s4.metric(T("journeys.messages_got"), int((mine["event"] == "message").sum()))
table = pd.DataFrame({
    T("common.day"): mine["day"].to_numpy() + 1,
    T("journeys.col_event"): [T(f"event.{e}") for e in mine["event"]],
    T("journeys.col_detail"): [detail(e, int(v)) for e, v in zip(mine["event"], mine["value"], strict=True)],
})
collapse = st.checkbox(T("journeys.collapse"), value=True, key="jr_collapse")
if collapse:
    ev_col = T("journeys.col_event")
    grp = (table[ev_col] != table[ev_col].shift()).cumsum()
    table = table.groupby(grp, sort=False).agg(
        **{T("common.day"): (T("common.day"), lambda d: f"{d.iloc[0]}" if len(d) == 1 else f"{d.iloc[0]}–{d.iloc[-1]}"),
           ev_col: (ev_col, lambda e: e.iloc[0] if len(e) == 1 else f"{e.iloc[0]} ×{len(e)}"),
           T("journeys.col_detail"): (T("journeys.col_detail"), "first")})
st.dataframe(table, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(table)))

e1, e2 = st.columns(2)
with e1:
    out = j.assign(event_label=[T(f"event.{e}") for e in j["event"]], currency=cur)
    C.csv_button(out, "journeys", "jr_csv", label=T("journeys.csv"))
with e2:
    st.caption(T("journeys.legend_note"))
