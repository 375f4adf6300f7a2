"""``ptsim report``: a self-contained HTML report of a run folder, a comparison or scenarios.

Registered on :data:`sim.cli.app` by :func:`register`. Examples::

    ptsim report runs/china_in_china-20260101-120000 -o china.html
    ptsim report china_vs_japan --reps 5 --lang ja -o china_vs_japan.ja.html
    ptsim report hybrid_in_japan --set run.population=20000 -o hybrid.html
    ptsim report china_playbook_in_japan japan_in_japan --reps 10 --attribution --risk \
        --breakeven messaging.per_week=1:14 -o decision.html

The decision sections (issue 15) need scenarios run now with ``--reps`` of at least 2: ``--breakeven
PATH=LOW:HIGH`` (where A stops beating B; ``--breakeven-both`` sets the value on B as well, for a market
assumption), ``--attribution`` (the paired profit gap A - B by ledger item, with intervals) and ``--risk``
(of the first scenario: P(loss), P5/P50/P95 profit, the break-even month distribution). They use the
API's analyses with the same seed and overrides as the rest of the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import (
    SetOpt,
    check_lang,
    check_out,
    check_seed,
    err,
    fail,
    line,
    literal,
    named_ticker,
    out,
    progress,
)
from sim.errors import SimInputError


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report_cmd)


def report_cmd(
    sources: Annotated[list[str], typer.Argument(help="Run folder(s), a folder of run folders, a comparison preset, "
                                                      "or scenario presets / YAML files.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    lang: Annotated[str, typer.Option(help="Language: en, zh or ja.")] = "en",
    reps: Annotated[int, typer.Option(help="Replicate runs per scenario (common random numbers) when running "
                                           "scenarios.")] = 1,
    set_: SetOpt = None,
    seed: Annotated[int | None, typer.Option(help="Common (root) seed when running scenarios.")] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    breakeven: Annotated[str | None, typer.Option(
        "--breakeven", help="PATH=LOW:HIGH: add the break-even search of A against B over this lever.")] = None,
    breakeven_both: Annotated[bool, typer.Option(
        "--breakeven-both", help="Set the break-even value on B too (a market assumption both live with).")] = False,
    attribution: Annotated[bool, typer.Option(
        "--attribution", help="Add the paired profit gap A - B by ledger item, with intervals.")] = False,
    risk: Annotated[bool, typer.Option(
        "--risk", help="Add the risk of the first scenario: P(loss), P5/P50/P95, break-even months.")] = False,
) -> None:
    """Write a self-contained HTML report (plotly embedded; opens offline), atomically."""
    from sim import report
    from sim.i18n import has, t
    from sim.results.folders import check_file_target

    try:
        check_lang(lang)
        check_seed(seed, "--seed")
        check_out(out_file, folder=False)
        check_file_target(out_file, overwrite=overwrite, ours=report.GENERATOR.encode())  # before any run
        lever = _check_decisions(sources, reps, breakeven, attribution, risk)
        obj, results, description, comparison = _source(sources, reps, set_ or [], seed)
        _upgrade_notes(obj)
        decisions = _decisions(obj, _refs(sources), reps, set_ or [], seed, lever, breakeven_both, attribution, risk)
        if comparison and has(f"comparison.{comparison}"):  # a built-in comparison: its translated title and text
            title = title or t(f"comparison.{comparison}", lang)
            if has(f"comparison.{comparison}.about"):
                description = t(f"comparison.{comparison}.about", lang)
        path = report.write_report(obj, out_file, lang=lang, title=title, results=results, description=description,
                                   **decisions)
        out.print(line("wrote ", path))
    except SimInputError as exc:
        fail(exc)


def _upgrade_notes(obj: object) -> None:
    """One ``note:`` line (stderr, literal) per thing loading an older run folder filled or mapped."""
    for res in obj if isinstance(obj, list) else [obj]:
        for text in getattr(res, "upgrade_notes", ()):
            err.print(line(("note:", "bold yellow"), " ", text), soft_wrap=True)


def _refs(sources: list[str]) -> list[str]:
    """The scenario references of ``sources`` (a comparison preset expanded); empty for run folders."""
    from sim.scenario.presets import list_presets, load_comparison

    if all(Path(s).is_dir() for s in sources):
        return []
    comparisons = list_presets("comparisons")["comparisons"]
    if len(sources) == 1 and (sources[0] in comparisons or f"comparisons/{sources[0]}" in comparisons):
        return list(load_comparison(sources[0].removeprefix("comparisons/"))[2])
    return list(sources)


def _check_decisions(sources: list[str], reps: int, breakeven: str | None, attribution: bool,
                     risk: bool) -> tuple[str, float, float] | None:
    """Refuse decision options the sources cannot serve, before any run; the parsed ``--breakeven``."""
    asked = [o for o, on in (("--breakeven", breakeven is not None), ("--attribution", attribution),
                             ("--risk", risk)) if on]
    if not asked:
        return None
    refs = _refs(sources)
    if not refs:
        raise SimInputError.single(asked[0], " ".join(sources), "needs scenarios run now (presets or YAML files), "
                                   "not saved run folders")
    if reps < 2:
        raise SimInputError.single(asked[0], f"--reps {reps}", "needs --reps 2 or more (intervals over replicates)")
    for option in ("--breakeven", "--attribution"):
        if option in asked and len(refs) != 2:
            raise SimInputError.single(option, " ".join(refs), "compares two scenarios, A and B; give exactly two")
    if breakeven is None:
        return None
    path, sep, rng = breakeven.partition("=")
    lo_s, colon, hi_s = rng.partition(":")
    try:
        lo, hi = float(lo_s), float(hi_s)
    except ValueError:
        lo = hi = float("nan")
    if not sep or not colon or not path.strip() or lo != lo or hi != hi:
        raise SimInputError.single("--breakeven", breakeven, "must look like PATH=LOW:HIGH with numbers, "
                                   "e.g. messaging.per_week=1:14")
    return path.strip(), lo, hi


def _decisions(obj: object, refs: list[str], reps: int, overrides: list[str], seed: int | None,
               lever: tuple[str, float, float] | None, both: bool, attribution: bool, risk: bool) -> dict:
    """The decision analyses asked for, computed by the API with the report's seed and overrides."""
    if lever is None and not attribution and not risk:
        return {}
    from sim.analysis.execution import Execution
    from sim.analysis.executors import make_executor
    from sim.cli.common import run_bar

    out_: dict[str, object] = {}
    if attribution:
        from sim.analysis.attribution import attribute

        out_["attribution"] = attribute(obj)  # the report's own comparison ensemble (it kept every ledger item)
    if lever is None and not risk:
        return out_
    # the pool forks its workers before the progress bar's thread starts (see sim.cli.common.RunOn.start)
    with make_executor("process", tasks=reps) as ex, run_bar("decisions") as tick:
        run_on = Execution(seed=seed, overrides=tuple(overrides), executor=ex, progress=tick)
        if lever is not None:
            from sim.analysis.robustness import breakeven

            path, lo, hi = lever
            out_["breakeven"] = breakeven(refs[0], refs[1], path, lo, hi, both=both, reps=reps, execution=run_on)
        if risk:
            from sim.analysis.risk import risk as run_risk

            out_["risk"] = run_risk(refs[0], reps, execution=run_on)
    return out_


