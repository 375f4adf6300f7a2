"""The per-day Python overhead cuts change no number (issue 12 item 2).

Keys derived once per stream for every day equal the keys hashed day by day; running the days directly
(:meth:`MarketModel.run_days`) gives the arrays stepping through Mesa's scheduler gives; a kernel skipped on
days it has nothing to do leaves every array as calling it does.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import sim
from sim.model import layout as L
from sim.model import rng
from sim.model.carried import pool_members
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
    """The membership step without its skip: every day, every brand, as one kernel over all brands did.

    A brand with rules gets the kernel over its members (listed every day); one without has its paid-member
    tally written 0.
    """
    bp = model.packed.bp
    lists = pool_members(model, day, [True] * model.k)
    for k in range(model.k):
        if membership.has_rules.py_func(bp, k):
            membership.membership_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                                         model.keys.run(rng.MEMBERSHIP), k, lists[k])
        else:
            model.books.tally[k, L.T_PAID] = 0.0


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


# ---- per-day caches and skips (issue 12 item 2, second pass) ---------------------------------------------------


def test_listing_is_built_once_for_a_day_and_its_spells() -> None:
    """Four components ask each day: the same array while the day and the spells hold, a new one otherwise."""
    model = MarketModel(small("head_to_head_japan", population=200, days=30))
    run = model.run_state
    first = purchase.listing(model, 3)
    assert purchase.listing(model, 3) is first and first.tolist() == [1, 1]
    later = purchase.listing(model, 4)
    assert later is not first and later.tolist() == [1, 1]
    run.delisted_from[1], run.delisted_until[1] = 4, 6  # a penalty spell: the same day, another answer
    spelled = purchase.listing(model, 4)
    assert spelled is not later and spelled.tolist() == [1, 0]
    assert first.tolist() == [1, 1] and later.tolist() == [1, 1]  # arrays handed out earlier are left as they were


def test_the_census_carried_by_the_kernel_is_the_census_plus_flows_in_minus_out() -> None:
    """``books.carry_census`` gives ``census[d] + flows.sum(axis=1) - flows.sum(axis=2)`` for every brand and stage."""
    from sim.model.mechanisms import books

    gen = np.random.default_rng(5)
    for brands in (1, 3):
        flows = gen.integers(0, 50, size=(4, brands, L.N_STAGES, L.N_STAGES)).astype(np.int64)
        census = np.zeros((5, brands, L.N_STAGES), dtype=np.int64)
        census[0] = gen.integers(0, 1000, size=(brands, L.N_STAGES))
        want = census.copy()
        for day in range(4):
            books.carry_census(census, flows, day)
            want[day + 1] = want[day] + flows[day].sum(axis=1) - flows[day].sum(axis=2)
        np.testing.assert_array_equal(census, want)


def test_planning_through_the_brands_equals_mesas_agent_set() -> None:
    """``plan.step`` (the brands called in order) writes the plan ``model.agents.do("plan_day")`` writes."""
    from sim.model.mechanisms import plan

    sc = sim.resolve("head_to_head_japan", ["brands.2={name: Hybrid, strategy: {extends: strategies/hybrid}}",
                                            "run.population=100", "run.days=60"])
    direct, through_mesa = MarketModel(sc), MarketModel(sc)
    assert len(direct.agents) == len(direct.brands) == 3
    for day in range(60):
        direct.day = through_mesa.day = day
        plan.step(direct, day)
        through_mesa.agents.do("plan_day")
        np.testing.assert_array_equal(direct.plan, through_mesa.plan, err_msg=f"day {day}")


def test_the_auction_with_its_reach_masses_kept_equals_the_formula_every_day() -> None:
    """Awareness chances from the kept masses are the formula's, day by day; another packed set is worked out anew."""
    from dataclasses import replace

    from sim.model.mechanisms import auction

    model = MarketModel(small("head_to_head_japan", population=300, days=40))
    for day in range(model.days):
        model.run_day()
        mp = model.packed.mp.tolist()
        price = model.tally[day, 0, L.T_CPM]
        for k in range(model.k):
            want = auction.ad_awareness_probability(model.plan[k, L.PLAN_AD_BUDGET], price, model.packed.target[k],
                                                    model.seg_people, mp[L.MP_AD_EFF])
            np.testing.assert_array_equal(model.ad_p[k], want, err_msg=f"day {day} brand {k}")
    kept = auction.reach_masses(model)
    assert auction.reach_masses(model) is kept
    model.packed = replace(model.packed, target=model.packed.target * 0.5)  # as a strategy phase swaps the set
    again = auction.reach_masses(model)
    assert again == [float(np.dot(model.packed.target[k], model.seg_people)) for k in range(model.k)]
    assert again != kept


