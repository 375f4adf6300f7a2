"""Calibration: fit customer traits to customer data, and scenario parameters to KPI time series.

The market's purchase, dropout and spend traits are fitted to a customer log; chosen scenario
parameters are fitted to observed KPI time series.

**(a) Customers: BG/NBD and Gamma-Gamma by maximum likelihood.**
From a transaction log (customer id, date, optional amount) or an RFM summary (frequency, recency,
T, optional monetary value), fit

* the BG/NBD model of Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An
  Alternative to the Pareto/NBD Model", Marketing Science 24(2): while alive a customer buys at a
  Poisson rate lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with probability
  p ~ Beta(a, b). The log-likelihood of (x, t_x, T) is their equation (6), implemented here with
  ``scipy.special.gammaln`` and ``betaln``; parameters are fitted on the log scale with L-BFGS-B,
  with standard errors from the inverse numerical Hessian (delta method);
* the Gamma-Gamma spend model of Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves
  for Customer Base Analysis", JMR 42(4) (and Fader & Hardie's note "The Gamma-Gamma Model of
  Monetary Value", 2013): transaction values z ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across
  customers, fitted to the mean repeat-transaction value of customers with at least one repeat.

From a transaction log, purchases of one customer on one day count as one transaction (amounts
summed); frequency is the number of repeat purchase days, recency the time from first to last
purchase, T the time from first purchase to the end of observation (the last date in the log unless
given), in the chosen time unit (weeks by default).

*Mapping into a scenario* (written into every segment, or the segments named):

* ``purchase_rate: {dist: gamma, shape: r, rate: alpha / U}`` where ``U`` is the number of fitting
  time units per year (365 days, 365/7 weeks; the model converts purchases/year to a daily chance
  with 365 days), because lambda per year = U x lambda per unit and Gamma(r, alpha) scaled by U is
  Gamma(r, alpha / U);
* ``dropout: {dist: beta, a: a, b: b}``;
* ``basket``: the model gives each consumer one basket value for every purchase, so it is matched to
  the distribution of a customer's mean transaction value zeta = p / nu, which is inverse-gamma with
  mean ``p gamma / (q - 1)`` and coefficient of variation ``1 / sqrt(q - 2)`` (q > 2). The basket is a
  log-normal (default) or gamma distribution with that mean and CV; for q <= 2 the spread is infinite
  and the CV is capped at :data:`MAX_BASKET_CV` (reported).

Caveats: the model also applies the dropout chance after the *first* purchase (BG/NBD only after
repeat purchases), and its purchase rate is boosted for members; the fitted traits describe the
customers before any private-traffic strategy.

**(b) KPI series: least squares on the Monte Carlo mean.**
Given observed monthly (or daily) series such as pool size and revenue, chosen parameters are
fitted by :func:`scipy.optimize.least_squares` (trust-region reflective, within bounds) on the
mean of ``reps`` runs with common seeds; residuals of each series are divided by the root mean
square of its observations so that series in different units weigh alike. The Jacobian is taken by
forward differences of 5% of each range, evaluated as one parallel batch. Fit quality: RMSE and
R^2 per series and overall.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize
from scipy.special import betaln, gammaln

from sim.analysis.executors import Progress, make_executor, map_runs, run_series, spawn_seeds
from sim.analysis.paths import ParamRange, apply_values, apply_values_doc, parse_range, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand
from sim.errors import Problem, SimInputError
from sim.results.csvsafe import frame_to_csv
from sim.results.result import write_folder
from sim.scenario.loader import suggest, validate_document
from sim.scenario.schema import Scenario

__all__ = [
    "BGNBDFit",
    "CustomerCalibration",
    "GammaGammaFit",
    "SeriesFit",
    "bgnbd_loglik",
    "calibrate_customers",
    "calibrated_scenario",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_series",
    "gamma_gamma_loglik",
    "read_customer_data",
    "read_observed_series",
    "read_transactions",
    "rfm_from_transactions",
    "simulate_bgnbd",
    "simulate_transactions",
]

#: Time units per year, consistent with the model's 365-day year.
UNITS_PER_YEAR = {"days": 365.0, "weeks": 365.0 / 7.0, "years": 1.0}
DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "years": 365.0}
MIN_CUSTOMERS = 2
MAX_BASKET_CV = 3.0
MONTH_DAYS = 30.4375

_CUSTOMER = ("customer_id", "customer", "customerid", "customer id", "cust_id", "client_id", "user_id", "id")
_DATE = ("date", "order_date", "purchase_date", "transaction_date", "datetime", "timestamp")
_AMOUNT = ("amount", "value", "spend", "sales", "revenue", "total", "price", "monetary_value")
_RFM = {"frequency": ("frequency", "x"), "recency": ("recency", "t_x"), "T": ("t", "age")}
_MONETARY = ("monetary_value", "monetary", "avg_spend", "mean_spend", "m")


# =====================================================================================================
# Reading customer data
# =====================================================================================================


def _read_csv(path: str | Path | pd.DataFrame, source: str) -> pd.DataFrame:
    if isinstance(path, pd.DataFrame):
        frame = path.reset_index() if path.index.name else path
        return frame.astype(str)
    p = Path(path)
    if p.is_dir():
        raise SimInputError.single(source, "", "is a folder; expected a CSV file")
    if not p.is_file():
        raise SimInputError.single(source, "", "file not found")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise SimInputError.single(source, "", "is empty (no header and no rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise SimInputError.single(source, "", f"is not a readable CSV file ({str(exc).splitlines()[0]})") from None
    if df.empty:
        raise SimInputError.single(source, "", "has a header but no rows")
    return df


def _find(df: pd.DataFrame, wanted: str | None, aliases: Sequence[str]) -> str | None:
    cols = {c.strip().lower(): c for c in df.columns}
    if wanted is not None:
        return cols.get(wanted.strip().lower())
    for a in aliases:
        if a in cols:
            return cols[a]
    return None


def _missing_columns(source: str, df: pd.DataFrame, missing: list[tuple[str, Sequence[str]]]) -> SimInputError:
    found = ", ".join(repr(c) for c in df.columns)
    problems = []
    for name, aliases in missing:
        best = suggest(name, [str(c) for c in df.columns])
        hint = f". Did you mean {best!r}?" if best else ""
        problems.append(
            Problem(f"column {name!r}", f"is missing (accepted names: {', '.join(aliases)}; found: {found}){hint}")
        )
    return SimInputError(source, problems)


def _line(i: int) -> str:
    return f"line {i + 2}"  # the header is line 1


#: A UTC offset or ``Z`` at the end of an ISO 8601 date-time (after its time of day).
_OFFSET = re.compile(r"(?<=[0-9]:[0-9]{2})(?::[0-9]{2}(?:[.,][0-9]+)?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)\Z")


def _parse_dates(raw: pd.Series, date_format: str | None, source: str, column: str) -> pd.Series:
    """Dates of a log as local calendar dates (NaT where unparseable).

    ISO 8601 date-times keep their local date: a UTC offset is dropped (``2024-01-01T23:30+09:00`` is the
    1st of January), so logs mixing offsets (shops in several time zones, daylight saving) parse.

    Raises:
        SimInputError: For a ``--date-format`` that is not a strptime format, or dates whose offsets
            cannot be reconciled under it.
    """
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise SimInputError.single("--date-format", "", "must be a strptime format with % codes, such as %Y-%m-%d "
                                   "or %d/%m/%Y", date_format)
    if date_format is None:
        raw = raw.map(lambda v: _OFFSET.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)], v))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dates = pd.to_datetime(raw, format=date_format or "ISO8601", errors="coerce")
    except (ValueError, TypeError) as exc:
        text = str(exc)
        if "directive" in text or "stray %" in text or "format" in text.lower() and "timezone" not in text.lower():
            raise SimInputError.single("--date-format", "", f"is not a usable strptime format ({text}); use codes "
                                       "such as %Y-%m-%d or %d/%m/%Y", date_format) from None
        raise SimInputError.single(source, f"column {column!r}", "dates carry different time-zone offsets that "
                                   "this --date-format cannot reconcile; drop the offsets or write ISO 8601 dates",
                                   date_format) from None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    return dates


def _observation_end(value: str | pd.Timestamp) -> pd.Timestamp:
    """``--observation-end`` as a local calendar date."""
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).normalize() if value.tz is not None else value.normalize()
    text = _OFFSET.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)], str(value).strip())
    try:
        end = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        end = pd.NaT
    if end is pd.NaT or pd.isna(end):
        raise SimInputError.single("--observation-end", "", "is not a date; expected ISO 8601 such as 2024-03-31",
                                   value)
    return end.normalize()


def read_transactions(
    path: str | Path | pd.DataFrame,
    *,
    customer_col: str | None = None,
    date_col: str | None = None,
    amount_col: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read and check a transaction log.

    Args:
        path: CSV file (or a DataFrame) with one row per transaction.
        customer_col: Customer id column (default: the first of ``customer_id, customer, id, ...``).
        date_col: Date column (default: ``date``, ``order_date``, ...).
        amount_col: Amount column (optional; default: ``amount``, ``value``, ``spend``, ... if present).
        date_format: ``strptime`` format of the dates (default: ISO 8601, e.g. 2024-03-31).

    Returns:
        A frame ``customer_id, date`` (datetime64) and ``amount`` (float) when amounts are given.

    Raises:
        SimInputError: Naming the missing column, or the line and value of an empty id, an unparseable
            date, or a non-numeric, non-finite or negative amount; or fewer than two customers.
    """
    source = str(path) if not isinstance(path, pd.DataFrame) else "transactions"
    df = _read_csv(path, source)
    c_col = _find(df, customer_col, _CUSTOMER)
    d_col = _find(df, date_col, _DATE)
    a_col = _find(df, amount_col, _AMOUNT)
    missing = []
    if c_col is None:
        missing.append((customer_col or "customer_id", (customer_col,) if customer_col else _CUSTOMER))
    if d_col is None:
        missing.append((date_col or "date", (date_col,) if date_col else _DATE))
    if amount_col is not None and a_col is None:
        missing.append((amount_col, (amount_col,)))
    if missing:
        raise _missing_columns(source, df, missing)
    ids = df[c_col].astype(str).str.strip()
    empty = np.nonzero((ids == "").to_numpy())[0]
    if empty.size:
        raise SimInputError.single(source, f"{_line(int(empty[0]))}, column {c_col!r}", "customer id is empty")
    raw = df[d_col].astype(str).str.strip()
    dates = _parse_dates(raw, date_format, source, d_col)
    bad = np.nonzero(dates.isna().to_numpy())[0]
    if bad.size:
        i = int(bad[0])
        expected = f"a date in the format {date_format}" if date_format else "an ISO 8601 date such as 2024-03-31"
        more = f" ({bad.size} rows in all)" if bad.size > 1 else ""
        raise SimInputError.single(source, f"{_line(i)}, column {d_col!r}", f"is not {expected}{more}", raw.iloc[i])
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    out = pd.DataFrame({"customer_id": ids.to_numpy(), "date": dates.dt.normalize().to_numpy()})
    if a_col is not None:
        amounts = pd.to_numeric(df[a_col].astype(str).str.strip(), errors="coerce")
        for mask, what in (
            (amounts.isna(), "is not a number"),
            (~np.isfinite(amounts.fillna(0)), "is not finite"),
            (amounts < 0, "is negative; amounts must be >= 0 (put refunds in a separate file)"),
        ):
            idx = np.nonzero(mask.to_numpy())[0]
            if idx.size:
                i = int(idx[0])
                more = f" ({idx.size} rows in all)" if idx.size > 1 else ""
                raise SimInputError.single(
                    source, f"{_line(i)}, column {a_col!r}", f"amount {what}{more}", df[a_col].iloc[i]
                )
        out["amount"] = amounts.to_numpy(dtype=np.float64)
    n = out["customer_id"].nunique()
    if n < MIN_CUSTOMERS:
        raise SimInputError.single(
            source,
            f"column {c_col!r}",
            f"has {n} customer; at least {MIN_CUSTOMERS} distinct customers are needed to fit a population model",
        )
    return out


