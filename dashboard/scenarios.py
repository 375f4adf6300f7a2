"""Scenario sources of the dashboard: presets, this session's uploads, sizes and cache keys."""

from __future__ import annotations

import json
from collections.abc import Sequence

import streamlit as st

import sim
from dashboard.settings import CAPS
from dashboard.text import T
from sim.errors import SimInputError
from sim.format import md_escape
from sim.i18n import has
from sim.scenario import dump_scenario, list_presets, load_comparison
from sim.scenario.schema import Scenario


@st.cache_data(show_spinner=False, ttl=300)
def presets() -> dict[str, list[str]]:
    """Preset ids by kind (scenarios, comparisons...)."""
    return list_presets()


@st.cache_data(show_spinner=False, ttl=300)
def comparison(name: str) -> tuple[str, str, list[str]]:
    """(title, description, scenario ids) of a comparison preset."""
    return load_comparison(name)


@st.cache_data(show_spinner=False, ttl=300)
def resolved_yaml(preset: str) -> str:
    """The resolved, editable YAML of a preset (every setting written out, no ``extends:``)."""
    return dump_scenario(sim.resolve(preset))


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
    out = sim.resolve(sc, sets) if sets else sc
    show_notes(out)
    return out


def show_notes(sc: Scenario) -> None:
    """Warn beside the results when a valid scenario does not do what its numbers seem to say.

    Today: a message cap below the messages per week (members then receive the cap, not ``per_week``).
    Brand names are the user's text: escaped.
    """
    for brand in sc.brands:
        m = brand.strategy.messaging
        if m.binding_cap_note() is not None:
            st.warning(T("scenario.cap_binds", brand=md_escape(brand.name), cap=f"{m.cap_per_week:g}",
                         per_week=f"{m.per_week:g}"), icon=":material/info:")


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
    """Display name of a scenario source (plain text: escape it before Markdown)."""
    if src.startswith("upload:"):
        return T("common.uploaded", name=src.removeprefix("upload:"))
    key = f"preset.{src}"
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
