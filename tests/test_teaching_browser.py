"""The teaching track in a real browser (headless Debian Chromium).

The Learn page's quiz and a worksheet walk-through, with the screenshots the instructor pack links
(``SIM_SCREENSHOT_DIR=docs/images/screens`` refreshes them; default: a temp folder). Skipped only when
``/usr/bin/chromium`` or Playwright is missing.
"""

from __future__ import annotations

import re

from sim.i18n import t
from tests.dashboard_server import BROWSER_MARKS, SHOTS, open_page, settle

pytestmark = BROWSER_MARKS
#: The real Learn sizes, as a class sees them (the ``server`` fixture of tests/conftest.py reads it).
DASHBOARD_SIZE = ""


def _settle(page, charts: int = 0) -> None:
    """Wait until the script run finished and at least ``charts`` charts are drawn."""
    settle(page, charts, timeout_ms=180_000, pause_ms=700)


def _open(browser, url: str):
    return open_page(browser, url, height=2100, timeout_ms=180_000)


def _answer(page, concept: str, index: int, right: bool, lang: str = "en") -> None:
    """Click answer ``index`` of the concept's quiz and wait for its feedback (praise or correction)."""
    page.get_by_text(t(f"learn.quiz.{concept}.a{index}", lang), exact=True).click()
    kind, word = ("Success", "learn.quiz.right") if right else ("Warning", "learn.quiz.wrong")
    page.locator(f"[data-testid='stAlertContent{kind}']").filter(has_text=t(word, lang)).first.wait_for()
    _settle(page, 1)


def test_learn_quiz_in_the_browser_with_screenshot(server: str, browser) -> None:
    """The Learn page shows a concept, its chart, its input and a quiz; the right answer is praised."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, f"{server}/learn?lang=en")
    try:
        _settle(page, 1)
        assert page.get_by_text(t("learn.quiz.domains.q", "en")).count() == 1
        _answer(page, "domains", 0, right=True)
        ok = page.locator("[data-testid='stAlertContentSuccess']")
        assert ok.count() == 1 and t("learn.quiz.right", "en") in ok.inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        page.screenshot(path=str(SHOTS / "learn_quiz.png"), full_page=True)
    finally:
        page.close()


def test_worksheet_w3_walk_through(server: str, browser) -> None:
    """Worksheet W3, parts A and B, walked through in the browser with a screenshot of each step.

    The fatigue concept with a quality set and the quiz answered (a wrong answer first, then the right one),
    then the Explore page's 2-D sweep run.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, f"{server}/learn?lang=en")
    try:
        _settle(page, 1)
        page.get_by_text(t("learn.fatigue.title", "en"), exact=True).first.click()
        _settle(page, 1)
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(5):  # 0.45 -> 0.70 in steps of 0.05
            slider.press("ArrowRight", delay=50)
        _settle(page, 1)
        page.wait_for_timeout(1500)
        _settle(page, 1)
        assert page.locator("[data-testid='stSliderThumbValue']").first.inner_text().strip() in ("0.70", "0.7")
        _answer(page, "fatigue", 0, right=False)
        assert page.locator("[data-testid='stAlertContentWarning']").filter(
            has_text=t("learn.quiz.wrong", "en")).count() == 1
        _answer(page, "fatigue", 1, right=True)
        assert page.locator("[data-testid='stAlertContentSuccess']").count() == 1
        caption = (page.locator("[data-testid='stCaptionContainer']")
                   .filter(has_text="most profitable frequency").inner_text())
        best = float(re.search(r"frequency is ([0-9.]+) messages", caption).group(1))
        assert 0 < best < 14, f"the text promises an inverted U; the chart's best is {best}/week"
        page.screenshot(path=str(SHOTS / "worksheet_w3_fatigue.png"), full_page=True)
        page.goto(f"{server}/explore?lang=en")
        _settle(page, 0)
        # part B as the worksheet sets it: messages per week (0.5 to 14) against content quality (0.1 to 1)
        assert "China playbook in China" in page.get_by_role("combobox", name=t("common.scenario", "en"),
                                                              exact=True).input_value()
        assert t("lever.messaging.per_week", "en") in page.get_by_role(
            "combobox", name=t("explore.x", "en"), exact=True).input_value()
        page.get_by_role("combobox", name=t("explore.y", "en"), exact=True).click()
        page.get_by_role("option", name=t("lever.messaging.quality", "en"), exact=True).click()
        _settle(page, 0)
        lows = page.get_by_role("spinbutton", name=t("explore.low", "en"), exact=True)
        highs = page.get_by_role("spinbutton", name=t("explore.high", "en"), exact=True)
        assert [float(lows.nth(i).input_value()) for i in (0, 1)] == [0.5, 0.1]
        assert [float(highs.nth(i).input_value()) for i in (0, 1)] == [14.0, 1.0]
        page.get_by_role("button", name=t("explore.run", "en")).first.click()
        _settle(page, 1)
        assert page.locator("[data-testid='stException']").count() == 0
        axis = page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                             ".map(g => (g.layout.yaxis && g.layout.yaxis.title && g.layout.yaxis.title.text) || '')")
        assert any(t("lever.messaging.quality", "en") in a for a in axis), axis
        # question B1: the best frequency of the top quality row is above that of the bottom row
        # (read from plotly's computed data: the trace's own z may arrive as a packed binary array)
        heat = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
            .flatMap(g => (g.calcdata || []).map(c => c[0]).filter(c => c.trace && c.trace.type === 'heatmap'))
            .map(c => ({x: Array.from(c.trace.x, Number), y: Array.from(c.trace.y, Number),
                        z: Array.from(c.z, r => Array.from(r, Number))}))""")
        assert len(heat) == 1, heat
        x, y, z = heat[0]["x"], heat[0]["y"], heat[0]["z"]
        assert len(z) == len(y) == 5 and all(len(r) == len(x) == 5 for r in z), heat
        low_q, high_q = z[y.index(min(y))], z[y.index(max(y))]
        best_low, best_high = x[low_q.index(max(low_q))], x[high_q.index(max(high_q))]
        assert best_high > best_low, (best_low, best_high, heat)
        page.screenshot(path=str(SHOTS / "worksheet_w3_explore.png"), full_page=True)
    finally:
        page.close()
