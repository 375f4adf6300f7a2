"""Making an executor: in this process, a local process pool, or a Dask cluster by scheduler address.

* ``"process"`` (the default): a :class:`~sim.analysis.executors.local.RestartablePool` (a local
  ``ProcessPoolExecutor`` that can be renewed after a worker died) whose workers start by the method
  :func:`~sim.analysis.executors.local.resolve_start_method` picks; the global start method is never
  touched;
* ``"serial"``: :class:`SerialExecutor`, in this process, one run after another (debugging, tiny jobs,
  tests);
* a Dask distributed cluster: ``distributed.Client(address).get_executor(pure=False)`` (install the
  ``dask`` extra). ``pure=False`` stops Dask from deduplicating calls; the seed is an argument as well,
  so no two runs are ever the same call;
* any ``Executor`` object you pass in (it is used as is and not shut down).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

from sim.analysis.executors.local import RestartablePool, default_workers
from sim.errors import SimInputError

__all__ = ["SerialExecutor", "check_scheduler_address", "make_executor"]


class SerialExecutor(Executor):
    """Runs every task at once in the calling process (an ``Executor`` with no parallelism)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future, as executors do
            fut.set_exception(exc)
        return fut

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further work."""
        with self._lock:
            self._shutdown = True


@contextlib.contextmanager
def make_executor(
    kind: str | Executor | None = "process",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    tasks: int | None = None,
    start_method: str | None = None,
) -> Iterator[Executor]:
    """An executor for the duration of a ``with`` block.

    Args:
        kind: ``"process"``, ``"serial"``, ``"dask"`` (needs ``scheduler``) or an ``Executor``
            instance (yielded as is, left running). ``None`` means ``"process"``, or ``"dask"`` when
            ``scheduler`` is given.
        workers: Processes of the local pool (default: usable cores, at most ``tasks``).
        scheduler: Address of a Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
        tasks: Number of runs about to be submitted (a pool never starts more processes than runs;
            a single run goes serial).
        start_method: How local workers start (:func:`resolve_start_method`); ``None`` reads
            ``$PTSIM_START_METHOD``, default ``auto``.

    Raises:
        SimInputError: For an unknown kind, a bad worker count, a missing ``distributed`` package
            or an unreachable scheduler.
    """
    if isinstance(kind, Executor):
        yield kind
        return
    if kind is None:
        kind = "dask" if scheduler else "process"
    if workers is not None and workers < 1:
        raise SimInputError.single("executor", "workers", "must be at least 1", workers)
    if kind == "serial" or (kind == "process" and (tasks is not None and tasks <= 1 or workers == 1)):
        ex = SerialExecutor()
        try:
            yield ex
        finally:
            ex.shutdown()
        return
    if kind == "process":
        n = workers or default_workers()
        if tasks is not None:
            n = min(n, tasks)
        pool = RestartablePool(n, start_method)
        try:
            yield pool
        except BaseException:  # Ctrl-C, a failed run: nobody will read the other runs
            pool.terminate()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if kind == "dask":
        if not scheduler:
            raise SimInputError.single(
                "executor", "--scheduler", "a Dask scheduler address is needed, e.g. tcp://host:8786"
            )
        try:
            from distributed import Client
        except ImportError:
            raise SimInputError.single(
                "executor", "--scheduler", "needs the dask extra: pip install 'private-traffic-sandbox[dask]'"
            ) from None
        check_scheduler_address(scheduler)
        try:
            client = Client(scheduler, timeout="10s", set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - distributed raises OSError, TimeoutError, ValueError, ...
            raise SimInputError.single(
                "executor", "--scheduler", f"cannot reach the Dask scheduler ({exc.__class__.__name__}: {exc})",
                scheduler) from None
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
        return
    raise SimInputError.single("executor", "kind", "must be 'process', 'serial' or 'dask'", kind)


_SCHEDULER = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})/?")


def check_scheduler_address(address: str) -> None:
    """Refuse a Dask scheduler address that is not ``[tcp://]HOST:PORT`` (port 1-65535) before connecting.

    Dask's in-process transport (``inproc://...``, the address of ``LocalCluster(processes=False)`` in this
    process) is accepted as it is: it names no host or port.

    Raises:
        SimInputError: Naming ``--scheduler``, the address and the expected form.
    """
    if isinstance(address, str) and re.fullmatch(r"inproc://[A-Za-z0-9_.:/-]+", address.strip()):
        return
    m = _SCHEDULER.fullmatch(address.strip()) if isinstance(address, str) else None
    if m is None or not 1 <= int(m.group("port")) <= 65535:
        raise SimInputError.single("executor", "--scheduler", "must be a Dask scheduler address such as "
                                   "tcp://host:8786 (host and a port from 1 to 65535)", address)
