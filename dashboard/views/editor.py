"""Scenario editor: upload or write a scenario in YAML, see every problem with its field path, download it.

Validation uses the project's safe loader (no code is ever executed from a file); each problem is
shown with its dotted field path, the value found and what was expected — all of it user text,
escaped before display. Presets open resolved (every setting written out), so any value can be
edited. A valid scenario joins the Compare page under the name in its YAML (added to the pair
already shown; an edited scenario of the same name replaces its older version) and can be used on
the What-if, Explore and Journeys pages for the rest of the session.

Phases (a strategy that changes over time) can be added and removed without writing YAML: pick a
brand, a day, a lever and its new value, and the phase is written into the YAML text (comments are
then lost: the text is rewritten from its parsed document); it is validated like every other edit.
"""

from __future__ import annotations

import copy
import json
import typing

import streamlit as st
import yaml
from pydantic import BaseModel

from dashboard import common as C
from dashboard.settings import SERVER_UPLOAD_MB
from sim.errors import SimInputError
from sim.scenario import dump_scenario, load_scenario, scenario_json_schema
from sim.scenario.loader import parse_yaml
from sim.scenario.schema import PHASE_FIXED_KEYS, Run, Strategy

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


# ---- levers of market entry (issue 13): one form per lever, written into the YAML -------------------
#: Lever section of a brand's strategy -> the fields its form shows (every other field keeps its value).
LEVER_FIELDS: dict[str, tuple[str, ...]] = {
    "stores": ("touchpoints", "footfall_per_day", "purchase_share", "signup_share", "on_spot_consent",
               "cost_per_touchpoint_day", "events_per_year", "visitors_per_event", "event_signup_share",
               "cost_per_event"),
    "livestream": ("sessions_per_week", "host_fee", "platform_viewers", "pool_attendance", "conversion", "discount",
                   "discount_lift", "join_rate"),
    "own_site": ("setup_day", "setup_cost", "build_days", "running_cost_per_day", "ad_visitors_per_day",
                 "cost_per_visitor", "pool_visit_rate", "conversion", "signup_share", "diversion_share",
                 "diversion_join", "cost_per_card", "detection_per_card", "penalty_days"),
    "group_buying": ("open_rate", "group_size", "invites", "window_days", "response_days", "discount",
                     "friend_accept"),
    "stored_value": ("topup_rate", "amount", "bonus", "repurchase_lift", "dropout_multiplier", "breakage_share"),
    "member_benefits": ("cost_per_member_year", "dropout_relief"),
    "cross_sell": ("trial_rate", "member_lift"),  # (the product lines are a list: edited in the YAML)
}


def _apply_lever(section: str, brand: int, off: bool = False) -> None:
    """Write the form's values of lever ``section`` (or its "off" defaults) into brand ``brand`` of the YAML.

    The whole scenario is validated again, so a refused value is reported like any other problem: its
    field path, the value found and what was expected; the YAML is then left as it was.
    """
    try:
        doc = load_scenario(parse_yaml(st.session_state["ed_text"].encode("utf-8"), "editor")).model_dump(mode="json")
        strategy = doc["brands"][brand]["strategy"]
        if off:
            strategy.pop(section, None)
        else:
            values = {f: st.session_state[f"ed_lever_{section}_{f}"] for f in LEVER_FIELDS[section]}
            if section == "own_site" and not st.session_state.get("ed_lever_own_site_on"):
                values["setup_day"] = None
            strategy[section] = {**strategy.get(section, {}), **values}
        st.session_state["ed_text"] = dump_scenario(load_scenario(doc))
    except SimInputError as exc:
        st.session_state["ed_load_error"] = str(exc)


