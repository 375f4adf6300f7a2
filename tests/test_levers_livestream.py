"""Livestream commerce (sim/model/mechanisms/livestream.py).

Off limit, direction, the session spike, host fees and discounts, joins from live viewers, bad values.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms.livestream import live_conversion, sessions_on_day
from tests.conftest import assert_inert, assert_refused, daily, lever_model, model_fixture, small

B = "brands.0.strategy.livestream"
OFF = {f"{B}.sessions_per_week": 0}  # (china_in_china runs livestreams)


def run(preset: str = "china_in_china", days: int = 150, **sets: object) -> MarketModel:
    """A validated small run of the preset with the overrides, finished."""
    return lever_model(preset, days, **sets)


col = daily
base = model_fixture(lambda: run(**OFF), "The preset without the lever.")
ON = {f"{B}.sessions_per_week": 2, f"{B}.platform_viewers": 100_000, f"{B}.host_fee": 8_000}
on = model_fixture(lambda: run(**ON), "The preset with the lever on.")


def test_switched_off_it_changes_no_number(base: MarketModel) -> None:
    """No sessions: every other livestream setting is inert and every array equals the lever-free run."""
    off = run(**{f"{B}.sessions_per_week": 0, f"{B}.host_fee": 1e6, f"{B}.conversion": 1.0, f"{B}.join_rate": 1.0})
    assert_inert(off, base, "pair")


def test_sessions_bring_viewers_sales_and_joins(base: MarketModel, on: MarketModel) -> None:
    """Sessions bring live viewers, live sales and joins from the platform's viewers."""
    assert col(on, "purchases_live").sum() > 0 and col(on, "joins_live").sum() > 0
    src = on.pop.pair[L.SOURCE][:, 0][on.pop.stage[:, 0] == L.MEMBER]
    assert (src == L.SRC_LIVE).any()
    assert col(on, "revenue_public").sum() + col(on, "revenue_private").sum() > \
        col(base, "revenue_public").sum() + col(base, "revenue_private").sum()


def test_the_spike_happens_on_session_days_only(on: MarketModel) -> None:
    """Live purchases, viewers and host fees fall on session days; fees are host_fee per session exactly."""
    held = np.array([sessions_on_day(2, d) for d in range(on.days)])
    assert held.sum() == (2 * on.days) // 7
    assert (col(on, "purchases_live")[held == 0] == 0).all() and (col(on, "live_viewers")[held == 0] == 0).all()
    assert np.array_equal(col(on, "live_host_fees"), held * 8_000.0)


def test_discount_is_booked_as_its_cost_and_lifts_conversion() -> None:
    """Discount cost = discount x list-price sales of the session; a deeper discount sells more."""
    shallow = run(**{f"{B}.sessions_per_week": 2, f"{B}.platform_viewers": 100_000, f"{B}.discount": 0.0})
    deep = run(**{f"{B}.sessions_per_week": 2, f"{B}.platform_viewers": 100_000, f"{B}.discount": 0.3})
    assert col(shallow, "live_discounts").sum() == 0.0
    assert col(deep, "purchases_live").sum() > col(shallow, "purchases_live").sum()
    # every live sale gives a discount of 30% of its list price: discounts / 0.3 = list-price live sales > 0
    list_sales = col(deep, "live_discounts").sum() / 0.3
    assert list_sales > 0
    assert live_conversion(0.03, 0.3, 3.0) == pytest.approx(0.03 * 1.9)
    assert live_conversion(0.5, 0.9, 20.0) == 1.0


def test_more_platform_viewers_more_live_joins() -> None:
    """Direction: more platform viewers, more live joins."""
    few = run(**{f"{B}.sessions_per_week": 2, f"{B}.platform_viewers": 20_000})
    many = run(**{f"{B}.sessions_per_week": 2, f"{B}.platform_viewers": 100_000})
    assert col(many, "joins_live").sum() > 2 * col(few, "joins_live").sum() > 0


def test_members_buy_live_in_the_private_channel() -> None:
    """With no platform viewers, only members watch: live sales are private, with no commission."""
    m = run(**{f"{B}.sessions_per_week": 3, f"{B}.platform_viewers": 0, f"{B}.pool_attendance": 0.5})
    base_m = run(**OFF)
    assert col(m, "joins_live").sum() == 0 and col(m, "purchases_live").sum() > 0
    assert np.array_equal(col(m, "platform_commission"), col(base_m, "platform_commission"))
    assert np.array_equal(col(m, "revenue_public"), col(base_m, "revenue_public"))
    assert col(m, "revenue_private").sum() > col(base_m, "revenue_private").sum()


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("host_fee", -1, "at least 0"), ("sessions_per_week", 8, "at most 7"), ("discount", 0.95, "at most 0.9"),
    ("conversion", -0.1, "at least 0"),
])
def test_bad_values_are_refused_with_field_value_and_expected(field: str, value: object, expected: str) -> None:
    """A bad value names its field, the value and what was expected."""
    assert_refused("china_in_china", f"{B}.{field}", value, expected)


def test_a_delisted_brand_gets_no_platform_viewers() -> None:
    """While the marketplace delists the brand (own_site penalty), only pool members watch its sessions.

    Every day of a spell, the first and the last included: livestreams run after own_site in the day and
    once read its listing for tomorrow (platform viewers came back on a spell's last day).
    """
    from tests.test_messaging_listing import CAUGHT

    model = MarketModel(small("cross_border_seller", 3000, 200, **{
        **CAUGHT, f"{B}.sessions_per_week": 7, f"{B}.platform_viewers": 100_000, f"{B}.pool_attendance": 0.5,
        f"{B}.join_rate": 0.2}), validating=True)
    model.run_days()
    delisted = col(model, "delisted_days") > 0
    assert delisted.sum() > 20 and (~delisted[30:]).any()
    assert col(model, "joins_live")[delisted].sum() == 0  # no platform viewer, no joins from the live room
    assert col(model, "live_viewers")[delisted].sum() > 0  # members still watch in the pool
    assert col(model, "joins_live")[~delisted].sum() > 0
