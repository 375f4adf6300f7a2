"""Issue 14, class 8: tracebacks and silent acceptance at the edges of input and resources.

A full disk is produced for real with ``RLIMIT_FSIZE`` in a child process (writes past the limit fail
with ``EFBIG``, as a full disk fails with ``ENOSPC``): the error names the file the user asked for and
nothing partial or hidden is left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import CancelledError, Executor, Future
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.format import human

ROOT = Path(__file__).resolve().parents[1]
FULL_DISK = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
             "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); sys.argv[0] = 'ptsim'; "
             "from sim.cli import main; main()")


def _full_disk(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FULL_DISK, *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_schema_on_a_full_disk_leaves_no_file(tmp_path: Path) -> None:
    """``schema -o`` on a full disk: exit 1 naming the file; no empty or truncated file, no hidden temporary."""
    p = _full_disk(["schema", "-o", "schema.json"], tmp_path)
    assert p.returncode == 1, p.stderr
    assert "schema.json" in p.stderr and "Traceback" not in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_run_on_a_full_disk_names_the_folder_and_leaves_nothing(tmp_path: Path) -> None:
    """``run`` on a full disk: exit 1, the message names the run folder (not a hidden temporary), nothing left."""
    p = _full_disk(["run", str(ROOT / "scenarios" / "china_in_china.yaml"), "--set", "run.population=400",
                    "--set", "run.days=40", "--out", "myrun"], tmp_path)
    assert p.returncode == 1, p.stderr
    assert "myrun" in p.stderr and ".partial" not in p.stderr and "Traceback" not in p.stderr
    assert list(tmp_path.iterdir()) == []


def test_huge_list_index_in_set_is_a_short_clear_error() -> None:
    """``--set brands.<5000 digits>.x=1``: exit 2 with a short message (int() of 5000 digits raised before)."""
    r = CliRunner().invoke(app, ["validate", "china_in_china", "--set", f"brands.{'9' * 5000}.x=1"])
    assert r.exit_code == 2
    assert "far beyond the end of brands" in r.output and len(r.output) < 2000


def test_huge_list_index_in_a_sweep_axis_is_a_clear_error() -> None:
    """The same index in ``sweep --param``: exit 2, no traceback."""
    axis = f"brands.{'9' * 5000}.strategy.messaging.per_week=1,2"
    r = CliRunner().invoke(app, ["sweep", "china_in_china", "-p", axis, "--serial", "--no-save"])
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


@pytest.mark.parametrize("setting", ["brands.0.strategy.acquisition.ad_budget_per_day=1e308",
                                     "brands.0.strategy.compliance.security_per_day=1e300",
                                     "market.platforms.cpm_base=1e200"])
def test_absurd_money_is_refused(setting: str) -> None:
    """Money amounts have a finite upper bound: 1e308 used to run and print profit as ``-infT``."""
    r = CliRunner().invoke(app, ["validate", "china_in_china", "--set", setting])
    assert r.exit_code == 2
    assert "must be at most 1000000000000" in r.output


@pytest.mark.parametrize(("value", "shown"), [(float("-inf"), "-inf"), (float("inf"), "inf"), (float("nan"), "n/a"),
                                              (None, "n/a"), (-1e308, "CNY -1e+308"), (2.5e12, "CNY 2.50T")])
def test_money_formatting_never_shows_inf_with_a_suffix(value: float | None, shown: str) -> None:
    """Infinite, missing and astronomically large values print as themselves, never ``-infT``."""
    assert human(value, "currency", "CNY") == shown


@pytest.mark.parametrize("address", ["bogus", "tcp://[::1", "tcp://host:99999", "tcp://h:0", ""])
def test_bad_scheduler_address_is_a_clear_error(address: str) -> None:
    """``--scheduler`` that is not HOST:PORT: exit 2 before any connection attempt."""
    r = CliRunner().invoke(app, ["replicate", "china_in_china", "-n", "2", "--scheduler", address, "--no-save"])
    assert r.exit_code == 2, r.output
    assert "--scheduler" in r.output


def test_unreachable_scheduler_is_a_clear_error() -> None:
    """A well-formed address nobody listens on: exit 2 naming the address (after the 10 s connect timeout)."""
    r = CliRunner().invoke(app, ["replicate", "china_in_china", "-n", "2", "--scheduler", "tcp://127.0.0.1:9",
                                 "--no-save"])
    assert r.exit_code == 2, r.output
    assert "cannot reach the Dask scheduler" in r.output


class _LostScheduler(Executor):
    """A remote executor whose scheduler goes away after ``keep`` runs: later futures are cancelled."""

    def __init__(self, keep: int) -> None:
        self.keep, self.n = keep, 0

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN202 - the Executor protocol
        fut: Future = Future()
        self.n += 1
        if self.n <= self.keep:
            fut.set_result(fn(*args, **kwargs))
        else:
            fut.set_exception(CancelledError())
        return fut

    def shutdown(self, wait: bool = True, **kwargs: object) -> None:  # noqa: D102
        return None


def _square(x: int) -> int:
    return x * x


def test_runs_lost_with_the_scheduler_keep_the_finished_ones() -> None:
    """A scheduler lost mid-run: RunsFailed carrying the finished results (a CancelledError escaped before)."""
    from sim.analysis.executors import RunsFailed, map_runs

    with pytest.raises(RunsFailed) as info:
        map_runs(_LostScheduler(keep=3), _square, [(i,) for i in range(6)])
    assert info.value.results[:3] == [0, 1, 4] and info.value.failed == [3, 4, 5]
    assert "scheduler" in info.value.reason


def test_cli_exits_3_when_the_scheduler_is_lost(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """``replicate --scheduler`` whose scheduler dies mid-run: exit 3 with the documented message, no traceback."""
    import contextlib

    import sim.analysis.executors as X
    import sim.cli

    @contextlib.contextmanager
    def lost(*args: object, **kwargs: object):  # noqa: ANN202
        yield _LostScheduler(keep=1)

    monkeypatch.setattr(X, "make_executor", lost)
    monkeypatch.setattr(sys, "argv", ["ptsim", "replicate", "china_in_china", "-n", "3", "--set", "run.population=300",
                                      "--set", "run.days=20", "--scheduler", "tcp://127.0.0.1:8786", "--no-save"])
    with pytest.raises(SystemExit) as info:
        sim.cli.main()
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "scheduler" in err and "nothing was saved" in err and "Traceback" not in err
