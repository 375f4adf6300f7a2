"""Where the runs go: any ``concurrent.futures.Executor``, from one core to a Dask cluster.

Every analysis turns its work into independent runs ``(scenario document, seed, what to return)``
and hands them to an executor:

* ``"process"`` (the default): a local :class:`~concurrent.futures.ProcessPoolExecutor` whose
  workers start by the method :func:`resolve_start_method` picks (``fork`` from a single-threaded
  process on Linux, else a preloaded ``forkserver``, else ``spawn``; see "Starting workers" below);
  the global start method is never touched;
* ``"serial"``: in this process, one run after another (debugging, tiny jobs, tests);
* a Dask distributed cluster: ``distributed.Client(address).get_executor(pure=False)`` (install the
  ``dask`` extra). ``pure=False`` stops Dask from deduplicating calls; the seed is an argument as well,
  so no two runs are ever the same call;
* any ``Executor`` object you pass in (it is used as is and not shut down).

The work units (:func:`run_kpis`, :func:`run_series`) are module-level functions taking the scenario
and the seed explicitly and returning only small tables (KPIs at chosen days, or KPI series and a few
daily columns), never the model. The model's random numbers are counter-based, so the same seed gives
the same numbers on every executor: ``tests/test_analysis_executors.py`` checks serial, process pool
and a loopback Dask ``LocalCluster`` against each other.

Starting workers: a spawned worker is a new interpreter that imports the engine (about 1.1 s: Mesa
pulls in pandas, SciPy and networkx) and loads the compiled kernels (0.4 s) before its first run, so
on 2 cores 8 one-year replicates at 1M consumers ran only 1.6x faster than one after another. Forked
workers start with everything in memory in milliseconds. ``auto`` therefore forks when that is safe:
on Linux, when this process runs no other Python thread (no lock of the interpreter, of logging or
of an I/O buffer can be held by another thread at the moment of the fork), and it forks every
worker when the pool is made, so a thread started afterwards (the command line's progress bar, which
is why the commands make their pool before their bar) is never copied. The workers inherit every
module, and any kernel this process has already run; the others each worker loads from numba's cache
on its first run (0.3 s, all workers at once, only the kernels that run needs). CPython warns
about forking whenever the OS counts more than one thread; here those are the idle pools of the BLAS
libraries and pyarrow's allocator thread, which register their own fork handlers, and the same holds
for the standard library's own forkserver once NumPy is preloaded; that warning is silenced for the
launch of our workers only. A process that runs other Python threads (the dashboard's server, a
Jupyter kernel) gets the ``forkserver`` instead: one clean server process per session, started on the
first pool, preloaded with the engine and warm kernels (:mod:`sim.analysis.worker_preload`); every
later worker is forked from it in milliseconds. The server keeps the environment it started with.
``spawn`` remains available (``$PTSIM_START_METHOD`` or ``make_executor(start_method=...)``), and is
what Windows uses. The method never changes the numbers: ``tests/test_analysis_executors.py`` runs
the same ensemble under each.

Faults: if a worker process dies (killed by the kernel's out-of-memory killer, a segfault, SIGKILL),
``concurrent.futures`` fails every unfinished run of the pool with ``BrokenProcessPool``.
:func:`map_runs` keeps every run that finished, starts a fresh pool and retries the lost runs once;
runs lost twice are reported by :class:`RunsFailed`, which carries the finished results so that a
caller can keep them (``sweep`` writes the finished cells with an "incomplete" marker). An exception
raised by a run itself (bad input, a bug) is not retried: it cancels the others and is raised as is.
``tests/test_hardening_faults.py`` kills workers through the test-only hook :data:`FAULT_ENV`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimInputError

__all__ = [
    "FAULT_ENV",
    "RestartablePool",
    "RunsFailed",
    "START_ENV",
    "SerialExecutor",
    "make_executor",
    "map_runs",
    "resolve_start_method",
    "run_kpis",
    "run_series",
    "spawn_seeds",
]

#: Largest seed the scenario schema accepts.
MAX_SEED = 2**63 - 1

Progress = Callable[[int, int], None]

#: Test-only fault injection, acted on in pool worker processes only (never in the main process, never
#: from a scenario or a command-line option): ``kill-once:FILE`` makes the first run that manages to
#: create FILE kill its own worker with SIGKILL; ``kill-if:PATH=VALUE`` kills the worker of every run
#: whose scenario has VALUE at the dotted PATH. The pools of :func:`make_executor` read it when they
#: are made and hand it to their workers (a forkserver keeps the environment it started with); the
#: workers of other pools read their own environment.
FAULT_ENV = "PTSIM_TEST_FAULT"

#: How the workers of a local pool start: ``auto`` (the default), ``fork``, ``forkserver`` or ``spawn``.
START_ENV = "PTSIM_START_METHOD"
START_METHODS = ("auto", "fork", "forkserver", "spawn")

#: The module the forkserver imports before forking workers (the engine and warm kernels).
PRELOAD = "sim.analysis.worker_preload"


class RunsFailed(RuntimeError):
    """Some runs were lost because their worker process died, even after one retry on a fresh pool.

    Attributes:
        results: One entry per call, in call order: the run's result, or ``None`` for a lost run.
        failed: Indices of the lost calls.
        total: Number of calls.
        reason: What the executor reported (e.g. "A process in the process pool was terminated abruptly").
    """

    def __init__(self, results: list[Any], failed: list[int], reason: str) -> None:
        self.results = results
        self.failed = sorted(failed)
        self.total = len(results)
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        return (f"incomplete: {len(self.failed)} of {self.total} runs failed because their worker process died "
                f"({self.reason}); they were retried once on a fresh pool")

    def __reduce__(self):  # picklable (Dask, nested pools)
        return (type(self), (self.results, self.failed, self.reason))


# ---- seeds -----------------------------------------------------------------------------------------


def spawn_seeds(root_seed: int, n: int, *, skip: int = 0) -> list[int]:
    """``n`` run seeds spawned from one root seed (NumPy ``SeedSequence(root).spawn``).

    The list is prefix-stable: asking for more seeds never changes the first ones, so 20 replicates
    extend 10 replicates. ``skip`` drops the first seeds (fresh seeds for re-evaluating an optimum).
    """
    if n < 0 or skip < 0:
        raise ValueError("n and skip must be non-negative")
    children = np.random.SeedSequence(int(root_seed)).spawn(skip + n)[skip:]
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


# ---- work units (module level: picklable by every executor) ----------------------------------------


def _scenario(scenario: Any, seed: int):
    from sim.scenario.schema import Scenario

    sc = scenario if isinstance(scenario, Scenario) else Scenario.model_validate(scenario)
    return sc.model_copy(update={"run": sc.run.model_copy(update={"seed": int(seed)})})


def run_kpis(scenario: Any, seed: int, days: Sequence[int | None] = (None,)) -> pd.DataFrame:
    """Run once; KPIs of every brand at each of ``days`` (``None`` = the last day).

    Args:
        scenario: A :class:`~sim.scenario.schema.Scenario` or its JSON document.
        seed: The run seed.
        days: Days (0-based, as in ``RunResult.kpis``) at which to take the KPIs.

    Returns:
        A tidy frame: ``seed, day, brand`` and one column per KPI (a few kB).
    """
    from sim.api import run

    res = run(_scenario(scenario, seed))
    last = int(res.daily["day"].max())
    frames = []
    for d in days:
        k = res.kpis(d).reset_index()
        k.insert(0, "day", last if d is None else min(int(d), last))
        frames.append(k)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "seed", int(seed))
    return out


#: Daily columns returned with KPI series by default (stage census and the day's money).
DEFAULT_DAILY = (
    "unaware",
    "aware",
    "customer",
    "member",
    "lapsed",
    "revenue",
    "costs",
    "profit",
    "sends",
    "opt_outs",
    "first_purchases",
    "joins_referral",
    "cpm",
)


def run_series(scenario: Any, seed: int, daily_columns: Sequence[str] = DEFAULT_DAILY) -> pd.DataFrame:
    """Run once; every KPI of every brand at every day, plus chosen daily columns.

    Returns:
        A tidy frame: ``seed, day, brand``, one column per KPI (cumulative to that day, as
        ``RunResult.kpis(day)``) and ``daily.<column>`` for each requested daily column.
    """
    from sim.api import run
    from sim.results.kpis import kpi_series

    res = run(_scenario(scenario, seed))
    frames = []
    for b in res.scenario.brands:
        d = res.brand_daily(b.name)
        s = kpi_series(
            d,
            seed_members=float(res.meta.get("seed_members", {}).get(b.name, 0.0)),
            share_window_days=b.strategy.referral.share_window_days,
            discount_rate=res.scenario.run.discount_rate,
        )
        s.insert(1, "brand", b.name)
        for c in daily_columns:
            s[f"daily.{c}"] = d[c].to_numpy(dtype=np.float64)
        frames.append(s)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "seed", int(seed))
    return out


# ---- executors -------------------------------------------------------------------------------------


class SerialExecutor(Executor):
    """Runs every task at once in the calling process (an ``Executor`` with no parallelism)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future, as executors do
            fut.set_exception(exc)
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further work."""
        with self._lock:
            self._shutdown = True


def resolve_start_method(requested: str | None = None) -> str:
    """How the workers of a new local pool start: ``"fork"``, ``"forkserver"`` or ``"spawn"``.

    Args:
        requested: ``"auto"``, ``"fork"``, ``"forkserver"`` or ``"spawn"``; ``None`` reads
            ``$PTSIM_START_METHOD`` (default ``auto``). ``auto`` is ``fork`` on Linux when this process
            runs no other Python thread, else ``forkserver`` where the platform has it, else ``spawn``
            (the reasons are in the module docstring).

    Raises:
        SimInputError: For a method that is unknown or that this platform lacks.
    """
    field, want = "start_method", requested
    if want is None:
        field, want = START_ENV, os.environ.get(START_ENV, "").strip() or "auto"
    method = str(want).strip().lower()
    available = multiprocessing.get_all_start_methods()
    if method == "auto":
        if sys.platform.startswith("linux") and "fork" in available and threading.active_count() == 1:
            return "fork"
        return "forkserver" if "forkserver" in available else "spawn"
    if method not in START_METHODS or method not in available:
        choices = ", ".join(m for m in START_METHODS if m == "auto" or m in available)
        raise SimInputError.single("executor", field, f"must be one of {choices}", want)
    return method


@contextlib.contextmanager
def _fork_launch() -> Iterator[None]:
    """Around the submit that forks a pool's workers: silence CPython's warning about other threads.

    The warning counts OS threads; :func:`resolve_start_method` only picks ``fork`` when no other
    Python thread runs, so the others are native pools with their own fork handlers (module docstring).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*is multi-threaded, use of fork\(\)", category=DeprecationWarning)
        yield


