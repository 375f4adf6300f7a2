"""Regression baseline: a small fixed run must give exactly the numbers stored in ``tests/baselines``.

Optimising or reshaping the engine is allowed only if it changes nothing: for the same scenario and
seed every output stays bit-for-bit identical. Each case runs a preset at 3,000 consumers for 200
days and stores, **per named column**, a SHA-256 digest of the column's raw bytes (dtype, shape and
values) and its per-brand sums:

- ``ledger/<item>`` and ``tally/<name>``: every ledger item and tally, every day and brand;
- ``census/<stage>`` and ``flows/<from>-><to>``: the stage census after every day and every flow;
- ``cohort_referrals``: successful referrals by the referrer's joining day;
- ``journeys/<field>``: each field of the journey log (events by name, not by code);
- ``final/<column>``: each per-consumer column of the final population (stage, trust, points,
  consent, ...), by its name;
- ``daily/<brand>/<column>``: the per-brand sums of the results layer's daily table (floats to 1e-9
  relative, which only absorbs pandas' summation order).

A column the engine produces but the baseline does not hold (a new tally, say) is reported as "not
in baseline" and leaves every old column checked; a column the baseline holds but the engine no
longer produces is a failure.

Each baseline file stores the fully resolved scenario it was made from, so editing a preset in
``scenarios/`` does not move the baseline: only a change of the engine (or of the schema's
meaning) does. The baselines change only when the lead changes the model's semantics. Add the
columns a new mechanism writes (old columns untouched) with::

    .venv/bin/python tests/test_regression_baseline.py --add-new-columns

or regenerate everything (after a deliberate change of the model's semantics) with
``--regenerate``, and say so in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.api import resolve
from sim.model import layout as L
from sim.model.component import DAY
from sim.model.market import MarketModel
from sim.results.result import RunResult

BASELINES = Path(__file__).parent / "baselines"
FORMAT = 2  # 2: per named column (1 was three digests of raw arrays)
SIZE = ["run.population=3000", "run.days=200", "run.journeys=40"]
#: Six product lines (the schema's most), each with its own basket and repurchase multipliers.
_LINES = ("[{name: main}, {name: masks, basket_multiplier: 0.5, repurchase_multiplier: 2},"
          " {name: serum, basket_multiplier: 2, repurchase_multiplier: 1},"
          " {name: tools, basket_multiplier: 3.5, repurchase_multiplier: 0.3},"
          " {name: gift, basket_multiplier: 1.7, repurchase_multiplier: 0},"
          " {name: refill, basket_multiplier: 0.25, repurchase_multiplier: 6}]")
#: name -> (preset, extra overrides). ``hybrid_in_japan_paid`` switches on what no preset uses (paid
#: membership, cold outreach under opt-in, enforcement, breaches, a scale-free network); the two levers'
#: cases run the stored-value, benefits and cross-sell passes over several brands and lines; the 40k cases
#: cross the daily passes' spans; the cross-border case is the only one with an own site.
CASES: dict[str, tuple[str, list[str]]] = {
    "china_in_china": ("china_in_china", []),
    "head_to_head_japan": ("head_to_head_japan", []),
    "hybrid_in_japan_paid": ("hybrid_in_japan", [
        "brands.0.strategy.membership.paid.fee_per_year=3000",
        "brands.0.strategy.membership.paid.uptake=0.3",
        "brands.0.strategy.compliance.cold_outreach_per_week=1",
        "brands.0.strategy.compliance.respect_opt_in=false",
        "market.network.kind=scale_free",
        "market.regime.enforcement_per_violation_complaint=0.05",
        "market.regime.breach.rate_per_year=0.9", "market.regime.breach.reference_records=1000",
    ]),
    # the levers' passes (stored-value top-ups, member benefits, cross-sell over every line slot), one brand
    # and two: recorded before the member list and the packed line table replaced the scans and if-chains
    "china_card_lines": ("china_in_china", [
        "brands.0.strategy.member_benefits.cost_per_member_year=50",
        f"brands.0.strategy.cross_sell.lines={_LINES}", "brands.0.strategy.cross_sell.trial_rate=0.3",
    ]),
    "japan_two_brands_levers": ("head_to_head_japan", [
        "brands.0.strategy.member_benefits.cost_per_member_year=80",
        "brands.0.strategy.cross_sell.lines=[{name: main}, {name: gift, basket_multiplier: 2}]",
        "brands.1.strategy.stored_value.topup_rate=3",
        f"brands.1.strategy.cross_sell.lines={_LINES}", "brands.1.strategy.cross_sell.trial_rate=0.2",
    ]),
    # more consumers than two spans of the daily passes (sim.model.population.SPAN, 16,384): recorded on
    # c42246a, before those passes found their consumers a span at a time instead of in one list
    "china_40k_spans": ("china_in_china", ["run.population=40000"]),
    "japan_two_brands_40k_spans": ("head_to_head_japan", ["run.population=40000"]),
    # the own independent site (its traffic, diversion cards, a marketplace penalty and the delisting that
    # follows), which no other case runs, over three spans: recorded on 22d789d
    "cross_border_40k_spans": ("cross_border_seller", ["run.population=40000"]),
}
REL = 1e-9


def _digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    h = hashlib.sha256()
    h.update(str(a.dtype).encode() + str(a.shape).encode())
    h.update(a.tobytes())
    return h.hexdigest()


def _column(a: np.ndarray, brand_axis: int | None) -> dict:
    """Digest and per-brand sums of one named column."""
    a = np.asarray(a)
    if brand_axis is None:
        sums = [float(a.astype(np.float64).sum())] if a.dtype.kind in "fiub" else []
    else:
        moved = np.moveaxis(a, brand_axis, 0).astype(np.float64)
        sums = [float(x.sum()) for x in moved]
    return {"digest": _digest(a), "sums": sums}


def columns(model: MarketModel, result: RunResult) -> dict[str, dict]:
    """Every output of a run as named columns: ledger, tallies, census, flows, journeys, final state."""
    out: dict[str, dict] = {}
    for j, name in enumerate(L.MONEY):
        out[f"ledger/{name}"] = _column(model.money[:, :, j], 1)
    for j, name in enumerate(L.TALLY):
        out[f"tally/{name}"] = _column(model.tally[:, :, j], 1)
    for s, name in enumerate(L.STAGES):
        out[f"census/{name}"] = _column(model.census[:, :, s], 1)
    for a, frm in enumerate(L.STAGES):
        for b, to in enumerate(L.STAGES):
            out[f"flows/{frm}->{to}"] = _column(model.flows[:, :, a, b], 1)
    out["cohort_referrals"] = _column(model.cohort_referrals, 1)
    j = result.journeys
    for field in ("day", "consumer", "brand", "event", "value"):
        values = j[field].to_numpy()
        if values.dtype == object:
            values = np.array([str(v) for v in values], dtype=np.str_)
        out[f"journeys/{field}"] = _column(values, None)
    for name, a in final_columns(model).items():
        out[f"final/{name}"] = _column(a, 1 if a.ndim == 2 else None)
    return out


#: How the baselines write a stored day that is "never": the engine's marker when they were recorded.
BASELINE_NEVER = -1_000_000


def final_columns(model: MarketModel) -> dict[str, np.ndarray]:
    """Every per-consumer column of the final population, by its declared name.

    A day column (joined, cool-off, last purchase, last contact) is compared as int32 with "never" as
    :data:`BASELINE_NEVER`, whatever width and marker the engine stores it with (16 bits and
    ``layout.NEVER`` since 2026-11-26): how a day is stored is not a number the model computes.
    """
    cols = model.pop.columns()
    for st in L.STATE.values():
        if np.dtype(st.dtype) == np.dtype(DAY):
            days = cols[st.name].astype(np.int32)
            cols[st.name] = np.where(days == L.NEVER, np.int32(BASELINE_NEVER), days)
    return cols


def resolved_case(name: str) -> dict:
    """The resolved scenario document of case ``name``, built from today's presets."""
    preset, extra = CASES[name]
    return resolve(preset, SIZE + extra).model_dump(mode="json")


