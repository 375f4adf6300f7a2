"""Strategies that change over time (phases) and the seasonal calendar (issue 13 item 7).

Paired runs (same seed: common random numbers): a phase or a season changes nothing before it starts,
moves its mechanism the right way after, and a phase that repeats the base values changes no number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import SimInputError
from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms import schedule
from tests.conftest import small

JOINS = ["joins_organic", "joins_kol", "joins_partner", "joins_interception", "joins_referral"]
PURCHASES = ["purchases_public", "purchases_private"]


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    """China playbook, 3,000 consumers, 240 days."""
    return small("china_in_china", population=3000, days=240)


@pytest.fixture(scope="module")
def base_daily(base: sim.Scenario) -> pd.DataFrame:
    """The daily results of the unscheduled ``base`` scenario, the paired reference for every variant."""
    return sim.run(base).daily


def _doc(sc: sim.Scenario) -> dict[str, Any]:
    return sc.model_dump(mode="json")


def _with(sc: sim.Scenario, *, phases: list | None = None, calendar: list | None = None) -> sim.Scenario:
    doc = _doc(sc)
    if phases is not None:
        doc["brands"][0]["strategy"]["phases"] = phases
    if calendar is not None:
        doc["market"]["calendar"] = calendar
    return sim.resolve(doc)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The numeric daily columns, without ``cohort_referrals``.

    ``cohort_referrals`` credits later referrals back to the referrer's join day, so a change on day d
    rightly rewrites it for earlier days.
    """
    return frame.select_dtypes("number").drop(columns="cohort_referrals").reset_index(drop=True)


def test_nothing_scheduled_builds_no_timeline(base: sim.Scenario) -> None:
    """No phase, no season, no stress: the schedule step has nothing to do (the regression baselines stay exact)."""
    assert MarketModel(base).timeline is None


