"""Documentation that cannot drift: generated references, parameter tables, glossary, links.

``docs/scenarios.md`` and the sections of ``docs/MODEL.md`` between ``<!-- BEGIN GENERATED: x -->``
markers are produced by :mod:`sim.docs` from the schema, the presets and the KPI module. These tests
regenerate them in memory and fail, with the command that fixes it, when the files are stale.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim import docs
from sim.results.kpis import KPI_INFO
from sim.scenario import schema as S

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FIX = "regenerate with `.venv/bin/python -m sim.docs` (or `.venv/bin/python scripts/gen_docs.py`) and commit the result"


def test_generated_docs_are_up_to_date() -> None:
    """docs/scenarios.md and the generated parts of docs/MODEL.md match the code and presets."""
    fresh = docs.generate()
    for path, text in fresh.items():
        rel = path.relative_to(ROOT)
        assert path.exists(), f"{rel} is missing: {FIX}"
        on_disk = path.read_text(encoding="utf-8")
        if on_disk != text:
            old, new = on_disk.splitlines(), text.splitlines()
            first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
            pytest.fail(f"{rel} is stale (first difference at line {first + 1}): {FIX}")


def test_model_md_has_every_generated_section() -> None:
    """Every generator has its markers in MODEL.md, once."""
    text = (DOCS / "MODEL.md").read_text(encoding="utf-8")
    for name in docs.GENERATORS:
        assert text.count(docs.BEGIN.format(name=name)) == 1, f"MODEL.md needs one '{docs.BEGIN.format(name=name)}'"
        assert text.count(docs.END.format(name=name)) == 1, f"MODEL.md needs one '{docs.END.format(name=name)}'"


def test_every_scenario_field_is_in_the_reference() -> None:
    """Each field path of the schema (and of every trait distribution) appears in docs/scenarios.md."""
    text = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    for f, _nested in docs.walk(S.Scenario):
        assert f"`{f.path}`" in text, f"{f.path} is not documented in docs/scenarios.md: {FIX}"
    for dist in docs.DIST_TYPES:
        for f in docs.leaf_fields(dist):
            assert f"`{f.path}`" in text


def test_every_numeric_parameter_declares_a_unit_and_a_source() -> None:
    """Numbers are declared with ``param(...)``: a unit, and a source or the word 'assumption'."""
    missing = []
    models = [S.Scenario, *docs.DIST_TYPES]
    for model in models:
        for f, nested in docs.walk(model):
            if nested is None and f.kind in ("number", "integer"):
                if not f.extra.get("unit") or not f.extra.get("source"):
                    missing.append(f.path)
    assert not missing, f"numeric fields without unit/source (declare them with param(...)): {missing}"


def test_parameter_tables_cover_every_strategy_and_market_field() -> None:
    """The generated parameter tables of MODEL.md list every market and strategy parameter."""
    text = (DOCS / "MODEL.md").read_text(encoding="utf-8")
    body = text.split(docs.BEGIN.format(name="parameters"), 1)[1]
    for f in docs.leaf_fields(S.Strategy):
        assert f"`strategy.{f.path}`" in body, f"strategy.{f.path} missing from MODEL.md parameters: {FIX}"
    for f in docs.leaf_fields(S.Market):
        if "[]" in f.path or "<name>" in f.path:
            assert f.name == "name" or f"`{f.name}`" in body, f"{f.path} missing from MODEL.md parameters: {FIX}"
        else:
            assert f"`market.{f.path}`" in body, f"market.{f.path} missing from MODEL.md parameters: {FIX}"
    for f in docs.leaf_fields(S.Run):
        assert f"`run.{f.path}`" in body


def test_every_kpi_is_defined_in_model_md() -> None:
    """The KPI section lists every KPI the results layer computes."""
    text = (DOCS / "MODEL.md").read_text(encoding="utf-8")
    for name in KPI_INFO:
        assert f"| `{name}` |" in text, f"KPI {name} missing from MODEL.md: {FIX}"


def test_yaml_end_of_line_comments_become_value_sources(tmp_path: Path) -> None:
    """A comment on a flow-style line documents the whole value; '#' inside quotes is not a comment."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "# header line\n"
        "name: 'a # not a comment'\n"
        "segments:\n"
        "  - name: young\n"
        "    psi: {dist: beta, a: 1.5, b: 6.0}   # mean 0.20 (seeds/000)\n"
        "platforms:\n"
        "  cpm: 40.0        # CNY per 1,000 (assumption)\n"
        "  other: 1\n",
        encoding="utf-8",
    )
    p = docs.read_preset("markets/m", path)
    assert p.header == "header line"
    assert p.comment_for(("name",)) == ""
    assert p.comment_for(("segments", 0, "psi")) == "mean 0.20 (seeds/000)"
    assert p.comment_for(("segments", 0, "psi", "a")) == "mean 0.20 (seeds/000)"  # flow style: same line
    assert p.comment_for(("platforms", "cpm")) == "CNY per 1,000 (assumption)"
    assert p.comment_for(("platforms", "other")) == ""
    assert p.is_set(("platforms", "cpm")) and not p.is_set(("platforms", "missing"))


