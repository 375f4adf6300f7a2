"""Benchmark of the engine, measured honestly: every figure the README states comes from one run of this.

One command (from the repository root)::

    .venv/bin/python benchmarks/bench.py            # the full run (20 minutes on 2 busy cores)
    .venv/bin/python benchmarks/bench.py --quick    # every measurement at toy sizes (a smoke test)

What it measures, each in a fresh subprocess (the workers are in ``bench_workers.py``) so that every
figure has its own process and peak memory:

- **Cold start.** ``ptsim run china_in_china --no-save`` in a fresh interpreter, first with the
  kernels in numba's on-disk cache (as after ``scripts/setup.sh``): the ``ptsim`` program itself, timed
  from outside from its start to its exit, which is what a user waits for after set-up; the same run
  in a worker that counts numba's compilations (there must be none). Then the worker with an empty
  cache (``NUMBA_CACHE_DIR`` pointed at an empty temporary folder), what compiling costs (its CPU time
  minus the warm worker's). This run records every numba compilation
  (``numba.core.event``), so the time of each kernel's compilation (self time, nested helpers
  subtracted) is printed. ``import sim`` and ``ptsim list`` are timed too.
- **The engine.** A full simulated year (365 days) of ``china_in_china`` (one brand) at 100k and 1M
  consumers (and three brands at 1M), several repetitions each, medians: the daily loop alone
  (``result.meta["wall_seconds"]``) beside the whole of ``sim.run`` (memory check, set-up, the
  days, the result tables), consumer-days per second, seconds per simulated year, bytes of state per
  consumer, time per mechanism; then one year of 10M consumers for its peak memory (``ru_maxrss``).
- **The reference.** The idiomatic Mesa implementation (``sim/reference/``, one agent per consumer)
  is first warmed by a small full-year run in the same process (every code path it uses, so every
  shared numba formula it calls is compiled before timing); the number of compilations inside the
  timed window is counted and printed (it must be 0). Then a full year at 10k consumers for both
  engines, and at 100k consumers a stated number of days (a full year of the reference there takes
  longer than this benchmark's budget; nothing is extrapolated unless the table says so).
- **Replicates.** Eight replicates of 1M consumers x 365 days through the tool's executors, serial
  and on two processes (pool start-up inside the timer), in pairs in the same invocation, the order
  alternating; the median of the paired ratios. Then ``ptsim replicate -n 8`` end to end,
  ``--serial`` against ``-w 2``.

Wall-clock and CPU times are both recorded; the CPU model, the cores and the load average at start
and end are printed (other processes on a shared machine inflate wall-clock times: compare the CPU
figures and the paired ratios). The figures are printed as plain-text tables and written, with the
machine and the date, to ``benchmarks/results/latest.json``, and the printed text to
``benchmarks/results/latest.txt`` (``--quick``: ``quick.json`` and ``quick.txt``, or ``--out``). The
issue's targets are printed beside the measured figures as "met" / "not met"; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"
YEAR = 365

#: What each mode measures. ``engine``: (brands, consumers, repetitions), a full year each.
MODES: dict[str, dict[str, Any]] = {
    "full": {
        "cli_run_args": [], "cli_run_reps": 3, "import_reps": 3,
        "engine": [(1, 100_000, 5), (1, 1_000_000, 3), (3, 1_000_000, 2)],
        "year_sizes": (100_000, 1_000_000), "memory_size": 10_000_000,
        "reference_warm": 2_000, "reference": [(10_000, YEAR, 5), (100_000, 60, 3)],
        "replicate": {"population": 1_000_000, "count": 8, "workers": 2, "pairs": 3}, "cli_replicate": 1_000_000,
        "dashboard": {"population": None, "days": None, "reps": None},  # the Compare page's default sizes
    },
    "quick": {
        "cli_run_args": ["--set", "run.population=2000", "--set", "run.days=60"], "cli_run_reps": 1, "import_reps": 1,
        "engine": [(1, 5_000, 2), (1, 20_000, 2), (3, 20_000, 1)],
        "year_sizes": (5_000, 20_000), "memory_size": 50_000,
        "reference_warm": 300, "reference": [(500, YEAR, 2), (2_000, 10, 2)],
        "replicate": {"population": 5_000, "count": 4, "workers": 2, "pairs": 1}, "cli_replicate": 5_000,
        "dashboard": {"population": 2_000, "days": 120, "reps": 2},
    },
}

#: The targets of issue 12 (one core unless stated); printed beside the measured figures.
TARGETS = {
    "year_1m_sim_run_s": ("1M consumers x 365 days, China preset, through `sim.run`", "<=", 1.0, "s"),
    "speedup_reference_year_1e4": ("vs warmed idiomatic Mesa reference, full year, 1e4 consumers", ">=", 1500.0, "x"),
    "first_run_after_setup_s": ("first `ptsim run` after the README set-up", "<=", 3.0, "s"),
    "peak_memory_1e7_gib": ("1e7 consumers x 365 days, peak memory", "<=", 1.0, "GiB"),
    "replicate_speedup": ("8 replicates on 2 processes vs serial, paired in one run", ">=", 1.85, "x"),
    "dashboard_default_s": ("dashboard default comparison (China vs Japan, default size), warm: the runs", "<=",
                            1.0, "s"),
}

#: Every figure the benchmark prints (and writes to the JSON file), by name. The smoke test checks that
#: each name appears in the output of ``--quick``.
FIGURES = (
    "CPU model", "load average at start", "load average at end",
    "import sim", "ptsim list",
    "first ptsim run, cache warm", "first ptsim run, empty cache", "compilations in a warm first run",
    "compile time", "compile CPU time", "compile time per kernel",
    "consumer-days/s (loop)", "consumer-days/s (sim.run)", "seconds per simulated year (loop)",
    "seconds per simulated year (sim.run)", "bytes per consumer", "time per mechanism",
    "peak memory", "compilations while timing",
    "reference warm-up", "reference consumer-days/s", "fast consumer-days/s", "speed-up over the reference",
    "replicates serial", "replicates on 2 processes", "paired speed-up", "ptsim replicate end to end",
    "dashboard default comparison",
    "targets",
)


def run_worker(kind: str, env: dict[str, str] | None = None, **kwargs: Any) -> dict:
    """Run ``bench.py --worker kind`` in a fresh interpreter and return its JSON answer."""
    full_env = {**os.environ, **(env or {})}
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--args", json.dumps(kwargs)]
    out = subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"worker {kind} {kwargs} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed_command(cmd: list[str], env: dict[str, str] | None = None, cpu: list[float] | None = None) -> float:
    """Wall seconds of a command in a fresh process (it must succeed); its CPU seconds are appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          check=False)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return took


