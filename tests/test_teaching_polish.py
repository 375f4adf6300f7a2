"""Classroom polish (issue 18 item 6).

Localised numbers, one colour per strategy in every figure, colour-blind safe palettes and scales.
"""

from __future__ import annotations

import math
from importlib import import_module

import numpy as np
import pandas as pd
import pytest

from sim import figures
from sim.format import human, localised

S = import_module("sim.figures.style")  # the module (sim.figures.style is also the style() function)

# ---- localised numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "expected"), [("en", "378.2k people"), ("zh", "37.8万人"), ("ja", "37.8万人")])
def test_people_are_written_as_each_language_groups_them(lang: str, expected: str) -> None:
    """The issue's "378.20k 人": Chinese and Japanese group by 万 (10^4), English by thousands."""
    assert localised(378_200, "people", lang=lang) == expected


@pytest.mark.parametrize(("value", "zh", "ja", "en"), [
    (3.07e8, "3.07亿", "3.07億", "307M"),
    (1.234e12, "1.23万亿", "1.23兆", "1.234T"),
    (10_000, "1万", "1万", "10k"),
    (9_999, "9,999", "9,999", "9.999k"),
    (-45_600, "-4.56万", "-4.56万", "-45.6k"),
])
def test_large_number_units(value: float, zh: str, ja: str, en: str) -> None:
    """万 / 亿 / 万亿 in Chinese, 万 / 億 / 兆 in Japanese, k / M / B / T in English; signs kept."""
    assert localised(value, "count", lang="zh") == zh
    assert localised(value, "count", lang="ja") == ja
    assert localised(value, "count", lang="en") == en


def test_money_keeps_its_currency_and_small_amounts_their_cents() -> None:
    """Money: currency first, 万 units in zh/ja; below 1,000 two decimals as elsewhere."""
    assert localised(1.2e8, "currency", "JPY", "ja") == "JPY 1.2億"
    assert localised(12.5, "currency", "CNY", "zh") == "CNY 12.50"


def test_other_units_and_bad_values_fall_back_to_human() -> None:
    """Fractions, ratios and rates read the same in every language; NaN and junk are n/a; unknown language is en."""
    for unit, value in (("fraction", 0.254), ("ratio", 3.14159), ("per 1,000", 2.5)):
        assert localised(value, unit, lang="zh") == human(value, unit)
    assert localised(math.nan, "people", lang="ja") == "n/a"
    assert localised("abc", "people", lang="ja") == "n/a"
    assert localised(378_200, "count", lang="fr") == "378.2k"


# ---- colours ------------------------------------------------------------------------------------------------

#: Machado, Oliveira & Fernandes (2009) deuteranopia (severity 1) and protanopia matrices on linear RGB.
CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _seen_distance(a: str, b: str, kind: str) -> float:
    """Euclidean distance of two colours as a person with ``kind`` sees them (gamma-encoded, 0-1 per channel)."""
    def enc(v: np.ndarray) -> np.ndarray:
        v = np.clip(v, 0, 1)
        return np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)
    return float(np.linalg.norm(enc(CVD[kind] @ _linear(a)) - enc(CVD[kind] @ _linear(b))))


@pytest.mark.parametrize("kind", sorted(CVD))
def test_strategy_colours_stay_apart_for_colour_blind_readers(kind: str) -> None:
    """China, Japan and hybrid colours (and the two-sided pair) stay distinguishable under colour blindness.

    They remain apart under deuteranopia and protanopia; the old red #c0392b and green #2a9d55 pair did not
    reach this distance.
    """
    cols = [c for _, c in S.STRATEGY_COLOURS] + [S.LOW_COLOUR, S.HIGH_COLOUR]
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            if a != b:
                assert _seen_distance(a, b, kind) > 0.25, (a, b, kind)
    assert _seen_distance("#c0392b", "#2a9d55", "deuteranopia") < 0.25


def _trace_colours(fig) -> dict[str, str]:
    out = {}
    for tr in fig.data:
        if getattr(tr, "showlegend", None) is False:
            continue
        col = (getattr(tr, "line", None) and tr.line.color) or (getattr(tr, "marker", None) and tr.marker.color)
        out[str(tr.name)] = col
    return out