def _spy(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[int]:
    """Replace ``module.name`` (a kernel) by a wrapper recording the day of each call (argument 4)."""
    real = getattr(module, name)
    days: list[int] = []

    def spy(*args):
        days.append(args[4])
        return real(*args)

    monkeypatch.setattr(module, name, spy)
    return days


def test_the_livestream_kernel_runs_on_session_days_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No session for any brand: the step returns before building anything; a session day calls the kernel."""
    from sim.model.mechanisms import livestream

    model = MarketModel(small("china_in_china", population=300, days=60))
    called = _spy(monkeypatch, livestream, "livestream_kernel")
    model.run_days()
    per_week = float(model.packed.bp[0, L.BP_LIVE_PER_WEEK])
    sessions = [d for d in range(60) if livestream.sessions_on_day(per_week, d)]
    assert 0 < len(sessions) < 60
    assert called == sessions
    host = model.money[:, 0, L.C_LIVE_HOST]
    assert np.flatnonzero(host).tolist() == sessions  # the host fee is paid on session days and no other


def test_a_stored_value_pass_over_no_member_changes_nothing() -> None:
    """The kernel given an empty member list leaves every array as it was (why the step does not call it)."""
    from sim.model.mechanisms import stored_value

    model = MarketModel(small("china_in_china", population=300, days=30))
    for _ in range(10):
        model.run_day()
    day = model.day
    books = model.books_of(day)
    before = [a.copy() for a in (*model.consumers, *books, *model.journal)]
    stored_value.stored_value_kernel(model.consumers, model.packed.params, books, model.journal, day,
                                     model.keys.day(stored_value.STREAM, day), 0, np.empty(0, dtype=np.int32))
    after = (*model.consumers, *books, *model.journal)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_stored_value_kernel_is_called_for_a_brand_with_members_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Top-ups on: the kernel runs on the days its brand has members, and on no other."""
    from sim.model.mechanisms import stored_value

    model = MarketModel(small("china_in_china", population=2000, days=60))  # first members join on day 6
    called = _spy(monkeypatch, stored_value, "stored_value_kernel")
    members_before: list[int] = []
    real_step = stored_value.step

    def step(m, day):
        members_before.append(int(stored_value.members_now(m, day)[0]))
        real_step(m, day)

    model.components = tuple(SimpleNamespace(NAME=c.NAME, step=step) if c is stored_value else c
                             for c in model.components)
    model.run_days()
    assert called == [d for d, n in enumerate(members_before) if n > 0]
    assert 0 < called[0] and len(called) < 60


def test_run_states_are_plain_attributes_and_still_refuse_what_is_not_declared() -> None:
    """Declared run states are instance attributes; an undeclared name, a binding, a name RunStates uses: refused."""
    from sim.model.component import RunState, RunStates

    states = RunStates({"owed": RunState(("brands",), np.float64, 2.5)}, 3)
    assert "owed" in vars(states) and states.owed.tolist() == [2.5, 2.5, 2.5]
    with pytest.raises(AttributeError, match="no run state 'owned' is declared"):
        _ = states.owned
    with pytest.raises(AttributeError, match="write into the declared array in place"):
        states.owed = np.zeros(3)
    for taken in ("names", "_arrays"):
        with pytest.raises(ValueError, match="taken by RunStates"):
            RunStates({taken: RunState(("brands",), np.int64)}, 1)


def test_membership_step_skips_exactly_when_the_kernel_has_no_brand_to_work_on() -> None:
    """The step's Python test and the kernel's compiled test are one function (``has_rules``): they agree."""
    import itertools

    bp = np.zeros((2, L.N_BP))
    for on0, fee0, perk0, on1, fee1, perk1 in itertools.product((0.0, 1.0), (0.0, 120.0), (0.0, 0.3), repeat=2):
        bp[0, [L.BP_MEMBERSHIP_ON, L.BP_PAID_FEE, L.BP_BIRTHDAY]] = on0, fee0, perk0
        bp[1, [L.BP_MEMBERSHIP_ON, L.BP_PAID_FEE, L.BP_BIRTHDAY]] = on1, fee1, perk1
        compiled = [bool(membership.has_rules(bp, k)) for k in range(2)]
        expected = [on == 1.0 and (fee > 0 or perk > 0) for on, fee, perk in ((on0, fee0, perk0), (on1, fee1, perk1))]
        assert compiled == expected
        assert membership.any_membership_rules(bp) == any(expected)
