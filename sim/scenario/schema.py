"""Scenario schema: every input of a run, typed, bounded and documented.

A scenario is a market (a synthetic consumer population with its public platforms, social network,
partner pools, messaging tools and regulatory regime), one or more brands each running a strategy,
and run settings. Every field carries a unit and a source (a seed article, a paper, a public rate
card) or the word "assumption"; ``docs/scenarios.md`` and the parameter table in ``docs/MODEL.md``
are generated from these declarations.

All models forbid unknown keys; the loader turns pydantic's errors into messages with field paths
and "did you mean" hints.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.sources import cite

ASSUMPTION = "assumption"

#: Source labels used by several fields (the articles by title, publisher and date: sim.sources, docs/MODEL.md).
SRC_BGNBD = "Fader, Hardie & Lee (2005) BG/NBD, CDNOW fit r=0.24, a=0.79, b=2.43 (rescaled)"
SRC_SEED000 = cite("japan_originator")
SRC_SEED001 = cite("itc_trend")
SRC_SEED002 = cite("ebrun_amazons")
SRC_SEED003 = cite("eo_report_2022")
SRC_SEED004 = cite("private_ecommerce_wiki")
SRC_EMAIL_BENCH = "public email benchmarks: 1-4 unsubscribes per 1,000 sends at weekly cadence"
SRC_FX = "approximate 2024 average exchange rates (for converting strategies between markets)"

#: Units of currency per US dollar, used when a strategy written in one currency runs in another market.
FX_PER_USD: dict[str, float] = {"USD": 1.0, "CNY": 7.2, "JPY": 150.0, "EUR": 0.92, "KRW": 1360.0, "HKD": 7.8,
                                "TWD": 32.0, "SGD": 1.35, "THB": 35.0, "GBP": 0.79}


#: Largest money amount a scenario may state, in its currency (one trillion; far above any real budget or fine,
#: far below what would overflow a ten-year ledger). Assumption.
MAX_MONEY = 1e12


def param(
    default: Any,
    *,
    unit: str,
    source: str = ASSUMPTION,
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a documented scenario parameter (a pydantic ``Field`` with unit and source).

    Money amounts (units starting with ``currency``) are also capped at :data:`MAX_MONEY` (see
    :class:`Strict`), so that no amount can overflow the ledger to infinity.
    """
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )


class Strict(BaseModel):
    """Base for every scenario model: unknown keys are errors, floats must be finite."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _money_is_bounded(cls, value: Any, info: Any) -> Any:
        """Refuse a money amount above :data:`MAX_MONEY` (reported like any upper bound, at its field)."""
        if isinstance(value, float) and value > MAX_MONEY and info.field_name is not None:
            extra = cls.model_fields[info.field_name].json_schema_extra
            if isinstance(extra, dict) and str(extra.get("unit", "")).startswith("currency"):
                raise PydanticCustomError("less_than_equal", "Input should be less than or equal to {le}",
                                          {"le": MAX_MONEY})
        return value


# --------------------------------------------------------------------------------------------
# Trait distributions
# --------------------------------------------------------------------------------------------


class Fixed(Strict):
    """Every consumer gets the same value."""

    dist: Literal["fixed"]
    value: float = param(0.0, unit="trait unit", description="The value.")


class Uniform(Strict):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: float = param(0.0, unit="trait unit", description="Lower bound.")
    high: float = param(1.0, unit="trait unit", description="Upper bound.")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be at least low ({self.low})")
        return self


class Beta(Strict):
    """Beta(a, b) on [0, 1]; mean a/(a+b)."""

    dist: Literal["beta"]
    a: float = param(2.0, unit="-", gt=0, description="First shape parameter.")
    b: float = param(2.0, unit="-", gt=0, description="Second shape parameter.")


class Gamma(Strict):
    """Gamma with ``shape`` and ``rate``; mean shape/rate (BG/NBD's r and alpha)."""

    dist: Literal["gamma"]
    shape: float = param(1.0, unit="-", gt=0, description="Shape (BG/NBD r).")
    rate: float = param(1.0, unit="1/trait unit", gt=0, description="Rate (BG/NBD alpha).")


class LogNormal(Strict):
    """Log-normal given by its mean and coefficient of variation."""

    dist: Literal["lognormal"]
    mean: float = param(1.0, unit="trait unit", gt=0, description="Mean.")
    cv: float = param(0.5, unit="-", ge=0, description="Coefficient of variation.")


Distribution = Annotated[Fixed | Uniform | Beta | Gamma | LogNormal, Field(discriminator="dist")]


def dist_mean(d: Fixed | Uniform | Beta | Gamma | LogNormal) -> float:
    """Mean of a trait distribution (for documentation and closed-form checks)."""
    if isinstance(d, Fixed):
        return d.value
    if isinstance(d, Uniform):
        return 0.5 * (d.low + d.high)
    if isinstance(d, Beta):
        return d.a / (d.a + d.b)
    if isinstance(d, Gamma):
        return d.shape / d.rate
    return d.mean


# --------------------------------------------------------------------------------------------
# Market
# --------------------------------------------------------------------------------------------


class Segment(Strict):
    """A consumer segment: its share of the population and its trait distributions."""

    name: str = Field(description="Segment name, used for targeting.", min_length=1, max_length=40)
    share: float = param(1.0, unit="fraction", gt=0, le=1, description="Share of the population.")
    privacy_sensitivity: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", a=2.0, b=5.0),
        description="psi in [0,1]: lowers invitation acceptance, raises opt-outs (assumption).",
    )
    message_tolerance: Distribution = Field(
        default_factory=lambda: LogNormal(dist="lognormal", mean=3.0, cv=0.5),
        description="tau: brand messages per week a consumer tolerates (assumption).",
    )
    purchase_rate: Distribution = Field(
        default_factory=lambda: Gamma(dist="gamma", shape=1.2, rate=0.3),
        description="lambda: purchases per year while the relationship lives (BG/NBD Gamma).",
    )
    dropout: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", a=0.8, b=4.0),
        description="p: probability the relationship dies after a purchase (BG/NBD Beta).",
    )
    basket: Distribution = Field(
        default_factory=lambda: LogNormal(dist="lognormal", mean=200.0, cv=0.6),
        description="Basket value per purchase, in market currency (Gamma-Gamma style spread).",
    )
    sociability: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", a=2.0, b=3.0),
        description="Propensity to share with friends, in [0,1] (assumption).",
    )
    points_appetite: Distribution = Field(
        default_factory=lambda: Beta(dist="beta", a=2.0, b=3.0),
        description="How much points and tiers move this consumer, in [0,1] (assumption).",
    )

    @model_validator(mode="after")
    def _unit_traits(self) -> Segment:
        for name in ("privacy_sensitivity", "sociability", "points_appetite"):
            d = getattr(self, name)
            lo, hi = _support(d)
            if lo < 0 or hi > 1:
                raise ValueError(f"{name} must lie in [0, 1]; its distribution reaches [{lo}, {hi}]")
        for name in ("message_tolerance", "purchase_rate", "basket"):
            lo, _ = _support(getattr(self, name))
            if lo < 0:
                raise ValueError(f"{name} must be non-negative; its distribution reaches {lo}")
        if (lo := _support(self.message_tolerance)[0]) <= 0 and isinstance(self.message_tolerance, Fixed | Uniform):
            raise ValueError(f"message_tolerance must be positive; found {lo}")
        lo, hi = _support(self.dropout)
        if lo < 0 or hi > 1:
            raise ValueError(f"dropout must lie in [0, 1]; its distribution reaches [{lo}, {hi}]")
        return self


