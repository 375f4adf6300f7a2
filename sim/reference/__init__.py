"""The reference implementation: the same model written the usual way, one Mesa agent per consumer.

It is the fast engine's correctness oracle (``tests/test_reference.py``) and the baseline of its
speed (``benchmarks/bench.py``): readable, slow, statistically equivalent. Its runs are turned into
result tables by :func:`sim.api.run_reference` (the results layer sits above the model layer).
"""

from sim.reference.agents import Consumer, Tie
from sim.reference.model import ReferenceMarket

__all__ = ["Consumer", "ReferenceMarket", "Tie"]
