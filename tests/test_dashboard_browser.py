"""The real dashboard in a real browser: headless Debian Chromium driven by Playwright.

Starts ``streamlit run dashboard/app.py`` on a free local port (test size) and checks what a user
sees: the landing page's numbers agree across the profit cards, the waterfalls, the Sankeys and the
downloaded CSVs; the editor -> compare flow keeps a renamed scenario's new name; a What-if with both
sides set; every page in Chinese and Japanese without Streamlit's own English where a translation
is possible. Screenshots of every page in the three languages are saved to ``$SIM_SCREENSHOT_DIR``
(``SIM_SCREENSHOT_DIR=docs/images/screens`` refreshes the committed ones; default: a temp folder).
The server is always stopped. Skipped only when ``/usr/bin/chromium`` or Playwright is missing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.format import human
from tests.dashboard_server import BROWSER_MARKS, SHOTS, open_page, settle

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("compare", "what-if", "explore", "decide", "journeys", "learn", "editor")
#: Streamlit's own English that must not show on a Chinese or Japanese page.
STREAMLIT_ENGLISH = ("Deploy", "Browse files", "Drag and drop", "Upload", "per file", "Choose an option",
                     "Choose options", "Select all", "Page not found", "Running...", "No results")

pytestmark = BROWSER_MARKS


def _settle(page, charts: int = 0) -> None:
    """Wait until the script run finished (no running indicator) and at least ``charts`` charts are drawn."""
    settle(page, charts)


def _open(browser, url: str):
    return open_page(browser, url, downloads=True)


def _figures(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => ({
        title: (g.layout && g.layout.title && g.layout.title.text) || '',
        data: (g.data || []).map(t => ({type: t.type, y: t.y ? Array.from(t.y) : null,
                                        link: t.link ? {value: Array.from(t.link.value || [])} : null}))}))""")


def _download(page, name: str) -> pd.DataFrame:
    with page.expect_download() as info:
        page.get_by_role("button", name=name).click()
    return pd.read_csv(io.BytesIO(Path(info.value.path()).read_bytes()), encoding="utf-8-sig")


def _visible_latin(page) -> list[str]:
    """Latin words the user can read on the page, outside our own content areas (icons and code excluded)."""
    text = page.evaluate("""() => {
        const skip = el => el.closest('[data-testid="stIconMaterial"], code, pre, textarea, .js-plotly-plot, '
                                      + '[data-testid="stSkipLink"], .stSkipLink, a[href="#main"]');
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const n = walker.currentNode, el = n.parentElement;
            if (!el || skip(el)) continue;
            const st = getComputedStyle(el);
            if (st.display === 'none' || st.visibility === 'hidden' || el.offsetParent === null) continue;
            out.push(n.textContent);
        }
        return out.join('\\n'); }""")
    return [w for w in STREAMLIT_ENGLISH if w in text]