def _support(d: Fixed | Uniform | Beta | Gamma | LogNormal) -> tuple[float, float]:
    if isinstance(d, Fixed):
        return d.value, d.value
    if isinstance(d, Uniform):
        return d.low, d.high
    if isinstance(d, Beta):
        return 0.0, 1.0
    return 0.0, math.inf


class Platforms(Strict):
    """The public domain: the marketplaces and ad platforms a brand rents traffic from."""

    cpm_base: float = param(
        30.0, unit="currency / 1,000 impressions", gt=0,
        description="CPM when total ad demand equals demand_ref.",
    )
    demand_ref: float = param(
        200_000.0, unit="currency / day", gt=0,
        description="Reference total daily ad demand at which CPM equals cpm_base.",
    )
    elasticity: float = param(
        0.6, unit="-", ge=0, le=3, source=SRC_SEED001 + "; functional form assumption",
        description="epsilon in CPM = cpm_base * (demand / demand_ref)^epsilon: competition makes traffic dear.",
    )
    competitor_demand: float = param(
        200_000.0, unit="currency / day", ge=0, source=SRC_SEED001 + "; level assumption",
        description="Other advertisers' daily demand in the same auction at day 0.",
    )
    competitor_growth: float = param(
        0.26, unit="1 / year", ge=-0.9, le=5, source=SRC_SEED001 + ": Tmall Global brands 20,000 -> 40,000 in 3 years",
        description="Yearly growth of competitors' ad demand (26%/yr doubles it in 3 years).",
    )
    ad_effectiveness: float = param(
        0.06, unit="probability", ge=0, le=1,
        description="Chance that a consumer who sees a brand's ads on a day becomes aware.",
    )
    aware_conversion: float = param(
        0.35, unit="fraction", ge=0, le=1,
        description="Share of an aware consumer's category purchases that go to the brand (first purchase).",
    )
    forget_days: float = param(
        90.0, unit="days", gt=0, description="Mean time before an aware non-customer forgets the brand.",
    )
    commission_rate: float = param(
        0.05, unit="fraction of sales", ge=0, le=1, source="Tmall technical service fee 2-5% by category (public rate card)",
        description="Platform commission on public-channel sales.",
    )
    payment_fee_rate: float = param(
        0.006, unit="fraction of sales", ge=0, le=0.2, source="WeChat Pay / Alipay merchant fee 0.6% (public rate card)",
        description="Payment processing fee on all sales.",
    )
    winback_share: float = param(
        0.3, unit="fraction", ge=0, le=1,
        description="Ad effectiveness on lapsed customers relative to unaware consumers (win-back).",
    )


class Network(Strict):
    """Who can refer whom. Neighbours are generated from the seed, never stored."""

    kind: Literal["none", "mixed", "random", "small_world", "scale_free"] = Field(
        "small_world", description="none, fully mixed, random (Erdos-Renyi), small-world (Watts-Strogatz), scale-free (Chung-Lu power law)."
    )
    mean_degree: float = param(
        12.0, unit="contacts", gt=0, le=500, source="Dunbar-style active circle; assumption",
        description="Average number of contacts a consumer can share with.",
    )
    rewire: float = param(
        0.1, unit="probability", ge=0, le=1, source="Watts & Strogatz (1998)",
        description="Small-world rewiring probability.",
    )
    exponent: float = param(
        2.5, unit="-", gt=2, le=4, source="Barabasi & Albert (1999); typical social networks 2-3",
        description="Scale-free degree exponent gamma.",
    )


class Partner(Strict):
    """Another brand's or partner's pool (the other domain, 它域) reachable by resource swaps."""

    name: str = Field(min_length=1, max_length=40, description="Partner name.")
    reach_share: float = param(0.1, unit="fraction of population", gt=0, le=1, source=SRC_SEED004, description="Share of consumers in the partner's pool.")
    trust: float = param(0.55, unit="0-1", ge=0, le=1, description="Initial trust carried over to joiners from this pool.")


