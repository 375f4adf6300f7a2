"""Why one strategy beats another: the paired profit gap as a waterfall by ledger item and by mechanism.

Profit is the sum of the ledger: revenue items count positive, cost items negative
(``sim.model.layout.MONEY``; ``daily.profit = revenue - costs``). For two columns A and B of a
comparison run with common random numbers, the gap in cumulative profit up to a day is, seed by seed,

    gap_i = sum over items j of (signed_A_ij - signed_B_ij),

so the per-item paired differences add up to the gap in every seed, and their means add up to the
mean gap (linearity of the mean). Each item's contribution gets a 95% paired t interval over seeds
(the same estimator as :func:`sim.analysis.compare.paired_ci`). Grouping items by the mechanism that
writes them (:data:`MECHANISM_OF`) gives the same waterfall by mechanism.

:func:`why_lines` turns an attribution into the verdict's "why" (largest contributors for and
against the leader, and the mechanisms), in the languages of :mod:`sim.i18n`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimInputError
from sim.format import human, md_escape
from sim.i18n import t
from sim.model import components
from sim.model import layout as L

__all__ = [
    "LEDGER_DAILY",
    "MECHANISMS",
    "MECHANISM_OF",
    "Attribution",
    "attribute",
    "attribute_frames",
    "ledger_totals",
    "why_lines",
]

#: Every ledger item, in ledger order; revenue items first.
LEDGER_DAILY: tuple[str, ...] = tuple(L.MONEY)
REVENUE = frozenset(L.MONEY[i] for i in L.REVENUE_ITEMS)

#: Which mechanism owns each ledger item: the component of ``sim/model/mechanisms`` whose kernel writes
#: it, or, for the brand's fixed budgets written in ``sim/model/brand.py``, the mechanism the spend
#: serves (ads, content and KOL fees buy acquisition; security lowers the breach hazard of compliance;
#: staff and software run the pool). Distribution commission is written at purchase but paid to
#: sharers, so it counts with referral. This is the one place the mapping lives; when mechanisms
#: declare the ledger items they own, this table is to be read from those declarations.
MECHANISM_OF: dict[str, str] = {
    "revenue_public": "purchase",
    "revenue_private": "purchase",
    "membership_fees": "membership",
    "cogs": "purchase",
    "platform_commission": "purchase",
    "payment_fees": "purchase",
    "ad_spend": "acquisition",
    "content_cost": "acquisition",
    "kol_fees": "acquisition",
    "partner_fees": "acquisition",
    "hooks": "interception",
    "invite_costs": "interception",
    "message_costs": "messaging",
    "operator_staff": "operations",
    "saas": "operations",
    "referral_rewards": "referral",
    "distribution_commission": "referral",
    "points_redeemed": "membership",
    "member_discounts": "membership",
    "birthday_perks": "membership",
    "security": "compliance",
    "fines": "compliance",
    "breach_costs": "compliance",
}
for _component in components.DECLARING:  # ledger items of later components (the levers): their owner's name
    for _item in getattr(_component, "LEDGER", {}).values():
        MECHANISM_OF.setdefault(_item, _component.NAME)
#: Sales items that move together with the volume sold: the "why" nets them into one gross-margin step, so
#: that selling more (revenue up, goods and fees up) is not read as two large opposite causes.
SALES_ITEMS: tuple[str, ...] = ("revenue_public", "revenue_private", "cogs", "platform_commission", "payment_fees",
                                 *(L.MONEY[i] for i in L.REVENUE_ITEMS
                                   if L.MONEY[i] not in ("revenue_public", "revenue_private", "membership_fees")))
GROSS_MARGIN = "gross_margin"
#: Mechanisms in display order.
MECHANISMS: tuple[str, ...] = tuple(dict.fromkeys(MECHANISM_OF.values()))
if set(MECHANISM_OF) != set(L.MONEY):  # a new ledger item must be given a mechanism here
    raise RuntimeError(f"MECHANISM_OF does not cover the ledger: {sorted(set(L.MONEY) ^ set(MECHANISM_OF))}")


def ledger_totals(frames: Sequence[pd.DataFrame], day: int, scale: float = 1.0) -> pd.DataFrame:
    """Signed ledger totals from day 0 to ``day`` (inclusive), one row per replicate frame.

    Args:
        frames: One frame per replicate with ``day`` and ``daily.<item>`` columns for every ledger item.
        day: Last day counted (0-based).
        scale: Multiplier (``1 / fx`` to convert to US dollars).

    Returns:
        A frame (replicates x items): revenue items positive, cost items negative.

    Raises:
        SimInputError: If a ledger item's daily column is missing.
    """
    rows = []
    for f in frames:
        missing = [c for c in LEDGER_DAILY if f"daily.{c}" not in f.columns]
        if missing:
            raise SimInputError.single(
                "attribution", "daily columns",
                "the runs did not keep every ledger item; run them with daily_columns=LEDGER_DAILY "
                f"(missing: {', '.join(missing[:4])}{'...' if len(missing) > 4 else ''})",
            )
        upto = f[f["day"] <= day]
        rows.append({c: float(upto[f"daily.{c}"].sum()) * scale * (1.0 if c in REVENUE else -1.0)
                     for c in LEDGER_DAILY})
    return pd.DataFrame(rows, columns=list(LEDGER_DAILY))


def _ci(x: np.ndarray, level: float) -> tuple[float, float]:
    from sim.analysis.compare import paired_ci

    if x.size < 2:
        return math.nan, math.nan
    if np.all(x == x[0]):
        return float(x[0]), float(x[0])
    return paired_ci(x, level, "t")


@dataclass
class Attribution:
    """The paired profit gap A - B split by ledger item.

    Attributes:
        a: Label of column A.
        b: Label of column B.
        day: Last day counted (0-based).
        currency: Currency of the amounts.
        per_seed: Replicates x items: signed A total minus signed B total (adds up to the gap per row).
        level: Confidence level of the intervals.
    """

    a: str
    b: str
    day: int
    currency: str
    per_seed: pd.DataFrame
    level: float = 0.95
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Replicates."""
        return len(self.per_seed)

    @property
    def gap(self) -> pd.Series:
        """The paired profit gap A - B in each replicate (the sum of its items)."""
        return self.per_seed.sum(axis=1)

    def _table(self, wide: pd.DataFrame, key: str) -> pd.DataFrame:
        gap = float(self.gap.mean())
        rows = []
        for col in wide.columns:
            x = wide[col].to_numpy(dtype=np.float64)
            lo, hi = _ci(x, self.level)
            rows.append({key: col, "mean": float(x.mean()) if x.size else math.nan, "ci_low": lo, "ci_high": hi,
                         "share_of_gap": float(x.mean()) / gap if gap else math.nan})
        return pd.DataFrame(rows, columns=[key, "mean", "ci_low", "ci_high", "share_of_gap"])

    def by_item(self) -> pd.DataFrame:
        """The waterfall by ledger item: ``item, kind, mechanism, mean, ci_low, ci_high, share_of_gap``.

        ``mean`` is A minus B of the signed item (a cost A spends more on is negative); the means add up
        to :meth:`total`'s mean.
        """
        out = self._table(self.per_seed, "item")
        out.insert(1, "kind", ["revenue" if i in REVENUE else "cost" for i in out["item"]])
        out.insert(2, "mechanism", [MECHANISM_OF[i] for i in out["item"]])
        return out

    def by_net_item(self) -> pd.DataFrame:
        """Like :meth:`by_item`, with the sales items netted into one ``gross_margin`` step.

        The step is sales less goods, platform commission and payment fees; the verdict's "why" reads it.
        """
        keep = [c for c in self.per_seed.columns if c not in SALES_ITEMS]
        wide = self.per_seed[keep].copy()
        wide.insert(0, GROSS_MARGIN, self.per_seed[list(SALES_ITEMS)].sum(axis=1))
        return self._table(wide, "item")

    def by_mechanism(self) -> pd.DataFrame:
        """The waterfall by mechanism (items summed per seed, then intervals): ``mechanism, mean, ...``."""
        wide = self.per_seed.T.groupby(lambda i: MECHANISM_OF[i], sort=False).sum().T
        wide = wide[[m for m in MECHANISMS if m in wide.columns]]
        return self._table(wide, "mechanism")

    def total(self) -> dict[str, float]:
        """Mean paired gap, its interval, and the replicates."""
        x = self.gap.to_numpy(dtype=np.float64)
        lo, hi = _ci(x, self.level)
        return {"mean": float(x.mean()) if x.size else math.nan, "ci_low": lo, "ci_high": hi, "n": int(x.size)}

    def waterfall(self, by: str = "item", *, min_share: float = 0.0) -> pd.DataFrame:
        """Steps for a waterfall chart, ordered by size, ending with the total.

        Args:
            by: ``"item"`` or ``"mechanism"``.
            min_share: Steps smaller than this share of the largest step are pooled into one ``other`` step.
        """
        tab = self.by_item() if by == "item" else self.by_mechanism()
        key = tab.columns[0]
        tab = tab[tab["mean"] != 0].copy()
        tab = tab.reindex(tab["mean"].abs().sort_values(ascending=False).index)
        if min_share > 0 and len(tab):
            big = tab["mean"].abs() >= min_share * tab["mean"].abs().max()
            small = tab[~big]
            tab = tab[big]
            if len(small):
                cols = [c for c in small[key]]
                src = self.per_seed if by == "item" else None
                x = (src[cols].sum(axis=1) if src is not None else
                     self.per_seed.T.groupby(lambda i: MECHANISM_OF[i]).sum().T[cols].sum(axis=1)).to_numpy()
                lo, hi = _ci(x, self.level)
                tab = pd.concat([tab, pd.DataFrame([{key: "other", "mean": float(x.mean()), "ci_low": lo,
                                                     "ci_high": hi}])], ignore_index=True)
        tot = self.total()
        tab = pd.concat([tab, pd.DataFrame([{key: "total", "mean": tot["mean"], "ci_low": tot["ci_low"],
                                             "ci_high": tot["ci_high"]}])], ignore_index=True)
        return tab.rename(columns={key: "step"})[["step", "mean", "ci_low", "ci_high"]]


