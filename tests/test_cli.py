"""What a user sees from the command line: tables, run folders, and clear errors with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app

runner = CliRunner()
SMALL = ["--set", "run.population=1500", "--set", "run.days=400"]


def test_compare_default_is_china_vs_japan_at_year_one_and_end() -> None:
    """`compare` with no argument prints the built-in China vs Japan table at year 1 and at the end."""
    r = runner.invoke(app, ["compare", *SMALL])
    assert r.exit_code == 0, r.output
    assert "China vs Japan" in r.output
    assert "day 365 (year 1)" in r.output and "day 400 (end)" in r.output
    assert "china_in_china" in r.output and "japan_in_japan" in r.output
    assert "USD" in r.output  # two currencies are compared in US dollars
    for label in ("Pool size", "Profit", "Private share of revenue", "Opt-outs", "Fines"):
        assert label in r.output


def test_run_writes_a_loadable_folder(tmp_path: Path) -> None:
    """`run` prints KPIs and writes a run folder that loads back with the same KPIs."""
    out = tmp_path / "r1"
    r = runner.invoke(app, ["run", "hybrid_in_japan", *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "saved to" in r.output
    names = {p.name for p in out.iterdir()}
    assert {"scenario.yaml", "manifest.json", "daily.parquet", "flows.parquet", "journeys.parquet", "kpis.csv",
            "meta.json"} <= names
    res = sim.load_result(out)
    assert res.scenario.run.population == 1500 and res.meta["seed"] == res.scenario.run.seed
    again = runner.invoke(app, ["run", "hybrid_in_japan", *SMALL, "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_set_override_changes_the_run() -> None:
    """A --set override reaches the model."""
    r = runner.invoke(app, ["run", "china_in_china", *SMALL, "--set", "brands.0.strategy.messaging.per_week=0",
                            "--no-save"])
    assert r.exit_code == 0
    res = sim.run(sim.resolve("china_in_china", ["run.population=1500", "run.days=400",
                                                 "brands.0.strategy.messaging.per_week=0"]))
    assert res.daily["sends"].sum() == 0


def test_list_and_schema() -> None:
    """`list` names every preset group; `schema` prints a JSON Schema."""
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0
    for word in ("markets/china", "strategies/hybrid", "china_in_china", "comparisons/china_vs_japan",
                 "validation/bass"):
        assert word in r.output
    s = runner.invoke(app, ["schema"])
    assert s.exit_code == 0 and '"brands"' in s.output


def test_validate_every_preset() -> None:
    """Every shipped scenario validates."""
    files = sorted(str(p) for p in Path("scenarios").glob("*.yaml")) + ["validation/bass", "validation/branching"]
    r = runner.invoke(app, ["validate", *files])
    assert r.exit_code == 0, r.output
    assert r.output.count("ok ") == len(files)


BAD_FILES = {
    "syntax.yaml": (b"run: {days: 3\nbrands: [", "line"),
    "unknown_key.yaml": (b"brands:\n  - strategy:\n      messaging: {per_weak: 3}\n", "Did you mean 'per_week'"),
    "wrong_type.yaml": (b"run: {days: many}\n", "run.days"),
    "probability.yaml": (b"brands:\n  - strategy:\n      messaging: {quality: 1.5}\n", "at most 1"),
    "negative_cost.yaml": (b"brands:\n  - strategy:\n      interception: {invite_cost: -1}\n", "at least 0"),
    "alias.yaml": (b"a: &x 1\nb: *x\n", "alias"),
    "empty.yaml": (b"", "empty"),
    "binary.yaml": (b"\x00\x01\x02\xff\xfe", "binary"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_scenario_files_exit_2_without_traceback(name: str, tmp_path: Path) -> None:
    """Each bad file ends with one clear message on stderr and exit code 2 (real process, no traceback)."""
    data, expected = BAD_FILES[name]
    f = tmp_path / name
    f.write_bytes(data)
    out_dir = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(f), "--out", str(out_dir)],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert expected.lower() in p.stderr.lower(), p.stderr
    assert not out_dir.exists()


def test_huge_file_is_refused(tmp_path: Path) -> None:
    """A file of many megabytes is refused by size, quickly, with exit code 2."""
    f = tmp_path / "huge.yaml"
    f.write_bytes(b"# padding\n" * 2_000_000)
    r = runner.invoke(app, ["validate", str(f)])
    assert r.exit_code == 2
    assert "1,000,000" in r.output or "1000000" in r.output or "MB" in r.output


def test_bad_override_and_unknown_preset() -> None:
    """Bad --set values and unknown presets are user errors: exit 2 with the field named."""
    r = runner.invoke(app, ["run", "china_in_china", "--set", "brands.0.strategy.messaging.per_week=-3", "--no-save"])
    assert r.exit_code == 2 and "per_week" in r.output
    r = runner.invoke(app, ["run", "china_in_chinaa", "--no-save"])
    assert r.exit_code == 2 and "china_in_china" in r.output
