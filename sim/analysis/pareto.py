"""Trade-offs: the Pareto front of two or three KPI objectives over strategy levers (pymoo NSGA-II).

Each candidate setting of the levers is run with the same ``reps`` seeds (common random numbers) and
scored by the Monte Carlo means of the objective KPIs, each in its own direction (more profit, fewer
complaints, more trust: ``sim.results.kpis.KPI_INFO``). NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002,
"A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEC 6(2)), as implemented by
pymoo (Blank & Deb 2020, "pymoo: Multi-Objective Optimization in Python", IEEE Access 8), evolves a
population by non-dominated sorting and crowding distance; each generation is evaluated as one batch on
the executor. Optional constraints (``"fines<=0"``) use pymoo's constraint handling (feasible first).

The front is the set of evaluated candidates that no other evaluated feasible candidate dominates (at
least as good in every objective and better in one), recomputed over the whole history, so it never
holds a point that the search itself beat. Every point is a runnable scenario
(:meth:`ParetoResult.scenario` / :meth:`ParetoResult.scenario_yaml`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import run_kpis, spawn_seeds
from sim.analysis.optimise import Constraint, parse_constraint
from sim.analysis.paths import ParamRange, apply_values, apply_values_doc, parse_range, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand, check_kpi
from sim.errors import SimInputError
from sim.results.kpis import KPI_INFO
from sim.results.result import write_folder
from sim.scenario.schema import Scenario

__all__ = ["MAX_RUNS", "ParetoResult", "non_dominated", "pareto"]

MAX_RUNS = 50_000


def non_dominated(costs: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows of ``costs`` (to be minimised) that no other row dominates."""
    c = np.asarray(costs, dtype=np.float64)
    keep = np.ones(len(c), dtype=bool)
    for i in range(len(c)):
        if not np.all(np.isfinite(c[i])):
            keep[i] = False
            continue
        others = c[np.all(np.isfinite(c), axis=1)]
        dominated = np.any(np.all(others <= c[i], axis=1) & np.any(others < c[i], axis=1))
        keep[i] = not dominated
    return keep


