"""The teaching notebooks: stored without outputs, and every one runs top to bottom at small size.

Each notebook reads ``SIM_NOTEBOOK_SMALL=1`` and shrinks its population, horizon and replicates, so
the whole set executes in a couple of minutes on one core. The kernel is this test's own
interpreter (a kernelspec written to a temporary ``JUPYTER_PATH``), so a fresh checkout needs no
``ipykernel install`` step.
"""

from __future__ import annotations

import json
import os
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
    assert "## Exercises" in nb.cells[-1].source, f"{path.name} should end with the exercises"
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
    assert elapsed < 240, f"{path.name} took {elapsed:.0f} s at small size; keep each notebook well under a minute"


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
