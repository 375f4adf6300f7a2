"""Handing runs to an executor: results in call order, progress, and runs lost to dead workers.

If a worker process dies (killed by the kernel's out-of-memory killer, a segfault, SIGKILL),
``concurrent.futures`` fails every unfinished run of the pool with ``BrokenProcessPool``.
:func:`map_runs` keeps every run that finished, starts a fresh pool and retries the lost runs once;
runs lost twice are reported by :class:`RunsFailed`, which carries the finished results so that a
caller can keep them (``sweep`` writes the finished cells with an "incomplete" marker). An exception
raised by a run itself (bad input, a bug) is not retried: it cancels the others and is raised as is.
``tests/test_hardening_faults.py`` kills workers with test-only work units (``tests/faults.py``), which
wrap a real work unit and are handed to the analyses by monkeypatching; product code has no fault hook.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any

from sim.analysis.executors.factory import SerialExecutor
from sim.analysis.executors.local import RestartablePool, _call, default_workers

__all__ = ["Progress", "RunsFailed", "map_runs"]

#: ``progress(done, total)``, called in the submitting process as runs finish.
Progress = Callable[[int, int], None]


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
