"""Validation of scenario documents and plain-words messages for every problem.

The document is validated by pydantic in strict mode; every problem is reported at once as a
:class:`~sim.errors.SimInputError` with a dotted field path, the value found and what was expected
(including "did you mean" hints for misspelt keys and the unit and range of numbers).
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.errors import Problem, SimInputError, short_repr
from sim.scenario.overrides import dotted_path
from sim.scenario.schema import Scenario

# --------------------------------------------------------------------------------------------
# Validation and error messages
# --------------------------------------------------------------------------------------------


_PAREN = re.compile(r" \([^)]*\)$")


@dataclass
class _Located:
    """What a pydantic error location points at in the model classes."""

    shown: list[str | int]
    annotation: Any = None
    owner: type[BaseModel] | None = None
    field_info: FieldInfo | None = None
    union_branch: bool = False

    @property
    def path(self) -> str:
        return dotted_path(self.shown)


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _literal_values(annotation: Any) -> tuple[Any, ...]:
    annotation = _unwrap(annotation)
    return typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()


def _union_member(annotation: Any, label: Any) -> tuple[Any, bool] | None:
    """The union member named by a pydantic loc label; flag is True for a discriminator tag."""
    for member in typing.get_args(annotation):
        member = _unwrap(member)
        if _is_model(member):
            for info in member.model_fields.values():
                if label in _literal_values(info.annotation) and info.is_required():
                    return member, True
        names = {getattr(member, "__name__", None), str(member).replace("typing.", "")}
        if label in names:
            return member, False
    return None


def _locate_loc(loc: Sequence[str | int], model: type[BaseModel]) -> _Located:
    """Walk a pydantic error location through the model classes, dropping union labels."""
    found = _Located(shown=[], annotation=model)
    for part in loc:
        ann = _unwrap(found.annotation)
        found.field_info = None
        if _is_union(ann) and isinstance(part, str):
            member = _union_member(ann, part)
            found.annotation = member[0] if member else None
            found.union_branch = found.union_branch or not (member and member[1])
            continue
        found.shown.append(part)
        found.owner = ann if _is_model(ann) else None
        if _is_model(ann) and isinstance(part, str) and part in ann.model_fields:
            found.field_info = ann.model_fields[part]
            found.annotation = found.field_info.annotation
        elif typing.get_origin(ann) is list and isinstance(part, int):
            found.annotation = typing.get_args(ann)[0]
        elif typing.get_origin(ann) is dict:
            found.annotation = typing.get_args(ann)[1]
        else:
            found.annotation = None
    return found


def _num(x: Any) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def _unit_phrase(field: FieldInfo | None) -> str:
    extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    if not isinstance(unit, str) or unit in ("", "-"):
        return ""
    if unit == "probability":
        return "a probability"
    if unit.startswith("fraction"):
        return "a " + unit
    if unit == "0-1":
        return "a score from 0 to 1"
    if unit == "multiplier":
        return "a multiplier"
    return "in " + unit


def _bounds(field: FieldInfo | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for meta in field.metadata if field is not None else ():
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(meta, getattr(annotated_types, name.capitalize())):
                found[name] = getattr(meta, name)
    return found


def _range_text(bounds: dict[str, Any]) -> str:
    if "ge" in bounds and "le" in bounds:
        return f"range {_num(bounds['ge'])} to {_num(bounds['le'])}"
    low = (
        f"at least {_num(bounds['ge'])}"
        if "ge" in bounds
        else (f"above {_num(bounds['gt'])}" if "gt" in bounds else "")
    )
    high = (
        f"at most {_num(bounds['le'])}" if "le" in bounds else (f"below {_num(bounds['lt'])}" if "lt" in bounds else "")
    )
    return "range: " + ", ".join(t for t in (low, high) if t)


def _bound_message(kind: str, limit: Any, where: _Located) -> str:
    words = {
        "greater_than_equal": "at least",
        "greater_than": "greater than",
        "less_than_equal": "at most",
        "less_than": "less than",
    }[kind]
    unit = _unit_phrase(where.field_info)
    notes = [unit]
    bounds = _bounds(where.field_info)
    if len(bounds) > 1 and "from 0 to 1" not in unit:
        notes.append(_range_text(bounds))
    note = ", ".join(n for n in notes if n)
    return f"must be {words} {_num(limit)}" + (f" ({note})" if note else "")


def suggest(word: Any, choices: Sequence[str]) -> str | None:
    """The closest of ``choices`` to a misspelt ``word`` (whole names first, then name parts)."""
    if not isinstance(word, str) or not choices:
        return None
    for candidate in (word, word.lower()):
        match = difflib.get_close_matches(candidate, list(choices), n=1, cutoff=0.6)
        if match:
            return match[0]
    parts: dict[str, str] = {}
    for choice in choices:
        for token in choice.split("_"):
            if len(token) >= 4:
                parts.setdefault(token, choice)
    match = difflib.get_close_matches(word.lower(), list(parts), n=1, cutoff=0.75)
    return parts[match[0]] if match else None


def _quoted_list(values: Sequence[Any]) -> str:
    return ", ".join(repr(v) for v in values)


def _unknown_key_message(key: Any, where: _Located) -> str:
    if where.owner is None:
        return f"unknown key {key!r}"
    names = list(where.owner.model_fields)
    best = suggest(key, names)
    if best is not None:
        return f"unknown key {key!r}. Did you mean {best!r}?"
    return f"unknown key {key!r}. Valid keys here: {', '.join(names)}"


def _choice_message(value: Any, options: Sequence[Any]) -> str:
    message = f"must be one of {_quoted_list(options)}"
    best = suggest(value, [o for o in options if isinstance(o, str)])
    return message + (f". Did you mean {best!r}?" if best is not None else "")


def _type_message(kind: str, value: Any) -> str | None:
    """Plain-words message for pydantic's type errors; None if ``kind`` is not one."""
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, float):
            return "must be a whole number (no decimal point)"
        return "must be a whole number"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false" + (" (only true and false are booleans)" if isinstance(value, str) else "")
    if kind in ("string_type", "string_parsing"):
        hint = " (put it in quotes to use it as text)" if isinstance(value, int | float | bool) else ""
        return "must be text" + hint
    if kind == "list_type":
        return "must be a list"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a mapping (key: value lines)"
    if kind == "finite_number":
        return "must be a finite number (.nan and .inf are not allowed)"
    return None


