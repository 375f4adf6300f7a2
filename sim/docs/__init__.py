"""Generate the parts of the documentation that must never drift from the code.

Two files are produced from the scenario schema (units, sources, defaults, bounds), the preset YAML
files (values, and the end-of-line comments that give the source of a specific value), the KPI
module and the array layout:

- ``docs/scenarios.md``: every scenario field with its unit, default, range, meaning and source
  (the whole file is generated);
- ``docs/MODEL.md``: hand-written ODD prose with generated sections between
  ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` markers (parameter tables
  per market and strategy preset, the daily order, the ledger, the KPI definitions).

Run ``python -m sim.docs`` (or ``python scripts/gen_docs.py``) to regenerate, ``--check`` to fail
when the files on disk are stale (what ``tests/test_docs.py`` does).

The modules, in the order a document is built:

- :mod:`sim.docs.markdown`: where the files are, their markers, numbers and tables in Markdown;
- :mod:`sim.docs.fields`: walking the schema (:class:`FieldDoc`: unit, default, range, source);
- :mod:`sim.docs.presets`: preset files read with their end-of-line comments;
- :mod:`sim.docs.scenarios_md`: the whole of ``docs/scenarios.md``;
- :mod:`sim.docs.parameters`: MODEL.md's parameter tables (markets, segments, tools, partners,
  strategies, scenario presets);
- :mod:`sim.docs.model_md`: MODEL.md's daily order, ledger and KPI sections, and the markers;
- :mod:`sim.docs.build`: regenerate or ``--check`` (the command line).
"""

from __future__ import annotations

from sim.docs.build import generate, main, stale
from sim.docs.fields import TRAIT_UNITS, FieldDoc, leaf_fields, walk
from sim.docs.markdown import (
    BEGIN,
    DIST_TYPES,
    DOCS,
    END,
    GENERATED_NOTE,
    MODEL_MD,
    REGENERATE,
    ROOT,
    SCENARIOS_MD,
    cell,
    fmt_dist,
    fmt_number,
    fmt_value,
    rst_to_md,
    table,
)
from sim.docs.model_md import GENERATORS, render_model_md, replace_generated
from sim.docs.presets import Preset, read_preset
from sim.docs.scenarios_md import render_scenarios_md

__all__ = [
    "BEGIN", "DIST_TYPES", "DOCS", "END", "GENERATED_NOTE", "GENERATORS", "MODEL_MD", "REGENERATE", "ROOT",
    "SCENARIOS_MD", "TRAIT_UNITS", "FieldDoc", "Preset", "cell", "fmt_dist", "fmt_number", "fmt_value", "generate",
    "leaf_fields", "main", "read_preset", "render_model_md", "render_scenarios_md", "replace_generated",
    "rst_to_md", "stale", "table", "walk",
]
