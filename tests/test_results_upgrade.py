"""Run folders written by an earlier version load (sim/results/upgrade.py).

``tests/data/run_v0.1.0_a741d90`` was written by the writer of commit a741d90 (see tests/data/README.md): its
daily table lacks the ledger items and tallies added since, and its scenario has the old breach field. It
loads with the new columns at 0, the old field mapped exactly, the result marked and the user told; the
KPIs the old version computed from the same tables come out the same; nothing on disk changes; damage and
hostile content are still refused with the field, the value and what to do.
"""

from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.errors import SimInputError
from sim.model import layout as L
from sim.results import upgrade
from sim.results.folders import read_folder, write_folder
from sim.results.result import RunResult

OLD = Path(__file__).parent / "data" / "run_v0.1.0_a741d90"
#: The daily ledger items and tallies of the first format-1 release (layout of commit 17209d6).
FIRST_MONEY = ("revenue_public", "revenue_private", "membership_fees", "cogs", "platform_commission", "payment_fees",
               "ad_spend", "content_cost", "kol_fees", "partner_fees", "hooks", "invite_costs", "message_costs",
               "operator_staff", "saas", "referral_rewards", "distribution_commission", "points_redeemed",
               "member_discounts", "birthday_perks", "security", "fines")
FIRST_TALLY = ("purchases_public", "purchases_private", "message_purchases", "first_purchases", "joins_seed",
               "joins_organic", "joins_kol", "joins_partner", "joins_interception", "joins_referral", "invites",
               "invites_accepted", "sends", "seen", "cold_sends", "opt_outs", "complaints", "violations",
               "violation_complaints", "enforcements", "breaches", "breach_exits", "shares", "referral_contacts",
               "lapses", "lapsed_members", "winbacks", "points_earned", "points_redeemed", "points_expired",
               "points_forfeited", "tier_ups", "paid_members_new", "active_members", "trust_sum",
               "fatigue_sum_members", "records", "cpm", "impressions", "ad_aware", "organic_aware", "kol_aware",
               "partner_aware", "paid_members", "member_gross")


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _rewritten(tmp_path: Path, edit_scenario=None, edit_daily=None, edit_meta=None) -> Path:
    """A copy of the old folder with its scenario, daily table or meta changed (and a matching manifest)."""
    files = read_folder(OLD)
    if edit_meta is not None:
        files["meta.json"] = edit_meta(files["meta.json"].decode()).encode()
    if edit_scenario is not None:
        files["scenario.yaml"] = edit_scenario(files["scenario.yaml"].decode()).encode()
    if edit_daily is not None:
        import io

        daily = edit_daily(pd.read_parquet(io.BytesIO(files["daily.parquet"])))
        buf = io.BytesIO()
        daily.to_parquet(buf, index=False)
        files["daily.parquet"] = buf.getvalue()
    return write_folder(tmp_path / "edited", files)


def test_an_old_folder_loads_with_its_new_columns_at_zero_and_is_marked() -> None:
    """The old folder loads (refused before: the breach field); the filled columns are listed and are 0."""
    raw = pd.read_parquet(OLD / "daily.parquet")
    assert "breach_costs" not in raw.columns and "sends_capped" not in raw.columns  # it really is old
    res = sim.load_result(OLD)
    up = res.meta["upgraded_from"]
    assert up["version"] == "0.1.0" and up["created"].startswith("2026-11-26")
    assert {"breach_costs", "sends_capped", "joins_store", "group_discounts", "live_host_fees"} <= set(
        up["filled_columns"])
    assert not set(up["filled_columns"]) & set(raw.columns)  # only what the folder lacked
    assert set(up["filled_columns"]) <= upgrade.ALL_NEW_COLUMNS
    for c in up["filled_columns"]:
        assert (res.daily[c] == 0).all(), c
    for c in raw.columns:  # what the folder holds is read as written
        assert res.daily[c].equals(raw[c]), c
    assert up["filled_with"] == 0 and res.upgrade_notes == up["notes"] and len(up["notes"]) == 3
    assert "written by an earlier version (ptsim 0.1.0" in up["notes"][0] and "breach_costs" in up["notes"][0]


