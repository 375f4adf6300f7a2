"""Big jobs show progress: on a terminal, the analysis and decision commands draw a bar counting runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--set", "run.population=600", "--set", "run.days=60", "--serial"]


def _drain(fd: int, into: list[bytes]) -> None:
    """Read a pseudo-terminal until it closes (a full terminal buffer would block the command)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into.append(chunk)


def _on_a_terminal(args: list[str]) -> str:
    """Run ``ptsim ARGS`` with a pseudo-terminal as its stdout and stderr; everything it drew, controls removed."""
    import pty

    primary, secondary = pty.openpty()
    drained: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(primary, drained), daemon=True)
    reader.start()
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *args], stdin=secondary, stdout=secondary,
                          stderr=secondary, env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color",
                                                 "COLUMNS": "160"},
                          cwd=ROOT, timeout=600, check=False)
    os.close(secondary)
    reader.join(timeout=10)
    text = b"".join(drained).decode(errors="replace")
    assert proc.returncode == 0, text[-2000:]
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal is needed")
@pytest.mark.parametrize(("args", "total"), [
    (["risk", "japan_in_japan", "-n", "3"], 3),
    (["sweep", "china_in_china", "-p", "messaging.per_week=1,7", "--reps", "2", "--versus", "china_in_china",
      "--no-save"], 4),
])
def test_commands_count_their_runs_on_a_terminal(args: list[str], total: int) -> None:
    """The bar shows ``done/total runs`` and reaches the total (a decision command and a paired sweep)."""
    drawn = _on_a_terminal([*args, *SMALL])
    counts = {(int(d), int(t)) for d, t in re.findall(r"(\d+)/(\d+) runs", drawn)}
    assert (total, total) in counts, drawn[-1500:]
    assert all(t == total and d <= t for d, t in counts), counts