def _unit(time_unit: str) -> str:
    if time_unit not in UNITS_PER_YEAR:
        raise SimInputError.single("--time-unit", time_unit, f"must be one of {', '.join(UNITS_PER_YEAR)}")
    return time_unit


def rfm_from_transactions(
    tx: pd.DataFrame, *, observation_end: str | pd.Timestamp | None = None, time_unit: str = "weeks"
) -> pd.DataFrame:
    """Per-customer RFM summary of a checked transaction log.

    Returns:
        ``customer_id, frequency, recency, T`` (in ``time_unit``) and, with amounts,
        ``monetary_value`` (mean value of repeat purchase days; 0 without repeats).
    """
    _unit(time_unit)
    per_day = tx.groupby(["customer_id", "date"], sort=True)
    daily = (
        per_day["amount"].sum().reset_index()
        if "amount" in tx.columns
        else per_day.size().reset_index()[["customer_id", "date"]]
    )
    end = _observation_end(observation_end) if observation_end is not None else daily["date"].max()
    if daily["date"].max() > end:
        raise SimInputError.single(
            "--observation-end", str(end.date()), "is before the last transaction date", str(daily["date"].max().date())
        )
    g = daily.groupby("customer_id", sort=True)
    first = g["date"].min()
    last = g["date"].max()
    count = g["date"].count()
    scale = DAYS_PER_UNIT[time_unit]
    out = pd.DataFrame(
        {
            "customer_id": first.index.to_numpy(),
            "frequency": (count - 1).to_numpy(dtype=np.float64),
            "recency": ((last - first).dt.days / scale).to_numpy(dtype=np.float64),
            "T": ((end - first).dt.days / scale).to_numpy(dtype=np.float64),
        }
    )
    if "amount" in daily.columns:
        daily = daily.merge(first.rename("first"), left_on="customer_id", right_index=True)
        rep = daily[daily["date"] > daily["first"]].groupby("customer_id")["amount"].mean()
        out["monetary_value"] = out["customer_id"].map(rep).fillna(0.0).to_numpy(dtype=np.float64)
    if (out["T"] <= 0).all():
        raise SimInputError.single(
            "transactions",
            "date",
            "every purchase is on the last day of observation; nothing can be learnt about repeat buying",
        )
    return out


