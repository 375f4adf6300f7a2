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
import typing
import unicodedata
import warnings
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
# ---- messaging, trust, attention and membership fidelity (issue 17) ----
SRC_OPTOUT_BENCH = (
    "public email benchmarks: Campaign Monitor, 'Ultimate Email Marketing Benchmarks for 2022' (2022): unsubscribes "
    "0.1-0.4% per "
    "send; Mailchimp, 'Email Marketing Benchmarks and Statistics by Industry' (Oct 2019): e-commerce 0.27%"
)
SRC_OPEN_RATES = (
    "read rates: LINE official-account messages about 55% (LINE Yahoo survey, June 2022, as cited by "
    "union-company.jp); e-mail opens 15.7% (Mailchimp, Oct 2019, e-commerce) to 21.5% (Campaign Monitor 2022)"
)
SRC_FREQUENCY = (
    "Zhang, Kumar & Cosguner 2017, 'Dynamically Managing a Profitable Email Marketing Program', Journal of "
    "Marketing Research 54(6), 2017: profit is non-linear in e-mail frequency, optimum about 7 a month"
)
SRC_LOYALTY = (
    "Gopalakrishnan et al. 2021 (Gopalakrishnan, Jiang, Nevskaya & Thomadsen), 'Can Non-tiered Customer Loyalty "
    "Programs Be Profitable?', "
    "Marketing Science 40(3), 2021: +~30% customer value over 5 years, >80% of it from lower attrition"
)
SRC_MEMBER_SHARE = (
    "member share of sales: MUJI 44% of Japanese store sales (Ryohin Keikaku, Aug 2016, reported by "
    "mag2 news, Dec 2016); Isetan Mitsukoshi identified customers 67% of domestic sales (H1 FY2025 "
    "results, Nov 2025)"
)
SRC_FX = "approximate 2024 average exchange rates (for converting strategies between markets); assumption"

#: Units of currency per US dollar, used when a strategy written in one currency runs in another market.
FX_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "CNY": 7.2,
    "JPY": 150.0,
    "EUR": 0.92,
    "KRW": 1360.0,
    "HKD": 7.8,
    "TWD": 32.0,
    "SGD": 1.35,
    "THB": 35.0,
    "GBP": 0.79,
}


#: Bounds of ``market.fx_per_usd`` (units of a currency per US dollar). Assumption: real rates lie far inside
#: (about 0.3 for the strongest currencies, about 25,000 for the weakest in 2024); the bounds keep a converted
#: amount finite and within a factor 10,000 of the money cap, where a rate of 5e-324 made profits infinite.
FX_MIN = 1e-4
FX_MAX = 1e6

#: Largest money amount a scenario may state, in its currency (one trillion; far above any real budget or fine,
#: far below what would overflow a ten-year ledger). Assumption.
MAX_MONEY = 1e12


def currency_code(value: str | None) -> str | None:
    """Refuse a currency that is not a code or a sign: letters (any script) and currency signs, plus ``.``.

    The currency is shown beside every amount (terminal, HTML report, dashboard labels and charts); a code
    such as ``JPY``, ``CNY``, ``R$``, ``円`` or ``Rs.`` never needs markup characters, and refusing them keeps
    text like ``![](//x)`` (a Markdown image fetch) or ``<b>`` out of every place a currency is shown.
    """
    if value is None:
        return value
    bad = [ch for ch in value if not (ch.isalpha() or ch == "." or unicodedata.category(ch) == "Sc")]
    if bad:
        raise PydanticCustomError(
            "currency_code", "must be a currency code of letters and currency signs (e.g. JPY, CNY, US$, 円), "
            "without {bad}", {"bad": repr(bad[0])})
    return value


class ScenarioWarning(UserWarning):
    """A valid scenario whose numbers do not do what they seem to say (e.g. a binding message cap)."""


_WARNED: dict = {}  # warnings registry: each distinct scenario warning is shown once per process


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
                raise PydanticCustomError(
                    "less_than_equal", "Input should be less than or equal to {le}", {"le": MAX_MONEY}
                )
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
        30.0,
        unit="currency / 1,000 impressions",
        gt=0,
        description="CPM when total ad demand equals demand_ref.",
    )
    demand_ref: float = param(
        200_000.0,
        unit="currency / day",
        gt=0,
        description="Reference total daily ad demand at which CPM equals cpm_base.",
    )
    elasticity: float = param(
        0.6,
        unit="-",
        ge=0,
        le=3,
        source=SRC_SEED001 + "; functional form assumption",
        description="epsilon in CPM = cpm_base * (demand / demand_ref)^epsilon: competition makes traffic dear.",
    )
    competitor_demand: float = param(
        200_000.0,
        unit="currency / day",
        ge=0,
        source=SRC_SEED001 + "; level assumption",
        description="Other advertisers' daily demand in the same auction at day 0.",
    )
    competitor_growth: float = param(
        0.26,
        unit="1 / year",
        ge=-0.9,
        le=5,
        source=SRC_SEED001 + ": Tmall Global brands 20,000 -> 40,000 in 3 years",
        description="Yearly growth of competitors' ad demand (26%/yr doubles it in 3 years).",
    )
    ad_effectiveness: float = param(
        0.06,
        unit="probability",
        ge=0,
        le=1,
        description="Chance that a consumer who sees a brand's ads on a day becomes aware.",
    )
    aware_conversion: float = param(
        0.35,
        unit="fraction",
        ge=0,
        le=1,
        description="Share of an aware consumer's category purchases that go to the brand (first purchase).",
    )
    forget_days: float = param(
        90.0,
        unit="days",
        gt=0,
        description="Mean time before an aware non-customer forgets the brand.",
    )
    commission_rate: float = param(
        0.05,
        unit="fraction of sales",
        ge=0,
        le=1,
        source="Tmall technical service fee 2-5% by category (public rate card, not archived here); assumption",
        description="Platform commission on public-channel sales.",
    )
    payment_fee_rate: float = param(
        0.006,
        unit="fraction of sales",
        ge=0,
        le=0.2,
        source="WeChat Pay / Alipay merchant fee 0.6% (public rate card, not archived here); assumption",
        description="Payment processing fee on all sales.",
    )
    winback_share: float = param(
        0.3,
        unit="fraction",
        ge=0,
        le=1,
        description="Ad effectiveness on lapsed customers relative to unaware consumers (win-back).",
    )


class Network(Strict):
    """Who can refer whom. Neighbours are generated from the seed, never stored."""

    kind: Literal["none", "mixed", "random", "small_world", "scale_free"] = Field(
        "small_world",
        description=("none, fully mixed, random (Erdos-Renyi), small-world (Watts-Strogatz), scale-free (Chung-Lu "
                     "power law)."),
    )
    mean_degree: float = param(
        12.0,
        unit="contacts",
        gt=0,
        le=500,
        source="Dunbar-style active circle; assumption",
        description="Average number of contacts a consumer can share with.",
    )
    rewire: float = param(
        0.1,
        unit="probability",
        ge=0,
        le=1,
        source="Watts & Strogatz (1998)",
        description="Small-world rewiring probability.",
    )
    exponent: float = param(
        2.5,
        unit="-",
        gt=2,
        le=4,
        source="Barabasi & Albert (1999); typical social networks 2-3",
        description="Scale-free degree exponent gamma.",
    )


class Partner(Strict):
    """Another brand's or partner's pool (the other domain, 它域) reachable by resource swaps."""

    name: str = Field(min_length=1, max_length=40, description="Partner name.")
    reach_share: float = param(
        0.1,
        unit="fraction of population",
        gt=0,
        le=1,
        source=SRC_SEED004,
        description="Share of consumers in the partner's pool.",
    )
    trust: float = param(
        0.55, unit="0-1", ge=0, le=1, description="Initial trust carried over to joiners from this pool."
    )


