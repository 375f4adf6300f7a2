"""Where the runs go: any ``concurrent.futures.Executor``, from one core to a Dask cluster.

Every analysis turns its work into independent runs ``(scenario document, seed, what to return)``
and hands them to an executor:

* ``"process"`` (the default): a local :class:`~concurrent.futures.ProcessPoolExecutor` started with
  the ``spawn`` context explicitly (the global start method is never touched);
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
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimInputError

__all__ = [
    "SerialExecutor",
    "make_executor",
    "map_runs",
    "run_kpis",
    "run_series",
    "spawn_seeds",
]

#: Largest seed the scenario schema accepts.
MAX_SEED = 2**63 - 1

Progress = Callable[[int, int], None]


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
    from sim.analysis.series import kpi_series
    from sim.api import run

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
        pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))
        try:
            yield pool
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
        try:
            client = Client(scheduler, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SimInputError.single(
                "executor", "--scheduler", f"cannot reach the Dask scheduler ({exc})", scheduler
            ) from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
        return
    raise SimInputError.single("executor", "kind", "must be 'process', 'serial' or 'dask'", kind)


def map_runs(
    executor: Executor, fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], *, progress: Progress | None = None
) -> list[Any]:
    """Submit ``fn(*args)`` for every ``args`` of ``calls``; results in the order of ``calls``.

    ``progress(done, total)`` is called in this process as runs finish. If one run fails, the
    others are cancelled and its exception is raised.
    """
    total = len(calls)
    if progress is not None:
        progress(0, total)
    futures = {executor.submit(fn, *args): i for i, args in enumerate(calls)}
    out: list[Any] = [None] * total
    done = 0
    try:
        for fut in as_completed(futures):
            out[futures[fut]] = fut.result()
            done += 1
            if progress is not None:
                progress(done, total)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return out
