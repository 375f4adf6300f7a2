"""A class competition: students' strategies meet in one market under common random numbers.

An instructor collects strategies (YAML files: a strategy, a brand, or a whole single-brand scenario
as the dashboard's editor exports it) and names an **arena**, a scenario whose market and run
settings (horizon, population, seed) every entry shares. Entries differ only in their strategy:
brand-level settings such as ``seed_members`` come from the arena's first brand, so nobody starts
with a bigger pool. Two formats:

* ``solo`` - every entry runs alone in the arena market. Replicate ``i`` of every entry uses the
  same seed (common random numbers), so the same consumers meet the same luck under each strategy
  and ranks reflect strategies, not draws. The gap between two entries on the leaderboard is
  exactly the mean paired difference a direct comparison of the two would report.
* ``round_robin`` - every pair of entries meets as two brands in one market: they share the ad
  auction (their bids raise each other's CPM) and the consumers' attention (fatigue is per consumer,
  across brands). Each pair plays twice, once in each brand order, so listing order gives no edge.
  An entry's score is its mean over all its matches; the head-to-head table says in how many seeds
  each entry beat each other one on the first KPI.

The leaderboard ranks by the first KPI (ties broken by the next ones) and shows, for every KPI, the
mean over seeds, the 5-95% range and the entry's rank; ``wins`` counts the seeds in which the entry
was the best of the field on the first KPI. A KPI an entry leaves undefined (mean trust with an empty
pool is NaN) is averaged over the seeds where it is defined, and ranks last when it never is.
"""

from __future__ import annotations

import html
import io
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.compare import ComparisonEnsemble, compare_scenarios
from sim.analysis.execution import Execution, as_execution
from sim.analysis.paths import scenario_doc
from sim.api import resolve
from sim.errors import SimInputError
from sim.i18n import norm_lang, t
from sim.results.csvsafe import frame_to_csv
from sim.results.kpis import KPI_INFO, KPI_NAMES
from sim.results.result import write_folder
from sim.scenario.loader import read_yaml, suggest
from sim.scenario.schema import Scenario

__all__ = ["DEFAULT_KPIS", "FORMATS", "Entry", "Tournament", "load_entries", "load_entry", "run_tournament"]

#: KPIs on the leaderboard by default: money, the relationship, and the harm done.
DEFAULT_KPIS = ("profit", "mean_trust", "complaints")
FORMATS = ("solo", "round_robin")
#: Longest entry name kept (brand names may have 60 characters; match names hold two entries).
MAX_NAME = 36
MAX_ENTRIES = 24


@dataclass(frozen=True)
class Entry:
    """One submitted strategy."""

    name: str
    strategy: dict[str, Any]
    source: str = ""


def _clean_name(raw: Any, source: str) -> str:
    name = " ".join(str(raw).split())  # control characters and runs of white space become one space
    name = "".join(ch for ch in name if ch.isprintable())
    if not name:
        raise SimInputError.single(source, "name", "an entry needs a non-empty name", raw)
    return name[:MAX_NAME]


def load_entry(path: str | Path, name: str | None = None) -> Entry:
    """Read one submission: a strategy, a brand (``name`` + ``strategy``) or a scenario's first brand.

    Args:
        path: A YAML file (read with the project's safe loader: no aliases, size cap, no duplicate keys).
        name: The entry's name on the leaderboard (default: the brand's name, else the file's stem).

    Raises:
        SimInputError: The file is unreadable, not a mapping, or holds a scenario with several brands.
    """
    p = Path(path)
    doc = read_yaml(p)
    source = p.name
    if not isinstance(doc, dict):
        raise SimInputError.single(source, "(document)", "must be a mapping: a strategy, a brand or a scenario",
                                   type(doc).__name__)
    default_name: Any = p.stem
    if "brands" in doc:
        brands = doc["brands"]
        if not isinstance(brands, list) or len(brands) != 1 or not isinstance(brands[0], dict):
            raise SimInputError.single(source, "brands", "a submitted scenario must hold exactly one brand",
                                       len(brands) if isinstance(brands, list) else brands)
        doc = brands[0]
    if "strategy" in doc:
        extra = sorted(set(doc) - {"name", "strategy", "seed_members"})
        if extra:
            raise SimInputError.single(source, extra[0], "is not a field of a brand (name, strategy)")
        default_name = doc.get("name", default_name)
        strategy = doc["strategy"]
    else:
        strategy = doc
    if not isinstance(strategy, dict):
        raise SimInputError.single(source, "strategy", "must be a mapping of strategy settings",
                                   type(strategy).__name__)
    return Entry(_clean_name(name if name is not None else default_name, source), dict(strategy), source)


