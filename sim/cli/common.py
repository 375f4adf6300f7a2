r"""What every command group of the CLI shares.

Consoles that print user text literally, the error exit, progress bars, the ``--set`` option, the
options that say where a multi-run command's runs go (:class:`RunOn`, :func:`with_run_on`),
output-path checks and default run-folder names.

User text (scenario, brand and segment names, keys, ``--set`` values, file names, messages that quote
them) reaches the terminal through :data:`out` and :data:`err`. Both are :class:`LiteralConsole`: rich
markup (``[bold]``, ``[/x]``, ``[link=...]``) and emoji codes are never interpreted, and control
characters (escape sequences, bells, carriage returns) are shown as visible escapes such as ``\\x1b``.
The CLI's own styling is applied with :func:`styled`, never by markup inside a string.
"""

from __future__ import annotations

import functools
import inspect
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim.errors import SimInputError
from sim.textsafe import literal

#: Exit status of a user mistake (bad scenario, option, path, data); every one prints one ``error:`` line.
EXIT_USAGE = 2
#: Exit status when runs were lost to dead worker processes or a lost Dask scheduler (finished work is kept
#: in the result folder, marked incomplete, where the command supports it).
EXIT_INCOMPLETE = 3
#: Exit status of a file-system failure (disk full, permission denied), with one line naming the file.
EXIT_IO = 1
#: Exit status after Ctrl-C.
EXIT_INTERRUPTED = 130

class LiteralConsole(Console):
    """A rich console for which every string is literal text: no markup, no emoji codes, no control characters.

    Strings become text through :meth:`render_str` (print arguments, table cells, titles), so the rule
    holds for tables and progress rows as well as for plain prints.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("emoji", False)
        kwargs.setdefault("highlight", False)
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:  # noqa: D102 (rich's docstring applies)
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(literal(text), **kwargs)


out = LiteralConsole()
err = LiteralConsole(stderr=True)


def styled(text: object, style: str) -> Text:
    """``text`` (user text allowed) shown literally in a rich ``style`` such as ``"bold red"``."""
    return Text(literal(text), style=style)


def line(*parts: object) -> Text:
    """One line from parts: plain values are literal text, ``(text, style)`` pairs are styled."""
    t = Text()
    for p in parts:
        if isinstance(p, tuple):
            t.append(literal(p[0]), style=p[1])
        else:
            t.append(literal(p))
    return t


HEADLINE_KPIS = (
    "pool_size", "active_members", "members_joined", "revenue", "private_share", "profit", "cac",
    "cost_per_member", "member_ltv", "ltv_cac", "payback_month", "k_factor", "viral_share",
    "unsubs_per_1000", "opt_outs", "complaints", "violations", "fines", "breaches", "mean_trust",
)

SetOpt = Annotated[
    list[str] | None, typer.Option("--set", "-s", help="Override a field: dotted.path=value (repeatable).")
]


def error_line(message: object) -> Text:
    """``error: MESSAGE`` with the message literal."""
    return line(("error:", "bold red"), " ", message)


def fail(exc: SimInputError) -> None:
    """Print ``exc`` as one error message and exit with :data:`EXIT_USAGE`."""
    err.print(error_line(exc), soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


def progress() -> Progress:
    """A transient progress bar over days on stderr (silent when stderr is not a terminal)."""
    return Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                    TextColumn("days"), TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def named_ticker(bar: Progress):
    """A ``tick(name, done, total)`` callback that keeps one progress row per scenario name."""
    tasks: dict[str, int] = {}

    def tick(name: str, done: int, total: int) -> None:
        if name not in tasks:
            tasks[name] = bar.add_task(literal(name), total=total)
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


def check_no_save(no_save: bool, out_dir: Path | None) -> None:
    """Refuse ``--no-save`` together with ``--out``: one says write nothing, the other where to write."""
    if no_save and out_dir is not None:
        raise SimInputError.single("--no-save", "", "cannot be combined with --out (write nothing, or write there: "
                                   "choose one)", str(out_dir))


def check_target(target: Path, overwrite: bool, option: str = "--out") -> None:
    """Before a run: refuse an existing ``target`` without ``--overwrite``, or one that may not be replaced."""
    from sim.results.folders import check_replaceable

    if (target.exists() or target.is_symlink()) and not overwrite:
        raise SimInputError.single(option, str(target), "already exists; choose another folder or pass --overwrite")
    check_out(target, option)
    if target.exists() or target.is_symlink():
        check_replaceable(target, option)


def safe_name(name: str, limit: int = 60) -> str:
    """A file-name-safe form of a scenario or brand name."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:limit] or "run"


