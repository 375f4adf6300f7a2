"""The dashboard tells one consistent story: cards, Sankey, waterfall and table describe the same runs.

AppTest at test size (tiny runs). Each check recomputes the quantity independently with ``sim.run``
on the same seeds and compares it with what the page shows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

import sim  # noqa: E402
from sim.analysis.executors import spawn_seeds  # noqa: E402
from sim.format import human  # noqa: E402
from sim.scenario.schema import market_fx  # noqa: E402
from tests.apptest_helpers import assert_ok, open_page, use_test_sizes

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 240
SEED = 20261121


@pytest.fixture(autouse=True)
def _test_size(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_sizes(monkeypatch)


def _app(page: str | None = None, lang: str = "en") -> AppTest:
    return open_page(page, lang, timeout=TIMEOUT)


_ok = assert_ok


def _figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _runs(preset: str, n: int) -> list[sim.RunResult]:
    from dashboard.settings import TEST_SIZES

    sc = sim.resolve(preset, [f"run.population={TEST_SIZES.population}", f"run.days={TEST_SIZES.days}"])
    return [sim.run(sc, seed=s) for s in spawn_seeds(SEED, n)]


def test_landing_cards_sankey_and_waterfall_describe_the_same_runs() -> None:
    """The profit card is the mean over the replicates; the waterfall ends there; the Sankey is their mean flow."""
    from dashboard.settings import TEST_SIZES

    at = _app()
    n = TEST_SIZES.reps
    profit_cards = [m.value for m in at.metric if m.label == "Profit"]
    figs = _figures(at)
    waterfalls = [f for f in figs if f["data"] and f["data"][0]["type"] == "waterfall"]
    sankeys = [f for f in figs if f["data"] and f["data"][0]["type"] == "sankey"]
    assert len(waterfalls) == 2 and len(sankeys) == 2 and len(profit_cards) == 2
    for i, preset in enumerate(("china_in_china", "japan_in_japan")):
        runs = _runs(preset, n)
        brand = runs[0].brands[0]
        fx = float(market_fx(runs[0].scenario.market))
        last = int(runs[0].daily["day"].max())
        mean_profit_usd = float(np.mean([r.kpis(last).loc[brand, "profit"] for r in runs])) / fx
        assert profit_cards[i] == human(mean_profit_usd, "currency", "USD")
        wf = waterfalls[i]["data"][0]
        assert sum(wf["y"]) == pytest.approx(mean_profit_usd, rel=1e-9, abs=1e-6)  # the last bar is the card
        assert f"mean of {n} runs" in waterfalls[i]["layout"]["title"]["text"]
        total: dict[tuple[str, str], float] = {}
        for r in runs:
            f = r.flow_totals(0, last)
            for a, b, people in f[f["brand"] == brand][["from", "to", "people"]].itertuples(index=False):
                total[(a, b)] = total.get((a, b), 0.0) + float(people)
        links = sankeys[i]["data"][0]["link"]["value"]
        # every flow is drawn at its mean over the runs; the joins into the pool may be split by join source
        # (one node per source), so their links add up to the flows into "member"
        assert sum(links) == pytest.approx(sum(total.values()) / n)
        others = sorted(v / n for (a, b), v in total.items() if v > 0 and b != "member")
        joins = sorted(v / n for (a, b), v in total.items() if v > 0 and b == "member")
        drawn = sorted(links)
        for v in others:
            assert any(abs(v - d) <= 1e-9 * max(1.0, v) for d in drawn), (v, drawn)
        assert sum(drawn) - sum(others) == pytest.approx(sum(joins))
    assert any("same 2 replicate runs" in c.value for c in at.caption)


def test_differences_of_percentages_are_percentage_points() -> None:
    """Differences of shares are shown in percentage points, never as percentages."""
    from dashboard.text import fmt_diff

    at = _app()
    at.session_state["lang"] = "en"
    deltas = {m.label: m.delta for m in at.metric[len(at.metric) // 2:]}
    assert deltas["Private share of revenue"].endswith(" pp"), deltas
    assert fmt_diff(0.021, "private_share") == "+2.1 pp"
    assert fmt_diff(-0.5, "private_share") == "-50.0 pp"


def test_editor_rename_adds_to_the_default_pair_with_the_new_name() -> None:
    """Starting on the editor: a renamed scenario joins China vs Japan under its new name, no (1)/(2) suffixes."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at.switch_page("views/editor.py").run()
    _ok(at)
    at.selectbox(key="ed_preset").set_value("china_in_china").run()
    _ok(at)
    text = at.text_area(key="ed_text").value
    assert "extends:" not in text and "per_week:" in text  # resolved: every setting is editable
    renamed = re.sub(r"(?m)^name: .*$", "name: Bold test", text)
    at.text_area(key="ed_text").set_value(renamed).run()
    _ok(at)
    at.button(key="ed_use").click().run()
    _ok(at)
    at.text_area(key="ed_text").set_value(renamed.replace("name: Bold test", "name: Bolder test")).run()
    at.button(key="ed_use").click().run()
    _ok(at)
    at.switch_page("views/compare.py").run()
    _ok(at)
    sel = at.multiselect(key="cmp_sources").value
    assert sel == ["china_in_china", "japan_in_japan", "upload:Bold test", "upload:Bolder test"]
    names = " ".join(m.value for m in at.markdown)
    assert "Bolder test" in names and "(1)" not in names and "(2)" not in names


