"""Faults: killed commands leave nothing half-written, dead workers are retried or reported, damage is detected.

Worker deaths are injected with test-only work units (``tests/faults.py``, never imported by ``sim``):
:class:`faults.KillOnce` kills the first worker that creates a marker file with SIGKILL (a transient
crash), :class:`faults.KillIf` kills every worker that runs a scenario with a value at a path (a run that
always crashes, like one the out-of-memory killer stops every time). They reach the analyses by
monkeypatching the work unit an analysis module calls; product code has no fault hook.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import psutil
import pytest
from faults import KillOnce
from typer.testing import CliRunner

import sim
from sim.analysis import executors as X
from sim.analysis.execution import Execution
from sim.analysis.replicate import load_ensemble, replicate
from sim.analysis.sweep import load_sweep, sweep
from sim.cli import app
from sim.errors import SimInputError

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["run.population=800", "run.days=90"]
SMALL_CLI = ["--set", "run.population=800", "--set", "run.days=90"]
BIG_CLI = ["--set", "run.population=500000", "--set", "run.days=1095"]  # 3-4 s a run
PER_WEEK = "brands.0.strategy.messaging.per_week"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250", **extra}


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# ---- a worker dies during an analysis ---------------------------------------------------------------


def test_transient_worker_death_is_retried_on_a_fresh_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed once (SIGKILL) costs nothing: its runs are redone and the numbers equal a serial run."""
    marker = tmp_path / "killed-once"
    monkeypatch.setattr(sys.modules["sim.analysis.replicate"], "run_series", KillOnce(X.run_series, marker))
    pooled = replicate("china_in_china", 2,
                       execution=Execution(seed=11, executor="process", workers=2, overrides=SMALL))
    assert marker.exists(), "the fault hook did not fire: no worker was killed"
    serial = replicate("china_in_china", 2, execution=Execution(seed=11, executor="serial", overrides=SMALL))
    pd.testing.assert_frame_equal(pooled.series, serial.series)


