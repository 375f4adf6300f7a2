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

- a named tuple: the same tuple object as before (its class and identity, and its first array still the
  same object: a tuple freed and another built at the same address fails this unless it holds the same
  arrays, whose types are then the same), or, for a tuple made afresh every day (the day's books),
  arrays of the same dtype, dimensions and contiguity in every field;
- an array: the same dtype, dimensions, contiguity and writability;
- anything else (a number): the same Python type (and, for a Python integer, one that fits the 64-bit
  signed integer numba types it as).

No argument is kept alive by a guard (arrays are referenced weakly).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

_TUPLE_SAME, _TUPLE_ALIKE, _ARRAY, _SCALAR = range(4)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _array_key(a: np.ndarray) -> tuple:
    """What an array's numba type depends on: dtype, dimensions, contiguity, writability."""
    flags = a.flags
    return (a.dtype, a.ndim, flags.c_contiguous, flags.f_contiguous, flags.writeable, flags.aligned)


def _guard(arg: Any) -> tuple:
    """A cheap description of ``arg`` that decides whether the bound entry point fits it."""
    if isinstance(arg, tuple) and hasattr(type(arg), "_fields"):
        first = arg[0] if len(arg) else None
        if isinstance(first, np.ndarray):
            fields = tuple(_array_key(a) if isinstance(a, np.ndarray) else None for a in arg)
            if all(f is not None for f in fields):
                return (_TUPLE_ALIKE, type(arg), fields, id(arg), weakref.ref(first))
            return (_TUPLE_SAME, type(arg), id(arg), weakref.ref(first))
        return (_SCALAR, None)  # never matches: such a call always goes through the dispatcher
    if isinstance(arg, np.ndarray):
        return (_ARRAY, type(arg), _array_key(arg))
    if type(arg) is int and not _INT64_MIN <= arg <= _INT64_MAX:
        return (_SCALAR, None)
    return (_SCALAR, type(arg))


def _fits(args: tuple, guards: tuple) -> bool:
    """True if every argument matches its guard."""
    if len(args) != len(guards):
        return False
    for arg, g in zip(args, guards, strict=True):
        kind = g[0]
        if kind == _SCALAR:
            if g[1] is None or type(arg) is not g[1]:
                return False
            if g[1] is int and not _INT64_MIN <= arg <= _INT64_MAX:  # not the int64 the version was bound for
                return False
        elif kind == _ARRAY:
            if type(arg) is not g[1] or _array_key(arg) != g[2]:
                return False
        elif type(arg) is not g[1]:
            return False
        elif kind == _TUPLE_ALIKE:
            if not (id(arg) == g[3] and g[4]() is arg[0]):  # not the same tuple: compare every field's type
                for a, f in zip(arg, g[2], strict=True):
                    if type(a) is not np.ndarray or _array_key(a) != f:
                        return False
        elif not (id(arg) == g[2] and g[3]() is arg[0]):  # _TUPLE_SAME
            return False
    return True


class Kernel:
    """A numba dispatcher whose calls skip the type search when the arguments' types are those of the last call.

    Attributes of the dispatcher (``py_func``, ``signatures``, ``overloads``...) are read through.
    """

    __slots__ = ("dispatcher", "_bound", "__weakref__")

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self._bound: tuple[Callable, tuple] | None = None  # (entry point, guards): read and written whole

    def __call__(self, *args: Any) -> Any:
        """Call the kernel: straight into the bound entry point if every argument fits its guard."""
        bound = self._bound
        if bound is not None and _fits(args, bound[1]):
            return bound[0](*args)
        result = self.dispatcher(*args)
        signature = tuple(self.dispatcher.typeof_pyval(a) for a in args)
        compiled = self.dispatcher.overloads.get(signature)
        if compiled is not None:
            self._bound = (compiled.entry_point, tuple(_guard(a) for a in args))
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
