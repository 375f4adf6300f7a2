"""The options every multi-run command shares: ``--root-seed --workers --serial --scheduler`` (sim.cli.common).

One definition serves every analysis command: each shows the same options with the same help and
defaults, hands the values it was given to its runs, and refuses a bad value before any run with one
``error:`` line that names the option (exit status 2, no traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from sim.cli import app
from sim.cli.common import RunOn, with_run_on
from sim.errors import SimInputError

runner = CliRunner()
SMALL = ["--set", "run.population=200", "--set", "run.days=20"]
LEVER = "brands.0.strategy.messaging.per_week=1:5"


def _commands(tmp: Path) -> dict[str, list[str]]:
    """Every multi-run command with arguments that pass its own checks (up to its first run)."""
    observed = tmp / "observed.csv"
    observed.write_text("month,pool_size\n1,100\n2,200\n")
    entry = tmp / "alice.yaml"
    entry.write_text("extends: strategies/japan_membership\n")
    other = tmp / "bob.yaml"
    other.write_text("extends: strategies/hybrid\n")
    return {
        "replicate": ["replicate", "china_in_china", "-n", "2", "--no-save", *SMALL],
        "sweep": ["sweep", "china_in_china", "-p", "brands.0.strategy.messaging.per_week=1,2", "--no-save", *SMALL],
        "sensitivity": ["sensitivity", "china_in_china", "-p", LEVER, "-p", "brands.0.strategy.messaging.per_week=1:2",
                        "--no-save", *SMALL],
        "optimise": ["optimise", "china_in_china", "-l", LEVER, "--no-save", *SMALL],
        "calibrate series": ["calibrate", "series", str(observed), "-b", "china_in_china", "-p", LEVER, "--no-save",
                             *SMALL],
        "compare": ["compare", "china_in_china", "hybrid_in_japan", "-n", "2", *SMALL],
        "breakeven": ["breakeven", "china_in_china", "hybrid_in_japan", "-p", LEVER, *SMALL],
        "attribute": ["attribute", "china_in_china", "hybrid_in_japan", *SMALL],
        "risk": ["risk", "china_in_china", *SMALL],
        "cohorts": ["cohorts", "china_in_china", *SMALL],
        "budget": ["budget", "china_in_china", "--budget", "1000", *SMALL],
        "pareto": ["pareto", "china_in_china", "-l", LEVER, *SMALL],
        "tournament": ["tournament", str(entry), str(other), "-n", "2", "--out", str(tmp / "tour"), *SMALL],
    }


NAMES = ("replicate", "sweep", "sensitivity", "optimise", "calibrate series", "compare", "breakeven", "attribute",
         "risk", "cohorts", "budget", "pareto", "tournament")


def _click_command(name: str) -> Any:
    """The command as Typer built it (Typer carries its own copy of click)."""
    cmd = typer.main.get_command(app)
    for word in name.split():
        cmd = cmd.commands[word]
    return cmd


def _options(cmd: Any) -> dict[str, Any]:
    return {p.opts[0]: p for p in cmd.params if isinstance(p, typer.core.TyperOption)}


def test_every_multi_run_command_shows_the_same_options_with_the_same_help_and_defaults() -> None:
    """One definition: each command has the four options; help and defaults equal replicate's."""
    ref = _options(_click_command("replicate"))
    assert "--scheduler" in ref and ref["--workers"].opts == ["--workers", "-w"]
    for name in NAMES:
        opts = _options(_click_command(name))
        for flag in ("--workers", "--serial", "--scheduler", "--root-seed"):
            assert flag in opts, (name, flag)
            assert opts[flag].default == ref[flag].default, (name, flag)
            assert opts[flag].opts == ref[flag].opts, (name, flag)
            if name != "tournament" or flag != "--root-seed":  # the tournament's seed defaults to the arena's
                assert opts[flag].help == ref[flag].help, (name, flag)
        assert "arena" in _options(_click_command("tournament"))["--root-seed"].help


@pytest.mark.parametrize("name", NAMES)
def test_every_command_hands_the_options_to_its_runs(name: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``--root-seed 7 --workers 2 --serial`` reach the command's executor as given (stopped at its first run)."""
    seen: list[RunOn] = []

    def start(self: RunOn, title: str, tasks: int | None = None, overrides: object = ()):  # noqa: ANN202
        seen.append(self)
        raise SimInputError.single("", "test", "stopped before the first run")

    monkeypatch.setattr(RunOn, "start", start)
    r = runner.invoke(app, [*_commands(tmp_path)[name], "--root-seed", "7", "--workers", "2", "--serial"])
    assert r.exit_code == 2, r.output
    assert "stopped before the first run" in r.output
    assert seen == [RunOn(root_seed=7, workers=2, serial=True, scheduler=None)]


BAD = [
    (["--workers", "0"], "--workers: must be at least 1 (found 0)"),
    (["--workers", "-3"], "--workers: must be at least 1 (found -3)"),
    (["--root-seed", "-1"], "--root-seed: must be a whole number 0 or more (found -1)"),
    (["--scheduler", "  "], "--scheduler: is empty"),
    (["--serial", "--scheduler", "tcp://127.0.0.1:9"], "--serial: cannot be combined with --scheduler"),
    (["--workers", "many"], "--workers"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("bad", "message"), BAD, ids=[" ".join(b) for b, _ in BAD])
def test_every_command_refuses_bad_values_naming_the_option(name: str, bad: list[str], message: str,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad value ends before any run with one message naming the option, exit status 2, no traceback."""

    def start(*_a: object, **_k: object) -> None:
        raise AssertionError("a run started despite a bad option")

    monkeypatch.setattr(RunOn, "start", start)
    r = runner.invoke(app, [*_commands(tmp_path)[name], *bad])
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output and not isinstance(r.exception, AssertionError)


@pytest.mark.parametrize("args", [["compare", "china_in_china", "--seed", "-1"],
                                  ["report", "china_in_china", "--seed", "-5", "-o", "x.html"]])
def test_single_run_seeds_are_refused_when_negative(args: list[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``--seed -1`` is refused with a message naming it (NumPy's seed tree raised a traceback before)."""
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert "--seed: must be a whole number 0 or more" in r.output
    assert not (tmp_path / "x.html").exists()


def test_the_decorator_keeps_the_commands_own_parameters_and_refuses_a_command_without_run_on() -> None:
    """The options stand where ``run_on`` stood; the command's own parameters keep their order and defaults."""
    import inspect

    def cmd(a: int = 1, run_on: RunOn = RunOn(), b: str = "x") -> tuple:  # noqa: B008
        return a, run_on, b

    wrapped = with_run_on(cmd)
    assert list(inspect.signature(wrapped).parameters) == ["a", "root_seed", "workers", "serial", "scheduler", "b"]
    assert wrapped(a=2, workers=3, b="y") == (2, RunOn(workers=3), "y")
    assert wrapped() == (1, RunOn(), "x")
    with pytest.raises(typer.Exit):
        wrapped(workers=0)

    def no_run_on(a: int = 1) -> int:
        return a

    with pytest.raises(TypeError, match="no run_on"):
        with_run_on(no_run_on)
