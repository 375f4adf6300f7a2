"""Figures of the decision analyses: what a user sees (bars, totals, flip marker, inert user text)."""

from __future__ import annotations

import pandas as pd

from sim import figures_decide as F


def test_waterfall_ends_with_the_total_and_carries_intervals() -> None:
    """Steps then the total; the total bar is the gap, error bars come from the intervals."""
    steps = pd.DataFrame({"step": ["ad_spend", "fines", "total"], "mean": [80.0, -20.0, 60.0],
                          "ci_low": [80.0, -30.0, 50.0], "ci_high": [80.0, -10.0, 70.0]})
    fig = F.gap_waterfall_figure(steps, currency="JPY", lang="ja", title="<b>A</b> − B")
    wf = fig.data[0]
    assert list(wf.measure) == ["relative", "relative", "total"]
    assert list(wf.y[:2]) == [80.0, -20.0]
    assert wf.x[-1] == "利益差"
    err = fig.data[1].error_y
    assert list(err.array) == [0.0, 10.0, 10.0] and list(err.arrayminus) == [0.0, 10.0, 10.0]
    assert "<b>" not in fig.layout.title.text  # user text is inert


def test_breakeven_figure_marks_the_flip_and_the_interval() -> None:
    """A dashed line at the flip and a shaded unsure zone."""
    ev = pd.DataFrame({"value": [0.0, 1.0, 2.0], "mean_diff": [1.0, 0.0, -1.0], "ci_low": [0.5, -0.5, -1.5],
                       "ci_high": [1.5, 0.5, -0.5]})
    fig = F.breakeven_figure(ev, flip=1.0, interval=(0.5, 1.5), lang="en")
    shapes = fig.layout.shapes
    assert any(s.type == "rect" and s.x0 == 0.5 and s.x1 == 1.5 for s in shapes)
    assert any(s.type == "line" and s.x0 == 1.0 for s in shapes)


def test_month_bars_put_never_last_in_red() -> None:
    """The break-even month chart shows 'never' as its own, red bar."""
    months = pd.DataFrame({"month": ["3", "never"], "runs": [1, 3], "share": [0.25, 0.75], "cumulative": [0.25, None]})
    fig = F.breakeven_month_figure(months, lang="zh")
    assert list(fig.data[0].x) == ["3", "从未"] and list(fig.data[0].y) == [25.0, 75.0]
    assert fig.data[0].marker.color[1] != fig.data[0].marker.color[0]