class RestartablePool(Executor):
    """A local process pool that :func:`map_runs` can renew after a worker died.

    A :class:`~concurrent.futures.ProcessPoolExecutor` whose worker dies is broken for good; this
    wrapper swaps in a fresh pool on :meth:`restart`, so a long analysis (an optimiser calling
    :func:`map_runs` once per generation) goes on after a lost worker. Its workers also note which
    runs they start (one line appended to a small log file per run: no lock a killed worker could
    leave held, nothing that can fill up), so that after a crash :func:`map_runs` knows which runs
    were running (the suspects) and which were only queued (:meth:`started`).
    """

    def __init__(self, max_workers: int, start_method: str | None = None) -> None:
        self.max_workers = int(max_workers)
        self.restarts = 0
        self._requested = start_method
        resolve_start_method(start_method)  # a bad choice fails before anything is created
        self._fault = os.environ.get(FAULT_ENV) or None
        self._lock = threading.Lock()
        fd, log = tempfile.mkstemp(prefix="ptsim-started-", suffix=".log")
        os.close(fd)
        self._log, self._read = log, 0
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        """A fresh pool; the start method is chosen again (threads may have started or stopped since)."""
        self.method = method = resolve_start_method(self._requested)
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload([PRELOAD])  # no effect once this session's server runs
        pool = ProcessPoolExecutor(max_workers=self.max_workers, mp_context=ctx,
                                   initializer=_init_worker, initargs=(self._log, self._fault))
        if method == "fork":  # fork every worker now, while no other thread runs (a progress bar may start next)
            with _no_sigint(), _fork_launch():
                pool.submit(int)  # a fork pool starts all its workers at the first submit
        return pool

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Submit to the current pool (workers it starts now are born deaf to Ctrl-C: see :func:`_no_sigint`)."""
        with self._lock:
            pool = self._pool
        with _no_sigint():
            return pool.submit(fn, *args, **kwargs)

    def terminate(self) -> None:
        """Stop the workers now, without waiting for their runs (after Ctrl-C or a failed run)."""
        with self._lock:
            pool = self._pool
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                proc.terminate()

    def started(self) -> set[int]:
        """Tokens of the runs that workers started since the last call."""
        with self._lock:
            try:
                with open(self._log, "rb") as fh:
                    fh.seek(self._read)
                    data = fh.read()
            except OSError:  # pragma: no cover - the log was removed
                return set()
            end = data.rfind(b"\n") + 1  # a line cut short by a killed worker is skipped
            self._read += end
        return {int(x) for x in data[:end].split() if x.isdigit()}

    def restart(self) -> None:
        """Replace the (broken) pool by a fresh one."""
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)  # its threads end before new workers fork
            self._pool = self._new()
            self.restarts += 1

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the current pool down and remove the log of started runs."""
        with self._lock:
            pool = self._pool
        pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        with contextlib.suppress(OSError):
            os.unlink(self._log)


