"""Learn: the concepts behind the model, each with a small live chart (small, fast, cached runs).

Public, other and private domain; the six-step method; fatigue and the best frequency (inverted U);
fission and the K-factor; membership points and tiers; consent law in China and Japan. Every concept has an
input that changes its chart and a quiz question with feedback in the session's language (issue 18).

Japanese pools are small (a few thousand people in a market of a million), so runs of a Japan preset use
``JAPAN_FACTOR`` times the Learn population: with the plain size the Japan charts rested on about fifteen
pool agents and could contradict their own captions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import common as C
from sim import figures
from sim.format import localised

T = C.T
SZ = C.sizes()
CONCEPTS = ("domains", "six_steps", "fatigue", "fission", "membership", "consent")
SMALL = {"population": SZ.learn_population, "days": SZ.learn_days}
#: Japan presets run with this many times the Learn population (their pools are small; see the module doc).
JAPAN_FACTOR = 10
#: The quiz of each concept: (number of answers, index of the right one). Texts: ``learn.quiz.<concept>.*``.
QUIZ = {"domains": (3, 0), "six_steps": (3, 1), "fatigue": (3, 1), "fission": (3, 1), "membership": (3, 0),
        "consent": (3, 0)}


def human(x: float, unit: str = "", currency: str = "") -> str:
    """A number as the session's language writes it (37.8万 in zh/ja, 378.2k in en; :func:`sim.format.localised`)."""
    return localised(x, "count" if unit == "people" else unit, currency, C.lang())


def population_for(preset: str) -> int:
    """Agents behind a Learn chart of ``preset`` (more for the Japan presets, whose pools are small)."""
    return SZ.learn_population * (JAPAN_FACTOR if "japan" in preset else 1)


def quiz(concept: str) -> None:
    """One multiple-choice question on the concept, with feedback once an answer is picked."""
    n, right = QUIZ[concept]
    st.subheader(T("learn.quiz.title"))
    pick = st.radio(T(f"learn.quiz.{concept}.q"), list(range(n)), index=None, key=f"learn_quiz_{concept}",
                    format_func=C.bind(lambda i, c=concept: T(f"learn.quiz.{c}.a{i}")))
    if pick is None:
        st.caption(T("learn.quiz.prompt"))
    elif pick == right:
        st.success(T("learn.quiz.right") + " " + T(f"learn.quiz.{concept}.why"))
    else:
        st.warning(T("learn.quiz.wrong") + " " + T(f"learn.quiz.{concept}.why"))


def run(preset: str, overrides: tuple[str, ...] = (), what: str = "") -> object:
    """A small shared run of a preset with overrides (progress: queue place, run day by day)."""
    sc = C.sized(preset, overrides=list(overrides), population=population_for(preset), days=SZ.learn_days)
    return C.single(C.doc_key(sc), None, what=what or T("common.computing", name=C.source_label(preset)))


def sweep(preset: str, path: str, values: list[float], extra: tuple[str, ...] = ()) -> list:
    """Small runs of a preset with ``path`` set to each value (same seed: common random numbers)."""
    return [run(preset, (*extra, f"{path}={v}"), what=f"{T('learn.sweeping', n=len(values))} ({i + 1}/{len(values)})")
            for i, v in enumerate(values)]


st.title(T("learn.title"))
st.caption(T("learn.intro", population=f"{SZ.learn_population:,}", days=C.days_label(SZ.learn_days)) + " "
           + T("learn.japan_agents", population=f"{SZ.learn_population * JAPAN_FACTOR:,}"))
concept = st.radio(T("learn.pick"), CONCEPTS, format_func=C.bind(lambda c: T(f"learn.{c}.title")), horizontal=True,
                   key="learn_concept")
st.header(T(f"learn.{concept}.title"))
text, chart = st.columns([2, 3])
with text:
    st.markdown(T(f"learn.{concept}.body"))

