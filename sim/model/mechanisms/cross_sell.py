"""Cross-sell (1×N): several product lines, and a purchase on one raises the chance of trying another.

Rimaotong 2025: private-domain commerce builds many links with the customer so as to earn "1×N"
repurchase or horizontal mining (横向挖掘: selling the same customer other products). The brand's
``cross_sell.lines`` list its product lines; line 0 is the main line, bought by the everyday purchase
pass (:mod:`purchase`). The rules (functional forms and levels: assumption):

- **Trying a line.** A customer or member who bought anything today (``last_purchase == day``) and has
  not tried every line tries one of the untried lines (chosen uniformly) with probability
  ``min(1, trial_rate * (1 + member_lift * m))`` (``m`` = 1 for a pool member, 0 otherwise): they buy it
  once and the line joins the lines they buy (a per consumer-brand bitmask ``lines_tried``).
- **Buying the lines tried.** Each line ``j`` tried brings its own purchase occasions, a Poisson
  process of rate ``lambda * repurchase_multiplier_j`` (times the membership multiplier for a
  member), for as long as the relationship lives (stage customer or member); the BG/NBD dropout of the
  purchase pass ends it for every line at once.
- **A line purchase** is one basket ``b * basket_multiplier_j``, booked like an everyday purchase: a
  member buys through the private channel with the same chance as an unprompted purchase (attention
  times the tool's convenience and the points' pull), a stored-value holder always, paying from the
  balance; otherwise on the platform (commission), except on delisted days (no sale). Cost of goods,
  payment fee and distribution commission as usual; line purchases earn no points and do not count as
  repeat purchases (a simplification, as for livestream sales). Sales of line ``j`` are tallied in
  ``sales_line_<j>``.

With one line (the default) the step draws nothing and writes nothing.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.model import layout as L
from sim.model.component import Param, Slots, State, Table, schema_bound
from sim.model.forms import Form
from sim.model.kernel import kernel
from sim.model.mechanisms import membership
from sim.model.mechanisms.membership import private_channel_probability, purchase_multiplier
from sim.model.mechanisms.purchase import attention, book_sale, listing
from sim.model.mechanisms.stored_value import holds_balance
from sim.model.rng import uniform
from sim.model.state import log_event
from sim.scenario.schema import CrossSell

if TYPE_CHECKING:
    from sim.model.market import MarketModel

#: Most product lines a brand may list (the main line and five others): the schema's bound of ``lines``.
MAX_LINES = int(schema_bound(CrossSell, "lines", "max_length"))


NAME = "cross_sell"
#: The rng stream of this component (21-29 are reserved for the levers of issue 13, one each).
STREAM = 26
_LINES = "brand.strategy.cross_sell.lines"
PARAMS = {
    "MP_REP": Param("market.represents"),
    "MP_COMMISSION": Param("market.platforms.commission_rate"),
    "MP_PAYFEE": Param("market.platforms.payment_fee_rate"),
    "MP_ATTN_HALF": Param("market.behaviour.attention_half_life_days"),
    "BP_COGS": Param("brand.strategy.product.cogs_rate"),
    "BP_CHECKOUT": Param("tool.checkout_convenience"),
    "BP_DIST_COMM": Param("brand.strategy.referral.distribution_commission"),
    "BP_MEMBERSHIP_ON": membership.PARAMS["BP_MEMBERSHIP_ON"],
    "BP_XS_LINES": Param(_LINES, derive=len, unit="lines", source="count of the strategy's product lines"),
    "BP_XS_TRIAL": Param("brand.strategy.cross_sell.trial_rate"),
    "BP_XS_LIFT": Param("brand.strategy.cross_sell.member_lift"),
}
#: The product lines, one row each (line 0 the main line; a brand's missing lines are rows of ones), one
#: column per field of a line: ``prm.lines[k, j, L.LINE_BASKET]``.
LINE_TABLE = Table(_LINES, rows=MAX_LINES, columns={"LINE_BASKET": "basket_multiplier",
                                                    "LINE_REPURCHASE": "repurchase_multiplier"}, fill=1.0,
                   source="the strategy's product lines (cross_sell.lines); level assumption")
TABLES = {"lines": LINE_TABLE}
STATE = {
    "LINES_TRIED": State("lines_tried", np.uint8, doc="Bitmask of the product lines tried besides the main line "
                                                      "(bit j: line j)."),
}
TALLIES = {"T_LINE_TRIALS": "line_trials", "T_PUR_LINES": "purchases_other_lines",
           **{f"T_LINE_SALES_{j}": f"sales_line_{j}" for j in range(1, MAX_LINES)}}
EVENTS = {"E_TRIED_LINE": "tried_line", "E_BUY_LINE": "bought_line"}
DAY_SLOTS = Slots(STREAM, block=16, ranges={
    "try": (0, 1), "pick": (1, 1), "trial_private": (2, 1), "repeat": (3, MAX_LINES),
    "repeat_private": (3 + MAX_LINES, MAX_LINES)})
SLOTS = (DAY_SLOTS,)
BLOCK = DAY_SLOTS.block
S_TRY, S_PICK, S_TRIAL_PRIVATE, S_REPEAT, S_REPEAT_PRIVATE = (
    DAY_SLOTS.first(n) for n in ("try", "pick", "trial_private", "repeat", "repeat_private"))
_M = "sim.model.mechanisms.cross_sell"
FORMS = (
    Form("Chance a buyer tries an untried product line, trial rate R, member lift G, member M (0 or 1)",
         f"{_M}:trial_probability", "f(R, G, M)", "min(1, R * (1 + G * M))",
         {"R": (0.0, 1.0), "G": (0.0, 20.0), "M": (0.0, 1.0)}),
    Form("Chance of a purchase of a tried line today, purchase rate Y a year, line multiplier P",
         f"{_M}:line_purchase_chance", "f(Y, P)", "1 - exp(-Y * P / 365)", {"Y": (0.1, 50.0), "P": (0.0, 10.0)}),
)


@njit(inline="always")
def trial_probability(rate, lift, member):
    """Chance a buyer tries an untried line: ``min(1, rate * (1 + lift * member))``."""
    return min(1.0, rate * (1.0 + lift * member))


@njit(inline="always")
def line_purchase_chance(rate_per_year, multiplier):
    """Chance of at least one purchase of a tried line today: ``1 - exp(-rate * multiplier / 365)``."""
    return -math.expm1(-rate_per_year * multiplier / 365.0)


@njit(inline="always")
def _line_sales_tally(j):
    """The tally of line ``j``'s sales."""
    if j == 1:
        return L.T_LINE_SALES_1
    if j == 2:
        return L.T_LINE_SALES_2
    if j == 3:
        return L.T_LINE_SALES_3
    if j == 4:
        return L.T_LINE_SALES_4
    return L.T_LINE_SALES_5


