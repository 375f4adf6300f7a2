"""What ``bench.py`` runs in its fresh subprocesses (``bench.py --worker NAME --args JSON``).

Each worker prints one JSON object (the parent reads the last line of its output). The scenarios,
the numba compilation log and the peak-memory reading are here too, since only workers use them.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

YEAR = 365
SEED = 20261121
ONE_BRAND = ("china_in_china", [])
THREE_BRANDS = ("head_to_head_japan", ["brands.2={name: Hybrid, strategy: {extends: strategies/hybrid}}"])
SCENARIOS = {1: ONE_BRAND, 3: THREE_BRANDS}


#: The market-entry levers the China preset runs (livestreams, group buying, a stored-value card) and the
#: others it could: the Mesa reference does not implement them, so the comparison with it switches them
#: off on both sides.
LEVERS_OFF = ["brands.0.strategy.stores.touchpoints=0", "brands.0.strategy.stores.events_per_year=0",
              "brands.0.strategy.livestream.sessions_per_week=0", "brands.0.strategy.own_site.setup_day=null",
              "brands.0.strategy.group_buying.open_rate=0", "brands.0.strategy.stored_value.topup_rate=0",
              "brands.0.strategy.member_benefits.cost_per_member_year=0"]


def scenario(brands: int, population: int, days: int, seed: int = SEED, *, levers: bool = True):
    """The benchmark scenario with ``brands`` brands (1 or 3); ``levers=False`` switches brand 0's levers off."""
    import sim

    preset, extra = SCENARIOS[brands]
    extra = extra + ([] if levers else LEVERS_OFF)
    return sim.resolve(preset, extra + [f"run.population={population}", f"run.days={days}", "run.journeys=40",
                                        f"run.seed={seed}"])


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far, GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


class CompileLog:
    """Records every numba compilation while it is installed (``numba.core.event``), with its duration."""

    def __init__(self) -> None:
        import numba.core.event as ev

        self._ev = ev
        self.listener = ev.RecordingListener()

    def __enter__(self) -> CompileLog:
        self._ev.register("numba:compile", self.listener)
        return self

    def __exit__(self, *exc: object) -> None:
        self._ev.unregister("numba:compile", self.listener)

    @property
    def count(self) -> int:
        """Number of compilations (nested ones included)."""
        return sum(1 for _, e in self.listener.buffer if e.is_start)

    def by_function(self) -> tuple[float, dict[str, float]]:
        """(total seconds of the outermost compilations, self seconds by function, nested time subtracted)."""
        stack: list[list] = []
        own: dict[str, float] = {}
        total = 0.0
        for ts, e in self.listener.buffer:
            d = e.data["dispatcher"]
            name = f"{d.py_func.__module__}.{d.py_func.__qualname__}"
            if e.is_start:
                stack.append([name, ts, 0.0])
                continue
            name, start, nested = stack.pop()
            took = ts - start
            own[name] = own.get(name, 0.0) + took - nested
            if stack:
                stack[-1][2] += took
            else:
                total += took
        return total, own



def worker_cli_run(args: list[str], stats: str) -> dict:
    """``ptsim run`` in this fresh process, recording numba's compilations into the file ``stats``."""
    with CompileLog() as log:
        from sim.cli import main

        sys.argv = ["ptsim", "run", *args]
        try:
            main()
        except SystemExit as stop:
            if stop.code not in (0, None):
                raise
    total, own = log.by_function()
    Path(stats).write_text(json.dumps({"compilations": log.count, "compile_s": total, "by_function": own}))
    return {}


def worker_engine(brands: int, population: int, reps: int) -> dict:
    """``reps`` runs of a full year through ``sim.run``: the loop, the whole call, memory, mechanisms."""
    import sim
    from sim.model.warmup import warm_kernels

    warm_kernels()  # load every kernel from the cache (or compile it), so that it is not timed
    sc = scenario(brands, population, YEAR)
    sim.run(scenario(brands, min(population, 2_000), 31))  # the result-building code's first call, untimed
    loops, whole, cpus, timings = [], [], [], []
    with CompileLog() as log:
        for _ in range(reps):
            c0, t0 = time.process_time(), time.perf_counter()
            result = sim.run(sc)
            whole.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            loops.append(result.meta["wall_seconds"])
            timings.append(result.meta["timings"])
    names = list(timings[0])
    return {
        "brands": brands, "population": population, "days": YEAR, "reps": reps,
        "loop_s": loops, "sim_run_s": whole, "sim_run_cpu_s": cpus,
        "timings_s": {k: statistics.median(t[k] for t in timings) for k in names},
        "bytes_per_consumer": result.meta["bytes_per_consumer"], "peak_rss_gib": peak_rss_gib(),
        "compilations_while_timing": log.count,
    }


def worker_memory(population: int) -> dict:
    """One year of ``population`` consumers through ``sim.run``; peak resident memory of the process."""
    import sim
    from sim.model.warmup import warm_kernels

    warm_kernels()
    before = peak_rss_gib()
    t0 = time.perf_counter()
    result = sim.run(scenario(1, population, YEAR))
    return {"population": population, "sim_run_s": time.perf_counter() - t0, "loop_s": result.meta["wall_seconds"],
            "peak_rss_gib": peak_rss_gib(), "peak_rss_before_run_gib": before,
            "bytes_per_consumer": result.meta["bytes_per_consumer"]}