def lever_sections(scenario) -> None:
    """One form per market-entry lever of the chosen brand, starting from its current values."""
    st.subheader(T("editor.levers"))
    st.caption(T("editor.levers_note"))
    names = [b.name for b in scenario.brands]
    brand = st.selectbox(T("editor.lever_brand"), range(len(names)), format_func=lambda i: names[i],
                         key="ed_lever_brand") if len(names) > 1 else 0
    strategy = scenario.brands[brand].strategy
    for section, fields in LEVER_FIELDS.items():
        current = getattr(strategy, section)
        info = type(current).model_fields
        with st.expander(T(f"editor.lever.{section}")), st.form(f"ed_lever_form_{section}", border=False):
            st.caption(C.md(type(current).__doc__.split("\n")[0]))
            if section == "own_site":
                st.checkbox(T("editor.lever_site_on"), value=current.setup_day is not None, key="ed_lever_own_site_on")
            cols = st.columns(3)
            for n, f in enumerate(fields):
                extra = info[f].json_schema_extra or {}
                help_text = f"{info[f].description} ({extra.get('unit', '')}; {extra.get('source', '')})"
                value = getattr(current, f)
                if f == "setup_day":
                    value = 0 if value is None else value
                if isinstance(value, int) and not isinstance(value, bool):
                    cols[n % 3].number_input(f, min_value=0, value=int(value), step=1,
                                             key=f"ed_lever_{section}_{f}", help=help_text)
                else:
                    cols[n % 3].number_input(f, min_value=0.0, value=float(value), key=f"ed_lever_{section}_{f}",
                                             help=help_text, format="%g")
            a, b = st.columns(2)
            a.form_submit_button(T("editor.lever_apply"), on_click=_apply_lever, args=(section, brand),
                                 icon=":material/edit_note:")
            b.form_submit_button(T("editor.lever_off"), on_click=_apply_lever, args=(section, brand, True),
                                 icon=":material/toggle_off:")


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


def lever_paths(model: type[BaseModel] = Strategy, prefix: str = "") -> dict[str, type]:
    """Every number or switch of a strategy a phase may change: dotted path -> type (int, float, bool)."""
    out: dict[str, type] = {}
    for name, info in model.model_fields.items():
        path = prefix + name
        if path in PHASE_FIXED_KEYS:
            continue
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(lever_paths(ann, path + "."))
        elif ann in (int, float, bool) and typing.get_origin(ann) is None:
            out[path] = ann
    return out


LEVER_PATHS = lever_paths()


def _doc_of_text() -> dict | None:
    """The editor's YAML as a document, or ``None`` (with a message) when it does not parse."""
    try:
        return parse_yaml(st.session_state.get("ed_text", "").encode("utf-8"), "editor")
    except SimInputError:
        st.session_state["ed_phase_msg"] = T("editor.phases_bad_yaml")
        return None


def _strategy_node(doc: dict, brand: int) -> dict | None:
    brands = doc.get("brands")
    if not isinstance(brands, list) or not 0 <= brand < len(brands) or not isinstance(brands[brand], dict):
        return None
    return brands[brand].setdefault("strategy", {}) if isinstance(brands[brand].get("strategy", {}), dict) else None


def _write(doc: dict) -> None:
    st.session_state["ed_text"] = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def _add_phase() -> None:
    """Callback: write the phase chosen in the widgets into the YAML text (merged into a phase of that day)."""
    doc = _doc_of_text()
    if doc is None:
        return
    node = _strategy_node(doc, int(st.session_state.get("ed_ph_brand", 0)))
    if node is None:
        st.session_state["ed_phase_msg"] = T("editor.phases_bad_yaml")
        return
    day = int(st.session_state["ed_ph_day"]) - 1
    path = st.session_state["ed_ph_lever"]
    kind = LEVER_PATHS[path]
    raw = st.session_state.get("ed_ph_value_bool" if kind is bool else "ed_ph_value_num", 0.0)
    value = bool(raw) if kind is bool else (int(raw) if kind is int else float(raw))
    phases = node.get("phases")
    phases = phases if isinstance(phases, list) else []
    phase = next((ph for ph in phases if isinstance(ph, dict) and ph.get("from_day") == day), None)
    if phase is None:
        phase = {"from_day": day, "set": {}}
        phases.append(phase)
    target = phase.setdefault("set", {})
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {}) if isinstance(target, dict) else None
    if not isinstance(target, dict):  # a hand-written `set` (or a level of it) that is not a mapping
        st.session_state["ed_phase_msg"] = T("editor.phases_bad_yaml")
        return
    target[leaf] = value
    phases.sort(key=lambda ph: ph.get("from_day", 0) if isinstance(ph, dict) and isinstance(ph.get("from_day"), int)
                else 0)
    node["phases"] = phases
    _write(doc)


def _remove_phase() -> None:
    """Callback: remove the chosen phase from the YAML text."""
    doc = _doc_of_text()
    if doc is None:
        return
    node = _strategy_node(doc, int(st.session_state.get("ed_ph_brand", 0)))
    j = st.session_state.get("ed_ph_pick")
    if node is None or not isinstance(node.get("phases"), list) or j is None:
        return
    shown = [at for at, ph in enumerate(node["phases"]) if isinstance(ph, dict)]  # the choices offered (_brand_phases)
    if not 0 <= j < len(shown):
        return
    del node["phases"][shown[j]]
    if not node["phases"]:
        del node["phases"]
    _write(doc)


