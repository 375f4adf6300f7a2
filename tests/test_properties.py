"""Property-based tests (hypothesis).

Random valid scenarios keep every invariant; random bytes fed to the loader raise only the project's
own error type.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.errors import SimInputError
from sim.model.market import MarketModel
from sim.results.result import RunResult
from sim.scenario.loader import load_scenario, parse_yaml

unit = st.floats(0.0, 1.0, allow_nan=False)
money = st.floats(0.0, 50_000.0, allow_nan=False)


@st.composite
def scenarios(draw: st.DrawFn) -> sim.Scenario:
    """A random but valid scenario built on a preset, with the main levers drawn at random."""
    preset = draw(st.sampled_from(["china_in_china", "japan_in_japan", "head_to_head_japan", "cross_border_seller"]))
    sets = [
        "run.population=300", "run.days=60", f"run.seed={draw(st.integers(0, 2**31))}", "run.journeys=20",
        f"market.regime.kind={draw(st.sampled_from(['explicit_opt_in', 'consent_at_join']))}",
        f"market.network.kind={draw(st.sampled_from(['none', 'mixed', 'random', 'small_world', 'scale_free']))}",
        f"market.regime.breach.rate_per_year={draw(st.floats(0, 0.99))}",
        f"market.regime.enforcement_per_violation_complaint={draw(unit)}",
    ]
    levers = {
        "acquisition.ad_budget_per_day": money, "messaging.per_week": st.floats(0, 21),
        "messaging.quality": unit, "messaging.selling_share": unit, "messaging.cap_per_week": st.floats(0, 10),
        "interception.invite_share": unit, "interception.hook_value": money,
        "referral.share_rate": st.floats(0, 1), "referral.contacts_per_share": st.floats(0, 30),
        "referral.referrer_reward": money, "referral.referee_reward": money,
        "membership.points_rate": st.floats(0, 0.5), "membership.paid.fee_per_year": money,
        "membership.birthday_perk": money, "compliance.cold_outreach_per_week": st.floats(0, 14),
        "compliance.respect_opt_in": st.booleans(), "compliance.security_per_day": money,
    }
    for path, strat in levers.items():
        if draw(st.booleans()):
            v = draw(strat)
            sets.append(f"brands.0.strategy.{path}={str(v).lower() if isinstance(v, bool) else v}")
    return sim.resolve(preset, sets)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_keep_invariants(sc: sim.Scenario) -> None:
    """Any valid scenario finishes with the conservation laws holding every day and no NaN."""
    model = MarketModel(sc, validating=True)
    model.run_days()
    res = RunResult.from_model(model)
    numeric = res.daily.drop(columns=["brand", "mean_trust", "mean_fatigue"]).to_numpy(dtype=float)
    assert np.all(np.isfinite(numeric))
    k = res.kpis()
    assert all(math.isfinite(v) for v in k["profit"])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_our_error(data: bytes) -> None:
    """Whatever bytes arrive, the loader either returns a mapping or raises SimInputError."""
    try:
        doc = parse_yaml(data, "fuzz.yaml")
    except SimInputError:
        return
    assert isinstance(doc, dict)
    try:
        load_scenario(doc)
    except SimInputError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_raises_only_our_error(text: str) -> None:
    """Random text (YAML-ish or not) never escapes as another exception."""
    try:
        load_scenario(parse_yaml(text, "fuzz.yaml"))
    except SimInputError:
        pass
