"""Shared fixtures: small scenarios built from the presets."""

from __future__ import annotations

import pytest

import sim


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
