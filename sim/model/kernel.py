"""Kernels called from Python every day: numba's compiled entry point, without its per-call type search.

A component's kernel is called about once a day with the same kinds of argument: the consumers, the
packed parameters, the day's books and the journal (named tuples of arrays), and a few numbers. On
each call numba's dispatcher first works out the numba type of every argument (for a named tuple, of
every array in it) to pick the compiled version. For the consumers' two dozen arrays that search
costs more than a small population's whole day of work: it is the per-day overhead that dominates the
dashboard's 20,000-consumer, three-year runs.

:func:`kernel` compiles a function like ``@njit(cache=True)`` and returns a :class:`Kernel`. Its first
call goes through the dispatcher (which compiles or loads the version for these argument types) and
remembers that version's entry point together with a cheap description of each argument (a *guard*).
Later calls whose arguments match every guard call the entry point directly; any other call goes
through the dispatcher again and re-binds. The entry point is the very function the dispatcher would
call for these types, so the results are identical; only the search is skipped.

Guards, per argument:

- a named tuple of arrays (the consumers, the parameters, the journal, the day's books): every field the
  very array object of a tuple that fitted before (held weakly: a dead array never matches), else arrays
  of the same dtype, dimensions and contiguity in every field. A tuple that fits field by field becomes
  the one looked for next, by every kernel bound to the same tuple type and field types: the next model's
  consumers are compared field by field once, and the day's books once a day, by the first kernel called;
- a named tuple holding something else (a tuple of tuples): the same tuple object as when bound (its
  class, identity and first element);
- an array: the same dtype, dimensions, contiguity and writability;
- anything else (a number): the same Python type (and, for a Python integer, one that fits the 64-bit
  signed integer numba types it as).

No argument is kept alive by a guard (arrays are referenced weakly). The identity test is what makes a
call cheap: comparing an array's type costs about 0.2 us, ten times the entry point's own unboxing of it.
The guards of a call are grouped once (:class:`_Plan`) so that a fitting call of a daily kernel costs about
1.5 us of tests (8-11 us when every named tuple was compared field by field).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

_TUPLE_SAME, _TUPLE_ALIKE, _ARRAY, _SCALAR = range(4)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
#: The flags an array's numba type depends on (bits of ``ndarray.flags.num``): C and F contiguity, alignment and
#: writability (not OWNDATA: a view and an array owning its data are typed alike).
_TYPE_FLAGS = 0x0001 | 0x0002 | 0x0100 | 0x0400
#: (tuple type, field types) -> a one-item list holding weak references to the fields of the last tuple of those
#: types that fitted a guard (``None`` before any): shared by every guard of those types.
_LAST_FITTED: dict[tuple, list] = {}


def _array_key(a: np.ndarray) -> tuple:
    """What an array's numba type depends on: dtype, dimensions, contiguity, alignment, writability."""
    return (a.dtype, a.ndim, a.flags.num & _TYPE_FLAGS)


def _guard(arg: Any) -> list:
    """A cheap description of ``arg`` that decides whether the bound entry point fits it."""
    if isinstance(arg, tuple) and hasattr(type(arg), "_fields"):
        first = arg[0] if len(arg) else None
        if isinstance(first, np.ndarray):
            fields = tuple(_array_key(a) if isinstance(a, np.ndarray) else None for a in arg)
            if all(f is not None for f in fields):
                last = _LAST_FITTED.setdefault((type(arg), fields), [None])
                last[0] = tuple(weakref.ref(a) for a in arg)
                same = _SAME[len(arg)] if len(arg) < len(_SAME) else _same_any
                return [_TUPLE_ALIKE, type(arg), fields, last, same]
            return [_TUPLE_SAME, type(arg), id(arg), weakref.ref(first)]
        return [_SCALAR, None]  # never matches: such a call always goes through the dispatcher
    if isinstance(arg, np.ndarray):
        return [_ARRAY, type(arg), _array_key(arg)]
    if type(arg) is int and not _INT64_MIN <= arg <= _INT64_MAX:
        return [_SCALAR, None]
    return [_SCALAR, type(arg)]


def _fit_fields(arg: tuple, fields: tuple, last: list) -> bool:
    """True if every field of ``arg`` is an array of the type in ``fields``; it then becomes ``last``'s tuple."""
    for a, f in zip(arg, fields, strict=True):
        if type(a) is not np.ndarray or (a.dtype, a.ndim, a.flags.num & _TYPE_FLAGS) != f:
            return False
    last[0] = tuple(weakref.ref(a) for a in arg)  # one assignment: a concurrent call reads the old or the new
    return True


def _same_any(r: tuple, a: tuple) -> bool:
    """Whether every field of ``a`` is the very object the weak reference in ``r`` at its place points to."""
    for ref, x in zip(r, a, strict=True):
        if ref() is not x:
            return False
    return True


def _same1(r: tuple, a: tuple) -> bool:
    return r[0]() is a[0]


def _same2(r: tuple, a: tuple) -> bool:
    return r[0]() is a[0] and r[1]() is a[1]