def default_out(name: str) -> Path:
    """The default run folder ``runs/NAME-YYYYMMDD-HHMMSS-XXXX``: unique even for runs started in the same second.

    The random suffix makes collisions unlikely; saving with ``unique=True`` (see
    :func:`sim.results.folders.write_folder`) makes them impossible.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{safe_name(name)}-{stamp}-{secrets.token_hex(2)}"


# ---- where a command's runs go: the options every multi-run command shares -----------------------------

RootOpt = Annotated[
    int | None, typer.Option("--root-seed", help="Root seed of the replicate seeds (default: the scenario's run.seed).")
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", "-w", help="Worker processes of the local pool (default: all cores).")
]
SerialOpt = Annotated[bool, typer.Option("--serial", help="Run in this process, one run after another.")]
SchedOpt = Annotated[
    str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786); needs the dask extra.")
]


def check_lang(lang: str, option: str = "--lang") -> str:
    """``lang`` if it is a language of the sentences and reports (en, zh, ja); refused with ``option`` named."""
    from sim.i18n import LANGS

    if lang not in LANGS:
        raise SimInputError.single(option, "", f"must be one of {', '.join(LANGS)}", lang)
    return lang


def check_seed(seed: int | None, option: str) -> None:
    """Refuse a negative seed (NumPy's seed tree takes none) with a message naming ``option``."""
    if seed is not None and seed < 0:
        raise SimInputError.single("", option, "must be a whole number 0 or more", seed)


@dataclass(frozen=True)
class RunOn:
    """Where a multi-run command's runs go, from ``--root-seed``, ``--workers``, ``--serial`` and ``--scheduler``.

    Attributes:
        root_seed: Root of the seed tree (``None``: the scenario's ``run.seed``).
        workers: Processes of the local pool (``None``: the usable cores).
        serial: Run in this process, one run after another.
        scheduler: Address of a Dask scheduler (``None``: no Dask).
    """

    root_seed: int | None = None
    workers: int | None = None
    serial: bool = False
    scheduler: str | None = None

    def check(self) -> RunOn:
        """This, after refusing a value no run could use; every message names the option.

        Raises:
            SimInputError: A negative root seed, fewer than one worker, an empty scheduler address, or
                ``--serial`` together with ``--scheduler``.
        """
        check_seed(self.root_seed, "--root-seed")
        if self.workers is not None and self.workers < 1:
            raise SimInputError.single("", "--workers", "must be at least 1", self.workers)
        if self.scheduler is not None and not self.scheduler.strip():
            raise SimInputError.single("executor", "--scheduler", "is empty; give a Dask scheduler address such as "
                                       "tcp://host:8786, or leave the option out", self.scheduler)
        if self.serial and self.scheduler:
            raise SimInputError.single("options", "--serial", "cannot be combined with --scheduler")
        return self

    @property
    def kind(self) -> str:
        """``"serial"``, ``"dask"`` or ``"process"``."""
        return "serial" if self.serial else ("dask" if self.scheduler else "process")

    @contextmanager
    def start(self, title: str, tasks: int | None = None, overrides: Sequence[str] | None = ()) -> Iterator[Any]:
        """A :class:`sim.analysis.execution.Execution` on this executor, with a progress bar titled ``title``.

        The executor is made before the progress bar starts: a local pool forks its workers when it is
        made, and may only fork while this process runs no other thread
        (:func:`sim.analysis.executors.resolve_start_method`); the bar's refresh thread starts afterwards.

        Args:
            title: What the progress bar says (user text allowed: shown literally).
            tasks: Runs about to be submitted, when known (a pool never starts more processes).
            overrides: ``--set`` values applied to every scenario the analysis resolves itself.
        """
        from sim.analysis.execution import Execution  # on use: the CLI starts without the analysis layer
        from sim.analysis.executors import make_executor

        self.check()
        with (make_executor(self.kind, workers=self.workers, scheduler=self.scheduler, tasks=tasks) as ex,
              run_bar(title) as tick):
            yield Execution(seed=self.root_seed, overrides=tuple(overrides or ()), executor=ex, progress=tick)


#: The options' defaults: a local pool over the usable cores, the scenario's seed. A command declares
#: ``run_on: RunOn = LOCAL`` and :func:`with_run_on` puts the options in its place.
LOCAL = RunOn()

_RUN_ON_OPTIONS = {"root_seed": (RootOpt, None), "workers": (WorkersOpt, None), "serial": (SerialOpt, False),
                   "scheduler": (SchedOpt, None)}


def with_run_on(command: Callable[..., Any] | None = None, *, seed_help: str | None = None) -> Any:
    """Give a command the shared options ``--root-seed --workers --serial --scheduler`` in place of ``run_on``.

    The command declares one parameter ``run_on: RunOn``; Typer sees the four options at its place
    (same help texts and defaults for every command) and the command receives them checked, as one
    :class:`RunOn`. A bad value ends with one ``error:`` line naming the option (exit status 2) before
    anything runs.

    Args:
        command: The command function (when used as ``@with_run_on``).
        seed_help: Help of ``--root-seed`` where the default seed is not the scenario's (e.g. an arena's).
    """
    if command is None:
        return lambda f: with_run_on(f, seed_help=seed_help)
    options = dict(_RUN_ON_OPTIONS)
    if seed_help is not None:
        options["root_seed"] = (Annotated[int | None, typer.Option("--root-seed", help=seed_help)], None)
    hints = get_type_hints(command, include_extras=True)
    sig = inspect.signature(command)
    if "run_on" not in sig.parameters:
        raise TypeError(f"{command.__name__} has no run_on parameter")
    params: list[inspect.Parameter] = []
    for p in sig.parameters.values():
        if p.name == "run_on":
            params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
                       for n, (a, d) in options.items()]
        else:
            params.append(p.replace(annotation=hints.get(p.name, p.annotation), kind=inspect.Parameter.KEYWORD_ONLY))
    shown = sig.replace(parameters=params, return_annotation=hints.get("return", sig.return_annotation))
    counts = {p.name: _option_names(p.annotation) for p in params if p.name in _COUNT_PARAMETERS}

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        from sim.analysis.replicate import check_reps

        fields = {n: kwargs.pop(n, d) for n, (_, d) in options.items()}
        try:
            run_on = RunOn(**fields).check()
            for name, option in counts.items():
                if kwargs.get(name) is not None:
                    check_reps(kwargs[name], option)
        except SimInputError as exc:
            fail(exc)
        return command(**kwargs, run_on=run_on)

    wrapper.__signature__ = shown  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params} | {"return": shown.return_annotation}
    del wrapper.__wrapped__  # Typer and inspect read the signature above, not the command's
    return wrapper


#: Parameters of multi-run commands that count replicates; checked, with the option named as the user sees it
#: (``-n/--reps``, ``--validation-reps``), before the command starts.
_COUNT_PARAMETERS = ("reps", "validation_reps")


def _option_names(annotation: Any) -> str:
    """The option names of an ``Annotated[..., typer.Option(...)]`` parameter, short first: ``-n/--reps``."""
    for meta in getattr(annotation, "__metadata__", ()):
        # (Typer keeps an Annotated option's first name in ``default`` and the others in ``param_decls``)
        decls = [d for d in (getattr(meta, "default", None), *(getattr(meta, "param_decls", None) or ()))
                 if isinstance(d, str) and d.startswith("-")]
        if decls:
            return "/".join(sorted(decls, key=len))
    return "--reps"


@contextmanager
def run_bar(title: str) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar over runs on stderr (silent when not a terminal); yields ``tick(done, total)``."""
    bar = Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task(literal(title), total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick
