"""Cold start: commands that run no model do not import the engine; set-up compiles the kernels once.

``import sim`` resolves its public names lazily (PEP 562), so ``ptsim list``, ``schema`` and
``validate`` never import numba or Mesa. ``scripts/warm_kernels.py`` (the last step of
``scripts/setup.sh``) compiles the kernels into numba's cache once per version of the model's
sources, recorded by a stamp file; these tests check when it compiles again and when it does not.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ("mesa", "numba", "sim.model.market")


def _warm_module():
    spec = importlib.util.spec_from_file_location("warm_kernels_script", ROOT / "scripts" / "warm_kernels.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _imported_after(code: str) -> dict[str, bool]:
    probe = (f"import json, sys\n{code}\n"
             f"print(json.dumps({{m: m in sys.modules for m in {ENGINE!r}}}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_sim_does_not_import_the_engine_until_a_public_name_is_used() -> None:
    """``import sim`` is cheap; ``sim.run`` and friends still work (they import on first use)."""
    assert _imported_after("import sim") == dict.fromkeys(ENGINE, False)
    assert _imported_after("import sim.api") == dict.fromkeys(ENGINE, False)
    ran = "import sim\nsim.run(sim.resolve('china_in_china', ['run.population=200', 'run.days=2']))"
    assert _imported_after(ran) == dict.fromkeys(ENGINE, True)  # the probe sees an import when there is one


def test_lazy_public_names_are_the_real_objects() -> None:
    """Each lazy name is the object of its module; unknown names still raise AttributeError."""
    import sim
    from sim import api
    from sim.results.result import RunResult
    from sim.scenario.schema import Scenario

    assert (sim.run, sim.resolve, sim.load_result) == (api.run, api.resolve, api.load_result)
    assert (sim.RunResult, sim.Scenario) == (RunResult, Scenario)
    assert set(sim.__all__) <= set(dir(sim))
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        sim.nonexistent  # noqa: B018


@pytest.mark.parametrize("args", [["list"], ["schema"], ["validate", "china_in_china"]])
def test_commands_that_run_no_model_do_not_import_the_engine(args: list[str]) -> None:
    """``ptsim list``, ``schema`` and ``validate`` answer without numba, Mesa or the model."""
    code = ("from sim.cli import main\n"
            f"sys.argv = ['ptsim', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit as stop:\n    assert stop.code in (0, None), stop.code\n"
            "sys.stdout.flush()")
    assert _imported_after(code) == dict.fromkeys(ENGINE, False)


# ---- scripts/warm_kernels.py ------------------------------------------------------------------------
def _tree(tmp_path: Path) -> Path:
    model = tmp_path / "sim" / "model"
    (model / "mechanisms").mkdir(parents=True)
    (model / "rng.py").write_text("A = 1\n")
    (model / "mechanisms" / "purchase.py").write_text("B = 2\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    return tmp_path


def test_source_key_changes_with_any_model_source_and_only_with_them(tmp_path: Path) -> None:
    """Editing, adding or moving a ``sim/model`` Python file changes the key; other files do not."""
    wk = _warm_module()
    root = _tree(tmp_path)
    key = wk.source_key(root)
    assert key == wk.source_key(root) and len(key) == 16
    (root / "README.md").write_text("not a model source")
    (root / "sim" / "model" / "notes.txt").write_text("not python")
    assert wk.source_key(root) == key
    (root / "sim" / "model" / "mechanisms" / "purchase.py").write_text("B = 3\n")
    edited = wk.source_key(root)
    assert edited != key
    (root / "sim" / "model" / "mechanisms" / "groupbuy.py").write_text("")
    assert wk.source_key(root) != edited
    (root / "sim" / "model" / "mechanisms" / "groupbuy.py").rename(root / "sim" / "model" / "groupbuy.py")
    assert wk.source_key(root) not in (key, edited)  # a moved file counts: its path is hashed
    (root / "sim" / "model" / "groupbuy.py").unlink()
    assert wk.source_key(root) == edited


def test_stamp_is_warm_only_while_every_listed_cache_file_exists(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A stamp counts only if it lists cache files that all exist; writing one removes only our old stamps."""
    wk = _warm_module()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    root = _tree(tmp_path)
    stamp = wk.stamp_path(root)
    assert stamp.parent == tmp_path / "cache" and stamp.name.startswith(wk.STAMP_PREFIX)
    assert not wk.is_warm(stamp)
    index = [tmp_path / "cache" / "k" / f"f{i}.nbi" for i in range(3)]
    for p in index:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    old = stamp.with_name(wk.STAMP_PREFIX + "0" * 16)
    old.write_text(f"{index[0]}\n")
    other = tmp_path / "cache" / "someone-elses-file"
    other.write_text("keep me")
    wk.write_stamp(stamp, index)
    assert wk.is_warm(stamp)
    assert not old.exists() and other.read_text() == "keep me"  # only our older stamps are removed
    assert not list(stamp.parent.glob("*.tmp"))
    index[1].unlink()  # the cache was (partly) deleted: compile again
    assert not wk.is_warm(stamp)
    stamp.write_text("")
    assert not wk.is_warm(stamp)


