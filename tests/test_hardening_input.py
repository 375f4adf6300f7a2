"""Bad input, catalogued: every mistake ends as one clear message through the real command line.

Each case runs the real entry point ``sim.cli.main`` (what the ``ptsim`` script calls) in a process
of its own, and checks: the exit status (2 for a user mistake), no "Traceback" anywhere, the words
that name the field or line, the value found and what was expected, one short message, and that no
result folder (nor a hidden partial one) was created. (A file system refusal outside the checked
``--out`` options, e.g. ``schema --out`` into an unwritable place, exits 1 with one line.)

Importing ``sim`` takes about 1.5 s of CPU, so the cases do not each start an interpreter: one
driver process imports ``sim.cli`` once and forks a child per case; the child sets ``sys.argv``,
its working folder and environment, sends its stdout and stderr to files, calls ``main()`` and
exits with its status (an escaping exception prints a traceback, as the interpreter would). A few
cases also run as ``python -m sim.cli`` from scratch to show that both give the same outcome.

Cases covered elsewhere are not repeated: ``tests/test_cli.py`` (syntax error, unknown key, wrong
type, probability above 1, negative cost, alias, empty and binary files, huge file) and
``tests/test_loader.py`` (the loader's rules one by one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--set", "run.population=300", "--set", "run.days=20"]

ALIAS_BOMB = (
    b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    b"e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
)
BASE = b"extends: china_in_china\n"


@dataclass
class Case:
    """One bad input: the command (``{f}`` is the input file, ``{out}`` the result folder), what to expect."""

    args: list[str]
    expect: list[str]
    data: bytes | None = None  # written to {f}
    suffix: str = ".yaml"
    code: int = 2
    env: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # symlinks created next to {f}
    forbid: list[str] = field(default_factory=list)  # must not appear in the output


def _yaml(data: bytes, *expect: str) -> Case:
    return Case(["run", "{f}", "--out", "{out}"], list(expect), data)


def _csv(data: bytes | None, *expect: str) -> Case:
    return Case(["calibrate", "customers", "{f}", "--base", "japan_in_japan", "--out", "{out}"], list(expect), data,
                suffix=".csv")


def _series(data: bytes, *expect: str) -> Case:
    return Case(["calibrate", "series", "{f}", "--base", "china_in_china", "-p",
                 "brands.0.strategy.messaging.per_week=1:5", "--out", "{out}"], list(expect), data, suffix=".csv")


#: A plausible transaction log (5 customers, 40 purchases over 9 months): valid alone, so each case below
#: fails only because of the line it adds or the way it is written.
LOG_ROWS = [f"c{i % 5},2024-0{1 + i % 9}-1{i % 9},{10 + i}".encode() for i in range(40)]
LOG = b"customer_id,date,amount\n" + b"\n".join(LOG_ROWS) + b"\n"


def _log_with(line: bytes, header: bytes = b"customer_id,date,amount") -> bytes:
    """The plausible log with ``line`` as line 5 (after four good rows)."""
    return b"\n".join([header, *LOG_ROWS[:3], line, *LOG_ROWS[3:]]) + b"\n"


def _unwritable(tmp: Path) -> Path:
    """A folder this process cannot write in: a read-only folder, or /sys when running as root."""
    if os.geteuid() == 0:
        return Path("/sys/ptsim-hardening")
    d = tmp / "readonly"
    d.mkdir(exist_ok=True)
    d.chmod(0o555)
    return d / "x"


CASES: dict[str, Case] = {
    # ---- scenario YAML -----------------------------------------------------------------------------
    "yaml_tabs": _yaml(b"run:\n\tdays: 3\n", "line 2, column 1", "tab", "must use spaces"),
    "yaml_tab_after_value": _yaml(b"name: x\nrun:\n  days:\t3\n", "line 3", "tab"),
    "yaml_key_over_1024_characters": _yaml(b"name: x\n" + b"k" * 2000 + b": 1\n", "line 2", "a key of 2,000 characters",
                                           "at most 1,024"),
    "yaml_alias_bomb": _yaml(ALIAS_BOMB, "line 1", "anchor '&a' is not allowed", "extends"),
    "yaml_20mb": _yaml(b"name: x\n" + b"# padding padding padding padding padding\n" * 500_000,
                       "bytes", "capped at 1,000,000 bytes"),
    "yaml_nan": _yaml(BASE + b"run: {discount_rate: .nan}\n", "run.discount_rate", "finite number", "found nan"),
    "yaml_inf": _yaml(BASE + b"brands:\n  - strategy:\n      acquisition: {ad_budget_per_day: .inf}\n",
                      "brands.0.strategy.acquisition.ad_budget_per_day", "finite number", "found inf"),
    "yaml_minus_inf_for_integer": _yaml(BASE + b"run: {days: -.inf}\n", "run.days", "whole number", "-inf"),
    "yaml_duplicate_key": _yaml(b"name: a\nrun: {days: 3}\nname: b\n", "line 3", "duplicate key 'name'",
                                "first on line 1"),
    "yaml_non_ascii_key": _yaml(BASE + "run: {日数: 3}\n".encode(), "run.日数", "unknown key '日数'",
                                "Valid keys here: days"),
    "yaml_non_ascii_value": _yaml(BASE + "run: {days: 三}\n".encode(), "run.days", "whole number", "'三'"),
    "yaml_deep_flow_nesting": _yaml(b"a: " + b"[" * 200 + b"]" * 200 + b"\n", "line 1", "nesting is too deep",
                                    "40 levels"),
    "yaml_deep_block_nesting": _yaml("".join("  " * i + f"k{i}:\n" for i in range(60)).encode(),
                                     "nesting is too deep", "40 levels"),
    "yaml_python_object_tag": _yaml(b"run: !!python/object/apply:os.system ['echo pwned']\n", "line 1, column 6",
                                    "tag '!!python/object/apply:os.system' is not allowed", "plain values"),
    "yaml_python_name_tag": _yaml(b"name: !!python/name:os.system\n", "tag '!!python/name:os.system'",
                                  "not allowed"),
    "yaml_custom_tag": _yaml(b"name: !include secrets.yaml\n", "tag '!include'", "not allowed"),
    "yaml_top_level_list": _yaml(b"- a\n- b\n", "line 1", "top level must be a mapping", "found a list"),
    "yaml_quoted_number": _yaml(BASE + b'run: {days: "365"}\n', "run.days", "whole number", "'365'"),
    "yaml_probability_via_extends": _yaml(BASE + b"brands:\n  - strategy:\n      messaging: {selling_share: 2}\n",
                                          "brands.0.strategy.messaging.selling_share", "at most 1", "found 2"),
    "yaml_negative_budget": _yaml(BASE + b"brands:\n  - strategy:\n      acquisition: {ad_budget_per_day: -5}\n",
                                  "ad_budget_per_day", "at least 0", "found -5"),
    "yaml_extends_escape": _yaml(b"extends: ../../../../etc/passwd\n", "extends", "leaves the scenarios folder",
                                 "'../../../../etc/passwd'"),
    "yaml_extends_absolute": _yaml(b"extends: /etc/passwd\n", "extends", "absolute paths are not allowed",
                                   "'/etc/passwd'"),
    "yaml_extends_symlink_out": Case(["run", "{f}", "--out", "{out}"], ["extends", "leaves the scenarios folder",
                                                                      "'link.yaml'"], b"extends: link.yaml\n",
                                     links={"link.yaml": "/etc/passwd"}, forbid=["root:"]),
    "yaml_extends_symlinked_folder": Case(["run", "{f}", "--out", "{out}"], ["extends", "leaves the scenarios folder"],
                                          b"extends: etc/passwd\n", links={"etc": "/etc"}, forbid=["root:"]),
    "yaml_extends_escape_by_set": Case(["run", "china_in_china", "--set", "extends=../../../etc/passwd", "--out",
                                        "{out}"], ["extends", "leaves the scenarios folder"]),
    "yaml_missing_file": Case(["run", "{f}", "--out", "{out}"], ["does_not_exist.yaml"], None),
    # ---- command-line arguments --------------------------------------------------------------------
    "arg_unknown_option": Case(["run", "china_in_china", "--bogus", "--out", "{out}"], ["No such option: --bogus"]),
    "arg_unknown_command": Case(["frobnicate"], ["No such command 'frobnicate'"]),
    "arg_set_without_equals": Case(["run", "china_in_china", "--set", "run.days", "--out", "{out}"],
                                   ["override 'run.days'", "must look like PATH=VALUE", "no '=' found"]),
    "arg_set_unknown_path": Case(["run", "china_in_china", "--set", "brands.0.strategy.messaging.per_weak=3",
                                  "--out", "{out}"], ["brands.0.strategy.messaging.per_weak", "unknown key",
                                                      "Did you mean 'per_week'"]),
    "arg_set_unknown_brand": Case(["run", "china_in_china", "--set", "brands.5.strategy.messaging.per_week=3",
                                   "--out", "{out}"], ["brands.5", "beyond the end of brands", "use 0 to change it"]),
    "arg_set_bad_value": Case(["run", "china_in_china", "--set", "run.days=lots", "--out", "{out}"],
                              ["run.days", "whole number", "'lots'"]),
    "arg_negative_reps": Case(["replicate", "china_in_china", "-n", "-3", *TINY, "--out", "{out}"],
                              ["must be a whole number from 1 to 10,000", "found -3"]),
    "arg_negative_sweep_reps": Case(["sweep", "china_in_china", "-p", "messaging.per_week=1,2", "--reps", "-2",
                                     *TINY, "--out", "{out}"], ["reps", "whole number from 1", "found -2"]),
    "arg_non_integer_workers": Case(["replicate", "china_in_china", "--workers", "two", *TINY, "--out", "{out}"],
                                    ["Invalid value for '--workers'", "integer"]),
    "arg_zero_workers": Case(["replicate", "china_in_china", "-n", "2", "--workers", "0", *TINY, "--out", "{out}"],
                             ["workers", "at least 1", "found 0"]),
    "arg_day_zero": Case(["sweep", "china_in_china", "-p", "messaging.per_week=1,2", "--day", "0", *TINY,
                          "--out", "{out}"], ["--day", "must be from 1 to", "found 0"]),
    "arg_out_is_a_file": Case(["run", "china_in_china", *TINY, "--out", "{f}"], ["already exists"], b"a file"),
    "arg_out_is_a_file_overwrite": Case(["run", "china_in_china", *TINY, "--out", "{f}", "--overwrite"],
                                        ["--out", "is a file", "expected a folder"], b"a file"),
    "arg_out_under_a_file": Case(["run", "china_in_china", *TINY, "--out", "{f}/run"],
                                 ["--out", "cannot be created", "is a file, not a folder"], b"a file"),
    "arg_out_under_a_file_replicate": Case(["replicate", "china_in_china", "-n", "2", "--serial", *TINY, "--out",
                                            "{f}/run"], ["cannot be created", "is a file"], b"a file"),
    "arg_out_unwritable": Case(["run", "china_in_china", *TINY, "--out", "{unwritable}"],
                               ["--out", "cannot be written", "choose a writable folder"]),
    "arg_out_unwritable_sweep": Case(["sweep", "china_in_china", "-p", "messaging.per_week=1,2", "--serial", *TINY,
                                      "--out", "{unwritable}"], ["--out", "cannot be written"]),
    "arg_schema_out_unwritable": Case(["schema", "--out", "{unwritable}"], ["error: could not read or write",
                                                                          "/run"], code=1),
    "arg_memory_cap": Case(["run", "china_in_china", "--set", "run.population=2000000", "--out", "{out}"],
                           ["run.population", "2,000,000 consumers", "needs about", "the cap is 64.0 MB",
                            "PTSIM_MAX_RUN_MEMORY"], env={"PTSIM_MAX_RUN_MEMORY": "64MB"}),
    "arg_replicate_memory_cap": Case(["replicate", "china_in_china", "-n", "10000", "--serial", "--out", "{out}"],
                                     ["10,000 replicates x 1,095 days", "KPI series in memory",
                                      "the cap is 64.0 MB", "fewer replicates"], env={"PTSIM_MAX_RUN_MEMORY": "64MB"}),
    # ---- transaction logs for `calibrate customers` -----------------------------------------------
    "csv_missing_columns": _csv(b"customer_id,day\nc1,2024-01-01\nc2,2024-01-02\n", "column 'date'", "is missing",
                                "accepted names", "found: 'customer_id', 'day'"),
    "csv_unparseable_date": _csv(b"customer_id,date\nc1,2024-01-01\nc2,2024-31-01\n", "line 3, column 'date'",
                                 "ISO 8601", "'2024-31-01'"),
    "csv_negative_amount": _csv(b"customer_id,date,amount\nc1,2024-01-01,5\nc2,2024-01-02,-1\n",
                                "line 3, column 'amount'", "negative", "'-1'"),
    "csv_nan_amount": _csv(b"customer_id,date,amount\nc1,2024-01-01,nan\nc2,2024-01-02,3\n",
                           "line 2, column 'amount'", "not a number", "'nan'"),
    "csv_single_customer": _csv(b"customer_id,date\nc1,2024-01-01\nc1,2024-01-09\n", "column 'customer_id'",
                                "has 1 customer", "at least 2"),
    "csv_empty": _csv(b"", "is empty"),
    "csv_header_only": _csv(b"customer_id,date,amount\n", "header but no rows"),
    "csv_binary": _csv(bytes(range(256)) * 40, "is not a readable CSV file"),
    "csv_gzip": _csv(b"\x1f\x8b\x08\x00" + bytes(range(200)), "is not a readable CSV file", "UTF-8"),
    "csv_utf16": _csv("customer_id,date\nc1,2024-01-01\nc2,2024-01-02\n".encode("utf-16"),
                      "is not a readable CSV file"),
    "csv_rfm_recency_beyond_t": _csv(b"frequency,recency,T\n1,30,10\n2,3,10\n", "line 2, column 'recency'",
                                     "must not exceed T", "'30'"),
    "csv_amount_1e308": Case(["calibrate", "customers", "{f}", "--base", "japan_in_japan", "--out", "{out}"],
                             ["line 5, column 'amount'", "'1e308'", "above 1,000,000,000,000"],
                             _log_with(b"c1,2024-05-05,1e308"), suffix=".csv", forbid=["RuntimeWarning", "overflow"]),
    "csv_200k_columns": Case(["calibrate", "customers", "{f}", "--base", "japan_in_japan", "--out", "{out}"],
                             ["line 1", "columns or more", "at most 1,000", "'col0'", "... and more"],
                             b",".join([b"customer_id", b"date", *(b"col%d" % i for i in range(200_000))]) + b"\n"
                             + LOG.split(b"\n", 1)[1], suffix=".csv", forbid=["col199999", "col1000'"]),
    "csv_5000_columns": _csv(b",".join([b"customer_id", b"date", *(b"c%d" % i for i in range(5_000))]) + b"\n"
                             + LOG.split(b"\n", 1)[1], "line 1", "5,002 columns", "at most 1,000", "'c5'",
                             "... and 4,994 more"),
    "csv_date_in_year_9999": _csv(_log_with(b"c000000,9999-12-31,10"), "line 5, column 'date'", "'9999-12-31'",
                                  "within 50 years of the log's median date"),
    "csv_date_in_year_1": _csv(_log_with(b"c000000,0001-01-01,10"), "line 5, column 'date'", "'0001-01-01'",
                               "within 50 years"),
    "csv_observation_end_far_away": Case(["calibrate", "customers", "{f}", "--base", "japan_in_japan",
                                          "--observation-end", "2300-01-01", "--out", "{out}"],
                                         ["--observation-end", "'2300-01-01'", "within 50 years"], LOG, suffix=".csv"),
    "csv_date_after_observation_end": Case(["calibrate", "customers", "{f}", "--base", "japan_in_japan",
                                            "--observation-end", "2024-09-01", "--out", "{out}"],
                                           ["line 5, column 'date'", "'2024-12-01'", "after --observation-end "
                                            "2024-09-01"], _log_with(b"c1,2024-12-01,3"), suffix=".csv"),
    "csv_latin1": _csv(_log_with("caf\xe9,2024-01-01,3".encode("latin-1")), "line 5", "0xe9", "not UTF-8",
                       "save the file as UTF-8"),
    "csv_semicolons": _csv(LOG.replace(b",", b";"), "line 1", "separated by semicolons", "comma-separated",
                           "'customer_id;date;amount'"),
    "csv_tabs": _csv(LOG.replace(b",", b"\t"), "line 1", "separated by tabs", "comma-separated"),
    "csv_rfm_monetary_1e308": Case(["calibrate", "customers", "{f}", "--base", "japan_in_japan", "--out", "{out}"],
                                   ["line 3, column 'monetary_value'", "'1e308'", "above 1,000,000,000,000"],
                                   b"frequency,recency,T,monetary_value\n1,3,10,5\n2,5,10,1e308\n0,0,8,0\n"
                                   b"3,7,9,1e308\n", suffix=".csv", forbid=["RuntimeWarning", "overflow"]),
    "csv_nul_in_customer_id": _csv(_log_with(b"c\x001,2024-01-01,3"), "line 5, column 'customer_id'",
                                   "control character", "'c\\x001'"),
    "csv_date_and_Date": _csv(b"customer_id,Date,date,amount\nc1,2024-01-01,2024-02-01,3\nc2,2024-01-02,2024-02-02,4\n",
                              "line 1", "column 3 'date'", "column 2 'Date'", "named once"),
    "series_month_1e30": _series(b"month,revenue\n1,100\n1e30,200\n", "line 3, column 'month'",
                                 "outside the simulated horizon", "'1e30'"),
    "series_duplicate_header": _series(b"month,revenue,revenue\n1,100,1\n2,200,2\n", "line 1",
                                       "column 3 'revenue'", "column 2 'revenue'", "named once"),
    "csv_is_a_folder": Case(["calibrate", "customers", "{dir}", "--base", "japan_in_japan", "--out", "{out}"],
                            ["is a folder", "expected a CSV file"]),
}


DRIVER = r"""
import json, os, sys, traceback
import sim.cli, sim.analysis, sim.analysis.calibrate  # import once; every child shares it
cases = json.load(sys.stdin)
codes = {}
for c in cases:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.chdir(c["cwd"])
            os.environ.update(c["env"])
            out = os.open("stdout.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            err = os.open("stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, 1)
            os.dup2(err, 2)
            sys.argv = ["ptsim", *c["argv"]]
            try:
                sim.cli.main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    codes[c["name"]] = os.waitstatus_to_exitcode(status)
