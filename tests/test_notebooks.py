"""The teaching notebooks: stored without outputs, run at small size, and their numeric claims checked.

Every notebook runs top to bottom at small size, and every prose claim that depends on a number is checked
by a check cell (:mod:`sim.teaching`) when it runs.

Each notebook reads ``SIM_NOTEBOOK_SMALL=1`` and shrinks its population, horizon and replicates, so
the whole set executes in a few minutes on one core. The kernel is this test's own
interpreter (a kernelspec written to a temporary ``JUPYTER_PATH``), so a fresh checkout needs no
``ipykernel install`` step. A check cell whose claim the output contradicts raises
:class:`sim.teaching.ClaimMismatch`, which stops the notebook and fails ``test_executes_at_small_size``
with the claim's text (``test_a_false_claim_fails_the_notebook`` proves that on a scratch notebook).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
KERNEL = "ptsim-test-python"
PACK = ROOT / "docs" / "teaching" / "instructor_pack.md"
#: ``exercise("03-E2", value, low, high, ...)`` in an answer-key cell, with literal bounds.
EXERCISE_CALL = re.compile(r'exercise\(\s*"(0[1-7]-E[1-9])",.*?,\s*(-?[0-9.e+]+),\s*(-?[0-9.e+]+),\s*f?"', re.S)
#: A row of the pack's answer table: ``| 03-E2 | ... | low to high |``.
PACK_ROW = re.compile(r"^\|\s*(0[1-7]-E[1-9])\s*\|.*\|\s*(-?[0-9.,e+]+)\s+to\s+(-?[0-9.,e+]+)\s*\|\s*$", re.M)


def test_the_seven_notebooks_exist() -> None:
    """One notebook per topic of the course."""
    assert [p.name[:2] for p in PATHS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_stored_without_outputs(path: Path) -> None:
    """No outputs, execution counts or widget state are committed (clean diffs, no stale numbers)."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has stored outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert "widgets" not in nb.metadata, f"{path.name} stores widget state"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_has_assumptions_and_exercises(path: Path) -> None:
    """Every notebook states what the model assumes and ends with exercises for students."""
    nb = nbformat.read(path, as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## What this model assumes" in md
    students = [c for c in nb.cells if "answer-key" not in c.metadata.get("tags", [])]
    assert "## Exercises" in students[-1].source, f"{path.name} should end with the exercises (then the answer key)"
    key = nb.cells[len(students):]
    assert key and all("answer-key" in c.metadata.get("tags", []) for c in key), (
        f"{path.name}: the answer-key cells (tag 'answer-key') must all come after the exercises")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "SIM_NOTEBOOK_SMALL" in code, f"{path.name} must read SIM_NOTEBOOK_SMALL to shrink itself in CI"


@pytest.fixture(scope="session")
def kernel_env(tmp_path_factory: pytest.TempPathFactory):
    """A kernelspec that runs this interpreter, on a private JUPYTER_PATH, plus the small-size switch."""
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (ptsim tests)",
        "language": "python",
    }))
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "SIM_NOTEBOOK_SMALL", "PYTHONPATH")}
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(base), saved["JUPYTER_PATH"]]))
    os.environ["SIM_NOTEBOOK_SMALL"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
    yield KERNEL
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_executes_at_small_size(path: Path, kernel_env: str) -> None:
    """The notebook runs top to bottom without an error (SIM_NOTEBOOK_SMALL=1)."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel_env, timeout=600, allow_errors=False,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    started = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - started
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    ticks = [line for line in text.splitlines() if line.startswith("✓ ")]
    assert len(ticks) >= 5, f"{path.name} printed only {len(ticks)} passing claim checks"
    assert elapsed < 240, f"{path.name} took {elapsed:.0f} s at small size; keep each notebook well under a minute"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_numeric_prose_is_followed_by_check_cells(path: Path) -> None:
    """Every notebook imports the check helpers and has check cells; every check names its notebook."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if c.startswith("# Check cell:")]
    assert len(checks) >= 3, f"{path.name} has {len(checks)} check cells"
    claims = re.findall(r'\bcheck(?:_range)?\((?:.|\n)*?"(\d\d): ', "\n".join(checks))
    assert claims and set(claims) == {path.name[:2]}, f"{path.name}: every claim starts with its notebook number"


def test_a_false_claim_fails_the_notebook(kernel_env: str, tmp_path: Path) -> None:
    """A notebook whose prose claim its own output contradicts fails to execute, naming the claim."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Profit is highest at zero messages."),
        nbformat.v4.new_code_cell("from sim.teaching import check, is_interior_max\n"
                                  "freq, profit = [0, 1, 3], [1.0, 3.0, 2.0]\n"
                                  "check(max(profit) == profit[0], '99: profit is highest at zero messages', "
                                  "got=profit)"),
    ]
    client = nbclient.NotebookClient(nb, kernel_name=kernel_env, timeout=120, allow_errors=False,
                                     resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(nbclient.exceptions.CellExecutionError) as err:
        client.execute()
    assert "ClaimMismatch" in str(err.value)
    assert "99: profit is highest at zero messages" in str(err.value)


def _pack_rows() -> dict[str, list[tuple[float, float]]]:
    rows: dict[str, list[tuple[float, float]]] = {}
    for ex_id, low, high in PACK_ROW.findall(PACK.read_text(encoding="utf-8")):
        rows.setdefault(ex_id, []).append((float(low.replace(",", "")), float(high.replace(",", ""))))
    return rows


def test_every_exercise_in_the_pack_has_a_check() -> None:
    """The pack lists every exercise of every notebook, and each has an answer-key check with the same range."""
    pack = _pack_rows()
    for path in PATHS:
        nb = nbformat.read(path, as_version=4)
        listed = re.findall(r"^(\d)\. \*\*", nb.cells[[i for i, c in enumerate(nb.cells)
                                                        if "## Exercises" in c.source][0]].source, re.M)
        expected = {f"{path.name[:2]}-E{n}" for n in listed}
        assert expected and expected <= set(pack), (
            f"{path.name}: exercises missing from the pack: {expected - set(pack)}")
        key = "\n".join(c.source for c in nb.cells if "answer-key" in c.metadata.get("tags", []))
        calls: dict[str, list[tuple[float, float]]] = {}
        for ex_id, low, high in EXERCISE_CALL.findall(key):
            calls.setdefault(ex_id, []).append((float(low), float(high)))
        for ex_id in sorted(expected):
            assert ex_id in calls, f"{ex_id} is in the pack but {path.name}'s answer key does not check it"
            assert sorted(calls[ex_id]) == sorted(pack[ex_id]), (
                f"{ex_id}: the pack says {pack[ex_id]} but the answer key checks {calls[ex_id]}")


def test_transaction_log_is_reproducible(tmp_path: Path) -> None:
    """notebooks/data/make_transactions.py regenerates the committed CSV and truth file byte for byte."""
    sys.path.insert(0, str(NOTEBOOKS / "data"))
    sys.dont_write_bytecode, saved = True, sys.dont_write_bytecode  # keep notebooks/data free of __pycache__
    try:
        import make_transactions
    finally:
        sys.path.pop(0)
        sys.dont_write_bytecode = saved
    csv, truth = make_transactions.make(tmp_path)
    data = NOTEBOOKS / "data"
    assert csv.read_bytes() == (data / "transactions.csv").read_bytes(), (
        "notebooks/data/transactions.csv differs from what make_transactions.py writes; rerun it")
    assert truth.read_bytes() == (data / "transactions_truth.json").read_bytes()
