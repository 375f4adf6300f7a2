"""Conservation laws checked every day of a run, and the ledger identity.

The model's ``validating`` mode recounts the stage census from the arrays after every day and
compares it with the census carried forward from the flow matrix; it also checks that only members
hold consent, that trust stays in [0, 1] and that money is finite and non-negative. These tests run
presets with every mechanism switched on through that mode, and check the books from independent
angles.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model import components
from sim.model import layout as L
from sim.model.market import InvariantError, MarketModel
from sim.results.result import RunResult
from tests.conftest import small

PRESETS = ["china_in_china", "japan_in_japan", "china_playbook_in_japan", "hybrid_in_japan",
           "head_to_head_japan", "cross_border_seller"]


@pytest.mark.parametrize("name", PRESETS)
def test_every_day_conserves_consumers_and_flows(name: str) -> None:
    """Each consumer is in exactly one stage per brand and flows balance the census, every day."""
    sc = small(name, population=2000, days=200)
    model = MarketModel(sc, validating=True)
    model.run_days()  # raises InvariantError on the first day a law breaks
    assert model.census[-1].sum(axis=1).tolist() == [2000] * len(sc.brands)
    # flows carry the census forward exactly
    carried = model.census[0] + model.flows.sum(axis=(0, 2)) - model.flows.sum(axis=(0, 3))
    assert np.array_equal(carried, model.census[-1])


def test_profit_is_revenue_minus_costs_every_day(china_small: sim.Scenario) -> None:
    """Profit equals revenue minus all costs every day; every declared ledger item is in the books, once.

    Revenue and cost items are taken from the components' own declarations (``LEDGER``, ``REVENUE``),
    not from the tables the results layer uses, and each daily column is compared with the model's
    ledger array: a ledger item left out of the costs, counted twice or mislabelled fails here.
    """
    model = MarketModel(china_small)
    model.run_days()
    d = RunResult.from_model(model).daily
    declared = {const: name for comp in components.DECLARING for const, name in getattr(comp, "LEDGER", {}).items()}
    revenue_consts = {c for comp in components.DECLARING for c in getattr(comp, "REVENUE", ())}
    assert sorted(declared.values()) == sorted(L.MONEY)  # each item declared once, none undeclared
    revenue_names = [declared[c] for c in revenue_consts]
    cost_names = [n for c, n in declared.items() if c not in revenue_consts]
    assert {"membership_fees", "revenue_private", "revenue_public"} <= set(revenue_names)
    assert set(revenue_names) - {"membership_fees", "revenue_private", "revenue_public"} <= {
        name for name in revenue_names if name.startswith("revenue_")} | {"stored_value_breakage"}  # the levers' sales
    # (store, live, own site...) and the breakage of unspent stored value
    for j, name in enumerate(L.MONEY):  # the daily table carries the model's ledger exactly
        assert np.array_equal(d[name].to_numpy(), model.money[:, 0, j]), name
    revenue = sum(model.money[:, 0, getattr(L, c)] for c in revenue_consts)
    costs = sum(model.money[:, 0, L.MONEY.index(n)] for n in cost_names)
    assert np.allclose(d["revenue"].to_numpy(), revenue, rtol=1e-12, atol=1e-6)
    assert np.allclose(d["costs"].to_numpy(), costs, rtol=1e-12, atol=1e-6)
    assert np.allclose(d["profit"].to_numpy(), revenue - costs, rtol=1e-12, atol=1e-6)
    assert costs.sum() > 0 and revenue.sum() > 0


def test_revenue_matches_consumers_spend(china_small: sim.Scenario) -> None:
    """Ledger revenue by channel equals the sum of every consumer's recorded spend (two accounting routes)."""
    model = MarketModel(china_small)
    model.run_days()
    rep = model.rep
    spend_pub = model.pop.pair[L.SPEND_PUB][:, 0].astype(np.float64).sum() * rep
    spend_priv = model.pop.pair[L.SPEND_PRIV][:, 0].astype(np.float64).sum() * rep
    assert model.money[:, 0, L.REV_PUB].sum() == pytest.approx(spend_pub, rel=1e-5)
    assert model.money[:, 0, L.REV_PRIV].sum() == pytest.approx(spend_priv, rel=1e-5)
    # every private purchase was made by a member: members' gross covers private revenue
    assert model.tally[:, 0, L.T_MEMBER_GROSS].sum() >= model.money[:, 0, L.REV_PRIV].sum() - 1e-6