json.dump(codes, sys.stdout)
"""


@dataclass
class Outcome:
    """What one case did."""

    returncode: int
    stdout: str
    stderr: str
    work: Path


def _prepare(name: str, case: Case, base: Path) -> tuple[Path, list[str]]:
    work = base / name
    work.mkdir()
    f = work / f"input{case.suffix}"
    if name == "yaml_missing_file":
        f = work / "does_not_exist.yaml"
    elif case.data is not None:
        f.write_bytes(case.data)
    (work / "folder.csv").mkdir()
    for link, target in case.links.items():
        (work / link).symlink_to(target)
    subs = {"{f}": str(f), "{out}": str(work / "out"), "{dir}": str(work / "folder.csv"),
            "{unwritable}": str(_unwritable(work) / "run")}
    args = []
    for a in case.args:
        for k, v in subs.items():
            a = a.replace(k, v)
        args.append(a)
    return work, args


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "250", "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case, each in a forked child of one driver process that imported ``sim.cli`` once."""
    base = tmp_path_factory.mktemp("bad_input")
    jobs = []
    for name, case in CASES.items():
        work, args = _prepare(name, case, base)
        jobs.append({"name": name, "argv": args, "cwd": str(work), "env": case.env})
    proc = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(jobs), capture_output=True, text=True,
                          timeout=600, cwd=base, env=_env())
    assert proc.returncode == 0, proc.stderr
    codes = json.loads(proc.stdout)
    out = {}
    for job in jobs:
        work = Path(job["cwd"])
        out[job["name"]] = Outcome(codes[job["name"]], (work / "stdout.txt").read_text(),
                                   (work / "stderr.txt").read_text(), work)
    return out


