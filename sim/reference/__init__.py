"""The reference implementation: the same model written the usual way, one Mesa agent per consumer.

It is the fast engine's correctness oracle (``tests/test_reference.py``) and the baseline of its
speed (``benchmarks/bench.py``): readable, slow, statistically equivalent.
"""

from sim.reference.agents import Consumer, Tie
from sim.reference.model import ReferenceMarket, run_reference

__all__ = ["Consumer", "ReferenceMarket", "Tie", "run_reference"]
