"""The dashboard, page by page, with Streamlit's AppTest at test size (tiny runs).

Every page must run without an exception, and changing a widget must change the numbers shown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.apptest_helpers import assert_ok, open_page, use_test_sizes

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 180


@pytest.fixture(autouse=True)
def _test_size(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_sizes(monkeypatch)


def _app(page: str | None = None, lang: str = "en") -> AppTest:
    return open_page(page, lang, timeout=TIMEOUT)


_ok = assert_ok


def _clear_caches() -> None:
    """Forget every finished run (Streamlit's caches and the dashboard's shared run cache)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


# ---- Compare (landing) ---------------------------------------------------------------------------


def test_process_pool_under_the_dashboard_gives_the_serial_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """With SIM_DASHBOARD_EXECUTOR=process the landing page shows exactly the serial numbers.

    The app runs in a thread of this process, as under the Streamlit server, so its pool must come
    from the forkserver (never a fork of a multi-threaded process).
    """
    from sim.analysis import executors as X

    methods: list[str] = []
    new = X.RestartablePool._new

    def spy(self: X.RestartablePool):  # noqa: ANN202 - wraps the pool factory
        pool = new(self)
        methods.append(self.method)
        return pool

    monkeypatch.setattr(X.RestartablePool, "_new", spy)
    _clear_caches()
    serial = _metrics(_app())
    _clear_caches()
    monkeypatch.setenv("SIM_DASHBOARD_EXECUTOR", "process")
    pooled = _metrics(_app())
    _clear_caches()
    assert methods and set(methods) == {"forkserver"}, methods
    assert pooled == serial


def test_landing_page_shows_china_vs_japan_with_verdict_cards_and_charts() -> None:
    """Landing page shows china vs japan with verdict cards and charts."""
    at = _app()
    assert "China vs Japan" in at.title[0].value
    labels = [m.value for m in at.markdown]
    assert any("China playbook in China" in x and "Japan membership in Japan" in x for x in labels)
    metrics = [m.label for m in at.metric]
    assert metrics.count("Profit") == 2 and "Private share of revenue" in metrics
    # the second column's cards carry a delta against the first
    assert any(m.delta for m in at.metric[len(at.metric) // 2:])
    charts = at.get("plotly_chart")
    assert len(charts) >= 6  # series, private share, two Sankeys, two waterfalls
    assert any("5–95%" in c.value for c in at.caption)  # uncertainty is shown
    assert any("Limits:" in c.value for c in at.sidebar.caption)  # caps stated


def test_compare_settings_change_the_numbers() -> None:
    """Compare settings change the numbers."""
    at = _app()
    before = _metrics(at)
    at.slider(key="cmp_reps").set_value(3).run()
    _ok(at)
    after = _metrics(at)
    assert after != before
    at.number_input(key="cmp_seed").set_value(7).run()
    _ok(at)
    assert _metrics(at) != after


def test_compare_loads_another_preset_comparison() -> None:
    """Compare loads another preset comparison."""
    at = _app()
    at.selectbox(key="cmp_preset").set_value("transplant").run()
    _ok(at)
    assert at.multiselect(key="cmp_sources").value == ["japan_in_japan", "china_playbook_in_japan"]
    assert at.title[0].value == "Compare strategies"
    text = " ".join(m.value for m in at.markdown)
    assert "China playbook transplanted to Japan" in text
    assert "US dollars" not in text  # one currency: no conversion


def test_language_switch_relabels_everything_at_any_time() -> None:
    """Language switch relabels everything at any time."""
    at = _app()
    en_title = at.title[0].value
    at.sidebar.selectbox(key="lang").set_value("zh").run()
    _ok(at)
    assert at.title[0].value != en_title and "中国" in at.title[0].value
    assert "利润" in [m.label for m in at.metric]
    at.switch_page("views/whatif.py").run()
    _ok(at)
    assert at.sidebar.selectbox(key="lang").value == "zh"
    assert "假设分析" in at.title[0].value
    at.sidebar.selectbox(key="lang").set_value("ja").run()
    _ok(at)
    assert "What-if" in at.title[0].value and "レバー" in at.title[0].value


def test_sessions_do_not_share_language_or_widgets() -> None:
    """Sessions do not share language or widgets."""
    a = _app(lang="zh")
    b = _app(lang="en")
    assert "中国" in a.title[0].value
    assert "China vs Japan" in b.title[0].value
    a.slider(key="cmp_reps").set_value(3).run()
    b.run()
    assert b.slider(key="cmp_reps").value == 2


# ---- What-if -------------------------------------------------------------------------------------


def test_whatif_slider_changes_the_numbers() -> None:
    """Whatif slider changes the numbers."""
    at = _app("whatif")
    assert any("Move a lever" in i.value for i in at.info)
    base = _metrics(at)
    key = next(s.key for s in at.slider if s.key.endswith("_pw"))
    at.slider(key=key).set_value(14.0).run()
    _ok(at)
    after = _metrics(at)
    assert after != base
    assert any(delta for _, delta in after.values())
    assert "messaging.per_week=14.0" in at.code[0].value
    assert len(at.get("plotly_chart")) == 2
    at.button(key="wi_reset").click().run()
    _ok(at)
    assert at.slider(key=key).value != 14.0


def test_whatif_consent_regime_and_cold_outreach() -> None:
    """Whatif consent regime and cold outreach."""
    at = _app("whatif")
    at.selectbox(key="wi_src").set_value("china_playbook_in_japan").run()
    _ok(at)
    reg = next(r for r in at.radio if r.key.endswith("_reg"))
    assert reg.value == "explicit_opt_in"
    reg.set_value("consent_at_join").run()
    _ok(at)
    assert "market.regime.kind=consent_at_join" in at.code[0].value


# ---- Explore -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tool", "button", "charts"), [("sweep", "ex_sw_run", 1), ("sensitivity", "ex_se_run", 2),
                                                       ("optimise", "ex_op_run", 0)])
