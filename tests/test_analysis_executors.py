"""Executors: identical numbers serially, in every kind of process pool and on Dask; how workers start."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from faults import KillOnce

import sim
from sim.analysis import executors as X
from sim.analysis.execution import Execution
from sim.analysis.executors import SerialExecutor, make_executor, map_runs, resolve_start_method, run_kpis
from sim.analysis.replicate import replicate
from sim.analysis.sweep import sweep
from sim.errors import SimInputError

SMALL = ["run.population=1000", "run.days=120"]


@pytest.fixture(scope="module")
def serial_ensemble():
    """Serial ensemble."""
    return replicate("china_in_china", 3, execution=Execution(seed=5, executor="serial", overrides=SMALL))


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_process_pool_gives_identical_numbers(serial_ensemble, method: str) -> None:
    """A process pool reproduces the serial ensemble bit for bit, whichever way its workers start."""
    with make_executor("process", workers=2, start_method=method) as ex:
        pooled = replicate("china_in_china", 3, execution=Execution(seed=5, executor=ex, overrides=SMALL))
        assert ex.method == method
    pd.testing.assert_frame_equal(pooled.series, serial_ensemble.series)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is only chosen on Linux")
def test_auto_forks_only_without_other_python_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """``auto`` forks from a single-threaded process on Linux and uses the forkserver when a thread runs."""
    monkeypatch.delenv(X.START_ENV, raising=False)
    # a fresh, single-threaded interpreter (this test process may run threads left by earlier tests)
    env = {k: v for k, v in os.environ.items() if k != X.START_ENV}
    code = ("import threading\nfrom sim.analysis.executors import resolve_start_method\n"
            "assert threading.active_count() == 1\nprint(resolve_start_method())")
    fresh = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                           cwd=str(Path(__file__).resolve().parents[1]))
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.strip() == "fork"
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert resolve_start_method() == "forkserver"
        assert resolve_start_method("fork") == "fork"  # an explicit choice is obeyed
    finally:
        stop.set()
        t.join()
    monkeypatch.setenv(X.START_ENV, "spawn")
    assert resolve_start_method() == "spawn"


def test_bad_start_methods_name_the_field_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad start method, from the environment or the API, is a SimInputError naming field and value."""
    monkeypatch.setenv(X.START_ENV, "threads")
    with pytest.raises(SimInputError) as info:
        resolve_start_method()
    text = str(info.value)
    assert "PTSIM_START_METHOD" in text and "'threads'" in text and "auto, fork, forkserver, spawn" in text
    with pytest.raises(SimInputError, match="start_method"):
        with make_executor("process", workers=2, start_method="vfork"):
            pass


SPY = """
import sys, threading
import sim.analysis.executors as X

log, argv = sys.argv[1], sys.argv[2:]
new, map_runs = X.RestartablePool._new, X.map_runs


def note(text):
    with open(log, "a") as fh:
        fh.write(text + "\\n")


def spy_new(self):
    pool = new(self)
    note(f"pool {self.method}")
    return pool


def spy_map(*args, **kwargs):
    note("bar " + str(any(type(t).__name__ == "_RefreshThread" for t in threading.enumerate())))
    return map_runs(*args, **kwargs)


X.RestartablePool._new, X.map_runs = spy_new, spy_map
import sim.analysis.replicate as R
R.map_runs = spy_map
from sim.cli import main

if __name__ == "__main__":
    sys.argv = ["ptsim", *argv]
    main()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is only chosen on Linux")
def test_a_command_on_a_terminal_forks_its_workers_before_its_progress_bar(tmp_path: Path) -> None:
    """On a terminal the progress bar runs a refresh thread; the pool is made (and forked) before it starts."""
    import pty

    spy, log = tmp_path / "spy.py", tmp_path / "log.txt"
    spy.write_text(SPY)
    primary, secondary = pty.openpty()
    drained = []
    reader = threading.Thread(target=_drain, args=(primary, drained), daemon=True)
    reader.start()
    args = ["replicate", "china_in_china", "-n", "2", "--no-save", "-w", "2", *[a for o in SMALL for a in ("--set", o)]]
    env = {k: v for k, v in os.environ.items() if k != X.START_ENV}
    proc = subprocess.run([sys.executable, str(spy), str(log), *args], stdin=secondary, stdout=secondary,
                          stderr=secondary, env={**env, "TERM": "xterm-256color", "COLUMNS": "120"},
                          cwd=Path(__file__).resolve().parents[1], timeout=600, check=False)
    os.close(secondary)
    reader.join(timeout=10)
    assert proc.returncode == 0, b"".join(drained)[-2000:]
    notes = log.read_text().split("\n")
    assert notes[0] == "pool fork", notes  # chosen (and forked) while the command ran no other thread
    assert "bar True" in notes, notes  # and the progress bar's thread did run afterwards


def _drain(fd: int, into: list[bytes]) -> None:
    """Read a pseudo-terminal until it closes (a full terminal buffer would block the command)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.append(chunk)


