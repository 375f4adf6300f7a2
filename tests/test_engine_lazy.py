"""Lazy bookkeeping and shortcuts of the engine (issue 12 "the engine"): equal, bit for bit, to the full work.

Fatigue decays lazily: a consumer's value is brought up to date when it is read (messaging, the purchase
pass's stocks, referral spam) instead of by a daily pass over everyone. These tests hold it to the daily
pass it replaces: the same float32 value after every day, and the same run. The purchase pass skips whom
a ceiling shows will draw nothing, and messaging decides most opt-outs without the power: both are held
to the computation they shortcut.
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


# ---- the purchase pass visits only who can draw something ------------------------------------------------------
#: A demand season that triples everyone's purchase rate mid-run (the trait is rewritten twice), and a
#: stored-value card whose lift raises a holder's rate: both move the purchase pass's ceilings.
_SEASON = "[{name: peak, start: 15, end: 40, demand: 3.0}]"
#: A card members top up often (48 a year, near the schema's 52), so that even a young Japanese pool of 10,000 consumers
#: pays with it within 60 days.
_CARD = {"brands.0.strategy.stored_value.topup_rate": 48, "brands.0.strategy.stored_value.repurchase_lift": 1.5}


def _run(preset: str, monkeypatch: pytest.MonkeyPatch, ceiling=None) -> MarketModel:
    """A 60-day run of ``preset`` with the season and the card; ``ceiling`` replaces the measured rate ceiling."""
    from sim.model.mechanisms import purchase

    with monkeypatch.context() as patch:
        if ceiling is not None:
            patch.setattr(purchase, "rate_ceiling", ceiling)
        model = MarketModel(small(preset, population=10_000, days=60, **{"market.calendar": _SEASON}, **_CARD),
                            validating=True)
        model.run_days()
    return model


def _same_run(a: MarketModel, b: MarketModel) -> bool:
    same = all(np.array_equal(getattr(a, n), getattr(b, n)) for n in ("tally", "money", "flows", "census"))
    return same and all(np.array_equal(col, b.pop.columns()[name]) for name, col in a.pop.columns().items())


@pytest.mark.parametrize("preset", ["china_in_china", "head_to_head_japan"])
def test_purchase_pass_skipping_equals_visiting_everyone_engaged(preset: str, monkeypatch) -> None:
    """Skipping the aware and customers whose occasion draw is above the ceiling changes nothing, bit for bit.

    The run with the measured ceiling equals the run that visits every engaged consumer (an infinite ceiling),
    through a season that triples the purchase rate (the ceiling must be measured again when it starts) and a
    stored-value lift. A ceiling below the largest rate does change the run: the comparison can tell.
    """
    from sim.model.mechanisms import purchase

    measured = _run(preset, monkeypatch)
    assert measured.run_state.traits_written == 2  # the season opened and closed
    assert measured.tally[:, 0, L.T_SV_TOPUPS].sum() > 0 and measured.tally[:, 0, L.T_SV_SPENT].sum() > 0
    assert _same_run(measured, _run(preset, monkeypatch, ceiling=lambda model: math.inf))
    too_low = _run(preset, monkeypatch, ceiling=lambda model: 0.05 * float(model.pop.traits[:, L.LAM].max()))
    assert not _same_run(measured, too_low)
    assert purchase.rate_ceiling(measured) == float(measured.pop.traits[:, L.LAM].max())


def test_rate_ceiling_is_measured_again_after_the_trait_is_rewritten() -> None:
    """The ceiling follows the seasonal rewrite of the purchase-rate trait (the count in ``traits_written``)."""
    from sim.model.mechanisms import purchase

    model = MarketModel(small("china_in_china", population=2000, days=30, **{"market.calendar": _SEASON}))
    base = purchase.rate_ceiling(model)
    for _ in range(16):  # through day 15: the season has opened
        model.step()
    assert purchase.rate_ceiling(model) == float(model.pop.traits[:, L.LAM].max()) > 2.9 * base


# ---- messaging's opt-out without the power -------------------------------------------------------------------------
def test_opt_out_decision_equals_the_exact_probability_bit_for_bit() -> None:
    """``opts_out(u, ...)`` is ``u < optout_probability(...)`` for every draw, fatigue, sensitivity and power.

    Draws near the probability itself (a few ulps either side) are included: the bound must never decide one
    of those wrongly. Powers include 0, integers (whose bound is tight) and fractions, up to the schema's 6.
    """
    from numba import njit

    from sim.model.mechanisms.messaging import optout_probability, opts_out

    @njit
    def disagreements(us, psis, xs, mp):
        wrong = 0
        for j in range(us.shape[0]):
            wrong += opts_out(us[j], psis[j], xs[j], mp) != (us[j] < optout_probability(psis[j], xs[j], mp))
        return wrong

    gen = np.random.default_rng(11)
    mp = np.zeros(L.N_MP)
    size = 200_000
    for power in (0.0, 0.5, 1.0, 2.0, 2.7, 6.0):
        for base_rate, psi_weight in ((0.0012, 2.0), (0.05, 10.0), (0.9, 20.0)):
            mp[L.MP_OPTOUT], mp[L.MP_OPTOUT_PSI], mp[L.MP_OPTOUT_POW] = base_rate, psi_weight, power
            psis, xs = gen.random(size), gen.exponential(2.0, size) * (gen.random(size) < 0.9)
            us = gen.random(size)
            exact = np.array([optout_probability(p, x, mp) for p, x in zip(psis[:2000], xs[:2000], strict=True)])
            near = exact * (1.0 + gen.integers(-4, 5, exact.size) * np.finfo(float).eps)  # draws at the boundary
            us[:2000] = np.clip(near, 0.0, np.nextafter(1.0, 0.0))
            assert disagreements(us, psis, xs, mp) == 0, (power, base_rate)