#: In a worker of a :class:`RestartablePool`: the file where it notes the runs it starts.
_STARTED: str | None = None
#: In a worker of a :class:`RestartablePool`: the test-only fault spec its pool was made with ("" for none).
_FAULT: str | None = None


@contextlib.contextmanager
def _no_sigint() -> Iterator[None]:
    """Block SIGINT in this thread while worker processes may be started, so they inherit the block.

    Ctrl-C in a terminal goes to the whole process group; the workers must not print tracebacks of
    their own (the main process stops them and says "interrupted; nothing was saved").
    """
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:  # pragma: no cover - not POSIX
        yield
        return
    old = block(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, old)


def _init_worker(log: str, fault: str | None = None) -> None:
    """Set up a pool worker: where to note started runs, deaf to Ctrl-C, a watchdog for the parent's death."""
    global _STARTED, _FAULT
    _STARTED, _FAULT = log, fault or ""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="ptsim-parent-watchdog", daemon=True).start()


def _exit_with_parent() -> None:
    """Exit this worker as soon as the process that started the pool dies.

    A ``ProcessPoolExecutor`` worker whose parent was killed (SIGKILL, out-of-memory killer) would
    finish its run for nobody and then wait forever for more work.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not a child process
        return
    ppid = os.getppid()
    try:
        from multiprocessing.connection import wait

        while not wait([parent.sentinel], timeout=1.0):
            if os.getppid() != ppid:
                break
    except (OSError, ValueError):  # pragma: no cover - no usable sentinel: poll the parent id
        while os.getppid() == ppid:
            threading.Event().wait(1.0)
    if _STARTED:
        with contextlib.suppress(OSError):
            os.unlink(_STARTED)  # the parent cannot clean up any more
    os._exit(1)


def default_workers() -> int:
    """Worker processes of the default pool: the usable cores."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def make_executor(
    kind: str | Executor | None = "process",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    tasks: int | None = None,
    start_method: str | None = None,
) -> Iterator[Executor]:
    """An executor for the duration of a ``with`` block.

    Args:
        kind: ``"process"``, ``"serial"``, ``"dask"`` (needs ``scheduler``) or an ``Executor``
            instance (yielded as is, left running). ``None`` means ``"process"``, or ``"dask"`` when
            ``scheduler`` is given.
        workers: Processes of the local pool (default: usable cores, at most ``tasks``).
        scheduler: Address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
        tasks: Number of runs about to be submitted (a pool never starts more processes than runs;
            a single run goes serial).
        start_method: How local workers start (:func:`resolve_start_method`); ``None`` reads
            ``$PTSIM_START_METHOD``, default ``auto``.

    Raises:
        SimInputError: For an unknown kind, a bad worker count, a missing ``distributed`` package
            or an unreachable scheduler.
    """
    if isinstance(kind, Executor):
        yield kind
        return
    if kind is None:
        kind = "dask" if scheduler else "process"
    if workers is not None and workers < 1:
        raise SimInputError.single("executor", "workers", "must be at least 1", workers)
    if kind == "serial" or (kind == "process" and (tasks is not None and tasks <= 1 or workers == 1)):
        ex = SerialExecutor()
        try:
            yield ex
        finally:
            ex.shutdown()
        return
    if kind == "process":
        n = workers or default_workers()
        if tasks is not None:
            n = min(n, tasks)
        pool = RestartablePool(n, start_method)
        try:
            yield pool
        except BaseException:  # Ctrl-C, a failed run: nobody will read the other runs
            pool.terminate()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if kind == "dask":
        if not scheduler:
            raise SimInputError.single(
                "executor", "--scheduler", "a Dask scheduler address is needed, e.g. tcp://host:8786"
            )
        try:
            from distributed import Client
        except ImportError:
            raise SimInputError.single(
                "executor", "--scheduler", "needs the dask extra: pip install 'private-traffic-sandbox[dask]'"
            ) from None
        check_scheduler_address(scheduler)
        try:
            client = Client(scheduler, timeout="10s", set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - distributed raises OSError, TimeoutError, ValueError, ...
            raise SimInputError.single(
                "executor", "--scheduler", f"cannot reach the Dask scheduler ({exc.__class__.__name__}: {exc})",
                scheduler) from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
        return
    raise SimInputError.single("executor", "kind", "must be 'process', 'serial' or 'dask'", kind)


_SCHEDULER = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})/?")