# ---- measurements run by the parent -----------------------------------------------------------------
def cold_start(plan: dict) -> dict:
    """First ``ptsim run`` in a fresh process with a warm and with an empty cache; import times."""
    py = sys.executable
    ptsim = str(Path(py).with_name("ptsim"))
    run_args = ["china_in_china", "--no-save", *plan["cli_run_args"]]
    out: dict[str, Any] = {"command": "ptsim run " + " ".join(run_args)}
    out["import_sim_cpu_s"], out["ptsim_list_cpu_s"] = [], []
    out["import_sim_s"] = [timed_command([py, "-c", "import sim"], cpu=out["import_sim_cpu_s"])
                           for _ in range(plan["import_reps"])]
    out["ptsim_list_s"] = [timed_command([ptsim, "list"], cpu=out["ptsim_list_cpu_s"])
                           for _ in range(plan["import_reps"])]
    with tempfile.TemporaryDirectory(prefix="ptsim-bench-") as tmp:
        stats = Path(tmp) / "stats.json"
        cmd = [py, str(Path(__file__).resolve()), "--worker", "cli_run", "--args",
               json.dumps({"args": run_args, "stats": str(stats)})]
        timed_command([py, "-c", "from sim.model.warmup import warm_kernels; warm_kernels()"])  # cache filled
        warm, warm_cpu, warm_compilations, cold_cpu, worker_cpu = [], [], [], [], []
        for _ in range(plan["cli_run_reps"]):  # the command as a user types it, timed from the shell's side
            warm.append(timed_command([ptsim, "run", *run_args], cpu=warm_cpu))
        for _ in range(2):  # the same run in the worker, which counts numba's compilations (not timed)
            timed_command(cmd, cpu=worker_cpu)
            warm_compilations.append(json.loads(stats.read_text())["compilations"])
        empty = Path(tmp) / "empty-numba-cache"
        empty.mkdir()
        cold = timed_command(cmd, env={"NUMBA_CACHE_DIR": str(empty)}, cpu=cold_cpu)
        cold_stats = json.loads(stats.read_text())
    out.update({"first_run_warm_s": warm, "first_run_warm_cpu_s": warm_cpu, "warm_compilations": warm_compilations,
                "first_run_empty_cache_s": cold, "first_run_empty_cache_cpu_s": cold_cpu[0],
                "warm_worker_cpu_s": worker_cpu,
                "compilations": cold_stats["compilations"], "compile_s": cold_stats["compile_s"],
                "compile_by_function_s": dict(sorted(cold_stats["by_function"].items(), key=lambda kv: -kv[1]))})
    return out


