"""Command-line options from an adversarial pass: each bad input is one message, exit status 2, before any run.

Every test here reproduces what a tester typed and asserts what they see: the exit status, the one ``error:``
line naming the option, the value and what was expected, and that no run started (runs are ``--serial``, so a
run in this process would call :meth:`MarketModel.run_days`, which the ``no_runs`` fixture makes fail).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()
TINY = ["--set", "run.population=500", "--set", "run.days=40", "--serial"]


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any simulated day in this process fails the test: the input must be refused before running."""
    from sim.model.market import MarketModel

    def started(*_: object, **__: object) -> None:
        raise AssertionError("a run started although the input should have been refused first")

    monkeypatch.setattr(MarketModel, "run_days", started)


def _refused(args: list[str], *expected: str) -> str:
    """Run ``ptsim ARGS``; assert exit status 2, one ``error:`` line holding every expected text, no traceback."""
    r = runner.invoke(app, args)
    text = r.output
    assert r.exit_code == 2, text
    assert "Traceback" not in text and not isinstance(r.exception, AssertionError), text
    assert text.count("error:") == 1, text
    message = text[text.index("error:"):]
    for e in expected:
        assert e in message, f"{e!r} not in {message!r}"
    return message


# ---- 1. decision commands check --out before running ----------------------------------------------------------


DECIDE_ARGS = {
    "attribute": ["attribute", "japan_in_japan", "china_in_china", "-n", "2"],
    "risk": ["risk", "japan_in_japan", "-n", "2"],
    "risk --stress": ["risk", "japan_in_japan", "-n", "2", "--stress", "breach:5"],
    "cohorts": ["cohorts", "japan_in_japan", "-n", "1"],
    "breakeven": ["breakeven", "japan_in_japan", "china_in_china", "-p", "messaging.per_week=1:2", "-n", "2"],
    "budget": ["budget", "japan_in_japan", "--budget", "1000000", "--channel", "ads", "-n", "1",
               "--validation-reps", "1", "--maxiter", "1", "--popsize", "2"],
}


