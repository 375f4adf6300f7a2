"""The real dashboard in a real browser: headless Debian Chromium driven by Playwright.

Starts ``streamlit run dashboard/app.py`` on a free local port (test size), loads the landing page,
switches the language, moves a slider on What-if, checks that the chart updated, and saves
screenshots (to ``$SIM_SCREENSHOT_DIR`` if set, else pytest's temporary folder). The server is
always stopped. Skipped when ``/usr/bin/chromium`` or Playwright is missing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.dashboard_server import dashboard_server

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def server():
    """The real dashboard server (test size) on 127.0.0.1."""
    with dashboard_server() as (url, _pid):
        yield url


def _chart_data(page, index: int = 0) -> str:
    return page.evaluate(
        """(i) => { const g = document.querySelectorAll('.js-plotly-plot')[i];
                    return g && g.data ? JSON.stringify(g.data.map(t => t.y)) : ''; }""", index)


def test_dashboard_in_a_real_browser(server: str, tmp_path: Path) -> None:
    """Dashboard in a real browser."""
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = Path(os.environ.get("SIM_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(90_000)
            page.goto(server)
            # landing page: China vs Japan already shown, with charts
            page.get_by_role("heading", name="China vs Japan: private traffic against membership commerce").wait_for()
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
            page.locator("strong", has_text="China playbook in China").first.wait_for(state="visible")
            page.screenshot(path=str(shots / "dashboard_landing_en.png"), full_page=False)

            # switch the language from the sidebar
            page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
            page.get_by_role("option", name="日本語").click()
            page.get_by_role("heading", name="中国 vs 日本：プライベートトラフィックと会員制ビジネス").wait_for()
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
            page.screenshot(path=str(shots / "dashboard_landing_ja.png"), full_page=False)

            # What-if: move the messages-per-week slider and watch the chart update
            page.locator("[data-testid='stSidebarNav'] a[href*='what-if']").click()
            page.get_by_role("heading", name="What-if 分析：レバーを動かす").wait_for()
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
            before = _chart_data(page, 0)
            slider = page.locator("input[type='range'][max='14']").first  # messages per week, 0-14
            slider.focus()
            slider.press("End")
            page.wait_for_function(
                """(old) => { const g = document.querySelectorAll('.js-plotly-plot')[0];
                              return g && g.data && JSON.stringify(g.data.map(t => t.y)) !== old; }""",
                arg=before, timeout=90_000)
            after = _chart_data(page, 0)
            assert after and after != before
            assert json.loads(after)  # the chart holds data
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "dashboard_whatif_ja.png"), full_page=True)
            assert page.locator("[data-testid='stException']").count() == 0
        finally:
            browser.close()
