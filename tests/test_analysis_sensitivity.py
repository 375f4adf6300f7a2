"""Sobol and Morris sensitivity: a parameter that matters ranks above one that cannot matter."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.analysis.execution import Execution
from sim.analysis.sensitivity import SensitivityResult, sensitivity
from sim.errors import SimInputError

SMALL = ["run.population=1000", "run.days=180"]
#: The number of logged journeys changes what is recorded, never what happens: a null parameter.
PARAMS = {"messaging.per_week": (1, 14), "run.journeys": (0, 100)}


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    """Base."""
    return sim.resolve("china_in_china", SMALL)


@pytest.fixture(scope="module")
def sobol(base: sim.Scenario) -> SensitivityResult:
    """Sobol."""
    return sensitivity(base, PARAMS, method="sobol", n=8, kpis=["opt_outs", "fines"],
                       execution=Execution(executor="serial"))


def test_sobol_ranks_messaging_above_a_null_parameter(sobol: SensitivityResult) -> None:
    """Sobol ranks messaging above a null parameter."""
    r = sobol.ranked("opt_outs")
    assert list(r["label"]) == ["messaging.per_week", "run.journeys"]
    assert list(r["rank"]) == [1, 2]
    top = r.iloc[0]
    assert top["ST"] > 0.5 and top["S1"] > 0.3
    null = r.iloc[1]
    assert null["S1"] == pytest.approx(0.0, abs=1e-9) and null["ST"] == pytest.approx(0.0, abs=1e-9)
    assert null["swing"] == 0.0
    assert top["kpi_at_high"] > top["kpi_at_low"]  # the tornado bar: more messages, more opt-outs


def test_sobol_design_size_and_samples(sobol: SensitivityResult) -> None:
    """Sobol design size and samples."""
    assert sobol.meta["points"] == 8 * (2 + 2)
    assert sobol.meta["runs"] == 8 * 4 + 2 * 2 + 1
    assert (sobol.samples["design"] == "sample").sum() == 32
    assert sobol.samples["run.journeys"].dtype.kind == "i"  # whole-number parameter is rounded


def test_constant_kpi_gives_zero_indices(sobol: SensitivityResult) -> None:
    """Constant kpi gives zero indices."""
    r = sobol.ranked("fines")
    assert (r["ST"] == 0).all() and (r["S1"] == 0).all()


def test_morris_screening(base: sim.Scenario, tmp_path: Path) -> None:
    """Morris screening."""
    res = sensitivity(base, PARAMS, method="morris", n=4, kpis=["opt_outs"], execution=Execution(executor="serial"))
    r = res.ranked()
    assert r.iloc[0]["label"] == "messaging.per_week"
    assert r.iloc[0]["mu_star"] > 0 and r.iloc[1]["mu_star"] == 0
    assert res.meta["points"] == 4 * 3
    folder = res.save(tmp_path / "morris")
    assert {"indices.csv", "tornado.csv", "ranked.csv", "samples.parquet", "scenario.yaml", "manifest.json"} <= {
        p.name for p in folder.iterdir()
    }


def test_bad_inputs(base: sim.Scenario) -> None:
    """Bad inputs."""
    with pytest.raises(SimInputError, match="power of two"):
        sensitivity(base, PARAMS, n=10, execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="at least two"):
        sensitivity(base, {"messaging.per_week": (1, 14)}, n=8, execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="inverted"):
        sensitivity(base, {"messaging.per_week": (14, 1), "run.journeys": (0, 10)}, n=8,
                    execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="sobol' or 'morris"):
        sensitivity(base, PARAMS, method="fast", execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="Did you mean 'per_week'"):
        sensitivity(base, {"messaging.per_wek": (1, 14), "run.journeys": (0, 10)}, n=8,
                    execution=Execution(executor="serial"))
