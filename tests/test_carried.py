"""Member lists carried from day to day (:mod:`sim.model.carried`): always what a pass over everyone finds.

Membership's rules, group buying and stored-value top-ups share one list of every member of a pool; referral
carries the members still in its sharing window. Each brings yesterday's list up to date with the joins
logged since, in one ring all readers share.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import layout as L
from sim.model.carried import EVERY_MEMBER, listed_by_scan, listed_by_update
from sim.model.market import MarketModel
from sim.model.population import Consumers, Journal
from tests.conftest import small


def _pair(n: int, k_count: int, joined: np.ndarray) -> np.ndarray:
    """A record array of the engine's layout with the given joining days (everything else zero)."""
    pair = np.zeros((n, k_count), dtype=L.PAIR_DTYPE)
    pair[L.JOINED] = joined
    return pair


def _c(stage: np.ndarray, pair: np.ndarray) -> Consumers:
    """The consumers tuple around ``stage`` and ``pair`` (the other arrays are not read)."""
    n = stage.shape[0]
    return Consumers(stage, pair, np.zeros((n, L.N_TRAITS), np.float32), np.zeros(n, np.float32),
                     np.zeros(n, np.int16), np.zeros(n, np.uint8))


def _jr(ring: np.ndarray) -> Journal:
    """A journal around the join ring ``ring`` (its count is passed to the update as ``last``)."""
    return Journal(np.zeros((1, 5), np.int32), np.zeros(1, np.int64), np.zeros(1, np.uint8), ring,
                   np.zeros(1, np.int64))


def _want(stage: np.ndarray, pair: np.ndarray, k: int, day: int, window: int) -> np.ndarray:
    members = stage[:, k] == L.MEMBER
    if window >= 0:
        members &= day - pair[L.JOINED][:, k].astype(np.int64) <= window
    return np.flatnonzero(members)


@pytest.mark.parametrize("window", [EVERY_MEMBER, 0, 5, 30])
def test_update_equals_a_scan_whatever_happened_since(window: int) -> None:
    """The update equals a scan, whether the list grows in place or not.

    Random stages and joining days, members who left, aged out, rejoined or joined twice, several brands, and
    joins written around the ring's end.
    """
    gen = np.random.default_rng(5)
    day = 40
    for trial in range(40):
        n, k_count = int(gen.integers(1, 400)), int(gen.integers(1, 4))
        before = gen.integers(0, 5, size=(n, k_count)).astype(np.uint8)
        joined = gen.integers(-1, day - 1, size=(n, k_count)).astype(np.int16)
        stage, pair_before = before.copy(), _pair(n, k_count, joined)
        pair = pair_before.copy()
        capacity = int(gen.integers(60, 90))
        ring = np.zeros((capacity, 2), dtype=np.int32)
        first = int(gen.integers(0, 1000))  # the reader's cursor: the count when it last read
        joins = []
        for _ in range(int(gen.integers(0, 60))):  # joins since the last reading, in the order they happened
            i, k = int(gen.integers(n)), int(gen.integers(k_count))
            stage[i, k] = L.MEMBER
            pair[L.JOINED][i, k] = int(gen.integers(day - 1, day + 1))  # yesterday or today
            ring[(first + len(joins)) % capacity] = (i, k)
            joins.append((i, k))
        leaving = gen.random((n, k_count)) < 0.2  # members (old and new) who left since
        stage[leaving & (stage == L.MEMBER)] = L.CUSTOMER
        last = first + len(joins)
        for k in range(k_count):
            want = _want(stage, pair, k, day, window)
            ids, count = listed_by_scan(_c(before, pair_before), k, day - 1, window)  # yesterday's list
            assert ids.shape[0] >= count and ids.dtype == np.int32
            assert np.array_equal(ids[:count], _want(before, pair_before, k, day - 1, window))
            full = ids[:count].copy()  # (the update below works in place)
            got, total = listed_by_update(_c(stage, pair), _jr(ring), k, day, window, ids, count, first, last)
            assert np.array_equal(got[:total], want), (trial, k)
            got, total = listed_by_update(_c(stage, pair), _jr(ring), k, day, window, full, count, first, last)  # full
            assert np.array_equal(got[:total], want), (trial, k)
            ids, count = listed_by_scan(_c(stage, pair), k, day, window)
            assert np.array_equal(ids[:count], want)


def _ring(patch: pytest.MonkeyPatch, capacity: int) -> None:
    from sim.model import market

    patch.setattr(market, "empty_joins",
                  lambda n: (np.zeros((capacity, 2), dtype=np.int32), np.zeros(1, np.int64)))


def _run(preset: str, capacity: int, monkeypatch: pytest.MonkeyPatch) -> MarketModel:
    sets = {"brands.0.strategy.referral.share_window_days": 10, "brands.0.strategy.stored_value.topup_rate": 12}
    with monkeypatch.context() as patch:
        _ring(patch, capacity)
        model = MarketModel(small(preset, population=4000, days=90, **sets), validating=True)
        model.run_days()
    return model


@pytest.mark.parametrize("preset", ["china_in_china", "head_to_head_japan"])
def test_runs_with_carried_lists_equal_runs_that_rescan_every_day(preset: str, monkeypatch) -> None:
    """Carrying the lists through a ring that goes round gives the run that lists by passes, bit for bit.

    One run's readers carry their lists through a ring of 4 joins; the other's ring holds one join, so on any
    day with two joins both readers list by a pass over everyone. The validating runs check every list
    against a scan daily.

    The referral window is short (10 days) so that members age out of the list during the run.
    """
    carried = _run(preset, 4, monkeypatch)
    assert carried.journal.joins_n[0] > 2 * 4  # the ring went round
    assert carried.tally[:, 0, L.T_SHARES].sum() > 0 and carried.tally[:, 0, L.T_SV_TOPUPS].sum() > 0
    if preset == "china_in_china":  # (the Japan preset runs no group buying)
        assert carried.tally[:, 0, L.T_GROUPS_OPENED].sum() > 0
    rescanned = _run(preset, 1, monkeypatch)
    for name in ("money", "tally", "flows", "census", "cohort_referrals"):
        assert np.array_equal(getattr(carried, name), getattr(rescanned, name)), name
    assert np.array_equal(carried.pop.pair, rescanned.pop.pair)


def test_a_pause_in_sharing_drops_the_list_and_a_restart_rebuilds_it() -> None:
    """A phase that stops sharing from day 30 and restarts it on day 60: no list while paused, a full one after."""
    sets = {"brands.0.strategy.phases": "[{from_day: 30, set: {referral: {share_rate: 0}}},"
                                        " {from_day: 60, set: {referral: {share_rate: 0.05}}}]"}
    model = MarketModel(small("china_in_china", population=3000, days=90, **sets), validating=True)
    for _ in range(45):
        model.step()
    assert model.run_state.referral_sharers[0] is None
    model.run_days()
    shares = model.tally[:, 0, L.T_SHARES]
    assert shares[:30].sum() > 0 and not shares[30:60].any() and shares[60:].sum() > 0
