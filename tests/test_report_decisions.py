"""The report's decision sections: break-even, attribution waterfall and risk, in three languages.

Each section must show the API's numbers (every number in a section's table carries its exact value in
``data-value``), escape every name the user wrote, and appear only when asked for.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.analysis.attribution import LEDGER_DAILY, attribute
from sim.analysis.compare import compare_scenarios
from sim.analysis.execution import Execution
from sim.analysis.risk import risk
from sim.analysis.robustness import breakeven
from sim.cli import app
from sim.i18n import t
from sim.report import report_html

SMALL = ("run.population=700", "run.days=90")
HOSTILE = "<script>alert('x')</script>&amp;{brace}"
SAAS = "brands.0.strategy.pool.saas_per_day"


def _table(page: str, css: str) -> dict[str, list[float]]:
    """``data-key -> [data-value, ...]`` of the table of class ``decide <css>``."""
    start = page.index(f"<table class='decide {css}'>")
    body = page[start:page.index("</table>", start)]
    out = {}
    for key, row in re.findall(r"<tr data-key='([^']*)'>(.*?)</tr>", body):
        out[html.unescape(key)] = [float(html.unescape(v)) for v in re.findall(r"data-value='([^']*)'", row)]
    return out


@pytest.fixture(scope="module")
def analyses() -> dict:
    """A comparison with every ledger item, its attribution, a break-even with a flip, and a risk profile."""
    run = Execution(seed=4, overrides=SMALL, executor="serial")
    a = sim.resolve("china_in_china", [*SMALL, f"name={HOSTILE}", f"brands.0.name={HOSTILE}"])
    b = sim.resolve("china_in_china", [*SMALL, "name=plain B", "brands.0.strategy.messaging.per_week=1"])
    comp = compare_scenarios([a, b], 3, daily_columns=(*LEDGER_DAILY, "profit"), execution=run)
    # A leads B by about 40,000 over 90 days; a daily fixed cost of A only closes the gap inside the range
    be = breakeven(a, b, SAAS, 0, 4000, reps=3, max_evals=12, execution=run)
    return {"comp": comp, "attribution": attribute(comp), "breakeven": be, "risk": risk(a, 4, execution=run)}


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_sections_show_the_api_numbers_in_every_language(analyses: dict, lang: str) -> None:
    """Headings in the report's language; every figure equals the API's (exactly, as written in data-value)."""
    be, at, rk = analyses["breakeven"], analyses["attribution"], analyses["risk"]
    page = report_html(analyses["comp"], lang=lang, breakeven=be, attribution=at, risk=rk)
    for key in ("report.breakeven", "report.attribution", "report.risk"):
        assert f"<h2>{html.escape(t(key, lang))}</h2>" in page
    assert html.escape(be.sentence(lang), quote=True) in page

    flip = _table(page, "breakeven")
    assert be.flip is not None and flip["flip"] == [be.flip]
    assert flip["interval_low"] == [be.interval[0]] and flip["interval_high"] == [be.interval[1]]
    assert flip["diff_at_low"] == [be.at("low")["mean_diff"]] and flip["diff_at_high"] == [be.at("high")["mean_diff"]]

    gap = _table(page, "attribution")
    items = at.by_item().set_index("item")
    shown = {k.removeprefix("item:"): v[0] for k, v in gap.items() if k.startswith("item:")}
    assert shown and all(shown[i] == items.loc[i, "mean"] for i in shown)
    assert set(shown) == set(items.index[items["mean"] != 0])
    assert gap["total"] == [at.total()["mean"]]
    assert sum(shown.values()) == pytest.approx(at.total()["mean"], rel=1e-9, abs=1e-6)  # the items add up
    mech = _table(page, "attribution-mechanism")
    assert {k.removeprefix("mechanism:"): v[0] for k, v in mech.items()} == {
        r["mechanism"]: r["mean"] for _, r in at.by_mechanism().iterrows() if r["mean"] != 0}

    figures = _table(page, "risk")
    p, q, s = rk.p_loss(), rk.profit_percentiles(), rk.summary()
    assert figures["p_loss"] == [p["p"]]
    assert figures["p_loss_low"] == [p["low"]] and figures["p_loss_high"] == [p["high"]]
    assert [figures[k][0] for k in ("p05", "p50", "p95", "mean")] == [q["p05"], q["p50"], q["p95"], q["mean"]]
    assert figures["never_breaks_even"] == [s["never_breaks_even"]]
    months = _table(page, "risk-months")
    assert sum(v[0] for v in months.values()) == rk.n
    assert [v[0] for k, v in months.items()] == list(rk.breakeven_months()["runs"].astype(float))


def test_a_hostile_scenario_name_is_escaped_everywhere(analyses: dict) -> None:
    """A name with a script tag, an entity and braces shows as text in all three sections, never as markup."""
    for lang in ("en", "zh", "ja"):
        page = report_html(analyses["comp"], lang=lang, breakeven=analyses["breakeven"],
                           attribution=analyses["attribution"], risk=analyses["risk"])
        assert "<script>alert(" not in page
        start = page.index(f"<h2>{html.escape(t('report.breakeven', lang))}</h2>")
        sections = page[start:page.index(f"<h2>{html.escape(t('report.over_time', lang))}</h2>")]
        escaped = html.escape(HOSTILE, quote=True)
        assert sections.count(escaped) >= 3  # the break-even sentence, the gap sentence, the risk line
        assert "&amp;amp;{brace}" in sections  # the user's own "&amp;" is text, not an entity


def test_sections_appear_only_when_asked_for(analyses: dict) -> None:
    """Without the analyses there is no decision section; with one, only that one."""
    plain = report_html(analyses["comp"])
    assert "class='decide" not in plain
    only_risk = report_html(analyses["comp"], risk=analyses["risk"])
    assert "class='decide risk'" in only_risk and "class='decide breakeven'" not in only_risk
    assert "class='decide attribution'" not in only_risk


def test_cli_report_adds_the_sections_with_the_api_numbers(tmp_path: Path) -> None:
    """`ptsim report A B --reps 2 --breakeven ... --attribution --risk`: the numbers are the API's, run serially."""
    out = tmp_path / "decision.ja.html"
    sets = [x for s in SMALL for x in ("--set", s)]
    r = CliRunner().invoke(app, ["report", "china_in_china", "japan_in_japan", "--reps", "2", "--seed", "6",
                                 "--lang", "ja", *sets, "--breakeven", "messaging.per_week=1:14", "--attribution",
                                 "--risk", "-o", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    run = Execution(seed=6, overrides=SMALL, executor="serial")
    comp = compare_scenarios(["china_in_china", "japan_in_japan"], 2, execution=run,
                             daily_columns=(*LEDGER_DAILY, "profit"))
    at = attribute(comp)
    be = breakeven("china_in_china", "japan_in_japan", "messaging.per_week", 1, 14, reps=2, execution=run)
    rk = risk("china_in_china", 2, execution=run)
    assert _table(page, "attribution")["total"] == [at.total()["mean"]]
    assert _table(page, "breakeven")["diff_at_low"] == [be.at("low")["mean_diff"]]
    assert _table(page, "risk")["p50"] == [rk.profit_percentiles()["p50"]]
    assert f"<h2>{html.escape(t('report.risk', 'ja'))}</h2>" in page


@pytest.mark.parametrize(("args", "words"), [
    (["china_in_china", "japan_in_japan", "--reps", "1", "--attribution"], "needs --reps 2 or more"),
    (["china_in_china", "--reps", "2", "--attribution"], "give exactly two"),
    (["china_in_china", "japan_in_japan", "--reps", "2", "--breakeven", "messaging.per_week"], "PATH=LOW:HIGH"),
    (["china_in_china", "japan_in_japan", "--reps", "2", "--breakeven", "messaging.per_week=a:b"], "PATH=LOW:HIGH"),
])
def test_cli_refuses_decision_options_it_cannot_serve(tmp_path: Path, args: list[str], words: str) -> None:
    """One error line, exit 2, nothing written (checked before any run)."""
    out = tmp_path / "never.html"
    r = CliRunner().invoke(app, ["report", *args, "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert words in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_cli_refuses_decision_options_for_saved_run_folders(tmp_path: Path) -> None:
    """Decision sections need runs made now; a saved run folder is refused with exit 2."""
    folder = tmp_path / "run"
    sim.run(sim.resolve("china_in_china", list(SMALL))).save(folder)
    out = tmp_path / "never.html"
    r = CliRunner().invoke(app, ["report", str(folder), "--risk", "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert "not saved run folders" in r.output and not out.exists()
