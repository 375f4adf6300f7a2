"""Ranked draws (``rng.ranked_uniform``): who an exposure route reaches is listed directly, with common random numbers.

Acquisition's routes (ads, organic views, KOL views, partner exposure) reach a few consumers in a thousand a
day. Their draws are ranked uniforms: within a span, a keyed shuffle gives each consumer a rank and the
uniform is ``(rank + jitter) / size``. The consumers below a probability are then the lowest ranks, listed by
the inverse shuffle instead of found by drawing for everyone. These tests check the three promises: each draw
is uniform, the listing misses nobody, and a consumer's luck does not depend on the probability (so two
scenarios see the same consumers reached, more of them when the probability is higher).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from sim.model import layout as L
from sim.model import rng
from sim.model.mechanisms import acquisition as acq
from sim.model.population import SPAN
from tests.conftest import small


def _key(seed: int, slot: int, block: int) -> np.uint64:
    """A block key, as the uint64 the kernels hold (numba hands a uint64 back to Python as an int)."""
    return np.uint64(rng.block_key(np.uint64(seed), slot, block))


@njit(cache=True)
def _block(key, size):
    return np.array([rng.ranked_uniform(key, r, size) for r in range(size)])


@njit(cache=True)
def _listed(key, p, size):
    return np.array([rng.ranked_below(key, rank, size) for rank in range(rng.ranked_candidates(p, size))],
                    dtype=np.int64)


@njit(cache=True)
def _one_agent_across_keys(seed, r, size, n_keys):
    out = np.empty(n_keys)
    for j in range(n_keys):
        out[j] = rng.ranked_uniform(rng.block_key(np.uint64(seed), j, 0), r, size)
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100, 1000, 4097, SPAN])
def test_permute_is_a_bijection_and_walking_back_inverts_it(size: int) -> None:
    """Forward, the shuffle takes 0 .. size-1 onto itself; the inverse brings every agent back."""
    key = np.uint64(0x1234_5678_9ABC_DEF1)
    forward = np.array([rng.permute(key, x, size, True) for x in range(size)])
    assert np.array_equal(np.sort(forward), np.arange(size))
    back = np.array([rng.permute(key, int(y), size, False) for y in forward])
    assert np.array_equal(back, np.arange(size))
    if size >= 100:  # a shuffle, not the identity
        assert np.mean(forward == np.arange(size)) < 0.05


@pytest.mark.parametrize("size", [10, 1000, SPAN])
def test_one_agents_draw_is_uniform_across_keys(size: int) -> None:
    """For a fixed agent, its ranked uniform over 20,000 keys passes a Kolmogorov-Smirnov test for U(0, 1)."""
    for r in (0, size // 2, size - 1):
        draws = _one_agent_across_keys(7, r, size, 20_000)
        assert draws.min() >= 0.0 and draws.max() < 1.0
        assert stats.kstest(draws, "uniform").pvalue > 1e-3


def test_a_block_is_stratified_one_agent_per_stratum() -> None:
    """Sorted, a block's draws fall one in each 1/size stratum: below p lie floor(p size) or one more."""
    size = 5000
    for seed in range(5):
        u = _block(_key(seed, 3, 1), size)
        assert np.array_equal(np.floor(np.sort(u) * size).astype(np.int64), np.arange(size))
        for p in (0.0, 0.0003, 0.001, 0.0137, 0.25, 0.5, 0.999, 1.0):
            below = int((u < p).sum())
            assert int(np.floor(p * size)) <= below <= int(np.floor(p * size)) + 1


@pytest.mark.parametrize("size", [1, 3, 999, SPAN])
def test_listing_by_rank_finds_exactly_the_agents_below_p(size: int) -> None:
    """The agents below p are among the ranks listed, and the listing is no longer than p size + 2."""
    key = _key(99, 11, 4)
    u = _block(key, size)
    # probabilities exactly at strata edges and just beside them, where rounding could lose an agent
    ps = [0.0, 1e-6, 0.001, 0.02, 0.5, 1.0] + [j / size for j in (1, 2, 5)]
    ps += [np.nextafter(j / size, 1) for j in (1, 2)]
    for p in ps:
        listed = _listed(key, float(p), size)
        assert len(listed) <= min(size, int(p * size) + 2)
        assert len(set(listed.tolist())) == len(listed)
        truly = set(np.flatnonzero(u < p).tolist())
        assert truly <= set(listed.tolist()), p


