"""Shared plotly figures: pure functions of results, correct content, labels in three languages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import sim
from sim import figures
from sim.model import layout as L
from sim.report import frame_of


@pytest.fixture(scope="module")
def result() -> sim.RunResult:
    """Result."""
    return sim.run(sim.resolve("china_in_china", ["run.population=2000", "run.days=200", "run.journeys=60"]))


def test_series_agree_between_daily_rows_and_ensemble_frames(result: sim.RunResult) -> None:
    """Series agree between daily rows and ensemble frames."""
    brand = result.brands[0]
    daily = result.brand_daily(brand)
    frame = frame_of(result, brand)
    for metric in figures.SERIES:
        a = figures.series_values(daily, metric)
        b = figures.series_values(frame, metric)
        assert a.shape == (len(daily),)
        np.testing.assert_allclose(a, b, rtol=1e-9, equal_nan=True, err_msg=metric)
    np.testing.assert_allclose(figures.series_values(daily, "cum_profit")[-1], daily["profit"].sum())
    share = figures.series_values(daily, "private_share_30d")
    assert np.nanmin(share) >= 0 and np.nanmax(share) <= 1


def test_bands_bracket_the_mean_and_collapse_for_one_run(result: sim.RunResult) -> None:
    """Bands bracket the mean and collapse for one run."""
    d = result.brand_daily(result.brands[0])
    one = figures.series_bands([d], "member")
    assert np.allclose(one["p05"], one["mean"]) and np.allclose(one["p95"], one["mean"])
    other = d.assign(member=d["member"] * 2)
    two = figures.series_bands([d, other], "member")
    assert (two["p05"] <= two["mean"] + 1e-9).all() and (two["mean"] <= two["p95"] + 1e-9).all()
    usd = figures.series_bands([d], "cum_profit", scale=1 / 7.2)
    assert usd["mean"].iloc[-1] == pytest.approx(d["profit"].sum() / 7.2)
    people = figures.series_bands([d], "member", scale=1 / 7.2)  # scale applies to money only
    assert people["mean"].iloc[-1] == pytest.approx(d["member"].iloc[-1])


def test_crossover_and_first_day_helpers() -> None:
    """Crossover and first day helpers."""
    a = np.array([0, 1, 2, 3, 4, 5.0])
    b = np.array([2, 2, 2, 2, 2, 2.0])
    assert figures.crossover_day(a, b) == 3
    assert figures.crossover_day(a + 10, b) is None
    x = np.array([0.1, 0.4, 0.1, 0.35, 0.36, 0.4, 0.5])
    assert figures.first_day_at_or_above(x, 0.3) == 1
    assert figures.first_day_at_or_above(x, 0.3, hold=3) == 3
    assert figures.first_day_at_or_above(x, 0.9) is None


def test_band_figure_has_a_band_and_a_line_per_label_and_the_target(result: sim.RunResult) -> None:
    """Band figure has a band and a line per label and the target."""
    d = result.brand_daily(result.brands[0])
    bands = figures.series_bands([d, d.assign(revenue_private=d["revenue_private"] * 1.5)], "private_share_30d")
    fig = figures.private_share_figure({"A": bands, "B": bands}, lang="en")
    assert isinstance(fig, go.Figure)
    fills = [tr for tr in fig.data if tr.fill == "toself"]
    lines = [tr for tr in fig.data if tr.mode == "lines" and tr.fill != "toself"]
    assert len(fills) == 2 and [tr.name for tr in lines] == ["A", "B"]
    assert any(s.y0 == pytest.approx(0.3) for s in fig.layout.shapes)
    assert fig.layout.yaxis.tickformat == ".0%"


def test_sankey_is_two_columns_without_loops_and_conserves_people(result: sim.RunResult) -> None:
    """Sankey is two columns without loops and conserves people."""
    flows = result.flow_totals()
    flows = flows[flows["brand"] == result.brands[0]]
    fig = figures.sankey_figure(flows, lang="ja")
    s = fig.data[0]
    assert all(a < len(L.STAGES) <= b for a, b in zip(s.link.source, s.link.target, strict=True))
    assert sum(s.link.value) == pytest.approx(flows["people"].sum())
    assert "未認知 →" in s.node.label
    empty = figures.sankey_figure(flows.iloc[0:0], lang="en")
    assert empty.layout.annotations


def test_waterfall_ends_at_profit(result: sim.RunResult) -> None:
    """Waterfall ends at profit."""
    brand = result.brands[0]
    br = result.cost_breakdown(brand)
    fig = figures.waterfall_figure(br, currency="CNY", lang="zh")
    w = fig.data[0]
    assert w.measure[-1] == "total" and w.x[-1] == "利润"
    assert sum(w.y[:-1]) == pytest.approx(result.brand_daily(brand)["profit"].sum(), rel=1e-9)


def test_journey_stages_and_timeline(result: sim.RunResult) -> None:
    """Journey stages and timeline."""
    j = result.journeys
    stages = figures.journey_stages(j, 200)
    assert set(stages["stage"]) <= set(L.STAGES)
    assert (stages["end"] >= stages["start"]).all()
    first = stages.groupby("consumer").first()
    assert (first["start"] == 0).all()
    consumers = list(dict.fromkeys(j["consumer"]))[:5]
    fig = figures.journey_figure(j, horizon=200, consumers=consumers, lang="en")
    names = {tr.name for tr in fig.data}
    assert "Unaware" in names or "Aware" in names
    assert len(fig.layout.yaxis.categoryarray) == len(consumers)


def test_exploration_figures_carry_their_data_titles_and_units() -> None:
    """Each exploration figure holds the values, labels, axis titles and units it was given."""
    grid = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=[0.5, 1.0], columns=[10, 20])
    hm = figures.heatmap_figure(grid, x_title="Reward (CNY)", y_title="Messages", z_title="Profit (CNY)",
                                best=(20, 1.0), unit="currency")
    assert hm.data[0].z.tolist() == [[1.0, 2.0], [3.0, 4.0]] and list(hm.data[0].x) == ["10", "20"]
    assert hm.data[1].mode == "markers" and (hm.data[1].x[0], hm.data[1].y[0]) == ("20", "1")
    assert hm.layout.xaxis.title.text == "Reward (CNY)" and hm.layout.coloraxis.colorbar.title.text is None
    assert hm.data[0].colorbar.title.text == "Profit (CNY)"
    k = pd.DataFrame([[0.5, 0.9], [1.1, 1.4]], index=[0.5, 1.0], columns=[10, 20])
    with_line = figures.heatmap_figure(grid, contour=k, contour_label="K = 1")
    c = next(d for d in with_line.data if d.type == "contour")
    assert c.contours.start == c.contours.end == 1.0 and c.name == "K = 1" and with_line.layout.showlegend
    below = figures.heatmap_figure(grid, contour=k * 0.5, contour_label="K = 1")  # never reaches 1: no line
    assert all(d.type != "contour" for d in below.data)
    tor = figures.tornado_figure(["a", "b"], [1.0, -5.0], [2.0, 5.0], base=0.0, x_title="Profit (USD)",
                                 low_name="low", high_name="high")
    assert list(tor.data[0].y) == ["a", "b"]  # widest swing last = on top
    assert list(tor.data[0].x) == [1.0, -5.0] and list(tor.data[1].x) == [2.0, 5.0]
    assert tor.layout.xaxis.title.text == "Profit (USD)" and [d.name for d in tor.data] == ["low", "high"]
    bars = figures.ranked_bar_figure(["a", "b", "c"], [0.1, 0.5, 0.2], second=[0.05, 0.4, 0.1], names=("ST", "S1"))
    assert list(bars.data[0].y) == ["a", "c", "b"] and list(bars.data[0].x) == [0.1, 0.2, 0.5]
    assert list(bars.data[1].x) == [0.05, 0.1, 0.4]
    line = figures.line_figure(pd.DataFrame({"x": [1, 2], "y": [3, 4], "z": [5, 6]}), "x", {"y": "Y", "z": "Z"},
                               secondary=("z",), hline=1.0, vline=1.5, y_title="CNY", y2_title="people")
    assert line.data[1].yaxis == "y2" and list(line.data[0].y) == [3, 4]
    assert line.layout.yaxis.title.text == "CNY" and line.layout.yaxis2.title.text == "people"
    assert {s.y0 for s in line.layout.shapes if s.type == "line"} >= {1.0}
    funnel = figures.funnel_figure(["a", "b"], [10, 5])
    assert list(funnel.data[0].x) == [10, 5] and list(funnel.data[0].y) == ["a", "b"]
    bar = figures.bar_figure(["a <b>"], {"g": [1.0]}, y_title="JPY")
    assert list(bar.data[0].x) == ["a &lt;b&gt;"] and bar.layout.yaxis.title.text == "JPY"  # names are inert
    area = figures.stacked_area_figure(pd.DataFrame({"d": [0, 1], "v": [1, 2]}), "d", {"v": "V"}, y_title="people")
    assert list(area.data[0].y) == [1, 2] and area.data[0].stackgroup == "one"


def test_panels_keep_each_quantity_on_its_own_axis() -> None:
    """K-factor and money (or messages and people) sit on separate panels; the K = 1 line is on the K panel."""
    fig = figures.panels_figure([
        {"x": [0, 10], "ys": {"K": [0.2, 0.6]}, "y_title": "K-factor", "hline": 1.0, "hline_label": "K = 1"},
        {"x": [0, 10], "ys": {"Profit": [5e5, 4e5]}, "y_title": "CNY"}], x_title="Reward (CNY)")
    assert fig.layout.yaxis.title.text == "K-factor" and fig.layout.yaxis2.title.text == "CNY"
    assert fig.layout.yaxis2.overlaying is None  # a panel of its own, not a twin axis over the K axis
    (k1,) = [s for s in fig.layout.shapes if s.y0 == 1.0]
    assert k1.yref == "y" and fig.data[0].yaxis == "y" and fig.data[1].yaxis == "y2"
    assert fig.layout.xaxis2.title.text == "Reward (CNY)"


def test_legend_sits_above_the_plot_below_the_title() -> None:
    """The legend never covers the x-axis title: it sits between the title and the plot, with room made for it."""
    fig = figures.band_figure({"A": pd.DataFrame({"day": [0, 1], "mean": [1.0, 2.0]}),
                               "B": pd.DataFrame({"day": [0, 1], "mean": [2.0, 3.0]})}, metric="cum_profit",
                              currency="USD")
    assert fig.layout.legend.yanchor == "bottom" and fig.layout.legend.y > 1.0
    assert fig.layout.xaxis.title.text and fig.layout.margin.t >= 48 + 22
    long = figures.stacked_area_figure(pd.DataFrame({"d": [0, 1], "a": [1, 2], "b": [1, 2], "c": [1, 2]}), "d",
                                       {c: "来自公域（内容、KOL、购买时邀请）" + c for c in "abc"}, title="T")
    assert long.layout.margin.t > fig.layout.margin.t  # a legend that wraps gets more room
    assert "Noto Sans CJK" in fig.layout.font.family


def test_png_export_renders_where_chromium_is_installed() -> None:
    """PNG export renders a real PNG with CJK text; skipped (with the reason) only when no Chromium exists."""
    import shutil

    fig = figures.line_figure(pd.DataFrame({"x": [1, 2], "y": [3, 4]}), "x", {"y": "利润"}, title="中国 vs 日本")
    problem = figures.png_export_problem()
    if problem is not None and not (Path("/usr/bin/chromium").exists() or shutil.which("chromium")):
        pytest.skip(f"PNG export unavailable here: {problem}")
    assert problem is None, problem  # a browser exists: export must work
    png = figures.to_png(fig, width=300, height=200, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2_000
