"""The dashboard's shared runs: one computation per run across sessions, a bounded FIFO queue.

Also: copies that sessions cannot change, a byte budget, and honest progress (queue place, run i of
n, day d).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

import pytest

pytest.importorskip("streamlit")

import sim  # noqa: E402
from dashboard import runs as R  # noqa: E402
from dashboard.scenarios import doc_key, sized  # noqa: E402

logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)


def test_queue_is_bounded_and_first_come_first_served() -> None:
    """Never more than ``size`` holders; waiters are served in arrival order and see how many runs are ahead.

    Deterministic under any load: each thread is started only once the one before it holds a slot or
    waits in line, and the holders keep their slots until all six have arrived.
    """
    q = R.WorkQueue(2)
    order: list[int] = []
    seen_ahead: dict[int, list[int]] = {}
    busy_max = [0]
    lock = threading.Lock()
    everyone_in = threading.Event()

    def worker(i: int) -> None:
        q.acquire(lambda ahead: seen_ahead.setdefault(i, []).append(ahead))
        with lock:
            order.append(i)
            busy_max[0] = max(busy_max[0], q.busy)
        everyone_in.wait(10)
        q.release()

    def arrived() -> int:
        with q._cond:
            return q.busy + len(q._waiting)

    threads = []
    for i in range(6):
        threads.append(threading.Thread(target=worker, args=(i,)))
        threads[-1].start()
        deadline = time.monotonic() + 10
        while arrived() < i + 1 and time.monotonic() < deadline:  # arrival order 0, 1, 2...
            time.sleep(0.001)
    assert arrived() == 6 and q.busy == 2
    everyone_in.set()
    for t in threads:
        t.join(10)
    assert busy_max[0] <= 2 and q.busy == 0
    assert order == list(range(6))
    assert seen_ahead.get(5) and max(seen_ahead[5]) == 5  # the last one was told: 2 running, 3 waiting before it


def test_identical_runs_are_computed_once_and_handed_out_as_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four sessions asking for the same run at once: one computation; each gets its own copy."""
    key = doc_key(sized("china_in_china", population=500, days=30))
    store = R.RunCache(10**9)
    monkeypatch.setattr(R, "cache", lambda: store)
    work = R.WorkQueue(2)
    monkeypatch.setattr(R, "queue", lambda: work)
    calls: list[int] = []
    real = sim.run

    def counted(*args: object, **kwargs: object) -> sim.RunResult:
        calls.append(1)
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(R.sim, "run", counted)
    got: list[sim.RunResult] = []
    threads = [threading.Thread(target=lambda: got.append(R.run_one(key, 7))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(calls) == 1 and len(got) == 4
    assert len({id(r) for r in got}) == 4
    got[0].daily.loc[:, "profit"] = 0.0
    assert R.run_one(key, 7).daily["profit"].abs().sum() > 0  # a session's change never reaches the others
    assert store.computed == 1


def test_cache_keeps_within_its_byte_budget() -> None:
    """Beyond the budget the least recently used runs are dropped."""
    res = sim.run(sized("china_in_china", population=500, days=30))
    size = R.result_bytes(res)
    store = R.RunCache(int(2.5 * size))
    for seed in range(5):
        store.put("k", seed, res)
    assert store.bytes <= 2.5 * size and store.get("k", 4) is not None and store.get("k", 0) is None


def test_status_counts_runs_and_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress line says run i of n and day d of days, and the queue place while waiting."""
    texts: list[str] = []

    class Box:
        def progress(self, frac: float, text: str = "") -> None:
            assert 0.0 <= frac <= 1.0
            texts.append(text)

        def empty(self) -> None:
            pass

    monkeypatch.setattr(R.st, "empty", lambda: Box())
    s = R.Status("Simulating", 3)
    s.waiting(2)
    s.day(40, 120)
    s.finished_one()
    s.day(120, 120)
    assert "2 run(s) ahead of yours" in texts[0]
    assert "run 1 of 3, day 40 of 120" in texts[1]
    assert "1 of 3 runs done" in texts[2] and "run 2 of 3, day 120 of 120" in texts[3]


def test_pooled_sessions_compute_each_run_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the process pool too, a session asking for runs another session is computing waits for them.

    Session A's replicates go to the pool; session B asks for the same ones while A's pool is busy. Each
    run is computed once (A's), and both sessions get the same numbers. (The pool is replaced by an
    in-process stand-in that counts the runs it is handed.)
    """
    from sim.analysis import executors as X

    key = doc_key(sized("china_in_china", population=500, days=30))
    store = R.RunCache(10**9)
    monkeypatch.setattr(R, "cache", lambda: store)
    work = R.WorkQueue(2)
    monkeypatch.setattr(R, "queue", lambda: work)
    monkeypatch.setenv("SIM_DASHBOARD_EXECUTOR", "process")

    class Box:
        def progress(self, frac: float, text: str = "") -> None:
            pass

        def empty(self) -> None:
            pass

    monkeypatch.setattr(R.st, "empty", lambda: Box())
    handed: list[int] = []

    def pool(kind: str, **kwargs: object) -> contextlib.AbstractContextManager:
        assert kind == "process"
        return contextlib.nullcontext()

    def map_runs(ex: object, fn, calls: list, progress=None) -> list:  # noqa: ANN001 - the executors' signature
        out = []
        for scenario, seed in calls:
            handed.append(int(seed))
            time.sleep(0.3)  # a pool busy long enough for the second session to arrive
            out.append(fn(scenario, seed))
        return out

    monkeypatch.setattr(X, "make_executor", pool)
    monkeypatch.setattr(X, "map_runs", map_runs)
    got: dict[str, list] = {}
    first = threading.Thread(target=lambda: got.__setitem__("a", R.replicates([key], 2, 11)))
    first.start()
    deadline = time.monotonic() + 60
    while not handed and time.monotonic() < deadline:  # A's pool is computing
        time.sleep(0.01)
    second = threading.Thread(target=lambda: got.__setitem__("b", R.replicates([key], 2, 11)))
    second.start()
    first.join(120)
    second.join(120)
    assert len(handed) == 2 and store.computed == 2, (handed, store.computed)
    a, b = got["a"][0], got["b"][0]
    assert [r.daily["profit"].tolist() for r in a] == [r.daily["profit"].tolist() for r in b]
