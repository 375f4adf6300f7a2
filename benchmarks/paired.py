"""Before against after: the same scenario on two versions of the engine, paired in one run.

A change that is meant to change no number (a refactor, a new memory layout) must also be no slower.
This script answers that question like for like:

- each version is exported from git (``git archive``) into its own folder under the temporary
  directory (kept, with its numba cache, for the next comparison), or the working tree is used as it
  is (``--after worktree``);
- both run the **same resolved scenario** (by default the one stored in a regression baseline,
  ``tests/baselines/<case>.json``, which every version since the baseline reads alike) at the size
  asked, each measurement in a fresh interpreter, after a warm-up run in that interpreter (nothing is
  compiled inside the timed window: the count of compilations is printed);
- the daily books of the two versions are compared column by named column (every ledger item and
  tally both versions have, the flows and the census), by digest: if one differs, the versions do
  not compute the same thing and no ratio is printed;
- the runs alternate ABBA (before, after, after, before, ...) so that a drift of the machine's load
  falls on both sides; the wall-clock and the CPU time of the daily loop are both recorded, and the
  ratio after/before is taken within each pair.

Usage (from the repository root)::

    .venv/bin/python benchmarks/paired.py --before aed539c --after worktree --population 1000000 --pairs 6

It prints the machine, the load at the start and the end, every measurement, the medians and ranges
and the paired ratios, per component too, and writes them to ``benchmarks/results/paired-<time>.json``.
Nothing is asserted: a benchmark reports, a reader judges.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS_DIR = HERE / "results"

#: The code each measurement runs inside the version's folder (kept to the API both sides share:
#: ``sim.resolve``, ``MarketModel``, ``run_days``, ``timings`` and the daily arrays).
WORKER = r"""
import hashlib, json, sys, time
import numba.core.event as ev
import sim
from sim.model.market import MarketModel
args = json.loads(sys.argv[1])
assert sim.__file__.startswith(args["tree"]), (sim.__file__, args["tree"])
scenario = json.load(open(args["scenario"]))
small = sim.resolve(scenario, ["run.population=2000", "run.days=60"])
MarketModel(small).run_days()  # warm: every kernel the scenario uses is loaded or compiled now
try:  # and the kernels only rare days reach (a breach, a ban wave), which a long run would compile mid-way
    MarketModel(sim.resolve(scenario, ["run.population=2000", "run.days=10", "market.stresses=[{kind: breach, "
                                       "day: 2}, {kind: channel_ban, day: 3, size: 0.1}]"])).run_days()
except Exception:  # a version before scheduled stresses: its rare-day kernels compile in the timed run, counted
    pass
sc = sim.resolve(scenario, [f"run.population={args['population']}", f"run.days={args['days']}"])
compiled = []
class Count(ev.Listener):
    def on_start(self, event):
        compiled.append(1)
    def on_end(self, event):
        pass
listener = Count()
ev.register("numba:compile", listener)
m = MarketModel(sc)
cpu0 = time.process_time()
wall = m.run_days()
cpu = time.process_time() - cpu0
ev.unregister("numba:compile", listener)
from sim.model import layout as L
def sha(a):
    return hashlib.sha256(a.tobytes()).hexdigest()
columns = {f"money/{n}": sha(m.money[:, :, j].copy()) for j, n in enumerate(L.MONEY)}
columns.update({f"tally/{n}": sha(m.tally[:, :, j].copy()) for j, n in enumerate(L.TALLY)})
columns.update({"flows": sha(m.flows), "census": sha(m.census)})
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "timings_s": dict(m.timings), "columns": columns,
                  "compilations": len(compiled)}))
