"""The consumer population as typed arrays (LASER / Starsim style).

Index = consumer id; arrays are allocated once, never resized or compacted. Traits are float32 and
fixed for the run; state is shared (fatigue) or per brand. A consumer's state with one brand (trust,
consent, points, tier, last purchase...) is one record of ``pair`` (a structured array, shape (N, K),
dtype :data:`sim.model.layout.PAIR_DTYPE` assembled from the components' ``STATE``), so a kernel's visit
to a consumer reads one short run of memory. With one brand a consumer costs 76 bytes (see
:meth:`Population.bytes_per_consumer`).

Kernels take the population as one named tuple, :class:`Consumers` (``c.stage``, ``c.pair``,
``c.traits``...), built once per run (:meth:`Population.consumers`); the journey log is a
:class:`Journal` (events, their count, who is tracked).

Traits are drawn per segment from the scenario's distributions. Segment membership uses the
counter-based stream, and each (trait, segment) pair has its own NumPy stream, so changing one
distribution never reshuffles the others: two markets with the same segment layout and seed give
the same consumers the same quantile ranks (common random numbers).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from sim.model import layout as L
from sim.model import rng
from sim.model.component import DAY
from sim.scenario.schema import Beta, Fixed, Gamma, LogNormal, Market, Uniform

#: Consumers handled at once by set-up passes over everyone: segments drawn, traits drawn, segments and
#: stages counted (the census). Their float64 and int64 temporaries then take a few MiB, not 8 to 16 bytes
#: per consumer, which at ten million consumers would add 76 to 150 MiB to the set-up's peak.
COUNT_CHUNK = 1 << 18

def count_values(values: np.ndarray, size: int) -> np.ndarray:
    """How many of ``values`` (small non-negative ints) equal each of 0 .. ``size - 1``: int64 (size,).

    Counted :data:`COUNT_CHUNK` values at a time: ``np.bincount`` copies its input to int64 first.
    """
    out = np.zeros(size, dtype=np.int64)
    for lo in range(0, values.shape[0], COUNT_CHUNK):
        out += np.bincount(values[lo : lo + COUNT_CHUNK], minlength=size)[:size]
    return out


_TRAIT_FIELDS = {
    L.PSI: "privacy_sensitivity",
    L.TAU: "message_tolerance",
    L.LAM: "purchase_rate",
    L.DROP: "dropout",
    L.BASKET: "basket",
    L.SOC: "sociability",
    L.PTS: "points_appetite",
}


def draw(dist: Fixed | Uniform | Beta | Gamma | LogNormal, n: int, gen: np.random.Generator) -> np.ndarray:
    """``n`` draws from a trait distribution."""
    if isinstance(dist, Fixed):
        return np.full(n, dist.value)
    if isinstance(dist, Uniform):
        return gen.uniform(dist.low, dist.high, n)
    if isinstance(dist, Beta):
        return gen.beta(dist.a, dist.b, n)
    if isinstance(dist, Gamma):
        return gen.gamma(dist.shape, 1.0 / dist.rate, n)
    sigma2 = np.log1p(dist.cv**2)
    mu = np.log(dist.mean) - 0.5 * sigma2
    return gen.lognormal(mu, np.sqrt(sigma2), n)


def assign_segments(shares: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Segment of each consumer, from a counter-based uniform per consumer."""
    cum = np.cumsum(shares / shares.sum())
    cum[-1] = 1.0
    key = rng.key(seed, rng.TRAITS)
    out = np.empty(n, dtype=np.uint8)
    for lo in range(0, n, COUNT_CHUNK):  # a chunk at a time: no float64 and int64 per consumer held at once
        u = rng.uniforms(key, min(COUNT_CHUNK, n - lo), 0, lo)  # slot 0: state.SEGMENT_SLOTS
        out[lo : lo + u.size] = np.searchsorted(cum, u, side="right")
    return out


