"""Names of every column of the model's arrays, assembled from the components' declarations.

Two kinds of names live here:

- **core** names, fixed by the model's structure: the five stages, consumer traits, join sources,
  network kinds, the tier table and each brand's daily plan;
- **assembled** names, built from what each component of :mod:`sim.model.components` declares
  (``PARAMS``, ``TABLES``, ``STATE``, ``RUN_STATE``, ``TALLIES``, ``LEDGER``, ``EVENTS``; see
  :mod:`sim.model.component`): the packed parameter columns (``MP_*``, ``BP_*``), the columns of packed
  tables (``LINE_*``), the record of a consumer's state with one brand (:data:`PAIR_DTYPE`, one field per
  declared per-brand ``State``: ``trust``, ``consent``...; each state constant, ``L.TRUST``, is its field
  name), the run-level state (:data:`RUN_STATE`, name -> ``RunState``, created once per run as
  ``model.run_state``), ledger items
  (``REV_*``, ``C_*``), tallies (``T_*``) and journey events (``E_*``), with their tuples of names
  (``MONEY``, ``TALLY``, ``EVENTS``, ``MP_NAMES``...).

Kernels index arrays with these module-level integers, written ``L.T_SENDS``: numba reads a module's
integer when it compiles a kernel and freezes it into the machine code as a constant, so a kernel
reads ``tally[k, L.T_SENDS]`` as fast as ``tally[k, 12]``. A consumer's state with a brand is one record
(``pair[i, k].trust``), its fields ordered largest first so that nothing is padded, at most
:data:`RECORD_LIMIT` bytes (one cache line). The assembled names are computed on first use
(``__getattr__``), so a mechanism module may import this module before declaring its own columns.

Order. Ledger items, tallies and events keep the published order of the result tables
(:data:`PUBLISHED_ORDER`: the daily table's columns, and the order in which the ledger's cost items
are summed, which fixes the bits of ``costs`` and ``profit``); a column a new component declares is
appended after them (a new revenue item after the old revenue items). Packed parameters and state
columns are ordered by declaration, components in their daily order.
"""

from __future__ import annotations

from typing import Any

# ---- stages of one consumer with one brand --------------------------------------------------
UNAWARE, AWARE, CUSTOMER, MEMBER, LAPSED = 0, 1, 2, 3, 4
STAGES = ("unaware", "aware", "customer", "member", "lapsed")
N_STAGES = 5

# ---- consumer traits: float32 (N, N_TRAITS), drawn by the population ---------------------------
PSI, TAU, LAM, DROP, BASKET, SOC, PTS = range(7)
TRAITS = ("privacy_sensitivity", "message_tolerance", "purchase_rate", "dropout", "basket", "sociability",
          "points_appetite")
N_TRAITS = 7

NEVER = -30_000  # a day before any day (a day is stored in 16 bits: component.DAY)

# ---- join sources -----------------------------------------------------------------------------
SRC_NONE, SRC_SEED, SRC_ORGANIC, SRC_KOL, SRC_PARTNER, SRC_INTERCEPT, SRC_REFERRAL = range(7)
#: The core join sources; ``SOURCES`` (assembled) appends the sources components declare in
#: ``JOIN_SOURCES`` (``{"SRC_STORE": "store"}``: code 7, 8 ... in declaration order, each counted by the
#: component's tally ``joins_<name>``).
CORE_SOURCES = ("none", "seed", "organic", "kol", "partner", "interception", "referral")

# ---- journey event values -----------------------------------------------------------------------
# value column: "aware" -> channel (1 ads, 2 organic, 3 KOL, 4 partner); "joined" -> source code
# (SOURCES, assembled); purchases -> basket; "referred_friend" -> the friend's id; "tier_up" -> new tier.
AWARE_CHANNELS = ("", "ads", "organic", "kol", "partner")

#: Tallies that are stocks measured once a day (not flows to be summed over days).
STOCK_TALLIES = ("active_members", "trust_sum", "fatigue_sum_members", "records", "cpm", "paid_members",
                 "trust_members", "stored_value_liability")

