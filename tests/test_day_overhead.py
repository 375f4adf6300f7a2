"""The per-day Python overhead cuts change no number (issue 12 item 2).

Keys derived once per stream for every day equal the keys hashed day by day; running the days directly
(:meth:`MarketModel.run_days`) gives the arrays stepping through Mesa's scheduler gives; a kernel skipped on
days it has nothing to do leaves every array as calling it does.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model import layout as L
from sim.model import rng
from sim.model.component import MAX_DAYS
from sim.model.market import DAILY_ORDER, MarketModel
from sim.model.mechanisms import membership, purchase
from tests.conftest import small

SEEDS = (0, 1, 12345, 2**32 + 7, 2**63 - 1)  # the schema admits 0 .. 2**63 - 1
#: Every stream a slot plan draws from, and the streams of set-up and the network.
STREAMS = sorted({plan.stream for _, plan in L.SLOT_PLANS} | {rng.TRAITS, rng.NETWORK, rng.JOURNEYS, rng.SEEDING})


@pytest.mark.parametrize("seed", SEEDS)
def test_day_keys_equal_the_key_of_every_day(seed: int) -> None:
    """The vectorised keys are bit for bit ``key(seed, stream, day)``, for the longest horizon."""
    for stream in STREAMS:
        keys = rng.day_keys(seed, stream, MAX_DAYS)
        assert keys.dtype == np.uint64 and keys.shape == (MAX_DAYS,)
        assert keys.tolist() == [int(rng.key(seed, stream, d)) for d in range(MAX_DAYS)], (seed, stream)


def test_run_keys_are_the_keys_hashed_on_demand() -> None:
    """``Keys.day`` inside and outside the run and ``Keys.run`` give what ``key`` gives, as ``np.uint64``."""
    keys = rng.Keys(987, 30)
    for stream in STREAMS:
        for day in (0, 1, 29, 30, -1, 100_029, 300_000):
            got = keys.day(stream, day)
            assert isinstance(got, np.uint64) and got == rng.key(987, stream, day), (stream, day)
        assert isinstance(keys.run(stream), np.uint64) and keys.run(stream) == rng.key(987, stream)


ARRAYS = ("money", "tally", "flows", "census", "cohort_referrals")


@pytest.mark.parametrize("preset", ["china_in_china", "head_to_head_japan"])
def test_running_the_days_directly_equals_stepping_through_mesa(preset: str) -> None:
    """``run_days`` (the day called directly) and ``step()`` through Mesa's scheduler: identical runs."""
    sc = small(preset, population=400, days=120)
    direct, stepped = MarketModel(sc), MarketModel(sc)
    direct.run_days()
    for _ in range(sc.run.days):
        stepped.step()
    assert direct.steps == stepped.steps == sc.run.days
    assert not direct.running and not stepped.running
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(direct, name), getattr(stepped, name), err_msg=name)
    for name, column in direct.pop.columns().items():
        np.testing.assert_array_equal(column, stepped.pop.columns()[name], err_msg=name)
    np.testing.assert_array_equal(direct.ev[: direct.ev_n[0]], stepped.ev[: stepped.ev_n[0]])
    for name, declared in L.RUN_STATE.items():
        a, b = getattr(direct.run_state, name), getattr(stepped.run_state, name)
        if np.dtype(declared.dtype) == np.dtype(object):  # a carried list per brand: (ids, count), ids with room
            for x, y in zip(a, b, strict=True):
                assert (x is None and y is None) or np.array_equal(x[0][: x[1]], y[0][: y[1]]), name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_timings_name_every_component_once_in_the_days_order() -> None:
    """``timings``: seconds by component name, in the day's order, summed over the days run."""
    model = MarketModel(small("china_in_china", population=200, days=20))
    assert list(model.timings) == list(DAILY_ORDER) and set(model.timings.values()) == {0.0}
    model.run_days()
    assert list(model.timings) == list(DAILY_ORDER)
    assert all(v > 0 for v in model.timings.values())
    assert sum(model.timings.values()) == pytest.approx(sum(model.elapsed))


def _forced_membership(model: MarketModel, day: int) -> None:
    """The membership step without its skip: the kernel called every day."""
    membership.membership_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                                 model.keys.run(rng.MEMBERSHIP))


@pytest.mark.parametrize(("preset", "skipped"), [("china_in_china", True), ("head_to_head_japan", False)])
def test_skipping_the_membership_kernel_is_exact(preset: str, skipped: bool) -> None:
    """On a day no brand has a fee or a perk, not calling the kernel leaves every array as calling it does.

    china_in_china has a free membership without perks (skipped every day); in head_to_head_japan one
    brand sends birthday perks (never skipped).
    """
    sc = small(preset, population=400, days=120)
    assert membership.any_membership_rules(MarketModel(sc).packed.bp) is not skipped
    normal, forced = MarketModel(sc), MarketModel(sc)
    forced.components = tuple(SimpleNamespace(NAME=c.NAME, step=_forced_membership) if c is membership else c
                              for c in forced.components)
    normal.run_days()
    forced.run_days()
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(normal, name), getattr(forced, name), err_msg=name)
    np.testing.assert_array_equal(normal.ev[: normal.ev_n[0]], forced.ev[: forced.ev_n[0]])


def test_the_membership_skip_mirrors_the_kernels_test_brand_by_brand() -> None:
    """Some brand with the membership on and a fee or a perk: the kernel runs; none: it is skipped."""
    bp = np.zeros((2, L.N_BP))
    assert not membership.any_membership_rules(bp)
    bp[1, L.BP_MEMBERSHIP_ON] = 1.0
    assert not membership.any_membership_rules(bp)
    bp[0, L.BP_BIRTHDAY] = 300.0  # a perk on a brand without membership: still nothing to do
    assert not membership.any_membership_rules(bp)
    bp[1, L.BP_PAID_FEE] = 99.0
    assert membership.any_membership_rules(bp)
    bp[1, L.BP_PAID_FEE], bp[1, L.BP_BIRTHDAY] = 0.0, 1.0
    assert membership.any_membership_rules(bp)


def test_listing_equals_the_spell_formula_for_every_day() -> None:
    """``listing`` (per-brand Python) is ``(day < delisted_from) | (day > delisted_until)`` as uint8, on any spell."""
    model = MarketModel(small("head_to_head_japan", population=200, days=60))
    run = model.run_state
    for spells in (((-1, -1), (-1, -1)), ((5, 9), (-1, -1)), ((0, 0), (12, 40)), ((3, 59), (20, 20))):
        for k, (first, last) in enumerate(spells):
            run.delisted_from[k], run.delisted_until[k] = first, last
        for day in range(-1, model.days + 1):
            got = purchase.listing(model, day)
            want = ((day < run.delisted_from) | (day > run.delisted_until)).astype(np.uint8)
            assert got.dtype == np.uint8 and got.flags.c_contiguous and got.flags.writeable
            np.testing.assert_array_equal(got, want, err_msg=f"{spells} day {day}")
