"""docs/scenarios.md: every scenario field with its unit, default, range, meaning and source."""

from __future__ import annotations

import inspect

from pydantic import BaseModel

from sim.docs.fields import FieldDoc, leaf_fields, walk
from sim.docs.markdown import DIST_TYPES, GENERATED_NOTE, REGENERATE, rst_to_md, table
from sim.scenario import schema as S

SECTION_TITLES = {
    "": "Scenario (top level)",
}

SCENARIOS_INTRO = """\
# Scenario reference

{note}

A **scenario** is one YAML file (or a Python dict) with four top-level keys: `name`/`description`,
`run` (horizon, population, seed), `market` (the consumers, public platforms, social network,
partner pools, private-pool tools, consent law and consumer behaviour of one country) and `brands`
(one or more brands, each running a `strategy`: the levers of the six-step method). Every field is
listed below with its unit, default, allowed range, meaning and source. A source reads
"assumption" when no public number backs the default; preset files give sources for their own
values in end-of-line comments (collected in the parameter tables of [MODEL.md](MODEL.md)).

How to write one:

- Start from presets with `extends` at any level: `market: {{extends: markets/japan}}`,
  `strategy: {{extends: strategies/hybrid}}`; keys written next to `extends` override the preset.
- Change single values from the command line or Python with dotted overrides:
  `ptsim run hybrid_in_japan --set brands.0.strategy.messaging.per_week=3`,
  `sim.resolve("hybrid_in_japan", ["run.population=20000"])`.
- Unknown keys are errors ("did you mean ...?"); `ptsim validate my.yaml` lists every problem with
  its field path. `ptsim schema -o scenario.schema.json` writes a JSON Schema for editors.
- Money is in the market's `currency`. A strategy may declare its own `currency`; every field whose
  unit starts with "currency" (and points) is then converted at the exchange rate to the market's.
- Units: "fraction" and "probability" are numbers in [0, 1]; "0-1" is a score in [0, 1];
  "multiplier" multiplies a rate; "-" is dimensionless; "agents" are simulated consumers, "people"
  real consumers (agents × `market.represents`).

Paths: `a.b` is a nested key, `a[]` an item of a list (`brands.0...` in overrides), `a.<name>` an
entry of a map whose keys you choose (tool names).
"""

DIST_SECTION = """\
## Trait distributions

Consumer traits (`market.segments[].privacy_sensitivity`, `message_tolerance`, `purchase_rate`,
`dropout`, `basket`, `sociability`, `points_appetite`) are drawn per consumer from a distribution
chosen with the key `dist`, e.g. `{dist: beta, a: 2, b: 5}`:
"""


def _section_rows(fields: list[FieldDoc]) -> list[list[str]]:
    rows = []
    for f in fields:
        meaning = f.description
        if f.kind == "model":
            meaning = f"{meaning} (section below)"
        rows.append([f"`{f.path}`", f.unit, f.default_text(), f.range_text(), meaning, f.source])
    return rows


def render_scenarios_md() -> str:
    """The whole of docs/scenarios.md."""
    parts = [SCENARIOS_INTRO.format(note=GENERATED_NOTE.format(cmd=REGENERATE))]
    # group fields by the model (section) that owns them, in walk order
    sections: dict[str, tuple[type[BaseModel], list[FieldDoc]]] = {}
    for f, _nested in walk(S.Scenario):
        prefix = f.path[: -len(f.name)].rstrip(".")
        sections.setdefault(prefix, (f.owner, []))[1].append(f)
    header = ["Field", "Unit", "Default", "Allowed", "Meaning", "Source"]
    for prefix, (owner, fields) in sections.items():
        title = SECTION_TITLES.get(prefix, f"`{prefix}`")
        doc = rst_to_md(inspect.cleandoc(owner.__doc__ or ""))
        parts.append(f"## {title}\n\n{doc}\n\n" + table(header, _section_rows(fields)))
    parts.append(DIST_SECTION)
    for dist in DIST_TYPES:
        fields = leaf_fields(dist)
        rows = _section_rows(fields)
        title = rst_to_md(inspect.cleandoc(dist.__doc__ or ""))
        parts.append(f"### `{dist.__name__}` — {title}\n\n" + table(header, rows))
    return "\n\n".join(parts).rstrip() + "\n"
