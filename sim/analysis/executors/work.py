"""The work units: one run of a scenario with a given seed, returning only small tables.

They are module-level functions (picklable by every executor) that take the scenario and the seed
explicitly, never a closure or global state, and return KPIs at chosen days or KPI series with a few
daily columns, never the model. The model's random numbers are counter-based, so the same seed gives
the same numbers on every executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_DAILY", "run_kpis", "run_series"]


def _scenario(scenario: Any, seed: int) -> Any:
    """The scenario (a ``Scenario`` or its JSON document) validated, with ``run.seed`` set to ``seed``."""
    from sim.scenario.schema import Scenario

    sc = scenario if isinstance(scenario, Scenario) else Scenario.model_validate(scenario)
    return sc.model_copy(update={"run": sc.run.model_copy(update={"seed": int(seed)})})


def run_kpis(scenario: Any, seed: int, days: Sequence[int | None] = (None,)) -> pd.DataFrame:
    """Run once; KPIs of every brand at each of ``days`` (``None`` = the last day).

    Args:
        scenario: A :class:`~sim.scenario.schema.Scenario` or its JSON document.
        seed: The run seed.
        days: Days (0-based, as in ``RunResult.kpis``) at which to take the KPIs.

    Returns:
        A tidy frame: ``seed, day, brand`` and one column per KPI (a few kB).
    """
    from sim.api import run

    res = run(_scenario(scenario, seed))
    last = int(res.daily["day"].max())
    frames = []
    for d in days:
        k = res.kpis(d).reset_index()
        k.insert(0, "day", last if d is None else min(int(d), last))
        frames.append(k)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "seed", int(seed))
    return out


#: Daily columns returned with KPI series by default (stage census and the day's money).
DEFAULT_DAILY = (
    "unaware",
    "aware",
    "customer",
    "member",
    "lapsed",
    "revenue",
    "costs",
    "profit",
    "sends",
    "opt_outs",
    "first_purchases",
    "joins_referral",
    "cpm",
)


def run_series(scenario: Any, seed: int, daily_columns: Sequence[str] = DEFAULT_DAILY) -> pd.DataFrame:
    """Run once; every KPI of every brand at every day, plus chosen daily columns.

    Args:
        scenario: A :class:`~sim.scenario.schema.Scenario` or its JSON document.
        seed: The run seed.
        daily_columns: Columns of the brand's daily table returned as ``daily.<column>``.

    Returns:
        A tidy frame: ``seed, day, brand``, one column per KPI (cumulative to that day, as
        ``RunResult.kpis(day)``) and ``daily.<column>`` for each requested daily column.
    """
    from sim.api import run
    from sim.results.kpis import kpi_series

    res = run(_scenario(scenario, seed))
    frames = []
    for b in res.scenario.brands:
        d = res.brand_daily(b.name)
        s = kpi_series(
            d,
            seed_members=float(res.meta.get("seed_members", {}).get(b.name, 0.0)),
            share_window_days=b.strategy.referral.share_window_days,
            discount_rate=res.scenario.run.discount_rate,
        )
        s.insert(1, "brand", b.name)
        for c in daily_columns:
            s[f"daily.{c}"] = d[c].to_numpy(dtype=np.float64)
        frames.append(s)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "seed", int(seed))
    return out