@pytest.mark.parametrize("command", list(DECIDE_ARGS))
def test_decision_commands_refuse_a_users_folder_before_running(tmp_path: Path, no_runs: None, command: str) -> None:
    """``--out mine --overwrite`` on a folder ptsim did not write: refused up front; the user's file is kept."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "a").write_text("x")
    _refused([*DECIDE_ARGS[command], *TINY, "--out", str(mine), "--overwrite"], "--out", str(mine),
             "not a ptsim result folder")
    assert (mine / "a").read_text() == "x"


@pytest.mark.parametrize("command", ["attribute", "risk", "cohorts"])
def test_decision_commands_refuse_a_symbolic_link_before_running(tmp_path: Path, no_runs: None, command: str) -> None:
    """A symbolic link as ``--out`` (even to an empty folder, even with ``--overwrite``) is never replaced."""
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    _refused([*DECIDE_ARGS[command], *TINY, "--out", str(link), "--overwrite"], "--out", "symbolic link")
    assert link.is_symlink()


# ---- 2. a paired comparison across currencies ------------------------------------------------------------------


def test_paired_kpis_across_currencies_equal_a_manual_conversion() -> None:
    """JPY against CNY: money KPIs are each side divided by its units per US dollar, then differenced."""
    import numpy as np

    from sim.analysis.executors import run_kpis
    from sim.analysis.paths import scenario_doc
    from sim.analysis.robustness import run_paired_kpis
    from sim.results.kpis import KPI_INFO, KPI_NAMES
    from sim.scenario.schema import FX_PER_USD
    from tests.conftest import small

    a, b = (scenario_doc(small(n, 500, 40)) for n in ("japan_in_japan", "china_in_china"))
    got = run_paired_kpis(a, b, seed=11)
    ka, kb = run_kpis(a, 11, (None,)), run_kpis(b, 11, (None,))
    money = [k for k in KPI_NAMES if KPI_INFO[k][1].startswith("currency")]
    assert "profit" in money and "pool_size" not in money
    for k in KPI_NAMES:
        fa, fb = (1 / FX_PER_USD["JPY"], 1 / FX_PER_USD["CNY"]) if k in money else (1.0, 1.0)
        np.testing.assert_allclose(got[k].to_numpy(), ka[k].to_numpy() * fa - kb[k].to_numpy() * fb, rtol=1e-12,
                                   err_msg=k)
    assert got["profit"].abs().max() > 0  # (a real difference, not zeros)


def test_sweep_versus_another_currency_prints_the_usd_differences() -> None:
    """``sweep japan_in_japan --versus china_in_china`` used to crash (a read-only array); it prints its table."""
    r = runner.invoke(app, ["sweep", "japan_in_japan", "-p", "messaging.per_week=1,2", "--versus", "china_in_china",
                            *TINY, "--no-save"])
    assert r.exit_code == 0, r.output
    assert "minus china_in_china" in r.output and "best cell" in r.output


# ---- 3. a sweep axis on a text field -------------------------------------------------------------------------


@pytest.mark.parametrize(("axis", "path", "found"), [
    ("brands.0.name=a,b", "brands.0.name", "['a', 'b']"),  # crashed after every run (unstack of a plain index)
    ("market.currency=JPY,USD", "market.currency", "['JPY', 'USD']"),  # relabelled yen as dollars, silently
    ("name=x", "name", "'x'"),
])
def test_sweep_refuses_a_text_field_as_an_axis_before_running(no_runs: None, axis: str, path: str,
                                                               found: str) -> None:
    """Names and codes are not axes: one message naming the path, the values and what an axis may be."""
    _refused(["sweep", "japan_in_japan", "-p", axis, *TINY, "--no-save"], "--param", path, "text field",
             "must be a number, true/false or one of a field's fixed choices", f"(found {found})")


def test_a_field_with_fixed_choices_remains_a_sweep_axis() -> None:
    """Words are fine where the field has fixed choices (the regime kind): the axis holds them as typed."""
    import sim
    from sim.analysis.paths import parse_axis

    axis = parse_axis(sim.resolve("japan_in_japan"), "market.regime.kind=explicit_opt_in,consent_at_join")
    assert axis.values == ("explicit_opt_in", "consent_at_join")


# ---- 4. a budget above the cap on money ------------------------------------------------------------------------

BUDGET = ["budget", "japan_in_japan", "--channel", "ads", "-n", "1", "--validation-reps", "1", "--maxiter", "1",
          "--popsize", "2"]


@pytest.mark.parametrize("amount", ["1e14", "1e13", "1000000000001"])
def test_budget_above_the_money_cap_is_refused_before_running(no_runs: None, amount: str) -> None:
    """1e14 crashed (a validation error, then scipy); 1e13 ran and printed "JPY 10.00T"; both exceed MAX_MONEY."""
    _refused([*BUDGET, "--budget", amount, *TINY], "--budget: must be at most 1e+12",
             f"(found {float(amount):g})")


def test_budget_at_the_cap_keeps_a_kol_fee_within_it() -> None:
    """The cap itself is accepted; a KOL fee (a daily share times the days between campaigns) stays capped too."""
    r = runner.invoke(app, ["budget", "china_in_china", "--budget", "1e12", "--channel", "kol", "-n", "1",
                            "--validation-reps", "1", "--maxiter", "1", "--popsize", "2", *TINY,
                            "--set", "brands.0.strategy.acquisition.kol.every_days=3650"])
    assert r.exit_code == 0, r.output
    assert "fresh seeds" in r.output


# ---- 5. extreme sweep ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("axis", "expected"), [
    ("messaging.per_week=-1e308:1e308:3", "messaging.per_week: value -1e+308: must be at least 0"),
    ("referral.referrer_reward=0:1e308:3", "referral.referrer_reward: value 5e+307: must be at most"),
    ("run.days=-1e308:1e308:3", "run.days: value -1e+308: must be at least 1"),  # (a whole-number field)
])
def test_an_extreme_sweep_range_names_a_point_it_produced(no_runs: None, axis: str, expected: str) -> None:
    """-1e308:1e308 overflowed to NaN (two numpy warnings, then "value nan"); now the message shows a real point."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the command, and so the test
        message = _refused(["sweep", "japan_in_japan", "-p", axis, *TINY, "--no-save"], "--param", expected)
    assert "nan" not in message


def test_even_points_keep_their_ends_and_never_overflow() -> None:
    """The points of a range: both ends exact, evenly spaced, finite, inside the range."""
    from sim.analysis.paths import even_points

    assert even_points(-1e308, 1e308, 3) == [-1e308, 0.0, 1e308]
    assert even_points(1, 14, 14) == [float(v) for v in range(1, 15)]  # (exact, as before)
    assert even_points(-1.5e308, 1.5e308, 5) == [-1.5e308, -7.5e307, 0.0, 7.5e307, 1.5e308]
    pts = even_points(1.7e308, 1.79e308, 7)
    assert pts[0] == 1.7e308 and pts[-1] == 1.79e308 and pts == sorted(pts)


# ---- 6 and 7. --day, from 1 to the run's days, checked before running ------------------------------------------