class Tool(Strict):
    """A private-pool tool (WeChat groups + mini-program, LINE official account, member site...)."""

    checkout_convenience: float = param(
        0.6, unit="probability", ge=0, le=1, source=SRC_SEED000 + "; level assumption",
        description="Chance a member's purchase goes through the private channel (in-tool checkout).",
    )
    members_per_operator: float = param(
        5_000.0, unit="members / operator", gt=0, source=SRC_SEED000 + " (WeChat SCRM far more efficient); level assumption",
        description="How many members one operator can run with this tool.",
    )
    saas_per_member_month: float = param(0.02, unit="currency / member / month", ge=0, description="Per-member software fee.")
    cost_per_message: float = param(
        0.0, unit="currency / message", ge=0,
        description="Marginal cost of one message (LINE charges beyond a plan quota; WeChat groups are free).",
    )
    reach: float = param(0.9, unit="probability", ge=0, le=1, description="Share of messages actually seen (open/view rate).")


class Breach(Strict):
    """Data-breach hazard and its consequences under this regime."""

    rate_per_million_records_year: float = param(
        0.15, unit="breaches / year / million records", ge=0,
        source="IBM Cost of a Data Breach 2024 (frequency); assumption for the per-record scaling",
        description="Breach hazard without security spend.",
    )
    security_halving: float = param(
        2_000.0, unit="currency / day", gt=0, description="Daily security spend that halves the breach hazard.",
    )
    fine: float = param(1_000_000.0, unit="currency", ge=0, description="Fine and remediation cost of one breach.")
    trust_shock: float = param(0.2, unit="0-1", ge=0, le=1, description="Trust lost by every pool member after a breach.")
    optout_share: float = param(
        0.1, unit="fraction", ge=0, le=1, source=SRC_SEED000 + " (leaks can sink a firm in Japan)",
        description="Share of members (weighted by privacy sensitivity) who leave the pool after a breach.",
    )


class Regime(Strict):
    """Consent law and enforcement of the market."""

    kind: Literal["explicit_opt_in", "implied_consent_with_easy_exit"] = Field(
        "implied_consent_with_easy_exit",
        description="explicit_opt_in (Japan: Specified E-mail Act, APPI) or implied consent with easy exit (China: PIPL).",
    )
    consent_friction: float = param(
        1.0, unit="multiplier", ge=0, le=1, source=SRC_SEED000,
        description="Multiplier on join acceptance from the explicit consent form (1 = no form).",
    )
    marketing_opt_in_rate: float = param(
        1.0, unit="probability", ge=0, le=1,
        description="Share of joiners who tick the marketing-message box (implied consent: all).",
    )
    consent_trust_bonus: float = param(
        0.0, unit="0-1", ge=0, le=1, description="Extra initial trust of members who opted in explicitly.",
    )
    complaint_rate_cold: float = param(
        0.01, unit="complaints / cold message", ge=0, le=1, description="Chance a cold (unconsented) message draws a complaint.",
    )
    complaint_rate_member: float = param(
        0.0005, unit="complaints / message", ge=0, le=1, description="Complaint chance of a member message at full fatigue.",
    )
    enforcement_per_violation_complaint: float = param(
        0.002, unit="probability", ge=0, le=1, description="Chance a complaint about an unlawful message leads to enforcement.",
    )
    fine_per_enforcement: float = param(
        0.0, unit="currency", ge=0, description="Fine per enforcement action.",
    )
    enforcement_trust_shock: float = param(
        0.1, unit="0-1", ge=0, le=1, description="Trust lost by every member when an enforcement becomes public.",
    )
    breach: Breach = Field(default_factory=Breach, description="Data-breach hazard and consequences.")


class Behaviour(Strict):
    """How consumers of this market respond to brand messages, invitations and referrals."""

    fatigue_decay_days: float = param(
        7.0, unit="days", gt=0, source=SRC_SEED003 + " (repetition fatigues users); time constant assumption",
        description="Time constant of fatigue decay (shared across brands).",
    )
    response_base: float = param(
        0.02, unit="purchases / message", ge=0, le=1, source=SRC_EMAIL_BENCH + " (click-to-purchase); assumption",
        description="Purchase chance of a seen message at quality 1, trust 1, no fatigue.",
    )
    optout_base: float = param(
        0.0012, unit="opt-outs / message", ge=0, le=1, source=SRC_EMAIL_BENCH,
        description="Opt-out chance of a seen message at zero fatigue and zero privacy sensitivity.",
    )
    optout_fatigue_power: float = param(
        2.0, unit="-", ge=0, le=6, description="Opt-out hazard grows as (1 + fatigue/tolerance)^power.",
    )
    optout_psi_weight: float = param(2.0, unit="-", ge=0, le=20, description="Opt-out hazard multiplier per unit privacy sensitivity.")
    trust_up: float = param(0.02, unit="0-1 / message", ge=0, le=1, description="Trust gain of a message whose value beats the threshold.")
    trust_down: float = param(0.03, unit="0-1 / message", ge=0, le=1, description="Trust loss of a message below the threshold (hard selling).")
    trust_threshold: float = param(0.35, unit="0-1", ge=0, le=2, description="Content value needed to build trust at zero fatigue.")
    trust_threshold_fatigue: float = param(0.3, unit="0-1", ge=0, le=2, description="Extra content value needed per unit of fatigue/tolerance.")
    initial_trust: float = param(0.4, unit="0-1", ge=0, le=1, description="Trust of a new pool member.")
    invite_accept_base: float = param(
        0.25, unit="probability", ge=0, le=1, source=SRC_SEED004 + "; level assumption",
        description="Chance a buyer with zero privacy sensitivity accepts an invitation with no hook.",
    )
    invite_psi_weight: float = param(1.5, unit="-", ge=0, le=10, description="Acceptance falls as (1 - psi)^weight.")
    hook_lift: float = param(0.5, unit="-", ge=0, le=5, description="Relative acceptance lift of a hook worth hook_half_value.")
    hook_half_value: float = param(10.0, unit="currency", gt=0, description="Hook value giving half the maximum lift.")
    points_join_lift: float = param(
        0.6, unit="fraction", ge=0, le=10, source=SRC_SEED000 + " (points culture); level assumption",
        description="Largest relative acceptance lift from the points programme itself (saturating like the other points effects).",
    )
    trust_dropout_weight: float = param(
        0.8, unit="-", ge=0, le=2, description="Dropout multiplier is 1 + weight * (0.5 - trust).",
    )
    referral_accept_base: float = param(
        0.08, unit="probability", ge=0, le=1, source=SRC_SEED004 + " (both sides get a coupon); level assumption",
        description="Chance a contact with zero privacy sensitivity joins after a share, with no referee reward.",
    )
    referral_reward_half: float = param(10.0, unit="currency", gt=0, description="Reward giving half the maximum referral lift.")
    referral_reward_lift: float = param(2.0, unit="-", ge=0, le=20, description="Maximum relative lift of sharing or joining from rewards.")
    spam_fatigue: float = param(0.5, unit="messages", ge=0, le=10, description="Fatigue added to a contact by an unwanted share.")


