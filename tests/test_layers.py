"""The layers import downward only: input -> model -> results -> analysis -> presentation.

Every ``import`` and ``from ... import`` in ``sim/`` and ``dashboard/`` is read from the source (deferred
imports inside functions included, since they load the module all the same), and an import of a module
in a higher layer than the importing module's is an error. Modules shared by every layer (errors,
translations, sources, the version) sit below them all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Layer rank of each top-level part (``sim.<part>``, or ``dashboard``); higher ranks may import lower ones.
LAYERS: dict[str, tuple[int, str]] = {
    "_version": (0, "shared"),
    "errors": (0, "shared"),
    "sources": (0, "shared"),
    "textsafe": (0, "shared"),
    "i18n": (0, "shared"),
    "scenario": (1, "input"),
    "model": (2, "model"),
    "reference": (2, "model"),
    "results": (3, "results"),
    "format": (3.5, "results (formatting of KPI values)"),
    "api": (3.5, "results (the public entry sim.run / sim.resolve)"),
    "": (3.5, "results (the package sim, whose public names are those of sim.api)"),
    "analysis": (4, "analysis"),
    "cli": (5, "presentation"),
    "figures": (5, "presentation"),
    "figures_decide": (5, "presentation"),
    "report": (5, "presentation"),
    "report_decisions": (5, "presentation"),
    "report_columns": (5, "presentation"),
    "report_verdict": (5, "presentation"),
    "docs": (5, "presentation"),
    "teaching": (5, "presentation (the notebooks' check cells)"),
    "dashboard": (5, "presentation"),
}


def _part(module: str) -> str:
    """``sim.analysis.sweep`` -> ``analysis``; ``sim`` -> ``""``; ``dashboard.views.decide`` -> ``dashboard``."""
    parts = module.split(".")
    if parts[0] == "dashboard":
        return "dashboard"
    return parts[1] if len(parts) > 1 and parts[1] != "__init__" else ""


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every absolute import of ``sim`` or ``dashboard`` in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if node.module != "sim" else [f"sim.{a.name}" for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in ("sim", "dashboard")]
    return found


def upward_imports(paths: list[Path]) -> list[str]:
    """Every import from a higher layer, as ``file:line: module (layer) imports target (layer)``."""
    bad = []
    for path in paths:
        rel = path.relative_to(ROOT)
        here = _part(".".join(rel.with_suffix("").parts))
        rank, name = LAYERS[here]
        for line, target in _imports(path):
            there = _part(target)
            if there not in LAYERS:  # sim.<a module or name of the package root>, e.g. sim.run via ``from sim``
                there = ""
            if LAYERS[there][0] > rank:
                bad.append(f"{rel}:{line}: {here or 'sim'} ({name}) imports {target} ({LAYERS[there][1]})")
    return bad


def _sources() -> list[Path]:
    return sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")])


def test_every_part_of_the_package_has_a_layer() -> None:
    """A new top-level module or package must be given a layer here before it can be checked."""
    parts = {_part(".".join(p.relative_to(ROOT).with_suffix("").parts)) for p in _sources()}
    assert sorted(parts - set(LAYERS)) == []


def test_no_import_points_upward() -> None:
    """No module imports from a layer above its own (deferred imports inside functions count)."""
    assert upward_imports(_sources()) == []


@pytest.mark.parametrize(
    ("where", "code", "words"),
    [
        ("sim/reference/fake.py", "from sim.results.result import RunResult\n",
         "reference (model) imports sim.results"),
        ("sim/model/fake.py", "def f():\n    import sim.api\n", "model (model) imports sim.api"),
        ("sim/results/fake.py", "from sim import run\n", "results (results) imports sim.run"),
        ("sim/analysis/fake.py", "from sim.figures import style\n", "analysis (analysis) imports sim.figures"),
    ],
)
def test_the_check_finds_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, code: str,
                                          words: str) -> None:
    """Planted upward imports (at module level and deferred inside a function) are each reported."""
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_text(code, encoding="utf-8")
    bad = upward_imports([path])
    assert len(bad) == 1 and words in bad[0]