@dataclass
class ParetoResult:
    """The Pareto front of a multi-objective search.

    Attributes:
        base: The base scenario.
        levers: The lever ranges.
        objectives: The objective KPIs.
        maximise: Direction of each objective.
        constraints: Constraints on KPI means.
        history: Every candidate: ``generation``, lever values, objective and constraint means, ``feasible``.
        front: The non-dominated feasible candidates (rows of ``history``), sorted by the first objective.
        seeds: The common seeds.
    """

    base: Scenario
    levers: list[ParamRange]
    objectives: list[str]
    maximise: list[bool]
    constraints: list[Constraint]
    history: pd.DataFrame
    front: pd.DataFrame
    seeds: list[int]
    meta: dict[str, Any] = field(default_factory=dict)

    def setting(self, i: int) -> dict[str, Any]:
        """Lever values of front point ``i`` (by full path)."""
        row = self.front.loc[i]
        return {r.path: r.value(row[r.path]) for r in self.levers}

    def scenario(self, i: int) -> Scenario:
        """The base scenario with front point ``i``'s levers set (runnable as is)."""
        sc = apply_values(self.base, self.setting(i), source=f"Pareto point {i}")
        return sc.model_copy(update={"name": f"{self.base.name} (Pareto {i})"})

    def scenario_yaml(self, i: int) -> str:
        """Front point ``i`` as a scenario YAML document."""
        return yaml.safe_dump(scenario_doc(self.scenario(i)), sort_keys=False, allow_unicode=True)

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic folder: base scenario, history, front, and one runnable YAML per front point."""
        buf = io.BytesIO()
        self.history.to_parquet(buf, index=False)
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.base), sort_keys=False,
                                            allow_unicode=True).encode(),
            "history.parquet": buf.getvalue(),
            "history.csv": self.history.to_csv(index=False).encode(),
            "front.csv": self.front.to_csv().encode(),
        }
        for i in self.front.index:
            files[f"points/point_{i}.yaml"] = self.scenario_yaml(int(i)).encode()
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "pareto"})


def pareto(
    scenario: str | Path | dict | Scenario,
    levers: Mapping[str, Sequence[float] | str],
    objectives: Sequence[str] = ("profit", "complaints"),
    *,
    constraints: Sequence[str | Constraint] = (),
    brand: str | None = None,
    day: int | None = None,
    reps: int = 2,
    pop_size: int = 12,
    generations: int = 6,
    optimiser_seed: int = 0,
    execution: Execution | None = None,
) -> ParetoResult:
    """Search the Pareto front of 2-3 objective KPIs over lever ranges with NSGA-II.

    Args:
        scenario: The base scenario.
        levers: ``{path: (low, high)}`` or ``{path: "low:high"}``.
        objectives: Two or three KPIs, each optimised in its own direction.
        constraints: ``"kpi<=x"`` etc. on Monte Carlo means.
        brand: Brand whose KPIs count (default: the first).
        day: Day the KPIs are read at (0-based; default the last).
        reps: Common seeds per candidate.
        pop_size: NSGA-II population.
        generations: Generations (the first is the initial population).
        optimiser_seed: Seed of NSGA-II's own random choices.
        execution: Seed, overrides, executor and progress (over the planned runs).

    Raises:
        SimInputError: Unknown path or KPI, fewer than 2 or more than 3 objectives, or a run budget beyond the cap.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize

    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    objs = [check_kpi(k, "--objective") for k in objectives]
    if not 2 <= len(objs) <= 3 or len(set(objs)) != len(objs):
        raise SimInputError.single("--objective", "", "name two or three different KPIs", list(objectives))
    cons = [parse_constraint(c) for c in constraints]
    reps = check_reps(reps)
    b = _brand(sc, brand)
    if day is not None and not 0 <= int(day) < sc.run.days:
        raise SimInputError.single("--day", "", f"must be between 0 and {sc.run.days - 1}", day)
    ranges = [parse_range(sc, p, v, source="--lever") for p, v in levers.items()]
    if not ranges:
        raise SimInputError.single("--lever", "", "name at least one lever with its range")
    for name, v in (("pop_size", pop_size), ("generations", generations)):
        if isinstance(v, bool) or not isinstance(v, int) or v < (4 if name == "pop_size" else 1):
            raise SimInputError.single(f"--{name.replace('_', '-')}", name, "is too small", v)
    planned = pop_size * generations * reps
    if planned > MAX_RUNS:
        raise SimInputError.single("pareto", "budget", f"{pop_size} x {generations} generations x {reps} "
                                   f"replicates = {planned:,} runs; the cap is {MAX_RUNS:,}")
    maxi = [KPI_INFO[k][2] for k in objs]
    kpis = list(dict.fromkeys([*objs, *(c.kpi for c in cons)]))
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    base = scenario_doc(sc)
    history: list[dict[str, Any]] = []
    done = [0]

    with ex.pool(pop_size * reps) as pool:

        class _Problem(Problem):
            def __init__(self) -> None:
                super().__init__(n_var=len(ranges), n_obj=len(objs), n_ieq_constr=len(cons),
                                 xl=np.array([r.low for r in ranges]), xu=np.array([r.high for r in ranges]))

            def _evaluate(self, x: np.ndarray, out: dict, *args: Any, **kwargs: Any) -> None:
                gen = len({h["generation"] for h in history})
                docs = [apply_values_doc(base, {r.path: r.value(v) for r, v in zip(ranges, row, strict=True)})
                        for row in x]
                calls = [(d, s, (day,)) for d in docs for s in seeds]
                start = done[0]

                def tick(k: int, _n: int) -> None:
                    if ex.progress is not None:
                        ex.progress(min(start + k, planned), planned)

                parts = ex.map(run_kpis, calls, on=pool, progress=tick)
                done[0] += len(calls)
                runs = pd.concat(parts, ignore_index=True)
                runs = runs[runs["brand"] == b].reset_index(drop=True)
                runs["point"] = np.repeat(np.arange(len(x)), reps)
                means = runs.groupby("point", sort=True)[kpis].mean()
                f = np.column_stack([np.where(mx, -means[k], means[k]) for k, mx in zip(objs, maxi, strict=True)])
                f = np.where(np.isfinite(f), f, 1e30)
                out["F"] = f
                if cons:
                    g = np.column_stack([[-c.slack(float(v)) if math.isfinite(c.slack(float(v))) else 1e30
                                          for v in means[c.kpi]] for c in cons])
                    out["G"] = g
                for i, row in enumerate(x):
                    history.append({"generation": gen,
                                    **{r.path: r.value(v) for r, v in zip(ranges, row, strict=True)},
                                    **{k: float(means.loc[i, k]) for k in kpis},
                                    "feasible": all(c.holds(float(means.loc[i, c.kpi])) for c in cons)})

        algorithm = NSGA2(pop_size=pop_size, eliminate_duplicates=True)
        minimize(_Problem(), algorithm, ("n_gen", generations), seed=int(optimiser_seed), verbose=False)
    hist = pd.DataFrame(history)
    cost = np.column_stack([np.where(mx, -hist[k], hist[k]) for k, mx in zip(objs, maxi, strict=True)])
    cost[~hist["feasible"].to_numpy()] = np.inf
    mask = non_dominated(cost)
    front = hist[mask].drop_duplicates(subset=[r.path for r in ranges]).sort_values(objs[0]).reset_index(drop=True)
    if ex.progress is not None:
        ex.progress(planned, planned)
    return ParetoResult(sc, ranges, objs, maxi, cons, hist, front, seeds,
                        provenance(ex, replicates=reps, root_seed=root, runs=done[0], evaluations=len(hist),
                                   optimiser="pymoo NSGA-II", generations=generations, pop_size=pop_size))