class Market(Strict):
    """A synthetic consumer population with its platforms, network, partners, tools and law."""

    name: str = Field("market", min_length=1, max_length=60, description="Market name.")
    currency: str = Field("CNY", min_length=1, max_length=8, description="Currency code of every money amount.")
    fx_per_usd: float | None = param(
        None, unit="currency / USD", gt=0, source=SRC_FX,
        description="Units of this currency per US dollar (default: a built-in table); used to convert strategies and to compare markets.",
    )
    represents: float = param(
        100.0, unit="people / agent", gt=0, le=1e7,
        description="How many real consumers one simulated consumer stands for (scales money and counts).",
    )
    people: float | None = param(
        None, unit="people", gt=0, le=2e9,
        description="Size of the addressable market; when set, represents = people / run.population, so a smaller simulation keeps the same market.",
    )
    segments: list[Segment] = Field(
        default_factory=lambda: [Segment(name="all")], min_length=1, max_length=16,
        description="Consumer segments; shares are normalised to sum to 1.",
    )
    platforms: Platforms = Field(default_factory=Platforms, description="Public-domain platforms and ad auction.")
    network: Network = Field(default_factory=Network, description="Social network for referrals.")
    partners: list[Partner] = Field(default_factory=list, max_length=8, description="Partner pools (other domain).")
    tools: dict[str, Tool] = Field(
        default_factory=lambda: {"member_site": Tool()}, min_length=1, max_length=8,
        description="Private-pool tools available in this market, by name.",
    )
    regime: Regime = Field(default_factory=Regime, description="Consent law and enforcement.")
    behaviour: Behaviour = Field(default_factory=Behaviour, description="Consumer response constants of this market.")

    @model_validator(mode="after")
    def _unique_names(self) -> Market:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"segment names must be unique; found {names}")
        pnames = [p.name for p in self.partners]
        if len(set(pnames)) != len(pnames):
            raise ValueError(f"partner names must be unique; found {pnames}")
        return self


# --------------------------------------------------------------------------------------------
# Strategy
# --------------------------------------------------------------------------------------------


class Product(Strict):
    """What the brand sells."""

    cogs_rate: float = param(0.45, unit="fraction of sales", ge=0, le=1, description="Cost of goods sold.")


class Organic(Strict):
    """Free content on algorithmic platforms (Douyin, Xiaohongshu...): slower, cheaper."""

    reach_per_day: float = param(0.0, unit="fraction of population / day", ge=0, le=1, source=SRC_SEED004, description="Daily chance a consumer sees the brand's content.")
    effectiveness: float = param(0.3, unit="probability", ge=0, le=1, description="Chance a content view makes the consumer aware.")
    follow_rate: float = param(0.05, unit="probability", ge=0, le=1, description="Chance an aware viewer follows the brand's account (joins the pool directly).")
    cost_per_day: float = param(0.0, unit="currency / day", ge=0, description="Content production cost.")


class Kol(Strict):
    """KOL campaigns: buying an influencer is buying their followers (Ebrun n.d.)."""

    fee: float = param(0.0, unit="currency / campaign", ge=0, source=SRC_SEED002, description="Fee per campaign.")
    every_days: int = param(30, unit="days", ge=1, le=3650, description="Days between campaigns.")
    reach: float = param(0.0, unit="people / campaign", ge=0, description="Followers exposed per campaign.")
    effectiveness: float = param(0.25, unit="probability", ge=0, le=1, description="Chance an exposed follower becomes aware.")
    follow_rate: float = param(0.05, unit="probability", ge=0, le=1, description="Chance an aware follower joins the pool directly.")
    trust_bonus: float = param(0.15, unit="0-1", ge=0, le=1, description="Extra initial trust of members who came via the KOL.")


class PartnerSwap(Strict):
    """A resource swap with a partner pool."""

    partner: str = Field(min_length=1, description="Name of a partner in the market.")
    exposure_per_day: float = param(0.002, unit="fraction of partner pool / day", ge=0, le=1, description="Daily share of the partner's pool shown the brand.")
    join_rate: float = param(0.1, unit="probability", ge=0, le=1, description="Chance an exposed partner-pool consumer joins the brand's pool.")
    fee_per_join: float = param(5.0, unit="currency / join", ge=0, description="Fee paid to the partner per join.")


