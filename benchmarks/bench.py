"""Benchmark of the fast engine against its targets.

Throughput, memory, per-mechanism time, compile time, the speed-up over the reference
implementation (one Mesa agent per consumer) and over serial replicates.

One command (from the repository root)::

    .venv/bin/python benchmarks/bench.py            # same as --quick: 100k and 1M consumers (~3 min)
    .venv/bin/python benchmarks/bench.py --full     # 100k, 1M and 10M consumers (~10-15 min)

Every measurement of the engine runs in a fresh subprocess, so each size has its own peak memory
(``ru_maxrss``) and nothing is shared between sizes; each subprocess first makes a small warm-up run
so that loading the compiled kernels is not timed (compile time is measured separately, cold and
from the on-disk cache). Times are reported as wall-clock and as CPU time of the process: on a
shared machine the two differ, and the load average is printed with the results. Scenarios:
``china_in_china`` (one brand) and ``head_to_head_japan`` plus the hybrid brand (three brands),
365 days. Replicates go through the tool's own executors (``make_executor``, ``map_runs``), with
the pool's start-up inside the timer, once per start method, and through ``ptsim replicate`` end
to end. The figures are printed as tables and written to ``benchmarks/results.json``
(atomically). Targets are printed as PASS/FAIL; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
ONE_BRAND = ("china_in_china", [])
THREE_BRANDS = ("head_to_head_japan", ["brands.2={name: Hybrid, strategy: {extends: strategies/hybrid}}"])
SCENARIOS = {1: ONE_BRAND, 3: THREE_BRANDS}
MECHANISMS = ("plan", "auction", "acquisition", "purchase", "membership", "messaging", "referral", "compliance",
              "books")
YEAR = 365

MODES = {
    "quick": {"sizes": [100_000, 1_000_000], "brands": [1, 3], "reference": [(10_000, 20)],
              "replicate_size": 200_000},
    "full": {"sizes": [100_000, 1_000_000, 10_000_000], "brands": [1, 3], "reference": [(10_000, 30), (100_000, 4)],
             "replicate_size": 1_000_000},
}
TARGETS = {
    "consumer_days_per_s_1m": 1e8,
    "year_seconds_1m_aim": 1.0,
    "speedup_over_reference": 300.0,
    "bytes_per_consumer_1brand": 150.0,
    "peak_gb_10m": 2.0,
    "seconds_10m_year": 60.0,
    "replicate_speedup": 1.7,
}


# ---- helpers shared by the parent and the workers ---------------------------------------------------
def scenario(brands: int, population: int, days: int, seed: int = 20261121):
    """The benchmark scenario with ``brands`` brands (1 or 3)."""
    import sim

    preset, extra = SCENARIOS[brands]
    return sim.resolve(preset, extra + [f"run.population={population}", f"run.days={days}", "run.journeys=40",
                                        f"run.seed={seed}"])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_worker(kind: str, **kwargs) -> dict:
    """Run ``bench.py --worker kind`` in a fresh interpreter and return its JSON answer."""
    env = dict(os.environ)
    env.update(kwargs.pop("env", {}))
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--args", json.dumps(kwargs)]
    out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"worker {kind} {kwargs} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- workers (each in its own process) ----------------------------------------------------------------
def worker_engine(brands: int, population: int, days: int) -> dict:
    """Time one run of the fast engine: setup, days, tables; per-mechanism times; memory."""
    from sim.model.market import MarketModel
    from sim.model.warmup import warm_kernels
    from sim.results.result import RunResult

    warm_kernels()  # load (or compile) every kernel, so that it is not timed
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    model = MarketModel(scenario(brands, population, days))
    setup = time.perf_counter() - t0
    c0 = time.process_time()
    wall = model.run_days()
    cpu = time.process_time() - c0
    t0 = time.perf_counter()
    RunResult.from_model(model, wall)
    tables = time.perf_counter() - t0
    return {
        "brands": brands, "population": population, "days": days, "setup_s": setup, "wall_s": wall, "cpu_s": cpu,
        "tables_s": tables, "timings_s": {k: float(v) for k, v in model.timings.items()},
        "bytes_per_consumer": model.pop.bytes_per_consumer(), "peak_rss_mb": peak_rss_mb(),
        "rss_before_model_mb": rss_before,
    }


def worker_compile(population: int, days: int) -> dict:
    """Time the first and the second small run in a fresh process (compile or cache load, then warm)."""
    t0 = time.perf_counter()
    from sim.model.market import MarketModel

    imported = time.perf_counter() - t0
    out = {"import_s": imported}
    for label in ("first_s", "second_s"):
        t0 = time.perf_counter()
        for brands in (1, 3):
            MarketModel(scenario(brands, population, days)).run_days()
        out[label] = time.perf_counter() - t0
    return out


def worker_reference(population: int, days: int) -> dict:
    """Consumer-days per second of the reference and of the fast engine on the same run."""
    from sim.model.market import MarketModel
    from sim.model.warmup import warm_kernels
    from sim.reference import ReferenceMarket

    warm_kernels()  # load (or compile) every kernel, so that it is not timed
    ReferenceMarket(scenario(1, 200, 3)).run_days()  # compiles the shared formulas for Python callers
    ref = ReferenceMarket(scenario(1, population, days))
    c0 = time.process_time()
    ref_wall = ref.run_days()
    ref_cpu = time.process_time() - c0
    best = {}
    for label, d in (("same_days", days), ("year", YEAR)):
        walls, cpus = [], []
        for _ in range(3):
            model = MarketModel(scenario(1, population, d))
            c0 = time.process_time()
            walls.append(model.run_days())
            cpus.append(time.process_time() - c0)
        best[label] = (d, min(walls), min(cpus))
    cd = population * days
    return {
        "population": population, "reference_days": days,
        "reference_wall_s": ref_wall, "reference_cpu_s": ref_cpu,
        "reference_cd_per_s": cd / ref_wall, "reference_cd_per_s_cpu": cd / ref_cpu,
        "fast_same_days_cd_per_s": cd / best["same_days"][1], "fast_same_days_cd_per_s_cpu": cd / best["same_days"][2],
        "fast_year_cd_per_s": population * YEAR / best["year"][1],
        "fast_year_cd_per_s_cpu": population * YEAR / best["year"][2],
    }


def timed_kpis(sc, seed: int) -> tuple[object, float]:
    """One replicate as the analyses run it (``run_kpis``), with the CPU seconds it took in its process."""
    from sim.analysis.executors import run_kpis

    c0 = time.process_time()
    out = run_kpis(sc, seed)
    return out, time.process_time() - c0


def worker_replicates(population: int, count: int, workers: int, attempts: int = 2) -> dict:
    """``count`` replicates (different seeds) one after another, then on ``workers`` processes.

    Both go through the tool's own executors (``make_executor`` and ``map_runs``, as ``ptsim replicate``
    does), and every pool is made inside the timer, so its start-up is counted. The pool is tried with
    each start method: ``auto`` (what users get: ``fork`` here, from this single-threaded process),
    ``forkserver`` (what a multi-threaded process such as the dashboard gets: its first pool starts
    the server, later pools reuse it) and ``spawn``. The CPU-time estimate (serial CPU over the CPU of
    the busiest worker of the ``auto`` pool when the tasks are shared out evenly) is the speed-up the
    split itself allows when both cores are free; on a shared machine the wall-clock figure is lower.
    """
    from sim.analysis.executors import make_executor, map_runs
    from sim.model.warmup import warm_kernels

    warm_kernels()
    sc = scenario(1, population, YEAR)
    calls = [(sc, s) for s in range(1, count + 1)]

    def timed(kind: str, method: str | None = None) -> tuple[float, list, str]:
        t0 = time.perf_counter()
        with make_executor(kind, workers=workers, tasks=count, start_method=method) as ex:
            out = map_runs(ex, timed_kpis, calls)
            used = getattr(ex, "method", kind)
        return time.perf_counter() - t0, out, used

    serial = [timed("serial") for _ in range(attempts)]
    pools = {m: [timed("process", m) for _ in range(attempts)] for m in ("auto", "forkserver", "spawn")}
    serial_s = min(t for t, _, _ in serial)
    first = serial[0][1]
    same = all(all(o[0].equals(f[0]) for o, f in zip(out, first, strict=True))
               for tries in [serial, *pools.values()] for _, out, _ in tries)
    serial_cpu = sum(c for _, c in first)
    auto_out = min(pools["auto"], key=lambda r: r[0])[1]
    busiest = sum(c for _, c in auto_out) / count * -(-count // workers)
    methods = {}
    for m, tries in pools.items():
        walls = [t for t, _, _ in tries]
        methods[m] = {"method": tries[0][2], "first_pool_s": walls[0], "best_s": min(walls),
                      "speedup_first_pool": serial_s / walls[0], "speedup_best": serial_s / min(walls)}
    return {
        "population": population, "replicates": count, "workers": workers, "attempts": attempts,
        "serial_s": serial_s, "methods": methods,
        "parallel_s": methods["auto"]["first_pool_s"], "speedup": methods["auto"]["speedup_first_pool"],
        "serial_cpu_s": serial_cpu, "busiest_worker_cpu_s": busiest, "speedup_cpu_estimate": serial_cpu / busiest,
        "same_results": same,
    }


def cli_replicates(population: int, count: int, workers: int) -> dict:
    """``ptsim replicate`` end to end, as a user types it: ``--serial`` against ``-w workers``.

    Each command is a fresh interpreter (imports, kernel cache load, runs, summary; nothing saved), so
    this counts everything a user waits for. Best of two of each.
    """
    exe = Path(sys.executable).with_name("ptsim")
    base = [str(exe), "replicate", "china_in_china", "-n", str(count), "--no-save",
            "--set", f"run.population={population}", "--set", f"run.days={YEAR}", "--set", "run.journeys=40"]
    out = {}
    for label, extra in (("serial", ["--serial"]), ("pool", ["-w", str(workers)])):
        walls = []
        for _ in range(2):
            t0 = time.perf_counter()
            done = subprocess.run(base + extra, cwd=ROOT, capture_output=True, text=True, check=False)
            walls.append(time.perf_counter() - t0)
            if done.returncode != 0:
                raise RuntimeError(f"ptsim replicate failed:\n{done.stderr[-3000:]}")
        out[f"{label}_s"] = min(walls)
    out["speedup"] = out["serial_s"] / out["pool_s"]
    return out


WORKERS = {"engine": worker_engine, "compile": worker_compile, "reference": worker_reference,
           "replicates": worker_replicates}


# ---- the machine ---------------------------------------------------------------------------------
def machine() -> dict:
    """CPU model, cores, memory and software versions."""
    import numba
    import numpy

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "ram_gb": round(ram_gb, 1),
        "python": platform.python_version(), "numba": numba.__version__, "numpy": numpy.__version__,
        "platform": platform.platform(), "load_average_start": os.getloadavg(),
    }


# ---- the run --------------------------------------------------------------------------------------
def fmt(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits (engineering-friendly)."""
    if x is None or x != x:
        return "-"
    if abs(x) >= 1e5:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}"


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def main() -> None:
    """Parse the command line; run every measurement (or one worker) and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="100k and 1M consumers (default)")
    group.add_argument("--full", action="store_true", help="100k, 1M and 10M consumers; reference at 100k too")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        print(json.dumps(WORKERS[opts.worker](**json.loads(opts.args))))
        return

    mode = "full" if opts.full else "quick"
    plan = MODES[mode]
    started = time.perf_counter()
    report: dict = {"mode": mode, "machine": machine(), "command": f".venv/bin/python benchmarks/bench.py --{mode}"}
    m = report["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']} GB RAM; "
          f"Python {m['python']}, numba {m['numba']}, numpy {m['numpy']}")
    print(f"Load average at start: {', '.join(f'{x:.2f}' for x in m['load_average_start'])} "
          f"(above {m['cores']} means other processes compete for the cores: compare CPU times)\n")

    # compile time: cold (empty cache directory) and from the on-disk cache
    with tempfile.TemporaryDirectory(prefix="ptsim-numba-cache-") as empty:
        cold = run_worker("compile", population=1_000, days=31, env={"NUMBA_CACHE_DIR": empty})
    cached = run_worker("compile", population=1_000, days=31)
    report["compile"] = {"cold": cold, "cached": cached,
                         "compile_s": cold["first_s"] - cold["second_s"],
                         "cache_load_s": cached["first_s"] - cached["second_s"]}
    print("Compile (first small run of 1 and 3 brands minus the second, in a fresh process)")
    print(f"  cold (empty cache):  {report['compile']['compile_s']:.2f} s   "
          f"from cache: {report['compile']['cache_load_s']:.2f} s   import sim: {cached['import_s']:.2f} s\n")

    # the engine at every size
    runs = []
    for brands in plan["brands"]:
        for n in plan["sizes"]:
            print(f"  running {brands} brand(s), {n:,} consumers, {YEAR} days ...", flush=True)
            runs.append(run_worker("engine", brands=brands, population=n, days=YEAR))
    report["runs"] = runs
    print("\nThroughput (one simulated year; consumer-days = consumers x days, whatever the number of brands)")
    head = (f"{'brands':>6} {'consumers':>11} {'cd/s wall':>10} {'cd/s cpu':>10} {'s/year wall':>11} "
            f"{'s/year cpu':>10} {'setup s':>8} {'tables s':>8} {'B/consumer':>10} {'peak MB':>8}")
    print(head)
    for r in runs:
        cd = r["population"] * r["days"]
        r["cd_per_s"], r["cd_per_s_cpu"] = cd / r["wall_s"], cd / r["cpu_s"]
        r["year_s"], r["year_s_cpu"] = r["wall_s"] * YEAR / r["days"], r["cpu_s"] * YEAR / r["days"]
        print(f"{r['brands']:>6} {r['population']:>11,} {fmt(r['cd_per_s']):>10} {fmt(r['cd_per_s_cpu']):>10} "
              f"{r['year_s']:>11.2f} {r['year_s_cpu']:>10.2f} {r['setup_s']:>8.2f} {r['tables_s']:>8.2f} "
              f"{r['bytes_per_consumer']:>10.0f} {r['peak_rss_mb']:>8.0f}")
    print("\nTime per mechanism (wall seconds for the year; share of the day's total)")
    print(f"{'brands':>6} {'consumers':>11} " + " ".join(f"{name[:11]:>11}" for name in MECHANISMS))
    for r in runs:
        total = sum(r["timings_s"].values()) or 1.0
        cells = [f"{r['timings_s'].get(name, 0.0):6.2f} {100 * r['timings_s'].get(name, 0.0) / total:3.0f}%"
                 for name in MECHANISMS]
        print(f"{r['brands']:>6} {r['population']:>11,} " + " ".join(f"{c:>11}" for c in cells))

    # the reference
    refs = []
    for n, days in plan["reference"]:
        print(f"\n  running the reference, {n:,} consumers, {days} days ...", flush=True)
        refs.append(run_worker("reference", population=n, days=days))
    report["reference"] = refs
    print("\nFast engine vs reference (one Mesa agent per consumer), 1 brand, same scenario")
    print(f"{'consumers':>10} {'ref days':>8} {'ref cd/s':>9} {'fast cd/s (same days)':>22} {'ratio':>7} "
          f"{'fast cd/s (year)':>17} {'ratio':>7}")
    for r in refs:
        r["ratio_same_days"] = r["fast_same_days_cd_per_s_cpu"] / r["reference_cd_per_s_cpu"]
        r["ratio_year"] = r["fast_year_cd_per_s_cpu"] / r["reference_cd_per_s_cpu"]
        print(f"{r['population']:>10,} {r['reference_days']:>8} {fmt(r['reference_cd_per_s_cpu']):>9} "
              f"{fmt(r['fast_same_days_cd_per_s_cpu']):>22} {r['ratio_same_days']:>7.0f} "
              f"{fmt(r['fast_year_cd_per_s_cpu']):>17} {r['ratio_year']:>7.0f}")
    print("  (CPU time. The reference runs only the first days and its cost per consumer-day grows as more "
          "consumers become active, so the year ratio understates the speed-up.)")

    # replicates
    n_rep = plan["replicate_size"]
    print(f"\n  running 8 replicates of {n_rep:,} consumers x {YEAR} days, serial and on 2 processes ...", flush=True)
    rep = run_worker("replicates", population=n_rep, count=8, workers=2)
    print("  running `ptsim replicate -n 8` end to end, --serial and -w 2 ...", flush=True)
    rep["cli"] = cli_replicates(n_rep, 8, 2)
    report["replicates"] = rep
    print(f"\n8 replicates of {n_rep:,} consumers x 1 year (tool's executors; pool start-up counted): "
          f"serial {rep['serial_s']:.1f} s (best of {rep['attempts']})")
    print(f"{'start method':>22} {'first pool s':>12} {'speed-up':>8} {'best pool s':>11} {'speed-up':>8}")
    for name, r in rep["methods"].items():
        label = f"{name} ({r['method']})" if name == "auto" else name
        print(f"{label:>22} {r['first_pool_s']:>12.1f} {r['speedup_first_pool']:>7.2f}x {r['best_s']:>11.1f} "
              f"{r['speedup_best']:>7.2f}x")
    cli = rep["cli"]
    print(f"  `ptsim replicate` end to end: --serial {cli['serial_s']:.1f} s, -w 2 {cli['pool_s']:.1f} s "
          f"(x{cli['speedup']:.2f}); CPU-time estimate with 2 free cores x{rep['speedup_cpu_estimate']:.2f}; "
          f"identical results: {rep['same_results']}")

    # targets
    def find(brands: int, n: int) -> dict | None:
        return next((r for r in runs if r["brands"] == brands and r["population"] == n), None)

    one_m, ten_m = find(1, 1_000_000), find(1, 10_000_000)
    best_ref = min((r["ratio_same_days"] for r in refs), default=float("nan"))
    t = TARGETS
    checks = [
        ("1 brand, 1M consumers >= 1e8 consumer-days/s (wall | cpu)",
         f"{fmt(one_m['cd_per_s'])} | {fmt(one_m['cd_per_s_cpu'])}",
         one_m["cd_per_s"] >= t["consumer_days_per_s_1m"], one_m["cd_per_s_cpu"] >= t["consumer_days_per_s_1m"]),
        ("aim: a year of 1M consumers in <= 1 s (wall | cpu)", f"{one_m['year_s']:.2f} | {one_m['year_s_cpu']:.2f} s",
         one_m["year_s"] <= t["year_seconds_1m_aim"], one_m["year_s_cpu"] <= t["year_seconds_1m_aim"]),
        (">= 300x the reference (cpu, same days, smallest ratio)", f"{best_ref:.0f}x",
         best_ref >= t["speedup_over_reference"], best_ref >= t["speedup_over_reference"]),
        ("<= 150 bytes of state per consumer with one brand", f"{one_m['bytes_per_consumer']:.0f} B",
         one_m["bytes_per_consumer"] <= t["bytes_per_consumer_1brand"],
         one_m["bytes_per_consumer"] <= t["bytes_per_consumer_1brand"]),
    ]
    if ten_m:
        checks += [
            ("10M consumers x 365 days in <= 2 GB (peak RSS, whole process)", f"{ten_m['peak_rss_mb'] / 1024:.2f} GB",
             ten_m["peak_rss_mb"] / 1024 <= t["peak_gb_10m"], ten_m["peak_rss_mb"] / 1024 <= t["peak_gb_10m"]),
            ("10M consumers x 365 days in <= 60 s (set-up + days + tables: wall | days alone: cpu)",
             f"{ten_m['setup_s'] + ten_m['wall_s'] + ten_m['tables_s']:.1f} | {ten_m['cpu_s']:.1f} s",
             ten_m["setup_s"] + ten_m["wall_s"] + ten_m["tables_s"] <= t["seconds_10m_year"],
             ten_m["cpu_s"] <= t["seconds_10m_year"]),
        ]
    checks.append(("8 replicates on 2 processes >= 1.7x faster than serial (wall with pool start-up | cpu estimate)",
                   f"x{rep['speedup']:.2f} | x{rep['speedup_cpu_estimate']:.2f}; `ptsim replicate` end to end, "
                   f"interpreter start and imports included: x{rep['cli']['speedup']:.2f}",
                   rep["speedup"] >= t["replicate_speedup"], rep["speedup_cpu_estimate"] >= t["replicate_speedup"]))
    report["targets"] = [{"target": name, "value": value, "pass_wall": a, "pass_cpu": b}
                         for name, value, a, b in checks]
    m["load_average_end"] = os.getloadavg()
    report["elapsed_s"] = time.perf_counter() - started
    print("\nTargets (wall-clock verdict | CPU-time verdict)")
    for name, value, a, b in checks:
        print(f"  {verdict(a):4} | {verdict(b):4}  {name}: {value}")
    print(f"\nLoad average at end: {', '.join(f'{x:.2f}' for x in m['load_average_end'])}; "
          f"benchmark took {report['elapsed_s'] / 60:.1f} min")

    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(tmp, RESULTS)
    print(f"Figures written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
