"""BG/NBD purchase/dropout and Gamma-Gamma spend models: likelihoods, bounded fits and simulation.

**(a) Customers: BG/NBD and Gamma-Gamma by maximum likelihood.**
From a transaction log (customer id, date, optional amount) or an RFM summary (frequency, recency,
T, optional monetary value), fit

* the BG/NBD model of Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An
  Alternative to the Pareto/NBD Model", Marketing Science 24(2): while alive a customer buys at a
  Poisson rate lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with probability
  p ~ Beta(a, b). The log-likelihood of (x, t_x, T) is their equation (6), implemented here with
  ``scipy.special.gammaln`` and ``betaln``; parameters are fitted on the log scale within
  +-:data:`LOG_BOUND` with L-BFGS-B from several deterministic starts, polished by bounded Nelder-Mead
  (a parameter at the edge is reported, never an overflow), with standard errors from the inverse
  numerical Hessian (delta method);
* the Gamma-Gamma spend model of Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves
  for Customer Base Analysis", JMR 42(4) (and Fader & Hardie's note "The Gamma-Gamma Model of
  Monetary Value", 2013): transaction values z ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across
  customers, fitted to the mean repeat-transaction value of customers with at least one repeat.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import betaln, gammaln

from sim.analysis.calibration.data import MIN_CUSTOMERS, UNITS_PER_YEAR, check_time_unit
from sim.errors import SimInputError

# =====================================================================================================
# BG/NBD and Gamma-Gamma
# =====================================================================================================


def bgnbd_loglik(params: Sequence[float], x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """BG/NBD log-likelihood of each customer (Fader, Hardie & Lee 2005, eq. 6).

    ``L = B(a, b+x)/B(a, b) * G(r+x) a^r / (G(r) (a+T)^(r+x))
    + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))``.
    """
    r, alpha, a, b = params
    x = np.asarray(x, dtype=np.float64)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a1 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a2 = np.where(
            x > 0,
            np.log(a)
            - np.log(np.maximum(b + x - 1.0, 1e-300))
            + betaln(a, b + x)
            - betaln(a, b)
            - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return common + np.logaddexp(a1, a2)


def gamma_gamma_loglik(params: Sequence[float], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Gamma-Gamma log-likelihood of each customer's mean spend ``m`` over ``x`` transactions.

    ``ln L = ln G(px+q) - ln G(px) - ln G(q) + q ln g + (px-1) ln m + px ln x - (px+q) ln(g + m x)``
    (Fader, Hardie & Lee 2005 "RFM and CLV"; Fader & Hardie 2013).
    """
    p, q, g = params
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(g + m * x)
    )


def _hessian(f: Any, z: np.ndarray, h: float = 1e-4) -> np.ndarray:
    k = z.size
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = h
            ej[j] = h
            v = (f(z + ei + ej) - f(z + ei - ej) - f(z - ei + ej) + f(z - ei - ej)) / (4 * h * h)
            out[i, j] = out[j, i] = v
    return out


def _log_se(f: Any, z: np.ndarray) -> np.ndarray:
    try:
        cov = np.linalg.inv(_hessian(f, z))
        d = np.diag(cov)
        return np.where(d > 0, np.sqrt(np.abs(d)), np.nan)
    except np.linalg.LinAlgError:
        return np.full(z.size, np.nan)


#: Bounds of every fitted parameter on the log scale: exp(-12) to exp(12), about 6e-6 to 1.6e5.
LOG_BOUND = 12.0
#: Extra starting points of the likelihood search (deterministic: the same data give the same fit).
RESTARTS = 3


def _safe(negll: Any) -> Any:
    """``negll`` that answers a large finite value wherever the likelihood is undefined or overflows."""

    def f(z: np.ndarray) -> float:
        try:
            with np.errstate(all="ignore"):
                val = float(negll(np.asarray(z, dtype=np.float64)))
        except (ValueError, OverflowError, ZeroDivisionError, FloatingPointError):
            return 1e10
        return val if math.isfinite(val) else 1e10

    return f


