"""The no-code worksheets' answers in the instructor pack, checked against runs made as the page makes them.

Worksheet W2, part C, on the What-if page at its default size (20,000 consumers, three years, ten paired
runs whose seeds are spawned from the preset's own seed, as ``dashboard.runs.replicates`` spawns them):

* step 1: baseline Japan membership in Japan; side B moves the four levers the hybrid changes that the
  page offers (ad budget 500,000 JPY a day, 2 messages a week, referral rewards 500 JPY a side);
* step 3: baseline Hybrid in Japan (its own numbers over the same seeds).

Every ``W…`` row of the pack's "Worksheet answers checked in CI" table names a computed value and a range;
this test computes each one and checks it with :func:`sim.teaching.worksheet_answer`, so the pack cannot
silently drift from the model. ``pytest -s`` prints the computed figures (the pack quotes them).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import sim
from dashboard.settings import Sizes
from sim.analysis.compare import paired_ci
from sim.analysis.executors import spawn_seeds
from sim.teaching import worksheet_answer

PACK = Path(__file__).resolve().parents[1] / "docs" / "teaching" / "instructor_pack.md"
#: A row of the pack's worksheet table: ``| W2-C1 | answer | checked value | low to high |``.
ROW = re.compile(r"^\|\s*(W[1-6]-[A-Z][1-9])\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*(-?[0-9.,e+]+)\s+to\s+"
                 r"(-?[0-9.,e+]+)\s*\|\s*$", re.M)
#: The What-if page's default size (population, days, replicates), read from the dashboard's settings.
POPULATION, DAYS, REPS = Sizes().population, Sizes().days, Sizes().whatif_reps
P = "brands.0.strategy"
#: W2 step 1: the four hybrid levers the What-if page offers, at the hybrid's values.
HYBRID_LEVERS = (f"{P}.acquisition.ad_budget_per_day=500000", f"{P}.messaging.per_week=2",
                 f"{P}.referral.referrer_reward=500", f"{P}.referral.referee_reward=500")

pytestmark = pytest.mark.slow


def _runs(preset: str, overrides: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Final KPIs of the page's ten runs of ``preset`` (seeds spawned from its own seed), one array per KPI."""
    sc = sim.resolve(preset, [f"run.population={POPULATION}", f"run.days={DAYS}", *overrides])
    rows = [sim.run(sc, seed=int(s)).kpis().iloc[0] for s in spawn_seeds(int(sc.run.seed), REPS)]
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0].index if k != "brand"}


@pytest.fixture(scope="module")
def w2() -> dict[str, float]:
    """Every value the W2 rows of the pack check, computed as the What-if page shows it."""
    base = _runs("japan_in_japan")
    var = _runs("japan_in_japan", HYBRID_LEVERS)
    hyb = _runs("hybrid_in_japan")
    d = var["profit"] - base["profit"]
    ratio = {k: float(var[k].mean() / base[k].mean()) for k in ("profit", "pool_size", "opt_outs")}
    h = {k: float(hyb[k].mean() / base[k].mean()) for k in ("profit", "pool_size", "members_joined", "opt_outs",
                                                             "revenue")}
    values = {
        "variant profit ÷ baseline profit": ratio["profit"],
        "variant's profit wins (of 10)": float((d > 0).sum()),
        "top of the 95% paired interval of the profit difference (JPY)": paired_ci(d, 0.95, "t")[1],
        "variant pool ÷ baseline pool": ratio["pool_size"],
        "variant opt-outs ÷ baseline opt-outs": ratio["opt_outs"],
        "hybrid profit ÷ membership profit": h["profit"],
        "hybrid's profit wins over membership (of 10, same seeds)": float((hyb["profit"] > base["profit"]).sum()),
        "hybrid pool ÷ membership pool": h["pool_size"],
        "hybrid members joined ÷ membership members joined": h["members_joined"],
        "hybrid opt-outs ÷ membership opt-outs": h["opt_outs"],
        "hybrid revenue ÷ membership revenue": h["revenue"],
    }
    lo, hi = paired_ci(d, 0.95, "t")
    print(f"\nW2 at {POPULATION:,} consumers x {DAYS} days x {REPS} seeds (the What-if page's default size):")
    for name, runs in (("membership", base), ("variant (4 levers)", var), ("hybrid", hyb)):
        print(f"  {name:20s} profit {runs['profit'].mean():,.0f} JPY  pool {runs['pool_size'].mean():,.0f}  "
              f"opt-outs {runs['opt_outs'].mean():,.0f}  joined {runs['members_joined'].mean():,.0f}  "
              f"revenue {runs['revenue'].mean():,.0f}")
    print(f"  variant - membership profit {d.mean():,.0f} JPY (95% paired interval {lo:,.0f} to {hi:,.0f})")
    return values


def _rows(prefix: str) -> list[tuple[str, str, float, float]]:
    return [(q, what, float(lo.replace(",", "")), float(hi.replace(",", "")))
            for q, what, lo, hi in ROW.findall(PACK.read_text(encoding="utf-8")) if q.startswith(prefix)]


def test_w2_part_c_answers_match_the_what_if_page(w2: dict[str, float]) -> None:
    """C1 (the hybrid's four levers alone) and C2 (the hybrid itself against membership) hold at the page's size."""
    rows = _rows("W2-")
    assert {q for q, *_ in rows} == {"W2-C1", "W2-C2"}, rows
    assert {what for _, what, *_ in rows} == set(w2), "every checked value of the pack is computed, and only those"
    for q, what, low, high in rows:
        worksheet_answer(q, w2[what], low, high, what)
