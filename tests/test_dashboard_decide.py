"""The Decide page with Streamlit's AppTest at test size: each question answered in a few clicks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 300


@pytest.fixture(autouse=True)
def _test_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIM_DASHBOARD_TEST_SIZE", "1")
    monkeypatch.setenv("SIM_DASHBOARD_EXECUTOR", "serial")
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.state.session_state_proxy"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("views/decide.py").run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _text(at: AppTest) -> str:
    parts = [m.value for m in (*at.markdown, *at.success, *at.warning, *at.info)]
    return "\n".join(str(p) for p in parts)


def test_three_or_seven_messages_how_sure_and_why() -> None:
    """Two options: 3 vs 7 messages a week, paired verdicts, a waterfall and the why."""
    at = _page()
    at.number_input(key="de_days").set_value(240).run()
    at.button(key="de_two_run").click().run()
    _ok(at)
    text = _text(at)
    assert "seeds" in text and "Option A \\(3\\)" in text
    # the why agrees with the profit verdict: a lead only when the interval excludes zero
    if "No clear difference on profit" in text:
        assert "No clear lead in profit" in text and "the lead comes mostly from" not in text
    else:
        assert "the lead comes mostly from" in text
    assert len(at.get("plotly_chart")) >= 1
    at.radio(key="de_by").set_value("mechanism").run()
    _ok(at)


def test_which_referral_reward_reaches_k_equal_one_or_none() -> None:
    """Break-even against a target: the K = 1 question gets a sentence and a chart, in Japanese too."""
    at = _page("ja")
    at.radio(key="de_tool").set_value("breakeven").run()
    at.radio(key="de_be_mode").set_value("target").run()
    _ok(at)
    at.button(key="de_be_run").click().run()
    _ok(at)
    text = _text(at)
    assert "K ファクター" in text and ("範囲にはありません" in text or "に達します" in text)
    assert len(at.get("plotly_chart")) >= 1


def test_does_the_china_playbook_survive_japans_consent_law() -> None:
    """Robustness: the paired verdict in Japan and the assumptions that move it, with a tornado."""
    at = _page("zh")
    at.radio(key="de_tool").set_value("robust").run()
    _ok(at)
    at.button(key="de_ro_run").click().run()
    _ok(at)
    text = _text(at)
    from sim.i18n import t

    assert t("preset.china_playbook_in_japan", "zh") in _plain(text)  # the scenarios in words, not their ids
    assert "china_playbook_in_japan" not in _plain(text)
    assert ("结论会翻转" in text) or ("没有任何单一假设" in text)
    assert len(at.get("plotly_chart")) >= 1


def test_risk_shows_loss_chance_percentiles_and_months() -> None:
    """Risk: four cards and two charts."""
    at = _page()
    at.radio(key="de_tool").set_value("risk").run()
    at.button(key="de_ri_run").click().run()
    _ok(at)
    labels = [m.label for m in at.metric]
    assert "Chance of a loss" in labels and "P95" in labels
    assert len(at.get("plotly_chart")) >= 2


def test_pareto_front_with_a_runnable_point() -> None:
    """Trade-offs: a front chart, its table and a YAML download of a point."""
    at = _page()
    at.radio(key="de_tool").set_value("pareto").run()
    at.button(key="de_pa_run").click().run()
    _ok(at)
    assert len(at.get("plotly_chart")) >= 1 and len(at.dataframe) >= 1
    assert at.get("download_button")


def _plain(text: str) -> str:
    """Page text with the Markdown escapes removed (what the user reads)."""
    return text.replace("\\", "")


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_breakeven_target_sentence_names_the_lever_and_preset_by_their_labels(lang: str) -> None:
    """The K = 1 sentence reads "Referrer reward" and "China playbook in China", never a path or preset id."""
    from sim.i18n import t

    at = _page(lang)
    at.radio(key="de_tool").set_value("breakeven").run()
    at.radio(key="de_be_mode").set_value("target").run()
    at.button(key="de_be_run").click().run()
    _ok(at)
    said = _plain("\n".join(str(m.value) for m in [*at.success, *at.warning]))
    assert t("lever.referral.referrer_reward", lang) in said, said
    assert t("preset.china_in_china", lang) in said, said
    for raw in ("referral.referrer_reward", "brands.0.strategy", "china_in_china"):
        assert raw not in said, said


def test_breakeven_versus_sentence_names_the_assumption_and_both_presets_by_their_labels() -> None:
    """A versus B over a market assumption: the sentence names the assumption and both scenarios in words."""
    from sim.i18n import t

    at = _page("ja")
    at.radio(key="de_tool").set_value("breakeven").run()
    at.button(key="de_be_run").click().run()
    _ok(at)
    said = _plain("\n".join(str(m.value) for m in [*at.success, *at.warning]))
    for key in ("assumption.enforcement_per_violation_complaint", "preset.china_playbook_in_japan",
                "preset.japan_in_japan"):
        assert t(key, "ja") in said, (key, said)
    for raw in ("market.regime", "enforcement_per_violation_complaint", "china_playbook_in_japan", "japan_in_japan"):
        assert raw not in said, said


def _scenario_a(at: AppTest):
    """The break-even tool's Scenario A box, found by its label (as the user sees it)."""
    boxes = [b for b in at.selectbox if b.label == "Scenario A"]
    assert len(boxes) == 1, [b.label for b in at.selectbox]
    return boxes[0]


def test_switching_the_breakeven_mode_resets_scenario_a_and_the_result() -> None:
    """Each mode has its own Scenario A (its default on first visit) and its own last result, not the other's."""
    at = _page()
    at.radio(key="de_tool").set_value("breakeven").run()
    assert _scenario_a(at).value == "china_playbook_in_japan"
    _scenario_a(at).set_value("hybrid_in_japan").run()
    at.button(key="de_be_run").click().run()
    _ok(at)
    assert at.success or at.warning
    at.radio(key="de_be_mode").set_value("target").run()
    _ok(at)
    assert _scenario_a(at).value == "china_in_china"  # the target mode's default, not the versus pick
    assert not at.success and not at.warning and not at.info  # no result (stale or not) from the other mode
    at.radio(key="de_be_mode").set_value("versus").run()
    _ok(at)
    assert _scenario_a(at).value == "hybrid_in_japan"  # the versus choice is kept for its mode
    assert at.success or at.warning  # and so is its result
    assert not at.info  # not marked stale: nothing changed in this mode