def cli_replicates(population: int) -> dict:
    """``ptsim replicate -n 8`` end to end as a user types it: ``--serial``, then ``-w 2``."""
    exe = str(Path(sys.executable).with_name("ptsim"))
    base = [exe, "replicate", "china_in_china", "-n", "8", "--no-save", "--set", f"run.population={population}",
            "--set", f"run.days={YEAR}", "--set", "run.journeys=40"]
    serial = timed_command([*base, "--serial"])
    pool = timed_command([*base, "-w", "2"])
    return {"population": population, "serial_s": serial, "pool_s": pool, "speedup": serial / pool}


# ---- the machine ---------------------------------------------------------------------------------
def machine() -> dict:
    """CPU model, cores, memory, software versions, date and load average."""
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
    ram_gib = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
        "ram_gib": round(ram_gib, 1), "python": platform.python_version(), "numba": numba.__version__,
        "numpy": numpy.__version__, "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "load_average_start": os.getloadavg(),
    }


# ---- printing ---------------------------------------------------------------------------------------
def med(xs: list[float]) -> float:
    """Median of a non-empty list."""
    return float(statistics.median(xs))


def fmt(x: float | None, digits: int = 3) -> str:
    """A number with ``digits`` significant digits."""
    if x is None or x != x:
        return "-"
    if abs(x) >= 1e5:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}"


def spread(xs: list[float]) -> str:
    """Median and range of repeated timings, e.g. ``2.41 s (2.30-2.66, n=3)``."""
    if len(xs) == 1:
        return f"{xs[0]:.2f} s (n=1)"
    return f"{med(xs):.2f} s ({min(xs):.2f}-{max(xs):.2f}, n={len(xs)})"


def section(title: str) -> None:
    """Print a section heading."""
    print(f"\n{title}\n{'-' * len(title)}")


def main() -> None:
    """Parse the command line; run every measurement (or one worker) and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="every measurement at toy sizes (smoke test)")
    parser.add_argument("--out", type=Path, help="where to write the JSON figures (default: benchmarks/results/)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        from bench_workers import WORKERS  # beside this file, which is on sys.path when run as a script

        print(json.dumps(WORKERS[opts.worker](**json.loads(opts.args))))
        return

    mode = "quick" if opts.quick else "full"
    out = opts.out or RESULTS_DIR / ("quick.json" if opts.quick else "latest.json")
    printed = Tee(sys.stdout)
    sys.stdout = printed
    try:
        measure(mode, out)
    finally:
        sys.stdout = printed.stream
    text = out.with_suffix(".txt")
    tmp = text.with_name(f".{text.name}.tmp")
    tmp.write_text(printed.text())
    os.replace(tmp, text)


class Tee:
    """Standard output that also keeps what was printed (saved beside the JSON file as plain text)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        """Write to the real stream and keep a copy."""
        self.parts.append(s)
        return self.stream.write(s)

    def flush(self) -> None:
        """Flush the real stream."""
        self.stream.flush()

    def text(self) -> str:
        """Everything printed, without the progress lines."""
        return "".join(line for line in "".join(self.parts).splitlines(keepends=True)
                       if not line.startswith("  running"))


