"""Reading run folders written by earlier versions of the tool (same folder format, older tables and scenario).

A run folder keeps the format version of its layout (``manifest.json``: ``format``), but the model grows
inside one format: new ledger items and tallies become new columns of ``daily.parquet``, and scenario
fields are renamed. A folder written before such a change is read as follows:

- **Columns.** A column in :data:`NEW_COLUMNS` (added after the first format-1 release) that the folder
  lacks is filled with :data:`NEUTRAL` (0: the mechanism it counts did not exist, so it moved no person
  and no money). Any other missing column is still refused (it is damage, not age).
- **Scenario fields.** A field listed in :data:`RENAMED` is mapped to its replacement when the mapping is
  exact (the same quantity under a new name, or a closed-form re-expression of it), with a note; a
  replaced field that cannot be mapped exactly is refused naming the field, the value and what to do.
  A renamed regime kind (``implied_consent_with_easy_exit``, now ``consent_at_join``) is mapped the same way.

What was filled or mapped is recorded in the result's ``meta["upgraded_from"]`` (the writer's version and
date, the filled columns, the mapped fields, the notes), which the CLI prints as ``note:`` lines and the
dashboard can read. The folder on disk is never changed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.errors import SimInputError

#: The value a missing new column is filled with: flows, counts and money that did not exist were zero.
NEUTRAL = 0.0

#: Columns of ``daily.parquet`` added after the first format-1 release (17209d6, 2026-11-25), by the change
#: that added them. Every other daily column was written from the start (tests/test_results_upgrade.py
#: checks that each column the layout has today is either here or in the first release's list).
NEW_COLUMNS: dict[str, tuple[str, ...]] = {
    "issue 17: law and data risk (breach response costs, the enforcement ladder, channel bans)": (
        "breach_costs", "warnings", "orders", "penalties", "channel_ban_exits",
    ),
    "issue 17: messaging fidelity (read messages, the binding weekly cap)": ("read", "sends_capped"),
    "issue 13: stores and events": (
        "revenue_store", "store_costs", "event_costs", "store_visits", "purchases_store", "event_visits",
        "joins_store", "joins_event",
    ),
    "issue 13: livestream commerce": ("live_host_fees", "live_discounts", "live_viewers", "purchases_live",
                                      "joins_live"),
    "issue 13: the own independent site": (
        "own_site_costs", "own_site_ads", "own_site_visits", "purchases_own_site", "diversion_cards",
        "platform_penalties", "delisted_days", "joins_own_site",
    ),
    "issue 13: group buying": ("group_discounts", "groups_opened", "groups_filled", "groups_failed",
                               "purchases_group", "joins_group"),
    "issue 13: stored-value cards and member benefits": (
        "stored_value_breakage", "stored_value_bonus", "member_benefits", "stored_value_topups", "stored_value_cash",
        "stored_value_spent", "purchases_stored_value", "stored_value_liability", "stored_value_credited",
        "stored_value_broken",
    ),
    "issue 13: cross-sell across product lines": (
        "line_trials", "purchases_other_lines", "sales_line_1", "sales_line_2", "sales_line_3", "sales_line_4",
        "sales_line_5",
    ),
}
ALL_NEW_COLUMNS: frozenset[str] = frozenset(c for cols in NEW_COLUMNS.values() for c in cols)


@dataclass(frozen=True)
class Rename:
    """A scenario field that an earlier version wrote and this one replaced.

    Attributes:
        block: Dotted path of the object holding the field (``*`` matches any list index).
        old: The old field name.
        new: What replaced it (for messages).
        exact: Whether :attr:`convert` reproduces the old meaning exactly.
        convert: ``convert(block_dict, value) -> {new fields}`` for an exact mapping.
        why: For an inexact one, why it cannot be mapped and what to do.
    """

    block: str
    old: str
    new: str
    exact: bool
    convert: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None
    why: str = ""


def _breach_rate(block: dict[str, Any], rate: Any) -> dict[str, Any]:
    """The old breach rate in today's terms, giving the same daily hazard and the same cost per breach.

    ``rate_per_million_records_year`` r was a hazard per million records, linear in records, all of it
    preventable by security, with one cost per breach booked as ``fine``. Today's form
    ``-ln(1 - p) / 365 * (records / reference)^exponent * (u + (1 - u) * 0.5^(security / halving))`` gives
    the same hazard with p = 1 - exp(-r), reference 1,000,000, exponent 1 and u = 0; the response and
    per-record costs are 0 because the old ``fine`` held them. (The daily chance drawn from the hazard h is
    now 1 - exp(-h) where the earlier model used h itself: the two differ by less than h^2 / 2, about
    1e-12 a day at the presets' rates; the saved tables hold what the earlier model drew.)
    """
    r = float(rate)
    return {"rate_per_year": -math.expm1(-r), "reference_records": 1_000_000.0, "records_exponent": 1.0,
            "unpreventable_share": 0.0, "response_cost": 0.0, "cost_per_record": 0.0}


#: Scenario fields renamed or replaced since the first format-1 release.
RENAMED: tuple[Rename, ...] = (
    Rename("market.regime.breach", "rate_per_million_records_year",
           "rate_per_year, reference_records, records_exponent", True, _breach_rate),
)

# numbers a breach rate can be: the old schema's bound (>= 0) and a yearly rate no leak model exceeds
_MAX_RATE = 1e6


def _blocks(doc: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """The objects at a dotted ``path`` of ``doc`` (``*`` for every list item), with their concrete paths."""
    found: list[tuple[str, Any]] = [("", doc)]
    for part in path.split("."):
        nxt: list[tuple[str, Any]] = []
        for where, node in found:
            if part == "*" and isinstance(node, list):
                nxt += [(f"{where}.{i}".lstrip("."), item) for i, item in enumerate(node)]
            elif isinstance(node, dict) and part in node:
                nxt.append((f"{where}.{part}".lstrip("."), node[part]))
        found = nxt
    return [(w, n) for w, n in found if isinstance(n, dict)]


def upgrade_scenario(doc: Any, source: str) -> tuple[Any, dict[str, Any]]:
    """Map the renamed fields of a saved scenario document to today's names.

    Args:
        doc: The parsed YAML document (changed in place and returned).
        source: Where it was read (for messages).

    Returns:
        The document and ``{old dotted path: {"value": old value, "now": {new fields}}}`` of what was mapped.

    Raises:
        SimInputError: A replaced field with no exact mapping, or an old value that is not a number in range,
            naming the field, the value and what to do.
    """
    mapped: dict[str, Any] = {}
    from sim.scenario.schema import DEPRECATED_REGIME_KINDS

    for where, block in _blocks(doc, "market.regime"):  # a renamed value: the regime kinds
        kind = block.get("kind")
        if isinstance(kind, str) and kind in DEPRECATED_REGIME_KINDS:
            block["kind"] = DEPRECATED_REGIME_KINDS[kind]
            mapped[f"{where}.kind"] = {"value": kind, "now": {"kind": block["kind"]}}
    for rule in RENAMED:
        for where, block in _blocks(doc, rule.block):
            if rule.old not in block:
                continue
            field = f"{where}.{rule.old}"
            value = block[rule.old]
            if not rule.exact or rule.convert is None:
                raise SimInputError.single(source, field, f"was replaced by {rule.new} and cannot be mapped exactly: "
                                           f"{rule.why}", value)
            ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= _MAX_RATE
            if not ok or (isinstance(value, float) and not math.isfinite(value)):
                raise SimInputError.single(source, field, f"must be a number from 0 to {_MAX_RATE:g} to be read as "
                                           f"{rule.new}; correct it in the folder's scenario.yaml or re-run the "
                                           "scenario with this version", value)
            now = rule.convert(block, value)
            clash = sorted(k for k in now if k in block)
            if clash:
                raise SimInputError.single(source, field, f"is the old name of {rule.new}, but the scenario also has "
                                           f"{', '.join(clash)}; keep one of them", value)
            del block[rule.old]
            block.update(now)
            mapped[field] = {"value": value, "now": now}
    return doc, mapped


def fill_new_columns(frame: Any, required: tuple[str, ...]) -> list[str]:
    """Add the new columns ``frame`` lacks (of ``required`` and :data:`ALL_NEW_COLUMNS`) with :data:`NEUTRAL`.

    Returns:
        The columns filled, in ``required`` order then layout order.
    """
    from sim.model import layout as L

    wanted = list(dict.fromkeys([*required, *L.MONEY, *L.TALLY]))
    filled = [c for c in wanted if c in ALL_NEW_COLUMNS and c not in frame.columns]
    for c in filled:
        frame[c] = NEUTRAL
    return filled


def notes(upgraded: dict[str, Any]) -> list[str]:
    """One sentence per thing an upgrade changed, for ``note:`` lines and the dashboard."""
    out = []
    who = f"ptsim {upgraded.get('version', 'unknown')}"
    if upgraded.get("created"):
        who += f" on {upgraded['created']}"
    cols = upgraded.get("filled_columns") or []
    if cols:
        shown = ", ".join(cols[:8]) + (f" and {len(cols) - 8} more" if len(cols) > 8 else "")
        out.append(f"this run folder was written by an earlier version ({who}); columns it lacks were filled "
                   f"with {NEUTRAL:g} (the mechanisms they count did not exist then): {shown}")
    for old, m in (upgraded.get("renamed_fields") or {}).items():
        now = ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in m["now"].items())
        out.append(f"{old} ({m['value']}) of an earlier version is read as {now} (the same breach hazard and "
                   "cost per breach)" if "breach" in old else f"{old} ({m['value']}) is read as {now}")
    return out
