"""Where the runs go: any ``concurrent.futures.Executor``, from one core to a Dask cluster.

Every analysis turns its work into independent runs ``(scenario document, seed, what to return)``
and hands them to an executor. One module per job; the public names are importable from here:

* :mod:`~sim.analysis.executors.seeds` - :func:`spawn_seeds`: run seeds from one root seed;
* :mod:`~sim.analysis.executors.work` - the work units :func:`run_kpis` and :func:`run_series`
  (module-level, scenario and seed in their arguments, small tables out);
* :mod:`~sim.analysis.executors.local` - local process pools: :func:`resolve_start_method` (``fork``,
  ``forkserver`` or ``spawn``, and why) and :class:`RestartablePool`, which can be renewed after a
  worker died and knows which runs were running;
* :mod:`~sim.analysis.executors.factory` - :func:`make_executor` (``"process"``, ``"serial"``, a Dask
  scheduler address, or an ``Executor`` of your own) and :class:`SerialExecutor`;
* :mod:`~sim.analysis.executors.mapping` - :func:`map_runs`: results in call order, progress as runs
  finish, lost runs retried once on a fresh pool, :class:`RunsFailed` when some stay lost.

The model's random numbers are counter-based, so the same seed gives the same numbers on every
executor: ``tests/test_analysis_executors.py`` checks serial, process pools under each start method and
a loopback Dask ``LocalCluster`` against each other. Faults are injected by tests only, with test-only
work units (``tests/faults.py``); nothing here reads a fault setting.
"""

from __future__ import annotations

from sim.analysis.executors.factory import SerialExecutor, check_scheduler_address, make_executor
from sim.analysis.executors.local import (
    PRELOAD,
    START_ENV,
    START_METHODS,
    RestartablePool,
    default_workers,
    resolve_start_method,
)
from sim.analysis.executors.mapping import Progress, RunsFailed, map_runs
from sim.analysis.executors.seeds import MAX_SEED, spawn_seeds
from sim.analysis.executors.work import DEFAULT_DAILY, run_kpis, run_series
from sim.analysis.executors.work import _scenario as _scenario  # used by the budget and cohort work units

__all__ = [
    "DEFAULT_DAILY",
    "MAX_SEED",
    "PRELOAD",
    "START_ENV",
    "START_METHODS",
    "Progress",
    "RestartablePool",
    "RunsFailed",
    "SerialExecutor",
    "check_scheduler_address",
    "default_workers",
    "make_executor",
    "map_runs",
    "resolve_start_method",
    "run_kpis",
    "run_series",
    "spawn_seeds",
]