def load_entries(paths: Sequence[str | Path]) -> list[Entry]:
    """:func:`load_entry` for every file; names made unique by a ``(2)``, ``(3)`` suffix."""
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for path in paths:
        e = load_entry(path)
        count = seen.get(e.name.casefold(), 0) + 1
        seen[e.name.casefold()] = count
        if count > 1:
            e = Entry(f"{e.name[: MAX_NAME - 5]} ({count})", e.strategy, e.source)
        entries.append(e)
    return entries


def _arena_doc(arena: str | Path | dict | Scenario, overrides: Sequence[str]) -> dict[str, Any]:
    doc = scenario_doc(resolve(arena, overrides))
    doc["brands"] = doc["brands"][:1]
    return doc


def _with_brands(arena: dict[str, Any], name: str, entries: Sequence[Entry]) -> dict[str, Any]:
    template = arena["brands"][0]
    doc = json.loads(json.dumps(arena))  # a deep copy of plain data
    doc["name"] = name
    doc["description"] = ""
    doc["brands"] = [{**template, "name": e.name, "strategy": e.strategy} for e in entries]
    return doc


def _check(entries: Sequence[Entry], fmt: str, kpis: Sequence[str]) -> None:
    if fmt not in FORMATS:
        raise SimInputError.single("tournament", "format", f"must be one of {', '.join(FORMATS)}", fmt)
    if not 2 <= len(entries) <= MAX_ENTRIES:
        raise SimInputError.single("tournament", "entries", f"a tournament needs 2 to {MAX_ENTRIES} entries",
                                   len(entries))
    names = [e.name.casefold() for e in entries]
    if len(set(names)) != len(names):
        raise SimInputError.single("tournament", "entries", "entry names must be unique", [e.name for e in entries])
    if not kpis:
        raise SimInputError.single("tournament", "kpis", "name at least one KPI")
    for k in kpis:
        if k not in KPI_NAMES:
            best = suggest(k, list(KPI_NAMES))
            hint = f"; did you mean {best!r}?" if best else ""
            raise SimInputError.single("tournament", "kpis", "is not a KPI" + hint, k)


