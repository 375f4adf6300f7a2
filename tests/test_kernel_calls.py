"""Daily kernels skip numba's per-call type search only when the arguments' types are those it bound (issue 12).

:class:`sim.model.kernel.Kernel` calls the compiled entry point of its last argument types directly when
every argument fits its guard, and otherwise goes through numba's dispatcher. These tests count the
dispatcher's calls: a fitting call must not reach it, and any call whose types differ must (a call
straight into an entry point compiled for other types would read memory wrongly).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from sim.model import components
from sim.model.kernel import Kernel

Pair = namedtuple("Pair", ("left", "right"))
Outer = namedtuple("Outer", ("stage", "pair"))


def _total(t, scale):
    return (t.left.sum() + t.right.sum()) * scale


def _outer(c, day):
    return c.stage.sum() + c.pair.left[0] + day


class Counting:
    """A numba dispatcher that counts the calls made through it."""

    def __init__(self, fn) -> None:
        self.inner = njit(fn)
        self.calls = 0

    def __call__(self, *args):
        """Count the call, then dispatch it."""
        self.calls += 1
        return self.inner(*args)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_a_fitting_call_skips_the_dispatcher_and_gives_the_same_result() -> None:
    """Same tuple, same number type: the entry point answers; a fresh tuple of the same types does too."""
    d = Counting(_total)
    k = Kernel(d)
    t = Pair(np.arange(4, dtype=np.float64), np.arange(3, dtype=np.float64))
    assert k(t, 2.0) == 2.0 * (6.0 + 3.0) and d.calls == 1
    assert k(t, 3.0) == 3.0 * 9.0 and d.calls == 1
    fresh = Pair(np.ones(5), np.zeros(2))  # the day's books: a new tuple of arrays of the same types
    assert k(fresh, 1.0) == 5.0 and d.calls == 1


def test_any_other_type_goes_through_the_dispatcher() -> None:
    """Another dtype in a field, another number type, a huge integer, a non-contiguous array: the dispatcher."""
    d = Counting(_total)
    k = Kernel(d)
    t = Pair(np.arange(4, dtype=np.float64), np.arange(3, dtype=np.float64))
    k(t, 2.0)
    ints = Pair(np.arange(4, dtype=np.int32), np.arange(3, dtype=np.float64))
    assert k(ints, 2.0) == 18.0 and d.calls == 2  # rebinds to the int32 version
    assert k(ints, 2) == 18 and d.calls == 3  # an int, not a float
    strided = Pair(np.arange(8, dtype=np.int32)[::2], np.arange(3, dtype=np.float64))
    assert k(strided, 2) == 2 * (12 + 3) and d.calls == 4
    assert k(ints, np.int64(2)) == 18 and d.calls == 5  # a NumPy integer is another type than a Python int


def test_a_tuple_holding_a_tuple_is_bound_by_identity() -> None:
    """The consumers (a tuple holding the per-brand state tuple) fit only as the same object."""
    d = Counting(_outer)
    k = Kernel(d)
    c = Outer(np.ones(3, dtype=np.uint8), Pair(np.full(2, 5.0), np.zeros(2)))
    assert k(c, 1) == 3 + 5.0 + 1 and d.calls == 1
    assert k(c, 2) == 10.0 and d.calls == 1
    other = Outer(np.ones(3, dtype=np.uint8), Pair(np.full(2, 5, dtype=np.int64), np.zeros(2)))
    assert k(other, 2) == 10 and d.calls == 2


def test_every_component_kernel_called_from_python_is_bound() -> None:
    """Each component's daily ``*_kernel`` is a :class:`Kernel` (compiled with numba's cache)."""
    found = {}
    for comp in components.DAILY:
        for name, value in vars(comp).items():
            if name.endswith("_kernel") and callable(value):
                found[f"{comp.NAME}.{name}"] = value
    assert len(found) >= 12
    for name, value in found.items():
        assert isinstance(value, Kernel), name
        assert type(value.dispatcher._cache).__name__ == "FunctionCache", name  # @njit(cache=True)
