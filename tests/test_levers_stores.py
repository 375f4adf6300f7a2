"""Capture in stores, at events and service centres (sim/model/mechanisms/stores.py).

Off limit, direction, closed forms of its costs and footfall, consent on the spot, refused bad values.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms.stores import events_on_day
from sim.results import kpis as K
from sim.results.result import RunResult
from tests.conftest import assert_inert, assert_refused, daily, lever_model, model_fixture

B = "brands.0.strategy.stores"
OFF = {f"{B}.touchpoints": 0, f"{B}.events_per_year": 0}  # (the Japan presets capture in stores and at events)


def run(preset: str = "japan_in_japan", days: int = 200, **sets: object) -> MarketModel:
    """A validated small run of the preset with the overrides, finished."""
    return lever_model(preset, days, **sets)


def col(model: MarketModel, kind: str, name: str) -> np.ndarray:
    """One daily ledger item (``kind`` "money") or tally of brand 0."""
    assert name in (L.MONEY if kind == "money" else L.TALLY), (kind, name)
    return daily(model, name)


base = model_fixture(lambda: run(**OFF), "The preset without the lever.")
on = model_fixture(lambda: run(**{f"{B}.touchpoints": 20, f"{B}.footfall_per_day": 2_000,
                                  f"{B}.cost_per_touchpoint_day": 30_000, f"{B}.events_per_year": 12,
                                  f"{B}.visitors_per_event": 40_000, f"{B}.cost_per_event": 500_000}),
                   "The preset with the lever on.")


def test_switched_off_it_changes_no_number(base: MarketModel) -> None:
    """No touchpoints and no events: every other store setting is inert, every array equals the lever-free run."""
    off = run(**{**OFF, f"{B}.footfall_per_day": 1e5,
                 f"{B}.cost_per_touchpoint_day": 9e6, f"{B}.signup_share": 1.0, f"{B}.cost_per_event": 1e6})
    assert_inert(off, base, "stage", "pair")
    for name in ("revenue_store", "store_costs", "event_costs"):
        assert not col(base, "money", name).any()


def test_stores_and_events_bring_members_and_sales(base: MarketModel, on: MarketModel) -> None:
    """Touchpoints sell and sign up members at the till; events sign up visitors (sources store and event)."""
    assert col(on, "tally", "joins_store").sum() > 0 and col(on, "tally", "joins_event").sum() > 0
    assert col(on, "money", "revenue_store").sum() > 0
    src = on.pop.pair[L.SOURCE][:, 0][on.pop.stage[:, 0] == L.MEMBER]
    assert (src == L.SRC_STORE).any() and (src == L.SRC_EVENT).any()
    assert on.census[-1, 0, L.MEMBER] > base.census[-1, 0, L.MEMBER]


def test_more_touchpoints_more_store_members() -> None:
    """Direction: doubling the touchpoints raises store sign-ups (common random numbers)."""
    few = run(**{**OFF, f"{B}.touchpoints": 5, f"{B}.footfall_per_day": 2_000})
    many = run(**{**OFF, f"{B}.touchpoints": 20, f"{B}.footfall_per_day": 2_000})
    assert col(many, "tally", "joins_store").sum() > 1.5 * col(few, "tally", "joins_store").sum() > 0


def test_costs_and_footfall_follow_their_closed_forms(on: MarketModel) -> None:
    """Touchpoint cost is touchpoints x cost every day; event cost is paid on event days only; visits ~ footfall."""
    days = on.days
    assert np.allclose(col(on, "money", "store_costs"), 20 * 30_000.0)
    held = np.array([events_on_day(12, d) for d in range(days)])
    assert held.sum() == (12 * days) // 365  # the first event falls on day 30
    assert np.allclose(col(on, "money", "event_costs"), held * 500_000.0)
    assert (col(on, "tally", "event_visits")[held == 0] == 0).all()
    p_visit = 20 * 2_000 / on.people
    expected = p_visit * on.n * days
    visits = col(on, "tally", "store_visits").sum()
    assert abs(visits - expected) < 5 * np.sqrt(expected)


def test_store_purchases_pay_no_commission(on: MarketModel) -> None:
    """Store sales carry cost of goods and payment fees but no platform commission (booked apart)."""
    sc = on.spec
    rev = col(on, "money", "revenue_store").sum()
    assert rev > 0
    # cogs = (public + private + store sales) x cogs rate, exactly as booked
    sales = sum(col(on, "money", n).sum() for n in ("revenue_public", "revenue_private", "revenue_store"))
    assert col(on, "money", "cogs").sum() == pytest.approx(sales * sc.brands[0].strategy.product.cogs_rate, rel=1e-9)
    commission = col(on, "money", "platform_commission").sum()
    assert commission == pytest.approx(col(on, "money", "revenue_public").sum()
                                       * sc.market.platforms.commission_rate, rel=1e-9)


@pytest.mark.parametrize("consent", [0.0, 1.0])
def test_consent_is_taken_on_the_spot(consent: float) -> None:
    """Under explicit opt-in, store and event sign-ups consent with the on-the-spot chance (0 -> none, 1 -> all)."""
    m = run(days=60, **{f"{B}.touchpoints": 20, f"{B}.footfall_per_day": 2_000, f"{B}.on_spot_consent": consent,
                        "brands.0.strategy.messaging.per_week": 0})
    assert m.spec.market.regime.kind == "explicit_opt_in"
    joined = (m.pop.stage[:, 0] == L.MEMBER) & (m.pop.pair[L.SOURCE][:, 0] == L.SRC_STORE)
    assert joined.sum() > 20
    assert (m.pop.column(L.CONSENT)[joined, 0] == int(consent)).all()


def test_private_pool_kpis_count_store_and_event_joins(on: MarketModel) -> None:
    """members_joined includes the new sources (the KPI reads every joins_<source> column)."""
    result = RunResult.from_model(on)
    d = result.daily
    joined = result.kpis().loc[on.spec.brands[0].name, "members_joined"]
    core = sum(d[f"joins_{s}"].sum() for s in ("organic", "kol", "partner", "interception", "referral"))
    assert joined == pytest.approx(core + d["joins_store"].sum() + d["joins_event"].sum())
    assert d["joins_store"].sum() > 0
    spend = result.kpis().loc[on.spec.brands[0].name, "marketing_spend"]
    lever_costs = d["store_costs"].sum() + d["event_costs"].sum()
    assert lever_costs > 0 and spend >= lever_costs  # the capture costs count as acquisition spend (CAC, ROI)
    without = d[list(K.MARKETING_SPEND)].sum().sum() - lever_costs
    assert spend == pytest.approx(without + lever_costs)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("touchpoints", -1, "at least 0"), ("cost_per_touchpoint_day", -5, "at least 0"),
    ("signup_share", 1.5, "at most 1"), ("cost_per_event", -1, "at least 0"), ("events_per_year", 400, "at most 365"),
])
def test_bad_values_are_refused_with_field_value_and_expected(field: str, value: object, expected: str) -> None:
    """A bad value names its field, the value and what was expected."""
    assert_refused("japan_in_japan", f"{B}.{field}", value, expected)


def test_events_are_spread_evenly() -> None:
    """Events per year are spread evenly: the count over a year is exact."""
    assert sum(events_on_day(4, d) for d in range(365)) == 4
    assert sum(events_on_day(365, d) for d in range(365)) == 365
    assert events_on_day(0, 10) == 0
