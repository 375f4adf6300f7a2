"""Load every compiled kernel of the engine once, so that the next runs start at full speed.

numba compiles a kernel on its first call (about 20 s for the whole engine after an install or an
edit of the model's sources) or loads it from the on-disk cache (about 0.3 s). The forkserver that
starts pool workers for multi-threaded processes calls :func:`warm_kernels` once, so every worker it
forks is born with the kernels in memory (:mod:`sim.analysis.worker_preload`); the benchmark calls it
so that loading is not timed.

Three tiny runs are enough: one brand (``china_in_china``, with a few seeded members, its livestreams,
group buying and stored-value cards, and a second product line for cross-sell), three brands
(``head_to_head_japan`` plus the hybrid brand) and the cross-border seller (its own site), which between
them reach every kernel of the presets and every array type the engine uses
(``tests/test_analysis_executors.py`` checks that a full preset run compiles nothing new afterwards).
"""

from __future__ import annotations

import time

__all__ = ["WARM_SCENARIOS", "warm_kernels"]

#: (preset, overrides) of the warm-up runs: one brand, then three brands.
WARM_SCENARIOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("china_in_china", ("brands.0.seed_members=10",  # seeded members join from Python
                        "brands.0.strategy.cross_sell.lines=[{name: main}, {name: other}]",  # cross-sell (no preset)
                        # a breach and a ban wave: their kernels (trust shock and exits, members leaving a
                        # channel) run only on the rare days these strike, so a run would compile them mid-way
                        "market.stresses=[{kind: breach, day: 2}, {kind: channel_ban, day: 3, size: 0.1}]")),
    ("head_to_head_japan", ("brands.2={name: Hybrid, strategy: {extends: strategies/hybrid}}",)),
    ("cross_border_seller", ()),  # the own independent site (no other preset builds one)
)

#: Size of a warm-up run: large enough to reach every mechanism, small enough to take milliseconds.
_SIZE = ("run.population=2000", "run.days=31", "run.journeys=5")

_warm = False


def warm_kernels() -> float:
    """Make three tiny runs so that every kernel is compiled or loaded from the cache; return the seconds.

    Idempotent: after the first call in a process it returns 0.0 at once.
    """
    global _warm
    if _warm:
        return 0.0
    from sim.model.market import MarketModel
    from sim.scenario import load_scenario, preset_path

    t0 = time.perf_counter()
    for preset, extra in WARM_SCENARIOS:
        MarketModel(load_scenario(preset_path(preset), [*extra, *_SIZE])).run_days()
    _warm = True
    return time.perf_counter() - t0