class Acquisition(Strict):
    """Public and other-domain acquisition."""

    ad_budget_per_day: float = param(0.0, unit="currency / day", ge=0, description="Daily ad budget in the public auction.")
    targeting: dict[str, float] = Field(default_factory=dict, description="Relative ad weight by segment name (missing = 1).")
    organic: Organic = Field(default_factory=Organic, description="Organic content.")
    kol: Kol = Field(default_factory=Kol, description="KOL campaigns.")
    partners: list[PartnerSwap] = Field(default_factory=list, max_length=8, description="Partner-pool swaps.")

    @field_validator("targeting")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if not (w >= 0 and math.isfinite(w)):
                raise ValueError(f"targeting weight for {k!r} must be a finite number >= 0, found {w}")
        return v


class Interception(Strict):
    """Diversion (截流) of platform buyers into the pool: order cards, SMS, QR codes, hooks."""

    invite_share: float = param(0.0, unit="fraction of orders", ge=0, le=1, source=SRC_SEED004, description="Share of platform orders that carry an invitation.")
    hook_value: float = param(0.0, unit="currency / accepted invite", ge=0, description="Hook (red packet, sample) paid to each buyer who joins.")
    invite_cost: float = param(0.2, unit="currency / invite", ge=0, description="Cost of one invitation (card, SMS).")
    cooloff_days: int = param(90, unit="days", ge=0, le=3650, description="No re-invitation for this long after a decline or opt-out.")


class Pool(Strict):
    """The brand's own pool: which tool, how it is staffed."""

    tool: str | list[str] = Field(
        "member_site", description="Tool name, or a preference list: the first one the market offers is used."
    )
    operator_cost_per_day: float = param(400.0, unit="currency / operator / day", ge=0, description="Loaded daily cost of one pool operator.")
    saas_per_day: float = param(0.0, unit="currency / day", ge=0, description="Fixed software cost (SCRM, CRM, member site).")


class Messaging(Strict):
    """Messages to pool members (activation, 促活)."""

    per_week: float = param(0.0, unit="messages / week", ge=0, le=70, source=SRC_SEED003, description="Broadcast frequency to members.")
    quality: float = param(0.5, unit="0-1", ge=0, le=1, description="Content value to the consumer.")
    selling_share: float = param(0.2, unit="fraction", ge=0, le=1, source=SRC_SEED004 + " (80% trust and service, 20% selling)", description="Share of message content that is hard selling.")
    cap_per_week: float = param(0.0, unit="messages / week", ge=0, le=70, description="Average per-member cap: each broadcast reaches a member with probability cap/per_week (0 = no cap).")
    segments: list[str] = Field(default_factory=list, description="Only message members of these segments (empty = all).")


class Referral(Strict):
    """Fission (裂变): members share with friends; both sides may be rewarded."""

    share_rate: float = param(0.0, unit="shares / member / day", ge=0, le=1, source=SRC_SEED004, description="Base daily chance a member shares, before trust, sociability and reward effects.")
    contacts_per_share: float = param(3.0, unit="contacts", ge=0, le=500, description="Contacts reached by one share.")
    share_window_days: int = param(60, unit="days", ge=1, le=3650, description="Members share only in their first days in the pool.")
    referrer_reward: float = param(0.0, unit="currency / join", ge=0, source=SRC_SEED004, description="Coupon to the referrer per successful referral.")
    referee_reward: float = param(0.0, unit="currency / join", ge=0, source=SRC_SEED004, description="Coupon to the new member.")
    distribution_commission: float = param(0.0, unit="fraction of referee sales", ge=0, le=0.5, source=SRC_SEED004 + " (社交分销)", description="Commission to the referrer on the referee's private-channel sales.")
    cost_per_share: float = param(0.0, unit="currency / share", ge=0, description="Cost of each share the brand drives (posters, check-in prizes, campaign operation).")
    neutral: bool = Field(False, description="Ignore trust, sociability and privacy effects (for closed-form validation).")


class Tier(Strict):
    """A membership tier reached by cumulative member spend."""

    name: str = Field(min_length=1, max_length=30, description="Tier name.")
    min_spend: float = param(0.0, unit="currency", ge=0, description="Cumulative spend to reach this tier.")
    discount: float = param(0.0, unit="fraction", ge=0, le=0.9, description="Member price discount on private-channel purchases.")
    purchase_boost: float = param(0.0, unit="fraction", ge=0, le=5, description="Relative lift of the purchase rate.")
    dropout_multiplier: float = param(1.0, unit="multiplier", ge=0, le=5, description="Multiplier on BG/NBD dropout (stickiness < 1).")


class PaidMembership(Strict):
    """Optional paid membership (e.g. a yearly fee with extra benefits)."""

    fee_per_year: float = param(0.0, unit="currency / year", ge=0, description="Yearly fee (0 = no paid membership).")
    uptake: float = param(0.1, unit="probability", ge=0, le=1, description="Chance a member with full points appetite takes it at joining.")
    purchase_boost: float = param(0.3, unit="fraction", ge=0, le=5, description="Relative lift of the purchase rate of paying members.")
    dropout_multiplier: float = param(0.6, unit="multiplier", ge=0, le=5, description="Dropout multiplier of paying members.")


