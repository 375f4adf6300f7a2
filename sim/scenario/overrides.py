"""``dotted.path=value`` overrides (``--set``) applied to a scenario document."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sim.errors import Problem, SimInputError, short_repr
from sim.scenario.yamlsafe import parse_value

# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------



_INDEX = re.compile(r"[0-9]+\Z")


def dotted_path(path: Sequence[str | int]) -> str:
    """``brands.0.name`` from its parts."""
    return ".".join(str(p) for p in path)

class _OverrideError(Exception):
    """A single override that cannot be applied."""


def _split_override(override: Any) -> tuple[list[str], str]:
    if not isinstance(override, str):
        raise _OverrideError(f"must be text like run.seed=7, got {short_repr(override)}")
    if "=" not in override:
        raise _OverrideError("must look like PATH=VALUE, e.g. run.seed=7 (no '=' found)")
    path, value = override.split("=", 1)
    path = path.strip()
    if not path:
        raise _OverrideError("the path before '=' is empty; write e.g. run.seed=7")
    parts = path.split(".")
    if any(not p.strip() for p in parts):
        raise _OverrideError(f"the path {path!r} has an empty part; write e.g. brands.0.name=x")
    return [p.strip() for p in parts], value


def _new_container(next_part: str) -> list[Any] | dict[str, Any]:
    return [] if _INDEX.match(next_part) else {}


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _beyond_end(idx: int, here: str, size: int) -> str:
    if size == 0:
        return f"item {idx} is beyond the end of {here}, which has no items; use {here}.0 to add the first"
    change = "0 to change it" if size == 1 else f"0 to {size - 1} to change an item"
    if idx >= 10**18:
        return (f"that item number is far beyond the end of {here}, which has {size} item(s); use {change}, "
                f"or {size} to add one")
    return f"item {idx} is beyond the end of {here}, which has {size} item(s); use {change}, or {size} to add one"


def _set_path(doc: dict[str, Any], parts: list[str], value: Any) -> None:
    """Set ``value`` at ``parts``, creating missing mappings and list items as needed."""
    cur: Any = doc
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = dotted_path(parts[:i]) or "the top level"
        if isinstance(cur, dict):
            if last:
                cur[part] = value
                return
            if cur.get(part) is None:
                cur[part] = _new_container(parts[i + 1])
            cur = cur[part]
        elif isinstance(cur, list):
            if not _INDEX.match(part):
                raise _OverrideError(f"{here} is a list, so {part!r} must be an item number (0, 1, ...)")
            idx = int(part) if len(part) <= 18 else 10**18  # never convert thousands of digits
            if idx > len(cur):
                raise _OverrideError(_beyond_end(idx, here, len(cur)))
            if last:
                cur[idx : idx + 1] = [value]
                return
            if idx == len(cur):
                cur.append(_new_container(parts[i + 1]))
            elif cur[idx] is None:
                cur[idx] = _new_container(parts[i + 1])
            cur = cur[idx]
        else:
            raise _OverrideError(f"{here} is {short_repr(cur)}, not a mapping or a list, so it has no {part!r}")


def apply_overrides(doc: Mapping[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``dotted.path=value`` overrides to a copy of a scenario document.

    Values are parsed with the loader's YAML scalar rules (``5`` int, ``1e3`` float, ``true``
    bool, ``[a, b]`` list, ``{a: 1}`` mapping; anything else is text). Missing intermediate
    mappings and list items (index equal to the list length) are created. Unknown keys are left
    for validation to report.

    Args:
        doc: The scenario document (not modified).
        overrides: Override strings such as ``brands.0.strategy.messaging.per_week=5``.

    Returns:
        A new document with the overrides applied.

    Raises:
        SimInputError: Listing every malformed or inapplicable override.
    """
    if isinstance(overrides, str):
        overrides = [overrides]
    out = copy.deepcopy(dict(doc))
    problems: list[Problem] = []
    for override in overrides:
        try:
            parts, text = _split_override(override)
        except _OverrideError as exc:
            problems.append(Problem("", f"override {short_repr(override)}: {exc}"))
            continue
        shown, where = short_repr(override, 120), short_repr(dotted_path(parts), 100).strip("'")
        try:
            value = parse_value(text, f"override {shown}")
            _set_path(out, parts, value)
        except _OverrideError as exc:
            problems.append(Problem(where, f"override {shown}: {_short(str(exc))}"))
        except SimInputError as exc:
            problems += [Problem(where, f"override {shown}: value {p}") for p in exc.problems]
    if problems:
        raise SimInputError("overrides", problems)
    return out
