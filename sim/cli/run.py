"""Commands ``run``, ``validate``, ``schema`` and ``list``, and the single-seed mode of ``compare``.

Every user mistake ends with one clear message on stderr and exit status 2, never a traceback.
Results go to run folders written atomically; a finished result is saved before anything is printed,
so a failure to print never loses it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import (
    SetOpt,
    check_no_save,
    check_out,
    check_target,
    default_out,
    err,
    error_line,
    fail,
    kpi_rich_table,
    line,
    literal,
    named_ticker,
    out,
    progress,
    safe_name,
    styled,
)
from sim.errors import SimInputError


def register(app: typer.Typer) -> None:
    """Add ``run``, ``validate``, ``schema`` and ``list`` to ``app``."""
    app.command()(run)
    app.command()(validate)
    app.command()(schema)
    app.command("list")(list_)


def run(
    scenario: Annotated[str, typer.Argument(help="Preset name (see `ptsim list`) or path to a scenario YAML.")],
    set_: SetOpt = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default runs/NAME-TIME-XXXX).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder (only one ptsim wrote).")] = False,
    no_save: Annotated[bool, typer.Option("--no-save", help="Print KPIs only; write nothing.")] = False,
) -> None:
    """Run one scenario, save a run folder, and print KPIs at year 1 and at the end."""
    import sim

    try:
        check_no_save(no_save, out_dir)
        sc = sim.resolve(scenario, set_ or [])
        target = None if no_save else (out_dir or default_out(sc.name))
        if target is not None:
            check_target(target, overwrite)
        with progress() as bar:
            task = bar.add_task(literal(sc.name), total=sc.run.days)
            res = sim.run(sc, progress=lambda d, t: bar.update(task, completed=d))
        # saved before anything is printed: a terminal that fails to show the tables never loses the result
        path = None if target is None else res.save(target, overwrite=overwrite, unique=out_dir is None)
        print_run(res)
        if path is not None:
            out.print(line("saved to ", path))
    except SimInputError as exc:
        fail(exc)


def print_run(res) -> None:
    """The KPI tables of one run at year 1 and at its end."""
    import pandas as pd

    last = int(res.daily["day"].max())
    days = [d for d in (364, last) if d <= last]
    for d in sorted(set(days)):
        table = res.kpis(d).T
        title = f"{res.scenario.name}: KPIs at day {d + 1}" + (" (year 1)" if d == 364 else " (end)")
        out.print(kpi_rich_table(title, pd.DataFrame(table), res.currency))
    out.print(f"{res.meta['population']:,} consumers x {last + 1} days in {res.meta['wall_seconds']:.2f} s")


def compare_single(scenarios: list[str] | None, set_: list[str] | None, seed: int | None, out_dir: Path | None,
                   overwrite: bool, day: int | None = None) -> None:
    """``ptsim compare`` without ``--reps``: one run per scenario on a common seed, saved, then printed.

    With ``day`` (``--day``, from 1), the KPIs at that day; otherwise at year 1 and at the end.
    """
    from sim.analysis.compare import run_comparison
    from sim.cli.analysis import _day_of
    from sim.format import leaders
    from sim.scenario.presets import list_presets, load_comparison

    try:
        refs = scenarios or ["china_vs_japan"]
        title, description = "", ""
        comparisons = list_presets().get("comparisons", [])
        if len(refs) == 1 and (refs[0] in comparisons or f"comparisons/{refs[0]}" in comparisons):
            title, description, refs = load_comparison(refs[0].removeprefix("comparisons/"))
        d0 = _day_of(day, refs, set_)
        if out_dir is not None:
            check_out(out_dir / "run")
        with progress() as bar:
            comp = run_comparison(refs, set_ or [], title=title, description=description, seed=seed,
                                  progress=named_ticker(bar))
        if out_dir is not None:
            for name, res in comp.results.items():
                res.save(out_dir / safe_name(name), overwrite=overwrite)
        first = next(iter(comp.results.values()))
        if comp.title:
            out.print(styled(comp.title, "bold"))
        if comp.description:
            out.print(comp.description.strip())
        last = int(first.daily["day"].max())
        for d in sorted({min(364, last), last}) if d0 is None else [d0]:
            label = " (year 1)" if d == 364 else (" (end)" if d == last else "")
            cur = comp.common_currency()
            note = " - money in USD at market exchange rates" if len(comp.currencies) > 1 else ""
            table = comp.kpi_table(d, cur)
            out.print(kpi_rich_table(f"KPIs at day {d + 1}{label}{note}", table, cur))
            for kpi, who, how in leaders(table):
                out.print(f"  {kpi}: {who} ({how})")
        if out_dir is not None:
            out.print(line(f"saved {len(comp.results)} runs under ", out_dir))
    except SimInputError as exc:
        fail(exc)


def validate(files: Annotated[list[str], typer.Argument(help="Scenario files or preset names.")],
             set_: SetOpt = None) -> None:
    """Check scenario files; print what each resolves to, or every problem found."""
    import sim

    failed = False
    for f in files:
        try:
            sc = sim.resolve(f, set_ or [])
            out.print(line(("ok", "green"), f" {f}: {sc.name} - {len(sc.brands)} brand(s), {sc.run.population:,} "
                           f"consumers, {sc.run.days} days, market {sc.market.name} ({sc.market.regime.kind})"))
        except SimInputError as exc:
            err.print(error_line(exc), soft_wrap=True)
            failed = True
    if failed:
        raise typer.Exit(2)


def schema(
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace a schema file ptsim wrote before.")] = False,
) -> None:
    """Print the JSON Schema of scenario files (for editors); ``-o`` writes the file atomically."""
    import sys

    from sim.results.folders import atomic_write_file
    from sim.scenario.loader import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False)
    if out_file is None:
        sys.stdout.write(text + "\n")
        return
    try:
        path = atomic_write_file(out_file, (text + "\n").encode("utf-8"), overwrite=overwrite,
                                 ours=b'"title": "Scenario"')  # (a file this command wrote)
    except SimInputError as exc:
        fail(exc)
    out.print(line("wrote ", path))


def list_(
    kind: Annotated[
        str | None, typer.Argument(help="markets, strategies, scenarios, comparisons or validation")
    ] = None,
) -> None:
    """List the presets shipped in scenarios/."""
    from sim.scenario.presets import list_presets

    try:
        groups = list_presets(kind)
    except SimInputError as exc:
        fail(exc)
        return
    for group, names in groups.items():
        out.print(styled(group, "bold"))
        for n in names:
            out.print(f"  {n}")
