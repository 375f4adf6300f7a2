"""Issue 14, classes 4 and 8: customer calibration never crashes on valid data, and dates are parsed strictly.

The BG/NBD and Gamma-Gamma fits search log-parameters within bounds from several deterministic
starts; where the data point to a limit (no heterogeneity, no dropout) the fit says so in a note, and
where they cannot set a scenario at all the error says so in plain words. Before the fix about one small
log in thirty ended in ``ValueError: math domain error`` from an unbounded Nelder-Mead step.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim
from sim.analysis import calibrate_customers
from sim.analysis.calibrate import read_customer_data, read_transactions
from sim.errors import SimInputError

BASE = sim.resolve("china_in_china", ["run.population=300", "run.days=30"])


def _log(seed: int, customers: int, most: int) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        for d in g.integers(0, 400, int(g.integers(1, most + 1))):
            day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d))).date().isoformat()
            rows.append((f"c{c}", day, round(float(g.uniform(1, 300)), 2)))
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


def _check(df: pd.DataFrame) -> None:
    try:
        res = calibrate_customers(df, BASE)
    except SimInputError as exc:
        text = str(exc)
        assert "Traceback" not in text and len(text) > 20
        assert any(w in text for w in ("customer", "cannot identify", "repeat purchase", "monetary_value")), text
        return
    bg = res.bgnbd
    assert all(math.isfinite(v) and v > 0 for v in (bg.r, bg.alpha, bg.a, bg.b))
    for trait in res.traits.values():
        assert all(math.isfinite(v) for v in trait.values() if isinstance(v, float))
    assert res.scenario.market.segments


@pytest.mark.parametrize("seed", [9, 46, 73])  # logs that crashed with "math domain error" before the fix
def test_logs_that_crashed_now_fit_or_explain(seed: int) -> None:
    """The first three logs of this generator (seeds 0-73) that crashed before: a finite fit or a clear message."""
    _check(_log(seed, 2 + seed % 10, 5))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), customers=st.integers(2, 15), most=st.integers(1, 8))
def test_random_valid_logs_never_crash(seed: int, customers: int, most: int) -> None:
    """Random small, plausible transaction logs: never a traceback; finite traits or a SimInputError."""
    _check(_log(seed, customers, most))


def test_cli_on_a_small_log_exits_0_or_2(tmp_path: Path) -> None:
    """``ptsim calibrate customers`` on a tiny log: exit 0 or 2 with one error line, never a traceback."""
    from sim.cli import app

    f = tmp_path / "log.csv"
    _log(24, 3, 3).to_csv(f, index=False)
    r = CliRunner().invoke(app, ["calibrate", "customers", str(f), "--base", "china_in_china", "--no-save"])
    assert r.exit_code in (0, 2), r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


MIXED = ["2024-01-01T23:30+09:00", "2024-01-02T10:00-05:00", "2024-01-03T08:00Z", "2024-01-04"]


def test_mixed_utc_offsets_keep_the_local_date() -> None:
    """A log mixing UTC offsets parses; each purchase keeps its local calendar date."""
    df = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "date": MIXED})
    got = read_transactions(df)["date"].dt.strftime("%Y-%m-%d").tolist()
    assert got == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


@pytest.mark.parametrize("fmt", ["%Q", "%", "abc", "%Y-%m-%dT%H:%M%z"])
def test_odd_date_formats_are_clear_errors(fmt: str) -> None:
    """A format that is not strptime, a stray %, or offsets the format cannot reconcile: a SimInputError."""
    df = pd.DataFrame({"customer_id": ["a", "b", "c"], "date": ["2024-01-01T10:00+0900", "2024-01-02T10:00-0500",
                                                                "2024-01-03T10:00+0000"]})
    with pytest.raises(SimInputError) as info:
        read_transactions(df, date_format=fmt)
    assert "date" in str(info.value)


@pytest.mark.parametrize("end", ["xyz", "2024-13-45", "%"])
def test_unparseable_observation_end_is_a_clear_error(end: str) -> None:
    """``--observation-end`` that is not a date names the option and the value."""
    df = pd.DataFrame({"customer_id": ["a", "b", "c"], "date": ["2024-01-01", "2024-02-01", "2024-03-01"]})
    with pytest.raises(SimInputError, match="--observation-end"):
        read_customer_data(df, observation_end=end)


def test_customer_ids_like_formulas_are_neutralised_in_rfm_csv(tmp_path: Path) -> None:
    """Customer ids such as ``=HYPERLINK(...)`` reach the saved rfm.csv with a leading quote."""
    df = _log(3, 6, 4)
    df["customer_id"] = df["customer_id"].map({f"c{i}": v for i, v in enumerate(
        ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-2+3", "plain", "c5"])})
    res = calibrate_customers(df, BASE)  # this fixed log identifies the model: a failure here is a regression
    folder = res.save(tmp_path / "cal")
    text = (folder / "rfm.csv").read_text()
    import csv
    import io

    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]  # the customer-id column
    for bad in ('=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-2+3"):
        assert f"'{bad}" in cells, (bad, cells)  # every hostile id is there, neutralised
    assert not [c for c in cells if c.startswith(("=", "@", "+", "-"))]