def read_rfm(path: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read and check an RFM summary (``frequency, recency, T`` and optional ``monetary_value``).

    Raises:
        SimInputError: Naming the missing column, or the line of a value that is not a number, a
            frequency that is not a whole number >= 0, a negative or inconsistent recency (it must lie in
            [0, T] and be 0 when frequency is 0), T <= 0, or a negative monetary value.
    """
    source = str(path) if not isinstance(path, pd.DataFrame) else "rfm"
    df = _read_csv(path, source)
    cols = {k: _find(df, None, v) for k, v in _RFM.items()}
    missing = [(k, _RFM[k]) for k, c in cols.items() if c is None]
    if missing:
        raise _missing_columns(source, df, missing)
    m_col = _find(df, None, _MONETARY)
    out = pd.DataFrame()
    id_col = _find(df, None, _CUSTOMER)
    out["customer_id"] = df[id_col].astype(str).to_numpy() if id_col else np.arange(len(df)).astype(str)
    for k, c in [*cols.items(), *([("monetary_value", m_col)] if m_col else [])]:
        v = pd.to_numeric(df[c].astype(str).str.strip(), errors="coerce")
        bad = np.nonzero((v.isna() | ~np.isfinite(v.fillna(0))).to_numpy())[0]
        if bad.size:
            i = int(bad[0])
            raise SimInputError.single(source, f"{_line(i)}, column {c!r}", "is not a finite number", df[c].iloc[i])
        out[k] = v.to_numpy(dtype=np.float64)
    checks = [
        (
            (out["frequency"] < 0) | (out["frequency"] % 1 != 0),
            cols["frequency"],
            "frequency must be a whole number >= 0",
        ),
        (out["T"] <= 0, cols["T"], "T (time since first purchase) must be > 0"),
        (out["recency"] < 0, cols["recency"], "recency must be >= 0"),
        (out["recency"] > out["T"] * (1 + 1e-9), cols["recency"], "recency must not exceed T"),
        (
            (out["frequency"] == 0) & (out["recency"] != 0),
            cols["recency"],
            "recency must be 0 when frequency is 0 (time of the last repeat purchase)",
        ),
    ]
    if m_col:
        checks.append((out["monetary_value"] < 0, m_col, "monetary value must be >= 0"))
    for mask, col, message in checks:
        idx = np.nonzero(mask.to_numpy())[0]
        if idx.size:
            i = int(idx[0])
            raise SimInputError.single(source, f"{_line(i)}, column {col!r}", message, df[col].iloc[i])
    if len(out) < MIN_CUSTOMERS:
        raise SimInputError.single(source, "", f"has {len(out)} customer; at least {MIN_CUSTOMERS} are needed")
    return out


def read_customer_data(
    path: str | Path, *, time_unit: str = "weeks", observation_end: str | None = None, date_format: str | None = None
) -> tuple[pd.DataFrame, str]:
    """An RFM table from either a transaction log or an RFM summary (recognised by its columns).

    Returns:
        ``(rfm, kind)`` with ``kind`` ``"transactions"`` or ``"rfm"``.
    """
    df = _read_csv(path, str(path))
    lower = {c.strip().lower() for c in df.columns}
    if "frequency" in lower and ("recency" in lower or "t_x" in lower):
        return read_rfm(path), "rfm"
    tx = read_transactions(path, date_format=date_format)
    return rfm_from_transactions(tx, observation_end=observation_end, time_unit=time_unit), "transactions"


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
    _unit(time_unit)
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


# =====================================================================================================
# Writing fits into a scenario
# =====================================================================================================


def basket_distribution(gg: GammaGammaFit, kind: str = "lognormal") -> tuple[dict[str, Any], list[str]]:
    """The scenario basket distribution matching the Gamma-Gamma mean and spread of customer mean spend."""
    notes = []
    if gg.q <= 1:
        raise SimInputError.single(
            "spend model",
            "q",
            f"fitted q = {gg.q:.3g} <= 1: the mean spend is infinite; "
            "the data are too heavy-tailed to set a basket value",
        )
    cv = gg.spend_cv
    if not math.isfinite(cv) or cv > MAX_BASKET_CV:
        notes.append(
            f"Gamma-Gamma q = {gg.q:.3g} gives a {'infinite' if not math.isfinite(cv) else f'{cv:.2f}'} CV "
            f"of mean spend; capped at {MAX_BASKET_CV}"
        )
        cv = MAX_BASKET_CV
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": gg.mean_spend, "cv": cv}, notes
    if kind == "gamma":
        shape = 1.0 / cv**2
        return {"dist": "gamma", "shape": shape, "rate": shape / gg.mean_spend}, notes
    raise SimInputError.single("--basket", kind, "must be 'lognormal' or 'gamma'")


def calibrated_scenario(
    base: Scenario,
    bgnbd: BGNBDFit,
    gg: GammaGammaFit | None = None,
    *,
    segments: Sequence[str] | None = None,
    basket: str = "lognormal",
    name: str | None = None,
) -> tuple[Scenario, dict[str, Any], list[str]]:
    """The base scenario with fitted traits written into its segments.

    Returns:
        ``(scenario, traits, notes)``: the validated scenario, the trait distributions written, and
        notes (e.g. a capped basket CV).

    Raises:
        SimInputError: For an unknown segment name (with a did-you-mean).
    """
    names = [s.name for s in base.market.segments]
    targets = list(segments) if segments else names
    for s in targets:
        if s not in names:
            best = suggest(s, names)
            raise SimInputError.single(
                "--segment",
                s,
                f"is not a segment of the market; segments: {', '.join(names)}"
                + (f". Did you mean {best!r}?" if best else ""),
            )
    traits: dict[str, Any] = {
        "purchase_rate": {"dist": "gamma", "shape": bgnbd.r, "rate": bgnbd.alpha_per_year},
        "dropout": {"dist": "beta", "a": bgnbd.a, "b": bgnbd.b},
    }
    notes: list[str] = []
    if gg is not None:
        traits["basket"], notes = basket_distribution(gg, basket)
    doc = scenario_doc(base)
    for seg in doc["market"]["segments"]:
        if seg["name"] in targets:
            seg.update(traits)
    if name:
        doc["name"] = name
    return validate_document(doc, "calibrated scenario"), traits, notes


@dataclass
class CustomerCalibration:
    """The result of :func:`calibrate_customers`."""

    source: str
    kind: str
    rfm: pd.DataFrame
    bgnbd: BGNBDFit
    gamma_gamma: GammaGammaFit | None
    scenario: Scenario
    traits: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def parameters(self) -> pd.DataFrame:
        """Fitted parameters with standard errors and units."""
        b = self.bgnbd
        unit = b.time_unit
        rows = [
            {"model": "BG/NBD", "parameter": "r", "value": b.r, "se": b.se["r"], "unit": "-"},
            {"model": "BG/NBD", "parameter": "alpha", "value": b.alpha, "se": b.se["alpha"], "unit": unit},
            {
                "model": "BG/NBD",
                "parameter": "alpha_per_year",
                "value": b.alpha_per_year,
                "se": b.se["alpha"] / UNITS_PER_YEAR[unit],
                "unit": "years",
            },
            {"model": "BG/NBD", "parameter": "a", "value": b.a, "se": b.se["a"], "unit": "-"},
            {"model": "BG/NBD", "parameter": "b", "value": b.b, "se": b.se["b"], "unit": "-"},
            {
                "model": "BG/NBD",
                "parameter": "mean purchases / year",
                "value": b.mean_rate_per_year,
                "se": math.nan,
                "unit": "1 / year",
            },
            {
                "model": "BG/NBD",
                "parameter": "mean dropout / purchase",
                "value": b.mean_dropout,
                "se": math.nan,
                "unit": "probability",
            },
        ]
        if self.gamma_gamma is not None:
            g = self.gamma_gamma
            rows += [
                {"model": "Gamma-Gamma", "parameter": "p", "value": g.p, "se": g.se["p"], "unit": "-"},
                {"model": "Gamma-Gamma", "parameter": "q", "value": g.q, "se": g.se["q"], "unit": "-"},
                {
                    "model": "Gamma-Gamma",
                    "parameter": "gamma",
                    "value": g.gamma,
                    "se": g.se["gamma"],
                    "unit": "currency",
                },
                {
                    "model": "Gamma-Gamma",
                    "parameter": "mean spend",
                    "value": g.mean_spend,
                    "se": math.nan,
                    "unit": "currency",
                },
                {"model": "Gamma-Gamma", "parameter": "spend CV", "value": g.spend_cv, "se": math.nan, "unit": "-"},
            ]
        return pd.DataFrame(rows)

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: calibrated scenario, fitted parameters, RFM table, manifest."""
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "parameters.csv": self.parameters().to_csv(index=False).encode(),
            "rfm.csv": frame_to_csv(self.rfm),
            "fit.json": json.dumps(
                {
                    **self.meta,
                    "source": self.source,
                    "kind": self.kind,
                    "bgnbd": asdict(self.bgnbd),
                    "gamma_gamma": asdict(self.gamma_gamma) if self.gamma_gamma else None,
                    "traits": self.traits,
                    "notes": self.notes,
                },
                indent=2,
                default=str,
            ).encode(),
        }
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "calibrate-customers"})


