"""Command-line interface: ``ptsim run | compare | validate | schema | list`` (and analysis commands).

Every user mistake ends with one clear message on stderr and exit status 2, never a traceback.
Results go to run folders written atomically.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.errors import SimInputError

app = typer.Typer(
    name="ptsim",
    help="The private-traffic strategy sandbox: simulate public vs private traffic strategies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

HEADLINE_KPIS = (
    "pool_size", "active_members", "members_joined", "revenue", "private_share", "profit", "cac",
    "cost_per_member", "member_ltv", "ltv_cac", "payback_month", "k_factor", "viral_share",
    "unsubs_per_1000", "opt_outs", "complaints", "violations", "fines", "breaches", "mean_trust",
)

SetOpt = Annotated[list[str] | None, typer.Option("--set", "-s", help="Override a field: dotted.path=value (repeatable).")]


def _fail(exc: SimInputError) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def named_ticker(bar: Progress):
    """A ``tick(name, done, total)`` callback that keeps one progress row per scenario name."""
    tasks: dict[str, int] = {}

    def tick(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(name, total=total)
        bar.update(tasks[name], completed=done)

    return tick


def kpi_rich_table(title: str, table, currency: str) -> Table:
    """A rich table of KPIs (rows) by column."""
    from sim.format import human, kpi_label, kpi_unit

    t = Table(title=title, title_justify="left")
    t.add_column("KPI")
    for c in table.columns:
        t.add_column(str(c), justify="right")
    for k in HEADLINE_KPIS:
        if k in table.index:
            t.add_row(kpi_label(k), *[human(v, kpi_unit(k), currency) for v in table.loc[k]])
    return t


def check_out(target: Path, option: str = "--out", *, folder: bool = True) -> None:
    """Refuse, before any run starts, an output path that cannot be written.

    The path must not be an existing file when a folder is expected, and its nearest existing
    ancestor must be a folder in which this process can create entries (probed by creating and
    removing a temporary folder, which also works for root and read-only file systems).
    """
    import tempfile

    if folder and target.exists() and not target.is_dir():
        raise SimInputError.single(option, str(target), "is a file; expected a folder path (a new folder is created)")
    if not folder and target.is_dir():
        raise SimInputError.single(option, str(target), "is a folder; expected a file path")
    anc = target.parent.absolute()
    while not anc.exists() and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        raise SimInputError.single(option, str(target), f"cannot be created: {anc} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".ptsim-probe-", dir=anc))
    except OSError as exc:
        raise SimInputError.single(
            option, str(target), f"cannot be written: {exc.strerror or exc} in {anc}; choose a writable folder"
        ) from None


def _default_out(name: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]
    return Path("runs") / f"{safe}-{stamp}"


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Preset name (see `ptsim list`) or path to a scenario YAML.")],
    set_: SetOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Run folder (default runs/NAME-TIME).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing run folder.")] = False,
    no_save: Annotated[bool, typer.Option("--no-save", help="Print KPIs only; write nothing.")] = False,
) -> None:
    """Run one scenario, print KPIs at year 1 and at the end, and save a run folder."""
    import sim

    try:
        sc = sim.resolve(scenario, set_ or [])
        target = None if no_save else (out_dir or _default_out(sc.name))
        if target is not None and target.exists() and not overwrite:
            raise SimInputError.single("--out", str(target), "already exists; choose another folder or pass --overwrite")
        if target is not None:
            check_out(target)
        with _progress() as bar:
            task = bar.add_task(sc.name, total=sc.run.days)
            res = sim.run(sc, progress=lambda d, t: bar.update(task, completed=d))
        _print_run(res)
        if target is not None:
            path = res.save(target, overwrite=overwrite)
            out.print(f"saved to {path}")
    except SimInputError as exc:
        _fail(exc)


def _print_run(res) -> None:
    import pandas as pd

    last = int(res.daily["day"].max())
    days = [d for d in (364, last) if d <= last]
    for d in sorted(set(days)):
        table = res.kpis(d).T
        title = f"{res.scenario.name}: KPIs at day {d + 1}" + (" (year 1)" if d == 364 else " (end)")
        out.print(kpi_rich_table(title, pd.DataFrame(table), res.currency))
    out.print(f"{res.meta['population']:,} consumers x {last + 1} days in {res.meta['wall_seconds']:.2f} s")


@app.command()
def compare(
    scenarios: Annotated[list[str] | None, typer.Argument(help="Comparison preset or scenarios (default: china_vs_japan).")] = None,
    set_: SetOpt = None,
    seed: Annotated[int | None, typer.Option(help="Common seed for every scenario.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to save every run in.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace existing run folders.")] = False,
) -> None:
    """Compare strategies side by side (same seed: common random numbers)."""
    from sim.analysis.compare import run_comparison
    from sim.format import leaders
    from sim.scenario.presets import list_presets, load_comparison

    try:
        refs = scenarios or ["china_vs_japan"]
        title, description = "", ""
        comparisons = list_presets().get("comparisons", [])
        if len(refs) == 1 and (refs[0] in comparisons or f"comparisons/{refs[0]}" in comparisons):
            title, description, refs = load_comparison(refs[0].removeprefix("comparisons/"))
        if out_dir is not None:
            check_out(out_dir / "run")
        with _progress() as bar:
            tick = named_ticker(bar)

            comp = run_comparison(refs, set_ or [], title=title, description=description, seed=seed, progress=tick)
        first = next(iter(comp.results.values()))
        if comp.title:
            out.print(f"[bold]{comp.title}[/]")
        if comp.description:
            out.print(comp.description.strip(), highlight=False)
        last = int(first.daily["day"].max())
        for d in sorted({min(364, last), last}):
            label = "year 1" if d == 364 else "end"
            cur = comp.common_currency()
            note = " - money in USD at market exchange rates" if len(comp.currencies) > 1 else ""
            table = comp.kpi_table(d, cur)
            out.print(kpi_rich_table(f"KPIs at day {d + 1} ({label}){note}", table, cur))
            for kpi, who, how in leaders(table):
                out.print(f"  {kpi}: {who} ({how})", highlight=False)
        if out_dir is not None:
            for name, res in comp.results.items():
                safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
                res.save(out_dir / safe, overwrite=overwrite)
            out.print(f"saved {len(comp.results)} runs under {out_dir}")
    except SimInputError as exc:
        _fail(exc)


@app.command()
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files or preset names.")],
             set_: SetOpt = None) -> None:
    """Check scenario files; print what each resolves to, or every problem found."""
    import sim

    failed = False
    for f in files:
        try:
            sc = sim.resolve(f, set_ or [])
            out.print(f"[green]ok[/] {f}: {sc.name} - {len(sc.brands)} brand(s), {sc.run.population:,} consumers, "
                      f"{sc.run.days} days, market {sc.market.name} ({sc.market.regime.kind})")
        except SimInputError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False)
            failed = True
    if failed:
        raise typer.Exit(2)


@app.command()
def schema(out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from sim.scenario.loader import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False)
    if out_file is None:
        sys.stdout.write(text + "\n")
    else:
        out_file.write_text(text + "\n", encoding="utf-8")
        out.print(f"wrote {out_file}")


@app.command("list")
def list_(kind: Annotated[str | None, typer.Argument(help="markets, strategies, scenarios, comparisons or validation")] = None) -> None:
    """List the presets shipped in scenarios/."""
    from sim.scenario.presets import list_presets

    try:
        groups = list_presets(kind)
    except SimInputError as exc:
        _fail(exc)
        return
    for group, names in groups.items():
        out.print(f"[bold]{group}[/]")
        for n in names:
            out.print(f"  {n}")


from sim import cli_analysis  # noqa: E402,F401  (registers the analysis commands)
from sim import cli_report  # noqa: E402,F401
from sim import cli_decide  # noqa: E402,F401  (registers the decision commands, issue 15)
from sim import cli_tournament  # noqa: E402,F401  (registers the class tournament)


#: Exit status when runs were lost to dead worker processes (user mistakes exit 2, Ctrl-C 130).
EXIT_INCOMPLETE = 3


def main() -> None:
    """Console-script entry point, never a traceback for a known failure.

    Usage errors exit 2, Ctrl-C exits 130, runs lost to dead worker processes exit 3, and a file
    system error (disk full, permission denied) exits 1 with one line naming the file.
    """
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted; nothing was saved")
        sys.exit(130)
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        err.print(f"error: could not read or write{where}: {exc.strerror or exc}", highlight=False, markup=False,
                  soft_wrap=True)
        sys.exit(1)
    except RuntimeError as exc:
        executors = sys.modules.get("sim.analysis.executors")  # loaded if runs were made; not imported here (slow)
        if executors is None or not isinstance(exc, executors.RunsFailed):
            raise
        err.print(f"error: {exc}; nothing was saved", highlight=False, markup=False, soft_wrap=True)
        sys.exit(EXIT_INCOMPLETE)
    except typer.TyperException as exc:  # usage errors: unknown command or option, bad value
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(f"error: {exc}")
        sys.exit(int(getattr(exc, "exit_code", 2)))
    if code == 130:  # typer turns Ctrl-C inside a command into a quiet exit code 130
        err.print("interrupted; nothing was saved")
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # `python -m sim.cli`: use the module the analysis commands were registered on
    from sim.cli import main as _main

    _main()