def attribute_frames(
    frames_a: Sequence[pd.DataFrame],
    frames_b: Sequence[pd.DataFrame],
    *,
    a: str,
    b: str,
    day: int,
    currency: str,
    scale_a: float = 1.0,
    scale_b: float = 1.0,
    level: float = 0.95,
) -> Attribution:
    """Attribution from paired replicate frames (replicate ``i`` of A and of B share a seed).

    Raises:
        SimInputError: If the replicate counts differ or a ledger column is missing.
    """
    if len(frames_a) != len(frames_b) or not frames_a:
        raise SimInputError.single("attribution", "replicates",
                                   f"needs the same replicates of both columns ({len(frames_a)} and {len(frames_b)})")
    if not 0 < level < 1:
        raise SimInputError.single("attribution", "level", "must be between 0 and 1", level)
    ta = ledger_totals(frames_a, day, scale_a)
    tb = ledger_totals(frames_b, day, scale_b)
    return Attribution(a, b, int(day), currency, ta - tb, level)


def attribute(comparison: Any, a: str | None = None, b: str | None = None, *, day: int | None = None,
              level: float = 0.95) -> Attribution:
    """The attribution of a :class:`~sim.analysis.compare.ComparisonEnsemble` (paired over its seeds).

    The comparison must have kept every ledger item (``compare_scenarios(..., daily_columns=LEDGER_DAILY)``).
    Money of markets with different currencies is converted to US dollars.

    Args:
        comparison: The comparison ensemble.
        a: Column label (default: the first column).
        b: Column label (default: the second).
        day: Last day counted (0-based; default the last common day).
        level: Confidence level of the intervals.
    """
    from sim.scenario.schema import market_fx

    labels = comparison.labels
    if len(labels) < 2:
        raise SimInputError.single("attribution", "scenarios", "an attribution needs two columns", labels)
    a = a or labels[0]
    b = b or labels[1]
    d = comparison._day(day)
    usd = comparison.mixed_currency

    def frames(label: str) -> tuple[list[pd.DataFrame], float]:
        name, brand = comparison._column(label)
        e = comparison.ensembles[name]
        s = e.series[e.series["brand"] == brand]
        per = [s[s["seed"] == seed].sort_values("day") for seed in e.seeds]
        return per, (1.0 / market_fx(e.scenario.market) if usd else 1.0)

    fa, sa = frames(a)
    fb, sb = frames(b)
    return attribute_frames(fa, fb, a=a, b=b, day=d, currency=comparison.common_currency() if not usd else "USD",
                            scale_a=sa, scale_b=sb, level=level)


