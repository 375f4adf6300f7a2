"""Parameter sweeps: one- and two-dimensional grids over parameters named by dotted path.

Each cell of the grid is the base scenario with the axis parameters set (validated by the loader
before any run starts). Cells may be replicated; replicate ``i`` of every cell uses the same seed
(common random numbers), so differences between neighbouring cells are the parameter's effect and
not the draw. The result is a tidy table (one row per cell, replicate and brand, every KPI), a
summary of means per cell, and the best cell for an objective KPI (maximised or minimised in the
KPI's own direction, ``sim.results.kpis.KPI_INFO``).

Caps (checked before running): at most :data:`MAX_AXES` axes, :data:`MAX_VALUES_PER_AXIS` values
per axis, :data:`MAX_CELLS` cells and :data:`MAX_RUNS` runs (cells x replicates).

If worker processes die and some runs are lost even after the retry on a fresh pool
(:class:`~sim.analysis.executors.RunsFailed`), :func:`sweep` raises :class:`SweepIncomplete`
carrying a partial :class:`SweepResult` with every cell whose replicates all finished; saving it
marks the folder's manifest ``incomplete`` ("incomplete: N of M cells failed").
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import RunsFailed, run_kpis, spawn_seeds
from sim.analysis.paths import Axis, apply_values_doc, describe, parse_axis, scenario_doc
from sim.analysis.replicate import check_reps, provenance, summarise
from sim.errors import SimInputError
from sim.results.folders import check_runs_table, json_object, scenario_file, table_file, whole_numbers
from sim.results.kpis import KPI_INFO, KPI_NAMES
from sim.results.result import read_folder, write_folder
from sim.scenario.loader import suggest, validate_document
from sim.scenario.schema import Scenario

__all__ = [
    "MAX_AXES",
    "MAX_CELLS",
    "MAX_RUNS",
    "MAX_VALUES_PER_AXIS",
    "SweepIncomplete",
    "SweepResult",
    "check_kpi",
    "load_sweep",
    "sweep",
]

MAX_AXES = 2
MAX_VALUES_PER_AXIS = 100
MAX_CELLS = 2_500
MAX_RUNS = 20_000


def check_kpi(kpi: str, source: str = "--objective") -> str:
    """Validate a KPI name (with a did-you-mean hint)."""
    if kpi not in KPI_INFO:
        best = suggest(kpi, list(KPI_INFO))
        raise SimInputError.single(
            source, kpi, "is not a KPI" + (f". Did you mean {best!r}?" if best else f"; KPIs: {', '.join(KPI_INFO)}")
        )
    return kpi


def _brand(scenario: Scenario, brand: str | None) -> str:
    names = [b.name for b in scenario.brands]
    if brand is None:
        return names[0]
    if brand not in names:
        best = suggest(brand, names)
        raise SimInputError.single(
            "--brand",
            brand,
            f"is not a brand of this scenario; brands: {', '.join(names)}"
            + (f". Did you mean {best!r}?" if best else ""),
        )
    return brand


@dataclass
class SweepResult:
    """A finished sweep.

    Attributes:
        scenario: The base scenario.
        axes: The swept parameters and their values.
        objective: KPI used to pick the best cell.
        brand: Brand the objective is read for.
        day: Day the KPIs are taken at (0-based).
        seeds: Common seeds (one per replicate).
        table: Tidy runs: ``cell``, one column per axis path, ``seed``, ``brand``, every KPI.
    """

    scenario: Scenario
    axes: list[Axis]
    objective: str
    brand: str
    day: int
    seeds: list[int]
    table: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """Full paths of the axes."""
        return [a.path for a in self.axes]

    @property
    def maximise(self) -> bool:
        """Whether the objective is maximised (its KPI is better when higher)."""
        return KPI_INFO[self.objective][2]

    def summary(self, brand: str | None = None) -> pd.DataFrame:
        """Mean of every KPI per cell for ``brand``.

        Also ``<objective>_p05`` and ``<objective>_p95`` bands, replicate counts, and ``best`` marking the best cell.
        """
        b = _brand(self.scenario, brand or self.brand)
        t = self.table[self.table["brand"] == b]
        keys = ["cell", *self.paths]
        means = t.groupby("cell", sort=True)[list(KPI_NAMES)].mean()
        first = t.groupby("cell", sort=True)[self.paths].first()
        out = pd.concat([first, means], axis=1).reset_index()
        bands = t.groupby("cell", sort=True)[self.objective].apply(lambda v: pd.Series(summarise(v))).unstack()
        out[f"{self.objective}_p05"] = bands["p05"].to_numpy()
        out[f"{self.objective}_p95"] = bands["p95"].to_numpy()
        out["reps"] = t.groupby("cell", sort=True)["seed"].count().to_numpy()
        obj = out[self.objective]
        best = obj.idxmax() if self.maximise else obj.idxmin()
        out["best"] = False
        if obj.notna().any():
            out.loc[best, "best"] = True
        return out[[*keys, *[c for c in out.columns if c not in keys]]]

    def best(self) -> dict[str, Any]:
        """The best cell: its parameter values and objective mean."""
        s = self.summary()
        row = s[s["best"]]
        if row.empty:
            return {}
        r = row.iloc[0]
        return {"cell": int(r["cell"]), **{p: _py(r[p]) for p in self.paths}, self.objective: float(r[self.objective])}

    def pivot(self, kpi: str | None = None) -> pd.DataFrame:
        """Means of ``kpi`` (default: the objective) as a grid: rows the first axis, columns the second."""
        kpi = check_kpi(kpi or self.objective, "kpi")
        s = self.summary()
        if len(self.axes) == 1:
            return s.set_index(self.paths[0])[[kpi]]
        return s.pivot(index=self.paths[0], columns=self.paths[1], values=kpi)

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: base scenario, runs (Parquet and CSV), cell summary and best cell."""
        buf = io.BytesIO()
        self.table.to_parquet(buf, index=False)
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "runs.parquet": buf.getvalue(),
            "runs.csv": self.table.to_csv(index=False).encode(),
            "summary.csv": self.summary().to_csv(index=False).encode(),
            "meta.json": json.dumps(
                {
                    **self.meta,
                    "axes": {a.path: list(a.values) for a in self.axes},
                    "objective": self.objective,
                    "brand": self.brand,
                    "day": self.day,
                    "seeds": self.seeds,
                    "best": self.best(),
                },
                indent=2,
                default=str,
            ).encode(),
        }
        extra: dict[str, Any] = {"kind": "sweep"}
        if self.meta.get("incomplete"):
            extra["incomplete"] = self.meta["incomplete"]
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest=extra)


