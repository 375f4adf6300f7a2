"""The glossary's content: sections and terms in English, 简体中文 and 日本語, with definitions in all three.

Data only; :mod:`sim.i18n.glossary` checks it, renders ``docs/glossary.md`` and serves one language to
the dashboard. Every definition is written for its own readers (natural marketing and legal vocabulary,
not a word-by-word translation). Sources are cited by author, year and title (see ``SOURCES_MD`` in
:mod:`sim.i18n.glossary`); laws by name and article. Where the model simplifies the real rule, the
definition says so.

Spelling rule: a term is spelt the same way here, in the interface tables (``en.py``, ``zh.py``,
``ja.py``), the notebooks and the docs (e.g. ブレイケージ, K ファクター, 积分沉淀).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CITE", "CITE_JA", "CITE_ZH", "SECTIONS", "Section", "Term"]


class Term(NamedTuple):
    """One glossary entry: the term and its definition in each language, and where it is in the model."""

    key: str
    term: dict[str, str]
    definition: dict[str, str]
    model: str


class Section(NamedTuple):
    """A group of terms under a title in each language."""

    key: str
    title: dict[str, str]
    terms: tuple[Term, ...]


#: Short citations of the source articles used in definitions (full entries: ``SOURCES_MD``).
CITE = {
    "japan": "Rimaotong (2025), “In private-domain commerce Japan is the originator”",
    "itc": "ITC (n.d.), “Will private traffic become a trend in China?”",
    "ebrun": "Ebrun (n.d.), “Private-domain operation: the end of the Amazons?”",
    "eo": "EO Intelligence (2022), “2022 China private-traffic management research report”",
    "wiki": "unnamed author (2025), “An encyclopedia of private-domain e-commerce”",
}
#: The same citations for Chinese readers (original titles).
CITE_ZH = {
    "japan": "日贸通（2025）《私域电商，日本才是“鼻祖”，精细稳健有礼貌》",
    "itc": "ITC（无日期）《私域流量会成为中国的趋势吗？》",
    "ebrun": "亿邦动力（无日期）《私域运营——“亚马逊们”的终结者？》",
    "eo": "亿欧智库（2022）《2022中国私域流量管理研究报告》",
    "wiki": "佚名（2025）《私域电商百科》",
}
#: The same citations for Japanese readers (original Chinese titles).
CITE_JA = {
    "japan": "日贸通（2025）「私域电商，日本才是“鼻祖”，精细稳健有礼貌」",
    "itc": "ITC（日付なし）「私域流量会成为中国的趋势吗？」",
    "ebrun": "亿邦动力（日付なし）「私域运营——“亚马逊们”的终结者？」",
    "eo": "亿欧智库（2022）「2022中国私域流量管理研究报告」",
    "wiki": "著者不明（2025）「私域电商百科」",
}


def _t(key: str, en: str, zh: str, ja: str, model: str, *, d_en: str, d_zh: str, d_ja: str) -> Term:
    return Term(key, {"en": en, "zh": zh, "ja": ja}, {"en": d_en, "zh": d_zh, "ja": d_ja}, model)


_DOMAINS = Section("domains", {"en": "Traffic domains", "zh": "流量域", "ja": "トラフィックの領域"}, (
    _t("public_domain", "Public domain, public traffic", "公域、公域流量", "パブリックドメイン（公域）",
       "`market.platforms`; stages `aware`, `customer`; `revenue_public`",
       d_en="Traffic a brand does not own and can only rent: marketplaces (Tmall, JD, Amazon, Rakuten), short-video "
            "and social platforms, ad networks. It is reached through ad auctions, commissions and platform rules, "
            "and gets dearer as more sellers compete for it.",
       d_zh="品牌无法拥有、只能“租用”的流量：天猫、京东、亚马逊、乐天等电商平台，短视频与社交平台，广告平台。"
            "要通过竞价广告、佣金和平台规则获取；入驻商家越多，流量越贵。",
       d_ja="ブランドが所有できず「借りる」しかないトラフィック。天猫・京東・Amazon・楽天などの EC モール、"
            "ショート動画や SNS、広告プラットフォームがこれにあたり、広告入札・販売手数料・プラットフォームの規約を"
            "通じてしか届かない。出店者が増えるほど単価は上がる。"),
    _t("other_domain", "Other domain", "它域", "他社ドメイン（它域）",
       "`market.partners`; `strategy.acquisition.partners`",
       d_en="Pools owned by other brands or partners (their groups, official accounts, fan bases), reached by paying "
            "for access or by a resource swap. Usually cheaper and more trusted than ads.",
       d_zh="其他品牌或合作方拥有的流量池（他们的社群、公众号、粉丝群），通过付费合作或资源互换触达，"
            "通常比投放广告更便宜、更容易获得信任。",
       d_ja="他のブランドや提携先が持つ顧客基盤（コミュニティ、公式アカウント、ファン層）。"
            "掲載料を払うか相互送客で接点を得る。広告より安く、信頼されやすいことが多い。"),
    _t("private_domain", "Private domain", "私域", "プライベートドメイン（私域）",
       "stage `member`; `market.tools`",
       d_en="Customers the brand owns as contacts and can reach again and again at a low marginal cost, with its "
            "own tags and data: WeChat personal accounts and groups, mini-programs, WeCom, an own app or site, a "
            "membership site, a LINE official account, an e-mail list.",
       d_zh="品牌自己掌握、可以低边际成本反复触达并自行打标签的用户：微信个人号与微信群、小程序、企业微信、"
            "自有 App 或网站、会员网站、LINE 官方账号、邮件列表等。",
       d_ja="ブランドが自ら保有し、低い追加コストで何度でも接触でき、タグやデータも自社で持てる顧客接点。"
            "WeChat の個人アカウントやグループ、ミニプログラム、WeCom、自社アプリ・サイト、会員サイト、"
            "LINE 公式アカウント、メールリストなど。"),
    _t("private_traffic", "Private traffic", "私域流量", "プライベートトラフィック（私域流量）",
       "the whole model; KPI `pool_size`",
       d_en="The flow of people into, within and out of the private domain. It is a flow, not a stock: members keep "
            "leaving and must be replaced, and new members still come mostly from the public domain.",
       d_zh="用户流入、留存于并流出私域的整个过程。它是“流量”而不是“存量”：会员不断流失、需要持续补充，"
            "而新会员的来源大多仍是公域。",
       d_ja="プライベートドメインへの流入・滞留・流出という人の流れ全体。ストックではなくフローであり、会員は"
            "絶えず離れていくため補充し続ける必要があり、新規会員の多くは今もパブリックドメインから来る。"),
    _t("traffic_pool", "Traffic pool", "流量池", "トラフィックプール",
       "KPI `pool_size`",
       d_en="A set of people a brand can reach: a platform's, a partner's or the brand's own.",
       d_zh="品牌可以触达的一群用户，可以属于平台、合作方或品牌自己。",
       d_ja="ブランドが接触できる人の集まり。プラットフォーム、提携先、自社のいずれのものもある。"),
    _t("private_share", "Private share of revenue", "私域收入占比", "売上のプライベート比率（自社チャネル売上比率）",
       "KPI `private_share`",
       d_en=f"Sales through the private channel divided by all sales. {CITE['itc']} describes brands (Nike is its "
            "example) aiming to move from a 90/10 public/private mix to 70/30.",
       d_zh=f"私域渠道销售额占全部销售额的比例。{CITE_ZH['itc']} 提到，品牌（以耐克为例）希望把公域/私域的比例"
            "从 90/10 调整到 70/30。",
       d_ja=f"自社チャネル経由の売上が売上全体に占める割合。{CITE_JA['itc']} は、ブランド（例として Nike）が"
            "パブリック対プライベートの比率を 90/10 から 70/30 へ移そうとしていると紹介している。"),
    _t("marketplace", "Marketplace", "电商平台", "EC モール",
       "`commission_rate`",
       d_en="A platform on which the brand sells and pays a commission on each sale (Tmall, JD, Amazon, Rakuten); "
            "the platform, not the brand, owns the customer relationship.",
       d_zh="品牌入驻并按成交额支付佣金的平台（天猫、京东、亚马逊、乐天）；客户关系归平台而不归品牌。",
       d_ja="ブランドが出店し、売上ごとに手数料を払うプラットフォーム（天猫、京東、Amazon、楽天）。"
            "顧客との関係を握るのはブランドではなくモール側。"),
    _t("independent_site", "Independent site", "独立站", "自社 EC サイト（独立站）",
       "tool `independent_site` (cross-border preset)",
       d_en=f"The brand's own online shop (for example on Shopify), outside any marketplace. {CITE['ebrun']} notes "
            "that building one has become cheap and quick for cross-border sellers.",
       d_zh=f"品牌脱离电商平台、自建的网店（例如基于 Shopify）。{CITE_ZH['ebrun']} 指出，跨境卖家建站的成本和周期"
            "已大幅下降。",
       d_ja=f"モールの外に持つブランド自身のネットショップ（Shopify など）。{CITE_JA['ebrun']} によれば、"
            "越境 EC 事業者にとって構築の費用も期間も大きく下がった。"),
    _t("cpm", "CPM", "千次展示成本（CPM）", "インプレッション単価（CPM）",
       "`cpm_base`, `elasticity`; daily column `cpm`",
       d_en="The price of 1,000 ad impressions. It rises as more advertisers compete for the same audience.",
       d_zh="广告每展示 1,000 次的价格；争夺同一批受众的广告主越多，价格越高。",
       d_ja="広告 1,000 回表示あたりの価格。同じ層を狙う広告主が増えるほど上がる。"),
))

_SIX_STEPS = Section("six_steps", {"en": "The six-step method", "zh": "私域运营六步法",
                                  "ja": "私域運営の 6 ステップ"}, (
    _t("ad_placement", "Ad placement", "投放", "広告出稿",
       "`acquisition.ad_budget_per_day`",
       d_en="Paying for reach on public platforms: the first of the six steps.",
       d_zh="在公域平台上花钱购买曝光，是六步法的第一步。",
       d_ja="パブリックなプラットフォームで露出を買うこと。6 ステップの最初の段階。"),
    _t("diversion", "Diversion (pulling traffic in)", "引流", "送客・誘導（引流）",
       "joins by source (`joins_*` tallies)",
       d_en="Moving people from public platforms (or partners' pools) into the brand's private pool.",
       d_zh="把公域平台（或合作方流量池）上的用户引导进品牌自己的私域。",
       d_ja="パブリックなプラットフォーム（や提携先のプール）にいる人を、自社のプライベートなプールへ導くこと。"),
    _t("interception", "Interception", "截流", "購入時の自社チャネル誘導（截流）",
       "`strategy.interception`; MODEL.md §3.3.5",
       d_en=f"Inviting a platform buyer into the private pool at the moment of purchase: an order card in the parcel, "
            f"a QR code in a store, “scan to get a sample”, a message after an order — within the platform's rules "
            f"and the consent law ({CITE['wiki']}).",
       d_zh=f"在用户购买的那一刻把平台买家引入私域：包裹里的卡片、门店二维码、“扫码领小样”、下单后的消息等，"
            f"前提是遵守平台规则和同意规则（{CITE_ZH['wiki']}）。",
       d_ja=f"購入の瞬間にモールの購入者を自社のプールへ招くこと。同梱カード、店頭の QR コード、"
            f"「スキャンでサンプル進呈」、注文後のメッセージなど。モールの規約と同意に関する法令の範囲内で行う"
            f"（{CITE_JA['wiki']}）。"),
    _t("hook", "Hook", "钩子、诱饵", "フック（登録特典）",
       "`interception.hook_value`",
       d_en="What is offered in exchange for joining: a red packet, a sample, a coupon.",
       d_zh="为吸引用户加入而提供的好处：红包、小样、优惠券等。",
       d_ja="登録や友だち追加と引き換えに提供する特典。紅包（少額の現金）、サンプル、クーポンなど。"),
    _t("red_packet", "Red packet", "红包", "紅包（ホンバオ、少額の現金ギフト）",
       "`hook_value` (China preset)",
       d_en="A small cash gift sent through WeChat or Alipay; the usual hook in China.",
       d_zh="通过微信或支付宝发送的小额现金，是中国最常见的引流“钩子”。",
       d_ja="WeChat や Alipay で送る少額の現金ギフト。中国で最も一般的な登録特典。"),
    _t("retention", "Retention", "留存", "定着（リテンション）",
       "dropout, opt-out; KPI `pool_size`",
       d_en="Keeping people in the pool and alive as customers.",
       d_zh="让用户留在私域里，并持续作为活跃顾客。",
       d_ja="プールに人を留め、顧客として関係を保ち続けること。"),
    _t("activation", "Activation", "促活", "活性化（アクティベーション）",
       "`strategy.messaging`; MODEL.md §3.3.8",
       d_en="Re-engaging pool members with content, messages, livestreams and offers so that they keep buying.",
       d_zh="通过内容、消息、直播和优惠重新激发会员的参与，使其持续购买。",
       d_ja="コンテンツ、メッセージ、ライブ配信、特典で会員との関わりを取り戻し、購入を続けてもらうこと。"),
    _t("fission", "Fission", "裂变", "裂変（紹介による拡散）",
       "`strategy.referral`; MODEL.md §3.3.9",
       d_en="Members bringing in friends: word of mouth, referral rewards on both sides, group buying, check-in "
            "challenges. What separates private traffic from a classic one-way funnel.",
       d_zh="会员把朋友带进来：口碑、推荐双方都有奖励、拼团、打卡挑战等。这是私域流量区别于传统单向漏斗的关键。",
       d_ja="会員が友人を呼び込むこと。口コミ、紹介者・被紹介者双方への特典、共同購入、チェックイン企画など。"
            "従来の一方向のファネルとプライベートトラフィックを分ける要素。"),
    _t("conversion", "Conversion", "转化", "コンバージョン（成約）",
       "purchases; KPI `revenue_private`",
       d_en="Turning reach and relationships into purchases.",
       d_zh="把触达和关系变成实际购买。",
       d_ja="接点や関係を実際の購入に結びつけること。"),
    _t("social_distribution", "Social distribution", "社交分销", "ソーシャル販売（紹介者への販売手数料）",
       "`referral.distribution_commission`",
       d_en="Members act as resellers and earn a commission on the sales they bring in.",
       d_zh="会员充当分销员，按其带来的销售额获得佣金。",
       d_ja="会員が販売代理人となり、自分が紹介した売上に応じて手数料を受け取る仕組み。"),
    _t("kol", "KOL, influencer", "关键意见领袖（KOL）、达人、网红", "インフルエンサー（KOL）",
       "`acquisition.kol`",
       d_en=f"A creator whose followers a brand reaches by paying a fee; “buying an influencer is buying their "
            f"followers” ({CITE['ebrun']}).",
       d_zh=f"拥有大量粉丝的内容创作者，品牌付费即可触达其粉丝；“买网红就是买他的粉丝”（{CITE_ZH['ebrun']}）。",
       d_ja=f"多くのフォロワーを持つ発信者。ブランドは報酬を払ってそのフォロワーに届く。"
            f"「インフルエンサーを買うことはそのフォロワーを買うこと」（{CITE_JA['ebrun']}）。"),
    _t("resource_swap", "Resource swap", "资源互换", "相互送客",
       "`acquisition.partners`",
       d_en="Two brands promote each other to their own members, at little or no cash cost.",
       d_zh="两个品牌互相向自己的会员推荐对方，几乎不花现金。",
       d_ja="二つのブランドが自社の会員に互いを紹介し合うこと。現金の負担はほとんどない。"),
    _t("group_buying", "Group buying", "拼团", "共同購入",
       "not modelled separately; part of `referral.share_rate`",
       d_en="Buying together at a lower price; each buyer has a reason to recruit others, which spreads the offer.",
       d_zh="多人一起购买享受更低价格；每个买家都有动力拉人，从而让优惠扩散。",
       d_ja="複数人でまとめて買うと安くなる仕組み。買い手に仲間を誘う動機が生まれ、オファーが広がる。"),
    _t("livestream", "Livestream commerce", "直播带货", "ライブコマース",
       "not modelled separately",
       d_en="Selling through live video, often hosted by an influencer.",
       d_zh="通过直播视频卖货，常由达人主播带货。",
       d_ja="ライブ動画を通じた販売。インフルエンサーが配信を担うことが多い。"),
    _t("super_consumer", "Super-consumer", "超级用户", "優良顧客（スーパーユーザー）",
       "high `purchase_rate`; tiers",
       d_en="A high-value, highly engaged customer who buys often and recommends the brand.",
       d_zh="价值高、参与度高的顾客：购买频繁，并主动推荐品牌。",
       d_ja="購入頻度が高く、ブランドを自ら勧めてくれる、価値と関与度の高い顧客。"),
    _t("rule_80_20", "“Friendship before the deal” (80/20)", "先交情后交易（80/20 法则）",
       "取引より先に信頼（80/20 の法則）",
       "`messaging.selling_share` = 0.2",
       d_en=f"Spend 80% of the effort on trust and service and 20% on selling ({CITE['wiki']}).",
       d_zh=f"80% 的精力用于建立信任和提供服务，20% 用于销售（{CITE_ZH['wiki']}）。",
       d_ja=f"労力の 8 割を信頼づくりとサービスに、2 割を販売に充てるという経験則（{CITE_JA['wiki']}）。"),
    _t("hard_selling", "Hard selling", "硬广、强推销", "押し売り",
       "high `selling_share`, low `quality`",
       d_en="Messages that sell rather than serve; they erode trust.",
       d_zh="只顾推销、不提供价值的消息；会损害信任。",
       d_ja="役立つ情報よりも売り込みを優先するメッセージ。信頼を損なう。"),
    _t("funnels", "AIDA, AIDMA, AISAS", "AIDA、AIDMA、AISAS 模型", "AIDA・AIDMA・AISAS モデル",
       "the stage funnel `unaware` → `aware` → `customer` → `member`",
       d_en="Classic purchase funnels. AIDA (Attention, Interest, Desire, Action) is credited to E. St. Elmo Lewis, "
            "c. 1898. AIDMA adds Memory and is usually attributed to Samuel Roland Hall, Retail Advertising and "
            "Selling (1924). AISAS (Attention, Interest, Search, Action, Share) was proposed by Dentsu (2004, "
            "registered 2005). Sharing is the step fission builds on.",
       d_zh="经典的购买漏斗。AIDA（注意、兴趣、欲望、行动）一般认为出自 E. St. Elmo Lewis（约 1898 年）；"
            "AIDMA 加入“记忆”，通常归于 Samuel Roland Hall 的《Retail Advertising and Selling》（1924 年）；"
            "AISAS（注意、兴趣、搜索、行动、分享）由日本电通提出（2004 年，2005 年注册商标）。"
            "裂变正是建立在“分享”这一步之上。",
       d_ja="古典的な購買ファネル。AIDA（注意・関心・欲求・行動）は E. St. Elmo Lewis（1898 年頃）に帰される。"
            "AIDMA は「記憶」を加えたもので、一般に Samuel Roland Hall『Retail Advertising and Selling』（1924 年）"
            "が出典とされる。AISAS（注意・関心・検索・行動・共有）は電通が提唱した（2004 年、2005 年商標登録）。"
            "裂変はこの「共有」の段階の上に成り立つ。"),
))

_TOOLS = Section("tools", {"en": "Tools and channels", "zh": "工具与渠道", "ja": "ツールとチャネル"}, (
    _t("wechat", "WeChat (personal account, groups, Moments)", "微信（个人号、微信群、朋友圈）",
       "WeChat（個人アカウント、グループ、モーメンツ）",
       "tool `wechat_groups`",
       d_en="China's super-app: friends, groups, posts and checkout in one place, which makes a private pool cheap "
            "to run.",
       d_zh="中国的超级 App：好友、群聊、朋友圈和支付都在一个应用里完成，因此运营私域的成本很低。",
       d_ja="中国のスーパーアプリ。友人、グループ、投稿、決済が一つにまとまっており、私域を安く運営できる。"),
    _t("wecom", "WeCom", "企业微信", "WeCom（企業向け WeChat）",
       "`members_per_operator`",
       d_en="WeChat for businesses, used to run customer groups and one-to-one chats at scale.",
       d_zh="面向企业的微信，用于规模化运营客户群和一对一沟通。",
       d_ja="企業向けの WeChat。顧客グループや個別チャットを大規模に運用するために使う。"),
    _t("mini_program", "Mini-program", "小程序", "ミニプログラム",
       "`checkout_convenience`",
       d_en="An app-like shop inside WeChat; it makes checkout on the private channel easy.",
       d_zh="嵌在微信里的轻应用商城，让私域渠道下单付款十分方便。",
       d_ja="WeChat の中で動くアプリ型のショップ。自社チャネルでの購入手続きを簡単にする。"),
    _t("scrm", "SCRM", "社交化客户关系管理（SCRM）", "ソーシャル CRM（SCRM）",
       "`members_per_operator`, `saas_per_day`, `saas_per_member_month`",
       d_en="Customer-relationship software for social channels; it lets one operator look after many members.",
       d_zh="面向社交渠道的客户关系管理软件，让一名运营人员能服务大量会员。",
       d_ja="ソーシャルチャネル向けの顧客管理ソフト。担当者 1 人で多くの会員に対応できるようにする。"),
    _t("line", "LINE official account", "LINE 官方账号", "LINE 公式アカウント",
       "tool `line`, `cost_per_message`",
       d_en="Japan's main messaging channel for brands. A user adds the account as a friend, which is itself the "
            "opt-in; LINE messages are generally treated as outside the Specified E-mail Act. Messages beyond the "
            "plan's quota are paid.",
       d_zh="日本品牌最主要的消息触达渠道。用户把账号加为好友，这本身就是一种主动同意；一般认为 LINE 消息不在"
            "《特定电子邮件法》的适用范围内。超出套餐额度的消息需另行付费。",
       d_ja="日本のブランドにとって主要なメッセージ配信チャネル。利用者が友だち追加すること自体がオプトインにあたり、"
            "LINE のメッセージは一般に特定電子メール法の対象外と扱われている。プランの上限を超える配信は有料。"),
    _t("member_site", "Membership site", "会员网站", "会員サイト",
       "tool `member_site`",
       d_en=f"A brand's own site with member log-in, points and purchase history; 47% of Japanese companies run one "
            f"({CITE['japan']}).",
       d_zh=f"品牌自有、需会员登录的网站，提供积分和购买记录；47% 的日本企业运营着会员网站（{CITE_ZH['japan']}）。",
       d_ja=f"会員ログイン、ポイント、購入履歴を備えた自社サイト。日本企業の 47% が運営している"
            f"（{CITE_JA['japan']}）。"),
    _t("open_rate", "Open / view rate", "打开率、触达率", "開封率",
       "`tools.*.reach`",
       d_en="The share of sent messages that are actually seen.",
       d_zh="发出的消息中真正被看到的比例。",
       d_ja="送ったメッセージのうち、実際に読まれる割合。"),
    _t("operator", "Operator", "私域运营人员", "運用担当者",
       "`operator_cost_per_day`",
       d_en="Staff who run the groups, chats and member service.",
       d_zh="负责运营社群、聊天和会员服务的员工。",
       d_ja="グループ、チャット、会員対応を運用するスタッフ。"),
))

_MEMBERSHIP = Section("membership", {"en": "Membership", "zh": "会员制", "ja": "会員制"}, (
    _t("membership", "Membership programme", "会员制", "会員制（メンバーシップ）",
       "`strategy.membership`",
       d_en=f"Japan's long-run, consent-first way of keeping customers: points, ranks, member prices and perks. "
            f"{CITE['japan']} presents it as the original form of private-domain commerce.",
       d_zh=f"日本以长期经营、先取得同意为特点的留客方式：积分、会员等级、会员价和专属权益。"
            f"{CITE_ZH['japan']} 认为这是私域电商的原型。",
       d_ja=f"同意を前提に長期的に顧客を維持する日本の手法。ポイント、会員ランク、会員価格、特典を組み合わせる。"
            f"{CITE_JA['japan']} はこれを私域コマースの原型と位置づける。"),
    _t("points", "Points", "积分", "ポイント",
       "`points_rate`, `min_redeem`",
       d_en="Earned on each purchase (the Japanese retail norm is 1 point per ¥100, i.e. 1%) and redeemed later as "
            "a discount.",
       d_zh="每次购买可获得、之后可抵扣消费的积分（日本零售惯例为每 100 日元 1 积分，即 1%）。",
       d_ja="購入のたびに貯まり、後で値引きとして使えるもの。日本の小売の標準は 100 円で 1 ポイント（1%）。"),
    _t("breakage", "Breakage", "积分沉淀（未兑换积分）", "ブレイケージ（未使用ポイントの失効）",
       "tallies `points_expired`, `points_forfeited`",
       d_en="Points that are never redeemed, because they expire or are forfeited when a member leaves. For the "
            "brand it is a saving against the cost of the programme.",
       d_zh="始终未被兑换的积分：过期失效，或会员流失时作废。对品牌而言，这部分抵减了会员计划的成本。",
       d_ja="期限切れや退会による没収で、最後まで使われないポイント。ブランドにとっては制度コストの節約になる。"),
    _t("tiers", "Tiers, ranks", "会员等级", "会員ランク",
       "`membership.tiers`",
       d_en="Levels reached by cumulative spend (silver, gold…), each with better prices and perks.",
       d_zh="按累计消费升级的层级（银卡、金卡……），等级越高价格和权益越好。",
       d_ja="累計購入額に応じて上がる階層（シルバー、ゴールドなど）。上位ほど価格や特典が良くなる。"),
    _t("member_price", "Member price", "会员价", "会員価格",
       "`tiers[].discount`",
       d_en="A discount for members when they buy on the private channel.",
       d_zh="会员在私域渠道购买时享受的折扣价。",
       d_ja="会員が自社チャネルで購入するときの割引価格。"),
    _t("birthday_perk", "Birthday perk", "生日礼遇", "誕生日特典",
       "`birthday_perk`",
       d_en="A gift or coupon on the member's birthday, which may trigger a purchase.",
       d_zh="在会员生日时送出的礼品或优惠券，可能促成一次购买。",
       d_ja="会員の誕生日に贈るギフトやクーポン。購入のきっかけになりうる。"),
    _t("paid_membership", "Paid membership", "付费会员", "有料会員",
       "`membership.paid`",
       d_en="A yearly fee for extra benefits.",
       d_zh="支付年费以获得额外权益的会员形式。",
       d_ja="年会費を払って追加の特典を受ける会員制度。"),
    _t("stored_value", "Stored-value card", "储值卡", "プリペイド会員カード",
       "not modelled",
       d_en=f"A prepaid balance for future purchases, which ties the customer to the brand ({CITE['wiki']}).",
       d_zh=f"预先充值、用于日后消费的余额，把顾客与品牌绑定在一起（{CITE_ZH['wiki']}）。",
       d_ja=f"前払いでチャージし、後の購入に使う残高。顧客をブランドにつなぎとめる（{CITE_JA['wiki']}）。"),
    _t("points_appetite", "Points appetite", "积分偏好", "ポイント志向",
       "trait `points_appetite`",
       d_en="How much points and ranks move a consumer; strong in Japan.",
       d_zh="积分和会员等级对一名消费者的影响程度；日本消费者普遍较强。",
       d_ja="ポイントやランクが消費者の行動をどれだけ動かすか。日本では強い。"),
))

_LAW = Section("law", {"en": "Consent and law", "zh": "同意与法规", "ja": "同意と法規制"}, (
    _t("consent", "Consent", "同意", "同意",
       "state `consent`",
       d_en="A person's permission to receive marketing messages or to have their data used for a stated purpose.",
       d_zh="个人同意接收营销信息，或同意其个人信息被用于已告知的目的。",
       d_ja="本人が販促メッセージの受信や、示された目的での個人データの利用を認めること。"),
    _t("opt_in", "Opt-in", "选择加入（事先明示同意）", "オプトイン",
       "`regime.kind: explicit_opt_in`",
       d_en="Messages only to people who agreed in advance. Japan's Specified E-mail Act has required it for "
            "marketing e-mail and SMS since 2008. Messages of a LINE official account the user added as a friend are "
            "generally outside the Act (`tool.law: none`).",
       d_zh="只向事先同意的人发送消息。日本《特定电子邮件法》自 2008 年起要求营销邮件和短信必须事先取得同意；"
            "用户自己添加为好友的 LINE 官方账号的消息一般不在该法范围内（`tool.law: none`）。",
       d_ja="事前に同意した人にだけ送ること。特定電子メール法は 2008 年の改正以降、広告宣伝の電子メールと SMS に"
            "オプトインを義務づけている。利用者が友だち追加した LINE 公式アカウントのメッセージは一般に同法の対象外"
            "（`tool.law: none`）。"),
    _t("opt_out", "Opt-out", "退订", "オプトアウト（配信停止）",
       "opt-out hazard; KPIs `opt_outs`, `unsubs_per_1000`",
       d_en="A member withdraws from the message list. Also the name of the looser rule “message until they refuse”.",
       d_zh="会员退出消息列表；也指“发到对方拒绝为止”这种较宽松的规则。",
       d_ja="会員が配信リストから外れること。「拒否されるまで送ってよい」という緩いルールの名前でもある。"),
    _t("implied_consent", "Consent at join", "入群时征得同意", "参加時の同意",
       "`regime.kind: consent_at_join` (old name `implied_consent_with_easy_exit`, still read)",
       d_en="The model's regime for China: the invitation to join (adding the account, entering the group) carries "
            "the privacy notice and asks for consent to marketing, and the model simplifies by assuming every joiner "
            "gave it; withdrawal stays easy. The law asks more than joining: PIPL requires informed, voluntary and "
            "explicit consent (arts. 13–14) and separate consent in some cases, so joining a group is not by itself "
            "consent to marketing. Cold SMS to buyers who never joined needs consent too (Advertising Law art. 43) "
            "and is counted as a violation.",
       d_zh="本模型对中国的设定：加入邀请（添加账号、进群）附带隐私告知并征求营销同意，本模型简化为每位加入者都已"
            "同意，且撤回同意很方便。法律要求的不止是加入：《个人信息保护法》要求同意须在充分知情的前提下自愿、明确"
            "作出（第十三、十四条），部分情形还需单独同意，因此仅仅加入群聊本身并不构成对营销的同意。给从未加入的买家"
            "发冷启动短信同样须经同意（《广告法》第四十三条），模型将其计为违规。",
       d_ja="本モデルの中国向けの制度。参加の誘い（アカウント追加、グループ参加）にプライバシー通知と販促への同意の"
            "依頼が含まれ、本モデルは参加者全員が同意したものと簡略化する。撤回は容易なまま。法律は参加以上を求め、"
            "個人情報保護法（PIPL）は十分な説明を受けたうえでの任意かつ明確な同意（第 13・14 条）と、場合によって"
            "個別の同意を求めるため、グループ参加だけでは販促への同意にならない。参加していない購入者へのコールド SMS "
            "にも同意が必要で（広告法第 43 条）、モデルでは違反として数える。"),
    _t("consent_friction", "Consent friction", "同意摩擦", "同意取得の手間",
       "`consent_friction`",
       d_en="Joins lost because a consent form stands in the way.",
       d_zh="因为需要填写同意表单而流失的加入人数。",
       d_ja="同意フォームがあることで失われる登録。"),
    _t("cold_outreach", "Cold outreach", "未经同意的营销触达（如订单短信）", "同意のない配信（コールドアウトリーチ）",
       "`compliance.cold_outreach_per_week`",
       d_en="Marketing messages to buyers who never joined, for example an SMS to an order's phone number. In "
            "China commercial SMS needs the recipient's consent (Advertising Law art. 43; MIIT, Provisions on "
            "Communication Short Message Services, 2015, art. 18); in Japan marketing e-mail and SMS need opt-in "
            "(Specified E-mail Act art. 3). The model counts every cold SMS as a violation in both markets, with its "
            "own enforcement ladder (`regime.cold_outreach_law`).",
       d_zh="向从未加入私域的买家发送营销信息，例如给订单上的手机号发短信。在中国，商业短信须经接收者同意"
            "（《广告法》第四十三条；工业和信息化部《通信短信息服务管理规定》，2015 年，第十八条）；在日本，营销邮件"
            "和短信须事先取得同意（《特定电子邮件法》第三条）。本模型在两个市场都把每条冷启动短信计为违规，并有各自的"
            "执法阶梯（`regime.cold_outreach_law`）。",
       d_ja="プールに参加していない購入者への販促メッセージ。例として注文時の電話番号への SMS。中国では商業 SMS に"
            "受信者の同意が必要（広告法第 43 条、工業情報化部「通信短信息サービス管理規定」2015 年 第 18 条）、"
            "日本では広告宣伝メール・SMS にオプトインが必要（特定電子メール法第 3 条）。本モデルは両市場でコールド "
            "SMS をすべて違反として数え、それぞれの執行の段階（`regime.cold_outreach_law`）を適用する。"),
    _t("enforcement_ladder", "Enforcement ladder", "执法阶梯", "行政処分の段階",
       "`regime.message_ladder`, `regime.breach.ladder`; tallies `warnings`, `orders`, `penalties`",
       d_en="How regulators escalate: warnings or guidance first (private, no fine), then a published order, and a "
            "fine only for going on after the order. Japan, FY2012: about 5,500 warnings and 8 orders under the "
            "Specified E-mail Act; APPI, FY2023: 333 guidance, 3 recommendations, 0 orders. China's MIIT fines "
            "CNY 10,000–30,000 with its order to rectify. The model climbs one rung per regulator action.",
       d_zh="监管机构逐级升级的方式：先警告或指导（不公开、不罚款），再公开下达命令，只有命令后继续违规才罚款。"
            "日本 2012 财年依《特定电子邮件法》约发出 5,500 次警告、8 次命令；APPI 2023 财年指导 333 次、劝告 3 次、"
            "命令 0 次。中国工业和信息化部在责令改正的同时处一万至三万元罚款。模型中每次监管行动上升一级。",
       d_ja="規制当局の段階的な対応。まず警告・指導（非公表、罰金なし）、次に公表される命令、命令後も続けた場合に"
            "初めて罰金。日本では 2012 年度、特定電子メール法で約 5,500 件の警告に対し命令は 8 件。APPI は 2023 "
            "年度に指導 333 件、勧告 3 件、命令 0 件。中国の工業情報化部は是正命令とともに 1 万～3 万元の罰金を科す。"
            "モデルでは行政の対応 1 回ごとに 1 段上がる。"),
    _t("cooloff", "Cool-off", "冷却期", "再勧誘停止期間",
       "`interception.cooloff_days`",
       d_en="No new invitation for a while after someone declines or opts out.",
       d_zh="对方拒绝或退订后，在一段时间内不再邀请。",
       d_ja="断られたりオプトアウトされたりした後、一定期間は再び勧誘しないこと。"),
    _t("appi", "APPI (Act on the Protection of Personal Information)", "日本《个人信息保护法》",
       "個人情報保護法（APPI）",
       "`regime.breach.ladder`, `regime.breach.penalty_after_order` (Japan preset: the APPI maximum); "
       "`regime.breach.fine` = 0",
       d_en="Japan's data-protection law (2003, amended 2020, in force 2022). It regulates how personal data is "
            "acquired, used and provided: specify the purpose and notify or publish it (arts. 17, 21), do not use data "
            "beyond it without consent (art. 18), get consent before providing data to third parties (art. 27), keep "
            "it secure and, since 2022, report serious breaches to the Personal Information Protection Commission and "
            "tell the people affected (art. 26). It does not forbid recording data without permission. The ¥100M "
            "fine is the maximum for a corporation that ignores the Commission's order, not a fine per breach.",
       d_zh="日本的个人信息保护法律（2003 年制定，2020 年修订、2022 年施行）。它规范个人信息的取得、使用和提供："
            "明确利用目的并告知或公布（第 17、21 条）；超出目的使用须经本人同意（第 18 条）；向第三方提供须事先同意"
            "（第 27 条）；须采取安全管理措施，且自 2022 年起发生严重泄露时须向个人信息保护委员会报告并通知本人"
            "（第 26 条）。它并未规定“未经许可不得记录”。1 亿日元是法人无视委员会命令时罚金的上限，而不是每次泄露"
            "都会被处以的罚款。",
       d_ja="日本の個人情報保護の法律（2003 年制定、2020 年改正・2022 年施行）。個人データの取得・利用・提供を"
            "規律する。利用目的を特定して通知・公表し（第 17・21 条）、目的外利用には本人の同意が要り（第 18 条）、"
            "第三者提供には原則として事前の同意が要る（第 27 条）。安全管理措置を講じ、2022 年からは重大な漏えい等を"
            "個人情報保護委員会に報告し本人に通知する義務がある（第 26 条）。「無断で記録してはならない」という"
            "規定ではない。法人への罰金 1 億円は、委員会の命令に従わなかった場合の上限であり、漏えい 1 件ごとの"
            "罰金ではない。"),
    _t("specified_email_act", "Specified E-mail Act", "日本《特定电子邮件法》",
       "特定電子メール法（特定電子メールの送信の適正化等に関する法律）",
       "`tool.law`, `regime.message_ladder`, `regime.fine_per_enforcement` (Japan preset: the act's maximum "
       "after an order)",
       d_en="Japan's anti-spam law (2002; opt-in since 2008). Marketing e-mail and SMS need the recipient's prior "
            "opt-in, must show the sender and must offer a way to refuse (arts. 3–4). LINE official-account messages "
            "are generally treated as outside it. Violations usually lead to guidance and then an order from the "
            "regulators (the Ministry of Internal Affairs and Communications, the Consumer Affairs Agency); the fine "
            "of up to ¥30M for a corporation is the maximum after an order is ignored, not a fine per complaint.",
       d_zh="日本的反垃圾邮件法（2002 年制定，2008 年起采用选择加入制）。营销邮件和短信须事先取得接收者同意，"
            "须标明发送者并提供拒收方式（第三、四条）。一般认为 LINE 官方账号的消息不在其适用范围内。违规时通常"
            "先由总务省或消费者厅指导、再下达命令；对法人最高 3,000 万日元的罚金是无视命令后的上限，而非按投诉计罚。",
       d_ja="日本の迷惑メール対策の法律（2002 年制定、2008 年からオプトイン方式）。広告宣伝の電子メールと SMS には"
            "受信者の事前同意、送信者の表示、受信拒否の方法の明示が必要（第 3・4 条）。LINE 公式アカウントの"
            "メッセージは一般に対象外と扱われている。違反にはまず総務省・消費者庁による指導、次に措置命令が出るのが"
            "通例で、法人への最大 3,000 万円の罰金は命令に従わなかった場合の上限であり、苦情 1 件ごとの罰金ではない。"),
    _t("pipl", "PIPL (Personal Information Protection Law)", "《个人信息保护法》（PIPL）", "中国個人情報保護法（PIPL）",
       "`regime.breach.ladder`, `regime.breach.penalty_after_order` (China preset: CNY 1M after an order)",
       d_en="China's data-protection law (2021). Consent, where it is the legal basis, must be informed, voluntary "
            "and explicit (arts. 13–14); separate consent is needed for providing data to others and for sensitive "
            "data (arts. 23, 29); consent can be withdrawn easily (art. 15), and automated marketing must offer an "
            "easy way to refuse (art. 24). Penalties (art. 66): an order to correct and a warning; a fine of up to "
            "CNY 1M if the processor refuses to correct; up to CNY 50M or 5% of the previous year's turnover for "
            "serious cases.",
       d_zh="中国的个人信息保护法律（2021 年）。以同意为处理依据时，同意须在充分知情的前提下自愿、明确作出"
            "（第十三、十四条）；向他人提供个人信息、处理敏感个人信息须取得单独同意（第二十三、二十九条）；个人可"
            "便捷地撤回同意（第十五条）；利用自动化决策进行信息推送、商业营销须提供便捷的拒绝方式（第二十四条）。"
            "法律责任（第六十六条）：责令改正、警告；拒不改正的，处一百万元以下罚款；情节严重的，处五千万元以下或"
            "上一年度营业额百分之五以下罚款。",
       d_ja="中国の個人情報保護の法律（2021 年）。同意を根拠とする場合、その同意は十分な説明を受けたうえで任意かつ"
            "明確に与えられなければならない（第 13・14 条）。第三者への提供やセンシティブ情報の処理には個別の同意が"
            "必要（第 23・29 条）。同意は容易に撤回でき（第 15 条）、自動化された意思決定による販促には簡便な拒否"
            "手段が要る（第 24 条）。罰則（第 66 条）は是正命令と警告、是正を拒めば 100 万元以下の罰金、重大な場合は"
            " 5,000 万元以下または前年売上高の 5% 以下。"),
    _t("advertising_law_sms", "Commercial SMS consent (China)", "商业短信须经同意", "商業 SMS への同意（中国）",
       "`compliance.cold_outreach_per_week`; regime per market",
       d_en="China's Advertising Law (2015) art. 43 forbids sending advertisements by electronic means without the "
            "recipient's consent or request and requires a way to refuse; the MIIT Provisions on Communication Short "
            "Message Services (2015) art. 18 say the same for commercial SMS. Sending SMS to an order's phone number "
            "without consent is therefore not lawful in China either.",
       d_zh="《广告法》（2015 年修订）第四十三条规定，未经当事人同意或者请求，不得以电子信息方式向其发送广告，"
            "并须提供拒绝继续接收的方式；工业和信息化部《通信短信息服务管理规定》（2015 年）第十八条对商业短信作了"
            "同样规定。因此，未经同意给订单手机号发营销短信在中国同样不合法。",
       d_ja="中国の広告法（2015 年改正）第 43 条は、本人の同意または求めなしに電子的手段で広告を送ることを禁じ、"
            "受信拒否の手段を求めている。工業情報化部「通信短信息サービス管理規定」（2015 年）第 18 条も商業 SMS に"
            "ついて同じ定めを置く。注文時の電話番号へ無断で販促 SMS を送ることは中国でも違法である。"),
    _t("complaint", "Complaint", "投诉", "苦情",
       "KPI `complaints`",
       d_en="A recipient reports a message to the platform, a carrier or a regulator; complaints about unlawful "
            "messages are what usually starts enforcement.",
       d_zh="接收者向平台、运营商或监管部门举报一条消息；针对违法消息的投诉通常是执法的起点。",
       d_ja="受信者がメッセージをプラットフォーム、通信事業者、行政に通報すること。違法な配信への苦情は"
            "行政対応のきっかけになることが多い。"),
    _t("enforcement", "Enforcement action", "执法、行政处罚", "行政処分（措置命令・罰則）",
       "KPIs `enforcements`, `fines`",
       d_en="A regulator acts on complaints. In Japan the usual ladder is guidance, then an order, and a penalty "
            "only if the order is ignored; a public order also costs trust. The model simplifies this as one draw "
            "per day from complaints about unlawful messages, each costing a fine and a trust shock.",
       d_zh="监管部门根据投诉采取行动。在日本，通常先行政指导，再下达命令，只有无视命令才会受罚；公开的命令"
            "本身也会损害信任。本模型简化为：每天根据针对违法消息的投诉抽取一次是否执法，每次执法产生罚款和信任冲击。",
       d_ja="行政が苦情を受けて動くこと。日本では通常、指導、次に措置命令と段階を踏み、命令に従わない場合に"
            "初めて罰則が科される。命令の公表そのものも信頼を損なう。本モデルは、違法な配信への苦情から 1 日 1 回"
            "処分の有無を抽選し、処分ごとに罰金と信頼低下が生じるものとして簡略化している。"),
    _t("data_breach", "Data breach", "数据泄露", "データ漏えい（情報漏えい）",
       "`regime.breach`; KPI `breaches`",
       d_en="Personal data escapes. In Japan the law imposes reporting and notification duties rather than a fine "
            f"for the breach itself; the main cost is lost trust and members who leave, which {CITE['japan']} "
            "describes as severe in Japan.",
       d_zh=f"个人信息外泄。在日本，法律对泄露本身规定的是报告和通知义务，而非直接罚款；主要代价是信任受损和会员"
            f"流失，在日本尤其严重（{CITE_ZH['japan']}）。",
       d_ja=f"個人データが外部に漏れること。日本の法律が漏えいそのものに課すのは罰金ではなく報告・通知の義務であり、"
            f"主な損失は信頼の低下と会員の離脱で、日本では特に深刻（{CITE_JA['japan']}）。"),
    _t("fake_private", "Fake private traffic", "伪私域", "見せかけの私域",
       "low `quality`, high `selling_share`",
       d_en="Pools that are really broadcast lists: no trust, no service, only promotions.",
       d_zh="名为私域、实为群发列表：没有信任和服务，只有促销信息。",
       d_ja="実態はただの一斉配信リストになっているプール。信頼もサービスもなく、販促だけが流れる。"),
))

_BEHAVIOUR = Section("behaviour", {"en": "Behaviour", "zh": "用户行为", "ja": "顧客行動"}, (
    _t("fatigue", "Fatigue", "用户疲劳", "疲労（配信疲れ）",
       "state `F`, `fatigue_decay_days`",
       d_en=f"“Repeated operations without novelty fatigue users” ({CITE['eo']}). It grows with every message seen, "
            "fades over days, and is shared across brands.",
       d_zh=f"“缺乏新意的重复运营会让用户疲劳”（{CITE_ZH['eo']}）。每看到一条消息就增加一些，随时间逐日消退，"
            "并在不同品牌之间累积。",
       d_ja=f"「新鮮味のない運営の繰り返しは利用者を疲れさせる」（{CITE_JA['eo']}）。読んだメッセージごとにたまり、"
            "日ごとに薄れ、ブランドをまたいで蓄積する。"),
    _t("tolerance", "Message tolerance", "消息容忍度", "許容配信頻度",
       "trait `message_tolerance`",
       d_en="How many messages a week a consumer accepts before fatigue starts to bite.",
       d_zh="消费者在开始感到疲劳之前每周能接受的消息条数。",
       d_ja="疲れを感じ始める前に、消費者が 1 週間に受け入れられるメッセージの数。"),
    _t("frequency", "Message frequency", "触达频次", "配信頻度",
       "`messaging.per_week`, `cap_per_week`",
       d_en="Broadcasts per week.",
       d_zh="每周群发消息的次数。",
       d_ja="1 週間あたりの一斉配信の回数。"),
    _t("trust", "Trust", "信任", "信頼",
       "state `trust`",
       d_en="Grows with valuable content and falls with hard selling and scandals; it makes members stickier and "
            "more willing to share.",
       d_zh="有价值的内容会提升信任，硬广和负面事件会降低信任；信任越高，会员越稳定、越愿意分享。",
       d_ja="価値ある情報で高まり、押し売りや不祥事で下がる。信頼が高いほど会員は離れにくく、紹介もしやすい。"),
    _t("privacy", "Privacy sensitivity", "隐私敏感度", "プライバシー意識",
       "trait `privacy_sensitivity`",
       d_en=f"How much a consumer guards their personal data; low in China and high in Japan according to "
            f"{CITE['japan']}.",
       d_zh=f"消费者保护个人信息的程度；据 {CITE_ZH['japan']}，中国较低，日本较高。",
       d_ja=f"消費者が個人データをどれだけ守ろうとするか。{CITE_JA['japan']} によれば、中国では低く日本では高い。"),
    _t("dropout", "Dropout, churn", "流失", "離反",
       "trait `dropout`; stage `lapsed`",
       d_en="The end of the relationship with the brand.",
       d_zh="顾客与品牌的关系终止。",
       d_ja="顧客とブランドの関係が終わること。"),
    _t("lapsed", "Lapsed customer", "沉睡用户、流失用户", "休眠顧客",
       "stage `lapsed`",
       d_en="A customer whose relationship with the brand has ended.",
       d_zh="与品牌的关系已经终止的顾客。",
       d_ja="ブランドとの関係が途切れた顧客。"),
    _t("winback", "Win-back", "召回", "掘り起こし（休眠顧客の呼び戻し）",
       "`winback_share`",
       d_en="Bringing a lapsed customer back.",
       d_zh="把已流失的顾客重新唤回。",
       d_ja="休眠顧客を再び呼び戻すこと。"),
    _t("forgetting", "Forgetting", "遗忘", "忘却",
       "`forget_days`",
       d_en="A consumer who knows the brand but never bought stops thinking of it.",
       d_zh="知道品牌却从未购买的消费者逐渐把它忘掉。",
       d_ja="ブランドを知っていても買ったことのない消費者が、やがてそのブランドを思い出さなくなること。"),
    _t("spam_fatigue", "Spam fatigue", "骚扰疲劳", "迷惑な紹介による疲労",
       "`spam_fatigue`",
       d_en="Fatigue caused by unwanted referral shares from friends.",
       d_zh="朋友发来的不想要的推荐分享所造成的疲劳。",
       d_ja="友人から届く望まない紹介やシェアによってたまる疲れ。"),
))

_METRICS = Section("metrics", {"en": "Metrics and models", "zh": "指标与模型", "ja": "指標とモデル"}, (
    _t("k_factor", "K-factor", "K 因子（裂变系数）", "K ファクター（K係数）",
       "KPI `k_factor`",
       d_en="The average number of new members each member brings in. Below 1 a cascade dies out (S seeds lead to "
            "S/(1 − K) members in total); at 1 or more growth sustains itself.",
       d_zh="每名会员平均带来的新会员数。小于 1 时裂变会逐渐停止（S 名种子会员最终共带来 S/(1 − K) 名会员）；"
            "等于或大于 1 时增长可以自我维持。",
       d_ja="会員 1 人が平均して連れてくる新規会員の数。1 未満なら連鎖はやがて止まり（最初の S 人から合計 "
            "S/(1 − K) 人）、1 以上なら成長は自走する。"),
    _t("viral_share", "Viral share", "裂变加入占比", "紹介による入会の割合（バイラル比率）",
       "KPI `viral_share`",
       d_en="Joins through referral as a share of all joins.",
       d_zh="经推荐加入的人数占全部加入人数的比例。",
       d_ja="全登録のうち紹介経由の登録が占める割合。"),
    _t("ltv", "LTV (lifetime value)", "客户生命周期价值（LTV）", "顧客生涯価値（LTV）",
       "KPI `member_ltv`",
       d_en="The discounted contribution (margin after the costs of serving) a customer brings over the "
            "relationship. In the model it is per member ever joined, from member sales less their costs, and "
            "truncated at the horizon, so it understates slow-building strategies on short runs.",
       d_zh="顾客在整个关系期间带来的贴现贡献（扣除服务成本后的毛利）。在本模型中按每名曾加入的会员计算，"
            "由会员销售额扣除相关成本得出，并在模拟期末截断，因此在较短的模拟期内会低估见效慢的策略。",
       d_ja="顧客が関係の全期間にもたらす割引後の貢献利益（対応コストを差し引いた粗利）。本モデルでは入会した会員"
            " 1 人あたりで、会員の売上から関連コストを引いて計算し、シミュレーション期間の終わりで打ち切るため、"
            "短い期間では時間のかかる戦略を過小評価する。"),
    _t("cac", "CAC (customer acquisition cost)", "获客成本（CAC）", "顧客獲得単価（CAC）",
       "KPIs `cac`, `cost_per_member`",
       d_en="Acquisition spend per new customer. The model reports two: `cac` counts all acquisition spend "
            "including ads per new relationship; `cost_per_member` counts pool-building spend only (content, KOLs, "
            "partners, hooks, invitations, referral rewards), leaving ad spend out.",
       d_zh="每获得一名新顾客的获客支出。模型给出两个指标：`cac` 计入包括广告在内的全部获客支出，按每段新关系计算；"
            "`cost_per_member` 只计入建设私域的支出（内容、KOL、合作方、钩子、邀请、推荐奖励），不含广告费。",
       d_ja="新規顧客 1 人を得るための獲得費用。モデルは二つを示す。`cac` は広告を含む獲得費用全体を新たな関係の数で"
            "割ったもの、`cost_per_member` はプールづくりの費用（コンテンツ、KOL、提携先、特典、招待、紹介報酬）"
            "だけで、広告費を含まない。"),
    _t("ltv_cac", "LTV/CAC", "LTV/CAC 比值", "LTV/CAC 比率",
       "KPIs `ltv_cac`, `ltv_pool_cac`",
       d_en="Value created per unit spent on acquisition. A common rule of thumb (D. Skok, \"SaaS Metrics 2.0\", For "
             "Entrepreneurs, 2013) asks for about 3:1 with the full "
            "acquisition cost, since LTV must also pay for overheads and risk; a ratio just above 1 barely breaks "
            "even. In the model `ltv_cac` is the conventional ratio: the horizon-truncated, discounted member LTV "
            "over `cac`, all acquisition spend with ads per new customer or member. The variant `ltv_pool_cac` "
            "divides by `cost_per_member`, which is without ad spend, so it reads higher.",
       d_zh="每单位获客支出所创造的价值。常见的经验法则（D. Skok，“SaaS Metrics 2.0”，For Entrepreneurs，2013）"
            "要求在计入全部获客成本时达到约 3:1，因为 LTV 还需覆盖"
            "管理费用和风险；刚刚超过 1 只是勉强保本。本模型的 `ltv_cac` 采用常规口径：在模拟期末截断的贴现会员"
            " LTV 除以 `cac`（含广告在内的全部获客支出，按每位新顾客或新会员计）。变体 `ltv_pool_cac` 除以不含"
            "广告费的 `cost_per_member`，因此数值更高。",
       d_ja="獲得費用 1 単位あたりに生まれる価値。一般的な目安（D. Skok「SaaS Metrics 2.0」For Entrepreneurs、2013 年）"
            "は、獲得費用をすべて含めて約 3:1。LTV は間接費や"
            "リスクも賄う必要があるためで、1 をわずかに上回るだけでは収支とんとんにすぎない。本モデルの `ltv_cac` "
            "は通常の定義で、期間の終わりで打ち切った割引後の会員 LTV を `cac`（広告を含む獲得費用の総額を新規の"
            "顧客・会員 1 人あたりにしたもの）で割る。変種の `ltv_pool_cac` は広告費を含まない `cost_per_member` "
            "で割るため、高めに出る。"),
    _t("payback", "Payback period", "回本周期", "投資回収期間",
       "KPI `payback_month`",
       d_en="Months until cumulative profit turns positive after an initial loss.",
       d_zh="前期亏损后，累计利润转为正值所需的月数。",
       d_ja="初期の赤字の後、累計利益がプラスに転じるまでの月数。"),
    _t("roi", "ROI", "投资回报率（ROI）", "投資収益率（ROI）",
       "KPI `marketing_roi`",
       d_en="Profit divided by marketing spend.",
       d_zh="利润除以营销支出。",
       d_ja="利益をマーケティング費用で割った値。"),
    _t("unsubs", "Unsubscribes per 1,000 sends", "每 1,000 条消息的退订数",
       "1,000 通あたりのオプトアウト（配信停止数）",
       "KPI `unsubs_per_1000`",
       d_en="A common e-mail marketing benchmark: about 1–4 at a weekly cadence.",
       d_zh="电子邮件营销的常用基准：每周发送一次时约为 1–4。",
       d_ja="メールマーケティングでよく使われる目安。週 1 回の配信で約 1〜4。"),
    _t("response_rate", "Response rate", "响应率（每条已读消息的购买数）", "反応率（既読メッセージあたりの購入）",
       "KPI `response_rate`",
       d_en="Purchases per message seen.",
       d_zh="每条被看到的消息带来的购买次数。",
       d_ja="読まれたメッセージ 1 通あたりの購入数。"),
    _t("bgnbd", "BG/NBD", "BG/NBD 模型（贝塔几何/负二项分布）", "BG/NBD モデル（ベータ幾何／負の二項分布）",
       "traits `purchase_rate`, `dropout`; `sim.analysis.calibrate`",
       d_en="Fader, Hardie & Lee (2005): while alive, a customer buys at a Poisson rate (Gamma-distributed across "
            "customers); after each purchase they drop out with a probability (Beta-distributed across customers). "
            "It is fitted to each customer's frequency x (repeat purchases), recency t_x (time from the first to "
            "the last purchase) and age T (time since the first purchase).",
       d_zh="Fader、Hardie 与 Lee（2005）：顾客“存活”期间按泊松过程购买（购买率在顾客间服从伽马分布）；每次购买后"
            "以一定概率流失（该概率在顾客间服从贝塔分布）。模型用每名顾客的频次 x（复购次数）、"
            "最近购买时间 t_x（首次到最后一次购买的间隔）和观察期长度 T（自首次购买起）来拟合。",
       d_ja="Fader・Hardie・Lee（2005）。顧客は「生存」中はポアソン過程で購入し（購入率は顧客間でガンマ分布）、"
            "購入のたびに一定の確率で離反する（その確率は顧客間でベータ分布）。顧客ごとの頻度 x（リピート購入回数）、"
            "最終購入時点 t_x（初回から最後の購入までの期間）、観測期間 T（初回購入からの経過時間）に"
            "当てはめる。"),
    _t("rfm", "RFM", "RFM（最近消费、消费频率、消费金额）", "RFM 分析（最終購買日・購買頻度・購買金額）",
       "notebook 07",
       d_en="Recency, frequency and monetary value: the classic direct-marketing summary of a customer. BG/NBD "
            "uses only the timing part, the (x, t_x, T) summary; the monetary value is modelled separately "
            "(Gamma-Gamma spend model).",
       d_zh="最近一次消费、消费频率和消费金额：直销领域经典的顾客概括指标。BG/NBD 只用其中与时间有关的部分，"
            "即 (x, t_x, T)；消费金额另由伽马-伽马消费模型处理。",
       d_ja="最終購買日（Recency）・購買頻度（Frequency）・購買金額（Monetary）という、ダイレクトマーケティングの"
            "古典的な顧客の要約。BG/NBD が使うのは時間に関する部分、すなわち (x, t_x, T) だけで、金額はガンマ・"
            "ガンマ支出モデルで別に扱う。"),
    _t("bass", "Bass diffusion", "巴斯扩散模型", "バス拡散モデル",
       "`validation/bass`",
       d_en="Bass (1969): adoption driven by innovation p (outside influence) and imitation q (word of mouth). The "
            "rates carry a time unit: the validation case uses p = 0.002 and q = 0.03 per day, about 0.73 and 11 "
            "per year — far faster than typical durable-goods estimates (around 0.03 and 0.38 per year), so that "
            "the curve completes within a simulated year.",
       d_zh="Bass（1969）：采用由创新系数 p（外部影响）和模仿系数 q（口碑）共同驱动。系数带有时间单位：验证场景"
            "使用 p = 0.002/天、q = 0.03/天，约合每年 0.73 和 11，远快于耐用品的典型估计（每年约 0.03 和 0.38），"
            "这样扩散曲线能在一年的模拟内走完。",
       d_ja="Bass（1969）。普及は革新係数 p（外部からの影響）と模倣係数 q（口コミ）で進む。係数には時間の単位があり、"
            "検証シナリオは p = 0.002／日、q = 0.03／日（年換算で約 0.73 と 11）を使う。耐久財の典型的な推定値"
            "（年あたり約 0.03 と 0.38）よりずっと速く、1 年のシミュレーションで曲線が完結するようにしている。"),
    _t("branching", "Branching process", "分支过程（高尔顿-沃森过程）", "分枝過程（ゴルトン＝ワトソン過程）",
       "`validation/branching`",
       d_en="Each member independently brings a random number of new members with mean K.",
       d_zh="每名会员独立地带来随机数量的新会员，平均为 K。",
       d_ja="各会員が互いに独立に、平均 K 人の新規会員をランダムに連れてくる過程。"),
    _t("networks", "Small-world / scale-free network", "小世界网络／无标度网络",
       "スモールワールド／スケールフリー・ネットワーク",
       "`market.network.kind`",
       d_en="Friend networks with clustering and short paths (Watts–Strogatz) or with hubs (Barabási–Albert, "
            "Chung–Lu).",
       d_zh="具有聚类和短路径特征的朋友网络（Watts–Strogatz），或存在中心节点的网络（Barabási–Albert、Chung–Lu）。",
       d_ja="クラスターと短い経路を持つ友人ネットワーク（Watts–Strogatz）、またはハブを持つネットワーク"
            "（Barabási–Albert、Chung–Lu）。"),
    _t("abm", "Agent-based model (ABM)", "基于主体的模型（ABM）", "エージェントベースモデル（ABM）",
       "the whole model",
       d_en="A simulation of many individuals following simple rules, from which aggregate patterns emerge.",
       d_zh="模拟大量遵循简单规则的个体，由其互动涌现出整体规律。",
       d_ja="単純なルールに従う多数の個体をシミュレーションし、その相互作用から全体のパターンが現れるモデル。"),
    _t("odd", "ODD protocol", "ODD 协议", "ODD プロトコル",
       "`docs/MODEL.md` (the whole document)",
       d_en="The standard way to describe an agent-based model: Overview, Design concepts, Details (Grimm et al.).",
       d_zh="描述基于主体模型的标准格式：概述、设计概念、细节（Grimm 等）。",
       d_ja="エージェントベースモデルを記述する標準形式。概要・設計概念・詳細の 3 部からなる（Grimm ら）。"),
    _t("crn", "Common random numbers", "公共随机数", "共通乱数",
       "`run.seed`; `sim.analysis.compare`",
       d_en="Running two scenarios with the same random draws so that their difference is not luck.",
       d_zh="让两个情景使用相同的随机数运行，使二者的差异不是运气造成的。",
       d_ja="二つのシナリオを同じ乱数で実行し、差が偶然によるものにならないようにする手法。"),
    _t("replicates", "Replicates", "重复运行", "反復試行（レプリケーション）",
       "`sim.analysis.replicate`",
       d_en="Many runs with different seeds, to see the spread of outcomes.",
       d_zh="用不同随机种子多次运行，以观察结果的分布范围。",
       d_ja="乱数シードを変えて何度も実行し、結果のばらつきを見ること。"),
    _t("sensitivity", "Sensitivity analysis (Sobol, Morris)", "敏感性分析（Sobol、Morris）",
       "感度分析（Sobol 法、Morris 法）",
       "`sim.analysis.sensitivity`",
       d_en="Finding which inputs move an output most.",
       d_zh="找出哪些输入对结果影响最大。",
       d_ja="どの入力が結果を最も大きく動かすかを調べること。"),
    _t("calibration", "Calibration", "校准", "キャリブレーション",
       "`sim.analysis.calibrate`",
       d_en="Setting parameters so that the model matches data.",
       d_zh="调整参数，使模型与数据相符。",
       d_ja="モデルがデータに合うようにパラメータを設定すること。"),
))

#: All sections, in the order they are shown.
SECTIONS: tuple[Section, ...] = (_DOMAINS, _SIX_STEPS, _TOOLS, _MEMBERSHIP, _LAW, _BEHAVIOUR, _METRICS)
