"""A binding message cap is said where the user sees the results: in the API, the CLI and the dashboard.

Before: ``cap_per_week`` below ``per_week`` silently thinned every broadcast, so sweeps of ``per_week``
above the cap were flat and a comparison of "3 or 7 messages a week" in Japan compared two identical
strategies without a word (issue 17 item 1).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import sim
from sim.scenario.schema import scenario_notes

ROOT = Path(__file__).resolve().parents[1]
CAP = "brands.0.strategy.messaging.cap_per_week"
PER_WEEK = "brands.0.strategy.messaging.per_week"


def test_notes_name_the_brand_only_when_the_cap_binds() -> None:
    """Japan's preset caps at 2 a week: a note at 7 a week, none at 2, none without a cap."""
    binding = scenario_notes(sim.resolve("japan_in_japan", [f"{PER_WEEK}=7"]))
    assert len(binding) == 1 and binding[0].startswith("Japan membership: ") and "not 7" in binding[0]
    assert scenario_notes(sim.resolve("japan_in_japan", [f"{PER_WEEK}=2"])) == []
    assert scenario_notes(sim.resolve("japan_in_japan", [f"{PER_WEEK}=7", f"{CAP}=0"])) == []


def _ptsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False, timeout=300)


def test_cli_prints_one_note_line_for_a_binding_cap() -> None:
    """``ptsim validate`` says ``note:`` with both numbers (not a Python warning line), and nothing otherwise."""
    out = _ptsim("validate", "japan_in_japan", "--set", f"{PER_WEEK}=7")
    assert out.returncode == 0, out.stderr
    notes = [ln for ln in out.stderr.splitlines() if ln.startswith("note:")]
    assert len(notes) == 1 and "cap_per_week = 2" in notes[0] and "per_week = 7" in notes[0], out.stderr
    assert "ScenarioWarning" not in out.stderr
    quiet = _ptsim("validate", "japan_in_japan", "--set", f"{PER_WEEK}=2")
    assert quiet.returncode == 0 and "note:" not in quiet.stderr, quiet.stderr


def _page(per_week: float, name: str) -> None:  # runs inside AppTest
    import sim as sim_
    from dashboard.scenarios import show_notes

    show_notes(sim_.resolve("japan_in_japan", [f"brands.0.strategy.messaging.per_week={per_week}",
                                               f"brands.0.name={name}"]))


@pytest.mark.parametrize(("per_week", "expected"), [(7.0, 1), (2.0, 0)])
def test_dashboard_warns_beside_the_results_with_the_name_escaped(per_week: float, expected: int) -> None:
    """The dashboard shows one warning for a binding cap (the brand name escaped as Markdown), none otherwise."""
    at = AppTest.from_function(_page, kwargs={"per_week": per_week, "name": "**Acme** [x](http://e.vil)"},
                               default_timeout=120)
    at.run()
    assert not at.exception
    assert len(at.warning) == expected
    if expected:
        text = at.warning[0].value
        assert "\\*\\*Acme\\*\\*" in text and "\\[x\\]" in text and "2 a week" in text
