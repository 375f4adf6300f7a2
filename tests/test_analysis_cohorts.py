"""Cohorts and unit economics (issue 15 item 3): identities with the ledger, referrals, terminal value option."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.analysis.cohorts import cohorts, run_cohorts
from sim.analysis.execution import Execution
from sim.results.kpis import ACQUISITION_SPEND

SMALL = ("run.population=1500", "run.days=240")
RUN = Execution(seed=12, overrides=SMALL, executor="serial")


@pytest.fixture(scope="module")
def one():
    """One China run's cohort tables and the same run's result."""
    sc = sim.resolve("china_in_china", SMALL)
    return sc, run_cohorts(sc.model_dump(mode="json"), 77, sc.brands[0].name), sim.run(sc, seed=77)


def test_revenue_and_acquisition_spend_match_the_ledger(one) -> None:
    """Consumers' lifetime spend adds up to the ledger's sales; the cost by source adds up to every acquisition item."""
    sc, tab, res = one
    d = res.brand_daily(sc.brands[0].name)
    sales = float(d["revenue_public"].sum() + d["revenue_private"].sum())
    assert tab["summary"]["revenue_all"] == pytest.approx(sales, rel=1e-4)  # per-consumer spend is float32
    total = float(d[list(ACQUISITION_SPEND)].to_numpy().sum())
    assert tab["summary"]["acquisition_spend"] == pytest.approx(total, rel=1e-12)
    assert tab["by_source"]["acquisition_cost"].sum() == pytest.approx(total, rel=1e-9)


def test_members_and_referrals_are_consistent(one) -> None:
    """Members counted once are at most the joins; referral joins exist and carry referred value."""
    sc, tab, res = one
    k = res.kpis().iloc[0]
    assert 0 < tab["summary"]["members"] <= k["members_joined"] + 1e-6
    src = tab["by_source"].set_index("source")
    assert "referral" in src.index and src.loc["referral", "members"] > 0
    assert tab["summary"]["ltv_referred"] > 0
    assert ((src["retention"] >= 0) & (src["retention"] <= 1)).all()


def test_no_sharing_means_no_referred_value() -> None:
    """With sharing and group buying switched off nobody is referred: LTV with referrals equals own LTV.

    (A filled group's friends join through the opener, so group buying is a referral path of its own.)
    """
    rep = cohorts("china_in_china", 1, execution=RUN.replace(
        overrides=(*SMALL, "brands.0.strategy.referral.share_rate=0", "brands.0.strategy.group_buying.open_rate=0")))
    assert rep.summary["ltv_referred"] == 0
    assert rep.summary["ltv_with_referrals"] == rep.summary["ltv_own"]
    assert "referral" not in set(rep.by_source["source"])


def test_terminal_value_is_an_option_and_falls_with_the_discount_rate() -> None:
    """Off by default (stated); when asked, positive and lower at a higher discount rate."""
    base = cohorts("china_in_china", 1, execution=RUN)
    assert base.terminal is None and "not included" in base.meta["terminal_value"]
    low = cohorts("china_in_china", 1, terminal_value=True, execution=RUN.replace(
        overrides=(*SMALL, "run.discount_rate=0.02")))
    high = cohorts("china_in_china", 1, terminal_value=True, execution=RUN.replace(
        overrides=(*SMALL, "run.discount_rate=0.3")))
    assert 0 < high.terminal["value"] < low.terminal["value"]
    assert np.isclose(low.terminal["members"], high.terminal["members"])
