"""Errors on a page: a box with the message (user text escaped), never a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.text import T, md
from sim.errors import SimInputError


def show_problems(exc: SimInputError) -> None:
    """Show each problem of an input error with its field path (in a table: plain text, never Markdown)."""
    st.error(T("error.input", n=len(exc.problems)) if len(exc.problems) != 1 else T("error.input_one"))
    rows = [{T("editor.col_path"): p.path or "—", T("editor.col_message"): p.message,
             T("editor.col_value"): str(p.value) if p.value is not None else ""} for p in exc.problems]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    elif str(exc):
        st.caption(md(str(exc)))


def show_error(exc: BaseException) -> None:
    """An error box with a one-line message (no traceback)."""
    if isinstance(exc, SimInputError):
        show_problems(exc)
        return
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    st.error(T("error.run_failed", kind=exc.__class__.__name__, message=md(msg[:400])))


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a block; show any error in an error box and stop the block, never a traceback."""
    try:
        yield
    except SimInputError as exc:
        show_problems(exc)
    except Exception as exc:  # noqa: BLE001 - the page must never show a traceback (st.stop/rerun are BaseException)
        show_error(exc)


def safe(fn: Callable[[], Any]) -> Any:
    """Call ``fn``; on error show an error box and stop the page."""
    try:
        return fn()
    except SimInputError as exc:
        show_problems(exc)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    st.stop()