def _brand_phases(doc: dict, bi: int) -> list[dict]:
    node = _strategy_node(doc, bi)
    phases = node.get("phases") if node is not None else None
    return [ph for ph in phases if isinstance(ph, dict)] if isinstance(phases, list) else []


def _day_text(ph: dict) -> str:
    day = ph.get("from_day")
    return str(day + 1) if isinstance(day, int) and not isinstance(day, bool) else "?"


def phases_panel(doc: dict) -> None:
    """Add or remove phases of a brand's strategy, written into the YAML text.

    Shown even when the scenario is invalid, so that a phase with a bad value can be removed here.
    """
    brands = doc.get("brands") if isinstance(doc.get("brands"), list) else []
    if not brands:
        return
    with st.expander(T("editor.phases_title"), expanded=False):
        st.caption(T("editor.phases_note"))
        names = [str(b.get("name", f"brand {i + 1}")) if isinstance(b, dict) else f"brand {i + 1}"
                 for i, b in enumerate(brands)]
        bi = st.selectbox(T("editor.phase_brand"), range(len(names)), format_func=lambda i: names[i], key="ed_ph_brand")
        phases = _brand_phases(dict(doc), bi)
        if phases:
            for ph in phases:
                changes = ", ".join(f"{k} = {v}" for k, v in _flat(ph.get("set") if isinstance(ph.get("set"), dict)
                                                                    else {}))
                st.text(T("editor.phase_line", day=_day_text(ph), name=str(ph.get("name") or "-"), changes=changes))
            c1, c2 = st.columns([3, 1])
            c1.selectbox(T("editor.phase_pick"), range(len(phases)), key="ed_ph_pick",
                         format_func=lambda j: T("editor.phase_item", day=_day_text(phases[j]),
                                                 name=str(phases[j].get("name") or "-")))
            c2.button(T("editor.phase_remove"), key="ed_ph_remove", on_click=_remove_phase, icon=":material/delete:")
        else:
            st.caption(T("editor.phases_none"))
        run = doc.get("run") if isinstance(doc.get("run"), dict) else {}
        most = next(m.le for m in Run.model_fields["days"].metadata if hasattr(m, "le"))  # the schema's longest run
        days = run.get("days")  # unvalidated text: a length outside 2..the schema's limit falls back to the limit
        days = days if isinstance(days, int) and not isinstance(days, bool) and 2 <= days <= most else most
        c1, c2, c3 = st.columns([1, 2, 1])
        c1.number_input(T("editor.phase_day"), 2, max(2, int(days)), max(2, min(366, int(days))), 1,
                        key="ed_ph_day", help=T("editor.phase_day_help"))
        path = c2.selectbox(T("editor.phase_lever"), list(LEVER_PATHS), key="ed_ph_lever")
        if LEVER_PATHS[path] is bool:
            c3.checkbox(T("editor.phase_value"), key="ed_ph_value_bool")
        else:
            c3.number_input(T("editor.phase_value"), value=0.0, key="ed_ph_value_num")
        st.button(T("editor.phase_add"), key="ed_ph_add", on_click=_add_phase, icon=":material/add:")


def _flat(node: dict, prefix: str = "") -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for k, v in node.items():
        out.extend(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else [(f"{prefix}{k}", v)])
    return out


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
    if upload.size > C.CAPS.upload_bytes:  # (the refusals name the file: user text, escaped when shown)
        st.session_state["ed_load_error"] = f"{upload.name}: " + T(
            "error.too_big", size=f"{upload.size:,}", cap=f"{C.CAPS.upload_bytes:,}")
    else:
        data = upload.getvalue()[: C.CAPS.upload_bytes + 1]
        try:
            st.session_state["ed_text"] = data.decode("utf-8")
        except UnicodeDecodeError:
            st.session_state["ed_load_error"] = f"{upload.name}: " + T("editor.not_text")
if err := st.session_state.pop("ed_load_error", None):
    st.error(C.md(err))
if msg := st.session_state.pop("ed_phase_msg", None):
    st.warning(msg)

text = st.text_area(T("editor.yaml"), key="ed_text", height=420, help=T("editor.yaml_help"))

scenario = None
parsed: dict | None = None
problems: SimInputError | None = None
if len(text.encode("utf-8")) > C.CAPS.upload_bytes:
    st.error(T("error.too_big", size=f"{len(text.encode('utf-8')):,}", cap=f"{C.CAPS.upload_bytes:,}"))
else:
    try:
        doc = parse_yaml(text.encode("utf-8"), "editor")
        parsed = copy.deepcopy(doc)
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
if parsed is not None:
    phases_panel(parsed)

if scenario is not None:
    lever_sections(scenario)

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
