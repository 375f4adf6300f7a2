"""Run sizes, caps and the server settings the dashboard insists on, however it is started.

Streamlit reads ``.streamlit/config.toml`` from the working directory and, since 1.4x, from the
folder of the main script: ``dashboard/.streamlit/config.toml`` therefore applies to
``streamlit run dashboard/app.py`` started from any folder. Server options (address, upload cap)
are fixed when the server starts, so the app also checks them on every run and refuses to serve
when they are unsafe (:func:`server_problem`), unless remote access was asked for explicitly.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Any

#: The largest file (bytes) the editor accepts; the server's own cap (``server.maxUploadSize``, whole
#: megabytes only) is 1 MB, so a bigger request never reaches the app and this check refuses the rest.
UPLOAD_BYTES = 200_000
#: ``server.maxUploadSize`` (MB) the dashboard requires (Streamlit's default is 200).
SERVER_UPLOAD_MB = 1
#: Set to ``1`` to serve on a non-loopback address on purpose (``SIM_ADDRESS`` in scripts/dashboard.sh does).
ALLOW_REMOTE_ENV = "SIM_DASHBOARD_ALLOW_REMOTE"


@dataclass(frozen=True)
class Sizes:
    """Default run sizes of each page (consumers, days, replicates)."""

    population: int = 20_000       # Compare, What-if and Journeys
    days: int = 1_095              # three years: membership strategies pay off late
    reps: int = 5                  # Compare: replicates per scenario (common random numbers)
    whatif_reps: int = 10          # What-if: replicates of each side (paired by seed)
    journeys: int = 60             # consumers followed on the Journeys page
    learn_population: int = 5_000  # Learn: small, fast illustrative runs
    learn_days: int = 730
    explore_population: int = 5_000  # Explore: many runs (sweeps, sensitivity, optimiser)
    explore_days: int = 730
    sweep_points: int = 5          # per axis of the 2-D sweep
    sens_samples: int = 8          # Sobol base samples N (runs = N * (2k + 2)) / Morris trajectories
    opt_budget: int = 24           # optimiser evaluations


@dataclass(frozen=True)
class Caps:
    """Upper limits for anything a user can set (stated on the pages)."""

    population: int = 200_000
    days: int = 1_825
    reps: int = 30
    journeys: int = 400
    upload_bytes: int = UPLOAD_BYTES
    sweep_points: int = 9
    sens_samples: int = 64
    opt_budget: int = 200


CAPS = Caps()
#: Tiny sizes for automated tests (``SIM_DASHBOARD_TEST_SIZE=1`` or ``?size=test``).
TEST_SIZES = Sizes(population=1_000, days=120, reps=2, whatif_reps=3, journeys=200, learn_population=2_000,
                   learn_days=180, explore_population=600, explore_days=60, sweep_points=2, sens_samples=2,
                   opt_budget=4)


def env_test_size() -> bool:
    """Whether ``SIM_DASHBOARD_TEST_SIZE`` asks for test sizes."""
    return os.environ.get("SIM_DASHBOARD_TEST_SIZE", "").strip() not in ("", "0", "false", "no")


def executor_kind() -> str:
    """How replicate runs are executed: ``serial`` (default; one core per run), or ``process``."""
    kind = os.environ.get("SIM_DASHBOARD_EXECUTOR", "serial").strip().lower()
    return kind if kind in ("serial", "process") else "serial"


def execution(root_seed: int | None = None, progress: Any = None) -> Any:
    """The dashboard's :class:`~sim.analysis.execution.Execution`: its executor, a root seed, a progress callback."""
    from sim.analysis.execution import Execution

    return Execution(seed=root_seed, executor=executor_kind(), progress=progress)


def is_loopback(address: str) -> bool:
    """Whether a server address only accepts connections from this machine."""
    a = (address or "").strip().strip("[]")
    if a in ("localhost",):
        return True
    if not a or a.startswith("unix://"):
        return a.startswith("unix://")
    try:
        return ipaddress.ip_address(a).is_loopback
    except ValueError:
        return False


def server_problem(address: str, max_upload_mb: int, *, allow_remote: bool | None = None) -> str | None:
    """Why the server's settings are unsafe for this dashboard (``None`` when they are fine).

    Args:
        address: ``server.address`` (empty means every interface).
        max_upload_mb: ``server.maxUploadSize``.
        allow_remote: Serve a non-loopback address on purpose (default: ``$SIM_DASHBOARD_ALLOW_REMOTE``).
    """
    if allow_remote is None:
        allow_remote = os.environ.get(ALLOW_REMOTE_ENV, "").strip() in ("1", "true", "yes")
    if not allow_remote and not is_loopback(address):
        return f"server.address={address or '(every interface)'}"
    if int(max_upload_mb) > SERVER_UPLOAD_MB:
        return f"server.maxUploadSize={max_upload_mb}"
    return None