# ---- social network kinds ------------------------------------------------------------------------
NET_NONE, NET_MIXED, NET_RANDOM, NET_SMALL_WORLD, NET_SCALE_FREE = range(5)
NET_KINDS = ("none", "mixed", "random", "small_world", "scale_free")

# ---- tier table (K, MAX_TIERS + 1, N_TIER_COLS); row 0 = no tier ----------------------------------
MAX_TIERS = 6
TIER_MIN, TIER_DISCOUNT, TIER_BOOST, TIER_DROPOUT = range(4)
N_TIER_COLS = 4

# ---- per-brand daily plan, float64 (K, N_PLAN), written by Brand agents each day ---------------
PLAN_NAMES = ("organic_view", "kol_view", "messages_today", "cold_today", "ad_budget")
PLAN_ORGANIC, PLAN_KOL, PLAN_MESSAGES, PLAN_COLD, PLAN_AD_BUDGET = range(len(PLAN_NAMES))
N_PLAN = len(PLAN_NAMES)

#: Published order of the result tables' columns (see the module docstring): ledger items (revenue
#: first), tallies and journey events. New components' columns are appended.
PUBLISHED_ORDER: dict[str, tuple[str, ...]] = {
    "money": (
        "revenue_public", "revenue_private", "membership_fees",
        "cogs", "platform_commission", "payment_fees", "ad_spend", "content_cost", "kol_fees",
        "partner_fees", "hooks", "invite_costs", "message_costs", "operator_staff", "saas",
        "referral_rewards", "distribution_commission", "points_redeemed", "member_discounts",
        "birthday_perks", "security", "fines",
    ),
    "tally": (
        "purchases_public", "purchases_private", "message_purchases", "first_purchases",
        "joins_seed", "joins_organic", "joins_kol", "joins_partner", "joins_interception", "joins_referral",
        "invites", "invites_accepted", "sends", "seen", "cold_sends", "opt_outs", "complaints",
        "violations", "violation_complaints", "enforcements", "breaches", "breach_exits",
        "shares", "referral_contacts", "lapses", "lapsed_members", "winbacks",
        "points_earned", "points_redeemed", "points_expired", "points_forfeited", "tier_ups", "paid_members_new",
        "active_members", "trust_sum", "fatigue_sum_members", "records", "cpm", "impressions",
        "ad_aware", "organic_aware", "kol_aware", "partner_aware", "paid_members", "member_gross",
    ),
    "events": (
        "none", "aware", "forgot", "bought_public", "bought_private", "invited", "declined", "joined",
        "message", "cold_message", "opted_out", "shared", "referred_friend", "lapsed", "won_back",
        "points_redeemed", "tier_up", "birthday_perk", "left_after_breach",
    ),
}

#: Bytes of a consumer's record with one brand at most: one cache line, so a visit loads one line.
RECORD_LIMIT = 64

_assembled = False


class LayoutError(RuntimeError):
    """The components' declarations contradict each other (a bug in a declaration, never a user error)."""


