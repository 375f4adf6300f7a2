"""Walking the scenario schema: every field with its path, kind, unit, default, range and source."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.docs.markdown import DIST_TYPES, fmt_number, fmt_value, rst_to_md
from sim.scenario import schema as S

#: Units of the consumer traits, used when the schema declares none for a distribution field.
TRAIT_UNITS = {
    "privacy_sensitivity": "0-1",
    "message_tolerance": "messages / week",
    "purchase_rate": "purchases / year",
    "dropout": "probability / purchase",
    "basket": "currency / purchase",
    "sociability": "0-1",
    "points_appetite": "0-1",
}



@dataclass
class FieldDoc:
    """One documented scenario field."""

    path: str                # dotted path with [] for list items and <name> for map keys
    name: str
    owner: type[BaseModel]
    info: FieldInfo
    kind: str                # number, integer, text, choice, flag, distribution, model, list, map
    type_text: str

    @property
    def extra(self) -> dict[str, Any]:
        """The field's json_schema_extra (unit and source) or an empty dict."""
        return self.info.json_schema_extra if isinstance(self.info.json_schema_extra, dict) else {}

    @property
    def unit(self) -> str:
        """Declared unit, or a unit implied by the field kind."""
        if "unit" in self.extra:
            return str(self.extra["unit"])
        if "section" in self.type_text:
            return "section" if self.type_text == "section" else "sections"
        if self.kind == "distribution" and self.name in TRAIT_UNITS:
            return TRAIT_UNITS[self.name] + " (distribution)"
        return {"text": "text", "choice": "choice", "flag": "true/false", "distribution": "see meaning",
                "map": "name → value", "list": "list"}.get(self.kind, "")

    @property
    def source(self) -> str:
        """Declared source; structural fields have none."""
        if "source" in self.extra:
            return str(self.extra["source"])
        if self.kind == "distribution":
            return S.ASSUMPTION + " (default; preset values carry their own sources)"
        return "—"

    @property
    def description(self) -> str:
        """The field's description."""
        if not self.info.description and self.kind == "choice" and self.name == "dist":
            return "Distribution kind."
        return rst_to_md(self.info.description or "")

    def default(self) -> Any:
        """The default value (calling a default factory), or PydanticUndefined."""
        if self.info.default_factory is not None:
            return self.info.default_factory()
        return self.info.default

    def default_text(self) -> str:
        """The default rendered for a table."""
        d = self.default()
        if d is PydanticUndefined:
            return "required"
        if self.kind == "model":
            return "see below"
        if self.kind in ("list", "map") and d and isinstance(next(iter(d.values() if isinstance(d, dict) else d)),
                                                               BaseModel):
            items = (list(d.items()) if isinstance(d, dict)
                     else [(getattr(x, "name", str(i)), x) for i, x in enumerate(d)])
            return ", ".join(f"`{n}`" for n, _ in items) + " with the defaults below"
        return fmt_value(d)

    def range_text(self) -> str:
        """Allowed values: bounds, choices or length limits."""
        parts: list[str] = []
        lo = hi = None
        for m in self.info.metadata:
            for attr, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
                val = getattr(m, attr, None)
                if val is not None:
                    parts.append(f"{sym} {fmt_number(val)}")
                    if attr in ("ge", "gt"):
                        lo = val
                    else:
                        hi = val
            for attr, word in (("min_length", "min length"), ("max_length", "max length")):
                val = getattr(m, attr, None)
                if val is not None:
                    parts.append(f"{word} {val}")
        del lo, hi
        if self.kind == "choice":
            parts.insert(0, ", ".join(f"`{c}`" for c in _literal_choices(self.info.annotation)))
        if self.kind == "distribution":
            parts.insert(0, "fixed, uniform, beta, gamma, lognormal")
        return "; ".join(parts) if parts else ""


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _literal_choices(annotation: Any) -> list[Any]:
    annotation = _strip_optional(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return []


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _is_distribution(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    return bool(args) and all(a in DIST_TYPES for a in args)


def _classify(annotation: Any) -> tuple[str, str, type[BaseModel] | None]:
    """(kind, type text, nested model) of a field annotation."""
    if _is_distribution(annotation):
        return "distribution", "distribution", None
    ann = _strip_optional(annotation)
    origin = typing.get_origin(ann)
    if _is_model(ann):
        return "model", "section", ann
    if origin is list:
        (item,) = typing.get_args(ann)
        if _is_model(item):
            return "list", "list of sections", item
        return "list", f"list of {getattr(item, '__name__', str(item))}", None
    if origin is dict:
        _, val = typing.get_args(ann)
        if _is_model(val):
            return "map", "map of name → section", val
        return "map", f"map of name → {getattr(val, '__name__', str(val))}", None
    if origin is typing.Literal:
        return "choice", "choice", None
    if origin in (typing.Union, types.UnionType):
        names = [getattr(a, "__name__", str(a)) for a in typing.get_args(ann)]
        if set(names) <= {"str", "list"} or "str" in names:
            return "text", " or ".join(n if n != "list" else "list of text" for n in names), None
        return "number", " or ".join(names), None
    if ann is bool:
        return "flag", "true/false", None
    if ann is int:
        return "integer", "integer", None
    if ann is float:
        return "number", "number", None
    if ann is str:
        return "text", "text", None
    return "text", getattr(ann, "__name__", str(ann)), None


def walk(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[FieldDoc, type[BaseModel] | None]]:
    """Every field of ``model`` depth first, with the nested model of section-like fields."""
    for name, info in model.model_fields.items():
        kind, type_text, nested = _classify(info.annotation)
        path = f"{prefix}{name}"
        doc = FieldDoc(path, name, model, info, kind, type_text)
        yield doc, nested
        if nested is not None:
            if kind == "model":
                sub = f"{path}."
            elif kind == "list":
                sub = f"{path}[]."
            else:
                sub = f"{path}.<name>."
            yield from walk(nested, sub)


def leaf_fields(model: type[BaseModel], prefix: str = "") -> list[FieldDoc]:
    """Fields of ``model`` that hold values (not sections), with full paths."""
    return [f for f, nested in walk(model, prefix) if nested is None]