def _check(case: Case, got: Outcome) -> None:
    text = got.stdout + got.stderr
    assert got.returncode == case.code, text
    assert "Traceback" not in text
    for word in case.forbid:
        assert word not in text
    for word in case.expect:
        assert word in got.stderr, f"{word!r} not in: {got.stderr}"
    assert not (got.work / "out").exists()
    leftovers = [p.name for p in got.work.iterdir() if p.name.startswith(".") or p.name == "runs"]
    assert leftovers == [], leftovers
    assert got.stderr.strip().count("\n") <= 5, "one message, not a wall of text"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_clear_message(name: str, outcomes: dict[str, Outcome]) -> None:
    """Exit 2, no traceback, a message naming the field/line, the value and what was expected, nothing written."""
    _check(CASES[name], outcomes[name])


@pytest.mark.parametrize("name", ["yaml_python_object_tag", "arg_unknown_option", "csv_binary"])
def test_same_outcome_from_a_fresh_interpreter(name: str, tmp_path: Path) -> None:
    """``python -m sim.cli`` from scratch gives the same exit status and message as the driver."""
    case = CASES[name]
    work, args = _prepare(name, case, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=work, env={**_env(), **case.env})
    _check(case, Outcome(proc.returncode, proc.stdout, proc.stderr, work))


def test_python_dash_m_knows_every_command() -> None:
    """``python -m sim.cli`` registers the analysis and report commands too (it used to know only the basic ones)."""
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "--help"], capture_output=True, text=True, timeout=300,
                          env=_env())
    assert proc.returncode == 0, proc.stderr
    for command in ("run", "replicate", "sweep", "sensitivity", "optimise", "calibrate", "report"):
        assert command in proc.stdout
