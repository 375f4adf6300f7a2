"""The ``tournament`` command: a class competition of submitted strategies under common random numbers.

``ptsim tournament ENTRY.yaml ENTRY.yaml ... --arena japan_in_japan --reps 10`` runs every entry alone in
the arena market (``--format solo``) or every pair as two competing brands (``--format round_robin``),
prints the leaderboard and writes one result folder holding the leaderboard, the head-to-head table,
per-seed samples and a printable report in English, Chinese and Japanese.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.common import LOCAL, RunOn, SetOpt, check_lang, fail, with_run_on
from sim.errors import SimInputError

__all__ = ["register", "tournament"]


def register(app: typer.Typer) -> None:
    """Add ``tournament`` to ``app``."""
    app.command()(with_run_on(tournament, seed_help="Root seed (default: the arena's run.seed)."))


def tournament(
    entries: Annotated[list[Path], typer.Argument(help="Submitted strategy, brand or scenario YAML files.")],
    arena: Annotated[str, typer.Option(help="Preset or scenario YAML whose market and run settings all entries share.")]
    = "japan_in_japan",
    format_: Annotated[str, typer.Option("--format", help="solo (each entry alone) or round_robin (every pair).")]
    = "solo",
    reps: Annotated[int, typer.Option("--reps", "-n", help="Common seeds per run.")] = 10,
    kpi: Annotated[list[str] | None, typer.Option("--kpi", help="Leaderboard KPI (repeat; the first ranks).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the printed table's KPI names: en, zh or ja.")] = "en",
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Result folder (default runs/...).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing result folder.")] = False,
) -> None:
    """Run a class tournament and print the leaderboard; the folder holds reports in three languages."""
    from sim.analysis.tournament import DEFAULT_KPIS, load_entries, run_tournament
    from sim.cli.analysis import _fmt, _saved, _show, _target
    from sim.i18n import t

    try:
        check_lang(lang)
        found = load_entries(entries)
        kpis = tuple(kpi) if kpi else DEFAULT_KPIS
        target = _target("tournament", format_, out_dir, overwrite, False)
        runs = len(found) if format_ == "solo" else len(found) * (len(found) - 1)
        with run_on.start(f"tournament x {reps}", runs * reps, set_ or []) as run:
            tour = run_tournament(found, arena, format=format_, reps=reps, kpis=kpis, execution=run)
        board = tour.leaderboard()
        table = Table(title=f"{t('tournament.leaderboard', lang)}: {len(found)} entries, {reps} seeds, {format_}",
                      title_justify="left")
        table.add_column("#", justify="right")
        table.add_column(t("tournament.entry", lang))
        for k in kpis:
            table.add_column(t(f"kpi.{k}", lang), justify="right")
        table.add_column("wins", justify="right")
        for name, row in board.iterrows():
            cells = [_fmt(row[f"{k}_mean"], k, tour.currency) for k in kpis]
            table.add_row(str(int(row["rank"])), str(name), *cells, f"{int(row['wins'])}/{int(row['seeds'])}")
        _show(table)
        _saved(tour.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)