def test_one_colour_per_strategy_across_figures_and_languages() -> None:
    """The China playbook has one colour across figures, languages and positions.

    It is the same colour in a band chart, a KPI interval chart and a line chart, whether it is named by preset
    id, in English, Chinese or Japanese, and whatever its position.
    """
    bands = pd.DataFrame({"day": [0, 1], "mean": [1.0, 2.0], "p05": [0.5, 1.5], "p95": [1.5, 2.5]})
    names = ["hybrid_in_japan", "japan_in_japan", "china_in_china"]
    band = _trace_colours(figures.band_figure({n: bands for n in names}, metric="member"))
    interval = _trace_colours(figures.kpi_interval_figure({"中国打法 · 中国市场": 1.0, "ハイブリッド × 日本市場": 2.0,
                                                           "Japan membership in Japan": 3.0}))
    df = pd.DataFrame({"x": [0, 1], "a": [1, 2], "b": [2, 3]})
    line = _trace_colours(figures.line_figure(df, "x", {"a": "Japan membership",
                                                         "b": "China playbook transplanted to Japan"}))
    china = {band["china_in_china"], interval["中国打法 · 中国市场"], line["China playbook transplanted to Japan"]}
    japan = {band["japan_in_japan"], interval["Japan membership in Japan"], line["Japan membership"]}
    hybrid = {band["hybrid_in_japan"], interval["ハイブリッド × 日本市場"]}
    assert len(china) == len(japan) == len(hybrid) == 1
    assert len(china | japan | hybrid) == 3


def test_other_series_keep_the_palette_order() -> None:
    """Labels that name no strategy get palette colours by position, as before."""
    assert figures.colour_for("organic content", 3) == figures.PALETTE[3]
    assert figures.strategy_colour("organic content") is None


def test_heatmaps_use_a_colour_blind_safe_sequential_scale() -> None:
    """No red-yellow-green diverging scale: the heatmap uses Cividis."""
    grid = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=[0.4, 0.7], columns=[1, 2])
    fig = figures.heatmap_figure(grid)
    scale = fig.data[0].colorscale
    assert scale == figures.heatmap_figure(grid).data[0].colorscale
    import plotly.colors as pc
    assert [c for _, c in scale] == [c for _, c in pc.get_colorscale("Cividis")]


def test_tornado_and_waterfall_avoid_red_against_green() -> None:
    """Two-sided charts use vermillion against blue."""
    fig = figures.tornado_figure(["a", "b"], [1.0, 2.0], [3.0, 4.0], base=2.0)
    assert {tr.marker.color for tr in fig.data} == {S.LOW_COLOUR, S.HIGH_COLOUR}
    items = pd.Series({"revenue_public": 10.0, "revenue_private": 2.0, "membership_fees": 0.0, "cogs": 5.0})
    wf = figures.waterfall_figure(items, currency="CNY")
    assert wf.data[0].increasing.marker.color == S.HIGH_COLOUR
    assert wf.data[0].decreasing.marker.color == S.LOW_COLOUR


def test_learn_captions_use_the_session_language_number_style(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Learn page writes counts with 万 in Chinese (never "k 人")."""
    from apptest_helpers import open_page, use_test_sizes

    use_test_sizes(monkeypatch)
    at = open_page("learn", "zh")
    at.radio(key="learn_concept").set_value("six_steps").run()
    captions = " ".join(c.value for c in at.caption)
    assert "万" in captions and "k 人" not in captions and "k人" not in captions


def test_table_numbers_never_use_scientific_notation_in_the_usual_range() -> None:
    """Notebook tables show 131,381,000 and 0.0073, not 1.31e+08 (pandas' display format in every notebook)."""
    from sim.format import table_number

    assert table_number(1.31381e8) == "131,381,000"
    assert table_number(4.96) == "4.96" and table_number(1.0) == "1" and table_number(0) == "0"
    assert table_number(0.0073) == "0.0073"
    assert "e" not in table_number(-2.5e7)
    assert table_number(float("nan")) == "nan"


def test_notebooks_have_one_panel_per_quantity_not_dual_axes() -> None:
    """No teaching notebook draws two quantities on a left and a right axis (``secondary=`` / ``y2_title``)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "notebooks"
    for path in sorted(root.glob("0*.ipynb")):
        import json

        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        assert "secondary=" not in text and "y2_title" not in text, path.name
        assert 'display.float_format", table_number' in text, path.name
