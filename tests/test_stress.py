"""Stress scenarios on a chosen day (issue 15 item 4): known answers, directions, the paired analysis.

Each stress is run against its unstressed twin on the same seed (common random numbers): days before
the stress are identical, a stress of size 0 changes nothing, and each kind moves what it should.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.execution import Execution
from sim.analysis.risk import parse_stress, stress_test
from sim.errors import SimInputError
from sim.model import layout as L
from sim.model.market import MarketModel
from tests.conftest import small

DAY = 150


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    """China playbook, 3,000 consumers, 240 days, 1,000 members at day 0 (a pool to strike)."""
    return small("china_in_china", population=3000, days=240, **{"brands.0.seed_members": 1000})


@pytest.fixture(scope="module")
def base_daily(base: sim.Scenario) -> pd.DataFrame:
    """The daily results of the unstressed ``base`` scenario, the paired twin of every stressed run."""
    return sim.run(base).daily


def _stressed(sc: sim.Scenario, **stress: Any) -> sim.Scenario:
    doc = sc.model_dump(mode="json")
    doc["market"]["stresses"] = [{"day": DAY, **stress}]
    return sim.resolve(doc)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The numeric daily columns, without ``cohort_referrals``.

    ``cohort_referrals`` credits later referrals back to the referrer's join day, so a change on day d
    rightly rewrites it for earlier days.
    """
    return frame.select_dtypes("number").drop(columns="cohort_referrals").reset_index(drop=True)