class Membership(Strict):
    """Membership (会員制): points, breakage, tiers, member price, birthday perk."""

    points_rate: float = param(0.0, unit="points / currency", ge=0, le=0.5, source="Rakuten / Japanese retail norm 1 point per 100 yen (1%)", description="Points earned per unit of spend (1 point = 1 currency unit).")
    min_redeem: float = param(50.0, unit="points", ge=0, description="Balance needed before points are redeemed at a purchase.")
    points_expiry_days: float = param(365.0, unit="days", gt=0, description="Mean lifetime of unredeemed points (drives breakage).")
    points_purchase_lift: float = param(0.2, unit="fraction", ge=0, le=5, description="Largest relative purchase-rate lift points can give (saturating in points_rate x appetite).")
    points_dropout_relief: float = param(0.35, unit="fraction", ge=0, le=0.95, description="Largest relative dropout reduction points can give (saturating in points_rate x appetite).")
    points_half_rate: float = param(0.01, unit="points / currency", gt=0, le=1, description="Points rate x appetite giving half the largest lift and relief (1% is the Japanese norm).")
    tiers: list[Tier] = Field(default_factory=list, max_length=6, description="Tiers by cumulative spend, in ascending order.")
    birthday_perk: float = param(0.0, unit="currency / member / year", ge=0, description="Cost of the birthday perk.")
    birthday_response: float = param(0.2, unit="probability", ge=0, le=1, description="Chance the birthday perk triggers a purchase.")
    paid: PaidMembership = Field(default_factory=PaidMembership, description="Optional paid membership.")

    @model_validator(mode="after")
    def _ascending(self) -> Membership:
        spends = [t.min_spend for t in self.tiers]
        if spends != sorted(spends):
            raise ValueError(f"tiers must be in ascending min_spend order; found {spends}")
        return self


class Compliance(Strict):
    """Consent practice, cold outreach and security."""

    cold_outreach_per_week: float = param(0.0, unit="messages / week", ge=0, le=70, source=SRC_SEED000 + " (naive transplant fails)", description="Messages to platform buyers who never joined (SMS to order numbers).")
    cold_quality: float = param(0.2, unit="0-1", ge=0, le=1, description="Content value of cold messages.")
    security_per_day: float = param(0.0, unit="currency / day", ge=0, description="Security spend; lowers the breach hazard.")
    respect_opt_in: bool = Field(True, description="Under explicit opt-in, message only members who ticked marketing consent.")


# ---- levers of issue 13: offline capture, livestreams, own site, group buying, stored value ----------


class Stores(Strict):
    """Member capture in stores, at events and service centres (Japan's member sources, Rimaotong 2025).

    Shoppers walk into the brand's touchpoints (stores, counters, service centres); a share buy, and a
    buyer may sign up at the till with a QR code or a member card, giving consent on the spot. Events
    (pop-ups, fairs, seminars) bring visitors who may sign up without buying.
    """

    touchpoints: int = param(0, unit="touchpoints", ge=0, le=100_000, source=SRC_SEED000 + " (stores and service centres)",
                             description="Stores, counters and service centres that capture members (0 = off).")
    footfall_per_day: float = param(300.0, unit="people / touchpoint / day", ge=0, le=1e6,
                                    description="Visitors a touchpoint receives on a day.")
    purchase_share: float = param(0.2, unit="fraction of visitors", ge=0, le=1,
                                  description="Chance a visitor buys (one basket, no platform commission).")
    signup_share: float = param(
        0.3, unit="fraction of store buyers", ge=0, le=1, source=SRC_SEED004 + " (QR codes in stores); level assumption",
        description="Chance a buyer who is not a member signs up at the till (QR code or card), before privacy sensitivity.")
    on_spot_consent: float = param(
        0.8, unit="probability", ge=0, le=1, source=SRC_SEED000 + " (consent taken in person); level assumption",
        description="Under explicit opt-in: chance a store or event sign-up ticks marketing consent, asked in person.")
    cost_per_touchpoint_day: float = param(
        1_500.0, unit="currency / touchpoint / day", ge=0,
        description="Running cost of one touchpoint's capture (counter staff, QR stands, cards, rent share).")
    events_per_year: float = param(0.0, unit="events / year", ge=0, le=365, source=SRC_SEED000 + " (events)",
                                   description="Member events, spread evenly over the year (0 = none).")
    visitors_per_event: float = param(2_000.0, unit="people / event", ge=0, le=1e8,
                                      description="Visitors of one event.")
    event_signup_share: float = param(0.15, unit="fraction of visitors", ge=0, le=1,
                                      description="Chance an event visitor who is not a member signs up on the spot.")
    cost_per_event: float = param(50_000.0, unit="currency / event", ge=0,
                                  description="Cost of one event (venue, staff, samples).")


class Livestream(Strict):
    """Livestream commerce (直播): scheduled sessions with a host, live viewers from the pool and the platform.

    Ebrun n.d.: social-commerce marketplaces let cross-border sellers build pools with KOLs, livestreams
    and short video; the Private e-commerce encyclopedia 2025 names livestreams among the conversion levers.
    """

    sessions_per_week: float = param(0.0, unit="sessions / week", ge=0, le=7, source=SRC_SEED002,
                                     description="Live sessions, spread evenly over the week (0 = off).")
    host_fee: float = param(5_000.0, unit="currency / session", ge=0, source=SRC_SEED002 + "; level assumption",
                            description="Fee of the host (an influencer or the brand's anchor) and crew per session.")
    platform_viewers: float = param(20_000.0, unit="people / session", ge=0, le=1e9,
                                    description="Viewers the platform's live feed brings to one session.")
    pool_attendance: float = param(0.05, unit="fraction of members / session", ge=0, le=1,
                                   description="Chance a pool member watches a session (announced in the pool).")
    conversion: float = param(0.03, unit="purchases / viewer", ge=0, le=1,
                              description="Chance a viewer buys during the session at no discount (the live spike).")
    discount: float = param(0.1, unit="fraction of price", ge=0, le=0.9,
                            description="Live-only discount depth on the basket.")
    discount_lift: float = param(3.0, unit="-", ge=0, le=20,
                                 description="Conversion rises as conversion * (1 + discount_lift * discount), at most 1.")
    join_rate: float = param(0.02, unit="probability", ge=0, le=1, source=SRC_SEED002 + "; level assumption",
                             description="Chance a platform viewer who is not a member follows into the pool, before privacy sensitivity and the consent form.")


