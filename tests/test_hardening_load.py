"""Load: several dashboard sessions at once, shared caches that do not leak, and memory caps.

The dashboard test starts the real server (``streamlit run dashboard/app.py`` on 127.0.0.1, a free
port, test size) and opens several sessions at once over its WebSocket, speaking Streamlit's own
protocol (the ``BackMsg``/``ForwardMsg`` protobufs a browser sends and receives): each session asks
for a script run and reads every element the server sends until the run finishes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

import sim
from sim.analysis.execution import Execution
from sim.api import check_memory, estimate_run_bytes
from sim.errors import SimInputError
from sim.i18n import t as tr
from sim.model.population import Population
from sim.scenario.schema import Scenario
from tests.dashboard_server import Session, browse, dashboard_server

ROOT = Path(__file__).resolve().parents[1]


# ---- memory: estimate, cap and refusal -------------------------------------------------------------


@pytest.mark.parametrize("preset", ["china_in_china", "head_to_head_japan"])
def test_estimate_counts_the_population_arrays_exactly(preset: str) -> None:
    """The estimate's per-consumer bytes are the population's real arrays (one brand: about 82 bytes)."""
    sc = sim.resolve(preset, ["run.population=1000"])
    k = len(sc.brands)
    pop = Population(sc.market, 1000, k, seed=1)
    est = estimate_run_bytes(sc)
    assert est["consumers"] == pytest.approx(1000 * (pop.bytes_per_consumer() + 32))
    if k == 1:
        assert 70 <= pop.bytes_per_consumer() <= 90  # 79: days are stored in 16 bits (component.DAY)
    assert est["total"] == est["consumers"] + est["journeys"] + est["days"] + est["fixed"]


def _largest_allowed() -> Scenario:
    """The biggest run the schema allows: 20 million consumers, 10 years, 8 brands, 2,000 journeys."""
    doc = sim.resolve("china_in_china").model_dump(mode="json")
    doc["run"].update(population=20_000_000, days=3650, journeys=2000)
    doc["brands"] = [{**doc["brands"][0], "name": f"brand{i}"} for i in range(8)]
    return Scenario.model_validate(doc)


def test_largest_allowed_run_is_estimated_before_anything_is_allocated() -> None:
    """20M consumers x 3,650 days x 8 brands x 2,000 journeys needs about 10.9 GiB; a 1-brand run about 2.3 GiB."""
    big = estimate_run_bytes(_largest_allowed())
    assert 10e9 < big["total"] < 14e9  # (days in 16 bits since 2026-11-26: -1.28 GB here;
    # issue 17 added a per-brand day column, last_contact: +0.64 GB here;
    # issue 13 a float32 stored-value balance and a uint8 bitmask of product lines tried: +0.8 GB;
    # the yes/no states as bits of one byte and tracking as one bit per consumer, 2026-11-26: -0.34 GB)
    assert big["journeys"] > 3e9  # the journey log of 2,000 consumers x 8 brands x 10 years is a large part
    one = estimate_run_bytes(sim.resolve("china_in_china", ["run.population=20000000", "run.days=3650"]))
    assert 2.0e9 < one["total"] < 2.7e9


def test_run_over_the_cap_is_refused_with_estimate_and_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """`sim.run` (used by the CLI, the dashboard and every worker) refuses before allocating; it names the field."""
    monkeypatch.setenv("PTSIM_MAX_RUN_MEMORY", "1GB")
    with pytest.raises(SimInputError) as info:
        sim.run(_largest_allowed())
    text = str(info.value)
    assert "needs about 10.9 GB of memory" in text and "the cap is 1.0 GB" in text
    assert info.value.problems[0].path == "run.population"
    few = _largest_allowed().model_copy(deep=True)
    few.run.population = 1000
    with pytest.raises(SimInputError) as info:
        check_memory(few)
    assert info.value.problems[0].path == "run.journeys"  # the journey log dominates: say so
    monkeypatch.setenv("PTSIM_MAX_RUN_MEMORY", "a lot")
    with pytest.raises(SimInputError, match="must be a size such as 800MB"):
        check_memory(few)


def test_default_cap_is_a_share_of_available_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the variable, the cap is 80% of the memory available now, and the message says so."""
    import sim.api as api

    real = api.available_memory()
    assert real is None or real > 0  # read from /proc/meminfo and the cgroup limit on Linux
    monkeypatch.delenv("PTSIM_MAX_RUN_MEMORY", raising=False)
    monkeypatch.setattr(api, "available_memory", lambda: 2 * 2**30)
    with pytest.raises(SimInputError, match=r"the cap is 1\.6 GB \(80% of the 2\.0 GB of memory available now\)"):
        check_memory(_largest_allowed())
    check_memory(sim.resolve("china_in_china"))  # a default run fits easily


