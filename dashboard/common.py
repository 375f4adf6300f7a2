"""Shared pieces of the dashboard pages: language, sizes and caps, cached runs, errors, exports.

Nothing here holds mutable module-level state: the language lives in each browser session's
``st.session_state``, and results are cached by Streamlit (``st.cache_data``) under keys made of
the resolved scenario's JSON text, the seed and the replicate count, so several sessions share
finished runs safely and never see each other's widgets.

Every piece of interface text comes from the string tables in :mod:`sim.i18n` via :func:`T`.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

import sim
from sim import figures
from sim.errors import SimInputError
from sim.format import human
from sim.i18n import LANG_NAMES, LANGS, norm_lang, t
from sim.results.kpis import KPI_INFO
from sim.scenario import list_presets, load_comparison
from sim.scenario.schema import Scenario, market_fx

# ------------------------------------------------------------------------------------------------
# Sizes and caps
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """Default run sizes of each page (consumers, days, replicates)."""

    population: int = 20_000       # Compare, What-if and Journeys
    days: int = 1_095              # three years: membership strategies pay off late
    reps: int = 5                  # Compare: replicates per scenario (common random numbers)
    whatif_reps: int = 1           # What-if: one run each for baseline and variant (same seed)
    journeys: int = 60             # consumers followed on the Journeys page
    learn_population: int = 5_000  # Learn: small, fast illustrative runs
    learn_days: int = 730
    explore_population: int = 5_000  # Explore: many runs (sweeps, sensitivity, optimiser)
    explore_days: int = 730
    sweep_points: int = 5          # per axis of the 2-D sweep
    sens_samples: int = 8          # Sobol base samples N (runs = N * (2k + 2)) / Morris trajectories
    opt_budget: int = 24           # optimiser evaluations


@dataclass(frozen=True)
class Caps:
    """Upper limits for anything a user can set (stated on the pages)."""

    population: int = 200_000
    days: int = 1_825
    reps: int = 30
    journeys: int = 400
    upload_bytes: int = 1_000_000   # also the scenario loader's own cap (sim.scenario.loader.MAX_BYTES)
    sweep_points: int = 9
    sens_samples: int = 64
    opt_budget: int = 200


CAPS = Caps()
#: Tiny sizes for automated tests (``SIM_DASHBOARD_TEST_SIZE=1`` or ``?size=test``).
TEST_SIZES = Sizes(population=1_000, days=120, reps=2, journeys=200, learn_population=2_000, learn_days=180,
                   explore_population=600, explore_days=60, sweep_points=2, sens_samples=2, opt_budget=4)


def test_mode() -> bool:
    """Whether the dashboard runs at test size (environment variable or ``?size=test``)."""
    if os.environ.get("SIM_DASHBOARD_TEST_SIZE", "").strip() not in ("", "0", "false", "no"):
        return True
    try:
        return st.query_params.get("size") == "test"
    except Exception:  # noqa: BLE001 - no session (bare mode)
        return False


def sizes() -> Sizes:
    """The default sizes in force for this session."""
    return TEST_SIZES if test_mode() else Sizes()


def executor_kind() -> str:
    """How replicate runs are executed: ``serial`` (default; one core per session), or ``process``."""
    kind = os.environ.get("SIM_DASHBOARD_EXECUTOR", "serial").strip().lower()
    return kind if kind in ("serial", "process") else "serial"


def execution(root_seed: int | None = None, progress: Any = None) -> Any:
    """The dashboard's :class:`~sim.analysis.execution.Execution`: its executor, a root seed, a progress callback."""
    from sim.analysis.execution import Execution

    return Execution(seed=root_seed, executor=executor_kind(), progress=progress)


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
    """A widget ``format_func`` that renders in the language of the run that created it.

    Streamlit may call a ``format_func`` outside the script run (e.g. in tests); binding the
    language keeps option labels consistent with the labels the widget was created with.
    """
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


def fmt(value: float, kpi: str, currency: str = "") -> str:
    """A KPI value for display."""
    return human(value, kpi_unit(kpi), currency)


def signed(delta: float, kpi: str, currency: str = "") -> str:
    """A change with its sign first (``+USD 2.1M``, ``-3.4%``), as ``st.metric`` expects."""
    if delta != delta:
        return ""
    return ("-" if delta < 0 else "+") + fmt(abs(delta), kpi, currency)


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


# ------------------------------------------------------------------------------------------------
# Scenarios
# ------------------------------------------------------------------------------------------------


@st.cache_data(show_spinner=False, ttl=300)
def presets() -> dict[str, list[str]]:
    """Preset ids by kind (scenarios, comparisons...)."""
    return list_presets()


