"""The dashboard's shared pieces under one short name (``from dashboard import common as C``).

Each job lives in its own module; this one only gathers them for the pages:

- :mod:`dashboard.settings` — run sizes, caps and the server settings the app insists on;
- :mod:`dashboard.text` — language, labels, number formatting and escaping of user text;
- :mod:`dashboard.scenarios` — presets, uploads, sizes and cache keys of scenarios;
- :mod:`dashboard.runs` — the shared run cache, the bounded work queue and progress;
- :mod:`dashboard.errors` — error boxes instead of tracebacks;
- :mod:`dashboard.export` — charts and CSV/PNG/HTML downloads (CSV made safe for spreadsheets);
- :mod:`dashboard.assumptions` — the assumptions panel of each page.
"""

from __future__ import annotations

import streamlit as st

from dashboard.assumptions import panel as assumptions_panel
from dashboard.errors import guarded, safe, show_error, show_problems
from dashboard.export import chart, csv_button, file_stem, html_button, png_button, png_problem, safe_csv
from dashboard.runs import replicates, run_one, single
from dashboard.scenarios import (
    comparison,
    doc_key,
    from_key,
    presets,
    resolved_yaml,
    sized,
    source_doc,
    source_label,
    source_options,
    uploaded_scenarios,
)
from dashboard.settings import CAPS, TEST_SIZES, Caps, Sizes, env_test_size, execution, executor_kind
from dashboard.text import (
    T,
    bind,
    days_label,
    fmt,
    fmt_diff,
    fx,
    html_text,
    id_label,
    init_language,
    is_fraction,
    is_money,
    kpi_label,
    kpi_unit,
    lang,
    language_selector,
    market_label,
    md,
    metric,
    segment_label,
    signed,
)

__all__ = ["assumptions_panel", "bind", "Caps", "CAPS", "caps_note", "chart", "comparison", "csv_button",
           "days_label", "doc_key", "execution", "executor_kind", "file_stem", "fmt", "fmt_diff", "from_key", "fx",
           "guarded",
           "html_button", "html_text", "id_label", "init_language", "is_fraction", "is_money", "kpi_label",
           "kpi_unit", "lang", "language_selector", "market_label", "md", "metric", "png_button", "png_problem",
           "presets", "replicates", "resolved_yaml", "run_cached", "run_one", "safe", "safe_csv", "segment_label",
           "show_error", "show_problems", "signed", "single", "sized", "sizes", "Sizes", "source_doc",
           "source_label", "source_options", "T", "test_mode", "TEST_SIZES", "uploaded_scenarios"]


def test_mode() -> bool:
    """Whether the dashboard runs at test size (environment variable or ``?size=test``)."""
    if env_test_size():
        return True
    try:
        return st.query_params.get("size") == "test"
    except Exception:  # noqa: BLE001 - no session (bare mode)
        return False


def sizes() -> Sizes:
    """The default sizes in force for this session."""
    return TEST_SIZES if test_mode() else Sizes()


def run_cached(key: str, seed: int | None = None, _text: str = "") -> object:
    """One run of the scenario whose JSON text is ``key`` (shared by every session; a private copy)."""
    return single(key, seed, what=_text)


def caps_note() -> str:
    """The caps, in one sentence."""
    return T("common.caps_kb", population=f"{CAPS.population:,}", days=f"{CAPS.days:,}", reps=CAPS.reps,
             upload=f"{CAPS.upload_bytes // 1_000:,}")


