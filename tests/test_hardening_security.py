"""Security: no code runs from input, the dashboard listens on localhost, uploads are capped.

The static check parses every Python file of ``sim/`` and ``dashboard/`` and fails if someone adds a
way to execute or unpickle data: ``eval``/``exec``/``compile``, ``pickle``/``marshal``/``shelve``
(and friends) imports, ``yaml.load``/``unsafe_load``/``full_load`` or the unsafe YAML loaders,
``pandas.read_pickle``, ``numpy.load(..., allow_pickle=True)``, ``os.system``/``os.popen`` and
``subprocess`` with ``shell=True``. Scenario files reach the model only through the restricted YAML
loader (``sim/scenario/loader.py``), whose refusals are tested in ``tests/test_loader.py`` and, through
the command line, in ``tests/test_hardening_input.py``.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("sim", "dashboard")

BANNED_CALLS = {
    "eval", "exec", "compile", "__import__", "breakpoint",
    "yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load",
    "yaml.full_load_all", "pickle.load", "pickle.loads", "marshal.load", "marshal.loads", "shelve.open",
    "pd.read_pickle", "pandas.read_pickle", "os.system", "os.popen", "os.execv", "os.execvp", "os.spawnv",
}
BANNED_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib", "code",
                  "pty"}
BANNED_NAMES = {"yaml.Loader", "yaml.UnsafeLoader", "yaml.FullLoader", "yaml.CLoader", "yaml.CUnsafeLoader",
                "yaml.CFullLoader"}
ALLOWED = {"ast.literal_eval"}  # parses Python literals only (sim/docs.py reads our own source)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def unsafe_uses(source: str, filename: str = "<string>") -> list[str]:
    """Every unsafe construct in ``source``, as ``file:line: what``."""
    found = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names if a.name.split(".")[0] in BANNED_MODULES]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod.split(".")[0] in BANNED_MODULES:
                found.append(f"{where}: from {mod} import ...")
            for a in node.names:
                if f"{mod}.{a.name}" in BANNED_CALLS | BANNED_NAMES or (mod == "builtins" and a.name in BANNED_CALLS):
                    found.append(f"{where}: from {mod} import {a.name}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in ALLOWED:
                continue
            if name in BANNED_CALLS:
                found.append(f"{where}: {name}()")
            kw = {k.arg: k.value for k in node.keywords}
            if name.split(".")[-1] in ("run", "Popen", "call", "check_call", "check_output") and "shell" in kw:
                if not (isinstance(kw["shell"], ast.Constant) and kw["shell"].value is False):
                    found.append(f"{where}: {name}(shell=...)")
            if name.split(".")[-1] == "load" and name.split(".")[0] in ("np", "numpy") and "allow_pickle" in kw:
                if not (isinstance(kw["allow_pickle"], ast.Constant) and kw["allow_pickle"].value is False):
                    found.append(f"{where}: {name}(allow_pickle=...)")
        elif isinstance(node, ast.Attribute) and _dotted(node) in BANNED_NAMES:
            found.append(f"{where}: {_dotted(node)}")
    return found


def _files() -> list[Path]:
    return sorted(p for d in SCANNED for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_code_execution_or_unpickling_in_sim_or_dashboard() -> None:
    """No eval/exec, pickle-like loading, unsafe YAML loading, shell=True or os.system in sim/ or dashboard/."""
    files = _files()
    assert len(files) > 30
    problems = [u for f in files for u in unsafe_uses(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "snippet",
    [
        "import yaml\nyaml.load(open('x'))",
        "import yaml\nyaml.load(text, Loader=yaml.Loader)",
        "import yaml\nyaml.unsafe_load(text)",
        "import yaml\ndoc = yaml.full_load(text)",
        "import yaml\nL = yaml.UnsafeLoader",
        "import pickle\npickle.loads(data)",
        "from pickle import loads",
        "import cloudpickle",
        "import pandas as pd\npd.read_pickle(path)",
        "import numpy as np\nnp.load(path, allow_pickle=True)",
        "eval(user_text)",
        "exec(compile(src, 'f', 'exec'))",
        "import os\nos.system(cmd)",
        "import subprocess\nsubprocess.run(cmd, shell=True)",
        "import subprocess as sp\nsp.Popen(cmd, shell=flag)",
        "import marshal\nmarshal.loads(b)",
    ],
)
def test_the_static_check_catches_unsafe_code(snippet: str) -> None:
    """The check is not vacuous: each planted unsafe construct is found."""
    assert unsafe_uses(snippet), snippet


@pytest.mark.parametrize("snippet", ["import yaml\nyaml.safe_load(text)", "import ast\nast.literal_eval('1')",
                                     "import subprocess\nsubprocess.run(['ls'], shell=False)",
                                     "import numpy as np\nnp.load(p, allow_pickle=False)"])
def test_the_static_check_allows_safe_code(snippet: str) -> None:
    """Safe equivalents pass."""
    assert unsafe_uses(snippet) == []


def test_yaml_import_from_is_caught() -> None:
    """``from yaml import load`` (then ``load(...)``) is caught at the import."""
    assert unsafe_uses("from yaml import load, safe_load\n") == ["<string>:1: from yaml import load"]


def test_dashboard_script_binds_to_localhost_by_default() -> None:
    """`scripts/dashboard.sh` passes --server.address 127.0.0.1 unless SIM_ADDRESS says otherwise."""
    text = (ROOT / "scripts" / "dashboard.sh").read_text()
    assert re.search(r'--server\.address "\$\{SIM_ADDRESS:-127\.0\.0\.1\}"', text), text
    for cfg in (ROOT / ".streamlit" / "config.toml", ROOT / "dashboard" / ".streamlit" / "config.toml"):
        if cfg.exists():
            server = tomllib.loads(cfg.read_text()).get("server", {})
            assert server.get("address", "127.0.0.1") in ("127.0.0.1", "localhost", "::1"), cfg


def _server_upload_cap_mb() -> float:
    """Streamlit's own upload cap as the dashboard is launched (flag or config file); its default is 200 MB."""
    text = (ROOT / "scripts" / "dashboard.sh").read_text()
    m = re.search(r"--server\.maxUploadSize[ =]\"?(\d+)", text)
    if m:
        return float(m.group(1))
    cfg = ROOT / "dashboard" / ".streamlit" / "config.toml"
    if cfg.exists():
        value = tomllib.loads(cfg.read_text()).get("server", {}).get("maxUploadSize")
        if value is not None:
            return float(value)
    return 200.0


def test_dashboard_caps_uploads_in_the_app() -> None:
    """The editor refuses uploads above the stated cap (200 kB) before parsing them."""
    pytest.importorskip("streamlit")
    from dashboard import common as C

    assert C.CAPS.upload_bytes <= 1_000_000
    editor = (ROOT / "dashboard" / "views" / "editor.py").read_text()
    assert "CAPS.upload_bytes" in editor and "upload.size >" in editor


def test_dashboard_server_caps_upload_size() -> None:
    """The server itself refuses big uploads (server.maxUploadSize at most 1 MB; Streamlit's default is 200 MB)."""
    assert _server_upload_cap_mb() <= 1
    # Streamlit reads the config beside the app (dashboard/.streamlit), whatever the working folder
    cfg = ROOT / "dashboard" / ".streamlit" / "config.toml"
    assert cfg.exists(), "the dashboard's server settings must ship beside the app"
    assert tomllib.loads(cfg.read_text()).get("server", {}).get("maxUploadSize", 200) <= 1