class SweepIncomplete(RunsFailed):
    """Runs of some cells were lost to dead worker processes (after one retry on a fresh pool).

    Attributes:
        partial: The finished cells as a :class:`SweepResult` (its ``meta["incomplete"]`` says what
            is missing), or ``None`` if no cell finished.
        failed_cells: Indices of the cells with at least one lost run.
        cells: Number of cells in the grid.
    """

    def __init__(self, runs: RunsFailed, partial: SweepResult | None, failed_cells: list[int], cells: int) -> None:
        self.partial = partial
        self.failed_cells = failed_cells
        self.cells = cells
        super().__init__(runs.results, runs.failed, runs.reason)

    def __str__(self) -> str:
        return (f"incomplete: {len(self.failed_cells)} of {self.cells} cells failed "
                f"({len(self.failed)} of {self.total} runs lost because their worker process died, even after "
                f"a retry on a fresh pool: {self.reason})")

    def __reduce__(self):
        return (_rebuild_incomplete, (self.results, self.failed, self.reason, self.partial, self.failed_cells,
                                      self.cells))


def _rebuild_incomplete(results, failed, reason, partial, failed_cells, cells) -> SweepIncomplete:
    return SweepIncomplete(RunsFailed(results, failed, reason), partial, failed_cells, cells)


