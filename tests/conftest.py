"""Shared fixtures: small scenarios built from the presets."""

from __future__ import annotations

import pytest

import sim

#: Overrides that switch off brand 0's market-entry levers (the presets use stores, events, livestreams, an own
#: site, group buying and a stored-value card): for tests of a core mechanism whose effect the levers' own flows
#: would blur.
LEVERS_OFF: dict[str, object] = {
    "brands.0.strategy.stores.touchpoints": 0, "brands.0.strategy.stores.events_per_year": 0,
    "brands.0.strategy.livestream.sessions_per_week": 0, "brands.0.strategy.own_site.setup_day": "null",
    "brands.0.strategy.group_buying.open_rate": 0,
    "brands.0.strategy.stored_value.topup_rate": 0,  # (china_in_china sells a stored-value card)
}


def small(name: str, population: int = 3000, days: int = 365, **overrides: object) -> sim.Scenario:
    """A preset shrunk for tests, with extra dotted overrides (``path=value`` keyword-free)."""
    sets = [f"run.population={population}", f"run.days={days}"]
    sets += [f"{k}={v}" for k, v in overrides.items()]
    return sim.resolve(name, sets)


@pytest.fixture(scope="session")
def china_small() -> sim.Scenario:
    """China playbook in China, 3,000 consumers, one year."""
    return small("china_in_china")


@pytest.fixture(scope="session")
def japan_small() -> sim.Scenario:
    """Japan membership in Japan, 3,000 consumers, one year."""
    return small("japan_in_japan")
