"""Compliance and data risk: the law per channel, the enforcement ladder, regime changes and data breaches.

**The law per channel.** Each private-pool tool says which law covers its marketing messages
(``tool.law``): ``message_law`` (e-mail and SMS: Japan's Specified E-mail Act, China's commercial-SMS
rules and Advertising Law art. 43) or ``none`` (a LINE official account: adding it as a friend is the
user's own act and its messages are outside the Specified E-mail Act; the user can block it at any
time). Cold outreach goes by SMS, under ``regime.cold_outreach_law``. A message on a covered channel to a
person without consent is a violation (counted in :mod:`messaging`): cold SMS to buyers in both
markets, and member messages without the ticked marketing consent under ``explicit_opt_in``.

**The ladder** (one per brand and law: the message law, the data law). Each complaint about a
violation brings a regulator action with probability ``enforcement_per_violation_complaint``; each data
breach brings one (a breach above the reporting thresholds is reported). Actions climb the ladder:
the first ``warnings_before_order`` are warnings (guidance, recommendations: private, no fine), the next
is an order (published: members lose ``enforcement_trust_shock`` of their trust; ``fine_at_order``, e.g.
China's MIIT fine of up to CNY 30,000 with the order to rectify), and any action after an order is a
penalty for disobeying it (``fine_per_enforcement`` for the message law: JPY 30M for a corporation under
the Specified E-mail Act; ``breach.penalty_after_order`` for the data law: JPY 100M under APPI; CNY 1M
under PIPL art. 66 for refusing to correct). An action within ``min_days_between_steps`` of the last one
joins the open case and does not climb. Counts behind the shape: FY2012 about 5,500 warnings against
8 orders under the Specified E-mail Act; APPI FY2023 333 guidance, 3 recommendations, 0 orders
(Consumer Affairs Agency white paper 2013; PPC annual report FY2023).

**Data breaches** arrive with the daily hazard

    h = -ln(1 - p) / 365 * (records / reference_records)^records_exponent * (u + (1 - u) * 0.5^(security / halving))

where p is the yearly probability that a holder of ``reference_records`` discloses a leak (TSR: 3.2-4.9% of
Japanese listed firms a year, 2021-2024), records are the people whose data the brand holds (customers
and members), and u = ``unpreventable_share`` is the part security spend cannot remove (TSR 2024: 60.3% of
incidents were cyber; the rest are mis-sent mail, lost devices and insiders). A breach costs
``response_cost + cost_per_record * records`` (investigation, call centre, letters and apology vouchers:
JNSA 2024) as ``breach_costs``, plus ``breach.fine`` if the law fines a breach itself (APPI does not),
lowers members' trust by ``trust_shock`` and makes each member leave with
probability ``optout_share * 2 psi`` (privacy-sensitive members first), and is one action on the data
law's ladder.

**A regime may tighten** on a day (``regime.tightens: {day, to}``): from that day every market
parameter is packed from the regime with ``to`` applied. Consents given before stay valid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model import layout as L
from sim.model import rng
from sim.model.component import Param, RunState, Slots
from sim.model.forms import Form
from sim.model.kernel import kernel
from sim.model.rng import uniform
from sim.model.state import log_event, move, set_flag

if TYPE_CHECKING:
    from sim.model.market import MarketModel
    from sim.scenario.schema import Scenario


def _covered(law: str) -> float:
    """1 if a channel's marketing messages fall under the regime's message law."""
    return 1.0 if law == "message_law" else 0.0


NAME = "compliance"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_ENFORCE_PER_COMPLAINT": Param("market.regime.enforcement_per_violation_complaint"),
    "MP_ENFORCE_FINE": Param("market.regime.fine_per_enforcement"),
    "MP_ENFORCE_SHOCK": Param("market.regime.enforcement_trust_shock"),
    "MP_MSG_WARNINGS": Param("market.regime.message_ladder.warnings_before_order"),
    "MP_MSG_ORDER_FINE": Param("market.regime.message_ladder.fine_at_order"),
    "MP_MSG_GAP": Param("market.regime.message_ladder.min_days_between_steps"),
    "MP_COLD_LAW": Param("market.regime.cold_outreach_law", derive=_covered, unit="flag",
                         source="Specified E-mail Act art. 2 (e-mail and SMS); MIIT 2015 commercial-SMS rules"),
    "MP_BREACH_P": Param("market.regime.breach.rate_per_year"),
    "MP_BREACH_REF": Param("market.regime.breach.reference_records"),
    "MP_BREACH_EXP": Param("market.regime.breach.records_exponent"),
    "MP_BREACH_RESPONSE": Param("market.regime.breach.response_cost"),
    "MP_BREACH_PER_RECORD": Param("market.regime.breach.cost_per_record"),
    "MP_BREACH_FINE": Param("market.regime.breach.fine"),
    "MP_BREACH_SHOCK": Param("market.regime.breach.trust_shock"),
    "MP_BREACH_EXIT": Param("market.regime.breach.optout_share"),
    "MP_SECURITY_HALVING": Param("market.regime.breach.security_halving"),
    "MP_UNPREVENTABLE": Param("market.regime.breach.unpreventable_share"),
    "MP_DATA_WARNINGS": Param("market.regime.breach.ladder.warnings_before_order"),
    "MP_DATA_ORDER_FINE": Param("market.regime.breach.ladder.fine_at_order"),
    "MP_DATA_GAP": Param("market.regime.breach.ladder.min_days_between_steps"),
    "MP_DATA_PENALTY": Param("market.regime.breach.penalty_after_order"),
    "BP_SECURITY": Param("brand.strategy.compliance.security_per_day"),
    "BP_COOLOFF": Param("brand.strategy.interception.cooloff_days"),
    "BP_TOOL_LAW": Param("tool.law", derive=_covered, unit="flag",
                         source="Specified E-mail Act art. 2 (e-mail and SMS; LINE messages outside it)"),
}
TALLIES = {"T_ENFORCE": "enforcements", "T_BREACHES": "breaches", "T_BREACH_EXITS": "breach_exits",
           "T_WARNINGS": "warnings", "T_ORDERS": "orders", "T_PENALTIES": "penalties"}
LEDGER = {"C_FINES": "fines", "C_BREACH": "breach_costs"}
EVENTS = {"E_BREACH_EXIT": "left_after_breach"}
#: Day offsets of the shocks' keys (a second and third key of the compliance stream; farther apart
#: than the longest horizon, so no shock key is ever another day's brand-draw key).
ENFORCEMENT_SHOCK_DAYS, BREACH_SHOCK_DAYS = 100_000, 200_000
#: Brand-level draws (the agent index is the brand), then each shock's member exits (slot = brand).
BRAND_DRAWS = Slots(rng.COMPLIANCE, shared={"enforcement": (0, 1), "breach": (1, 1)})
S_ENFORCEMENT, S_BREACH = BRAND_DRAWS.first("enforcement"), BRAND_DRAWS.first("breach")
SLOTS = (
    BRAND_DRAWS,
    Slots(rng.COMPLIANCE, block=1, ranges={"enforcement_exit": (0, 1)}, day_offset=ENFORCEMENT_SHOCK_DAYS),
    Slots(rng.COMPLIANCE, block=1, ranges={"breach_exit": (0, 1)}, day_offset=BREACH_SHOCK_DAYS),
)
#: The two laws a brand's ladder runs under.
MESSAGE_LAW, DATA_LAW = 0, 1
LAWS = ("message_law", "data_law")
#: Each brand's place on each law's ladder (:class:`Ladders`, a view of these two arrays).
RUN_STATE = {
    "ladder_actions": RunState(("brands", len(LAWS)), np.int64, 0,
                               doc="Regulator actions that climbed the brand's ladder under each law so far."),
    "ladder_last_day": RunState(("brands", len(LAWS)), np.float64, -1e9,
                                doc="Day of the last such action (-1e9 before any)."),
}
#: The rungs an action can land on.
WARNING, ORDER, PENALTY = "warning", "order", "penalty"
#: The functional forms of this component, written into docs/MODEL.md and checked against the code.
_M = "sim.model.mechanisms.compliance"
FORMS = (
    Form("Chance of a regulator action today, C complaints about violations", f"{_M}:enforcement_probability",
         "f(C, MP_ENFORCE_PER_COMPLAINT)", "1 - (1 - MP_ENFORCE_PER_COMPLAINT)**C",
         {"C": (0.0, 5000.0)}, {"MP_ENFORCE_PER_COMPLAINT": (0.0, 0.01)}),
    Form("Chance of a data breach today, R records held, security S a day", f"{_M}:breach_probability",
         "f(R, mp, S)",
         "1 - exp(-(-log(1 - MP_BREACH_P) / 365 * (R / MP_BREACH_REF)**MP_BREACH_EXP"
         " * (MP_UNPREVENTABLE + (1 - MP_UNPREVENTABLE) * 0.5**(S / MP_SECURITY_HALVING))))",
         {"R": (1.0, 1e6), "S": (0.0, 5000.0)},
         {"MP_BREACH_P": (0.001, 0.5), "MP_BREACH_REF": (1e3, 1e6), "MP_BREACH_EXP": (0.0, 1.5),
          "MP_UNPREVENTABLE": (0.0, 1.0), "MP_SECURITY_HALVING": (10.0, 5000.0)}),
    Form("Response and notification cost of one breach, R records held", f"{_M}:breach_cost", "f(R, mp)",
         "MP_BREACH_RESPONSE + MP_BREACH_PER_RECORD * R", {"R": (0.0, 1e6)},
         {"MP_BREACH_RESPONSE": (0.0, 5e7), "MP_BREACH_PER_RECORD": (0.0, 2000.0)}),
)


@kernel
def shock_kernel(c, books, jr, day, key_day, k, trust_shock, exit_share, cooloff_days):
    """A public shock to brand ``k``: members lose trust; some leave (privacy-sensitive first)."""
    stage, pair, traits = c.stage, c.pair, c.traits
    flows, tally = books.flows, books.tally
    n = stage.shape[0]
    for i in range(n):
        if stage[i, k] != L.MEMBER:
            continue
        pair[i, k].trust = pair[i, k].trust * (1.0 - trust_shock)
        if exit_share > 0.0 and uniform(key_day, i, k) < exit_share * 2.0 * traits[i, L.PSI]:
            move(stage, flows, i, k, L.CUSTOMER)
            set_flag(pair[i, k], L.BIT_CONSENT, False)
            set_flag(pair[i, k], L.BIT_OPTED_OUT, True)
            pair[i, k].cooloff = day + cooloff_days
            tally[k, L.T_BREACH_EXITS] += 1.0
            log_event(jr, day, i, k, L.E_BREACH_EXIT, 0)


def enforcement_probability(violation_complaints: float, per_complaint: float) -> float:
    """Chance that at least one of today's complaints about violations brings a regulator action."""
    return 1.0 - (1.0 - per_complaint) ** violation_complaints