"""


def export(rev: str) -> Path:
    """The tree of git revision ``rev`` (``worktree``: the working tree itself).

    A commit is exported once into ``<temp>/ptsim-paired/<commit>`` and kept there with its numba cache,
    so a second comparison with the same commit compiles nothing; the folder is marked complete only
    after the whole tree is written. An interrupted export (marked as begun by this script) is redone;
    a folder of that name that this script did not make is never deleted: the run stops instead.
    """
    if rev == "worktree":
        return ROOT
    full = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if full.returncode != 0:
        raise SystemExit(f"--before/--after {rev!r}: not a commit of this repository")
    into = Path(tempfile.gettempdir()) / "ptsim-paired" / full.stdout.strip()
    done, started = into / ".exported", into / ".exporting"
    if done.is_file():
        return into
    if into.exists():
        if not started.is_file():  # not a folder this script made: leave it alone
            raise SystemExit(f"{into} exists and was not made by paired.py: move it away and run again")
        shutil.rmtree(into)  # an interrupted export of ours
    into.mkdir(parents=True)
    started.write_text(rev + "\n")
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    done.write_text(rev + "\n")
    return into


def commit_of(rev: str) -> str:
    """The commit a revision names (``worktree``: HEAD plus the uncommitted changes)."""
    if rev == "worktree":
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    return subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def measure(tree: Path, scenario: Path, population: int, days: int) -> dict:
    """One measurement in a fresh interpreter inside ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    args = json.dumps({"tree": str(tree), "scenario": str(scenario), "population": population, "days": days})
    done = subprocess.run([sys.executable, "-c", WORKER, args], cwd=tree, env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"measurement in {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def order(pairs: int) -> list[tuple[int, str]]:
    """ABBA order: (pair, side) for ``pairs`` pairs, the side that runs first alternating."""
    out: list[tuple[int, str]] = []
    for p in range(pairs):
        sides = ("before", "after") if p % 2 == 0 else ("after", "before")
        out += [(p, s) for s in sides]
    return out


def report(runs: dict[str, list[dict]]) -> dict[str, Any]:
    """Medians, ranges and the paired ratios after/before (wall, CPU and per component)."""
    before, after = runs["before"], runs["after"]
    common = sorted(set(before[0]["columns"]) & set(after[0]["columns"]))
    digests = {json.dumps([r["columns"][c] for c in common]) for r in before + after}
    only = sorted(set(before[0]["columns"]) ^ set(after[0]["columns"]))
    out: dict[str, Any] = {"same_numbers": len(digests) == 1, "columns_compared": len(common),
                           "columns_on_one_side": only,
                           "compilations_while_timing": sum(r["compilations"] for r in before + after)}
    for key in ("wall_s", "cpu_s"):
        ratios = [a[key] / b[key] for a, b in zip(after, before, strict=True)]
        out[key] = {"before": [r[key] for r in before], "after": [r[key] for r in after], "ratios": ratios,
                    "median_ratio": statistics.median(ratios)}
    names = sorted(set().union(*(r["timings_s"] for r in before + after)))
    out["components"] = {
        n: {"before_median_s": statistics.median([r["timings_s"].get(n, 0.0) for r in before]),
            "after_median_s": statistics.median([r["timings_s"].get(n, 0.0) for r in after])} for n in names}
    return out


def main() -> None:
    """Parse the command line, measure both versions paired, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="git revision of the version before the change")
    parser.add_argument("--after", default="worktree", help="git revision after, or 'worktree' (default)")
    parser.add_argument("--case", default="china_in_china", help="regression baseline whose scenario is run")
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results/paired-*.json)")
    a = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from bench import machine, spread  # the same machine facts and medians as the main benchmark

    baseline = ROOT / "tests" / "baselines" / f"{a.case}.json"
    if not baseline.is_file():
        raise SystemExit(f"--case {a.case!r}: no baseline file {baseline}")
    info = machine()
    with tempfile.TemporaryDirectory(prefix="ptsim-paired-") as tmp:
        scenario = Path(tmp) / "scenario.json"
        scenario.write_text(json.dumps(json.loads(baseline.read_text())["scenario"]))
        trees = {"before": export(a.before), "after": export(a.after)}
        commits = {"before": commit_of(a.before), "after": commit_of(a.after)}
        print(f"machine: {info['cpu']}, {info['usable_cores']} usable cores, load {info['load_average_start']}")
        print(f"before {commits['before']}  after {commits['after']}  scenario {a.case} "
              f"({a.population:,} consumers x {a.days} days), {a.pairs} pairs, ABBA order")
        for side, tree in trees.items():  # fill each version's numba cache outside the measurements, at full size
            measure(tree, scenario, a.population, min(a.days, 30))
            print(f"  {side}: kernels compiled and cached")
        runs: dict[str, list[dict]] = {"before": [None] * a.pairs, "after": [None] * a.pairs}  # type: ignore[list-item]
        for p, side in order(a.pairs):
            r = measure(trees[side], scenario, a.population, a.days)
            runs[side][p] = r
            print(f"  pair {p + 1} {side:6s} loop {r['wall_s']:.3f} s wall, {r['cpu_s']:.3f} s CPU"
                  + (f", {r['compilations']} compilations" if r["compilations"] else ""))
    out = report(runs)
    info["load_average_end"] = os.getloadavg()
    print(f"load at the end {info['load_average_end']}; compilations inside timed windows: "
          f"{out['compilations_while_timing']}")
    if not out["same_numbers"]:
        print("the two versions computed different numbers: not like for like, no ratio reported")
    else:
        print(f"same numbers on both sides: {out['columns_compared']} daily columns (ledger items, tallies, flows, "
              f"census) equal bit for bit; columns only one side has: {len(out['columns_on_one_side'])}")
        for key, label in (("wall_s", "loop wall"), ("cpu_s", "loop CPU")):
            f = out[key]
            print(f"{label:10s} before {spread(f['before'])}  after {spread(f['after'])}  "
                  f"after/before median {f['median_ratio']:.3f} (pairs {min(f['ratios']):.3f}-{max(f['ratios']):.3f})")
        print("per component, medians (s): " + ", ".join(
            f"{n} {c['before_median_s']:.2f} -> {c['after_median_s']:.2f}"
            for n, c in sorted(out["components"].items(), key=lambda kv: -kv[1]["before_median_s"])
            if c["before_median_s"] > 0.01))
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = a.out or RESULTS_DIR / f"paired-{stamp}.json"
    path.write_text(json.dumps({"machine": info, "before": commits["before"], "after": commits["after"],
                                "case": a.case, "population": a.population, "days": a.days, "pairs": a.pairs,
                                "runs": runs, "report": out}, indent=1))
    print(f"written {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