def _bound_notes(bg: BGNBDFit, gg: GammaGammaFit | None) -> list[str]:
    """Plain-words notes for parameters that ran to the edge of their range."""
    notes = []
    if bg.at_bounds:
        notes.append(f"BG/NBD {', '.join(bg.at_bounds)} reached the edge of the search range: the data point to a "
                     "limit (e.g. every customer buying at the same rate, or hardly anyone dropping out) rather "
                     "than pin a value; more customers or a longer log would sharpen it")
    if gg is not None and gg.at_bounds:
        notes.append(f"Gamma-Gamma {', '.join(gg.at_bounds)} reached the edge of the search range: spend varies "
                     "too little (or too much) between customers to pin it")
    return notes


def calibrate_customers(
    data: str | Path,
    base: str | Path | dict | Scenario,
    *,
    time_unit: str = "weeks",
    observation_end: str | None = None,
    date_format: str | None = None,
    segments: Sequence[str] | None = None,
    basket: str = "lognormal",
    overrides: Sequence[str] = (),
    name: str | None = None,
) -> CustomerCalibration:
    """Fit BG/NBD (and Gamma-Gamma when amounts are given) and write the traits into a scenario.

    Args:
        data: A transaction log CSV (``customer_id, date[, amount]``) or an RFM CSV
            (``frequency, recency, T[, monetary_value]``, times in ``time_unit``).
        base: The scenario whose market receives the fitted traits.
        time_unit: ``days``, ``weeks`` (default) or ``years``: the unit of RFM times.
        observation_end: Last day of observation for a transaction log (default: its last date).
        date_format: ``strptime`` format of the log's dates (default ISO 8601).
        segments: Segments that receive the traits (default: all).
        basket: ``lognormal`` or ``gamma`` basket distribution.
        overrides: Overrides applied to ``base`` first.
        name: Name of the calibrated scenario (default: ``<base>_calibrated``).
    """
    from sim.api import resolve

    _unit(time_unit)
    sc = resolve(base, overrides)
    rfm, kind = read_customer_data(data, time_unit=time_unit, observation_end=observation_end, date_format=date_format)
    bg = fit_bgnbd(rfm, time_unit=time_unit)
    gg = fit_gamma_gamma(rfm) if "monetary_value" in rfm.columns else None
    try:
        out, traits, notes = calibrated_scenario(
            sc, bg, gg, segments=segments, basket=basket, name=name or f"{sc.name}_calibrated"
        )
    except SimInputError as exc:
        if exc.source != "calibrated scenario":
            raise
        first = exc.problems[0] if exc.problems else exc
        raise SimInputError.single(
            str(data), "", "the data cannot identify the model well enough to set the scenario's traits: the "
            f"fitted values fall outside what the scenario accepts ({first}); this happens with few customers, "
            "few repeat purchases or a short observation window; add customers or lengthen the log") from None
    notes = [*_bound_notes(bg, gg), *notes]
    return CustomerCalibration(
        str(data),
        kind,
        rfm,
        bg,
        gg,
        out,
        traits,
        notes,
        provenance("serial", base=sc.name, segments=list(segments or [])),
    )


