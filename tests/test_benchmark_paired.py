"""``benchmarks/paired.py`` reports a ratio only when the two versions computed the same numbers.

Its measurements take minutes and are never timed in tests; what is checked here is what makes its
figures honest: runs alternate ABBA, ratios are taken within pairs, a column that differs between the
versions withholds every ratio, and a folder it did not make is never deleted.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _paired():
    spec = importlib.util.spec_from_file_location("paired_under_test", ROOT / "benchmarks" / "paired.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(wall: float, columns: dict[str, str], purchase: float = 1.0) -> dict:
    return {"wall_s": wall, "cpu_s": wall * 0.9, "timings_s": {"purchase": purchase}, "columns": columns,
            "compilations": 0}


def test_runs_alternate_abba() -> None:
    """Pair p runs before then after when p is even, after then before when odd."""
    assert _paired().order(3) == [(0, "before"), (0, "after"), (1, "after"), (1, "before"), (2, "before"),
                                  (2, "after")]


def test_ratios_are_taken_within_pairs_and_only_for_equal_numbers() -> None:
    """Equal columns: the median of the per-pair ratios; one differing column: not the same numbers."""
    paired = _paired()
    cols = {"money/revenue": "a", "tally/sends": "b"}
    runs = {"before": [_run(2.0, cols), _run(4.0, cols)], "after": [_run(1.0, cols), _run(4.0, cols | {"new": "c"})]}
    out = paired.report(runs)
    assert out["same_numbers"] and out["columns_compared"] == 2
    assert out["wall_s"]["ratios"] == [0.5, 1.0] and out["wall_s"]["median_ratio"] == 0.75
    assert out["columns_on_one_side"] == []  # the first runs of each side define the columns
    runs["after"][1] = _run(4.0, {"money/revenue": "a", "tally/sends": "DIFFERENT"})
    assert not paired.report(runs)["same_numbers"]


def test_a_folder_it_did_not_make_is_never_deleted(tmp_path, monkeypatch) -> None:
    """An export folder without the script's own marker stops the run and stays as it was."""
    paired = _paired()
    monkeypatch.setattr(paired.tempfile, "gettempdir", lambda: str(tmp_path))
    head = paired.subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.strip()
    foreign = tmp_path / "ptsim-paired" / head
    foreign.mkdir(parents=True)
    (foreign / "precious.txt").write_text("not the benchmark's")
    with pytest.raises(SystemExit, match="not made by paired.py"):
        paired.export("HEAD")
    assert (foreign / "precious.txt").read_text() == "not the benchmark's"
