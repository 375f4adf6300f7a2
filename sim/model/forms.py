"""Functional forms a component declares, so that the documentation states them and a test checks them.

A component lists its forms in ``FORMS``: what a helper computes, how to call it, and the documented
expression in Python syntax over the call's arguments and the packed parameter columns it reads
(``MP_*``/``BP_*`` names). ``python -m sim.docs`` writes every declared form into docs/MODEL.md (the
columns shown by their schema paths), and ``tests/test_fidelity_law.py`` evaluates each documented
expression against the helper on random inputs inside the declared ranges: a form in the document that
the code no longer computes fails the test.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

#: Names a documented expression may use besides its arguments and columns.
SAFE = {"exp": math.exp, "log": math.log, "min": min, "max": max, "sqrt": math.sqrt}


@dataclass(frozen=True)
class Form:
    """One documented functional form.

    Attributes:
        name: What it computes (shown in the document).
        function: ``module:function`` of the helper the code runs.
        call: How the helper is called, over the argument names and ``mp`` (the market columns).
        expression: The documented form in Python syntax over the arguments and ``MP_*`` columns.
        args: Argument name -> (low, high) sampling range for the check.
        columns: ``MP_*`` column -> (low, high) sampling range.
    """

    name: str
    function: str
    call: str
    expression: str
    args: dict[str, tuple[float, float]]
    columns: dict[str, tuple[float, float]] = field(default_factory=dict)

    def helper(self) -> Any:
        """The function the code runs."""
        module, name = self.function.split(":")
        return getattr(import_module(module), name)

    def evaluate(self, values: dict[str, float], mp: Any) -> tuple[float, float]:
        """(what the helper returns, what the documented expression gives) at ``values`` and columns ``mp``."""
        from sim.model import layout as L

        cols = {c: float(mp[getattr(L, c)]) for c in self.columns}
        code = float(eval(self.call, {"f": self.helper(), "mp": mp, **SAFE}, {**values, **cols}))  # noqa: S307
        doc = float(eval(self.expression, dict(SAFE), {**values, **cols}))  # noqa: S307
        return code, doc

    def display(self) -> str:
        """The expression with each column shown by its schema path (``breach.rate_per_year``)."""
        from sim.model import layout as L

        def path(m: re.Match[str]) -> str:
            p = L.MARKET_PARAMS[m.group(0)].path if m.group(0) in L.MARKET_PARAMS else m.group(0)
            return p.removeprefix("market.regime.").removeprefix("market.")

        return re.sub(r"\bMP_[A-Z_]+\b", path, self.expression).replace("**", "^")
