"""The real dashboard for a test: its server (test size, a free port, always stopped) and a headless browser.

What the browser tests share (``test_dashboard_browser``, ``test_decide_answers_browser``,
``test_teaching_browser``): :data:`BROWSER_MARKS` (marked ``browser``, skipped only without Debian
Chromium), :func:`chromium`, :func:`open_page`, :func:`settle` and the screenshot folder :data:`SHOTS`.
The ``server`` and ``browser`` fixtures built on them are in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
#: Chromium's flags for a headless run in a container.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]
#: Where screenshots go: ``$SIM_SCREENSHOT_DIR`` (``docs/images/screens`` refreshes the committed ones), else temp.
SHOTS = Path(os.environ.get("SIM_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "ptsim-dashboard-screens"))
#: ``pytestmark`` of a browser test module.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian Chromium at /usr/bin/chromium"),
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard_server(timeout: float = 90.0, *, cwd: Path = ROOT, address: str | None = "127.0.0.1",
                     env: dict[str, str] | None = None, size: str = "1") -> Iterator[tuple[str, int]]:
    """Run ``streamlit run dashboard/app.py`` headless; yield (url, pid); stop it after.

    Args:
        timeout: Seconds to wait for the health check.
        cwd: Working folder of the server (the app's own config applies from any folder).
        address: ``--server.address`` flag, or ``None`` to pass none (the config file decides).
        env: Extra environment variables.
        size: ``SIM_DASHBOARD_TEST_SIZE`` (``"1"``: tiny runs; ``""``: the real sizes).
    """
    port = free_port()
    full_env = {**os.environ, "SIM_DASHBOARD_TEST_SIZE": size, "SIM_DASHBOARD_EXECUTOR": "serial",
                "PYTHONUNBUFFERED": "1", **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    if address is not None:
        cmd += ["--server.address", address]
    proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early with status {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > end:
                raise TimeoutError("streamlit did not become healthy")
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


# ---- a browser session over Streamlit's own WebSocket protocol -------------------------------------------


@dataclass
class Session:
    """What one WebSocket session received during its script runs."""

    query: str
    page: str = ""
    kinds: dict[str, int] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    metrics: list[tuple[str, str]] = field(default_factory=list)
    sliders: dict[str, list[str]] = field(default_factory=dict)
    charts: int = 0
    seconds: float = 0.0
    rerun_seconds: float = 0.0
    failure: str = ""


def _read_run(ws: object, s: Session) -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    while True:
        fm = ForwardMsg()
        fm.ParseFromString(ws.recv(timeout=600))
        kind = fm.WhichOneof("type")
        s.kinds[kind] = s.kinds.get(kind, 0) + 1
        if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            what = el.WhichOneof("type")
            if what == "exception":
                s.exceptions.append(f"{el.exception.type}: {el.exception.message}")
            elif what == "alert":
                (s.errors if el.alert.format == 1 else s.texts).append(el.alert.body)  # 1: Alert.ERROR
            elif what == "heading":
                s.headings.append(el.heading.body)
            elif what == "markdown":
                s.texts.append(el.markdown.body)
            elif what == "metric":
                s.metrics.append((el.metric.label, el.metric.body))
            elif what == "slider":
                s.sliders.setdefault(el.slider.label, []).append(el.slider.id)
            elif what == "plotly_chart":
                s.charts += 1
        if kind == "script_finished":
            return


def browse(url: str, s: Session, *, then_slider: tuple[str, int, float] | None = None) -> None:
    """Open a session like a browser tab, ask for a run and read every message until it finishes.

    ``then_slider=(label, index, value)`` then moves the ``index``-th slider with that label to
    ``value`` in the same session (as a browser does) and times the rerun (``rerun_seconds``).
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from websockets.sync.client import connect

    t0 = time.monotonic()
    try:
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=120) as ws:
            msg = BackMsg()
            msg.rerun_script.query_string = s.query
            msg.rerun_script.page_name = s.page
            ws.send(msg.SerializeToString())
            _read_run(ws, s)
            s.seconds = time.monotonic() - t0
            if then_slider is not None:
                label, index, value = then_slider
                wid = s.sliders[label][index]
                msg = BackMsg()
                msg.rerun_script.query_string = s.query
                msg.rerun_script.page_name = s.page
                w = msg.rerun_script.widget_states.widgets.add()
                w.id = wid
                w.double_array_value.data.append(float(value))
                t1 = time.monotonic()
                ws.send(msg.SerializeToString())
                _read_run(ws, s)
                s.rerun_seconds = time.monotonic() - t1
    except Exception as exc:  # noqa: BLE001 - reported by the test
        s.failure = f"{type(exc).__name__}: {exc}"
    if not s.seconds:
        s.seconds = time.monotonic() - t0


# ---- a headless browser over the real server ---------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (the test is skipped without Playwright); closed after."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser: Any, url: str, *, height: int = 1000, timeout_ms: int = 120_000, downloads: bool = False,
              go: bool = True) -> Any:
    """A new 1440-pixel-wide tab with a default timeout, at ``url`` (unless ``go`` is false)."""
    page = browser.new_page(viewport={"width": 1440, "height": height}, accept_downloads=downloads)
    page.set_default_timeout(timeout_ms)
    if go:
        page.goto(url)
    return page


def settle(page: Any, charts: int = 0, *, timeout_ms: int = 120_000, pause_ms: int = 500,
           progress_bars: bool = False) -> None:
    """Wait until the script run finished (no running indicator, no skeleton) and ``charts`` charts are drawn.

    Args:
        page: The Playwright page.
        charts: Plotly charts that must be on the page.
        timeout_ms: How long to wait for that.
        pause_ms: A pause after, for the last paint (and before it, 800 ms for the run to start).
        progress_bars: Also wait until no progress bar shows (pages that run analyses).
    """
    page.wait_for_selector("[data-testid='stMain']")
    page.wait_for_timeout(800)
    page.wait_for_function(
        """([n, bars]) => !document.querySelector('[data-testid="stStatusWidget"]')
                 && document.querySelectorAll('.js-plotly-plot').length >= n
                 && !document.querySelector('[data-testid="stSkeleton"]')
                 && !(bars && document.querySelector('[data-testid="stProgress"]'))""",
        arg=[charts, progress_bars], timeout=timeout_ms)
    page.wait_for_timeout(pause_ms)
