"""Executors: the same seeds give identical numbers serially, in a spawned process pool and on Dask."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import sim
from sim.analysis.executors import SerialExecutor, make_executor, map_runs, run_kpis
from sim.analysis.replicate import replicate
from sim.analysis.sweep import sweep
from sim.errors import SimInputError

SMALL = ["run.population=1000", "run.days=120"]


@pytest.fixture(scope="module")
def serial_ensemble():
    """Serial ensemble."""
    return replicate("china_in_china", 3, root_seed=5, executor="serial", overrides=SMALL)


def test_process_pool_gives_identical_numbers(serial_ensemble) -> None:
    """A spawn-context process pool reproduces the serial ensemble bit for bit."""
    pooled = replicate("china_in_china", 3, root_seed=5, executor="process", workers=2, overrides=SMALL)
    pd.testing.assert_frame_equal(pooled.series, serial_ensemble.series)


def test_dask_local_cluster_gives_identical_numbers(serial_ensemble) -> None:
    """A loopback Dask cluster (worker processes) reproduces the serial numbers; scheduler by address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        ens = replicate("china_in_china", 3, root_seed=5, scheduler=cluster.scheduler_address, overrides=SMALL)
        pd.testing.assert_frame_equal(ens.series, serial_ensemble.series)
        # the same seed submitted twice is run twice (pure=False), and sweeps work too
        res = sweep(
            sim.resolve("china_in_china", SMALL),
            ["messaging.per_week=1,7"],
            reps=1,
            scheduler=cluster.scheduler_address,
        )
        local = sweep(sim.resolve("china_in_china", SMALL), ["messaging.per_week=1,7"], reps=1, executor="serial")
        pd.testing.assert_frame_equal(res.table, local.table)


def test_any_executor_object_is_accepted(serial_ensemble) -> None:
    """Any executor object is accepted."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        ens = replicate("china_in_china", 3, root_seed=5, executor=pool, overrides=SMALL)
    pd.testing.assert_frame_equal(ens.series, serial_ensemble.series)


def test_map_runs_keeps_order_and_reports_progress() -> None:
    """Map runs keeps order and reports progress."""
    sc = sim.resolve("china_in_china", SMALL)
    seen = []
    with make_executor("serial") as ex:
        out = map_runs(ex, run_kpis, [(sc, 2), (sc, 1)], progress=lambda d, t: seen.append((d, t)))
    assert [int(o["seed"].iloc[0]) for o in out] == [2, 1]
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_serial_executor_delivers_exceptions() -> None:
    """Serial executor delivers exceptions."""
    ex = SerialExecutor()
    fut = ex.submit(int, "not a number")
    assert isinstance(fut.exception(), ValueError)
    ex.shutdown()
    with pytest.raises(RuntimeError):
        ex.submit(int, "1")


def test_bad_executor_choices() -> None:
    """Bad executor choices."""
    with pytest.raises(SimInputError, match="must be 'process', 'serial' or 'dask'"):
        with make_executor("gpu"):
            pass
    with pytest.raises(SimInputError, match="scheduler address is needed"):
        with make_executor("dask"):
            pass
    with pytest.raises(SimInputError, match="at least 1"):
        with make_executor("process", workers=0):
            pass
