"""Fidelity of messaging, membership, attention, trust and referral reach (issue 17 items 1, 2, 3, 6, 8).

Each test names the issue item it pins. Comparisons are paired: every arm runs the same seeds, so
both see the same consumers and the same luck (common random numbers), and differences are judged
against the spread of the paired differences across seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario.schema import ScenarioWarning
from tests.conftest import LEVERS_OFF, small

NETWORK_KINDS = ("mixed", "random", "small_world", "scale_free")


# ---- item 6: mean_trust counts the members it sums ------------------------------------------------


def test_mean_trust_stays_a_probability_on_kol_days() -> None:
    """Same-day joiners (KOL days) count in the trust sum and in its count (it read 1.73 here, 2.05 in a preset).

    On day 0 every member is a KOL joiner of that day, so the mean is exactly their starting trust
    (initial trust + the KOL trust bonus); before the fix it was undefined (no member at the start of day 0).
    """
    sc = small("china_in_china", population=3000, days=120, **{
        "brands.0.strategy.acquisition.kol.reach": 1_000_000, "brands.0.strategy.acquisition.kol.follow_rate": 0.5,
        "brands.0.strategy.acquisition.kol.every_days": 7})
    d = sim.run(sc, seed=1).daily
    trust = d["mean_trust"]
    assert trust.notna().all()
    assert trust.between(0.0, 1.0).all(), trust.max()
    start = sc.market.behaviour.initial_trust + sc.brands[0].strategy.acquisition.kol.trust_bonus
    assert trust.iloc[0] == pytest.approx(start, abs=1e-6)
    assert (d["joins_kol"] > 0).sum() >= 10
    assert trust[d["joins_kol"] > 0].max() <= start + 1e-6


# ---- item 8: the reach of a share does not depend on the network kind ------------------------------


@pytest.mark.parametrize("kind", NETWORK_KINDS)
def test_mean_reach_per_share_is_the_stated_contacts_on_every_network(kind: str) -> None:
    """Contacts reached per share equal ``contacts_per_share`` on every network (scale-free hubs included)."""
    contacts = 5.0
    sc = small("china_in_china", population=4000, days=150, **{
        "market.network.kind": kind, "market.network.mean_degree": 10, "market.network.exponent": 2.2,
        "brands.0.strategy.referral.share_rate": 0.5, "brands.0.strategy.referral.contacts_per_share": contacts})
    shares = reached = 0.0
    for seed in (1, 2):
        d = sim.run(sc, seed=seed).daily
        shares += float(d["shares"].sum())
        reached += float(d["referral_contacts"].sum())
    n_shares = shares / sc.market.represents
    assert n_shares > 1000, n_shares
    # each share reaches a Bernoulli-rounded number of contacts with mean ``contacts``, variance <= 1/4
    se = 0.5 / np.sqrt(n_shares)
    assert abs(reached / shares - contacts) < 4 * se + 1e-9, (kind, reached / shares)


# ---- item 1: fatigue pressure does not count the message just received; a binding cap warns --------


def _final_trust(name: str, seeds: tuple[int, ...], **sets: object) -> float:
    """Mean member trust on the last day, averaged over paired seeds."""
    sc = small(name, population=4000, days=365, **sets)
    return float(np.mean([sim.run(sc, seed=s).daily["mean_trust"].iloc[-1] for s in seeds]))


def test_service_first_weekly_messages_build_trust_of_cautious_members() -> None:
    """A cautious member (tolerance ~1/week) gains trust from weekly service-first messages.

    Before the fix the message just received counted in its own fatigue pressure, so at their
    tolerated cadence the pressure was ~1.6, the threshold rose above the content's value and every
    message cost trust: messaged members ended below unmessaged ones.
    """
    sets = {"brands.0.strategy.messaging.segments": "[cautious]", "brands.0.strategy.messaging.cap_per_week": 0,
            "brands.0.strategy.referral.share_rate": 0, "brands.0.strategy.pool.tool": "line",
            "market.regime.marketing_opt_in_rate": 1.0}
    quiet = _final_trust("japan_in_japan", (1, 2), **sets, **{"brands.0.strategy.messaging.per_week": 0})
    weekly = _final_trust("japan_in_japan", (1, 2), **sets, **{"brands.0.strategy.messaging.per_week": 1})
    assert weekly > quiet + 0.008, (weekly, quiet)


def test_first_message_after_a_quiet_spell_meets_no_pressure() -> None:
    """Closed form: with no earlier messages the pressure is 0 and service-first content builds trust."""
    from sim.model import layout as L
    from sim.model.mechanisms.messaging import new_trust, pressure

    mp = np.zeros(len(L.MARKET_PARAMS))
    mp[L.MP_TRUST_THR], mp[L.MP_TRUST_THR_F], mp[L.MP_TRUST_UP], mp[L.MP_TRUST_DOWN] = 0.35, 0.3, 0.015, 0.04
    x = pressure(0.0, 1.0, 7.0)  # the fatigue of the messages seen *before* this one
    assert x == 0.0
    assert new_trust(0.4, 0.7, 0.2, x, mp) > 0.4


def test_a_binding_cap_warns_and_counts_the_withheld_sends() -> None:
    """``cap_per_week`` below ``per_week`` warns (naming both fields) and the result counts the capped broadcasts."""
    with pytest.warns(ScenarioWarning, match=r"cap_per_week = 2 .*per_week = 6"):
        sc = small("japan_in_japan", population=2000, days=120, **{"brands.0.strategy.messaging.per_week": 6})
    d = sim.run(sc, seed=1).daily
    sent, capped = float(d["sends"].sum()), float(d["sends_capped"].sum())
    assert sent > 0
    # each broadcast passes the cap with probability cap / per_week = 1/3
    share = sent / (sent + capped)
    n = (sent + capped) / sc.market.represents
    assert abs(share - 2 / 6) < 4 * np.sqrt((1 / 3) * (2 / 3) / n), share


def test_no_warning_when_the_cap_does_not_bind(recwarn: pytest.WarningsRecorder) -> None:
    """A cap at or above the cadence changes nothing and says nothing."""
    small("japan_in_japan", population=2000, days=30, **{"brands.0.strategy.messaging.per_week": 2})
    assert not [w for w in recwarn if issubclass(w.category, ScenarioWarning)]


# ---- item 6: trust is the chance a member reads a message they see ----------------------------------


FROZEN_TRUST = {"market.behaviour.trust_up": 0, "market.behaviour.trust_down": 0,
                "brands.0.strategy.acquisition.kol.trust_bonus": 0,
                "brands.0.strategy.compliance.cold_outreach_per_week": 0}


def _messaging_totals(trust0: float) -> dict[str, float]:
    # 20,000 consumers and a response ten times the default's: enough message purchases at trust 0.2 (about 80
    # agents in the two runs) for a rate per read message to be measured within about 10%
    sc = small("china_in_china", population=20_000, days=150, **FROZEN_TRUST, **LEVERS_OFF,
               **{"market.behaviour.initial_trust": trust0, "market.behaviour.response_base": 0.2})
    out: dict[str, float] = {}
    for seed in (1, 2):
        s = sim.run(sc, seed=seed).daily.sum(numeric_only=True)
        for c in ("seen", "read", "message_purchases"):
            out[c] = out.get(c, 0.0) + float(s[c]) / sc.market.represents
    return out


def test_trust_is_the_read_rate_and_acting_scales_with_it() -> None:
    """With trust frozen at t, a share t of seen messages is read, and a read message sells alike at any trust.

    So message purchases scale with trust through reading: x4 per seen message from 0.2 to 0.8 (more in
    total, as the more trusting pool is also larger and sees more messages).
    """
    low, high = _messaging_totals(0.2), _messaging_totals(0.8)
    for t, tot in ((0.2, low), (0.8, high)):
        assert abs(tot["read"] / tot["seen"] - t) < 4 * np.sqrt(t * (1 - t) / tot["seen"]), (t, tot)
    assert low["message_purchases"] > 50
    per_read = (high["message_purchases"] / high["read"]) / (low["message_purchases"] / low["read"])
    assert 0.7 < per_read < 1.4, per_read  # measured 0.97; before: purchases scaled with (0.5 + trust)
    per_seen = (high["message_purchases"] / high["seen"]) / (low["message_purchases"] / low["seen"])
    assert 2.8 < per_seen < 5.6, per_seen


# ---- item 3: members' private-channel buying depends on being reached (促活) ------------------------


def test_attention_halves_every_half_life() -> None:
    """Closed form of the attention a brand holds: 0.5 ** (days since contact / half-life)."""
    from sim.model.mechanisms.purchase import attention

    assert attention(0.0, 60.0) == 1.0
    assert attention(60.0, 60.0) == pytest.approx(0.5, rel=1e-12)
    assert attention(180.0, 60.0) == pytest.approx(0.125, rel=1e-12)


def _private_share(per_week: float, **sets: object) -> float:
    sc = small("china_in_china", population=12_000, days=365, **{  # (levers off: their private sales need no attention)
        **LEVERS_OFF, "brands.0.strategy.messaging.per_week": per_week,
        "brands.0.strategy.compliance.cold_outreach_per_week": 0, **sets})
    rev = priv = 0.0
    for seed in (1, 2):
        d = sim.run(sc, seed=seed).daily
        rev += float(d["revenue_public"].sum() + d["revenue_private"].sum())
        priv += float(d["revenue_private"].sum())
    return priv / rev


def test_without_messages_private_share_falls_well_below_the_messaging_case() -> None:
    """China: no messages -> attention decays -> members buy back on the platform (it was higher than with messages).

    The private share without messages is about 0.52-0.64 of the share with two a week (12,000 consumers, two
    seeds; 0.61-0.66 over four seeds at 4,000): at least a quarter lower.
    """
    silent, reached = _private_share(0), _private_share(2)
    assert silent < 0.75 * reached, (silent, reached)


def test_attention_that_never_decays_gives_back_unprompted_private_buying() -> None:
    """Limiting case: with a half-life of ten years, silence costs almost no private share (the decay is the cause)."""
    forever = {"market.behaviour.attention_half_life_days": 3650}
    silent, reached = _private_share(0, **forever), _private_share(2, **forever)
    assert silent > 0.8 * reached, (silent, reached)


# ---- must show: an inverted U with an interior peak, and opt-outs in the published band -------------

#: Every market preset, with good content (service first: quality 0.7, 20% selling) and no cold outreach.
GOOD_CONTENT = {"brands.0.strategy.messaging.quality": 0.7, "brands.0.strategy.messaging.selling_share": 0.2,
                "brands.0.strategy.messaging.cap_per_week": 0, "brands.0.strategy.compliance.cold_outreach_per_week": 0}
MARKET_PRESETS = ("china_in_china", "japan_in_japan", "cross_border_seller")
CADENCES = (0, 2, 4, 14)
SEEDS = (1, 2, 3)


@pytest.mark.slow
@pytest.mark.parametrize("preset", MARKET_PRESETS)
def test_profit_against_messages_per_week_is_an_inverted_u(preset: str) -> None:
    """Profit peaks at an interior cadence (2 or 4 a week), above 0 and 14 a week by more than 2 paired standard errors.

    Paired common-random-number replicates: every cadence runs the same seeds, and the noise is the
    spread across seeds of the paired differences.
    """
    profit = np.zeros((len(CADENCES), len(SEEDS)))
    for a, per_week in enumerate(CADENCES):
        sc = small(preset, population=8000, days=730, **GOOD_CONTENT,
                   **{"brands.0.strategy.messaging.per_week": per_week})
        for b, seed in enumerate(SEEDS):
            profit[a, b] = float(sim.run(sc, seed=seed).daily["profit"].sum())
    peak = int(np.argmax(profit.mean(axis=1)))
    assert CADENCES[peak] in (2, 4), dict(zip(CADENCES, profit.mean(axis=1), strict=True))
    for edge in (0, len(CADENCES) - 1):
        diff = profit[peak] - profit[edge]
        se = diff.std(ddof=1) / np.sqrt(len(SEEDS))
        assert diff.mean() > 2 * se and diff.mean() > 0, (preset, CADENCES[edge], diff, se)


@pytest.mark.parametrize("preset", MARKET_PRESETS)
def test_opt_outs_per_thousand_sends_at_weekly_cadence_are_in_the_published_band(preset: str) -> None:
    """Weekly messages with good content: 1-4 opt-outs per 1,000 sends (Campaign Monitor 2022, Mailchimp 2019).

    An established pool (3,000 seed members of 20,000 consumers) gives enough sends for the rate.
    """
    sc = small(preset, population=20_000, days=365, **GOOD_CONTENT,
               **{"brands.0.strategy.messaging.per_week": 1, "brands.0.seed_members": 3000})
    d = sim.run(sc, seed=1).daily
    sends, opt_outs = float(d["sends"].sum()), float(d["opt_outs"].sum())
    n = opt_outs / sc.market.represents
    assert n >= 40, n  # enough opt-outs for the rate to mean something
    per_1000 = 1000 * opt_outs / sends
    assert 1.0 <= per_1000 <= 4.0, (preset, per_1000)


# ---- item 2: Japan's membership carries a membership business --------------------------------------


def test_japan_membership_reaches_a_tenth_of_revenue_in_three_years() -> None:
    """japan_in_japan: private share of revenue >= 10% at 3 years (5-9% before), referral alive (K > 0.007).

    Sources: MUJI members 44% of store sales (2016), Isetan Mitsukoshi identified customers 67% (2025)
    are shares of a retailer's own sales; the model's private share is against Rakuten/Amazon too, so
    10% is the floor the issue asks for, not the retail figure.
    """
    shares, ks = [], []
    for seed in (1, 2):
        res = sim.run(small("japan_in_japan", population=20_000, days=1095), seed=seed)
        k = res.kpis().iloc[0]
        shares.append(float(k["private_share"]))
        ks.append(float(k["k_factor"]))
    assert np.mean(shares) >= 0.10, shares
    assert np.mean(ks) > 0.007 * 1.5, ks