def test_the_old_breach_field_is_mapped_to_the_same_hazard() -> None:
    """rate_per_million_records_year r reads as rate_per_year 1 - exp(-r) at 1M records, linear, all preventable."""
    res = sim.load_result(OLD)
    b = res.scenario.market.regime.breach
    old = 0.15  # what the old scenario.yaml says
    assert "rate_per_million_records_year: 0.15" in (OLD / "scenario.yaml").read_text()
    assert b.rate_per_year == pytest.approx(1 - math.exp(-old), rel=1e-15)
    assert (b.reference_records, b.records_exponent, b.unpreventable_share) == (1e6, 1.0, 0.0)
    assert (b.response_cost, b.cost_per_record) == (0.0, 0.0) and b.fine == 5_000_000.0  # the old fine held them
    from sim.model.mechanisms.compliance import breach_hazard

    for records in (1_000.0, 250_000.0, 3e6):  # the old hazard was r * records / 1e6 / 365 * 0.5^(s/h)
        for security in (0.0, 20_000.0):
            old_h = old * records / 1e6 / 365 * 0.5 ** (security / b.security_halving)
            new_h = breach_hazard(records, b.rate_per_year, b.reference_records, b.records_exponent, security,
                                  b.security_halving, b.unpreventable_share)
            assert new_h == pytest.approx(old_h, rel=1e-12)
    assert "market.regime.breach.rate_per_million_records_year" in res.meta["upgraded_from"]["renamed_fields"]
    assert any("rate_per_million_records_year (0.15)" in n for n in res.upgrade_notes)
    assert res.scenario.market.regime.kind == "consent_at_join"  # the old kind's name, mapped with a note too
    renamed = res.meta["upgraded_from"]["renamed_fields"]
    assert renamed["market.regime.kind"]["value"] == "implied_consent_with_easy_exit"


def test_the_old_versions_kpis_come_out_the_same() -> None:
    """Every KPI the old writer saved in kpis.csv is recomputed equal; ltv_cac changed meaning (now ltv_pool_cac)."""
    old = pd.read_csv(OLD / "kpis.csv").set_index("brand")
    new = sim.load_result(OLD).kpis()
    assert list(new.index) == list(old.index)
    for k in old.columns:
        if k == "ltv_cac":  # issue 17 item 6: the old ads-free ratio is ltv_pool_cac now
            np.testing.assert_allclose(new["ltv_pool_cac"], old[k], rtol=1e-12)
            continue
        np.testing.assert_allclose(new[k].astype(float), old[k].astype(float), rtol=1e-12, err_msg=k)


def test_loading_changes_nothing_on_disk() -> None:
    """The folder's files are byte for byte what they were (nothing upgraded in place, nothing deleted)."""
    before = _digest(OLD)
    sim.load_result(OLD)
    assert _digest(OLD) == before


