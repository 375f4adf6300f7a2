"""The own independent site and the marketplace's rules (sim/model/mechanisms/own_site.py).

Off limit, set-up cost and day, sales without commission, joins, diversion penalties, bad values.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import SimInputError
from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms.own_site import penalty_probability
from tests.conftest import assert_inert, assert_refused, daily, lever_model, model_fixture

B = "brands.0.strategy.own_site"
SITE = {f"{B}.setup_day": 20, f"{B}.ad_visitors_per_day": 3_000, f"{B}.pool_visit_rate": 0.02,
        f"{B}.diversion_share": 0.0}
OFF = {f"{B}.setup_day": "null"}  # (cross_border_seller runs an own site)


def run(preset: str = "cross_border_seller", days: int = 150, **sets: object) -> MarketModel:
    """A validated small run of the preset with the overrides (and its livestream off), finished."""
    return lever_model(preset, days, **{"brands.0.strategy.livestream.sessions_per_week": 0, **sets})  # the site alone


col = daily
base = model_fixture(lambda: run(**OFF), "The preset without the lever.")
site = model_fixture(lambda: run(**SITE), "The preset with an own site from day 20.")


def test_switched_off_it_changes_no_number(base: MarketModel) -> None:
    """No set-up day: the other own-site settings are inert and every array equals the lever-free run."""
    off = run(**{**OFF, f"{B}.ad_visitors_per_day": 1e5, f"{B}.diversion_share": 1.0, f"{B}.setup_cost": 1e9})
    assert_inert(off, base)
    assert not hasattr(off, "listed") or off.listed.all()


def test_setup_cost_on_its_day_and_orders_after_the_build(site: MarketModel) -> None:
    """Set-up cost on day 20, running cost from then on; no visit before the site is built (day 22)."""
    costs = col(site, "own_site_costs")
    spec = site.spec.brands[0].strategy.own_site
    assert (costs[:20] == 0).all()
    assert costs[20] == pytest.approx(spec.setup_cost + spec.running_cost_per_day)
    assert np.allclose(costs[21:], spec.running_cost_per_day)  # no diversion cards here
    visits = col(site, "own_site_visits")
    assert (visits[: 20 + spec.build_days] == 0).all() and visits.sum() > 0
    assert col(site, "own_site_ads")[: 20 + spec.build_days].sum() == 0 < col(site, "own_site_ads").sum()


def test_site_sales_carry_no_commission_and_bring_members(base: MarketModel, site: MarketModel) -> None:
    """Own-site sales pay no commission; site buyers open accounts (source own_site)."""
    assert col(site, "purchases_own_site").sum() > 0 and col(site, "joins_own_site").sum() > 0
    assert col(site, "revenue_private").sum() > col(base, "revenue_private").sum()
    src = site.pop.pair[L.SOURCE][:, 0][site.pop.stage[:, 0] == L.MEMBER]
    assert (src == L.SRC_OWN_SITE).any()
    # commission is charged on platform sales only: exactly commission_rate x public revenue, in both runs
    rate = site.spec.market.platforms.commission_rate
    assert col(site, "platform_commission").sum() == pytest.approx(col(site, "revenue_public").sum() * rate, rel=1e-9)


def test_bought_traffic_is_paid_per_visit(site: MarketModel) -> None:
    """Ad spend of the site = cost per visitor x bought visits (members come free from the pool)."""
    spec = site.spec.brands[0].strategy.own_site
    assert col(site, "own_site_ads").sum() > 0
    members_visits = site.tally[:, 0, L.TALLY.index("own_site_visits")].sum()
    assert col(site, "own_site_ads").sum() <= members_visits * spec.cost_per_visitor * site.rep + 1e-6


def test_diversion_risks_lost_listing_days() -> None:
    """Sure detection: every day with a card brings a penalty; delisted days sell nothing on the platform.

    Compared with the same diversion never detected (common random numbers), platform purchases fall.
    Messaging is off: purchases prompted by messages do not yet check the listing.
    """
    sets = {**SITE, f"{B}.diversion_share": 0.5, f"{B}.penalty_days": 5, "brands.0.strategy.messaging.per_week": 0}
    caught = run(**{**sets, f"{B}.detection_per_card": 1.0})
    safe = run(**{**sets, f"{B}.detection_per_card": 0.0})
    assert col(caught, "platform_penalties").sum() > 0 and col(caught, "diversion_cards").sum() > 0
    delisted = col(caught, "delisted_days") > 0
    assert delisted.any()
    assert (col(caught, "revenue_public")[delisted] == 0).all()
    assert (col(caught, "platform_commission")[delisted] == 0).all()
    assert col(caught, "purchases_public").sum() < col(safe, "purchases_public").sum()
    assert col(safe, "platform_penalties").sum() == 0 and col(safe, "delisted_days").sum() == 0
    assert col(safe, "joins_own_site").sum() > 0


def test_penalty_probability_closed_form() -> None:
    """The penalty chance is 1 - (1 - q)^c."""
    assert penalty_probability(0, 0.5) == 0.0
    assert penalty_probability(100, 0.0) == 0.0
    assert penalty_probability(3, 1.0) == 1.0
    assert penalty_probability(1000, 0.001) == pytest.approx(1 - 0.999**1000)


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("setup_cost", -1, "at least 0"), ("cost_per_visitor", -0.5, "at least 0"), ("penalty_days", -2, "at least 0"),
    ("setup_day", -1, "at least 0"),
])
def test_bad_values_are_refused_with_field_value_and_expected(field: str, value: object, expected: str) -> None:
    """A bad value names its field, the value and what was expected."""
    assert_refused("cross_border_seller", f"{B}.{field}", value, expected)


def test_a_setup_day_after_the_horizon_is_refused() -> None:
    """A set-up day after the horizon is refused with the field, the value and the bound."""
    with pytest.raises(SimInputError) as info:
        sim.resolve("cross_border_seller", ["run.days=100", f"{B}.setup_day=150"])
    message = str(info.value)
    assert f"{B}.setup_day" in message and "150" in message and "at most run.days - 1 = 99" in message