def test_reached_span_flags_every_consumer_some_route_reaches() -> None:
    """The pre-pass's flags cover, brand by brand, every consumer whose first draw on some route passes."""
    from sim.model.market import MarketModel

    model = MarketModel(small("china_in_china", population=3 * SPAN // 2, days=5))
    bp = model.packed.bp.copy()
    n_brands = bp.shape[0]
    bp[:, L.BP_KOL_EFF], bp[:, L.BP_KOL_FOLLOW] = 0.2, 0.05
    plan = np.zeros((n_brands, len(L.PLAN_NAMES)))
    plan[:, L.PLAN_ORGANIC], plan[:, L.PLAN_KOL] = 0.004, 0.03
    ad_p = np.tile(np.array([0.001, 0.006, 0.0]), (n_brands, 1))
    winback = 0.4
    partner_share = np.array([0.3, 0.8])
    partner_p = np.tile(np.array([0.01, 0.002]), (n_brands, 1))
    key_day, key_partner = np.uint64(2024), np.uint64(77)
    n = model.n
    for start in range(0, n, SPAN):
        stop = min(n, start + SPAN)
        size = stop - start
        keys = np.empty((n_brands, acq.R_PARTNER + 2), dtype=np.uint64)
        _route_keys(key_day, start, keys)
        reached = np.zeros((n_brands, SPAN), dtype=np.uint8)  # (all zeros on entry, as the kernel keeps it)
        who = np.empty(SPAN, dtype=np.int32)
        count = acq.reached_span(plan, bp, ad_p, winback, partner_share, partner_p, key_day, key_partner, start,
                                 stop, keys, reached, who)
        flagged = set(who[:count].tolist())
        expected = set()
        for k in range(n_brands):
            slot = acq.BLOCK * k
            for r in range(size):
                i = start + r
                ad = _ranked(keys[k, acq.R_AD], r, size) < ad_p[k].max()
                organic = _ranked(keys[k, acq.R_ORGANIC], r, size) < plan[k, L.PLAN_ORGANIC]
                kol = _ranked(keys[k, acq.R_KOL], r, size) < plan[k, L.PLAN_KOL] and (
                    rng.uniform_py(key_day, i, slot + acq.S_KOL_AWARE) < bp[k, L.BP_KOL_EFF]
                    or rng.uniform_py(key_day, i, slot + acq.S_KOL_FOLLOW) < bp[k, L.BP_KOL_FOLLOW])
                partner = any(
                    _ranked(keys[k, acq.R_PARTNER + m], r, size) < partner_p[k, m]
                    and rng.uniform_py(key_partner, i, acq.S_MEMBER_OF_PARTNER + m) < partner_share[m]
                    for m in range(2))
                if ad or organic or kol or partner:
                    expected.add(i)
                    assert reached[k, r], (k, i)
        assert expected <= flagged
        assert len(expected) > 20  # the routes reach someone: the check has something to check
        assert len(flagged) < size // 4  # and the pass lists few, not everyone


@njit(cache=True)
def _route_keys(key_day, start, keys):
    acq.route_keys(key_day, start, keys)


@njit(cache=True)
def _ranked(key, r, size):
    return rng.ranked_uniform(key, r, size)


def test_more_ad_spend_reaches_a_superset_of_the_same_consumers() -> None:
    """Common random numbers: with a larger ad budget the consumers reached on day one include all the others.

    A consumer's ranked draw does not depend on the probability it is compared with, so raising the
    probability only adds consumers.
    """
    from sim.model.market import MarketModel

    sets = {"brands.0.strategy.acquisition.organic.reach_per_day": 0, "run.population": 40_000}
    aware = []
    for budget in (1_000, 100_000):
        model = MarketModel(small("japan_in_japan", days=1, **sets,
                                  **{"brands.0.strategy.acquisition.ad_budget_per_day": budget}))
        model.run_days()
        aware.append(set(np.flatnonzero(model.pop.stage[:, 0] != L.UNAWARE).tolist()))
    low, high = aware
    assert low < high
    assert len(high) > len(low) > 0
