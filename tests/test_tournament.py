"""The class tournament.

Entries as students submit them, a leaderboard that agrees with direct paired comparisons, fair starts,
and hostile names and files refused or neutralised.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
import yaml

from sim.analysis.compare import compare_scenarios
from sim.analysis.execution import Execution
from sim.analysis.tournament import Entry, load_entries, load_entry, run_tournament
from sim.errors import SimInputError

SMALL = ["run.population=1500", "run.days=150", "run.journeys=0"]
SERIAL = Execution(overrides=SMALL, executor="serial")


def _write(tmp_path, name: str, doc) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    return str(path)


@pytest.fixture
def three_files(tmp_path):
    """A strategy file, a brand file and an editor-exported single-brand scenario."""
    return [
        _write(tmp_path, "alice.yaml", {"extends": "strategies/japan_membership"}),
        _write(tmp_path, "bob.yaml", {"name": "Bob's hard sell",
                                       "strategy": {"extends": "strategies/china_private_traffic"}}),
        _write(tmp_path, "carol.yaml", {"name": "exported", "market": {"extends": "markets/japan"},
                                         "brands": [{"name": "Carol hybrid",
                                                     "strategy": {"extends": "strategies/hybrid"}}]}),
    ]


def test_entries_are_read_from_strategy_brand_and_scenario_files(three_files) -> None:
    """Entries come from the three file forms (a strategy, a brand, a scenario) with names from the file or its stem."""
    entries = load_entries(three_files)
    assert [e.name for e in entries] == ["alice", "Bob's hard sell", "Carol hybrid"]
    assert entries[0].strategy == {"extends": "strategies/japan_membership"}
    assert entries[2].strategy == {"extends": "strategies/hybrid"}


def test_solo_leaderboard_matches_the_direct_paired_comparison(three_files) -> None:
    """The gap between two entries on the board is the mean paired difference of a direct comparison."""
    entries = load_entries(three_files)
    tour = run_tournament(entries, "japan_in_japan", reps=3, execution=SERIAL)
    board = tour.leaderboard()
    assert list(board["rank"]) == [1, 2, 3]
    assert board["profit_mean"].is_monotonic_decreasing
    # a direct, independent comparison of two of the entries with the same seeds
    docs = []
    for e in entries[:2]:
        docs.append({"name": e.name, "market": {"extends": "markets/japan"},
                     "run": {"population": 1500, "days": 150, "journeys": 0, "seed": tour.comparison.ensembles[
                         e.name].scenario.run.seed},
                     "brands": [{"name": e.name, "strategy": e.strategy}]})
    direct = compare_scenarios(docs, 3, execution=Execution(seed=tour.comparison.meta["root_seed"], executor="serial"))
    for kpi in ("profit", "complaints"):  # defined in every seed
        p = direct.paired(kpi, entries[0].name, entries[1].name)
        assert p.n == 3
        gap = board.loc[entries[0].name, f"{kpi}_mean"] - board.loc[entries[1].name, f"{kpi}_mean"]
        assert math.isclose(gap, p.mean_diff, rel_tol=1e-12, abs_tol=1e-9), kpi
    # mean trust is undefined (NaN) in a seed with an empty pool: the board averages the seeds where it is defined
    trust = direct.samples("mean_trust")
    for e in entries[:2]:
        assert math.isclose(board.loc[e.name, "mean_trust_mean"], trust[e.name].mean(), rel_tol=1e-12)
    # head to head counts the seeds in which one beat the other, as the paired comparison does
    h2h = tour.head_to_head("profit")
    p = direct.paired("profit", entries[0].name, entries[1].name)
    assert h2h.loc[entries[0].name, entries[1].name] == p.a_wins
    assert h2h.loc[entries[1].name, entries[0].name] == p.b_wins
    # "wins" counts the seeds in which an entry was the best of the field: one winner per seed
    assert board["wins"].sum() >= 3


def test_seed_members_come_from_the_arena_not_the_entry(tmp_path) -> None:
    """A submission cannot buy itself a head start: brand-level settings are the arena's."""
    honest = _write(tmp_path, "honest.yaml", {"name": "honest", "strategy": {"extends": "strategies/hybrid"}})
    greedy = _write(tmp_path, "greedy.yaml", {"name": "greedy", "seed_members": 1000,
                                              "strategy": {"extends": "strategies/hybrid"}})
    tour = run_tournament(load_entries([honest, greedy]), "hybrid_in_japan", reps=2, execution=SERIAL)
    board = tour.leaderboard()
    for kpi in ("profit", "complaints", "mean_trust"):
        assert board.loc["honest", f"{kpi}_mean"] == board.loc["greedy", f"{kpi}_mean"]


def test_round_robin_plays_both_orders_and_scores_over_matches(three_files) -> None:
    """Round robin plays each pair in both orders; an entry's score is the mean over its own matches."""
    entries = load_entries(three_files)[:2]
    tour = run_tournament(entries, "japan_in_japan", format="round_robin", reps=2, execution=SERIAL)
    assert [(a, b) for _, a, b in tour.matches] == [(entries[0].name, entries[1].name),
                                                    (entries[1].name, entries[0].name)]
    raw = tour.comparison.samples("profit")
    for e in entries:
        mine = raw[[f"{m} / {e.name}" for m, a, b in tour.matches if e.name in (a, b)]]
        assert tour.leaderboard().loc[e.name, "profit_mean"] == pytest.approx(mine.to_numpy().mean(), rel=1e-12)
    h2h = tour.head_to_head("profit")
    a, b = entries[0].name, entries[1].name
    assert h2h.loc[a, b] + h2h.loc[b, a] <= 2 * 2  # two meetings per seed
    # both brands competed: each match has two brands sharing one market
    assert all(len(ens.scenario.brands) == 2 for ens in tour.comparison.ensembles.values())