@njit(cache=True)
def buy_line(c, prm, books, jr, i, k, j, day, member, u_private, listed):
    """Consumer ``i`` buys one basket of line ``j``; returns False if no sale (platform while delisted)."""
    pair, traits, mp, bp = c.pair, c.traits, prm.mp, prm.bp
    tally_k = books.tally[k]
    private = holds_balance(pair, i, k) or (member and u_private < private_channel_probability(
        k, traits[i, L.PTS], attention(day - pair[i, k].last_contact, mp[L.MP_ATTN_HALF]), bp))
    if not private and not listed[k]:
        return False
    price = traits[i, L.BASKET] * prm.lines[k, j, L.LINE_BASKET]
    book_sale(c, prm, books, i, k, day, price, private, member)
    tally_k[L.T_PUR_LINES] += 1.0
    tally_k[_line_sales_tally(j)] += price
    pair[i, k].last_purchase = day
    log_event(jr, day, i, k, L.E_BUY_LINE, int(price))
    return True


@kernel
def cross_sell_kernel(c, prm, books, jr, day, key_day, listed):
    """Purchases of the lines tried, then trials of untried lines by today's buyers, for brands with lines."""
    stage, pair, traits, bp, lines, tally = c.stage, c.pair, c.traits, prm.bp, prm.lines, books.tally
    n, n_brands = stage.shape
    for k in range(n_brands):
        n_lines = int(bp[k, L.BP_XS_LINES])
        if n_lines <= 1:
            continue
        slot = BLOCK * k
        everything = (1 << n_lines) - 2  # bits 1 .. n_lines - 1
        trial = bp[k, L.BP_XS_TRIAL]
        lift = bp[k, L.BP_XS_LIFT]
        for i in range(n):
            s = stage[i, k]
            if s != L.CUSTOMER and s != L.MEMBER:
                continue
            member = s == L.MEMBER
            tried = int(pair[i, k].lines_tried)
            if tried:
                lam = traits[i, L.LAM]
                if member:
                    lam *= purchase_multiplier(c, prm, i, k)
                for j in range(1, n_lines):
                    if tried & (1 << j) and uniform(key_day, i, slot + S_REPEAT + j) < line_purchase_chance(
                            lam, lines[k, j, L.LINE_REPURCHASE]):
                        buy_line(c, prm, books, jr, i, k, j, day, member,
                                 uniform(key_day, i, slot + S_REPEAT_PRIVATE + j), listed)
            if tried == everything or pair[i, k].last_purchase != day:
                continue
            if uniform(key_day, i, slot + S_TRY) >= trial_probability(trial, lift, 1.0 if member else 0.0):
                continue
            untried = n_lines - 1
            for j in range(1, n_lines):
                if tried & (1 << j):
                    untried -= 1
            pick = min(int(uniform(key_day, i, slot + S_PICK) * untried), untried - 1)
            for j in range(1, n_lines):
                if tried & (1 << j):
                    continue
                if pick == 0:
                    if buy_line(c, prm, books, jr, i, k, j, day, member,
                                uniform(key_day, i, slot + S_TRIAL_PRIVATE), listed):
                        pair[i, k].lines_tried = tried | (1 << j)
                        tally[k, L.T_LINE_TRIALS] += 1.0
                        log_event(jr, day, i, k, L.E_TRIED_LINE, j)
                    break
                pick -= 1


def step(model: MarketModel, day: int) -> None:
    """Line purchases and trials for brands with more than one product line (see :func:`cross_sell_kernel`)."""
    bp = model.packed.bp
    if not any(lines > 1 for lines in bp[:, L.BP_XS_LINES].tolist()):  # (Python: a numpy .any() costs 2 us)
        return
    listed = listing(model, day)
    cross_sell_kernel(model.consumers, model.packed.params, model.books, model.journal, day,
                      model.keys.day(STREAM, day), listed)