def check_scheduler_address(address: str) -> None:
    """Refuse a Dask scheduler address that is not ``[tcp://]HOST:PORT`` (port 1-65535) before connecting.

    Dask's in-process transport (``inproc://...``, the address of ``LocalCluster(processes=False)`` in this
    process) is accepted as it is: it names no host or port.

    Raises:
        SimInputError: Naming ``--scheduler``, the address and the expected form.
    """
    if isinstance(address, str) and re.fullmatch(r"inproc://[A-Za-z0-9_.:/-]+", address.strip()):
        return
    m = _SCHEDULER.fullmatch(address.strip()) if isinstance(address, str) else None
    if m is None or not 1 <= int(m.group("port")) <= 65535:
        raise SimInputError.single("executor", "--scheduler", "must be a Dask scheduler address such as "
                                   "tcp://host:8786 (host and a port from 1 to 65535)", address)


def map_runs(
    executor: Executor,
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    *,
    progress: Progress | None = None,
    retries: int = 1,
) -> list[Any]:
    """Submit ``fn(*args)`` for every ``args`` of ``calls``; results in the order of ``calls``.

    ``progress(done, total)`` is called in this process as runs finish. If a run raises, the others
    are cancelled and its exception is raised.

    If a worker process dies, the pool breaks and every unfinished run fails with
    ``BrokenProcessPool``. The finished runs are kept and the pool is renewed. On the pools of
    :func:`make_executor`, the runs that were running when it broke (the suspects) are retried one at
    a time, alone on a fresh pool, so a run that kills its worker every time is identified and the
    runs that were only queued are not blamed; the queued runs are then submitted again as usual.
    On a :class:`~concurrent.futures.ProcessPoolExecutor` passed in, every lost run is retried once on
    a spare pool. A Dask cluster or a thread pool cannot be renewed: lost runs are not retried.

    Args:
        executor: Where to run.
        fn: A picklable module-level function.
        calls: The argument tuples, one per run.
        progress: ``progress(done, total)``.
        retries: Retries of a run that was running when its worker died (0 disables retrying).

    Raises:
        RunsFailed: If some runs are still lost; it carries the finished results.
    """
    total = len(calls)
    out: list[Any] = [None] * total
    if progress is not None:
        progress(0, total)
    done = [0]

    def finished() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    tracked = isinstance(executor, RestartablePool)
    pending = list(range(total))
    failed: list[int] = []
    reason = ""
    pool, spare = executor, None
    tries = 0
    try:
        while pending:
            if tracked:
                executor.started()  # forget tokens of earlier calls
            lost, why = _submit_round(pool, fn, calls, pending, out, finished, tracked)
            if not lost:
                break
            reason = why or reason
            if not tracked:  # plain pools: one more round for everything lost, then give up
                if tries >= retries:
                    failed += lost
                    break
                pool, spare = _fresh(executor, spare)
                if pool is None:
                    failed += lost
                    break
                tries += 1
                pending = lost
                continue
            started = executor.started()
            suspects = [i for i in lost if i in started]
            queued = [i for i in lost if i not in started]
            executor.restart()
            if not suspects:  # a worker died while idle: count it against everything lost
                tries += 1
                if tries > retries:
                    failed += lost
                    break
            for i in suspects:  # alone on a fresh pool: a death now is this run's doing
                for attempt in range(retries + 1):
                    if attempt == retries:
                        failed.append(i)
                        break
                    again, why = _submit_round(executor, fn, calls, [i], out, finished, tracked)
                    if not again:
                        break
                    reason = why or reason
                    executor.restart()
            pending = queued
        if failed:
            raise RunsFailed(out, failed, reason)
        return out
    finally:
        if spare is not None:
            spare.shutdown(wait=True, cancel_futures=True)


