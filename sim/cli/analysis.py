"""Analysis commands of the CLI: ``replicate``, ``sweep``, ``sensitivity`` and ``optimise``.

Also the options and helpers they share with ``compare --reps``, ``calibrate`` and the decision commands
(:mod:`sim.cli.compare`, :mod:`sim.cli.calibrate`, :mod:`sim.cli.decide`); where the runs go
(``--root-seed --workers --serial --scheduler``) is defined once in :mod:`sim.cli.common`
(:class:`~sim.cli.common.RunOn`, :func:`~sim.cli.common.with_run_on`).

Every command checks all of its input before the first run (unknown parameter paths, ranges, sample
sizes, grid caps, CSV columns and rows) and reports a mistake as one message with exit status 2.
Multi-run commands show a progress bar over runs and hand the runs to a local process pool
(``--workers``), to this process (``--serial``) or to a Dask cluster (``--scheduler ADDRESS``). Results
are written atomically to one run folder (``--out``, default ``runs/NAME-COMMAND-TIME``) holding the
resolved scenario(s), a manifest with checksums and the tables as Parquet/CSV; nothing is written when
a command fails.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sim.cli.common import (
    EXIT_INCOMPLETE,
    HEADLINE_KPIS,
    LOCAL,
    LiteralConsole,
    RunOn,
    SetOpt,
    check_no_save,
    check_target,
    default_out,
    err,
    error_line,
    fail,
    line,
    out,
    styled,
    with_run_on,
)
from sim.errors import Problem, SimInputError, short_repr


def register(app: typer.Typer) -> None:
    """Add ``replicate``, ``sweep``, ``sensitivity`` and ``optimise`` to ``app``."""
    for command in (replicate, sweep, sensitivity, optimise):
        app.command()(with_run_on(command))

RepsOpt = Annotated[int, typer.Option("--reps", "-n", help="Replicates (seeds spawned from the root seed).")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Result folder (default runs/NAME-COMMAND-TIME).")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace an existing result folder.")]
NoSaveOpt = Annotated[bool, typer.Option("--no-save", help="Print results only; write nothing.")]
BrandOpt = Annotated[str | None, typer.Option("--brand", help="Brand whose KPIs count (default: the first).")]
DayOpt = Annotated[int | None, typer.Option("--day", help="Day (1-based) at which KPIs are read (default: the last).")]
VersusOpt = Annotated[
    str | None,
    typer.Option("--versus", help="Scenario B (preset or YAML): analyse the paired difference A - B, common seeds."),
]


def _versus_too(help_default: str) -> Any:
    return typer.Option(
        "--versus-too/--a-only",
        help=f"Set the varied values on B as well (a market assumption both live with) or on A only (a lever of A's); "
        f"default: {help_default}.",
    )


# ---- shared helpers --------------------------------------------------------------------------------


def _target(name: str, kind: str, out_dir: Path | None, overwrite: bool, no_save: bool) -> Path | None:
    check_no_save(no_save, out_dir)
    if no_save:
        return None
    target = out_dir or default_out(f"{name}-{kind}")
    check_target(target, overwrite)
    return target


def _day0(day: int | None, days: int | None = None) -> int | None:
    """The 0-based day of ``--day`` (counted from 1), checked against the run's ``days`` when they are known.

    Commands call this before any run starts, with the horizon of the scenario(s) they will run.
    """
    if day is None:
        return None
    if day < 1 or (days is not None and day > days):
        what = f"must be from 1 to {days} (the run's days)" if days is not None else "must be 1 or more (days are " \
            "counted from 1)"
        raise SimInputError("--day", [Problem("", what, short_repr(day))])
    return day - 1


def _day_of(day: int | None, refs: list[str], set_: list[str] | None) -> int | None:
    """:func:`_day0` against the shortest horizon of these scenarios (``--set`` applied), read only if ``--day``."""
    if day is None:
        return None
    import sim

    return _day0(day, min(sim.resolve(r, set_ or []).run.days for r in refs))


def _params(items: list[str] | None, option: str, sep: str = "=") -> dict[str, str]:
    out_: dict[str, str] = {}
    for item in items or []:
        if sep not in item:
            raise SimInputError.single(option, item, f"must look like PATH{sep}LOW:HIGH, e.g. messaging.per_week=1:14")
        path, rng = item.split(sep, 1)
        out_[path.strip()] = rng.strip()
    return out_


def _fmt(x: Any, kpi: str, currency: str = "") -> str:
    from sim.format import human, kpi_unit

    if isinstance(x, float) and math.isnan(x):
        return "n/a"
    return human(float(x), kpi_unit(kpi), currency)


def _show(table: Any) -> None:
    """Print a table; when output goes to a file or pipe, do not squeeze it into 80 columns."""
    if out.is_terminal:
        out.print(table)
    else:
        LiteralConsole(file=out.file, width=max(out.width, 160)).print(table)


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _saved(path: Path | None) -> None:
    if path is not None:
        out.print(line("saved to ", path))


# ---- replicate -------------------------------------------------------------------------------------


def replicate(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    reps: RepsOpt = 20,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Run a scenario many times; print mean and 5-95% band of every headline KPI."""
    import sim
    from sim.analysis.replicate import replicate as run_replicates

    try:
        sc = sim.resolve(scenario, set_ or [])
        target = _target(sc.name, "replicate", out_dir, overwrite, no_save)
        with run_on.start(f"{sc.name} x {reps}", reps) as execution:
            ens = run_replicates(sc, reps, execution=execution)
        last = ens.last_day
        for d in sorted({min(364, last), last}):
            summ = ens.kpi_summary(d)
            for b in ens.brands:
                t = Table(
                    title=f"{sc.name} / {b}: {reps} replicates, day {d + 1}" + (" (year 1)" if d == 364 else " (end)"),
                    title_justify="left",
                )
                for c in ("KPI", "mean", "p05", "p50", "p95"):
                    t.add_column(c, justify="left" if c == "KPI" else "right")
                sb = summ[summ["brand"] == b].set_index("kpi")
                from sim.format import kpi_label

                for k in HEADLINE_KPIS:
                    if k in sb.index:
                        r = sb.loc[k]
                        t.add_row(
                            kpi_label(k), *[_fmt(r[c], k, sc.market.currency) for c in ("mean", "p05", "p50", "p95")]
                        )
                _show(t)
        out.print(f"{reps} runs in {ens.meta['wall_seconds']:.1f} s (root seed {ens.root_seed})")
        _saved(ens.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)