class OwnSite(Strict):
    """The brand's own independent site (Shopify and the like), and the marketplace's rules against diversion.

    Ebrun n.d.: building an independent site fell from about 100,000 yuan and two months to a few thousand
    yuan and two days; its traffic must be bought or brought from the pool. Diverting marketplace buyers
    to it (cards in parcels) breaks marketplace rules and risks a penalty: lost listing days.
    """

    setup_day: int | None = param(None, unit="day", ge=0, le=3650,
                                  description="Day the site is commissioned (none = no own site); it must fall inside the horizon.")
    setup_cost: float = param(5_000.0, unit="currency", ge=0, source=SRC_SEED002 + " (a few thousand yuan)",
                              description="One-off build cost, paid on the set-up day.")
    build_days: int = param(2, unit="days", ge=0, le=365, source=SRC_SEED002 + " (two days)",
                            description="Days from set-up to the site taking orders.")
    running_cost_per_day: float = param(30.0, unit="currency / day", ge=0,
                                        description="Hosting, shop-software plan and payment gateway fixed fees.")
    ad_visitors_per_day: float = param(0.0, unit="people / day", ge=0, le=1e8, source=SRC_SEED002 + " (traffic must be bought)",
                                       description="Visitors bought with ads (search, social) each day.")
    cost_per_visitor: float = param(1.5, unit="currency / visitor", ge=0, description="Price of one bought visit (cost per click).")
    pool_visit_rate: float = param(0.0, unit="visits / member / day", ge=0, le=1, source=SRC_SEED002 + " (traffic brought from the pool)",
                                   description="Chance a pool member is brought to the site on a day (links in the pool's posts).")
    conversion: float = param(0.02, unit="purchases / visit", ge=0, le=1, description="Chance a site visit ends in a purchase.")
    signup_share: float = param(0.3, unit="fraction of buyers", ge=0, le=1,
                                description="Chance a site buyer who is not a member opens an account (joins the pool), before privacy sensitivity and the consent form.")
    diversion_share: float = param(0.0, unit="fraction of platform buyers", ge=0, le=1, source=SRC_SEED002,
                                   description="Share of the day's platform buyers sent a card inviting them to the own site (breaks marketplace rules).")
    diversion_join: float = param(0.1, unit="probability", ge=0, le=1, description="Chance a diverted buyer opens an account on the own site.")
    cost_per_card: float = param(0.5, unit="currency / card", ge=0, description="Cost of one diversion card.")
    detection_per_card: float = param(0.0005, unit="probability / card", ge=0, le=1,
                                      description="Chance one diversion card is reported to the marketplace.")
    penalty_days: int = param(7, unit="days", ge=0, le=365, description="Listing days lost per penalty: no platform sales.")


class GroupBuying(Strict):
    """Group buying (拼团 / 社群团购): a buyer opens a group at a discount and must recruit friends in time.

    Private e-commerce encyclopedia 2025: group buying is a fission route; the group price is paid only if
    the group fills within its window, otherwise the group fails and nobody buys.
    """

    open_rate: float = param(0.0, unit="groups / member / day", ge=0, le=1, source=SRC_SEED004,
                             description="Chance a pool member opens a group on a day (0 = off).")
    group_size: int = param(2, unit="friends", ge=1, le=20, source=SRC_SEED004 + "; level assumption",
                            description="Friends the opener must recruit for the group to succeed.")
    invites: int = param(6, unit="contacts", ge=1, le=50, description="Contacts on the network the opener asks.")
    window_days: int = param(1, unit="days", ge=1, le=30, description="Time the group has to fill.")
    response_days: float = param(1.0, unit="days", gt=0, le=30,
                                 description="Mean time a willing friend takes to join: a share 1 - exp(-window/response) answers in time.")
    discount: float = param(0.2, unit="fraction of price", ge=0, le=0.9, description="Group price discount for every buyer.")
    friend_accept: float = param(0.2, unit="probability", ge=0, le=1,
                                 description="Chance an asked contact is willing to join the group, before privacy sensitivity and the consent form.")

    @model_validator(mode="after")
    def _enough_invites(self) -> GroupBuying:
        if self.invites < self.group_size:
            raise ValueError(f"invites ({self.invites}) must be at least group_size ({self.group_size}): "
                             "a group could never fill")
        return self


class Strategy(Strict):
    """A brand's strategy: the levers of the six-step method."""

    name: str = Field("strategy", min_length=1, max_length=60, description="Strategy name.")
    currency: str | None = Field(
        None, max_length=8,
        description="Currency its money amounts are written in (default: the market's); converted to the market's currency.",
    )
    product: Product = Field(default_factory=Product, description="Product economics.")
    acquisition: Acquisition = Field(default_factory=Acquisition, description="Acquisition (ad placement, 引流).")
    interception: Interception = Field(default_factory=Interception, description="Interception (截流).")
    pool: Pool = Field(default_factory=Pool, description="Private pool tool and staffing (留存).")
    messaging: Messaging = Field(default_factory=Messaging, description="Messaging (促活).")
    referral: Referral = Field(default_factory=Referral, description="Fission (裂变).")
    membership: Membership = Field(default_factory=Membership, description="Membership (转化, 会員制).")
    compliance: Compliance = Field(default_factory=Compliance, description="Consent and security.")
    stores: Stores = Field(default_factory=Stores, description="Member capture in stores, at events and service centres.")
    livestream: Livestream = Field(default_factory=Livestream, description="Livestream commerce (直播).")
    own_site: OwnSite = Field(default_factory=OwnSite, description="Own independent site and the marketplace's rules against diversion.")
    group_buying: GroupBuying = Field(default_factory=GroupBuying, description="Group buying (拼团 / 社群团购).")


