"""Property-based tests of what users type: overrides, sweep axes, ranges and constraints.

``tests/test_properties.py`` fuzzes whole files (random bytes and text). Here the fuzz targets the
other doors user input comes through: ``--set path=value`` on real and invented dotted paths,
``--param``/``--lever`` specs and ``--constraint`` expressions. Each must either give a valid
object or raise :class:`~sim.errors.SimInputError`, never another exception.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.analysis.optimise import parse_constraint
from sim.analysis.paths import parse_axis, parse_range
from sim.errors import SimInputError
from sim.scenario.schema import Scenario

BASE = sim.resolve("head_to_head_japan", ["run.population=300", "run.days=30"])


def _leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, f"{prefix}{k}.")] or [prefix.rstrip(".")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, f"{prefix}{i}.")] or [prefix.rstrip(".")]
    return [prefix.rstrip(".")]


PATHS = sorted(p for p in _leaves(BASE.model_dump(mode="json")) if p)

segment = st.one_of(
    st.sampled_from(["run", "market", "brands", "strategy", "messaging", "0", "1", "9", "-1", "extends", "",
                     "per_week", "__class__", "日数", "segments", " "]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789.[]'\"", min_size=0, max_size=8),
)
known_path = st.sampled_from(PATHS)
mutated_path = st.builds(lambda p, s, cut: ".".join(p.split(".")[:cut] + [s]), known_path, segment,
                         st.integers(0, 6))
random_path = st.lists(segment, min_size=1, max_size=6).map(".".join)
path = st.one_of(known_path, known_path, mutated_path, random_path)

value = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["true", "false", "null", "~", ".nan", ".inf", "-.inf", "[]", "{}", "[1, 2]", "{a: 1}",
                     "[", "{", "&a 1", "*a", "!!python/object:os.system", "1e400", "0x10", "yes", "'x'",
                     "\x00", "a: b", "- x", "..", "../../etc/passwd", "/etc/passwd", "markets/japan"]),
    st.text(max_size=30),
)


def _expect_valid_or_input_error(fn, *args: Any) -> Any:
    try:
        return fn(*args)
    except SimInputError as exc:
        assert exc.problems or str(exc), "an input error must say something"
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(path, value), min_size=1, max_size=3))
def test_random_overrides_validate_or_raise_input_error(overrides: list[tuple[str, str]]) -> None:
    """``--set`` on real, misspelt and invented paths with any value: a Scenario or SimInputError, nothing else."""
    sets = [f"{p}={v}" for p, v in overrides]
    sc = _expect_valid_or_input_error(sim.resolve, BASE, sets)
    if sc is not None:
        assert isinstance(sc, Scenario)
        assert 100 <= sc.run.population <= 20_000_000 and 1 <= sc.run.days <= 3650


@settings(max_examples=200, deadline=None)
@given(path, st.text(max_size=40))
def test_random_sweep_axes_and_ranges(p: str, spec: str) -> None:
    """``--param PATH=SPEC`` and ``--lever PATH=LOW:HIGH``: an axis/range or SimInputError."""
    _expect_valid_or_input_error(parse_axis, BASE, f"{p}={spec}")
    _expect_valid_or_input_error(parse_range, BASE, p, spec)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40),
                 st.builds("{}{}{}".format, st.text(max_size=12), st.sampled_from(["<=", ">=", "==", "<", "="]),
                           st.text(max_size=12))))
def test_random_constraints(text: str) -> None:
    """``--constraint`` text: a Constraint or SimInputError."""
    _expect_valid_or_input_error(parse_constraint, text)


@pytest.mark.parametrize(("p", "v"), [("run.population", 200), ("run.days", 200),
                                      ("brands.1.strategy.messaging.per_week", 5)])
def test_override_paths_reach_the_scenario(p: str, v: int) -> None:
    """The path list is real: a valid value on a known path is applied (the fuzz explores around these)."""
    assert p in PATHS
    sc = sim.resolve(BASE, [f"{p}={v}"])
    node: Any = sc.model_dump(mode="json")
    for part in p.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    assert node == v
