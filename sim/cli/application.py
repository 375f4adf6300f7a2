"""The ``ptsim`` Typer application and :func:`main`, which runs it without a traceback for a known failure.

The commands live in one module per group; each group module has a ``register(app)`` function and no
import side effects. :data:`GROUPS` lists them in the order ``ptsim --help`` shows them. To add a
command group, write a module with ``def register(app: typer.Typer) -> None`` that adds its commands
(``app.command()(my_command)`` or ``app.add_typer(...)``), and add one line naming it to :data:`GROUPS`.

Exit status (see :mod:`sim.cli.common`): 0 success; 2 a user mistake (bad scenario, option, path or
data, one ``error:`` line, never a traceback); 3 runs lost to dead workers or a lost Dask scheduler
(finished work kept where the command can keep it); 1 a file-system failure naming the file; 130 Ctrl-C.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import typer

from sim.cli.common import EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_IO, EXIT_USAGE, err, line

__all__ = ["EXIT_INCOMPLETE", "EXIT_INTERRUPTED", "EXIT_IO", "EXIT_USAGE", "GROUPS", "app", "build_app", "main"]

#: The command-group modules, in help order; each has ``register(app)``.
GROUPS = (
    "sim.cli.run",  # run, validate, schema, list
    "sim.cli.compare",  # compare (single seed, or --reps)
    "sim.cli.analysis",  # replicate, sweep, sensitivity, optimise
    "sim.cli.calibrate",  # calibrate customers | series
    "sim.cli.report",  # report
    "sim.cli.decide",  # breakeven, attribute, risk, cohorts, budget, pareto (issue 15)
    "sim.cli.tournament",  # tournament (a class competition)
)


def build_app(groups: tuple[str, ...] = GROUPS) -> typer.Typer:
    """A new ``ptsim`` application with the commands of ``groups`` registered on it."""
    new = typer.Typer(
        name="ptsim",
        help="The private-traffic strategy sandbox: simulate public vs private traffic strategies.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    for name in groups:
        importlib.import_module(name).register(new)
    return new


app = build_app()


def _show_warning(message, category, filename, lineno, file=None, line_=None) -> None:  # noqa: ANN001
    """Scenario warnings print as one literal ``note:`` line on stderr; other warnings as Python prints them."""
    from sim.scenario.schema import ScenarioWarning

    if issubclass(category, ScenarioWarning):
        err.print(line(("note:", "bold yellow"), " ", str(message)), soft_wrap=True)
    else:
        _python_show_warning(message, category, filename, lineno, file, line_)


_python_show_warning = warnings.showwarning


def main() -> None:
    """Console-script entry point, never a traceback for a known failure (exit codes in the module docstring)."""
    warnings.showwarning = _show_warning
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted; nothing was saved")
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        err.print(line(f"error: could not read or write{where}: {exc.strerror or exc}"), soft_wrap=True)
        sys.exit(EXIT_IO)
    except RuntimeError as exc:
        executors = sys.modules.get("sim.analysis.executors")  # loaded if runs were made; not imported here (slow)
        if executors is None or not isinstance(exc, executors.RunsFailed):
            raise
        err.print(line(f"error: {exc}; nothing was saved"), soft_wrap=True)
        sys.exit(EXIT_INCOMPLETE)
    except typer.TyperException as exc:  # usage errors: unknown command or option, bad value
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err.print(line(f"error: {exc}"))
        sys.exit(int(getattr(exc, "exit_code", EXIT_USAGE)))
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C inside a command into a quiet exit code 130
        err.print("interrupted; nothing was saved")
    sys.exit(code if isinstance(code, int) else 0)

