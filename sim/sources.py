"""The source articles behind the model's story, cited by title, publisher and date.

Code comments cite an article by its label (``Rimaotong 2025``), parameter tables by its short citation
(``SOURCES[key].short``: label and English title);
:func:`references_markdown` prints the full list that docs/MODEL.md ends with. The articles are in
Chinese; the English titles are translations made for this project. Where an article carries no date,
the entry says what dates it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SOURCES", "Source", "cite", "references_markdown"]


@dataclass(frozen=True)
class Source:
    """One article."""

    key: str
    label: str
    author: str
    title: str
    title_en: str
    publisher: str
    date: str
    topics: str

    @property
    def short(self) -> str:
        """The citation used in parameter tables: the label and the English title."""
        return f"{self.label}, \"{self.title_en}\""

    def full(self) -> str:
        """Author, original and English title, publisher and date, as in a reference list."""
        return (f"{self.author}, «{self.title}» (\"{self.title_en}\"), {self.publisher}, {self.date}. "
                f"Used for: {self.topics}.")


SOURCES: dict[str, Source] = {s.key: s for s in (
    Source("japan_originator", "Rimaotong 2025", "Rimaotong (日贸通)", "私域电商，日本才是“鼻祖”，精细稳健有礼貌",
           "In private-domain commerce Japan is the originator: meticulous, steady and polite",
           "AMZ123 Cross-border Headlines (AMZ123跨境头条)", "2025-06-24",
           "China vs Japan membership commerce, consent and APPI, LINE and member sites, points and tiers, "
           "47% of Japanese companies with a membership website"),
    Source("itc_trend", "ITC c. 2019", "ITC", "私域流量会成为中国的趋势吗？",
           "Will private traffic become a trend in China?",
           "ITC (blog article)", "undated; written after Singles' Day 2019, whose US$38bn sales it reports",
           "rising public-traffic cost, Tmall Global brand growth, the 90/10 to 70/30 public/private mix (Nike)"),
    Source("ebrun_amazons", "Ebrun n.d.", "Ebrun (亿邦动力)", "私域运营——“亚马逊们”的终结者？",
           "Private-domain operation: the end of the Amazons?", "Ebrun (亿邦动力网)",
           "undated; reports Lazada's first call for 'private-domain awareness' to Chinese cross-border sellers",
           "cross-border sellers, KOLs and livestreams on social-commerce marketplaces, independent sites "
           "(build cost and time fell to a few thousand yuan and two days)"),
    Source("eo_report_2022", "EO Intelligence 2022", "EO Intelligence (亿欧智库)", "2022中国私域流量管理研究报告",
           "2022 China private-traffic management research report", "AMZ123 Cross-border Headlines (AMZ123跨境头条)",
           "2022-03-18",
           "the three traffic domains, Internet user growth at its peak (780M), fatigue from repeated operations, "
           "PIPL, market size of private-traffic services"),
    Source("private_ecommerce_wiki", "Private e-commerce encyclopedia 2025", "unnamed author", "私域电商百科",
           "An encyclopedia of private-domain e-commerce",
           "online article (Chinese)", "2025-06-09",
           "the six-step method, acquisition routes, interception, fission with rewards on both sides, group "
           "buying, stored-value cards, membership levers, the 80/20 trust-to-selling rule"),
)}


def cite(key: str) -> str:
    """The short citation of source ``key`` (a KeyError names a source that does not exist)."""
    return SOURCES[key].short


def references_markdown() -> str:
    """The reference list, one bullet per article, for generated documents."""
    return "\n".join(f"- **{s.short}** — {s.full()}" for s in SOURCES.values()) + "\n"
