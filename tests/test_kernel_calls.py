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


def test_a_tuple_built_where_a_fitted_one_was_with_another_field_type_goes_through_the_dispatcher() -> None:
    """Same class, same first array, maybe the same address as a freed tuple that fitted: its fields decide.

    The guard once compared a tuple's identity and its first array only; a tuple freed and another built
    at its address (CPython reuses it at once) holding the same first array and an int array in the second
    field passed as the float version: the entry point then read the ints as floats.
    """
    d = Counting(_total)
    k = Kernel(d)
    left = np.arange(4, dtype=np.float64)
    t = Pair(left, np.arange(3, dtype=np.float64))
    first = k(t, 1.0)
    del t
    ints = Pair(left, np.arange(3, dtype=np.int64))  # (usually at the freed tuple's address)
    second = k(ints, 1.0)
    assert (first, second, d.calls) == (9.0, 9.0, 2)  # dispatched (and rebound to the int64 version)
    third = k(ints, 1.0)
    assert (third, d.calls) == (9.0, 2)


def test_a_fresh_tuple_of_the_fitted_arrays_is_recognised_by_every_kernel_of_those_types() -> None:
    """The last tuple that fitted is remembered by its arrays, for every kernel bound to the same types."""
    import sim.model.kernel as K

    a, b = np.arange(4, dtype=np.float32), np.arange(3, dtype=np.float32)
    k1, k2 = Kernel(Counting(_total)), Kernel(Counting(_total))
    k1(Pair(a, b), 1.0)
    k2(Pair(np.ones(2, dtype=np.float32), np.ones(2, dtype=np.float32)), 1.0)  # another tuple fitted last
    fresh = Pair(a, b)
    assert k1(fresh, 2.0) == 2.0 * 9.0 and k1.dispatcher.calls == 1
    last = K._LAST_FITTED[(Pair, tuple(K._array_key(x) for x in fresh))][0]
    assert all(r() is x for r, x in zip(last, fresh, strict=True))


def test_guards_keep_no_array_alive() -> None:
    """A bound kernel holds its last arguments weakly: a finished model's arrays are freed."""
    import gc
    import weakref

    k = Kernel(Counting(_total))
    left = np.arange(4, dtype=np.float64)
    seen = weakref.ref(left)
    k(Pair(left, np.zeros(3)), 1.0)
    del left
    gc.collect()
    assert seen() is None


def test_the_guards_answer_argument_by_argument() -> None:
    """Every kind of argument against the guards of one call: what fits and what does not."""
    from sim.model.kernel import _fits, _guard, _Plan

    f64, i32 = np.arange(4, dtype=np.float64), np.arange(3, dtype=np.int32)
    outer = Outer(np.ones(3, dtype=np.uint8), Pair(f64, f64))
    bound = (Pair(f64, i32), f64, 3, 2.5, np.uint64(7), outer)
    guards = _Plan(tuple(_guard(x) for x in bound))
    frozen = f64.copy()
    frozen.flags.writeable = False
    variants = [bound, bound[:-1], (*bound, 1),
                (Pair(f64.copy(), i32.copy()), *bound[1:]),  # fresh arrays, same types
                (Pair(f64, i32), *bound[1:]),  # a fresh tuple of the arrays that fitted last
                (Pair(i32, f64), *bound[1:]), (bound[0], frozen, *bound[2:]), (bound[0], f64[::2], *bound[2:]),
                (bound[0], f64, 2**63, *bound[3:]), (bound[0], f64, 3.0, *bound[3:]),
                (bound[0], f64, 3, 2, *bound[4:]), (*bound[:4], 7, bound[5]),
                (*bound[:5], Outer(outer.stage, outer.pair))]  # a tuple of tuples: by identity only
    answers = [_fits(v, guards) for v in variants]
    assert answers == [True, False, False, True, True, False, False, False, False, False, False, False, False]


def test_the_written_out_identity_tests_answer_as_the_loop() -> None:
    """``_SAME[n]`` (the fields' identity tests written out) answers as ``_same_any`` (the loop) for every n."""
    import weakref

    from sim.model.kernel import _SAME, _same_any

    arrays = [np.zeros(2) for _ in range(len(_SAME))]
    for n in range(1, len(_SAME)):
        fields = tuple(arrays[:n])
        refs = tuple(weakref.ref(a) for a in fields)
        assert _SAME[n](refs, fields) and _same_any(refs, fields)
        for j in range(n):  # any one field another array: not the same
            other = fields[:j] + (np.zeros(2),) + fields[j + 1:]
            assert not _SAME[n](refs, other) and not _same_any(refs, other)
