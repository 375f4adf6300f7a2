"""Run-level state declared in the component contract (``RUN_STATE``) and created once at set-up.

A component declares what it keeps from day to day per run or per brand (own_site's delisting spell,
stored value's liability, compliance's ladders, messaging's fatigue constant); the model creates every
declared run state at set-up as ``model.run_state.<name>``; nothing is created lazily on the model.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sim.model import components
from sim.model import layout as L
from sim.model.component import RunState, RunStates
from sim.model.market import MarketModel
from sim.model.mechanisms import compliance, purchase
from tests.conftest import small

MECHANISMS = Path(components.__file__).parent / "mechanisms"


def fresh(name: str = "head_to_head_japan", **sets: object) -> MarketModel:
    """A model just set up (no day run) of a small preset."""
    return MarketModel(small(name, population=200, days=60, **sets))


def test_every_component_keeps_its_run_state_in_its_declaration() -> None:
    """The run state read across days is declared by the component that owns it, once."""
    owners = {name: [c.NAME for c in components.DECLARING if name in getattr(c, "RUN_STATE", {})]
              for name in L.RUN_STATE}
    assert owners == {
        "fatigue_days": ["messaging"], "ladder_actions": ["compliance"], "ladder_last_day": ["compliance"],
        "delisted_from": ["own_site"], "delisted_until": ["own_site"],
        "stored_value_issued": ["stored_value"], "stored_value_owed": ["stored_value"],
        "pool_members": ["pool"], "pool_members_read": ["pool"],
        "referral_sharers": ["referral"], "referral_joins_read": ["referral"], "traits_written": ["schedule"],
    }


def test_an_object_run_state_starts_empty_and_nothing_else_is_allowed() -> None:
    """An object run state (a carried list per brand) starts at None; another start or a param is refused."""
    model = fresh()
    assert model.run_state.pool_members.dtype == object
    assert all(v is None for v in model.run_state.pool_members)
    with pytest.raises(ValueError, match="starts at None"):
        RunState(("brands",), object, 0)
    with pytest.raises(ValueError, match="starts at None"):
        RunState(("brands",), object, None, param="MP_FATIGUE_DAYS")


def test_a_fresh_model_has_every_declared_run_state_at_its_initial_value() -> None:
    """Shape (brands resolved), dtype and value of every declared run state, before day 0, with two brands."""
    model = fresh()
    assert model.k == 2
    assert set(model.run_state.names()) == set(L.RUN_STATE)
    for name, rs in L.RUN_STATE.items():
        arr = getattr(model.run_state, name)
        assert isinstance(arr, np.ndarray), name
        assert arr.shape == tuple(model.k if d == "brands" else d for d in rs.shape), name
        assert arr.dtype == np.dtype(rs.dtype), name
        expected = model.packed.mp[getattr(L, rs.param)] if rs.param is not None else rs.initial
        assert np.all(arr == expected), name
    assert model.run_state.ladder_actions.shape == (2, len(compliance.LAWS))
    assert model.fatigue_days == float(model.packed.mp[L.MP_FATIGUE_DAYS])
    assert isinstance(model.fatigue_days, float)


def test_two_models_never_share_run_state() -> None:
    """Each run creates its own arrays: a write in one run is invisible to another."""
    a, b = fresh(), fresh()
    a.run_state.delisted_until[0] = 30
    a.run_state.stored_value_owed[1] = 5.0
    assert b.run_state.delisted_until[0] == -1 and b.run_state.stored_value_owed[1] == 0.0
    assert compliance.Ladders.empty(2).actions is not compliance.Ladders.empty(2).actions


def test_listing_reads_the_declared_state_on_a_model_own_site_never_touched() -> None:
    """Without an own site, the brand is listed every day, and listing follows the declared spell.

    (Before the contract declared it, the spell was created lazily by own_site on a model that ran it and
    ``listing`` probed the model with ``getattr``.)
    """
    model = fresh("china_in_china", **{"brands.0.strategy.own_site.setup_day": "null"})
    assert (model.packed.bp[:, L.BP_SITE_DAY] < 0).all()
    model.run_days()
    assert (model.run_state.delisted_until == -1).all()
    assert all(purchase.listing(model, d).tolist() == [1] for d in range(model.days))
    model.run_state.delisted_from[0], model.run_state.delisted_until[0] = 5, 9
    assert [int(purchase.listing(model, d)[0]) for d in (4, 5, 9, 10)] == [1, 0, 0, 1]


def test_run_states_refuse_binding_and_name_undeclared_state() -> None:
    """A step writes into the declared arrays; binding a name, declared or new, is refused."""
    model = fresh()
    with pytest.raises(AttributeError, match="in place"):
        model.run_state.delisted_until = np.zeros(2, dtype=np.int64)
    with pytest.raises(AttributeError, match="in place"):
        model.run_state.my_counter = 1
    with pytest.raises(AttributeError, match="no run state 'my_counter'"):
        _ = model.run_state.my_counter


def test_two_components_declaring_one_name_differently_are_refused() -> None:
    """Like the other tables: a name declared twice must be declared alike, else assembly stops."""
    a = SimpleNamespace(NAME="a", RUN_STATE={"spell": RunState(("brands",), np.int64, -1)})
    same = SimpleNamespace(NAME="b", RUN_STATE={"spell": RunState(("brands",), np.int64, -1)})
    other_dtype = SimpleNamespace(NAME="c", RUN_STATE={"spell": RunState(("brands",), np.float64, -1)})
    other_initial = SimpleNamespace(NAME="d", RUN_STATE={"spell": RunState(("brands",), np.int64, 0)})
    other_shape = SimpleNamespace(NAME="e", RUN_STATE={"spell": RunState(("brands", 2), np.int64, -1)})
    assert list(L.run_state_table([a, same], {})) == ["spell"]
    for b in (other_dtype, other_initial, other_shape):
        with pytest.raises(L.LayoutError, match=r"run state spell: a declares .* " + b.NAME + " declares"):
            L.run_state_table([a, b], {})


def test_bad_run_state_declarations_are_refused() -> None:
    """A name that is no identifier, an undeclared starting parameter, a bad shape or dtype."""
    with pytest.raises(L.LayoutError, match="identifier"):
        L.run_state_table([SimpleNamespace(NAME="a", RUN_STATE={"two words": RunState((), np.float64)})], {})
    with pytest.raises(L.LayoutError, match="MP_NOPE"):
        L.run_state_table([SimpleNamespace(NAME="a", RUN_STATE={"x": RunState((), np.float64, param="MP_NOPE")})],
                          L.MARKET_PARAMS)
    with pytest.raises(ValueError, match="dimension"):
        RunState(("consumers",), np.int64)
    with pytest.raises(ValueError, match="dtype"):
        RunState(("brands",), np.float32)
    with pytest.raises(ValueError, match="needs the packed market parameters"):
        RunStates({"x": RunState((), np.float64, param="MP_FATIGUE_DAYS")}, 1)


def test_compliance_ladders_are_a_view_of_the_run_state() -> None:
    """An enforcement action climbs the ladder kept in the run state (dated; the data law's untouched)."""
    model = fresh("china_in_china")
    assert (compliance.ladders_of(model).actions == 0).all()
    assert compliance.apply_enforcement(model, 0, 3) in (compliance.WARNING, compliance.ORDER)
    assert model.run_state.ladder_actions[0, compliance.MESSAGE_LAW] == 1
    assert model.run_state.ladder_last_day[0, compliance.MESSAGE_LAW] == 3
    assert model.run_state.ladder_last_day[0, compliance.DATA_LAW] == -1e9


def test_stored_value_liability_carried_in_the_run_state_matches_the_last_day() -> None:
    """The liability carried forward is the last day's stock tally, for a brand selling a card."""
    model = MarketModel(small("china_in_china"))
    assert model.packed.bp[0, L.BP_SV_RATE] > 0  # the preset sells a stored-value card
    model.run_days()
    assert model.run_state.stored_value_issued.tolist() == [True]
    owed = model.run_state.stored_value_owed[0]
    assert owed > 0 and owed == model.tally[-1, 0, L.T_SV_LIABILITY]


def test_no_mechanism_probes_or_sets_model_attributes_lazily() -> None:
    """No ``getattr(model, ...)``/``setattr(model, ...)`` in a mechanism: run state is declared instead."""
    lazy = re.compile(r"\b(getattr|setattr|hasattr)\(model\b")
    found = [f"{path.name}:{n}" for path in sorted(MECHANISMS.glob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if lazy.search(line)]
    assert found == []
