"""The social network over which members share, generated on the fly and never stored.

The ``m``-th contact of consumer ``i`` is a pure function of (seed, i, m), so the network is fixed
for a run, costs no memory at ten million consumers and is the same in two scenarios compared with
the same seed. Kinds:

- ``mixed``: every share reaches fresh uniformly random consumers (the fully mixed population of
  the Bass model; Bass 1969).
- ``random``: a fixed random contact list of ``mean_degree`` per consumer (Erdos-Renyi-like).
- ``small_world``: a ring lattice with each contact rewired with probability ``rewire``
  (Watts & Strogatz 1998): high clustering, short paths.
- ``scale_free``: Chung-Lu expected-degree graph with power-law weights w_i = (i/N)^(-beta),
  beta = 1/(gamma-1) (Chung & Lu 2002), giving P(degree) ~ degree^(-gamma) as in Barabasi & Albert
  (1999). Low indices are hubs; traits are drawn independently of the index, so hubs are ordinary
  consumers otherwise.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model.rng import uniform

#: A fully mixed population: consumer i's contacts of the day are the first ``MIXED_CONTACTS`` draws
#: of the day's referral key from slot ``MIXED_FIRST_SLOT`` on, past every brand's block of referral
#: slots (declared in :mod:`sim.model.mechanisms.referral` and checked for overlap).
MIXED_FIRST_SLOT = 1 << 20
MIXED_CONTACTS = 1_000_000


@njit(inline="always")
def degree(kind, i, n, mean_degree, sf_beta):
    """Expected number of contacts of consumer ``i``."""
    if kind == L.NET_SCALE_FREE:
        w = ((i + 1.0) / n) ** (-sf_beta)
        return min(mean_degree * (1.0 - sf_beta) * w, n - 1.0)
    return min(mean_degree, n - 1.0)


@njit(inline="always")
def contact(kind, i, m, n, mean_degree, rewire, sf_beta, net_key, day_key):
    """The ``m``-th contact of consumer ``i`` (never ``i`` itself)."""
    if kind == L.NET_MIXED:
        j = int(uniform(day_key, i, MIXED_FIRST_SLOT + m) * n)
    elif kind == L.NET_RANDOM:
        j = int(uniform(net_key, i, m) * n)
    elif kind == L.NET_SMALL_WORLD:
        if uniform(net_key, i, 2 * m) < rewire:
            j = int(uniform(net_key, i, 2 * m + 1) * n)
        else:
            step = m // 2 + 1
            j = (i + step) % n if m % 2 == 0 else (i - step) % n
    else:  # scale-free, Chung-Lu: choose j with probability proportional to its weight
        u = uniform(net_key, i, m)
        x = u ** (1.0 / (1.0 - sf_beta))
        j = min(int(x * n), n - 1)
    if j == i:
        j = (i + 1) % n
    return j


@njit(inline="always")
def pick_contact(kind, i, n, mean_degree, rewire, sf_beta, net_key, day_key, u):
    """A contact of ``i`` chosen uniformly among its contacts with the uniform ``u``."""
    if kind == L.NET_MIXED:
        return contact(kind, i, int(u * MIXED_CONTACTS), n, mean_degree, rewire, sf_beta, net_key, day_key)
    d = degree(kind, i, n, mean_degree, sf_beta)
    m = int(u * max(d, 1.0))
    return contact(kind, i, m, n, mean_degree, rewire, sf_beta, net_key, day_key)


def sf_beta(exponent: float) -> float:
    """Chung-Lu weight exponent beta = 1/(gamma-1) for degree exponent gamma."""
    return 1.0 / (exponent - 1.0)


def contacts_of(kind: int, i: int, n: int, mean_degree: float, rewire: float, beta: float,
                net_key: np.uint64) -> list[int]:
    """All contacts of ``i`` (for tests and teaching; not used in the daily loop)."""
    d = int(round(degree(kind, i, n, mean_degree, beta)))
    return [contact(kind, i, m, n, mean_degree, rewire, beta, net_key, net_key) for m in range(d)]
