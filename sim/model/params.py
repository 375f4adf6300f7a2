"""Packing a validated scenario into the flat numeric arrays the kernels read.

Numba kernels take arrays and numbers only, so the market's parameters become one float64 vector
and each brand's strategy one row of a (K, N_BP) matrix, with the column names of
:mod:`sim.model.layout`. This is the only place that maps schema fields to kernel inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import layout as L
from sim.model.network import sf_beta
from sim.scenario.schema import Scenario, resolve_tool


@dataclass
class Packed:
    """Every kernel input derived from a scenario."""

    mp: np.ndarray            # (N_MP,)
    bp: np.ndarray            # (K, N_BP)
    tiers: np.ndarray         # (K, MAX_TIERS + 1, N_TIER_COLS); row 0 = no tier
    target: np.ndarray        # (K, S) ad targeting weights
    seg_ok: np.ndarray        # (K, S) uint8: segment receives broadcasts
    partner_share: np.ndarray  # (P,)
    partner_trust: np.ndarray  # (P,)
    partner_expo: np.ndarray   # (K, P) daily exposure of partner pool
    partner_join: np.ndarray   # (K, P)
    partner_fee: np.ndarray    # (K, P)
    tools: list[str]           # resolved tool name per brand


def pack(sc: Scenario) -> Packed:
    """Pack scenario ``sc`` into kernel arrays."""
    m = sc.market
    beh, reg, plat, net = m.behaviour, m.regime, m.platforms, m.network
    mp = np.zeros(L.N_MP, dtype=np.float64)
    values = {
        "represents": m.represents, "n_segments": len(m.segments),
        "ad_effectiveness": plat.ad_effectiveness, "aware_conversion": plat.aware_conversion,
        "forget_days": plat.forget_days, "commission_rate": plat.commission_rate,
        "payment_fee_rate": plat.payment_fee_rate, "winback_share": plat.winback_share,
        "explicit_opt_in": 1.0 if reg.kind == "explicit_opt_in" else 0.0,
        "consent_friction": reg.consent_friction, "marketing_opt_in_rate": reg.marketing_opt_in_rate,
        "consent_trust_bonus": reg.consent_trust_bonus, "complaint_rate_cold": reg.complaint_rate_cold,
        "complaint_rate_member": reg.complaint_rate_member,
        "fatigue_decay_days": beh.fatigue_decay_days, "response_base": beh.response_base,
        "optout_base": beh.optout_base, "optout_fatigue_power": beh.optout_fatigue_power,
        "optout_psi_weight": beh.optout_psi_weight, "trust_up": beh.trust_up, "trust_down": beh.trust_down,
        "trust_threshold": beh.trust_threshold, "trust_threshold_fatigue": beh.trust_threshold_fatigue,
        "initial_trust": beh.initial_trust, "invite_accept_base": beh.invite_accept_base,
        "invite_psi_weight": beh.invite_psi_weight, "hook_lift": beh.hook_lift,
        "hook_half_value": beh.hook_half_value, "trust_dropout_weight": beh.trust_dropout_weight,
        "referral_accept_base": beh.referral_accept_base, "referral_reward_half": beh.referral_reward_half,
        "referral_reward_lift": beh.referral_reward_lift, "spam_fatigue": beh.spam_fatigue,
        "net_kind": float(L.NET_KINDS.index(net.kind)), "mean_degree": net.mean_degree,
        "rewire": net.rewire, "sf_beta": sf_beta(net.exponent), "n_partners": len(m.partners),
        "points_join_lift": beh.points_join_lift,
    }
    for name, v in values.items():
        mp[L.MP[name]] = v

    k_count = len(sc.brands)
    seg_names = [s.name for s in m.segments]
    partner_names = [p.name for p in m.partners]
    bp = np.zeros((k_count, L.N_BP), dtype=np.float64)
    tiers = np.zeros((k_count, L.MAX_TIERS + 1, L.N_TIER_COLS), dtype=np.float64)
    tiers[:, :, L.TIER_DROPOUT] = 1.0
    target = np.ones((k_count, len(seg_names)), dtype=np.float64)
    seg_ok = np.ones((k_count, len(seg_names)), dtype=np.uint8)
    n_p = len(partner_names)
    p_expo = np.zeros((k_count, n_p))
    p_join = np.zeros((k_count, n_p))
    p_fee = np.zeros((k_count, n_p))
    tools: list[str] = []
    for k, brand in enumerate(sc.brands):
        s = brand.strategy
        tool_name = resolve_tool(s.pool.tool, m.tools)
        tools.append(tool_name)
        tool = m.tools[tool_name]
        ms = s.membership
        row = {
            "cogs_rate": s.product.cogs_rate,
            "organic_effectiveness": s.acquisition.organic.effectiveness,
            "organic_follow": s.acquisition.organic.follow_rate,
            "kol_effectiveness": s.acquisition.kol.effectiveness, "kol_follow": s.acquisition.kol.follow_rate,
            "kol_trust_bonus": s.acquisition.kol.trust_bonus,
            "invite_share": s.interception.invite_share, "hook_value": s.interception.hook_value,
            "invite_cost": s.interception.invite_cost, "cooloff_days": s.interception.cooloff_days,
            "checkout_convenience": tool.checkout_convenience, "tool_reach": tool.reach,
            "cost_per_message": tool.cost_per_message, "per_week": s.messaging.per_week,
            "quality": s.messaging.quality, "selling_share": s.messaging.selling_share,
            "cap_per_week": s.messaging.cap_per_week, "share_rate": s.referral.share_rate,
            "contacts_per_share": s.referral.contacts_per_share, "share_window": s.referral.share_window_days,
            "referrer_reward": s.referral.referrer_reward, "referee_reward": s.referral.referee_reward,
            "distribution_commission": s.referral.distribution_commission,
            "referral_neutral": 1.0 if s.referral.neutral else 0.0,
            "points_rate": ms.points_rate, "min_redeem": ms.min_redeem,
            "points_expiry_days": ms.points_expiry_days, "points_purchase_lift": ms.points_purchase_lift,
            "points_dropout_relief": ms.points_dropout_relief, "n_tiers": len(ms.tiers),
            "points_half_rate": ms.points_half_rate, "cost_per_share": s.referral.cost_per_share,
            "birthday_perk": ms.birthday_perk, "birthday_response": ms.birthday_response,
            "paid_fee": ms.paid.fee_per_year, "paid_uptake": ms.paid.uptake,
            "paid_boost": ms.paid.purchase_boost, "paid_dropout": ms.paid.dropout_multiplier,
            "cold_per_week": s.compliance.cold_outreach_per_week, "cold_quality": s.compliance.cold_quality,
            "respect_opt_in": 1.0 if s.compliance.respect_opt_in else 0.0,
            "membership_on": 1.0 if (ms.points_rate > 0 or ms.tiers or ms.birthday_perk > 0
                                     or ms.paid.fee_per_year > 0) else 0.0,
        }
        for name, v in row.items():
            bp[k, L.BP[name]] = v
        for t, tier in enumerate(ms.tiers, start=1):
            tiers[k, t] = (tier.min_spend, tier.discount, tier.purchase_boost, tier.dropout_multiplier)
        for seg, w in s.acquisition.targeting.items():
            target[k, seg_names.index(seg)] = w
        if s.messaging.segments:
            seg_ok[k, :] = 0
            for seg in s.messaging.segments:
                seg_ok[k, seg_names.index(seg)] = 1
        for swap in s.acquisition.partners:
            j = partner_names.index(swap.partner)
            p_expo[k, j] = swap.exposure_per_day
            p_join[k, j] = swap.join_rate
            p_fee[k, j] = swap.fee_per_join
    return Packed(
        mp=mp, bp=bp, tiers=tiers, target=target, seg_ok=seg_ok,
        partner_share=np.array([p.reach_share for p in m.partners], dtype=np.float64),
        partner_trust=np.array([p.trust for p in m.partners], dtype=np.float64),
        partner_expo=p_expo, partner_join=p_join, partner_fee=p_fee, tools=tools,
    )
