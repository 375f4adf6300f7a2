"""Calibration: BG/NBD and Gamma-Gamma parameter recovery, input checks, scenario mapping, series fits."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import beta as B
from scipy.special import gamma as G

import sim
from sim.analysis.calibrate import (
    aggregate_run,
    bgnbd_loglik,
    calibrate_customers,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_series,
    read_rfm,
    read_transactions,
    simulate_bgnbd,
    simulate_transactions,
)
from sim.analysis.execution import Execution
from sim.analysis.replicate import replicate
from sim.errors import SimInputError

TRUE = {"r": 0.8, "alpha": 10.0, "a": 1.2, "b": 3.0}
SPEND = (6.0, 4.0, 150.0)


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    """Population."""
    T = np.random.default_rng(1).uniform(52, 104, 8000)
    return simulate_bgnbd(8000, **TRUE, T=T, seed=2, spend=SPEND)


def test_loglik_matches_the_closed_form() -> None:
    """Eq. 6 of Fader, Hardie & Lee (2005) written out with gamma and beta functions."""
    r, alpha, a, b = 0.5, 6.0, 0.9, 2.5
    for x, tx, T in ((0, 0.0, 30.0), (3, 20.0, 30.0), (1, 2.0, 5.0)):
        first = B(a, b + x) / B(a, b) * G(r + x) * alpha**r / (G(r) * (alpha + T) ** (r + x))
        second = (B(a + 1, b + x - 1) / B(a, b) * G(r + x) * alpha**r / (G(r) * (alpha + tx) ** (r + x))) if x else 0.0
        got = bgnbd_loglik((r, alpha, a, b), np.array([x]), np.array([tx]), np.array([T]))[0]
        assert got == pytest.approx(math.log(first + second), rel=1e-10)


def test_bgnbd_parameters_are_recovered(population: pd.DataFrame) -> None:
    """Fitting a simulated population returns the generating parameters (within 3 standard errors)."""
    fit = fit_bgnbd(population, time_unit="weeks")
    assert fit.converged and fit.n_customers == 8000
    for k, true in TRUE.items():
        got, se = getattr(fit, k), fit.se[k]
        assert abs(got - true) < 3 * se + 1e-9, (k, got, se)
        assert abs(got - true) / true < 0.12, (k, got)
    assert fit.alpha_per_year == pytest.approx(fit.alpha / (365 / 7))
    assert fit.mean_rate_per_year == pytest.approx(fit.r / fit.alpha * 365 / 7)


def test_gamma_gamma_parameters_are_recovered(population: pd.DataFrame) -> None:
    """Gamma gamma parameters are recovered."""
    gg = fit_gamma_gamma(population)
    for k, true in zip(("p", "q", "gamma"), SPEND, strict=True):
        assert abs(getattr(gg, k) - true) < 3 * gg.se[k], k
    assert gg.mean_spend == pytest.approx(SPEND[0] * SPEND[2] / (SPEND[1] - 1), rel=0.1)
    assert gg.spend_cv == pytest.approx(1 / math.sqrt(SPEND[1] - 2), rel=0.15)


def test_transaction_log_to_calibrated_scenario(tmp_path: Path) -> None:
    """A log in days is summarised, fitted, converted to per-year units and written into every segment."""
    tx = simulate_transactions(2500, r=0.8, alpha=70.0, a=1.2, b=3.0, seed=4, spend=SPEND)
    path = tmp_path / "log.csv"
    tx.to_csv(path, index=False)
    cal = calibrate_customers(path, "japan_in_japan", time_unit="days")
    assert cal.kind == "transactions" and cal.bgnbd.n_customers == 2500
    assert cal.bgnbd.r == pytest.approx(0.8, rel=0.15) and cal.bgnbd.alpha == pytest.approx(70.0, rel=0.2)
    for seg in cal.scenario.market.segments:
        assert seg.purchase_rate.dist == "gamma"
        assert seg.purchase_rate.shape == pytest.approx(cal.bgnbd.r)
        assert seg.purchase_rate.rate == pytest.approx(cal.bgnbd.alpha / 365.0)  # alpha in years
        assert seg.dropout.a == pytest.approx(cal.bgnbd.a) and seg.dropout.b == pytest.approx(cal.bgnbd.b)
        assert seg.basket.dist == "lognormal"
        assert seg.basket.mean == pytest.approx(cal.gamma_gamma.mean_spend)
    # the mean purchase rate per year the scenario implies equals the fitted one
    seg = cal.scenario.market.segments[0]
    assert seg.purchase_rate.shape / seg.purchase_rate.rate == pytest.approx(0.8 / 70.0 * 365, rel=0.2)
    folder = cal.save(tmp_path / "cal")
    back = sim.resolve(str(folder / "scenario.yaml"))
    assert back.market.segments[0].dropout.a == pytest.approx(cal.bgnbd.a)


def test_rfm_summary_and_segment_choice(tmp_path: Path, population: pd.DataFrame) -> None:
    """Rfm summary and segment choice."""
    path = tmp_path / "rfm.csv"
    population.head(3000).to_csv(path, index=False)
    cal = calibrate_customers(path, "japan_in_japan", segments=["cautious"], basket="gamma")
    assert cal.kind == "rfm"
    segs = {s.name: s for s in cal.scenario.market.segments}
    assert segs["cautious"].basket.dist == "gamma" and segs["loyal_shoppers"].basket.dist == "lognormal"
    assert segs["cautious"].purchase_rate.shape == pytest.approx(cal.bgnbd.r)
    with pytest.raises(SimInputError, match="Did you mean 'cautious'"):
        calibrate_customers(path, "japan_in_japan", segments=["cautios"])


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "in.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("customer_id,day,amount\nc1,2024-01-01,1\nc2,2024-01-02,1\n", "column 'date': is missing"),
        ("who,date\nc1,2024-01-01\nc2,2024-01-02\n", "column 'customer_id': is missing"),
        (
            "customer_id,date,amount\nc1,2024-01-01,1\nc2,01/13/2024x,1\n",
            "line 3, column 'date': is not an ISO 8601 date",
        ),
        ("customer_id,date,amount\nc1,2024-01-01,1\nc2,2024-01-03,-4\n", "line 3, column 'amount': amount is negative"),
        (
            "customer_id,date,amount\nc1,2024-01-01,1\nc2,2024-01-03,ten\n",
            "line 3, column 'amount': amount is not a number",
        ),
        ("customer_id,date\nc1,2024-01-01\nc1,2024-02-01\n", "has 1 customer"),
        ("customer_id,date\nc1,2024-01-01\n,2024-02-01\n", "line 3, column 'customer_id': customer id is empty"),
        ("customer_id,date\n", "has a header but no rows"),
    ],
)
def test_bad_transaction_logs(tmp_path: Path, text: str, message: str) -> None:
    """Bad transaction logs."""
    with pytest.raises(SimInputError, match=message):
        read_transactions(_csv(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frequency,recency\n1,2\n0,0\n", "column 'T': is missing"),
        ("frequency,recency,T\n1,5,4\n0,0,3\n", "line 2, column 'recency': recency must not exceed T"),
        ("frequency,recency,T\n1.5,2,4\n0,0,3\n", "frequency must be a whole number"),
        ("frequency,recency,T\n0,2,4\n0,0,3\n", "recency must be 0 when frequency is 0"),
        ("frequency,recency,T,monetary_value\n1,2,4,-3\n0,0,3,0\n", "monetary value must be >= 0"),
        ("frequency,recency,T\n1,2,4\n", "at least 2"),
    ],
)
def test_bad_rfm_tables(tmp_path: Path, text: str, message: str) -> None:
    """Bad rfm tables."""
    with pytest.raises(SimInputError, match=message):
        read_rfm(_csv(tmp_path, text))


def test_no_repeat_purchases_cannot_be_fitted() -> None:
    """No repeat purchases cannot be fitted."""
    rfm = pd.DataFrame({"frequency": [0.0, 0.0], "recency": [0.0, 0.0], "T": [5.0, 6.0]})
    with pytest.raises(SimInputError, match="no customer made a repeat purchase"):
        fit_bgnbd(rfm)


def test_series_fit_recovers_a_known_ad_budget() -> None:
    """Monthly pool size and revenue made with a 45,000/day budget lead the fit back to about 45,000."""
    ov = ["run.population=1500", "run.days=300"]
    truth = sim.resolve("china_in_china", [*ov, "brands.0.strategy.acquisition.ad_budget_per_day=45000"])
    ens = replicate(truth, 2, daily_columns=("member", "revenue", "customer"), execution=Execution(executor="serial"))
    frames = []
    for s in ens.seeds:
        rows = ens.series[ens.series["seed"] == s]
        d = pd.DataFrame({c: rows[f"daily.{c}"].to_numpy() for c in ("member", "revenue", "customer")})
        frames.append(aggregate_run(d, ["pool_size", "revenue"], "month", list(range(1, 10))))
    observed = sum(frames) / len(frames)
    base = sim.resolve("china_in_china", ov)
    fit = fit_series(base, observed, {"acquisition.ad_budget_per_day": (10000, 60000)}, reps=2, max_evals=6,
                     execution=Execution(executor="serial"))
    assert fit.x["brands.0.strategy.acquisition.ad_budget_per_day"] == pytest.approx(45000, rel=0.08)
    assert fit.r2 > 0.99
    q = fit.quality.set_index("series")
    assert set(q.index) == {"pool_size", "revenue", "all"} and (q["rmse"].dropna() >= 0).all()


def test_observed_series_errors(tmp_path: Path) -> None:
    """Observed series errors."""
    base = sim.resolve("china_in_china", ["run.population=1000", "run.days=200"])
    p = {"acquisition.ad_budget_per_day": (10000, 60000)}
    with pytest.raises(SimInputError, match="Did you mean 'revenue'"):
        fit_series(base, _csv(tmp_path, "month,revenu\n1,5\n2,6\n"), p, executor="serial")
    with pytest.raises(SimInputError, match="outside the simulated horizon"):
        fit_series(base, _csv(tmp_path, "month,revenue\n1,5\n9,6\n"), p, executor="serial")
    with pytest.raises(SimInputError, match="column 'month': is missing"):
        fit_series(base, _csv(tmp_path, "week,revenue\n1,5\n2,6\n"), p, executor="serial")


def test_series_fit_takes_the_execution_object_and_its_older_call_form_alike(tmp_path: Path) -> None:
    """``execution=Execution(seed, overrides, executor, progress)`` and the separate keywords give one fit.

    The seed and the overrides reach the runs (another seed or another population changes the fitted
    series), progress counts every run to the planned total, and giving both forms at once is refused.
    """
    observed = _csv(tmp_path, "month,revenue\n1,4000000\n2,5000000\n")
    p = {"acquisition.ad_budget_per_day": (10000, 60000)}
    base = sim.resolve("china_in_china", ["run.days=70"])
    seen: list[tuple[int, int]] = []
    new = fit_series(base, observed, p, reps=1, max_evals=2, execution=Execution(
        seed=3, overrides=["run.population=600"], executor="serial", progress=lambda d, t: seen.append((d, t))))
    old = fit_series(base, observed, p, reps=1, max_evals=2, root_seed=3, overrides=["run.population=600"],
                     executor="serial")
    assert new.x == old.x
    pd.testing.assert_frame_equal(new.fitted, old.fitted)
    assert new.meta["root_seed"] == 3 and new.meta["executor"] == "serial" and new.scenario.run.population == 600
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
    other = fit_series(base, observed, p, reps=1, max_evals=2,
                       execution=Execution(seed=4, overrides=["run.population=600"], executor="serial"))
    assert not other.fitted.equals(new.fitted)
    with pytest.raises(SimInputError, match="not both"):
        fit_series(base, observed, p, execution=Execution(executor="serial"), root_seed=3)