def worker_reference(population: int, days: int, fast_reps: int, warm_population: int) -> dict:
    """The warmed reference and the fast engine on the same scenario and days (daily loops only).

    The scenario is the China preset without the market-entry levers, which the reference does not implement.
    """
    from sim.model.market import MarketModel
    from sim.model.warmup import warm_kernels
    from sim.reference import ReferenceMarket

    warm_kernels()
    # Warm-up: a small full year of the reference reaches every code path (members, messages,
    # referral, tiers, enforcement ...), so every shared numba formula is compiled before timing.
    with CompileLog() as warm_log:
        t0 = time.perf_counter()
        ReferenceMarket(scenario(1, warm_population, YEAR, levers=False)).run_days()
        warm_s = time.perf_counter() - t0
    with CompileLog() as log:
        ref = ReferenceMarket(scenario(1, population, days, levers=False))
        c0 = time.process_time()
        ref_wall = ref.run_days()
        ref_cpu = time.process_time() - c0
        fast_wall, fast_cpu = [], []
        for _ in range(fast_reps):
            model = MarketModel(scenario(1, population, days, levers=False))  # like for like: no levers
            c0 = time.process_time()
            fast_wall.append(model.run_days())
            fast_cpu.append(time.process_time() - c0)
    return {"population": population, "days": days, "warm_population": warm_population, "warm_s": warm_s,
            "warm_compilations": warm_log.count, "compilations_while_timing": log.count,
            "reference_wall_s": ref_wall, "reference_cpu_s": ref_cpu, "fast_wall_s": fast_wall, "fast_cpu_s": fast_cpu}


def _timed_kpis(sc: Any, seed: int) -> Any:
    from sim.analysis.executors import run_kpis

    return run_kpis(sc, seed)


def worker_replicates(population: int, count: int, workers: int, pairs: int) -> dict:
    """``count`` replicates serial and on ``workers`` processes, in ``pairs`` pairs, the order alternating.

    Both go through the tool's own executors (``make_executor``, ``map_runs``), as ``ptsim replicate``
    does; every pool is made inside the timer, so its start-up is counted.
    """
    from sim.analysis.executors import make_executor, map_runs
    from sim.model.warmup import warm_kernels

    warm_kernels()
    sc = scenario(1, population, YEAR)
    calls = [(sc, s) for s in range(1, count + 1)]

    def timed(kind: str) -> tuple[float, list, str]:
        t0 = time.perf_counter()
        with make_executor(kind, workers=workers, tasks=count) as ex:
            out = map_runs(ex, _timed_kpis, calls)
            used = getattr(ex, "method", kind)
        return time.perf_counter() - t0, out, used

    serial, pool, method, outputs = [], [], "", []
    for i in range(pairs):
        for kind in (("serial", "process") if i % 2 == 0 else ("process", "serial")):
            took, out, used = timed(kind)
            (serial if kind == "serial" else pool).append(took)
            outputs.append(out)
            if kind == "process":
                method = used
    same = all(all(a.equals(b) for a, b in zip(o, outputs[0], strict=True)) for o in outputs)
    return {"population": population, "replicates": count, "workers": workers, "pairs": pairs,
            "serial_s": serial, "pool_s": pool, "ratios": [s / p for s, p in zip(serial, pool, strict=True)],
            "start_method": method, "same_results": same}


def worker_dashboard(population: int | None, days: int | None, reps: int | None) -> dict:
    """The runs behind the dashboard's default comparison (China vs Japan at the Compare page's sizes), warm.

    The Compare page opens on the comparison preset ``china_vs_japan`` and computes ``reps`` replicates of
    each of its scenarios (seeds spawned from one root seed, as the page does) at its default size
    (``dashboard.settings.Sizes``). The kernels are warmed first (as after set-up) and the page's run
    cache is empty (a first visit). Timed: the runs alone, serial (the default server: one run at a time
    per session) and on a 2-process pool (``SIM_DASHBOARD_EXECUTOR=process``); drawing the charts is not
    included.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: the dashboard package
    import sim
    from dashboard.settings import Sizes
    from sim.analysis.executors import make_executor, map_runs, spawn_seeds
    from sim.model.warmup import warm_kernels
    from sim.scenario import load_comparison

    size = Sizes()
    population, days, reps = population or size.population, days or size.days, reps or size.reps
    warm_kernels()
    _, _, ids = load_comparison("china_vs_japan")
    scenarios = [sim.resolve(i, [f"run.population={population}", f"run.days={days}"]) for i in ids]
    for sc in scenarios:  # warm every code path the presets use (tiny runs)
        sim.run(sim.resolve(sc, ["run.population=500", "run.days=30"]))
    seeds = spawn_seeds(int(scenarios[0].run.seed), reps)
    calls = [(sc, s) for sc in scenarios for s in seeds]
    t0 = time.perf_counter()
    for sc, s in calls:
        sim.run(sc, seed=s)
    serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    with make_executor("process", workers=2, tasks=len(calls)) as ex:
        map_runs(ex, _timed_kpis, calls)
    pool = time.perf_counter() - t0
    return {"scenarios": list(ids), "population": population, "days": days, "reps": reps, "runs": len(calls),
            "serial_s": serial, "pool_s": pool}


WORKERS = {"cli_run": worker_cli_run, "engine": worker_engine, "memory": worker_memory,
           "reference": worker_reference, "replicates": worker_replicates,
           "dashboard": worker_dashboard}

