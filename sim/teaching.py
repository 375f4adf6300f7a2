"""Claims that match outputs: the check cells of the teaching notebooks and the instructor pack.

Every sentence of a notebook that depends on a number the notebook computes is followed by a check cell
that asserts it, for example::

    check(gap.ci_low > 0, "02: the hybrid beats the membership strategy on profit (interval above zero)",
          got=f"95% CI {gap.ci_low:,.0f} to {gap.ci_high:,.0f} JPY")

A claim that holds prints one line starting with ``✓``; a claim the output contradicts raises
:class:`ClaimMismatch`, which stops the notebook — and ``tests/test_notebooks.py``, which executes every
notebook, fails with the claim's text and the computed value. A claim that needs the full-size run (more
agents or replicates than CI uses) says so with ``full_size_only=True``: at small size it prints that it was
not checked instead of passing silently.

The exercises of the instructor pack (``docs/teaching/instructor_pack.md``) have ids such as ``03-E2``;
:func:`exercise` checks a computed answer against the range the pack gives for it, so the pack and the
notebooks cannot drift apart. Worksheet questions (``W2-C1``) are checked the same way by
:func:`worksheet_answer`, from runs made as the dashboard page makes them (``tests/test_worksheet_answers.py``).

This module is presentation-layer support with no model imports: it only formats and compares numbers.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence

#: The environment switch the notebooks read to shrink themselves (CI sets it).
SMALL_ENV = "SIM_NOTEBOOK_SMALL"

#: Exercise ids in the pack and in the check cells: notebook number, "-E", exercise number.
EXERCISE_ID = re.compile(r"^(0[1-7])-E([1-9])$")
#: Worksheet question ids in the pack (``W2-C1``): worksheet number, "-", part letter, question number.
WORKSHEET_ID = re.compile(r"^W([1-6])-([A-Z])([1-9])$")

PASS = "✓"
SKIP = "–"


class ClaimMismatch(AssertionError):
    """A notebook's prose claim no longer matches what the notebook computed."""


def small_mode() -> bool:
    """True when the notebooks run at their small CI size (``SIM_NOTEBOOK_SMALL`` set and not ``0``)."""
    return os.environ.get(SMALL_ENV, "") not in ("", "0")


