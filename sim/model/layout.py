"""Names of every column of the model's arrays: stages, per-brand state, ledger items, tallies,
journey events and the packed parameter vectors handed to the kernels.

Kernels index arrays with these module-level integers (numba freezes them as constants), so a
kernel reads ``fs[i, k, TRUST]`` rather than ``fs[i, k, 0]``.
"""

from __future__ import annotations

# ---- stages of one consumer with one brand --------------------------------------------------
UNAWARE, AWARE, CUSTOMER, MEMBER, LAPSED = 0, 1, 2, 3, 4
STAGES = ("unaware", "aware", "customer", "member", "lapsed")
N_STAGES = 5

# ---- consumer traits: float32 (N, N_TRAITS) -------------------------------------------------
PSI, TAU, LAM, DROP, BASKET, SOC, PTS = range(7)
TRAITS = ("privacy_sensitivity", "message_tolerance", "purchase_rate", "dropout", "basket", "sociability", "points_appetite")
N_TRAITS = 7

# ---- per consumer and brand, float32 (N, K, N_FS) -------------------------------------------
TRUST, POINTS, SPEND_PUB, SPEND_PRIV, SPEND_MEMBER = range(5)
N_FS = 5

# ---- per consumer and brand, int32 (N, K, N_IS) ---------------------------------------------
LAST_BUY, JOINED, COOLOFF, REFERRER = range(4)
N_IS = 4
NEVER = -1_000_000  # a day before any day

# ---- per consumer and brand, uint8 (N, K, N_U8) ---------------------------------------------
CONSENT, TIER, SOURCE, PAID, OPTED_OUT = range(5)
N_U8 = 5

# ---- join sources -----------------------------------------------------------------------------
SRC_NONE, SRC_SEED, SRC_ORGANIC, SRC_KOL, SRC_PARTNER, SRC_INTERCEPT, SRC_REFERRAL = range(7)
SOURCES = ("none", "seed", "organic", "kol", "partner", "interception", "referral")

# ---- ledger items, float64 (days, K, N_MONEY), real currency --------------------------------
MONEY = (
    "revenue_public", "revenue_private", "membership_fees",
    "cogs", "platform_commission", "payment_fees", "ad_spend", "content_cost", "kol_fees",
    "partner_fees", "hooks", "invite_costs", "message_costs", "operator_staff", "saas",
    "referral_rewards", "distribution_commission", "points_redeemed", "member_discounts",
    "birthday_perks", "security", "fines",
)
(REV_PUB, REV_PRIV, REV_FEES,
 C_COGS, C_COMMISSION, C_PAYMENT, C_ADS, C_CONTENT, C_KOL,
 C_PARTNER, C_HOOKS, C_INVITES, C_MESSAGES, C_STAFF, C_SAAS,
 C_REWARDS, C_DISTRIBUTION, C_POINTS, C_DISCOUNTS,
 C_BIRTHDAY, C_SECURITY, C_FINES) = range(len(MONEY))
N_MONEY = len(MONEY)
REVENUE_ITEMS = (REV_PUB, REV_PRIV, REV_FEES)
COST_ITEMS = tuple(range(C_COGS, N_MONEY))

