"""The glossary of domain terms in English, 简体中文 and 日本語: data access, the Learn page API and docs/glossary.md.

The content lives in :mod:`sim.i18n.glossary_terms` (sections of terms, each with the term and its definition
in the three languages and a pointer into the model). This module

* serves one language to the dashboard: :func:`glossary` returns the sections with, per term, the term, the
  definition and the model pointer in that language, and :func:`markdown_for` the same as Markdown;
* renders the trilingual reference ``docs/glossary.md``: :func:`render_markdown`;
* checks the content: :func:`problems` lists every missing language or definition without CJK text.

``docs/glossary.md`` is generated; ``tests/test_glossary.py`` fails when it differs from
:func:`render_markdown`. Regenerate it with::

    .venv/bin/python -m sim.i18n.glossary --write        # writes docs/glossary.md (atomically)
    .venv/bin/python -m sim.i18n.glossary --check        # exit status 1 when docs/glossary.md is stale
    .venv/bin/python -m sim.i18n.glossary                # prints the Markdown to standard output

>>> from sim.i18n.glossary import glossary
>>> first = glossary("ja")[0].entries[0]
>>> first.term, first.model.startswith("`market.platforms`")
('パブリックドメイン（公域）', True)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from sim.i18n import LANG_NAMES, LANGS, norm_lang
from sim.i18n.glossary_terms import SECTIONS, Section, Term

__all__ = [
    "DOC_PATH", "GlossaryEntry", "GlossarySection", "SOURCES_MD", "glossary", "main", "markdown_for", "problems",
    "render_markdown", "term",
]

#: Where the rendered glossary lives in the repository.
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")

#: Headings and labels of the rendered documents, per language.
_LABELS = {
    "en": {"title": "Glossary", "meaning": "Meaning", "model": "In the model", "sources": "Sources"},
    "zh": {"title": "术语表", "meaning": "含义", "model": "模型中的对应", "sources": "资料来源"},
    "ja": {"title": "用語集", "meaning": "意味", "model": "モデル内の対応箇所", "sources": "出典"},
}

#: The articles and laws the definitions cite, as a Markdown list (the same in every language: titles are
#: given in the original and in English).
SOURCES_MD = """\
Articles (in Chinese; English titles are translations):

- Rimaotong (日贸通) (2025), «私域电商，日本才是“鼻祖”，精细稳健有礼貌» (“In private-domain commerce Japan is the
  originator: meticulous, steady and polite”), AMZ123 Cross-border Headlines, 2025-06-24.
