"""Robustness of a verdict: paired differences as a target and the break-even search (issue 15 item 1)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.compare import compare_scenarios
from sim.analysis.execution import Execution
from sim.analysis.robustness import breakeven, run_paired_kpis
from sim.analysis.sensitivity import sensitivity
from sim.analysis.sweep import sweep
from sim.errors import SimInputError

SMALL = ("run.population=800", "run.days=90")
RUN = Execution(seed=3, overrides=SMALL, executor="serial")
SAAS = "brands.0.strategy.pool.saas_per_day"


def test_paired_kpis_are_the_difference_of_two_runs_with_one_seed() -> None:
    """The work unit is KPI(A) - KPI(B) of the two runs with the same seed."""
    a = sim.resolve("china_in_china", SMALL).model_dump(mode="json")
    b = sim.resolve("china_in_china", [*SMALL, "brands.0.strategy.messaging.per_week=1"]).model_dump(mode="json")
    d = run_paired_kpis(a, b, 17)
    ra = sim.run(sim.resolve("china_in_china", [*SMALL, "run.seed=17"])).kpis().iloc[0]
    rb = sim.run(sim.resolve("china_in_china", [*SMALL, "brands.0.strategy.messaging.per_week=1",
                                                "run.seed=17"])).kpis().iloc[0]
    assert d["profit"].iloc[0] == pytest.approx(ra["profit"] - rb["profit"], rel=1e-12)
    assert d["seed"].iloc[0] == 17


def test_breakeven_on_a_fixed_cost_is_the_closed_form() -> None:
    """B pays 400 a day more software; A's own software fee x flips the verdict at exactly x = 400."""
    a = sim.resolve("china_in_china", SMALL)
    b = sim.resolve("china_in_china", [*SMALL, f"{SAAS}=400"])
    res = breakeven(a, b, SAAS, 0, 1000, reps=3, tol=0.5, execution=RUN)
    assert res.flips and res.flip == pytest.approx(400, abs=0.5)
    # a fixed cost leaves behaviour alone: the gap is -x * days + 400 * days in every seed
    ev = res.evaluations.set_index("value")
    for v, row in ev.iterrows():
        assert row["mean_diff"] == pytest.approx((400 - v) * 90, rel=1e-9, abs=1e-6)
        assert row["sd_diff"] == pytest.approx(0, abs=1e-6)
    assert res.interval == pytest.approx((res.flip, res.flip), abs=0.5)
    assert "flips" in res.sentence("en") and res.sentence("zh") and res.sentence("ja")


def test_breakeven_interval_comes_from_the_replicate_spread() -> None:
    """With a random gap D, the flip and the interval ends are D's mean and CI ends over the days, shifted."""
    a = sim.resolve("china_in_china", [*SMALL, f"{SAAS}=0", "brands.0.strategy.messaging.per_week=1"])
    b = sim.resolve("china_in_china", [*SMALL, f"{SAAS}=0"])
    comp = compare_scenarios([a, b], 6, execution=RUN)
    p = comp.paired("profit", comp.labels[0], comp.labels[1])
    assert p.sd_diff > 0
    # B pays a software fee s; A pays x: the gap is D + (s - x) * 90, zero at x = s + mean(D) / 90
    s = float(np.ceil(max(abs(p.ci_low), abs(p.ci_high)) / 90) + 100)
    b = sim.resolve(b, [f"{SAAS}={s}"])
    res = breakeven(a, b, SAAS, 0, 2 * s, reps=6, tol=0.01, max_evals=80, execution=RUN)
    assert res.flip == pytest.approx(s + p.mean_diff / 90, abs=0.05)
    assert res.interval[0] == pytest.approx(s + p.ci_low / 90, abs=0.05)
    assert res.interval[1] == pytest.approx(s + p.ci_high / 90, abs=0.05)
    assert res.open_ends == (False, False)
    assert res.interval[0] < res.flip < res.interval[1]


def test_no_flip_in_the_range_is_said() -> None:
    """A range where the gap keeps its sign reports no flip, and the ends."""
    a = sim.resolve("china_in_china", SMALL)
    b = sim.resolve("china_in_china", [*SMALL, f"{SAAS}=400"])
    res = breakeven(a, b, SAAS, 0, 300, reps=2, execution=RUN)
    assert not res.flips and res.interval is None
    assert res.at("low")["mean_diff"] == pytest.approx(400 * 90)
    assert res.at("high")["mean_diff"] == pytest.approx(100 * 90)
    assert "No flip" in res.sentence()