def test_landing_numbers_agree_across_cards_waterfall_sankey_and_csv(server: str, browser) -> None:
    """Profit card = last waterfall bar = KPI CSV mean = sum of the daily CSV's mean profit; Sankeys are means."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, server + "/?lang=en")
    try:
        page.get_by_role("heading", name="China vs Japan: private traffic against membership commerce").wait_for()
        _settle(page, 2)
        cards = page.locator("[data-testid='stMetric']").filter(has_text="Profit")
        profits = [cards.nth(i).locator("[data-testid='stMetricValue']").inner_text().strip() for i in range(2)]
        page.get_by_role("tab", name="Costs").click()
        page.get_by_role("tab", name="Flows").click()
        page.wait_for_timeout(1500)
        figs = _figures(page)
        waterfalls = [f for f in figs if f["data"] and f["data"][0]["type"] == "waterfall"]
        sankeys = [f for f in figs if f["data"] and f["data"][0]["type"] == "sankey"]
        assert len(waterfalls) == 2 and len(sankeys) == 2
        kpis = _download(page, "KPIs (CSV)")
        daily = _download(page, "Daily results (CSV)")
        labels = list(dict.fromkeys(kpis["column"]))
        assert set(daily["currency"]) == {"USD"}  # converted as the page shows it
        for i, label in enumerate(labels):
            total = sum(waterfalls[i]["data"][0]["y"])
            mean = float(kpis[(kpis["column"] == label) & (kpis["kpi"] == "profit")]["mean"].iloc[0])
            summed = float(daily.loc[daily["scenario"] == label, "profit"].sum())
            assert human(total, "currency", "USD") == profits[i] == human(mean, "currency", "USD")
            assert summed == pytest.approx(mean, rel=1e-9)
            assert "mean of 2 runs" in waterfalls[i]["title"] and "mean of 2 runs" in sankeys[i]["title"]
            assert sum(sankeys[i]["data"][0]["link"]["value"]) > 0
        page.screenshot(path=str(SHOTS / "compare_flows_en.png"), full_page=False)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()


def test_editor_to_compare_with_a_renamed_scenario(server: str, browser) -> None:
    """Start on the editor, pick a preset (resolved, editable), rename it, add it: Compare shows three, new name."""
    page = _open(browser, server + "/editor?lang=en")
    try:
        _settle(page)
        page.locator("[data-testid='stSelectbox']").filter(has_text="Start from a preset").click()
        page.get_by_role("option", name="China playbook in China").click()
        _settle(page)
        area = page.locator("textarea")
        text = area.input_value()
        assert "extends:" not in text and "per_week:" in text
        area.fill(re.sub(r"(?m)^name: .*$", "name: Night market test", text))
        area.press("Control+Enter")
        _settle(page)
        page.get_by_text("Valid: “Night market test”").wait_for()
        page.get_by_role("button", name="Add to the comparison").click()
        _settle(page)
        page.locator("[data-testid='stSidebarNav'] a").first.click()  # Compare, in the same session
        _settle(page, 2)
        body = page.locator("[data-testid='stMain']").inner_text()
        assert "Night market test (uploaded)" in body
        assert "China playbook in China" in body and "Japan membership in Japan" in body
        assert "(1)" not in body and "(2)" not in body
        page.screenshot(path=str(SHOTS / "editor_to_compare_en.png"), full_page=False)
    finally:
        page.close()


def test_whatif_with_both_sides_set(server: str, browser) -> None:
    """A at 3 messages a week, B at 7: the chart changes, every card says in how many paired runs B did better."""
    page = _open(browser, server + "/what-if?lang=en")
    try:
        _settle(page, 2)
        before = page.evaluate("() => JSON.stringify(document.querySelectorAll('.js-plotly-plot')[0].data.map(t=>t.y))")
        sliders = page.locator("input[type='range'][max='14']")  # messages per week (0-14): side A, then side B
        assert sliders.count() == 2
        for i, target in ((0, 3.0), (1, 7.0)):
            thumb = sliders.nth(i)
            thumb.focus()
            thumb.press("Home")
            for _ in range(int(target / 0.5)):
                thumb.press("ArrowRight", delay=50)
                page.wait_for_timeout(120)
            _settle(page, 2)
            page.wait_for_timeout(1500)
            _settle(page, 2)
        code = page.locator("code").filter(has_text="# A").first.text_content()  # in a closed expander
        assert "messaging.per_week=3.0" in code and "messaging.per_week=7.0" in code
        after = page.evaluate("() => JSON.stringify(document.querySelectorAll('.js-plotly-plot')[0].data.map(t=>t.y))")
        assert after != before
        captions = page.locator("[data-testid='stCaptionContainer']").filter(has_text="B better in").all_inner_texts()
        assert len(captions) == 8 and all("paired runs" in c and "5–95%" in c for c in captions)
        page.screenshot(path=str(SHOTS / "whatif_both_sides_en.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_every_page_in_each_language_with_screenshots(server: str, browser, lang: str) -> None:
    """Every page renders without error; in Chinese and Japanese no Streamlit English is left; screenshots saved."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, f"{server}/?lang={lang}")
    try:
        for name in PAGES:
            page.goto(f"{server}/{name}?lang={lang}")
            _settle(page, 1 if name in ("compare", "what-if", "learn") else 0)
            assert page.locator("[data-testid='stException']").count() == 0, name
            assert page.locator("[data-testid='stAlertContentError']").count() == 0, name
            assert page.get_by_text("Deploy", exact=True).count() == 0  # toolbar: minimal
            assert page.locator("[data-testid='stAlertContentWarning']").filter(
                has_text=re.compile("does not exist|不存在|ありません")).count() == 0, name  # a real page: no 404
            if lang != "en":
                assert _visible_latin(page) == [], (name, _visible_latin(page))
            page.screenshot(path=str(SHOTS / f"{name}_{lang}.png"), full_page=True)
        page.goto(f"{server}/no-such-page?lang={lang}")
        _settle(page, 0)
        assert page.get_by_text("Page not found").count() == 0
        assert page.locator("[data-testid='stAlertContentWarning']").count() >= 1
    finally:
        page.close()
