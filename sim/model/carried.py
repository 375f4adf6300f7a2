"""Lists of pool members carried from day to day instead of found by a pass over everyone.

A daily pass that visits only some members of a brand's pool (membership's rules, group buying and
stored-value top-ups visit every member and share one list, :func:`pool_members`; referral visits the
members still in their sharing window) can keep its list from one day to the next: a
member listed yesterday either still qualifies or has left, and a member who was not listed joined
since. Every join goes through :func:`sim.model.state.join_pool`, which logs (consumer, brand) in the
journal's join log, a ring whose count never resets (:func:`sim.model.state.log_join`); each reader
keeps the count it read up to (its *cursor*, a run state), so several readers share one log. When more
joins were logged since a reader's cursor than the ring holds, the reader lists by a pass over
everyone instead (:func:`listed_by_scan`); the list is the same either way.

A list holds the members of brand ``k`` who joined at most ``window`` days ago (``day - joined <=
window``), in id order; ``window < 0`` means every member (the joining day is then not read).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model.kernel import kernel

#: ``window`` for a list of every member of the pool, however long ago they joined.
EVERY_MEMBER = -1


@njit(inline="always")
def qualifies(stage, pair, i, k, day, window):
    """Whether consumer ``i`` is a member of brand ``k`` who joined at most ``window`` days before ``day``."""
    if stage[i, k] != L.MEMBER:
        return False
    return window < 0 or day - pair[i, k].joined <= window


@kernel
def listed_by_scan(c, k, day, window):
    """The qualifying members of brand ``k`` by a pass over everyone (to start or restart a list): ``(ids, count)``.

    ``c`` is the :class:`sim.model.population.Consumers` tuple. ``ids[:count]`` are their ids in order; ``ids``
    has room for a quarter more (the list grows in place).
    """
    stage, pair = c.stage, c.pair
    n = stage.shape[0]
    count = 0
    for i in range(n):
        count += qualifies(stage, pair, i, k, day, window)
    ids = np.empty(min(n, count + count // 4 + 1024), dtype=np.int32)
    m = 0
    for i in range(n):
        if qualifies(stage, pair, i, k, day, window):
            ids[m] = i
            m += 1
    return ids, count


@kernel
def listed_by_update(c, jr, k, day, window, ids, count, first, last):
    """The qualifying members of brand ``k`` now, from the list of the last reading and the joins logged since.

    ``c`` and ``jr`` are the consumers and the journal. ``ids[:count]`` is the last list; the joins since are
    the log's entries ``first <= e < last`` (at ``e % capacity`` of the ring ``jr.joins``; the caller has
    checked that none was overwritten). The listed
    who no longer qualify are dropped in place, and the joiners who qualify and are not yet listed (a
    member who left and rejoined, or joined twice, is listed once) are merged in, in id order. Visits the
    listed and the joiners only. Returns ``(ids, count)``: the same array, or a larger one if it had no room.
    """
    stage, pair, joins = c.stage, c.pair, jr.joins
    kept = 0
    for a in range(count):  # the listed who still qualify, in place
        i = ids[a]
        if qualifies(stage, pair, i, k, day, window):
            ids[kept] = i
            kept += 1
    capacity = joins.shape[0]
    joiners = np.empty(last - first, dtype=np.int32)
    n_new = 0
    for e in range(first, last):
        i = joins[e % capacity, 0]
        if joins[e % capacity, 1] == k and qualifies(stage, pair, i, k, day, window):
            joiners[n_new] = i
            n_new += 1
    joiners = np.sort(joiners[:n_new])
    fresh = 0
    previous = -1
    for b in range(n_new):  # unique, and not listed already
        i = joiners[b]
        if i != previous:
            previous = i
            at = np.searchsorted(ids[:kept], i)
            if at == kept or ids[at] != i:
                joiners[fresh] = i
                fresh += 1
    total = kept + fresh
    if total > ids.shape[0]:
        grown = np.empty(total + total // 4 + 1024, dtype=np.int32)
        grown[:kept] = ids[:kept]
        ids = grown
    a = kept - 1
    b = fresh - 1
    for at in range(total - 1, -1, -1):  # merge from the back: nothing is overwritten before it is read
        if b < 0:
            break
        if a >= 0 and ids[a] > joiners[b]:
            ids[at] = ids[a]
            a -= 1
        else:
            ids[at] = joiners[b]
            b -= 1
    return ids, total


def carry(model, carried: np.ndarray, cursor: np.ndarray, wanted: list[bool], windows: list[int],
          day: int) -> list[np.ndarray | None]:
    """Bring the lists of one reader up to now; returns each brand's list (``None`` where not ``wanted``).

    Args:
        model: The market model (its stages, records and journal).
        carried: The reader's run state, one ``(ids, count)`` or ``None`` per brand, written in place.
        cursor: The reader's 0-d run state: the log's count when it last read; set to the count now.
        wanted: Per brand, whether a list is kept today (a brand not wanted drops its list; wanting it
            again later rebuilds it by a pass).
        windows: Per brand, the window in days (``EVERY_MEMBER`` for every member).
        day: Today.
    """
    jr, c = model.journal, model.consumers
    logged = int(jr.joins_n[0])
    first = int(cursor)
    complete = logged - first <= jr.joins.shape[0]
    for k, old in enumerate(carried.tolist()):
        if not wanted[k]:
            carried[k] = None
        elif old is None or not complete:
            carried[k] = listed_by_scan(c, k, day, windows[k])
        else:
            carried[k] = listed_by_update(c, jr, k, day, windows[k], old[0], old[1], first, logged)
    cursor[()] = logged
    return [None if c is None else c[0][: c[1]] for c in carried]


def pool_members(model, day: int, wanted: list[bool]) -> list[np.ndarray | None]:
    """Every member of each ``wanted`` brand's pool now, in id order (``None`` for a brand not wanted).

    One list per brand shared by every pass that visits all members (membership's rules, group buying,
    stored value): the first reader of a day brings it up to date, the next ones only add the joins since.
    A brand's list, once started, is kept up to date whoever asks (the readers share one cursor).
    """
    run = model.run_state
    keep = [w or listed is not None for w, listed in zip(wanted, run.pool_members.tolist(), strict=True)]
    lists = carry(model, run.pool_members, run.pool_members_read, keep, [EVERY_MEMBER] * model.k, day)
    return [listed if w else None for w, listed in zip(wanted, lists, strict=True)]


def check_list(pop, k: int, ids: np.ndarray, day: int, window: int, what: str) -> None:
    """Validating runs only: ``ids`` is exactly the qualifying members of brand ``k``, in order (else raises)."""
    from sim.model.market import InvariantError

    members = pop.stage[:, k] == L.MEMBER
    if window >= 0:
        members &= day - pop.pair[L.JOINED][:, k].astype(np.int64) <= window
    scanned = np.flatnonzero(members)
    if not np.array_equal(ids, scanned):
        raise InvariantError(f"brand {k}: the {what} list ({ids.shape[0]} ids) is not the {scanned.shape[0]} "
                             f"members a pass over everyone finds")