def test_estimate_bounds_the_measured_peak(tmp_path: Path) -> None:
    """A fresh process running 1.5 million consumers peaks below the estimate, and not 3x below it."""
    code = (
        "import resource, json, psutil, sim\n"
        "import sim.model.market, sim.results.result  # the engine's imports are not the run's memory\n"
        "from sim.api import estimate_run_bytes\n"
        "sc = sim.resolve('china_in_china', ['run.population=1500000', 'run.days=10'])\n"
        "before = psutil.Process().memory_info().rss\n"
        "sim.run(sc)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'grew': after - before, 'estimate': estimate_run_bytes(sc)['total']}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["estimate"] / 3 < got["grew"] <= got["estimate"], got


def test_ensembles_too_big_for_memory_are_refused_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replicates keep every KPI series in the main process: 10,000 of them are refused up front, with the cap."""
    from sim.analysis.compare import compare_scenarios
    from sim.analysis.replicate import replicate

    monkeypatch.setenv("PTSIM_MAX_RUN_MEMORY", "500MB")
    with pytest.raises(SimInputError, match=r"10,000 replicates x 1,095 days keep about 8\.\d GB .* the cap is 500"):
        replicate("china_in_china", 10_000, execution=Execution(executor="serial"))
    with pytest.raises(SimInputError, match="KPI series in memory"):
        compare_scenarios(["china_in_china", "japan_in_japan"], 5_000, execution=Execution(executor="serial"))


def test_ensemble_estimate_matches_a_real_ensemble() -> None:
    """The series estimate (twice the table, for the concatenation) is close to a real ensemble's table."""
    from sim.analysis.executors import DEFAULT_DAILY
    from sim.analysis.replicate import SERIES_BYTES_PER_VALUE, replicate
    from sim.results.kpis import KPI_NAMES

    ens = replicate("head_to_head_japan", 3,
                    execution=Execution(executor="serial", overrides=["run.population=300", "run.days=100"]))
    table = ens.series.memory_usage(deep=True).sum()
    estimate = SERIES_BYTES_PER_VALUE * (3 + len(KPI_NAMES) + len(DEFAULT_DAILY)) * 3 * 100 * 2
    assert table <= estimate / 2 <= 1.5 * table


def test_dashboard_caps_keep_every_run_small() -> None:
    """The dashboard caps sizes (stated on its pages); its biggest run needs well under 1 GB."""
    pytest.importorskip("streamlit")
    from dashboard import common as C

    capped = C.sized("head_to_head_japan", population=10**9, days=10**6, journeys=10**6)
    assert (capped.run.population, capped.run.days) == (C.CAPS.population, C.CAPS.days)
    assert capped.run.journeys == C.CAPS.journeys
    doc = capped.model_dump(mode="json")
    doc["brands"] = [{**doc["brands"][0], "name": f"b{i}"} for i in range(8)]  # an upload may have 8 brands
    assert estimate_run_bytes(Scenario.model_validate(doc))["total"] < 1e9
    assert f"{C.CAPS.population:,}" in C.caps_note() or "200" in C.caps_note()


# ---- the dashboard under several sessions ----------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    """The real dashboard server on 127.0.0.1 (test size); always stopped."""
    pytest.importorskip("streamlit")
    pytest.importorskip("websockets")
    # SIM_LOAD_FULL=1 runs the dashboard at its real sizes (for the figures in the report; slow)
    with dashboard_server(timeout=180, size="" if os.environ.get("SIM_LOAD_FULL") else "1") as started:
        yield started


def test_dashboard_serves_concurrent_sessions_without_leaks(server: tuple[str, int]) -> None:
    """Six sessions at once (three languages, two pages) through the real server.

    Each renders without an exception or error box, in its own language; sessions with the same
    settings see the same (cached) numbers; the server stays healthy and listens on 127.0.0.1 only.
    """
    url, pid = server
    sessions = [Session("lang=en"), Session("lang=zh"), Session("lang=ja"), Session("lang=en"), Session("lang=zh"),
                Session("lang=en", page="what-if")]
    threads = [threading.Thread(target=browse, args=(url, s)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=400)
    for s in sessions:
        assert not s.failure, s
        assert s.kinds.get("script_finished") == 1 and s.kinds.get("new_session") == 1, s.kinds
        assert not s.exceptions, s.exceptions
        assert not s.errors, s.errors
    en, zh, ja, en2, zh2, whatif = sessions
    assert en.headings[0].startswith("China vs Japan")
    assert "中国" in zh.headings[0] and "私域流量" in zh.headings[0]
    assert "プライベートトラフィック" in ja.headings[0]
    assert en.metrics and en.metrics == en2.metrics and zh.metrics == zh2.metrics
    assert [v for _, v in en.metrics] == [v for _, v in en2.metrics]
    assert whatif.headings and whatif.headings[0] != en.headings[0]
    # still healthy afterwards, and only ever listening on the loopback interface
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
        assert r.read().strip() == b"ok"
    listening = [c.laddr.ip for c in psutil.Process(pid).net_connections(kind="inet") if c.status == "LISTEN"]
    assert listening and set(listening) <= {"127.0.0.1"}, listening


def test_cached_results_are_copies_not_shared_objects() -> None:
    """A session that changes a cached result in place cannot change what the next session gets."""
    pytest.importorskip("streamlit")
    os.environ.setdefault("SIM_DASHBOARD_TEST_SIZE", "1")
    from dashboard import common as C

    key = C.doc_key(C.sized("china_in_china", population=500, days=30))
    first = C.run_cached(key, 3)
    first.daily.loc[:, "profit"] = 0.0
    again = C.run_cached(key, 3)
    assert again is not first
    assert again.daily["profit"].abs().sum() > 0


def test_uploaded_scenarios_stay_in_their_session() -> None:
    """A scenario uploaded in one session is offered there and never in another session."""
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    doc = sim.resolve("hybrid_in_japan").model_dump(mode="json")
    app = str(ROOT / "dashboard" / "app.py")
    old = os.environ.get("SIM_DASHBOARD_TEST_SIZE")
    os.environ["SIM_DASHBOARD_TEST_SIZE"] = "1"
    try:
        a = AppTest.from_file(app, default_timeout=300)
        a.session_state["uploaded"] = {"secret plan": doc}
        a.run()
        b = AppTest.from_file(app, default_timeout=300)
        b.run()
    finally:
        if old is None:
            os.environ.pop("SIM_DASHBOARD_TEST_SIZE", None)
        else:
            os.environ["SIM_DASHBOARD_TEST_SIZE"] = old
    assert not a.exception and not b.exception
    assert "upload:secret plan" in a.multiselect(key="cmp_sources").options or any(
        "secret plan" in o for o in a.multiselect(key="cmp_sources").options)
    assert not any("secret plan" in o for o in b.multiselect(key="cmp_sources").options)
    assert "uploaded" not in b.session_state or "secret plan" not in b.session_state["uploaded"]


def _array_bytes(obj: object, seen: set[int] | None = None) -> int:
    """Bytes of every NumPy array reachable from an object's attributes (named tuples and lists included)."""
    import numpy as np

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if isinstance(obj, tuple | list):
        return sum(_array_bytes(x, seen) for x in obj)
    if isinstance(obj, dict):
        return sum(_array_bytes(x, seen) for x in obj.values())
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return sum(_array_bytes(x, seen) for x in vars(obj).values())
    return 0


@pytest.mark.parametrize("k", [1, 3])
def test_consumer_estimate_matches_the_arrays_really_allocated(k: int) -> None:
    """The estimate's consumer part covers the population's real arrays without inflating them.

    Behaviour, not the formula: the arrays are measured, whatever the layout.
    """
    doc = sim.resolve("china_in_china", ["run.population=4000"]).model_dump(mode="json")
    doc["brands"] = [{**doc["brands"][0], "name": f"b{i}"} for i in range(k)]
    sc = Scenario.model_validate(doc)
    pop = Population(sc.market, 4000, k, seed=1)
    real = _array_bytes(pop)
    est = estimate_run_bytes(sc)["consumers"]
    assert real > 0
    assert real <= est <= 1.6 * real, (real, est)


def test_ten_sessions_share_runs_with_bounded_memory(server: tuple[str, int]) -> None:
    """Ten sessions at once on the default page and What-if (two move a slider): no error, shared runs.

    The runs are computed once and shared, the server's memory stays bounded; prints first render
    and slider-to-chart times.
    """
    url, pid = server
    proc = psutil.Process(pid)
    rss0 = proc.memory_info().rss
    sessions = [Session(f"lang={('en', 'zh', 'ja')[i % 3]}") for i in range(8)]
    sessions += [Session("lang=en", page="what-if"), Session("lang=ja", page="what-if")]
    threads = []
    for s in sessions:
        slider = (tr("whatif.per_week", s.query[-2:]), 1, 9.0) if s.page == "what-if" else None  # side B
        threads.append(threading.Thread(target=browse, args=(url, s), kwargs={"then_slider": slider}))
    t0 = time.monotonic()
    for t in threads:
        t.start()
    peak = rss0
    while any(t.is_alive() for t in threads):
        peak = max(peak, proc.memory_info().rss)
        time.sleep(0.2)
        if time.monotonic() - t0 > 900:
            break
    for s in sessions:
        assert not s.failure, s
        assert not s.exceptions, s.exceptions
        assert not s.errors, s.errors
        assert s.charts >= 2, s
    firsts = sorted(s.seconds for s in sessions[:8])
    slides = [s.rerun_seconds for s in sessions[8:]]
    assert all(x > 0 for x in slides) and all(s.charts >= 4 for s in sessions[8:])  # the rerun drew its charts
    en = [s for s in sessions[:8] if s.query == "lang=en"]
    assert all(s.metrics == en[0].metrics for s in en)  # shared runs: the same numbers
    grew = (peak - rss0) / 2**20
    print(f"\n10 sessions: first render {firsts[0]:.1f}-{firsts[-1]:.1f} s (median {firsts[len(firsts) // 2]:.1f} s); "
          f"slider to chart {min(slides):.1f}-{max(slides):.1f} s; server memory {rss0 / 2**20:.0f} MB -> peak "
          f"{peak / 2**20:.0f} MB (+{grew:.0f} MB)")
    assert grew < 800, grew  # bounded: shared runs, a capped cache
