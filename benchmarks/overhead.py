"""Per-day Python overhead of the model, by component: µs per simulated day at a small and a mid population.

At small populations a day's cost is almost all Python: each component's ``step`` (a few NumPy calls on
tiny arrays, the kernel call through :class:`sim.model.kernel.Kernel`). This prints, for the one-brand
China benchmark scenario (``bench_workers.scenario``), the CPU µs per day of the whole daily loop and the
wall µs per day of each component (``MarketModel.timings``), best of ``--repeats`` runs, after warming the
kernels. A figure, not a test: run it on a quiet machine (it prints the load average).

Usage: ``.venv/bin/python benchmarks/overhead.py [--populations 100 10000] [--days 365] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def measure(population: int, days: int, repeats: int, brands: int = 1) -> tuple[float, dict[str, float]]:
    """(CPU µs per day of the daily loop, wall µs per day by component), each the best of ``repeats`` runs."""
    from bench_workers import scenario

    from sim.model.market import MarketModel

    sc = scenario(brands, population, days)
    best_total = float("inf")
    best: dict[str, float] = {}
    for _ in range(repeats):
        model = MarketModel(sc)
        started = time.process_time()
        model.run_days()
        best_total = min(best_total, (time.process_time() - started) / days * 1e6)
        for name, seconds in model.timings.items():
            best[name] = min(best.get(name, float("inf")), seconds / days * 1e6)
    return best_total, best


def main(argv: list[str] | None = None) -> None:
    """Print the table: one column per population, one row per component, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--brands", type=int, choices=(1, 3), default=1)
    args = parser.parse_args(argv)

    from sim.model.warmup import warm_kernels

    warm_kernels()
    load = os.getloadavg()
    results = {n: measure(n, args.days, args.repeats, args.brands) for n in args.populations}
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {args.brands} brand(s), {args.days} days, "
          f"best of {args.repeats}; components: wall µs/day, total: CPU µs/day")
    names = list(next(iter(results.values()))[1])
    print(f"{'component':<14}" + "".join(f"{'N=' + format(n, ','):>12}" for n in args.populations))
    for name in names:
        print(f"{name:<14}" + "".join(f"{results[n][1][name]:>12.1f}" for n in args.populations))
    print(f"{'sum of parts':<14}" + "".join(f"{sum(results[n][1].values()):>12.1f}" for n in args.populations))
    print(f"{'total (CPU)':<14}" + "".join(f"{results[n][0]:>12.1f}" for n in args.populations))


if __name__ == "__main__":
    main()