def test_no_message_after_opt_out() -> None:
    """No consumer gets a brand message after opting out of it, unless they rejoined first."""
    sc = small("china_in_china", population=2000, days=365, **{"run.journeys": 2000})
    res = sim.run(sc)
    j = res.journeys.sort_values(["consumer", "day"], kind="stable")
    checked = 0
    for (_, _brand), ev in j.groupby(["consumer", "brand"]):
        opted = False
        for e in ev["event"]:
            if e in ("opted_out", "left_after_breach"):
                opted = True
                checked += 1
            elif e == "joined":
                opted = False
            elif e in ("message", "cold_message"):
                assert not opted, f"message after opt-out: {ev.to_dict('records')}"
    assert checked > 20  # the test saw real opt-outs


def test_opt_in_regime_counts_every_unconsented_message_as_violation() -> None:
    """Under explicit opt-in: lawful brands send nothing unconsented; careless ones log each as a violation."""
    careful = sim.run(small("japan_in_japan", population=2000, days=200))
    assert careful.daily["violations"].sum() == 0
    careless = small("china_playbook_in_japan", population=2000, days=200, **{"run.journeys": 2000})
    model = MarketModel(careless)
    model.run_days()
    t = model.tally[:, 0]
    assert t[:, L.T_VIOLATIONS].sum() > 0
    # independent count from the journeys: cold messages + messages to members without consent
    res = sim.results.RunResult.from_model(model)
    cold = (res.journeys["event"] == "cold_message").sum()
    assert t[:, L.T_COLD].sum() == cold
    assert t[:, L.T_VIOLATIONS].sum() >= cold
    # under consent at join its member messages are lawful; only the cold SMS are violations (MIIT 2015)
    china = sim.run(small("china_in_china", population=2000, days=200))
    assert china.daily["violations"].sum() == china.daily["cold_sends"].sum() > 0


def test_members_only_hold_consent_and_stages_are_valid(japan_small: sim.Scenario) -> None:
    """After a run, consent is held only by members, and every stage code is one of the five."""
    model = MarketModel(japan_small)
    model.run_days()
    p = model.pop
    assert p.stage.max() <= L.LAPSED
    assert not np.any(p.column(L.CONSENT)[p.stage != L.MEMBER])
    share_consent = p.column(L.CONSENT)[p.stage == L.MEMBER].mean()
    assert 0.3 < share_consent < 0.95  # explicit opt-in: some members decline marketing messages


def _give_consent(m: MarketModel, i: int) -> None:
    """Set consumer ``i``'s consent bit with brand 0 (a yes/no state is a bit of the record's flags)."""
    m.pop.pair[L.FLAGS][i, 0] |= L.BIT_CONSENT


@pytest.mark.parametrize(("what", "corrupt"), [
    ("census", lambda m: m.pop.stage.__setitem__((0, 0), (m.pop.stage[0, 0] + 1) % 5)),
    ("consent", lambda m: _give_consent(m, int(np.argmax(m.pop.stage[:, 0] != L.MEMBER)))),
    ("trust", lambda m: m.pop.pair[L.TRUST].__setitem__((0, 0), 1.5)),
    ("points", lambda m: m.pop.pair[L.POINTS].__setitem__((0, 0), -1.0)),
    ("tally", lambda m: m.tally.__setitem__((m.day - 1, 0, L.T_SENDS), -1.0)),
    ("future", lambda m: m.pop.pair[L.LAST_BUY].__setitem__((0, 0), m.day + 5)),
])
def test_validating_checks_catch_a_broken_state(what: str, corrupt) -> None:
    """Each conservation check fails on a state that breaks it (the checks are not vacuous)."""
    model = MarketModel(small("china_in_china", population=500, days=20), validating=True)
    for _ in range(10):
        model.step()
    model.check_invariants(model.day - 1)  # a healthy model passes
    corrupt(model)
    with pytest.raises(InvariantError):
        model.check_invariants(model.day - 1)
