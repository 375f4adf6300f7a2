"""CSV exports that a spreadsheet opens as data, never as formulas (CSV or formula injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)`` can leak data or open a link,
``@SUM(...)`` runs a function). Following the OWASP "CSV Injection" guidance, such text cells are
prefixed with a single quote ``'``, which spreadsheets show as text and do not evaluate. Numbers are
never changed (a negative profit stays a number); only text is, whether in a cell, a column name or an
index label. Every CSV the CLI writes and every CSV the dashboard offers for download goes through
:func:`neutralise_frame` (or :func:`frame_to_csv`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    r"""``value`` made safe for a spreadsheet: text starting like a formula gets a leading ``'``; others unchanged.

    A carriage return inside text becomes a line feed: the CSV writers end lines with ``\n`` and quote a
    cell holding one, but not a cell holding a lone ``\r``, which readers take as the end of the row.
    """
    if isinstance(value, str):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells, column names and index labels cannot run as formulas.

    Numeric columns are returned unchanged (``-5`` stays the number ``-5``).
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype) or isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(neutralise)
    out.columns = _labels(out.columns)
    out.index = _labels(out.index)
    return out


def _labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_labels(level) for level in index.levels])
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return pd.Index([neutralise(v) for v in index], name=neutralise(index.name), dtype=object)
    return index.rename(neutralise(index.name))


def frame_to_csv(df: pd.DataFrame, *, index: bool = False, encoding: str = "utf-8") -> bytes:
    """``df`` as CSV bytes with every text cell neutralised (see :func:`neutralise_frame`)."""
    return neutralise_frame(df).to_csv(index=index).encode(encoding)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise_csv(data: bytes) -> bytes:
    """CSV bytes with every text cell that starts like a formula neutralised; numbers are left alone.

    The last line of defence for CSVs built elsewhere: :func:`sim.results.folders.write_folder` passes
    every ``*.csv`` file through it. A cell that reads as a number (``-5``, ``1e3``) is data, not a
    formula, and is kept; the bytes are returned unchanged when nothing needed neutralising.
    """
    import csv
    import io

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data
    rows = list(csv.reader(io.StringIO(text, newline="")))
    changed = False
    for row in rows:
        for i, cell in enumerate(row):
            if "\r" in cell:  # (a quoted cell may hold one; written back with \n line ends it would be unquoted)
                cell = row[i] = cell.replace("\r\n", "\n").replace("\r", "\n")
                changed = True
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                row[i] = "'" + cell
                changed = True
    if not changed:
        return data
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return (bom + buf.getvalue()).encode("utf-8")
