"""Customer data for calibration: transaction logs and RFM summaries, read and checked as user input.

A transaction log has one row per purchase (customer id, date, optional amount); an RFM summary one row
per customer (frequency, recency, T, optional monetary value). Purchases of one customer on one day count
as one transaction (amounts summed); frequency is the number of repeat purchase days, recency the time from
first to last purchase, T the time from first purchase to the end of observation (the last date in the log
unless given), in the chosen time unit (weeks by default). Every problem is a
:class:`~sim.errors.SimInputError` naming the line, the column and the value.
"""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import Problem, SimInputError
from sim.scenario.loader import suggest
from sim.scenario.schema import MAX_MONEY

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

#: Most columns accepted in a CSV header. Assumption: the logs read here need 2 to 5 columns and shop exports
#: carry a few dozen; a 200,000-column header took 28 s to read before it was refused.
MAX_COLUMNS = 1_000
#: Longest header line read, in bytes (1,000 columns of names up to about 250 characters).
MAX_HEADER_BYTES = 256 * 1024
#: Column names shown in a message about the columns found; the rest are counted.
SHOWN_COLUMNS = 8
#: Largest amount accepted in a transaction log: the scenario schema's largest money amount (an assumption
#: about sane data; 1e308 overflowed the spend sums to infinity).
MAX_AMOUNT = MAX_MONEY
#: Furthest a purchase date or ``--observation-end`` may lie from the log's median date, in years. Assumption:
#: a customer log spans years, not centuries; a date further away (9999-12-31, 1900-01-01) is taken for a typo.
MAX_YEARS_FROM_MEDIAN = 50



# =====================================================================================================
# Reading customer data
# =====================================================================================================


def read_table(path: str | Path | pd.DataFrame, source: str) -> pd.DataFrame:
    """A user CSV (or a DataFrame) as a table; unreadable files are a SimInputError naming the file.

    The header is checked before pandas reads the file: UTF-8 text without NUL bytes, separated by commas,
    at most :data:`MAX_COLUMNS` columns, each name once (ignoring case and surrounding spaces, as the
    columns are looked up). A file that is not UTF-8 further down is reported with the line.
    """
    if isinstance(path, pd.DataFrame):
        frame = path.reset_index() if path.index.name else path
        check_column_names(source, [str(c) for c in frame.columns])
        return frame.astype(str)
    p = Path(path)
    if p.is_dir():
        raise SimInputError.single(source, "", "is a folder; expected a CSV file")
    if not p.is_file():
        raise SimInputError.single(source, "", "file not found")
    _check_header(p, source)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise SimInputError.single(source, "", "is empty (no header and no rows)") from None
    except UnicodeDecodeError:
        raise _not_utf8(p, source) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise SimInputError.single(source, "", f"is not a readable CSV file ({str(exc).splitlines()[0]})") from None
    if df.empty:
        raise SimInputError.single(source, "", "has a header but no rows")
    return df


