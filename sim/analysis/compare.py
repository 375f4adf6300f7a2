"""Comparisons of scenarios under common random numbers, with paired differences.

Every scenario of a comparison is run with the same seeds: in replicate ``i`` each scenario gets
seed ``i`` of one spawned list, so the same consumers meet the same luck under each strategy
(common random numbers, CRN; the model's counter-based streams make this exact). Differences then
come from the strategies, not the draw, and are analysed *paired*: for a KPI and two columns A and
B, the per-seed differences ``d_i = A_i - B_i`` give

* the mean difference with a confidence interval, by default Student's t on the paired differences
  (``mean(d) +- t_{n-1, 1-alpha/2} sd(d) / sqrt(n)``), optionally a percentile bootstrap of the
  mean difference (10,000 resamples, fixed generator: reproducible);
* the share of seeds in which A beats B (better in the KPI's own direction: more profit, fewer
  opt-outs), which a strategist reads as "A beats B on profit in 19 of 20 seeds".

Because CRN correlates A and B, the paired interval is much narrower than the unpaired (Welch)
interval of the same runs; :meth:`ComparisonEnsemble.unpaired` gives the latter for comparison (Law,
"Simulation Modeling and Analysis", 5th ed., sections 10.2 and 11.2).

Money KPIs of scenarios in different currencies are converted to US dollars (``market.fx_per_usd``
or the built-in table) before differencing.

:func:`run_comparison` and :class:`Comparison` keep the single-seed side-by-side view.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import DEFAULT_DAILY, run_series, spawn_seeds
from sim.analysis.paths import scenario_doc
from sim.analysis.replicate import Ensemble, check_reps, check_series_memory, provenance
from sim.api import resolve, run
from sim.errors import SimInputError
from sim.results.kpis import KPI_INFO, KPI_NAMES
from sim.results.result import RunResult, write_folder
from sim.scenario.loader import suggest
from sim.scenario.schema import Scenario, market_fx

__all__ = [
    "HEADLINE",
    "Comparison",
    "ComparisonEnsemble",
    "PairedDifference",
    "compare_scenarios",
    "run_comparison",
]

#: KPIs in the strategist's summary table, in order.
HEADLINE = (
    "profit",
    "revenue",
    "private_share",
    "pool_size",
    "active_members",
    "member_ltv",
    "cac",
    "k_factor",
    "unsubs_per_1000",
    "opt_outs",
    "complaints",
    "fines",
    "mean_trust",
)
BOOTSTRAP_RESAMPLES = 10_000


def _labels(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = []
    for name, res in results.items():
        brands = [b.name for b in res.scenario.brands]
        for brand in brands:
            label = name if len(brands) == 1 else f"{name} / {brand}"
            out.append((label, name, brand))
    return out


@dataclass
class Comparison:
    """The runs of a single-seed comparison, by scenario name."""

    title: str
    description: str
    results: dict[str, RunResult] = field(default_factory=dict)

    def columns(self) -> list[tuple[str, str, str]]:
        """(label, scenario, brand) for every brand of every run."""
        return _labels(self.results)

    @property
    def currencies(self) -> set[str]:
        """The distinct currencies of the compared markets."""
        return {r.scenario.market.currency for r in self.results.values()}

    def common_currency(self) -> str:
        """The markets' currency if they share one, else ``"USD"`` (money is then converted)."""
        cur = self.currencies
        return next(iter(cur)) if len(cur) == 1 else "USD"

    def kpi_table(self, day: int | None = None, currency: str | None = None) -> pd.DataFrame:
        """KPIs (rows) by column label, up to ``day`` (default: each run's last day).

        Args:
            day: Day (0-based) up to which KPIs are computed.
            currency: ``"USD"`` converts money KPIs of every market to US dollars; ``None`` or a
                market's own currency leaves each column in its market's currency.
        """
        tables = {name: res.kpis(day) for name, res in self.results.items()}  # every brand at once
        cols = {label: _to_currency(tables[name].loc[brand], self.results[name].scenario, currency)
                for label, name, brand in self.columns()}
        return pd.DataFrame(cols)