class Brand(Strict):
    """A brand in the market, running a strategy."""

    name: str = Field("brand", min_length=1, max_length=60, description="Brand name (unique in the scenario).")
    strategy: Strategy = Field(default_factory=Strategy, description="The brand's strategy.")
    seed_members: int = param(0, unit="agents", ge=0, description="Agents already in the pool at day 0 (validation and established brands).")


class Run(Strict):
    """Run settings."""

    days: int = param(1095, unit="days", ge=1, le=3650, description="Horizon; one step is one day (3 years by default).")
    population: int = param(50_000, unit="agents", ge=100, le=20_000_000, description="Simulated consumers.")
    seed: int = param(12345, unit="-", ge=0, le=2**63 - 1, description="Root seed; the same seed gives the same numbers.")
    journeys: int = param(40, unit="agents", ge=0, le=2_000, description="Consumers whose individual journeys are logged.")
    discount_rate: float = param(0.08, unit="1 / year", ge=0, le=1, description="Discount rate for member LTV.")


class Scenario(Strict):
    """A complete, resolved scenario."""

    name: str = Field("scenario", min_length=1, max_length=80, description="Scenario name.")
    description: str = Field("", max_length=4000, description="What this scenario shows.")
    run: Run = Field(default_factory=Run, description="Run settings.")
    market: Market = Field(default_factory=Market, description="The market.")
    brands: list[Brand] = Field(default_factory=lambda: [Brand()], min_length=1, max_length=8, description="Brands competing in the market.")

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        names = [b.name for b in self.brands]
        if len(set(names)) != len(names):
            raise ValueError(f"brand names must be unique; found {names}")
        if self.market.people is not None:
            rep = self.market.people / self.run.population
            if rep > 1e7:
                raise ValueError(f"market.people / run.population = {rep:.3g} people per agent exceeds 1e7; raise run.population")
            if self.market.represents != rep:
                self.market.represents = rep
        segs = {s.name for s in self.market.segments}
        partners = {p.name for p in self.market.partners}
        for i, b in enumerate(self.brands):
            s = b.strategy
            for seg in list(s.acquisition.targeting) + list(s.messaging.segments):
                if seg not in segs:
                    raise ValueError(f"brands.{i}: segment {seg!r} is not a market segment; known: {sorted(segs)}")
            for sw in s.acquisition.partners:
                if sw.partner not in partners:
                    raise ValueError(f"brands.{i}: partner {sw.partner!r} is not a market partner; known: {sorted(partners)}")
            resolve_tool(s.pool.tool, self.market.tools, where=f"brands.{i}.strategy.pool.tool")
            if s.currency is not None and s.currency != self.market.currency:
                rate = fx_rate(s.currency, self.market, where=f"brands.{i}.strategy.currency")
                b.strategy = convert_money(s, rate, self.market.currency)
            if s.own_site.setup_day is not None and s.own_site.setup_day >= self.run.days:
                raise ValueError(f"brands.{i}.strategy.own_site.setup_day: must be a day of the run, at most "
                                 f"run.days - 1 = {self.run.days - 1} (found {s.own_site.setup_day})")
            if b.seed_members > self.run.population:
                raise ValueError(f"brands.{i}.seed_members ({b.seed_members}) exceeds run.population ({self.run.population})")
        return self


def resolve_tool(choice: str | list[str], tools: dict[str, Tool], where: str = "pool.tool") -> str:
    """The first tool of ``choice`` the market offers; ``ValueError`` if none."""
    wanted = [choice] if isinstance(choice, str) else list(choice)
    for name in wanted:
        if name in tools:
            return name
    raise ValueError(f"{where}: none of {wanted} is offered by this market; available: {sorted(tools)}")


def market_fx(market: Market) -> float:
    """Units of the market's currency per US dollar."""
    if market.fx_per_usd is not None:
        return market.fx_per_usd
    if market.currency in FX_PER_USD:
        return FX_PER_USD[market.currency]
    raise ValueError(f"market.fx_per_usd is needed for currency {market.currency!r} (known: {sorted(FX_PER_USD)})")


def fx_rate(currency: str, market: Market, where: str = "currency") -> float:
    """Units of the market's currency per unit of ``currency``."""
    if currency not in FX_PER_USD:
        raise ValueError(f"{where}: unknown currency {currency!r}; known: {sorted(FX_PER_USD)}")
    return market_fx(market) / FX_PER_USD[currency]


def convert_money(model: BaseModel, rate: float, currency: str | None = None) -> Any:
    """A copy of ``model`` with every field whose unit is a currency amount multiplied by ``rate``.

    Money fields are recognised by their declared unit (``currency``, ``currency / day``...), so a
    new money parameter is converted without touching this function.
    """
    update: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", ""))
        if unit.startswith("currency") and isinstance(value, int | float) and not isinstance(value, bool):
            update[name] = value * rate
        elif unit == "points" and isinstance(value, int | float):
            update[name] = value * rate  # 1 point = 1 currency unit
        elif isinstance(value, BaseModel):
            update[name] = convert_money(value, rate)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            update[name] = [convert_money(v, rate) for v in value]
    if currency is not None and "currency" in type(model).model_fields:
        update["currency"] = currency
    return model.model_copy(update=update)
