"""Purchases prompted by messages respect the marketplace's delisting (own_site penalty), as unprompted ones do.

A message-prompted purchase that would go through the public platform does not happen on a day the
brand is delisted (``purchase.listing(model, day)[k] == 0``); one through the private channel still does.
"""

from __future__ import annotations

import numpy as np

from sim.model import layout as L
from sim.model.market import MarketModel
from tests.conftest import small

B = "brands.0.strategy"
#: Sure detection of diversion cards: long delisted spells; messages every day and cold outreach, so
#: message-prompted purchases through the platform would happen on delisted days if they were allowed.
CAUGHT = {f"{B}.livestream.sessions_per_week": 0, f"{B}.own_site.setup_day": 20,
          f"{B}.own_site.ad_visitors_per_day": 3_000, f"{B}.own_site.diversion_share": 0.5,
          f"{B}.own_site.detection_per_card": 1.0, f"{B}.own_site.penalty_days": 20,
          f"{B}.messaging.per_week": 7, f"{B}.messaging.quality": 1.0, f"{B}.messaging.selling_share": 1.0,
          f"{B}.compliance.cold_outreach_per_week": 7, f"{B}.compliance.cold_quality": 1.0}


def test_message_prompted_platform_purchases_stop_while_delisted() -> None:
    """On delisted days no sale is booked on the platform, prompted or not; messages still sell in private."""
    model = MarketModel(small("cross_border_seller", 3000, 200, **CAUGHT), validating=True)
    model.run_days()
    delisted = model.tally[:, 0, L.T_DELISTED] > 0
    assert delisted.sum() > 20
    assert (model.tally[:, 0, L.T_PUR_PUB][delisted] == 0).all()
    assert (model.money[:, 0, L.REV_PUB][delisted] == 0).all()
    assert (model.money[:, 0, L.C_COMMISSION][delisted] == 0).all()
    # messages still sell on delisted days, in the private channel
    assert model.tally[:, 0, L.T_MSG_PUR][delisted].sum() > 0
    listed = ~delisted
    assert model.tally[:, 0, L.T_PUR_PUB][listed].sum() > 0 and np.isfinite(model.money).all()