def test_forking_a_pool_raises_no_warning() -> None:
    """Forked workers launch without CPython's multi-threaded fork warning (native BLAS threads only)."""
    sc = sim.resolve("china_in_china", SMALL)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with make_executor("process", workers=2, start_method="fork") as ex:
            map_runs(ex, run_kpis, [(sc, 1), (sc, 2)])
    assert not [w for w in seen if "fork" in str(w.message)], [str(w.message) for w in seen]


def test_forkserver_pool_is_renewed_after_a_worker_died(tmp_path: Path) -> None:
    """A pool of forkserver workers (the server already running) whose worker is killed is renewed once."""
    sc = sim.resolve("china_in_china", SMALL)
    with make_executor("process", workers=1, start_method="forkserver") as ex:  # the server is up from here
        map_runs(ex, run_kpis, [(sc, 1)])
    marker = tmp_path / "killed-once"
    with make_executor("process", workers=2, start_method="forkserver") as ex:
        got = map_runs(ex, KillOnce(run_kpis, marker), [(sc, 1), (sc, 2)])
        assert ex.restarts == 1
    assert marker.exists()
    assert [int(g["seed"].iloc[0]) for g in got] == [1, 2]


def test_warm_up_reaches_every_kernel(tmp_path: Path) -> None:
    """After warm_kernels(), a run of every preset scenario compiles or loads nothing more."""
    script = """
import sim
from numba.core.registry import CPUDispatcher
from sim.model.warmup import warm_kernels
from sim.scenario.presets import list_presets

def signatures():
    out = {}
    for name, mod in list(sys.modules.items()):
        if name.startswith("sim.") and mod is not None:
            for key, value in vars(mod).items():
                dispatcher = getattr(value, "dispatcher", value)  # a daily kernel (sim.model.kernel.Kernel) wraps one
                if isinstance(dispatcher, CPUDispatcher):
                    out[name + "." + key] = len(dispatcher.signatures)
    return out

warm_kernels()
before = signatures()
presets = list_presets()
for name in presets["scenarios"] + presets["validation"]:
    sim.run(sim.resolve(name, ["run.population=3000", "run.days=45"]))
after = signatures()
print({k: (before.get(k, 0), n) for k, n in after.items() if n != before.get(k, 0)})
"""
    out = subprocess.run([sys.executable, "-c", "import sys\n" + script], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], env={**os.environ}, check=False, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "{}", out.stdout


def test_dask_local_cluster_gives_identical_numbers(serial_ensemble) -> None:
    """A loopback Dask cluster (worker processes) reproduces the serial numbers; scheduler by address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        ens = replicate("china_in_china", 3,
                        execution=Execution(seed=5, scheduler=cluster.scheduler_address, overrides=SMALL))
        pd.testing.assert_frame_equal(ens.series, serial_ensemble.series)
        # the same seed submitted twice is run twice (pure=False), and sweeps work too
        res = sweep(
            sim.resolve("china_in_china", SMALL),
            ["messaging.per_week=1,7"],
            reps=1,
            execution=Execution(scheduler=cluster.scheduler_address),
        )
        local = sweep(sim.resolve("china_in_china", SMALL), ["messaging.per_week=1,7"], reps=1,
                      execution=Execution(executor="serial"))
        pd.testing.assert_frame_equal(res.table, local.table)


def test_any_executor_object_is_accepted(serial_ensemble) -> None:
    """Any executor object is accepted."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        ens = replicate("china_in_china", 3, execution=Execution(seed=5, executor=pool, overrides=SMALL))
    pd.testing.assert_frame_equal(ens.series, serial_ensemble.series)


def test_map_runs_keeps_order_and_reports_progress() -> None:
    """Map runs keeps order and reports progress."""
    sc = sim.resolve("china_in_china", SMALL)
    seen = []
    with make_executor("serial") as ex:
        out = map_runs(ex, run_kpis, [(sc, 2), (sc, 1)], progress=lambda d, t: seen.append((d, t)))
    assert [int(o["seed"].iloc[0]) for o in out] == [2, 1]
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_serial_executor_delivers_exceptions() -> None:
    """Serial executor delivers exceptions."""
    ex = SerialExecutor()
    fut = ex.submit(int, "not a number")
    assert isinstance(fut.exception(), ValueError)
    ex.shutdown()
    with pytest.raises(RuntimeError):
        ex.submit(int, "1")


def test_bad_executor_choices() -> None:
    """Bad executor choices."""
    with pytest.raises(SimInputError, match="must be 'process', 'serial' or 'dask'"):
        with make_executor("gpu"):
            pass
    with pytest.raises(SimInputError, match="scheduler address is needed"):
        with make_executor("dask"):
            pass
    with pytest.raises(SimInputError, match="at least 1"):
        with make_executor("process", workers=0):
            pass
