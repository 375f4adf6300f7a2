"""Global sensitivity analysis over named parameter ranges: Sobol indices and Morris screening.

* **Sobol** (variance-based): first-order ``S1`` (the share of output variance explained by one
  parameter alone) and total-order ``ST`` (its share including every interaction), estimated with
  SALib from a scrambled Sobol' sequence (``SALib.sample.sobol``, ``N * (D + 2)`` runs without
  second-order terms) by the estimators of Saltelli et al. (2010), "Variance based sensitivity
  analysis of model output" (first order) and Jansen (1999) (total order), with bootstrap
  confidence intervals. ``N`` must be a power of two (the balance properties of Sobol' sequences
  need it); anything else is an error, not a warning.
* **Morris** elementary effects (Morris 1991, "Factorial sampling plans for preliminary
  computational experiments"; ``mu_star`` as in Campolongo, Cariboni & Saltelli 2007): ``N``
  trajectories of ``D + 1`` runs on a 4-level grid; cheap screening for many parameters.

Every sample point is run with the same seeds (common random numbers, ``reps`` per point, averaged),
so the indices measure the parameters' effect, not Monte Carlo noise. Besides the indices, each
parameter is moved alone from its low to its high end around the midpoint of all ranges (``2D + 1``
extra runs) to give the swing a tornado chart draws. The ranked table is sorted by ``ST`` (Sobol)
or ``mu_star`` (Morris).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.analysis.execution import Execution, as_execution
from sim.analysis.executors import run_kpis, spawn_seeds
from sim.analysis.paths import ParamRange, apply_values_doc, parse_range, scenario_doc
from sim.analysis.replicate import check_reps, provenance
from sim.analysis.sweep import _brand, check_kpi
from sim.errors import SimInputError
from sim.results.result import write_folder
from sim.scenario.loader import validate_document
from sim.scenario.schema import Scenario

__all__ = ["MAX_RUNS", "SensitivityResult", "sensitivity"]

#: Most model runs one sensitivity analysis may start (sample points x replicates, plus the tornado).
MAX_RUNS = 50_000
MAX_PARAMS = 40
MORRIS_LEVELS = 4
#: The indices each method reports per parameter, in table order.
INDICES = {"sobol": ("S1", "S1_conf", "ST", "ST_conf"), "morris": ("mu", "mu_star", "mu_star_conf", "sigma")}


@dataclass
class SensitivityResult:
    """Indices and samples of a sensitivity analysis.

    Attributes:
        scenario: The base scenario.
        method: ``"sobol"`` or ``"morris"``.
        params: The parameter ranges.
        kpis: The KPIs analysed.
        brand: The brand the KPIs are read for.
        day: Day the KPIs are taken at.
        samples: One row per sample point: parameter values and the mean of each KPI over seeds.
        indices: Tidy ranked table per KPI (see :meth:`ranked`).
        tornado: One-at-a-time swings: ``kpi, path, low, high, kpi_at_low, kpi_at_high, base, swing``.
    """

    scenario: Scenario
    method: str
    params: list[ParamRange]
    kpis: list[str]
    brand: str
    day: int
    samples: pd.DataFrame
    indices: pd.DataFrame
    tornado: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def ranked(self, kpi: str | None = None) -> pd.DataFrame:
        """Indices of one KPI (default: the first) ranked by importance, joined with the tornado swing."""
        kpi = kpi or self.kpis[0]
        if kpi not in self.kpis:
            raise SimInputError.single("kpi", kpi, f"was not analysed; analysed: {', '.join(self.kpis)}")
        t = self.indices[self.indices["kpi"] == kpi].drop(columns="kpi")
        tor = self.tornado[self.tornado["kpi"] == kpi].drop(columns=["kpi", "low", "high"])
        out = t.merge(tor, on="path", how="left")
        key = "ST" if self.method == "sobol" else "mu_star"
        out = out.sort_values(key, ascending=False, na_position="last").reset_index(drop=True)
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        return out

    def save(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Atomic run folder: base scenario, samples, indices, tornado, manifest."""
        buf = io.BytesIO()
        self.samples.to_parquet(buf, index=False)
        files = {
            "scenario.yaml": yaml.safe_dump(scenario_doc(self.scenario), sort_keys=False, allow_unicode=True).encode(),
            "samples.parquet": buf.getvalue(),
            "indices.csv": self.indices.to_csv(index=False).encode(),
            "tornado.csv": self.tornado.to_csv(index=False).encode(),
            "ranked.csv": pd.concat([self.ranked(k).assign(kpi=k) for k in self.kpis]).to_csv(index=False).encode(),
            "meta.json": json.dumps(
                {
                    **self.meta,
                    "method": self.method,
                    "kpis": self.kpis,
                    "brand": self.brand,
                    "day": self.day,
                    "params": [p.__dict__ for p in self.params],
                },
                indent=2,
                default=str,
            ).encode(),
        }
        return write_folder(Path(folder), files, overwrite=overwrite, extra_manifest={"kind": "sensitivity"})


