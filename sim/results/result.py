"""The result of one run: tidy tables, KPIs, flows, journeys; saved atomically and loadable.

Tables (pandas DataFrames):

- ``daily``: one row per (day, brand): stage census in people, every ledger item, revenue, costs,
  profit, every tally (counts in people), mean trust and fatigue, CPM;
- ``flows``: non-zero stage-to-stage moves per (day, brand, from, to), in people;
- ``journeys``: the event log of the tracked consumers (day, consumer, brand, event, value).

A run folder holds ``scenario.yaml`` (the resolved scenario), ``manifest.json`` (seed, versions,
checksums of every file) and the tables as Parquet, plus ``kpis.csv`` for people who open folders
in a spreadsheet. Folders are written to a temporary sibling and renamed into place, so a run that
dies midway leaves nothing half-written; loading verifies the checksums.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim._version import __version__
from sim.errors import SimInputError
from sim.model import layout as L
from sim.results import kpis as K
from sim.results.csvsafe import frame_to_csv
from sim.results.folders import (
    FORMAT_VERSION,
    MANIFEST,  # noqa: F401  (re-exported: older imports read it from here)
    json_object,
    read_folder,
    require,
    scenario_file,
    table_file,
    write_folder,
)
from sim.scenario.loader import dump_scenario
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.market import MarketModel

_NOT_PEOPLE = {"cpm", "impressions", "member_gross", "trust_sum", "fatigue_sum_members", "trust_members",
               "enforcements", "breaches", "warnings", "orders", "penalties",
               "platform_penalties", "delisted_days"}  # (the last two: counts of the own_site lever)
TABLES = ("daily", "flows", "journeys")


def _version() -> str:
    return __version__


@dataclass
class RunResult:
    """Everything one run produced."""

    scenario: Scenario
    daily: pd.DataFrame
    flows: pd.DataFrame
    journeys: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    # ---- construction ------------------------------------------------------------------------------
    @classmethod
    def from_model(cls, model: MarketModel, wall_seconds: float = math.nan) -> RunResult:
        """Build the tables from a finished (or partly run) model."""
        sc = model.spec
        rep = model.rep
        days = model.day
        names = [b.name for b in sc.brands]
        rows = days * model.k
        day_col = np.repeat(np.arange(days), model.k)
        brand_col = np.tile(np.array(names, dtype=object), days)
        cols: dict[str, Any] = {"day": day_col, "brand": brand_col}
        census = model.census[1 : days + 1].reshape(rows, L.N_STAGES) * rep
        for s, name in enumerate(L.STAGES):
            cols[name] = census[:, s]
        money = model.money[:days].reshape(rows, L.N_MONEY)
        for j, name in enumerate(L.MONEY):
            cols[name] = money[:, j]
        revenue = money[:, list(L.REVENUE_ITEMS)].sum(axis=1)
        costs = money[:, list(L.COST_ITEMS)].sum(axis=1)
        cols["revenue"] = revenue
        cols["costs"] = costs
        cols["profit"] = revenue - costs
        tally = model.tally[:days].reshape(rows, L.N_TALLY)
        for j, name in enumerate(L.TALLY):
            if name in ("trust_sum", "fatigue_sum_members", "trust_members"):
                continue
            cols[name] = tally[:, j] if name in _NOT_PEOPLE else tally[:, j] * rep
        cols["cohort_referrals"] = model.cohort_referrals[:days].reshape(rows) * rep
        # the means divide by the members the purchase pass summed (members at the start of the day plus
        # those who joined earlier the same day, e.g. from a KOL campaign), not by the start-of-day census
        summed = tally[:, L.T_TRUST_N]
        with np.errstate(invalid="ignore", divide="ignore"):
            per_member = np.maximum(summed, 1)
            cols["mean_trust"] = np.where(summed > 0, tally[:, L.T_TRUST_SUM] / per_member, np.nan)
            cols["mean_fatigue"] = np.where(summed > 0, tally[:, L.T_FATIGUE_SUM] / per_member, np.nan)
        daily = pd.DataFrame(cols)
        _add_member_contribution(daily, sc)

        f = model.flows[:days]
        d_idx, b_idx, fr, to = np.nonzero(f)
        flows = pd.DataFrame({
            "day": d_idx.astype(np.int32),
            "brand": np.array(names, dtype=object)[b_idx],
            "from": np.array(L.STAGES, dtype=object)[fr],
            "to": np.array(L.STAGES, dtype=object)[to],
            "people": f[d_idx, b_idx, fr, to] * rep,
        })
        ev = model.ev[: int(model.ev_n[0])]
        journeys = pd.DataFrame({
            "day": ev[:, 0], "consumer": ev[:, 1],
            "brand": np.array(names, dtype=object)[ev[:, 2]] if len(ev) else np.array([], dtype=object),
            "event": np.array(L.EVENTS, dtype=object)[ev[:, 3]] if len(ev) else np.array([], dtype=object),
            "value": ev[:, 4],
        })
        if len(journeys):
            seg_names = [s.name for s in sc.market.segments]
            journeys["segment"] = np.array(seg_names, dtype=object)[model.pop.segment[journeys["consumer"].to_numpy()]]
        meta = {
            "format": FORMAT_VERSION,
            "version": _version(),
            "seed": sc.run.seed,
            "days_run": days,
            "population": model.n,
            "brands": names,
            "tools": list(model.packed.tools),
            "seed_members": {b.name: b.seed_members * rep for b in sc.brands},
            "wall_seconds": wall_seconds,
            "timings": {k: round(v, 6) for k, v in model.timings.items()},
            "bytes_per_consumer": model.pop.bytes_per_consumer(),
            "journeys_truncated": bool(model.ev_n[0] >= model.ev.shape[0]),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return cls(sc, daily, flows, journeys, meta)

    # ---- views -------------------------------------------------------------------------------------
    @property
    def brands(self) -> list[str]:
        """Brand names in scenario order."""
        return [b.name for b in self.scenario.brands]

    @property
    def currency(self) -> str:
        """The market's currency code."""
        return self.scenario.market.currency

    def brand_daily(self, brand: str) -> pd.DataFrame:
        """The daily rows of one brand."""
        return self.daily[self.daily["brand"] == brand].reset_index(drop=True)

    def kpis(self, day: int | None = None) -> pd.DataFrame:
        """KPIs per brand (rows) from day 0 to ``day`` (default: the last day)."""
        last = int(self.daily["day"].max())
        day = last if day is None else min(int(day), last)
        out = {}
        for b in self.scenario.brands:
            d = self.daily[(self.daily["brand"] == b.name) & (self.daily["day"] <= day)]
            seeds = float(self.meta.get("seed_members", {}).get(b.name, 0.0))
            out[b.name] = K.brand_kpis(d, seeds, b.strategy.referral.share_window_days, self.scenario.run.discount_rate)
        table = pd.DataFrame.from_dict(out, orient="index")
        table.index.name = "brand"
        return table

    def flow_totals(self, start: int = 0, end: int | None = None) -> pd.DataFrame:
        """Stage-to-stage moves summed over days ``start``..``end`` per brand (for Sankey charts)."""
        f = self.flows
        f = f[(f["day"] >= start) & (f["day"] <= (end if end is not None else f["day"].max() if len(f) else 0))]
        return f.groupby(["brand", "from", "to"], as_index=False)["people"].sum()

    def cost_breakdown(self, brand: str, day: int | None = None) -> pd.Series:
        """Every revenue and cost item of one brand summed to ``day`` (for waterfalls)."""
        d = self.brand_daily(brand)
        if day is not None:
            d = d[d["day"] <= day]
        return d[list(L.MONEY)].sum()

    # ---- persistence -------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, overwrite: bool = False, unique: bool = False) -> Path:
        """Write the run folder atomically; returns its path.

        Args:
            folder: The run folder.
            overwrite: Replace an existing run folder (only one ptsim wrote; see
                :func:`sim.results.folders.check_replaceable`); the old one is removed after the new is in place.
            unique: If ``folder`` exists, write ``folder-2``, ``folder-3``... instead (default run names).
        """
        return write_folder(Path(folder), self._files(), overwrite=overwrite, unique=unique)

    def _files(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        files["scenario.yaml"] = dump_scenario(self.scenario).encode()
        for name in TABLES:
            files[f"{name}.parquet"] = _parquet_bytes(getattr(self, name))
        kp = self.kpis().reset_index()
        files["kpis.csv"] = frame_to_csv(kp)
        files["meta.json"] = json.dumps(self.meta, indent=2, default=_json_default).encode()
        return files

    @classmethod
    def load(cls, folder: str | Path) -> RunResult:
        """Load a run folder written by :meth:`save`, treating it as untrusted input.

        Sizes and checksums are verified, no path leaves the folder and no symbolic link is followed
        (:func:`sim.results.folders.read_folder`); the scenario is read with the scenario loader's safe
        YAML rules and validated; the tables must have their columns and ``meta.json`` its fields.

        Raises:
            SimInputError: Naming the folder, the file and what is wrong, for any damage.
        """
        folder = Path(folder)
        files = read_folder(folder, keep=["scenario.yaml", "meta.json", *(f"{n}.parquet" for n in TABLES)])
        require(files, ["scenario.yaml", "meta.json"] + [f"{name}.parquet" for name in TABLES], folder,
                "a single-run folder; ensemble and sweep folders load with sim.analysis.load_ensemble / load_sweep")
        renamed: dict[str, Any] = {}
        scenario = scenario_file(files, "scenario.yaml", folder, renamed)
        meta = json_object(files, "meta.json", folder)
        _check_meta(meta, folder)
        filled: list[str] = []
        tables = {name: table_file(files, f"{name}.parquet", folder, _COLUMNS[name],
                                   filled if name == "daily" else None) for name in TABLES}
        _check_tables(tables, scenario, folder)
        if filled or renamed:
            meta["upgraded_from"] = _upgraded_from(meta, filled, renamed)
        return cls(scenario, tables["daily"], tables["flows"], tables["journeys"], meta)

    @property
    def upgrade_notes(self) -> list[str]:
        """What loading this folder filled or mapped because an earlier version wrote it (empty if nothing)."""
        return list(self.meta.get("upgraded_from", {}).get("notes", []))


#: The columns each saved table must have for the result to be usable.
_COLUMNS = {
    "daily": ("day", "brand", *L.STAGES, *L.MONEY, "revenue", "costs", "profit", "member_contribution"),
    "flows": ("day", "brand", "from", "to", "people"),
    "journeys": ("day", "consumer", "brand", "event", "value"),
}


def _upgraded_from(meta: dict[str, Any], filled: list[str], renamed: dict[str, Any]) -> dict[str, Any]:
    """``meta["upgraded_from"]``: who wrote the folder, what loading it filled and mapped, and notes saying so."""
    from sim.results.upgrade import NEUTRAL, notes

    def plain(v: object) -> str:  # meta.json is user input: a version or a date, nothing else reaches a note
        return re.sub(r"[^0-9A-Za-z.:+\-]", "", str(v))[:40]

    up = {"version": plain(meta.get("version", "unknown")) or "unknown", "created": plain(meta.get("created", "")),
          "filled_columns": filled, "filled_with": NEUTRAL, "renamed_fields": renamed}
    up["notes"] = notes(up)
    return up


def _check_meta(meta: dict[str, Any], folder: Path) -> None:
    def bad(key: str, expected: str) -> SimInputError:
        return SimInputError.single(str(folder), f"meta.json: {key}", f"must be {expected}", meta.get(key))

    for key in ("population", "days_run"):
        v = meta.get(key)
        if key in meta and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
            raise bad(key, "a whole number >= 0")
    seeds = meta.get("seed_members", {})
    if not isinstance(seeds, dict) or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                              for v in seeds.values()):
        raise bad("seed_members", "an object of brand name -> number")
    for key in ("wall_seconds",):
        v = meta.get(key)
        if key in meta and (not isinstance(v, int | float) or isinstance(v, bool)):
            raise bad(key, "a number")


