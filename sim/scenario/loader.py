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

No code is ever executed from input: there is no ``eval``, ``exec`` or ``pickle`` here, and only
the SafeLoader derivative below parses YAML.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import stat
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import annotated_types
import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.emitter import Emitter
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.representer import SafeRepresenter
from yaml.resolver import BaseResolver
from yaml.resolver import Resolver as Yaml11Resolver
from yaml.scanner import Scanner
from yaml.serializer import Serializer

from sim.errors import Problem, SimInputError, short_repr
from sim.scenario import presets
from sim.scenario.schema import Scenario

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
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
    "validate_document",
]

#: Largest scenario file accepted, in bytes (checked before reading).
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40
#: Most YAML nodes (scalars, lists, mappings) accepted in one file.
MAX_NODES = 100_000
#: Longest chain of files including each other through ``extends``.
MAX_EXTENDS_DEPTH = 16
#: Most ``extends`` files read for one scenario (stops fan-out "extends bombs").
MAX_EXTENDS_LOADS = 200

EMPTY_MESSAGE = "the file is empty, expected a mapping with keys such as name, run, market, brands"

_YAML_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT, _STR = (_YAML_TAG + t for t in ("null", "bool", "int", "float", "str"))
_SEQ, _MAP = _YAML_TAG + "seq", _YAML_TAG + "map"
_INDEX = re.compile(r"[0-9]+\Z")
_PAREN = re.compile(r" \([^)]*\)$")

# --------------------------------------------------------------------------------------------
# Restricted YAML loader
# --------------------------------------------------------------------------------------------


class _Refusal(Exception):
    """A construct the restricted loader refuses, with its position in the text."""

    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _YamlSyntaxError(SimInputError):
    """Text that is not valid YAML (raised by :func:`_compose`)."""


class _CoreResolver(BaseResolver):
    """Implicit scalar types of the YAML 1.2 core schema (no yes/no booleans, no dates)."""


_CoreResolver.add_implicit_resolver(_NULL, re.compile(r"(?:~|null|Null|NULL|)\Z"), ["~", "n", "N", ""])
_CoreResolver.add_implicit_resolver(_BOOL, re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), list("tTfF"))
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
    ),
    list("-+0123456789."),
)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG) :] if tag.startswith(_YAML_TAG) else tag


