"""Replicates: spawned seeds, per-day KPI series equal to RunResult.kpis, bands, saving."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.analysis.execution import Execution
from sim.analysis.executors import spawn_seeds
from sim.analysis.replicate import Ensemble, load_ensemble, replicate
from sim.errors import SimInputError
from sim.results.kpis import KPI_NAMES, _payback_series, kpi_series, payback_month

SMALL = ["run.population=1500", "run.days=240"]


@pytest.fixture(scope="module")
def ensemble() -> Ensemble:
    """Ensemble."""
    return replicate("china_in_china", 6, execution=Execution(seed=7, executor="serial", overrides=SMALL))


def test_seeds_are_deterministic_and_prefix_stable() -> None:
    """The same root gives the same seeds; asking for more never changes the first ones."""
    a = spawn_seeds(123, 5)
    assert a == spawn_seeds(123, 5)
    assert spawn_seeds(123, 8)[:5] == a
    assert len(set(a)) == 5 and all(0 <= s < 2**63 for s in a)
    assert spawn_seeds(124, 5) != a
    assert spawn_seeds(123, 3, skip=5) == spawn_seeds(123, 8)[5:]


def test_kpi_series_equals_runresult_kpis_on_every_sampled_day() -> None:
    """The cumulative-sum KPI series reproduces RunResult.kpis(day) exactly (incl. NaNs)."""
    sc = sim.resolve("china_in_china", ["run.population=1500", "run.days=400"])
    res = sim.run(sc, seed=3)
    b = res.brands[0]
    s = kpi_series(
        res.brand_daily(b),
        seed_members=res.meta["seed_members"][b],
        share_window_days=sc.brands[0].strategy.referral.share_window_days,
        discount_rate=sc.run.discount_rate,
    )
    assert list(s.columns) == ["day", *KPI_NAMES]
    for day in (0, 7, 44, 45, 46, 100, 250, 364, 399):
        want = res.kpis(day).loc[b]
        got = s.iloc[day]
        for k in KPI_NAMES:
            assert (math.isnan(want[k]) and math.isnan(got[k])) or got[k] == pytest.approx(
                want[k], rel=1e-12, abs=1e-9
            ), (day, k)


def test_payback_series_matches_payback_month_on_random_profit_paths() -> None:
    """Payback month of every prefix, computed incrementally, equals the KPI's own definition."""
    gen = np.random.default_rng(0)
    for trial in range(60):
        n = int(gen.integers(1, 200))
        profit = gen.normal(gen.normal(0, 1), 3, n)
        if trial % 2:
            profit[: int(gen.integers(1, n + 1))] -= 4
        series = _payback_series(profit)
        for t in range(n):
            want = payback_month(profit[: t + 1])
            assert (math.isnan(want) and math.isnan(series[t])) or want == series[t]


def test_same_root_seed_gives_identical_ensembles(ensemble: Ensemble) -> None:
    """Same root seed gives identical ensembles."""
    again = replicate("china_in_china", 6, execution=Execution(seed=7, executor="serial", overrides=SMALL))
    assert again.seeds == ensemble.seeds
    assert again.series.equals(ensemble.series)
    other = replicate("china_in_china", 2, execution=Execution(seed=8, executor="serial", overrides=SMALL))
    assert other.seeds[0] != ensemble.seeds[0]


def test_daily_bands_are_ordered_and_contain_the_mean(ensemble: Ensemble) -> None:
    """5% <= median <= 95% every day, and the mean lies inside the 5-95% band."""
    for metric in ("pool_size", "profit", "opt_outs", "daily.revenue", "member"):
        bands = ensemble.daily_bands(metric)
        assert list(bands.columns) == ["day", "mean", "p05", "p50", "p95"]
        assert len(bands) == 240
        ok = bands.dropna()
        assert (ok["p05"] <= ok["p50"] + 1e-9).all() and (ok["p50"] <= ok["p95"] + 1e-9).all()
        assert ((ok["p05"] <= ok["mean"] + 1e-6) & (ok["mean"] <= ok["p95"] + 1e-6)).mean() > 0.97
    # the KPI band at the last day agrees with the end-of-horizon summary
    summ = ensemble.kpi_summary().set_index("kpi").loc["pool_size"]
    last = ensemble.daily_bands("pool_size").iloc[-1]
    assert last["mean"] == pytest.approx(summ["mean"]) and last["p95"] == pytest.approx(summ["p95"])


def test_kpi_summary_is_tidy_and_covers_every_kpi(ensemble: Ensemble) -> None:
    """Kpi summary is tidy and covers every kpi."""
    s = ensemble.kpi_summary()
    assert list(s.columns) == ["brand", "kpi", "mean", "sd", "p05", "p50", "p95", "n"]
    assert set(s["kpi"]) == set(KPI_NAMES)
    row = s.set_index("kpi").loc["revenue"]
    samples = ensemble.samples()["revenue"]
    assert row["mean"] == pytest.approx(samples.mean()) and row["n"] == 6
    assert row["p05"] <= row["mean"] <= row["p95"]
    year = ensemble.kpi_summary(day=99).set_index("kpi").loc["revenue", "mean"]
    assert year < row["mean"]  # cumulative revenue grows


def test_bad_metric_brand_and_day_are_clear_errors(ensemble: Ensemble) -> None:
    """Bad metric brand and day are clear errors."""
    with pytest.raises(SimInputError, match="Did you mean 'pool_size'"):
        ensemble.daily_bands("pool_sise")
    with pytest.raises(SimInputError, match="unknown brand"):
        ensemble.daily_bands("profit", brand="nobody")
    with pytest.raises(SimInputError, match="between 0 and 239"):
        ensemble.kpi_summary(day=500)
    with pytest.raises(SimInputError, match="whole number from 1"):
        replicate("china_in_china", 0, execution=Execution(executor="serial", overrides=SMALL))


def test_save_and_load_round_trip(ensemble: Ensemble, tmp_path: Path) -> None:
    """Save and load round trip."""
    folder = ensemble.save(tmp_path / "rep")
    names = {p.name for p in folder.iterdir()}
    assert {
        "scenario.yaml",
        "manifest.json",
        "series.parquet",
        "kpi_samples.csv",
        "kpi_summary.csv",
        "meta.json",
    } <= names
    back = load_ensemble(folder)
    assert back.seeds == ensemble.seeds and back.root_seed == 7
    assert back.series.equals(ensemble.series)
    with pytest.raises(SimInputError, match="already exists"):
        ensemble.save(tmp_path / "rep")
