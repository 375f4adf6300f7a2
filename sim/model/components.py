"""The model's components in the order the day runs them: the day is this list.

Each component is a module declaring ``NAME``, ``PARAMS``, ``STATE``, ``TALLIES``, ``LEDGER``,
``EVENTS``, ``SLOTS`` and a ``step(model, day)`` (see :mod:`sim.model.component`).
:class:`sim.model.market.MarketModel` runs :data:`DAILY` in order and times each step by its
``NAME``; :mod:`sim.model.layout` assembles the column tables from :data:`DECLARING`.

To add a mechanism: write its module in :mod:`sim.model.mechanisms` and put it in :data:`DAILY`
at the place of the day it belongs to (``docs/ARCHITECTURE.md`` has the recipe).
"""

from __future__ import annotations

from types import ModuleType

from sim.model import state
from sim.model.mechanisms import (
    acquisition,
    auction,
    books,
    compliance,
    cross_sell,
    group_buying,
    interception,
    livestream,
    membership,
    messaging,
    own_site,
    plan,
    purchase,
    referral,
    schedule,
    stored_value,
    stores,
)

#: The day, in order: brands plan, the ad auction clears, consumers are reached, buy, earn and pay for
#: membership, receive messages, share; enforcement and breaches strike; the books are closed.
DAILY: tuple[ModuleType, ...] = (
    schedule,  # phases, seasons and stress events: first in the day (issue 13 item 7, issue 15 item 4)
    plan,
    auction,
    acquisition,
    purchase,
    membership,
    messaging,
    referral,
    own_site,  # the brand's own independent site and the marketplace's rules against diversion (issue 13)
    stores,  # capture in stores, at events and service centres (issue 13)
    livestream,  # livestream commerce (issue 13)
    group_buying,  # group buying, 拼团 (issue 13)
    cross_sell,  # cross-sell across product lines, 1×N (issue 13)
    stored_value,  # stored-value cards and member benefits (issue 13); last of the levers:
    # the purchase pass and cross-sell read the balances; the day's liability is counted here
    compliance,
    books,
)

#: Every module that declares columns: the core (the pool relationship every mechanism shares), the
#: daily components, and parts run from inside another component's kernel (interception at checkout).
DECLARING: tuple[ModuleType, ...] = (state, plan, auction, acquisition, purchase, interception, membership,
                                     messaging, referral, compliance, books, schedule,
                                     stores, livestream, own_site, group_buying, stored_value,
                                     cross_sell)
