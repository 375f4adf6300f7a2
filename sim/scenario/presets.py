"""Preset scenario files: where they live, what exists, and comparison lists.

Presets are YAML files under the scenarios folder (``scenarios/`` at the repository root, or the
folder named by the ``SIM_SCENARIOS_DIR`` environment variable):

* ``markets/<id>.yaml`` and ``strategies/<id>.yaml``: partial documents used through ``extends``;
* ``<id>.yaml`` directly in the folder: complete scenarios;
* ``comparisons/<id>.yaml``: ``{name, description, scenarios: [scenario id, ...]}``;
* ``validation/<id>.yaml``: scenarios with known closed-form answers.

Preset ids are ``kind/name`` (``markets/japan``), except top-level scenarios, which are just
``name`` (``china_in_china``).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from sim.errors import Problem, SimInputError, short_repr

__all__ = [
    "KINDS",
    "SCENARIOS_DIR",
    "list_presets",
    "load_comparison",
    "preset_path",
    "scenarios_root",
    "unknown_preset_message",
]

#: The repository's scenarios folder.
SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"
#: Environment variable naming another scenarios folder.
ENV_VAR = "SIM_SCENARIOS_DIR"
#: Preset kinds; ``scenarios`` are the files directly in the scenarios folder.
KINDS = ("markets", "strategies", "scenarios", "comparisons", "validation")

_PRESET_ID = re.compile(r"(?:[A-Za-z0-9_\-]+/)?[A-Za-z0-9_\-]+")


def scenarios_root(root: str | Path | None = None) -> Path:
    """The scenarios folder: ``root`` if given, else ``$SIM_SCENARIOS_DIR``, else ``SCENARIOS_DIR``."""
    if root is not None:
        return Path(root)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else SCENARIOS_DIR


def _kind_folder(base: Path, kind: str) -> Path:
    return base if kind == "scenarios" else base / kind


def _preset_id(kind: str, stem: str) -> str:
    return stem if kind == "scenarios" else f"{kind}/{stem}"


def list_presets(kind: str | None = None, *, root: str | Path | None = None) -> dict[str, list[str]]:
    """Preset ids grouped by kind.

    Args:
        kind: One of ``KINDS`` to list only that kind, or ``None`` for all.
        root: The scenarios folder (default: :func:`scenarios_root`).

    Returns:
        ``{kind: [preset id, ...]}`` with sorted ids; missing folders give empty lists.

    Raises:
        SimInputError: If ``kind`` is not a known kind.
    """
    if kind is not None and kind not in KINDS:
        raise SimInputError.single("presets", "kind", f"unknown preset kind; expected one of {', '.join(KINDS)}", kind)
    base = scenarios_root(root)
    out: dict[str, list[str]] = {}
    for k in KINDS if kind is None else (kind,):
        folder = _kind_folder(base, k)
        files = sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []
        out[k] = [_preset_id(k, p.stem) for p in files]
    return out


def _kind_of(ref: str) -> str:
    return ref.split("/", 1)[0] if "/" in ref else "scenarios"


def _closest(name: str, ids: list[str]) -> str | None:
    """The id whose last part is closest to the last part of ``name``."""
    by_stem = {i.rsplit("/", 1)[-1]: i for i in ids}
    hint = difflib.get_close_matches(name.rsplit("/", 1)[-1], list(by_stem), n=1)
    return by_stem[hint[0]] if hint else None


def unknown_preset_message(ref: str, root: str | Path | None = None) -> str:
    """Explain that ``ref`` names no preset, with a suggestion and the available ids of its kind."""
    kind = _kind_of(ref)
    if kind not in KINDS:
        return f"unknown preset kind {kind!r}; preset kinds are: {', '.join(KINDS)}"
    ids = list_presets(kind, root=root)[kind]
    hint = _closest(ref, ids)
    did = f" Did you mean {hint!r}?" if hint else ""
    listing = ", ".join(ids) if ids else "(none)"
    return f"unknown preset {ref!r}.{did} Available {kind}: {listing}"


def preset_path(ref: str, *, root: str | Path | None = None) -> Path:
    """The file of a preset id such as ``markets/japan`` or ``china_in_china``.

    Args:
        ref: The preset id (a trailing ``.yaml`` is accepted).
        root: The scenarios folder (default: :func:`scenarios_root`).

    Returns:
        The path of the existing preset file.

    Raises:
        SimInputError: If ``ref`` is not a well-formed id, names an unknown kind, or no such
            preset exists (the message lists the available ones).
    """
    base = scenarios_root(root)
    name = ref.removesuffix(".yaml").removeprefix("scenarios/") if isinstance(ref, str) else ref
    if not isinstance(name, str) or not _PRESET_ID.fullmatch(name):
        raise SimInputError.single(
            "presets", "", "not a preset id; expected e.g. 'markets/japan' or 'china_in_china'", ref
        )
    kind = _kind_of(name)
    if kind not in KINDS or kind == "scenarios" and "/" in name:
        raise SimInputError.single(
            "presets", "", f"unknown preset kind {kind!r}; expected one of {', '.join(KINDS)}", ref
        )
    path = _kind_folder(base, kind) / f"{name.split('/')[-1]}.yaml"
    if not path.is_file():
        raise SimInputError.single("presets", "", unknown_preset_message(name, base), ref)
    return path


class _Comparison(BaseModel):
    """The format of a comparison file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, description="Title of the comparison.")
    description: str = Field("", max_length=4000, description="What the comparison shows.")
    scenarios: list[str] = Field(min_length=1, max_length=16, description="Top-level scenario ids.")


def load_comparison(ref: str, *, root: str | Path | None = None) -> tuple[str, str, list[str]]:
    """Read a comparison preset.

    Args:
        ref: ``comparisons/<id>`` or just ``<id>``.
        root: The scenarios folder (default: :func:`scenarios_root`).

    Returns:
        ``(title, description, scenario ids)``; every id names a top-level scenario file.

    Raises:
        SimInputError: If the file is missing or malformed, or names unknown or repeated
            scenarios.
    """
    from sim.scenario.messages import validate_document
    from sim.scenario.yamlsafe import read_yaml

    base = scenarios_root(root)
    name = ref if isinstance(ref, str) and ref.startswith("comparisons/") else f"comparisons/{ref}"
    path = preset_path(name, root=base)
    comparison = validate_document(read_yaml(path), str(path), _Comparison)
    known = list_presets("scenarios", root=base)["scenarios"]
    problems: list[Problem] = []
    for i, scenario in enumerate(comparison.scenarios):
        if scenario not in known:
            hint = [h for h in (_closest(scenario, known),) if h]
            did = f" Did you mean {hint[0]!r}?" if hint else ""
            problems.append(
                Problem(
                    f"scenarios.{i}",
                    f"unknown scenario.{did} Available scenarios: {', '.join(known) or '(none)'}",
                    short_repr(scenario),
                )
            )
        elif comparison.scenarios.index(scenario) != i:
            problems.append(Problem(f"scenarios.{i}", "scenario listed twice", short_repr(scenario)))
    if problems:
        raise SimInputError(str(path), problems)
    return comparison.name, comparison.description, list(comparison.scenarios)