def _is_power_of_two(n: int) -> bool:
    return n >= 1 and (n & (n - 1)) == 0


def sensitivity(
    scenario: str | Path | dict | Scenario,
    params: Mapping[str, Sequence[float] | str],
    *,
    method: str = "sobol",
    n: int = 64,
    kpis: Sequence[str] = ("profit",),
    brand: str | None = None,
    day: int | None = None,
    reps: int = 1,
    sample_seed: int = 0,
    versus: str | Path | dict | Scenario | None = None,
    versus_too: bool = True,
    execution: Execution | None = None,
) -> SensitivityResult:
    """Sobol or Morris sensitivity of KPIs to parameter ranges.

    Args:
        scenario: The base scenario.
        params: ``{path: (low, high)}`` or ``{path: "low:high"}``; two or more parameters.
        method: ``"sobol"`` (``n`` a power of two; ``n * (D + 2)`` points) or ``"morris"``
            (``n`` trajectories; ``n * (D + 1)`` points).
        n: Base sample size (Sobol) or number of trajectories (Morris).
        kpis: KPIs to analyse (one run gives them all).
        brand: Brand the KPIs are read for (default: the first).
        day: Day at which KPIs are taken (default: the last).
        reps: Common seeds per point (averaged).
        sample_seed: Seed of the sampler (scrambling, trajectories) and of the bootstrap.
        versus: A scenario B: the KPIs analysed become the paired differences ``KPI(A) - KPI(B)`` under
            common seeds (:func:`sim.analysis.robustness.run_paired_kpis`), so the indices rank the
            parameters by how much they move the verdict.
        versus_too: Set the sampled values on B as well (default: market assumptions both live with);
            ``False`` moves A's levers only.
        execution: Root seed (default: the scenario's ``run.seed``), overrides applied to the base
            scenario first, executor and progress over all runs (:class:`~sim.analysis.execution.Execution`).

    Raises:
        SimInputError: Unknown path or KPI, empty or inverted range, fewer than two parameters, a
            Sobol ``n`` that is not a power of two, too many runs, or a KPI undefined (NaN) at some
            points.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    ex = as_execution(execution)
    sc = ex.resolve(scenario)
    if method not in ("sobol", "morris"):
        raise SimInputError.single("--method", method, "must be 'sobol' or 'morris'")
    reps = check_reps(reps)
    kpis = [check_kpi(k, "--kpi") for k in kpis] or ["profit"]
    b = _brand(sc, brand)
    if day is not None and not 0 <= int(day) < sc.run.days:
        raise SimInputError.single("--day", "", f"must be between 0 and {sc.run.days - 1}", day)
    ranges = [parse_range(sc, p, v, source="--param") for p, v in params.items()]
    if len(ranges) < 2:
        raise SimInputError.single("--param", "", "sensitivity needs at least two parameter ranges")
    if len(ranges) > MAX_PARAMS:
        raise SimInputError.single("--param", "", f"{len(ranges)} parameters; the cap is {MAX_PARAMS}")
    if len({r.path for r in ranges}) != len(ranges):
        raise SimInputError.single("--param", "", "the same parameter is named twice")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise SimInputError.single("--n", "", "must be a whole number of at least 2", n)
    d = len(ranges)
    if method == "sobol" and not _is_power_of_two(int(n)):
        lo = 1 << (int(n).bit_length() - 1)
        raise SimInputError.single(
            "--n", "", f"the Sobol sample size must be a power of two (e.g. {lo} or {lo * 2}); {n} is not"
        )
    points = n * (d + 2) if method == "sobol" else n * (d + 1)
    total = (points + 2 * d + 1) * reps
    if total > MAX_RUNS:
        raise SimInputError.single(
            "sensitivity",
            "size",
            f"{points:,} points + {2 * d + 1} tornado points, x {reps} "
            f"replicates = {total:,} runs; the cap is {MAX_RUNS:,} runs",
        )
    problem = {"num_vars": d, "names": [r.path for r in ranges], "bounds": [[r.low, r.high] for r in ranges]}
    if method == "sobol":
        x = sobol_sample.sample(problem, int(n), calc_second_order=False, seed=sample_seed)
    else:
        x = morris_sample.sample(problem, int(n), num_levels=MORRIS_LEVELS, seed=sample_seed)
    mid = np.array([(r.low + r.high) / 2 for r in ranges])
    tornado_x = [mid]
    for j, r in enumerate(ranges):
        for end in (r.low, r.high):
            p = mid.copy()
            p[j] = end
            tornado_x.append(p)
    all_x = np.vstack([x, np.array(tornado_x)])
    root = ex.root(sc)
    seeds = spawn_seeds(root, reps)
    base = scenario_doc(sc)
    docs = []
    for row in all_x:  # validated up front (cross-field rules such as uniform low <= high)
        setting = {r.path: r.value(v) for r, v in zip(ranges, row, strict=True)}
        doc = apply_values_doc(base, setting)
        validate_document(doc, "sample point " + ", ".join(f"{p}={v:g}" for p, v in setting.items()))
        docs.append(doc)
    fn: Any = run_kpis
    calls: list[tuple[Any, ...]] = [(doc, seed, (day,)) for doc in docs for seed in seeds]
    vs_meta: dict[str, Any] = {}
    if versus is not None:
        from sim.analysis.robustness import paired_doc, run_paired_kpis

        vs = ex.resolve(versus)
        if len(vs.brands) != len(sc.brands):
            raise SimInputError.single("--versus", vs.name, "must have as many brands as the analysed scenario")
        base_b = scenario_doc(vs)
        docs_b = []
        for row in all_x:
            setting = {r.path: r.value(v) for r, v in zip(ranges, row, strict=True)}
            doc_b = paired_doc(base_b, setting, versus_too)
            if versus_too:
                validate_document(doc_b, f"{vs.name} at sample point")
            docs_b.append(doc_b)
        fn = run_paired_kpis
        calls = [(doc, doc_b, seed, (day,)) for doc, doc_b in zip(docs, docs_b, strict=True) for seed in seeds]
        vs_meta = {"versus": {"scenario": vs.name, "params_on_versus": bool(versus_too), "kpis": "A minus B"}}
    t0 = datetime.now(UTC)
    parts = ex.map(fn, calls)
    wall = (datetime.now(UTC) - t0).total_seconds()
    runs = pd.concat(parts, ignore_index=True)
    runs = runs[runs["brand"] == b].reset_index(drop=True)
    runs["point"] = np.repeat(np.arange(len(all_x)), reps)
    means = runs.groupby("point", sort=True)[kpis].mean()
    used_day = int(runs["day"].iloc[0])
    samples = pd.DataFrame(all_x, columns=[r.path for r in ranges])
    for j, r in enumerate(ranges):
        if r.integer:
            samples[r.path] = np.round(all_x[:, j]).astype(int)
    samples["design"] = ["sample"] * len(x) + ["tornado"] * len(tornado_x)
    samples = pd.concat([samples, means.reset_index(drop=True)], axis=1)

    rows, tornado_rows = [], []
    for k in kpis:
        y = means[k].to_numpy(dtype=np.float64)
        ys, yt = y[: len(x)], y[len(x) :]
        bad = int(np.isnan(ys).sum())
        if bad:
            raise SimInputError.single(
                "--kpi",
                k,
                f"is undefined (NaN) at {bad} of {len(ys)} sample points "
                "(e.g. a ratio with nothing to divide by); choose another KPI",
            )
        if np.ptp(ys) == 0:
            for r in ranges:
                rows.append({"kpi": k, "path": r.path, "label": r.label, **_zero(method)})
        else:
            if method == "sobol":
                res = sobol_analyze.analyze(problem, ys, calc_second_order=False, seed=sample_seed)
            else:
                res = morris_analyze.analyze(problem, x, ys, num_levels=MORRIS_LEVELS, seed=sample_seed)
            for j, r in enumerate(ranges):
                rows.append({"kpi": k, "path": r.path, "label": r.label,
                             **{name: float(res[name][j]) for name in INDICES[method]}})
        for j, r in enumerate(ranges):
            lo, hi = float(yt[1 + 2 * j]), float(yt[2 + 2 * j])
            tornado_rows.append(
                {
                    "kpi": k,
                    "path": r.path,
                    "low": r.value(r.low),
                    "high": r.value(r.high),
                    "kpi_at_low": lo,
                    "kpi_at_high": hi,
                    "base": float(yt[0]),
                    "swing": abs(hi - lo),
                }
            )
    return SensitivityResult(
        sc,
        method,
        ranges,
        list(kpis),
        b,
        used_day,
        samples,
        pd.DataFrame(rows),
        pd.DataFrame(tornado_rows),
        provenance(
            ex,
            wall_seconds=wall,
            replicates=reps,
            root_seed=root,
            n=int(n),
            points=len(x),
            runs=len(calls),
            seeds=seeds,
            **vs_meta,
        ),
    )


def _zero(method: str) -> dict[str, float]:
    return dict.fromkeys(INDICES[method], 0.0)