def _to_currency(kpis: pd.Series, scenario: Scenario, currency: str | None) -> pd.Series:
    """Money KPIs converted to ``currency`` (only US dollars are supported besides the market's own)."""
    own = scenario.market.currency
    if currency is None or currency == own:
        return kpis
    if currency != "USD":
        raise SimInputError.single("currency", currency, f"money can be shown in the market's currency ({own}) or USD")
    money = [k for k in kpis.index if k in KPI_INFO and KPI_INFO[k][1].startswith("currency")]
    out = kpis.astype(float).copy()
    out[money] = out[money] / market_fx(scenario.market)
    return out


def _unique_names(resolved: list[Scenario]) -> list[Scenario]:
    names = [s.name for s in resolved]
    if len(set(names)) != len(names):
        resolved = [s.model_copy(update={"name": f"{s.name} ({i + 1})"}) for i, s in enumerate(resolved)]
    return resolved


def run_comparison(
    scenarios: Sequence[str | Scenario],
    overrides: Sequence[str] = (),
    *,
    title: str = "",
    description: str = "",
    seed: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Comparison:
    """Run every scenario once with one seed (the first scenario's unless ``seed`` is given)."""
    resolved = _unique_names([resolve(s, overrides) for s in scenarios])
    common = seed if seed is not None else resolved[0].run.seed
    comp = Comparison(title or " vs ".join(s.name for s in resolved), description)
    for s in resolved:
        cb = None if progress is None else (lambda done, total, _n=s.name: progress(_n, done, total))
        comp.results[s.name] = run(s, seed=common, progress=cb)
    return comp


@dataclass(frozen=True)
class PairedDifference:
    """A paired comparison of one KPI between columns ``a`` and ``b`` over common seeds.

    Attributes:
        kpi: KPI name.
        a: Label of the first column.
        b: Label of the second column.
        day: Day the KPI is taken at (0-based).
        n: Seeds with a value in both columns.
        mean_a: Mean of A.
        mean_b: Mean of B.
        mean_diff: Mean of A - B.
        sd_diff: Standard deviation of the per-seed differences.
        ci_low: Lower end of the confidence interval of the mean difference.
        ci_high: Upper end.
        level: Confidence level (0.95).
        method: ``"t"`` (Student t on paired differences) or ``"bootstrap"`` (percentile bootstrap).
        a_wins: Seeds in which A is better than B (in the KPI's direction).
        b_wins: Seeds in which B is better.
        ties: Seeds with equal values.
        higher_is_better: Direction of the KPI.
        unit: Unit of the values (``USD`` when currencies were converted).
    """

    kpi: str
    a: str
    b: str
    day: int
    n: int
    mean_a: float
    mean_b: float
    mean_diff: float
    sd_diff: float
    ci_low: float
    ci_high: float
    level: float
    method: str
    a_wins: int
    b_wins: int
    ties: int
    higher_is_better: bool
    unit: str = ""

    @property
    def share_a_wins(self) -> float:
        """Share of seeds in which A beats B."""
        return self.a_wins / self.n if self.n else math.nan

    @property
    def significant(self) -> bool:
        """The confidence interval excludes zero."""
        return self.ci_low > 0 or self.ci_high < 0

    def sentence(self, when: str = "", lang: str = "en") -> str:
        """One line a strategist can read, in ``lang`` (:mod:`sim.i18n`)."""
        from sim.format import human, kpi_unit
        from sim.i18n import t

        label = t(f"kpi.{self.kpi}", lang)
        unit = kpi_unit(self.kpi)
        cur = self.unit if unit.startswith("currency") else ""
        when = f" {when}" if when else ""
        if self.n == 0:
            return t("paired.undefined", lang, kpi=label, when=when)
        if self.a_wins == 0 and self.b_wins == 0:
            return t("paired.tie", lang, kpi=label, when=when, a=self.a, b=self.b, n=self.n)
        method = t(f"paired.method.{self.method}", lang)
        pct = int(round(100 * self.level))
        if not self.significant:  # the interval spans zero: say so, whoever won more seeds
            return t("paired.unclear", lang, a=self.a, b=self.b, when=when,
                     kpi_lower=label.lower() if lang == "en" else label, a_wins=self.a_wins, n=self.n,
                     diff=human(self.mean_diff, unit, cur), pct=pct, low=human(self.ci_low, unit, cur),
                     high=human(self.ci_high, unit, cur), method=method)
        # significant: the leader is the side the mean difference favours (higher or lower is better)
        a_leads = (self.mean_diff > 0) == self.higher_is_better
        lead, other, wins = (self.a, self.b, self.a_wins) if a_leads else (self.b, self.a, self.b_wins)
        sign = 1.0 if a_leads else -1.0
        lo, hi = sorted((sign * self.ci_low, sign * self.ci_high))
        return t("paired.beats", lang, lead=lead, other=other, when=when,
                 kpi_lower=label.lower() if lang == "en" else label,
                 wins=wins, n=self.n, diff=human(sign * self.mean_diff, unit, cur), pct=pct,
                 low=human(lo, unit, cur), high=human(hi, unit, cur), method=method)

    def as_dict(self) -> dict[str, Any]:
        """A flat record (for tables)."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["share_a_wins"] = self.share_a_wins
        d["significant"] = self.significant
        return d


def paired_ci(diff: np.ndarray, level: float = 0.95, method: str = "t") -> tuple[float, float]:
    """Confidence interval of the mean of paired differences (Student t or percentile bootstrap)."""
    n = diff.size
    m = float(diff.mean())
    if n < 2:
        return math.nan, math.nan
    if method == "t":
        sd = float(diff.std(ddof=1))
        h = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
        return m - h, m + h
    if method == "bootstrap":
        gen = np.random.default_rng(20050101)
        idx = gen.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
        means = diff[idx].mean(axis=1)
        lo, hi = np.percentile(means, [50 * (1 - level), 50 * (1 + level)])
        return float(lo), float(hi)
    raise SimInputError.single("method", "method", "must be 't' or 'bootstrap'", method)


@dataclass
class ComparisonEnsemble:
    """Replicates of several scenarios run with common random numbers.

    Attributes:
        title: Display title.
        description: What the comparison shows.
        ensembles: One :class:`~sim.analysis.replicate.Ensemble` per scenario (same seeds).
    """

    title: str
    description: str
    ensembles: dict[str, Ensemble] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> list[tuple[str, str, str]]:
        """(label, scenario, brand) for every brand of every scenario."""
        return _labels(self.ensembles)

    @property
    def labels(self) -> list[str]:
        """Column labels."""
        return [c[0] for c in self.columns()]

    @property
    def seeds(self) -> list[int]:
        """The common seeds."""
        return next(iter(self.ensembles.values())).seeds

    @property
    def last_day(self) -> int:
        """The last day common to every scenario."""
        return min(e.last_day for e in self.ensembles.values())

    def _currencies(self) -> dict[str, str]:
        return {name: e.scenario.market.currency for name, e in self.ensembles.items()}

    @property
    def mixed_currency(self) -> bool:
        """True if the scenarios' markets use different currencies (money is then shown in USD)."""
        return len(set(self._currencies().values())) > 1

    def _column(self, label: str) -> tuple[str, str]:
        for lab, name, brand in self.columns():
            if lab == label:
                return name, brand
        best = suggest(label, self.labels)
        raise SimInputError.single(
            "compare",
            label,
            "is not a column of this comparison; columns: "
            + ", ".join(self.labels)
            + (f". Did you mean {best!r}?" if best else ""),
        )

    def _day(self, day: int | None) -> int:
        last = self.last_day
        if day is None:
            return last
        if not 0 <= int(day) <= last:
            raise SimInputError.single("day", "day", f"must be between 0 and {last}", day)
        return int(day)

    def samples(self, kpi: str, day: int | None = None) -> pd.DataFrame:
        """Per-seed values of a KPI at ``day``: index seed, one column per label (money in USD if mixed)."""
        if kpi not in KPI_NAMES:
            best = suggest(kpi, list(KPI_NAMES))
            raise SimInputError.single("kpi", kpi, "is not a KPI" + (f". Did you mean {best!r}?" if best else ""))
        d = self._day(day)
        money = KPI_INFO[kpi][1].startswith("currency") and self.mixed_currency
        cols = {}
        for label, name, brand in self.columns():
            e = self.ensembles[name]
            s = e.series[(e.series["day"] == d) & (e.series["brand"] == brand)].set_index("seed")[kpi]
            if money:
                s = s / market_fx(e.scenario.market)
            cols[label] = s.reindex(e.seeds)
        return pd.DataFrame(cols)

    def paired(
        self, kpi: str, a: str, b: str, day: int | None = None, *, level: float = 0.95, method: str = "t"
    ) -> PairedDifference:
        """Paired difference A - B of a KPI over the common seeds.

        Args:
            kpi: KPI name.
            a: Column label (scenario name, or ``"scenario / brand"`` for multi-brand scenarios).
            b: Column label.
            day: Day (0-based; default the last).
            level: Confidence level.
            method: ``"t"`` (Student t on the paired differences) or ``"bootstrap"``.
        """
        if not 0 < level < 1:
            raise SimInputError.single("level", "level", "must be between 0 and 1", level)
        self._column(a)
        self._column(b)
        s = self.samples(kpi, day)
        pair = (
            s[[a, b]].dropna().to_numpy(dtype=np.float64)
            if a != b
            else np.repeat(s[[a]].dropna().to_numpy(), 2, axis=1)
        )
        diff = pair[:, 0] - pair[:, 1] if len(pair) else np.array([])
        higher = KPI_INFO[kpi][2]
        better = diff > 0 if higher else diff < 0
        worse = diff < 0 if higher else diff > 0
        lo, hi = paired_ci(diff, level, method) if diff.size else (math.nan, math.nan)
        unit = (
            "USD"
            if KPI_INFO[kpi][1].startswith("currency") and self.mixed_currency
            else next(iter(self._currencies().values()))
        )
        return PairedDifference(
            kpi=kpi,
            a=a,
            b=b,
            day=self._day(day),
            n=int(diff.size),
            mean_a=float(pair[:, 0].mean()) if diff.size else math.nan,
            mean_b=float(pair[:, 1].mean()) if diff.size else math.nan,
            mean_diff=float(diff.mean()) if diff.size else math.nan,
            sd_diff=float(diff.std(ddof=1)) if diff.size > 1 else math.nan,
            ci_low=lo,
            ci_high=hi,
            level=level,
            method=method,
            a_wins=int(better.sum()),
            b_wins=int(worse.sum()),
            ties=int((diff == 0).sum()),
            higher_is_better=higher,
            unit=unit,
        )

    def unpaired(
        self, kpi: str, a: str, b: str, day: int | None = None, *, level: float = 0.95
    ) -> tuple[float, float, float]:
        """Welch's interval for the difference of means, ignoring the pairing: (diff, low, high)."""
        s = self.samples(kpi, day)
        x = s[a].dropna().to_numpy(dtype=np.float64)
        y = s[b].dropna().to_numpy(dtype=np.float64)
        d = float(x.mean() - y.mean())
        vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
        se = math.sqrt(vx + vy)
        if se == 0:
            return d, d, d
        df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
        h = float(stats.t.ppf(0.5 + level / 2, df)) * se
        return d, d - h, d + h

    @property
    def currencies(self) -> set[str]:
        """The distinct currencies of the compared markets."""
        return set(self._currencies().values())

    def common_currency(self) -> str:
        """The markets' currency if they share one, else ``"USD"``."""
        cur = self.currencies
        return next(iter(cur)) if len(cur) == 1 else "USD"

    def kpi_table(self, day: int | None = None, currency: str | None = None, *, stat: str = "mean") -> pd.DataFrame:
        """KPIs (rows) by column label: the ``stat`` (mean, sd, p05, p50, p95) over seeds.

        Money is in each market's currency, or in US dollars with ``currency="USD"``.
        """
        d = self._day(day)
        if stat not in ("mean", "sd", "p05", "p50", "p95", "n"):
            raise SimInputError.single("stat", stat, "must be mean, sd, p05, p50, p95 or n")
        cols = {}
        for label, name, brand in self.columns():
            summ = self.ensembles[name].kpi_summary(d)
            summ = summ[summ["brand"] == brand].set_index("kpi")
            col = summ[stat]
            cols[label] = col if stat == "n" else _to_currency(col, self.ensembles[name].scenario, currency)
        return pd.DataFrame(cols)

    def summary(
        self,
        a: str | None = None,
        b: str | None = None,
        *,
        kpis: Sequence[str] = HEADLINE,
        day: int | None = None,
        level: float = 0.95,
        method: str = "t",
        lang: str = "en",
    ) -> pd.DataFrame:
        """The strategist's table: one row per KPI with means, paired difference, CI, wins and a sentence.

        ``a`` and ``b`` default to the first two columns; labels and sentences are in ``lang``.
        """
        from sim.i18n import t

        labels = self.labels
        if len(labels) < 2:
            raise SimInputError.single("compare", "scenarios", "a comparison needs at least two columns", labels)
        a = a or labels[0]
        b = b or labels[1]
        d = self._day(day)
        when = t("paired.when", lang, day=d + 1)
        rows = []
        for k in kpis:
            p = self.paired(k, a, b, d, level=level, method=method)
            rows.append({**p.as_dict(), "label": t(f"kpi.{k}", lang), "sentence": p.sentence(when, lang)})
        return pd.DataFrame(rows)

    def save(self, folder: str | Path, *, overwrite: bool = False, day: int | None = None, method: str = "t") -> Path:
        """One atomic folder: every resolved scenario, the series, samples, KPI tables and the summary."""
        files: dict[str, bytes] = {}
        series = []
        for name, e in self.ensembles.items():
            files[f"scenarios/{_safe(name)}.yaml"] = yaml.safe_dump(
                scenario_doc(e.scenario), sort_keys=False, allow_unicode=True
            ).encode()
            s = e.series.copy()
            s.insert(0, "scenario", name)
            series.append(s)
        buf = io.BytesIO()
        pd.concat(series, ignore_index=True).to_parquet(buf, index=False)
        files["series.parquet"] = buf.getvalue()
        files["kpi_means.csv"] = self.kpi_table(day).to_csv().encode()
        rows = []
        for name, e in self.ensembles.items():
            k = e.kpi_summary(day)
            k.insert(0, "scenario", name)
            rows.append(k)
        files["kpi_summary.csv"] = pd.concat(rows, ignore_index=True).to_csv(index=False).encode()
        if len(self.labels) >= 2:
            files["paired.csv"] = self.summary(day=day, method=method).to_csv(index=False).encode()
        files["meta.json"] = json.dumps(
            {
                **self.meta,
                "title": self.title,
                "description": self.description,
                "seeds": self.seeds,
                "columns": self.columns(),
            },
            indent=2,
            default=str,
        ).encode()
        return write_folder(
            Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "compare", "replicates": len(self.seeds)}
        )


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:80]


