"""Runs shared by every session: one process-wide cache, one bounded work queue, honest progress.

Every figure and card of a page reads the same replicate runs: ``replicates(scenario, n, root)``
returns ``n`` full runs whose seeds are spawned from one root seed (so replicate ``i`` of every
scenario sees the same luck: common random numbers). A run is identified by the resolved scenario's
JSON text and its seed; sessions asking for a run another session is computing wait for it instead
of computing it again, and finished runs are kept (deep copies, so no session can change another's
copy) within a memory budget, least recently used first out.

At most :func:`slots` runs execute at once in the server process; the others wait in arrival
order, and each page says how many runs are ahead of its own (:class:`Status`).
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import streamlit as st

import sim
from dashboard.scenarios import from_key
from dashboard.settings import executor_kind
from dashboard.text import T
from sim.analysis.executors import spawn_seeds

# ------------------------------------------------------------------------------------------------
# The work queue
# ------------------------------------------------------------------------------------------------


def slots() -> int:
    """Runs executing at once in this server (``SIM_DASHBOARD_SLOTS``; default: the CPU count)."""
    try:
        n = int(os.environ.get("SIM_DASHBOARD_SLOTS", "0"))
    except ValueError:
        n = 0
    return max(1, n or (os.cpu_count() or 1))


class WorkQueue:
    """A bounded, first-come first-served queue of runs (a counting semaphore with tickets)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._cond = threading.Condition()
        self._busy = 0
        self._waiting: list[int] = []
        self._tickets = itertools.count()

    def ahead(self, ticket: int) -> int:
        """Runs ahead of ``ticket``: those executing and those waiting before it."""
        with self._cond:
            pos = self._waiting.index(ticket) if ticket in self._waiting else 0
            return self._busy + pos

    def acquire(self, on_wait: Any = None) -> None:
        """Wait for a free slot in arrival order; ``on_wait(ahead)`` is called while waiting."""
        ticket = next(self._tickets)
        with self._cond:
            self._waiting.append(ticket)
            try:
                while self._busy >= self.size or self._waiting[0] != ticket:
                    if on_wait is not None:
                        on_wait(self._busy + self._waiting.index(ticket))
                    self._cond.wait(timeout=0.5)
            finally:
                self._waiting.remove(ticket)
            self._busy += 1
            self._cond.notify_all()

    def release(self) -> None:
        """Free a slot."""
        with self._cond:
            self._busy -= 1
            self._cond.notify_all()

    @property
    def busy(self) -> int:
        """Runs executing now."""
        return self._busy


@st.cache_resource(show_spinner=False)
def queue() -> WorkQueue:
    """The server's one work queue."""
    return WorkQueue(slots())


# ------------------------------------------------------------------------------------------------
# Progress: what the page is doing, in words and counts
# ------------------------------------------------------------------------------------------------


class Status:
    """A progress line on the page: waiting (runs ahead), preparing kernels, or run i of n at day d."""

    def __init__(self, what: str, total_runs: int) -> None:
        self.what, self.total, self.done = what, max(1, int(total_runs)), 0
        self.box = st.empty()
        self._last = (-1, -1)

    def waiting(self, ahead: int) -> None:
        """Show the place in the queue."""
        if self._last != ("wait", ahead):
            self._last = ("wait", ahead)
            self.box.progress(self.done / self.total, text=T("progress.waiting", n=ahead, what=self.what))

    def preparing(self) -> None:
        """Say that the model's compiled kernels are being loaded (first run after start only)."""
        self.box.progress(self.done / self.total, text=T("progress.kernels"))

    def shared(self) -> None:
        """Say that another session is computing this run."""
        self.box.progress(self.done / self.total, text=T("progress.shared", what=self.what))

    def day(self, day: int, days: int) -> None:
        """Day ``day`` of ``days`` of the current run."""
        step = int(40 * day / max(days, 1))
        if self._last == (self.done, step):
            return
        self._last = (self.done, step)
        frac = min(1.0, (self.done + day / max(days, 1)) / self.total)
        self.box.progress(frac, text=T("progress.run", what=self.what, i=min(self.done + 1, self.total),
                                       n=self.total, day=f"{day:,}", days=f"{days:,}"))

    def finished_one(self) -> None:
        """One more run finished."""
        self.done += 1
        self.box.progress(min(1.0, self.done / self.total),
                          text=T("progress.runs_done", what=self.what, i=self.done, n=self.total))

    def clear(self) -> None:
        """Remove the line."""
        self.box.empty()