class Tool(Strict):
    """A private-pool tool (WeChat groups + mini-program, LINE official account, member site...)."""

    checkout_convenience: float = param(
        0.6,
        unit="probability",
        ge=0,
        le=1,
        source=SRC_SEED000 + "; level assumption",
        description="Chance a member's purchase goes through the private channel (in-tool checkout).",
    )
    members_per_operator: float = param(
        5_000.0,
        unit="members / operator",
        gt=0,
        source=SRC_SEED000 + " (WeChat SCRM far more efficient); level assumption",
        description="How many members one operator can run with this tool.",
    )
    saas_per_member_month: float = param(
        0.02, unit="currency / member / month", ge=0, description="Per-member software fee."
    )
    cost_per_message: float = param(
        0.0,
        unit="currency / message",
        ge=0,
        description="Marginal cost of one message (LINE charges beyond a plan quota; WeChat groups are free).",
    )
    reach: float = param(
        0.9, unit="probability", ge=0, le=1, description="Share of messages actually seen (open/view rate)."
    )
    law: Literal["message_law", "none"] = Field(
        "message_law",
        description="Which law covers this tool's marketing messages: message_law (e-mail and SMS: Japan's "
        "Specified E-mail Act, China's commercial-message rules) or none (a LINE official account: "
        "adding it as a friend is the user's own act; outside the Specified E-mail Act). "
        f"Source: {cite('mic_email_act')}.",
    )


class Ladder(Strict):
    """An enforcement ladder: warnings, then an order, then penalties for disobeying it."""

    warnings_before_order: int = param(
        1,
        unit="actions",
        ge=0,
        le=10,
        source=cite("caa_white_paper_2013") + "; count assumption",
        description="Regulator actions that are warnings or guidance (private, no fine) before an order.",
    )
    fine_at_order: float = param(
        0.0,
        unit="currency",
        ge=0,
        source=cite("mic_email_act"),
        description="Fine imposed with the order itself (none in Japan; China's MIIT fines with the order to rectify).",
    )
    min_days_between_steps: float = param(
        30.0,
        unit="days",
        ge=0,
        le=3650,
        description="An action within this many days of the last step joins the open case and does not climb.",
    )