@st.cache_data(show_spinner=False, ttl=300)
def comparison(name: str) -> tuple[str, str, list[str]]:
    """(title, description, scenario ids) of a comparison preset."""
    return load_comparison(name)


def sized(source: str | dict | Scenario, *, population: int | None = None, days: int | None = None,
          journeys: int | None = None, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario (preset id, document or Scenario) with run sizes set and capped.

    Raises:
        SimInputError: If the scenario or an override is invalid.
    """
    sc = sim.resolve(source, list(overrides))
    sets = []
    pop = min(int(population or sc.run.population), CAPS.population)
    dd = min(int(days or sc.run.days), CAPS.days)
    if pop != sc.run.population:
        sets.append(f"run.population={pop}")
    if dd != sc.run.days:
        sets.append(f"run.days={dd}")
    if journeys is not None and journeys != sc.run.journeys:
        sets.append(f"run.journeys={min(int(journeys), CAPS.journeys)}")
    return sim.resolve(sc, sets) if sets else sc


def doc_key(sc: Scenario) -> str:
    """The cache key of a resolved scenario: its canonical JSON text."""
    return json.dumps(sc.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def from_key(key: str) -> Scenario:
    """The scenario of a cache key."""
    return Scenario.model_validate(json.loads(key))


def uploaded_scenarios() -> dict[str, dict]:
    """Scenario documents validated in the editor during this session, by name."""
    return st.session_state.setdefault("uploaded", {})


def source_options() -> list[str]:
    """Scenario sources users can pick: presets, then this session's uploaded scenarios."""
    out = list(presets().get("scenarios", []))
    out += [f"upload:{name}" for name in uploaded_scenarios()]
    return out


def source_label(src: str) -> str:
    """Display name of a scenario source."""
    if src.startswith("upload:"):
        return T("common.uploaded", name=src.removeprefix("upload:"))
    key = f"preset.{src}"
    from sim.i18n import has

    return T(key) if has(key) else src


def source_doc(src: str) -> str | dict:
    """The loadable source (preset id or document) of a scenario source."""
    if src.startswith("upload:"):
        docs = uploaded_scenarios()
        name = src.removeprefix("upload:")
        if name not in docs:
            raise SimInputError.single("upload", name, "this uploaded scenario is no longer in the session")
        return docs[name]
    return src


# ------------------------------------------------------------------------------------------------
# Cached runs (progress bars are created inside, so Streamlit can replay them on cache hits)
# ------------------------------------------------------------------------------------------------


class _Ticker:
    """Throttled progress updates (a float from 0.0 to 1.0) on a bar created by the caller."""

    def __init__(self, bar: Any, text: str, steps: int = 40) -> None:
        self.bar, self.text, self.steps, self.last = bar, text, steps, -1

    def __call__(self, done: float, total: float) -> None:
        frac = 0.0 if not total else max(0.0, min(1.0, float(done) / float(total)))
        step = int(frac * self.steps)
        if step != self.last:
            self.last = step
            self.bar.progress(frac, text=self.text)


@st.cache_data(show_spinner=False, max_entries=48, ttl=3600)
def run_cached(key: str, seed: int | None = None, _text: str = "") -> sim.RunResult:
    """One run of the scenario whose JSON text is ``key`` (cached by scenario text and seed)."""
    sc = from_key(key)
    bar = st.progress(0.0, text=_text)
    try:
        return sim.run(sc, seed=seed, progress=_Ticker(bar, _text))
    finally:
        bar.empty()


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def compare_cached(keys: tuple[str, ...], reps: int, root_seed: int | None, _text: str = "") -> Any:
    """Replicates of several scenarios with common random numbers (a ``ComparisonEnsemble``)."""
    from sim.analysis.compare import compare_scenarios
    from sim.analysis.executors import DEFAULT_DAILY

    scs = [from_key(k) for k in keys]
    daily = tuple(dict.fromkeys((*DEFAULT_DAILY, *ENSEMBLE_DAILY)))
    bar = st.progress(0.0, text=_text)
    try:
        return compare_scenarios(scs, reps, execution=execution(root_seed, _Ticker(bar, _text)),
                                 daily_columns=daily)
    finally:
        bar.empty()


#: Daily columns kept by ensembles: stage census, every ledger item, the money totals and a few tallies.
ENSEMBLE_DAILY: tuple[str, ...] = tuple(dict.fromkeys((
    "unaware", "aware", "customer", "member", "lapsed", "revenue", "costs", "profit", "sends", "opt_outs",
    "first_purchases", "joins_referral", "cpm", "mean_trust", "mean_fatigue", "complaints", "active_members",
    *figures.L.MONEY)))


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def replicate_cached(key: str, reps: int, root_seed: int | None, _text: str = "") -> Any:
    """Replicates of one scenario (an ``Ensemble``); the same root seed gives every scenario the same seeds."""
    from sim.analysis.replicate import replicate

    bar = st.progress(0.0, text=_text)
    try:
        return replicate(from_key(key), int(reps), execution=execution(root_seed, _Ticker(bar, _text)),
                         daily_columns=ENSEMBLE_DAILY)
    finally:
        bar.empty()


# ------------------------------------------------------------------------------------------------
# Errors: a box with the message, never a traceback
# ------------------------------------------------------------------------------------------------


def show_problems(exc: SimInputError) -> None:
    """Show each problem of an input error with its field path."""
    st.error(T("error.input", n=len(exc.problems)) if len(exc.problems) != 1 else T("error.input_one"))
    rows = [{T("editor.col_path"): p.path or "—", T("editor.col_message"): p.message,
             T("editor.col_value"): p.value if p.value is not None else ""} for p in exc.problems]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    elif str(exc):
        st.caption(str(exc))


def show_error(exc: BaseException) -> None:
    """An error box with a one-line message (no traceback)."""
    if isinstance(exc, SimInputError):
        show_problems(exc)
        return
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    st.error(T("error.run_failed", kind=exc.__class__.__name__, message=msg[:400]))


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a block; show any error in an error box and stop the block, never a traceback."""
    try:
        yield
    except SimInputError as exc:
        show_problems(exc)
    except Exception as exc:  # noqa: BLE001 - the page must never show a traceback (st.stop/rerun are BaseException)
        show_error(exc)


def safe(fn: Callable[[], Any]) -> Any:
    """Call ``fn``; on error show an error box and stop the page."""
    try:
        return fn()
    except SimInputError as exc:
        show_problems(exc)
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
    st.stop()


# ------------------------------------------------------------------------------------------------
# Charts and exports
# ------------------------------------------------------------------------------------------------

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                  "toImageButtonOptions": {"format": "png", "scale": 2}}


def _file_stem(text: str) -> str:
    stem = re.sub(r"[^\w\-]+", "_", text, flags=re.UNICODE).strip("_")
    return stem[:60] or "chart"


def chart(fig: Any, key: str, name: str = "", png: bool = True) -> None:
    """A plotly chart with a PNG download button beneath it."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{key}", config=dict(_PLOTLY_CONFIG))
    if png:
        png_button(fig, name or key, key)