- ITC (n.d.), «私域流量会成为中国的趋势吗？» (“Will private traffic become a trend in China?”), ITC blog, undated
  (written after Singles' Day 2019).
- Ebrun (亿邦动力) (n.d.), «私域运营——“亚马逊们”的终结者？» (“Private-domain operation: the end of the Amazons?”),
  Ebrun, undated.
- EO Intelligence (亿欧智库) (2022), «2022中国私域流量管理研究报告» (“2022 China private-traffic management research
  report”), AMZ123 Cross-border Headlines, 2022-03-18.
- unnamed author (2025), «私域电商百科» (“An encyclopedia of private-domain e-commerce”), online article, 2025-06-09.

Laws:

- China: Personal Information Protection Law (个人信息保护法, 2021), arts. 13–15, 23, 24, 29, 66; Advertising Law
  (广告法, 2015 revision), art. 43; MIIT, Provisions on the Administration of Communication Short Message Services
  (通信短信息服务管理规定, 2015), art. 18.
- Japan: Act on Regulation of Transmission of Specified Electronic Mail (特定電子メールの送信の適正化等に関する法律,
  2002; opt-in since 2008), arts. 3–4; Act on the Protection of Personal Information (個人情報の保護に関する法律,
  2003; amended 2020, in force 2022), arts. 17, 18, 21, 26, 27.

Models: Bass (1969), *Management Science* 15(5); Fader, Hardie & Lee (2005), *Marketing Science* 24(2); Grimm et
al. (2006, 2010, 2020) for the ODD protocol; Sultan, Farley & Lehmann (1990), *Journal of Marketing Research* 27(1)
for typical Bass coefficients.
"""

_INTRO = """\
Domain terms used in the sandbox, its notebooks and its dashboard, with definitions in English, 简体中文 and
日本語. “In the model” says where the idea lives (a scenario field, a KPI or a mechanism; see
[MODEL.md](MODEL.md) and [scenarios.md](scenarios.md)); where the model simplifies a rule, the definition says so.
Chinese terms follow the source articles (listed at the end); Japanese terms are those of Japanese marketing
practice and law.

本文件列出沙盘、教学笔记本和仪表盘中使用的领域术语，并以英文、简体中文和日文给出定义；“In the model”一栏指出概念在
模型中的位置。各国法律条文以法律名称和条号引用。

サンドボックス、ノートブック、ダッシュボードで使う用語を、英語・簡体字中国語・日本語の定義とともにまとめています。
「In the model」の列はモデル内の対応箇所を示します。法令は法令名と条番号で引用しています。

This file is generated from `sim/i18n/glossary_terms.py`; do not edit it by hand. Regenerate it with
`.venv/bin/python -m sim.i18n.glossary --write`.
"""


class GlossaryEntry(NamedTuple):
    """One term in one language, as the Learn page shows it."""

    key: str
    term: str
    definition: str
    model: str


class GlossarySection(NamedTuple):
    """One section in one language."""

    key: str
    title: str
    entries: tuple[GlossaryEntry, ...]


def glossary(lang: str = "en") -> tuple[GlossarySection, ...]:
    """The glossary in one language, for the dashboard's Learn page.

    Args:
        lang: ``en``, ``zh`` or ``ja`` (anything else falls back to English, as :func:`sim.i18n.t` does).

    Returns:
        The sections in display order; each has a stable ``key``, its ``title`` in ``lang`` and its entries,
        each with a stable ``key``, the ``term``, its ``definition`` (Markdown: may contain `code` spans) and
        ``model``, the pointer into the model (scenario fields, KPIs in `code`; the same in every language).
    """
    code = norm_lang(lang)
    return tuple(
        GlossarySection(s.key, s.title[code],
                        tuple(GlossaryEntry(t.key, t.term[code], t.definition[code], t.model) for t in s.terms))
        for s in SECTIONS
    )


def term(key: str, lang: str = "en") -> GlossaryEntry:
    """One entry by its key (e.g. ``"breakage"``) in ``lang``; a KeyError names an unknown key."""
    for section in glossary(lang):
        for entry in section.entries:
            if entry.key == key:
                return entry
    raise KeyError(f"no glossary term {key!r}")


def markdown_for(lang: str = "en") -> str:
    """The glossary in one language as Markdown (a heading per section, a bold term and its definition).

    The text is the project's own, never user input, so it is safe for ``st.markdown``.
    """
    code = norm_lang(lang)
    labels = _LABELS[code]
    out: list[str] = []
    for number, section in enumerate(glossary(code), start=1):
        out.append(f"### {number}. {section.title}\n")
        for entry in section.entries:
            out.append(f"**{entry.term}** — {entry.definition} *{labels['model']}: {entry.model}*\n")
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _render_section(number: int, section: Section) -> list[str]:
    lines = [f"## {number}. " + " · ".join(section.title[code] for code in LANGS), ""]
    lines.append("| " + " | ".join([*(LANG_NAMES[c] for c in LANGS), "In the model"]) + " |")
    lines.append("|" + "---|" * (len(LANGS) + 1))
    for t in section.terms:
        lines.append("| " + " | ".join([*(_cell(t.term[c]) for c in LANGS), _cell(t.model)]) + " |")
    lines.append("")
    for t in section.terms:
        lines.append(f"#### {' · '.join(t.term[c] for c in LANGS)}")
        lines.append("")
        for code in LANGS:
            lines.append(f"- **{_LABELS[code]['meaning']}** ({code}): {t.definition[code]}")
        lines.append("")
    return lines


def render_markdown() -> str:
    """The full trilingual glossary, exactly as ``docs/glossary.md`` must read."""
    lines = ["# " + " · ".join(_LABELS[c]["title"] for c in LANGS), "", _INTRO]
    for number, section in enumerate(SECTIONS, start=1):
        lines.extend(_render_section(number, section))
    lines.append("## " + " · ".join(_LABELS[c]["sources"] for c in LANGS))
    lines.append("")
    lines.append(SOURCES_MD)
    return "\n".join(lines)


def _all_terms() -> list[Term]:
    return [t for s in SECTIONS for t in s.terms]


def problems() -> list[str]:
    """Everything wrong with the content: missing languages, definitions without CJK text, duplicate keys."""
    found: list[str] = []
    keys: set[str] = set()
    for section in SECTIONS:
        for code in LANGS:
            if not section.title.get(code, "").strip():
                found.append(f"section {section.key}: no title in {code}")
        for t in section.terms:
            if t.key in keys:
                found.append(f"term key {t.key!r} is used twice")
            keys.add(t.key)
            for code in LANGS:
                if not t.term.get(code, "").strip():
                    found.append(f"{t.key}: no term in {code}")
                if not t.definition.get(code, "").strip():
                    found.append(f"{t.key}: no definition in {code}")
            for code in ("zh", "ja"):
                if not _CJK.search(t.term.get(code, "")):
                    found.append(f"{t.key}: the {code} term has no Chinese or Japanese characters")
                if not _CJK.search(t.definition.get(code, "")):
                    found.append(f"{t.key}: the {code} definition has no Chinese or Japanese characters")
            if not t.model.strip():
                found.append(f"{t.key}: no model pointer")
    return found


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Print the glossary, write ``docs/glossary.md`` (``--write``) or check that it is current (``--check``)."""
    parser = argparse.ArgumentParser(prog="python -m sim.i18n.glossary", description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help=f"write {DOC_PATH.name} in docs/")
    group.add_argument("--check", action="store_true", help=f"exit 1 when docs/{DOC_PATH.name} is stale")
    args = parser.parse_args(argv)
    bad = problems()
    if bad:
        print("glossary content has problems:\n  " + "\n  ".join(bad), file=sys.stderr)
        return 2
    text = render_markdown()
    if args.write:
        _write_atomically(DOC_PATH, text)
        print(f"wrote {DOC_PATH}")
        return 0
    if args.check:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
        if current != text:
            print(f"{DOC_PATH} is stale: run `python -m sim.i18n.glossary --write`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
