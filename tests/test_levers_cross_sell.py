"""Cross-sell across product lines, 1×N (sim/model/mechanisms/cross_sell.py).

Off limit (one line), direction (trial rate, member lift), closed forms (a line never re-bought is bought
once per trial; the documented forms), revenue by line, refused bad values.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import SimInputError
from sim.model import layout as L
from sim.model.market import MarketModel
from sim.model.mechanisms.cross_sell import line_purchase_chance, trial_probability
from sim.results.result import RunResult
from tests.conftest import daily, lever_model, small

X = "brands.0.strategy.cross_sell"
LINES = ("[{name: main}, {name: masks, basket_multiplier: 0.5, repurchase_multiplier: 2},"
         " {name: serum, basket_multiplier: 2, repurchase_multiplier: 1}]")


def run(days: int = 200, **sets: object) -> MarketModel:
    """A validated small run of the Japan preset with the overrides, finished."""
    return lever_model("japan_in_japan", days, **sets)


col = daily  # one daily ledger item or tally of brand 0


@pytest.fixture(scope="module")
def base() -> MarketModel:
    """The preset as it is: one product line."""
    return run()


@pytest.fixture(scope="module")
def lines() -> MarketModel:
    """Three product lines, a generous trial rate."""
    return run(**{f"{X}.lines": LINES, f"{X}.trial_rate": 0.3})


def test_one_line_changes_no_number(base: MarketModel) -> None:
    """With one line every cross-sell setting is inert: every array equals the preset's run."""
    off = run(**{f"{X}.lines": "[{name: everything}]", f"{X}.trial_rate": 1.0, f"{X}.member_lift": 20})
    for name in ("money", "tally", "flows", "census"):
        assert np.array_equal(getattr(off, name), getattr(base, name)), name
    assert np.array_equal(off.pop.stage, base.pop.stage) and np.array_equal(off.pop.pair, base.pop.pair)
    assert not base.pop.pair["lines_tried"].any()
    for name in ("line_trials", "purchases_other_lines", *(f"sales_line_{j}" for j in range(1, 6))):
        assert not col(base, name).any(), name


def test_buyers_try_other_lines_and_buy_them_again(base: MarketModel, lines: MarketModel) -> None:
    """Trials set the lines' bits; tried lines are bought again; sales and private purchases rise."""
    assert col(lines, "line_trials").sum() > 30
    assert col(lines, "purchases_other_lines").sum() > col(lines, "line_trials").sum()  # repeat line purchases
    tried = lines.pop.pair["lines_tried"][:, 0]
    assert set(np.unique(tried)) <= {0, 2, 4, 6} and (tried == 6).any()  # bits of lines 1 and 2, never 0
    assert col(lines, "sales_line_1").sum() > 0 and col(lines, "sales_line_2").sum() > 0
    assert not col(lines, "sales_line_3").any()  # the brand has three lines
    sales = lambda m: (col(m, "revenue_public") + col(m, "revenue_private")).sum()  # noqa: E731
    assert sales(lines) > sales(base)
    # the cost of goods is still booked on every sale, line purchases included
    cogs = lines.spec.brands[0].strategy.product.cogs_rate
    booked = sum(col(lines, n).sum() for n in ("revenue_public", "revenue_private", "revenue_store"))
    assert col(lines, "cogs").sum() == pytest.approx(booked * cogs, rel=1e-9)
    d = RunResult.from_model(lines).daily
    assert d["sales_line_2"].sum() == pytest.approx(col(lines, "sales_line_2").sum() * lines.rep)


def test_a_line_never_bought_again_is_bought_once_per_trial_at_its_basket() -> None:
    """Repurchase multiplier 0: each trial is the line's only purchase; its sales are the tried baskets x 2."""
    m = run(**{f"{X}.lines": "[{name: main}, {name: gift, basket_multiplier: 2, repurchase_multiplier: 0}]",
               f"{X}.trial_rate": 0.5})
    trials = col(m, "line_trials").sum()
    assert trials > 20 and col(m, "purchases_other_lines").sum() == trials
    tried = m.pop.pair["lines_tried"][:, 0] == 2
    assert tried.sum() == trials  # nobody tries a line twice
    expected = 2.0 * m.pop.traits[tried, L.BASKET].astype(np.float64).sum()
    assert col(m, "sales_line_1").sum() == pytest.approx(expected, rel=1e-5)


def test_more_trial_and_member_lift_more_trials(lines: MarketModel) -> None:
    """Direction (common random numbers): a lower trial rate or no member lift gives fewer trials."""
    fewer = run(**{f"{X}.lines": LINES, f"{X}.trial_rate": 0.1})
    assert col(fewer, "line_trials").sum() < col(lines, "line_trials").sum()
    no_lift = run(**{f"{X}.lines": LINES, f"{X}.trial_rate": 0.3, f"{X}.member_lift": 0})
    assert col(no_lift, "line_trials").sum() < col(lines, "line_trials").sum()


