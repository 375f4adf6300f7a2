"""Safe scenario loader: YAML reading, ``extends`` presets, overrides and validation.

The loader turns a scenario file (or a mapping) into a validated :class:`Scenario`:

1. :func:`read_yaml` / :func:`parse_yaml` read YAML with a restricted loader derived from
   ``yaml.SafeLoader``: size cap, text-only input, no anchors, aliases, merge keys or tags,
   no duplicate keys, bounded nesting and node count, and YAML 1.2 core-schema scalars
   (``true``/``false`` are the only booleans, ``1e3`` is a float, dates stay strings).
2. ``extends`` keys at any mapping level are replaced by the referenced preset files, deep-merged
   left to right with the local keys on top. References cannot leave the scenarios folder or the
   including file's folder.
3. :func:`apply_overrides` applies ``dotted.path=value`` overrides.
4. The document is validated by pydantic in strict mode and every problem is reported at once as
   a :class:`~sim.errors.SimInputError` with a dotted field path, the value found and what was
   expected in plain words (including "did you mean" hints for misspelt keys).

Each step has its module: :mod:`~sim.scenario.yamlsafe` (1, and the matching dumper),
:mod:`~sim.scenario.extends` (2), :mod:`~sim.scenario.overrides` (3), :mod:`~sim.scenario.messages` (4);
this module ties them together (:func:`load_scenario`) and re-exports their public names. No code is ever
executed from input: there is no ``eval``, ``exec`` or ``pickle``, and only the SafeLoader derivative of
:mod:`~sim.scenario.yamlsafe` parses YAML.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.errors import SimInputError
from sim.scenario import presets
from sim.scenario.extends import (  # noqa: F401 - sim.docs
    MAX_EXTENDS_BYTES,
    MAX_EXTENDS_DEPTH,
    MAX_EXTENDS_LOADS,
    _Context,
    _resolve,
    start_budget,
)
from sim.scenario.messages import problems_from_validation_error, suggest, validate_document
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import Scenario
from sim.scenario.yamlsafe import (
    EMPTY_MESSAGE,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    ScenarioLoader,
    dump_scenario,
    input_error,
    parse_yaml,
    read_yaml,
)

__all__ = [
    "EMPTY_MESSAGE",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EXTENDS_BYTES",
    "MAX_EXTENDS_DEPTH",
    "MAX_EXTENDS_LOADS",
    "MAX_NODES",
    "ScenarioLoader",
    "apply_overrides",
    "dump_scenario",
    "load_scenario",
    "parse_yaml",
    "problems_from_validation_error",
    "read_yaml",
    "scenario_json_schema",
    "suggest",
    "validate_document",
]

# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def _read_source(source: str | Path, root: Path) -> tuple[dict[str, Any], Path]:
    """Read a scenario file, or a top-level preset when ``source`` is a bare preset id."""
    path = Path(source)
    if isinstance(source, str) and not path.exists() and re.fullmatch(r"[A-Za-z0-9_\-/]+", source):
        try:
            path = presets.preset_path(source, root=root)
        except SimInputError as exc:
            detail = "; ".join(p.message for p in exc.problems)
            raise input_error(source, "", f"file not found, and not a preset either: {detail}") from None
    return read_yaml(path), path.resolve()


def load_scenario(
    source: str | Path | Mapping[str, Any],
    overrides: Sequence[str] = (),
    *,
    root: Path | None = None,
) -> Scenario:
    """Load, resolve, override and validate a scenario.

    Args:
        source: A YAML file path, a top-level preset id such as ``china_in_china``, or a
            mapping (already-parsed document).
        overrides: ``dotted.path=value`` strings applied after ``extends`` resolution.
        root: The scenarios folder for preset references (default: ``SIM_SCENARIOS_DIR`` or the
            repository's ``scenarios/``).

    Returns:
        The validated scenario.

    Raises:
        SimInputError: For any problem in the file, its references, the overrides or the values.
    """
    root_dir = presets.scenarios_root(root)
    if isinstance(source, Mapping):
        doc, label, base_dir, chain = copy.deepcopy(dict(source)), "<scenario>", None, ()
        budget = start_budget(None)
    elif isinstance(source, str | Path):
        doc, file = _read_source(source, root_dir)
        label, base_dir, chain = str(source), file.parent, (file,)
        budget = start_budget(file)
    else:
        raise input_error("<scenario>", "", "expected a file path or a mapping", type(source).__name__)
    ctx = _Context(label, base_dir, root_dir, chain, budget)
    doc = _resolve(doc, ctx, ())
    if not overrides:
        return validate_document(doc, label)
    doc = _resolve(apply_overrides(doc, overrides), ctx, ())
    try:
        return validate_document(doc, label)
    except SimInputError as exc:
        raise _blame_overrides(exc, overrides) from None


def _blame_overrides(exc: SimInputError, overrides: Sequence[str]) -> SimInputError:
    """The same problems; when every one is at a path an override set, the source is ``--set`` (not the file)."""
    paths = {o.split("=", 1)[0].strip() for o in overrides}

    def from_set(path: str) -> bool:
        return any(path == p or path.startswith(p + ".") for p in paths)

    if all(from_set(p.path) for p in exc.problems):
        return SimInputError("--set", exc.problems)
    return exc


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a resolved scenario, for editors and documentation."""
    schema = Scenario.model_json_schema()
    body = {k: v for k, v in schema.items() if k != "title"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Scenario", **body}