def why_lines(attr: Attribution, lang: str = "en", *, top: int = 3, bold: bool = True) -> list[str]:
    """The verdict's "why": the largest ledger contributions to the leader's profit lead, and the mechanisms.

    Contributions are read from the leader's side (the column with the larger mean profit): a positive
    contribution widens its lead (more revenue, or less cost), a negative one narrows it. When the paired
    interval of the gap includes zero the first line says there is no clear lead (``why.unclear``) and the
    items are given in money only, without their share of a gap that may be nil. Sales, goods and
    the fees that scale with sales are netted into one gross-margin step (:meth:`Attribution.by_net_item`),
    so that fines, ad spend and fees are weighed against the margin they compete with.

    Args:
        attr: The attribution.
        lang: Language (``en``, ``zh``, ``ja``).
        top: Most contributors named on each side.
        bold: Mark labels ``**bold**`` (Markdown; the labels, user text, are then escaped).
    """
    tot = attr.total()
    if not attr.n or not math.isfinite(tot["mean"]):
        return []
    if tot["mean"] == 0:
        fmt0 = (lambda s: f"**{md_escape(s)}**") if bold else (lambda s: s)
        return [t("why.none", lang, a=fmt0(attr.a), b=fmt0(attr.b), n=attr.n)]
    sign = 1.0 if tot["mean"] > 0 else -1.0
    lead, other = (attr.a, attr.b) if sign > 0 else (attr.b, attr.a)
    fmt = (lambda s: f"**{md_escape(s)}**") if bold else (lambda s: s)
    gap = abs(tot["mean"])

    def money(v: float) -> str:
        return human(v, "currency", attr.currency)

    # an interval that includes zero: the gap may be noise, so no "lead" is claimed and no share of a gap
    # that could be nil is given (a share of a near-zero gap reads as 1,500%)
    unclear = math.isfinite(tot["ci_low"]) and math.isfinite(tot["ci_high"]) and tot["ci_low"] <= 0 <= tot["ci_high"]

    def named(tab: pd.DataFrame, key: str, prefix: str) -> tuple[list[str], list[str]]:
        v = tab.assign(lead=sign * tab["mean"])
        pro = v[v["lead"] > 0].sort_values("lead", ascending=False).head(top)
        con = v[v["lead"] < 0].sort_values("lead").head(top)

        def part(r: pd.Series) -> str:
            name = t(f"{prefix}.{r[key]}", lang)
            if unclear:
                return t("why.part_plain", lang, name=name, value=money(r["lead"]))
            return t("why.part", lang, name=name, value=money(r["lead"]), share=human(r["lead"] / gap, "fraction"))

        return [part(r) for _, r in pro.iterrows()], [part(r) for _, r in con.iterrows()]

    sep = t("why.sep", lang)
    pro, con = named(attr.by_net_item(), "item", "money")
    lines = []
    interval = ""
    if math.isfinite(tot["ci_low"]):
        interval = t("why.interval", lang, low=money(sign * tot["ci_low"] if sign > 0 else -tot["ci_high"]),
                     high=money(sign * tot["ci_high"] if sign > 0 else -tot["ci_low"]), n=attr.n)
    lines.append(t("why.unclear" if unclear else "why.lead", lang, lead=fmt(lead), other=fmt(other), gap=money(gap),
                   interval=interval, items=sep.join(pro) if pro else t("why.nothing", lang)))
    if con:
        lines.append(t("why.against", lang, lead=fmt(lead), items=sep.join(con)))
    mpro, mcon = named(attr.by_mechanism(), "mechanism", "mechanism")
    if mpro or mcon:
        lines.append(t("why.mechanisms_unclear" if unclear else "why.mechanisms", lang, lead=fmt(lead),
                       pro=sep.join(mpro) if mpro else t("why.nothing", lang),
                       con=sep.join(mcon) if mcon else t("why.nothing", lang)))
    return lines
