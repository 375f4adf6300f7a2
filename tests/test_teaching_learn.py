"""The Learn page as a teaching tool (issue 18).

An input and a quiz on every concept, feedback in three languages, and enough agents behind the Japan charts
that they agree with their own text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.i18n import has, t

ROOT = Path(__file__).resolve().parents[1]
LEARN = (ROOT / "dashboard" / "views" / "learn.py").read_text(encoding="utf-8")
CONCEPTS = ("domains", "six_steps", "fatigue", "fission", "membership", "consent")
#: The widget key of each concept's own input on the Learn page.
INPUTS = {"domains": "learn_domains_src", "six_steps": "learn_six_src", "fatigue": "learn_quality",
          "fission": "learn_network", "membership": "learn_member_src", "consent": "learn_cold"}


def _quiz() -> dict[str, tuple[int, int]]:
    """The QUIZ table of learn.py, read from its source (importing the page would run it)."""
    body = re.search(r"QUIZ = \{(.*?)\}\n", LEARN, re.S).group(1)
    return {c: (int(n), int(r)) for c, n, r in re.findall(r'"(\w+)": \((\d+), (\d+)\)', body)}


def test_every_concept_has_a_quiz_with_one_right_answer() -> None:
    """Each Learn concept has a question whose right answer index exists."""
    quiz = _quiz()
    assert set(quiz) == set(CONCEPTS)
    for concept, (n, right) in quiz.items():
        assert n >= 3 and 0 <= right < n, concept


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_quiz_texts_and_feedback_exist_in_every_language(lang: str) -> None:
    """Question, every answer and the explanation exist in en, zh and ja, and differ from English outside en."""
    for concept, (n, _) in _quiz().items():
        keys = [f"learn.quiz.{concept}.q", f"learn.quiz.{concept}.why"] + [
            f"learn.quiz.{concept}.a{i}" for i in range(n)]
        for key in keys:
            assert has(key), key
            text = t(key, lang)
            assert text and text != key, (lang, key)
        if lang != "en":
            assert t(f"learn.quiz.{concept}.q", lang) != t(f"learn.quiz.{concept}.q", "en")
    for key in ("learn.quiz.right", "learn.quiz.wrong", "learn.quiz.prompt", "learn.quiz.title"):
        assert t(key, lang) != key


def test_fission_quiz_answer_is_the_closed_form() -> None:
    """The quiz's right answer is S / (1 − K) with the numbers in its question (1,000 members, K = 0.5)."""
    n, right = _quiz()["fission"]
    assert t(f"learn.quiz.fission.a{right}", "en") == f"{1000 / (1 - 0.5):,.0f}"


def test_membership_quiz_uses_the_glossary_spelling() -> None:
    """One spelling per term: the Japanese quiz answer is the glossary's ブレイケージ."""
    n, right = _quiz()["membership"]
    assert t(f"learn.quiz.membership.a{right}", "ja") == "ブレイケージ"


def test_japan_charts_rest_on_enough_agents_and_agree_with_their_text() -> None:
    """At the Learn page's real size a Japan pool has 100+ agents, and more points mean more active members.

    That is what the membership text says: points raise purchases and lower dropout. At the old size the pool
    had about 20 agents.
    """
    import sim
    from dashboard.settings import Sizes

    factor = int(re.search(r"^JAPAN_FACTOR = (\d+)", LEARN, re.M).group(1))
    sizes = Sizes()
    runs = {}
    for rate in (0.0, 0.05):
        sc = sim.resolve("japan_in_japan", [f"run.population={sizes.learn_population * factor}",
                                            f"run.days={sizes.learn_days}",
                                            f"brands.0.strategy.membership.points_rate={rate}"])
        runs[rate] = sim.run(sc).kpis().iloc[0]
        represents = sc.market.represents
    assert runs[0.0]["pool_size"] / represents >= 100, "too few pool agents behind the Japan charts"
    assert runs[0.05]["active_members"] > runs[0.0]["active_members"]


@pytest.mark.parametrize("concept", CONCEPTS)
def test_each_concept_has_an_input_and_a_checked_quiz(concept: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The concept's input widget is on the page; the right answer gets praise, a wrong one a correction."""
    from apptest_helpers import assert_ok, open_page, use_test_sizes

    use_test_sizes(monkeypatch)
    at = open_page("learn")
    at.radio(key="learn_concept").set_value(concept).run()
    assert_ok(at)
    assert any(getattr(w, "key", None) == INPUTS[concept] for w in (*at.radio, *at.slider, *at.select_slider))
    n, right = _quiz()[concept]
    at.radio(key=f"learn_quiz_{concept}").set_value(right).run()
    assert_ok(at)
    assert [s.value for s in at.success] and t("learn.quiz.right", "en") in at.success[0].value
    assert t(f"learn.quiz.{concept}.why", "en") in at.success[0].value
    at.radio(key=f"learn_quiz_{concept}").set_value((right + 1) % n).run()
    assert at.warning and t("learn.quiz.wrong", "en") in at.warning[0].value


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_quiz_feedback_in_the_session_language(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The feedback is in the page's language."""
    from apptest_helpers import open_page, use_test_sizes

    use_test_sizes(monkeypatch)
    at = open_page("learn", lang)
    at.radio(key="learn_concept").set_value("fission").run()
    n, right = _quiz()["fission"]
    at.radio(key="learn_quiz_fission").set_value(right).run()
    assert t("learn.quiz.fission.why", lang) in at.success[0].value
