"""The glossary as data (issue 18 item 6) and what the teaching text says (issue 18 item 2, issue 17 item 5).

``sim/i18n/glossary_terms.py`` holds every term and its definition in English, 简体中文 and 日本語;
``docs/glossary.md`` is rendered from it and must not drift. The second half checks the statements that the
glossary, docs/MODEL.md, the Learn page and the notebooks' prose used to get wrong: who coined AIDMA, what
RFM is, how to read LTV/CAC, the time unit of the Bass coefficients, what PIPL, APPI and the Specified E-mail
Act say, and that sources are cited by title rather than by paths outside the repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.i18n import LANGS, TABLES
from sim.i18n import glossary as G
from sim.i18n.glossary_terms import SECTIONS, Section, Term

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
TERMS = [t for s in SECTIONS for t in s.terms]


# ---- the data --------------------------------------------------------------------------------------------------


def test_every_term_has_three_terms_and_three_definitions() -> None:
    """Each entry names the term and defines it in en, zh and ja, and points into the model."""
    assert len(TERMS) >= 70
    for t in TERMS:
        assert set(t.term) == set(LANGS) and set(t.definition) == set(LANGS), t.key
        for lang in LANGS:
            assert t.term[lang].strip(), f"{t.key}: no {lang} term"
            assert len(t.definition[lang].strip()) >= 8, f"{t.key}: no real {lang} definition"
        assert t.model.strip(), f"{t.key}: no pointer into the model"


def test_chinese_and_japanese_definitions_are_written_in_cjk() -> None:
    """A zh or ja definition is not an English sentence left untranslated, nor a copy of the other language."""
    for t in TERMS:
        for lang in ("zh", "ja"):
            text = t.definition[lang]
            assert CJK.search(text), f"{t.key}: the {lang} definition has no CJK characters"
            cjk_share = len(CJK.findall(text)) / len(re.sub(r"\s|`[^`]*`", "", text))
            assert cjk_share > 0.3, f"{t.key}: the {lang} definition is mostly not Chinese/Japanese ({cjk_share:.0%})"
        assert t.definition["zh"] != t.definition["ja"], f"{t.key}: zh and ja definitions are identical"
        assert not CJK.search(t.definition["en"]), f"{t.key}: CJK text in the English definition"


def test_keys_are_unique_and_the_checker_is_clean() -> None:
    """Section and term keys are unique; :func:`problems` finds nothing in the shipped content."""
    assert len({t.key for t in TERMS}) == len(TERMS)
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)
    assert G.problems() == []


def test_the_checker_reports_a_missing_definition_and_untranslated_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`problems` names the term and the language that is missing or not in CJK."""
    broken = (
        Term("x1", {"en": "Thing", "zh": "东西", "ja": "もの"}, {"en": "A thing.", "zh": "", "ja": "もの。"}, "`x`"),
        Term("x2", {"en": "Other", "zh": "Other", "ja": "他"}, {"en": "Other.", "zh": "Other.", "ja": "他。"}, ""),
        Term("x1", {"en": "Dup", "zh": "重", "ja": "重"}, {"en": "Dup.", "zh": "重复。", "ja": "重複。"}, "`y`"),
    )
    monkeypatch.setattr(G, "SECTIONS", (Section("s", {"en": "S", "zh": "节", "ja": ""}, broken),))
    found = "\n".join(G.problems())
    assert "section s: no title in ja" in found
    assert "x1: no definition in zh" in found
    assert "x2: the zh term has no Chinese or Japanese characters" in found
    assert "x2: the zh definition has no Chinese or Japanese characters" in found
    assert "x2: no model pointer" in found
    assert "term key 'x1' is used twice" in found
    assert G.main(["--check"]) == 2  # the command refuses to render broken content


# ---- the rendered document and the API -------------------------------------------------------------------------