DAY_COMMANDS = {
    "compare": ["compare", "japan_in_japan", "china_in_china"],
    "compare --reps": ["compare", "japan_in_japan", "china_in_china", "--reps", "2"],
    "attribute": DECIDE_ARGS["attribute"],
    "risk": DECIDE_ARGS["risk"],
    "risk --stress": DECIDE_ARGS["risk --stress"],
    "breakeven": DECIDE_ARGS["breakeven"],
    "sweep": ["sweep", "japan_in_japan", "-p", "messaging.per_week=1,2", "--no-save"],
    "sweep --versus": ["sweep", "japan_in_japan", "-p", "messaging.per_week=1,2", "--versus", "china_in_china",
                       "--no-save"],
    "sensitivity": ["sensitivity", "japan_in_japan", "-p", "messaging.per_week=1:2", "-p",
                    "referral.referrer_reward=0:10", "--n", "4", "--no-save"],
    "optimise": ["optimise", "japan_in_japan", "-l", "messaging.per_week=1:2", "--no-save"],
}


@pytest.mark.parametrize("day", ["0", "-3", "41", "999999999999999999999"])
@pytest.mark.parametrize("command", list(DAY_COMMANDS))
def test_day_outside_the_run_is_refused_before_running(no_runs: None, command: str, day: str) -> None:
    """A day outside 1..40 is one message naming --day, before any run, in every command that takes it.

    ``compare`` without ``--reps`` ignored --day (exit 0, day 40 shown); elsewhere a day past the horizon was
    found after every run, as ``day: day: must be between 0 and 39`` (0-based, prefix doubled).
    """
    message = _refused([*DAY_COMMANDS[command], *TINY, "--day", day],
                       "--day: must be from 1 to 40 (the run's days)", f"(found {day})")
    assert "day: day" not in message and "between 0 and" not in message


def test_compare_without_reps_shows_the_day_asked_for() -> None:
    """``compare --day 10`` on a 40-day run shows the KPIs at day 10 (it showed day 40)."""
    r = runner.invoke(app, [*DAY_COMMANDS["compare"], *TINY, "--day", "10"])
    assert r.exit_code == 0, r.output
    assert "KPIs at day 10" in r.output and "day 40" not in r.output


# ---- 8. --lang is checked the same way everywhere -----------------------------------------------------------


@pytest.mark.parametrize("command", ["tournament", "report", "attribute", "breakeven"])
def test_an_unknown_language_is_refused_by_every_command(tmp_path: Path, no_runs: None, command: str) -> None:
    """``tournament --lang xx`` ran and exited 0 while ``report --lang xx`` exited 2: now each says the same."""
    entry = tmp_path / "entry.yaml"
    entry.write_text("extends: strategies/hybrid\n")
    args = {"tournament": ["tournament", str(entry), str(entry), "--reps", "2", "--serial"],
            "report": ["report", "japan_in_japan"],  # (report has no --serial: one run)
            "attribute": [*DECIDE_ARGS["attribute"], "--serial"],
            "breakeven": [*DECIDE_ARGS["breakeven"], "--serial"]}[command]
    _refused([*args, *TINY[:4], "--lang", "xx", "-o", str(tmp_path / "out")],
             "--lang: must be one of en, zh, ja (found 'xx')")
    assert not (tmp_path / "out").exists()


# ---- 9 and 11. each message names the option once, with the value found and what was expected ---------------

BREAKEVEN = DECIDE_ARGS["breakeven"]
OPTION_CASES = {
    # (--grid 100000 blamed --max-evals, "from 100000 to 200")
    "grid": ([*BREAKEVEN, "--grid", "100000"], "--grid: must be a whole number from 2 to 40", "(found 100000)"),
    "grid_one": ([*BREAKEVEN, "--grid", "1"], "--grid: must be a whole number from 2 to 40", "(found 1)"),
    "max_evals": ([*BREAKEVEN, "--max-evals", "1000"], "--max-evals: must be a whole number from 2 to 200",
                  "(found 1000)"),
    "tol": ([*BREAKEVEN, "--tol", "-1"], "--tol: must be positive", "(found -1.0)"),
    "stress": ([*DECIDE_ARGS["risk"], "--stress", "bogus"], "--stress: must look like KIND:DAY", "(found 'bogus')"),
    "budget": ([*BUDGET, "--budget", "-5"], "--budget: must be a positive number", "(found -5.0)"),
    "seed": (["compare", "japan_in_japan", "--reps", "2", "--seed", "3"], "--seed: with --reps use --root-seed"),
    "seed_negative": (["compare", "japan_in_japan", "--seed", "-1"], "--seed: must be a whole number 0 or more"),
    "n_replicate": (["replicate", "japan_in_japan", "-n", "-2", "--no-save"], "-n/--reps: must be a whole number "
                    "from 1 to 10,000", "(found -2)"),
    "n_risk": ([*DECIDE_ARGS["risk"], "-n", "0"], "-n/--reps: must be a whole number from 1", "(found 0)"),
    "n_compare": (["compare", "japan_in_japan", "-n", "0"], "-n/--reps: must be", "(found 0)"),
    "n_sweep": (["sweep", "japan_in_japan", "-p", "messaging.per_week=1,2", "-n", "0", "--no-save"],
                "-n/--reps: must be", "(found 0)"),
    "reps_sensitivity": (["sensitivity", "japan_in_japan", "-p", "messaging.per_week=1:2", "-p",
                          "referral.referrer_reward=0:10", "--reps", "0", "--no-save"], "--reps: must be",
                         "(found 0)"),
    "validation_reps": ([*BUDGET[:-6], "--budget", "1e6", "--validation-reps", "0"], "--validation-reps: must be",
                        "(found 0)"),
}


