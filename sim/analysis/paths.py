"""Parameters named by dotted path: resolution, validation, ranges and grids.

Every analysis names the inputs it varies by the same dotted paths the loader's overrides use
(``brands.0.strategy.messaging.per_week``). For single-brand scenarios a brand's strategy and the
market may be named without their prefix: ``messaging.per_week`` means
``brands.0.strategy.messaging.per_week`` and ``behaviour.optout_base`` means
``market.behaviour.optout_base``. Results always show the full path.

A path is checked the way a scenario file is: the override ``path=value`` is applied to the
resolved scenario and validated by the loader, so a misspelt key gets the loader's message with its
"did you mean" hint, and a value outside the schema's bounds gets the schema's range. Both ends of a
range are checked before any run starts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel

from sim.errors import Problem, SimInputError, short_repr
from sim.scenario.loader import apply_overrides, suggest, validate_document
from sim.scenario.schema import Market, Scenario, Strategy

__all__ = [
    "Axis",
    "ParamRange",
    "apply_values",
    "canonical_path",
    "even_points",
    "parse_axis",
    "parse_range",
    "scenario_doc",
    "value_at",
]

_TOP = tuple(Scenario.model_fields)
_STRATEGY_KEYS = tuple(k for k in Strategy.model_fields if k not in ("name", "currency"))
_MARKET_KEYS = tuple(k for k in Market.model_fields if k not in ("name", "currency"))
_MISSING = object()


def scenario_doc(scenario: Scenario | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-ready document of a scenario (what is sent to workers and written to run folders)."""
    if isinstance(scenario, Scenario):
        return scenario.model_dump(mode="json")
    return dict(scenario)


def value_at(doc: Mapping[str, Any], path: str) -> Any:
    """The value at a full dotted path of a scenario document, or a sentinel if it is absent."""
    cur: Any = doc
    for part in path.split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and len(part) < 10 and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return _MISSING
    return cur


def canonical_path(scenario: Scenario, path: str, *, source: str = "parameter") -> str:
    """The full dotted path of a (possibly abbreviated) parameter path, checked against the scenario.

    Args:
        scenario: The resolved scenario the parameter belongs to.
        path: A full path (``run.days``, ``market.behaviour.optout_base``,
            ``brands.1.strategy.messaging.per_week``) or, for single-brand scenarios, a
            strategy-relative (``messaging.per_week``) or market-relative (``behaviour.optout_base``)
            path.
        source: Label shown in error messages.

    Returns:
        The full path.

    Raises:
        SimInputError: If the path is empty, names a group of settings instead of one value, or
            names no field (with the loader's "did you mean" hint).
    """
    text = str(path).strip()
    if not text or any(not p for p in text.split(".")):
        raise SimInputError.single(source, text, "is not a dotted parameter path such as messaging.per_week", text)
    first = text.split(".")[0]
    if first in _TOP:
        full = text
    elif first == "strategy" or first in _STRATEGY_KEYS:
        rest = text.removeprefix("strategy.") if first == "strategy" else text
        if len(scenario.brands) != 1:
            names = ", ".join(f"brands.{i}.strategy.{rest} ({b.name})" for i, b in enumerate(scenario.brands))
            raise SimInputError.single(
                source, text, f"is ambiguous: this scenario has {len(scenario.brands)} brands; write one of {names}"
            )
        full = f"brands.0.strategy.{rest}"
    elif first in _MARKET_KEYS:
        full = f"market.{text}"
    else:
        best = suggest(first, list(_TOP) + list(_STRATEGY_KEYS) + list(_MARKET_KEYS))
        hint = f" Did you mean {best!r}?" if best else ""
        raise SimInputError.single(
            source,
            text,
            f"unknown parameter path: {first!r} is not a scenario section.{hint} Paths start with "
            f"run, market or brands (or, for one brand, a strategy section such as messaging)",
        )
    doc = scenario_doc(scenario)
    current = value_at(doc, full)
    if current is _MISSING:
        # Let the loader say what is wrong (unknown key with a did-you-mean, list index out of range...).
        _validate(doc, [f"{full}=0"], source, text, probe=True)
        return full  # a new entry of an open mapping (e.g. acquisition.targeting.SEGMENT)
    if isinstance(current, dict | list):
        keys = list(current) if isinstance(current, dict) else [str(i) for i in range(len(current))]
        raise SimInputError.single(
            source, text, f"names a group of settings, not one value; add one of: {', '.join(keys[:12])}"
        )
    return full


def _validate(
    doc: Mapping[str, Any], overrides: Sequence[str], source: str, shown: str, *, probe: bool = False
) -> Scenario:
    try:
        return validate_document(apply_overrides(doc, overrides), source)
    except SimInputError as exc:
        problems = [Problem(p.path or shown, p.message, None if probe else p.value) for p in exc.problems]
        raise SimInputError(source if probe else f"{source} {shown}", problems) from None


