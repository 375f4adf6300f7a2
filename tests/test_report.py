"""HTML reports and the verdict written from the numbers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import sim
from sim import report
from sim.analysis.compare import compare_scenarios, run_comparison
from sim.analysis.execution import Execution
from sim.errors import SimInputError

SMALL = ["run.population=2000", "run.days=400"]


@pytest.fixture(scope="module")
def ensemble():
    """Ensemble."""
    daily = ("unaware", "aware", "customer", "member", "lapsed", "revenue", "costs", "profit", "sends", "opt_outs",
             "revenue_public", "revenue_private", "ad_spend", "cogs", "referral_rewards")
    return compare_scenarios(["china_in_china", "japan_in_japan"], 3,
                             daily_columns=daily,
                             execution=Execution(overrides=SMALL, executor="serial"))


@pytest.fixture(scope="module")
def head_to_head() -> sim.RunResult:
    """Head to head."""
    return sim.run(sim.resolve("head_to_head_japan", SMALL))


def _usd_profit(col: report.Column, day: int) -> float:
    return col.stat("profit", day) / col.fx


def test_verdict_names_the_profit_leader_in_usd_when_currencies_differ(ensemble) -> None:
    """Verdict names the profit leader in usd when currencies differ."""
    cols = report.columns_of(ensemble)
    day = min(c.last_day for c in cols)
    lines = report.verdict(cols, lang="en")
    lead = max(cols, key=lambda c: _usd_profit(c, day))
    assert lines[0].startswith(f"**{report.md_escape(lead.label)}**")  # labels are user text: escaped
    assert "USD" in lines[0] and "paired runs" in lines[0]
    assert any(line.startswith("Money is compared in US dollars") for line in lines)
    assert any("30% private-revenue mark" in line for line in lines)
    assert any("3 replicate runs" in line for line in lines)
    # the numbers quoted are the KPI means
    assert sim.format.human(_usd_profit(lead, day), "currency", "USD") in lines[0]


def test_verdict_is_generated_from_kpis_not_canned(ensemble, head_to_head) -> None:
    """Verdict is generated from kpis not canned."""
    a = report.verdict(report.columns_of(ensemble), lang="en")
    b = report.verdict(report.columns_of(head_to_head), lang="en")
    assert a != b
    assert all("USD" not in line for line in b)  # one market: its own currency
    assert any("JPY" in line for line in b)
    assert any("one run" in line for line in b)  # a single seed says so


@pytest.mark.parametrize(("lang", "word"), [("zh", "利润"), ("ja", "利益")])
def test_verdict_in_other_languages(ensemble, lang: str, word: str) -> None:
    """Verdict in other languages."""
    lines = report.verdict(report.columns_of(ensemble), lang=lang)
    assert any(word in line for line in lines)
    assert not any("profit" in line for line in lines)


def test_crossover_is_reported_when_the_lead_changes_hands(head_to_head) -> None:
    """Crossover is reported when the lead changes hands."""
    cols = report.columns_of(head_to_head)
    a, b = (c.mean_series("cum_profit") for c in cols)
    cross = sim.figures.crossover_day(a, b)
    lines = report.verdict(cols, lang="en")
    if cross is None:
        assert any("stays ahead on cumulative profit" in line for line in lines)
    else:
        assert any(f"until day {cross + 1:,}" in line for line in lines)


def test_report_html_is_self_contained(ensemble, head_to_head) -> None:
    """Report html is self contained."""
    html = report.report_html(ensemble, lang="ja")
    assert html.startswith("<!DOCTYPE html>") and "<html lang='ja'>" in html
    assert len(re.findall(r"<script[^>]*\bsrc=", html)) == 0  # nothing fetched from the network
    assert html.count("Plotly") > 10 and len(html) > 3_000_000  # plotly.js embedded once, inline
    assert "結論" in html and "米ドル" in html
    runs = report.report_html(head_to_head, lang="en")
    assert "Flows between stages" in runs and "From revenue to profit" in runs  # Sankey + waterfall per brand


def test_write_report_is_atomic_and_refuses_to_overwrite(tmp_path: Path, head_to_head) -> None:
    """Write report is atomic and refuses to overwrite."""
    target = tmp_path / "out" / "r.html"
    path = report.write_report(head_to_head, target, lang="zh")
    assert path == target.resolve() and target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["r.html"]  # no temporary file left behind
    with pytest.raises(SimInputError):
        report.write_report(head_to_head, target, overwrite=False)


def test_report_of_run_folders_and_a_comparison(tmp_path: Path) -> None:
    """Report of run folders and a comparison."""
    comp = run_comparison(["china_in_china", "japan_in_japan"], ["run.population=1000", "run.days=100"])
    for name, res in comp.results.items():
        res.save(tmp_path / "runs" / name)
    one = report.report_html(tmp_path / "runs" / "china_in_china")
    both = report.report_html(tmp_path / "runs")
    assert "China playbook in China" in one and "Japan membership in Japan" in both  # names, not ids
    assert "china_in_china" not in re.sub(r"(?s)<script.*?</script>", "", one)
    assert "US dollars" in both and "US dollars" not in one
    with pytest.raises(SimInputError):
        report.load_source(tmp_path)


def test_kpi_numbers_table(ensemble) -> None:
    """Kpi numbers table."""
    cols = report.columns_of(ensemble)
    day = cols[0].last_day
    t = report.kpi_numbers(cols, day)
    profit = t[(t["kpi"] == "profit")]
    assert set(profit["unit"]) == {"USD"}
    assert (profit["p05"] <= profit["mean"] + 1e-6).all() and (profit["mean"] <= profit["p95"] + 1e-6).all()
    assert np.isclose(profit["mean"].iloc[0], _usd_profit(cols[0], day))


def test_cli_report(tmp_path: Path) -> None:
    """Cli report."""
    from sim.cli import app

    res = sim.run(sim.resolve("japan_in_japan", ["run.population=1000", "run.days=60"]))
    folder = res.save(tmp_path / "run")
    runner = CliRunner()
    out = tmp_path / "report.html"
    r = runner.invoke(app, ["report", str(folder), "-o", str(out), "--lang", "ja"])
    assert r.exit_code == 0, r.output
    assert out.is_file() and "結論" in out.read_text(encoding="utf-8")
    again = runner.invoke(app, ["report", str(folder), "-o", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output
    bad = runner.invoke(app, ["report", str(folder), "-o", str(tmp_path / "x.html"), "--lang", "fr"])
    assert bad.exit_code == 2
    ran = runner.invoke(app, ["report", "japan_in_japan", "--set", "run.population=800", "--set", "run.days=40",
                              "-o", str(tmp_path / "y.html")])
    assert ran.exit_code == 0, ran.output


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_reports_in_chinese_and_japanese_carry_no_english_preset_text(lang: str) -> None:
    """A comparison preset's English title and description are replaced by their translations."""
    from sim.analysis.compare import run_comparison
    from sim.i18n import t
    from sim.scenario import load_comparison

    title, description, refs = load_comparison("china_vs_japan")
    comp = run_comparison(refs, ["run.population=800", "run.days=60"], title=title, description=description)
    text = report.report_html(comp, lang=lang)
    body = re.sub(r"(?s)<script.*?</script>", "", text)
    assert t("comparison.china_vs_japan", lang) in body and t("comparison.china_vs_japan.about", lang) in body
    assert title not in body and description.strip()[:40] not in body
    assert "china_in_china" not in body  # scenario ids appear by their translated names
    english = report.report_html(comp, lang="en")
    assert t("comparison.china_vs_japan", "en") in english


def test_report_flows_and_costs_are_means_over_replicates() -> None:
    """Columns over several full runs: the waterfall's data are the mean ledger, the Sankey the mean flows."""
    sc = sim.resolve("china_in_china", ["run.population=800", "run.days=60"])
    runs = [sim.run(sc, seed=s) for s in (1, 2, 3)]
    (col,) = report.replicate_columns("China", runs)
    day = col.last_day
    mean_profit = float(np.mean([r.kpis(day).iloc[0]["profit"] for r in runs]))
    ledger = col.mean_breakdown(day)
    from sim.model import layout as L

    n_rev = len(L.REVENUE_ITEMS)
    assert ledger[list(L.MONEY[:n_rev])].sum() - ledger[list(L.MONEY[n_rev:])].sum() == pytest.approx(mean_profit)
    flows = col.mean_flows(day)
    one = runs[0].flow_totals(0, day)
    assert flows["people"].sum() == pytest.approx(np.mean([r.flow_totals(0, day)["people"].sum() for r in runs]))
    assert len(flows) >= len(one[one["people"] > 0]) - 2
    assert col.result in runs and col.n == 3
    text = report.report_html([col], lang="en")
    assert "means over the replicate runs" in text and "one representative run" not in text
