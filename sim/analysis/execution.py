"""How an analysis runs: one object for the seed, the overrides, the executor and the progress callback.

Every analysis entry point (:func:`~sim.analysis.replicate.replicate`,
:func:`~sim.analysis.compare.compare_scenarios`, :func:`~sim.analysis.sweep.sweep`,
:func:`~sim.analysis.sensitivity.sensitivity`, :func:`~sim.analysis.optimise.optimise` and the
decision analyses of :mod:`sim.analysis.decide`) takes one :class:`Execution` instead of repeating
``root_seed``, ``overrides``, ``executor``, ``workers``, ``scheduler`` and ``progress``::

    from sim.analysis import Execution, replicate
    ens = replicate("china_in_china", 20, execution=Execution(seed=7, executor="serial"))

``None`` (the default everywhere) is ``Execution()``: the scenario's own ``run.seed``, no overrides, a
local process pool over the usable cores, no progress callback. The object is frozen, so one value can
be shared by several calls; :meth:`Execution.replace` derives a variant (another seed, another
progress callback).

The runs themselves go through :func:`sim.analysis.executors.make_executor` and
:func:`~sim.analysis.executors.map_runs`: every work unit receives its scenario document and its seed
as arguments (never a closure or global state), which is what makes a Dask cluster (``pure=False``)
give the numbers of the local pool and of ``"serial"``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.analysis.executors import Progress, make_executor, map_runs
from sim.errors import SimInputError

__all__ = ["Execution", "as_execution"]


@dataclass(frozen=True)
class Execution:
    """Where and with which seed an analysis runs.

    Attributes:
        seed: Root of the seed tree the run seeds are spawned from (``None``: the scenario's ``run.seed``).
        overrides: ``dotted.path=value`` overrides applied to every scenario of the analysis.
        executor: ``"process"`` (local pool, the default), ``"serial"``, ``"dask"`` or an ``Executor``
            instance (used as is and left running).
        workers: Processes of the local pool (default: the usable cores, at most the number of runs).
        scheduler: Dask scheduler address (implies ``"dask"``).
        progress: ``progress(done, total)`` called in this process as runs finish.
    """

    seed: int | None = None
    overrides: tuple[str, ...] = field(default=())
    executor: Executor | str | None = None
    workers: int | None = None
    scheduler: str | None = None
    progress: Progress | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.overrides, str):
            object.__setattr__(self, "overrides", (self.overrides,))
        else:
            object.__setattr__(self, "overrides", tuple(self.overrides or ()))
        if self.seed is not None:
            if isinstance(self.seed, bool) or not isinstance(self.seed, int) and not hasattr(self.seed, "__index__"):
                raise SimInputError.single("execution", "seed", "must be a whole number", self.seed)
            object.__setattr__(self, "seed", int(self.seed))
        if self.workers is not None and (isinstance(self.workers, bool) or int(self.workers) < 1):
            raise SimInputError.single("execution", "workers", "must be at least 1", self.workers)

    # ---- derived values --------------------------------------------------------------------------
    def replace(self, **changes: Any) -> Execution:
        """A copy with some fields changed (e.g. ``execution.replace(progress=None)``)."""
        return dataclasses.replace(self, **changes)

    @property
    def kind(self) -> str:
        """The executor's name for provenance: ``process``, ``serial``, ``dask`` or the class name."""
        ex = self.executor
        if ex is None:
            return "dask" if self.scheduler else "process"
        return ex if isinstance(ex, str) else type(ex).__name__

    def root(self, scenario: Any) -> int:
        """The root seed: :attr:`seed`, else the scenario's ``run.seed``."""
        return int(scenario.run.seed) if self.seed is None else int(self.seed)

    def resolve(self, scenario: str | Path | dict | Any, extra: Sequence[str] = ()) -> Any:
        """The scenario resolved with this execution's overrides (then ``extra``)."""
        from sim.api import resolve

        return resolve(scenario, [*self.overrides, *extra])

    # ---- running ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def pool(self, tasks: int | None = None) -> Iterator[Executor]:
        """The executor for a ``with`` block (``tasks``: runs about to be submitted, sizes a local pool)."""
        with make_executor(self.executor, workers=self.workers, scheduler=self.scheduler, tasks=tasks) as ex:
            yield ex

    def map(
        self,
        fn: Callable[..., Any],
        calls: Sequence[tuple[Any, ...]],
        *,
        on: Executor | None = None,
        progress: Progress | None | bool = True,
    ) -> list[Any]:
        """Run ``fn(*args)`` for every ``args`` of ``calls``; results in call order.

        Args:
            fn: A picklable module-level work unit (its scenario and seed are in ``args``).
            calls: The argument tuples, one per run.
            on: An executor already open (from :meth:`pool`); default: a pool for these calls only.
            progress: ``True`` reports to :attr:`progress`; ``None``/``False`` reports nothing; a
                callable receives ``(done, total)`` instead.
        """
        cb = self.progress if progress is True else (progress or None)
        if on is not None:
            return map_runs(on, fn, calls, progress=cb)
        with self.pool(len(calls)) as ex:
            return map_runs(ex, fn, calls, progress=cb)


def as_execution(execution: Execution | None) -> Execution:
    """``execution`` or the default :class:`Execution` (checks the type, for callers from outside)."""
    if execution is None:
        return Execution()
    if not isinstance(execution, Execution):
        raise SimInputError.single(
            "execution", type(execution).__name__, "must be a sim.analysis.Execution (or None for the defaults)"
        )
    return execution