class _Quiet(Status):
    """A status that shows nothing (no page, e.g. tests calling the cache directly)."""

    def __init__(self) -> None:  # noqa: D107 - nothing to show
        self.what, self.total, self.done, self._last = "", 1, 0, (-1, -1)

    def waiting(self, ahead: int) -> None:  # noqa: D102
        pass

    def preparing(self) -> None:  # noqa: D102
        pass

    def shared(self) -> None:  # noqa: D102
        pass

    def day(self, day: int, days: int) -> None:  # noqa: D102
        pass

    def finished_one(self) -> None:  # noqa: D102
        self.done += 1

    def clear(self) -> None:  # noqa: D102
        pass


# ------------------------------------------------------------------------------------------------
# The run cache (process-wide, deep copies, bounded by bytes)
# ------------------------------------------------------------------------------------------------


class RunCache:
    """Finished runs by (scenario key, seed), least recently used out beyond ``budget`` bytes.

    Callers get a deep copy: no session can change what another session sees.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._lock = threading.Lock()
        self._blobs: OrderedDict[tuple[str, int], tuple[Any, int]] = OrderedDict()
        self._inflight: dict[tuple[str, int], threading.Event] = {}
        self._warm = False
        self.bytes = 0
        self.computed = 0

    def get(self, key: str, seed: int) -> Any | None:
        """A fresh copy of a cached run, or ``None``."""
        with self._lock:
            entry = self._blobs.get((key, seed))
            if entry is None:
                return None
            self._blobs.move_to_end((key, seed))
        return copy.deepcopy(entry[0])

    def put(self, key: str, seed: int, result: Any) -> None:
        """Keep a finished run (evicting the least recently used beyond the budget)."""
        kept = copy.deepcopy(result)
        size = result_bytes(kept)
        with self._lock:
            old = self._blobs.pop((key, seed), None)
            self.bytes -= old[1] if old else 0
            self._blobs[(key, seed)] = (kept, size)
            self.bytes += size
            while self.bytes > self.budget and len(self._blobs) > 1:
                _, (_, dropped) = self._blobs.popitem(last=False)
                self.bytes -= dropped

    def claim(self, key: str, seed: int) -> threading.Event | None:
        """Claim computing a run: ``None`` if this caller must compute it, else the event to wait for."""
        with self._lock:
            if (key, seed) in self._blobs:
                return _DONE
            ev = self._inflight.get((key, seed))
            if ev is None:
                self._inflight[(key, seed)] = threading.Event()
                return None
            return ev

    def release(self, key: str, seed: int) -> None:
        """Done computing (or failed): wake those waiting."""
        with self._lock:
            ev = self._inflight.pop((key, seed), None)
        if ev is not None:
            ev.set()

    def clear(self) -> None:
        """Forget every run."""
        with self._lock:
            self._blobs.clear()
            self.bytes = 0


def result_bytes(result: Any) -> int:
    """Bytes held by a run's tables (the DataFrames and arrays among its attributes), plus a little."""
    import numpy as np
    import pandas as pd

    total = 4096
    for value in vars(result).values():
        if isinstance(value, pd.DataFrame):
            total += int(value.memory_usage(index=True, deep=False).sum())
        elif isinstance(value, np.ndarray):
            total += int(value.nbytes)
    return total


_DONE = threading.Event()
_DONE.set()


def cache_budget() -> int:
    """Bytes of finished runs kept (``SIM_DASHBOARD_CACHE_MB``, default 400 MB)."""
    try:
        mb = float(os.environ.get("SIM_DASHBOARD_CACHE_MB", "400"))
    except ValueError:
        mb = 400.0
    return int(max(8.0, mb) * 1e6)


@st.cache_resource(show_spinner=False)
def cache() -> RunCache:
    """The server's one run cache."""
    return RunCache(cache_budget())


def _compute(key: str, seed: int, status: Status) -> Any:
    """Run ``(key, seed)`` in a queue slot, showing its days."""
    q, store = queue(), cache()
    q.acquire(status.waiting)
    try:
        if not store._warm:
            from sim.model.warmup import warm_kernels

            status.preparing()
            warm_kernels()
            store._warm = True
        return sim.run(from_key(key), seed=int(seed), progress=status.day)
    finally:
        q.release()


