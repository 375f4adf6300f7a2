"""Set-up holds no float64 per consumer: the chunked draws and census give exactly the unchunked answers."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import layout as L
from sim.model import population as population_module
from sim.model import rng
from sim.model.market import first_drawn, first_in_order


@pytest.mark.parametrize(("n", "count", "chunk"), [(1_000, 10, 64), (1_000, 10, 7), (1_000, 300, 64),
                                                   (1_000, 1_000, 64), (1_000, 5_000, 333), (5, 2, 1),
                                                   (1_000, 0, 64), (1_000, 10, 1 << 20)])
def test_first_drawn_is_the_unchunked_selection(n: int, count: int, chunk: int) -> None:
    """Chunk by chunk, the same ids in the same order as selecting from every draw at once."""
    k = rng.key(20261126, rng.SEEDING)
    expected = first_in_order(rng.uniforms(k, n, 3), count)
    got = first_drawn(k, n, 3, count, chunk=chunk)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


def test_uniforms_from_an_offset_are_the_same_draws() -> None:
    """Consumer ``first + j`` gets the same draw whichever chunk it is drawn in."""
    k = rng.key(7, rng.JOURNEYS)
    whole = rng.uniforms(k, 500, 1)
    np.testing.assert_array_equal(rng.uniforms(k, 200, 1, 300), whole[300:])


def test_first_drawn_breaks_ties_by_id_like_a_stable_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    """Equal draws (forced here: every draw rounded to one of three values) keep the lower id first."""
    real = rng.uniforms

    def coarse(k, n, slot, first=0):  # noqa: ANN001, ANN202
        return np.floor(real(k, n, slot, first) * 3.0)

    monkeypatch.setattr(rng, "uniforms", coarse)
    k = rng.key(1, rng.SEEDING)
    expected = np.argsort(coarse(k, 200, 0), kind="stable")[:50]
    np.testing.assert_array_equal(first_drawn(k, 200, 0, 50, chunk=16), expected)


def test_census_counted_in_chunks_equals_one_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting the stages a chunk at a time gives the counts of one pass (chunk not dividing N)."""
    from sim.scenario import load_scenario, preset_path

    market = load_scenario(preset_path("japan_in_japan")).market
    pop = population_module.Population(market, 1_000, 2, seed=3)
    pop.stage[:] = np.asarray(np.random.default_rng(0).integers(0, L.N_STAGES, size=pop.stage.shape), np.uint8)
    expected = np.stack([np.bincount(pop.stage[:, b], minlength=L.N_STAGES) for b in range(2)])
    monkeypatch.setattr(population_module, "COUNT_CHUNK", 97)
    np.testing.assert_array_equal(pop.census(), expected)
    assert pop.census().sum() == 2 * 1_000


def test_a_stored_day_holds_every_day_the_schema_allows() -> None:
    """Days are stored in 16 bits: the last day plus the longest cool-off, and "never", must fit."""
    from sim.model.component import DAY, MAX_DAYS, schema_bound
    from sim.scenario import schema as S

    info = np.iinfo(DAY)
    longest_cooloff = int(schema_bound(S.Interception, "cooloff_days", "le"))
    assert (MAX_DAYS - 1) + longest_cooloff <= info.max
    assert info.min <= L.NEVER < -1  # before the seed members' day -1
    record = np.zeros(1, dtype=L.PAIR_DTYPE)
    for name in ("joined", "cooloff", "last_contact", "last_purchase"):
        assert record.dtype[name] == np.dtype(DAY), name
    record["cooloff"] = (MAX_DAYS - 1) + longest_cooloff
    assert int(record["cooloff"][0]) == (MAX_DAYS - 1) + longest_cooloff


def test_a_consumer_costs_76_bytes_with_one_brand_and_41_per_further_brand() -> None:
    """Segment, 7 float32 traits, fatigue and its day, a tracked bit; per brand a stage and a 40-byte record.

    The record's yes/no states (consent, opted out, paid) share one byte; tracking is one bit per consumer.
    """
    from sim.scenario import load_scenario, preset_path

    market = load_scenario(preset_path("china_in_china")).market
    one = population_module.Population(market, 1_000, 1, seed=1).bytes_per_consumer()
    three = population_module.Population(market, 1_000, 3, seed=1).bytes_per_consumer()
    assert one == 76.125
    assert three - one == 2 * 41


@pytest.mark.parametrize("preset", ["china_in_china", "japan_in_japan"])
def test_segments_and_traits_drawn_in_chunks_equal_one_draw_per_segment(preset: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments, their sizes and every trait, a chunk at a time (not dividing N), equal the one-pass draws.

    The one-pass version is written out here as set-up did it before it drew in chunks: one uniform per
    consumer for the segment, then per segment and trait one generator drawing for all its consumers.
    """
    from sim.scenario import load_scenario, preset_path

    market = load_scenario(preset_path(preset)).market
    n, seed = 5_000, 11
    shares = np.array([s.share for s in market.segments], dtype=np.float64)
    cum = np.cumsum(shares / shares.sum())
    cum[-1] = 1.0
    segment = np.searchsorted(cum, rng.uniforms(rng.key(seed, rng.TRAITS), n, 0), side="right").astype(np.uint8)
    traits = np.empty((n, L.N_TRAITS), dtype=np.float32)
    for s_idx, seg in enumerate(market.segments):
        who = np.flatnonzero(segment == s_idx)
        for col, field in population_module._TRAIT_FIELDS.items():
            gen = np.random.default_rng(np.random.SeedSequence([seed, rng.TRAITS, col, s_idx]))
            traits[who, col] = population_module.draw(getattr(seg, field), who.size, gen)
    np.maximum(traits[:, L.TAU], 0.05, out=traits[:, L.TAU])
    kinds = {type(getattr(s, f)).__name__ for s in market.segments for f in population_module._TRAIT_FIELDS.values()}
    assert len(kinds) > 1, kinds  # several distributions, each drawn in chunks

    monkeypatch.setattr(population_module, "COUNT_CHUNK", 777)
    pop = population_module.Population(market, n, 1, seed=seed)
    np.testing.assert_array_equal(pop.segment, segment)
    np.testing.assert_array_equal(pop.traits, traits)
    np.testing.assert_array_equal(pop.segment_sizes(len(market.segments)),
                                  np.bincount(segment, minlength=len(market.segments)))


def test_tracking_is_one_bit_per_consumer() -> None:
    """Tracked consumers are bits (an eighth of a byte each); kernels' test and the unpacked column agree."""
    from sim.scenario import load_scenario, preset_path

    market = load_scenario(preset_path("china_in_china")).market
    pop = population_module.Population(market, 1_001, 1, seed=1)
    ids = [0, 7, 8, 513, 1_000]
    pop.track(np.array(ids))
    pop.track(np.array([7]))  # tracking twice changes nothing
    assert pop.tracked.nbytes == 126
    assert np.flatnonzero(pop.tracked_column()).tolist() == ids
    assert pop.tracked_column().dtype == np.uint8 and pop.tracked_column().shape == (1_001,)
    assert [i for i in range(1_001) if population_module.is_tracked.py_func(pop.tracked, i)] == ids