def test_breakeven_checks_its_input() -> None:
    """Unknown paths, KPIs and bad sizes are refused before any run."""
    a = sim.resolve("china_in_china", SMALL)
    with pytest.raises(SimInputError, match="pool.saas_per_dy|saas_per_dy"):
        breakeven(a, a, "pool.saas_per_dy", 0, 10, execution=RUN)
    with pytest.raises(SimInputError, match="KPI"):
        breakeven(a, a, SAAS, 0, 10, kpi="proft", execution=RUN)
    with pytest.raises(SimInputError, match="grid"):
        breakeven(a, a, SAAS, 0, 10, grid=1, execution=RUN)


def test_sweep_and_sensitivity_take_a_paired_difference_as_target() -> None:
    """versus=B turns every KPI into A - B; a fixed-cost lever moves it linearly, and only that lever matters."""
    a = sim.resolve("china_in_china", SMALL)
    b = sim.resolve("china_in_china", [*SMALL, f"{SAAS}=100"])
    res = sweep(a, {SAAS: [0, 100, 200]}, reps=2, versus=b, execution=RUN)
    s = res.summary().set_index(SAAS)
    assert s.loc[100, "profit"] == pytest.approx(0, abs=1e-6)
    assert s.loc[0, "profit"] == pytest.approx(100 * 90) and s.loc[200, "profit"] == pytest.approx(-100 * 90)
    assert res.best()[SAAS] == 0 and res.meta["versus"]["scenario"] == b.name
    # A's fixed cost moves the difference by exactly its swing over the days
    params = {SAAS: (0, 200), "brands.0.strategy.pool.operator_cost_per_day": (0, 10)}
    sens = sensitivity(a, params, n=4, kpis=["profit"], versus=b, versus_too=False, execution=RUN)
    r = sens.ranked("profit").set_index("path")
    assert np.isclose(r.loc[SAAS, "swing"], 200 * 90) and r.loc[SAAS, "ST"] > 0
    # set on both A and B (an assumption both live with), fixed costs cancel: the verdict does not move at all
    same = sensitivity(a, params, n=4, kpis=["profit"], versus=sim.resolve(a, [f"{SAAS}=100"]), execution=RUN)
    r = same.ranked("profit")
    assert (r["ST"] == 0).all() and np.allclose(r["swing"], 0)


def test_breakeven_against_a_target_finds_the_threshold() -> None:
    """With no B, the search finds where A's KPI reaches a target: profit falls by 90 per unit of fee."""
    from sim.analysis.replicate import replicate

    a = sim.resolve("china_in_china", [*SMALL, f"{SAAS}=0"])
    p0 = replicate(a, 3, execution=RUN).samples()["profit"].mean()
    res = breakeven(a, None, SAAS, 0, 1000, target=p0 - 250 * 90, reps=3, tol=0.5, execution=RUN)
    assert res.flip == pytest.approx(250, abs=0.5) and res.b == ""
    assert "reaches" in res.sentence() and res.sentence("ja")
    none = breakeven(a, None, SAAS, 0, 100, target=p0 - 250 * 90, reps=3, execution=RUN)
    assert not none.flips and "None in the range" in none.sentence()


def test_breakeven_sentence_names_levers_assumptions_and_presets_in_words() -> None:
    """Labels, not paths or preset ids, in the three languages; an unlabelled path or a user's name as typed."""
    from sim.analysis.robustness import path_label, scenario_label
    from sim.i18n import t

    for lang in ("en", "zh", "ja"):
        assert path_label("brands.0.strategy.referral.referrer_reward", lang) == t("lever.referral.referrer_reward",
                                                                                   lang)
        assert path_label("brands.1.strategy.messaging.per_week", lang) == t("lever.messaging.per_week", lang)
        assert path_label("market.regime.consent_friction", lang) == t("assumption.consent_friction", lang)
        assert scenario_label("hybrid_in_japan", lang) == t("preset.hybrid_in_japan", lang)
    assert path_label("brands.0.strategy.acquisition.no_such_lever") == "acquisition.no_such_lever"
    assert path_label("market.population_growth") == "market.population_growth"
    assert scenario_label("my <brand>") == "my <brand>" and scenario_label("") == ""
