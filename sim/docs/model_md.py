"""The generated sections of docs/MODEL.md: the daily order, the ledger, the KPI definitions.

Also how a section is written between its markers (:func:`replace_generated`).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

from sim.docs.markdown import BEGIN, END, REGENERATE, ROOT, rst_to_md, table
from sim.docs.parameters import render_parameters


def render_daily_order() -> str:
    """The daily order of mechanisms, from the model."""
    from sim.model import market

    doc = inspect.getdoc(market) or ""
    m = re.search(r"::\n\n(.*?)\n\n", doc, re.S)
    diagram = textwrap.dedent(m.group(1)) if m else ""
    steps = ", ".join(f"`{s}`" for s in market.DAILY_ORDER)
    return (f"Timed steps of one day (`sim.model.market.DAILY_ORDER`): {steps}.\n\n"
            f"```\n{diagram.strip()}\n```")


LEDGER_MEANING = {
    "revenue_public": "sales on public platforms (gross, before commission)",
    "revenue_private": "sales through the private channel (gross, before member price)",
    "membership_fees": "paid-membership fees, accrued daily",
    "cogs": "cost of goods sold on every sale",
    "platform_commission": "platform commission on public-channel sales",
    "payment_fees": "payment processing on every sale",
    "ad_spend": "the daily ad budget",
    "content_cost": "organic content production",
    "kol_fees": "KOL campaign fees, on campaign days",
    "partner_fees": "fees to partner pools per join",
    "hooks": "hooks (red packet, sample) paid to each buyer who accepts an invitation",
    "invite_costs": "cost of each invitation (card, SMS)",
    "message_costs": "per-message tool cost of broadcasts and cold messages",
    "operator_staff": "pool operators: ceil(members / members_per_operator) × daily cost",
    "saas": "fixed SaaS per day plus per-member SaaS",
    "referral_rewards": "referrer + referee rewards, per successful referral",
    "distribution_commission": "commission to the referrer on a referred member's private purchases",
    "points_redeemed": "points redeemed at a purchase (1 point = 1 currency unit)",
    "member_discounts": "member price (tier discount) on private-channel purchases",
    "birthday_perks": "cost of birthday perks sent to members",
    "security": "security spend per day",
    "fines": "enforcement fines and data-breach costs",
    # ---- stored value and member benefits (issue 13) ----
    "stored_value_breakage": ("unspent stored value written off when its holder lapses (breakage, share "
                              "breakage_share); the cash of a top-up is no revenue: it is owed (tally "
                              "stored_value_liability) until spent, and the sale is then booked as private revenue"),
    "stored_value_bonus": "the bonus part (not paid in cash) of stored value spent or written off",
    "member_benefits": "member-only benefits (priority service, exclusive rights), per member per year, accrued daily",
}


def _booked_in(const: str) -> list[str]:
    found = []
    model_dir = ROOT / "sim" / "model"
    for path in sorted(model_dir.rglob("*.py")):
        if path.name == "layout.py":
            continue
        if re.search(rf"\b{re.escape(const)}\b", path.read_text(encoding="utf-8")):
            found.append(str(path.relative_to(ROOT)))
    return found


def render_ledger() -> str:
    """Ledger items with where each is booked, and the KPI cost groupings."""
    from sim.model import layout as L
    from sim.results import kpis as K

    names = {}
    for attr in dir(L):
        if (attr.startswith("C_") or attr.startswith("REV_")) and isinstance(getattr(L, attr), int):
            names.setdefault(getattr(L, attr), attr)
    rows = []
    for idx, item in enumerate(L.MONEY):
        side = "revenue" if idx in L.REVENUE_ITEMS else "cost"
        const = names.get(idx, "")
        where = ", ".join(f"`{w}`" for w in _booked_in(const)) if const else ""
        rows.append([f"`{item}`", side, LEDGER_MEANING.get(item, "(no description yet)"), f"`{const}`", where])
    groups = [
        ("Acquisition spend (CAC numerator)", K.ACQUISITION_SPEND),
        ("Pool-building spend (cost per member numerator)", K.POOL_SPEND),
        ("Marketing spend (ROI denominator)", K.MARKETING_SPEND),
        ("Member costs (subtracted in member contribution / LTV)", K.MEMBER_COSTS),
    ]
    glines = "\n".join(f"- **{title}**: " + ", ".join(f"`{c}`" for c in cols) for title, cols in groups)
    return (table(["Item", "Side", "What", "Constant", "Booked in"], rows)
            + "\n\n`revenue` = sum of the revenue items, `costs` = sum of the cost items, `profit` = "
            "`revenue − costs`, every day and brand (`sim/results/result.py`).\n\n" + glines)


def _kpi_docstring_definitions() -> dict[str, str]:
    from sim.results import kpis as K

    doc = inspect.getdoc(K) or ""
    bullets, cur = [], None
    for line in doc.splitlines():
        if line.startswith("- "):
            cur = [line[2:].strip()]
            bullets.append(cur)
        elif cur is not None and line.startswith("  "):
            cur.append(line.strip())
        else:
            cur = None
    defs = {}
    for b in bullets:
        text = " ".join(b)
        for m in re.finditer(r"(?:^|;\s+)``(\w+)``:\s*(.*?)(?=;\s+``\w+``:|$)", text, re.S):
            defs[m.group(1)] = rst_to_md(m.group(2).strip().rstrip(".;"))
    return defs


def _kpi_code() -> tuple[list[str], dict[str, str]]:
    """The local definitions and the expression of each KPI in ``kpi_series`` (the one definition)."""
    from sim.results import kpis as K

    src = textwrap.dedent(inspect.getsource(K.kpi_series))
    tree = ast.parse(src)
    fn = tree.body[0]
    locals_, exprs = [], {}
    for stmt in fn.body:
        if isinstance(stmt, ast.Expr) and isinstance(getattr(stmt, "value", None), ast.Constant):
            continue
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Dict) and \
                [getattr(t, "id", "") for t in stmt.targets] == ["out"]:
            for k, v in zip(stmt.value.keys, stmt.value.values, strict=True):
                exprs[ast.literal_eval(k)] = " ".join(ast.get_source_segment(src, v).split())
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.If | ast.With):
            locals_.append(textwrap.dedent(ast.get_source_segment(src, stmt)))
    return locals_, exprs


def render_kpis() -> str:
    """KPI table: label, unit, direction, definition (docstring) and the code computing it."""
    from sim.results import kpis as K

    defs = _kpi_docstring_definitions()
    locals_, exprs = _kpi_code()
    rows = []
    for name, (label, unit, higher) in K.KPI_INFO.items():
        rows.append([f"`{name}`", label, unit, "higher" if higher else "lower", defs.get(name, ""),
                     f"`{exprs.get(name, '?')}`"])
    where = "\n".join(locals_)
    return (table(["KPI", "Label", "Unit", "Better", "Definition", "Computed as"], rows)
            + "\n\nwhere, over the brand's daily rows `d` (`c` = cumulative sums of columns, one value per "
            "day; the KPIs at a day are that day's row; counts are in people, money in the market "
            "currency):\n\n```python\n" + where + "\n```")


def render_forms() -> str:
    """The functional forms the components declare (``FORMS``), each checked against its helper by a test."""
    from sim.model import components

    rows = []
    for comp in components.DECLARING:
        for form in getattr(comp, "FORMS", ()):
            rows.append([f"`{comp.NAME}`", form.name, f"`{form.display()}`", f"`{form.function.split(':')[1]}`"])
    return ("Each form below is declared next to the code that computes it and evaluated against that code on "
            "random inputs by `tests/test_fidelity_law.py`; `^` is a power, columns are shown by their scenario "
            "path.\n\n" + table(["Component", "Quantity", "Form", "Helper"], rows))


GENERATORS = {
    "forms": render_forms,
    "daily-order": render_daily_order,
    "parameters": render_parameters,
    "ledger": render_ledger,
    "kpis": render_kpis,
}


def replace_generated(text: str, name: str, content: str) -> str:
    """``text`` with the body between the ``name`` markers replaced by ``content``."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"docs/MODEL.md has no '{begin}' ... '{end}' markers")
    note = f"<!-- generated by `{REGENERATE}`; edit the schema or the presets, not this section -->"
    body = f"{begin}\n{note}\n\n{content}\n\n{end}"
    return pattern.sub(lambda _m: body, text, count=1)


def render_model_md(current: str) -> str:
    """MODEL.md with every generated section refreshed."""
    for name, fn in GENERATORS.items():
        current = replace_generated(current, name, fn())
    return current
