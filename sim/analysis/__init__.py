"""Analysis layer: replicates, comparisons, sweeps, sensitivity, optimisation and calibration.

Everything here builds on the public API of :mod:`sim` and hands its runs to any
``concurrent.futures.Executor`` (a spawned local process pool by default, ``"serial"``, or a Dask
cluster by scheduler address); see :mod:`sim.analysis.executors`. One module per part:

* :mod:`~sim.analysis.replicate` - :func:`replicate` -> :class:`Ensemble` (bands for every KPI);
* :mod:`~sim.analysis.compare` - :func:`compare_scenarios` -> :class:`ComparisonEnsemble` (paired
  differences under common random numbers), and the single-seed :func:`run_comparison`;
* :mod:`~sim.analysis.sweep` - :func:`sweep` over one or two dotted paths (:mod:`~sim.analysis.paths`);
* :mod:`~sim.analysis.sensitivity` - :func:`sensitivity` (SALib Sobol / Morris);
* :mod:`~sim.analysis.optimise` - :func:`optimise` (differential evolution under KPI constraints);
* :mod:`~sim.analysis.calibrate` - :func:`calibrate_customers` (BG/NBD, Gamma-Gamma) and
  :func:`fit_series` (least squares on KPI series).
"""

from sim.analysis.calibrate import calibrate_customers, fit_bgnbd, fit_gamma_gamma, fit_series
from sim.analysis.compare import Comparison, ComparisonEnsemble, compare_scenarios, run_comparison
from sim.analysis.executors import make_executor, spawn_seeds
from sim.analysis.optimise import optimise
from sim.analysis.replicate import Ensemble, load_ensemble, replicate
from sim.analysis.sensitivity import sensitivity
from sim.analysis.sweep import sweep

__all__ = [
    "Comparison",
    "ComparisonEnsemble",
    "Ensemble",
    "calibrate_customers",
    "compare_scenarios",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_series",
    "load_ensemble",
    "make_executor",
    "optimise",
    "replicate",
    "run_comparison",
    "sensitivity",
    "spawn_seeds",
    "sweep",
]