class Breach(Strict):
    """Data-breach hazard and its consequences under this regime."""

    rate_per_year: float = param(
        0.035,
        unit="probability / year",
        ge=0,
        le=0.99,
        source=cite("tsr_leaks_2024"),
        description="Yearly chance that a holder of reference_records records discloses a leak, without security "
        "spend (TSR: 3.2-4.9% of Japanese listed firms a year, 2021-2024).",
    )
    reference_records: float = param(
        100_000.0,
        unit="people",
        gt=0,
        description="Records held at which the yearly rate applies (a listed firm's customer base).",
    )
    records_exponent: float = param(
        0.5,
        unit="-",
        ge=0,
        le=2,
        description="The hazard grows as (records / reference_records)^exponent (larger holders are bigger "
        "targets but better defended; range 0.3-1.0).",
    )
    security_halving: float = param(
        500.0,
        unit="currency / day",
        gt=0,
        description="Daily security spend that halves the part of the hazard security can prevent.",
    )
    unpreventable_share: float = param(
        0.4,
        unit="fraction",
        ge=0,
        le=1,
        source=cite("tsr_leaks_2024") + " (60.3% of 2024 incidents were cyber)",
        description="Share of the hazard that security spend does not reduce (mis-sent mail, lost devices, insiders).",
    )
    response_cost: float = param(
        20_000_000.0,
        unit="currency",
        ge=0,
        source=cite("jnsa_damage_2024") + "; total assumption",
        description="Fixed cost of responding to one breach: investigation, call centre, legal advice, recovery.",
    )
    cost_per_record: float = param(
        780.0,
        unit="currency / record",
        ge=0,
        source=cite("jnsa_damage_2024"),
        description="Notification letter and apology voucher per record held (JNSA: JPY 1.3M + 6.5M per 10,000).",
    )
    fine: float = param(
        0.0,
        unit="currency",
        ge=0,
        source=cite("ppc_annual_fy2023"),
        description="Fine for a breach itself (APPI has none: a breach is reported and climbs the data ladder).",
    )
    trust_shock: float = param(
        0.2, unit="0-1", ge=0, le=1, description="Trust lost by every pool member after a breach."
    )
    optout_share: float = param(
        0.1,
        unit="fraction",
        ge=0,
        le=1,
        source=SRC_SEED000 + " (leaks can sink a firm in Japan)",
        description="Share of members (weighted by privacy sensitivity) who leave the pool after a breach.",
    )
    ladder: Ladder = Field(
        default_factory=lambda: Ladder(warnings_before_order=2),
        description="The data law's ladder (APPI: guidance, recommendation, order; PIPL: order to correct).",
    )
    penalty_after_order: float = param(
        100_000_000.0,
        unit="currency",
        ge=0,
        source=cite("ppc_annual_fy2023"),
        description="Fine when a data-law order is disobeyed (APPI: up to JPY 100M for a corporation).",
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        """The old linear hazard field is refused with what replaced it."""
        if isinstance(data, dict) and "rate_per_million_records_year" in data:
            raise PydanticCustomError(
                "renamed",
                "rate_per_million_records_year was replaced by rate_per_year (yearly chance of a leak "
                "at reference_records records, scaled by records_exponent); found {value}",
                {"value": data["rate_per_million_records_year"]},
            )
        return data


#: Regime kinds: the name used today and, for loading old scenarios, the names it replaced.
REGIME_KINDS = ("explicit_opt_in", "consent_at_join")
DEPRECATED_REGIME_KINDS = {"implied_consent_with_easy_exit": "consent_at_join"}


class Tightening(Strict):
    """A change of regime on a day: strategies outlive laws."""

    day: int = param(1, unit="day", ge=1, description="First day under the tightened regime.")
    to: dict[str, Any] = Field(
        description="Regime fields that change on that day (e.g. {kind: explicit_opt_in, fine_per_enforcement: ...}).",
    )


class Regime(Strict):
    """Consent law and enforcement of the market."""

    kind: Literal["explicit_opt_in", "consent_at_join"] = Field(
        "consent_at_join",
        description="explicit_opt_in (Japan: a separate marketing consent that a share of joiners ticks; Specified "
        "E-mail Act) or consent_at_join (China: the invitation carries the notice and asks for consent, "
        "which PIPL arts. 13-15 require to be informed, voluntary and explicit, with easy withdrawal; "
        "the model assumes every joiner gave it). The old name implied_consent_with_easy_exit is read "
        "as consent_at_join.",
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _old_kind(cls, value: Any) -> Any:
        """Map a deprecated kind name to the one that replaced it, with a warning."""
        if isinstance(value, str) and value in DEPRECATED_REGIME_KINDS:
            import warnings

            new = DEPRECATED_REGIME_KINDS[value]
            warnings.warn(
                f"market.regime.kind: {value!r} is deprecated and read as {new!r} (joining counts as "
                "consent only where the invitation asks for it; PIPL wants it informed, voluntary and "
                "explicit)",
                DeprecationWarning,
                stacklevel=2,
            )
            return new
        return value

    consent_friction: float = param(
        1.0,
        unit="multiplier",
        ge=0,
        le=1,
        source=SRC_SEED000,
        description="Multiplier on join acceptance from the explicit consent form (1 = no form).",
    )
    marketing_opt_in_rate: float = param(
        1.0,
        unit="probability",
        ge=0,
        le=1,
        description="Share of joiners who tick the marketing-message box (implied consent: all).",
    )
    consent_trust_bonus: float = param(
        0.0,
        unit="0-1",
        ge=0,
        le=1,
        description="Extra initial trust of members who opted in explicitly.",
    )
    complaint_rate_cold: float = param(
        0.01,
        unit="complaints / cold message",
        ge=0,
        le=1,
        description="Chance a cold (unconsented) message draws a complaint.",
    )
    complaint_rate_member: float = param(
        0.0005,
        unit="complaints / message",
        ge=0,
        le=1,
        description="Complaint chance of a member message at full fatigue.",
    )
    enforcement_per_violation_complaint: float = param(
        0.002,
        unit="probability",
        ge=0,
        le=1,
        description="Chance a complaint about an unlawful message brings a regulator action (one step up the ladder).",
    )
    fine_per_enforcement: float = param(
        0.0,
        unit="currency",
        ge=0,
        source=cite("mic_email_act"),
        description="Penalty when a message-law order is disobeyed (Specified E-mail Act: up to JPY 30M for a "
        "corporation); warnings carry no fine.",
    )
    enforcement_trust_shock: float = param(
        0.1,
        unit="0-1",
        ge=0,
        le=1,
        description="Trust lost by every member when an order or a penalty is published.",
    )
    message_ladder: Ladder = Field(
        default_factory=Ladder,
        description="The message law's ladder (Japan: warnings, then an order; China: an order with a fine).",
    )
    cold_outreach_law: Literal["message_law", "none"] = Field(
        "message_law",
        description="Which law covers cold outreach (SMS to buyers' order numbers): message_law (consent needed: "
        f"Specified E-mail Act; {cite('miit_sms_2015')}) or none.",
    )
    breach: Breach = Field(default_factory=Breach, description="Data-breach hazard and consequences.")
    tightens: Tightening | None = Field(None, description="A tightening of this regime on a day (none by default).")

    def tightened(self) -> Regime:
        """This regime after its tightening (itself if it never tightens)."""
        if self.tightens is None:
            return self
        data = self.model_dump(mode="python", exclude={"tightens"})
        return Regime.model_validate(_deep_merge(data, self.tightens.to))

    @model_validator(mode="after")
    def _tightening_is_a_regime(self) -> Regime:
        if self.tightens is not None:
            if "tightens" in self.tightens.to:
                raise ValueError("tightens.to: a tightening cannot itself tighten")
            try:
                self.tightened()
            except ValueError as e:  # the nested error, named under tightens.to
                raise ValueError(f"tightens.to is not a valid regime change: {e}") from None
        return self


def _deep_merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in change.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


class Behaviour(Strict):
    """How consumers of this market respond to brand messages, invitations and referrals."""

    fatigue_decay_days: float = param(
        7.0,
        unit="days",
        gt=0,
        source=SRC_SEED003 + " (repetition fatigues users); time constant assumption",
        description="Time constant of fatigue decay (shared across brands).",
    )
    response_base: float = param(
        0.02,
        unit="purchases / read message",
        ge=0,
        le=1,
        source=SRC_EMAIL_BENCH + " (click-to-purchase); assumption",
        description=("Purchase chance of a read message at quality 1, selling share 0.5, no fatigue (a seen message "
                     "is read with probability trust)."),
    )
    optout_base: float = param(
        0.0012,
        unit="opt-outs / message",
        ge=0,
        le=1,
        source=SRC_OPTOUT_BENCH,
        description="Opt-out chance of a seen message at zero fatigue and zero privacy sensitivity.",
    )
    optout_fatigue_power: float = param(
        2.0,
        unit="-",
        ge=0,
        le=6,
        description="Opt-out hazard grows as (1 + fatigue/tolerance)^power.",
    )
    optout_psi_weight: float = param(
        2.0, unit="-", ge=0, le=20, description="Opt-out hazard multiplier per unit privacy sensitivity."
    )
    trust_up: float = param(
        0.02,
        unit="0-1 / read message",
        ge=0,
        le=1,
        description="Trust gain of a read message whose value beats the threshold.",
    )
    trust_down: float = param(
        0.03,
        unit="0-1 / read message",
        ge=0,
        le=1,
        description="Trust loss of a read message below the threshold (hard selling).",
    )
    trust_threshold: float = param(
        0.35, unit="0-1", ge=0, le=2, description="Content value needed to build trust at zero fatigue."
    )
    trust_threshold_fatigue: float = param(
        0.3, unit="0-1", ge=0, le=2, description="Extra content value needed per unit of fatigue/tolerance."
    )
    initial_trust: float = param(
        0.4,
        unit="0-1",
        ge=0,
        le=1,
        source=SRC_OPEN_RATES + "; level assumption",
        description=("Trust of a new pool member: the chance they read a brand message they see (also a cold "
                     "recipient's)."),
    )
    attention_half_life_days: float = param(
        60.0,
        unit="days",
        gt=0,
        le=3650,
        source=SRC_FREQUENCY + " (under-contact also loses profit); half-life assumption, range 30-180 days",
        description=("Days without contact (a seen message, a private-channel purchase or joining) after which a "
                     "member's unprompted private-channel buying halves (促活)."),
    )
    invite_accept_base: float = param(
        0.25,
        unit="probability",
        ge=0,
        le=1,
        source=SRC_SEED004 + "; level assumption",
        description="Chance a buyer with zero privacy sensitivity accepts an invitation with no hook.",
    )
    invite_psi_weight: float = param(1.5, unit="-", ge=0, le=10, description="Acceptance falls as (1 - psi)^weight.")
    hook_lift: float = param(
        0.5, unit="-", ge=0, le=5, description="Relative acceptance lift of a hook worth hook_half_value."
    )
    hook_half_value: float = param(10.0, unit="currency", gt=0, description="Hook value giving half the maximum lift.")
    points_join_lift: float = param(
        0.6,
        unit="fraction",
        ge=0,
        le=10,
        source=SRC_SEED000 + " (points culture); level assumption",
        description=("Largest relative acceptance lift from the points programme itself (saturating like the other "
                     "points effects)."),
    )
    trust_dropout_weight: float = param(
        0.8,
        unit="-",
        ge=0,
        le=2,
        description="Dropout multiplier is 1 + weight * (0.5 - trust).",
    )
    referral_accept_base: float = param(
        0.08,
        unit="probability",
        ge=0,
        le=1,
        source=SRC_SEED004 + " (both sides get a coupon); level assumption",
        description="Chance a contact with zero privacy sensitivity joins after a share, with no referee reward.",
    )
    referral_reward_half: float = param(
        10.0, unit="currency", gt=0, description="Reward giving half the maximum referral lift."
    )
    referral_reward_lift: float = param(
        2.0, unit="-", ge=0, le=20, description="Maximum relative lift of sharing or joining from rewards."
    )
    spam_fatigue: float = param(
        0.5, unit="messages", ge=0, le=10, description="Fatigue added to a contact by an unwanted share."
    )


# ---- phases, calendar and stress events (issue 13 item 7, issue 15 item 4) ----------------------

#: Days of a calendar year: seasons are given by day of year (day 0 of a run is 1 January; assumption).
YEAR_DAYS = 365


class Season(Strict):
    """A window of the calendar year in which category demand is multiplied (Double 11, year-end...)."""

    name: str = Field(min_length=1, max_length=40, description="Season name (shown in figures).")
    start: int = param(
        0,
        unit="day of year",
        ge=0,
        le=YEAR_DAYS - 1,
        description="First day of the window, counted from 1 January = 0 (11 November = 314).",
    )
    end: int = param(
        0,
        unit="day of year",
        ge=0,
        le=YEAR_DAYS - 1,
        description="Last day of the window (inclusive; at least start: a window does not wrap the year end).",
    )
    demand: float = param(
        1.0,
        unit="multiplier",
        gt=0,
        le=20,
        source="assumption (Double 11 and year-end peaks: scale from the brand's own sales data)",
        description="Multiplier on every consumer's purchase rate (first and repeat purchases) inside the window.",
    )

    @model_validator(mode="after")
    def _window(self) -> Season:
        if self.end < self.start:
            raise ValueError(
                f"end ({self.end}) must be at least start ({self.start}); split a window that "
                "crosses the year end into two seasons"
            )
        return self


#: What each kind of stress does with its size (documented in docs/MODEL.md).
STRESS_KINDS = ("breach", "enforcement", "channel_ban", "ad_price")


class Stress(Strict):
    """A shock scheduled on a day of the run: a data breach, an enforcement order, a ban wave, dearer ads."""

    kind: Literal["breach", "enforcement", "channel_ban", "ad_price"] = Field(
        description="breach (the regime's breach consequences x size), enforcement (the regime's fine and trust "
        "shock x size), channel_ban (a share `size` of the members of a channel leave), ad_price "
        "(every CPM x (1 + size))."
    )
    day: int = param(0, unit="day", ge=0, le=3649, description="Day of the run the stress strikes (0-based).")
    size: float = param(
        1.0,
        unit="multiplier or fraction",
        ge=0,
        le=10,
        description="breach/enforcement: multiple of one event under the regime (0 = none); "
        "channel_ban: share of members who leave (0-1); ad_price: relative price rise (0.5 = +50%).",
    )
    brand: str | None = Field(
        None, max_length=60, description="Brand struck (default: every brand; ignored by ad_price)."
    )
    tool: str | None = Field(
        None,
        max_length=40,
        description="channel_ban only: the pool tool whose members leave (default: every brand's tool).",
    )
    days: int | None = param(
        None,
        unit="days",
        ge=1,
        le=3650,
        description="ad_price only: how long prices stay up (default: to the horizon).",
    )

    @model_validator(mode="after")
    def _sizes(self) -> Stress:
        if self.kind == "channel_ban" and self.size > 1:
            raise ValueError(
                f"size of a channel_ban is the share of members who leave: found {self.size}, expected 0 to 1"
            )
        if self.kind != "ad_price" and self.days is not None:
            raise ValueError(f"days applies to an ad_price stress only; found days={self.days} on a {self.kind}")
        if self.kind != "channel_ban" and self.tool is not None:
            raise ValueError(f"tool applies to a channel_ban only; found tool={self.tool!r} on a {self.kind}")
        return self


class Market(Strict):
    """A synthetic consumer population with its platforms, network, partners, tools and law."""

    name: str = Field("market", min_length=1, max_length=60, description="Market name.")
    currency: str = Field("CNY", min_length=1, max_length=8, description="Currency code of every money amount.")

    _currency = field_validator("currency")(currency_code)
    fx_per_usd: float | None = param(
        None,
        unit="currency / USD",
        ge=FX_MIN,
        le=FX_MAX,
        source=f"{SRC_FX}; the bounds {FX_MIN:,g} to {FX_MAX:,.0f} are an assumption (every real rate lies far inside)",
        description=("Units of this currency per US dollar (default: a built-in table); used to convert strategies "
                     f"and to compare markets. From {FX_MIN:,g} to {FX_MAX:,.0f}, so that converted amounts stay "
                     "finite."),
    )
    represents: float = param(
        100.0,
        unit="people / agent",
        gt=0,
        le=1e7,
        description="How many real consumers one simulated consumer stands for (scales money and counts).",
    )
    people: float | None = param(
        None,
        unit="people",
        gt=0,
        le=2e9,
        description=("Size of the addressable market; when set, represents = people / run.population, so a smaller "
                     "simulation keeps the same market."),
    )
    segments: list[Segment] = Field(
        default_factory=lambda: [Segment(name="all")],
        min_length=1,
        max_length=16,
        description="Consumer segments; shares are normalised to sum to 1.",
    )
    platforms: Platforms = Field(default_factory=Platforms, description="Public-domain platforms and ad auction.")
    network: Network = Field(default_factory=Network, description="Social network for referrals.")
    partners: list[Partner] = Field(default_factory=list, max_length=8, description="Partner pools (other domain).")
    tools: dict[str, Tool] = Field(
        default_factory=lambda: {"member_site": Tool()},
        min_length=1,
        max_length=8,
        description="Private-pool tools available in this market, by name.",
    )
    regime: Regime = Field(default_factory=Regime, description="Consent law and enforcement.")
    behaviour: Behaviour = Field(default_factory=Behaviour, description="Consumer response constants of this market.")
    calendar: list[Season] = Field(
        default_factory=list,
        max_length=24,
        description="Seasonal demand: windows of the year with a demand multiplier, repeated every year.",
    )
    stresses: list[Stress] = Field(
        default_factory=list,
        max_length=16,
        description="Shocks scheduled on days of the run (stress tests; empty in presets).",
    )

    @model_validator(mode="after")
    def _unique_names(self) -> Market:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"segment names must be unique; found {names}")
        pnames = [p.name for p in self.partners]
        if len(set(pnames)) != len(pnames):
            raise ValueError(f"partner names must be unique; found {pnames}")
        windows = sorted((s.start, s.end, s.name) for s in self.calendar)
        for (a1, b1, n1), (a2, _b2, n2) in zip(windows, windows[1:], strict=False):
            if a2 <= b1:
                raise ValueError(
                    f"calendar: seasons {n1!r} (days {a1}-{b1}) and {n2!r} (from day {a2}) overlap; "
                    "expected disjoint windows"
                )
        return self


# --------------------------------------------------------------------------------------------
# Strategy
# --------------------------------------------------------------------------------------------


class Product(Strict):
    """What the brand sells."""

    cogs_rate: float = param(0.45, unit="fraction of sales", ge=0, le=1, description="Cost of goods sold.")


class Organic(Strict):
    """Free content on algorithmic platforms (Douyin, Xiaohongshu...): slower, cheaper."""

    reach_per_day: float = param(
        0.0,
        unit="fraction of population / day",
        ge=0,
        le=1,
        source=SRC_SEED004,
        description="Daily chance a consumer sees the brand's content.",
    )
    effectiveness: float = param(
        0.3, unit="probability", ge=0, le=1, description="Chance a content view makes the consumer aware."
    )
    follow_rate: float = param(
        0.05,
        unit="probability",
        ge=0,
        le=1,
        description="Chance an aware viewer follows the brand's account (joins the pool directly).",
    )
    cost_per_day: float = param(0.0, unit="currency / day", ge=0, description="Content production cost.")


class Kol(Strict):
    """KOL campaigns: buying an influencer is buying their followers (Ebrun n.d.)."""

    fee: float = param(0.0, unit="currency / campaign", ge=0, source=SRC_SEED002, description="Fee per campaign.")
    every_days: int = param(30, unit="days", ge=1, le=3650, description="Days between campaigns.")
    reach: float = param(0.0, unit="people / campaign", ge=0, description="Followers exposed per campaign.")
    effectiveness: float = param(
        0.25, unit="probability", ge=0, le=1, description="Chance an exposed follower becomes aware."
    )
    follow_rate: float = param(
        0.05, unit="probability", ge=0, le=1, description="Chance an aware follower joins the pool directly."
    )
    trust_bonus: float = param(
        0.15, unit="0-1", ge=0, le=1, description="Extra initial trust of members who came via the KOL."
    )


class PartnerSwap(Strict):
    """A resource swap with a partner pool."""

    partner: str = Field(min_length=1, description="Name of a partner in the market.")
    exposure_per_day: float = param(
        0.002,
        unit="fraction of partner pool / day",
        ge=0,
        le=1,
        description="Daily share of the partner's pool shown the brand.",
    )
    join_rate: float = param(
        0.1,
        unit="probability",
        ge=0,
        le=1,
        description="Chance an exposed partner-pool consumer joins the brand's pool.",
    )
    fee_per_join: float = param(5.0, unit="currency / join", ge=0, description="Fee paid to the partner per join.")


class Acquisition(Strict):
    """Public and other-domain acquisition."""

    ad_budget_per_day: float = param(
        0.0, unit="currency / day", ge=0, description="Daily ad budget in the public auction."
    )
    targeting: dict[str, float] = Field(
        default_factory=dict, description="Relative ad weight by segment name (missing = 1)."
    )
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

    invite_share: float = param(
        0.0,
        unit="fraction of orders",
        ge=0,
        le=1,
        source=SRC_SEED004,
        description="Share of platform orders that carry an invitation.",
    )
    hook_value: float = param(
        0.0,
        unit="currency / accepted invite",
        ge=0,
        description="Hook (red packet, sample) paid to each buyer who joins.",
    )
    invite_cost: float = param(0.2, unit="currency / invite", ge=0, description="Cost of one invitation (card, SMS).")
    cooloff_days: int = param(
        90, unit="days", ge=0, le=3650, description="No re-invitation for this long after a decline or opt-out."
    )


class Pool(Strict):
    """The brand's own pool: which tool, how it is staffed."""

    tool: str | list[str] = Field(
        "member_site", description="Tool name, or a preference list: the first one the market offers is used."
    )
    operator_cost_per_day: float = param(
        400.0, unit="currency / operator / day", ge=0, description="Loaded daily cost of one pool operator."
    )
    saas_per_day: float = param(
        0.0, unit="currency / day", ge=0, description="Fixed software cost (SCRM, CRM, member site)."
    )


class Messaging(Strict):
    """Messages to pool members (activation, 促活)."""

    per_week: float = param(
        0.0, unit="messages / week", ge=0, le=70, source=SRC_SEED003, description="Broadcast frequency to members."
    )
    quality: float = param(0.5, unit="0-1", ge=0, le=1, description="Content value to the consumer.")
    selling_share: float = param(
        0.2,
        unit="fraction",
        ge=0,
        le=1,
        source=SRC_SEED004 + " (80% trust and service, 20% selling)",
        description="Share of message content that is hard selling.",
    )
    cap_per_week: float = param(
        0.0,
        unit="messages / week",
        ge=0,
        le=70,
        description=("Average per-member cap: each broadcast reaches a member with probability cap/per_week (0 = no "
                     "cap). A cap below per_week binds: the scenario warns and the withheld broadcasts are counted "
                     "(sends_capped)."),
    )
    segments: list[str] = Field(
        default_factory=list, description="Only message members of these segments (empty = all)."
    )

    def binding_cap_note(self) -> str | None:
        """What a cap below ``per_week`` does, in words (``None`` when the cap does not bind)."""
        if not 0 < self.cap_per_week < self.per_week:
            return None
        return (f"messaging.cap_per_week = {self.cap_per_week:g} is below messaging.per_week = {self.per_week:g}: "
                f"each member receives on average {self.cap_per_week:g} messages a week, not {self.per_week:g} "
                "(the withheld broadcasts are counted as sends_capped); raise or remove the cap to send more.")

    @model_validator(mode="after")
    def _warn_binding_cap(self) -> Messaging:
        note = self.binding_cap_note()
        if note is not None:
            # shown once per distinct message, located at the scenario rather than inside pydantic
            warnings.warn_explicit(
                note,
                ScenarioWarning,
                filename="scenario",
                lineno=0,
                registry=_WARNED,
            )
        return self


class Referral(Strict):
    """Fission (裂变): members share with friends; both sides may be rewarded."""

    share_rate: float = param(
        0.0,
        unit="shares / member / day",
        ge=0,
        le=1,
        source=SRC_SEED004,
        description="Base daily chance a member shares, before trust, sociability and reward effects.",
    )
    contacts_per_share: float = param(3.0, unit="contacts", ge=0, le=500, description="Contacts reached by one share.")
    share_window_days: int = param(
        60, unit="days", ge=1, le=3650, description="Members share only in their first days in the pool."
    )
    referrer_reward: float = param(
        0.0,
        unit="currency / join",
        ge=0,
        source=SRC_SEED004,
        description="Coupon to the referrer per successful referral.",
    )
    referee_reward: float = param(
        0.0, unit="currency / join", ge=0, source=SRC_SEED004, description="Coupon to the new member."
    )
    distribution_commission: float = param(
        0.0,
        unit="fraction of referee sales",
        ge=0,
        le=0.5,
        source=SRC_SEED004 + " (社交分销)",
        description="Commission to the referrer on the referee's private-channel sales.",
    )
    cost_per_share: float = param(
        0.0,
        unit="currency / share",
        ge=0,
        description="Cost of each share the brand drives (posters, check-in prizes, campaign operation).",
    )
    neutral: bool = Field(
        False, description="Ignore trust, sociability and privacy effects (for closed-form validation)."
    )


class Tier(Strict):
    """A membership tier reached by cumulative member spend."""

    name: str = Field(min_length=1, max_length=30, description="Tier name.")
    min_spend: float = param(0.0, unit="currency", ge=0, description="Cumulative spend to reach this tier.")
    discount: float = param(
        0.0, unit="fraction", ge=0, le=0.9, description="Member price discount on private-channel purchases."
    )
    purchase_boost: float = param(0.0, unit="fraction", ge=0, le=5, description="Relative lift of the purchase rate.")
    dropout_multiplier: float = param(
        1.0, unit="multiplier", ge=0, le=5, description="Multiplier on BG/NBD dropout (stickiness < 1)."
    )


class PaidMembership(Strict):
    """Optional paid membership (e.g. a yearly fee with extra benefits)."""

    fee_per_year: float = param(0.0, unit="currency / year", ge=0, description="Yearly fee (0 = no paid membership).")
    uptake: float = param(
        0.1,
        unit="probability",
        ge=0,
        le=1,
        description="Chance a member with full points appetite takes it at joining.",
    )
    purchase_boost: float = param(
        0.3, unit="fraction", ge=0, le=5, description="Relative lift of the purchase rate of paying members."
    )
    dropout_multiplier: float = param(
        0.6, unit="multiplier", ge=0, le=5, description="Dropout multiplier of paying members."
    )


class Membership(Strict):
    """Membership (会員制): points, breakage, tiers, member price, birthday perk."""

    points_rate: float = param(
        0.0,
        unit="points / currency",
        ge=0,
        le=0.5,
        source="Rakuten / Japanese retail norm 1 point per 100 yen (1%) (not archived here); assumption",
        description="Points earned per unit of spend (1 point = 1 currency unit).",
    )
    min_redeem: float = param(
        50.0, unit="points", ge=0, description="Balance needed before points are redeemed at a purchase."
    )
    points_expiry_days: float = param(
        365.0, unit="days", gt=0, description="Mean lifetime of unredeemed points (drives breakage)."
    )
    points_purchase_lift: float = param(
        0.2,
        unit="fraction",
        ge=0,
        le=5,
        source=SRC_LOYALTY + " (<20% of the lift from frequency: ~8% at the 1% norm)",
        description="Largest relative purchase-rate lift points can give (saturating in points_rate x appetite).",
    )
    points_dropout_relief: float = param(
        0.55,
        unit="fraction",
        ge=0,
        le=0.95,
        source=SRC_LOYALTY + " (at the 1% norm the relief is ~0.23, the retention part of a ~30% value lift)",
        description="Largest relative dropout reduction points can give (saturating in points_rate x appetite).",
    )
    points_channel_pull: float = param(
        0.6,
        unit="fraction",
        ge=0,
        le=1,
        source=("assumption: points are earned only in the brand's own channel (MUJI member-ID presentation 28% of "
                "store transactions, Ryohin Keikaku Aug 2016); range 0-1"),
        description=("Largest share of a member's platform purchases that the points programme draws to the own "
                     "channel (saturating in points_rate x appetite)."),
    )
    points_half_rate: float = param(
        0.01,
        unit="points / currency",
        gt=0,
        le=1,
        description="Points rate x appetite giving half the largest lift and relief (1% is the Japanese norm).",
    )
    tiers: list[Tier] = Field(
        default_factory=list, max_length=6, description="Tiers by cumulative spend, in ascending order."
    )
    birthday_perk: float = param(0.0, unit="currency / member / year", ge=0, description="Cost of the birthday perk.")
    birthday_response: float = param(
        0.2, unit="probability", ge=0, le=1, description="Chance the birthday perk triggers a purchase."
    )
    paid: PaidMembership = Field(default_factory=PaidMembership, description="Optional paid membership.")

    @model_validator(mode="after")
    def _ascending(self) -> Membership:
        spends = [t.min_spend for t in self.tiers]
        if spends != sorted(spends):
            raise ValueError(f"tiers must be in ascending min_spend order; found {spends}")
        return self


class Compliance(Strict):
    """Consent practice, cold outreach and security."""

    cold_outreach_per_week: float = param(
        0.0,
        unit="messages / week",
        ge=0,
        le=70,
        source=SRC_SEED000 + " (naive transplant fails)",
        description="Messages to platform buyers who never joined (SMS to order numbers).",
    )
    cold_quality: float = param(0.2, unit="0-1", ge=0, le=1, description="Content value of cold messages.")
    security_per_day: float = param(
        0.0, unit="currency / day", ge=0, description="Security spend; lowers the breach hazard."
    )
    respect_opt_in: bool = Field(
        True, description="Under explicit opt-in, message only members who ticked marketing consent."
    )


#: Strategy keys a phase may not change: who the strategy is, the currency it is written in, the pool tool
#: (members cannot be moved from one tool's pool to another's by a switch of parameters), and the two
#: values the results layer reads once for the whole run (COGS rate: member contribution; the sharing
#: window: the K-factor).
PHASE_FIXED_KEYS = ("name", "currency", "phases", "pool.tool", "product.cogs_rate", "referral.share_window_days",
                    "cross_sell.lines")


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied: nested dicts merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _keys(changes: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of the leaves of a nested dict of changes."""
    out: list[str] = []
    for key, value in changes.items():
        path = f"{prefix}{key}"
        out.extend(_keys(value, path + ".") if isinstance(value, dict) and value else [path])
    return out


class Phase(Strict):
    """From day ``from_day`` on, these levers of the strategy take new values (a partial override).

    Phases apply in order and accumulate: on a day, the strategy in force is the base strategy with
    every phase that has started applied in turn, so a lever keeps its value until a later phase
    changes it again.
    """

    from_day: int = param(
        1, unit="day", ge=1, le=3649, description="First day of the run the phase is in force (0-based)."
    )
    name: str = Field("", max_length=60, description="Phase name (shown in figures), e.g. 'nurture'.")
    set: dict[str, Any] = Field(
        default_factory=dict,
        description=("Levers changed from this day on, nested like the strategy, e.g. {acquisition: "
                     "{ad_budget_per_day: 0}}."),
    )


# ---- levers of issue 13: offline capture, livestreams, own site, group buying, stored value ----------


class Stores(Strict):
    """Member capture in stores, at events and service centres (Japan's member sources, Rimaotong 2025).

    Shoppers walk into the brand's touchpoints (stores, counters, service centres); a share buy, and a
    buyer may sign up at the till with a QR code or a member card, giving consent on the spot. Events
    (pop-ups, fairs, seminars) bring visitors who may sign up without buying.
    """

    touchpoints: int = param(
        0,
        unit="touchpoints",
        ge=0,
        le=100_000,
        source=SRC_SEED000 + " (stores and service centres)",
        description="Stores, counters and service centres that capture members (0 = off).",
    )
    footfall_per_day: float = param(
        300.0, unit="people / touchpoint / day", ge=0, le=1e6, description="Visitors a touchpoint receives on a day."
    )
    purchase_share: float = param(
        0.2,
        unit="fraction of visitors",
        ge=0,
        le=1,
        description="Chance a visitor buys (one basket, no platform commission).",
    )
    signup_share: float = param(
        0.3,
        unit="fraction of store buyers",
        ge=0,
        le=1,
        source=SRC_SEED004 + " (QR codes in stores); level assumption",
        description=("Chance a buyer who is not a member signs up at the till (QR code or card), before privacy "
                     "sensitivity."),
    )
    on_spot_consent: float = param(
        0.8,
        unit="probability",
        ge=0,
        le=1,
        source=SRC_SEED000 + " (consent taken in person); level assumption",
        description="Under explicit opt-in: chance a store or event sign-up ticks marketing consent, asked in person.",
    )
    cost_per_touchpoint_day: float = param(
        1_500.0,
        unit="currency / touchpoint / day",
        ge=0,
        description="Running cost of one touchpoint's capture (counter staff, QR stands, cards, rent share).",
    )
    events_per_year: float = param(
        0.0,
        unit="events / year",
        ge=0,
        le=365,
        source=SRC_SEED000 + " (events)",
        description="Member events, spread evenly over the year (0 = none).",
    )
    visitors_per_event: float = param(
        2_000.0, unit="people / event", ge=0, le=1e8, description="Visitors of one event."
    )
    event_signup_share: float = param(
        0.15,
        unit="fraction of visitors",
        ge=0,
        le=1,
        description="Chance an event visitor who is not a member signs up on the spot.",
    )
    cost_per_event: float = param(
        50_000.0, unit="currency / event", ge=0, description="Cost of one event (venue, staff, samples)."
    )


class Livestream(Strict):
    """Livestream commerce (直播): scheduled sessions with a host, live viewers from the pool and the platform.

    Ebrun n.d.: social-commerce marketplaces let cross-border sellers build pools with KOLs, livestreams
    and short video; the Private e-commerce encyclopedia 2025 names livestreams among the conversion levers.
    """

    sessions_per_week: float = param(
        0.0,
        unit="sessions / week",
        ge=0,
        le=7,
        source=SRC_SEED002,
        description="Live sessions, spread evenly over the week (0 = off).",
    )
    host_fee: float = param(
        5_000.0,
        unit="currency / session",
        ge=0,
        source=SRC_SEED002 + "; level assumption",
        description="Fee of the host (an influencer or the brand's anchor) and crew per session.",
    )
    platform_viewers: float = param(
        20_000.0,
        unit="people / session",
        ge=0,
        le=1e9,
        description="Viewers the platform's live feed brings to one session.",
    )
    pool_attendance: float = param(
        0.05,
        unit="fraction of members / session",
        ge=0,
        le=1,
        description="Chance a pool member watches a session (announced in the pool).",
    )
    conversion: float = param(
        0.03,
        unit="purchases / viewer",
        ge=0,
        le=1,
        description="Chance a viewer buys during the session at no discount (the live spike).",
    )
    discount: float = param(
        0.1, unit="fraction of price", ge=0, le=0.9, description="Live-only discount depth on the basket."
    )
    discount_lift: float = param(
        3.0,
        unit="-",
        ge=0,
        le=20,
        description="Conversion rises as conversion * (1 + discount_lift * discount), at most 1.",
    )
    join_rate: float = param(
        0.02,
        unit="probability",
        ge=0,
        le=1,
        source=SRC_SEED002 + "; level assumption",
        description=("Chance a platform viewer who is not a member follows into the pool, before privacy sensitivity "
                     "and the consent form."),
    )


class OwnSite(Strict):
    """The brand's own independent site (Shopify and the like), and the marketplace's rules against diversion.

    Ebrun n.d.: building an independent site fell from about 100,000 yuan and two months to a few thousand
    yuan and two days; its traffic must be bought or brought from the pool. Diverting marketplace buyers
    to it (cards in parcels) breaks marketplace rules and risks a penalty: lost listing days.
    """

    setup_day: int | None = param(
        None,
        unit="day",
        ge=0,
        le=3650,
        description="Day the site is commissioned (none = no own site); it must fall inside the horizon.",
    )
    setup_cost: float = param(
        5_000.0,
        unit="currency",
        ge=0,
        source=SRC_SEED002 + " (a few thousand yuan)",
        description="One-off build cost, paid on the set-up day.",
    )
    build_days: int = param(
        2,
        unit="days",
        ge=0,
        le=365,
        source=SRC_SEED002 + " (two days)",
        description="Days from set-up to the site taking orders.",
    )
    running_cost_per_day: float = param(
        30.0, unit="currency / day", ge=0, description="Hosting, shop-software plan and payment gateway fixed fees."
    )
    ad_visitors_per_day: float = param(
        0.0,
        unit="people / day",
        ge=0,
        le=1e8,
        source=SRC_SEED002 + " (traffic must be bought)",
        description="Visitors bought with ads (search, social) each day.",
    )
    cost_per_visitor: float = param(
        1.5, unit="currency / visitor", ge=0, description="Price of one bought visit (cost per click)."
    )
    pool_visit_rate: float = param(
        0.0,
        unit="visits / member / day",
        ge=0,
        le=1,
        source=SRC_SEED002 + " (traffic brought from the pool)",
        description="Chance a pool member is brought to the site on a day (links in the pool's posts).",
    )
    conversion: float = param(
        0.02, unit="purchases / visit", ge=0, le=1, description="Chance a site visit ends in a purchase."
    )
    signup_share: float = param(
        0.3,
        unit="fraction of buyers",
        ge=0,
        le=1,
        description=("Chance a site buyer who is not a member opens an account (joins the pool), before privacy "
                     "sensitivity and the consent form."),
    )
    diversion_share: float = param(
        0.0,
        unit="fraction of platform buyers",
        ge=0,
        le=1,
        source=SRC_SEED002,
        description=("Share of the day's platform buyers sent a card inviting them to the own site (breaks "
                     "marketplace rules)."),
    )
    diversion_join: float = param(
        0.1, unit="probability", ge=0, le=1, description="Chance a diverted buyer opens an account on the own site."
    )
    cost_per_card: float = param(0.5, unit="currency / card", ge=0, description="Cost of one diversion card.")
    detection_per_card: float = param(
        0.0005,
        unit="probability / card",
        ge=0,
        le=1,
        description="Chance one diversion card is reported to the marketplace.",
    )
    penalty_days: int = param(
        7, unit="days", ge=0, le=365, description="Listing days lost per penalty: no platform sales."
    )


class GroupBuying(Strict):
    """Group buying (拼团 / 社群团购): a buyer opens a group at a discount and must recruit friends in time.

    Private e-commerce encyclopedia 2025: group buying is a fission route; the group price is paid only if
    the group fills within its window, otherwise the group fails and nobody buys.
    """

    open_rate: float = param(
        0.0,
        unit="groups / member / day",
        ge=0,
        le=1,
        source=SRC_SEED004,
        description="Chance a pool member opens a group on a day (0 = off).",
    )
    group_size: int = param(
        2,
        unit="friends",
        ge=1,
        le=20,
        source=SRC_SEED004 + "; level assumption",
        description="Friends the opener must recruit for the group to succeed.",
    )
    invites: int = param(6, unit="contacts", ge=1, le=50, description="Contacts on the network the opener asks.")
    window_days: int = param(1, unit="days", ge=1, le=30, description="Time the group has to fill.")
    response_days: float = param(
        1.0,
        unit="days",
        gt=0,
        le=30,
        description="Mean time a willing friend takes to join: a share 1 - exp(-window/response) answers in time.",
    )
    discount: float = param(
        0.2, unit="fraction of price", ge=0, le=0.9, description="Group price discount for every buyer."
    )
    friend_accept: float = param(
        0.2,
        unit="probability",
        ge=0,
        le=1,
        description=("Chance an asked contact is willing to join the group, before privacy sensitivity and the "
                     "consent form."),
    )

    @model_validator(mode="after")
    def _enough_invites(self) -> GroupBuying:
        if self.invites < self.group_size:
            raise ValueError(
                f"invites ({self.invites}) must be at least group_size ({self.group_size}): a group could never fill"
            )
        return self


class StoredValue(Strict):
    """Stored-value cards (储值卡): members top up a prepaid balance with a bonus, later purchases draw it down.

    Private e-commerce encyclopedia 2025: for high-repurchase, high-ticket products brands sell stored-value
    cards ("top up an amount, enjoy a discount and priority booking") that lock in the customer's choice and
    promote repurchase. The cash received is owed until spent (a liability): revenue is recognised on spending.
    """

    topup_rate: float = param(
        0.0,
        unit="top-ups / member / year",
        ge=0,
        le=52,
        source=SRC_SEED004 + " (stored-value cards); level assumption",
        description="Rate at which a pool member whose balance cannot pay a basket tops up (0 = off).",
    )
    amount: float = param(
        1_000.0,
        unit="currency / top-up",
        gt=0,
        source=SRC_SEED004 + " (top up a set amount); level assumption",
        description="Cash paid per top-up (received in advance: not revenue until spent).",
    )
    bonus: float = param(
        0.1,
        unit="fraction of the amount",
        ge=0,
        le=1,
        source=SRC_SEED004 + " (a discount for topping up); level assumption: 'top up 1000, get 1100'",
        description="Bonus credited on top of the cash (0.1: 1,000 paid gives a balance of 1,100); a cost when spent.",
    )
    repurchase_lift: float = param(
        0.3,
        unit="fraction",
        ge=0,
        le=5,
        source=SRC_SEED004 + " (locks in choice, promotes repurchase); level assumption",
        description="Relative lift of the holder's purchase rate while a balance lasts.",
    )
    dropout_multiplier: float = param(
        0.5,
        unit="multiplier",
        ge=0,
        le=1,
        source=SRC_SEED004 + " (locks in choice); level assumption",
        description="Multiplier on the holder's BG/NBD dropout while a balance lasts (1 = no lock-in).",
    )
    breakage_share: float = param(
        0.0,
        unit="fraction of the balance",
        ge=0,
        le=1,
        source="assumption (accounting of breakage: IFRS 15, IASB, May 2014, paragraphs B44-B47)",
        description=("Share of a holder's balance written off as breakage income on the day they lapse "
                     "(0 = every balance stays owed until spent)."),
    )


class MemberBenefits(Strict):
    """Member-only benefits: priority service and exclusive rights (会员专属权益), a cost per member that cuts dropout.

    Rimaotong 2025: Japanese brands retain members with member benefits and member-only rights; Private
    e-commerce encyclopedia 2025: priority booking and exclusive member events lock in the customer.
    """

    cost_per_member_year: float = param(
        0.0,
        unit="currency / member / year",
        ge=0,
        source=SRC_SEED000 + " (member benefits, exclusive rights); level assumption",
        description="Cost of the benefits per member per year, accrued daily (0 = off).",
    )
    dropout_relief: float = param(
        0.2,
        unit="fraction",
        ge=0,
        le=0.95,
        source=SRC_SEED004 + " (benefits lock in the customer); level assumption",
        description="Relative reduction of a member's BG/NBD dropout while the benefits run.",
    )


class ProductLine(Strict):
    """One product line of the brand (cross-sell, 1×N): its basket and repurchase rate relative to the main line."""

    name: str = Field("main", min_length=1, max_length=30, description="Line name.")
    basket_multiplier: float = param(
        1.0, unit="multiplier", gt=0, le=20, description="Basket of this line relative to the consumer's basket."
    )
    repurchase_multiplier: float = param(
        1.0,
        unit="multiplier",
        ge=0,
        le=10,
        description="Purchase rate of this line, once tried, relative to the consumer's purchase rate.",
    )


class CrossSell(Strict):
    """Cross-sell (1×N): the brand's product lines; a purchase on one raises the chance of trying another.

    Rimaotong 2025: private-domain commerce builds many links with the customer to earn "1×N" repurchase
    or horizontal mining (selling the same customer other products). Line 0 is the main line, bought by the
    everyday purchases; one line (the default) switches cross-sell off.
    """

    lines: list[ProductLine] = Field(
        default_factory=lambda: [ProductLine()],
        min_length=1,
        max_length=6,
        description="Product lines, the main line first (at least one; one line = no cross-sell).",
    )
    trial_rate: float = param(
        0.05,
        unit="probability / purchase",
        ge=0,
        le=1,
        source=SRC_SEED000 + " (1×N, horizontal mining); level assumption",
        description="Chance a buyer who is not a member tries an untried line on a day they buy.",
    )
    member_lift: float = param(
        1.0,
        unit="fraction",
        ge=0,
        le=20,
        source=SRC_SEED000 + " (1×N is what the private pool earns); level assumption",
        description="Relative lift of a pool member's trial chance: trial_rate * (1 + member_lift), at most 1.",
    )

    @field_validator("lines", mode="after")
    @classmethod
    def _main_line_first(cls, lines: list[ProductLine]) -> list[ProductLine]:
        for attr in ("basket_multiplier", "repurchase_multiplier"):
            if getattr(lines[0], attr) != 1.0:
                raise ValueError(
                    f"line 0 ({lines[0].name}) {attr} is {getattr(lines[0], attr)}; expected 1 (line 0 is the "
                    "main line, bought by the everyday purchases; list other lines after it)"
                )
        names = [line.name for line in lines]
        if len(set(names)) != len(names):
            raise ValueError(f"names {names} repeat; expected one name per line")
        return lines


class Strategy(Strict):
    """A brand's strategy: the levers of the six-step method."""

    name: str = Field("strategy", min_length=1, max_length=60, description="Strategy name.")
    currency: str | None = Field(
        None,
        max_length=8,
        description=("Currency its money amounts are written in (default: the market's); converted to the market's "
                     "currency."),
    )

    _currency = field_validator("currency")(currency_code)
    product: Product = Field(default_factory=Product, description="Product economics.")
    acquisition: Acquisition = Field(default_factory=Acquisition, description="Acquisition (ad placement, 引流).")
    interception: Interception = Field(default_factory=Interception, description="Interception (截流).")
    pool: Pool = Field(default_factory=Pool, description="Private pool tool and staffing (留存).")
    messaging: Messaging = Field(default_factory=Messaging, description="Messaging (促活).")
    referral: Referral = Field(default_factory=Referral, description="Fission (裂变).")
    membership: Membership = Field(default_factory=Membership, description="Membership (转化, 会員制).")
    compliance: Compliance = Field(default_factory=Compliance, description="Consent and security.")
    stores: Stores = Field(
        default_factory=Stores, description="Member capture in stores, at events and service centres."
    )
    livestream: Livestream = Field(default_factory=Livestream, description="Livestream commerce (直播).")
    own_site: OwnSite = Field(
        default_factory=OwnSite, description="Own independent site and the marketplace's rules against diversion."
    )
    group_buying: GroupBuying = Field(default_factory=GroupBuying, description="Group buying (拼团 / 社群团购).")
    stored_value: StoredValue = Field(default_factory=StoredValue, description="Stored-value cards (储值卡).")
    member_benefits: MemberBenefits = Field(
        default_factory=MemberBenefits, description="Member-only benefits: priority service, exclusive rights."
    )
    cross_sell: CrossSell = Field(default_factory=CrossSell, description="Cross-sell across product lines (1×N).")
    phases: list[Phase] = Field(
        default_factory=list,
        max_length=12,
        description="Changes of levers over time, in order of from_day (empty: the same strategy every day).",
    )

    @model_validator(mode="after")
    def _phases_valid(self) -> Strategy:
        if not self.phases:
            return self
        starts = [ph.from_day for ph in self.phases]
        for j in range(1, len(starts)):
            if starts[j] <= starts[j - 1]:
                raise ValueError(
                    f"phases.{j}.from_day: {starts[j]} is not after phases.{j - 1}.from_day "
                    f"({starts[j - 1]}); expected phases in increasing order of from_day, one per day"
                )
        merged = self.model_dump(exclude={"phases"})
        for j, ph in enumerate(self.phases):
            for key in _keys(ph.set):
                if any(key == f or key.startswith(f + ".") for f in PHASE_FIXED_KEYS):
                    raise ValueError(
                        f"phases.{j}.set.{key}: cannot change in a phase; expected a lever "
                        f"(fixed for the whole run: {', '.join(PHASE_FIXED_KEYS)})"
                    )
            merged = deep_merge(merged, ph.set)
            try:
                Strategy.model_validate(merged)
            except ValueError as exc:
                raise ValueError(f"phases.{j}.set: {_phase_problem(exc)}") from None
        return self

    def in_force(self, day: int) -> Strategy:
        """The strategy in force on ``day``: the base with every phase started by then applied."""
        started = [ph for ph in self.phases if ph.from_day <= day]
        if not started:
            return self.model_copy(update={"phases": []})
        merged = self.model_dump(exclude={"phases"})
        for ph in started:
            merged = deep_merge(merged, ph.set)
        return Strategy.model_validate(merged)


def _phase_problem(exc: ValueError) -> str:
    """The first problem of a phase's merged strategy, as 'path: value found; expected ...'."""
    import difflib

    from pydantic import ValidationError

    if not isinstance(exc, ValidationError) or not exc.errors():
        return str(exc)
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        parent: Any = Strategy
        for part in err["loc"][:-1]:
            info = parent.model_fields.get(str(part)) if isinstance(parent, type) else None
            inner = getattr(info, "annotation", None) if info is not None else None
            parent = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
        known = sorted(parent.model_fields) if parent is not None else []
        near = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else (f"; expected one of {known}" if known else "")
        return f"{loc}: {err['input']!r} overrides a key that does not exist in the strategy{hint}"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: found {err.get('input')!r}; expected: {msg}"


class Brand(Strict):
    """A brand in the market, running a strategy."""

    name: str = Field("brand", min_length=1, max_length=60, description="Brand name (unique in the scenario).")
    strategy: Strategy = Field(default_factory=Strategy, description="The brand's strategy.")
    seed_members: int = param(
        0, unit="agents", ge=0, description="Agents already in the pool at day 0 (validation and established brands)."
    )


class Run(Strict):
    """Run settings."""

    days: int = param(
        1095, unit="days", ge=1, le=3650, description="Horizon; one step is one day (3 years by default)."
    )
    population: int = param(50_000, unit="agents", ge=100, le=20_000_000, description="Simulated consumers.")
    seed: int = param(
        12345, unit="-", ge=0, le=2**63 - 1, description="Root seed; the same seed gives the same numbers."
    )
    journeys: int = param(
        40, unit="agents", ge=0, le=2_000, description="Consumers whose individual journeys are logged."
    )
    discount_rate: float = param(0.08, unit="1 / year", ge=0, le=1, description="Discount rate for member LTV.")


class Scenario(Strict):
    """A complete, resolved scenario."""

    name: str = Field("scenario", min_length=1, max_length=80, description="Scenario name.")
    description: str = Field("", max_length=4000, description="What this scenario shows.")
    run: Run = Field(default_factory=Run, description="Run settings.")
    market: Market = Field(default_factory=Market, description="The market.")
    brands: list[Brand] = Field(
        default_factory=lambda: [Brand()], min_length=1, max_length=8, description="Brands competing in the market."
    )

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        names = [b.name for b in self.brands]
        if len(set(names)) != len(names):
            raise ValueError(f"brand names must be unique; found {names}")
        tight = self.market.regime.tightens
        if tight is not None and tight.day >= self.run.days:
            raise ValueError(
                f"market.regime.tightens.day: the regime cannot tighten after the horizon; found "
                f"{tight.day}, expected a day from 1 to {self.run.days - 1} (run.days = {self.run.days})"
            )
        if self.market.people is not None:
            rep = self.market.people / self.run.population
            if rep > 1e7:
                raise ValueError(
                    f"market.people / run.population = {rep:.3g} people per agent exceeds 1e7; raise run.population"
                )
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
                    raise ValueError(
                        f"brands.{i}: partner {sw.partner!r} is not a market partner; known: {sorted(partners)}"
                    )
            resolve_tool(s.pool.tool, self.market.tools, where=f"brands.{i}.strategy.pool.tool")
            if s.currency is not None and s.currency != self.market.currency:
                rate = fx_rate(s.currency, self.market, where=f"brands.{i}.strategy.currency")
                b.strategy = convert_money(s, rate, self.market.currency)
            if s.own_site.setup_day is not None and s.own_site.setup_day >= self.run.days:
                raise ValueError(
                    f"brands.{i}.strategy.own_site.setup_day: must be a day of the run, at most "
                    f"run.days - 1 = {self.run.days - 1} (found {s.own_site.setup_day})"
                )
            if b.seed_members > self.run.population:
                raise ValueError(
                    f"brands.{i}.seed_members ({b.seed_members}) exceeds run.population ({self.run.population})"
                )
        return self

    @model_validator(mode="after")
    def _schedule_checks(self) -> Scenario:
        last = self.run.days - 1
        for i, b in enumerate(self.brands):
            for j, ph in enumerate(b.strategy.phases):
                if ph.from_day > last:
                    raise ValueError(
                        f"brands.{i}.strategy.phases.{j}.from_day: {ph.from_day} starts after the horizon; "
                        f"expected a day from 1 to {last} (run.days = {self.run.days})"
                    )
        names = [b.name for b in self.brands]
        for j, st in enumerate(self.market.stresses):
            if st.day > last:
                raise ValueError(
                    f"market.stresses.{j}.day: {st.day} is after the horizon; expected a day from 0 to "
                    f"{last} (run.days = {self.run.days})"
                )
            if st.brand is not None and st.brand not in names:
                raise ValueError(
                    f"market.stresses.{j}.brand: {st.brand!r} is not a brand of the scenario; known: {names}"
                )
            if st.tool is not None and st.tool not in self.market.tools:
                raise ValueError(
                    f"market.stresses.{j}.tool: {st.tool!r} is not a tool of this market; "
                    f"known: {sorted(self.market.tools)}"
                )
        return self


def scenario_notes(sc: Scenario) -> list[str]:
    """Plain-text notes on a valid scenario whose numbers do not do what they seem to say, per brand.

    Today: a message cap that binds (``cap_per_week`` below ``per_week``), in the base strategy or a phase.
    The CLI and the dashboard show these beside the results (the validator also raises a
    :class:`ScenarioWarning`, once per process).
    """
    notes: list[str] = []
    for brand in sc.brands:
        note = brand.strategy.messaging.binding_cap_note()
        if note is not None:
            notes.append(f"{brand.name}: {note}")
    return notes


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
    if isinstance(model, Phase):
        return model.model_copy(update={"set": convert_changes(model.set, Strategy, rate)})
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


def convert_changes(changes: dict[str, Any], model: type[BaseModel], rate: float) -> dict[str, Any]:
    """A phase's nested changes with every money amount (and points) multiplied by ``rate``.

    Money is recognised by the unit declared on the field of ``model`` the key names, as in
    :func:`convert_money`; keys that are not fields are kept as they are (validation refuses them).
    """
    out: dict[str, Any] = {}
    for key, value in changes.items():
        info = model.model_fields.get(key)
        if info is None:
            out[key] = value
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = str(extra.get("unit", ""))
        inner = info.annotation
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and (unit.startswith("currency") or unit == "points")
        ):
            out[key] = value * rate
        elif isinstance(value, dict) and isinstance(inner, type) and issubclass(inner, BaseModel):
            out[key] = convert_changes(value, inner, rate)
        elif isinstance(value, list) and typing.get_origin(inner) is list:
            (item,) = typing.get_args(inner)
            is_model = isinstance(item, type) and issubclass(item, BaseModel)
            out[key] = [convert_changes(v, item, rate) if is_model and isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out