def snapshot(name: str, scenario_doc: dict) -> dict:
    """Run the scenario ``scenario_doc`` and reduce its outputs to a JSON-able dictionary."""
    model = MarketModel(resolve(scenario_doc))
    model.run_days()
    result = RunResult.from_model(model)
    daily = result.daily
    sums = {}
    for brand in result.brands:
        d = daily[daily["brand"] == brand].drop(columns=["brand"])
        sums[brand] = {c: float(v) for c, v in d.sum(numeric_only=True).items()}
    return {"case": name, "format": FORMAT, "scenario": scenario_doc, "daily": sums,
            "columns": columns(model, result)}


def compare(want: dict, got: dict) -> tuple[list[str], list[str]]:
    """Differences (failures) and columns not in the baseline (reported only) between two snapshots."""
    bad: list[str] = []
    for brand, cols in want["daily"].items():
        for col, v in cols.items():
            g = got["daily"].get(brand, {}).get(col)
            if g is None:
                bad.append(f"daily/{brand}/{col}: no longer produced")
                continue
            same = (math.isnan(v) and math.isnan(g)) or math.isclose(g, v, rel_tol=REL, abs_tol=1e-9)
            if not same:
                bad.append(f"daily/{brand}/{col}: got {g!r}, baseline {v!r}")
    for name, w in want["columns"].items():
        g = got["columns"].get(name)
        if g is None:
            bad.append(f"{name}: no longer produced")
        elif g["digest"] != w["digest"]:
            bad.append(f"{name}: not bit-for-bit identical (sums per brand got {g['sums']}, baseline {w['sums']})")
    new = sorted(set(got["columns"]) - set(want["columns"]))
    new += sorted(f"daily/{b}/{c}" for b, cols in got["daily"].items() for c in cols
                  if c not in want["daily"].get(b, {}))
    return bad, new