# ---- sweep -----------------------------------------------------------------------------------------


def sweep(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    param: Annotated[
        list[str], typer.Option("--param", "-p", help="PATH=V1,V2,... or PATH=LOW:HIGH:COUNT (one or two).")
    ],
    set_: SetOpt = None,
    reps: RepsOpt = 1,
    objective: Annotated[str, typer.Option(help="KPI whose best cell is marked.")] = "profit",
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="Extra KPI columns to show (repeatable).")] = None,
    brand: BrandOpt = None,
    day: DayOpt = None,
    versus: VersusOpt = None,
    versus_too: Annotated[bool, _versus_too("A only")] = False,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Sweep one or two parameters over a grid; print a KPI table with the best cell marked.

    With ``--versus B`` every KPI is the paired difference A - B under common seeds, and the best cell is
    the one where A beats B by the most.
    """
    import sim
    from sim.analysis.sweep import SweepIncomplete, check_kpi
    from sim.analysis.sweep import sweep as run_sweep

    try:
        if versus_too and versus is None:
            raise SimInputError.single("--versus-too", "", "needs --versus B (it sets the swept values on B as well)")
        sc = sim.resolve(scenario, set_ or [])
        vs = _versus(versus, set_)
        extra = [check_kpi(k, "--kpi") for k in (kpi or ["pool_size", "opt_outs", "unsubs_per_1000"])]
        d0 = _day0(day, sc.run.days if vs is None else min(sc.run.days, vs.run.days))
        target = _target(sc.name, "sweep", out_dir, overwrite, no_save)
        with run_on.start(f"sweep {sc.name}") as execution, _incomplete(SweepIncomplete, target, overwrite):
            res = run_sweep(
                sc,
                param,
                reps=reps,
                objective=objective,
                brand=brand,
                day=d0,
                versus=vs,
                versus_too=versus_too,
                execution=execution,
            )
        s = res.summary()
        cur = sc.market.currency
        from sim.format import kpi_label, kpi_unit

        if vs is not None:
            _versus_note(sc, vs, versus_too, "swept")
        what = sc.name if vs is None else f"{sc.name} minus {vs.name}"
        t = Table(
            title=f"Sweep of {what} ({res.brand}), day {res.day + 1}, {reps} replicate(s) per cell",
            title_justify="left",
        )
        for a in res.axes:
            t.add_column(a.label, justify="right")
        t.add_column(
            kpi_label(objective) + (f" ({cur})" if kpi_unit(objective).startswith("currency") else ""), justify="right"
        )
        if reps > 1:
            t.add_column("p05 to p95", justify="right")
        shown = [k for k in dict.fromkeys(extra) if k != objective]
        for k in shown:
            t.add_column(kpi_label(k), justify="right")
        t.add_column("best")
        for _, r in s.iterrows():
            row = [_describe(r[a.path]) for a in res.axes] + [_fmt(r[objective], objective)]
            if reps > 1:
                row.append(f"{_fmt(r[f'{objective}_p05'], objective)} to {_fmt(r[f'{objective}_p95'], objective)}")
            row += [_fmt(r[k], k, cur) for k in shown] + ["*" if r["best"] else ""]
            t.add_row(*row, style="bold green" if r["best"] else None)
        _show(t)
        best = res.best()
        if best:
            where = ", ".join(f"{a.label}={_describe(best[a.path])}" for a in res.axes)
            word = "highest" if res.maximise else "lowest"
            gap = "" if vs is None else " difference"
            out.print(line(f"best cell ({word} {kpi_label(objective).lower()}{gap}): ", where))
        _saved(res.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)


@contextmanager
def _incomplete(kind: type, target: Path | None, overwrite: bool) -> Iterator[None]:
    """Turn a partial result (runs lost to dead workers) into a saved, marked folder and exit status 3."""
    try:
        yield
    except kind as exc:
        err.print(error_line(exc), soft_wrap=True)
        partial = getattr(exc, "partial", None)
        if partial is not None and target is not None:
            path = partial.save(target, overwrite=overwrite)
            err.print(
                f"kept the finished cells in {path}; its manifest is marked {partial.meta['incomplete']['message']!r}",
                soft_wrap=True,
            )
        else:
            err.print("nothing was saved")
        raise typer.Exit(EXIT_INCOMPLETE) from None


def _versus(versus: str | None, set_: list[str] | None) -> Any:
    """Scenario B of ``--versus``, resolved with the same ``--set`` overrides as A (``None`` without it)."""
    if versus is None:
        return None
    import sim

    return sim.resolve(versus, set_ or [])


def _versus_note(a: Any, b: Any, too: bool, what: str) -> None:
    """Say what the KPIs are: the paired difference A - B with common seeds, and where the values are set."""
    where = "on both" if too else f"on {a.name} only"
    out.print(line("KPIs are the paired difference ", (a.name, "bold"), " minus ", (b.name, "bold"),
                   f" with common seeds; the {what} values are set {where}"))


def _describe(v: Any) -> str:
    from sim.analysis.paths import describe

    return describe(v.item() if hasattr(v, "item") else v)


# ---- sensitivity -----------------------------------------------------------------------------------


def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    param: Annotated[list[str], typer.Option("--param", "-p", help="PATH=LOW:HIGH (two or more).")],
    method: Annotated[
        str, typer.Option(help="sobol (first and total order) or morris (elementary effects).")
    ] = "sobol",
    n: Annotated[int, typer.Option("--n", help="Sobol base sample (a power of two) or Morris trajectories.")] = 64,
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="KPI to analyse (repeatable; default profit).")] = None,
    set_: SetOpt = None,
    reps: Annotated[int, typer.Option("--reps", help="Common seeds per sample point (averaged).")] = 1,
    brand: BrandOpt = None,
    day: DayOpt = None,
    versus: VersusOpt = None,
    versus_too: Annotated[bool, _versus_too("both")] = True,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Global sensitivity (SALib Sobol or Morris) of KPIs to parameter ranges; ranked table for a tornado.

    With ``--versus B`` the KPIs analysed are the paired differences A - B under common seeds: which
    assumption the verdict "A beats B" rests on.
    """
    import sim
    from sim.analysis.sensitivity import sensitivity as run_sensitivity

    try:
        sc = sim.resolve(scenario, set_ or [])
        vs = _versus(versus, set_)
        d0 = _day0(day, sc.run.days if vs is None else min(sc.run.days, vs.run.days))
        target = _target(sc.name, "sensitivity", out_dir, overwrite, no_save)
        with run_on.start(f"{method} {sc.name}") as execution:
            res = run_sensitivity(
                sc,
                _params(param, "--param"),
                method=method,
                n=n,
                kpis=kpi or ["profit"],
                brand=brand,
                day=d0,
                reps=reps,
                versus=vs,
                versus_too=versus_too,
                execution=execution,
            )
        cur = sc.market.currency
        if vs is not None:
            _versus_note(sc, vs, versus_too, "sampled")
        for k in res.kpis:
            r = res.ranked(k)
            from sim.format import kpi_label

            gap = "" if vs is None else f" ({sc.name} minus {vs.name})"
            t = Table(
                title=f"{method.capitalize()} sensitivity of {kpi_label(k).lower()}{gap} ({res.brand}, "
                f"day {res.day + 1}, {res.meta['runs']:,} runs)",
                title_justify="left",
            )
            cols = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star", "mu_star_conf", "sigma"]
            for c in ["rank", "parameter", *cols, "at low", "at high"]:
                t.add_column(c, justify="left" if c == "parameter" else "right")
            for _, row in r.iterrows():
                vals = [f"{row[c]:.3f}" if method == "sobol" else _fmt(row[c], k, cur) for c in cols]
                t.add_row(
                    str(row["rank"]),
                    row["label"],
                    *vals,
                    _fmt(row["kpi_at_low"], k, cur),
                    _fmt(row["kpi_at_high"], k, cur),
                )
            _show(t)
        _saved(res.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)