def _check_tables(tables: dict[str, pd.DataFrame], scenario: Scenario, folder: Path) -> None:
    daily = tables["daily"]
    if not len(daily):
        raise SimInputError.single(str(folder), "daily.parquet", "has no rows; a run has at least one day")
    numeric = [c for c in _COLUMNS["daily"] if c != "brand"]
    wrong = [c for c in numeric if not pd.api.types.is_numeric_dtype(daily[c])]
    if wrong:
        raise SimInputError.single(str(folder), "daily.parquet", f"column(s) {', '.join(wrong)} must be numbers")
    for name, count in (("flows", "people"), ("journeys", "value")):
        t = tables[name]
        if len(t) and not all(pd.api.types.is_numeric_dtype(t[c]) for c in ("day", count)):
            raise SimInputError.single(str(folder), f"{name}.parquet", "column day and the counts must be numbers")
    days = scenario.run.days
    for name, t in tables.items():  # days are whole numbers within the run (not true/false, not day 10^12)
        if not len(t):
            continue
        if pd.api.types.is_bool_dtype(t["day"]) or not pd.api.types.is_integer_dtype(t["day"]):
            raise SimInputError.single(str(folder), f"{name}.parquet: day", "must be whole numbers (days of the run)",
                                       str(t["day"].dtype))
        low, high = int(t["day"].min()), int(t["day"].max())
        if low < 0 or high >= days:
            raise SimInputError.single(str(folder), f"{name}.parquet: day",
                                       f"must be from 0 to {days - 1} (the scenario runs {days} days)",
                                       low if low < 0 else high)
    twice = daily.duplicated(["day", "brand"])
    if twice.any():  # (KPIs summed over the rows would count that day twice)
        row = daily.loc[twice].iloc[0]
        raise SimInputError.single(str(folder), "daily.parquet", "has two rows for the same day and brand",
                                   f"day {row['day']}, brand {row['brand']}")
    names = {b.name for b in scenario.brands}
    strangers = sorted(set(map(str, daily["brand"].unique())) - names)
    if strangers:
        raise SimInputError.single(str(folder), "daily.parquet", "names brands the scenario does not have",
                                   ", ".join(strangers))


def _add_member_contribution(daily: pd.DataFrame, sc: Scenario) -> None:
    cogs = daily["brand"].map({b.name: b.strategy.product.cogs_rate for b in sc.brands}).astype(float)
    plat = sc.market.platforms
    member_public = (daily["member_gross"] - daily["revenue_private"]).clip(lower=0.0)
    contrib = daily["member_gross"] * (1.0 - cogs - plat.payment_fee_rate) - member_public * plat.commission_rate
    contrib += daily["membership_fees"]
    for c in K.MEMBER_COSTS:
        contrib -= daily[c]
    daily["member_contribution"] = contrib


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)
