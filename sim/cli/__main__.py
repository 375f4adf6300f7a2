"""``python -m sim.cli``: the same as the ``ptsim`` script."""

from sim.cli import main

main()
