"""The market-entry levers on the dashboard and in the figures.

The editor's lever forms write into the YAML; the what-if page sets them on either side; the journey,
Sankey and waterfall labels exist in three languages.
"""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from sim.figures.flows import waterfall_figure  # noqa: E402
from sim.i18n import t  # noqa: E402
from sim.model import layout as L  # noqa: E402
from tests.apptest_helpers import assert_ok, open_page, use_test_sizes  # noqa: E402

TIMEOUT = 300
LEVER_MONEY = ("revenue_store", "store_costs", "event_costs", "live_host_fees", "live_discounts", "own_site_costs",
               "own_site_ads")


@pytest.fixture(autouse=True)
def _test_size(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_sizes(monkeypatch)


def test_editor_lever_form_writes_the_lever_into_the_yaml() -> None:
    """Setting touchpoints in the stores form and applying writes them into the brand's YAML, still valid."""
    at = open_page("editor", timeout=TIMEOUT)
    assert "touchpoints: 5" in at.text_area(key="ed_text").value  # the Japan preset captures in 5 stores
    at.number_input(key="ed_lever_stores_touchpoints").set_value(12)
    at.number_input(key="ed_lever_stores_cost_per_touchpoint_day").set_value(25_000.0)
    submit = [b for b in at.button if "Write into the YAML" in str(b.label)][0]
    submit.click().run()
    assert_ok(at)
    text = at.text_area(key="ed_text").value
    assert "touchpoints: 12" in text and "cost_per_touchpoint_day: 25000" in text
    assert at.success  # the edited scenario is valid
    off = [b for b in at.button if "Switch this lever off" in str(b.label)][0]
    off.click().run()
    assert_ok(at)
    assert "touchpoints: 0" in at.text_area(key="ed_text").value


def test_editor_lever_form_refuses_a_bad_value_with_its_field() -> None:
    """A share above 1 is refused with the field named; the YAML is left unchanged."""
    at = open_page("editor", timeout=TIMEOUT)
    before = at.text_area(key="ed_text").value
    at.number_input(key="ed_lever_stores_signup_share").set_value(1.5)
    [b for b in at.button if "Write into the YAML" in str(b.label)][0].click().run()
    assert not at.exception
    from dashboard.text import md

    assert at.error and md("brands.0.strategy.stores.signup_share") in at.error[0].value
    assert md("must be at most 1") in at.error[0].value and md("(found 1.5)") in at.error[0].value
    assert at.text_area(key="ed_text").value == before


def test_whatif_sets_the_entry_levers() -> None:
    """The what-if page's entry levers become overrides of the variant side."""
    at = open_page("whatif", timeout=TIMEOUT)
    key = next(s.key for s in at.slider if s.key.endswith("b_stores"))
    at.slider(key=key).set_value(10).run()
    assert_ok(at)
    live = next(s.key for s in at.slider if s.key.endswith("b_live"))
    at.slider(key=live).set_value(2.0).run()
    assert_ok(at)
    code = at.code[0].value
    b_part = code.split("# B")[1]
    assert "stores.touchpoints=10" in b_part and "livestream.sessions_per_week=2.0" in b_part
    assert "own_site.setup_day=null" in b_part


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_new_sources_events_and_ledger_items_are_labelled(lang: str) -> None:
    """Journeys (join sources, events) and the waterfall (ledger items) label every lever's column."""
    for name in ("store", "event", "live", "own_site"):
        assert name in L.SOURCES
        assert t(f"source.{name}", lang) != f"source.{name}"
    for name in ("bought_in_store", "visited_event", "watched_live", "bought_live", "visited_own_site",
                 "bought_own_site", "diversion_card"):
        assert t(f"event.{name}", lang) != f"event.{name}"
    breakdown = {m: 0.0 for m in L.MONEY} | {m: 1_000.0 for m in LEVER_MONEY} | {"revenue_public": 50_000.0}
    import pandas as pd

    fig = waterfall_figure(pd.Series(breakdown), lang=lang)
    labels = list(fig.data[0].x)
    for m in LEVER_MONEY:
        assert t(f"money.{m}", lang) in labels


def test_sankey_draws_joins_from_their_sources_and_conserves_people() -> None:
    """With joins by source, moves into the pool come from one node per source (labelled), same total."""
    import pandas as pd

    from sim.figures.flows import mean_joins, sankey_figure

    flows = pd.DataFrame({"from": ["unaware", "aware", "customer", "member"],
                          "to": ["aware", "member", "member", "lapsed"], "people": [1000.0, 300.0, 100.0, 50.0]})
    frames = [pd.DataFrame({"day": [0, 1], "daily.joins_store": [100.0, 140.0], "daily.joins_live": [60.0, 60.0],
                            "daily.joins_organic": [40.0, 0.0]})]
    joins = mean_joins(frames, 1)
    assert joins["store"] == 240.0 and joins["live"] == 120.0 and joins["kol"] == 0.0
    for lang in ("en", "zh", "ja"):
        fig = sankey_figure(flows, lang=lang, joins=joins)
        link, labels = fig.data[0].link, list(fig.data[0].node.label)
        into_pool = len(L.STAGES) + L.STAGES.index("member")
        assert sum(v for d, v in zip(link.target, link.value, strict=True) if d == into_pool) == pytest.approx(400.0)
        assert t("source.store", lang) in labels and t("source.live", lang) in labels
        assert t("source.kol", lang) not in labels
    plain = sankey_figure(flows)
    assert len(plain.data[0].node.label) == 2 * len(L.STAGES)