def _source(sources: list[str], reps: int, overrides: list[str], seed: int | None):
    """What to report on: loaded run folders, or scenarios run now."""
    import sim
    from sim.report import load_source
    from sim.scenario.presets import list_presets, load_comparison

    if all(Path(s).is_dir() for s in sources):
        loaded = [load_source(s) for s in sources]
        flat = [r for x in loaded for r in (x if isinstance(x, list) else [x])]
        return (flat[0] if len(flat) == 1 else flat), None, None, None
    refs, description, comparison = list(sources), None, None
    comparisons = list_presets("comparisons")["comparisons"]
    if len(refs) == 1 and (refs[0] in comparisons or f"comparisons/{refs[0]}" in comparisons):
        comparison = refs[0].removeprefix("comparisons/")
        _title, description, refs = load_comparison(comparison)
    if reps < 1:
        raise SimInputError.single("--reps", str(reps), "must be at least 1")
    if reps == 1:
        from sim.analysis.compare import run_comparison

        if len(refs) == 1:
            sc = sim.resolve(refs[0], overrides)
            with progress() as bar:
                task = bar.add_task(literal(sc.name), total=sc.run.days)
                res = sim.run(sc, seed=seed, progress=lambda d, t: bar.update(task, completed=d))
            return res, None, description, comparison
        with progress() as bar:
            tick = named_ticker(bar)

            return run_comparison(refs, overrides, seed=seed, progress=tick), None, description, comparison
    from sim.analysis.compare import compare_scenarios
    from sim.analysis.execution import Execution
    from sim.analysis.executors import DEFAULT_DAILY, make_executor
    from sim.model import layout as L

    daily = tuple(dict.fromkeys((*DEFAULT_DAILY, "revenue_public", "revenue_private", "mean_trust", *L.MONEY)))
    # the pool forks its workers before the progress bar's thread starts (see sim.cli.common.RunOn.start)
    with make_executor("process", tasks=reps * len(refs)) as ex, progress() as bar:
        task = bar.add_task("replicates", total=None)
        run_on = Execution(seed=seed, overrides=tuple(overrides), executor=ex,
                           progress=lambda d, t: bar.update(task, completed=d, total=t))
        ce = compare_scenarios(refs, reps, execution=run_on, daily_columns=daily)
    results = {name: sim.run(e.scenario, seed=e.seeds[0]) for name, e in ce.ensembles.items()}
    return ce, results, description, comparison
