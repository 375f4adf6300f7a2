"""Shared fixtures and helpers of the tests.

Small scenarios built from the presets, the scaffold of the lever tests (a preset with a lever on or
off), and the dashboard server and browser of the browser tests.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import pytest

import sim
from sim.errors import SimInputError

# Ctrl-C as a terminal sends it to a foreground job. A test run started in the background by a
# non-interactive shell (``bash -c 'bash scripts/test.sh' &``, a job runner) inherits SIGINT *ignored*
# (POSIX), an ignored signal stays ignored across exec, and Python then installs no KeyboardInterrupt
# handler: every ``ptsim`` the Ctrl-C tests start would ignore their SIGINT and run to its end. The
# test processes (and so the children they start) take the default handling back here, so those tests
# test the program, not how the suite was launched.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

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


# ---- the lever tests (tests/test_levers_*.py): the preset with a lever on or off -----------------------------

#: The daily arrays of a run; a lever switched off leaves every one of them unchanged.
RESULT_ARRAYS = ("money", "tally", "flows", "census")


def lever_model(preset: str, days: int, population: int = 3000, **sets: object) -> Any:
    """A validated small run of ``preset`` with the dotted overrides, finished (a :class:`MarketModel`)."""
    from sim.model.market import MarketModel

    model = MarketModel(small(preset, population, days, **sets), validating=True)
    model.run_days()
    return model


def daily(model: Any, name: str) -> Any:
    """One daily ledger item (``layout.MONEY``) or tally (``layout.TALLY``) of brand 0."""
    from sim.model import layout as L

    if name in L.MONEY:
        return model.money[:, 0, L.MONEY.index(name)]
    return model.tally[:, 0, L.TALLY.index(name)]


def model_fixture(build: Callable[[], Any], doc: str) -> Any:
    """A module-scoped fixture holding ``build()``, the run several tests of a module read."""

    @pytest.fixture(scope="module")
    def fixture() -> Any:
        return build()

    fixture.__doc__ = doc
    return fixture


def assert_inert(off: Any, base: Any, *population: str) -> None:
    """``off`` equals ``base`` in every daily array and in the named population arrays (``stage``, ``pair``, ...)."""
    import numpy as np

    for name in RESULT_ARRAYS:
        assert np.array_equal(getattr(off, name), getattr(base, name)), name
    for name in population:
        assert np.array_equal(getattr(off.pop, name), getattr(base.pop, name)), f"pop.{name}"


def assert_refused(preset: str, path: str, value: object, expected: str) -> None:
    """Setting ``path`` to ``value`` on ``preset`` is refused with a message naming the field, value and bound."""
    with pytest.raises(SimInputError) as info:
        sim.resolve(preset, [f"{path}={value}"])
    message = str(info.value)
    assert path in message and str(value) in message and expected in message


@pytest.fixture(scope="session")
def china_small() -> sim.Scenario:
    """China playbook in China, 3,000 consumers, one year."""
    return small("china_in_china")


@pytest.fixture(scope="session")
def japan_small() -> sim.Scenario:
    """Japan membership in Japan, 3,000 consumers, one year."""
    return small("japan_in_japan")


# ---- browser tests (tests/dashboard_server.py) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest):
    """The real dashboard server on 127.0.0.1, at the module's ``DASHBOARD_SIZE`` (default ``"1"``: test size).

    A module that sets ``DASHBOARD_SIZE = ""`` gets the real sizes (as a class sees them).
    """
    from tests.dashboard_server import dashboard_server

    with dashboard_server(timeout=180, size=getattr(request.module, "DASHBOARD_SIZE", "1")) as (url, _pid):
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the test is skipped without Playwright)."""
    from tests.dashboard_server import chromium

    with chromium() as b:
        yield b