def test_docs_glossary_md_is_generated_from_the_data() -> None:
    """docs/glossary.md equals the renderer's output: edit sim/i18n/glossary_terms.py, then regenerate."""
    on_disk = (DOCS / "glossary.md").read_text(encoding="utf-8")
    fix = "run `.venv/bin/python -m sim.i18n.glossary --write`"
    assert on_disk == G.render_markdown(), f"docs/glossary.md is stale: {fix}"


def test_rendered_document_has_every_term_and_definition_in_each_language() -> None:
    """Each term appears in its section's table and with its three definitions."""
    text = G.render_markdown()
    for section in SECTIONS:
        assert " · ".join(section.title[lang] for lang in LANGS) in text
    for t in TERMS:
        assert "| " + " | ".join(t.term[lang] for lang in LANGS) + " | " in text, t.key
        for lang in LANGS:
            assert t.definition[lang] in text, f"{t.key} {lang}"
    assert "## Sources · 资料来源 · 出典" in text


def test_one_language_for_the_learn_page() -> None:
    """glossary(lang) gives the same terms in the same order in each language, with that language's text."""
    by_lang = {lang: G.glossary(lang) for lang in LANGS}
    keys = [[(s.key, [e.key for e in s.entries]) for s in by_lang[lang]] for lang in LANGS]
    assert keys[0] == keys[1] == keys[2]
    assert by_lang["en"][0].title == "Traffic domains" and by_lang["zh"][0].title == "流量域"
    breakage = {lang: G.term("breakage", lang) for lang in LANGS}
    assert breakage["en"].term == "Breakage" and breakage["ja"].term.startswith("ブレイケージ")
    assert breakage["zh"].definition != breakage["en"].definition
    assert breakage["en"].model == breakage["ja"].model == "tallies `points_expired`, `points_forfeited`"
    assert G.glossary("fr") == G.glossary("en") and G.glossary("ja-JP") == by_lang["ja"]
    with pytest.raises(KeyError, match="no glossary term 'nonsense'"):
        G.term("nonsense")


def test_markdown_for_one_language() -> None:
    """The one-language Markdown holds every term and definition of that language and none of another's."""
    md = G.markdown_for("zh")
    for t in TERMS:
        assert f"**{t.term['zh']}** — {t.definition['zh']}" in md
    assert G.term("pipl", "ja").definition not in md
    assert md.count("### ") == len(SECTIONS)


