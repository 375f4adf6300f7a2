"""Customer data for calibration: transaction logs and RFM summaries, read and checked as user input.

A transaction log has one row per purchase (customer id, date, optional amount); an RFM summary one row
per customer (frequency, recency, T, optional monetary value). Purchases of one customer on one day count
as one transaction (amounts summed); frequency is the number of repeat purchase days, recency the time from
first to last purchase, T the time from first purchase to the end of observation (the last date in the log
unless given), in the chosen time unit (weeks by default). Every problem is a
:class:`~sim.errors.SimInputError` naming the line, the column and the value.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError
from sim.scenario.loader import suggest

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


def read_table(path: str | Path | pd.DataFrame, source: str) -> pd.DataFrame:
    """A user CSV (or a DataFrame) as a table; unreadable files are a SimInputError naming the file."""
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


def find_column(df: pd.DataFrame, wanted: str | None, aliases: Sequence[str]) -> str | None:
    """The column named ``wanted``, else the first of ``aliases`` present (case-insensitive), else None."""
    cols = {c.strip().lower(): c for c in df.columns}
    if wanted is not None:
        return cols.get(wanted.strip().lower())
    for a in aliases:
        if a in cols:
            return cols[a]
    return None


def missing_columns(source: str, df: pd.DataFrame, missing: list[tuple[str, Sequence[str]]]) -> SimInputError:
    """The error for required columns that are absent, listing the columns found."""
    found = ", ".join(repr(c) for c in df.columns)
    problems = []
    for name, aliases in missing:
        best = suggest(name, [str(c) for c in df.columns])
        hint = f". Did you mean {best!r}?" if best else ""
        problems.append(
            Problem(f"column {name!r}", f"is missing (accepted names: {', '.join(aliases)}; found: {found}){hint}")
        )
    return SimInputError(source, problems)


def row_line(i: int) -> str:
    """The file line of data row ``i`` (the header is line 1)."""
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
    df = read_table(path, source)
    c_col = find_column(df, customer_col, _CUSTOMER)
    d_col = find_column(df, date_col, _DATE)
    a_col = find_column(df, amount_col, _AMOUNT)
    missing = []
    if c_col is None:
        missing.append((customer_col or "customer_id", (customer_col,) if customer_col else _CUSTOMER))
    if d_col is None:
        missing.append((date_col or "date", (date_col,) if date_col else _DATE))
    if amount_col is not None and a_col is None:
        missing.append((amount_col, (amount_col,)))
    if missing:
        raise missing_columns(source, df, missing)
    ids = df[c_col].astype(str).str.strip()
    empty = np.nonzero((ids == "").to_numpy())[0]
    if empty.size:
        raise SimInputError.single(source, f"{row_line(int(empty[0]))}, column {c_col!r}", "customer id is empty")
    raw = df[d_col].astype(str).str.strip()
    dates = _parse_dates(raw, date_format, source, d_col)
    bad = np.nonzero(dates.isna().to_numpy())[0]
    if bad.size:
        i = int(bad[0])
        expected = f"a date in the format {date_format}" if date_format else "an ISO 8601 date such as 2024-03-31"
        more = f" ({bad.size} rows in all)" if bad.size > 1 else ""
        raise SimInputError.single(source, f"{row_line(i)}, column {d_col!r}", f"is not {expected}{more}", raw.iloc[i])
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
                    source, f"{row_line(i)}, column {a_col!r}", f"amount {what}{more}", df[a_col].iloc[i]
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


def check_time_unit(time_unit: str) -> str:
    """``time_unit`` if it is days, weeks or years; else a SimInputError."""
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
    check_time_unit(time_unit)
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
    df = read_table(path, source)
    cols = {k: find_column(df, None, v) for k, v in _RFM.items()}
    missing = [(k, _RFM[k]) for k, c in cols.items() if c is None]
    if missing:
        raise missing_columns(source, df, missing)
    m_col = find_column(df, None, _MONETARY)
    out = pd.DataFrame()
    id_col = find_column(df, None, _CUSTOMER)
    out["customer_id"] = df[id_col].astype(str).to_numpy() if id_col else np.arange(len(df)).astype(str)
    for k, c in [*cols.items(), *([("monetary_value", m_col)] if m_col else [])]:
        v = pd.to_numeric(df[c].astype(str).str.strip(), errors="coerce")
        bad = np.nonzero((v.isna() | ~np.isfinite(v.fillna(0))).to_numpy())[0]
        if bad.size:
            i = int(bad[0])
            raise SimInputError.single(source, f"{row_line(i)}, column {c!r}", "is not a finite number", df[c].iloc[i])
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
            raise SimInputError.single(source, f"{row_line(i)}, column {col!r}", message, df[col].iloc[i])
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
    df = read_table(path, str(path))
    lower = {c.strip().lower() for c in df.columns}
    if "frequency" in lower and ("recency" in lower or "t_x" in lower):
        return read_rfm(path), "rfm"
    tx = read_transactions(path, date_format=date_format)
    return rfm_from_transactions(tx, observation_end=observation_end, time_unit=time_unit), "transactions"
