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
    # ---- law, enforcement and data breaches (issue 17 items 4-5) ----
    Source("tsr_leaks_2024", "TSR 2025", "Tokyo Shoko Research (東京商工リサーチ)",
           "2024年上場企業の「個人情報漏えい・紛失」事故 過去最多の189件",
           "Personal-information leak and loss incidents at listed companies in 2024: a record 189",
           "Tokyo Shoko Research (tsr-net.co.jp); reported by Mynavi News TECH+ 2025-01-21", "2025-01-21",
           "incidents disclosed by Japanese listed companies and subsidiaries: 137 (2021, 120 firms), 165 (2022, "
           "150 firms), 175 (2023, 147 firms), 189 (2024) among about 3,800-3,900 listed firms, i.e. 3.2-4.9% "
           "of firms a year; heavy-tailed size (1% of incidents hold 86% of persons, TSR 2020-01-23)"),
    Source("jnsa_damage_2024", "JNSA 2024", "Japan Network Security Association (JNSA)",
           "インシデント損害額調査レポート 第2版", "Incident damage survey report, 2nd edition",
           "JNSA; reported 2024-02-19 (\"中小企業で数千万円単位の被害も\")", "2024-02-09",
           "cost items of a breach: investigation JPY 3-4M, call centre 3 months JPY 7-10M, legal JPY 0.3-1M, "
           "letters JPY 1.3M and apology prepaid cards JPY 6.5M per 10,000 people, recovery and prevention "
           "several million to tens of millions"),
    Source("caa_white_paper_2013", "CAA 2013", "Consumer Affairs Agency (消費者庁)", "平成25年版消費者白書",
           "Consumer white paper 2013", "Consumer Affairs Agency, Japan (caa.go.jp)", "2013-06",
           "Specified E-mail Act enforcement in FY2012: about 5,500 warning e-mails against 8 orders"),
    Source("mic_email_act", "MIC, Specified E-mail Act", "Ministry of Internal Affairs and Communications (総務省)",
           "特定電子メールの送信の適正化等に関する法律のポイント",
           "Key points of the Act on Regulation of Transmission of Specified Electronic Mail",
           "MIC pamphlet (quoted by very-cute.net and teamitpro.net)", "undated; the Act as amended in 2008",
           "opt-in since 2008-12-01; e-mail includes SMS (telephone-number messages); order first, then up to "
           "JPY 30M for a corporation that disobeys an order; LINE user messages are not e-mail under the Act"),
    Source("ppc_annual_fy2023", "PPC FY2023", "Personal Information Protection Commission (個人情報保護委員会)",
           "令和5年度 年次報告", "Annual report for FY2023", "PPC, Japan (report to the Diet; summarised by "
           "optima-solutions 2024-06-14)", "2024-06",
           "APPI enforcement: 12,120 breach reports, 333 guidance, 3 recommendations, 0 orders; the ladder "
           "report -> guidance -> recommendation -> order -> up to JPY 100M for a corporation disobeying an "
           "order (PPC FAQ Q11-1); no fine for a breach itself (Kyodo News 2022-02-23)"),
    Source("miit_sms_2015", "MIIT 2015", "Ministry of Industry and Information Technology (工业和信息化部)",
           "通信短信息服务管理规定", "Provisions on the administration of communication short-message services",
           "MIIT; reported by Xinhua (新华网) 2015-05-29", "2015-05-29 (in force 2015-06-30)",
           "no commercial SMS without the user's consent or request; order to rectify, warning, CNY 10,000-30,000 "
           "fine; Advertising Law art. 43 (2015): no electronic ads without consent, CNY 5,000-30,000"),
    Source("pipl_2021", "PIPL 2021", "Standing Committee of the National People's Congress (全国人大常委会)",
           "中华人民共和国个人信息保护法", "Personal Information Protection Law of the PRC",
           "npc.gov.cn; English translation XL Law & Consulting", "2021-08-20 (in force 2021-11-01)",
           "consent informed, voluntary and explicit (arts. 13-14), withdrawal easy (art. 15); art. 66: order to "
           "correct and warning, up to CNY 1M if the violator refuses to correct, up to CNY 50M or 5% of turnover "
           "in serious cases"),
    Source("skok_saas_metrics", "Skok 2013", "David Skok (Matrix Partners)",
           "SaaS Metrics 2.0 – A Guide to Measuring and Improving What Matters",
           "SaaS Metrics 2.0 – A Guide to Measuring and Improving What Matters", "forEntrepreneurs.com",
           "2013 (updated later)", "LTV:CAC of at least 3, CAC payback within 5-12 months; CAC counts all sales "
           "and marketing spend (the conventional ltv_cac)"),
    # ---- references cited by parameter defaults (issue 17 item 9) ----
    Source("email_benchmarks", "public email benchmarks", "Mailchimp; Campaign Monitor",
           "Email Marketing Benchmarks and Statistics by Industry; Ultimate Email Marketing Benchmarks for 2022",
           "Email Marketing Benchmarks and Statistics by Industry; Ultimate Email Marketing Benchmarks for 2022",
           "Mailchimp (mailchimp.com); Campaign Monitor (campaignmonitor.com)",
           "Mailchimp data of October 2019; Campaign Monitor 2022 (2021 data)",
           "unsubscribes per delivered e-mail: e-commerce 0.27% (Mailchimp), industries 0.1-0.4% (Campaign "
           "Monitor), i.e. 1-4 per 1,000 sends"),
    Source("watts_strogatz", "Watts & Strogatz (1998)", "Duncan J. Watts and Steven H. Strogatz",
           "Collective dynamics of 'small-world' networks", "Collective dynamics of 'small-world' networks",
           "Nature 393, 440-442", "1998-06-04", "the small-world network and its rewiring probability"),
    Source("barabasi_albert", "Barabasi & Albert (1999)", "Albert-Laszlo Barabasi and Reka Albert",
           "Emergence of scaling in random networks", "Emergence of scaling in random networks",
           "Science 286, 509-512", "1999-10-15", "scale-free degree distributions, exponents of 2-3"),
    # ---- references cited by messaging and membership defaults (issue 17 items 1-3) ----
    Source("gopalakrishnan_2021", "Gopalakrishnan et al. 2021",
           "Arun Gopalakrishnan, Zhenling Jiang, Yulia Nevskaya and Raphael Thomadsen",
           "Can Non-tiered Customer Loyalty Programs Be Profitable?", "Can Non-tiered Customer Loyalty Programs Be "
           "Profitable?", "Marketing Science 40(3), 508-526", "2021",
           "a points programme raises customer value by about 30% over five years, more than 80% of it through "
           "lower attrition (points_dropout_relief, points_purchase_lift)"),
    Source("zhang_kumar_cosguner_2017", "Zhang, Kumar & Cosguner 2017",
           "Xi Zhang, V. Kumar and Koray Cosguner", "Dynamically Managing a Profitable Email Marketing Program",
           "Dynamically Managing a Profitable Email Marketing Program", "Journal of Marketing Research 54(6), "
           "851-866", "2017", "profit is non-linear in e-mail frequency with an interior optimum; too little "
           "contact also loses profit (attention decay)"),
)}


def cite(key: str) -> str:
    """The short citation of source ``key`` (a KeyError names a source that does not exist)."""
    return SOURCES[key].short


def references_markdown() -> str:
    """The reference list, one bullet per article, for generated documents."""
    return "\n".join(f"- **{s.short}** — {s.full()}" for s in SOURCES.values()) + "\n"