def test_report_and_csv_neutralise_hostile_names(tmp_path) -> None:
    """A name with HTML and a spreadsheet formula is escaped in every report language and quoted in the CSV."""
    nasty = _write(tmp_path, "x.yaml", {"name": "=HYPERLINK(\"http://evil\")<script>alert(1)</script>",
                                        "strategy": {"extends": "strategies/hybrid"}})
    plain = _write(tmp_path, "plain.yaml", {"extends": "strategies/japan_membership"})
    tour = run_tournament(load_entries([nasty, plain]), "japan_in_japan", reps=2, execution=SERIAL)
    files = tour.files()
    for lang in ("en", "zh", "ja"):
        page = files[f"report_{lang}.html"].decode()
        assert "<script>" not in page and "&lt;script&gt;" in page
    rows = list(csv.reader(io.StringIO(files["leaderboard.csv"].decode())))
    names = [r[0] for r in rows[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names)
    assert not any(n.startswith("=") for n in names)
    assert "順位表" in files["report_ja.html"].decode() and "排行榜" in files["report_zh.html"].decode()


def test_saved_tournament_is_a_result_folder(three_files, tmp_path) -> None:
    """A saved tournament is a result folder with a manifest, and an existing folder is never overwritten."""
    tour = run_tournament(load_entries(three_files[:2]), "japan_in_japan", reps=2, execution=SERIAL)
    out = tour.save(tmp_path / "tour")
    assert (out / "leaderboard.csv").exists() and (out / "manifest.json").exists()
    with pytest.raises(SimInputError):
        tour.save(tmp_path / "tour")  # never overwritten unless asked


@pytest.mark.parametrize(("doc", "field"), [
    ([1, 2, 3], "mapping"),
    ({"brands": [{"name": "a"}, {"name": "b"}]}, "brands"),
    ({"name": "x", "strategy": {}, "budget": 5}, "budget"),
    ({"name": "x", "strategy": "aggressive"}, "strategy"),
    ({"name": "   ", "strategy": {}}, "name"),
])
def test_bad_submissions_are_refused_with_file_and_field(tmp_path, doc, field) -> None:
    """A malformed submission is refused with a message naming its file and the field at fault."""
    path = _write(tmp_path, "student.yaml", doc)
    with pytest.raises(SimInputError) as exc:
        load_entry(path)
    assert "student.yaml" in str(exc.value) and field in str(exc.value)


def test_an_invalid_strategy_is_named_before_any_run(tmp_path) -> None:
    """A strategy the schema refuses is reported with its file and field before any run starts."""
    ok = Entry("ok", {"extends": "strategies/hybrid"}, "ok.yaml")
    bad = Entry("bad", {"messaging": {"per_week": -3}}, "bad.yaml")
    with pytest.raises(SimInputError) as exc:
        run_tournament([ok, bad], "japan_in_japan", reps=2, execution=SERIAL)
    assert "bad.yaml" in str(exc.value) and "per_week" in str(exc.value)


def test_tournament_rules_are_checked(three_files) -> None:
    """An unknown format, fewer than two entries or an unknown KPI is refused."""
    entries = load_entries(three_files)
    with pytest.raises(SimInputError, match="format"):
        run_tournament(entries, format="knockout", reps=2, execution=SERIAL)
    with pytest.raises(SimInputError, match="entries"):
        run_tournament(entries[:1], reps=2, execution=SERIAL)
    with pytest.raises(SimInputError, match="profitt"):
        run_tournament(entries, kpis=("profitt",), reps=2, execution=SERIAL)


def test_duplicate_names_get_a_suffix(tmp_path) -> None:
    """Names equal up to case get a numbered suffix, so every entry stays distinguishable."""
    a = _write(tmp_path, "a.yaml", {"name": "Team", "strategy": {}})
    b = _write(tmp_path, "b.yaml", {"name": "team", "strategy": {}})
    assert [e.name for e in load_entries([a, b])] == ["Team", "team (2)"]


def test_cli_prints_the_leaderboard_literally_and_saves(tmp_path) -> None:
    """``ptsim tournament`` prints names as written (no rich markup) and saves the reports."""
    from typer.testing import CliRunner

    from sim.cli import app

    a = _write(tmp_path, "anna.yaml", {"extends": "strategies/hybrid"})
    b = _write(tmp_path, "ben.yaml", {"name": "[/x] [link=http://evil]ben", "strategy": {}})
    out = tmp_path / "tour"
    r = CliRunner().invoke(app, ["tournament", a, b, "--reps", "2", "--serial", "--out", str(out),
                                 *[x for s in SMALL for x in ("--set", s)]])
    assert r.exit_code == 0, r.output
    assert "[/x] [link=http://evil]ben" in r.output  # printed as written, not read as markup
    assert (out / "report_ja.html").exists()
    bad = CliRunner().invoke(app, ["tournament", a, "--reps", "2", "--serial", "--out", str(tmp_path / "one")])
    assert bad.exit_code == 2 and "entries" in bad.output and not (tmp_path / "one").exists()
