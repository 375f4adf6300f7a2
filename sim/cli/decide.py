"""Decision commands of the CLI: breakeven, attribute, risk, cohorts, budget, pareto (issue 15).

Each command checks its input before the first run, shows a progress bar with the count of runs,
hands the runs to a local pool (``--workers``), this process (``--serial``) or a Dask cluster
(``--scheduler``), prints its findings and, with ``--out``, writes them atomically to a result folder.
Every name that comes from the user (scenario and brand names, paths) is printed literally: tables and
sentences are built from :class:`rich.text.Text`, never parsed as markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from sim.cli.analysis import (
    BrandOpt,
    DayOpt,
    OverwriteOpt,
    RepsOpt,
    _day_of,
    _params,
    _show,
)
from sim.cli.common import LOCAL, RunOn, SetOpt, check_lang, check_target, line, out, with_run_on
from sim.cli.common import fail as _fail
from sim.errors import SimInputError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the decision commands (breakeven, attribute, risk, cohorts, budget, pareto) to ``app``."""
    for command in (breakeven, attribute, risk, cohorts, budget, pareto):
        app.command()(with_run_on(command))


OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write the results to this folder (atomic).")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of the sentences: en, zh or ja.")]


_lang = check_lang


def _table(title: str, frame: pd.DataFrame, fmt: dict[str, Any] | None = None) -> Table:
    """A rich table of a frame; every cell is literal text."""
    t = Table(title=line(title), title_justify="left")
    for c in frame.columns:
        t.add_column(line(str(c)), justify="left" if frame[c].dtype == object else "right")
    fmt = fmt or {}
    for _, r in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = r[c]
            f = fmt.get(c)
            cells.append(line(f(v) if f else (f"{v:,.4g}" if isinstance(v, float) else str(v))))
        t.add_row(*cells)
    return t


def _say(text: str) -> None:
    out.print(line(text))


def _save(target: Path | None, files: dict[str, bytes], kind: str, overwrite: bool) -> None:
    from sim.results.result import write_folder

    if target is None:
        return
    _check_target(target, overwrite)
    path = write_folder(target, files, overwrite=overwrite, extra_manifest={"kind": kind})
    _say(f"saved to {path}")


def _check_target(target: Path | None, overwrite: bool) -> None:
    """Before any run (and again before writing): refuse an ``--out`` that would be refused when saving.

    An existing path needs ``--overwrite``, and even then only an empty folder or a complete ptsim result
    may be replaced (never a symbolic link or a folder of the user's): the same rule as every other command.
    """
    if target is not None:
        check_target(target, overwrite)


def _money(currency: str) -> Any:
    from sim.format import human

    return lambda v: human(float(v), "currency", currency)


# ---- breakeven -------------------------------------------------------------------------------------


