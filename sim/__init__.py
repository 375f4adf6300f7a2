"""The private-traffic strategy sandbox.

An agent-based model of consumers flowing between public platforms, partners' pools and brands'
private pools, with the analysis tools to compare China-style private traffic with Japan's
membership commerce. Public API::

    import sim
    scenario = sim.resolve("china_in_china", ["run.population=20000"])
    result = sim.run(scenario)
    result.kpis()
"""

from sim._version import __version__
from sim.api import load_result, resolve, run  # noqa: E402
from sim.errors import Problem, SimInputError  # noqa: E402
from sim.results.result import RunResult  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402

__all__ = ["Problem", "RunResult", "Scenario", "SimInputError", "__version__", "load_result", "resolve", "run"]
