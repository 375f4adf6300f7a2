"""``python -m sim.cli``: the same as the ``ptsim`` script (Ctrl-C while the commands load exits 130 too)."""

import sys

try:
    from sim.cli import script
except KeyboardInterrupt:
    sys.stderr.write("interrupted; nothing was saved\n")
    sys.exit(130)

script()
