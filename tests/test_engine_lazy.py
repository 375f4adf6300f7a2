"""Lazy bookkeeping of the engine (issue 12 "the engine"): equal, bit for bit, to the eager daily passes.

Fatigue decays lazily: a consumer's value is brought up to date when it is read (messaging, the purchase
pass's stocks, referral spam) instead of by a daily pass over everyone. These tests hold it to the daily
pass it replaces: the same float32 value after every day, and the same run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.state import decay_factor, settle_all_fatigue, settled_fatigue
from tests.conftest import small


def _daily_pass(f0: np.ndarray, days: int, decay_days: float) -> np.ndarray:
    """What a daily pass over everyone leaves after ``days`` days: float32 * float64 factor, stored as float32."""
    f = f0.astype(np.float32)
    decay = math.exp(-1.0 / decay_days)
    for _ in range(days):
        f = (f.astype(np.float64) * decay).astype(np.float32)
    return f


@pytest.mark.parametrize("decay_days", [1.0, 7.0, 30.0])
def test_lazy_fatigue_equals_the_daily_pass_and_the_closed_form(decay_days: float) -> None:
    """Settling after d days gives the daily pass's float32 bit for bit, and f0 * exp(-d / T) to float rounding."""
    gen = np.random.default_rng(5)
    f0 = gen.gamma(2.0, 2.0, 400).astype(np.float32)
    f0[::7] = 0.0  # never messaged: stays exactly zero
    days = gen.integers(0, 200, f0.size)
    lazy = f0.copy()
    last = np.full(f0.size, -1, dtype=np.int16)
    for i in range(f0.size):  # day -1 is the last decay included; read through day days[i] - 1
        settled_fatigue(lazy, last, i, int(days[i]) - 1, decay_factor(decay_days))
    for i in range(f0.size):
        assert lazy[i] == _daily_pass(f0[i : i + 1], int(days[i]), decay_days)[0], i
    closed = f0.astype(np.float64) * np.exp(-days / decay_days)
    np.testing.assert_allclose(lazy, closed, rtol=1e-5 * (1 + days.max()), atol=1e-30)
    assert (last == days - 1).all() and (lazy[::7] == 0.0).all()


def test_settle_all_is_idempotent_and_only_moves_forward() -> None:
    """Settling twice to the same day, or to an earlier day, changes nothing."""
    f = np.array([3.0, 0.0, 1.5], dtype=np.float32)
    day = np.array([-1, -1, 4], dtype=np.int16)
    settle_all_fatigue(f, day, 9, 7.0)
    once = f.copy()
    settle_all_fatigue(f, day, 9, 7.0)
    settle_all_fatigue(f, day, 3, 7.0)
    assert np.array_equal(f, once) and (day == 9).all()
    assert once[0] == _daily_pass(np.float32([3.0]), 10, 7.0)[0]
    assert once[2] == _daily_pass(np.float32([1.5]), 5, 7.0)[0]


def _eager(model: MarketModel) -> None:
    """Run ``model`` with the daily pass the lazy decay replaces: everyone settled at the end of each day."""
    while model.running and model.day < model.days:
        model.step()
        settle_all_fatigue(model.pop.fatigue, model.pop.fatigue_day, model.day - 1, model.fatigue_days)


@pytest.mark.parametrize("preset", ["china_in_china", "head_to_head_japan"])
def test_lazy_run_equals_the_eager_daily_pass(preset: str) -> None:
    """A lazy run equals, bit for bit, the same run settled every day, even when T changes on day 20.

    Settling everyone at the end of each day is the daily pass the lazy decay replaced.
    """
    runs = []
    for lazy in (True, False):
        model = MarketModel(small(preset, population=3000, days=45))
        for _ in range(20):
            model.step()
            if not lazy:
                settle_all_fatigue(model.pop.fatigue, model.pop.fatigue_day, model.day - 1, model.fatigue_days)
        model.packed.mp[L.MP_FATIGUE_DAYS] *= 0.5  # T changes: the lazy model must settle with the old T first
        if lazy:
            model.run_days()
        else:
            _eager(model)
        runs.append(model)
    lazy_m, eager_m = runs
    assert (eager_m.pop.fatigue > 0).any()
    for name, col in lazy_m.pop.columns().items():
        assert np.array_equal(col, eager_m.pop.columns()[name]), name
    assert np.array_equal(lazy_m.tally, eager_m.tally) and np.array_equal(lazy_m.money, eager_m.money)
