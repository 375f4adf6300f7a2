"""The claim checks of the teaching notebooks (sim/teaching.py): a false claim fails loudly, a true one prints."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim import teaching
from sim.teaching import ClaimMismatch, check, check_range, exercise, is_interior_max, verdict, verdicts


def test_true_claim_prints_a_tick(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim that holds returns True and prints one line with the claim and the computed value."""
    monkeypatch.delenv(teaching.SMALL_ENV, raising=False)
    assert check(2 > 1, "01: two is more than one", got=2) is True
    out = capsys.readouterr().out
    assert out.startswith("✓ 01: two is more than one") and "computed: 2" in out


@pytest.mark.parametrize("condition", [False, 0, float("nan"), None])
def test_false_claim_raises_with_claim_and_value(condition: object) -> None:
    """A contradicted claim (including NaN) raises ClaimMismatch naming the claim and the computed value."""
    with pytest.raises(ClaimMismatch, match=r"Claim no longer matches the output: 03: profit peaks.*computed: 1\.5"):
        check(condition, "03: profit peaks", got=1.5)


def test_claim_mismatch_is_an_assertion_error() -> None:
    """Notebook runners and pytest treat a mismatch as a failed assertion."""
    assert issubclass(ClaimMismatch, AssertionError)


def test_full_size_claims_are_reported_not_passed_in_small_mode(capsys, monkeypatch) -> None:
    """In small mode a full-size-only claim is not checked (even if false) and says so; at full size it is."""
    monkeypatch.setenv(teaching.SMALL_ENV, "1")
    assert check(False, "04: needs many seeds", full_size_only=True) is None
    assert "not checked at small size" in capsys.readouterr().out
    monkeypatch.setenv(teaching.SMALL_ENV, "0")
    with pytest.raises(ClaimMismatch):
        check(False, "04: needs many seeds", full_size_only=True)


def test_empty_claim_is_refused() -> None:
    """A check without its sentence would be unreadable in CI."""
    with pytest.raises(ValueError, match="claim text is empty"):
        check(True, "  ")


def test_check_range_bounds_are_inclusive_and_nan_fails() -> None:
    """The pack's ranges are closed intervals; NaN never lies in one; an inverted range is a bug."""
    assert check_range(1.0, 1.0, 2.0, "x: at the low end")
    assert check_range(2.0, 1.0, 2.0, "x: at the high end")
    with pytest.raises(ClaimMismatch, match="expected 1 to 2"):
        check_range(2.01, 1.0, 2.0, "x: just above")
    with pytest.raises(ClaimMismatch):
        check_range(math.nan, -1e18, 1e18, "x: nan")
    with pytest.raises(ValueError, match="above high"):
        check_range(1.0, 2.0, 1.0, "x: inverted")


def test_exercise_ids_are_validated_and_named_in_the_message() -> None:
    """Exercise checks carry the pack's id, so a CI failure points at the pack's line."""
    with pytest.raises(ClaimMismatch, match="03-E2: best frequency"):
        exercise("03-E2", 9.0, 1.0, 3.0, "best frequency")
    with pytest.raises(ValueError, match="not of the form"):
        exercise("3-2", 2.0, 1.0, 3.0, "best frequency")


