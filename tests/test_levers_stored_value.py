"""Stored-value cards and member benefits (sim/model/mechanisms/stored_value.py).

Off limit, direction (lock-in: more private purchases, fewer lapses), the ledger's accounting (cash in
advance is a liability, revenue on spending, the bonus a cost, breakage), benefits' cost and dropout
relief, refused bad values.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import SimInputError
from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms.stored_value import bonus_cost, lock_in_multiplier, topup_chance
from sim.results import kpis as K
from sim.results.result import RunResult
from tests.conftest import daily, lever_model

S = "brands.0.strategy"
SV = f"{S}.stored_value"
MB = f"{S}.member_benefits"
OFF = {f"{SV}.topup_rate": 0, f"{MB}.cost_per_member_year": 0}  # (the China preset sells stored-value cards)
CARDS = {**OFF, f"{SV}.topup_rate": 6, f"{SV}.amount": 1_000, f"{SV}.bonus": 0.1}


def run(preset: str = "china_in_china", days: int = 200, **sets: object) -> MarketModel:
    """A validated small run of the preset with the overrides, finished."""
    return lever_model(preset, days, **sets)


col = daily  # one daily ledger item or tally of brand 0


@pytest.fixture(scope="module")
def base() -> MarketModel:
    """The preset without cards or benefits."""
    return run(**OFF)


@pytest.fixture(scope="module")
def cards() -> MarketModel:
    """The preset with stored-value cards: six top-ups a year for a member whose balance runs out."""
    return run(**CARDS)


def test_switched_off_it_changes_no_number(base: MarketModel) -> None:
    """No top-up rate and no benefits cost: every other setting is inert, every array equals the lever-free run."""
    off = run(**{**OFF, f"{SV}.amount": 9e6, f"{SV}.bonus": 1.0, f"{SV}.repurchase_lift": 5.0,
                 f"{SV}.dropout_multiplier": 0.0, f"{SV}.breakage_share": 1.0, f"{MB}.dropout_relief": 0.95})
    for name in ("money", "tally", "flows", "census"):
        assert np.array_equal(getattr(off, name), getattr(base, name)), name
    assert np.array_equal(off.pop.stage, base.pop.stage) and np.array_equal(off.pop.pair, base.pop.pair)
    for name in ("stored_value_bonus", "stored_value_breakage", "member_benefits", "stored_value_cash",
                 "stored_value_liability", "purchases_stored_value"):
        assert not col(base, name).any(), name
    assert not base.pop.pair["stored_value"].any()


def test_cards_lock_purchases_into_the_private_channel(base: MarketModel, cards: MarketModel) -> None:
    """Holders buy more, through the private channel, and lapse less (common random numbers)."""
    assert col(cards, "stored_value_topups").sum() > 50 and col(cards, "purchases_stored_value").sum() > 50
    assert col(cards, "purchases_private").sum() > col(base, "purchases_private").sum()
    share = lambda m: col(m, "revenue_private").sum() / (col(m, "revenue_private") + col(m, "revenue_public")).sum()  # noqa: E731
    assert share(cards) > share(base)


def test_a_balance_cuts_dropout() -> None:
    """With the purchase lift switched off (more purchases mean more BG/NBD dropout draws), holders lapse less.

    (A 200-day run has about 20 lapsed members either way: too few to show the direction, so this one
    runs the dropout multiplier alone, strongly, over two years.)
    """
    plain = run(days=730, **OFF)
    held = run(days=730, **{**CARDS, f"{SV}.repurchase_lift": 0.0, f"{SV}.dropout_multiplier": 0.2,
                            f"{SV}.topup_rate": 52})
    assert col(held, "purchases_stored_value").sum() > 200
    assert col(held, "lapsed_members").sum() < 0.8 * col(plain, "lapsed_members").sum()


def test_cash_in_advance_is_a_liability_and_revenue_is_recognised_on_spending(cards: MarketModel) -> None:
    """Cash x (1 + bonus) = spent + broken + still owed (face value); the bonus part of what is spent is a cost.

    The cash of a top-up is no revenue: on a day with top-ups and no balance spent, revenue is what
    the run without that day's top-ups books (checked through the identity: top-ups book no revenue item).
    """
    rep = cards.rep
    cash = col(cards, "stored_value_cash").sum()
    spent = col(cards, "stored_value_spent").sum()
    broken = col(cards, "stored_value_breakage").sum() / rep
    owed = col(cards, "stored_value_liability")[-1]
    assert cash > 0 and spent > 0 and owed > 0
    assert cash * 1.1 == pytest.approx(spent + broken + owed, rel=1e-5)
    assert owed == pytest.approx(float(cards.pop.pair["stored_value"][:, 0].astype(np.float64).sum()), rel=1e-6)
    assert col(cards, "stored_value_bonus").sum() == pytest.approx((spent + broken) * rep * 0.1 / 1.1, rel=1e-6)
    # the stock only moves by top-ups (up) and spending or breakage (down)
    liab = col(cards, "stored_value_liability")
    change = np.diff(liab)
    flows = (col(cards, "stored_value_cash") * 1.1 - col(cards, "stored_value_spent")
             - col(cards, "stored_value_breakage") / rep)[1:]
    assert np.allclose(change, flows, rtol=1e-4, atol=1e-2)
    result = RunResult.from_model(cards)
    assert "stored_value_liability" in result.daily and "stored_value_cash" not in L.MONEY
    assert (cards.pop.pair["stored_value"][:, 0] >= 0).all()


def test_breakage_writes_off_a_lapsed_holders_balance() -> None:
    """breakage_share 1: a holder's balance is income the day they lapse; no lapsed consumer is owed anything."""
    sets = {**CARDS, f"{SV}.breakage_share": 1.0, f"{SV}.dropout_multiplier": 1.0}
    m = run(**sets)
    assert col(m, "stored_value_breakage").sum() > 0
    lapsed = m.pop.stage[:, 0] == L.LAPSED
    assert lapsed.any() and not m.pop.pair["stored_value"][lapsed, 0].any()
    kept = run(**{**sets, f"{SV}.breakage_share": 0.0})
    assert not col(kept, "stored_value_breakage").any()
    assert kept.pop.pair["stored_value"][kept.pop.stage[:, 0] == L.LAPSED, 0].sum() > 0  # still owed