def _submit_round(
    pool: Executor,
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    pending: list[int],
    out: list[Any],
    finished: Callable[[], None],
    tracked: bool,
) -> tuple[list[int], str]:
    """Run ``pending`` calls on ``pool``; fill ``out``; return the calls lost to a dead worker."""
    futures: dict[Future, int] = {}
    lost: list[int] = []
    reason = ""
    try:
        for i in pending:
            try:
                futures[pool.submit(_call, fn, calls[i], i if tracked else None)] = i
            except BrokenExecutor as exc:  # the pool broke while we were submitting
                lost.append(i)
                reason = _reason(exc)
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                out[i] = fut.result()
            except BaseException as exc:
                if _worker_died(exc):
                    reason = _reason(exc)
                elif _connection_lost(pool, exc):
                    reason = f"the Dask scheduler or the connection to it was lost ({_reason(exc)})"
                else:
                    raise
                lost.append(i)
                continue
            finished()
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return sorted(lost), reason


def _worker_died(exc: BaseException) -> bool:
    """Whether an exception means the worker process died (not that the run failed)."""
    return isinstance(exc, BrokenExecutor) or type(exc).__name__ == "KilledWorker"  # Dask's name for it


def _connection_lost(pool: Executor, exc: BaseException) -> bool:
    """Whether a remote executor's run was lost with its scheduler (cancelled, connection closed), not failed.

    Local pools never lose runs this way (their dead workers are :func:`_worker_died`).
    """
    if isinstance(pool, ProcessPoolExecutor | RestartablePool | SerialExecutor):
        return False
    from concurrent.futures import CancelledError

    names = {"CommClosedError", "FutureCancelledError", "CancelledError", "StreamClosedError"}
    return isinstance(exc, CancelledError | ConnectionError) or type(exc).__name__ in names


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def _fresh(executor: Executor, spare: Executor | None) -> tuple[Executor | None, Executor | None]:
    """A working process pool like ``executor`` after it broke (a new spare), or ``None`` if impossible."""
    if isinstance(executor, ProcessPoolExecutor):
        if spare is not None:
            spare.shutdown(wait=True, cancel_futures=True)
        workers = getattr(executor, "_max_workers", None) or default_workers()
        ctx = getattr(executor, "_mp_context", None) or multiprocessing.get_context("spawn")
        new = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        return new, new
    return None, spare


