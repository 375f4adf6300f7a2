"""``ptsim calibrate customers|series``: fit the model to data.

Customer transaction logs are fitted with BG/NBD and Gamma-Gamma; observed KPI time series by least squares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from sim.cli.analysis import (
    BrandOpt,
    NoSaveOpt,
    OutOpt,
    OverwriteOpt,
    _num,
    _params,
    _saved,
    _show,
    _target,
)
from sim.cli.common import LOCAL, RunOn, SetOpt, fail, out, with_run_on
from sim.errors import SimInputError


def register(app: typer.Typer) -> None:
    """Add the ``calibrate`` group (``customers``, ``series``) to ``app``."""
    calibrate_app = typer.Typer(
        help="Fit the model to data: customer logs (BG/NBD, Gamma-Gamma) or KPI time series.", no_args_is_help=True
    )
    calibrate_app.command("customers")(calibrate_customers)
    calibrate_app.command("series")(with_run_on(calibrate_series))
    app.add_typer(calibrate_app, name="calibrate")


def calibrate_customers(
    data: Annotated[
        Path,
        typer.Argument(
            help="Transaction log CSV (customer_id, date[, amount]) "
            "or RFM CSV (frequency, recency, T[, monetary_value])."
        ),
    ],
    base: Annotated[str, typer.Option("--base", "-b", help="Scenario whose market receives the fitted traits.")],
    set_: SetOpt = None,
    time_unit: Annotated[str, typer.Option("--time-unit", help="Unit of RFM times: days, weeks or years.")] = "weeks",
    observation_end: Annotated[
        str | None, typer.Option("--observation-end", help="End of observation (default: last date in the log).")
    ] = None,
    date_format: Annotated[
        str | None, typer.Option("--date-format", help="strptime format of dates (default ISO 8601).")
    ] = None,
    segment: Annotated[
        list[str] | None, typer.Option("--segment", help="Segment(s) to calibrate (default: all).")
    ] = None,
    basket: Annotated[str, typer.Option(help="Basket distribution: lognormal or gamma.")] = "lognormal",
    name: Annotated[str | None, typer.Option(help="Name of the calibrated scenario.")] = None,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Fit BG/NBD purchase/dropout (and Gamma-Gamma spend) by maximum likelihood; write a calibrated scenario."""
    from sim.analysis import calibrate_customers as fit

    try:
        import sim

        sc = sim.resolve(base, set_ or [])
        target = _target(name or f"{sc.name}_calibrated", "calibrate", out_dir, overwrite, no_save)
        res = fit(
            data,
            sc,
            time_unit=time_unit,
            observation_end=observation_end,
            date_format=date_format,
            segments=segment,
            basket=basket,
            name=name,
        )
        t = Table(title=f"{res.bgnbd.n_customers:,} customers from {data.name} ({res.kind})", title_justify="left")
        for c in ("model", "parameter", "value", "std. error", "unit"):
            t.add_column(c, justify="right" if c in ("value", "std. error") else "left")
        for _, r in res.parameters().iterrows():
            t.add_row(
                r["model"], r["parameter"], f"{r['value']:.4g}", "" if pd.isna(r["se"]) else f"{r['se']:.3g}", r["unit"]
            )
        _show(t)
        segs = ", ".join(segment) if segment else "every segment"
        out.print(f"written into {segs} of {sc.name}:")
        for k, v in res.traits.items():
            out.print(
                f"  {k}: "
                + "{"
                + ", ".join(f"{a}: {b:.4g}" if isinstance(b, float) else f"{a}: {b}" for a, b in v.items())
                + "}"
            )
        for note in res.notes:
            out.print(f"note: {note}")
        _saved(res.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)


def calibrate_series(
    observed: Annotated[
        Path,
        typer.Argument(help="CSV with a month (1-based) or day column and series columns (pool_size, revenue, ...)."),
    ],
    base: Annotated[str, typer.Option("--base", "-b", help="Scenario to fit.")],
    param: Annotated[
        list[str], typer.Option("--param", "-p", help="PATH=LOW:HIGH, a parameter to fit and its bounds.")
    ],
    set_: SetOpt = None,
    reps: Annotated[int, typer.Option("--reps", help="Common seeds averaged per evaluation.")] = 2,
    max_evals: Annotated[int, typer.Option("--max-evals", help="Most least-squares evaluations.")] = 20,
    brand: BrandOpt = None,
    run_on: RunOn = LOCAL,
    out_dir: OutOpt = None,
    overwrite: OverwriteOpt = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Fit scenario parameters to observed KPI series by least squares on the Monte Carlo mean."""
    import sim
    from sim.analysis import fit_series

    try:
        sc = sim.resolve(base, set_ or [])
        target = _target(sc.name, "fit", out_dir, overwrite, no_save)
        with run_on.start(f"fit {sc.name}") as execution:
            res = fit_series(
                sc,
                observed,
                _params(param, "--param"),
                brand=brand,
                reps=reps,
                max_evals=max_evals,
                execution=execution,
            )
        t = Table(
            title=f"fitted parameters ({res.meta['evaluations']} evaluations, {res.meta['runs']:,} runs)",
            title_justify="left",
        )
        for c in ("parameter", "value", "range"):
            t.add_column(c, justify="left" if c == "parameter" else "right")
        for r in res.params:
            t.add_row(r.label, _num(res.x[r.path]), f"{r.low:g} to {r.high:g}")
        _show(t)
        q = Table(title="fit quality", title_justify="left")
        for c in ("series", "n", "RMSE", "RMSE / RMS", "R²"):
            q.add_column(c, justify="left" if c == "series" else "right")
        for _, r in res.quality.iterrows():
            q.add_row(
                r["series"],
                str(r["n"]),
                "" if pd.isna(r["rmse"]) else f"{r['rmse']:,.4g}",
                f"{r['nrmse']:.3f}",
                "n/a" if pd.isna(r["r2"]) else f"{r['r2']:.3f}",
            )
        _show(q)
        _saved(res.save(target, overwrite=overwrite) if target else None)
    except SimInputError as exc:
        fail(exc)