# ---- optimise --------------------------------------------------------------------------------------


def optimise(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    lever: Annotated[list[str], typer.Option("--lever", "-l", help="PATH=LOW:HIGH, a strategy lever and its bounds.")],
    objective: Annotated[
        str, typer.Option(help="KPI to optimise (its own direction: max profit, min CAC...).")
    ] = "profit",
    constraint: Annotated[
        list[str] | None, typer.Option("--constraint", "-c", help="KPI<=X, KPI>=X or KPI==X (repeatable).")
    ] = None,
    set_: SetOpt = None,
    reps: Annotated[int, typer.Option("--reps", help="Common seeds per candidate.")] = 3,
    validation_reps: Annotated[
        int, typer.Option("--validation-reps", help="Fresh seeds to re-evaluate the optimum.")
    ] = 10,
    maxiter: Annotated[int, typer.Option("--maxiter", help="Differential-evolution generations.")] = 15,
    popsize: Annotated[int, typer.Option("--popsize", help="Candidates per generation per lever.")] = 8,
    brand: BrandOpt = None,
    day: DayOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Choose strategy levers within bounds to optimise a KPI under constraints."""
    import sim
    from sim.analysis.optimise import optimise as run_optimise
    from sim.format import kpi_label

    try:
        sc = sim.resolve(scenario, set_ or [])
        d0 = _day0(day, sc.run.days)
        target = _target(sc.name, "optimise", out_dir, overwrite, no_save)
        with run_on.start(f"optimise {sc.name}") as execution:
            res = run_optimise(
                sc,
                _params(lever, "--lever"),
                objective,
                constraints=constraint or [],
                reps=reps,
                validation_reps=validation_reps,
                maxiter=maxiter,
                popsize=popsize,
                brand=brand,
                day=d0,
                execution=execution,
            )
        cur = sc.market.currency
        out.print(line(
            (f"{'maximise' if res.maximise else 'minimise'} {kpi_label(objective).lower()}", "bold"),
            f" ({res.meta['evaluations']} candidates, {res.meta['runs']:,} runs)",
        ))
        if not res.feasible:
            out.print(line(("no candidate satisfied every constraint", "bold red"),
                           "; showing the least violating one"))
        t = Table(title="optimum", title_justify="left")
        t.add_column("lever")
        t.add_column("value", justify="right")
        t.add_column("range", justify="right")
        for r in res.levers:
            t.add_row(r.label, _num(res.x[r.path]), f"{r.low:g} to {r.high:g}")
        _show(t)
        v = Table(title=f"re-evaluated with {validation_reps} fresh seeds", title_justify="left")
        for c in ("KPI", "mean", "95% CI", "sd"):
            v.add_column(c, justify="left" if c == "KPI" else "right")
        for _, r in res.validation.iterrows():
            k = r["kpi"]
            v.add_row(
                kpi_label(k),
                _fmt(r["mean"], k, cur),
                f"{_fmt(r['ci_low'], k, cur)} to {_fmt(r['ci_high'], k, cur)}",
                _fmt(r["sd"], k, cur),
            )
        _show(v)
        if len(res.constraint_report):
            c = Table(title="constraints", title_justify="left")
            for col in ("constraint", "at optimum", "fresh seeds", "holds in", "active", "binding"):
                c.add_column(col, justify="left" if col == "constraint" else "right")
            for _, r in res.constraint_report.iterrows():
                k = r["kpi"]
                c.add_row(
                    r["constraint"],
                    _fmt(r["search_mean"], k, cur),
                    _fmt(r["validation_mean"], k, cur),
                    f"{100 * r['holds_share']:.0f}%",
                    "yes" if r["active"] else "no",
                    styled("yes", "bold") if r["binding"] else "no",
                )
            _show(c)
        for note in res.levers_at_bounds():
            out.print(f"note: {note}; consider widening the range")
        _saved(res.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)


