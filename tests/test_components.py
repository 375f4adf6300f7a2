"""The component contract: declarations, assembled tables, parameter packing, slot plans and the daily list."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim.model import components, rng
from sim.model import layout as L
from sim.model.brand import sends_on_day
from sim.model.component import (
    DAY,
    MAX_BRANDS,
    MAX_DAYS,
    MAX_PARTNERS,
    MAX_SENDS_PER_DAY,
    Param,
    SlotPlanError,
    Slots,
    check_slot_plans,
)
from sim.model.market import MarketModel
from sim.model.mechanisms import referral
from sim.model.params import pack
from tests.conftest import small

#: The levers of issue 13, in their daily place (between referral and compliance).
LEVERS = ["own_site", "stores", "livestream", "group_buying", "cross_sell", "stored_value"]

MODEL_SOURCES = "\n".join(p.read_text() for p in sorted((Path(L.__file__).parent).rglob("*.py")))
REFERENCE_SOURCES = "\n".join(p.read_text() for p in sorted((Path(L.__file__).parents[1] / "reference").glob("*.py")))


def _declarers(kind: str, const: str) -> list[str]:
    return [c.NAME for c in components.DECLARING if const in getattr(c, kind, {})]


# ---- the slot plans ----------------------------------------------------------------------------------
def test_declared_slot_plans_cannot_overlap_for_any_admitted_scenario() -> None:
    """The check run at import passes for the schema's bounds, over every plan every component declares."""
    plans = L.SLOT_PLANS
    assert {name for name, _ in plans} >= {"acquisition", "purchase", "messaging", "referral", "compliance"}
    checked = check_slot_plans(plans)
    assert checked >= 8 * 30  # every brand's ranges of every stream were compared
    assert MAX_BRANDS == 8 and MAX_PARTNERS == 8 and MAX_DAYS == 3650


def test_the_bound_on_messages_a_day_is_the_schema_bound() -> None:
    """No admitted cadence sends more messages in a day than the messaging plan has room for."""
    most = max(sends_on_day(70.0, d) for d in range(7 * 20))
    assert most == MAX_SENDS_PER_DAY == 10
    assert max(sends_on_day(70.0 - 0.5, d) for d in range(7 * 20)) <= MAX_SENDS_PER_DAY


def test_check_catches_overlaps_and_plans_that_do_not_fit() -> None:
    """Overlapping ranges, ranges outside their block, shared ranges inside the blocks, close day offsets."""
    a = Slots(rng.PURCHASE, block=8, ranges={"x": (0, 4)})
    b = Slots(rng.PURCHASE, block=8, ranges={"y": (3, 2)})
    with pytest.raises(SlotPlanError, match="overlap"):
        check_slot_plans([("a", a), ("b", b)])
    check_slot_plans([("a", a), ("b", Slots(rng.PURCHASE, block=8, ranges={"y": (4, 4)}))])
    with pytest.raises(SlotPlanError, match="does not fit"):
        check_slot_plans([("a", Slots(rng.PURCHASE, block=8, ranges={"x": (6, 3)}))])
    with pytest.raises(SlotPlanError, match="inside the brands' blocks"):
        check_slot_plans([("a", Slots(rng.PURCHASE, block=8, ranges={"x": (0, 1)}, shared={"s": (60, 1)}))])
    with pytest.raises(SlotPlanError, match="closer than the longest horizon"):
        check_slot_plans([("a", Slots(rng.COMPLIANCE, block=1, ranges={"x": (0, 1)})),
                          ("b", Slots(rng.COMPLIANCE, block=1, ranges={"x": (0, 1)}, day_offset=1000))])


def test_the_old_mixed_network_slots_would_be_caught() -> None:
    """The mixed population's contacts once drew from slots 1000 + m of the referral key.

    Brand 1's share draws (4096...) and brand 0's contact draws (1000..3002) use those slots too.
    """
    old = Slots(rng.REFERRAL, block=4096, ranges=dict(referral.DAY_SLOTS.ranges), shared={"mixed": (1000, 1_000_000)})
    with pytest.raises(SlotPlanError):
        check_slot_plans([("referral", old)])
    assert referral.DAY_SLOTS.first("mixed_contacts") >= referral.DAY_SLOTS.block * MAX_BRANDS