# =====================================================================================================
# (b) KPI time series
# =====================================================================================================

#: Observed series that are levels at the end of a period (the rest are summed over the period).
STOCKS = {
    "pool_size": "member",
    "members": "member",
    "member": "member",
    "customers": "customers",
    "customer": "customer",
    "aware": "aware",
    "unaware": "unaware",
    "lapsed": "lapsed",
    "active_members": "active_members",
    "paid_members": "paid_members",
    "records": "records",
}
#: Observed series averaged over a period.
MEANS = {"mean_trust": "mean_trust", "mean_fatigue": "mean_fatigue", "cpm": "cpm"}


def _daily_columns() -> set[str]:
    from sim.model import layout as L

    return set(L.MONEY) | set(L.TALLY) | {"revenue", "costs", "profit"}


def read_observed_series(path: str | Path | pd.DataFrame, horizon_days: int) -> tuple[pd.DataFrame, str]:
    """Read observed KPI series: a ``month`` (1-based) or ``day`` (0-based) column and one column per series.

    Returns:
        ``(frame, period)``: the frame indexed by period and the period kind.

    Raises:
        SimInputError: Missing period column, unknown series names (with did-you-mean), non-numeric
            values (line named), duplicate or out-of-horizon periods.
    """
    source = str(path) if not isinstance(path, pd.DataFrame) else "observed"
    df = _read_csv(path, source)
    period_col = _find(df, None, ("month",)) or _find(df, None, ("day",))
    if period_col is None:
        raise _missing_columns(source, df, [("month", ("month", "day"))])
    period = period_col.strip().lower()
    known = set(STOCKS) | set(MEANS) | _daily_columns()
    series_cols = [c for c in df.columns if c != period_col]
    if not series_cols:
        raise SimInputError.single(source, "", "has no series columns besides the period (e.g. pool_size, revenue)")
    out = pd.DataFrame()
    idx = pd.to_numeric(df[period_col].astype(str).str.strip(), errors="coerce")
    bad = np.nonzero((idx.isna() | (idx % 1 != 0)).to_numpy())[0]
    if bad.size:
        i = int(bad[0])
        raise SimInputError.single(
            source, f"{_line(i)}, column {period_col!r}", "must be a whole number", df[period_col].iloc[i]
        )
    idx = idx.astype(int)
    lo = 1 if period == "month" else 0
    hi = int(math.floor(horizon_days / MONTH_DAYS)) if period == "month" else horizon_days - 1
    out_of = np.nonzero(((idx < lo) | (idx > hi)).to_numpy())[0]
    if out_of.size:
        i = int(out_of[0])
        raise SimInputError.single(
            source,
            f"{_line(i)}, column {period_col!r}",
            f"{period} {idx.iloc[i]} is outside the simulated horizon ({lo} to {hi})",
        )
    if idx.duplicated().any():
        i = int(np.nonzero(idx.duplicated().to_numpy())[0][0])
        raise SimInputError.single(
            source, f"{_line(i)}, column {period_col!r}", f"{period} {idx.iloc[i]} appears twice"
        )
    for c in series_cols:
        name = c.strip()
        if name not in known:
            best = suggest(name, sorted(known))
            raise SimInputError.single(
                source,
                f"column {name!r}",
                "is not a series the model produces"
                + (f". Did you mean {best!r}?" if best else "; e.g. pool_size, revenue, profit"),
            )
        v = pd.to_numeric(df[c].astype(str).str.strip().replace("", "nan"), errors="coerce")
        text = df[c].astype(str).str.strip()
        badv = np.nonzero((v.isna() & (text != "")).to_numpy() | ~np.isfinite(v.fillna(0).to_numpy()))[0]
        if badv.size:
            i = int(badv[0])
            raise SimInputError.single(source, f"{_line(i)}, column {name!r}", "is not a number", df[c].iloc[i])
        out[name] = v.to_numpy(dtype=np.float64)
    out.index = pd.Index(idx.to_numpy(), name=period)
    if out.notna().sum().sum() < 2:
        raise SimInputError.single(source, "", "needs at least two observed values")
    return out.sort_index(), period