def _fmt(value: object) -> str:
    """A compact rendering of a computed value for a check line."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
            return f"{x:.4g}"
        return f"{x:,.4g}"
    return str(value)


def check(condition: object, claim: str, *, got: object = None, full_size_only: bool = False) -> bool | None:
    """Assert a prose claim against the output it depends on.

    Args:
        condition: The claim, computed (truthy when the claim holds). NaN counts as false.
        claim: The sentence being checked, starting with the notebook's number (``"03: ..."``).
        got: The computed value(s) behind the claim, shown on the check line and in a mismatch.
        full_size_only: The claim needs the full-size run; at small size it is reported as not checked.

    Returns:
        True when the claim holds, None when it was not checked (full size only, small mode).

    Raises:
        ClaimMismatch: The output contradicts the claim (the message names the claim and the value).
    """
    if not claim or not claim.strip():
        raise ValueError("check: the claim text is empty; write the sentence being checked")
    detail = "" if got is None else f" [computed: {_fmt(got)}]"
    if full_size_only and small_mode():
        print(f"{SKIP} not checked at small size (needs the full-size run): {claim}{detail}")
        return None
    ok = condition
    if isinstance(ok, float) and math.isnan(ok):
        ok = False
    if not bool(ok):
        raise ClaimMismatch(
            f"Claim no longer matches the output: {claim}{detail}. Either the model changed (rewrite the "
            "prose and its check) or the run is too small to support it (mark it full_size_only=True)."
        )
    print(f"{PASS} {claim}{detail}")
    return True


def check_range(value: float, low: float, high: float, claim: str, *, full_size_only: bool = False) -> bool | None:
    """Assert that a computed value lies in ``[low, high]`` (see :func:`check`)."""
    if not low <= high:
        raise ValueError(f"check_range: low {low} is above high {high} for {claim!r}")
    x = float(value)
    return check(
        not math.isnan(x) and low <= x <= high, claim, got=f"{_fmt(x)}, expected {_fmt(low)} to {_fmt(high)}",
        full_size_only=full_size_only,
    )


def exercise(exercise_id: str, value: float, low: float, high: float, answer: str) -> bool | None:
    """Check an exercise's computed answer against the expected range the instructor pack gives.

    Args:
        exercise_id: The pack's id, e.g. ``"03-E2"``.
        value: The answer computed in the notebook at its fixed seed.
        low: Lower end of the expected range (as written in the pack).
        high: Upper end of the expected range.
        answer: What the number is, in words.
    """
    if not EXERCISE_ID.match(exercise_id):
        raise ValueError(f"exercise id {exercise_id!r} is not of the form '03-E2'")
    return check_range(value, low, high, f"{exercise_id}: {answer}")


def worksheet_answer(question_id: str, value: float, low: float, high: float, answer: str) -> bool | None:
    """Check a no-code worksheet's answer, computed as the dashboard page computes it, against the pack's range.

    Args:
        question_id: The worksheet question, e.g. ``"W2-C1"`` (the pack's "Worksheet answers" table).
        value: The number a student reads off the page, computed at the page's default size and seeds.
        low: Lower end of the expected range (as written in the pack).
        high: Upper end of the expected range.
        answer: What the number is, in words.
    """
    if not WORKSHEET_ID.match(question_id):
        raise ValueError(f"worksheet question id {question_id!r} is not of the form 'W2-C1'")
    return check_range(value, low, high, f"{question_id}: {answer}")


def which_is_higher(values: dict[str, float]) -> str:
    """The name of the largest value, for prose that follows the computed direction."""
    if not values:
        raise ValueError("which_is_higher: no values")
    return max(values, key=lambda k: float(values[k]))


def is_interior_max(xs: Sequence[float], ys: Sequence[float]) -> bool:
    """True when the largest ``y`` lies strictly inside the swept ``x`` range (an interior optimum)."""
    if len(xs) != len(ys) or len(xs) < 3:
        raise ValueError("is_interior_max: needs at least three (x, y) points of equal length")
    i = max(range(len(ys)), key=lambda j: float(ys[j]))
    return 0 < i < len(ys) - 1


def verdict(kpi: str, a: str, b: str, ci_low: float, ci_high: float) -> str:
    """What a paired interval (of ``a − b``) supports, in words: a clear lead only when it excludes zero.

    The comparison tables' own sentence names the scenario that won more seeds; in class the question is
    whether the difference is distinguishable from luck, which only the interval answers.
    """
    from sim.format import kpi_label
    from sim.results.kpis import KPI_INFO

    higher_is_better = KPI_INFO[kpi][2] if kpi in KPI_INFO else True
    label = kpi_label(kpi).lower()
    if math.isnan(ci_low) or math.isnan(ci_high):
        return f"{label}: no interval (too few seeds)"
    if ci_low > 0 or ci_high < 0:
        a_ahead = (ci_low > 0) == higher_is_better
        return f"{label}: {a if a_ahead else b} is ahead (95% interval excludes zero)"
    return f"{label}: no clear difference at this size (95% interval spans zero)"


def verdicts(summary: object) -> list[str]:
    """:func:`verdict` for every row of a ``Comparison.summary`` table (columns kpi, a, b, ci_low, ci_high)."""
    return [verdict(r.kpi, r.a, r.b, float(r.ci_low), float(r.ci_high)) for r in summary.itertuples()]


#: The tag of the answer-key cells at the end of every notebook (removed for students by :func:`strip_answer_key`).
ANSWER_KEY_TAG = "answer-key"


def strip_answer_key(source: str | os.PathLike, target: str | os.PathLike) -> int:
    """Write a student copy of a notebook without its answer-key cells; returns how many cells were removed.

    Refuses to overwrite an existing ``target`` (it may be someone's work) and writes atomically.

    Raises:
        FileExistsError: ``target`` exists.
        ValueError: ``source`` is not a notebook (JSON with a ``cells`` list).
    """
    import json
    import tempfile
    from pathlib import Path

    src, dst = Path(source), Path(target)
    if dst.exists():
        raise FileExistsError(f"{dst} exists; choose another name (nothing was written)")
    try:
        nb = json.loads(src.read_text(encoding="utf-8"))
        cells = nb["cells"]
        if not isinstance(cells, list):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{src} is not a readable notebook (expected JSON with a 'cells' list)") from exc
    kept = [c for c in cells if ANSWER_KEY_TAG not in (c.get("metadata", {}).get("tags") or [])]
    nb["cells"] = kept
    fd, tmp = tempfile.mkstemp(dir=dst.parent if str(dst.parent) else ".", prefix=".student-", suffix=".ipynb")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(nb, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(cells) - len(kept)


def run_notebook(path: str | os.PathLike, *, small: bool = False, timeout: int = 3600) -> tuple[list[str], float, str]:
    """Execute a notebook with this interpreter (full size unless ``small``) and collect its claim lines.

    Nothing is written: the executed copy stays in memory. Claims marked ``full_size_only`` are checked
    only at full size, so this is how they are run (``python -m sim.teaching run``).

    Args:
        path: The notebook.
        small: Run at the small CI size (sets ``SIM_NOTEBOOK_SMALL=1``); else the notebook's full size.
        timeout: Seconds allowed per cell.

    Returns:
        ``(lines, seconds, error)``: every ``✓``/``–`` line the check cells printed, the wall time, and the
        first error's ``name: message`` (empty when the notebook ran to the end).

    Raises:
        ImportError: ``nbclient``, ``nbformat`` or ``ipykernel`` is not installed (the ``test`` extra).
        ValueError: ``path`` is not a readable notebook.
    """
    import json
    import shutil
    import sys
    import tempfile
    import time
    from pathlib import Path

    import nbclient
    import nbformat

    src = Path(path)
    try:
        nb = nbformat.read(src, as_version=4)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{src} is not a readable notebook") from exc
    base = Path(tempfile.mkdtemp(prefix="ptsim-kernel-"))
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", SMALL_ENV)}
    try:
        spec = base / "kernels" / "ptsim-run"
        spec.mkdir(parents=True)
        spec.joinpath("kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (ptsim)", "language": "python"}), encoding="utf-8")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(base), saved["JUPYTER_PATH"]]))
        if small:
            os.environ[SMALL_ENV] = "1"
        else:
            os.environ.pop(SMALL_ENV, None)
        client = nbclient.NotebookClient(nb, kernel_name="ptsim-run", timeout=timeout, allow_errors=True,
                                         resources={"metadata": {"path": str(src.resolve().parent)}})
        started = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - started
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(base, ignore_errors=True)
    lines, error = [], ""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream":
                lines += [x for x in out.get("text", "").splitlines() if x.startswith((PASS, SKIP))]
            elif out.get("output_type") == "error" and not error:
                error = f"{out.get('ename')}: {out.get('evalue')}"
    return lines, seconds, error


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.teaching strip NOTEBOOK STUDENT_COPY`` or ``run NOTEBOOK [--small]``.

    ``strip`` removes the answer key for a class; ``run`` executes a notebook (full size unless ``--small``),
    prints its claim lines and the time, and exits 1 when a claim or a cell failed.
    """
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    usage = ("usage: python -m sim.teaching strip NOTEBOOK.ipynb STUDENT_COPY.ipynb\n"
             "       python -m sim.teaching run NOTEBOOK.ipynb [--small]")
    if len(args) == 3 and args[0] == "strip":
        try:
            removed = strip_answer_key(args[1], args[2])
        except (FileExistsError, ValueError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args[2]} without its {removed} answer-key cells")
        return 0
    if args[:1] == ["run"] and len(args) in (2, 3) and (len(args) == 2 or args[2] == "--small"):
        small = len(args) == 3
        try:
            lines, seconds, error = run_notebook(args[1], small=small)
        except ImportError as exc:
            print(f"error: running notebooks needs the test extra (pip install -e '.[test]'): {exc}", file=sys.stderr)
            return 1
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print("\n".join(lines))
        print(f"{args[1]}: {'small' if small else 'full'} size, {seconds:.0f} s, {len(lines)} claim lines")
        if error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
