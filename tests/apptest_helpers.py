"""Shared set-up for the dashboard's AppTest tests: test sizes, quiet Streamlit logs, opening a page."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
#: Streamlit loggers that warn about running outside a server (noise in AppTest).
QUIET_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.state.session_state_proxy", "streamlit.runtime.caching.cache_data_api")


def use_test_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny runs in this process (serial), and Streamlit's out-of-server warnings silenced."""
    monkeypatch.setenv("SIM_DASHBOARD_TEST_SIZE", "1")
    monkeypatch.setenv("SIM_DASHBOARD_EXECUTOR", "serial")
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def assert_ok(at: AppTest) -> None:
    """No exception and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_page(page: str | None = None, lang: str = "en", *, timeout: float = 180) -> AppTest:
    """The app run once in ``lang``, then switched to ``views/PAGE.py``, each step checked."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["lang"] = lang
    at.run()
    assert_ok(at)
    if page:
        at.switch_page(f"views/{page}.py").run()
        assert_ok(at)
    return at
