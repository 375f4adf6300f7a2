"""Sweeps and dotted parameter paths: grids, the best cell, caps and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.execution import Execution
from sim.analysis.paths import canonical_path, parse_axis, parse_range
from sim.analysis.sweep import MAX_CELLS, SweepResult, sweep
from sim.errors import SimInputError

SMALL = ["run.population=1500", "run.days=240"]
PER_WEEK = "brands.0.strategy.messaging.per_week"


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    """Base."""
    return sim.resolve("china_in_china", SMALL)


@pytest.fixture(scope="module")
def per_week(base: sim.Scenario) -> SweepResult:
    """Per week."""
    return sweep(base, {"messaging.per_week": [1, 4, 7, 14]}, reps=2, execution=Execution(executor="serial"))


def test_more_messages_give_more_opt_outs(per_week: SweepResult) -> None:
    """Opt-outs and opt-outs per 1,000 sends rise with the weekly message count (fatigue)."""
    s = per_week.summary()
    assert list(s[PER_WEEK]) == [1.0, 4.0, 7.0, 14.0]
    assert s["opt_outs"].is_monotonic_increasing and s["opt_outs"].iloc[-1] > 5 * s["opt_outs"].iloc[0]
    assert s["unsubs_per_1000"].is_monotonic_increasing
    assert (s["reps"] == 2).all()


def test_best_cell_is_marked_in_the_objectives_direction(per_week: SweepResult) -> None:
    """Best cell is marked in the objectives direction."""
    s = per_week.summary()
    assert s["best"].sum() == 1
    assert s.loc[s["best"], "profit"].iloc[0] == s["profit"].max()
    best = per_week.best()
    assert best[PER_WEEK] == s.loc[s["best"], PER_WEEK].iloc[0]
    low = sweep(per_week.scenario, {"messaging.per_week": [1, 14]}, objective="opt_outs",
                execution=Execution(executor="serial"))
    assert low.best()[PER_WEEK] == 1.0  # opt-outs are minimised


def test_common_seeds_across_cells(per_week: SweepResult) -> None:
    """Common seeds across cells."""
    t = per_week.table
    seeds = t.groupby("cell")["seed"].apply(tuple)
    assert seeds.nunique() == 1 and len(seeds.iloc[0]) == 2


def test_two_dimensional_grid_and_pivot(base: sim.Scenario, tmp_path: Path) -> None:
    """Two dimensional grid and pivot."""
    res = sweep(base, ["messaging.per_week=1:13:3", "referral.referrer_reward=0,30"],
                execution=Execution(executor="serial"))
    grid = res.pivot("opt_outs")
    assert grid.shape == (3, 2)
    assert list(grid.index) == [1.0, 7.0, 13.0] and list(grid.columns) == [0.0, 30.0]
    folder = res.save(tmp_path / "sw")
    assert {"scenario.yaml", "manifest.json", "runs.parquet", "runs.csv", "summary.csv", "meta.json"} <= {
        p.name for p in folder.iterdir()
    }


def test_paths_resolve_shorthands(base: sim.Scenario) -> None:
    """Paths resolve shorthands."""
    assert canonical_path(base, "messaging.per_week") == PER_WEEK
    assert canonical_path(base, "strategy.messaging.per_week") == PER_WEEK
    assert canonical_path(base, "behaviour.optout_base") == "market.behaviour.optout_base"
    assert canonical_path(base, "run.days") == "run.days"
    two = sim.resolve("head_to_head_japan", SMALL)
    with pytest.raises(SimInputError, match="ambiguous"):
        canonical_path(two, "messaging.per_week")
    assert canonical_path(two, "brands.1.strategy.messaging.per_week") == "brands.1.strategy.messaging.per_week"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("messaging.per_wek=1,2", "unknown key 'per_wek'. Did you mean 'per_week'?"),
        ("mesaging.per_week=1,2", "Did you mean 'messaging'?"),
        ("messaging=1,2", "names a group of settings"),
        ("brands.4.strategy.messaging.per_week=1,2", "beyond the end of brands"),
        ("messaging.per_week=", "has no values"),
        ("messaging.per_week=9:2:4", "inverted"),
        ("messaging.per_week=3:3:4", "empty"),
        ("messaging.per_week=1:3:1", "at least 2"),
        ("messaging.per_week=1,300", "value 300: must be at most 70"),
        ("messaging.per_week=1,1", "twice"),
    ],
)
def test_bad_axes_are_clear_errors(base: sim.Scenario, spec: str, message: str) -> None:
    """Bad axes are clear errors."""
    with pytest.raises(SimInputError, match=message.replace("(", r"\(").replace("?", r"\?").replace(".", r"\.")):
        parse_axis(base, spec)


def test_bad_ranges_are_clear_errors(base: sim.Scenario) -> None:
    """Bad ranges are clear errors."""
    with pytest.raises(SimInputError, match="inverted"):
        parse_range(base, "messaging.per_week", (5, 1))
    with pytest.raises(SimInputError, match="empty"):
        parse_range(base, "messaging.per_week", "2:2")
    with pytest.raises(SimInputError, match="high end 100: must be at most 70"):
        parse_range(base, "messaging.per_week", (1, 100))
    with pytest.raises(SimInputError, match="not a numeric parameter"):
        parse_range(base, "market.network.kind", (0, 1))
    r = parse_range(base, "interception.cooloff_days", "10:90")
    assert r.integer and r.value(33.6) == 34


def test_grid_caps_are_stated(base: sim.Scenario) -> None:
    """Grid caps are stated."""
    with pytest.raises(SimInputError, match=f"{MAX_CELLS:,} cells"):
        sweep(base, ["messaging.per_week=0:14:60", "referral.referrer_reward=0:30:60"],
              execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="runs is too many"):
        sweep(base, ["messaging.per_week=0:14:50", "referral.referrer_reward=0:30:50"], reps=10,
              execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="the cap is 2"):
        sweep(base, ["messaging.per_week=1,2", "referral.referrer_reward=0,1", "run.days=100,200"],
              execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="Did you mean 'profit'"):
        sweep(base, ["messaging.per_week=1,2"], objective="proft", execution=Execution(executor="serial"))
