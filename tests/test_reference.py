"""The fast engine against the reference implementation (one Mesa agent per consumer).

The reference (:mod:`sim.reference`) implements the same rules with Python objects and
``numpy.random.Generator`` draws, so it cannot reproduce the fast engine's counter-based luck, only
its distribution. The oracle therefore compares distributions of KPIs over many seeds:

- Scenario: the China playbook with everything switched on that a 1,000-consumer, 150-day run can
  show (explicit opt-in consent, cold outreach, interception with a hook, daily messages,
  referral with distribution commission, points, two tiers, birthday perk, paid membership, a
  partner pool, KOL days, enforcement and breaches), with stronger acquisition so counts are large.
- Samples: 24 runs of each implementation with fixed, disjoint seeds (fast 1000..1023, reference
  2000..2023), so the test is deterministic.
- Tests, per KPI: Welch's t-test on the means (unequal variances) and the two-sample
  Kolmogorov-Smirnov test on the whole distribution. Bonferroni correction over all KPIs and both
  tests at a family-wise alpha of 0.01: the two implementations disagree if any corrected p-value is
  below 0.01. With identical rules a spurious failure has probability below 1% for a seed set,
  and the seeds are fixed, so a pass stays a pass.
- Power check: the same comparison must flag a fast engine whose invitation acceptance is 25%
  higher than the reference's (the size of a plausible bug), so a pass means something.

A second, ``slow``-marked test does the same for two brands competing head to head (shared ad
auction, shared fatigue). Runtime on one core: about 25 s for the default tests, 12 s more for the
slow one (the reference is the slow side).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.api import run_reference

N, DAYS, SEEDS = 1000, 150, 24
FAMILY_ALPHA = 0.01
#: The levers of issue 13 are not in the reference twin: the oracle scenarios keep them off.
LEVERS_OFF = [f"brands.{b}.strategy.{path}" for b in (0, 1) for path in (
    "stores.touchpoints=0", "stores.events_per_year=0", "livestream.sessions_per_week=0",
    "own_site.setup_day=null", "group_buying.open_rate=0")]
ORACLE = [
    f"run.population={N}", f"run.days={DAYS}", "run.journeys=0",
    "market.platforms.ad_effectiveness=0.02", "market.platforms.aware_conversion=1.0",
    "market.regime.kind=explicit_opt_in", "market.regime.marketing_opt_in_rate=0.6",
    "market.regime.consent_trust_bonus=0.1", "market.regime.enforcement_per_violation_complaint=0.0005",
    "market.regime.breach.rate_per_year=0.9", "market.regime.breach.reference_records=1000",
    "market.regime.breach.records_exponent=1",
    "brands.0.strategy.membership.points_rate=0.02", "brands.0.strategy.membership.min_redeem=30",
    "brands.0.strategy.membership.birthday_perk=20", "brands.0.strategy.membership.birthday_response=0.3",
    "brands.0.strategy.membership.paid.fee_per_year=200", "brands.0.strategy.membership.paid.uptake=0.4",
    "brands.0.strategy.membership.tiers=[{name: member, min_spend: 0, discount: 0.05}, "
    "{name: vip, min_spend: 600, discount: 0.1, purchase_boost: 0.3, dropout_multiplier: 0.7}]",
    "brands.0.strategy.acquisition.partners=[{partner: sister_brand_groups, exposure_per_day: 0.02, "
    "join_rate: 0.2, fee_per_join: 5}]",
]
#: KPIs summed over the run (in agents) from the daily table.
FLOWS = ("joins_interception", "joins_referral", "joins_kol", "joins_partner", "first_purchases",
         "purchases_public", "purchases_private", "message_purchases", "opt_outs", "lapses", "invites",
         "tier_ups", "paid_members_new", "shares", "sends", "seen", "cold_sends", "complaints", "winbacks",
         "ad_aware", "partner_aware", "active_members")


def kpi_row(result: sim.RunResult) -> dict[str, float]:
    """The compared KPIs of one run, per brand: flows in agents, stocks at the end, money in currency."""
    rep = result.scenario.market.represents
    row = {}
    for k, brand in enumerate(result.brands):
        daily = result.brand_daily(brand)
        last = daily.iloc[-1]
        tag = "" if len(result.brands) == 1 else f"brand{k}:"
        row |= {tag + name: daily[name].sum() / rep for name in FLOWS}
        row |= {tag + "pool_size": last["member"] / rep, tag + "customers": last["customer"] / rep,
                tag + "aware": last["aware"] / rep, tag + "lapsed": last["lapsed"] / rep,
                tag + "mean_trust": last["mean_trust"], tag + "mean_fatigue": last["mean_fatigue"],
                tag + "points_earned": daily["points_earned"].sum(), tag + "revenue": daily["revenue"].sum(),
                tag + "revenue_private": daily["revenue_private"].sum(), tag + "profit": daily["profit"].sum()}
    return row


def samples(run, scenario: sim.Scenario, first_seed: int, count: int = SEEDS) -> pd.DataFrame:
    """KPI rows of ``count`` runs with seeds ``first_seed``, ``first_seed + 1``, ..."""
    return pd.DataFrame([kpi_row(run(scenario, seed=first_seed + s)) for s in range(count)])


def compare(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Welch and Kolmogorov-Smirnov p-values per KPI, Bonferroni-corrected over KPIs and tests."""
    rows = []
    for kpi in a.columns:
        x, y = a[kpi].to_numpy(float), b[kpi].to_numpy(float)
        if np.ptp(x) == 0 and np.ptp(y) == 0:
            p_welch = p_ks = 1.0 if x[0] == y[0] else 0.0
        else:
            p_welch = stats.ttest_ind(x, y, equal_var=False).pvalue
            p_ks = stats.ks_2samp(x, y).pvalue
        rows.append({"kpi": kpi, "mean_a": x.mean(), "mean_b": y.mean(), "p_welch": p_welch, "p_ks": p_ks})
    table = pd.DataFrame(rows).set_index("kpi")
    tests = 2 * len(table)
    table["p_adjusted"] = (table[["p_welch", "p_ks"]].min(axis=1) * tests).clip(upper=1.0)
    return table


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    """The oracle scenario."""
    return sim.resolve("china_in_china", ORACLE + LEVERS_OFF[:5])