class ScenarioLoader(Reader, Scanner, Parser, Composer, SafeConstructor, _CoreResolver):
    """A ``yaml.SafeLoader`` variant for scenario files.

    Built from the same pure-Python components as ``SafeLoader`` with a YAML 1.2 core-schema
    resolver and only plain constructors. Anchors, aliases, tags, over-deep nesting and too
    many nodes are refused while composing, before any value is constructed, so alias bombs
    never expand. Duplicate keys, complex keys and merge keys are refused while constructing.
    """

    yaml_constructors: dict[Any, Any] = {}
    yaml_multi_constructors: dict[Any, Any] = {}

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        """Compose one node after checking it is plain, shallow enough and within budget."""
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refusal(
                event.start_mark,
                f"alias '*{event.anchor}' is not allowed: scenario files may not use anchors or "
                "aliases; use 'extends' to reuse a preset",
            )
        if event.anchor is not None:
            raise _Refusal(
                event.start_mark,
                f"anchor '&{event.anchor}' is not allowed: scenario files may not use anchors or "
                "aliases; use 'extends' to reuse a preset",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _Refusal(
                event.start_mark,
                f"tag '{_short_tag(tag)}' is not allowed: scenario files may not use YAML tags; write plain values",
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refusal(event.start_mark, f"too many values: the limit is {MAX_NODES:,} per file")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refusal(event.start_mark, f"nesting is too deep: the limit is {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_null(loader: ScenarioLoader, node: ScalarNode) -> None:
    return None


def _construct_bool(loader: ScenarioLoader, node: ScalarNode) -> bool:
    return node.value.lower() == "true"


def _construct_int(loader: ScenarioLoader, node: ScalarNode) -> int:
    text = node.value
    base, digits = (8, text[2:]) if text.startswith("0o") else (16, text[2:]) if text.startswith("0x") else (10, text)
    try:
        return int(digits, base)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise _Refusal(node.start_mark, f"the number {text[:20]}... has too many digits") from None


def _construct_float(loader: ScenarioLoader, node: ScalarNode) -> float:
    text = node.value.lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


def _construct_str(loader: ScenarioLoader, node: ScalarNode) -> str:
    return str(node.value)


def _construct_seq(loader: ScenarioLoader, node: Node) -> list[Any]:
    if not isinstance(node, SequenceNode):
        raise _Refusal(node.start_mark, "expected a list")
    return [loader.construct_object(child, deep=True) for child in node.value]


def _construct_map(loader: ScenarioLoader, node: Node) -> dict[str, Any]:
    """Build a mapping with string keys, refusing complex, merge and duplicate keys."""
    if not isinstance(node, MappingNode):
        raise _Refusal(node.start_mark, "expected a mapping")
    data: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise _Refusal(key_node.start_mark, "keys must be plain names, not lists or mappings")
        key = str(key_node.value)
        if key == "<<" and key_node.style is None:
            raise _Refusal(key_node.start_mark, "merge key '<<' is not allowed; use 'extends' to reuse a preset")
        line = key_node.start_mark.line + 1
        if key in first_line:
            raise _Refusal(
                key_node.start_mark,
                f"duplicate key {key!r}: first on line {first_line[key]}, again on line {line}",
            )
        first_line[key] = line
        data[key] = loader.construct_object(value_node, deep=True)
    return data


def _construct_other(loader: ScenarioLoader, node: Node) -> Any:
    raise _Refusal(node.start_mark, f"unsupported YAML type '{_short_tag(node.tag)}'")


for _tag, _fn in (
    (_NULL, _construct_null),
    (_BOOL, _construct_bool),
    (_INT, _construct_int),
    (_FLOAT, _construct_float),
    (_STR, _construct_str),
    (_SEQ, _construct_seq),
    (_MAP, _construct_map),
    (None, _construct_other),
):
    ScenarioLoader.add_constructor(_tag, _fn)


# --------------------------------------------------------------------------------------------
# Reading and parsing
# --------------------------------------------------------------------------------------------


def _fail(source: str, path: str, message: str, value: str | None = None) -> SimInputError:
    return SimInputError(source, [Problem(path, message, value)])


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _decode(data: bytes, source: str) -> str:
    """Decode UTF-8 bytes, refusing binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(source, "line 1", "the file is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise _fail(source, f"line {line}", "the file contains a NUL byte: it looks like a binary file, not YAML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise _fail(
            source,
            f"line {line}",
            f"the file is not UTF-8 text (byte 0x{bad} at offset {exc.start}): "
            "it looks like a binary file or another encoding; save it as UTF-8",
        ) from None


def _check_text(text: str | bytes, source: str) -> str:
    """Apply the size cap and the text-only rule; return the text."""
    if not isinstance(text, str | bytes):
        raise _fail(source, "", f"expected YAML text, got a {type(text).__name__}")
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise _fail(source, "", f"the file is {size:,} bytes; scenario files are capped at {MAX_BYTES:,} bytes")
    if isinstance(text, bytes):
        return _decode(text, source)
    if "\x00" in text:
        return _decode(text.encode("utf-8", "surrogatepass"), source)
    return text


def _syntax_problem(exc: yaml.YAMLError, text: str) -> Problem:
    """Turn a PyYAML reader, scanner, parser or composer error into a located problem."""
    if isinstance(exc, yaml.reader.ReaderError):
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return Problem(
            _where(text, exc.position),
            f"special character {char!r} is not allowed in YAML text; is this a binary file?",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return Problem("", f"invalid YAML: {problem}")
    where = f"line {mark.line + 1}, column {mark.column + 1}"
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent or "'\\t'" in problem:
        return Problem(where, "a tab is used for indentation; YAML indentation must use spaces")
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    if context and problem.startswith("but "):
        return Problem(where, f"invalid YAML: {context}, {problem}")
    extra = f" ({context} on line {cmark.line + 1})" if context and cmark is not None else ""
    return Problem(where, f"invalid YAML: {problem}{extra}")


def _compose(text: str, source: str) -> tuple[ScenarioLoader, Node | None]:
    loader: ScenarioLoader | None = None
    try:
        loader = ScenarioLoader(text)
        node = loader.get_single_node()
    except _Refusal as exc:
        error = _refusal_error(exc, source)
    except yaml.reader.ReaderError as exc:
        error = SimInputError(source, [_syntax_problem(exc, text)])
    except yaml.YAMLError as exc:
        error = _YamlSyntaxError(source, [_syntax_problem(exc, text)])
    else:
        return loader, node
    if loader is not None:
        loader.dispose()
    raise error


def _refusal_error(exc: _Refusal, source: str) -> SimInputError:
    path = f"line {exc.mark.line + 1}, column {exc.mark.column + 1}" if exc.mark is not None else ""
    return SimInputError(source, [Problem(path, exc.message)])


def _construct(loader: ScenarioLoader, node: Node, source: str) -> Any:
    try:
        return loader.construct_document(node)
    except _Refusal as exc:
        raise _refusal_error(exc, source) from None
    finally:
        loader.dispose()


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL)


def _kind_of(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, ScalarNode):
        return f"a single value {node.value!r}"
    return "something else"


def parse_yaml(text: str | bytes, source: str) -> dict[str, Any]:
    """Parse scenario YAML text whose top level must be a mapping.

    Args:
        text: The YAML text, as ``str`` or UTF-8 ``bytes``.
        source: Name shown in error messages (usually the file path).

    Returns:
        The top-level mapping, with string keys and plain values.

    Raises:
        SimInputError: For oversize, binary or empty input, syntax errors, anchors, aliases,
            tags, duplicate keys, excessive nesting, or a top level that is not a mapping.
    """
    text = _check_text(text, source)
    loader, node = _compose(text, source)
    if _is_null(node):
        loader.dispose()
        raise _fail(source, "", EMPTY_MESSAGE)
    assert node is not None
    if not isinstance(node, MappingNode):
        loader.dispose()
        raise _fail(
            source,
            f"line {node.start_mark.line + 1}",
            f"the top level must be a mapping (key: value lines), found {_kind_of(node)}",
        )
    return _construct(loader, node, source)


def _parse_value(text: str, source: str) -> Any:
    """Parse one override value with the loader's rules.

    Flow collections (``[a, b]``, ``{a: 1}``) and scalars follow the YAML rules; text that would
    only parse as a block collection, has a ``#`` comment, or is not valid YAML stays text.
    """
    text = _check_text(text, source)
    flow = text.lstrip().startswith(("[", "{"))
    try:
        loader, node = _compose(text, source)
    except _YamlSyntaxError:
        if flow:
            raise
        return text.strip()
    if _is_null(node):
        loader.dispose()
        return None
    assert node is not None
    block = isinstance(node, MappingNode | SequenceNode) and not node.flow_style
    commented = isinstance(node, ScalarNode) and node.style is None and node.value != text.strip()
    if block or commented:
        loader.dispose()
        return text.strip()
    return _construct(loader, node, source)


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a scenario YAML file safely (size checked before reading).

    Args:
        path: The file to read.

    Returns:
        The top-level mapping.

    Raises:
        SimInputError: If the file is missing, not a regular file, larger than ``MAX_BYTES``,
            or its content is refused by :func:`parse_yaml`.
    """
    source = str(path)
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise _fail(source, "", "file not found") from None
    except OSError as exc:
        raise _fail(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _fail(source, "", "this is a folder; expected a YAML file")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(source, "", "this is not a regular file; expected a YAML file")
    if info.st_size > MAX_BYTES:
        raise _fail(source, "", f"the file is {info.st_size:,} bytes; scenario files are capped at {MAX_BYTES:,} bytes")
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _fail(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    return parse_yaml(data, source)


# --------------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """Where a document came from, for resolving its ``extends`` references."""

    source: str
    base_dir: Path | None
    root: Path
    chain: tuple[Path, ...]
    loads: list[int] = field(default_factory=lambda: [0])  # shared count of files read


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path)


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``top`` onto ``base``: mappings merge recursively, lists and scalars replace."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve(node: Any, ctx: _Context, path: tuple[str | int, ...]) -> Any:
    """Return ``node`` with every ``extends`` replaced by the merged referenced files."""
    if isinstance(node, list):
        return [_resolve(item, ctx, path + (i,)) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    local = {k: _resolve(v, ctx, path + (k,)) for k, v in node.items() if k != "extends"}
    if "extends" not in node:
        return local
    merged: dict[str, Any] = {}
    for ref, where in _references(node["extends"], ctx, path + ("extends",)):
        merged = _deep_merge(merged, _load_reference(ref, ctx, where))
    return _deep_merge(merged, local)


def _references(value: Any, ctx: _Context, where: tuple[str | int, ...]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    if isinstance(value, str):
        yield value, where
        return
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        for i, ref in enumerate(value):
            yield ref, where + (i,)
        return
    raise _fail(
        ctx.source,
        _dotted(where),
        "must be a preset reference such as 'markets/japan' or './my_market.yaml', or a list of them",
        short_repr(value),
    )


def _load_reference(ref: str, ctx: _Context, where: tuple[str | int, ...]) -> dict[str, Any]:
    file = _locate(ref, ctx, where)
    if file in ctx.chain:
        names = " -> ".join(_display(p, ctx.root) for p in ctx.chain + (file,))
        raise _fail(ctx.source, _dotted(where), f"extends cycle: {names}", short_repr(ref))
    if len(ctx.chain) >= MAX_EXTENDS_DEPTH:
        raise _fail(
            ctx.source, _dotted(where), f"extends chain is longer than {MAX_EXTENDS_DEPTH} files", short_repr(ref)
        )
    ctx.loads[0] += 1
    if ctx.loads[0] > MAX_EXTENDS_LOADS:
        raise _fail(
            ctx.source,
            _dotted(where),
            f"too many extends references: more than {MAX_EXTENDS_LOADS} files read",
            short_repr(ref),
        )
    doc = read_yaml(file)
    sub = _Context(str(file), file.parent, ctx.root, ctx.chain + (file,), ctx.loads)
    return _resolve(doc, sub, ())


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _locate(ref: str, ctx: _Context, where: tuple[str | int, ...]) -> Path:
    """Find the file of an ``extends`` reference without leaving the allowed folders."""
    shown = _dotted(where)
    if not ref.strip() or "\x00" in ref:
        raise _fail(ctx.source, shown, "must be a non-empty preset reference such as 'markets/japan'", short_repr(ref))
    if Path(ref).is_absolute() or ref.startswith(("~", "\\")) or re.match(r"[A-Za-z]:", ref):
        raise _fail(
            ctx.source,
            shown,
            "absolute paths are not allowed; use a preset reference such as 'markets/japan' or a "
            "path relative to this file",
            short_repr(ref),
        )
    names = [ref] if ref.endswith((".yaml", ".yml")) else [ref, ref + ".yaml"]
    anchors = [a.resolve() for a in (ctx.base_dir, ctx.root) if a is not None]
    escaped = False
    for anchor in dict.fromkeys(anchors):
        for name in names:
            try:
                candidate = (anchor / name).resolve()
            except (OSError, RuntimeError, ValueError):
                continue
            if not any(candidate.is_relative_to(a) for a in anchors):
                escaped = True
                continue
            if candidate.is_file():
                return candidate
    if escaped:
        raise _fail(
            ctx.source,
            shown,
            "reference leaves the scenarios folder (and the including file's folder); references must stay inside them",
            short_repr(ref),
        )
    raise _fail(ctx.source, shown, _unknown_reference_message(ref, ctx), short_repr(ref))


def _unknown_reference_message(ref: str, ctx: _Context) -> str:
    if ref.startswith(".") or ref.endswith((".yaml", ".yml")):
        folders = " and ".join(str(f) for f in dict.fromkeys(f for f in (ctx.base_dir, ctx.root) if f))
        return f"file not found (looked in {folders})"
    return presets.unknown_preset_message(ref, ctx.root)


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------


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
        here = _dotted(parts[:i]) or "the top level"
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
        shown, where = short_repr(override, 120), short_repr(_dotted(parts), 100).strip("'")
        try:
            value = _parse_value(text, f"override {shown}")
            _set_path(out, parts, value)
        except _OverrideError as exc:
            problems.append(Problem(where, f"override {shown}: {_short(str(exc))}"))
        except SimInputError as exc:
            problems += [Problem(where, f"override {shown}: value {p}") for p in exc.problems]
    if problems:
        raise SimInputError("overrides", problems)
    return out


# --------------------------------------------------------------------------------------------
# Validation and error messages
# --------------------------------------------------------------------------------------------


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
        return _dotted(self.shown)


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
        path = _dotted(where.shown + ["dist"])
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
            raise _fail(source, "", f"file not found, and not a preset either: {detail}") from None
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
    elif isinstance(source, str | Path):
        doc, file = _read_source(source, root_dir)
        label, base_dir, chain = str(source), file.parent, (file,)
    else:
        raise _fail("<scenario>", "", "expected a file path or a mapping", type(source).__name__)
    ctx = _Context(label, base_dir, root_dir, chain)
    doc = _resolve(doc, ctx, ())
    if overrides:
        doc = _resolve(apply_overrides(doc, overrides), ctx, ())
    return validate_document(doc, label)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a resolved scenario, for editors and documentation."""
    schema = Scenario.model_json_schema()
    body = {k: v for k, v in schema.items() if k != "title"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Scenario", **body}


_YAML11 = Yaml11Resolver()


class _DumpResolver(_CoreResolver):
    """Quote strings that either YAML 1.2 or YAML 1.1 readers would take for another type."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        tag = super().resolve(kind, value, implicit)
        if kind is ScalarNode and tag == _STR and implicit[0]:
            legacy = _YAML11.resolve(kind, value, implicit)
            if legacy != _STR:
                return legacy
        return tag


class _Dumper(Emitter, Serializer, SafeRepresenter, _DumpResolver):
    """``yaml.SafeDumper`` with the loader's scalar rules, so dumps read back unchanged."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        Emitter.__init__(
            self,
            stream,
            canonical=kwargs.get("canonical"),
            indent=kwargs.get("indent"),
            width=kwargs.get("width"),
            allow_unicode=kwargs.get("allow_unicode"),
            line_break=kwargs.get("line_break"),
        )
        Serializer.__init__(
            self,
            encoding=kwargs.get("encoding"),
            explicit_start=kwargs.get("explicit_start"),
            explicit_end=kwargs.get("explicit_end"),
            version=kwargs.get("version"),
            tags=kwargs.get("tags"),
        )
        SafeRepresenter.__init__(
            self,
            default_style=kwargs.get("default_style"),
            default_flow_style=kwargs.get("default_flow_style", False),
            sort_keys=kwargs.get("sort_keys", True),
        )
        _DumpResolver.__init__(self)


def dump_scenario(s: Scenario) -> str:
    """YAML text of a resolved scenario that :func:`load_scenario` reads back to an equal one.

    Args:
        s: The scenario.

    Returns:
        Block-style YAML with keys in schema order.
    """
    data = s.model_dump(mode="json")
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
