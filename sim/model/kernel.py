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
                return [_TUPLE_ALIKE, type(arg), fields, last]
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


def _fits(args: tuple, guards: tuple) -> bool:
    """True if every argument matches its guard: the rules, argument by argument (:func:`_checker` unrolls them)."""
    if len(args) != len(guards):
        return False
    for arg, g in zip(args, guards, strict=True):
        kind = g[0]
        if kind == _SCALAR:
            if type(arg) is not g[1]:  # (a None type never matches)
                return False
            if g[1] is int and not _INT64_MIN <= arg <= _INT64_MAX:  # not the int64 the version was bound for
                return False
        elif type(arg) is not g[1]:
            return False
        elif kind == _TUPLE_ALIKE:
            refs = g[3][0]  # read once: a concurrent call may replace it
            if refs is not None and all(r() is a for r, a in zip(refs, arg, strict=True)):
                continue  # the very arrays of a tuple that fitted
            if not _fit_fields(arg, g[2], g[3]):
                return False
        elif kind == _ARRAY:
            if (arg.dtype, arg.ndim, arg.flags.num & _TYPE_FLAGS) != g[2]:
                return False
        elif not (id(arg) == g[2] and g[3]() is arg[0]):  # _TUPLE_SAME
            return False
    return True


def _checker(guards: tuple) -> Callable[[tuple], bool]:
    """:func:`_fits` for these guards as one function with every test written out (a few times faster).

    A call's guards are tested on every call, a dozen times a day: looping over the guards and over each
    named tuple's fields costs more than the tests themselves. The function is generated from the guards
    (as :func:`collections.namedtuple` generates its class) and does exactly what :func:`_fits` does.
    """
    env: dict[str, Any] = {"_fit_fields": _fit_fields, "_TYPE_FLAGS": _TYPE_FLAGS, "ndarray": np.ndarray,
                           "_INT64_MIN": _INT64_MIN, "_INT64_MAX": _INT64_MAX, "id": id}
    names = [f"a{j}" for j in range(len(guards))]
    lines = ["def fits(args):", f"    if len(args) != {len(guards)}:", "        return False"]
    if guards:
        lines.append(f"    {', '.join(names)}{',' if len(guards) == 1 else ''} = args")
    for j, g in enumerate(guards):
        a, kind = names[j], g[0]
        env[f"T{j}"] = g[1]
        lines += [f"    if type({a}) is not T{j}:", "        return False"]
        if kind == _SCALAR and g[1] is int:
            lines += [f"    if not _INT64_MIN <= {a} <= _INT64_MAX:", "        return False"]
        elif kind == _ARRAY:
            env[f"K{j}"] = g[2]
            lines += [f"    if ({a}.dtype, {a}.ndim, {a}.flags.num & _TYPE_FLAGS) != K{j}:", "        return False"]
        elif kind == _TUPLE_ALIKE:
            env[f"F{j}"], env[f"L{j}"] = g[2], g[3]
            same = " and ".join(f"r[{f}]() is {a}[{f}]" for f in range(len(g[2])))
            lines += [f"    r = L{j}[0]",
                      f"    if (r is None or not ({same})) and not _fit_fields({a}, F{j}, L{j}):",
                      "        return False"]
        elif kind == _TUPLE_SAME:
            env[f"I{j}"], env[f"W{j}"] = g[2], g[3]
            lines += [f"    if not (id({a}) == I{j} and W{j}() is {a}[0]):", "        return False"]
    lines.append("    return True")
    exec("\n".join(lines), env)  # noqa: S102 (source built above from constants only)
    return env["fits"]


class Kernel:
    """A numba dispatcher whose calls skip the type search when the arguments' types are those of the last call.

    Attributes of the dispatcher (``py_func``, ``signatures``, ``overloads``...) are read through.
    """

    __slots__ = ("dispatcher", "_bound", "__weakref__")

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        #: (entry point, guards, their checker): read and written whole
        self._bound: tuple[Callable, tuple, Callable[[tuple], bool]] | None = None

    def __call__(self, *args: Any) -> Any:
        """Call the kernel: straight into the bound entry point if every argument fits its guard."""
        bound = self._bound
        if bound is not None and bound[2](args):
            return bound[0](*args)
        result = self.dispatcher(*args)
        signature = tuple(self.dispatcher.typeof_pyval(a) for a in args)
        compiled = self.dispatcher.overloads.get(signature)
        if compiled is not None:
            guards = tuple(_guard(a) for a in args)
            self._bound = (compiled.entry_point, guards, _checker(guards))
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
