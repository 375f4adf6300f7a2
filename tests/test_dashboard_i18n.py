"""String tables: every key in English, 简体中文 and 日本語, and no hard-coded interface text in page code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sim import figures
from sim.i18n import LANGS, TABLES, has, placeholders, t
from sim.model import layout as L
from sim.results.kpis import KPI_INFO
from sim.scenario import list_presets

ROOT = Path(__file__).resolve().parents[1]
CODE = [*sorted((ROOT / "dashboard").rglob("*.py")), *sorted((ROOT / "sim" / "figures").glob("*.py")),
        ROOT / "sim" / "report.py"]


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_every_key_exists_in_every_language_with_the_same_placeholders(lang: str) -> None:
    """Every key exists in every language with the same placeholders."""
    en, other = TABLES["en"], TABLES[lang]
    assert sorted(set(en) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(en)) == [], f"only in {lang}"
    wrong = {k: (placeholders(en[k]), placeholders(other[k])) for k in en
             if placeholders(en[k]) != placeholders(other[k])}
    assert wrong == {}
    untranslated = [k for k in en if other[k] == en[k] and re.search(r"[a-z]{4,}", en[k]) and not k.startswith(
        ("explore.method_", "export.", "compare.col_kpi", "explore.kpi"))]
    assert untranslated == [], f"identical to English in {lang}"


def test_every_value_is_a_non_empty_string_that_formats() -> None:
    """Every value is a non empty string that formats."""
    for lang, table in TABLES.items():
        for key, text in table.items():
            assert isinstance(text, str) and text.strip(), (lang, key)
            names = placeholders(text)
            text.format(**{n: "x" for n in names})  # no stray braces


def test_domain_vocabulary_is_complete() -> None:
    """Domain vocabulary is complete."""
    keys = [f"kpi.{k}" for k in KPI_INFO] + [f"stage.{s}" for s in L.STAGES] + [f"event.{e}" for e in L.EVENTS]
    keys += [f"money.{m}" for m in L.MONEY] + [f"metric.{m}" for m in figures.SERIES]
    keys += [f"source.{s}" for s in L.SOURCES] + ["regime.explicit_opt_in", "regime.consent_at_join"]
    presets = list_presets()
    keys += [f"preset.{p}" for p in presets["scenarios"]]
    keys += [f"comparison.{c.removeprefix('comparisons/')}" for c in presets["comparisons"]]
    missing = [k for k in keys if not has(k)]
    assert missing == []


def test_explore_levers_have_labels() -> None:
    """Explore levers have labels."""
    source = (ROOT / "dashboard" / "views" / "explore.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    levers = next(n for n in tree.body if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "LEVERS")
    names = [k.value for k in levers.value.keys]  # type: ignore[union-attr]
    assert names and all(has(f"lever.{n}") for n in names)


def _literal_keys(path: Path) -> set[str]:
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in ("T", "t") and isinstance(node.args[0].value, str):
                keys.add(node.args[0].value)
    return keys


@pytest.mark.parametrize("path", CODE, ids=lambda p: p.name)
def test_every_key_used_in_code_exists(path: Path) -> None:
    """Every key used in code exists."""
    missing = sorted(k for k in _literal_keys(path) if not has(k))
    assert missing == []


#: Streamlit calls whose first argument is shown to the user.
_TEXT_CALLS = {"title", "header", "subheader", "caption", "markdown", "write", "info", "success", "warning", "error",
               "button", "download_button", "selectbox", "multiselect", "slider", "select_slider", "number_input",
               "text_input", "text_area", "radio", "checkbox", "file_uploader", "metric", "expander", "tabs", "toast",
               "progress", "spinner", "set_page_config"}


@pytest.mark.parametrize("path", sorted((ROOT / "dashboard").rglob("*.py")), ids=lambda p: p.name)
def test_no_hard_coded_interface_text_in_dashboard_code(path: Path) -> None:
    """No hard coded interface text in dashboard code."""
    offenders = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _TEXT_CALLS):
            continue
        args = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in ("label", "body", "text", "help",
                                                                                    "placeholder", "page_title")]
        for a in args:
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and re.search(r"[A-Za-z]{3,}", a.value):
                offenders.append(f"line {node.lineno}: {a.value[:40]!r}")
    assert offenders == []


def test_language_fallback_and_formatting() -> None:
    """Language fallback and formatting."""
    assert t("nav.compare", "zh") == "对比"
    assert t("nav.compare", "ja-JP") == "比較"
    assert t("nav.compare", "xx") == "Compare"
    assert t("no.such.key", "ja") == "no.such.key"
    assert "1,095" in t("common.days_years", "en", days="1,095", years="3.0")