def png_button(fig: Any, name: str, key: str) -> None:
    """Download the figure as PNG (rendered on click by kaleido), or say why it is unavailable."""
    problem = png_problem()
    if problem:
        st.caption(T("export.png_unavailable", reason=problem))
        return

    def render() -> bytes:
        try:
            return figures.to_png(fig)
        except figures.PngExportUnavailable:
            return b""

    st.download_button(T("export.png"), data=render, file_name=f"{_file_stem(name)}.png", mime="image/png",
                       key=f"png_{key}", on_click="ignore", icon=":material/image:")


@st.cache_resource(show_spinner=False)
def _png_probe() -> tuple[str | None]:
    return (figures.png_export_problem(),)


def png_problem() -> str | None:
    """Why PNG export is unavailable on this server (``None`` if it is available)."""
    return _png_probe()[0]


def csv_button(df: pd.DataFrame, name: str, key: str, *, index: bool = False, label: str | None = None) -> None:
    """Download a table as CSV (UTF-8 with BOM so spreadsheets read Chinese and Japanese)."""
    data = df.to_csv(index=index).encode("utf-8-sig")
    st.download_button(label or T("export.csv"), data=data, file_name=f"{_file_stem(name)}.csv", mime="text/csv",
                       key=f"csv_{key}", on_click="ignore", icon=":material/table:")


def html_button(make: Callable[[], str], name: str, key: str) -> None:
    """Download an HTML report generated on click."""
    st.download_button(T("export.html"), data=lambda: make().encode("utf-8"), file_name=f"{_file_stem(name)}.html",
                       mime="text/html", key=f"html_{key}", on_click="ignore", icon=":material/description:")


def caps_note() -> str:
    """The caps, in one sentence."""
    return T("common.caps", population=f"{CAPS.population:,}", days=f"{CAPS.days:,}", reps=CAPS.reps,
             upload=f"{CAPS.upload_bytes // 1_000_000:,}")