@dataclass
class Tournament:
    """The runs of a tournament and the tables built from them."""

    entries: list[Entry]
    format: str
    kpis: tuple[str, ...]
    comparison: ComparisonEnsemble
    #: (scenario name, entry in brand slot 0, entry in brand slot 1) for round-robin matches.
    matches: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Entry names in submission order."""
        return [e.name for e in self.entries]

    @property
    def seeds(self) -> list[int]:
        """The common seeds, one per replicate."""
        return self.comparison.seeds

    @property
    def currency(self) -> str:
        """The arena market's currency."""
        return self.comparison.common_currency()

    def samples(self, kpi: str, day: int | None = None) -> pd.DataFrame:
        """Per-seed score of every entry: index seed, one column per entry.

        Solo: the entry's KPI in its own run. Round robin: the mean of the entry's KPI over all its
        matches played with that seed.
        """
        s = self.comparison.samples(kpi, day)
        if self.format == "solo":
            return s[self.names]
        cols = {}
        for name in self.names:
            mine = [f"{match} / {name}" for match, a, b in self.matches if name in (a, b)]
            cols[name] = s[mine].mean(axis=1)
        return pd.DataFrame(cols)

    def leaderboard(self, day: int | None = None) -> pd.DataFrame:
        """One row per entry, best first: rank, wins on the first KPI, and mean / P5 / P95 / rank per KPI."""
        first = self.kpis[0]
        table = pd.DataFrame(index=self.names)
        sort_keys, ascending = [], []
        for k in self.kpis:
            s = self.samples(k, day)
            higher = KPI_INFO[k][2]
            table[f"{k}_mean"] = s.mean()
            table[f"{k}_p05"] = s.quantile(0.05)
            table[f"{k}_p95"] = s.quantile(0.95)
            ranks = table[f"{k}_mean"].rank(ascending=not higher, method="min", na_option="bottom")
            table[f"{k}_rank"] = ranks.astype(int)
            sort_keys.append(f"{k}_mean")
            ascending.append(not higher)
        s = self.samples(first, day)
        best = s.max(axis=1) if KPI_INFO[first][2] else s.min(axis=1)
        wins = s.eq(best, axis=0)
        table.insert(0, "wins", wins.sum().astype(int))
        table.insert(1, "seeds", len(s))
        table = table.sort_values(sort_keys, ascending=ascending, kind="stable", na_position="last")
        table.insert(0, "rank", np.arange(1, len(table) + 1))
        table.index.name = "entry"
        return table

    def head_to_head(self, kpi: str | None = None, day: int | None = None) -> pd.DataFrame:
        """Seeds (out of all played) in which the row entry beat the column entry on ``kpi``.

        Solo: the two entries' own runs with the same seed. Round robin: their meetings (both brand
        orders), so the count is out of twice the number of seeds.
        """
        kpi = kpi or self.kpis[0]
        higher = KPI_INFO[kpi][2]
        out = pd.DataFrame(0, index=self.names, columns=self.names, dtype=int)
        raw = self.comparison.samples(kpi, day)
        for a, b in itertools.permutations(self.names, 2):
            if self.format == "solo":
                pairs = [(raw[a], raw[b])]
            else:
                pairs = [(raw[f"{m} / {a}"], raw[f"{m} / {b}"]) for m, x, y in self.matches if {x, y} == {a, b}]
            out.loc[a, b] = sum(int(((x > y) if higher else (x < y)).sum()) for x, y in pairs)
        return out

    def files(self, day: int | None = None) -> dict[str, bytes]:
        """Leaderboard and head-to-head CSVs, per-seed samples, entries and reports in three languages."""
        files = {
            "leaderboard.csv": _csv(self.leaderboard(day)),
            "head_to_head.csv": _csv(self.head_to_head(day=day)),
        }
        for k in self.kpis:
            files[f"samples/{k}.csv"] = _csv(self.samples(k, day))
        for e in self.entries:
            files[f"entries/{_file_name(e.name)}.json"] = json.dumps(
                {"name": e.name, "source": e.source, "strategy": e.strategy}, indent=2, ensure_ascii=False
            ).encode()
        for lang in ("en", "zh", "ja"):
            files[f"report_{lang}.html"] = self.report_html(lang, day).encode()
        buf = io.BytesIO()
        pieces = []
        for name, ens in self.comparison.ensembles.items():
            s = ens.series.copy()
            s.insert(0, "scenario", name)
            pieces.append(s)
        pd.concat(pieces, ignore_index=True).to_parquet(buf, index=False)
        files["series.parquet"] = buf.getvalue()
        files["meta.json"] = json.dumps({
            "format": self.format, "kpis": list(self.kpis), "seeds": self.seeds, "entries": self.names,
            "matches": self.matches, **self.comparison.meta,
        }, indent=2, default=str, ensure_ascii=False).encode()
        return files

    def save(self, folder: str | Path, *, overwrite: bool = False, day: int | None = None) -> Path:
        """Write :meth:`files` atomically into one result folder."""
        return write_folder(Path(folder), self.files(day), overwrite=overwrite,
                            extra_manifest={"kind": "tournament", "replicates": len(self.seeds)})

    def report_html(self, lang: str = "en", day: int | None = None) -> str:
        """A printable, self-contained leaderboard (no scripts; every name escaped)."""
        lang = norm_lang(lang)
        board = self.leaderboard(day)
        first = self.kpis[0]
        e = html.escape
        head = "".join(f"<th>{e(t(f'kpi.{k}', lang))}</th>" for k in self.kpis)
        rows = []
        means = board[f"{first}_mean"]
        span = float(means.abs().max()) or 1.0
        for name, r in board.iterrows():
            cells = "".join(
                f"<td>{e(_fmt(r[f'{k}_mean'], k))}<br><small>{e(_fmt(r[f'{k}_p05'], k))} – "
                f"{e(_fmt(r[f'{k}_p95'], k))}</small></td>" for k in self.kpis
            )
            width = max(0.0, 100.0 * float(r[f"{first}_mean"]) / span)
            bar = f'<div class="bar" style="width:{width:.1f}%"></div>'
            rows.append(f"<tr><td>{int(r['rank'])}</td><td>{e(str(name))}{bar}</td>{cells}"
                        f"<td>{int(r['wins'])} / {int(r['seeds'])}</td></tr>")
        h2h = self.head_to_head(day=day)
        h_head = "".join(f"<th>{e(n)}</th>" for n in h2h.columns)
        h_rows = "".join(
            f"<tr><th>{e(a)}</th>"
            + "".join("<td>–</td>" if a == b else f"<td>{int(h2h.loc[a, b])}</td>" for b in h2h.columns)
            + "</tr>"
            for a in h2h.index
        )
        played = len(self.seeds) * (2 if self.format == "round_robin" else 1)
        ens = next(iter(self.comparison.ensembles.values()))
        market = ens.scenario.market.name
        title = t("tournament.title", lang)
        intro = t(f"tournament.intro_{self.format}", lang, n=len(self.entries), seeds=len(self.seeds),
                  market=market, days=ens.scenario.run.days, currency=self.currency)
        return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body{{font-family:"Noto Sans CJK SC","Noto Sans CJK JP","Noto Sans",Arial,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}} th,td{{border:1px solid #bbb;padding:.3em .6em;text-align:right}}
td:nth-child(2),th:first-child{{text-align:left}} small{{color:#666}}
.bar{{height:.35em;background:#0072B2;margin-top:.2em}}
@media print{{body{{margin:1cm}}}}
</style></head><body>
<h1>{e(title)}</h1>
<p>{e(intro)}</p>
<h2>{e(t("tournament.leaderboard", lang))}</h2>
<table><tr><th>{e(t("tournament.rank", lang))}</th><th>{e(t("tournament.entry", lang))}</th>{head}
<th>{e(t("tournament.wins", lang, kpi=t(f"kpi.{first}", lang)))}</th></tr>
{"".join(rows)}</table>
<p><small>{e(t("tournament.range_note", lang))}</small></p>
<h2>{e(t("tournament.head_to_head", lang))}</h2>
<p>{e(t("tournament.h2h_note", lang, kpi=t(f"kpi.{first}", lang), n=played))}</p>
<table><tr><th></th>{h_head}</tr>{h_rows}</table>
</body></html>
"""


def _fmt(value: float, kpi: str) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    unit = KPI_INFO[kpi][1]
    if unit in ("fraction",):
        return f"{100 * value:.1f}%"
    if unit == "0-1":
        return f"{value:.2f}"
    if unit in ("people", "count"):
        return f"{value:,.0f}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}M"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _file_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60] or "entry"


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV whose text cells (entry names included) cannot run as spreadsheet formulas."""
    return frame_to_csv(frame, index=True)


def run_tournament(
    entries: Sequence[Entry],
    arena: str | Path | dict | Scenario = "japan_in_japan",
    *,
    format: str = "solo",
    reps: int = 10,
    kpis: Sequence[str] = DEFAULT_KPIS,
    execution: Execution | None = None,
) -> Tournament:
    """Run every entry (solo) or every pair of entries (round robin) in the arena with common seeds.

    Args:
        entries: The submissions (:func:`load_entries`).
        arena: The scenario whose market and run settings every match uses (its first brand gives the
            brand-level settings; its strategy is replaced by each entry's).
        format: ``"solo"`` or ``"round_robin"``.
        reps: Seeds; replicate ``i`` uses the same seed in every run.
        kpis: Leaderboard KPIs, the first one ranking.
        execution: Root seed (default: the arena's ``run.seed``), overrides applied to the arena only
            (e.g. ``run.days=365``; never to the entries' strategies), executor and progress over all
            runs (:class:`~sim.analysis.execution.Execution`).

    Raises:
        SimInputError: Bad format, entries or KPIs, or an entry's strategy that does not validate
            (the message names the entry's file and the field).
    """
    entries = list(entries)
    kpis = tuple(kpis)
    _check(entries, format, kpis)
    execution = as_execution(execution)
    arena_doc = _arena_doc(arena, execution.overrides)
    for e in entries:  # each strategy must validate on its own, named by its file, before any run
        try:
            resolve(_with_brands(arena_doc, e.name, [e]))
        except SimInputError as exc:
            raise SimInputError.single(e.source or e.name, "strategy", f"does not validate: {exc}") from None
    matches: list[tuple[str, str, str]] = []
    if format == "solo":
        docs = [_with_brands(arena_doc, e.name, [e]) for e in entries]
    else:
        docs = []
        for i, j in itertools.combinations(range(len(entries)), 2):
            for a, b in ((entries[i], entries[j]), (entries[j], entries[i])):
                name = f"match {len(docs) + 1}"
                matches.append((name, a.name, b.name))
                docs.append(_with_brands(arena_doc, name, [a, b]))
    comp = compare_scenarios(docs, reps, execution=execution.replace(overrides=()), title="tournament")
    return Tournament(entries, format, kpis, comp, matches)