def breakeven(
    a: Annotated[str, typer.Argument(help="Scenario A (preset or YAML), whose lever moves.")],
    b: Annotated[str, typer.Argument(help="Scenario B, the alternative.")],
    param: Annotated[str, typer.Option("--param", "-p", help="PATH=LOW:HIGH: the lever or assumption and its range.")],
    kpi: Annotated[str, typer.Option("--kpi", help="KPI whose paired difference A - B decides.")] = "profit",
    both: Annotated[bool, typer.Option("--both", help="Set the value on B too (a market assumption).")] = False,
    reps: RepsOpt = 8,
    grid: Annotated[int, typer.Option("--grid", help="Points of the bracketing pass.")] = 5,
    tol: Annotated[float | None, typer.Option("--tol", help="Bisection tolerance (default range/1000).")] = None,
    max_evals: Annotated[int, typer.Option("--max-evals", help="Most lever values evaluated.")] = 40,
    day: DayOpt = None,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    lang: LangOpt = "en",
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Find the value of a lever or assumption at which A stops beating B (with its interval)."""
    from sim.analysis.robustness import breakeven as run_breakeven

    try:
        lang = _lang(lang)
        ranges = _params([param], "--param")
        path, rng = next(iter(ranges.items()))
        if ":" not in rng:
            raise SimInputError.single("--param", param, "must look like PATH=LOW:HIGH")
        lo_s, hi_s = rng.split(":", 1)
        try:
            lo, hi = float(lo_s), float(hi_s)
        except ValueError:
            raise SimInputError.single("--param", param, "LOW and HIGH must be numbers") from None
        d0 = _day_of(day, [a, b], set_)
        _check_target(out_dir, overwrite)
        with run_on.start("break-even", reps, set_) as execution:
            res = run_breakeven(a, b, path, lo, hi, kpi=kpi, both=both, reps=reps, grid=grid, tol=tol,
                                max_evals=max_evals, day=d0,
                                execution=execution)
        _show(_table(f"{res.a} - {res.b}: {res.kpi} by {res.path}", res.evaluations))
        _say(res.sentence(lang))
        _say(f"{res.meta['runs']:,} runs, {res.meta['evaluations']} lever values, {reps} common seeds each")
        summary = {"a": res.a, "b": res.b, "path": res.path, "low": res.low, "high": res.high, "kpi": res.kpi,
                   "both": res.both, "flip": res.flip, "interval": res.interval, "open_ends": res.open_ends,
                   "seeds": res.seeds, "sentence": res.sentence(lang), **res.meta}
        _save(out_dir, {"evaluations.csv": res.evaluations.to_csv(index=False).encode(),
                        "breakeven.json": json.dumps(summary, indent=2, default=str).encode()},
              "breakeven", overwrite)
    except SimInputError as exc:
        _fail(exc)


# ---- attribute -------------------------------------------------------------------------------------


def attribute(
    a: Annotated[str, typer.Argument(help="Scenario A.")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    reps: RepsOpt = 10,
    day: DayOpt = None,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    lang: LangOpt = "en",
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Split the paired profit gap A - B by ledger item and by mechanism, with intervals."""
    from sim.analysis.attribution import LEDGER_DAILY, why_lines
    from sim.analysis.attribution import attribute as run_attribute
    from sim.analysis.compare import compare_scenarios

    try:
        lang = _lang(lang)
        d0 = _day_of(day, [a, b], set_)
        _check_target(out_dir, overwrite)
        with run_on.start("attribution", 2 * reps, set_) as execution:
            comp = compare_scenarios([a, b], reps, daily_columns=(*LEDGER_DAILY, "profit"),
                                     execution=execution)
        at = run_attribute(comp, day=d0)
        money = _money(at.currency)
        fmt = {"mean": money, "ci_low": money, "ci_high": money, "share_of_gap": lambda v: f"{100 * v:.1f}%"}
        items = at.by_item()
        _show(_table(f"{at.a} - {at.b}: profit gap by ledger item, day {at.day + 1}, {at.n} paired runs",
                     items[items["mean"] != 0], fmt))
        _show(_table("by mechanism", at.by_mechanism(), fmt))
        tot = at.total()
        _say(f"gap {money(tot['mean'])} (95% interval {money(tot['ci_low'])} to {money(tot['ci_high'])})")
        for line in why_lines(at, lang, bold=False):
            _say(line)
        _save(out_dir, {"by_item.csv": items.to_csv(index=False).encode(),
                        "by_mechanism.csv": at.by_mechanism().to_csv(index=False).encode(),
                        "per_seed.csv": at.per_seed.assign(seed=comp.seeds).to_csv(index=False).encode(),
                        "attribution.json": json.dumps({"a": at.a, "b": at.b, "day": at.day, "total": tot,
                                                        "currency": at.currency,
                                                        "why": why_lines(at, lang, bold=False)},
                                                       indent=2, default=str).encode()},
              "attribute", overwrite)
    except SimInputError as exc:
        _fail(exc)


# ---- risk ------------------------------------------------------------------------------------------


def risk(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    reps: RepsOpt = 50,
    brand: BrandOpt = None,
    day: DayOpt = None,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    stress: Annotated[list[str] | None, typer.Option(
        "--stress", help="KIND:DAY[:SIZE], a stress on a day of the run (from 1) against the unstressed twin on "
                         "common seeds: breach, enforcement (x the regime's), channel_ban (share of members who "
                         "leave), ad_price (0.5 = +50%). Repeatable.")] = None,
) -> None:
    """Chance of a loss at the horizon, P5/P50/P95 profit and the break-even month over replicates.

    With ``--stress``, each stress is run against its unstressed twin instead (paired, common seeds).
    """
    from sim.analysis.risk import parse_stress
    from sim.analysis.risk import risk as run_risk

    try:
        d0 = _day_of(day, [scenario], set_)
        _check_target(out_dir, overwrite)
        if stress:
            _stress(scenario, [parse_stress(t) for t in stress], reps, brand, d0, set_, run_on, out_dir, overwrite)
            return
        with run_on.start("risk", reps, set_) as execution:
            r = run_risk(scenario, reps, brand=brand, day=d0, execution=execution)
        money = _money(r.currency)
        p = r.p_loss()
        q = r.profit_percentiles()
        _say(f"{r.scenario.name} / {r.brand}, day {r.day + 1}, {r.n} replicates")
        _say(f"probability of a loss: {100 * p['p']:.1f}% (95% interval {100 * p['low']:.1f}% to "
             f"{100 * p['high']:.1f}%; {p['losses']} of {p['n']} runs)")
        _say(f"profit P5 {money(q['p05'])}, P50 {money(q['p50'])}, P95 {money(q['p95'])} (mean {money(q['mean'])})")
        months = r.breakeven_months()
        _show(_table("break-even month (0 = never in loss; never = not by the horizon)", months,
                     {"share": lambda v: f"{100 * v:.1f}%",
                      "cumulative": lambda v: "" if v != v else f"{100 * v:.1f}%"}))
        _save(out_dir, {"samples.csv": r.samples.to_csv(index=False).encode(),
                        "breakeven_months.csv": months.to_csv(index=False).encode(),
                        "risk.json": json.dumps({**r.summary(), "seeds": r.seeds, **r.meta}, indent=2,
                                                default=str).encode()},
              "risk", overwrite)
    except SimInputError as exc:
        _fail(exc)


def _stress(scenario: str, stresses: list[Any], reps: int, brand: str | None, day: int | None, set_: Any,
            run_on: RunOn, out_dir: Path | None, overwrite: bool) -> None:
    """Print (and save) each stress against its unstressed twin."""
    from sim.analysis.risk import stress_test

    files: dict[str, bytes] = {}
    summaries = []
    for j, st in enumerate(stresses):
        with run_on.start(f"stress {st.kind}", 2 * reps, set_) as execution:
            r = stress_test(scenario, st, reps, brand=brand, day=day, execution=execution)
        money = _money(r.currency)
        p = r.p_loss()
        _say(f"{r.scenario.name} / {r.brand}: {st.kind} of size {st.size:g} on day {st.day + 1}, read on day "
             f"{r.day + 1}, {r.n} paired replicates (common random numbers)")
        effects = r.effects()
        for c in ("unstressed", "stressed", "change", "ci_low", "ci_high"):
            effects[c] = [money(v) if k in ("profit", "revenue") else f"{v:,.4g}"
                          for k, v in zip(effects["kpi"], effects[c], strict=True)]
        _show(_table("effect of the stress (stressed minus unstressed, 95% interval)", effects))
        _say(f"probability of a loss: {100 * p['unstressed']:.1f}% unstressed, {100 * p['stressed']:.1f}% stressed "
             f"(95% interval {100 * p['stressed_low']:.1f}% to {100 * p['stressed_high']:.1f}%)")
        files[f"stress_{j}_samples.csv"] = r.samples.to_csv(index=False).encode()
        summaries.append({**r.summary(), "seeds": r.seeds, **r.meta})
    files["stress.json"] = json.dumps(summaries, indent=2, default=str).encode()
    _save(out_dir, files, "stress", overwrite)


# ---- cohorts ---------------------------------------------------------------------------------------


def cohorts(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    reps: RepsOpt = 3,
    brand: BrandOpt = None,
    terminal_value: Annotated[bool, typer.Option("--terminal-value", help="Include the pool's terminal value at "
                                                 "the horizon (an extrapolation; off by default).")] = False,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Retention, revenue and payback by join source and month; LTV with referrals; acquisition cost."""
    from sim.analysis.cohorts import cohorts as run_cohorts

    try:
        _check_target(out_dir, overwrite)
        with run_on.start("cohorts", reps, set_) as execution:
            rep = run_cohorts(scenario, reps, brand=brand, terminal_value=terminal_value,
                              execution=execution)
        money = _money(rep.scenario.market.currency)
        pct = lambda v: f"{100 * v:.1f}%"  # noqa: E731
        months = lambda v: "n/a" if v != v else f"{v:.1f}"  # noqa: E731
        fmt = {"members": lambda v: f"{v:,.0f}", "retention": pct, "revenue_per_member": money,
               "contribution_per_member": money, "ltv_with_referrals": money, "monthly_contribution": money,
               "acquisition_cost": money, "cost_per_member": money, "payback_month": months}
        _show(_table(f"{rep.scenario.name} / {rep.brand}: by join source ({reps} runs)", rep.by_source, fmt))
        _show(_table("by join month", rep.by_month, {**fmt, "month": lambda v: f"{int(v)}"}))
        s = rep.summary
        _say(f"members {s['members']:,.0f}, retained {100 * s['retention']:.1f}%; LTV {money(s['ltv_own'])} own + "
             f"{money(s['ltv_referred'])} from the members they referred = {money(s['ltv_with_referrals'])}; "
             f"acquisition cost per member {money(s['cost_per_member'])} (every acquisition spend)")
        if rep.terminal is None:
            _say("terminal value of the pool: not included (option --terminal-value)")
        else:
            tv = rep.terminal
            _say(f"terminal value of the pool (an extrapolation): {money(tv['value'])} = {tv['members']:,.0f} "
                 f"members x {money(tv['monthly_contribution'])} a month, monthly retention "
                 f"{100 * tv['monthly_retention']:.1f}%, monthly discount {100 * tv['monthly_discount']:.2f}%")
        _save(out_dir, {"by_source.csv": rep.by_source.to_csv(index=False).encode(),
                        "by_month.csv": rep.by_month.to_csv(index=False).encode(),
                        "cohorts.json": json.dumps({"summary": s, "terminal": rep.terminal, **rep.meta}, indent=2,
                                                   default=str).encode()},
              "cohorts", overwrite)
    except SimInputError as exc:
        _fail(exc)


# ---- budget ----------------------------------------------------------------------------------------


def budget(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    total: Annotated[float, typer.Option("--budget", help="Total acquisition budget over the horizon.")],
    channel: Annotated[list[str] | None, typer.Option("--channel", help="ads, content, kol, hooks, "
                                                      "referral_rewards (repeatable; default: all priced).")] = None,
    constraint: Annotated[list[str] | None, typer.Option("--constraint", "-c", help="KPI<=X, KPI>=X (repeatable), "
                                                         "e.g. complaints<=100, mean_trust>=0.5.")] = None,
    reps: RepsOpt = 3,
    validation_reps: Annotated[int, typer.Option("--validation-reps", help="Fresh seeds for the plan.")] = 10,
    maxiter: Annotated[int, typer.Option("--maxiter", help="Generations of the search.")] = 10,
    popsize: Annotated[int, typer.Option("--popsize", help="Population multiplier.")] = 6,
    phase: Annotated[list[int] | None, typer.Option("--phase", help="Day (from 1) a new budget period starts, "
                                                    "e.g. 366 for year 1 against later (repeatable): each channel "
                                                    "gets one value per period.")] = None,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Split a total acquisition budget across channels for the most profit under constraints."""
    import yaml

    import sim
    from sim.analysis.budget import CHANNELS, plan_budget
    from sim.analysis.paths import scenario_doc

    try:
        _check_target(out_dir, overwrite)
        chans = channel
        if not chans:  # every channel the base scenario prices
            acq = sim.resolve(scenario, set_ or []).brands[0].strategy.acquisition
            unpriced = set()
            if not (acq.organic.cost_per_day > 0 and acq.organic.reach_per_day > 0):
                unpriced.add("content")
            if not (acq.kol.fee > 0 and acq.kol.reach > 0):
                unpriced.add("kol")
            chans = [c for c in CHANNELS if c not in unpriced]
        with run_on.start("budget", None, set_) as execution:
            plan = plan_budget(scenario, total, channels=chans, constraints=constraint or [], reps=reps,
                               validation_reps=validation_reps, maxiter=maxiter, popsize=popsize,
                               phases=[d - 1 for d in phase or []], execution=execution)
        money = _money(plan.currency)
        rows = plan.table()
        if len(plan.periods) == 1:
            rows = rows.drop(columns="period")
        _show(_table(f"{plan.scenario.name}: plan for a budget of {money(plan.budget)} "
                     f"({'feasible' if plan.feasible else 'NO feasible plan found'})", rows,
                     {"value": money, "planned_spend": lambda v: "" if v != v else money(v)}))
        f = plan.fresh.set_index("kpi")
        _say(f"in-sample ({reps} search seeds): profit {money(plan.in_sample['profit'])}, acquisition spend "
             f"{money(plan.in_sample['acquisition_spend'])}")
        _say(f"fresh seeds ({int(f.loc['profit', 'n'])}): profit {money(f.loc['profit', 'mean'])} (95% CI "
             f"{money(f.loc['profit', 'ci_low'])} to {money(f.loc['profit', 'ci_high'])}), acquisition spend "
             f"{money(f.loc['acquisition_spend', 'mean'])}")
        for name, ok in plan.fresh_holds().items():
            _say(f"{name}: {'holds' if ok else 'VIOLATED'} on the fresh seeds")
        if len(plan.periods) == 1:
            _say("rates are constant over the whole run (--phase DAY splits the budget over periods too)")
        _save(out_dir, {"plan.yaml": yaml.safe_dump(scenario_doc(plan.plan_scenario), sort_keys=False,
                                                    allow_unicode=True).encode(),
                        "history.csv": plan.history.to_csv(index=False).encode(),
                        "fresh.csv": plan.fresh.to_csv(index=False).encode(),
                        "plan.json": json.dumps({"budget": plan.budget, "plan": plan.plan, "feasible": plan.feasible,
                                                 "periods": [[a + 1, b] for a, b in plan.periods],
                                                 "by_period": plan.by_period,
                                                 "in_sample": plan.in_sample, "fresh_holds": plan.fresh_holds(),
                                                 **plan.meta}, indent=2, default=str).encode()},
              "budget", overwrite)
    except SimInputError as exc:
        _fail(exc)


# ---- pareto ----------------------------------------------------------------------------------------


def pareto(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML.")],
    lever: Annotated[list[str], typer.Option("--lever", "-l", help="PATH=LOW:HIGH (repeatable).")],
    objective: Annotated[list[str] | None, typer.Option("--objective", help="Two or three KPIs (repeatable; "
                                                        "default profit and complaints).")] = None,
    constraint: Annotated[list[str] | None, typer.Option("--constraint", "-c", help="KPI<=X (repeatable).")] = None,
    reps: RepsOpt = 2,
    pop_size: Annotated[int, typer.Option("--pop-size", help="NSGA-II population.")] = 12,
    generations: Annotated[int, typer.Option("--generations", help="NSGA-II generations.")] = 6,
    set_: SetOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """The Pareto front of two or three objectives (NSGA-II); --out writes every point as a runnable YAML."""
    from sim.analysis.pareto import pareto as run_pareto

    try:
        _check_target(out_dir, overwrite)
        with run_on.start("pareto", pop_size * reps, set_) as execution:
            res = run_pareto(scenario, _params(lever, "--lever"), objective or ["profit", "complaints"],
                             constraints=constraint or [], reps=reps, pop_size=pop_size, generations=generations,
                             execution=execution)
        cols = [r.path for r in res.levers] + res.objectives
        _show(_table(f"{res.base.name}: Pareto front of {', '.join(res.objectives)} "
                     f"({res.meta['evaluations']} candidates, {res.meta['runs']:,} runs)",
                     res.front[cols].reset_index(names="point")))
        if out_dir is not None:
            path = res.save(out_dir, overwrite=overwrite)
            _say(f"saved to {path} (points/point_N.yaml run as scenarios: ptsim run {path}/points/point_0.yaml)")
    except SimInputError as exc:
        _fail(exc)