def test_whatif_both_sides_set_with_ranges_and_wins_on_every_card() -> None:
    """What-if: A at 3 messages a week, B at 7; every card shows B's range and wins in n of N; claims are honest."""
    at = _app("whatif")
    pw_a = next(s.key for s in at.slider if s.key.endswith("_a_pw"))
    pw_b = next(s.key for s in at.slider if s.key.endswith("_b_pw"))
    at.slider(key=pw_a).set_value(3.0).run()
    at.slider(key=pw_b).set_value(7.0).run()
    _ok(at)
    code = at.code[0].value
    assert "# A" in code and "messaging.per_week=3.0" in code and "messaging.per_week=7.0" in code
    n = at.number_input(key="wi_reps").value
    captions = [c.value for c in at.caption if "B better in" in c.value]
    assert len(captions) == 8 and all(f"of {n} paired runs" in c and "5–95%" in c for c in captions)
    if n < 5:
        assert any("no claim" in w.value for w in at.warning)
    at.number_input(key="wi_reps").set_value(5).run()
    _ok(at)
    verdicts = [x.value for x in (*at.success, *at.info) if "95% paired interval" in x.value]
    assert len(verdicts) == 1
    claim = verdicts[0]
    lo_hi = re.search(r"interval (.+?) – (.+?), which", claim)
    assert lo_hi
    assert ("excludes zero" in claim) == ("not by chance" in claim)


def test_whatif_defaults_to_enough_replicates() -> None:
    """The What-if page's default replicate count is large enough to judge a difference."""
    from dashboard.settings import Sizes

    assert Sizes().whatif_reps >= 10
    src = (Path(APP).parent / "views" / "whatif.py").read_text()
    assert "not from chance" not in src


def test_heatmap_k1_line_and_no_self_sustaining_sentence() -> None:
    """A referral sweep draws the K = 1 line (or says no setting reaches it)."""
    at = _app("explore")
    at.number_input(key="ex_pop").set_value(3_000).run()
    at.number_input(key="ex_days").set_value(365).run()
    at.selectbox(key="ex_sw_x").set_value("referral.referrer_reward").run()
    at.button(key="ex_sw_run").click().run()
    _ok(at)
    fig = _figures(at)[0]
    text = " ".join(x.value for x in (*at.warning, *at.info))
    kinds = [d["type"] for d in fig["data"]]
    assert ("No setting in this grid reaches self-sustaining" in text) or "contour" in kinds
    if "contour" in kinds:
        c = next(d for d in fig["data"] if d["type"] == "contour")
        assert c["contours"]["start"] == c["contours"]["end"] == 1.0