@pytest.fixture(scope="module")
def reference_samples(scenario: sim.Scenario) -> pd.DataFrame:
    """KPIs of the reference implementation over 24 seeds (the slow part, computed once)."""
    return samples(run_reference, scenario, 2000)


def test_reference_and_fast_engine_are_statistically_indistinguishable(scenario, reference_samples) -> None:
    """No KPI's distribution differs between the two implementations (family-wise alpha 0.01)."""
    fast = samples(sim.run, scenario, 1000)
    table = compare(fast, reference_samples)
    busy = fast[["pool_size", "joins_interception", "joins_referral", "joins_partner", "tier_ups"]].mean()
    assert (busy > 20).all(), f"the oracle scenario must produce enough events to compare:\n{busy}"
    different = table[table["p_adjusted"] < FAMILY_ALPHA]
    assert different.empty, "fast engine and reference disagree:\n" + different.to_string()


def test_the_comparison_detects_a_wrong_rule(scenario, reference_samples) -> None:
    """A fast engine with a 25% higher invitation acceptance is flagged: the oracle has power."""
    base = scenario.market.behaviour.invite_accept_base
    wrong = sim.resolve(scenario, [f"market.behaviour.invite_accept_base={base * 1.25}"])
    table = compare(samples(sim.run, wrong, 1000), reference_samples)
    assert table.loc["joins_interception", "p_adjusted"] < FAMILY_ALPHA


def test_reference_run_is_reproducible() -> None:
    """The same seed gives the same reference run (Mesa's generator is seeded from the scenario)."""
    small = sim.resolve("china_in_china", ["run.population=300", "run.days=40", "run.journeys=0", *LEVERS_OFF[:5]])
    a, b = run_reference(small, seed=7), run_reference(small, seed=7)
    pd.testing.assert_frame_equal(a.daily, b.daily)


@pytest.mark.slow
def test_two_brands_compete_alike_in_both_implementations() -> None:
    """Head to head in Japan (shared auction and fatigue): 16 seeds of 800 consumers, 120 days each."""
    duel = sim.resolve("head_to_head_japan", [
        "run.population=800", "run.days=120", "run.journeys=0", "market.platforms.ad_effectiveness=0.03",
        "market.platforms.aware_conversion=1.0", "market.behaviour.invite_accept_base=0.5",
        "brands.0.strategy.referral.share_rate=0.1", "brands.1.strategy.referral.share_rate=0.05", *LEVERS_OFF])
    table = compare(samples(sim.run, duel, 1000, 16), samples(run_reference, duel, 2000, 16))
    different = table[table["p_adjusted"] < FAMILY_ALPHA]
    assert different.empty, "fast engine and reference disagree with two brands:\n" + different.to_string()