# ---- daily tallies, float64 (days, K, N_TALLY), agent units ---------------------------------
TALLY = (
    "purchases_public", "purchases_private", "message_purchases", "first_purchases",
    "joins_seed", "joins_organic", "joins_kol", "joins_partner", "joins_interception", "joins_referral",
    "invites", "invites_accepted", "sends", "seen", "cold_sends", "opt_outs", "complaints",
    "violations", "violation_complaints", "enforcements", "breaches", "breach_exits",
    "shares", "referral_contacts", "lapses", "lapsed_members", "winbacks",
    "points_earned", "points_redeemed", "points_expired", "points_forfeited", "tier_ups", "paid_members_new",
    "active_members", "trust_sum", "fatigue_sum_members", "records", "cpm", "impressions",
    "ad_aware", "organic_aware", "kol_aware", "partner_aware", "paid_members", "member_gross",
)
N_TALLY = len(TALLY)
T = {name: i for i, name in enumerate(TALLY)}
(T_PUR_PUB, T_PUR_PRIV, T_MSG_PUR, T_FIRST,
 T_J_SEED, T_J_ORGANIC, T_J_KOL, T_J_PARTNER, T_J_INTERCEPT, T_J_REFERRAL,
 T_INVITES, T_ACCEPTED, T_SENDS, T_SEEN, T_COLD, T_OPTOUTS, T_COMPLAINTS,
 T_VIOLATIONS, T_VIOL_COMPLAINTS, T_ENFORCE, T_BREACHES, T_BREACH_EXITS,
 T_SHARES, T_CONTACTS, T_LAPSES, T_LAPSED_MEMBERS, T_WINBACKS,
 T_PTS_EARNED, T_PTS_REDEEMED, T_PTS_EXPIRED, T_PTS_FORFEIT, T_TIER_UPS, T_PAID_NEW,
 T_ACTIVE, T_TRUST_SUM, T_FATIGUE_SUM, T_RECORDS, T_CPM, T_IMPRESSIONS,
 T_AD_AWARE, T_ORG_AWARE, T_KOL_AWARE, T_PARTNER_AWARE, T_PAID, T_MEMBER_GROSS) = range(N_TALLY)
JOIN_TALLY_OF_SOURCE = (-1, T_J_SEED, T_J_ORGANIC, T_J_KOL, T_J_PARTNER, T_J_INTERCEPT, T_J_REFERRAL)
#: Tallies that are stocks measured once a day (not flows to be summed over days).
STOCK_TALLIES = ("active_members", "trust_sum", "fatigue_sum_members", "records", "cpm", "paid_members")

# ---- journey events ---------------------------------------------------------------------------
# value column: "aware" -> channel (1 ads, 2 organic, 3 KOL, 4 partner); "joined" -> source code
# (SOURCES); purchases -> basket; "referred_friend" -> the friend's id; "tier_up" -> new tier.
AWARE_CHANNELS = ("", "ads", "organic", "kol", "partner")
EVENTS = (
    "none", "aware", "forgot", "bought_public", "bought_private", "invited", "declined", "joined",
    "message", "cold_message", "opted_out", "shared", "referred_friend", "lapsed", "won_back",
    "points_redeemed", "tier_up", "birthday_perk", "left_after_breach", "message_purchase", "seeded",
)
(E_NONE, E_AWARE, E_FORGOT, E_BUY_PUB, E_BUY_PRIV, E_INVITED, E_DECLINED, E_JOINED,
 E_MESSAGE, E_COLD, E_OPTOUT, E_SHARED, E_REFERRED, E_LAPSED, E_WONBACK,
 E_REDEEMED, E_TIER_UP, E_BIRTHDAY, E_BREACH_EXIT, E_MSG_PURCHASE, E_SEEDED) = range(len(EVENTS))

# ---- packed market parameters, float64 (N_MP,) ----------------------------------------------
MP_NAMES = (
    "represents", "n_segments", "ad_effectiveness", "aware_conversion", "forget_days",
    "commission_rate", "payment_fee_rate", "winback_share", "explicit_opt_in", "consent_friction",
    "marketing_opt_in_rate", "consent_trust_bonus", "complaint_rate_cold", "complaint_rate_member",
    "fatigue_decay_days", "response_base", "optout_base", "optout_fatigue_power", "optout_psi_weight",
    "trust_up", "trust_down", "trust_threshold", "trust_threshold_fatigue", "initial_trust",
    "invite_accept_base", "invite_psi_weight", "hook_lift", "hook_half_value", "trust_dropout_weight",
    "referral_accept_base", "referral_reward_half", "referral_reward_lift", "spam_fatigue",
    "net_kind", "mean_degree", "rewire", "sf_beta", "n_partners", "points_join_lift",
)
MP = {name: i for i, name in enumerate(MP_NAMES)}
N_MP = len(MP_NAMES)
(MP_REP, MP_NSEG, MP_AD_EFF, MP_AWARE_CONV, MP_FORGET,
 MP_COMMISSION, MP_PAYFEE, MP_WINBACK, MP_OPT_IN, MP_FRICTION,
 MP_OPT_IN_RATE, MP_CONSENT_BONUS, MP_COMPLAIN_COLD, MP_COMPLAIN_MEMBER,
 MP_FATIGUE_DAYS, MP_RESPONSE, MP_OPTOUT, MP_OPTOUT_POW, MP_OPTOUT_PSI,
 MP_TRUST_UP, MP_TRUST_DOWN, MP_TRUST_THR, MP_TRUST_THR_F, MP_TRUST0,
 MP_ACCEPT, MP_ACCEPT_PSI, MP_HOOK_LIFT, MP_HOOK_HALF, MP_TRUST_DROP,
 MP_REF_ACCEPT, MP_REF_HALF, MP_REF_LIFT, MP_SPAM,
 MP_NET_KIND, MP_DEGREE, MP_REWIRE, MP_SF_BETA, MP_NPARTNERS, MP_POINTS_JOIN) = range(N_MP)