def test_no_bare_slot_literals_in_kernels() -> None:
    """Kernels name their slots through the declared plans: no ``32 * k``, ``256 * k``, ``d + 100_000``."""
    for pattern in (r"\b(8|32|256|4096) \* k\b", r"[ij], slot \+ \d", r"\+ 100_000", r"\+ 200_000", r"1000 \+ m"):
        assert not re.search(pattern, MODEL_SOURCES), pattern


# ---- assembled tables -----------------------------------------------------------------------------------
def test_every_output_column_has_exactly_one_declaring_component() -> None:
    """Each ledger item, tally, event and state column is declared by one component (its owner)."""
    for kind, names in (("LEDGER", L.MONEY), ("TALLIES", L.TALLY), ("EVENTS", L.EVENTS)):
        table = {c: n for comp in components.DECLARING for c, n in getattr(comp, kind, {}).items()}
        assert sorted(table.values()) == sorted(names), kind
        for const in table:
            assert len(_declarers(kind, const)) == 1, (kind, const, _declarers(kind, const))
    for const in L.STATE:
        assert len(_declarers("STATE", const)) == 1, const


def test_revenue_items_come_first_and_costs_are_the_rest() -> None:
    """Revenue items are declared as such and lead the ledger (results sum them by index)."""
    assert L.REVENUE_ITEMS == tuple(range(len(L.REVENUE_ITEMS)))
    assert set(L.REVENUE_ITEMS) | set(L.COST_ITEMS) == set(range(L.N_MONEY))
    revenue = [L.MONEY[i] for i in L.REVENUE_ITEMS]
    assert revenue[:3] == ["revenue_public", "revenue_private", "membership_fees"]  # the published ones first
    declared = {comp.LEDGER[c] for comp in components.DECLARING for c in getattr(comp, "REVENUE", ())}
    assert set(revenue) == declared  # then the revenue items the levers declare, and nothing else


def test_every_declared_parameter_is_read_and_every_event_and_tally_written() -> None:
    """No packed column nobody reads, no event nobody emits, no tally nobody writes (dead things stay out)."""
    columns = [const for table in L.TABLES.values() for const in table.columns]
    for const in [*L.MARKET_PARAMS, *L.BRAND_PARAMS, *columns]:
        uses = len(re.findall(rf"L\.{const}\b", MODEL_SOURCES))
        assert uses >= 1, f"{const} is packed but no code of the model reads it"
    for const in [c for comp in components.DECLARING for c in getattr(comp, "EVENTS", {}) if c != "E_NONE"]:
        assert re.search(rf"L\.{const}\b", MODEL_SOURCES), f"event {const} is never emitted"
    for const in [c for comp in components.DECLARING for c in getattr(comp, "TALLIES", {})]:
        if getattr(L, const) in L.JOIN_TALLY_OF_SOURCE:  # joins are counted by source in state.join_pool
            assert re.search(r"L\.JOIN_TALLY_OF_SOURCE\[source\]", MODEL_SOURCES)
            continue
        assert re.search(rf"L\.{const}\b", MODEL_SOURCES), f"tally {const} is never written"
    for dead in ("MP_NSEG", "MP_NPARTNERS", "BP_COLD", "E_MSG_PURCHASE", "E_SEEDED"):
        assert not hasattr(L, dead), dead
    assert "message_purchase" not in L.EVENTS and "seeded" not in L.EVENTS


def test_every_parameter_has_a_schema_path_unit_and_source() -> None:
    """Each declared parameter names a schema field; unit and source come from it or are declared."""
    for const, param in {**L.MARKET_PARAMS, **L.BRAND_PARAMS}.items():
        unit, source = param.describe()
        assert unit and source, const