def _check_value(scenario: Scenario, path: str, value: Any, source: str, label: str, what: str) -> None:
    """Validate one value of a parameter, naming the parameter as the user wrote it."""
    try:
        apply_values(scenario, {path: value}, source=source)
    except SimInputError as exc:
        raise SimInputError(
            source, [Problem(label, f"{what} {describe(value)}: {p.message}") for p in exc.problems]
        ) from None


def _override(path: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{path}={'true' if value else 'false'}"
    if isinstance(value, float):
        return f"{path}={value!r}"
    if isinstance(value, int | np.integer):
        return f"{path}={int(value)}"
    return f"{path}={value}"


def is_integer_path(scenario: Scenario, path: str) -> bool:
    """True if the parameter at a full path holds a whole number (sampled values are rounded)."""
    v = value_at(scenario_doc(scenario), path)
    return isinstance(v, int) and not isinstance(v, bool)


def apply_values(scenario: Scenario, values: Mapping[str, Any], *, source: str = "parameter") -> Scenario:
    """The scenario with parameters (full paths) set to ``values``, validated by the loader."""
    doc = scenario_doc(scenario)
    overrides = [_override(p, _plain(v)) for p, v in values.items()]
    shown = ", ".join(overrides)
    return _validate(doc, overrides, source, shown)


def apply_values_doc(doc: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Set already-validated values in a copy of a document (fast path for thousands of points)."""
    out = apply_overrides(doc, [_override(p, _plain(v)) for p, v in values.items()])
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


@dataclass(frozen=True)
class ParamRange:
    """A numeric parameter varied between ``low`` and ``high`` (sensitivity, optimisation, fitting).

    Attributes:
        path: Full dotted path.
        low: Lower bound.
        high: Upper bound.
        integer: Whether values are rounded to whole numbers.
        label: The path as the user wrote it.
    """

    path: str
    low: float
    high: float
    integer: bool = False
    label: str = ""

    def value(self, x: float) -> float | int:
        """A sampled value, rounded for integer parameters."""
        return int(round(x)) if self.integer else float(x)


@dataclass(frozen=True)
class Axis:
    """One axis of a sweep: a parameter and the values it takes."""

    path: str
    values: tuple[Any, ...]
    label: str = ""


def _number(text: Any, where: str, what: str) -> float:
    try:
        x = float(text)
    except (TypeError, ValueError):
        raise SimInputError.single(where, what, "must be a number", text) from None
    if not math.isfinite(x):
        raise SimInputError.single(where, what, "must be a finite number", text)
    return x


def parse_range(
    scenario: Scenario, path: str, bounds: Sequence[float] | str, *, source: str = "parameter"
) -> ParamRange:
    """A validated :class:`ParamRange` from a path and ``(low, high)`` or ``"low:high"``.

    Raises:
        SimInputError: For an unknown path, a non-numeric parameter, an empty (low == high) or
            inverted (low > high) range, or an end outside the schema's bounds.
    """
    full = canonical_path(scenario, path, source=source)
    current = value_at(scenario_doc(scenario), full)
    if current is _MISSING:
        current = 0.0
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise SimInputError.single(source, path, "is not a numeric parameter; ranges need numbers", current)
    if isinstance(bounds, str):
        parts = bounds.split(":")
        if len(parts) != 2:
            raise SimInputError.single(source, path, "range must look like LOW:HIGH, e.g. 1:14", bounds)
        bounds = parts
    if len(bounds) != 2:
        raise SimInputError.single(source, path, "range must have two ends (low, high)", bounds)
    low = _number(bounds[0], source, f"{path} low")
    high = _number(bounds[1], source, f"{path} high")
    if low == high:
        raise SimInputError.single(source, path, f"range is empty (low = high = {low:g}); give low < high")
    if low > high:
        raise SimInputError.single(source, path, f"range is inverted (low {low:g} > high {high:g}); give low < high")
    integer = isinstance(current, int)
    if integer and math.floor(high) < math.ceil(low):
        raise SimInputError.single(source, path, f"whole-number parameter has no whole value in [{low:g}, {high:g}]")
    for end, which in ((low, "low end"), (high, "high end")):
        _check_value(scenario, full, int(round(end)) if integer else end, source, str(path), which)
    return ParamRange(full, low, high, integer, label=str(path))


def parse_axis(
    scenario: Scenario, spec: str | tuple[str, Sequence[Any]], *, source: str = "--param", max_values: int = 100
) -> Axis:
    """A validated sweep :class:`Axis`.

    Args:
        scenario: The resolved base scenario.
        spec: ``"path=v1,v2,v3"`` (listed values, numbers or words), ``"path=low:high:count"``
            (evenly spaced, both ends included) or ``(path, [values])``.
        source: Label shown in error messages.
        max_values: Most values allowed on one axis.

    Raises:
        SimInputError: For an unknown path, no values, an inverted or empty range, a count below 2,
            too many values, or a value the schema rejects.
    """
    if isinstance(spec, str):
        if "=" not in spec:
            raise SimInputError.single(source, spec, "must look like PATH=V1,V2,... or PATH=LOW:HIGH:COUNT")
        path, text = (s.strip() for s in spec.split("=", 1))
        full = canonical_path(scenario, path, source=source)
        current = value_at(scenario_doc(scenario), full)
        integer = isinstance(current, int) and not isinstance(current, bool)
        if not text:
            raise SimInputError.single(source, path, "has no values; write e.g. messaging.per_week=1,3,7 or 1:14:8")
        if ":" in text:
            parts = text.split(":")
            if len(parts) != 3:
                raise SimInputError.single(source, path, "range must look like LOW:HIGH:COUNT, e.g. 1:14:8", text)
            low = _number(parts[0], source, f"{path} low")
            high = _number(parts[1], source, f"{path} high")
            count = _number(parts[2], source, f"{path} count")
            if count != int(count) or count < 2:
                raise SimInputError.single(source, path, "count must be a whole number of at least 2", parts[2])
            if low == high:
                raise SimInputError.single(source, path, f"range is empty (low = high = {low:g})")
            if low > high:
                raise SimInputError.single(
                    source, path, f"range is inverted (low {low:g} > high {high:g}); give low < high"
                )
            if int(count) > max_values:
                raise SimInputError.single(
                    source, path, f"{int(count)} values is more than the cap of {max_values} per axis"
                )
            grid = even_points(low, high, int(count))
            values: list[Any] = sorted({int(round(v)) for v in grid}) if integer else [float(v) for v in grid]
        else:
            values = [_scalar(v.strip()) for v in text.split(",") if v.strip()]
            if not values:
                raise SimInputError.single(source, path, "has no values; write e.g. messaging.per_week=1,3,7")
            if integer:
                values = [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
            elif isinstance(current, float):
                values = [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
    else:
        path, values = spec[0], list(spec[1])
        full = canonical_path(scenario, path, source=source)
        if not values:
            raise SimInputError.single(source, path, "has no values")
    if _is_text_field(scenario, full):
        raise SimInputError.single(
            source, path, "is a text field (a name, code or reference); a sweep axis must be a number, true/false or "
            "one of a field's fixed choices", values[0] if len(values) == 1 else values)
    if len(values) > max_values:
        raise SimInputError.single(source, path, f"{len(values)} values is more than the cap of {max_values} per axis")
    if len(set(map(repr, values))) != len(values):
        raise SimInputError.single(source, path, "lists a value twice", values)
    for v in values:
        _check_value(scenario, full, v, source, str(path), "value")
    return Axis(full, tuple(_plain(v) for v in values), label=str(path))


def even_points(low: float, high: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``low`` to ``high``, both ends exact, for any finite ends.

    The points of ``np.linspace`` (``low + k * step``: 1, 2, 3 exactly for 1:3:3) while ``high - low`` is a
    finite number; for ends such as -1e308 and 1e308, where that difference overflows (NaN points and numpy
    warnings), each point is ``low * (1 - t) + high * t`` instead, which stays between the ends.
    """
    if math.isfinite(high - low):
        return [float(v) for v in np.linspace(low, high, count)]
    ts = [k / (count - 1) for k in range(count)]
    return [min(max(low * (1.0 - t) + high * t, low), high) for t in ts]


def _is_text_field(scenario: Scenario, path: str) -> bool:
    """True if the field at a full path takes free text (a name, a currency code, a reference to a name).

    Such a field cannot be an axis: a brand's name is its identity in the results (a sweep of it crashed once
    every run was done), and a currency code would relabel every amount without converting it. Fields with
    fixed choices (``Literal`` types such as ``market.regime.kind``) take words and remain sweepable.
    """
    node: Any = scenario
    *parents, last = path.split(".")
    for part in parents:
        if isinstance(node, list) and part.isdigit() and len(part) < 10 and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        else:
            return False
    if not isinstance(node, BaseModel) or last not in type(node).model_fields:
        return isinstance(node, dict) and isinstance(node.get(last), str)
    return _takes_str(type(node).model_fields[last].annotation)


def _takes_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    if get_origin(annotation) is Literal:
        return False
    return any(_takes_str(a) for a in get_args(annotation))


def _scalar(text: str) -> Any:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        x = float(text)
        return x
    except ValueError:
        return text


def describe(value: Any) -> str:
    """A short rendering of a parameter value for tables."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        try:  # (a whole number of 309 digits, e.g. a range point of -1e308 rounded, reads as -1e+308)
            return f"{float(value):g}"
        except OverflowError:
            pass
    return short_repr(value) if not isinstance(value, str) else value
