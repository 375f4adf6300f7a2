"""Regenerate docs/scenarios.md and the generated sections of docs/MODEL.md.

Usage::

    .venv/bin/python scripts/gen_docs.py           # write the files
    .venv/bin/python scripts/gen_docs.py --check   # exit 1 if they are stale

Same as ``python -m sim.docs``; the generator is the package :mod:`sim.docs` (one module per document
or section, the command line in ``sim/docs/build.py``) so tests can import it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.docs import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
