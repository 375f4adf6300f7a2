"""Plotly figures shared by the dashboard, the HTML report and the notebooks.

Every function here is pure: it takes results or tidy DataFrames and returns a
``plotly.graph_objects.Figure`` (or, for the series helpers, a DataFrame). Labels come from the
string tables in :mod:`sim.i18n`, so one figure reads in English, 简体中文 or 日本語 by passing
``lang``. Nothing here imports Streamlit. Every text a figure shows passes through
:func:`~sim.figures.style.plain`, so names typed by users cannot inject plotly's HTML subset.

The package has one module per job: :mod:`~sim.figures.series` (derived series and replicate
bands), :mod:`~sim.figures.style` (house style), :mod:`~sim.figures.timeseries`,
:mod:`~sim.figures.flows` (Sankey, waterfall), :mod:`~sim.figures.journeys`,
:mod:`~sim.figures.explore` and :mod:`~sim.figures.export` (PNG). Everything is re-exported here::

    from sim import figures
    bands = figures.series_bands([r1.brand_daily("China playbook"), r2.brand_daily("China playbook")],
                                 "cum_profit")
    fig = figures.band_figure({"China": bands}, metric="cum_profit", currency="CNY")
"""

from __future__ import annotations

from sim.figures.explore import (
                                 bar_figure,
                                 funnel_figure,
                                 heatmap_figure,
                                 line_figure,
                                 panels_figure,
                                 ranked_bar_figure,
                                 stacked_area_figure,
                                 tornado_figure,
)
from sim.figures.export import PngExportUnavailable, png_export_problem, to_png
from sim.figures.flows import sankey_figure, waterfall_figure
from sim.figures.journeys import EVENT_STYLE, STAGE_AFTER_EVENT, journey_figure, journey_stages
from sim.figures.series import (
                                 SERIES,
                                 SeriesInfo,
                                 crossover_day,
                                 first_day_at_or_above,
                                 series_bands,
                                 series_mean,
                                 series_values,
)
from sim.figures.style import (
    DOMAIN_COLOURS,
    FONT,
    HEATMAP_SCALE,
    PALETTE,
    STAGE_COLOURS,
    colour,
    colour_for,
    plain,
    strategy_colour,
    style,
    unit_title,
)
from sim.figures.timeseries import PRIVATE_SHARE_TARGET, band_figure, kpi_interval_figure, private_share_figure
from sim.model import layout as L

__all__ = ["DOMAIN_COLOURS", "EVENT_STYLE", "FONT", "HEATMAP_SCALE", "PALETTE", "PRIVATE_SHARE_TARGET", "SERIES",
           "STAGE_AFTER_EVENT", "STAGE_COLOURS", "L", "PngExportUnavailable", "SeriesInfo", "band_figure", "bar_figure",
           "colour", "colour_for", "crossover_day",
           "first_day_at_or_above", "funnel_figure", "heatmap_figure", "journey_figure", "journey_stages",
           "kpi_interval_figure", "line_figure", "panels_figure", "plain", "png_export_problem",
           "private_share_figure", "ranked_bar_figure", "sankey_figure", "series_bands", "series_mean",
           "series_values", "stacked_area_figure", "strategy_colour", "style", "to_png", "tornado_figure", "unit_title",
           "waterfall_figure"]