with chart:
    if concept == "domains":
        dsrc = st.radio(T("common.scenario"), ("hybrid_in_japan", "japan_in_japan", "china_in_china"), horizontal=True,
                        format_func=C.bind(C.source_label), key="learn_domains_src")
        res = C.safe(lambda: run(dsrc))
        d = res.brand_daily(res.brands[0])
        df = pd.DataFrame({"day": d["day"],
                           "public": (d["joins_organic"] + d["joins_kol"] + d["joins_interception"]).cumsum(),
                           "other": d["joins_partner"].cumsum(), "private": d["joins_referral"].cumsum()})
        fig = figures.stacked_area_figure(df, "day", {"public": T("learn.domains.public"),
                                                      "other": T("learn.domains.other"),
                                                      "private": T("learn.domains.private")},
                                          title=T("learn.domains.chart_of", name=C.source_label(dsrc)),
                                          x_title=T("fig.day"),
                                          y_title=T("unit.people"), colours=figures.DOMAIN_COLOURS)
        C.chart(fig, "learn_domains", "domains")
        last = df.iloc[-1]
        total = max(last["public"] + last["other"] + last["private"], 1.0)
        st.caption(T("learn.domains.notice", public=human(last["public"] / total, "fraction"),
                     other=human(last["other"] / total, "fraction"),
                     private=human(last["private"] / total, "fraction")))

    elif concept == "six_steps":
        src = st.radio(T("common.scenario"), ("china_in_china", "japan_in_japan"), horizontal=True,
                       format_func=C.bind(C.source_label), key="learn_six_src")
        res = C.safe(lambda: run(src))
        d = res.brand_daily(res.brands[0])
        aware = float(d[["ad_aware", "organic_aware", "kol_aware", "partner_aware"]].sum().sum())
        joins = float(d[["joins_organic", "joins_kol", "joins_partner", "joins_interception",
                         "joins_referral"]].sum().sum())
        steps = [("step1", aware), ("step2", joins), ("step3", float(d["active_members"].iloc[-1])),
                 ("step4", float(d["message_purchases"].sum())), ("step5", float(d["joins_referral"].sum())),
                 ("step6", float(d["purchases_private"].sum()))]
        fig = figures.bar_figure([T(f"learn.six_steps.{k}") for k, _ in steps],
                                 {C.source_label(src): [v for _, v in steps]},
                                 title=T("learn.six_steps.chart"), y_title=T("unit.count"), height=380)
        fig.update_yaxes(type="log")
        C.chart(fig, "learn_six", "six_steps")
        st.caption(T("learn.six_steps.notice", aware=human(aware, "people"), joins=human(joins, "people"),
                     referrals=human(steps[4][1], "people")))

    elif concept == "fatigue":
        quality = st.slider(T("whatif.quality"), 0.1, 1.0, 0.45, 0.05, key="learn_quality")
        freqs = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 14.0]
        runs = C.safe(lambda: sweep("china_in_china", "brands.0.strategy.messaging.per_week", freqs,
                                    (f"brands.0.strategy.messaging.quality={quality}",)))
        k = [r.kpis().iloc[0] for r in runs]
        df = pd.DataFrame({"per_week": freqs, "profit": [x["profit"] for x in k],
                           "unsubs": [x["unsubs_per_1000"] for x in k]})
        best = float(df.loc[df["profit"].idxmax(), "per_week"])
        fig = figures.panels_figure(
            [{"x": freqs, "ys": {T("kpi.profit"): df["profit"].tolist()}, "y_title": runs[0].currency,
              "title": T("kpi.profit") + f" ({runs[0].currency})"},
             {"x": freqs, "ys": {T("kpi.unsubs_per_1000"): df["unsubs"].tolist()},
              "y_title": T("kpi.unsubs_per_1000"), "title": T("kpi.unsubs_per_1000")}],
            title=T("learn.fatigue.chart"), x_title=T("whatif.per_week"), height=560)
        fig.add_vline(x=best, line={"dash": "dot", "color": "#333", "width": 1.2},
                      annotation_text=figures.plain(T("learn.fatigue.best", n=f"{best:g}")),
                      annotation_position="top right")
        C.chart(fig, "learn_fatigue", "fatigue")
        st.caption(T("learn.fatigue.notice", best=f"{best:g}",
                     profit=human(df["profit"].max(), "currency", runs[0].currency),
                     worst=f"{freqs[-1]:g}", unsubs=f"{df['unsubs'].iloc[-1]:.1f}"))

    elif concept == "fission":
        rewards = [0.0, 5.0, 10.0, 20.0, 40.0, 80.0]
        network = st.radio(T("learn.fission.network"), ("mixed", "small_world", "scale_free"), horizontal=True,
                           format_func=C.bind(lambda k: T(f"learn.network.{k}")), key="learn_network")
        runs = C.safe(lambda: [run("china_in_china", (f"market.network.kind={network}",
                                                       f"brands.0.strategy.referral.referrer_reward={r}",
                                                       f"brands.0.strategy.referral.referee_reward={r}"))
                               for r in rewards])
        k = [r.kpis().iloc[0] for r in runs]
        df = pd.DataFrame({"reward": rewards, "k": [x["k_factor"] for x in k], "profit": [x["profit"] for x in k]})
        fig = figures.panels_figure(
            [{"x": rewards, "ys": {T("kpi.k_factor"): df["k"].tolist()}, "y_title": T("learn.fission.k_panel"),
              "title": T("learn.fission.k_panel"), "hline": 1.0, "hline_label": T("learn.fission.k1")},
             {"x": rewards, "ys": {T("kpi.profit"): df["profit"].tolist()},
              "y_title": runs[0].currency, "title": T("learn.fission.profit_panel", currency=runs[0].currency)}],
            title=T("learn.fission.chart"), x_title=T("learn.fission.reward", currency=runs[0].currency), height=560)
        C.chart(fig, "learn_fission", "fission")
        kmax = float(np.nanmax(df["k"]))
        mult = 1.0 / (1.0 - kmax) if kmax < 1 else float("inf")
        st.caption(T("learn.fission.notice", k=f"{kmax:.2f}", mult=f"{mult:.1f}" if mult != float("inf") else "∞",
                     reward=f"{df.loc[df['profit'].idxmax(), 'reward']:g}", currency=runs[0].currency))

    elif concept == "membership":
        rates = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05]
        msrc = st.radio(T("common.scenario"), ("japan_in_japan", "hybrid_in_japan"), horizontal=True,
                        format_func=C.bind(C.source_label), key="learn_member_src")
        runs = C.safe(lambda: sweep(msrc, "brands.0.strategy.membership.points_rate", rates))
        k = [r.kpis().iloc[0] for r in runs]
        df = pd.DataFrame({"rate": [100 * r for r in rates], "active": [x["active_members"] for x in k],
                           "profit": [x["profit"] for x in k]})
        fig = figures.panels_figure(
            [{"x": df["rate"].tolist(), "ys": {T("kpi.active_members"): df["active"].tolist()},
              "y_title": T("unit.people"), "title": T("kpi.active_members")},
             {"x": df["rate"].tolist(), "ys": {T("kpi.profit"): df["profit"].tolist()}, "y_title": runs[0].currency,
              "title": T("kpi.profit") + f" ({runs[0].currency})"}],
            title=T("learn.membership.chart"), x_title=T("whatif.points_rate"), height=560)
        fig.add_vline(x=1.0, line={"dash": "dot", "color": "#333", "width": 1.2},
                      annotation_text=figures.plain(T("learn.membership.norm")), annotation_position="top right")
        C.chart(fig, "learn_membership", "membership")
        st.caption(T("learn.membership.notice", a0=human(df["active"].iloc[0], "people"),
                     a1=human(df["active"].iloc[2], "people"), a5=human(df["active"].iloc[-1], "people")))

    else:  # consent
        regimes = ("explicit_opt_in", "consent_at_join")
        cold = st.select_slider(T("learn.consent.cold"), options=(0, 1, 3), value=1, key="learn_cold")
        cold_path = f"brands.0.strategy.compliance.cold_outreach_per_week={cold}"
        runs = C.safe(lambda: [run("china_playbook_in_japan", (f"market.regime.kind={r}", cold_path))
                               for r in regimes])
        k = [r.kpis().iloc[0] for r in runs]
        labels = [T(f"regime.{r}") for r in regimes]
        fig = figures.panels_figure(
            [{"x": labels, "kind": "bar", "title": T("learn.consent.people_title"),
              "y_title": T("learn.consent.people"), "log": True,
              "ys": {T("kpi.complaints"): [max(x["complaints"], 0.0) for x in k],
                     T("kpi.opt_outs"): [max(x["opt_outs"], 0.0) for x in k]}},
             {"x": labels, "kind": "bar", "title": T("learn.consent.messages_title"),
              "y_title": T("learn.consent.messages"), "log": True,
              "ys": {T("kpi.violations"): [max(x["violations"], 0.0) for x in k]}}],
            title=T("learn.consent.chart"), height=600)
        C.chart(fig, "learn_consent", "consent")
        m1, m2 = st.columns(2)
        for col, r, x, res in zip((m1, m2), regimes, k, runs, strict=True):
            col.metric(T("kpi.fines") + " · " + T(f"regime.{r}"), human(x["fines"], "currency", res.currency))
            col.metric(T("kpi.mean_trust") + " · " + T(f"regime.{r}"), f"{x['mean_trust']:.2f}")
        st.caption(T("learn.consent.notice", viol=human(k[0]["violations"], "count"),
                     enf=f"{k[0]['enforcements']:.0f}"))

with text:
    quiz(concept)

st.divider()
with st.expander(T("learn.glossary")):
    from sim.i18n.glossary import markdown_for

    st.markdown(markdown_for(C.lang()))  # the project's own text in the session's language; no user input
st.caption(T("learn.sources"))
C.assumptions_panel("learn")
