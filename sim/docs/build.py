"""Regenerating the documents, or checking that the files on disk are up to date (``--check``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.docs.markdown import MODEL_MD, REGENERATE, ROOT, SCENARIOS_MD
from sim.docs.model_md import render_model_md
from sim.docs.scenarios_md import render_scenarios_md

#: First line of the command's help.
DESCRIPTION = "Generate the parts of the documentation that must never drift from the code."


def generate() -> dict[Path, str]:
    """The up-to-date text of every generated file."""
    return {
        SCENARIOS_MD: render_scenarios_md(),
        MODEL_MD: render_model_md(MODEL_MD.read_text(encoding="utf-8")),
    }


def stale() -> list[Path]:
    """Generated files whose text on disk differs from what the generator produces."""
    out = []
    for path, text in generate().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out.append(path)
    return out


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate the docs, or check them with ``--check``."""
    ap = argparse.ArgumentParser(prog="python -m sim.docs", description=DESCRIPTION)
    ap.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale; write nothing")
    args = ap.parse_args(argv)
    if args.check:
        bad = stale()
        for p in bad:
            print(f"stale: {p.relative_to(ROOT)} (regenerate with `{REGENERATE}`)", file=sys.stderr)
        return 1 if bad else 0
    for path, text in generate().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            write_atomically(path, text)
            print(f"wrote {path.relative_to(ROOT)}")
        else:
            print(f"up to date: {path.relative_to(ROOT)}")
    return 0