def test_more_bonus_more_cost_and_more_lift_more_purchases(cards: MarketModel) -> None:
    """Direction: a larger repurchase lift buys more from the balance; a larger bonus costs more per sale."""
    lifted = run(**{**CARDS, f"{SV}.repurchase_lift": 2.0})
    assert col(lifted, "purchases_stored_value").sum() > col(cards, "purchases_stored_value").sum()
    generous = run(**{**CARDS, f"{SV}.bonus": 0.5})
    per_sale = lambda m: col(m, "stored_value_bonus").sum() / col(m, "stored_value_spent").sum()  # noqa: E731
    assert per_sale(generous) > 2 * per_sale(cards)


def test_member_benefits_cost_per_member_and_cut_dropout(base: MarketModel) -> None:
    """Benefits cost members x cost / 365 a day (closed form) and cut members' lapses (common random numbers)."""
    on = run(**{**OFF, f"{MB}.cost_per_member_year": 365.0, f"{MB}.dropout_relief": 0.9})
    counted = col(on, "trust_members")  # members the purchase pass counted; benefits count members at their step
    cost = col(on, "member_benefits")
    assert cost.sum() > 0
    members_at_step = cost / on.rep  # 365 / 365 = 1 currency a member a day
    assert np.allclose(members_at_step, np.round(members_at_step))
    assert abs(members_at_step.sum() - counted.sum()) < 0.2 * counted.sum()
    assert col(on, "lapsed_members").sum() < 0.5 * col(base, "lapsed_members").sum()
    assert "member_benefits" in K.MEMBER_COSTS and "member_benefits" in K.MARKETING_SPEND


def test_functional_forms() -> None:
    """The documented forms: the top-up chance, the bonus cost and the lock-in multiplier."""
    assert topup_chance(365.0) == pytest.approx(1 - np.exp(-1.0))
    assert topup_chance(0.0) == 0.0
    assert bonus_cost(1100.0, 0.1) == pytest.approx(100.0)
    assert lock_in_multiplier(1.0, 0.0) == 1.0 and lock_in_multiplier(0.5, 0.2) == pytest.approx(0.4)


@pytest.mark.parametrize(("field", "value", "expected"), [
    (f"{SV}.bonus", 1.5, "at most 1"), (f"{SV}.amount", -100, "greater than 0"), (f"{SV}.topup_rate", -1, "at least 0"),
    (f"{SV}.breakage_share", 2, "at most 1"), (f"{SV}.dropout_multiplier", 1.5, "at most 1"),
    (f"{MB}.cost_per_member_year", -5, "at least 0"), (f"{MB}.dropout_relief", 0.99, "at most 0.95"),
])
def test_bad_values_are_refused_with_field_value_and_expected(field: str, value: object, expected: str) -> None:
    """A bad value names its field, the value and what was expected."""
    with pytest.raises(SimInputError) as info:
        sim.resolve("china_in_china", [f"{field}={value}"])
    message = str(info.value)
    assert field in message and str(value) in message and expected in message