def test_a_phase_repeating_the_base_values_changes_nothing(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """Limiting case: re-packing the same levers on a phase day gives bit-identical results."""
    s = base.brands[0].strategy
    same = {"acquisition": {"ad_budget_per_day": s.acquisition.ad_budget_per_day},
            "messaging": {"per_week": s.messaging.per_week, "quality": s.messaging.quality}}
    sc = _with(base, phases=[{"from_day": 60, "name": "same", "set": same}])
    model = MarketModel(sc)
    assert model.timeline is not None and 60 in model.timeline.packed_on  # the swap really happens
    pd.testing.assert_frame_equal(sim.run(sc).daily, base_daily)


def test_a_season_with_demand_one_changes_nothing(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """Limiting case: a demand multiplier of 1 is no season."""
    sc = _with(base, calendar=[{"name": "flat", "start": 100, "end": 130, "demand": 1.0}])
    pd.testing.assert_frame_equal(sim.run(sc).daily, base_daily)


def test_more_ad_budget_from_day_d_raises_joins_after_d_only(base: sim.Scenario, base_daily: pd.DataFrame) -> None:
    """Direction, paired: every number before day d is identical; ad spend and joins rise from d."""
    d = 120
    budget = base.brands[0].strategy.acquisition.ad_budget_per_day
    assert budget > 0
    sc = _with(base, phases=[{"from_day": d, "name": "push",
                              "set": {"acquisition": {"ad_budget_per_day": budget * 4}}}])
    daily = sim.run(sc).daily
    before, base_before = daily[daily["day"] < d], base_daily[base_daily["day"] < d]
    pd.testing.assert_frame_equal(_numbers(before).reset_index(drop=True), _numbers(base_before).reset_index(drop=True))
    after, base_after = daily[daily["day"] >= d], base_daily[base_daily["day"] >= d]
    assert after["ad_spend"].eq(budget * 4).all() and base_after["ad_spend"].eq(budget).all()
    assert after["impressions"].sum() > 2 * base_after["impressions"].sum()
    assert after[JOINS].to_numpy().sum() > base_after[JOINS].to_numpy().sum()


def test_phases_accumulate_and_switch_back(base: sim.Scenario) -> None:
    """A lever keeps a phase's value until a later phase changes it; the strategy in force is the merge."""
    sc = _with(base, phases=[
        {"from_day": 30, "set": {"acquisition": {"ad_budget_per_day": 0}, "messaging": {"per_week": 1}}},
        {"from_day": 90, "set": {"messaging": {"per_week": 5}}},
    ])
    s = sc.brands[0].strategy
    assert s.in_force(10).acquisition.ad_budget_per_day == base.brands[0].strategy.acquisition.ad_budget_per_day
    assert s.in_force(30).messaging.per_week == 1
    later = s.in_force(200)
    assert later.acquisition.ad_budget_per_day == 0 and later.messaging.per_week == 5
    daily = sim.run(sc).daily
    assert daily.loc[daily["day"].between(30, 239), "ad_spend"].eq(0).all()
    assert daily.loc[daily["day"] < 30, "ad_spend"].gt(0).all()


def test_double_demand_in_a_window_raises_purchases_in_that_window_only(base: sim.Scenario,
                                                                        base_daily: pd.DataFrame) -> None:
    """Calendar: demand x2 on days 150-170 leaves days before identical and raises purchases inside."""
    sc = _with(base, calendar=[{"name": "double 11", "start": 150, "end": 170, "demand": 2.0}])
    daily = sim.run(sc).daily
    before = daily["day"] < 150
    pd.testing.assert_frame_equal(_numbers(daily[before]), _numbers(base_daily[before]))
    inside = daily["day"].between(150, 170)
    more = daily.loc[inside, PURCHASES].to_numpy().sum()
    assert more > 1.5 * base_daily.loc[inside, PURCHASES].to_numpy().sum()
    model = MarketModel(sc)
    assert model.timeline.demand_on == {150: 2.0, 171: 1.0}


def test_season_restores_purchase_rates_bit_for_bit(base: sim.Scenario) -> None:
    """After a window closes the population's purchase rates are exactly the base rates again."""
    sc = _with(base, calendar=[{"name": "peak", "start": 5, "end": 7, "demand": 3.0}])
    model = MarketModel(sc)
    rates = model.pop.traits[:, L.LAM].copy()
    for _ in range(6):
        model.step()
    assert np.array_equal(model.pop.traits[:, L.LAM], rates * np.float32(3.0))
    for _ in range(4):
        model.step()
    assert np.array_equal(model.pop.traits[:, L.LAM], rates)


def test_calendar_repeats_every_year() -> None:
    """A season is a window of the year: it recurs each year of a longer run."""
    sc = sim.resolve({"run": {"days": 800, "population": 100},
                      "market": {"calendar": [{"name": "d11", "start": 314, "end": 320, "demand": 2.5}]}})
    demand = schedule.demand_by_day(sc)
    assert demand[314] == 2.5 and demand[320] == 2.5 and demand[321] == 1.0 and demand[313] == 1.0
    assert demand[365 + 314] == 2.5 and demand.sum() == 800 + 1.5 * 14


# ---- refused values: the field, the value and what was expected --------------------------------
def _refused(doc: dict) -> str:
    with pytest.raises(SimInputError) as info:
        sim.resolve(doc)
    return str(info.value)


def _refused_overrides(source: str, overrides: list[str]) -> str:
    with pytest.raises(SimInputError) as info:
        sim.resolve(source, overrides)
    return str(info.value)


def _one_brand(phases: list) -> dict:
    return {"run": {"days": 365, "population": 1000}, "brands": [{"strategy": {"phases": phases}}]}


def test_a_phase_after_the_horizon_is_refused() -> None:
    """A phase starting after the last day is refused, naming the field, the day and the last valid day."""
    text = _refused(_one_brand([{"from_day": 400, "set": {}}]))
    assert "phases.0.from_day" in text and "400" in text and "364" in text


def test_unordered_or_overlapping_phases_are_refused() -> None:
    """Phase start days must strictly increase: a decreasing or repeated ``from_day`` is refused by path."""
    text = _refused(_one_brand([{"from_day": 100}, {"from_day": 50}]))
    assert "phases.1.from_day" in text and "50" in text and "increasing" in text
    text = _refused(_one_brand([{"from_day": 100}, {"from_day": 100}]))
    assert "phases.1.from_day" in text and "100" in text


def test_a_negative_fee_in_a_phase_is_refused() -> None:
    """A phase's lever values are validated like the strategy's: a negative KOL fee is refused with its path."""
    text = _refused(_one_brand([{"from_day": 10, "set": {"acquisition": {"kol": {"fee": -100}}}}]))
    assert "phases.0.set" in text and "acquisition.kol.fee" in text and "-100" in text
    assert "greater than or equal to 0" in text


def test_a_phase_overriding_a_key_that_does_not_exist_is_refused() -> None:
    """An unknown lever in a phase is refused as not existing, suggesting the close name when there is one."""
    text = _refused(_one_brand([{"from_day": 10, "set": {"messaging": {"per_weak": 3}}}]))
    assert "messaging.per_weak" in text and "does not exist" in text and "per_week" in text
    text = _refused(_one_brand([{"from_day": 10, "set": {"advertising": 3}}]))
    assert "advertising" in text and "does not exist" in text


def test_a_phase_cannot_switch_the_pool_tool() -> None:
    """The pool tool is fixed for the run: a phase setting ``pool.tool`` is refused as something it cannot change."""
    text = _refused(_one_brand([{"from_day": 10, "set": {"pool": {"tool": "line"}}}]))
    assert "phases.0.set.pool.tool" in text and "cannot change" in text


def test_overlapping_seasons_and_reversed_windows_are_refused() -> None:
    """Calendar seasons that overlap, end before they start or have a negative demand are refused by name."""
    doc = {"run": {"days": 365, "population": 1000},
           "market": {"calendar": [{"name": "a", "start": 300, "end": 320, "demand": 2},
                                   {"name": "b", "start": 310, "end": 330, "demand": 2}]}}
    text = _refused(doc)
    assert "calendar" in text and "'a'" in text and "'b'" in text and "overlap" in text
    doc["market"]["calendar"] = [{"name": "a", "start": 320, "end": 300, "demand": 2}]
    assert "end (300) must be at least start (320)" in _refused(doc)
    doc["market"]["calendar"] = [{"name": "a", "start": 300, "end": 320, "demand": -1}]
    assert "demand" in _refused(doc)


def test_phase_money_is_converted_with_the_strategy() -> None:
    """A strategy written in USD running in a CNY market: its phases' money amounts are converted too."""
    sc = sim.resolve({"run": {"days": 365, "population": 1000}, "market": {"currency": "CNY"},
                      "brands": [{"strategy": {"currency": "USD", "acquisition": {"ad_budget_per_day": 10},
                                               "phases": [{"from_day": 100, "set": {
                                                   "acquisition": {"ad_budget_per_day": 20},
                                                   "messaging": {"per_week": 3}}}]}}]})
    s = sc.brands[0].strategy
    assert s.acquisition.ad_budget_per_day == pytest.approx(72.0)
    assert s.in_force(100).acquisition.ad_budget_per_day == pytest.approx(144.0)
    assert s.in_force(100).messaging.per_week == 3  # not money: unchanged


def test_phased_example_scenario_loads_and_switches() -> None:
    """The example: acquire in year 1, nurture from year 2, with Double 11 and year-end seasons.

    It lives in ``scenarios/examples/`` rather than among the presets: tools and tests shrink every
    preset's horizon below a year, and a phase after the horizon is refused.
    """
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "acquire_then_nurture.yaml"
    sc = sim.resolve(str(path), ["run.population=1000"])
    text = _refused_overrides(str(path), ["run.days=200"])
    assert "phases.0.from_day" in text and "365" in text and "after the horizon" in text
    s = sc.brands[0].strategy
    assert [ph.from_day for ph in s.phases] == [365]
    assert s.in_force(400).acquisition.ad_budget_per_day < s.acquisition.ad_budget_per_day
    assert {season.name for season in sc.market.calendar} >= {"Double 11"}


# ---- the budget planner over channels and periods (issue 15 item 5) -------------------------------------
def test_budget_over_periods_charges_each_period_its_own_rate_and_finds_the_cheapest() -> None:
    """Known answer with ads that buy nothing: the plan is the cheapest pair of per-period ad rates.

    For every candidate, profit = constant - ads(period 1) x days - ads(period 2) x days; the plan scenario
    runs each period's rate.
    """
    from sim.analysis.budget import plan_budget
    from sim.analysis.execution import Execution

    small_run = ("run.population=600", "run.days=60", "market.platforms.ad_effectiveness=0")
    plan = plan_budget("china_in_china", 60 * 200_000, channels=["ads"], phases=(20,), reps=1, validation_reps=2,
                       maxiter=2, popsize=3, execution=Execution(seed=9, overrides=small_run, executor="serial"))
    h = plan.history
    assert {"ads", "ads@21"} <= set(h.columns)
    constant = h["profit"] + h["ads"] * 20 + h["ads@21"] * 40
    assert (constant - constant.iloc[0]).abs().max() == pytest.approx(0, abs=1e-3)
    cheapest = (h["ads"] * 20 + h["ads@21"] * 40).idxmin()
    assert plan.by_period == [{"ads": h.loc[cheapest, "ads"]}, {"ads": h.loc[cheapest, "ads@21"]}]
    assert plan.periods == [(0, 20), (20, 60)]
    table = plan.table()
    assert list(table["period"]) == ["1-20", "21-60"]
    daily = sim.run(plan.plan_scenario).daily
    assert daily.loc[daily["day"] < 20, "ad_spend"].eq(plan.by_period[0]["ads"]).all()
    assert daily.loc[daily["day"] >= 20, "ad_spend"].eq(plan.by_period[1]["ads"]).all()


def test_budget_periods_are_checked() -> None:
    """Period cut days become (start, end) spans; cuts at 0, at the horizon, unordered or repeated are refused."""
    from sim.analysis.budget import check_periods

    assert check_periods((), 100) == [(0, 100)]
    assert check_periods((30, 60), 100) == [(0, 30), (30, 60), (60, 100)]
    for bad in ((0,), (100,), (60, 30), (30, 30)):
        with pytest.raises(SimInputError, match="--phase"):
            check_periods(bad, 100)


def test_cli_budget_with_periods_prints_each_period_and_refuses_a_bad_cut(tmp_path) -> None:
    """``ptsim budget --phase`` prints and saves one budget per period, and a cut past the horizon is refused."""
    import json

    from typer.testing import CliRunner

    from sim.cli import app

    args = ["budget", "china_in_china", "--budget", "2000000", "--channel", "ads", "--set", "run.population=600",
            "--set", "run.days=60", "--reps", "1", "--validation-reps", "2", "--maxiter", "1", "--popsize", "2",
            "--serial"]
    r = CliRunner().invoke(app, [*args, "--phase", "31", "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert "1-30" in r.output and "31-60" in r.output
    saved = json.loads((tmp_path / "b" / "plan.json").read_text())
    assert saved["periods"] == [[1, 30], [31, 60]] and len(saved["by_period"]) == 2
    bad = CliRunner().invoke(app, [*args, "--phase", "61"])
    assert bad.exit_code != 0 and "--phase" in bad.output


# ---- the editor and the what-if page -------------------------------------------------------------------
@pytest.fixture()
def _sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("streamlit")
    from tests.apptest_helpers import use_test_sizes

    use_test_sizes(monkeypatch)


def test_editor_adds_and_removes_a_phase_and_shows_a_bad_value_with_its_path(_sizes: None) -> None:
    """The editor adds a phase to the YAML and lists it, shows a bad phase value with its path, and removes it."""
    from dashboard.text import md
    from tests.apptest_helpers import assert_ok, open_page

    at = open_page("editor", timeout=300)
    at.number_input(key="ed_ph_day").set_value(100).run()
    at.selectbox(key="ed_ph_lever").set_value("acquisition.ad_budget_per_day").run()
    at.number_input(key="ed_ph_value_num").set_value(123.0).run()
    at.button(key="ed_ph_add").click().run()
    assert_ok(at)
    text = at.text_area(key="ed_text").value
    doc = sim.scenario.loader.parse_yaml(text.encode(), "t")
    assert doc["brands"][0]["strategy"]["phases"] == [
        {"from_day": 99, "set": {"acquisition": {"ad_budget_per_day": 123.0}}}]
    assert at.success  # still a valid scenario
    assert any("From day 100" in t.value and "ad_budget_per_day = 123.0" in t.value for t in at.text)
    # a negative fee is refused with its path, like any edit
    at.selectbox(key="ed_ph_lever").set_value("acquisition.kol.fee").run()
    at.number_input(key="ed_ph_value_num").set_value(-5.0).run()
    at.button(key="ed_ph_add").click().run()
    assert not at.exception and at.error
    shown = " ".join(m.value for m in at.markdown)
    assert md("phases.0.set") in shown and md("acquisition.kol.fee") in shown
    # remove the phase: the YAML has none again
    at.button(key="ed_ph_remove").click().run()
    assert_ok(at)
    doc = sim.scenario.loader.parse_yaml(at.text_area(key="ed_text").value.encode(), "t")
    assert "phases" not in doc["brands"][0]["strategy"]


def test_whatif_switch_on_day_runs_a_phased_variant(_sizes: None) -> None:
    """B switching to a bigger ad budget on a later day runs as a phased variant.

    The overrides say so, the figure marks the day, and the variant's numbers differ from B switching from
    day 1.
    """
    from tests.apptest_helpers import assert_ok, open_page

    at = open_page("whatif", timeout=300)
    key = next(s.key for s in at.slider if s.key.endswith("b_ad"))
    at.slider(key=key).set_value(at.slider(key=key).max).run()
    assert_ok(at)
    from_start = {m.label: m.value for m in at.metric}
    switch_key = next(n.key for n in at.number_input if n.key.endswith("b_switch"))
    days = at.number_input(key="wi_days").value
    at.number_input(key=switch_key).set_value(max(2, days // 2)).run()
    assert_ok(at)
    assert f"# from day {max(2, days // 2)}:" in at.code[0].value
    switched = {m.label: m.value for m in at.metric}
    assert switched != from_start


def test_values_the_results_read_once_cannot_change_in_a_phase() -> None:
    """COGS rate (member contribution) and the sharing window (K-factor) are read once for the run."""
    for changes, key in (({"product": {"cogs_rate": 0.3}}, "product.cogs_rate"),
                         ({"referral": {"share_window_days": 10}}, "referral.share_window_days")):
        text = _refused(_one_brand([{"from_day": 10, "set": changes}]))
        assert f"phases.0.set.{key}" in text and "cannot change" in text


def _editor_with(doc_change) -> Any:
    """The editor page with its YAML text changed by ``doc_change(doc)`` (hand-written, possibly invalid)."""
    import yaml

    from tests.apptest_helpers import open_page

    at = open_page("editor", timeout=300)
    doc = yaml.safe_load(at.text_area(key="ed_text").value)
    doc_change(doc)
    at.text_area(key="ed_text").set_value(yaml.safe_dump(doc, allow_unicode=True)).run()
    return at


def test_editor_survives_a_run_length_no_input_can_hold(_sizes: None) -> None:
    """A hand-typed run.days beyond what a number input accepts (2^53) is shown as a problem, not a crash."""
    at = _editor_with(lambda d: d["run"].update(days=2**53))
    assert not at.exception, [e.value for e in at.exception]
    assert any("run.days" in m.value.replace("\\", "") for m in at.markdown)


@pytest.mark.parametrize("bad_set", [5, {"acquisition": 3}], ids=["set_not_a_mapping", "section_not_a_mapping"])
def test_editor_adding_to_a_hand_written_phase_that_is_not_a_mapping_warns(_sizes: None, bad_set: Any) -> None:
    """Adding a lever to a phase whose ``set`` (or a section of it) is not a mapping: a warning, no crash, no change."""
    def change(d: dict) -> None:
        d["brands"][0]["strategy"]["phases"] = [{"from_day": 99, "set": bad_set}]

    at = _editor_with(change)
    before = at.text_area(key="ed_text").value
    at.number_input(key="ed_ph_day").set_value(100).run()
    at.selectbox(key="ed_ph_lever").set_value("acquisition.ad_budget_per_day").run()
    at.button(key="ed_ph_add").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_area(key="ed_text").value == before
    assert at.warning


def test_editor_removes_the_phase_the_user_picked(_sizes: None) -> None:
    """The choices skip entries that are not phases; removing the one shown removes that phase, not another entry."""
    def change(d: dict) -> None:
        d["brands"][0]["strategy"]["phases"] = [
            "junk", {"from_day": 10, "name": "keep me", "set": {"messaging": {"per_week": 2}}}]

    at = _editor_with(change)
    at.selectbox(key="ed_ph_pick").set_value(0).run()  # the only choice: day 11 (keep me)
    at.button(key="ed_ph_remove").click().run()
    assert not at.exception, [e.value for e in at.exception]
    doc = sim.scenario.loader.parse_yaml(at.text_area(key="ed_text").value.encode(), "t")
    assert doc["brands"][0]["strategy"]["phases"] == ["junk"]
