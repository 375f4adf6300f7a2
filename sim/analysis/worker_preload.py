"""Imported once by the ``forkserver`` process before it forks any pool worker (never import it yourself).

Importing it loads the engine, the result tables and the work units, then makes the two tiny warm-up
runs of :func:`sim.model.warmup.warm_kernels`; every worker forked from the server afterwards starts
with all of it in memory, in milliseconds. If warming fails, the server still serves (the standard
library ignores preload errors only for ``ImportError``, and a dead server would break every pool):
each worker then loads the kernels on its first run, and a real fault shows up there with its
traceback, in the run that meets it.
"""

from __future__ import annotations

import sim.analysis.executors  # noqa: F401 - the work units the workers will be sent
from sim.model.warmup import warm_kernels

try:
    warm_kernels()
except Exception:  # noqa: BLE001 - see the module docstring: the workers will meet it again and report it
    pass