def test_interior_maximum() -> None:
    """An inverted U has its maximum strictly inside the swept range; monotone curves do not."""
    assert is_interior_max([0, 1, 2], [1.0, 3.0, 2.0])
    assert not is_interior_max([0, 1, 2], [3.0, 2.0, 1.0])
    assert not is_interior_max([0, 1, 2], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        is_interior_max([0, 1], [1.0, 2.0])


def test_verdict_needs_the_interval_to_exclude_zero() -> None:
    """The issue's case: more seeds won but the interval spans zero -> no clear difference, never 'wins'."""
    assert "no clear difference" in verdict("profit", "hybrid", "membership", -5.2e7, 4.3e7)
    assert verdict("profit", "hybrid", "membership", 1.0, 2.0).endswith("hybrid is ahead (95% interval excludes zero)")
    # lower is better for complaints: a positive difference puts b ahead
    assert "membership is ahead" in verdict("complaints", "hybrid", "membership", 10.0, 20.0)
    assert "too few seeds" in verdict("profit", "a", "b", math.nan, math.nan)
    table = pd.DataFrame({"kpi": ["profit", "pool_size"], "a": ["h", "h"], "b": ["m", "m"],
                          "ci_low": [-1.0, 1.0], "ci_high": [1.0, 2.0]})
    assert ["no clear" in v for v in verdicts(table)] == [True, False]


def test_ltv_cac_rule_of_thumb_is_attributed_and_qualified_everywhere() -> None:
    """The 3:1 LTV/CAC rule is credited (Skok) and qualified wherever it appears.

    The glossary's three languages, MODEL.md and notebook 01 credit it and also say that this model's ltv_cac
    leaves ad spend out (so 'above 1' is not 'pays back').
    """
    import json
    from pathlib import Path

    from sim.i18n import glossary as G

    root = Path(__file__).resolve().parents[1]
    for lang in ("en", "zh", "ja"):
        d = G.term("ltv_cac", lang).definition
        assert "Skok" in d and "3:1" in d and "cost_per_member" in d, lang
    assert "Skok" in (root / "docs" / "MODEL.md").read_text(encoding="utf-8")
    nb = json.loads((root / "notebooks" / "01_public_vs_private_traffic.ipynb").read_text(encoding="utf-8"))
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "Skok" in md and "3:1" in md and "leaves ad spend out" in md


def test_strip_answer_key_writes_a_student_copy_and_never_overwrites(tmp_path) -> None:
    """The student copy of a real notebook has no answer-key cells; an existing target is left untouched."""
    import json
    from pathlib import Path

    from sim.teaching import main, strip_answer_key

    src = Path(__file__).resolve().parents[1] / "notebooks" / "03_message_fatigue.ipynb"
    out = tmp_path / "student.ipynb"
    removed = strip_answer_key(src, out)
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    assert removed >= 2
    assert all("answer-key" not in (c.get("metadata", {}).get("tags") or []) for c in cells)
    assert "## Exercises" in "".join(cells[-1]["source"])
    out.write_text("my own work", encoding="utf-8")
    with pytest.raises(FileExistsError):
        strip_answer_key(src, out)
    assert out.read_text(encoding="utf-8") == "my own work"
    assert main(["strip", str(src), str(out)]) == 1
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not a readable notebook"):
        strip_answer_key(bad, tmp_path / "x.ipynb")
    assert main(["oops"]) == 2


def test_worksheet_question_ids_are_validated_and_named_in_the_message() -> None:
    """``W2-C1`` is checked against its range and named in a mismatch; an exercise id is not a worksheet id."""
    from sim.teaching import worksheet_answer

    assert worksheet_answer("W2-C1", 0.95, 0.9, 1.0, "variant profit ÷ baseline profit") is True
    with pytest.raises(ClaimMismatch, match=r"W2-C1: variant profit"):
        worksheet_answer("W2-C1", 1.05, 0.9, 1.0, "variant profit ÷ baseline profit")
    for bad in ("03-E2", "W7-C1", "W2-c1", "W2-C0", "W2C1"):
        with pytest.raises(ValueError, match="W2-C1"):
            worksheet_answer(bad, 0.95, 0.9, 1.0, "x")


def test_run_executes_a_notebook_prints_its_claims_and_fails_on_a_mismatch(tmp_path, capsys) -> None:
    """``python -m sim.teaching run``: the claim lines and the time; exit 1 naming a claim the output contradicts."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from sim.teaching import main

    def notebook(name: str, code: str):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(code)]
        path = tmp_path / name
        nbformat.write(nb, path)
        return path

    ok = notebook("ok.ipynb", "from sim.teaching import check, small_mode\n"
                              "check(True, '99: a claim that holds', got=1.5)\n"
                              "check(True, '99: a big claim', full_size_only=True)\n"
                              "print('small' if small_mode() else 'full')")
    assert main(["run", str(ok)]) == 0
    out = capsys.readouterr().out
    assert "✓ 99: a claim that holds [computed: 1.5]" in out and "✓ 99: a big claim" in out
    assert "full size" in out and "2 claim lines" in out
    assert main(["run", str(ok), "--small"]) == 0  # the full-size claim is reported as not checked
    assert "– not checked at small size (needs the full-size run): 99: a big claim" in capsys.readouterr().out
    bad = notebook("bad.ipynb", "from sim.teaching import check\ncheck(False, '99: a claim the output contradicts')")
    assert main(["run", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "ClaimMismatch" in err and "99: a claim the output contradicts" in err
    assert main(["run", str(tmp_path / "missing.ipynb")]) == 1
    assert main(["run", str(ok), "--fast"]) == 2
    assert sorted(tmp_path.iterdir()) == sorted([bad, ok])  # the run wrote nothing