def _utf8_problem(line: bytes, number: int, source: str) -> SimInputError | None:
    """The error for one line of the file that is not UTF-8 text, or None."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        kind = " (it looks like UTF-16)" if number == 1 and line.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
        byte = line[exc.start]
        return SimInputError.single(
            source, f"line {number}", f"is not a readable CSV file: byte 0x{byte:02x} (byte {exc.start + 1} of the "
            f"line) is not UTF-8 text{kind}; save the file as UTF-8", f"0x{byte:02x}")
    return None


def _not_utf8(p: Path, source: str) -> SimInputError:
    """The error for a file pandas could not decode, naming the first line that is not UTF-8."""
    with p.open("rb") as handle:  # no UTF-8 sequence contains the byte of a newline, so lines decode alone
        for number, line in enumerate(handle, start=1):
            problem = _utf8_problem(line, number, source)
            if problem is not None:
                return problem
    return SimInputError.single(source, "", "is not a readable CSV file: it is not UTF-8 text; save it as UTF-8")


def _check_header(p: Path, source: str) -> None:
    """Check the first line of a CSV before parsing the file (see :func:`read_table`)."""
    with p.open("rb") as handle:
        head = handle.readline(MAX_HEADER_BYTES + 1)
    if len(head) > MAX_HEADER_BYTES:
        names = head.decode("utf-8", errors="replace").split(",")
        raise SimInputError.single(source, "line 1", f"the header is longer than {MAX_HEADER_BYTES:,} bytes, with "
                                   f"{len(names) - 1:,} columns or more; at most {MAX_COLUMNS:,} are accepted (found: "
                                   f"{shown_names(names[:SHOWN_COLUMNS])} ... and more)")
    problem = _utf8_problem(head, 1, source)
    if problem is not None:
        raise problem
    text = head.decode("utf-8").removeprefix("\ufeff").rstrip("\r\n")
    if "\x00" in text:
        raise SimInputError.single(source, "line 1", "is not a readable CSV file: the header contains a NUL byte "
                                   "(a binary file?); expected text such as customer_id,date,amount")
    if not text.strip():
        return  # an empty file or an empty first line: pandas says so
    try:
        names = next(csv.reader([text]), [])
    except csv.Error:
        return  # a header pandas will judge (a quoted name over several lines)
    for sep, called in ((";", "semicolons"), ("\t", "tabs")):
        if len(text.split(sep)) > len(names):
            raise SimInputError.single(source, "line 1", f"the header is separated by {called}; the file must be "
                                       "comma-separated, such as customer_id,date,amount", text)
    check_column_names(source, [n.strip() for n in names])


def shown_names(names: Sequence[str]) -> str:
    """At most :data:`SHOWN_COLUMNS` quoted names, then how many more there are."""
    shown = ", ".join(repr(n[:40] + "..." if len(n) > 40 else n) for n in names[:SHOWN_COLUMNS])
    rest = len(names) - SHOWN_COLUMNS
    return shown + (f" ... and {rest:,} more" if rest > 0 else "")


def check_column_names(source: str, names: Sequence[str]) -> None:
    """Refuse more than :data:`MAX_COLUMNS` columns, or a name given twice (ignoring case and spaces)."""
    if len(names) > MAX_COLUMNS:
        raise SimInputError.single(source, "line 1", f"the header has {len(names):,} columns; at most "
                                   f"{MAX_COLUMNS:,} are accepted (found: {shown_names(names)})")
    first: dict[str, int] = {}
    for j, name in enumerate(names):
        key = name.strip().lower()
        if key in first:
            i = first[key]
            same = "" if names[i] == name else " (ignoring case and spaces)"
            raise SimInputError.single(
                source, "line 1", f"column {j + 1} {name!r} has the same name as column {i + 1} {names[i]!r}{same}; "
                "each column must be named once, so it is not clear which one to read")
        first[key] = j


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
    found = shown_names([str(c) for c in df.columns])
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
    observation_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Read and check a transaction log.

    Args:
        path: CSV file (or a DataFrame) with one row per transaction.
        customer_col: Customer id column (default: the first of ``customer_id, customer, id, ...``).
        date_col: Date column (default: ``date``, ``order_date``, ...).
        amount_col: Amount column (optional; default: ``amount``, ``value``, ``spend``, ... if present).
        date_format: ``strptime`` format of the dates (default: ISO 8601, e.g. 2024-03-31).
        observation_end: End of observation, if given: no purchase may come after it.

    Returns:
        A frame ``customer_id, date`` (datetime64) and ``amount`` (float) when amounts are given.

    Raises:
        SimInputError: Naming the missing column, or the line and value of an empty id or one with a control
            character, an unparseable date, a date more than :data:`MAX_YEARS_FROM_MEDIAN` years from the log's
            median date or after ``observation_end``, or a non-numeric, non-finite, negative or over
            :data:`MAX_AMOUNT` amount; or fewer than two customers.
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
    control = np.nonzero(ids.str.contains(r"[\x00-\x1f\x7f]", regex=True).to_numpy())[0]
    if control.size:
        i = int(control[0])
        raise SimInputError.single(source, f"{row_line(i)}, column {c_col!r}", "customer id contains a control "
                                   "character (such as a NUL byte); expected printable text", ids.iloc[i])
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
    dates = dates.dt.normalize()
    _check_date_range(dates, raw, observation_end, source, d_col)
    out = pd.DataFrame({"customer_id": ids.to_numpy(), "date": dates.to_numpy()})
    if a_col is not None:
        amounts = pd.to_numeric(df[a_col].astype(str).str.strip(), errors="coerce")
        for mask, what in (
            (amounts.isna(), "is not a number"),
            (~np.isfinite(amounts.fillna(0)), "is not finite"),
            (amounts < 0, "is negative; amounts must be >= 0 (put refunds in a separate file)"),
            (amounts > MAX_AMOUNT, f"is above {MAX_AMOUNT:,.0f}, the largest amount accepted (an assumed cap: "
             "the largest money amount a scenario may state); check the column and its unit"),
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


def _check_date_range(
    dates: pd.Series, raw: pd.Series, observation_end: str | pd.Timestamp | None, source: str, column: str
) -> None:
    """Refuse dates far from the rest of the log, and purchases after the end of observation.

    The rule (an assumption): every date and ``observation_end`` lie within :data:`MAX_YEARS_FROM_MEDIAN` years
    of the median date of the log, and no purchase comes after ``observation_end``.
    """
    median = dates.sort_values().iloc[(len(dates) - 1) // 2]  # a date of the log (the lower median)
    limit = pd.Timedelta(days=round(MAX_YEARS_FROM_MEDIAN * 365.25))
    rule = (f"every date (and --observation-end) must lie within {MAX_YEARS_FROM_MEDIAN} years of the log's median "
            f"date {median.date()} (an assumed rule: a date further away is taken for a typo)")
    far = np.nonzero(((dates - median).abs() > limit).to_numpy())[0]
    if far.size:
        i = int(far[0])
        more = f" ({far.size} rows in all)" if far.size > 1 else ""
        raise SimInputError.single(source, f"{row_line(i)}, column {column!r}", f"is too far from the other dates: "
                                   f"{rule}{more}", raw.iloc[i])
    if observation_end is None:
        return
    end = _observation_end(observation_end)
    if abs(end - median) > limit:
        raise SimInputError.single("--observation-end", "", f"is too far from the log's dates: {rule}",
                                   str(observation_end))
    late = np.nonzero((dates > end).to_numpy())[0]
    if late.size:
        i = int(late[0])
        more = f" ({late.size} rows in all)" if late.size > 1 else ""
        raise SimInputError.single(source, f"{row_line(i)}, column {column!r}", f"is after --observation-end "
                                   f"{end.date()}: every purchase must be on or before the end of observation{more}",
                                   raw.iloc[i])


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
            [0, T] and be 0 when frequency is 0), T <= 0, or a negative monetary value or one above
            :data:`MAX_AMOUNT`.
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
        checks.append((out["monetary_value"] > MAX_AMOUNT, m_col, f"monetary value is above {MAX_AMOUNT:,.0f}, the "
                       "largest amount accepted (an assumed cap: the largest money amount a scenario may state)"))
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
    tx = read_transactions(path, date_format=date_format, observation_end=observation_end)
    return rfm_from_transactions(tx, observation_end=observation_end, time_unit=time_unit), "transactions"