def test_ptsim_report_on_an_old_folder_says_what_was_filled(tmp_path: Path) -> None:
    """``ptsim report OLD`` writes the report and prints the upgrade as literal note: lines."""
    from sim.cli import app

    folder = shutil.copytree(OLD, tmp_path / "old")
    out = tmp_path / "old.html"
    r = CliRunner().invoke(app, ["report", str(folder), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.is_file() and "China playbook" in out.read_text(encoding="utf-8")
    notes = [line for line in r.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 3 and "filled with 0" in notes[0] and any("rate_per_year=0.139292" in n for n in notes)


def test_a_folder_of_this_version_is_not_marked(tmp_path: Path) -> None:
    """A folder written now loads without ``upgraded_from`` and without notes."""
    res = sim.run(sim.resolve("china_in_china", ["run.population=300", "run.days=5"]))
    loaded = RunResult.load(res.save(tmp_path / "now"))
    assert "upgraded_from" not in loaded.meta and loaded.upgrade_notes == []


def test_every_daily_column_is_of_the_first_release_or_registered_as_new() -> None:
    """A column added to the layout must be listed in NEW_COLUMNS, or old folders lacking it are refused."""
    not_in_daily = {"trust_sum", "fatigue_sum_members", "trust_members"}  # sums the daily table turns into means
    now = set(L.MONEY) | set(L.TALLY)
    first = set(FIRST_MONEY) | set(FIRST_TALLY)
    assert (now - first) - not_in_daily == set(upgrade.ALL_NEW_COLUMNS)
    assert not upgrade.ALL_NEW_COLUMNS & first


def test_a_missing_column_that_is_not_new_is_still_refused(tmp_path: Path) -> None:
    """A folder lacking a column every version wrote is damaged, not old: refused naming the column."""
    folder = _rewritten(tmp_path, edit_daily=lambda d: d.drop(columns=["revenue_public"]))
    with pytest.raises(SimInputError, match=r"daily\.parquet: lacks the column\(s\) revenue_public"):
        sim.load_result(folder)


@pytest.mark.parametrize(("value", "why"), [
    ("-1", "must be a number from 0"), ("'lots'", "must be a number from 0"), (".inf", "must be a number from 0"),
    ("true", "must be a number from 0"),
])
def test_a_bad_old_breach_value_is_refused_with_field_value_and_what_to_do(tmp_path: Path, value: str,
                                                                            why: str) -> None:
    """The old field with a value no breach rate can have: the field, the value and what to do."""
    folder = _rewritten(tmp_path, edit_scenario=lambda t: t.replace("rate_per_million_records_year: 0.15",
                                                                    f"rate_per_million_records_year: {value}"))
    with pytest.raises(SimInputError) as info:
        sim.load_result(folder)
    msg = str(info.value)
    assert "market.regime.breach.rate_per_million_records_year" in msg and why in msg
    assert "re-run the scenario with this version" in msg


def test_old_and_new_breach_fields_together_are_refused(tmp_path: Path) -> None:
    """Both names at once is ambiguous: refused naming both."""
    folder = _rewritten(tmp_path, edit_scenario=lambda t: t.replace(
        "rate_per_million_records_year: 0.15", "rate_per_million_records_year: 0.15\n      rate_per_year: 0.03"))
    with pytest.raises(SimInputError, match="also has rate_per_year; keep one of them"):
        sim.load_result(folder)


def test_a_replaced_field_without_an_exact_mapping_is_refused(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A replacement that is not the same quantity is refused with the field, the value and what to do."""
    rule = upgrade.Rename("market.regime.breach", "rate_per_million_records_year", "rate_per_year", exact=False,
                          why="the new rate is a yearly chance at reference_records; re-run the scenario with "
                              "this version after setting rate_per_year")
    monkeypatch.setattr(upgrade, "RENAMED", (rule,))
    with pytest.raises(SimInputError) as info:
        sim.load_result(OLD)
    msg = str(info.value)
    assert "market.regime.breach.rate_per_million_records_year" in msg and "(found 0.15)" in msg
    assert "cannot be mapped exactly" in msg and "re-run the scenario" in msg


def test_an_old_scenario_is_still_read_with_the_safe_yaml_rules(tmp_path: Path) -> None:
    """The upgrade reads the document the safe loader parsed: an alias in an old scenario is refused."""
    folder = _rewritten(tmp_path, edit_scenario=lambda t: t.replace(
        "rate_per_million_records_year: 0.15", "rate_per_million_records_year: &r 0.15\n      security_halving: *r"))
    with pytest.raises(SimInputError, match="alias"):
        sim.load_result(folder)


def test_the_writers_version_reaches_the_notes_as_plain_text(tmp_path: Path) -> None:
    """meta.json is user input: markup, control characters and HTML in its version never reach a note."""
    folder = _rewritten(tmp_path, edit_meta=lambda t: t.replace('"version": "0.1.0"',
                                                                '"version": "0.1.0[bold]<script>\\u001b[2J"'))
    notes = sim.load_result(folder).upgrade_notes
    assert "ptsim 0.1.0boldscript2J" in notes[0]  # the escape sequence ESC [2J lost its ESC and brackets
    assert not any(ch in "".join(notes) for ch in "[]<>\x1b")