def _call(fn: Callable[..., Any], args: tuple[Any, ...], token: Any = None) -> Any:
    """Run one call in a worker (module level: picklable): report its start, then the test-only fault hook."""
    if token is not None and _STARTED is not None:
        fd = os.open(_STARTED, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, f"{int(token)}\n".encode())  # one small O_APPEND write: atomic, never blocks
        finally:
            os.close(fd)
    spec = _FAULT if _FAULT is not None else os.environ.get(FAULT_ENV)
    if spec and multiprocessing.parent_process() is not None:
        _inject_fault(spec, args)
    return fn(*args)


def _inject_fault(spec: str, args: tuple[Any, ...]) -> None:
    """Kill this worker process if the test-only fault ``spec`` matches this call (see :data:`FAULT_ENV`)."""
    kind, _, arg = spec.partition(":")
    if kind == "kill-once":
        try:
            fd = os.open(arg, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except OSError:
            return
        os.close(fd)
        _die()
    elif kind == "kill-if" and args:
        path, _, want = arg.partition("=")
        node: Any = args[0]
        if hasattr(node, "model_dump"):
            node = node.model_dump(mode="json")
        for part in path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return
        try:
            same = float(node) == float(want)
        except (TypeError, ValueError):
            same = str(node) == want
        if same:
            _die()


def _die() -> None:
    sigkill = getattr(signal, "SIGKILL", None)
    if sigkill is not None:
        os.kill(os.getpid(), sigkill)
    os._exit(70)  # pragma: no cover - platforms without SIGKILL
