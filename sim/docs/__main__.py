"""``python -m sim.docs``: regenerate the generated documents (``--check``: fail if they are stale)."""

from sim.docs.build import main

raise SystemExit(main())