def test_command_writes_checks_and_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    """--check fails on a missing or stale file, --write fixes it atomically, no option prints the Markdown."""
    target = tmp_path / "docs" / "glossary.md"
    monkeypatch.setattr(G, "DOC_PATH", target)
    assert G.main(["--check"]) == 1
    assert G.main(["--write"]) == 0
    assert target.read_text(encoding="utf-8") == G.render_markdown()
    assert sorted(p.name for p in target.parent.iterdir()) == ["glossary.md"]  # no temporary file left
    assert G.main(["--check"]) == 0
    target.write_text(G.render_markdown().replace("ブレイケージ", "ブレークエージ"), encoding="utf-8")
    assert G.main(["--check"]) == 1
    capsysbinary.readouterr()
    assert G.main([]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == G.render_markdown()


# ---- one spelling per term -------------------------------------------------------------------------------------


def _notebook_markdown() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        out[path.name] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return out


def _project_text() -> dict[str, str]:
    """Interface tables, notebook prose and docs: where a spelling variant could hide."""
    files = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "sim" / "i18n").glob("*.py")}
    files |= {p.name: p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")}
    files["README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    return files | _notebook_markdown()


@pytest.mark.parametrize("variant", ["ブレークエージ", "ブレーケージ", "ブレイクエージ"])
def test_breakage_has_one_japanese_spelling(variant: str) -> None:
    """ブレイケージ everywhere (the issue found ブレイケージ in the glossary and ブレークエージ on the Learn page)."""
    offenders = [name for name, text in _project_text().items() if variant in text]
    assert not offenders, f"{variant!r} (use ブレイケージ) in {offenders}"


@pytest.mark.parametrize(("key", "lang", "ui_key"), [
    ("breakage", "ja", "learn.membership.body"),
    ("breakage", "zh", "learn.membership.body"),
    ("k_factor", "ja", "learn.fission.title"),
    ("k_factor", "zh", "learn.fission.title"),
    ("fission", "ja", "learn.fission.title"),
    ("opt_out", "ja", "learn.fatigue.body"),
    ("public_domain", "ja", "learn.domains.body"),
    ("private_domain", "ja", "learn.domains.body"),
    ("other_domain", "ja", "learn.domains.body"),
    ("k_factor", "ja", "kpi.k_factor"),
    ("private_share", "zh", "kpi.private_share"),
    ("private_share", "ja", "kpi.private_share"),
    ("unsubs", "zh", "kpi.unsubs_per_1000"),
    ("unsubs", "ja", "kpi.unsubs_per_1000"),
    ("viral_share", "zh", "kpi.viral_share"),
    ("viral_share", "ja", "kpi.viral_share"),
    ("data_breach", "ja", "kpi.breaches"),
    ("enforcement", "ja", "kpi.enforcements"),
    ("opt_out", "zh", "kpi.opt_outs"),
])
def test_glossary_spelling_matches_the_learn_page(key: str, lang: str, ui_key: str) -> None:
    """The glossary's main spelling (before any bracketed gloss) is the one the Learn page uses."""
    main = re.split(r"[（(]", G.term(key, lang).term)[0].strip()
    assert main in TABLES[lang][ui_key], f"{ui_key} ({lang}) does not use the glossary's spelling {main!r}"


# ---- what is taught --------------------------------------------------------------------------------------------


def _handwritten_model_md() -> str:
    text = (DOCS / "MODEL.md").read_text(encoding="utf-8")
    return re.sub(r"<!-- BEGIN GENERATED: (\S+) -->.*?<!-- END GENERATED: \1 -->", "", text, flags=re.S)


def _learn_text(lang: str) -> str:
    return "\n".join(v for k, v in TABLES[lang].items() if k.startswith("learn."))


def _teaching_corpus() -> dict[str, str]:
    corpus = {"docs/glossary.md": (DOCS / "glossary.md").read_text(encoding="utf-8"),
              "docs/MODEL.md (hand-written parts)": _handwritten_model_md()}
    corpus |= {f"learn.* ({lang})": _learn_text(lang) for lang in LANGS}
    return corpus | _notebook_markdown()


@pytest.mark.parametrize("pattern", [r"seeds/", r"DOMAIN\.md", r"DESIGN\.md", r"/work/shared"])
def test_sources_are_cited_by_title_not_by_path(pattern: str) -> None:
    """The teaching text cites the articles by author, year and title, never paths outside the repository."""
    offenders = [name for name, text in _teaching_corpus().items() if re.search(pattern, text)]
    assert not offenders, f"{pattern} cited in {offenders}"


@pytest.mark.parametrize("wrong", [
    r"AIDMA[^\n]{0,40}Lewis", r"RFM\W{0,3} summary", r"above 1 pays back", r"no recording",
    r"joining a group or adding a contact counts as consent", r"nothing without explicit permission",
])
def test_statements_that_were_wrong_are_gone(wrong: str) -> None:
    """AIDMA is not Lewis's; (x, t_x, T) is not 'the RFM summary'; LTV/CAC > 1 is not payback; APPI and PIPL."""
    offenders = [name for name, text in _teaching_corpus().items() if re.search(wrong, text, flags=re.I)]
    assert not offenders, f"{wrong!r} still taught in {offenders}"


def test_funnels_are_credited_correctly() -> None:
    """AIDA to Lewis (c. 1898), AIDMA to Hall (1924), AISAS to Dentsu (2004), in every language and MODEL.md."""
    for lang in LANGS:
        d = G.term("funnels", lang).definition
        for fact in ("Lewis", "1898", "Hall", "1924", "AISAS", "2004"):
            assert fact in d, f"{lang}: {fact}"
        assert d.index("Lewis") < d.index("AIDMA") < d.index("Hall")
    model = _handwritten_model_md()
    assert "AIDA (E. St. Elmo Lewis, c. 1898), AIDMA (usually attributed to Samuel Roland Hall" in model


def test_bgnbd_summary_is_frequency_recency_age() -> None:
    """BG/NBD is fitted to (x, t_x, T); RFM is recency, frequency and monetary value."""
    assert "(x, t_x, T)" in G.term("rfm").definition and "monetary" in G.term("rfm").definition
    assert "age T" in G.term("bgnbd").definition
    nb07 = _notebook_markdown()["07_calibrate_to_your_data.ipynb"]
    assert "(x, t_x, T)" in nb07 and "monetary value" in nb07


def test_ltv_cac_states_the_convention_and_the_models_definition() -> None:
    """3:1 with the full acquisition cost; the model's ratio leaves out ads and is horizon-truncated."""
    for lang in LANGS:
        d = G.term("ltv_cac", lang).definition
        assert "3:1" in d and "`cost_per_member`" in d and "`cac`" in d and "`ltv_pool_cac`" in d, lang
    assert "without ad spend" in G.term("ltv_cac").definition.replace("excludes ad spend", "without ad spend")
    model = _handwritten_model_md()
    assert "**Reading `ltv_cac`.**" in model and "3:1" in model
    nb01 = _notebook_markdown()["01_public_vs_private_traffic.ipynb"]
    assert "3:1" in nb01 and "leaves ad spend out" in nb01


def test_bass_coefficients_carry_their_time_unit() -> None:
    """Bass p = 0.002/day ≈ 0.73/year and q = 0.03/day ≈ 11/year, checked against the validation scenario."""
    from sim import resolve

    s = resolve("validation/bass")
    strategy = s.brands[0].strategy
    p = strategy.acquisition.organic.reach_per_day * strategy.acquisition.organic.follow_rate
    q = strategy.referral.share_rate * strategy.referral.contacts_per_share * s.market.behaviour.referral_accept_base
    assert (p, q) == pytest.approx((0.002, 0.03))
    assert round(p * 365, 2) == 0.73 and round(q * 365) == 11
    for text in (G.term("bass").definition, _handwritten_model_md(), _notebook_markdown()["04_fission_k_factor.ipynb"]):
        assert "0.73" in text and "11" in text and "per year" in text.replace("**", "")
        assert "per day" in text.replace("**", "")


def test_consent_law_is_stated_as_the_laws_say() -> None:
    """PIPL: informed, voluntary, explicit; SMS needs consent in China; LINE vs the Specified E-mail Act; fines."""
    en = G.term("pipl").definition
    assert "informed, voluntary and explicit" in en and "arts. 13–14" in en
    assert "art. 43" in G.term("advertising_law_sms").definition
    appi = G.term("appi").definition
    assert "does not forbid recording" in appi and "not a fine per breach" in appi and "art. 26" in appi
    mail = G.term("specified_email_act").definition
    assert "LINE" in mail and "not a fine per complaint" in mail
    assert "the model simplifies" in G.term("implied_consent").definition.lower() or \
        "simplification" in G.term("implied_consent").definition
    learn = {lang: TABLES[lang]["learn.consent.body"] for lang in LANGS}
    assert "informed, voluntary and explicit" in learn["en"] and "art. 43" in learn["en"] and "LINE" in learn["en"]
    assert "充分知情" in learn["zh"] and "第四十三条" in learn["zh"] and "LINE" in learn["zh"]
    assert "十分な説明" in learn["ja"] and "第 43 条" in learn["ja"] and "LINE" in learn["ja"]
    for lang, text in learn.items():
        assert ("simplif" in text) or ("简化" in text) or ("簡略化" in text), f"{lang}: says where the model simplifies"
    model = _handwritten_model_md()
    assert "guidance → order → penalty" in model and "does not prohibit recording" in model
    nb02 = _notebook_markdown()["02_china_vs_japan.ipynb"]
    assert "LINE official-account messages are generally treated as outside it" in nb02
    assert "PIPL asks for informed, voluntary, explicit consent" in nb02
