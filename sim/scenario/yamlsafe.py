"""Safe YAML for scenario files: a restricted loader and a dumper whose output it reads back unchanged.

:func:`read_yaml` / :func:`parse_yaml` read YAML with a loader derived from ``yaml.SafeLoader``: size cap,
text-only input, no anchors, aliases, merge keys or tags, no duplicate keys, bounded nesting and node
count, and YAML 1.2 core-schema scalars (``true``/``false`` are the only booleans, ``1e3`` is a float,
dates stay strings). No code is ever executed from input: there is no ``eval``, ``exec`` or ``pickle``.
"""

from __future__ import annotations

import math
import re
import stat
from pathlib import Path
from typing import Any

import yaml
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

from sim.errors import Problem, SimInputError
from sim.scenario.schema import Scenario

#: Largest scenario file accepted, in bytes (checked before reading).
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and lists accepted.
MAX_DEPTH = 40
#: Most YAML nodes (scalars, lists, mappings) accepted in one file.
MAX_NODES = 100_000

EMPTY_MESSAGE = "the file is empty, expected a mapping with keys such as name, run, market, brands"

_YAML_TAG = "tag:yaml.org,2002:"
_NULL, _BOOL, _INT, _FLOAT, _STR = (_YAML_TAG + t for t in ("null", "bool", "int", "float", "str"))
_SEQ, _MAP = _YAML_TAG + "seq", _YAML_TAG + "map"

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


def input_error(source: str, path: str, message: str, value: str | None = None) -> SimInputError:
    """A one-problem :class:`SimInputError` (``value`` already shortened)."""
    return SimInputError(source, [Problem(path, message, value)])


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _decode(data: bytes, source: str) -> str:
    """Decode UTF-8 bytes, refusing binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise input_error(source, "line 1", "the file is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise input_error(source, f"line {line}",
                          "the file contains a NUL byte: it looks like a binary file, not YAML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise input_error(
            source,
            f"line {line}",
            f"the file is not UTF-8 text (byte 0x{bad} at offset {exc.start}): "
            "it looks like a binary file or another encoding; save it as UTF-8",
        ) from None


def _check_text(text: str | bytes, source: str) -> str:
    """Apply the size cap and the text-only rule; return the text."""
    if not isinstance(text, str | bytes):
        raise input_error(source, "", f"expected YAML text, got a {type(text).__name__}")
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise input_error(source, "", f"the file is {size:,} bytes; scenario files are capped at {MAX_BYTES:,} bytes")
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
    if context == "while scanning a simple key" and cmark is not None and mark.column - cmark.column > 1024:
        return Problem(where, f"a key of {mark.column - cmark.column:,} characters: YAML keys are at most 1,024 "
                              "characters long (or a ':' is missing after a key)")
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
        raise input_error(source, "", EMPTY_MESSAGE)
    assert node is not None
    if not isinstance(node, MappingNode):
        loader.dispose()
        raise input_error(
            source,
            f"line {node.start_mark.line + 1}",
            f"the top level must be a mapping (key: value lines), found {_kind_of(node)}",
        )
    return _construct(loader, node, source)


def parse_value(text: str, source: str) -> Any:
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
        raise input_error(source, "", "file not found") from None
    except OSError as exc:
        raise input_error(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise input_error(source, "", "this is a folder; expected a YAML file")
    if not stat.S_ISREG(info.st_mode):
        raise input_error(source, "", "this is not a regular file; expected a YAML file")
    if info.st_size > MAX_BYTES:
        raise input_error(source, "",
                          f"the file is {info.st_size:,} bytes; scenario files are capped at {MAX_BYTES:,} bytes")
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise input_error(source, "", f"cannot read the file: {exc.strerror or exc}") from None
    return parse_yaml(data, source)



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