def test_every_field_of_a_table_item_is_a_column_read_by_the_model() -> None:
    """A packed table (cross-sell's lines) has a column for every numeric field of its schema item, each read.

    The table replaces one packed parameter per line and field (``BP_XS_BASKET_1..5``...), so this is the
    check the parameters had: nothing of a line is left unpacked, no column is packed that no code reads,
    the kernels take the table (``prm.<name>``), and each column has a unit and a source.
    """
    from sim.model.component import schema_bound
    from sim.model.params import Params
    from sim.scenario.schema import CrossSell

    assert "lines" in L.TABLES
    for name, table in L.TABLES.items():
        assert sorted(table.columns.values()) == sorted(table.numeric_fields()), name
        assert table.numeric_fields() and all(f != "name" for f in table.numeric_fields())
        for const, field in table.columns.items():
            assert re.search(rf"L\.{const}\b", MODEL_SOURCES), f"{name}.{field} ({const}) is packed but never read"
            unit, source = table.describe(field)
            assert unit and source, (name, field)
        assert name in Params._fields and re.search(rf"prm\.{name}\b", MODEL_SOURCES)
    assert L.TABLES["lines"].rows == schema_bound(CrossSell, "lines", "max_length")  # room for every line
    assert not [c for c in L.BRAND_PARAMS if c.startswith(("BP_XS_BASKET", "BP_XS_REP"))]  # one place per value


def test_the_reference_reads_parameters_through_the_declarations() -> None:
    """The Mesa reference keeps no parameter list of its own: it reads the packed, declared columns."""
    assert "pack(" in REFERENCE_SOURCES
    assert not re.search(r"\b(regime|platforms|behaviour)\.[a-z_]+", REFERENCE_SOURCES)


# ---- packing -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("override", "const", "value"), [
    ("market.behaviour.trust_up=0.123", "MP_TRUST_UP", 0.123),
    ("market.regime.breach.fine=777", "MP_BREACH_FINE", 777.0),
    ("market.platforms.cpm_base=41", "MP_CPM_BASE", 41.0),
    ("brands.0.strategy.messaging.per_week=5", "BP_PER_WEEK", 5.0),
    ("brands.0.strategy.referral.neutral=true", "BP_REF_NEUTRAL", 1.0),
])
def test_pack_puts_each_schema_value_in_its_declared_column(override: str, const: str, value: float) -> None:
    """Changing one schema field changes exactly its declared column of the packed vectors."""
    base = pack(small("china_in_china", population=200, days=5))
    moved = pack(small("china_in_china", population=200, days=5, **dict([override.split("=")])))
    vec = "mp" if const.startswith("MP_") else "bp"
    row_a, row_b = getattr(base, vec), getattr(moved, vec)
    if vec == "bp":
        row_a, row_b = row_a[0], row_b[0]
    col = getattr(L, const)
    assert row_b[col] == pytest.approx(value)
    assert set(np.flatnonzero(row_a != row_b).tolist()) <= {col}


def test_pack_puts_each_line_field_in_its_cell_of_the_line_table() -> None:
    """Line j's basket and repurchase multipliers land in ``lines[k, j, column]``; missing lines are ones."""
    lines = ("[{name: main}, {name: masks, basket_multiplier: 0.5, repurchase_multiplier: 2},"
             " {name: serum, basket_multiplier: 3.25, repurchase_multiplier: 0}]")
    base = pack(small("head_to_head_japan", population=200, days=5))
    pk = pack(small("head_to_head_japan", population=200, days=5, **{"brands.1.strategy.cross_sell.lines": lines}))
    assert pk.lines.shape == (2, 6, 2) and pk.lines.dtype == np.float64
    assert pk.params.lines is pk.lines
    want = np.ones((6, 2))
    want[1] = (0.5, 2.0)
    want[2] = (3.25, 0.0)
    assert np.array_equal(pk.lines[1][:, [L.LINE_BASKET, L.LINE_REPURCHASE]], want)
    assert np.array_equal(pk.lines[0], np.ones((6, 2)))  # brand 0 sells its main line only
    assert np.array_equal(base.lines, np.ones((2, 6, 2)))
    assert pk.bp[1, L.BP_XS_LINES] == 3 and set(np.flatnonzero(pk.bp[1] != base.bp[1]).tolist()) == {L.BP_XS_LINES}