def test_explore_tools_run_with_progress_and_charts(tool: str, button: str, charts: int) -> None:
    """Explore tools run with progress and charts."""
    at = _app("explore")
    at.radio(key="ex_tool").set_value(tool).run()
    _ok(at)
    at.button(key=button).click().run()
    _ok(at)
    assert len(at.get("plotly_chart")) >= charts
    assert at.success or at.warning


def test_explore_sweep_shows_another_kpi() -> None:
    """Explore sweep shows another kpi."""
    at = _app("explore")
    at.button(key="ex_sw_run").click().run()
    _ok(at)
    first = at.get("plotly_chart")[0].proto.spec
    at.selectbox(key="ex_sw_show").set_value("pool_size").run()
    _ok(at)
    assert at.get("plotly_chart")[0].proto.spec != first


# ---- Journeys ------------------------------------------------------------------------------------


def test_journeys_timeline_and_table_follow_the_filters() -> None:
    """Journeys timeline and table follow the filters."""
    at = _app("journeys")
    at.multiselect(key="jr_filter").set_value([]).run()
    _ok(at)
    assert len(at.get("plotly_chart")) == 1
    assert len(at.dataframe) == 1
    shown = [c.value for c in at.caption if "followed consumers" in c.value]
    at.slider(key="jr_show").set_value(3).run()
    _ok(at)
    assert [c.value for c in at.caption if "followed consumers" in c.value] != shown
    assert [m.label for m in at.metric][:2] == ["Stage at the end", "Purchases"]


# ---- Learn ---------------------------------------------------------------------------------------


def test_learn_every_concept_has_a_live_chart() -> None:
    """Learn every concept has a live chart."""
    at = _app("learn")
    for concept in ("domains", "six_steps", "fatigue", "fission", "membership", "consent"):
        at.radio(key="learn_concept").set_value(concept).run()
        _ok(at)
        assert len(at.get("plotly_chart")) == 1, concept
    at.radio(key="learn_concept").set_value("fatigue").run()
    before = at.get("plotly_chart")[0].proto.spec
    at.slider(key="learn_quality").set_value(0.9).run()
    _ok(at)
    assert at.get("plotly_chart")[0].proto.spec != before


# ---- Scenario editor -----------------------------------------------------------------------------


def test_editor_shows_each_problem_inline_with_its_path() -> None:
    """Editor shows each problem inline with its path."""
    at = _app("editor")
    assert at.success  # the starting preset is valid
    at.text_area(key="ed_text").set_value("name: x\nrun: {days: -3, populaton: 5}\nbrands: []\n").run()
    assert not at.exception
    assert at.error and "3 problem" in at.error[0].value
    from dashboard.text import md

    text = " ".join(m.value for m in at.markdown)
    assert md("run.days") in text and md("run.populaton") in text and md("Did you mean 'population'") in text
    at.text_area(key="ed_text").set_value("name: [unclosed\n").run()
    assert not at.exception and at.error


def test_editor_upload_cap_and_add_to_comparison() -> None:
    """Editor upload cap and add to comparison."""
    at = _app("editor")
    at.file_uploader(key="ed_upload").set_value(("big.yaml", b"#" * 1_100_000, "application/x-yaml")).run()
    assert not at.exception
    assert any("capped" in e.value and "big" in e.value for e in at.error)  # the refusal names the file
    at.file_uploader(key="ed_upload").set_value(("latin.yaml", "name: caf\xe9".encode("latin-1"),
                                                 "application/x-yaml")).run()
    assert any("UTF-8" in e.value.replace("\\", "") and "latin" in e.value for e in at.error)
    doc = (Path(__file__).resolve().parents[1] / "scenarios" / "hybrid_in_japan.yaml").read_bytes()
    at.file_uploader(key="ed_upload").set_value(("hybrid.yaml", doc, "application/x-yaml")).run()
    _ok(at)
    text = at.text_area(key="ed_text").value
    at.text_area(key="ed_text").set_value(re.sub(r"(?m)^name: .*$", "name: my hybrid", text)).run()
    at.button(key="ed_use").click().run()
    _ok(at)
    at.switch_page("views/compare.py").run()
    _ok(at)
    assert "upload:my hybrid" in at.multiselect(key="cmp_sources").value
    assert any("my hybrid" in m.value for m in at.markdown)


def test_a_failing_run_shows_an_error_box_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing run shows an error box not a traceback."""
    import sim

    def boom(*args: object, **kwargs: object) -> None:
        """Boom."""
        raise RuntimeError("simulated engine failure")

    at = _app("journeys")
    monkeypatch.setattr(sim, "run", boom)
    at.number_input(key="jr_pop").set_value(1_234).run()  # a size never run before: no cache hit
    assert not at.exception
    assert any("simulated engine failure" in e.value for e in at.error)


@pytest.mark.parametrize(("lang", "term", "definition"), [
    ("en", "K-factor", "new members"),
    ("zh", "私域", "品牌"),
    ("ja", "オプトイン", "同意"),
])
def test_learn_shows_the_glossary_with_definitions_in_the_page_language(lang: str, term: str, definition: str) -> None:
    """The Learn page carries the whole glossary, terms and definitions in the session's language."""
    from sim.i18n.glossary import glossary

    at = _app("learn", lang)
    text = " ".join(m.value for m in at.markdown)
    entries = [e for section in glossary(lang) for e in section.entries]
    assert len(entries) > 70
    assert all(e.term in text and e.definition in text for e in entries)
    assert any(term in e.term and definition in e.definition for e in entries)