NET_NONE, NET_MIXED, NET_RANDOM, NET_SMALL_WORLD, NET_SCALE_FREE = range(5)
NET_KINDS = ("none", "mixed", "random", "small_world", "scale_free")

# ---- packed brand parameters, float64 (K, N_BP) ---------------------------------------------
BP_NAMES = (
    "cogs_rate", "organic_effectiveness", "organic_follow", "kol_effectiveness", "kol_follow",
    "kol_trust_bonus", "invite_share", "hook_value", "invite_cost", "cooloff_days",
    "checkout_convenience", "tool_reach", "cost_per_message", "per_week", "quality", "selling_share",
    "cap_per_week", "share_rate", "contacts_per_share", "share_window", "referrer_reward",
    "referee_reward", "distribution_commission", "referral_neutral", "points_rate", "min_redeem",
    "points_expiry_days", "points_purchase_lift", "points_dropout_relief", "n_tiers", "birthday_perk",
    "birthday_response", "paid_fee", "paid_uptake", "paid_boost", "paid_dropout", "cold_per_week",
    "cold_quality", "respect_opt_in", "membership_on", "points_half_rate", "cost_per_share",
)
BP = {name: i for i, name in enumerate(BP_NAMES)}
N_BP = len(BP_NAMES)
(BP_COGS, BP_ORG_EFF, BP_ORG_FOLLOW, BP_KOL_EFF, BP_KOL_FOLLOW,
 BP_KOL_TRUST, BP_INVITE_SHARE, BP_HOOK, BP_INVITE_COST, BP_COOLOFF,
 BP_CHECKOUT, BP_TOOL_REACH, BP_MSG_COST, BP_PER_WEEK, BP_QUALITY, BP_SELLING,
 BP_CAP, BP_SHARE_RATE, BP_CONTACTS, BP_WINDOW, BP_REFERRER_REWARD,
 BP_REFEREE_REWARD, BP_DIST_COMM, BP_REF_NEUTRAL, BP_POINTS_RATE, BP_MIN_REDEEM,
 BP_POINTS_EXPIRY, BP_POINTS_LIFT, BP_POINTS_RELIEF, BP_NTIERS, BP_BIRTHDAY,
 BP_BIRTHDAY_RESP, BP_PAID_FEE, BP_PAID_UPTAKE, BP_PAID_BOOST, BP_PAID_DROPOUT, BP_COLD,
 BP_COLD_QUALITY, BP_RESPECT, BP_MEMBERSHIP_ON, BP_POINTS_HALF, BP_SHARE_COST) = range(N_BP)

# tier table (K, MAX_TIERS, N_TIER_COLS)
MAX_TIERS = 6
TIER_MIN, TIER_DISCOUNT, TIER_BOOST, TIER_DROPOUT = range(4)
N_TIER_COLS = 4

# ---- per-brand daily plan, float64 (K, N_PLAN), written by Brand agents each day ---------------
PLAN_NAMES = ("organic_view", "kol_view", "messages_today", "cold_today", "ad_budget")
PLAN_ORGANIC, PLAN_KOL, PLAN_MESSAGES, PLAN_COLD, PLAN_AD_BUDGET = range(len(PLAN_NAMES))
N_PLAN = len(PLAN_NAMES)
