"""Scenario editor: upload or write a scenario in YAML, see every problem with its field path, download it.

Validation uses the project's safe loader (no code is ever executed from a file); each problem is
shown with its dotted field path, the value found and what was expected — all of it user text,
escaped before display. Presets open resolved (every setting written out), so any value can be
edited. A valid scenario joins the Compare page under the name in its YAML (added to the pair
already shown; an edited scenario of the same name replaces its older version) and can be used on
the What-if, Explore and Journeys pages for the rest of the session.
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard import common as C
from dashboard.settings import SERVER_UPLOAD_MB
from sim.errors import SimInputError
from sim.scenario import dump_scenario, load_scenario, scenario_json_schema
from sim.scenario.loader import parse_yaml

T = C.T
DEFAULT_COMPARISON = "china_vs_japan"


def _load_preset() -> None:
    ref = st.session_state.get("ed_preset")
    if not ref:
        return
    try:
        st.session_state["ed_text"] = C.resolved_yaml(ref)
    except (OSError, SimInputError) as exc:
        st.session_state["ed_load_error"] = str(exc)


def add_to_comparison(name: str, doc: dict) -> bool:
    """Add (or replace) an uploaded scenario in the comparison; ``True`` if it replaced one of that name.

    The comparison starts from the default pair when the user has not chosen scenarios yet, so
    starting on the editor adds to China vs Japan instead of replacing it.
    """
    uploads = C.uploaded_scenarios()
    replaced = name in uploads
    uploads[name] = doc
    if "cmp_sel" in st.session_state:
        sources = list(st.session_state["cmp_sel"] or [])
    else:
        sources = list(C.comparison(DEFAULT_COMPARISON)[2])
    if f"upload:{name}" not in sources:
        sources.append(f"upload:{name}")
    st.session_state["cmp_sel"] = sources[-6:]
    return replaced


st.title(T("editor.title"))
st.caption(T("editor.intro"))
if "ed_text" not in st.session_state:
    st.session_state["ed_text"] = C.resolved_yaml("japan_in_japan")

a, b = st.columns(2)
a.selectbox(T("editor.start"), C.presets().get("scenarios", []), index=None, key="ed_preset",
            placeholder=T("editor.start_pick"), format_func=C.bind(C.source_label), on_change=_load_preset)
a.caption(T("editor.resolved_note"))
upload = b.file_uploader(T("editor.upload"), type=["yaml", "yml"], key="ed_upload", max_upload_size=SERVER_UPLOAD_MB,
                         help=T("editor.upload_help_kb", cap=f"{C.CAPS.upload_bytes // 1_000:,}"))
if upload is not None and st.session_state.get("ed_upload_id") != upload.file_id:
    st.session_state["ed_upload_id"] = upload.file_id
    if upload.size > C.CAPS.upload_bytes:
        st.session_state["ed_load_error"] = T("error.too_big", size=f"{upload.size:,}", cap=f"{C.CAPS.upload_bytes:,}")
    else:
        data = upload.getvalue()[: C.CAPS.upload_bytes + 1]
        try:
            st.session_state["ed_text"] = data.decode("utf-8")
        except UnicodeDecodeError:
            st.session_state["ed_load_error"] = T("editor.not_text")
if err := st.session_state.pop("ed_load_error", None):
    st.error(C.md(err))

text = st.text_area(T("editor.yaml"), key="ed_text", height=420, help=T("editor.yaml_help"))

scenario = None
problems: SimInputError | None = None
if len(text.encode("utf-8")) > C.CAPS.upload_bytes:
    st.error(T("error.too_big", size=f"{len(text.encode('utf-8')):,}", cap=f"{C.CAPS.upload_bytes:,}"))
else:
    try:
        doc = parse_yaml(text.encode("utf-8"), "editor")
        scenario = load_scenario(doc)
    except SimInputError as exc:
        problems = exc
    except Exception as exc:  # noqa: BLE001 - never a traceback
        C.show_error(exc)

if problems is not None:
    st.error(T("editor.invalid", n=len(problems.problems)))
    for p in problems.problems:
        where = C.md(p.path) if p.path else T("editor.whole")
        found = T("editor.found", value=C.md(p.value)) if p.value is not None else ""
        st.markdown(f":red[**{where}**] — {C.md(p.message)}{found}")
elif scenario is not None:
    st.success(T("editor.valid", name=C.md(C.id_label("preset", scenario.name)), brands=len(scenario.brands),
                 population=f"{scenario.run.population:,}", days=f"{scenario.run.days:,}",
                 market=C.md(C.market_label(scenario.market.name)), regime=T(f"regime.{scenario.market.regime.kind}")))
    if scenario.run.population > C.CAPS.population or scenario.run.days > C.CAPS.days:
        st.warning(T("editor.capped", population=f"{C.CAPS.population:,}", days=f"{C.CAPS.days:,}"))
    st.caption(T("editor.name_from_yaml"))
    if st.button(T("editor.use"), key="ed_use", icon=":material/add_circle:"):
        replaced = add_to_comparison(scenario.name, scenario.model_dump(mode="json"))
        st.success(T("editor.replaced" if replaced else "editor.added", name=C.md(scenario.name)))

st.subheader(T("common.download"))
d1, d2, d3 = st.columns(3)
d1.download_button(T("editor.download_text"), text.encode("utf-8"), file_name="scenario.yaml",
                   mime="application/x-yaml", key="ed_dl_text", on_click="ignore", icon=":material/download:")
if scenario is not None:
    d2.download_button(T("editor.download_resolved"), dump_scenario(scenario).encode("utf-8"),
                       file_name=f"{C.file_stem(scenario.name)}.resolved.yaml", mime="application/x-yaml",
                       key="ed_dl_resolved", on_click="ignore", icon=":material/download:")
d3.download_button(T("editor.download_schema"),
                   lambda: json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False).encode("utf-8"),
                   file_name="scenario.schema.json", mime="application/json", key="ed_dl_schema", on_click="ignore",
                   icon=":material/data_object:")
with st.expander(T("editor.help_title")):
    st.markdown(T("editor.help"))
C.assumptions_panel("editor")
