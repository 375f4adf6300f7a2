"""Results layer: run results, KPIs and atomic run folders."""

from sim.results.kpis import KPI_INFO
from sim.results.result import RunResult, read_folder, write_folder

__all__ = ["KPI_INFO", "RunResult", "read_folder", "write_folder"]
