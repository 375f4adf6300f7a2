"""Analysis layer: replicates, comparisons, sweeps, sensitivity, optimisation and calibration.

Everything here builds on the public API of :mod:`sim` and hands its runs to any
``concurrent.futures.Executor`` (a local process pool by default, whose workers are forked with the
engine already loaded, ``"serial"``, or a Dask cluster by scheduler address); see
:mod:`sim.analysis.executors`. One module per part:

* :mod:`~sim.analysis.execution` - :class:`Execution` (root seed, overrides, executor, progress: how
  every entry point below runs);
* :mod:`~sim.analysis.replicate` - :func:`replicate` -> :class:`Ensemble` (bands for every KPI);
* :mod:`~sim.analysis.compare` - :func:`compare_scenarios` -> :class:`ComparisonEnsemble` (paired
  differences under common random numbers), and the single-seed :func:`run_comparison`;
* :mod:`~sim.analysis.sweep` - :func:`sweep` over one or two dotted paths (:mod:`~sim.analysis.paths`);
* :mod:`~sim.analysis.sensitivity` - :func:`sensitivity` (SALib Sobol / Morris);
* :mod:`~sim.analysis.optimise` - :func:`optimise` (differential evolution under KPI constraints);
* decisions (issue 15): :mod:`~sim.analysis.robustness` (:func:`breakeven`, paired differences as a
  target), :mod:`~sim.analysis.attribution` (:func:`attribute`: the profit gap by ledger item and
  mechanism), :mod:`~sim.analysis.risk` (:func:`risk`), :mod:`~sim.analysis.cohorts` (:func:`cohorts`),
  :mod:`~sim.analysis.budget` (:func:`plan_budget`), :mod:`~sim.analysis.pareto` (:func:`pareto`, NSGA-II);
* :mod:`~sim.analysis.calibration` - :func:`calibrate_customers` (BG/NBD, Gamma-Gamma) and
  :func:`fit_series` (least squares on KPI series); :mod:`~sim.analysis.calibrate` re-exports them.
"""

import importlib
from typing import Any

#: Public name -> module that defines it. Modules are imported on first use, so a worker process
#: (which needs only :mod:`sim.analysis.executors`) does not pay for SALib, scipy.optimize and the
#: rest at start-up.
_WHERE = {
    "calibrate_customers": "calibration.customers", "fit_bgnbd": "calibration.bgnbd",
    "fit_gamma_gamma": "calibration.bgnbd", "fit_series": "calibration.series", "Comparison": "compare",
    "ComparisonEnsemble": "compare",
    "compare_scenarios": "compare", "run_comparison": "compare", "make_executor": "executors",
    "spawn_seeds": "executors", "optimise": "optimise", "Ensemble": "replicate",
    "load_ensemble": "replicate", "replicate": "replicate", "sensitivity": "sensitivity", "sweep": "sweep",
    # ---- execution object and decisions (issues 11 item 6, 15) ----
    "Execution": "execution", "Attribution": "attribution", "attribute": "attribution",
    "BreakEven": "robustness", "breakeven": "robustness", "RiskProfile": "risk", "risk": "risk",
    "CohortReport": "cohorts", "cohorts": "cohorts", "BudgetPlan": "budget", "plan_budget": "budget",
    "ParetoResult": "pareto", "pareto": "pareto",
    "load_entries": "tournament", "run_tournament": "tournament", "Tournament": "tournament",
}


def __getattr__(name: str) -> Any:
    """Import the defining module of a public name on first access (PEP 562)."""
    if name in _WHERE:
        value = getattr(importlib.import_module(f"sim.analysis.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim.analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_WHERE))


__all__ = [
    "Attribution",
    "BreakEven",
    "BudgetPlan",
    "CohortReport",
    "Comparison",
    "Execution",
    "ParetoResult",
    "RiskProfile",
    "ComparisonEnsemble",
    "Ensemble",
    "attribute",
    "breakeven",
    "calibrate_customers",
    "cohorts",
    "compare_scenarios",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_series",
    "load_ensemble",
    "make_executor",
    "optimise",
    "pareto",
    "plan_budget",
    "replicate",
    "risk",
    "run_comparison",
    "sensitivity",
    "spawn_seeds",
    "sweep",
    "load_entries",
    "run_tournament",
    "Tournament",
]