def compare_scenarios(
    scenarios: Sequence[str | Path | dict | Scenario],
    reps: int = 20,
    *,
    execution: Execution | None = None,
    title: str = "",
    description: str = "",
    daily_columns: Sequence[str] = DEFAULT_DAILY,
) -> ComparisonEnsemble:
    """Run every scenario ``reps`` times with common random numbers.

    Args:
        scenarios: Presets, paths, documents or scenarios (two or more for paired differences).
        reps: Replicates per scenario; replicate ``i`` uses the same seed for every scenario.
        execution: Root seed (default: the first scenario's ``run.seed``), overrides applied to every
            scenario, executor and progress over all runs (:class:`~sim.analysis.execution.Execution`).
        title: Display title (default ``"A vs B"``).
        description: What the comparison shows.
        daily_columns: Daily columns kept besides the KPI series.
    """
    ex = as_execution(execution)
    if not scenarios:
        raise SimInputError.single("compare", "scenarios", "name at least one scenario")
    resolved = _unique_names([ex.resolve(s) for s in scenarios])
    reps = check_reps(reps)
    check_series_memory(resolved, reps, daily_columns, "compare")
    root = ex.root(resolved[0])
    seeds = spawn_seeds(root, reps)
    calls = [(scenario_doc(s), seed, tuple(daily_columns)) for s in resolved for seed in seeds]
    t0 = datetime.now(UTC)
    parts = ex.map(run_series, calls)
    wall = (datetime.now(UTC) - t0).total_seconds()
    comp = ComparisonEnsemble(
        title or " vs ".join(s.name for s in resolved),
        description,
        meta=provenance(ex, wall_seconds=wall, replicates=reps, root_seed=root),
    )
    for i, s in enumerate(resolved):
        chunk = parts[i * reps : (i + 1) * reps]
        comp.ensembles[s.name] = Ensemble(
            s, seeds, root, pd.concat(chunk, ignore_index=True), provenance(ex, replicates=reps)
        )
    return comp