def breach_hazard(records_people: float, rate_per_year: float, reference_records: float, exponent: float,
                  security_per_day: float, halving: float, unpreventable: float = 0.0) -> float:
    """Daily breach hazard: the yearly rate as a daily hazard, scaled by the records held.

    The preventable part is halved by each ``halving`` of security spend:
    ``-ln(1 - p) / 365 * (records / reference)^exponent * (u + (1 - u) * 0.5^(security / halving))``;
    0 without records.
    """
    if records_people <= 0.0 or rate_per_year <= 0.0:
        return 0.0
    daily = -math.log1p(-min(rate_per_year, 1.0 - 1e-12)) / 365.0
    security = unpreventable + (1.0 - unpreventable) * 0.5 ** (security_per_day / halving)
    return daily * (records_people / reference_records) ** exponent * security


def breach_probability(records_people: float, mp: list[float], security_per_day: float) -> float:
    """Chance of a data breach today for a brand holding ``records_people`` records (market columns ``mp``)."""
    h = breach_hazard(records_people, mp[L.MP_BREACH_P], mp[L.MP_BREACH_REF], mp[L.MP_BREACH_EXP],
                      security_per_day, mp[L.MP_SECURITY_HALVING], mp[L.MP_UNPREVENTABLE])
    return -math.expm1(-h)