def _path(name: str) -> Path:
    return BASELINES / f"{name}.json"


@pytest.mark.parametrize("name", list(CASES))
def test_matches_baseline(name: str) -> None:
    """The run reproduces every stored column exactly; new columns are reported, not failed."""
    want = json.loads(_path(name).read_text())
    assert want.get("format") == FORMAT, f"{_path(name)} is not in the per-column format {FORMAT}"
    got = snapshot(name, want["scenario"])
    bad, new = compare(want, got)
    assert not bad, f"{len(bad)} column(s) differ from the baseline:\n" + "\n".join(bad[:40])
    if new:
        warnings.warn(f"{name}: {len(new)} column(s) not in baseline: {', '.join(new[:20])}", stacklevel=1)


def test_a_new_column_leaves_old_ones_checked() -> None:
    """The comparison is per column: an extra column is only reported; a changed or missing one fails."""
    base = {"daily": {"b": {"x": 1.0}}, "columns": {"tally/a": {"digest": "1", "sums": [1.0]}}}
    grown = {"daily": {"b": {"x": 1.0, "y": 2.0}},
             "columns": {"tally/a": {"digest": "1", "sums": [1.0]}, "tally/new": {"digest": "2", "sums": [0.0]}}}
    assert compare(base, grown) == ([], ["tally/new", "daily/b/y"])
    changed = {"daily": {"b": {"x": 1.0}}, "columns": {"tally/a": {"digest": "9", "sums": [2.0]}}}
    bad, _ = compare(base, changed)
    assert len(bad) == 1 and bad[0].startswith("tally/a")
    bad, _ = compare(base, {"daily": {"b": {}}, "columns": {}})
    assert len(bad) == 2


def _write(path: Path, doc: dict) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)
    print(f"wrote {path}")


def regenerate() -> None:
    """Rewrite every baseline file (only after a deliberate change of the model's semantics)."""
    BASELINES.mkdir(exist_ok=True)
    for name in CASES:
        _write(_path(name), snapshot(name, resolved_case(name)))


def add_new_columns() -> None:
    """Add the columns the engine produces but the baselines lack; refuse if any old column moved."""
    for name in CASES:
        want = json.loads(_path(name).read_text())
        got = snapshot(name, want["scenario"])
        bad, new = compare(want, got)
        if bad:
            sys.exit(f"{name}: old columns changed, refusing to add new ones:\n" + "\n".join(bad[:40]))
        for col in new:
            if col.startswith("daily/"):
                _, brand, c = col.split("/", 2)
                want["daily"][brand][c] = got["daily"][brand][c]
            else:
                want["columns"][col] = got["columns"][col]
        _write(_path(name), want)


if __name__ == "__main__":
    if "--regenerate" in sys.argv:
        regenerate()
    elif "--add-new-columns" in sys.argv:
        add_new_columns()
    else:
        sys.exit("usage: python tests/test_regression_baseline.py --regenerate | --add-new-columns")
