"""Executive risk over replicates: chance of a loss, profit percentiles, break-even month (issue 15 item 4)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.execution import Execution
from sim.analysis.replicate import replicate
from sim.analysis.risk import risk, wilson
from sim.results.kpis import payback_month

SMALL = ("run.population=800", "run.days=150")
RUN = Execution(seed=6, overrides=SMALL, executor="serial")
SAAS = "brands.0.strategy.pool.saas_per_day"


def test_figures_are_those_of_the_replicates() -> None:
    """P(loss), percentiles and break-even months are read from the same runs as replicate() gives."""
    r = risk("china_in_china", 6, execution=RUN)
    ens = replicate("china_in_china", 6, execution=RUN)
    profit = ens.samples()["profit"].to_numpy()
    np.testing.assert_allclose(r.samples["profit"].to_numpy(), profit)
    assert r.p_loss()["p"] == pytest.approx(np.mean(profit < 0))
    q = r.profit_percentiles()
    assert (q["p05"], q["p50"], q["p95"]) == pytest.approx(tuple(np.percentile(profit, [5, 50, 95])))
    months = r.breakeven_months()
    assert months["runs"].sum() == 6 and months["share"].sum() == pytest.approx(1.0)
    # each replicate's month is the plain definition applied to its daily profit
    for seed, m in zip(r.samples["seed"], r.samples["payback_month"], strict=True):
        s = ens.series[ens.series["seed"] == seed].sort_values("day")["daily.profit"].to_numpy()
        want = payback_month(s)
        assert (np.isnan(want) and np.isnan(m)) or want == m


def test_a_hopeless_cost_loses_in_every_run_and_never_breaks_even() -> None:
    """A software fee far above any revenue: P(loss) = 1, its Wilson interval, and 'never' for all."""
    r = risk("china_in_china", 4, execution=RUN.replace(overrides=(*SMALL, f"{SAAS}=100000000")))
    p = r.p_loss()
    assert p["p"] == 1.0 and p["high"] == 1.0 and p["low"] == pytest.approx(wilson(4, 4)[0])
    assert r.summary()["never_breaks_even"] == 1.0
    assert r.breakeven_months().set_index("month").loc["never", "runs"] == 4


def test_wilson_interval_known_values() -> None:
    """Wilson's interval for 0 of 10 and 5 of 10 (textbook values)."""
    lo, hi = wilson(0, 10)
    assert lo == 0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson(5, 10)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)
