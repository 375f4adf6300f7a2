"""Downloads of the dashboard (CSV, PNG, HTML) and the chart element; CSV cells made safe for spreadsheets.

Every CSV the dashboard offers passes through :func:`safe_csv` (the OWASP rule against formula
injection): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading single quote, so a spreadsheet shows it as text instead of running it. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.text import T
from sim import figures
from sim.results.csvsafe import FORMULA_STARTS, neutralise, neutralise_frame

#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), and the
#: rule itself: the results layer's, shared with every CSV the command line writes.
FORMULA_START = FORMULA_STARTS
safe_cell = neutralise


def safe_csv(df: pd.DataFrame, *, index: bool = False) -> bytes:
    """A table as CSV bytes (UTF-8 with BOM, for spreadsheets in Chinese and Japanese), formulas neutralised.

    Text cells, column names and index labels are all checked; numeric columns are left as numbers.
    """
    out = neutralise_frame(df)
    # every text cell quoted: a line break or carriage return inside a name stays inside its cell
    return out.to_csv(index=index, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                  "toImageButtonOptions": {"format": "png", "scale": 2}}


def file_stem(text: str) -> str:
    """A safe file name stem."""
    stem = re.sub(r"[^\w\-]+", "_", text, flags=re.UNICODE).strip("_")
    return stem[:60] or "chart"


def chart(fig: Any, key: str, name: str = "", png: bool = True) -> None:
    """A plotly chart with a PNG download button beneath it."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{key}", config=dict(_PLOTLY_CONFIG))
    if png:
        png_button(fig, name or key, key)


def png_button(fig: Any, name: str, key: str) -> None:
    """Download the figure as PNG (rendered on click by kaleido), or say why it is unavailable."""
    problem = png_problem()
    if problem:
        st.caption(T("export.png_unavailable", reason=problem))
        return

    def render() -> bytes:
        try:
            return figures.to_png(fig)
        except figures.PngExportUnavailable:
            return b""

    st.download_button(T("export.png"), data=render, file_name=f"{file_stem(name)}.png", mime="image/png",
                       key=f"png_{key}", on_click="ignore", icon=":material/image:")


@st.cache_resource(show_spinner=False)
def _png_probe() -> tuple[str | None]:
    return (figures.png_export_problem(),)


def png_problem() -> str | None:
    """Why PNG export is unavailable on this server (``None`` if it is available)."""
    return _png_probe()[0]


def csv_button(df: pd.DataFrame, name: str, key: str, *, index: bool = False, label: str | None = None) -> None:
    """Download a table as CSV through :func:`safe_csv`."""
    st.download_button(label or T("export.csv"), data=safe_csv(df, index=index), file_name=f"{file_stem(name)}.csv",
                       mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/table:")


def html_button(make: Callable[[], str], name: str, key: str) -> None:
    """Download an HTML report generated on click."""
    st.download_button(T("export.html"), data=lambda: make().encode("utf-8"), file_name=f"{file_stem(name)}.html",
                       mime="text/html", key=f"html_{key}", on_click="ignore", icon=":material/description:")