#: The population as kernels take it (numba reads a named tuple's fields by name, like arguments).
Consumers = namedtuple("Consumers", ("stage", "pair", "traits", "fatigue", "fatigue_day", "segment"))
Consumers.__doc__ = """Consumer arrays: stage, pair (N, K) records, traits (N, 7), fatigue and its day, segment."""
#: The journey log: events (capacity, 5) int32 (day, agent, brand, code, value), their count, who is tracked (a bit
#: per consumer: :func:`is_tracked`);
#: and the log of joins, a ring (capacity, 2) int32 (consumer, brand), and the count ever logged.
Journal = namedtuple("Journal", ("ev", "ev_n", "tracked", "joins", "joins_n"))
Journal.__doc__ = """Journey events, their count, the tracked consumers (see :func:`sim.model.state.log_event`),
and the ring of joins with the count ever logged (see :func:`sim.model.state.log_join`, :mod:`sim.model.carried`)."""


class Population:
    """Consumer arrays for ``n`` consumers and ``k`` brands."""

    def __init__(self, market: Market, n: int, k: int, seed: int) -> None:
        self.n, self.k = n, k
        shares = np.array([s.share for s in market.segments], dtype=np.float64)
        self.segment = assign_segments(shares, n, seed)
        self.traits = np.empty((n, L.N_TRAITS), dtype=np.float32)
        for s_idx, seg in enumerate(market.segments):
            # one generator per trait and segment, drawn for the segment's consumers in id order; a chunk of
            # consumers at a time (a generator continues its stream from call to call: the same values as
            # one call for the whole segment, without its float64 draws and int64 ids held at once)
            gens = {col: np.random.default_rng(np.random.SeedSequence([seed, rng.TRAITS, col, s_idx]))
                    for col in _TRAIT_FIELDS}
            for lo in range(0, n, COUNT_CHUNK):
                who = lo + np.flatnonzero(self.segment[lo : lo + COUNT_CHUNK] == s_idx)
                for col, field in _TRAIT_FIELDS.items():
                    self.traits[who, col] = draw(getattr(seg, field), who.size, gens[col])
        # a consumer who tolerates no messages at all would divide by zero: floor at 0.05/week
        np.maximum(self.traits[:, L.TAU], 0.05, out=self.traits[:, L.TAU])
        self.stage = np.zeros((n, k), dtype=np.uint8)
        # the state the components declare: per brand one record per (consumer, brand), the rest one array each
        self.pair = np.zeros((n, k), dtype=L.PAIR_DTYPE)
        for st in L.STATE.values():  # (zeros are left to np.zeros: untouched pages cost no memory)
            if st.per_brand:
                if st.initial != 0 and st.name in L.FLAG_BIT:  # a yes/no state starting "yes": its bit set
                    self.pair[L.FLAGS] |= L.FLAG_BIT[st.name]
                elif st.initial != 0:
                    self.pair[st.name] = st.initial
            else:
                column = np.zeros(n, dtype=st.dtype)
                if st.initial != 0:
                    column[:] = st.initial
                setattr(self, st.name, column)
        #: The last day whose decay ``fatigue`` includes (fatigue decays lazily, on the next read: messaging).
        self.fatigue_day = np.full(n, -1, dtype=DAY)
        #: Who is tracked (journeys logged): a bit per consumer, ``i``'s in byte ``i >> 3`` (:func:`is_tracked`).
        self.tracked = np.zeros((n + 7) // 8, dtype=np.uint8)

    def track(self, ids: np.ndarray) -> None:
        """Track consumers ``ids``: their journeys are logged."""
        ids = np.asarray(ids, dtype=np.int64)
        np.bitwise_or.at(self.tracked, ids >> 3, (1 << (ids & 7)).astype(np.uint8))

    def tracked_column(self) -> np.ndarray:
        """Who is tracked, 0/1 uint8 per consumer (unpacked from the bits)."""
        return np.unpackbits(self.tracked, count=self.n, bitorder="little")

    def consumers(self) -> Consumers:
        """The arrays kernels read and write, as one named tuple (the same arrays: no copy)."""
        return Consumers(self.stage, self.pair, self.traits, self.fatigue, self.fatigue_day, self.segment)

    def columns(self) -> dict[str, np.ndarray]:
        """Every per-consumer column by name: segment, tracked, stage, traits and each declared state.

        Views of the arrays, except a yes/no state's column (0/1 uint8, unpacked from its bit).
        """
        cols = {"segment": self.segment, "tracked": self.tracked_column(), "stage": self.stage}
        for j, name in enumerate(L.TRAITS):
            cols[name] = self.traits[:, j]
        for st in L.STATE.values():
            cols[st.name] = self.column(st.name)
        return cols

    def column(self, name: str) -> np.ndarray:
        """One declared state by name (``L.CONSENT``...): (N, K) per brand, else (N,).

        A view of the record's field or of the state's own array; a yes/no state (``component.FLAG``) is
        unpacked from its bit of the record's ``flag_bits`` byte into a new 0/1 uint8 array.
        """
        if name in L.FLAG_BIT:
            return ((self.pair[L.FLAGS] & L.FLAG_BIT[name]) != 0).view(np.uint8)
        if name in L.PAIR_DTYPE.names:
            return self.pair[name]
        return getattr(self, name)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the population, by name."""
        out = {"segment": self.segment, "traits": self.traits, "stage": self.stage, "pair": self.pair,
               "tracked": self.tracked, "fatigue_day": self.fatigue_day}
        out.update({st.name: getattr(self, st.name) for st in L.STATE.values() if not st.per_brand})
        return out

    def bytes_per_consumer(self) -> float:
        """Bytes of state per consumer (all arrays, all brands)."""
        return sum(a.nbytes for a in self.arrays().values()) / self.n

    def segment_sizes(self, n_segments: int) -> np.ndarray:
        """Consumers in each segment: int64 (n_segments,)."""
        return count_values(self.segment, n_segments)

    def census(self) -> np.ndarray:
        """Consumers in each stage for each brand, counted from the arrays: int64 (K, 5)."""
        return np.stack([count_values(self.stage[:, b], L.N_STAGES) for b in range(self.k)])


# ---- memory hints for kernels ------------------------------------------------------------------
# Kernels visit a sparse, ordered list of consumers (the few who can act today). Each visit reads
# a consumer's rows from several arrays, which at a million consumers are not in cache, so the
# CPU waits for memory. Asking it to start loading the rows of a consumer a few places further down
# the list hides that wait. A prefetch is only a hint: it changes no value and no result.

#: How many consumers ahead of the current one a kernel asks the CPU to fetch.
AHEAD = 12


@intrinsic
def prefetch(typingctx, arr, i):
    """Hint the CPU to start loading row ``i`` of ``arr`` into cache (``llvm.prefetch``; no effect on results).

    Both ends of the row are requested, as a row may straddle two cache lines.
    """
    if not isinstance(arr, types.Array) or not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        arr_type, i_type = signature.args
        array = context.make_array(arr_type)(context, builder, args[0])
        row = context.cast(builder, args[1], i_type, types.intp)
        stride = cgutils.unpack_tuple(builder, array.strides, arr_type.ndim)[0]
        first = builder.add(builder.ptrtoint(array.data, cgutils.intp_t), builder.mul(row, stride))
        last = builder.add(first, builder.sub(stride, cgutils.intp_t(1)))
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
                                            "llvm.prefetch.p0i8")
        for address in (first, last):  # read access, high temporal locality, data cache
            builder.call(fn, [builder.inttoptr(address, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, i), codegen


#: Consumers per span of a daily pass that visits only some of them: the pass finds the ids of a span
#: (ascending) into a buffer of this many int32, visits them, then takes the next span. The same consumers
#: in the same order as one list of everyone's ids, without a list the size of the population (its
#: bytes per consumer are the largest part of a run's working memory above the state).
SPAN = 1 << 14


@njit(inline="always")
def ids_of_span(mask, start, size, who):
    """Write ``start + r`` into ``who`` for every ``r < size`` with ``mask[r] != 0``, in order; return how many."""
    count = 0
    for r in range(size):
        who[count] = start + r  # every id is written, only the masked advance (no branch)
        count += mask[r] != 0
    return count


@njit(inline="always")
def is_tracked(tracked, i):
    """Whether consumer ``i``'s journey is logged: bit ``i & 7`` of byte ``i >> 3`` of ``tracked``."""
    return ((tracked[i >> 3] >> (i & 7)) & 1) != 0


@njit
def prefetch_ahead(who, j, c):
    """Start loading every row of consumer ``who[j + AHEAD]`` (the last one near the end; a hint only).

    ``c`` is the :class:`Consumers` tuple. No branch here: numba's reference counting of the arrays
    then folds away.
    """
    i = who[min(j + AHEAD, who.shape[0] - 1)]
    prefetch(c.traits, i)
    prefetch(c.pair, i)
    prefetch(c.stage, i)
    prefetch(c.fatigue, i)
    prefetch(c.fatigue_day, i)
