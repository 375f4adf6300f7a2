"""Reading preset files with their end-of-line comments (the source of a specific value)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel


@dataclass
class Preset:
    """A preset file: its raw document, resolved model, comments by path, header comment."""

    id: str
    path: Path
    doc: dict[str, Any]
    comments: dict[tuple, str]      # key path -> end-of-line comment on that key's line
    lines: dict[tuple, int]         # key path -> line of the key
    header: str

    def comment_for(self, path: tuple) -> str:
        """The comment that gives the source of the value at ``path``.

        A comment on the value's own line, or on an ancestor written on the same line (flow style:
        ``privacy_sensitivity: {dist: beta, a: 1.5, b: 6.0}  # mean 0.20 ...``).
        """
        line = self.lines.get(path)
        found = []
        for n in range(len(path), 0, -1):
            anc = path[:n]
            if anc in self.comments and (anc == path or self.lines.get(anc) == line):
                found.append(self.comments[anc])
        return "; ".join(dict.fromkeys(found))

    def block_comment(self, path: tuple) -> str:
        """The comment on a section key written in block style (applies to the whole section)."""
        return self.comments.get(path, "")

    def is_set(self, path: tuple) -> bool:
        """Whether the preset file itself sets ``path`` (rather than inheriting the default)."""
        node: Any = self.doc
        for p in path:
            if isinstance(node, dict) and p in node:
                node = node[p]
            elif isinstance(node, list) and isinstance(p, int) and p < len(node):
                node = node[p]
            else:
                return False
        return True

    def get(self, path: tuple, default: Any = None) -> Any:
        """The raw value at ``path`` in the file."""
        node: Any = self.doc
        for p in path:
            if isinstance(node, dict) and p in node:
                node = node[p]
            elif isinstance(node, list) and isinstance(p, int) and p < len(node):
                node = node[p]
            else:
                return default
        return node


def _eol_comment(line: str) -> str | None:
    """The end-of-line comment of a YAML line with content before it, else None."""
    quote = None
    for j, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "#" and (j == 0 or line[j - 1] in " \t"):
            if line[:j].strip():
                return line[j + 1:].strip()
            return None
    return None


def _key_lines(node: yaml.Node, path: tuple, out: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            p = path + (k.value,)
            out.setdefault(p, k.start_mark.line)
            _key_lines(v, p, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            p = path + (i,)
            out.setdefault(p, v.start_mark.line)
            _key_lines(v, p, out)


def read_preset(preset_id: str, path: Path) -> Preset:
    """Read a preset file with the project's safe loader, plus its comments (a second, comment-aware pass)."""
    from sim.scenario.loader import read_yaml

    text = path.read_text(encoding="utf-8")
    doc = read_yaml(path)
    lines: dict[tuple, int] = {}
    _key_lines(yaml.compose(text, Loader=yaml.SafeLoader), (), lines)
    src = text.splitlines()
    by_line: dict[int, list[tuple]] = {}
    for p, ln in lines.items():
        by_line.setdefault(ln, []).append(p)
    comments: dict[tuple, str] = {}
    for ln, content in enumerate(src):
        c = _eol_comment(content)
        if c and ln in by_line:
            shallowest = min(by_line[ln], key=len)
            comments[shallowest] = c
    header = []
    for content in src:
        s = content.strip()
        if s.startswith("#"):
            header.append(s.lstrip("#").strip())
        elif s:
            break
    return Preset(preset_id, path, doc, comments, lines, " ".join(header))


def presets_of(kind: str) -> list[Preset]:
    """Every preset file of ``kind`` (``markets``, ``strategies``, ``scenarios``, ``validation``), read."""
    from sim.scenario.presets import list_presets, preset_path

    return [read_preset(pid, preset_path(pid)) for pid in list_presets(kind).get(kind, [])]


def validated(preset: Preset, model: type[BaseModel]) -> BaseModel:
    """The preset's document, with its ``extends`` resolved, validated as ``model``."""
    from sim.scenario import loader

    doc = preset.doc
    if "extends" in repr(doc):
        ctx = loader._Context(str(preset.path), preset.path.parent, loader.presets.scenarios_root(), (preset.path,))
        doc = loader._resolve(doc, ctx, ())
    return loader.validate_document(doc, str(preset.path), model)


def value_at(obj: Any, parts: Sequence[str | int]) -> Any:
    """The value at a key path in a validated model (attributes, map keys, list indices)."""
    for p in parts:
        if obj is None:  # an optional section left out (e.g. a regime that never tightens)
            return None
        if isinstance(p, int):
            obj = obj[p]
        elif isinstance(obj, dict):
            obj = obj[p]
        else:
            obj = getattr(obj, p)
    return obj