def test_functional_forms() -> None:
    """The documented forms: trial chance (members lifted, capped at 1) and a tried line's daily purchase chance."""
    assert trial_probability(0.05, 1.0, 0.0) == pytest.approx(0.05)
    assert trial_probability(0.05, 1.0, 1.0) == pytest.approx(0.10)
    assert trial_probability(0.6, 1.0, 1.0) == 1.0
    assert line_purchase_chance(3.65, 1.0) == pytest.approx(1 - np.exp(-0.01))
    assert line_purchase_chance(5.0, 0.0) == 0.0


@pytest.mark.parametrize(("value", "expected"), [
    ("[]", "at least 1"),
    ("[{name: main, basket_multiplier: 2}]", "expected 1"),
    ("[{name: main}, {name: masks, basket_multiplier: 0}]", "greater than 0"),
    ("[{name: main}, {name: main}]", "one name per line"),
    ("[" + ", ".join(f"{{name: l{j}}}" for j in range(7)) + "]", "at most 6"),
])
def test_bad_lines_are_refused_with_field_value_and_expected(value: str, expected: str) -> None:
    """0 lines, a main line with a multiplier, a zero basket, repeated names, too many lines: refused."""
    with pytest.raises(SimInputError) as info:
        sim.resolve("japan_in_japan", [f"{X}.lines={value}"])
    message = str(info.value)
    assert f"{X}.lines" in message and expected in message


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("trial_rate", 1.5, "at most 1"), ("trial_rate", -0.1, "at least 0"), ("member_lift", -1, "at least 0"),
])
def test_bad_values_are_refused_with_field_value_and_expected(field: str, value: object, expected: str) -> None:
    """A bad value names its field, the value and what was expected."""
    with pytest.raises(SimInputError) as info:
        sim.resolve("japan_in_japan", [f"{X}.{field}={value}"])
    message = str(info.value)
    assert f"{X}.{field}" in message and str(value) in message and expected in message


def test_a_phase_cannot_change_the_lines() -> None:
    """The lines are fixed for the run (a consumer's tried lines are bits of the list): a phase may not change them."""
    phases = "[{from_day: 10, set: {cross_sell: {lines: [{name: main}, {name: masks}]}}}]"
    with pytest.raises(SimInputError) as info:
        sim.resolve("japan_in_japan", [f"brands.0.strategy.phases={phases}"])
    assert "cross_sell.lines" in str(info.value) and "cannot change in a phase" in str(info.value)


def test_line_purchases_respect_delisting() -> None:
    """On days the marketplace delists the brand (own_site penalty), no line is sold on the platform either."""
    from tests.test_messaging_listing import CAUGHT

    sc = small("cross_border_seller", 3000, 200, **CAUGHT, **{f"{X}.lines": LINES, f"{X}.trial_rate": 0.5})
    model = MarketModel(sc, validating=True)
    model.run_days()
    delisted = model.tally[:, 0, L.T_DELISTED] > 0
    assert delisted.sum() > 20 and col(model, "purchases_other_lines")[delisted].sum() > 0  # private line sales
    assert (col(model, "purchases_public")[delisted] == 0).all()
    assert (col(model, "revenue_public")[delisted] == 0).all()
    assert col(model, "purchases_other_lines")[~delisted].sum() > 0


def test_the_warm_up_compiles_the_cross_sell_kernel() -> None:
    """After ``warm_kernels()`` (set-up, pool workers), a run with several lines compiles or loads nothing more.

    No preset sells more than one line, so the warm-up runs one with a second line; the kernel takes the
    packed line table (``prm.lines``), and every line count shares one compiled kernel.
    """
    import subprocess
    import sys
    from pathlib import Path

    script = f"""
import sys
import sim
from numba.core.registry import CPUDispatcher
from sim.model.warmup import warm_kernels

def signatures():  # (a component's daily kernel is a sim.model.kernel.Kernel wrapping its dispatcher)
    return {{n + "." + k: len(getattr(v, "dispatcher", v).signatures) for n, m in list(sys.modules.items())
            if n.startswith("sim.") and m for k, v in vars(m).items()
            if isinstance(getattr(v, "dispatcher", v), CPUDispatcher)}}

warm_kernels()
before = signatures()
assert before["sim.model.mechanisms.cross_sell.cross_sell_kernel"] == 1
sim.run(sim.resolve("head_to_head_japan", ["run.population=2000", "run.days=40",
                                            "brands.1.strategy.cross_sell.lines={LINES}"]))
print({{k: (before.get(k, 0), n) for k, n in signatures().items() if n != before.get(k, 0)}})
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=600,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "{}", out.stdout
