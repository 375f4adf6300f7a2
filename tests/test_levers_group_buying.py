"""Group buying (sim/model/mechanisms/group_buying.py).

Off limit, fill rate against the binomial closed form, purchases and joins of filled groups only, the
window's direction, and refused bad values (a group size of 0, fewer invites than the group size).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.errors import SimInputError
from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms.group_buying import fill_probability
from tests.conftest import assert_inert, assert_refused, daily, lever_model, model_fixture, small

B = "brands.0.strategy.group_buying"
OFF = {f"{B}.open_rate": 0}  # (china_in_china runs group buying)
ON = {f"{B}.open_rate": 0.01, f"{B}.friend_accept": 0.8, f"{B}.window_days": 3}


def run(preset: str = "china_in_china", days: int = 120, **sets: object) -> MarketModel:
    """A validated small run of the preset with the overrides, finished."""
    return lever_model(preset, days, **sets)


col = daily
base = model_fixture(lambda: run(**OFF), "The preset without the lever.")
on = model_fixture(lambda: run(**ON), "The preset with group buying on.")


def test_switched_off_it_changes_no_number(base: MarketModel) -> None:
    """open_rate 0: the other settings are inert and every array equals the lever-free run."""
    off = run(**{**OFF, f"{B}.friend_accept": 1.0, f"{B}.discount": 0.9, f"{B}.group_size": 5})
    assert_inert(off, base, "pair")


def test_filled_groups_buy_and_bring_friends(base: MarketModel, on: MarketModel) -> None:
    """Each filled group books 1 + group_size purchases; failed groups book none; friends join (source group)."""
    filled, failed = col(on, "groups_filled").sum(), col(on, "groups_failed").sum()
    assert filled > 0 and filled + failed == col(on, "groups_opened").sum()
    assert col(on, "purchases_group").sum() == filled * (1 + 2)
    assert 0 < col(on, "joins_group").sum() <= 2 * filled
    src = on.pop.pair[L.SOURCE][:, 0][on.pop.stage[:, 0] == L.MEMBER]
    assert (src == L.SRC_GROUP).any()
    assert on.census[-1, 0, L.MEMBER] > base.census[-1, 0, L.MEMBER]
    # the discount is 20% of the list price of every group purchase, booked as its own cost
    assert col(on, "group_discounts").sum() > 0


def test_a_failed_group_buys_nothing() -> None:
    """Nobody willing: every group fails, and the run's money equals the lever-free run's."""
    never = run(**{**ON, f"{B}.friend_accept": 0.0})
    assert col(never, "groups_failed").sum() == col(never, "groups_opened").sum() > 0
    assert col(never, "purchases_group").sum() == 0 and col(never, "joins_group").sum() == 0
    assert np.array_equal(never.money, run(**OFF).money)


def test_fill_rate_matches_the_binomial_closed_form() -> None:
    """Neutral contacts (privacy sensitivity 0): groups fill at P(Binomial(invites, q) >= size)."""
    q_base, window, response = 0.5, 2, 1.0
    sets = {**ON, f"{B}.open_rate": 1.0, f"{B}.friend_accept": q_base, f"{B}.window_days": window,
            f"{B}.response_days": response, f"{B}.group_size": 3, f"{B}.invites": 6,
            "market.segments.0.privacy_sensitivity": '{"dist": "fixed", "value": 0.0}', "market.network.kind": "mixed"}
    sc = small("china_in_china", 3000, 60, **{k: v for k, v in sets.items() if "segments" not in k})
    doc = sc.model_dump(mode="json")
    for seg in doc["market"]["segments"]:
        seg["privacy_sensitivity"] = {"dist": "fixed", "value": 0.0}
    doc["market"]["regime"]["consent_friction"] = 1.0
    model = MarketModel(sim.resolve(doc))
    model.run_days()
    q = q_base * (1 - math.exp(-window / response))
    expected = fill_probability(6, 3, q)
    opened = col(model, "groups_opened").sum()
    filled = col(model, "groups_filled").sum()
    assert opened > 300
    assert abs(filled / opened - expected) < 4 * math.sqrt(expected * (1 - expected) / opened)


def test_a_longer_window_fills_more_groups() -> None:
    """Direction: more time to recruit, more groups fill (common random numbers)."""
    short = run(**{**ON, f"{B}.friend_accept": 0.4, f"{B}.window_days": 1})
    long = run(**{**ON, f"{B}.friend_accept": 0.4, f"{B}.window_days": 7})
    rate = lambda m: col(m, "groups_filled").sum() / col(m, "groups_opened").sum()  # noqa: E731
    assert rate(long) > rate(short)


def test_fill_probability_limits() -> None:
    """Closed-form limits: sure friends always fill; no friends never; one needed of one asked is q."""
    assert fill_probability(5, 2, 1.0) == pytest.approx(1.0)
    assert fill_probability(5, 2, 0.0) == 0.0
    assert fill_probability(1, 1, 0.3) == pytest.approx(0.3)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("group_size", 0, "at least 1"), ("discount", -0.1, "at least 0"), ("open_rate", 2, "at most 1"),
    ("window_days", 0, "at least 1"),
])
def test_bad_values_are_refused_with_field_value_and_expected(field: str, value: object, expected: str) -> None:
    """A bad value names its field, the value and what was expected."""
    assert_refused("china_in_china", f"{B}.{field}", value, expected)


def test_fewer_invites_than_the_group_size_is_refused() -> None:
    """A group that could never fill is refused, naming both values."""
    with pytest.raises(SimInputError) as info:
        sim.resolve("china_in_china", [f"{B}.group_size=5", f"{B}.invites=3"])
    message = str(info.value)
    assert "group_buying" in message and "invites (3)" in message and "group_size (5)" in message
