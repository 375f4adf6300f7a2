"""``extends``: scenario files built from preset files.

``extends`` keys at any mapping level are replaced by the referenced preset files, deep-merged left to
right with the local keys on top. References cannot leave the scenarios folder or the including file's
folder; chains and fan-out are capped (:data:`MAX_EXTENDS_DEPTH`, :data:`MAX_EXTENDS_LOADS`), and so are the
bytes of the whole tree (:data:`MAX_EXTENDS_BYTES`, every reference counted, repeated ones too). Each distinct
file is parsed once per load, however often it is referenced.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import short_repr
from sim.scenario import presets
from sim.scenario.overrides import dotted_path
from sim.scenario.yamlsafe import input_error, read_yaml

# --------------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------------


#: Longest chain of files including each other through ``extends``.
MAX_EXTENDS_DEPTH = 16
#: Most ``extends`` files read for one scenario (stops fan-out "extends bombs").
MAX_EXTENDS_LOADS = 200
#: Most bytes of scenario text in one scenario's ``extends`` tree: the scenario file plus every file referenced,
#: a file referenced twice counted twice (its content is merged twice). The biggest shipped tree has 11.4 kB; one
#: file may have 1 MB (:data:`~sim.scenario.yamlsafe.MAX_BYTES`), so this admits a big file and a few beside it
#: and stops the fan-out of one 1 MB file referenced many times (20 references took about 50 s of CPU).
MAX_EXTENDS_BYTES = 3_000_000


@dataclass
class _Budget:
    """What one scenario load has read so far, shared by every file of its ``extends`` tree."""

    loads: int = 0
    bytes: int = 0
    parsed: dict[Path, dict[str, Any]] = field(default_factory=dict)  # each distinct file parsed once


@dataclass(frozen=True)
class _Context:
    """Where a document came from, for resolving its ``extends`` references."""

    source: str
    base_dir: Path | None
    root: Path
    chain: tuple[Path, ...]
    budget: _Budget = field(default_factory=_Budget)


def start_budget(file: Path | None) -> _Budget:
    """A fresh budget for one load, already counting the scenario file itself (``None`` for a mapping)."""
    budget = _Budget()
    if file is not None:
        budget.bytes = _size(file)
    return budget


def _size(file: Path) -> int:
    try:
        return file.stat().st_size
    except OSError:
        return 0  # read_yaml reports the problem with the file


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
    raise input_error(
        ctx.source,
        dotted_path(where),
        "must be a preset reference such as 'markets/japan' or './my_market.yaml', or a list of them",
        short_repr(value),
    )


def _load_reference(ref: str, ctx: _Context, where: tuple[str | int, ...]) -> dict[str, Any]:
    file = _locate(ref, ctx, where)
    if file in ctx.chain:
        names = " -> ".join(_display(p, ctx.root) for p in ctx.chain + (file,))
        raise input_error(ctx.source, dotted_path(where), f"extends cycle: {names}", short_repr(ref))
    if len(ctx.chain) >= MAX_EXTENDS_DEPTH:
        raise input_error(
            ctx.source, dotted_path(where), f"extends chain is longer than {MAX_EXTENDS_DEPTH} files", short_repr(ref)
        )
    budget = ctx.budget
    budget.loads += 1
    if budget.loads > MAX_EXTENDS_LOADS:
        raise input_error(
            ctx.source,
            dotted_path(where),
            f"too many extends references: more than {MAX_EXTENDS_LOADS} files read",
            short_repr(ref),
        )
    size = _size(file)
    if budget.bytes + size > MAX_EXTENDS_BYTES:
        raise input_error(
            ctx.source,
            dotted_path(where),
            f"the extends tree is too big: {_display(file, ctx.root)} ({size:,} bytes) would bring the files "
            f"read for this scenario to {budget.bytes + size:,} bytes; the cap is {MAX_EXTENDS_BYTES:,} bytes "
            "(a file referenced several times counts each time)",
            short_repr(ref),
        )
    budget.bytes += size
    doc = budget.parsed.get(file)
    if doc is None:
        doc = budget.parsed[file] = read_yaml(file)
    sub = _Context(str(file), file.parent, ctx.root, ctx.chain + (file,), budget)
    return _resolve(doc, sub, ())


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _locate(ref: str, ctx: _Context, where: tuple[str | int, ...]) -> Path:
    """Find the file of an ``extends`` reference without leaving the allowed folders."""
    shown = dotted_path(where)
    if not ref.strip() or "\x00" in ref:
        raise input_error(ctx.source, shown, "must be a non-empty preset reference such as 'markets/japan'",
                          short_repr(ref))
    if Path(ref).is_absolute() or ref.startswith(("~", "\\")) or re.match(r"[A-Za-z]:", ref):
        raise input_error(
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
        raise input_error(
            ctx.source,
            shown,
            "reference leaves the scenarios folder (and the including file's folder); references must stay inside them",
            short_repr(ref),
        )
    raise input_error(ctx.source, shown, _unknown_reference_message(ref, ctx), short_repr(ref))


def _unknown_reference_message(ref: str, ctx: _Context) -> str:
    if ref.startswith(".") or ref.endswith((".yaml", ".yml")):
        folders = " and ".join(str(f) for f in dict.fromkeys(f for f in (ctx.base_dir, ctx.root) if f))
        return f"file not found (looked in {folders})"
    return presets.unknown_preset_message(ref, ctx.root)