def test_declared_state_is_allocated_with_its_initial_values() -> None:
    """Every declared state column exists by name with its initial value before day 0."""
    model = MarketModel(small("china_in_china", population=300, days=3))
    cols = model.pop.columns()
    for st in L.STATE.values():
        assert st.name in cols
        if st.name not in ("trust", "joined", "source", "consent", "referrer", "paid", "tier", "points",
                           "spend_member", "opted_out", "cooloff"):  # seed members joined before day 0
            assert np.all(cols[st.name] == st.initial), st.name
    assert cols["last_purchase"].dtype == np.dtype(DAY) and cols["trust"].dtype == np.float32


# ---- the day is a list -----------------------------------------------------------------------------------
def test_the_day_runs_the_components_in_order_and_times_each() -> None:
    """``step`` runs the declared list in order; ``timings`` has one entry per component name."""
    model = MarketModel(small("china_in_china", population=300, days=4))
    ran: list[str] = []

    class Spy:
        def __init__(self, comp):
            self.NAME, self._comp = comp.NAME, comp

        def step(self, m, day):
            ran.append(self.NAME)
            self._comp.step(m, day)

    model.components = tuple(Spy(c) for c in model.components)
    model.step()
    assert ran == ["schedule", "plan", "auction", "acquisition", "purchase", "membership", "messaging", "referral",
                   *LEVERS, "compliance", "books"]
    assert list(model.timings) == ran and all(v >= 0 for v in model.timings.values())
    assert [c.NAME for c in components.DAILY] == ran


def test_a_new_component_appends_columns_and_moves_none() -> None:
    """Columns a new component declares come after the published ones (revenue after old revenue)."""
    declared = {c: n for comp in components.DECLARING for c, n in getattr(comp, "LEDGER", {}).items()}
    revenue = tuple(c for comp in components.DECLARING for c in getattr(comp, "REVENUE", ()))
    grown = L._ordered("money", {**declared, "C_EXAMPLE": "example_fees", "REV_EXAMPLE": "example_revenue"},
                       first=(*revenue, "REV_EXAMPLE"))
    names = [n for _, n in grown]
    n_rev = len(L.REVENUE_ITEMS)
    assert names[: n_rev + 1] == [*(L.MONEY[i] for i in L.REVENUE_ITEMS), "example_revenue"]
    assert names[:3] == ["revenue_public", "revenue_private", "membership_fees"]
    old_costs = [L.MONEY[i] for i in L.COST_ITEMS]
    assert names[n_rev + 1:] == [*old_costs, "example_fees"]
    tallies = {c: n for comp in components.DECLARING for c, n in getattr(comp, "TALLIES", {}).items()}
    assert [n for _, n in L._ordered("tally", {**tallies, "T_EXAMPLE": "example_tally"})] == [*L.TALLY, "example_tally"]


def test_contradicting_or_missing_declarations_are_refused() -> None:
    """The same constant declared two ways, or a published column nobody declares, stops the assembly."""
    with pytest.raises(L.LayoutError, match="MP_X"):
        L._merge("parameter", [("a", {"MP_X": Param("market.behaviour.trust_up")}),
                               ("b", {"MP_X": Param("market.behaviour.trust_down")})])
    assert L._merge("parameter", [("a", {"MP_X": Param("market.represents")}),
                                  ("b", {"MP_X": Param("market.represents")})]) == {"MP_X": Param("market.represents")}
    with pytest.raises(L.LayoutError, match="declared by no component"):
        L._ordered("tally", {"T_SENDS": "sends"})


def test_the_model_layer_imports_nothing_above_it() -> None:
    """sim/model imports only itself and the input layer (sim.scenario): no sim.api, results, analysis, CLI."""
    import ast

    for path in sorted(Path(L.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name == "sim" or name.startswith("sim."):
                    assert name.startswith(("sim.model", "sim.scenario")), f"{path.name} imports {name}"