def test_skipping_chooses_each_member_independently_with_the_days_chance() -> None:
    """Geometric gaps between chosen members are the same as one Bernoulli(p) trial per member."""
    from numba import njit

    from sim.model.mechanisms.stored_value import skip, topup_chance
    from sim.model.rng import key

    @njit
    def chosen(key_day, n, p):
        out = np.zeros(n, dtype=np.uint8)
        log_q = np.log1p(-p)
        draws = 0
        gap = skip(key_day, 0, 3, log_q)
        for i in range(n):
            if gap != 0:
                gap -= 1
                continue
            out[i] = 1
            draws += 1
            gap = skip(key_day, draws, 3, log_q)
        return out

    p = topup_chance(12.0)  # a top-up a month: about 3.2% a day
    n, days = 50_000, 40
    picks = np.stack([chosen(key(7, 25, d), n, p) for d in range(days)])
    trials = n * days
    sd = (p * (1 - p) / trials) ** 0.5
    assert abs(picks.mean() - p) < 4 * sd  # the chance per member and day
    halves = picks[:, : n // 2].mean(), picks[:, n // 2:].mean()
    assert abs(halves[0] - halves[1]) < 6 * sd  # no position in the scan is favoured
    per_member = picks.sum(axis=0)  # Binomial(days, p) for each member: its variance, not a clumped one
    assert per_member.var() == pytest.approx(days * p * (1 - p), rel=0.1)
    assert not np.array_equal(picks[0], picks[1])  # a new draw each day


# ---- the members who may top up, listed without a pass over everyone (issue 12) -------------------------------
def test_member_list_survives_an_overflowing_join_log_and_a_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bit-identical top-ups whether the join log holds a day's joins or overflows (a rescan); a paused card.

    The validating run checks the carried list against a scan of everyone and the census every day; a
    phase stops top-ups from day 100 and resumes them from day 200 (the list is rebuilt on resumption).
    """
    from sim.model import market

    sets = {**CARDS, f"{SV}.topup_rate": 52, f"{S}.phases": "[{from_day: 100, set: {stored_value: {topup_rate: 0}}},"
                                                            " {from_day: 200, set: {stored_value: {topup_rate: 52}}}]",
            f"{MB}.cost_per_member_year": 100}
    roomy = lever_model("china_in_china", 300, 6000, **sets)
    topups = col(roomy, "stored_value_topups")
    assert topups[:100].sum() > 50 and not topups[100:200].any() and topups[200:].sum() > 200
    assert (col(roomy, "member_benefits")[5:] > 0).all()
    assert roomy.journal.joins.shape[0] >= 4096
    monkeypatch.setattr(market, "empty_joins", lambda n: (np.zeros((2, 2), dtype=np.int32), np.zeros(1, np.int64)))
    tight = lever_model("china_in_china", 300, 6000, **sets)  # two joins a day at most: most days rescan
    assert tight.journal.joins.shape[0] == 2
    for name in ("money", "tally", "flows", "census"):
        assert np.array_equal(getattr(tight, name), getattr(roomy, name)), name
    assert np.array_equal(tight.pop.pair, roomy.pop.pair)


def test_benefits_count_the_census_members_of_the_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Benefits alone (no card): a day's members are the census at its end plus the members compliance moved out.

    The step counts the census before the day moved by its flows so far; the only moves of members after
    it are compliance's breach exits, so the count is exact without a pass over the population.
    """
    sets = {**OFF, f"{MB}.cost_per_member_year": 365.0, "market.regime.breach.rate_per_year": 0.99,
            "market.regime.breach.reference_records": 200}
    from sim.model.mechanisms import stored_value

    asked = []
    monkeypatch.setattr(stored_value, "pool_members", lambda *args: asked.append(args) or [])
    m = run(days=365, **sets)
    counted = col(m, "member_benefits") / m.rep  # 365 / 365: one currency a member a day
    assert np.allclose(counted, np.round(counted), rtol=0, atol=1e-9)
    counted = np.round(counted)
    assert not asked  # benefits alone list nobody: the census counts them
    exits = col(m, "breach_exits")
    assert exits.sum() > 0  # the case the closed form must cover
    assert np.array_equal(counted, m.census[1:, 0, L.MEMBER] + exits)