def run_one(key: str, seed: int, status: Status | None = None) -> Any:
    """One full run of the scenario whose JSON text is ``key`` with ``seed`` (shared, cached, queued).

    Returns:
        A ``RunResult`` owned by the caller (a copy of the cached one).
    """
    status = status or _Quiet()
    store = cache()
    while True:
        got = store.get(key, int(seed))
        if got is not None:
            return got
        ev = store.claim(key, int(seed))
        if ev is None:
            break
        if not ev.is_set():
            status.shared()
        ev.wait()
    try:
        res = _compute(key, int(seed), status)
        store.put(key, int(seed), res)
        store.computed += 1
        return res
    finally:
        store.release(key, int(seed))


def _pooled(keys_seeds: list[tuple[str, int]], status: Status) -> dict[tuple[str, int], Any]:
    """Runs on a process pool (``SIM_DASHBOARD_EXECUTOR=process``), holding one queue slot."""
    from dashboard.worker import full_run
    from sim.analysis.executors import make_executor, map_runs

    q = queue()
    q.acquire(status.waiting)
    try:
        with make_executor("process", tasks=len(keys_seeds)) as ex:
            out = map_runs(ex, full_run, [(from_key(k), s) for k, s in keys_seeds],
                           progress=lambda done, total: status.box.progress(
                               min(1.0, done / max(total, 1)), text=T("progress.runs_done", what=status.what,
                                                                      i=int(done), n=int(total))))
    finally:
        q.release()
    return dict(zip(keys_seeds, out, strict=True))


def _pool_missing(pairs: list[tuple[str, int]], status: Status) -> None:
    """Compute on a process pool the runs of ``pairs`` nobody has computed or is computing, if more than one.

    The runs are claimed in the run cache first, as :func:`run_one` claims one, so a session asking for
    them meanwhile waits for these instead of computing them again; the claims are released whatever
    happens (a session that waited then finds the runs, or computes them itself if the pool failed). A run
    another session is computing is left to :func:`run_one`, which waits for it.
    """
    store = cache()
    ours: list[tuple[str, int]] = []
    try:
        for key, seed in pairs:
            if store.claim(key, int(seed)) is None:
                ours.append((key, int(seed)))
        if len(ours) < 2:  # one run is not worth a pool: run_one computes it in this process
            return
        for (key, seed), res in _pooled(ours, status).items():
            store.put(key, seed, res)
            store.computed += 1
    finally:
        for key, seed in ours:
            store.release(key, seed)


def replicates(keys: Sequence[str], n: int, root_seed: int, *, what: str = "") -> list[list[Any]]:
    """``n`` full runs of each scenario key, seeds spawned from ``root_seed`` (the same for every key).

    Shows one progress line for all of them (waiting place, kernels, run i of n, day d of days).
    """
    seeds = spawn_seeds(int(root_seed), int(n))
    status = Status(what or T("progress.runs"), len(keys) * len(seeds))
    try:
        pairs = [(k, s) for k in keys for s in seeds]
        if executor_kind() == "process":
            _pool_missing(pairs, status)
        out: list[list[Any]] = []
        for k in keys:
            runs = []
            for s in seeds:
                runs.append(run_one(k, s, status))
                status.finished_one()
            out.append(runs)
        return out
    finally:
        status.clear()


def single(key: str, seed: int | None, *, what: str = "") -> Any:
    """One run (seed ``None``: the scenario's own seed), with a progress line."""
    status = Status(what or T("progress.runs"), 1)
    try:
        return run_one(key, int(from_key(key).run.seed if seed is None else seed), status)
    finally:
        status.clear()


class Ticker:
    """Throttled progress ``(done, total)`` of an analysis on a bar created by the caller, with the counts."""

    def __init__(self, bar: Any, text: str, steps: int = 40) -> None:
        self.bar, self.text, self.steps, self.last = bar, text, steps, -1

    def __call__(self, done: float, total: float) -> None:
        """Show ``done`` of ``total``."""
        frac = 0.0 if not total else max(0.0, min(1.0, float(done) / float(total)))
        step = int(frac * self.steps)
        if step != self.last:
            self.last = step
            self.bar.progress(frac, text=T("progress.runs_done", what=self.text, i=int(done), n=int(total)))


@contextlib.contextmanager
def slot(bar: Any, what: str) -> Iterator[None]:
    """Hold one place of the work queue for a whole analysis, showing the place while waiting."""
    q = queue()
    q.acquire(lambda ahead: bar.progress(0.0, text=T("progress.waiting", n=ahead, what=what)))
    try:
        yield
    finally:
        q.release()