def aggregate_run(daily: pd.DataFrame, columns: Sequence[str], period: str, periods: Sequence[int]) -> pd.DataFrame:
    """Model values of observed series at observed periods from one brand's daily rows."""
    d = daily.reset_index(drop=True)
    n = len(d)
    out = {}
    for name in columns:
        if name in STOCKS:
            src = STOCKS[name]
            vals = (d["customer"] + d["member"]).to_numpy() if src == "customers" else d[src].to_numpy()
            kind = "stock"
        elif name in MEANS:
            vals, kind = d[MEANS[name]].to_numpy(), "mean"
        else:
            vals, kind = d[name].to_numpy(), "flow"
        vals = vals.astype(np.float64)
        res = []
        for p in periods:
            if period == "day":
                lo, hi = p, p + 1
            else:
                lo, hi = int(round((p - 1) * MONTH_DAYS)), min(int(round(p * MONTH_DAYS)), n)
            seg = vals[lo:hi]
            res.append(seg[-1] if kind == "stock" else (np.nanmean(seg) if kind == "mean" else seg.sum()))
        out[name] = res
    return pd.DataFrame(out, index=pd.Index(list(periods), name=period))


@dataclass
class SeriesFit:
    """The result of :func:`fit_series`."""

    scenario: Scenario
    fitted_scenario: Scenario
    params: list[ParamRange]
    x: dict[str, float | int]
    observed: pd.DataFrame
    fitted: pd.DataFrame
    quality: pd.DataFrame
    history: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def r2(self) -> float:
        """Overall R^2 over every series (each normalised by its RMS)."""
        return float(self.quality.loc[self.quality["series"] == "all", "r2"].iloc[0])

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: base and fitted scenarios, observed vs fitted, fit quality, history."""
        both = self.observed.add_suffix(" observed").join(self.fitted.add_suffix(" fitted"))
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "fitted.yaml": yaml.safe_dump(
                scenario_doc(self.fitted_scenario), sort_keys=False, allow_unicode=True
            ).encode(),
            "observed_vs_fitted.csv": both.to_csv().encode(),
            "quality.csv": self.quality.to_csv(index=False).encode(),
            "history.csv": self.history.to_csv(index=False).encode(),
            "fit.json": json.dumps({**self.meta, "x": self.x}, indent=2, default=str).encode(),
        }
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "calibrate-series"})


def fit_quality(observed: pd.DataFrame, fitted: pd.DataFrame) -> pd.DataFrame:
    """RMSE (in each series' units), normalised RMSE and R^2 per series and overall."""
    rows = []
    z_obs, z_fit = [], []
    for c in observed.columns:
        o = observed[c].to_numpy(dtype=np.float64)
        f = fitted[c].to_numpy(dtype=np.float64)
        ok = ~np.isnan(o)
        o, f = o[ok], f[ok]
        rmse = float(np.sqrt(np.mean((f - o) ** 2)))
        sst = float(np.sum((o - o.mean()) ** 2))
        r2 = 1.0 - float(np.sum((f - o) ** 2)) / sst if sst > 0 else math.nan
        scale = float(np.sqrt(np.mean(o**2))) or 1.0
        rows.append({"series": c, "n": int(o.size), "rmse": rmse, "nrmse": rmse / scale, "r2": r2})
        z_obs.append(o / scale)
        z_fit.append(f / scale)
    zo, zf = np.concatenate(z_obs), np.concatenate(z_fit)
    sst = float(np.sum((zo - zo.mean()) ** 2))
    rmse = float(np.sqrt(np.mean((zf - zo) ** 2)))
    rows.append(
        {
            "series": "all",
            "n": int(zo.size),
            "rmse": math.nan,
            "nrmse": rmse,
            "r2": 1.0 - float(np.sum((zf - zo) ** 2)) / sst if sst > 0 else math.nan,
        }
    )
    return pd.DataFrame(rows)


def fit_series(
    scenario: str | Path | dict | Scenario,
    observed: str | Path | pd.DataFrame,
    params: Mapping[str, Sequence[float] | str],
    *,
    brand: str | None = None,
    reps: int = 2,
    root_seed: int | None = None,
    max_evals: int = 20,
    x0: Mapping[str, float] | None = None,
    overrides: Sequence[str] = (),
    executor: Executor | str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> SeriesFit:
    """Fit parameters to observed KPI series by least squares on the Monte Carlo mean.

    Args:
        scenario: The base scenario (its horizon must cover the observations).
        observed: CSV or frame with ``month`` (1-based; month m = days [(m-1)*30.4375, m*30.4375))
            or ``day`` and series columns: stocks (``pool_size``, ``customers``, ``active_members``...,
            end of period), means (``mean_trust``, ``cpm``) or daily ledger/tally columns
            (``revenue``, ``profit``, ``opt_outs``..., summed over the period).
        params: ``{path: (low, high)}`` bounds of the fitted parameters.
        brand: Brand the series belong to (default: the first).
        reps: Common seeds averaged per evaluation.
        root_seed: Root of the seed tree (default: the scenario's ``run.seed``).
        max_evals: Most residual evaluations by the least-squares solver (each Jacobian adds one
            batch of ``len(params)`` points).
        x0: Starting values (default: the middle of each range).
        overrides: Overrides applied to the base scenario first.
        executor: An ``Executor``, or ``"process"`` (default), ``"serial"`` or ``"dask"``.
        workers: Processes of the local pool.
        scheduler: Dask scheduler address.
        progress: ``progress(done, total)`` over the planned runs.
    """
    from sim.api import resolve

    sc = resolve(scenario, overrides)
    reps = check_reps(reps)
    b = _brand(sc, brand)
    obs, period = read_observed_series(observed, sc.run.days)
    ranges = [parse_range(sc, p, v, source="--param") for p, v in params.items()]
    if not ranges:
        raise SimInputError.single(
            "--param", "params", "name at least one parameter to fit, e.g. messaging.per_week=1:14"
        )
    if isinstance(max_evals, bool) or not isinstance(max_evals, int) or max_evals < 1:
        raise SimInputError.single("--max-evals", "max_evals", "must be a whole number of at least 1", max_evals)
    k = len(ranges)
    lows = np.array([r.low for r in ranges])
    widths = np.array([r.high - r.low for r in ranges])
    start = np.full(k, 0.5)
    if x0:
        for j, r in enumerate(ranges):
            for key in (r.path, r.label):
                if key in x0:
                    start[j] = min(max((float(x0[key]) - r.low) / (r.high - r.low), 0.0), 1.0)
    root = sc.run.seed if root_seed is None else int(root_seed)
    seeds = spawn_seeds(root, reps)
    base = scenario_doc(sc)
    periods = list(obs.index)
    columns = list(obs.columns)
    needed = sorted({STOCKS.get(c, MEANS.get(c, c)) for c in columns} - {"customers"} | {"customer", "member"})
    scale = np.array([float(np.sqrt(np.nanmean(obs[c].to_numpy() ** 2))) or 1.0 for c in columns])
    planned = (max_evals * (k + 1) + 1) * reps
    done = [0]
    history: list[dict[str, Any]] = []
    cache: dict[tuple[float, ...], np.ndarray] = {}

    def values(u: np.ndarray) -> dict[str, float | int]:
        return {r.path: r.value(lo + w * ui) for r, lo, w, ui in zip(ranges, lows, widths, u, strict=True)}

    def simulate(points: list[np.ndarray], ex: Executor) -> list[pd.DataFrame]:
        calls = [(apply_values_doc(base, values(u)), s, tuple(needed)) for u in points for s in seeds]
        start_n = done[0]

        def tick(j: int, _t: int) -> None:
            if progress is not None:
                progress(min(start_n + j, planned), planned)

        parts = map_runs(ex, run_series, calls, progress=tick)
        done[0] = start_n + len(calls)
        out = []
        for i in range(len(points)):
            sims = []
            for part in parts[i * reps : (i + 1) * reps]:
                rows = part[part["brand"] == b]
                d = pd.DataFrame({c: rows[f"daily.{c}"].to_numpy() for c in needed})  # daily values, not KPIs
                sims.append(aggregate_run(d, columns, period, periods))
            out.append(sum(sims) / len(sims))
        return out

    def residuals_of(fitted: pd.DataFrame) -> np.ndarray:
        res = (fitted[columns].to_numpy() - obs[columns].to_numpy()) / scale
        return np.nan_to_num(res[~np.isnan(obs[columns].to_numpy())], nan=1e3)

    t0 = datetime.now(UTC)
    with make_executor(executor, workers=workers, scheduler=scheduler, tasks=(k + 1) * reps) as ex:

        def evaluate(points: list[np.ndarray]) -> list[np.ndarray]:
            todo = [u for u in points if tuple(np.round(u, 12)) not in cache]
            if todo:
                for u, fitted in zip(todo, simulate(todo, ex), strict=True):
                    r = residuals_of(fitted)
                    cache[tuple(np.round(u, 12))] = r
                    history.append({**values(u), "sse": float(np.sum(r**2))})
            return [cache[tuple(np.round(u, 12))] for u in points]

        def fun(u: np.ndarray) -> np.ndarray:
            return evaluate([np.clip(u, 0, 1)])[0]

        def jac(u: np.ndarray) -> np.ndarray:
            u = np.clip(u, 0, 1)
            h = 0.05
            steps = []
            for j in range(k):
                e = np.zeros(k)
                e[j] = h if u[j] + h <= 1 else -h
                steps.append(e)
            f0, *fs = evaluate([u] + [u + e for e in steps])
            return np.column_stack([(f - f0) / e[j] for j, (f, e) in enumerate(zip(fs, steps, strict=True))])

        sol = optimize.least_squares(
            fun, start, jac=jac, bounds=(np.zeros(k), np.ones(k)), method="trf", max_nfev=max_evals, x_scale=np.ones(k)
        )
        hist = pd.DataFrame(history)
        best_u = sol.x
        best = values(best_u)
        fitted = simulate([best_u], ex)[0]
    wall = (datetime.now(UTC) - t0).total_seconds()
    if progress is not None:
        progress(planned, planned)
    quality = fit_quality(obs, fitted)
    fitted_sc = apply_values(sc, best, source="fitted")
    return SeriesFit(
        sc,
        fitted_sc,
        ranges,
        best,
        obs,
        fitted,
        quality,
        hist,
        provenance(
            executor,
            wall_seconds=wall,
            replicates=reps,
            root_seed=root,
            seeds=seeds,
            brand=b,
            period=period,
            evaluations=len(hist),
            runs=done[0],
            optimiser="scipy.optimize.least_squares (trf)",
            message=str(sol.message),
        ),
    )
