"""Functional forms a component declares, so that the documentation states them and a test checks them.

A component lists its forms in ``FORMS``: what a helper computes, how to call it, and the documented
expression in Python syntax over the call's arguments and the packed parameter columns it reads
(``MP_*``/``BP_*`` names). ``python -m sim.docs`` writes every declared form into docs/MODEL.md (the
columns shown by their schema paths), and ``tests/test_fidelity_law.py`` evaluates each documented
expression against the helper on random inputs inside the declared ranges: a form in the document that
the code no longer computes fails the test.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

#: Names a documented expression may use besides its arguments and columns.
SAFE = {"exp": math.exp, "log": math.log, "min": min, "max": max, "sqrt": math.sqrt}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    """Evaluate an arithmetic expression (numbers, names, + - * / **, calls of named functions); nothing else.

    The documented forms are our own text, but they are read without ``eval``: an expression that uses any
    other syntax is refused with a ``ValueError``.
    """

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return ev(node.func)(*[ev(a) for a in node.args])
        raise ValueError(f"unsupported syntax in a documented form: {ast.dump(node)[:80]}")

    return ev(ast.parse(expression, mode="eval"))


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
        code = float(evaluate(self.call, {"f": self.helper(), "mp": mp, **SAFE, **values, **cols}))
        doc = float(evaluate(self.expression, {**SAFE, **values, **cols}))
        return code, doc

    def display(self) -> str:
        """The expression with each column shown by its schema path (``breach.rate_per_year``)."""
        from sim.model import layout as L

        def path(m: re.Match[str]) -> str:
            p = L.MARKET_PARAMS[m.group(0)].path if m.group(0) in L.MARKET_PARAMS else m.group(0)
            return p.removeprefix("market.regime.").removeprefix("market.")

        return re.sub(r"\bMP_[A-Z_]+\b", path, self.expression).replace("**", "^")
