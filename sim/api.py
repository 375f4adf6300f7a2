"""The public Python API.

It is what a strategist scripts against, and what the CLI, the dashboard and the notebooks use.

>>> import sim
>>> scenario = sim.load_scenario("china_in_china", ["run.population=20000"])
>>> result = sim.run(scenario)
>>> result.kpis(day=364)[["pool_size", "profit", "private_share"]]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import SimInputError
from sim.scenario.schema import Scenario

if TYPE_CHECKING:  # the engine (numba, Mesa, pandas) is imported when a run is made or loaded, not before
    from sim.results.result import RunResult

#: Share of the memory available when a run starts that one run may take.
MEMORY_FRACTION = 0.8
#: Environment variable setting an absolute per-run memory cap instead (``800MB``, ``8GB``, bytes).
MEMORY_ENV = "PTSIM_MAX_RUN_MEMORY"


def run(scenario: Scenario, *, seed: int | None = None, validating: bool = False,
        progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run one scenario and return its result.

    Raises:
        SimInputError: Before anything is allocated, if the run's estimated memory exceeds the cap
            (see :func:`check_memory`).

    Args:
        scenario: A validated scenario (see :func:`sim.load_scenario`).
        seed: Use this seed instead of ``scenario.run.seed`` (the returned scenario records it).
        validating: Check the conservation laws after every day (slower; for tests).
        progress: Optional ``progress(days_done, days_total)`` callback.
    """
    if seed is not None and seed != scenario.run.seed:
        scenario = scenario.model_copy(update={"run": scenario.run.model_copy(update={"seed": int(seed)})})
    from sim.model.market import MarketModel
    from sim.results.result import RunResult

    check_memory(scenario)
    model = MarketModel(scenario, validating=validating)
    wall = model.run_days(progress)
    return RunResult.from_model(model, wall)


def run_reference(scenario: Scenario, *, seed: int | None = None) -> RunResult:
    """Run ``scenario`` with the Mesa reference implementation (the oracle); the same result type as :func:`run`.

    The reference (:class:`sim.reference.ReferenceMarket`, one agent per consumer) lives in the model
    layer; its result tables are built here, by the results layer, as for the engine.

    Args:
        scenario: A validated scenario (small: the reference is about a thousand times slower).
        seed: Use this seed instead of ``scenario.run.seed``.
    """
    from sim.reference.model import ReferenceMarket
    from sim.results.result import RunResult

    if seed is not None and seed != scenario.run.seed:
        scenario = scenario.model_copy(update={"run": scenario.run.model_copy(update={"seed": int(seed)})})
    model = ReferenceMarket(scenario)
    wall = model.run_days()
    return RunResult.from_model(model, wall)


def load_result(folder: str | Path) -> RunResult:
    """Load a saved run folder (checksums verified)."""
    from sim.results.result import RunResult

    return RunResult.load(folder)


def resolve(source: str | Path | Scenario | dict, overrides: Sequence[str] = ()) -> Scenario:
    """A scenario from a preset name, a YAML path, a dict or a Scenario, with dotted overrides."""
    from sim.scenario.loader import apply_overrides, load_scenario

    if isinstance(source, Scenario):
        if not overrides:
            return source
        return load_scenario(apply_overrides(source.model_dump(mode="json"), overrides))
    return load_scenario(_preset_or_path(source), overrides)


def _preset_or_path(source: str | Path | dict) -> str | Path | dict:
    if isinstance(source, dict):
        return source
    p = Path(source)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    from sim.scenario.presets import preset_path

    return preset_path(str(source))


# ---- memory pre-flight -----------------------------------------------------------------------------

#: Transient bytes per consumer while a run is set up (segment masks, id lists, float64 draws, argsort).
_TRANSIENT_PER_CONSUMER = 32
#: Bytes per day and brand: ledger, tallies, flows and census arrays, then the daily table built from them.
_PER_DAY_BRAND = 2048
#: Fixed cost of a run whatever its size: numba compiling the kernels on the first run after an install or
#: an upgrade (about 170 MB measured; about 50 MB when they load from the cache), then the result tables.
_FIXED = 256 * 2**20