def _length_message(kind: str, ctx: dict[str, Any]) -> str:
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"must have at least {n} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    return f"must have at most {ctx.get('max_length')} items"


def _problem(error: Any, model: type[BaseModel]) -> tuple[Problem, bool]:
    """One pydantic error as a plain-words problem; flag marks a union-branch error."""
    kind = error["type"]
    value = error.get("input")
    where = _locate_loc(error["loc"], model)
    path = where.path
    shown_value: str | None = short_repr(value)
    message = _type_message(kind, value)
    if message is None:
        message, path, shown_value = _other_message(error, where, path, shown_value)
    return Problem(path, message, shown_value), where.union_branch


def _other_message(error: Any, where: _Located, path: str, shown_value: str | None) -> tuple[str, str, str | None]:
    """Message, path and value for errors other than plain type errors."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        message, shown_value = "is required", None
    elif kind == "extra_forbidden":
        message = _unknown_key_message(error["loc"][-1], where)
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(ctx.values())) if ctx else "?"
        message = _bound_message(kind, limit, where)
    elif kind in ("string_too_short", "string_too_long", "too_short", "too_long"):
        message = _length_message(kind, ctx)
        if kind in ("too_short", "too_long"):
            shown_value = f"{len(value)} item(s)" if isinstance(value, list | dict) else shown_value
    elif kind == "literal_error":
        message = _choice_message(value, _literal_values(where.annotation) or [ctx.get("expected")])
    elif kind == "union_tag_invalid":
        tags = [t for m in typing.get_args(_unwrap(where.annotation)) for t in _tag_values(m)]
        path = dotted_path(where.shown + ["dist"])
        message, shown_value = _choice_message(ctx.get("tag"), tags), short_repr(ctx.get("tag"))
    elif kind == "union_tag_not_found":
        tags = [t for m in typing.get_args(_unwrap(where.annotation)) for t in _tag_values(m)]
        message = f"needs a 'dist' key naming the distribution, one of {_quoted_list(tags)}"
    elif kind in ("value_error", "assertion_error"):
        message = re.sub(r"^(Value error|Assertion failed), ", "", error["msg"])
        shown_value = None if isinstance(value, dict | list) else shown_value
    else:
        text = error["msg"]
        message = text[:1].lower() + text[1:]
    return message, path, shown_value


def _tag_values(member: Any) -> list[str]:
    member = _unwrap(member)
    if not _is_model(member) or "dist" not in member.model_fields:
        return []
    return [v for v in _literal_values(member.model_fields["dist"].annotation) if isinstance(v, str)]


def problems_from_validation_error(exc: ValidationError, model: type[BaseModel] = Scenario) -> list[Problem]:
    """Convert a pydantic ``ValidationError`` into plain-words problems with dotted paths.

    Errors from the members of a plain union (``str | list[str]``) at the same path are joined
    into one problem ("must be text or a list").

    Args:
        exc: The validation error.
        model: The model that was validated (to find field units, bounds and valid keys).

    Returns:
        One problem per distinct error, in pydantic's order.
    """
    problems: list[Problem] = []
    branches: dict[tuple[str, str | None], int] = {}
    for error in exc.errors():
        problem, branch = _problem(error, model)
        key = (problem.path, problem.value)
        if branch and key in branches:
            first = problems[branches[key]]
            extra = _PAREN.sub("", problem.message).removeprefix("must be ")
            problems[branches[key]] = Problem(first.path, f"{_PAREN.sub('', first.message)} or {extra}", first.value)
            continue
        if branch:
            branches[key] = len(problems)
        problems.append(problem)
    return problems


def _set_at(doc: Any, path: Sequence[str | int], value: Any) -> bool:
    cur = doc
    for part in path[:-1]:
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return False
    if isinstance(cur, dict | list) and path:
        try:
            cur[path[-1]] = value
        except (IndexError, TypeError):
            return False
        return True
    return False


def _fix_whole_floats(doc: Any, exc: ValidationError, model: type[BaseModel]) -> Any | None:
    """A copy of ``doc`` with whole floats (``1e5``, ``1095.0``) made ints where ints are expected."""
    fixed = copy.deepcopy(doc)
    changed = False
    for error in exc.errors():
        value = error.get("input")
        if error["type"] != "int_type" or not isinstance(value, float):
            continue
        if not (math.isfinite(value) and value.is_integer() and abs(value) < 2**63):
            continue
        where = _locate_loc(error["loc"], model)
        changed = _set_at(fixed, where.shown, int(value)) or changed
    return fixed if changed else None


def validate_document(doc: Any, source: str, model: type[BaseModel] = Scenario) -> Any:
    """Validate a resolved document with pydantic in strict mode.

    Strict mode keeps ``"no"`` from becoming ``False`` and ``"5"`` from becoming ``5``; whole
    floats such as ``1e5`` are still accepted for integer fields.

    Args:
        doc: The resolved document.
        source: Name shown in error messages.
        model: The pydantic model to validate against.

    Returns:
        The validated model instance.

    Raises:
        SimInputError: Listing every problem found.
    """
    try:
        return model.model_validate(doc, strict=True)
    except ValidationError as exc:
        error = exc
    fixed = _fix_whole_floats(doc, error, model)
    if fixed is not None:
        try:
            return model.model_validate(fixed, strict=True)
        except ValidationError as exc:
            error = exc
    raise SimInputError(source, problems_from_validation_error(error, model))
