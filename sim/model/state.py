"""Shared rules for changing a consumer's state: stage moves (always counted as flows), joining
a brand's pool, and logging a tracked consumer's journey.

Every stage change in every mechanism goes through :func:`move`, so the flow matrix balances the
stage census by construction and tests can check that it does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.model.layout import (
    CONSENT, E_JOINED, JOIN_TALLY_OF_SOURCE, JOINED, MEMBER, MP_CONSENT_BONUS, MP_OPT_IN,
    MP_OPT_IN_RATE, MP_TRUST0, OPTED_OUT, PAID, POINTS, PTS, REFERRER, SOURCE, SPEND_MEMBER, TIER,
    TRUST, BP_PAID_FEE, BP_PAID_UPTAKE, T_PAID_NEW, T_PTS_FORFEIT,
)


@njit(inline="always")
def log_event(ev, ev_n, tracked, day, i, k, code, value):
    """Append one journey event if consumer ``i`` is tracked and the buffer has room."""
    if tracked[i]:
        n = ev_n[0]
        if n < ev.shape[0]:
            ev[n, 0] = day
            ev[n, 1] = i
            ev[n, 2] = k
            ev[n, 3] = code
            ev[n, 4] = value
            ev_n[0] = n + 1


@njit(inline="always")
def move(stage, flows, i, k, to):
    """Move consumer ``i`` to stage ``to`` with brand ``k`` and count the flow."""
    frm = stage[i, k]
    flows[k, frm, to] += 1
    stage[i, k] = to


@njit(inline="always")
def join_pool(i, k, day, source, trust0, referrer, u_consent, u_paid,
              stage, flows, fs, ist, u8, traits, mp, bp, tally_k, ev, ev_n, tracked):
    """Consumer ``i`` joins brand ``k``'s private pool from ``source``.

    Under explicit opt-in only those who tick the marketing box (``u_consent``) give consent; under
    implied consent joining is consent. Explicit consent adds a trust bonus. Points appetite decides
    whether a paid membership, if offered, is taken (``u_paid``).
    """
    move(stage, flows, i, k, MEMBER)
    consent = 1
    trust = trust0
    if mp[MP_OPT_IN] > 0.5:
        if u_consent < mp[MP_OPT_IN_RATE]:
            trust += mp[MP_CONSENT_BONUS]
        else:
            consent = 0
    u8[i, k, CONSENT] = consent
    u8[i, k, SOURCE] = source
    u8[i, k, TIER] = 0
    u8[i, k, OPTED_OUT] = 0
    ist[i, k, JOINED] = day
    ist[i, k, REFERRER] = referrer
    fs[i, k, TRUST] = min(trust, 1.0)
    tally_k[T_PTS_FORFEIT] += fs[i, k, POINTS]  # points kept after an opt-out lapse on rejoining
    fs[i, k, POINTS] = 0.0
    fs[i, k, SPEND_MEMBER] = 0.0
    paid = 0
    if bp[k, BP_PAID_FEE] > 0.0 and u_paid < bp[k, BP_PAID_UPTAKE] * traits[i, PTS]:
        paid = 1
        tally_k[T_PAID_NEW] += 1.0
    u8[i, k, PAID] = paid
    tally_k[JOIN_TALLY_OF_SOURCE[source]] += 1.0
    log_event(ev, ev_n, tracked, day, i, k, E_JOINED, source)


def empty_events(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """An empty journey-event buffer (day, agent, brand, code, value) and its fill counter."""
    return np.zeros((capacity, 5), dtype=np.int32), np.zeros(1, dtype=np.int64)