def _same3(r: tuple, a: tuple) -> bool:
    return r[0]() is a[0] and r[1]() is a[1] and r[2]() is a[2]


def _same4(r: tuple, a: tuple) -> bool:
    return r[0]() is a[0] and r[1]() is a[1] and r[2]() is a[2] and r[3]() is a[3]


def _same5(r: tuple, a: tuple) -> bool:
    return r[0]() is a[0] and r[1]() is a[1] and r[2]() is a[2] and r[3]() is a[3] and r[4]() is a[4]


def _same6(r: tuple, a: tuple) -> bool:
    return (r[0]() is a[0] and r[1]() is a[1] and r[2]() is a[2] and r[3]() is a[3]
            and r[4]() is a[4] and r[5]() is a[5])


def _same7(r: tuple, a: tuple) -> bool:
    return (r[0]() is a[0] and r[1]() is a[1] and r[2]() is a[2] and r[3]() is a[3]
            and r[4]() is a[4] and r[5]() is a[5] and r[6]() is a[6])


def _same8(r: tuple, a: tuple) -> bool:
    return (r[0]() is a[0] and r[1]() is a[1] and r[2]() is a[2] and r[3]() is a[3]
            and r[4]() is a[4] and r[5]() is a[5] and r[6]() is a[6] and r[7]() is a[7])


#: Whether every field of a tuple is the very object its weak reference points to, by number of fields: written out
#: for up to eight fields (a loop costs twice as much), a loop for more.
_SAME = (None, _same1, _same2, _same3, _same4, _same5, _same6, _same7, _same8)


class _Plan:
    """The guards of one bound call, grouped by what is tested, so that a call tests each group in one pass.

    The types of all arguments are compared in one tuple comparison; then the Python integers' range, the
    arrays' types, the named tuples of arrays' fields and the other named tuples' identity, each group in
    a loop of its own (a loop over the arguments asking each guard its kind costs twice as much).
    """

    __slots__ = ("arity", "types", "ints", "arrays", "alike", "same")

    def __init__(self, guards: tuple) -> None:
        self.arity = len(guards)
        self.types = tuple(g[1] for g in guards)  # (a None type never matches)
        self.ints = tuple(j for j, g in enumerate(guards) if g[0] == _SCALAR and g[1] is int)
        self.arrays = tuple((j, g[2]) for j, g in enumerate(guards) if g[0] == _ARRAY)
        self.alike = tuple((j, g[2], g[3], g[4]) for j, g in enumerate(guards) if g[0] == _TUPLE_ALIKE)
        self.same = tuple((j, g[2], g[3]) for j, g in enumerate(guards) if g[0] == _TUPLE_SAME)


def _fits(args: tuple, plan: _Plan) -> bool:
    """True if every argument matches its guard (a named tuple of arrays fitting by types becomes the last fitted)."""
    if len(args) != plan.arity or tuple(map(type, args)) != plan.types:
        return False
    for j in plan.ints:  # not the int64 the version was bound for
        if not _INT64_MIN <= args[j] <= _INT64_MAX:
            return False
    for j, fields, last, same in plan.alike:
        arg = args[j]
        refs = last[0]  # read once: a concurrent call may replace it
        if (refs is None or not same(refs, arg)) and not _fit_fields(arg, fields, last):
            return False
    for j, key in plan.arrays:
        arg = args[j]
        if (arg.dtype, arg.ndim, arg.flags.num & _TYPE_FLAGS) != key:
            return False
    for j, ident, first in plan.same:
        if not (id(args[j]) == ident and first() is args[j][0]):
            return False
    return True


class Kernel:
    """A numba dispatcher whose calls skip the type search when the arguments' types are those of the last call.

    Attributes of the dispatcher (``py_func``, ``signatures``, ``overloads``...) are read through.
    """

    __slots__ = ("dispatcher", "_bound", "__weakref__")

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self._bound: tuple[Callable, _Plan] | None = None  # (entry point, guards): read and written whole

    def __call__(self, *args: Any) -> Any:
        """Call the kernel: straight into the bound entry point if every argument fits its guard."""
        bound = self._bound
        if bound is not None and _fits(args, bound[1]):  # (bound[1]: the guards' plan)
            return bound[0](*args)
        result = self.dispatcher(*args)
        signature = tuple(self.dispatcher.typeof_pyval(a) for a in args)
        compiled = self.dispatcher.overloads.get(signature)
        if compiled is not None:
            self._bound = (compiled.entry_point, _Plan(tuple(_guard(a) for a in args)))
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dispatcher, name)

    def __repr__(self) -> str:
        return f"Kernel({self.dispatcher.py_func.__module__}.{self.dispatcher.py_func.__qualname__})"


def kernel(fn: Callable) -> Kernel:
    """Compile ``fn`` as ``@njit(cache=True)`` and wrap it in a :class:`Kernel` (for a component's daily kernel).

    Only for functions called from Python: a jitted function cannot call a :class:`Kernel`.
    """
    return Kernel(njit(cache=True)(fn))