def estimate_run_bytes(scenario: Scenario) -> dict[str, int]:
    """Memory one run will allocate, by part, from the scenario alone (nothing is allocated).

    ``consumers`` mirrors :class:`~sim.model.population.Population` (about 76 bytes per consumer with
    one brand, 41 more per extra brand) plus set-up temporaries; ``journeys`` is the event buffer of
    the tracked consumers; ``days`` the per-day result arrays and tables; ``fixed`` what any run costs
    (compiling or loading the kernels, tables). The estimate is meant to be safe: measured peaks are
    below it, by about half at 1.5 million consumers (``tests/test_hardening_load.py``).
    """
    from sim.model import layout as L
    from sim.model.market import EVENTS_PER_TRACKED_DAY

    n, days, k = scenario.run.population, scenario.run.days, len(scenario.brands)
    # segment, traits, fatigue and the day it was last decayed (int16), a tracked bit; per brand: stage and the record
    per_consumer = 1 + 4 * L.N_TRAITS + 4 + 2 + 1 / 8 + k * (1 + L.PAIR_DTYPE.itemsize)
    events = max(1024, scenario.run.journeys * k * days * EVENTS_PER_TRACKED_DAY)
    parts = {
        "consumers": n * (per_consumer + _TRANSIENT_PER_CONSUMER),
        "journeys": events * 5 * 4,
        "days": (days + 1) * k * _PER_DAY_BRAND,
        "fixed": _FIXED,
    }
    parts["total"] = sum(parts.values())
    return parts


def available_memory() -> int | None:
    """Bytes of memory this process can still take (``None`` if unknown).

    The smaller of the machine's available memory (``MemAvailable``) and the room left under a
    cgroup (container) limit.
    """
    found: list[int] = []
    try:
        text = Path("/proc/meminfo").read_text()
        m = re.search(r"^MemAvailable:\s+(\d+) kB", text, re.M)
        if m:
            found.append(int(m.group(1)) * 1024)
    except OSError:
        pass
    if not found:
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
        if limit.isdigit() and used.isdigit():
            found.append(max(0, int(limit) - int(used)))
    except OSError:
        pass
    return min(found) if found else None


def _parse_bytes(text: str) -> int | None:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)i?[bB]?\s*", text)
    if not m:
        return None
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def memory_cap() -> tuple[int | None, str]:
    """The per-run memory cap in bytes and how it was set (``None`` when it cannot be determined)."""
    env = os.environ.get(MEMORY_ENV, "").strip()
    if env:
        cap = _parse_bytes(env)
        if cap is None:
            raise SimInputError.single(MEMORY_ENV, "", "must be a size such as 800MB, 8GB or a number of bytes", env)
        return cap, f"set by {MEMORY_ENV}"
    avail = available_memory()
    if avail is None:
        return None, "unknown"
    return int(avail * MEMORY_FRACTION), f"{MEMORY_FRACTION:.0%} of the {_size(avail)} of memory available now"


def check_memory(scenario: Scenario) -> None:
    """Refuse a run whose estimated memory exceeds the cap, with the estimate and the cap in the message.

    Raises:
        SimInputError: On the field that contributes most (``run.population`` or ``run.journeys``).
    """
    cap, how = memory_cap()
    if cap is None:
        return
    est = estimate_run_bytes(scenario)
    if est["total"] <= cap:
        return
    r = scenario.run
    path, value = ("run.population", r.population)
    if est["journeys"] > est["consumers"]:
        path, value = ("run.journeys", r.journeys)
    raise SimInputError.single(
        "run",
        path,
        f"a run of {r.population:,} consumers x {r.days:,} days x {len(scenario.brands)} brand(s) with "
        f"{r.journeys:,} tracked journeys needs about {_size(est['total'])} of memory; the cap is {_size(cap)} "
        f"({how}); lower run.population, run.days or run.journeys",
        value,
    )


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} GB"  # pragma: no cover
