"""Local process pools: how their workers start, and a pool that can be renewed after a worker died.

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

Workers of a :class:`RestartablePool` note each run they start in a small log, so that after a
worker died :func:`sim.analysis.executors.mapping.map_runs` can tell the runs that were running (the
suspects) from those that were only queued; they ignore Ctrl-C (the main process stops them) and exit
when the process that made the pool dies.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from sim.errors import SimInputError

__all__ = ["PRELOAD", "START_ENV", "START_METHODS", "RestartablePool", "default_workers", "resolve_start_method"]

#: How the workers of a local pool start: ``auto`` (the default), ``fork``, ``forkserver`` or ``spawn``.
START_ENV = "PTSIM_START_METHOD"
START_METHODS = ("auto", "fork", "forkserver", "spawn")

#: The module the forkserver imports before forking workers (the engine and warm kernels).
PRELOAD = "sim.analysis.worker_preload"


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
                                   initializer=_init_worker, initargs=(self._log,))
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


def _init_worker(log: str) -> None:
    """Set up a pool worker: where to note started runs, deaf to Ctrl-C, a watchdog for the parent's death."""
    global _STARTED
    _STARTED = log
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


def _call(fn: Callable[..., Any], args: tuple[Any, ...], token: Any = None) -> Any:
    """Run one call in a worker (module level: picklable); first note its start in the pool's log."""
    if token is not None and _STARTED is not None:
        fd = os.open(_STARTED, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, f"{int(token)}\n".encode())  # one small O_APPEND write: atomic, never blocks
        finally:
            os.close(fd)
    return fn(*args)