def _fit(negll: Any, z0: np.ndarray, model: str = "model", names: Sequence[str] = ()) -> tuple[np.ndarray, Any]:
    """Maximum likelihood on log-parameters within +-:data:`LOG_BOUND`, from several starts, then polished.

    The result's ``at_bounds`` lists the parameters that ran to the edge of their range (a limit the data
    point to, such as no heterogeneity or no dropout, rather than an estimate).

    Raises:
        SimInputError: When no start gives a finite likelihood: the data cannot identify the model.
    """
    f = _safe(negll)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * z0.size
    gen = np.random.default_rng(20240531)
    starts = [z0, z0 + 0.5, z0 - 0.5] + [z0 + gen.uniform(-2.0, 2.0, z0.size) for _ in range(RESTARTS)]
    best = None
    for start in starts:
        start = np.clip(start, -LOG_BOUND + 0.5, LOG_BOUND - 0.5)
        res = optimize.minimize(f, start, method="L-BFGS-B", bounds=bounds)
        if res.fun < 1e10 and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise SimInputError.single("customers", model, "the data cannot identify the model: the likelihood is "
                                   "undefined at every starting point; check the log (dates, amounts)")
    res = optimize.minimize(f, best.x, method="Nelder-Mead", bounds=bounds,
                            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    if res.fun <= best.fun:
        best = res
    edge = [n for n, z in zip(names or [f"p{i}" for i in range(z0.size)], best.x, strict=True)
            if abs(z) > LOG_BOUND - 0.05]
    best.at_bounds = edge
    return best.x, best


@dataclass
class BGNBDFit:
    """Fitted BG/NBD parameters (``alpha`` in the fitting time unit) with standard errors."""

    r: float
    alpha: float
    a: float
    b: float
    se: dict[str, float]
    loglik: float
    n_customers: int
    time_unit: str
    converged: bool
    at_bounds: list[str] = field(default_factory=list)

    @property
    def alpha_per_year(self) -> float:
        """Gamma rate of the purchase rate in purchases per year (the scenario's ``rate``)."""
        return self.alpha / UNITS_PER_YEAR[self.time_unit]

    @property
    def mean_rate_per_year(self) -> float:
        """Mean purchase rate while alive, per year (r / alpha_per_year)."""
        return self.r / self.alpha_per_year

    @property
    def mean_dropout(self) -> float:
        """Mean dropout probability per purchase, a / (a + b)."""
        return self.a / (self.a + self.b)


def fit_bgnbd(rfm: pd.DataFrame, *, time_unit: str = "weeks") -> BGNBDFit:
    """Maximum-likelihood BG/NBD fit of an RFM table (``frequency, recency, T`` in ``time_unit``).

    Raises:
        SimInputError: With fewer than two customers or no repeat purchase at all.
    """
    check_time_unit(time_unit)
    if len(rfm) < MIN_CUSTOMERS:
        raise SimInputError.single("customers", "", f"{len(rfm)} customer; at least {MIN_CUSTOMERS} are needed")
    if (rfm["frequency"] <= 0).all():
        raise SimInputError.single(
            "customers",
            "frequency",
            "no customer made a repeat purchase; the BG/NBD model "
            "cannot be fitted (it learns the purchase rate from repeat purchases)",
        )
    agg = rfm.groupby(["frequency", "recency", "T"], sort=False).size().reset_index(name="w")
    x, tx, T, w = (agg[c].to_numpy(dtype=np.float64) for c in ("frequency", "recency", "T", "w"))
    n = float(w.sum())

    def negll(z: np.ndarray) -> float:
        val = -float(np.dot(w, bgnbd_loglik(np.exp(z), x, tx, T))) / n
        return val if math.isfinite(val) else 1e10

    rate = float(np.dot(w, x)) / max(float(np.dot(w, T)), 1e-9)
    z0 = np.log([1.0, 1.0 / max(rate, 1e-9), 1.0, 3.0])
    names = ("r", "alpha", "a", "b")
    z, res = _fit(negll, z0, "BG/NBD", names)
    se_log = _log_se(lambda v: negll(v) * n, z)
    theta = np.exp(z)
    return BGNBDFit(
        *(float(t) for t in theta),
        se={k: float(t * s) for k, t, s in zip(names, theta, se_log, strict=True)},
        loglik=float(-res.fun * n),
        n_customers=int(n),
        time_unit=time_unit,
        converged=bool(getattr(res, "success", True)),
        at_bounds=list(res.at_bounds),
    )


@dataclass
class GammaGammaFit:
    """Fitted Gamma-Gamma spend parameters and the implied per-customer mean spend distribution."""

    p: float
    q: float
    gamma: float
    se: dict[str, float]
    loglik: float
    n_customers: int
    converged: bool
    at_bounds: list[str] = field(default_factory=list)

    @property
    def mean_spend(self) -> float:
        """Population mean of a customer's mean transaction value, p gamma / (q - 1) (q > 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else math.inf

    @property
    def spend_cv(self) -> float:
        """Coefficient of variation of a customer's mean transaction value, 1 / sqrt(q - 2) (q > 2)."""
        return 1.0 / math.sqrt(self.q - 2) if self.q > 2 else math.inf


def fit_gamma_gamma(rfm: pd.DataFrame) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit on customers with repeat purchases and positive spend.

    Raises:
        SimInputError: Without a ``monetary_value`` column or with fewer than two usable customers.
    """
    if "monetary_value" not in rfm.columns:
        raise SimInputError.single("customers", "monetary_value", "no amounts given; the spend model needs them")
    use = rfm[(rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)]
    if len(use) < MIN_CUSTOMERS:
        raise SimInputError.single(
            "customers",
            "monetary_value",
            f"{len(use)} customer(s) with repeat purchases and "
            f"positive spend; at least {MIN_CUSTOMERS} are needed for the spend model",
        )
    x = use["frequency"].to_numpy(dtype=np.float64)
    m = use["monetary_value"].to_numpy(dtype=np.float64)
    n = float(len(use))

    def negll(z: np.ndarray) -> float:
        val = -float(gamma_gamma_loglik(np.exp(z), x, m).sum()) / n
        return val if math.isfinite(val) else 1e10

    z0 = np.log([2.0, 3.0, max(float(m.mean()), 1e-3)])
    z, res = _fit(negll, z0, "Gamma-Gamma", ("p", "q", "gamma"))
    se_log = _log_se(lambda v: negll(v) * n, z)
    theta = np.exp(z)
    return GammaGammaFit(
        *(float(t) for t in theta),
        se={k: float(t * s) for k, t, s in zip(("p", "q", "gamma"), theta, se_log, strict=True)},
        loglik=float(-res.fun * n),
        n_customers=int(n),
        converged=bool(getattr(res, "success", True)),
        at_bounds=list(res.at_bounds),
    )


def simulate_bgnbd(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    *,
    seed: int = 0,
    spend: tuple[float, float, float] | None = None,
) -> pd.DataFrame:
    """Simulate an RFM table from known BG/NBD (and optionally Gamma-Gamma ``(p, q, gamma)``) parameters.

    Each customer buys at time 0, then at Poisson rate lambda ~ Gamma(r, alpha) while alive, and
    after each repeat purchase drops out with probability p ~ Beta(a, b); observation ends at ``T``
    (a number or one per customer). With ``spend`` each repeat purchase's value is Gamma(p, nu) with
    nu ~ Gamma(q, gamma). Used to show parameter recovery.
    """
    gen = np.random.default_rng(seed)
    lam = gen.gamma(r, 1.0 / alpha, n)
    p_drop = gen.beta(a, b, n)
    Tn = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    x = np.zeros(n)
    t_x = np.zeros(n)
    t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    total = np.zeros(n)
    nu = gen.gamma(spend[1], 1.0 / spend[2], n) if spend else None
    while alive.any():
        idx = np.nonzero(alive)[0]
        t[idx] += gen.exponential(1.0 / np.maximum(lam[idx], 1e-300))
        over = t[idx] > Tn[idx]
        alive[idx[over]] = False
        buy = idx[~over]
        x[buy] += 1
        t_x[buy] = t[buy]
        if spend:
            total[buy] += gen.gamma(spend[0], 1.0 / nu[buy])
        die = gen.random(buy.size) < p_drop[buy]
        alive[buy[die]] = False
    out = pd.DataFrame({"customer_id": np.arange(n).astype(str), "frequency": x, "recency": t_x, "T": Tn})
    if spend:
        out["monetary_value"] = np.where(x > 0, total / np.maximum(x, 1), 0.0)
    return out


def simulate_transactions(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    start: str = "2023-01-01",
    days: int = 730,
    cohort_days: int = 365,
    seed: int = 0,
    spend: tuple[float, float, float] | None = None,
) -> pd.DataFrame:
    """A synthetic transaction log (``customer_id, date[, amount]``) from BG/NBD parameters in days.

    Customers make their first purchase uniformly over the first ``cohort_days``; the log ends at
    ``start + days - 1``. Times are rounded down to whole days (same-day purchases merge).
    """
    gen = np.random.default_rng(seed)
    first = gen.integers(0, cohort_days, n)
    end = days - 1
    lam = gen.gamma(r, 1.0 / alpha, n)
    p_drop = gen.beta(a, b, n)
    nu = gen.gamma(spend[1], 1.0 / spend[2], n) if spend else None
    rows_c, rows_t, rows_a = [], [], []
    for i in range(n):
        t = 0.0
        horizon = end - first[i]
        times = [0.0]
        while True:
            t += gen.exponential(1.0 / max(lam[i], 1e-300))
            if t > horizon:
                break
            times.append(t)
            if gen.random() < p_drop[i]:
                break
        for tt in times:
            rows_c.append(f"c{i:06d}")
            rows_t.append(int(first[i] + math.floor(tt)))
            if spend:
                rows_a.append(round(float(gen.gamma(spend[0], 1.0 / nu[i])), 2))
    out = pd.DataFrame({"customer_id": rows_c, "date": pd.Timestamp(start) + pd.to_timedelta(rows_t, unit="D")})
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    if spend:
        out["amount"] = rows_a
    return out
