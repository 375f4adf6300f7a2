"""Packing a validated scenario into the flat numeric arrays the kernels read.

Numba kernels take arrays and numbers only, so the market's parameters become one float64 vector
(``mp``) and each brand's strategy one row of a (K, N_BP) matrix (``bp``). Which schema field goes to
which column is not written here: every component declares the parameters it reads (``PARAMS``,
:mod:`sim.model.component`), :mod:`sim.model.layout` assembles the columns, and :func:`pack` reads each
declared path. Lists a component declares as a table (``TABLES``: cross-sell's product lines) are packed
the same way, one row per item and one column per declared field; the other tables (tiers, targeting,
partner swaps) are packed below.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from sim.model import layout as L
from sim.scenario.schema import Scenario, resolve_tool

#: The packed parameters as kernels take them: ``prm.mp[L.MP_REP]``, ``prm.bp[k, L.BP_COGS]``, ``prm.tiers``,
#: ``prm.lines[k, j, L.LINE_BASKET]``.
Params = namedtuple("Params", ("mp", "bp", "tiers", "lines"))
Params.__doc__ = """Market parameters (N_MP,), brand parameters (K, N_BP), the tier table (K, MAX_TIERS + 1, 4)
and the product-line table (K, lines, columns: ``cross_sell.LINE_TABLE``)."""


@dataclass
class Packed:
    """Every kernel input derived from a scenario."""

    mp: np.ndarray            # (N_MP,)
    bp: np.ndarray            # (K, N_BP)
    tiers: np.ndarray         # (K, MAX_TIERS + 1, N_TIER_COLS); row 0 = no tier
    lines: np.ndarray         # (K, rows, columns) of the declared table ``lines`` (cross-sell's product lines)
    target: np.ndarray        # (K, S) ad targeting weights
    seg_ok: np.ndarray        # (K, S) uint8: segment receives broadcasts
    partner_share: np.ndarray  # (P,)
    partner_trust: np.ndarray  # (P,)
    partner_expo: np.ndarray   # (K, P) daily exposure of partner pool
    partner_join: np.ndarray   # (K, P)
    partner_fee: np.ndarray    # (K, P)
    tools: list[str]           # resolved tool name per brand

    @property
    def params(self) -> Params:
        """``mp``, ``bp``, ``tiers`` and ``lines`` as the named tuple kernels take (the same arrays: no copy)."""
        return Params(self.mp, self.bp, self.tiers, self.lines)


def pack(sc: Scenario) -> Packed:
    """Pack scenario ``sc`` into kernel arrays."""
    m = sc.market
    mp = np.zeros(L.N_MP, dtype=np.float64)
    for const, param in L.MARKET_PARAMS.items():
        mp[getattr(L, const)] = param.value(m)

    k_count = len(sc.brands)
    seg_names = [s.name for s in m.segments]
    partner_names = [p.name for p in m.partners]
    bp = np.zeros((k_count, L.N_BP), dtype=np.float64)
    tiers = np.zeros((k_count, L.MAX_TIERS + 1, L.N_TIER_COLS), dtype=np.float64)
    tiers[:, :, L.TIER_DROPOUT] = 1.0
    tables = {name: np.full((k_count, t.rows, len(t.columns)), t.fill, dtype=np.float64)
              for name, t in L.TABLES.items()}
    target = np.ones((k_count, len(seg_names)), dtype=np.float64)
    seg_ok = np.ones((k_count, len(seg_names)), dtype=np.uint8)
    n_p = len(partner_names)
    p_expo = np.zeros((k_count, n_p))
    p_join = np.zeros((k_count, n_p))
    p_fee = np.zeros((k_count, n_p))
    tools: list[str] = []
    for k, brand in enumerate(sc.brands):
        s = brand.strategy
        tool_name = resolve_tool(s.pool.tool, m.tools)
        tools.append(tool_name)
        tool = m.tools[tool_name]
        ms = s.membership
        for const, param in L.BRAND_PARAMS.items():
            bp[k, getattr(L, const)] = param.value(tool if param.path.startswith("tool.") else brand)
        for t, tier in enumerate(ms.tiers, start=1):
            tiers[k, t] = (tier.min_spend, tier.discount, tier.purchase_boost, tier.dropout_multiplier)
        for name, table in L.TABLES.items():
            for j, item in enumerate(table.items(brand)):
                for const, field in table.columns.items():
                    tables[name][k, j, getattr(L, const)] = float(getattr(item, field))
        for seg, w in s.acquisition.targeting.items():
            target[k, seg_names.index(seg)] = w
        if s.messaging.segments:
            seg_ok[k, :] = 0
            for seg in s.messaging.segments:
                seg_ok[k, seg_names.index(seg)] = 1
        for swap in s.acquisition.partners:
            j = partner_names.index(swap.partner)
            p_expo[k, j] = swap.exposure_per_day
            p_join[k, j] = swap.join_rate
            p_fee[k, j] = swap.fee_per_join
    return Packed(
        mp=mp, bp=bp, tiers=tiers, lines=tables["lines"], target=target, seg_ok=seg_ok,
        partner_share=np.array([p.reach_share for p in m.partners], dtype=np.float64),
        partner_trust=np.array([p.trust for p in m.partners], dtype=np.float64),
        partner_expo=p_expo, partner_join=p_join, partner_fee=p_fee, tools=tools,
    )
