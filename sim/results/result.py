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

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from sim.errors import SimInputError
from sim.model import layout as L
from sim.results import kpis as K
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.model.market import MarketModel

FORMAT_VERSION = 1
_NOT_PEOPLE = {"cpm", "impressions", "member_gross", "trust_sum", "fatigue_sum_members", "enforcements", "breaches"}
TABLES = ("daily", "flows", "journeys")


def _version() -> str:
    from sim import __version__

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
            if name in ("trust_sum", "fatigue_sum_members"):
                continue
            cols[name] = tally[:, j] if name in _NOT_PEOPLE else tally[:, j] * rep
        cols["cohort_referrals"] = model.cohort_referrals[:days].reshape(rows) * rep
        start_members = model.census[:days, :, L.MEMBER].reshape(rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            cols["mean_trust"] = np.where(start_members > 0, tally[:, L.T_TRUST_SUM] / np.maximum(start_members, 1), np.nan)
            cols["mean_fatigue"] = np.where(start_members > 0, tally[:, L.T_FATIGUE_SUM] / np.maximum(start_members, 1), np.nan)
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
    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Write the run folder atomically; returns its path."""
        return write_folder(Path(folder), self._files(), overwrite=overwrite)

    def _files(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        files["scenario.yaml"] = yaml.safe_dump(self.scenario.model_dump(mode="json"), sort_keys=False,
                                                allow_unicode=True).encode()
        for name in TABLES:
            files[f"{name}.parquet"] = _parquet_bytes(getattr(self, name))
        kp = self.kpis().reset_index()
        files["kpis.csv"] = kp.to_csv(index=False).encode()
        files["meta.json"] = json.dumps(self.meta, indent=2, default=_json_default).encode()
        return files

    @classmethod
    def load(cls, folder: str | Path) -> RunResult:
        """Load a run folder written by :meth:`save`, verifying every checksum."""
        folder = Path(folder)
        files = read_folder(folder)
        needed = ["scenario.yaml", "meta.json"] + [f"{name}.parquet" for name in TABLES]
        missing = [n for n in needed if n not in files]
        if missing:
            raise SimInputError.single(
                str(folder), "", f"is not a single-run folder (no {', '.join(missing)}); "
                "ensemble and sweep folders load with sim.analysis.load_ensemble / load_sweep")
        doc = yaml.safe_load(files["scenario.yaml"].decode())
        scenario = Scenario.model_validate(doc)
        tables = {name: pd.read_parquet(io.BytesIO(files[f"{name}.parquet"])) for name in TABLES}
        meta = json.loads(files["meta.json"].decode())
        return cls(scenario, tables["daily"], tables["flows"], tables["journeys"], meta)


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


# ---- atomic folders ------------------------------------------------------------------------------

MANIFEST = "manifest.json"


def write_folder(folder: Path, files: dict[str, bytes], *, overwrite: bool = False,
                 extra_manifest: dict[str, Any] | None = None) -> Path:
    """Write ``files`` into ``folder`` atomically, with a manifest of SHA-256 checksums.

    Everything is written to a temporary sibling folder, flushed, and renamed into place in one
    step; an existing folder is replaced only with ``overwrite`` (it is moved aside first and deleted
    after the rename), otherwise :class:`SimInputError` is raised and nothing is written.
    """
    folder = folder.resolve()
    if folder.exists() and not overwrite:
        raise SimInputError.single("output", str(folder), "already exists; choose another folder or pass --overwrite")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent))
    try:
        manifest = {"format": FORMAT_VERSION, "files": {}}
        if extra_manifest:
            manifest.update(extra_manifest)
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        with open(tmp / MANIFEST, "w") as fh:
            json.dump(manifest, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.rename(folder, old)
        os.rename(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def read_folder(folder: Path) -> dict[str, bytes]:
    """Read a folder written by :func:`write_folder`; :class:`SimInputError` if it is damaged."""
    src = str(folder)
    if not folder.is_dir():
        raise SimInputError.single(src, "", "is not a result folder (no such directory)")
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise SimInputError.single(src, MANIFEST, "is missing: this is not a complete result folder")
    try:
        manifest = json.loads(mpath.read_text())
        entries = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SimInputError.single(src, MANIFEST, f"is unreadable ({exc.__class__.__name__})") from None
    out: dict[str, bytes] = {}
    problems = []
    for name, info in entries.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            problems.append(f"{name} is damaged (checksum mismatch: {len(data)} bytes, expected {info.get('bytes')})")
            continue
        out[name] = data
    if problems:
        raise SimInputError.single(src, "", "; ".join(problems))
    return out
