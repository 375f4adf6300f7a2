"""The benchmark runs end to end at toy sizes (``--quick``) and reports every figure.

Not a timed test: speed is judged by reading the benchmark's output, never asserted here. What is
asserted is what makes the figures honest: every figure is printed and written to the JSON file,
nothing is compiled inside a timed window (the Mesa reference is warmed first), a first run after
set-up compiles nothing, the empty-cache run really compiles, and serial and parallel replicates
give identical numbers.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_under_test", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_quick_benchmark_prints_and_records_every_figure(tmp_path: Path) -> None:
    """``bench.py --quick`` exits 0, prints every figure's name and writes consistent figures (no timing asserted)."""
    bench = _bench_module()
    out = tmp_path / "quick.json"
    done = subprocess.run([sys.executable, str(BENCH), "--quick", "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    text = done.stdout
    missing = [name for name in bench.FIGURES if name not in text]
    assert not missing, f"figures not printed: {missing}"
    assert "Traceback" not in done.stderr
    saved = out.with_suffix(".txt").read_text()
    assert all(name in saved for name in bench.FIGURES) and "  running" not in saved  # the tables, no progress

    report = json.loads(out.read_text())
    assert report["mode"] == "quick" and report["machine"]["cpu"] in text
    assert len(report["machine"]["load_average_start"]) == 3 and len(report["machine"]["load_average_end"]) == 3
    cold = report["cold_start"]
    assert cold["compilations"] > 0 and cold["compile_s"] > 0  # the empty cache really was empty
    assert max(cold["compile_by_function_s"].values()) > 0
    assert cold["warm_compilations"] == [0, 0]  # the cache holds every kernel the run uses (two worker runs)
    assert len(cold["first_run_warm_s"]) == len(cold["first_run_warm_cpu_s"]) >= 1  # the ptsim program, timed
    for r in report["engine"]:
        assert r["compilations_while_timing"] == 0, r
        assert r["loop_median_s"] <= r["sim_run_median_s"]  # the loop is part of sim.run
        assert math.isfinite(r["cd_per_s_loop"]) and r["bytes_per_consumer"] > 0
    assert report["memory"]["peak_rss_gib"] >= report["memory"]["peak_rss_before_run_gib"] > 0
    for r in report["reference"]:
        assert r["compilations_while_timing"] == 0, r  # the reference was warmed before timing
    rep = report["replicates"]
    assert rep["same_results"] is True
    assert len(rep["serial_s"]) == len(rep["pool_s"]) == len(rep["ratios"]) == rep["pairs"]
    assert [t["key"] for t in report["targets"]] == list(bench.TARGETS)
    dash = report["dashboard"]  # the Compare page's default comparison: both scenarios, every replicate
    assert dash["scenarios"] == ["china_in_china", "japan_in_japan"] and dash["runs"] == 2 * dash["reps"]
    assert dash["serial_s"] > 0 and dash["pool_s"] > 0


def test_every_figure_has_a_name_printed_once_in_the_figure_list() -> None:
    """The figure list the smoke test checks has no duplicates and covers the issue's targets."""
    bench = _bench_module()
    assert len(set(bench.FIGURES)) == len(bench.FIGURES)
    assert set(bench.TARGETS) == {"year_1m_sim_run_s", "speedup_reference_year_1e4", "first_run_after_setup_s",
                                  "peak_memory_1e7_gib", "replicate_speedup", "dashboard_default_s"}
    assert set(bench.MODES) == {"full", "quick"} and bench.MODES["full"].keys() == bench.MODES["quick"].keys()