def test_main_compiles_only_when_the_stamp_is_not_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Set-up compiles when there is no current stamp, or with ``--force``; otherwise it only says so."""
    wk = _warm_module()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(wk, "ROOT", _tree(tmp_path))
    monkeypatch.setattr(wk, "stamp_path", lambda root=wk.ROOT: wk.cache_root(root) / "stamp-under-test")
    calls = []

    def fake_warm(stamp: Path) -> float:
        index = tmp_path / "cache" / "kernel.nbi"
        index.parent.mkdir(parents=True, exist_ok=True)
        index.write_bytes(b"x")
        wk.write_stamp(stamp, [index])
        calls.append(stamp)
        return 12.5

    monkeypatch.setattr(wk, "warm", fake_warm)
    assert wk.main([]) == 0 and len(calls) == 1
    assert "ready in 12.5 s" in capsys.readouterr().out
    assert wk.main([]) == 0 and len(calls) == 1
    assert "already compiled" in capsys.readouterr().out
    assert wk.main(["--force"]) == 0 and len(calls) == 2
    (tmp_path / "cache" / "kernel.nbi").unlink()
    assert wk.main([]) == 0 and len(calls) == 3


def test_warm_script_leaves_a_stamp_that_lists_the_real_cache() -> None:
    """Run as set-up runs it: afterwards the stamp is current, lists numba index files, and a rerun is a no-op."""
    wk = _warm_module()
    script = [sys.executable, str(ROOT / "scripts" / "warm_kernels.py")]
    first = subprocess.run(script, cwd=ROOT, capture_output=True, text=True, check=True)
    assert "numba kernels:" in first.stdout
    stamp = wk.stamp_path()
    assert wk.is_warm(stamp)
    listed = stamp.read_text(encoding="utf-8").split()
    assert listed and all(p.endswith(".nbi") for p in listed)
    again = subprocess.run(script, cwd=ROOT, capture_output=True, text=True, check=True)
    assert "already compiled" in again.stdout


def test_after_the_warm_up_a_breach_and_a_ban_wave_load_no_kernel() -> None:
    """A breach, an enforcement order and a ban wave mid-run load no kernel after the warm-up.

    Their kernels (trust shock and exits, members leaving a channel) run only on the rare days these
    strike; the warm-up now loads them too (a fresh install used to compile them inside the run: about
    0.8 s). Counted as the versions every engine function holds, before and after the run, so a warm
    on-disk cache cannot hide a miss.
    """
    probe = """
import json, sys
from numba.core.dispatcher import Dispatcher
from sim.model.warmup import warm_kernels
warm_kernels()
import sim

def versions():
    out = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("sim.model"):
            continue
        for attr, value in vars(module).items():
            d = getattr(value, "dispatcher", value)
            if isinstance(d, Dispatcher):
                out[f"{name}.{attr}"] = len(d.overloads)
    return out

before = versions()
for preset in ("china_in_china", "japan_in_japan"):
    sc = sim.resolve(preset, ["run.population=1500", "run.days=40", "market.regime.breach.rate_per_year=0",
                              "market.stresses=[{kind: breach, day: 5}, {kind: enforcement, day: 9},"
                              " {kind: channel_ban, day: 12, size: 0.2}]"])
    result = sim.run(sc)
    assert result.daily["breaches"].sum() >= 1, "the scheduled breach struck"
after = versions()
print(json.dumps({"kernels": len(before), "new": {k: v for k, v in after.items() if v != before.get(k, 0)}}))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["kernels"] > 20  # the probe sees the engine's functions
    assert report["new"] == {}