def breach_cost(records_people: float, mp: list[float]) -> float:
    """Response and notification cost of one breach: fixed response plus a cost per record held."""
    return mp[L.MP_BREACH_RESPONSE] + mp[L.MP_BREACH_PER_RECORD] * records_people


def expected_breach_cost(records_by_day: np.ndarray, mp: list[float], security_per_day: float,
                         loss_per_breach: float = 0.0) -> float:
    """Expected cost of breaches over days with these records held.

    Args:
        records_by_day: People whose data the brand holds, one value per day.
        mp: The market's packed columns.
        security_per_day: Daily security spend.
        loss_per_breach: Value a breach destroys beyond the money it costs (the members it drives away times
            their value); 0 counts the direct money only (response, notification, any fine).
    """
    total = 0.0
    for r in np.asarray(records_by_day, dtype=np.float64):
        p = breach_probability(float(r), mp, security_per_day)
        total += p * (breach_cost(float(r), mp) + mp[L.MP_BREACH_FINE] + loss_per_breach)
    return total


@dataclass
class Ladders:
    """Where each brand stands on each law's enforcement ladder.

    Attributes:
        actions: (brands, laws) regulator actions that climbed the ladder so far.
        last_day: (brands, laws) day of the last such action (-1e9 before any).
    """

    actions: np.ndarray
    last_day: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def empty(cls, brands: int) -> Ladders:
        """No action yet for any brand."""
        return cls(RUN_STATE["ladder_actions"].create(brands), RUN_STATE["ladder_last_day"].create(brands))

    def climb(self, b: int, law: int, day: int, mp: list[float]) -> str | None:
        """One regulator action against brand ``b`` under ``law`` today: the rung it lands on.

        Returns ``None`` when the action joins a case still open (within ``min_days_between_steps`` of the
        last step); otherwise ``warning`` for the first ``warnings_before_order`` actions, then ``order``,
        then ``penalty`` for every action after an order (the order was not obeyed).
        """
        warnings, gap = ((mp[L.MP_MSG_WARNINGS], mp[L.MP_MSG_GAP]) if law == MESSAGE_LAW
                         else (mp[L.MP_DATA_WARNINGS], mp[L.MP_DATA_GAP]))
        if day - self.last_day[b, law] < gap:
            return None
        self.actions[b, law] += 1
        self.last_day[b, law] = day
        n = int(self.actions[b, law])
        if n <= int(warnings):
            return WARNING
        return ORDER if n == int(warnings) + 1 else PENALTY


