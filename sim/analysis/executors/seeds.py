"""Run seeds: a prefix-stable list of independent seeds spawned from one root seed."""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_SEED", "spawn_seeds"]

#: Largest seed the scenario schema accepts.
MAX_SEED = 2**63 - 1


def spawn_seeds(root_seed: int, n: int, *, skip: int = 0) -> list[int]:
    """``n`` run seeds spawned from one root seed (NumPy ``SeedSequence(root).spawn``).

    The list is prefix-stable: asking for more seeds never changes the first ones, so 20 replicates
    extend 10 replicates. ``skip`` drops the first seeds (fresh seeds for re-evaluating an optimum).

    Args:
        root_seed: The root of the seed tree.
        n: How many seeds.
        skip: How many of the first seeds to leave out.

    Returns:
        ``n`` seeds in ``[0, MAX_SEED]``.

    Raises:
        ValueError: If ``n`` or ``skip`` is negative.
    """
    if n < 0 or skip < 0:
        raise ValueError("n and skip must be non-negative")
    children = np.random.SeedSequence(int(root_seed)).spawn(skip + n)[skip:]
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