def test_run_that_always_kills_its_worker_fails_alone_and_the_sweep_keeps_the_rest(tmp_path: Path) -> None:
    """`ptsim sweep`: one cell whose run kills its worker every time; the other cells are kept and marked.

    Exit status 3, a message "incomplete: 1 of 4 cells failed", a folder whose manifest carries the
    marker, and the finished cells identical to a serial sweep (the suspects were retried alone on a
    fresh pool, so the cells that merely shared the pool are not blamed).
    """
    out = tmp_path / "sweep"
    cmd = [sys.executable, str(ROOT / "tests" / "faults.py"), "kill-if", f"{PER_WEEK}=5", "--",
           "sweep", "china_in_china", "-p", "messaging.per_week=1,3,5,7", *SMALL_CLI, "-w", "2", "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "incomplete: 1 of 4 cells failed" in proc.stderr
    assert "worker process died" in proc.stderr and "kept the finished cells" in proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep"
    assert manifest["incomplete"]["message"] == "incomplete: 1 of 4 cells failed"
    assert manifest["incomplete"]["failed_cells"] == [{"cell": 2, PER_WEEK: 5.0}]
    partial = load_sweep(out)
    assert partial.meta["incomplete"]["failed_runs"] == 1
    assert sorted(partial.table["cell"].unique()) == [0, 1, 3]
    full = sweep(sim.resolve("china_in_china", SMALL), ["messaging.per_week=1,3,5,7"],
                 execution=Execution(executor="serial"))
    want = full.table[full.table["cell"] != 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(partial.table, want, check_dtype=False)


def test_user_process_pool_is_replaced_by_a_spare_after_a_crash(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A ProcessPoolExecutor passed in breaks for good; map_runs retries the lost runs on a spare pool."""
    marker = tmp_path / "killed-once"
    sc = sim.resolve("china_in_china", SMALL)
    import multiprocessing

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        got = X.map_runs(pool, KillOnce(X.run_kpis, marker), [(sc, 1), (sc, 2)])
    assert marker.exists()
    assert [int(g["seed"].iloc[0]) for g in got] == [1, 2]


def test_runs_failed_carries_the_finished_runs() -> None:
    """When retrying is impossible (an executor that cannot be renewed), finished runs are handed back."""
    from concurrent.futures.process import BrokenProcessPool

    class Breaks(X.SerialExecutor):
        def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001, ANN202 - test double
            if args[1] == (2,):
                raise BrokenProcessPool("a worker died")
            return super().submit(fn, *args, **kwargs)

    with pytest.raises(X.RunsFailed) as info:
        X.map_runs(Breaks(), abs, [(-1,), (2,), (-3,)])
    assert info.value.results == [1, None, 3] and info.value.failed == [1]
    assert "incomplete: 1 of 3 runs failed" in str(info.value)


def test_started_runs_log_skips_a_line_cut_short() -> None:
    """Workers note started runs in a log; a line cut short (a worker killed mid-write) waits for its end."""
    pool = X.RestartablePool(1)  # no worker is started until work is submitted
    try:
        log = Path(pool._log)
        log.write_bytes(b"3\n4\n5")
        assert pool.started() == {3, 4}
        with open(log, "ab") as fh:
            fh.write(b"\n6\n")
        assert pool.started() == {5, 6}
        assert pool.started() == set()
    finally:
        pool.shutdown()
    assert not log.exists()


def test_a_failing_run_is_not_retried() -> None:
    """An exception raised by a run (bad input, a bug) is raised as is, after one attempt."""
    calls = []

    def bad(x: int) -> int:
        calls.append(x)
        raise SimInputError.single("run", "x", "is bad", x)

    with pytest.raises(SimInputError, match="is bad"):
        X.map_runs(X.SerialExecutor(), bad, [(1,)])
    assert calls == [1]


def test_product_code_has_no_fault_hook() -> None:
    """No module of the package reads a fault setting or imports the test-only fault units.

    Faults are injected by wrapping a work unit in a test (``tests/faults.py``); before this was so, the
    executors read ``$PTSIM_TEST_FAULT`` in every worker call (a test-only branch in product code).
    """
    words = ("PTSIM_TEST_FAULT", "FAULT_ENV", "kill-once", "kill-if", "import faults", "from faults")
    found = [f"{p.relative_to(ROOT)}: {w}" for p in sorted((ROOT / "sim").rglob("*.py"))
             for w in words if w in p.read_text(encoding="utf-8")]
    assert found == []


def test_cli_reports_lost_runs_with_exit_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """Any analysis command whose runs were lost ends with exit 3, one line and "nothing was saved"."""
    from sim.cli import main

    R = sys.modules["sim.analysis.replicate"]  # noqa: N806 - the module (sim.analysis.replicate is also a function)

    def lost(*args: object, **kwargs: object) -> None:
        raise X.RunsFailed([None, 1], [0], "A process in the process pool was terminated abruptly")

    monkeypatch.setattr(R, "replicate", lost)
    monkeypatch.setattr(sys, "argv", ["ptsim", "replicate", "china_in_china", "-n", "2", "--no-save"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "incomplete: 1 of 2 runs failed" in err and "nothing was saved" in err


# ---- commands killed or interrupted midway ----------------------------------------------------------


def _start(args: list[str], out: Path, method: str = "auto") -> tuple[subprocess.Popen, psutil.Process]:
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", *args, "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(**{X.START_ENV: method}),
                            start_new_session=True)
    return proc, psutil.Process(proc.pid)


def _wait_busy(proc: subprocess.Popen, ps: psutil.Process, *, workers: int, timeout: float = 120.0) -> list:
    """Wait until runs are under way: ``workers`` busy pool workers, or (serial) the main process simulating.

    Returns every process the command started (workers, and a forkserver or resource tracker if any).
    Workers are found whatever the start method: forked workers carry the command's own command line,
    and forkserver workers are children of the server rather than of the command.
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, "the command ended before it could be stopped; make it longer"
        kids = ps.children(recursive=True)
        helpers = {k.pid for k in kids if k.ppid() == ps.pid
                   and any(w in " ".join(k.cmdline()) for w in ("forkserver", "resource_tracker"))}
        if workers:
            if sum(k.cpu_times().user > 1.0 for k in kids if k.pid not in helpers) >= workers:
                return kids
        elif ps.cpu_times().user > 3.5:
            return kids
        time.sleep(0.2)
    raise TimeoutError("runs never started")


def _gone(procs: list, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_killed_sweep_leaves_no_folder_and_no_orphan_workers(tmp_path: Path, method: str) -> None:
    """SIGKILL of `ptsim sweep` while pool workers run: no folder, no partial folder, workers (and server) exit."""
    out = tmp_path / "sweep"
    proc, ps = _start(["sweep", "china_in_china", "-p", "messaging.per_week=1,3,5,7", *BIG_CLI, "-w", "2"], out,
                      method)
    kids = _wait_busy(proc, ps, workers=2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _gone(kids), "pool workers outlived the killed command"
    assert _visible(tmp_path) == []


def test_killed_replicate_leaves_no_folder(tmp_path: Path) -> None:
    """SIGKILL of `ptsim replicate --serial` midway: neither the folder nor a hidden partial one."""
    out = tmp_path / "rep"
    proc, ps = _start(["replicate", "china_in_china", "-n", "3", *BIG_CLI, "--serial"], out)
    _wait_busy(proc, ps, workers=0)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert _visible(tmp_path) == []


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_ctrl_c_stops_a_pooled_replicate_quickly_and_quietly(tmp_path: Path, method: str) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during pooled runs.

    Exit 130 within seconds (the workers are stopped, not awaited), "interrupted; nothing was saved",
    no traceback from the main process, the workers or the forkserver, no folder, no process left.
    """
    out = tmp_path / "rep"
    proc, ps = _start(["replicate", "china_in_china", "-n", "2", *BIG_CLI, "-w", "2"], out, method)
    kids = _wait_busy(proc, ps, workers=2)
    t0 = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert time.monotonic() - t0 < 15
    assert "interrupted; nothing was saved" in err and "Traceback" not in err
    assert _gone(kids)
    assert _visible(tmp_path) == []


# ---- damaged result folders -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run, a replicate and a sweep folder (tiny, serial)."""
    base = tmp_path_factory.mktemp("folders")
    tiny = ["run.population=300", "run.days=40"]
    sim.run(sim.resolve("china_in_china", tiny)).save(base / "run")
    replicate("china_in_china", 2, execution=Execution(executor="serial", overrides=tiny)).save(base / "replicate")
    sweep(sim.resolve("china_in_china", tiny), ["messaging.per_week=1,3"],
          execution=Execution(executor="serial")).save(base / "sweep")
    return {p.name: p for p in base.iterdir()}


LOADERS = {"run": sim.load_result, "replicate": load_ensemble, "sweep": load_sweep}
DATA = {"run": "daily.parquet", "replicate": "series.parquet", "sweep": "runs.parquet"}


def _damage(folder: Path, kind: str, target: str) -> str:
    """Damage a copy of a folder; return the words the message must contain."""
    f = folder / target
    if kind == "flipped_byte":
        data = bytearray(f.read_bytes())
        data[len(data) // 2] ^= 0xFF
        f.write_bytes(bytes(data))
        return f"{target}: is damaged (checksum mismatch"
    if kind == "truncated":
        f.write_bytes(f.read_bytes()[:100])
        return f"{target}: is damaged"
    if kind == "missing_file":
        f.unlink()
        return f"{target}: is missing"
    if kind == "missing_manifest":
        (folder / "manifest.json").unlink()
        return "manifest.json: is missing"
    if kind == "garbage_manifest":
        (folder / "manifest.json").write_text("{not json")
        return "manifest.json: is not valid JSON"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["flipped_byte", "truncated", "missing_file", "missing_manifest",
                                  "garbage_manifest"])
@pytest.mark.parametrize("what", ["run", "replicate", "sweep"])
def test_damaged_folders_are_detected_with_what_is_wrong(folders: dict[str, Path], tmp_path: Path, what: str,
                                                         kind: str) -> None:
    """Every kind of result folder names the damaged or missing file when loaded."""
    import shutil

    copy = tmp_path / what
    shutil.copytree(folders[what], copy)
    words = _damage(copy, kind, DATA[what])
    with pytest.raises(SimInputError) as info:
        LOADERS[what](copy)
    assert words in str(info.value)


@pytest.mark.parametrize(("what", "loader"), [("sweep", "replicate"), ("replicate", "sweep")])
def test_loading_the_wrong_kind_of_folder_says_so(folders: dict[str, Path], what: str, loader: str) -> None:
    """A sweep folder given to the replicate loader (and vice versa) is an input error, not a KeyError."""
    with pytest.raises(SimInputError, match="is missing: this is not a"):
        LOADERS[loader](folders[what])


def test_report_of_a_damaged_run_folder_exits_2(folders: dict[str, Path], tmp_path: Path) -> None:
    """`ptsim report <damaged folder>`: exit 2, the damaged file named, no report written."""
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(folders["run"], copy)
    _damage(copy, "flipped_byte", "daily.parquet")
    html = tmp_path / "report.html"
    r = CliRunner().invoke(app, ["report", str(copy), "-o", str(html)])
    assert r.exit_code == 2, r.output
    assert "daily.parquet: is damaged" in r.output
    assert not html.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _rehash(folder: Path) -> None:
    """Make the manifest agree with the files: a hostile folder, not an accidentally damaged one."""
    import hashlib
    import json

    m = json.loads((folder / "manifest.json").read_text())
    for name in m["files"]:
        data = (folder / name).read_bytes()
        m["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (folder / "manifest.json").write_text(json.dumps(m))


def _tamper(folder: Path, what: str, kind: str) -> str:
    """Change a copy of a replicate or sweep folder consistently (checksums redone); return the words expected."""
    import json

    import pandas as pd

    table = folder / DATA[what]
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text())
    df = pd.read_parquet(table)
    if kind == "rows_twice":
        pd.concat([df, df]).to_parquet(table)
        words = "has two rows for the same"
    elif kind == "only_keys":
        df[["seed", "day", "brand"] if what == "replicate" else ["cell", "seed", "brand"]].to_parquet(table)
        words = "lacks the column(s)"
    elif kind == "text_numbers":
        df["profit"] = "x"
        df.to_parquet(table)
        words = "profit: must hold numbers"
    elif kind == "seeds_text":  # json "12345" was read as the seeds 1, 2, 3, 4, 5
        meta["seeds"] = "12345"
        words = "seeds: must be a non-empty list of whole numbers"
    elif kind == "stranger_seed":
        df.loc[df.index[0], "seed"] = 7
        df.to_parquet(table)
        words = "holds seeds that meta.json does not list"
    elif kind == "three_axes":
        meta["axes"] = {"a": [1], "b": [2], "c": [3]}
        words = "axes: must map 1 to 2 parameter paths"
    elif kind == "stranger_brand":
        meta["brand"] = "x"
        words = "brand: must name a brand of the saved scenario"
    else:
        raise AssertionError(kind)
    meta_path.write_text(json.dumps(meta))
    _rehash(folder)
    return words


@pytest.mark.parametrize(("what", "kind"), [
    *[("replicate", k) for k in ("rows_twice", "only_keys", "text_numbers", "seeds_text", "stranger_seed")],
    *[("sweep", k) for k in ("rows_twice", "only_keys", "text_numbers", "seeds_text", "stranger_seed", "three_axes",
                             "stranger_brand")]])
def test_replicate_and_sweep_tables_that_their_metadata_does_not_describe_are_refused(
        folders: dict[str, Path], tmp_path: Path, what: str, kind: str) -> None:
    """A consistent (re-hashed) but wrong folder: one error naming the file and field, never a later KeyError.

    Before, these loaded and failed later with KeyError or ValueError (or, for rows twice, counted runs twice).
    """
    import shutil

    copy = tmp_path / what
    shutil.copytree(folders[what], copy)
    words = _tamper(copy, what, kind)
    with pytest.raises(SimInputError) as info:
        LOADERS[what](copy)
    assert words in str(info.value), str(info.value)
