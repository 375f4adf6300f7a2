"""Scenario editor: upload or write a scenario in YAML, see every problem with its field path, download it.

Validation uses the project's safe loader (no code is ever executed from a file); each problem is
shown with its dotted field path, the value found and what was expected. A valid scenario can be
added to the Compare page and used on the What-if and Journeys pages for the rest of the session.
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard import common as C
from sim.errors import SimInputError
from sim.scenario import dump_scenario, load_scenario, preset_path, scenario_json_schema
from sim.scenario.loader import parse_yaml

T = C.T


def _load_preset() -> None:
    ref = st.session_state.get("ed_preset")
    if not ref:
        return
    try:
        st.session_state["ed_text"] = preset_path(ref).read_text(encoding="utf-8")
    except (OSError, SimInputError) as exc:
        st.session_state["ed_load_error"] = str(exc)


st.title(T("editor.title"))
st.caption(T("editor.intro"))
if "ed_text" not in st.session_state:
    st.session_state["ed_text"] = preset_path("japan_in_japan").read_text(encoding="utf-8")

a, b = st.columns(2)
a.selectbox(T("editor.start"), C.presets().get("scenarios", []), index=None, key="ed_preset",
            placeholder=T("editor.start_pick"), format_func=C.bind(C.source_label), on_change=_load_preset)
upload = b.file_uploader(T("editor.upload"), type=["yaml", "yml"], key="ed_upload",
                         max_upload_size=max(1, C.CAPS.upload_bytes // 1_000_000),
                         help=T("editor.upload_help", cap=f"{C.CAPS.upload_bytes // 1_000_000:,}"))
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
    st.error(err)

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
        where = f"`{p.path}`" if p.path else T("editor.whole")
        found = T("editor.found", value=p.value) if p.value is not None else ""
        st.markdown(f":red[**{where}**] — {p.message}{found}")
elif scenario is not None:
    st.success(T("editor.valid", name=scenario.name, brands=len(scenario.brands),
                 population=f"{scenario.run.population:,}", days=f"{scenario.run.days:,}",
                 market=scenario.market.name, regime=T(f"regime.{scenario.market.regime.kind}")))
    if scenario.run.population > C.CAPS.population or scenario.run.days > C.CAPS.days:
        st.warning(T("editor.capped", population=f"{C.CAPS.population:,}", days=f"{C.CAPS.days:,}"))
    c1, c2 = st.columns(2)
    name = c1.text_input(T("editor.save_as"), value=scenario.name, key="ed_name", max_chars=60)
    if c2.button(T("editor.use"), key="ed_use", icon=":material/add_circle:"):
        doc = scenario.model_dump(mode="json")
        doc["name"] = name or scenario.name
        C.uploaded_scenarios()[name] = doc
        sources = list(st.session_state.get("cmp_sel") or [])
        if f"upload:{name}" not in sources:
            sources.append(f"upload:{name}")
        st.session_state["cmp_sel"] = sources[-6:]
        st.success(T("editor.added", name=name))

st.subheader(T("common.download"))
d1, d2, d3 = st.columns(3)
d1.download_button(T("editor.download_text"), text.encode("utf-8"), file_name="scenario.yaml",
                   mime="application/x-yaml", key="ed_dl_text", on_click="ignore", icon=":material/download:")
if scenario is not None:
    d2.download_button(T("editor.download_resolved"), dump_scenario(scenario).encode("utf-8"),
                       file_name=f"{scenario.name}.resolved.yaml", mime="application/x-yaml", key="ed_dl_resolved",
                       on_click="ignore", icon=":material/download:")
d3.download_button(T("editor.download_schema"),
                   lambda: json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False).encode("utf-8"),
                   file_name="scenario.schema.json", mime="application/json", key="ed_dl_schema", on_click="ignore",
                   icon=":material/data_object:")
with st.expander(T("editor.help_title")):
    st.markdown(T("editor.help"))
