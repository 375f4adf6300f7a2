"""Results layer: run results, KPIs, atomic run folders and spreadsheet-safe CSVs."""

from sim.results.csvsafe import neutralise_frame
from sim.results.folders import read_folder, write_folder
from sim.results.kpis import KPI_INFO
from sim.results.result import RunResult

__all__ = ["KPI_INFO", "RunResult", "neutralise_frame", "read_folder", "write_folder"]
