"""Analysis commands from the command line: tables, atomic result folders, and exit code 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.analysis.calibrate import simulate_transactions
from sim.cli import app

runner = CliRunner()
SMALL = ["--set", "run.population=1000", "--set", "run.days=150", "--serial"]


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_replicate_prints_bands_and_saves(tmp_path: Path) -> None:
    """Replicate prints bands and saves."""
    out = tmp_path / "rep"
    r = runner.invoke(app, ["replicate", "china_in_china", "-n", "3", *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "3 replicates, day 150 (end)" in r.output and "p05" in r.output and "p95" in r.output
    assert {"scenario.yaml", "manifest.json", "series.parquet", "kpi_summary.csv"} <= _files(out)


def test_compare_with_reps_gives_paired_verdicts(tmp_path: Path) -> None:
    """Compare with reps gives paired verdicts."""
    out = tmp_path / "cmp"
    r = runner.invoke(app, ["compare", "china_in_china", "hybrid_in_japan", "--reps", "3", *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "Mean KPIs over 3 seeds" in r.output
    assert "paired over 3 common seeds" in r.output and "of 3 seeds" in r.output
    assert "USD" in r.output
    assert {"paired.csv", "kpi_means.csv", "scenarios/china_in_china.yaml", "scenarios/hybrid_in_japan.yaml"} <= _files(
        out
    )


def test_compare_without_reps_is_the_single_seed_table() -> None:
    """Compare without reps is the single seed table."""
    r = runner.invoke(
        app, ["compare", "china_in_china", "japan_in_japan", "--set", "run.population=1000", "--set", "run.days=150"]
    )
    assert r.exit_code == 0, r.output
    assert "KPIs at day 150 (end)" in r.output and "paired" not in r.output


def test_sweep_marks_the_best_cell(tmp_path: Path) -> None:
    """Sweep marks the best cell."""
    out = tmp_path / "sw"
    r = runner.invoke(app, ["sweep", "china_in_china", "-p", "messaging.per_week=1,7", *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "best cell (highest profit): messaging.per_week=" in r.output
    assert {"runs.parquet", "summary.csv", "scenario.yaml"} <= _files(out)


def test_sensitivity_and_optimise_run(tmp_path: Path) -> None:
    """Sensitivity and optimise run."""
    r = runner.invoke(
        app,
        [
            "sensitivity",
            "china_in_china",
            "-p",
            "messaging.per_week=1:14",
            "-p",
            "run.journeys=0:50",
            "--n",
            "4",
            "--kpi",
            "opt_outs",
            *SMALL,
            "--no-save",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "Sobol sensitivity of opt-outs" in r.output and "messaging.per_week" in r.output
    out = tmp_path / "opt"
    r = runner.invoke(
        app,
        [
            "optimise",
            "china_in_china",
            "-l",
            "messaging.per_week=1:14",
            "-c",
            "unsubs_per_1000<=4",
            "--reps",
            "1",
            "--validation-reps",
            "2",
            "--maxiter",
            "2",
            "--popsize",
            "3",
            *SMALL,
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert "optimum" in r.output and "fresh seeds" in r.output and "unsubs_per_1000<=4" in r.output
    assert {"optimum.yaml", "history.csv", "constraints.csv", "result.json"} <= _files(out)


def test_calibrate_customers_writes_a_scenario(tmp_path: Path) -> None:
    """Calibrate customers writes a scenario."""
    log = tmp_path / "log.csv"
    simulate_transactions(400, r=0.8, alpha=70.0, a=1.2, b=3.0, seed=1, spend=(6.0, 4.0, 150.0)).to_csv(
        log, index=False
    )
    out = tmp_path / "cal"
    r = runner.invoke(
        app, ["calibrate", "customers", str(log), "--base", "japan_in_japan", "--time-unit", "days", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "400 customers" in r.output and "purchase_rate: {dist: gamma" in r.output
    assert {"scenario.yaml", "parameters.csv", "rfm.csv", "fit.json", "manifest.json"} <= _files(out)
    check = runner.invoke(app, ["validate", str(out / "scenario.yaml")])
    assert check.exit_code == 0, check.output


def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "china_in_china", "-p", "messaging.per_wek=1,2"], "Did you mean 'per_week'?"),
        (["sweep", "china_in_china", "-p", "messaging.per_week=7:1:3"], "inverted"),
        (["sweep", "china_in_china", "-p", "messaging.per_week="], "has no values"),
        (
            ["sweep", "china_in_china", "-p", "messaging.per_week=0:14:100", "-p", "referral.referrer_reward=0:30:100"],
            "2,500 cells",
        ),
        (
            ["sensitivity", "china_in_china", "-p", "messaging.per_week=1:14", "-p", "run.journeys=0:9", "--n", "12"],
            "power of two",
        ),
        (["sensitivity", "china_in_china", "-p", "messaging.per_week=4:4", "-p", "run.journeys=0:9"], "empty"),
        (["optimise", "china_in_china", "-l", "messaging.per_week=1:14", "-c", "unsubs<=3"], "unsubs_per_1000"),
        (["replicate", "china_in_china", "-n", "0"], "whole number from 1"),
        (["replicate", "china_in_china", "--scheduler", "tcp://127.0.0.1:9"], "cannot be combined"),
    ],
)
def test_bad_analysis_input_exits_2_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    """Bad analysis input exits 2 and writes nothing."""
    out = tmp_path / "never"
    r = runner.invoke(app, [*args, *SMALL, "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output
    assert not out.exists() and not list(tmp_path.glob(".never*"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("customer_id,day\nc1,2024-01-01\nc2,2024-01-02\n", "column 'date': is missing"),
        ("customer_id,date\nc1,2024-01-01\nc2,2024-31-01\n", "line 3, column 'date'"),
        ("customer_id,date,amount\nc1,2024-01-01,5\nc2,2024-01-02,-1\n", "amount is negative"),
        ("customer_id,date\nc1,2024-01-01\nc1,2024-01-09\n", "has 1 customer"),
    ],
)
def test_bad_customer_logs_exit_2_and_write_nothing(tmp_path: Path, text: str, message: str) -> None:
    """Bad customer logs exit 2 and write nothing."""
    out = tmp_path / "never"
    r = runner.invoke(
        app,
        ["calibrate", "customers", _write(tmp_path, "log.csv", text), "--base", "japan_in_japan", "--out", str(out)],
    )
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert not out.exists()


# ---- --versus: the paired difference A - B as the target (issue 15) --------------------------------


def _kpi_columns(frame) -> list[str]:  # noqa: ANN001 - a pandas frame
    from sim.results.kpis import KPI_NAMES

    return [c for c in KPI_NAMES if c in frame.columns]


def test_sweep_versus_itself_is_exactly_zero_everywhere(tmp_path: Path) -> None:
    """`sweep A --versus A --versus-too`: every KPI of every cell and seed is exactly 0 (common seeds)."""
    import numpy as np
    import pandas as pd

    out = tmp_path / "sw"
    r = runner.invoke(app, ["sweep", "china_in_china", "-p", "messaging.per_week=1,7", "--reps", "2",
                            "--versus", "china_in_china", "--versus-too", *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "paired difference china_in_china minus china_in_china" in r.output
    table = pd.read_parquet(out / "runs.parquet")
    kpis = _kpi_columns(table)
    assert len(table) == 4 and "profit" in kpis and len(kpis) > 10
    values = table[kpis].to_numpy(dtype=float)
    assert np.all((values == 0) | np.isnan(values))  # a ratio with nothing to divide by stays undefined
    assert not np.isnan(table["profit"]).any()


def test_sweep_versus_a_lever_on_a_only_equals_the_api(tmp_path: Path) -> None:
    """`sweep A -p LEVER --versus B` (A only): the saved differences are those of `sweep(versus=B)`, not zero."""
    import pandas as pd

    import sim
    from sim.analysis.execution import Execution
    from sim.analysis.sweep import sweep

    out = tmp_path / "sw"
    r = runner.invoke(app, ["sweep", "china_in_china", "-p", "messaging.per_week=1,7", "--versus", "china_in_china",
                            *SMALL, "--root-seed", "9", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "set on china_in_china only" in r.output and "best cell (highest profit difference)" in r.output
    got = pd.read_parquet(out / "runs.parquet")
    sets = ["run.population=1000", "run.days=150"]
    want = sweep(sim.resolve("china_in_china", sets), ["messaging.per_week=1,7"],
                 versus=sim.resolve("china_in_china", sets), execution=Execution(seed=9, executor="serial")).table
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert (got["profit"] != 0).any()


def test_sensitivity_versus_itself_finds_nothing_to_explain(tmp_path: Path) -> None:
    """`sensitivity A --versus A`: every sampled difference, index and tornado end is exactly 0."""
    import numpy as np
    import pandas as pd

    out = tmp_path / "se"
    r = runner.invoke(app, ["sensitivity", "china_in_china", "-p", "messaging.per_week=1:14", "-p",
                            "referral.referrer_reward=0:30", "--n", "4", "--versus", "china_in_china", *SMALL,
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "(china_in_china minus china_in_china)" in r.output
    samples = pd.read_parquet(out / "samples.parquet")
    assert (samples["profit"] == 0).all() and len(samples) == 4 * (2 + 2) + 5  # Sobol N(D + 2) and the tornado
    indices = pd.read_csv(out / "indices.csv")
    assert np.all(indices[["S1", "ST"]].to_numpy() == 0)
    tornado = pd.read_csv(out / "tornado.csv")
    assert (tornado[["kpi_at_low", "kpi_at_high", "swing"]].to_numpy() == 0).all()


@pytest.mark.parametrize(("command", "versus", "message"), [
    ("sweep", "no_such_preset", "no_such_preset"),
    ("sensitivity", "head_to_head_japan", "must have as many brands"),
])
def test_bad_versus_exits_2_and_writes_nothing(tmp_path: Path, command: str, versus: str, message: str) -> None:
    """An unknown B, or a B with another number of brands, is one error line, exit 2, no folder."""
    out = tmp_path / "never"
    spec = "messaging.per_week=1,7" if command == "sweep" else "messaging.per_week=1:14"
    extra = [] if command == "sweep" else ["-p", "referral.referrer_reward=0:30", "--n", "4"]
    r = runner.invoke(app, [command, "china_in_china", "-p", spec, *extra, "--versus", versus, *SMALL,
                            "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output
    assert not out.exists()
