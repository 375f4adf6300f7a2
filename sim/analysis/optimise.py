"""Optimisation of strategy levers under constraints, over the Monte Carlo mean.

The objective is the mean of a KPI over ``reps`` replicate runs that use the *same* seeds for every
candidate (common random numbers), so the optimiser compares strategies, not luck, and the sample
average approximation is a fixed (if piecewise-constant) function of the levers. It is maximised
(or minimised, following the KPI's direction in ``KPI_INFO``) with SciPy's differential evolution
(Storn & Price 1997), a derivative-free global search that only *compares* candidates, which suits
a noisy simulation. Each generation is evaluated as one batch on the executor (``vectorized=True``,
``updating="deferred"``); ``polish`` is off (gradients of a Monte Carlo mean are meaningless).

Constraints on other KPIs (``unsubs_per_1000<=4``, ``fines==0``, ``pool_size>=20000``) are
enforced by a feasibility-first rule (Deb 2000): every feasible candidate beats every infeasible
one, and infeasible candidates are ranked by their total normalised violation.

The optimum is then re-evaluated with ``validation_reps`` *fresh* seeds (never used in the search,
so the estimate is free of the optimiser's selection bias): mean, standard deviation, a 95% t
interval of the mean, and the share of fresh seeds in which each constraint holds. A constraint is
reported as *active* when its slack at the optimum is within 5% of its scale, and as *binding* when
the search met a candidate with a better objective that violated it (that constraint, and only a
constraint, stood between the optimiser and a better value).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, stats

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import run_kpis, spawn_seeds
from sim.analysis.paths import ParamRange, apply_values, apply_values_doc, parse_range, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand, check_kpi
from sim.errors import SimInputError
from sim.results.kpis import KPI_INFO
from sim.results.result import write_folder
from sim.scenario.schema import Scenario

__all__ = ["Constraint", "OptimisationResult", "optimise", "parse_constraint"]

MAX_RUNS = 50_000
_INFEASIBLE = 1e30
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|=<|=>)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Constraint:
    """A bound on the Monte Carlo mean of a KPI.

    Attributes:
        kpi: KPI name.
        op: ``"<="``, ``">="`` or ``"=="``.
        bound: The bound.
        text: The constraint as written.
    """

    kpi: str
    op: str
    bound: float
    text: str = ""

    def slack(self, value: float) -> float:
        """How far inside the bound ``value`` is (negative when violated; ``-|v - b|`` for ``==``)."""
        if math.isnan(value):
            return -math.inf
        if self.op == "<=":
            return self.bound - value
        if self.op == ">=":
            return value - self.bound
        return -abs(value - self.bound)

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies the constraint (``==`` within 1e-9 relative)."""
        s = self.slack(value)
        return s >= -1e-9 * max(1.0, abs(self.bound))

    def scale(self, typical: float = 0.0) -> float:
        """Scale used to normalise violations and judge activity."""
        return max(abs(self.bound), abs(typical), 1e-9)


def parse_constraint(text: str | Constraint) -> Constraint:
    """Parse ``"kpi<=value"``, ``"kpi>=value"`` or ``"kpi==value"``.

    Raises:
        SimInputError: For a malformed constraint, an unknown KPI or a non-numeric bound.
    """
    if isinstance(text, Constraint):
        return text
    m = _CONSTRAINT.match(str(text))
    if not m:
        raise SimInputError.single(
            "--constraint",
            str(text),
            "must look like KPI<=VALUE, KPI>=VALUE or KPI==VALUE, e.g. unsubs_per_1000<=4 or fines==0",
        )
    kpi, op, value = m.groups()
    check_kpi(kpi, "--constraint")
    op = {"=<": "<=", "=>": ">="}.get(op, op)
    try:
        bound = float(value)
    except ValueError:
        raise SimInputError.single("--constraint", str(text), "bound must be a number", value) from None
    if not math.isfinite(bound):
        raise SimInputError.single("--constraint", str(text), "bound must be finite", value)
    return Constraint(kpi, op, bound, str(text).strip())