@pytest.mark.parametrize("case", list(OPTION_CASES))
def test_each_bad_option_is_named_once_with_its_value(no_runs: None, case: str) -> None:
    """Each message starts with the option as typed, once, then what was expected and the value found.

    Before: ``--stress: --stress:``, ``--budget: budget:``, ``--seed: seed:``, ``--tol: tol:``, ``n:`` or
    ``reps:`` for ``-n``, and ``--grid 100000`` blamed on --max-evals.
    """
    args, *expected = OPTION_CASES[case]
    message = _refused([*args, *TINY], *expected)
    option = expected[0].split(":")[0]
    assert message.startswith(f"error: {option}: "), message
    rest = message.removeprefix(f"error: {option}: ")
    assert not rest.startswith((option, option.split("/")[-1].lstrip("-").replace("-", "_") + ":")), message


# ---- 10. exchange rates within bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "shown"), [("5e-324", "5e-324"), ("1e-300", "1e-300"), ("0.00009", "9e-05"),
                                            ("0", "0"), ("1e7", "10000000.0")])
def test_an_absurd_exchange_rate_is_refused_before_running(no_runs: None, rate: str, shown: str) -> None:
    """5e-324 ran and showed Profit -inf, "tie in all 2 seeds"; 1e-300 showed about USD 1e306."""
    _refused(["compare", "japan_in_japan", "china_in_china", "--reps", "2", *TINY,
              "--set", f"market.fx_per_usd={rate}"],
             "market.fx_per_usd: must be at", "range 0.0001 to 1000000", f"(found {shown})")


def test_every_preset_scenario_validates_within_the_exchange_rate_bounds() -> None:
    """The bounds leave every shipped scenario valid, and the lowest rate allowed still gives finite dollars."""
    import math

    from sim.scenario.presets import list_presets
    from sim.scenario.schema import FX_MAX, FX_MIN, FX_PER_USD, MAX_MONEY

    names = list_presets()["scenarios"]
    r = runner.invoke(app, ["validate", *names])
    assert r.exit_code == 0 and r.output.count("ok ") == len(names), r.output
    assert all(FX_MIN * 1000 < v < FX_MAX / 100 for v in FX_PER_USD.values())
    assert math.isfinite(10 * 365 * MAX_MONEY / FX_MIN)  # (ten years of the largest daily amount, in dollars)


# ---- 12. options that contradict each other --------------------------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["run", "japan_in_japan", "--no-save", "--out", "{out}"], ["--no-save: cannot be combined with --out"]),
    (["replicate", "japan_in_japan", "-n", "2", "--no-save", "--out", "{out}"],
     ["--no-save: cannot be combined with --out"]),
    (["sweep", "japan_in_japan", "-p", "messaging.per_week=1,2", "--no-save", "--out", "{out}"],
     ["--no-save: cannot be combined with --out"]),
    (["sweep", "japan_in_japan", "-p", "messaging.per_week=1,2", "--versus-too", "--no-save"],
     ["--versus-too: needs --versus"]),
    ([*BUDGET[:2], "--budget", "1e6", "--channel", "ads", "--channel", "ads"],
     ["--channel: names ads twice", "(found ['ads', 'ads'])"]),
], ids=["run", "replicate", "sweep", "versus_too", "budget_channel"])
def test_contradicting_options_are_refused_naming_both(tmp_path: Path, no_runs: None, args: list[str],
                                                        expected: list[str]) -> None:
    """``--no-save --out``, ``--versus-too`` without ``--versus`` and a channel named twice were silently ignored."""
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in args]
    tiny = TINY[:4] if args[0] == "run" else TINY  # (run has no --serial: it is one run)
    _refused([*args, *tiny], *expected)
    assert not out.exists()