def load_sweep(folder: str | Path) -> SweepResult:
    """Load a folder written by :meth:`SweepResult.save` (checksums verified).

    An incomplete sweep (cells lost to dead workers) loads with ``meta["incomplete"]`` set.

    Raises:
        SimInputError: If the folder is missing, damaged (a file changed or missing) or not a sweep.
    """
    files = read_folder(Path(folder), keep=("scenario.yaml", "runs.parquet", "meta.json"))
    src = str(folder)
    for name in ("scenario.yaml", "runs.parquet", "meta.json"):
        if name not in files:
            raise SimInputError.single(src, name, "is missing: this is not a sweep folder")
    where = Path(folder)
    sc = scenario_file(files, "scenario.yaml", where)  # safe YAML rules, validated
    meta = json_object(files, "meta.json", where)
    raw_axes = meta.pop("axes", None)
    if not isinstance(raw_axes, dict) or not 1 <= len(raw_axes) <= MAX_AXES or not all(
            isinstance(v, list) and 1 <= len(v) <= MAX_VALUES_PER_AXIS for v in raw_axes.values()):
        raise SimInputError.single(src, "meta.json: axes",
                                   f"must map 1 to {MAX_AXES} parameter paths to lists of 1 to "
                                   f"{MAX_VALUES_PER_AXIS} values", raw_axes)
    axes = [Axis(p, tuple(v), label=p.removeprefix("brands.0.strategy.")) for p, v in raw_axes.items()]
    objective, brand, day = meta.pop("objective", None), meta.pop("brand", None), meta.pop("day", None)
    if objective not in KPI_INFO:
        raise SimInputError.single(src, "meta.json: objective", "must be one of the KPIs", objective)
    if not isinstance(brand, str) or brand not in {b.name for b in sc.brands}:
        raise SimInputError.single(src, "meta.json: brand", "must name a brand of the saved scenario", brand)
    if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day < sc.run.days:
        raise SimInputError.single(src, "meta.json: day", f"must be a whole number from 0 to {sc.run.days - 1}", day)
    seeds = whole_numbers(meta.pop("seeds", None), where, "seeds")
    keys = ("cell", *(a.path for a in axes), "seed", "brand")
    table = table_file(files, "runs.parquet", where, (*keys, *KPI_NAMES))
    check_runs_table(table, where, "runs.parquet", ("cell", "seed", "brand"), seeds)
    meta.pop("best", None)
    return SweepResult(sc, axes, objective, brand, day, seeds, table, meta)