def test_learn_fission_k1_and_consent_units_are_separate_panels() -> None:
    """Fission: the K = 1 line is on the K panel, not the profit axis; consent: messages and people apart."""
    at = _app("learn")
    at.radio(key="learn_concept").set_value("fission").run()
    _ok(at)
    fig = _figures(at)[0]
    lay = fig["layout"]
    assert "yaxis2" in lay and "overlaying" not in lay["yaxis2"]  # a separate panel, not a twin axis
    k1 = [s for s in lay["shapes"] if s.get("y0") == 1.0]
    assert k1 and all(s["yref"] == "y" for s in k1)
    at.radio(key="learn_concept").set_value("consent").run()
    _ok(at)
    lay = _figures(at)[0]["layout"]
    titles = {lay["yaxis"]["title"]["text"], lay["yaxis2"]["title"]["text"]}
    assert titles == {"people", "messages"}


def test_assumptions_panel_on_every_page_names_real_model_sections() -> None:
    """Each page has an assumptions panel whose sections exist in docs/MODEL.md."""
    from dashboard import assumptions as A

    for page in A.PAGES:
        for aid in A.PAGES[page]:
            assert A.section(A.SECTIONS[aid]) is not None, (page, aid)
    for page in ("compare", "whatif", "explore", "journeys", "learn", "editor"):
        at = _app(None if page == "compare" else page)
        assert any(e.label == "Assumptions behind this page" for e in at.expander), page


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_no_raw_ids_in_chinese_and_japanese_pages(lang: str) -> None:
    """Market and segment ids are shown by their translated names."""
    at = _app("editor", lang=lang)
    assert not any("japan" in s.value for s in at.success), [s.value for s in at.success]
    at = _app("journeys", lang=lang)
    at.multiselect(key="jr_filter").set_value([]).run()
    _ok(at)
    options = list(at.selectbox(key="jr_who").options)  # AppTest holds the formatted labels
    assert options and not any(re.search(r"[a-z]+_[a-z]+", o) for o in options), options


def test_sweep_ranges_keep_narrow_grids_distinct_and_extreme_ones_finite() -> None:
    """A narrow range is swept at enough digits to keep its points apart; an extreme one is refused with its values.

    The page once rounded every point to 4 significant figures (1.00001 to 1.00002 became "1.0 twice") and
    computed ``high - low`` (-1e308 to 1e308 overflowed to NaN, reported as "value nan").
    """
    at = _app("explore")
    lo, hi = "ex_sw_x_china_in_china_messaging.per_week_lo", "ex_sw_x_china_in_china_messaging.per_week_hi"
    at.selectbox(key="ex_sw_x").set_value("messaging.per_week").run()
    at.number_input(key=lo).set_value(1.00001).run()
    at.number_input(key=hi).set_value(1.00002).run()
    at.button(key="ex_sw_run").click().run()
    _ok(at)
    assert _figures(at)  # the heatmap of the narrow grid
    at.number_input(key=lo).set_value(-1e308).run()
    at.number_input(key=hi).set_value(1e308).run()
    at.button(key="ex_sw_run").click().run()
    assert not at.exception
    assert at.error
    problems = at.dataframe[-1].value.astype(str).to_numpy().ravel().tolist()  # path, message, value found
    assert any("messaging.per_week" in p for p in problems) and any("1e+308" in p for p in problems), problems
    assert not any(p.strip().lower() == "nan" or "value nan" in p for p in problems), problems
    at.number_input(key=lo).set_value(2.0).run()
    at.number_input(key=hi).set_value(2.0).run()
    assert any("From and To are both 2" in w.value for w in at.warning)