def measure(mode: str, out: Path) -> None:
    """Run every measurement of ``mode``, print the tables and write the figures to ``out`` (JSON)."""
    plan = MODES[mode]
    opts = argparse.Namespace(quick=mode == "quick")
    started = time.perf_counter()
    m = machine()
    report: dict[str, Any] = {"mode": mode, "machine": m,
                              "command": ".venv/bin/python benchmarks/bench.py" + (" --quick" if opts.quick else "")}
    print(f"Benchmark ({mode}), {m['date']}")
    print(f"CPU model: {m['cpu']}; {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gib']} GiB RAM; "
          f"Python {m['python']}, numba {m['numba']}, numpy {m['numpy']}")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in m['load_average_start'])} (1, 5, 15 min; "
          f"above {m['cores']} means other processes compete for the cores: wall-clock times are inflated)")

    # ---- cold start
    print("\n  timing imports and first runs in fresh processes (one with an empty numba cache) ...", flush=True)
    cold = cold_start(plan)
    report["cold_start"] = cold
    section("Cold start (fresh processes)")
    print(f"import sim:                            {spread(cold['import_sim_s'])}, CPU "
          f"{med(cold['import_sim_cpu_s']):.2f} s")
    print(f"ptsim list:                            {spread(cold['ptsim_list_s'])}, CPU "
          f"{med(cold['ptsim_list_cpu_s']):.2f} s")
    print(f"first ptsim run, cache warm:           {spread(cold['first_run_warm_s'])}, CPU "
          f"{med(cold['first_run_warm_cpu_s']):.2f} s   `{cold['command']}`, kernels in numba's cache as after "
          "scripts/setup.sh")
    print(f"compilations in a warm first run:      {max(cold['warm_compilations'])}")
    print(f"first ptsim run, empty cache:          {cold['first_run_empty_cache_s']:.2f} s, CPU "
          f"{cold['first_run_empty_cache_cpu_s']:.2f} s   (NUMBA_CACHE_DIR = an empty folder)")
    cold["compile_cpu_s"] = cold["first_run_empty_cache_cpu_s"] - med(cold["warm_worker_cpu_s"])
    print(f"compile time:                          {cold['compile_s']:.2f} s wall in {cold['compilations']} "
          f"compilations; compile CPU time {cold['compile_cpu_s']:.2f} s (empty-cache run's CPU minus a warm run's)")
    total = sum(cold["compile_by_function_s"].values()) or 1.0
    print("compile time per kernel (self time, nested compilations subtracted; the top 8):")
    for name, sec in list(cold["compile_by_function_s"].items())[:8]:
        print(f"  {sec:7.2f} s {100 * sec / total:4.0f}%  {name}")

    # ---- the engine
    runs = []
    for brands, n, reps in plan["engine"]:
        print(f"\n  running {brands} brand(s), {n:,} consumers x {YEAR} days, {reps} times ...", flush=True)
        runs.append(run_worker("engine", brands=brands, population=n, reps=reps))
    print(f"\n  running {plan['memory_size']:,} consumers x {YEAR} days once, for its peak memory ...", flush=True)
    mem = run_worker("memory", population=plan["memory_size"])
    report["engine"], report["memory"] = runs, mem
    section(f"The engine: a full year ({YEAR} days) through sim.run; medians of repetitions")
    print(f"{'brands':>6} {'consumers':>11} {'reps':>4} {'loop s':>7} {'sim.run s':>9} {'cd/s loop':>10} "
          f"{'cd/s run':>9} {'cd/s cpu':>9} {'B/consumer':>10} {'peak GiB':>8} {'compiles':>8}")
    for r in runs:
        cd = r["population"] * r["days"]
        r["loop_median_s"], r["sim_run_median_s"] = med(r["loop_s"]), med(r["sim_run_s"])
        r["cd_per_s_loop"], r["cd_per_s_sim_run"] = cd / r["loop_median_s"], cd / r["sim_run_median_s"]
        r["cd_per_s_cpu"] = cd / med(r["sim_run_cpu_s"])
        print(f"{r['brands']:>6} {r['population']:>11,} {r['reps']:>4} {r['loop_median_s']:>7.2f} "
              f"{r['sim_run_median_s']:>9.2f} {fmt(r['cd_per_s_loop']):>10} {fmt(r['cd_per_s_sim_run']):>9} "
              f"{fmt(r['cd_per_s_cpu']):>9} {r['bytes_per_consumer']:>10.0f} {r['peak_rss_gib']:>8.2f} "
              f"{r['compilations_while_timing']:>8}")
    print("(loop: the daily loop alone; sim.run: memory check, set-up, days and result tables; "
          "cd/s = consumer-days per second; cpu: sim.run's CPU time)")
    one = {r["population"]: r for r in runs if r["brands"] == 1}
    print("consumer-days/s (loop):               "
          + ", ".join(f"{fmt(one[n]['cd_per_s_loop'])} at {n:,}" for n in sorted(one)))
    print("consumer-days/s (sim.run):            "
          + ", ".join(f"{fmt(one[n]['cd_per_s_sim_run'])} at {n:,}" for n in sorted(one)))
    print("seconds per simulated year (loop):    "
          + ", ".join(f"{one[n]['loop_median_s']:.2f} s at {n:,}" for n in plan["year_sizes"]))
    print("seconds per simulated year (sim.run): "
          + ", ".join(f"{one[n]['sim_run_median_s']:.2f} s at {n:,}" for n in plan["year_sizes"]))
    print("bytes per consumer:                   "
          + ", ".join(f"{r['bytes_per_consumer']:.0f} B ({r['brands']} brand(s))" for r in runs
                      if r["population"] == plan["year_sizes"][-1]))
    print(f"compilations while timing:            {sum(r['compilations_while_timing'] for r in runs)}")
    big = one[plan["year_sizes"][-1]]
    tot = sum(big["timings_s"].values()) or 1.0
    print(f"time per mechanism (1 brand, {big['population']:,} consumers, loop seconds for the year): "
          + ", ".join(f"{k} {v:.2f} ({100 * v / tot:.0f}%)" for k, v in sorted(big["timings_s"].items(),
                                                                              key=lambda kv: -kv[1])))
    print(f"peak memory:                          {mem['peak_rss_gib']:.2f} GiB for {mem['population']:,} consumers "
          f"x {YEAR} days (whole process, ru_maxrss; {mem['peak_rss_before_run_gib']:.2f} GiB before the run; "
          f"sim.run {mem['sim_run_s']:.1f} s, loop {mem['loop_s']:.1f} s)")

    # ---- the reference
    refs = []
    for n, days, reps in plan["reference"]:
        print(f"\n  running the reference (warmed by a {plan['reference_warm']:,}-consumer year), {n:,} consumers "
              f"x {days} days, and the fast engine {reps} times ...", flush=True)
        refs.append(run_worker("reference", population=n, days=days, fast_reps=reps,
                               warm_population=plan["reference_warm"]))
    report["reference"] = refs
    section("Fast engine vs the warmed Mesa reference (one agent per consumer), 1 brand, same scenario and days, "
            "the preset's livestreams, group buying and stored-value card off on both sides "
            "(the reference has no levers)")
    for r in refs:
        print(f"reference warm-up: {r['warm_population']:,} consumers x {YEAR} days in {r['warm_s']:.1f} s, "
              f"{r['warm_compilations']} compilations")
        break
    print(f"{'consumers':>10} {'days':>5} {'ref s':>8} {'reference consumer-days/s':>26} {'fast consumer-days/s':>21} "
          f"{'speed-up over the reference':>28} {'(cpu)':>7} {'compiles':>8}")
    for r in refs:
        cd = r["population"] * r["days"]
        r["reference_cd_per_s"] = cd / r["reference_wall_s"]
        r["fast_cd_per_s"] = cd / med(r["fast_wall_s"])
        r["speedup"] = r["fast_cd_per_s"] / r["reference_cd_per_s"]
        r["speedup_cpu"] = (cd / med(r["fast_cpu_s"])) / (cd / r["reference_cpu_s"])
        print(f"{r['population']:>10,} {r['days']:>5} {r['reference_wall_s']:>8.1f} {fmt(r['reference_cd_per_s']):>26} "
              f"{fmt(r['fast_cd_per_s']):>21} {r['speedup']:>27.0f}x {r['speedup_cpu']:>6.0f}x "
              f"{r['compilations_while_timing']:>8}")
    print("(daily loops only, wall-clock; the fast engine's time is the median of its repetitions; "
          "compiles: numba compilations inside the timed window, which must be 0. Rows of fewer than "
          f"{YEAR} days time only the first days, when fewer consumers are active: not a year's figure.)")

    # ---- replicates
    rp = plan["replicate"]
    print(f"\n  running {rp['count']} replicates of {rp['population']:,} consumers x {YEAR} days, serial and on "
          f"{rp['workers']} processes, {rp['pairs']} pair(s) ...", flush=True)
    rep = run_worker("replicates", **rp)
    print(f"  running `ptsim replicate -n 8` end to end, --serial and -w 2 ({plan['cli_replicate']:,} consumers) ...",
          flush=True)
    rep["cli"] = cli_replicates(plan["cli_replicate"])
    report["replicates"] = rep
    rep["ratio_median"] = med(rep["ratios"])
    section(f"{rep['replicates']} replicates of {rep['population']:,} consumers x {YEAR} days through the tool's "
            "executors (pool start-up inside the timer)")
    print(f"replicates serial:                    {spread(rep['serial_s'])}")
    print(f"replicates on 2 processes:            {spread(rep['pool_s'])} (start method: {rep['start_method']})")
    print(f"paired speed-up:                      x{rep['ratio_median']:.2f} (median of "
          f"{', '.join(f'x{x:.2f}' for x in rep['ratios'])}); identical results: {rep['same_results']}")
    cli = rep["cli"]
    print(f"ptsim replicate end to end:           --serial {cli['serial_s']:.1f} s, -w 2 {cli['pool_s']:.1f} s, "
          f"x{cli['speedup']:.2f} ({cli['population']:,} consumers; interpreter start and imports included)")

    # ---- the dashboard's default comparison
    print("\n  running the dashboard's default comparison (China vs Japan, the Compare page's sizes), warm ...",
          flush=True)
    dash = run_worker("dashboard", **plan["dashboard"])
    report["dashboard"] = dash
    section("The dashboard's default comparison: the runs the Compare page computes on a first visit, warm "
            "(charts not included)")
    print(f"dashboard default comparison:         serial {dash['serial_s']:.2f} s, on 2 processes "
          f"{dash['pool_s']:.2f} s ({dash['runs']} runs: {', '.join(dash['scenarios'])} x {dash['reps']} "
          f"replicates x {dash['population']:,} consumers x {dash['days']:,} days)")

    # ---- targets
    big_ref = next((r for r in refs if r["days"] == YEAR and r["population"] == 10_000), None)
    measured = {
        "year_1m_sim_run_s": one.get(1_000_000, {}).get("sim_run_median_s"),
        "speedup_reference_year_1e4": big_ref["speedup"] if big_ref else None,
        "first_run_after_setup_s": None if plan["cli_run_args"] else med(cold["first_run_warm_s"]),
        "peak_memory_1e7_gib": mem["peak_rss_gib"] if mem["population"] == 10_000_000 else None,
        "replicate_speedup": rep["ratio_median"] if rep["population"] == 1_000_000 else None,
        "dashboard_default_s": None if opts.quick else dash["serial_s"],
    }
    cpu_figure = {
        "year_1m_sim_run_s": med(one[1_000_000]["sim_run_cpu_s"]) if 1_000_000 in one else None,
        "first_run_after_setup_s": None if plan["cli_run_args"] else med(cold["first_run_warm_cpu_s"]),
    }
    section("targets (issue 12) beside the measured figures")
    rows = []
    for key, (label, op, goal, unit) in TARGETS.items():
        value = measured[key]
        met = None if value is None else (value <= goal if op == "<=" else value >= goal)
        cpu = cpu_figure.get(key)
        rows.append({"key": key, "target": label, "goal": f"{op} {goal:g} {unit}", "measured": value, "met": met,
                     "cpu_s": cpu})
        shown = "- (not at this size: --quick)" if value is None else f"{fmt(value)} {unit}"
        if cpu is not None:
            shown += f" wall-clock (CPU time {fmt(cpu)} s)"
        verdict = "" if met is None else ("met" if met else "not met")
        print(f"  {label}: target {op} {goal:g} {unit}; measured {shown} {verdict}")
    report["targets"] = rows

    m["load_average_end"] = os.getloadavg()
    report["elapsed_s"] = time.perf_counter() - started
    print(f"\nload average at end: {', '.join(f'{x:.2f}' for x in m['load_average_end'])}; "
          f"the benchmark took {report['elapsed_s'] / 60:.1f} min")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(tmp, out)
    print(f"figures written to {out} (and this text to {out.with_suffix('.txt')})")


if __name__ == "__main__":
    main()
