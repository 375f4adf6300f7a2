"""Side-by-side comparison of scenarios run with the same seed (common random numbers).

Every scenario of a comparison is run with the same seed, so the same consumers meet the same luck
under each strategy and differences come from the strategies, not the draw. Multi-brand scenarios
contribute one column per brand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sim.api import resolve, run
from sim.results.result import RunResult
from sim.scenario.schema import Scenario


@dataclass
class Comparison:
    """The runs of a comparison, by scenario name."""

    title: str
    description: str
    results: dict[str, RunResult] = field(default_factory=dict)

    def columns(self) -> list[tuple[str, str, str]]:
        """(label, scenario, brand) for every brand of every run."""
        out = []
        for name, res in self.results.items():
            for brand in res.brands:
                label = name if len(res.brands) == 1 else f"{name} / {brand}"
                out.append((label, name, brand))
        return out

    def kpi_table(self, day: int | None = None) -> pd.DataFrame:
        """KPIs (rows) by column label, up to ``day`` (default: each run's last day)."""
        cols = {}
        for label, name, brand in self.columns():
            cols[label] = self.results[name].kpis(day).loc[brand]
        return pd.DataFrame(cols)


def run_comparison(scenarios: Sequence[str | Scenario], overrides: Sequence[str] = (), *, title: str = "",
                   description: str = "", seed: int | None = None,
                   progress: Callable[[str, int, int], None] | None = None) -> Comparison:
    """Run every scenario with one seed (the first scenario's unless ``seed`` is given)."""
    resolved = [resolve(s, overrides) for s in scenarios]
    names = [s.name for s in resolved]
    if len(set(names)) != len(names):
        resolved = [s.model_copy(update={"name": f"{s.name} ({i + 1})"}) for i, s in enumerate(resolved)]
    common = seed if seed is not None else resolved[0].run.seed
    comp = Comparison(title or " vs ".join(s.name for s in resolved), description)
    for s in resolved:
        cb = None if progress is None else (lambda done, total, _n=s.name: progress(_n, done, total))
        comp.results[s.name] = run(s, seed=common, progress=cb)
    return comp