@dataclass
class OptimisationResult:
    """The optimum of a constrained optimisation and its re-evaluation.

    Attributes:
        scenario: The base scenario.
        optimum_scenario: The base scenario with the optimal levers set.
        levers: The lever ranges.
        objective: The KPI optimised.
        maximise: Direction.
        constraints: The constraints.
        x: Optimal lever values by full path.
        feasible: Whether a candidate satisfying every constraint was found.
        search_value: Objective mean at the optimum over the search seeds.
        validation: Summary of the re-evaluation with fresh seeds (objective and constraint KPIs).
        constraint_report: Per constraint: search and validation means, slack, share of fresh seeds
            in which it holds, active, binding.
        history: Every candidate evaluated: generation, levers, objective and constraint means,
            feasibility.
    """

    scenario: Scenario
    optimum_scenario: Scenario
    levers: list[ParamRange]
    objective: str
    maximise: bool
    constraints: list[Constraint]
    x: dict[str, float | int]
    feasible: bool
    search_value: float
    validation: pd.DataFrame
    constraint_report: pd.DataFrame
    history: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def levers_at_bounds(self) -> list[str]:
        """Levers whose optimum sits at an end of its range (the range may be too narrow)."""
        out = []
        for r in self.levers:
            v = self.x[r.path]
            tol = 0.01 * (r.high - r.low)
            if v <= r.low + tol:
                out.append(f"{r.path} at its lower bound {r.low:g}")
            elif v >= r.high - tol:
                out.append(f"{r.path} at its upper bound {r.high:g}")
        return out

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: base and optimum scenarios, history, validation, constraints, result."""
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "optimum.yaml": yaml.safe_dump(
                scenario_doc(self.optimum_scenario), sort_keys=False, allow_unicode=True
            ).encode(),
            "history.csv": self.history.to_csv(index=False).encode(),
            "validation.csv": self.validation.to_csv(index=False).encode(),
            "constraints.csv": self.constraint_report.to_csv(index=False).encode(),
            "result.json": json.dumps(
                {
                    **self.meta,
                    "objective": self.objective,
                    "maximise": self.maximise,
                    "x": self.x,
                    "feasible": self.feasible,
                    "search_value": self.search_value,
                    "constraints": [c.text for c in self.constraints],
                    "levers_at_bounds": self.levers_at_bounds(),
                },
                indent=2,
                default=str,
            ).encode(),
        }
        buf = io.BytesIO()
        self.history.to_parquet(buf, index=False)
        files["history.parquet"] = buf.getvalue()
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "optimise"})


def optimise(
    scenario: str | Path | dict | Scenario,
    levers: Mapping[str, Sequence[float] | str],
    objective: str = "profit",
    *,
    constraints: Sequence[str | Constraint] = (),
    maximise: bool | None = None,
    brand: str | None = None,
    day: int | None = None,
    reps: int = 3,
    validation_reps: int = 10,
    maxiter: int = 15,
    popsize: int = 8,
    tol: float = 0.01,
    optimiser_seed: int = 0,
    execution: Execution | None = None,
) -> OptimisationResult:
    """Choose levers within bounds to optimise a KPI's Monte Carlo mean under KPI constraints.

    Args:
        scenario: The base scenario.
        levers: ``{path: (low, high)}`` or ``{path: "low:high"}``.
        objective: KPI to optimise.
        constraints: ``"kpi<=x"``, ``"kpi>=x"``, ``"kpi==x"`` on Monte Carlo means.
        maximise: Direction (default: the KPI's own, e.g. maximise profit, minimise CAC).
        brand: Brand whose KPIs count (default: the first).
        day: Day at which KPIs are taken (default: the last).
        reps: Common seeds per candidate during the search.
        validation_reps: Fresh seeds for re-evaluating the optimum.
        maxiter: Differential-evolution generations.
        popsize: Population multiplier (population = popsize x number of levers, at least 5).
        tol: Relative convergence tolerance of differential evolution.
        optimiser_seed: Seed of the optimiser's own random choices.
        execution: Root seed (default: the scenario's ``run.seed``), overrides applied to the base
            scenario first, executor, and progress over the planned runs (search upper bound +
            validation) (:class:`~sim.analysis.execution.Execution`).

    Raises:
        SimInputError: Unknown path or KPI, bad ranges or constraints, or a run budget beyond the cap.
    """
    execution = as_execution(execution)
    progress = execution.progress
    sc = execution.resolve(scenario)
    check_kpi(objective)
    cons = [parse_constraint(c) for c in constraints]
    reps = check_reps(reps)
    validation_reps = check_reps(validation_reps, "validation_reps")
    b = _brand(sc, brand)
    if day is not None and not 0 <= int(day) < sc.run.days:
        raise SimInputError.single("--day", "", f"must be between 0 and {sc.run.days - 1}", day)
    ranges = [parse_range(sc, p, v, source="--lever") for p, v in levers.items()]
    if not ranges:
        raise SimInputError.single(
            "--lever", "levers", "name at least one lever with its range, e.g. messaging.per_week=1:14"
        )
    if len({r.path for r in ranges}) != len(ranges):
        raise SimInputError.single("--lever", "", "the same lever is named twice")
    for name, v in (("maxiter", maxiter), ("popsize", popsize)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise SimInputError.single(f"--{name}", name, "must be a whole number of at least 1", v)
    maximise = KPI_INFO[objective][2] if maximise is None else bool(maximise)
    pop = max(5, popsize * len(ranges))
    planned = pop * (maxiter + 1) * reps + validation_reps
    if planned > MAX_RUNS:
        raise SimInputError.single(
            "optimise",
            "budget",
            f"population {pop} x {maxiter + 1} generations x {reps} "
            f"replicates = {planned:,} runs; the cap is {MAX_RUNS:,}",
        )
    root = execution.root(sc)
    seeds = spawn_seeds(root, reps)
    fresh = spawn_seeds(root, validation_reps, skip=reps)
    base = scenario_doc(sc)
    kpis = [objective, *dict.fromkeys(c.kpi for c in cons)]
    history: list[dict[str, Any]] = []
    generation = [0]
    done = [0]

    def report(n_done: int) -> None:
        if progress is not None:
            progress(min(n_done, planned), planned)

    def means_of(points: np.ndarray, use_seeds: list[int], ex: Executor) -> pd.DataFrame:
        docs = [
            apply_values_doc(base, {r.path: r.value(v) for r, v in zip(ranges, row, strict=True)}) for row in points
        ]
        calls = [(doc, s, (day,)) for doc in docs for s in use_seeds]
        start = done[0]

        def tick(k: int, _total: int) -> None:
            report(start + k)

        parts = execution.map(run_kpis, calls, on=ex, progress=tick)
        done[0] = start + len(calls)
        runs = pd.concat(parts, ignore_index=True)
        runs = runs[runs["brand"] == b].reset_index(drop=True)
        runs["point"] = np.repeat(np.arange(len(points)), len(use_seeds))
        return runs

    def penalised(means: pd.Series) -> tuple[float, bool, float]:
        obj = float(means[objective])
        violation = 0.0
        for c in cons:
            v = float(means[c.kpi])
            if not c.holds(v):
                violation += (-c.slack(v) if math.isfinite(c.slack(v)) else 1e6) / c.scale()
        if violation > 0 or math.isnan(obj):
            return _INFEASIBLE * (1.0 + min(violation, 1e6) / 1e6) if violation > 0 else _INFEASIBLE, False, violation
        return (-obj if maximise else obj), True, 0.0

    t0 = datetime.now(UTC)
    with execution.pool(pop * reps) as ex:

        def batch(xt: np.ndarray) -> np.ndarray:
            points = np.atleast_2d(xt.T) if xt.ndim == 2 else xt[None, :]
            runs = means_of(points, seeds, ex)
            means = runs.groupby("point", sort=True)[kpis].mean()
            out = np.empty(len(points))
            for i, row in enumerate(points):
                f, feasible, violation = penalised(means.loc[i])
                out[i] = f
                history.append(
                    {
                        "generation": generation[0],
                        **{r.path: r.value(v) for r, v in zip(ranges, row, strict=True)},
                        **{k: float(means.loc[i, k]) for k in kpis},
                        "feasible": feasible,
                        "violation": violation,
                    }
                )
            generation[0] += 1
            return out

        res = optimize.differential_evolution(
            batch,
            bounds=[(r.low, r.high) for r in ranges],
            maxiter=maxiter,
            popsize=max(1, pop // len(ranges)),
            tol=tol,
            rng=np.random.default_rng(optimiser_seed),
            polish=False,
            init="latinhypercube",
            updating="deferred",
            vectorized=True,
            integrality=[r.integer for r in ranges] if any(r.integer for r in ranges) else None,
        )
        hist = pd.DataFrame(history)
        feasible_rows = hist[hist["feasible"]]
        if not feasible_rows.empty:
            best_i = feasible_rows[objective].idxmax() if maximise else feasible_rows[objective].idxmin()
        else:
            best_i = hist["violation"].idxmin()
        best_row = hist.loc[best_i]
        x_best = {r.path: r.value(best_row[r.path]) for r in ranges}
        report(planned - validation_reps)
        val_runs = means_of(np.array([[x_best[r.path] for r in ranges]], dtype=np.float64), fresh, ex)
    wall = (datetime.now(UTC) - t0).total_seconds()
    report(planned)

    validation = _validation_table(val_runs, kpis)
    search_value = float(best_row[objective])
    rows = []
    better = hist[hist[objective] > search_value] if maximise else hist[hist[objective] < search_value]
    for c in cons:
        vs = val_runs[c.kpi].to_numpy(dtype=np.float64)
        search_v = float(best_row[c.kpi])
        slack = c.slack(search_v)
        active = c.op == "==" or abs(slack) <= 0.05 * c.scale(search_v)
        binding = bool(len(better) and (~better[c.kpi].map(c.holds)).any())
        rows.append(
            {
                "constraint": c.text or f"{c.kpi}{c.op}{c.bound:g}",
                "kpi": c.kpi,
                "op": c.op,
                "bound": c.bound,
                "search_mean": search_v,
                "validation_mean": float(np.nanmean(vs)) if len(vs) else math.nan,
                "slack": slack,
                "holds_share": float(np.mean([c.holds(v) for v in vs])) if len(vs) else math.nan,
                "active": active,
                "binding": binding,
            }
        )
    optimum_sc = apply_values(sc, x_best, source="optimum")
    return OptimisationResult(
        sc,
        optimum_sc,
        ranges,
        objective,
        maximise,
        cons,
        x_best,
        bool(best_row["feasible"]),
        search_value,
        validation,
        pd.DataFrame(
            rows,
            columns=[
                "constraint",
                "kpi",
                "op",
                "bound",
                "search_mean",
                "validation_mean",
                "slack",
                "holds_share",
                "active",
                "binding",
            ],
        ),
        hist,
        provenance(
            execution,
            wall_seconds=wall,
            replicates=reps,
            validation_reps=validation_reps,
            root_seed=root,
            search_seeds=seeds,
            validation_seeds=fresh,
            generations=int(res.nit),
            evaluations=len(hist),
            runs=done[0],
            optimiser="scipy.optimize.differential_evolution",
            optimiser_message=str(res.message),
        ),
    )


def _validation_table(runs: pd.DataFrame, kpis: Sequence[str]) -> pd.DataFrame:
    rows = []
    for k in kpis:
        v = runs[k].to_numpy(dtype=np.float64)
        v = v[~np.isnan(v)]
        n = v.size
        mean = float(v.mean()) if n else math.nan
        sd = float(v.std(ddof=1)) if n > 1 else math.nan
        h = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n) if n > 1 else math.nan
        rows.append({"kpi": k, "mean": mean, "sd": sd, "ci_low": mean - h, "ci_high": mean + h, "n": n})
    return pd.DataFrame(rows)