def _py(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def grid_size_error(axes: Sequence[Axis], reps: int) -> SimInputError | None:
    """The error for a grid beyond the caps, or ``None``."""
    cells = 1
    for a in axes:
        cells *= len(a.values)
    shape = " x ".join(str(len(a.values)) for a in axes)
    caps = (
        f"caps: {MAX_AXES} axes, {MAX_VALUES_PER_AXIS} values per axis, {MAX_CELLS:,} cells, "
        f"{MAX_RUNS:,} runs (cells x replicates)"
    )
    if cells > MAX_CELLS:
        return SimInputError.single("sweep", "grid", f"{shape} = {cells:,} cells is too large; {caps}")
    if cells * reps > MAX_RUNS:
        return SimInputError.single(
            "sweep", "grid", f"{cells:,} cells x {reps} replicates = {cells * reps:,} runs is too many; {caps}"
        )
    return None


def sweep(
    scenario: str | Path | dict | Scenario,
    axes: Mapping[str, Sequence[Any]] | Sequence[str | Axis],
    *,
    reps: int = 1,
    objective: str = "profit",
    brand: str | None = None,
    day: int | None = None,
    versus: str | Path | dict | Scenario | None = None,
    versus_too: bool = False,
    execution: Execution | None = None,
) -> SweepResult:
    """Run a 1-D or 2-D grid of parameter values.

    Args:
        scenario: The base scenario (preset, path, document or Scenario).
        axes: ``{path: [values]}``, or specs ``"path=v1,v2"`` / ``"path=low:high:count"``, or
            :class:`~sim.analysis.paths.Axis` objects; one or two axes.
        reps: Replicates per cell (common seeds across cells).
        objective: KPI whose best cell is marked.
        brand: Brand the objective is read for (default: the first).
        day: Day at which KPIs are taken (default: the last).
        versus: A scenario B: every KPI of the table becomes the paired difference ``KPI(A) - KPI(B)``
            with common seeds (:func:`sim.analysis.robustness.run_paired_kpis`); the best cell is the
            one where A beats B by the most.
        versus_too: Set the axis values on B as well (a market assumption both live with).
        execution: Root seed (default: the scenario's ``run.seed``), overrides applied to the base
            scenario (and B) first, executor and progress over all runs (:class:`~sim.analysis.execution.Execution`).

    Raises:
        SimInputError: For an unknown path or KPI, bad values, or a grid beyond the caps.
    """
    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    reps = check_reps(reps)
    check_kpi(objective)
    b = _brand(sc, brand)
    if day is not None and not 0 <= int(day) < sc.run.days:
        raise SimInputError.single("--day", "", f"must be between 0 and {sc.run.days - 1}", day)
    specs: list[Any] = [(p, v) for p, v in axes.items()] if isinstance(axes, Mapping) else list(axes)
    if not specs:
        raise SimInputError.single("sweep", "axes", "name at least one parameter to sweep")
    if len(specs) > MAX_AXES:
        raise SimInputError.single(
            "sweep", "axes", f"{len(specs)} axes given; the cap is {MAX_AXES} (a 1-D or 2-D grid)"
        )
    parsed = [s if isinstance(s, Axis) else parse_axis(sc, s, max_values=MAX_VALUES_PER_AXIS) for s in specs]
    if len({a.path for a in parsed}) != len(parsed):
        raise SimInputError.single("sweep", "axes", "the same parameter is swept twice", [a.path for a in parsed])
    if (err := grid_size_error(parsed, reps)) is not None:
        raise err
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    base = scenario_doc(sc)
    cells = list(itertools.product(*[a.values for a in parsed]))
    docs = []
    for values in cells:  # every combination is validated before any run starts (about 0.1 ms each)
        setting = dict(zip([a.path for a in parsed], values, strict=True))
        doc = apply_values_doc(base, setting)
        validate_document(doc, "sweep cell " + ", ".join(f"{p}={describe(v)}" for p, v in setting.items()))
        docs.append(doc)
    fn: Any = run_kpis
    calls: list[tuple[Any, ...]] = [(doc, seed, (day,)) for doc in docs for seed in seeds]
    if versus is not None:
        from sim.analysis.robustness import paired_doc, run_paired_kpis

        vs = ex.resolve(versus)
        if len(vs.brands) != len(sc.brands):
            raise SimInputError.single("--versus", vs.name, "must have as many brands as the swept scenario")
        base_b = scenario_doc(vs)
        docs_b = []
        for values in cells:
            setting = dict(zip([a.path for a in parsed], values, strict=True))
            doc_b = paired_doc(base_b, setting, versus_too)
            if versus_too:
                validate_document(doc_b, f"{vs.name} at " + ", ".join(f"{p}={describe(v)}" for p, v in setting.items()))
            docs_b.append(doc_b)
        fn = run_paired_kpis
        calls = [(doc, doc_b, seed, (day,)) for doc, doc_b in zip(docs, docs_b, strict=True) for seed in seeds]
    t0 = datetime.now(UTC)
    lost: RunsFailed | None = None
    try:
        parts = ex.map(fn, calls)
    except RunsFailed as exc:  # keep the cells whose replicates all finished
        lost, parts = exc, exc.results
    wall = (datetime.now(UTC) - t0).total_seconds()
    failed_cells = sorted({i // reps for i in lost.failed}) if lost else []
    frames = []
    for i, part in enumerate(parts):
        cell = i // reps
        if part is None or cell in failed_cells:
            continue
        part = part.copy()
        part.insert(0, "cell", cell)
        for j, a in enumerate(parsed):
            part.insert(1 + j, a.path, [cells[cell][j]] * len(part))
        frames.append(part)
    meta = provenance(ex, wall_seconds=wall, replicates=reps, root_seed=root, cells=len(cells))
    if versus is not None:
        meta["versus"] = {"scenario": vs.name, "axes_on_versus": bool(versus_too), "kpis": "A minus B"}
    if lost is not None and not frames:
        raise SweepIncomplete(lost, None, failed_cells, len(cells))
    table = pd.concat(frames, ignore_index=True)
    used_day = int(table["day"].iloc[0])
    result = SweepResult(sc, parsed, objective, b, used_day, seeds, table, meta)
    if lost is not None:
        exc = SweepIncomplete(lost, None, failed_cells, len(cells))
        result.meta["incomplete"] = {
            "message": f"incomplete: {len(failed_cells)} of {len(cells)} cells failed",
            "failed_cells": [
                {"cell": c, **{a.path: _py(cells[c][j]) for j, a in enumerate(parsed)}} for c in failed_cells
            ],
            "cells": len(cells),
            "failed_runs": len(lost.failed),
            "runs": lost.total,
            "reason": lost.reason,
        }
        exc.partial = result
        raise exc
    return result
