"""Regression baseline: a small fixed run must give exactly the numbers stored in ``tests/baselines``.

Optimising the engine is allowed only if it changes nothing: for the same scenario and seed every
output stays bit-for-bit identical. Each case runs a preset at 3,000 consumers for 200 days and
compares, per brand, the sums of every numeric column of the daily table (floats to 1e-9 relative,
which only absorbs pandas' summation order), the stage census after every day, the flow totals and
the journey log exactly, and finally SHA-256 digests of the raw ledger, tally and final population
arrays (bit-for-bit).

Each baseline file stores the fully resolved scenario it was made from, so editing a preset in
``scenarios/`` does not move the baseline: only a change of the engine (or of the schema's
meaning) does. The baselines change only when the lead changes the model's semantics. Regenerate them with::

    .venv/bin/python tests/test_regression_baseline.py --regenerate

and say so in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.api import resolve
from sim.model.market import MarketModel
from sim.results.result import RunResult

BASELINES = Path(__file__).parent / "baselines"
SIZE = ["run.population=3000", "run.days=200", "run.journeys=40"]
#: name -> (preset, extra overrides). The last case switches on what no preset uses (paid
#: membership, cold outreach under opt-in, enforcement, breaches, a scale-free network), so
#: every kernel branch is covered.
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
        "market.regime.breach.rate_per_million_records_year=10000",
    ]),
}
REL = 1e-9


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


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
    flows = result.flows.groupby(["brand", "from", "to"])["people"].sum()
    p = model.pop
    return {
        "case": name,
        "scenario": scenario_doc,
        "sums": sums,
        "census": model.census.reshape(model.census.shape[0], -1).tolist(),
        "flows": {"|".join(k): float(v) for k, v in flows.items()},
        "journeys": result.journeys[["day", "consumer", "event", "value"]].astype(str)
        .agg(" ".join, axis=1).tolist(),
        "digest_ledger": _digest(model.money, model.tally, model.flows),
        "digest_population": _digest(p.stage, p.fs, p.ist, p.u8, p.fatigue),
    }


def _path(name: str) -> Path:
    return BASELINES / f"{name}.json"


@pytest.mark.parametrize("name", list(CASES))
def test_matches_baseline(name: str) -> None:
    """The run reproduces the stored baseline exactly."""
    want = json.loads(_path(name).read_text())
    got = snapshot(name, want["scenario"])
    bad = []
    for brand, cols in want["sums"].items():
        for col, v in cols.items():
            g = got["sums"][brand][col]
            same = (math.isnan(v) and math.isnan(g)) or math.isclose(g, v, rel_tol=REL, abs_tol=1e-9)
            if not same:
                bad.append(f"{brand}/{col}: got {g!r}, baseline {v!r}")
    assert not bad, "daily sums differ from the baseline:\n" + "\n".join(bad[:40])
    assert got["census"] == want["census"], "stage census differs from the baseline"
    assert got["flows"] == want["flows"], "flow totals differ from the baseline"
    assert got["journeys"] == want["journeys"], "journey log differs from the baseline"
    assert got["digest_ledger"] == want["digest_ledger"], "ledger/tally/flow arrays are not bit-for-bit identical"
    assert got["digest_population"] == want["digest_population"], \
        "final population arrays are not bit-for-bit identical"


def regenerate() -> None:
    """Rewrite every baseline file (only after a deliberate change of the model's semantics)."""
    BASELINES.mkdir(exist_ok=True)
    for name in CASES:
        path = _path(name)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(snapshot(name, resolved_case(name)), indent=1, sort_keys=True) + "\n")
        tmp.replace(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    if "--regenerate" not in sys.argv:
        sys.exit("usage: python tests/test_regression_baseline.py --regenerate   (rewrites tests/baselines/*.json)")
    regenerate()