def _ordered(kind: str, declared: dict[str, str], first: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(constant, name) pairs: the published order, then new names in declaration order."""
    by_name = {name: const for const, name in declared.items()}
    missing = [n for n in PUBLISHED_ORDER[kind] if n not in by_name]
    if missing:
        raise LayoutError(f"{kind}: published columns {missing} are declared by no component")
    published = list(PUBLISHED_ORDER[kind])
    new = [n for n in by_name if n not in PUBLISHED_ORDER[kind]]
    if first:  # revenue items (``first``) stay ahead of cost items
        names = ([n for n in published if by_name[n] in first] + [n for n in new if by_name[n] in first]
                 + [n for n in published if by_name[n] not in first] + [n for n in new if by_name[n] not in first])
    else:
        names = published + new
    return [(by_name[n], n) for n in names]


def _merge(kind: str, tables: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One table from every component's declarations; the same constant may be declared twice only alike."""
    out: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for comp, table in tables:
        for const, value in table.items():
            if const in out and out[const] != value:
                raise LayoutError(f"{kind} {const}: {owner[const]} declares {out[const]!r}, {comp} declares {value!r}")
            out.setdefault(const, value)
            owner.setdefault(const, comp)
    return out


#: The record field that holds every yes/no state (``component.FLAG``), one bit each, and how many it holds.
FLAGS = "flag_bits"
FLAG_BITS = 8


def flag_masks(states: list[Any]) -> dict[str, int]:
    """Name -> bit mask in the record's ``flag_bits`` byte of every yes/no state, in declaration order."""
    from sim.model.component import FLAG

    return {s.name: 1 << j for j, s in enumerate(s for s in states if s.dtype is FLAG)}


def record_dtype(states: list[Any]) -> Any:
    """The record of a consumer's state with one brand: a field per declared ``State``, largest first.

    Ordering fields by size (float32 and int32, then uint8) leaves no padding and keeps every 4-byte
    field 4-byte aligned inside the record; declaration order is kept within a size. The yes/no states
    (``component.FLAG``) share the last field, ``flag_bits``, one bit each (:func:`flag_masks`).

    Raises:
        LayoutError: The record would exceed :data:`RECORD_LIMIT` bytes (one cache line).
    """
    import numpy as np

    from sim.model.component import FLAG

    fields = [s for s in states if s.dtype is not FLAG]
    ordered = sorted(fields, key=lambda s: -np.dtype(s.dtype).itemsize)  # stable: declaration order within a size
    flags = [s for s in states if s.dtype is FLAG]
    if len(flags) > FLAG_BITS:
        raise LayoutError(f"{len(flags)} yes/no states {[s.name for s in flags]}: the flags byte holds {FLAG_BITS}")
    dtype = np.dtype([(s.name, s.dtype) for s in ordered] + ([(FLAGS, np.uint8)] if flags else []))
    if dtype.itemsize > RECORD_LIMIT:
        raise LayoutError(f"the per-brand state record is {dtype.itemsize} bytes, more than one cache line "
                          f"({RECORD_LIMIT} bytes): {[s.name for s in ordered]}")
    return dtype


def run_state_table(decl: Any, market: dict[str, Any]) -> dict[str, Any]:
    """Name -> ``RunState`` from every component's ``RUN_STATE``; one name may be declared twice only alike.

    Args:
        decl: The declaring components (modules, or any object with ``NAME`` and ``RUN_STATE``).
        market: The declared market parameters (a run state may start from one of them).

    Raises:
        LayoutError: Two components declare one name differently, a name is no identifier, or a run
            state starts from a parameter nobody declares.
    """
    table = _merge("run state", [(c.NAME, getattr(c, "RUN_STATE", {})) for c in decl])
    for name, rs in table.items():
        if not name.isidentifier() or name.startswith("_"):
            raise LayoutError(f"run state {name!r}: the name must be a Python identifier not starting with '_'")
        if rs.param is not None and rs.param not in market:
            raise LayoutError(f"run state {name!r} starts from {rs.param!r}, which is no declared market parameter")
    return table


def _assemble() -> None:
    """Build every assembled table and constant from the components' declarations (once)."""
    global _assembled
    if _assembled:
        return

    from sim.model import components
    from sim.model.component import check_slot_plans

    g: dict[str, Any] = {}
    decl = components.DECLARING
    params = _merge("parameter", [(c.NAME, getattr(c, "PARAMS", {})) for c in decl])
    market = {k: p for k, p in params.items() if p.scope == "market"}
    brand = {k: p for k, p in params.items() if p.scope == "brand"}
    for prefix, table in (("MP_", market), ("BP_", brand)):
        bad = [k for k in table if not k.startswith(prefix)]
        if bad:
            raise LayoutError(f"parameters {bad} of scope {prefix[:2]} must be named {prefix}*")
    g["MARKET_PARAMS"], g["BRAND_PARAMS"] = market, brand
    g["MP_NAMES"] = tuple(k[3:].lower() for k in market)
    g["BP_NAMES"] = tuple(k[3:].lower() for k in brand)
    g["MP"] = {name: i for i, name in enumerate(g["MP_NAMES"])}
    g["BP"] = {name: i for i, name in enumerate(g["BP_NAMES"])}
    g["N_MP"], g["N_BP"] = len(market), len(brand)
    g.update({k: i for i, k in enumerate(market)})
    g.update({k: i for i, k in enumerate(brand)})

    tables = _merge("table", [(c.NAME, getattr(c, "TABLES", {})) for c in decl])
    g["TABLES"] = tables
    for name, table in tables.items():  # column constants: LINE_BASKET -> its column of prm.lines
        for j, const in enumerate(table.columns):
            if const in g:
                raise LayoutError(f"table {name}: column {const} is declared twice")
            g[const] = j

    state = _merge("state", [(c.NAME, getattr(c, "STATE", {})) for c in decl])
    per_brand = [s for s in state.values() if s.per_brand]
    from sim.model.component import FLAG

    shared = [s.name for s in state.values() if s.dtype is FLAG and not s.per_brand]
    if shared:
        raise LayoutError(f"yes/no states {shared} must be per brand (a bit of the per-brand record)")
    g["PAIR_DTYPE"] = record_dtype(per_brand)
    g.update({const: s.name for const, s in state.items()})  # constant -> field (or array) name
    bits = flag_masks(per_brand)
    g["FLAG_BIT"] = bits  # column name -> its bit
    g.update({f"BIT_{const}": bits[s.name] for const, s in state.items() if s.name in bits})  # BIT_CONSENT ...
    g["STATE"] = state

    g["RUN_STATE"] = run_state_table(decl, market)

    money = _merge("ledger item", [(c.NAME, getattr(c, "LEDGER", {})) for c in decl])
    revenue = {k for c in decl for k in getattr(c, "REVENUE", ())}
    money_order = _ordered("money", money, first=tuple(revenue))
    g["MONEY"] = tuple(n for _, n in money_order)
    g.update({k: i for i, (k, _) in enumerate(money_order)})
    g["N_MONEY"] = len(money_order)
    g["REVENUE_ITEMS"] = tuple(i for i, (k, _) in enumerate(money_order) if k in revenue)
    g["COST_ITEMS"] = tuple(i for i, (k, _) in enumerate(money_order) if k not in revenue)

    tally_order = _ordered("tally", _merge("tally", [(c.NAME, getattr(c, "TALLIES", {})) for c in decl]))
    g["TALLY"] = tuple(n for _, n in tally_order)
    g.update({k: i for i, (k, _) in enumerate(tally_order)})
    g["N_TALLY"] = len(tally_order)
    g["T"] = {name: i for i, name in enumerate(g["TALLY"])}
    declared_sources = _merge("join source", [(c.NAME, getattr(c, "JOIN_SOURCES", {})) for c in decl])
    g.update({k: len(CORE_SOURCES) + j for j, k in enumerate(declared_sources)})
    g["SOURCES"] = (*CORE_SOURCES, *declared_sources.values())
    g["JOIN_TALLY_OF_SOURCE"] = (-1, *(g["T"][f"joins_{s}"] for s in g["SOURCES"][1:]))

    event_order = _ordered("events", _merge("event", [(c.NAME, getattr(c, "EVENTS", {})) for c in decl]))
    g["EVENTS"] = tuple(n for _, n in event_order)
    g.update({k: i for i, (k, _) in enumerate(event_order)})

    plans = [(c.NAME, plan) for c in decl for plan in getattr(c, "SLOTS", ())]
    check_slot_plans(plans)
    g["SLOT_PLANS"] = tuple(plans)

    clash = sorted(set(g) & set(globals()))
    if clash:
        raise LayoutError(f"declared names {clash} clash with core names of sim.model.layout")
    globals().update(g)
    _assembled = True


def __getattr__(name: str) -> Any:
    if name.startswith("__") or _assembled:
        raise AttributeError(name)
    _assemble()
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module 'sim.model.layout' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    _assemble()
    return sorted(globals())
