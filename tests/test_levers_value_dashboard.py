"""Stored value, member benefits and cross-sell on the dashboard and in the figures (issue 13 items 4 and 6).

The editor's lever forms write them into the YAML; the what-if page sets them on the variant side; the
journey and waterfall labels exist in three languages.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("streamlit")

from sim.figures.flows import waterfall_figure  # noqa: E402
from sim.i18n import t  # noqa: E402
from sim.model import layout as L  # noqa: E402
from tests.apptest_helpers import assert_ok, open_page, use_test_sizes  # noqa: E402

TIMEOUT = 300
EDITOR = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "editor.py"
VALUE_MONEY = ("stored_value_breakage", "stored_value_bonus", "member_benefits")


@pytest.fixture(autouse=True)
def _test_size(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_sizes(monkeypatch)


def test_editor_writes_stored_value_and_refuses_a_bonus_above_one() -> None:
    """The stored-value form writes its values into the YAML; a bonus of 150% is refused with its field."""
    at = open_page("editor", timeout=TIMEOUT)
    at.number_input(key="ed_lever_stored_value_topup_rate").set_value(3.0)
    at.number_input(key="ed_lever_stored_value_bonus").set_value(0.2)
    forms = [b for b in at.button if "Write into the YAML" in str(b.label)]
    order = [line.split('"')[1] for line in EDITOR.read_text(encoding="utf-8").split("LEVER_FIELDS: dict")[1]
             .split("\n}")[0].splitlines() if line.startswith('    "')]  # the forms, in the page's order
    forms[order.index("stored_value")].click().run()
    assert_ok(at)
    text = at.text_area(key="ed_text").value
    assert "topup_rate: 3.0" in text and "bonus: 0.2" in text
    before = text
    at.number_input(key="ed_lever_stored_value_bonus").set_value(1.5)
    [b for b in at.button if "Write into the YAML" in str(b.label)][order.index("stored_value")].click().run()
    from dashboard.text import md

    assert at.error and md("brands.0.strategy.stored_value.bonus") in at.error[0].value
    assert md("(found 1.5)") in at.error[0].value and at.text_area(key="ed_text").value == before


def test_whatif_sets_top_ups_and_benefits_on_the_variant() -> None:
    """The lock-in levers of the what-if page (top-ups, benefits, cross-sell) become overrides of side B."""
    at = open_page("whatif", timeout=TIMEOUT)
    key = next(s.key for s in at.slider if s.key.endswith("b_topups"))
    at.slider(key=key).set_value(4.0).run()
    assert_ok(at)
    b_part = at.code[0].value.split("# B")[1]
    assert "stored_value.topup_rate=4.0" in b_part and "member_benefits.cost_per_member_year=" in b_part
    xsell = next(s.key for s in at.slider if s.key.endswith("b_xsell"))
    at.slider(key=xsell).set_value(0.2).run()
    assert_ok(at)
    assert "cross_sell.trial_rate=0.2" in at.code[0].value.split("# B")[1]


@pytest.mark.parametrize("lang", ["en", "zh", "ja"])
def test_events_and_ledger_items_are_labelled(lang: str) -> None:
    """Journeys (events) and the waterfall (ledger items) label the lock-in levers' columns."""
    for name in ("topped_up", "tried_line", "bought_line"):
        assert name in L.EVENTS and t(f"event.{name}", lang) != f"event.{name}"
    for name in ("stored_value", "cross_sell"):
        assert t(f"mechanism.{name}", lang) != f"mechanism.{name}"
        assert t(f"editor.lever.{name}", lang) != f"editor.lever.{name}"
    breakdown = {m: 0.0 for m in L.MONEY} | {m: 1_000.0 for m in VALUE_MONEY} | {"revenue_private": 50_000.0}
    labels = list(waterfall_figure(pd.Series(breakdown), lang=lang).data[0].x)
    for m in VALUE_MONEY:
        assert t(f"money.{m}", lang) in labels