def test_preset_comments_reach_the_parameter_table() -> None:
    """A source written next to a preset value shows up in MODEL.md (e.g. the Tmall commission)."""
    body = (DOCS / "MODEL.md").read_text(encoding="utf-8").split(docs.BEGIN.format(name="parameters"), 1)[1]
    from sim.scenario.presets import list_presets, preset_path

    checked = 0
    for pid in list_presets("markets")["markets"]:
        preset = docs.read_preset(pid, preset_path(pid))
        for comment in preset.comments.values():
            assert docs.cell(comment) in body, f"comment {comment!r} of {pid} is not in MODEL.md: {FIX}"
            checked += 1
    assert checked > 5


REQUIRED_TERMS = (
    "公域", "它域", "私域", "私域流量", "引流", "截流", "留存", "促活", "裂变", "转化", "社交分销", "KOL",
    "会員制", "ポイント", "オプトイン", "個人情報保護法", "特定電子メール法", "个人信息保护法", "K-factor", "LTV",
    "CAC", "Fatigue", "Opt-out", "Breakage", "BG/NBD", "Tiers",
)


def test_glossary_has_the_required_terms_in_three_languages() -> None:
    """Every required term is there, and every term-table row has English, Chinese and Japanese cells.

    The file is generated from ``sim/i18n/glossary_terms.py`` (``tests/test_glossary.py`` checks that it is
    current and that every definition exists in all three languages).
    """
    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    for term in REQUIRED_TERMS:
        assert term in text, f"glossary lacks {term!r}"
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| English")]
    assert len(rows) >= 60
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    for row in rows:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip().strip("|"))]
        assert len(cells) == 4, f"glossary row needs 4 cells (English, 简体中文, 日本語, In the model): {row}"
        english, chinese, japanese, model = cells
        assert english and cjk.search(chinese) and cjk.search(japanese), f"glossary row missing a language: {row}"
        assert model, f"glossary row without a pointer into the model: {row}"
    for label in ("**Meaning** (en)", "**含义** (zh)", "**意味** (ja)"):
        assert text.count(label) == len(rows), f"every term needs a definition labelled {label}"


@pytest.mark.parametrize("name", ["MODEL.md", "scenarios.md", "glossary.md", "README_sections.md"])
def test_relative_links_resolve(name: str) -> None:
    """Relative links in the docs point at files that exist (README drafts link from the repository root)."""
    path = DOCS / name
    base = ROOT if name == "README_sections.md" else path.parent
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target or target.startswith("mailto:") or "SCREENSHOT" in target:
            continue
        assert (base / target).resolve().exists(), f"{name} links to missing {target}"


def test_check_command_reports_stale_files_and_regeneration_restores_them(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``--check`` fails on stale copies and writes nothing; regenerating writes the generator's exact text.

    Written atomically (no temporary file is left beside it), after which the check passes; and
    ``python -m sim.docs --check`` runs the package as a command.
    """
    import subprocess
    import sys

    from sim.docs import build

    done = subprocess.run([sys.executable, "-m", "sim.docs", "--check"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    fresh = docs.generate()
    scenarios_md, model_md = tmp_path / "scenarios.md", tmp_path / "MODEL.md"
    model_md.write_text(docs.render_model_md((DOCS / "MODEL.md").read_text(encoding="utf-8")).replace(
        "| `pool_size` |", "| `pool_size` (edited by hand) |", 1), encoding="utf-8")
    monkeypatch.setattr(build, "SCENARIOS_MD", scenarios_md)
    monkeypatch.setattr(build, "MODEL_MD", model_md)
    monkeypatch.setattr(build, "ROOT", tmp_path)
    assert set(build.stale()) == {scenarios_md, model_md}  # one missing, one edited
    assert build.main(["--check"]) == 1 and not scenarios_md.exists()  # --check writes nothing
    assert build.main([]) == 0
    assert scenarios_md.read_text(encoding="utf-8") == fresh[docs.SCENARIOS_MD]
    assert model_md.read_text(encoding="utf-8") == fresh[docs.MODEL_MD]
    assert build.stale() == [] and sorted(p.name for p in tmp_path.iterdir()) == ["MODEL.md", "scenarios.md"]


def test_docs_modules_each_do_one_job_in_under_600_lines() -> None:
    """The generator stays split into focused modules (issue 11: no module over ~600 lines)."""
    for path in (ROOT / "sim" / "docs").glob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 600, f"{path.relative_to(ROOT)} has {lines} lines"
