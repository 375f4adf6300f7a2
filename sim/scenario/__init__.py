"""Scenario inputs: the typed schema, the safe YAML loader and the preset files."""

from sim.scenario.loader import apply_overrides, dump_scenario, load_scenario, scenario_json_schema
from sim.scenario.presets import list_presets, load_comparison, preset_path
from sim.scenario.schema import Scenario

__all__ = [
    "Scenario",
    "apply_overrides",
    "dump_scenario",
    "list_presets",
    "load_comparison",
    "load_scenario",
    "preset_path",
    "scenario_json_schema",
]
