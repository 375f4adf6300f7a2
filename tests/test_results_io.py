"""Run folders: atomic writes, faithful reloads, damage detection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.errors import SimInputError
from sim.results.result import write_folder
from tests.conftest import small


@pytest.fixture(scope="module")
def result() -> sim.RunResult:
    """A small China run."""
    return sim.run(small("china_in_china", population=1500, days=120))


def test_round_trip_is_exact(result: sim.RunResult, tmp_path: Path) -> None:
    """Saved and loaded results have identical tables, scenario and KPIs."""
    folder = result.save(tmp_path / "run")
    back = sim.load_result(folder)
    pd.testing.assert_frame_equal(result.daily, back.daily)
    pd.testing.assert_frame_equal(result.flows, back.flows)
    pd.testing.assert_frame_equal(result.journeys, back.journeys)
    assert back.scenario == result.scenario
    pd.testing.assert_frame_equal(result.kpis(), back.kpis())


def test_damaged_folder_is_detected(result: sim.RunResult, tmp_path: Path) -> None:
    """A changed or missing file is reported by name when loading."""
    folder = result.save(tmp_path / "run")
    (folder / "daily.parquet").write_bytes(b"garbage")
    with pytest.raises(SimInputError, match="daily.parquet: is damaged"):
        sim.load_result(folder)
    (folder / "flows.parquet").unlink()
    with pytest.raises(SimInputError, match="flows.parquet: is missing"):
        sim.load_result(folder)
    with pytest.raises(SimInputError, match="not a result folder"):
        sim.load_result(tmp_path / "nowhere")


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    """If writing fails midway, neither the target nor a temporary folder remains."""

    class Boom(bytes):
        def __len__(self) -> int:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_folder(tmp_path / "out", {"a.txt": b"ok", "b.txt": Boom(b"x")})
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_needs_overwrite(result: sim.RunResult, tmp_path: Path) -> None:
    """An existing folder is never silently replaced."""
    folder = result.save(tmp_path / "run")
    with pytest.raises(SimInputError, match="already exists"):
        result.save(folder)
    result.save(folder, overwrite=True)
    assert sim.load_result(folder).scenario == result.scenario


def test_kpis_are_consistent_with_daily(result: sim.RunResult) -> None:
    """Headline KPIs are what the daily table says."""
    k = result.kpis().iloc[0]
    d = result.daily
    assert k["profit"] == pytest.approx(d["profit"].sum())
    assert k["pool_size"] == d["member"].iloc[-1]
    priv, pub = d["revenue_private"].sum(), d["revenue_public"].sum()
    assert k["private_share"] == pytest.approx(priv / (priv + pub))
    assert k["unsubs_per_1000"] == pytest.approx(1000 * d["opt_outs"].sum() / d["sends"].sum())
    y1 = result.kpis(day=59).iloc[0]
    assert y1["profit"] == pytest.approx(d.loc[d["day"] <= 59, "profit"].sum())
