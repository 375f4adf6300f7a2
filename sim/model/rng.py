"""Counter-based random numbers: every draw is a hash of (seed, stream, day, agent, slot).

No generator state is carried between draws, so a run gives the same numbers whatever the order in
which mechanisms, brands or executors touch the agents, and two scenarios run with the same seed see
the same consumers and the same luck (common random numbers): consumer ``i`` on day ``d`` draws the
same uniform for the same purpose in both runs.

The mixer is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
generators"), which passes BigCrush when fed a Weyl sequence; keys are chained through it.

Ranked draws (:func:`ranked_uniform`) serve draws that reach few agents of a block: each agent's uniform is
its rank in a keyed shuffle of the block plus a jitter, over the block's size, so the agents below a
probability can be listed directly (:func:`ranked_below`) instead of found by drawing for everyone. They
keep common random numbers (a draw depends on the key, the block and the agent, not on the probability).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba
import numpy as np
from numba import njit


def _cache_by_model_sources() -> None:
    """Keep numba's on-disk cache of compiled kernels in a folder named by a hash of the model's sources.

    numba keys a cached kernel by its own bytecode and file only, not by the helpers it inlines from
    other files (``state.py``, ``interception.py``, ``membership.py``, this module ...): after a helper
    is edited, kernels in other files would go on running the old helper from the cache. With one
    cache folder per version of the sources, any edit starts from a fresh cache. This module is
    imported before any cached kernel is defined, so the setting applies to all of them.
    """
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(here.rglob("*.py")):
        digest.update(path.relative_to(here).as_posix().encode())
        digest.update(path.read_bytes())
    root = os.environ.get("NUMBA_CACHE_DIR") or str(here / "__pycache__")
    numba.config.CACHE_DIR = os.path.join(root, f"kernels-{digest.hexdigest()[:16]}")


_cache_by_model_sources()

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_SLOT = 0xD1B54A32D192ED03

# Streams: one per purpose, so adding draws to one mechanism never shifts another's luck.
TRAITS = 1
ACQUISITION = 2
PURCHASE = 3
INTERCEPTION = 4
MESSAGING = 5
REFERRAL = 6
MEMBERSHIP = 7
COMPLIANCE = 8
NETWORK = 9
PARTNERS = 10
JOURNEYS = 11
SEEDING = 12


def mix64_py(z: int) -> int:
    """SplitMix64 finaliser on Python ints (used to derive keys outside kernels)."""
    z &= _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def key(seed: int, stream: int, day: int = -1) -> np.uint64:
    """The key of one (seed, stream, day); ``day=-1`` for draws fixed for the whole run."""
    z = mix64_py(seed * _GOLDEN + 0x632BE59BD9B4E019)
    z = mix64_py(z ^ ((stream + 1) * _SLOT))
    z = mix64_py(z + (day + 2) * _GOLDEN)
    return np.uint64(z)


def day_keys(seed: int, stream: int, days: int) -> np.ndarray:
    """``key(seed, stream, day)`` for days ``0 .. days - 1`` at once: a uint64 array (the same bits).

    The last mix is done on uint64 arrays, whose arithmetic wraps modulo 2**64 exactly as the masked
    Python ints of :func:`mix64_py` do.
    """
    z = mix64_py(seed * _GOLDEN + 0x632BE59BD9B4E019)
    z = mix64_py(z ^ ((stream + 1) * _SLOT))
    d = np.arange(days, dtype=np.uint64) + np.uint64(2)
    with np.errstate(over="ignore"):
        x = np.uint64(z) + d * np.uint64(_GOLDEN)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class Keys:
    """The keys of one run, derived once: ``keys.day(stream, day)`` is ``key(seed, stream, day)``.

    A stream's keys for every day of the run are computed together (:func:`day_keys`) the first time the
    stream is asked for, and a run-long key (``day=-1``) once, so a component's step reads its key
    instead of hashing it every day. Days outside the run (a shock's offset day) are hashed as before.
    """

    __slots__ = ("seed", "days", "_by_day", "_run")

    def __init__(self, seed: int, days: int) -> None:
        self.seed, self.days = seed, days
        self._by_day: dict[int, np.ndarray] = {}
        self._run: dict[int, np.uint64] = {}

    def day(self, stream: int, day: int) -> np.uint64:
        """``key(seed, stream, day)``."""
        keys = self._by_day.get(stream)
        if keys is None:
            keys = self._by_day[stream] = day_keys(self.seed, stream, self.days)
        if 0 <= day < self.days:
            return keys[day]
        return key(self.seed, stream, day)

    def run(self, stream: int) -> np.uint64:
        """``key(seed, stream)``: the stream's key fixed for the whole run."""
        k = self._run.get(stream)
        if k is None:
            k = self._run[stream] = key(self.seed, stream)
        return k


def uniform_py(k: int | np.uint64, i: int, slot: int) -> float:
    """The same uniform as :func:`uniform`, computed in Python (for brand-level draws)."""
    z = int(k) ^ ((i * _GOLDEN) & _M64) ^ (((slot + 1) * _SLOT) & _M64)
    return (mix64_py(z) >> 11) * (1.0 / 9007199254740992.0)


@njit
def mix64(z):
    """SplitMix64 finaliser on a uint64 (inside kernels)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit
def uniform(k, i, slot):
    """A uniform in [0, 1) for agent ``i`` and draw ``slot`` under key ``k``."""
    z = k ^ (np.uint64(i) * np.uint64(0x9E3779B97F4A7C15)) ^ (np.uint64(slot + 1) * np.uint64(0xD1B54A32D192ED03))
    return np.float64(mix64(z) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(inline="always")
def bernoulli_round(x, u):
    """Stochastic rounding: floor(x) plus one with probability frac(x)."""
    n = int(x)
    if u < x - n:
        n += 1
    return n


@njit(cache=True)
def uniforms(k, n, slot, first=0):
    """``n`` uniforms for agents ``first`` .. ``first + n - 1`` (vectorised helper for set-up code)."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = uniform(k, first + i, slot)
    return out


# Ranked draws: the uniforms of one purpose for a block of consumers, stratified so that the ones below a
# probability can be listed directly instead of found by hashing everyone.
_ROUND = 0xC2B2AE3D27D4EB4F
_BLOCK = 0x165667B19E3779F9
#: Rounds of the Feistel network (:func:`permute`): four suffice for a large domain (Luby & Rackoff 1988); small
#: blocks (the last span of a population, a small population) need more for every agent's rank to be uniform.
ROUNDS = 8


@njit(inline="always")
def block_key(k, slot, block):
    """The key of draw ``slot``'s ranked uniforms in block ``block`` under key ``k`` (see :func:`ranked_uniform`)."""
    return mix64(k ^ (np.uint64(slot + 1) * np.uint64(_SLOT)) ^ (np.uint64(block + 1) * np.uint64(_BLOCK)))


@njit(inline="always")
def _half_bits(size):
    """Bits of each half of the smallest even-width power of two holding ``size`` (at least 1)."""
    bits = 1
    while (1 << (2 * bits)) < size:
        bits += 1
    return bits


@njit(cache=True)
def permute(k, x, size, forward):
    """A keyed bijection of ``0 .. size - 1`` (``forward``) or its inverse: a Feistel network of :data:`ROUNDS` rounds.

    The network permutes the smallest ``2^(2b) >= size``; cycle walking (apply again until the result is
    below ``size``) restricts it to ``0 .. size - 1``, and walking with the inverse network inverts it
    (Black & Rogaway 2002, "Ciphers with arbitrary finite domains"). Each round's function is the
    SplitMix64 finaliser of the key, the round and the half. ``x`` must lie in ``0 .. size - 1`` (a larger one
    would never walk back below ``size``).
    """
    if size <= 1:
        return 0
    bits = _half_bits(size)
    mask = np.uint64((1 << bits) - 1)
    shift = np.uint64(bits)
    limit = np.uint64(size)
    k = np.uint64(k)
    z = np.uint64(x)
    while True:
        left = z >> shift
        right = z & mask
        if forward:
            for r in range(ROUNDS):
                f = _round_function(k, right, r) & mask
                left, right = right, left ^ f
        else:
            for r in range(ROUNDS - 1, -1, -1):
                f = _round_function(k, left, r) & mask
                left, right = right ^ f, left
        z = (left << shift) | right
        if z < limit:
            return np.int64(z)


@njit(inline="always")
def _round_function(k, half, r):
    """Round ``r``'s function of a Feistel half under key ``k`` (a uint64)."""
    return mix64(k ^ (half * np.uint64(_GOLDEN)) ^ (np.uint64(r + 1) * np.uint64(_ROUND)))


@njit(inline="always")
def _rotation(k, size):
    """A key's rotation of the ranks, uniform on 0 .. size - 1: it makes every agent's rank exactly uniform."""
    return min(size - 1, int(uniform(k, -1, 0) * size))


@njit(inline="always")
def ranked_uniform(k, r, size):
    """Member ``r`` of a block of ``size`` agents' uniform under block key ``k``: ``(rank + jitter) / size``.

    The rank is the agent's place in a keyed shuffle of the block (:func:`permute`, then a keyed rotation,
    which makes each agent's rank uniform whatever the shuffle's quality on a small block) and the jitter
    a uniform of its own, so each uniform is uniform on [0, 1), and no two agents of the block fall in the
    same ``1/size`` stratum (sampling without replacement: the number below ``p`` is ``floor(p * size)``
    or one more). The agents below ``p`` are those ranked below ``p * size``: :func:`ranked_below` lists
    them directly. A draw is a function of the key, the block and the agent alone (not of ``p``), so two
    scenarios with the same seed give the same agent the same luck.
    """
    rank = (permute(k, r, size, True) + _rotation(k, size)) % size
    return (np.float64(rank) + uniform(k, r, 0)) / size


@njit(inline="always")
def ranked_candidates(p, size):
    """How many ranks, from 0, hold every agent of a block of ``size`` whose ranked uniform can be below ``p``.

    An agent with uniform ``(rank + jitter) / size < p`` has ``rank < p * size``; one more guards the rounding
    of ``p * size``. Capped at ``size``.
    """
    if p <= 0.0:
        return 0
    if p >= 1.0:
        return size
    return min(size, int(p * size) + 2)


@njit(inline="always")
def ranked_below(k, rank, size):
    """The agent (block position) holding ``rank`` in block key ``k``'s ranking: the inverse of the ranking."""
    return permute(k, (rank - _rotation(k, size)) % size, size, False)
