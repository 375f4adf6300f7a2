"""Decision commands from the command line: findings, literal user text, result folders, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()
SMALL = ["--set", "run.population=500", "--set", "run.days=60", "--serial"]
SAAS = "brands.0.strategy.pool.saas_per_day"


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_breakeven_finds_the_fixed_cost_flip_and_saves(tmp_path: Path) -> None:
    """A's fee against B's 400 a day flips at 400; the folder holds the evaluations and the finding."""
    out = tmp_path / "be"
    r = runner.invoke(app, ["breakeven", "china_in_china", "china_in_china", "-p", f"{SAAS}=0:1000", "-n", "2",
                            "--tol", "0.5", *SMALL, "--set", f"{SAAS}=400", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "flips at" in r.output
    found = json.loads((out / "breakeven.json").read_text())
    assert abs(found["flip"] - 400) <= 0.5
    assert {"evaluations.csv", "breakeven.json", "manifest.json"} <= _files(out)


def test_breakeven_rejects_a_bad_range() -> None:
    """A malformed --param is one message and exit status 2."""
    r = runner.invoke(app, ["breakeven", "china_in_china", "china_in_china", "-p", f"{SAAS}=a:b", *SMALL])
    assert r.exit_code == 2 and "numbers" in r.output


def test_risk_and_attribute_print_their_findings(tmp_path: Path) -> None:
    """Risk prints the chance of a loss and percentiles; attribute prints the gap and the why in Chinese."""
    r = runner.invoke(app, ["risk", "china_in_china", "-n", "3", *SMALL, "--out", str(tmp_path / "risk")])
    assert r.exit_code == 0, r.output
    assert "probability of a loss" in r.output and "P95" in r.output
    assert {"samples.csv", "risk.json"} <= _files(tmp_path / "risk")
    # (a clear lead, to have a why: 3,000 consumers for 120 days, three paired runs; at 500 for 60 days the gap
    # is noise and the verdict says so)
    r = runner.invoke(app, ["attribute", "japan_in_japan", "china_playbook_in_japan", "-n", "3", "--set",
                            "run.population=3000", "--set", "run.days=120", "--serial", "--lang", "zh"])
    assert r.exit_code == 0, r.output
    assert "by mechanism" in r.output and "领先主要来自" in r.output


def test_user_text_is_printed_literally(tmp_path: Path) -> None:
    """A scenario named with rich markup is shown as written, not interpreted."""
    y = tmp_path / "odd.yaml"
    y.write_text("extends: china_in_china\nname: '[red]odd[/red] name'\n")
    r = runner.invoke(app, ["risk", str(y), "-n", "2", *SMALL])
    assert r.exit_code == 0, r.output
    assert "[red]odd[/red] name" in r.output


def test_cohorts_budget_and_pareto_commands(tmp_path: Path) -> None:
    """Cohort tables with the terminal value stated; a budget plan with fresh-seed figures; a Pareto front saved."""
    r = runner.invoke(app, ["cohorts", "china_in_china", "-n", "1", *SMALL])
    assert r.exit_code == 0, r.output
    assert "by join source" in r.output and "not included" in r.output
    r = runner.invoke(app, ["budget", "china_in_china", "--budget", "12000000", "--channel", "ads", "-n", "1",
                            "--validation-reps", "2", "--maxiter", "1", "--popsize", "2", *SMALL])
    assert r.exit_code == 0, r.output
    assert "fresh seeds" in r.output and "in-sample" in r.output
    out = tmp_path / "front"
    r = runner.invoke(app, ["pareto", "china_in_china", "-l", "messaging.per_week=0:14", "-n", "1", "--pop-size", "4",
                            "--generations", "2", *SMALL, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "points" / "point_0.yaml").exists()
    r = runner.invoke(app, ["run", str(out / "points" / "point_0.yaml"), "--set", "run.population=300",
                            "--set", "run.days=30", "--no-save"])
    assert r.exit_code == 0, r.output


def test_budget_refuses_an_unpriced_channel() -> None:
    """Funding KOL where the preset has no KOL price is one message, exit 2."""
    r = runner.invoke(app, ["budget", "japan_in_japan", "--budget", "1000000", "--channel", "kol", *SMALL])
    assert r.exit_code == 2 and "KOL" in r.output


def _tiny(tmp_path: Path, name: str, preset: str, title: str = "tiny") -> str:
    """A scenario file small enough to run without any --set (the README's examples give none)."""
    y = tmp_path / f"{name}.yaml"
    y.write_text(f"extends: {preset}\nname: {json.dumps(title)}\nrun: {{population: 400, days: 40}}\n")
    return str(y)


def _decide_args(command: str, a: str, b: str) -> list[str]:
    return {"breakeven": ["breakeven", a, b, "-p", f"{SAAS}=0:1000", "-n", "1", "--tol", "500"],
            "attribute": ["attribute", a, b, "-n", "1"],
            "risk": ["risk", a, "-n", "2"],
            "cohorts": ["cohorts", a, "-n", "1"],
            "budget": ["budget", a, "--budget", "1000000", "--channel", "ads", "-n", "1", "--validation-reps", "1",
                       "--maxiter", "1", "--popsize", "2"]}[command]


COMMANDS = ["breakeven", "attribute", "risk", "cohorts", "budget"]


@pytest.mark.parametrize("command", COMMANDS)
def test_decision_commands_run_without_any_set(tmp_path: Path, command: str) -> None:
    """Each decision command with no ``--set`` at all (they crashed: 'NoneType' object is not iterable)."""
    a, b = _tiny(tmp_path, "a", "china_in_china"), _tiny(tmp_path, "b", "japan_in_japan")
    r = runner.invoke(app, [*_decide_args(command, a, b), "--serial"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("command", COMMANDS)
def test_decision_commands_show_escape_sequences_in_names_literally(tmp_path: Path, command: str) -> None:
    """A scenario named with terminal escapes (colour, window title): printed as visible escapes, never raw."""
    hostile = "evil\x1b[31m red\x1b]0;title\x07"
    a, b = _tiny(tmp_path, "a", "china_in_china", hostile), _tiny(tmp_path, "b", "japan_in_japan", hostile + "2")
    r = runner.invoke(app, [*_decide_args(command, a, b), "--serial"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