def rung_fine(rung: str, law: int, mp: list[float]) -> float:
    """The fine of a rung: none for a warning, the order's fine, or the penalty for disobeying an order."""
    if rung == WARNING:
        return 0.0
    if rung == ORDER:
        return mp[L.MP_MSG_ORDER_FINE] if law == MESSAGE_LAW else mp[L.MP_DATA_ORDER_FINE]
    return mp[L.MP_ENFORCE_FINE] if law == MESSAGE_LAW else mp[L.MP_DATA_PENALTY]


def rung_tally(rung: str) -> int:
    """The tally column counting actions that landed on ``rung``."""
    return L.T_WARNINGS if rung == WARNING else L.T_ORDERS if rung == ORDER else L.T_PENALTIES


def tightened_mp(scenario: Scenario) -> tuple[int, np.ndarray] | None:
    """The day a regime tightens and the market columns packed from the tightened regime (None if never)."""
    tight = scenario.market.regime.tightens
    if tight is None:
        return None
    from sim.model.params import pack

    sc = scenario.model_copy(update={"market": scenario.market.model_copy(
        update={"regime": scenario.market.regime.tightened()})})
    return int(tight.day), pack(sc).mp


def ladders_of(model: MarketModel) -> Ladders:
    """The model's ladders: a view of its run state ``ladder_actions`` and ``ladder_last_day``."""
    return Ladders(model.run_state.ladder_actions, model.run_state.ladder_last_day)


