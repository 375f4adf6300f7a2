"""``ptsim compare``: strategies side by side on common random numbers.

With ``--reps``, paired differences over many common seeds; without it one run each
(:func:`sim.cli.run.compare_single`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.analysis import (
    DayOpt,
    _day_of,
    _saved,
    _show,
    _target,
)
from sim.cli.common import LOCAL, RunOn, SetOpt, check_seed, fail, kpi_rich_table, out, styled, with_run_on
from sim.cli.run import compare_single
from sim.errors import SimInputError


def register(app: typer.Typer) -> None:
    """Add ``compare`` to ``app``."""
    app.command()(with_run_on(compare))


def compare(
    scenarios: Annotated[
        list[str] | None, typer.Argument(help="Comparison preset or scenarios (default: china_vs_japan).")
    ] = None,
    set_: SetOpt = None,
    seed: Annotated[int | None, typer.Option(help="Common seed for every scenario (single-run mode).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to save the results in.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace existing result folders.")] = False,
    reps: Annotated[
        int | None,
        typer.Option("--reps", "-n", help="Replicates per scenario: adds uncertainty and paired differences."),
    ] = None,
    run_on: RunOn = LOCAL,
    bootstrap: Annotated[
        bool, typer.Option("--bootstrap", help="Bootstrap confidence intervals instead of paired t.")
    ] = False,
    day: DayOpt = None,
) -> None:
    """Compare strategies side by side with common random numbers; with --reps, paired differences."""
    try:
        check_seed(seed, "--seed")
    except SimInputError as exc:
        fail(exc)
    if reps is None:
        compare_single(scenarios, set_, seed, out_dir, overwrite, day)
        return
    from sim.analysis.compare import compare_scenarios
    from sim.scenario.presets import list_presets, load_comparison

    try:
        if seed is not None:
            raise SimInputError.single("--seed", "", "with --reps use --root-seed (seeds are spawned from it)")
        refs = scenarios or ["china_vs_japan"]
        title, description = "", ""
        comparisons = list_presets().get("comparisons", [])
        if len(refs) == 1 and (refs[0] in comparisons or f"comparisons/{refs[0]}" in comparisons):
            title, description, refs = load_comparison(refs[0].removeprefix("comparisons/"))
        d0 = _day_of(day, refs, set_)
        target = None if out_dir is None else _target("", "", out_dir, overwrite, False)
        with run_on.start(f"compare x {reps}", overrides=set_ or []) as execution:
            comp = compare_scenarios(
                refs,
                reps,
                execution=execution,
                title=title,
                description=description,
            )
        if comp.title:
            out.print(styled(comp.title, "bold"))
        if comp.description:
            out.print(comp.description.strip())
        cur = comp.common_currency()
        d = comp._day(d0)
        note = " - money in USD at market exchange rates" if comp.mixed_currency else ""
        _show(kpi_rich_table(f"Mean KPIs over {reps} seeds at day {d + 1}{note}", comp.kpi_table(d, cur), cur))
        method = "bootstrap" if bootstrap else "t"
        labels = comp.labels
        for other in labels[1:]:
            summary = comp.summary(other, labels[0], day=d, method=method)
            t = Table(title=f"{other} vs {labels[0]}: paired over {reps} common seeds", title_justify="left")
            t.add_column("KPI")
            t.add_column("verdict", overflow="fold")
            for _, r in summary.iterrows():
                t.add_row(r["label"], r["sentence"])
            _show(t)
        if comp.mixed_currency:
            out.print("Money differences are in USD (markets use different currencies).")
        if target is not None:
            _saved(comp.save(target, overwrite=overwrite, day=d0, method=method))
    except SimInputError as exc:
        fail(exc)
