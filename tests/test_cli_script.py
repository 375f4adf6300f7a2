"""The ``ptsim`` program (:func:`sim.cli.script`): the same output and exit status as :func:`sim.cli.main`.

The script pauses the garbage collector while the commands load and ends the process without the
interpreter's teardown (issue 12, cold start). Each case runs in a child process, as a user's shell
would, and is checked against what a user relies on: every line printed (also into a pipe), the exit
status of success and of each failure, the exit handlers that must still run, and the collector
running again for the command itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "run.population=300", "--set", "run.days=40"]


def _child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)


def _script(args: list[str], before: str = "") -> subprocess.CompletedProcess[str]:
    return _child(f"import sys\n{before}\nfrom sim.cli import script\nscript({args!r})\n"
                  "raise AssertionError('script() returned')")


def _untimed(text: str) -> str:
    """The output without the run's wall-clock time (the only line that differs between two runs)."""
    return re.sub(r" days in \d+\.\d\d s$", " days in T s", text, flags=re.MULTILINE)


def _main(args: list[str]) -> subprocess.CompletedProcess[str]:
    return _child(f"import sys\nsys.argv = ['ptsim', *{args!r}]\nfrom sim.cli import main\nmain()")


@pytest.mark.parametrize("args", [
    ["run", "china_in_china", "--no-save", *TINY],  # an engine command
    ["list"],  # a command that runs no model
    ["run", "no_such_preset", "--no-save"],  # a user mistake: exit 2, one error line
    ["run", "china_in_china", "--no-save", "--set", "run.population=-5"],  # a bad value
    ["no-such-command"],  # a usage error
])
def test_script_prints_and_exits_as_main_does(args: list[str]) -> None:
    """Every byte main prints, on the same stream, and its exit status; nothing left in a buffer."""
    fast, slow = _script(args), _main(args)
    assert fast.returncode == slow.returncode, (fast.stderr, slow.stderr)
    assert _untimed(fast.stdout) == _untimed(slow.stdout)
    assert fast.stderr == slow.stderr
    assert "Traceback" not in fast.stderr


def test_engine_run_output_is_complete_in_a_pipe() -> None:
    """Piped output (block-buffered) is flushed before the process ends: the last line is there."""
    done = _script(["run", "china_in_china", "--no-save", *TINY])
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].startswith("300 consumers x 40 days in ")


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    """Handlers registered with atexit (log handlers, temporary folders, pools) run before the process ends."""
    mark = tmp_path / "ran.txt"
    before = (f"import atexit, pathlib\n"
              f"atexit.register(lambda: pathlib.Path({str(mark)!r}).write_text('yes'))")
    done = _script(["list"], before)
    assert done.returncode == 0, done.stderr
    assert mark.read_text() == "yes"


def test_collector_runs_for_the_command_and_engine_modules_load_only_for_engine_commands(tmp_path: Path) -> None:
    """The collector is paused only while the commands load; ``list`` still loads no model."""
    out = tmp_path / "state.json"
    probe = (f"import atexit, gc, json, pathlib\n"
             f"atexit.register(lambda: pathlib.Path({str(out)!r}).write_text(json.dumps("
             f"{{'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count(), "
             f"'model': 'sim.model.market' in sys.modules}})))")
    for args, model in ((["list"], False), (["run", "china_in_china", "--no-save", *TINY], True)):
        done = _script(args, probe)
        assert done.returncode == 0, done.stderr
        state = json.loads(out.read_text())
        assert state["enabled"] is True and state["frozen"] > 0
        assert state["model"] is model


def test_sys_exit_with_text_prints_it_and_exits_1() -> None:
    """``sys.exit('text')`` inside a command: the text on stderr and status 1, as Python does."""
    done = _child("from sim.cli import _leave\n_leave('stopped: reason')\n")
    assert done.returncode == 1
    assert done.stderr == "stopped: reason\n"
    assert _child("from sim.cli import _leave\n_leave(None)\n").returncode == 0
    assert _child("from sim.cli import _leave\n_leave(3)\n").returncode == 3