@pytest.mark.parametrize("kind", ["breach", "enforcement", "channel_ban", "ad_price"])
def test_a_stress_of_size_zero_changes_nothing(kind: str, base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """Known answer: size 0 gives the unstressed run bit for bit."""
    sc = _stressed(base, kind=kind, size=0.0)
    assert MarketModel(sc).timeline is not None
    pd.testing.assert_frame_equal(sim.run(sc).daily, base_daily)


@pytest.mark.parametrize(("kind", "size"), [("breach", 1.0), ("enforcement", 2.0), ("channel_ban", 0.5),
                                            ("ad_price", 0.5)])
def test_a_stress_on_day_d_leaves_earlier_days_identical_and_changes_day_d(
        kind: str, size: float, base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """Days before the stress are the twin's; from its day on the run differs."""
    daily = sim.run(_stressed(base, kind=kind, size=size)).daily
    early = daily["day"] < DAY
    pd.testing.assert_frame_equal(_numbers(daily[early]), _numbers(base_daily[early]))
    late = ~early
    assert not _numbers(daily[late]).equals(_numbers(base_daily[late]))


def test_a_breach_costs_the_regime_fine_and_trust(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """A breach of size 1: one breach counted, the regime's fine booked on the day, trust and pool fall."""
    daily = sim.run(_stressed(base, kind="breach", size=1.0)).daily
    on, twin = daily[daily["day"] == DAY].iloc[0], base_daily[base_daily["day"] == DAY].iloc[0]
    fine = base.market.regime.breach.fine
    assert on["breaches"] == twin["breaches"] + 1
    assert on["fines"] == pytest.approx(twin["fines"] + fine)
    assert on["breach_exits"] > twin["breach_exits"]
    assert on["mean_trust"] < twin["mean_trust"]


def test_an_enforcement_order_of_size_two_books_twice_the_fine(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """An enforcement stress of size 2: one enforcement counted, twice the regime's fine booked, trust falls."""
    sc = _stressed(base, kind="enforcement", size=2.0)
    daily = sim.run(sc).daily
    on, twin = daily[daily["day"] == DAY].iloc[0], base_daily[base_daily["day"] == DAY].iloc[0]
    assert on["enforcements"] == twin["enforcements"] + 1
    assert on["fines"] == pytest.approx(twin["fines"] + 2 * base.market.regime.fine_per_enforcement)
    assert on["mean_trust"] < twin["mean_trust"]


def test_a_ban_wave_removes_about_its_share_of_members(base: sim.Scenario) -> None:
    """channel_ban of 0.4: about 40% of the members on the day leave (binomial, 5 sigma)."""
    model = MarketModel(_stressed(base, kind="channel_ban", size=0.4))
    for _ in range(DAY):
        model.step()
    members = int((model.pop.stage[:, 0] == L.MEMBER).sum())
    assert members > 200
    model.step()
    left = model.tally[DAY, 0, L.T_BAN_EXITS]
    sd = np.sqrt(members * 0.4 * 0.6)
    assert abs(left - 0.4 * members) < 5 * sd
    assert not model.pop.column(L.CONSENT)[:, 0][model.pop.stage[:, 0] != L.MEMBER].any()


def test_a_ban_on_another_tool_strikes_no_one(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """The wave hits the members of one channel: a brand on WeChat groups is untouched by a LINE wave."""
    assert MarketModel(base).packed.tools[0] == "wechat_groups"
    other = next(t for t in base.market.tools if t != "wechat_groups")
    daily = sim.run(_stressed(base, kind="channel_ban", size=0.9, tool=other)).daily
    pd.testing.assert_frame_equal(daily, base_daily)


def test_ad_prices_plus_half_raise_the_cpm_by_half_from_the_day(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """An ad_price stress of +50% for 30 days multiplies the CPM by 1.5 in its window, then the price rule is back.

    In the window the same budget buys fewer impressions; after it the CPM stays below 1.2 times the twin's.
    """
    daily = sim.run(_stressed(base, kind="ad_price", size=0.5, days=30)).daily
    window = daily["day"].between(DAY, DAY + 29)
    ratio = daily.loc[window, "cpm"].to_numpy() / base_daily.loc[window, "cpm"].to_numpy()
    np.testing.assert_allclose(ratio, 1.5, rtol=1e-12)
    assert daily.loc[window, "impressions"].sum() < base_daily.loc[window, "impressions"].sum()
    after = daily["day"] >= DAY + 30  # prices are back; the state differs, the price rule does not
    assert (daily.loc[after, "cpm"] < 1.2 * base_daily.loc[after, "cpm"]).all()


def test_a_brand_stress_strikes_only_that_brand() -> None:
    """A stress naming the second brand leaves the first brand's numbers identical and strikes the second."""
    sc = small("head_to_head_japan", population=2000, days=120)
    names = [b.name for b in sc.brands]
    doc = sc.model_dump(mode="json")
    doc["market"]["stresses"] = [{"kind": "enforcement", "day": 60, "size": 1.0, "brand": names[1]}]
    daily = sim.run(sim.resolve(doc)).daily
    twin = sim.run(sc).daily
    one = daily["brand"] == names[0]
    pd.testing.assert_frame_equal(_numbers(daily[one]), _numbers(twin[twin["brand"] == names[0]]))
    two = daily[(daily["brand"] == names[1]) & (daily["day"] == 60)].iloc[0]
    assert two["enforcements"] >= 1


# ---- refused values -----------------------------------------------------------------------------
def _refused(stress: dict, days: int = 100) -> str:
    doc = {"run": {"days": days, "population": 500}, "brands": [{"name": "A"}], "market": {"stresses": [stress]}}
    with pytest.raises(SimInputError) as info:
        sim.resolve(doc)
    return str(info.value)


def test_bad_stresses_are_refused_with_field_value_and_expectation() -> None:
    """Out-of-range days and sizes, unknown brands, tools and kinds are refused with field, value and expectation."""
    assert "stresses.0.day" in (t := _refused({"kind": "breach", "day": 100})) and "0 to 99" in t
    assert "'B'" in (t := _refused({"kind": "breach", "day": 5, "brand": "B"})) and "known" in t
    assert "'telegram'" in _refused({"kind": "channel_ban", "day": 5, "tool": "telegram"})
    assert "expected 0 to 1" in _refused({"kind": "channel_ban", "day": 5, "size": 1.5})
    assert "size" in _refused({"kind": "breach", "day": 5, "size": -1})
    assert "kind" in _refused({"kind": "flood", "day": 5})
    assert "ad_price stress only" in _refused({"kind": "breach", "day": 5, "days": 3})


def test_parse_stress_text() -> None:
    """``KIND:DAY[:SIZE]`` parses to a 0-based day with the default size 0.5; malformed texts are refused."""
    st = parse_stress("ad_price:365")
    assert (st.kind, st.day, st.size) == ("ad_price", 364, 0.5)
    st = parse_stress("channel_ban:10:0.3")
    assert (st.kind, st.day, st.size) == ("channel_ban", 9, 0.3)
    for bad in ("flood:10", "breach", "breach:x", "breach:0", "breach:5:nan", "channel_ban:5:2"):
        with pytest.raises(SimInputError):
            parse_stress(bad)


# ---- the paired analysis -------------------------------------------------------------------------
def test_stress_test_of_size_zero_has_no_effect(base: sim.Scenario) -> None:
    """Known answer through the analysis: every paired change is exactly 0."""
    r = stress_test(base, {"kind": "breach", "day": DAY, "size": 0.0}, reps=3,
                    execution=Execution(seed=5, executor="serial"))
    changes = r.samples[[c for c in r.samples if c.endswith("_change")]].to_numpy()
    assert np.nan_to_num(changes).any() == False  # noqa: E712 - exact zeros
    assert r.effects().set_index("kpi").loc["profit", "change"] == 0.0


def test_stress_test_pairs_the_twin_and_loses_money(base: sim.Scenario) -> None:
    """A breach with a large fine lowers profit in every replicate; the twin is the plain risk run."""
    r = stress_test(base, "breach:151", reps=3, execution=Execution(seed=5, executor="serial"))
    assert r.stress.brand == base.brands[0].name and r.stress.day == DAY
    assert (r.samples["profit_change"] < 0).all()
    s = r.summary()
    assert s["profit_change_high"] < 0 and s["n"] == 3
    plain = sim.analysis.risk.risk(base, 3, execution=Execution(seed=5, executor="serial"))
    np.testing.assert_array_equal(plain.samples["profit"].to_numpy(), r.samples["profit"].to_numpy())


# ---- the CLI --------------------------------------------------------------------------------------
def test_cli_risk_stress_prints_the_paired_effect_and_saves(tmp_path) -> None:
    """``ptsim risk --stress`` prints and saves the paired effect (0 for size 0) and refuses bad stress texts."""
    import json

    from typer.testing import CliRunner

    from sim.cli import app

    small_args = ["--set", "run.population=1500", "--set", "run.days=120", "--reps", "2", "--serial"]
    r = CliRunner().invoke(app, ["risk", "china_in_china", *small_args, "--stress", "enforcement:60:0",
                                 "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    assert "enforcement of size 0 on day 60" in r.output and "common random numbers" in r.output
    saved = json.loads((tmp_path / "s" / "stress.json").read_text())
    assert saved[0]["profit_change"] == 0.0 and saved[0]["stress"]["day"] == 59
    bad = CliRunner().invoke(app, ["risk", "china_in_china", *small_args, "--stress", "flood:60"])
    assert bad.exit_code != 0 and "--stress" in bad.output and "KIND:DAY" in bad.output
    late = CliRunner().invoke(app, ["risk", "china_in_china", *small_args, "--stress", "breach:500"])
    assert late.exit_code != 0 and "500" in late.output


# ---- the dashboard's Decide page --------------------------------------------------------------------
def test_decide_page_stress_section_runs_a_stress_on_a_chosen_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Risk tool: choose a stress, its day and a size of 0 -> the paired profit change is exactly zero."""
    pytest.importorskip("streamlit")
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SIM_DASHBOARD_TEST_SIZE", "1")
    monkeypatch.setenv("SIM_DASHBOARD_EXECUTOR", "serial")
    app = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
    at = AppTest.from_file(app, default_timeout=300)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("views/decide.py").run()
    at.radio(key="de_tool").set_value("risk").run()
    at.selectbox(key="de_st_kind").set_value("enforcement").run()
    at.number_input(key="de_st_day").set_value(20).run()
    at.number_input(key="de_st_size_enforcement").set_value(0.0).run()
    at.button(key="de_st_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    cards = {m.label: m.value for m in at.metric}
    assert "Profit change (stressed − unstressed)" in cards
    assert cards["Profit change (stressed − unstressed)"] == "JPY 0.00"  # japan_in_japan, the page's default
    assert at.get("plotly_chart")


def test_stress_pairs_figure_joins_each_seed_and_escapes_the_title() -> None:
    """The paired figure draws both runs' points, one line per seed joining them, and escapes its title."""
    from sim.figures_decide import stress_pairs_figure

    samples = pd.DataFrame({"profit": [1.0, -2.0, 3.0], "profit_stressed": [0.5, -4.0, 1.0]})
    fig = stress_pairs_figure(samples, currency="CNY", title="<b>x</b>")
    markers = [tr for tr in fig.data if tr.mode == "markers"]
    assert [list(m.y) for m in markers] == [[1.0, -2.0, 3.0], [0.5, -4.0, 1.0]]
    assert sum(tr.mode == "lines" for tr in fig.data) == 3
    assert "<b>" not in fig.layout.title.text


def test_every_schedule_keeps_the_conservation_laws(base: sim.Scenario) -> None:
    """Phases, a season and all four stresses in one run, with every invariant checked after each day."""
    doc = base.model_dump(mode="json")
    doc["run"].update(days=80, population=1000)
    doc["brands"][0]["seed_members"] = 400
    doc["brands"][0]["strategy"]["phases"] = [{"from_day": 40, "set": {"messaging": {"per_week": 1}}}]
    doc["market"]["calendar"] = [{"name": "peak", "start": 50, "end": 60, "demand": 3.0}]
    doc["market"]["stresses"] = [{"kind": "breach", "day": 30, "size": 3.0},
                                 {"kind": "enforcement", "day": 31, "size": 1.0},
                                 {"kind": "channel_ban", "day": 45, "size": 0.6},
                                 {"kind": "ad_price", "day": 55, "size": 1.0, "days": 10}]
    sc = sim.resolve(doc)
    a, b = sim.run(sc, validating=True), sim.run(sc)
    pd.testing.assert_frame_equal(a.daily, b.daily)  # reproducible
    d = a.daily
    assert d.loc[d["day"] == 45, "channel_ban_exits"].iloc[0] > 0
