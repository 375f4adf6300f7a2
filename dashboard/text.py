"""Language, labels and formatting of the dashboard, and escaping of every user string.

The language lives in each browser session's ``st.session_state``; every piece of interface text
comes from :mod:`sim.i18n` via :func:`T`. Anything a user typed or uploaded (scenario, brand,
market and segment names, keys of a scenario file, values in error messages) goes through
:func:`md` before Streamlit renders it as Markdown, and through :func:`html_text` before it reaches
HTML (plotly titles, legends and hover texts render a subset of HTML). Nothing with user text is
ever passed to Streamlit with its unsafe-HTML switch on.
"""

from __future__ import annotations

import contextvars
import html
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard.settings import CAPS
from sim.format import human
from sim.i18n import LANG_NAMES, LANGS, has, norm_lang, t
from sim.report import md_escape
from sim.results.kpis import KPI_INFO
from sim.scenario.schema import Scenario, market_fx

# ------------------------------------------------------------------------------------------------
# Escaping
# ------------------------------------------------------------------------------------------------

def md(text: object) -> str:
    """User text made inert for Streamlit Markdown: every markup character backslash-escaped.

    Links (``[x](http://...)``), images (``![](http://...)``, which make the browser fetch a URL),
    emphasis, headings, colour directives (``:red[...]``), LaTeX (``$``) and raw HTML all show as the
    literal characters. Line breaks become spaces (a name is one line).
    """
    return md_escape(text)


def html_text(text: object) -> str:
    """User text made inert for HTML contexts (plotly titles, trace names, hover labels)."""
    return html.escape(str(text), quote=True)


# ------------------------------------------------------------------------------------------------
# Language
# ------------------------------------------------------------------------------------------------

#: Language pinned while a bound ``format_func`` renders (see :func:`bind`); empty otherwise.
_PINNED: contextvars.ContextVar[str] = contextvars.ContextVar("dashboard_lang", default="")


def lang() -> str:
    """The language chosen in this browser session."""
    pinned = _PINNED.get()
    if pinned:
        return pinned
    return norm_lang(st.session_state.get("lang", "en"))


def bind(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """A widget ``format_func`` that renders in the language of the run that created it."""
    pinned = lang()

    def render(value: Any) -> str:
        token = _PINNED.set(pinned)
        try:
            return fn(value)
        finally:
            _PINNED.reset(token)

    return render


def T(key: str, **values: object) -> str:  # noqa: N802 - short, used everywhere
    """Interface text of ``key`` in the session's language."""
    return t(key, lang(), **values)


def init_language() -> None:
    """Set the session language from ``?lang=`` on first load."""
    if "lang" not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state["lang"] = norm_lang(q) if q else "en"


def language_selector() -> str:
    """The sidebar language switch (any page, any time); returns the language code."""
    init_language()
    st.sidebar.selectbox(t("app.language", lang()) + " / 语言 / 言語", LANGS, key="lang",
                         format_func=lambda code: LANG_NAMES[code])
    return lang()


# ------------------------------------------------------------------------------------------------
# Human labels for ids (never a raw id on a page when a translation exists)
# ------------------------------------------------------------------------------------------------


def id_label(kind: str, name: str) -> str:
    """A translated label for a known id (``market.japan``, ``segment.urban_young``); user ids as typed."""
    key = f"{kind}.{name}"
    return T(key) if has(key) else str(name)


def market_label(name: str) -> str:
    """A market's name in the session's language."""
    return id_label("market", name)


def segment_label(name: str) -> str:
    """A consumer segment's name in the session's language."""
    return id_label("segment", name)


# ------------------------------------------------------------------------------------------------
# Formatting
# ------------------------------------------------------------------------------------------------


def kpi_label(name: str) -> str:
    """Translated KPI label."""
    return T(f"kpi.{name}")


def kpi_unit(name: str) -> str:
    """KPI unit (as in :data:`KPI_INFO`)."""
    return KPI_INFO[name][1] if name in KPI_INFO else ""


def is_money(name: str) -> bool:
    """Whether a KPI is a money amount."""
    return kpi_unit(name).startswith("currency")


def is_fraction(name: str) -> bool:
    """Whether a KPI is a share shown as a percentage (its differences are percentage points)."""
    return kpi_unit(name) == "fraction"


def fmt(value: float, kpi: str, currency: str = "") -> str:
    """A KPI value for display."""
    return human(value, kpi_unit(kpi), currency)


def fmt_diff(delta: float, kpi: str, currency: str = "") -> str:
    """A difference of a KPI: percentages as percentage points (``+2.1 pp``), money with its currency."""
    if delta != delta:
        return ""
    if is_fraction(kpi):
        return T("unit.pp", value=f"{100 * delta:+.1f}")
    return ("-" if delta < 0 else "+") + fmt(abs(delta), kpi, currency)


def signed(delta: float, kpi: str, currency: str = "") -> str:
    """A change with its sign first (``+USD 2.1M``, ``+2.1 pp``), as ``st.metric`` expects."""
    return fmt_diff(delta, kpi, currency)


def metric(where: Any, kpi: str, value: float, *, delta: float | None = None, currency: str = "",
           help: str | None = None, chart: Sequence[float] | None = None) -> None:  # noqa: A002
    """A KPI card: formatted value, signed change coloured by the KPI's direction, optional sparkline."""
    text = signed(delta, kpi, currency) if delta is not None and delta == delta else None
    zero = text is not None and delta == 0
    colour = "off" if zero else ("normal" if KPI_INFO.get(kpi, ("", "", True))[2] else "inverse")
    where.metric(kpi_label(kpi), fmt(value, kpi, currency), delta=text, delta_color=colour,
                 delta_arrow="off" if zero else "auto", help=help,
                 chart_data=list(chart) if chart is not None and len(chart) > 1 else None, chart_type="area")


def days_label(days: int) -> str:
    """``1,095 days (3.0 years)``."""
    return T("common.days_years", days=f"{days:,}", years=f"{days / 365:.1f}")


def fx(sc: Scenario) -> float:
    """Units of the scenario's currency per US dollar."""
    try:
        return float(market_fx(sc.market))
    except ValueError:
        return float("nan")


def css_string(text: str) -> str:
    """A CSS string literal of ``text`` (quotes, backslashes and line breaks escaped)."""
    return '"' + "".join(c if c.isalnum() or c in " .,:;·()（）-" or ord(c) > 127 else f"\\{ord(c):x} "
                         for c in str(text)) + '"'


def streamlit_text_css() -> str:
    """CSS replacing the English that Streamlit's own widgets draw (file uploader) with the session's language.

    Streamlit offers no parameter for the uploader's button and size note; their text is hidden and
    the translation drawn in its place (pseudo-elements, so no user text is involved).
    """
    button = css_string(T("st.upload_button"))
    note = css_string(T("st.upload_note", cap=f"{CAPS.upload_bytes // 1_000:,}"))
    return (
        "<style>"
        "[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p{display:none}"
        f"[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']::after{{content:{button}}}"
        "[data-testid='stFileUploaderDropzoneInstructions'] span{display:none}"
        f"[data-testid='stFileUploaderDropzoneInstructions'] > div::after{{content:{note};font-size:.85em;opacity:.7}}"
        "</style>"
    )