def apply_enforcement(model: MarketModel, b: int, day: int, law: int = MESSAGE_LAW) -> str | None:
    """Apply one regulator action's consequences to brand ``b`` on ``day`` under ``law``.

    The plain entry used by the daily step and by scheduled stress events: the action climbs the brand's
    ladder (:meth:`Ladders.climb`); a warning is counted, an order or a penalty also books its fine and,
    being published, lowers members' trust by ``enforcement_trust_shock``. Draws no random number.

    Returns:
        The rung the action landed on, or ``None`` if it joined an open case.
    """
    mp = model.packed.mp.tolist()
    rung = ladders_of(model).climb(b, law, day, mp)
    if rung is None:
        return None
    tally, money = model.tally[day], model.money[day]
    tally[b, L.T_ENFORCE] += 1
    tally[b, rung_tally(rung)] += 1
    if rung == WARNING:
        return rung
    money[b, L.C_FINES] += rung_fine(rung, law, mp)
    cooloff = int(model.packed.bp[b, L.BP_COOLOFF])
    shock_kernel(model.consumers, model.books_of(day), model.journal, day,
                 rng.key(model.seed, rng.COMPLIANCE, day + ENFORCEMENT_SHOCK_DAYS), b, mp[L.MP_ENFORCE_SHOCK], 0.0,
                 cooloff)
    return rung


def apply_breach(model: MarketModel, b: int, day: int) -> None:
    """Apply one data breach's consequences to brand ``b`` on ``day``.

    The plain entry used by the daily step and by scheduled stress events: counts the breach, books its
    response cost (``breach_costs``) and any fine for the breach itself, lowers members' trust, makes
    some members leave (privacy-sensitive first), and brings one action on the data law's ladder.
    """
    mp = model.packed.mp.tolist()
    tally, money = model.tally[day], model.money[day]
    cooloff = int(model.packed.bp[b, L.BP_COOLOFF])
    tally[b, L.T_BREACHES] += 1
    money[b, L.C_BREACH] += breach_cost(tally[b, L.T_RECORDS] * model.rep, mp)
    money[b, L.C_FINES] += mp[L.MP_BREACH_FINE]
    shock_kernel(model.consumers, model.books_of(day), model.journal, day,
                 rng.key(model.seed, rng.COMPLIANCE, day + BREACH_SHOCK_DAYS), b, mp[L.MP_BREACH_SHOCK],
                 mp[L.MP_BREACH_EXIT], cooloff)
    apply_enforcement(model, b, day, DATA_LAW)


def tighten_if_due(mp: np.ndarray, scenario: Scenario, day: int) -> bool:
    """At the end of the day before a regime tightens, write the tightened market columns into ``mp``."""
    tight = scenario.market.regime.tightens
    if tight is None or day != tight.day - 1:
        return False
    mp[:] = tightened_mp(scenario)[1]
    return True


def step(model: MarketModel, day: int) -> None:
    """Regulator actions after complaints about unlawful messages, then data breaches, brand by brand."""
    mp = model.packed.mp.tolist()  # Python floats: the same arithmetic as on the schema's values
    security = model.packed.bp[:, L.BP_SECURITY].tolist()
    key = model.keys.day(rng.COMPLIANCE, day)
    tally, rep = model.tally[day], model.rep
    for b in range(model.k):
        complaints = tally[b, L.T_VIOL_COMPLAINTS] * rep
        if complaints > 0 and rng.uniform_py(key, b, S_ENFORCEMENT) < enforcement_probability(
                complaints, mp[L.MP_ENFORCE_PER_COMPLAINT]):
            apply_enforcement(model, b, day, MESSAGE_LAW)
        pb = breach_probability(tally[b, L.T_RECORDS] * rep, mp, security[b])
        if pb > 0 and rng.uniform_py(key, b, S_BREACH) < pb:
            apply_breach(model, b, day)
    tighten_if_due(model.packed.mp, model.spec, day)
