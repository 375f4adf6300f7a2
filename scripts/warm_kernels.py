"""Compile the engine's numba kernels into the on-disk cache, once per version of the model's sources.

Called at the end of ``scripts/setup.sh`` (and so by both README commands, ``scripts/dashboard.sh``
and ``scripts/test.sh``), so that a user's first run after set-up loads compiled kernels in a
fraction of a second instead of compiling them for 20-40 s::

    .venv/bin/python scripts/warm_kernels.py            # compile unless already done; say how long it took
    .venv/bin/python scripts/warm_kernels.py --force    # compile (or load) again, whatever the stamp says

A stamp file, ``.ptsim-warm-<key>`` in the cache root (``$NUMBA_CACHE_DIR`` or
``sim/model/__pycache__``), records that the kernels were compiled. Its key hashes every
``sim/model/**/*.py`` file (names and contents), ``pyproject.toml`` and the Python and numba
versions, so editing the model, changing dependencies or the interpreter compiles again; it lists
the cache index files the compilation left, so deleting the cache (or ``__pycache__``) compiles
again too. Checking the stamp imports neither numba nor the engine: a warm set-up costs
milliseconds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "sim" / "model"
STAMP_PREFIX = ".ptsim-warm-"


def source_key(root: Path = ROOT) -> str:
    """Hash of the model's sources, the project's dependencies and the interpreter (16 hex digits)."""
    digest = hashlib.sha256()
    model = root / "sim" / "model"
    for path in sorted(model.rglob("*.py")):
        digest.update(path.relative_to(model).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        digest.update(pyproject.read_bytes())
    try:
        numba_version = metadata.version("numba")
    except metadata.PackageNotFoundError:
        numba_version = "none"
    digest.update(f"\0{sys.version}\0{numba_version}".encode())
    return digest.hexdigest()[:16]


def cache_root(root: Path = ROOT) -> Path:
    """Where numba keeps the engine's compiled kernels (see ``sim/model/rng.py``)."""
    env = os.environ.get("NUMBA_CACHE_DIR")
    return Path(env) if env else root / "sim" / "model" / "__pycache__"


def stamp_path(root: Path = ROOT) -> Path:
    """The stamp file for the current sources."""
    return cache_root(root) / f"{STAMP_PREFIX}{source_key(root)}"


def is_warm(stamp: Path) -> bool:
    """Whether ``stamp`` exists and every cache index file it lists is still there."""
    try:
        listed = [line for line in stamp.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError):
        return False
    return bool(listed) and all(Path(p).is_file() for p in listed)


def write_stamp(stamp: Path, index_files: list[Path]) -> None:
    """Write ``stamp`` atomically, listing ``index_files``; remove the stamps of older sources."""
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_name(stamp.name + ".tmp")
    tmp.write_text("".join(f"{p}\n" for p in index_files), encoding="utf-8")
    os.replace(tmp, stamp)
    for old in stamp.parent.glob(f"{STAMP_PREFIX}*"):
        if old != stamp and old.is_file():
            old.unlink(missing_ok=True)


def warm(stamp: Path) -> float:
    """Compile (or load) every kernel in this process, write the stamp, return the seconds it took."""
    import numba

    from sim.model.warmup import warm_kernels

    t0 = time.perf_counter()
    warm_kernels()
    seconds = time.perf_counter() - t0
    index_files = sorted(Path(numba.config.CACHE_DIR).rglob("*.nbi"))
    if not index_files:
        raise RuntimeError(f"numba wrote no cache index files under {numba.config.CACHE_DIR}")
    write_stamp(stamp, index_files)
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Command line: compile the kernels into the cache unless the stamp says it is done."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="compile (or load) the kernels whatever the stamp says")
    args = ap.parse_args(argv)
    stamp = stamp_path()
    if not args.force and is_warm(stamp):
        print("numba kernels: already compiled for these sources")
        return 0
    print("numba kernels: compiling into the cache (once after set-up or a change of sim/model) ...", flush=True)
    seconds = warm(stamp)
    print(f"numba kernels: ready in {seconds:.1f} s; later runs load them from the cache")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
