"""The component contract: what a mechanism declares, and the checks that make the declarations safe.

A mechanism of the model is a module in :mod:`sim.model.mechanisms` (one behaviour, one file) that
declares, next to its rules:

- ``PARAMS``: the parameters it reads, ``{CONSTANT: Param(schema path, ...)}``; the constant is the
  column of the packed vector a kernel reads (``mp[L.MP_TRUST_UP]``; market parameters start with
  ``MP_``, brand parameters with ``BP_``); unit and source come from the schema field unless given;
- ``STATE``: the per-consumer state it owns, ``{CONSTANT: State(name, dtype, per_brand)}``;
- ``RUN_STATE``: the run-level state it keeps from day to day, one value per run or per brand (a
  brand's delisting spell, its stored-value liability, its place on the enforcement ladders),
  ``{name: RunState(shape, dtype, initial)}``; the model creates every declared run state once at
  set-up, as ``model.run_state.<name>`` (a numpy array a step writes in place, never rebinds);
- ``TALLIES``, ``LEDGER``, ``EVENTS``: the daily tallies, ledger items and journey events it writes,
  ``{CONSTANT: name}``;
- ``SLOTS``: its plan of counter-based random-number slots, a tuple of :class:`Slots`;
- ``TABLES``: lists of the schema it reads packed as tables, ``{name: Table(...)}`` (the kernels take
  ``prm.<name>``; each column constant is the column a kernel reads, ``prm.lines[k, j, L.LINE_BASKET]``);
- ``NAME`` and ``step(model, day)``, which calls its ``@njit(cache=True)`` kernel (``step = None``
  for a part run from inside another mechanism's kernel, such as interception at checkout).

:mod:`sim.model.layout` assembles the column tables from these declarations,
:mod:`sim.model.params` packs the declared parameters, and :func:`check_slot_plans` proves at import
that no two slot ranges can meet for any scenario the schema admits (its bounds: brands, partners,
messages a week, days).
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.scenario import schema as S

# ---- schema bounds the slot plans rely on ------------------------------------------------------


def schema_bound(model: type[BaseModel], name: str, kind: str) -> float:
    """The bound ``kind`` ("le", "max_length") of field ``name`` of schema class ``model``."""
    for meta in model.model_fields[name].metadata:
        value = getattr(meta, kind, None)
        if value is not None:
            return value
    raise LookupError(f"schema field {model.__name__}.{name} declares no bound {kind!r}")


MAX_BRANDS = int(schema_bound(S.Scenario, "brands", "max_length"))
MAX_PARTNERS = int(schema_bound(S.Market, "partners", "max_length"))
MAX_DAYS = int(schema_bound(S.Run, "days", "le"))
MAX_POPULATION = int(schema_bound(S.Run, "population", "le"))
#: A day as a consumer's record stores it (joined, end of cool-off, last purchase, last contact). Every
#: such day lies between ``layout.NEVER`` and a day of the run plus a cool-off of at most ``MAX_DAYS``,
#: so 16 bits hold it: 2 bytes, not 4, for each of four fields (8 bytes per consumer and brand, 76 MiB
#: at ten million consumers). ``tests/test_setup_memory.py`` checks the bounds against the schema.
DAY = np.int16 if 2 * MAX_DAYS < np.iinfo(np.int16).max else np.int32
#: Most messages of one kind a brand sends on one day: ``sends_on_day`` of the largest weekly cadence.
MAX_SENDS_PER_DAY = math.ceil(max(schema_bound(S.Messaging, "per_week", "le"),
                                  schema_bound(S.Compliance, "cold_outreach_per_week", "le")) / 7.0)


# ---- declarations ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One parameter a mechanism reads, packed into a float64 column.

    Attributes:
        path: Schema path: ``market.<...>``, ``brand.<...>`` (a brand of the scenario) or ``tool.<...>``
            (the brand's resolved pool tool).
        derive: Turns the value at ``path`` into the number packed (a flag, a count, a transform).
        unit: Unit; ``None`` takes the schema field's.
        source: Source or "assumption"; ``None`` takes the schema field's.
    """

    path: str
    derive: Callable[[Any], float] | None = None
    unit: str | None = None
    source: str | None = None

    @property
    def scope(self) -> str:
        """``market`` (one value per run) or ``brand`` (one value per brand)."""
        return "market" if self.path.startswith("market.") else "brand"

    @property
    def name(self) -> str:
        """The column name: the last part of the path."""
        return self.path.rsplit(".", 1)[-1]

    def value(self, root: Any) -> float:
        """The number packed for this parameter, read from ``root`` (the object the path starts at)."""
        obj = root
        for part in self.path.split(".")[1:]:
            obj = getattr(obj, part)
        return float(self.derive(obj) if self.derive is not None else obj)

    def describe(self) -> tuple[str, str]:
        """(unit, source): the declared ones, else the schema field's."""
        extra = schema_field_extra(self.path)
        unit = self.unit if self.unit is not None else extra.get("unit")
        source = self.source if self.source is not None else extra.get("source")
        if not unit or not source:
            raise LookupError(f"parameter {self.path} has no unit or source "
                              "(declare them or document the schema field)")
        return unit, source


_ROOTS: dict[str, type[BaseModel]] = {"market": S.Market, "brand": S.Brand, "tool": S.Tool}


def _model_class(annotation: Any) -> type[BaseModel] | None:
    """The schema class inside a field annotation (``Foo``, ``Foo | None``), if there is one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            found = _model_class(arg)
            if found is not None:
                return found
    return None


def schema_field_extra(path: str) -> dict[str, Any]:
    """The documented unit and source of the schema field at ``path`` (empty if it has none)."""
    root, *parts = path.split(".")
    model = _ROOTS[root]
    for n, part in enumerate(parts):
        if part not in model.model_fields:
            raise LookupError(f"{path}: {model.__name__} has no field {part!r}")
        info = model.model_fields[part]
        if n == len(parts) - 1:
            extra = info.json_schema_extra
            return dict(extra) if isinstance(extra, dict) else {}
        inner = _model_class(info.annotation)
        if inner is None:
            raise LookupError(f"{path}: {model.__name__}.{part} is not a section")
        model = inner
    return {}


@dataclass(frozen=True)
class Table:
    """A list of the schema packed as a float64 table (K, rows, columns): one row per item, one column per field.

    The product lines of cross-sell, say: ``prm.lines[k, j, L.LINE_BASKET]`` is the basket multiplier of
    brand ``k``'s line ``j``. Each column constant (``LINE_BASKET``) names a numeric field of the list's
    item (``basket_multiplier``), with the field's schema unit and source; a brand's missing rows hold
    ``fill``.

    Attributes:
        path: Schema path of the list (``brand.strategy.cross_sell.lines``).
        rows: Rows per brand: the schema's most items (``max_length``).
        columns: Column constant -> field name of an item, in column order.
        fill: Value of every column of a row the brand does not have.
        source: Source of the fields that document none in the schema.
    """

    path: str
    rows: int
    columns: dict[str, str]
    fill: float = 0.0
    source: str | None = None

    def items(self, brand: Any) -> list[Any]:
        """The brand's items of the list (the schema objects), read at ``path`` from ``brand``."""
        obj = brand
        for part in self.path.split(".")[1:]:
            obj = getattr(obj, part)
        return list(obj)

    def item_model(self) -> type[BaseModel]:
        """The schema class of one item of the list."""
        root, *parts = self.path.split(".")
        model = _ROOTS[root]
        for part in parts:
            info = model.model_fields[part]
            annotation = info.annotation
            args = typing.get_args(annotation)
            inner = _model_class(args[0] if typing.get_origin(annotation) is list and args else annotation)
            if inner is None:
                raise LookupError(f"{self.path}: {model.__name__}.{part} is neither a section nor a list of them")
            model = inner
        return model

    def describe(self, field_name: str) -> tuple[str, str]:
        """(unit, source) of column ``field_name``: the schema field's, the source else the table's."""
        extra = self.item_model().model_fields[field_name].json_schema_extra
        extra = extra if isinstance(extra, dict) else {}
        unit, source = extra.get("unit"), extra.get("source") or self.source
        if not unit or not source:
            raise LookupError(f"{self.path}.{field_name} has no unit or source (document the schema field)")
        return str(unit), str(source)

    def numeric_fields(self) -> list[str]:
        """The fields of an item that hold a number (every one must be a column)."""
        return [name for name, info in self.item_model().model_fields.items() if info.annotation in (int, float)]


#: The dtype of a yes/no per-brand state (consent, opted out, paid membership): one bit of the record's
#: ``flag_bits`` byte, not a byte of its own (kernels read and write it with :func:`sim.model.state.flag` and
#: :func:`sim.model.state.set_flag`; NumPy code reads it with ``Population.column``, a 0/1 uint8 array).
FLAG = np.bool_


@dataclass(frozen=True)
class State:
    """One per-consumer state column a mechanism owns.

    Attributes:
        name: Column name (as results and tests call it).
        dtype: ``np.float32``, ``np.int32``, :data:`DAY` (a day), ``np.uint8`` or :data:`FLAG` (a bit, per
            brand only); per-brand columns are fields of one (N, K) record.
        initial: Value before day 0.
        per_brand: One value per consumer and brand (else one per consumer, its own array).
        doc: What the column means.
    """

    name: str
    dtype: type
    initial: float = 0
    per_brand: bool = True
    doc: str = ""


#: The dtypes a run state may take.
#: An object run state holds one Python value per element (``None`` at set-up): e.g. a per-brand list of
#: ids a component carries from day to day.
RUN_STATE_DTYPES = (np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.bool_), np.dtype(object))


@dataclass(frozen=True)
class RunState:
    """One run-level state a mechanism keeps from day to day (not per consumer): an array per run.

    Attributes:
        shape: Dimensions: ``"brands"`` (the scenario's number of brands) or a fixed int, e.g.
            ``("brands",)``, ``("brands", 2)``; ``()`` for one value per run (a 0-d array).
        dtype: ``np.int64``, ``np.float64``, ``np.bool_``, or ``object`` (one Python value per element, such as
            a brand's carried list of ids; its initial value must be ``None``).
        initial: Value of every element at set-up (before day 0).
        param: A packed market parameter (``"MP_FATIGUE_DAYS"``) whose value at set-up is the initial
            value instead of ``initial``.
        doc: What the state means.
    """

    shape: tuple[str | int, ...]
    dtype: type
    initial: float | None = 0
    param: str | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        for dim in self.shape:
            if dim != "brands" and not (isinstance(dim, int) and dim >= 0):
                raise ValueError(f"run state shape {self.shape!r}: a dimension is 'brands' or an int >= 0")
        if np.dtype(self.dtype) not in RUN_STATE_DTYPES:
            raise ValueError(f"run state dtype {self.dtype!r}: expected one of {RUN_STATE_DTYPES}")
        if np.dtype(self.dtype) == np.dtype(object) and (self.initial is not None or self.param is not None):
            raise ValueError("an object run state starts at None (initial=None, no param)")

    def dims(self, brands: int) -> tuple[int, ...]:
        """The concrete shape for a run of ``brands`` brands."""
        return tuple(brands if dim == "brands" else dim for dim in self.shape)

    def create(self, brands: int, market_params: Callable[[str], float] | None = None) -> np.ndarray:
        """A fresh array of this state for a run of ``brands`` brands, every element at its initial value.

        Args:
            brands: The scenario's number of brands.
            market_params: Looks up a packed market parameter by constant (needed when ``param`` is set).
        """
        if self.param is not None:
            if market_params is None:
                raise ValueError(f"run state starting from {self.param} needs the packed market parameters")
            value = market_params(self.param)
        else:
            value = self.initial
        return np.full(self.dims(brands), value, dtype=self.dtype)


class RunStates:
    """The run-level state of one run: an attribute per declared :class:`RunState`, created once at set-up.

    Steps write into the arrays in place (``model.run_state.delisted_until[k] = day``,
    ``model.run_state.fatigue_days[()] = t``); binding a name, declared or not, is refused, so no
    component can keep run state the contract does not declare.
    """

    def __init__(self, table: dict[str, RunState], brands: int,
                 market_params: Callable[[str], float] | None = None) -> None:
        arrays = {name: rs.create(brands, market_params) for name, rs in table.items()}
        object.__setattr__(self, "_arrays", arrays)
        for name, array in arrays.items():  # instance attributes: read at the speed of any attribute, a dozen a day
            if name.startswith("_") or hasattr(type(self), name):
                raise ValueError(f"run state {name!r}: the name is taken by RunStates itself")
            object.__setattr__(self, name, array)

    def __getattr__(self, name: str) -> np.ndarray:  # (only for a name that is not declared)
        raise AttributeError(f"no run state {name!r} is declared (declared: {sorted(self._arrays)})")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"run state {name!r}: write into the declared array in place, never bind a name")

    def __dir__(self) -> list[str]:
        return sorted(self._arrays)

    def names(self) -> tuple[str, ...]:
        """The declared names, in declaration order."""
        return tuple(self._arrays)


@dataclass(frozen=True)
class Slots:
    """A plan of counter-based random-number slots in one stream (see :mod:`sim.model.rng`).

    A draw is ``uniform(key(seed, stream, day + day_offset), agent, slot)``. Brand ``k``'s draws use
    slots ``block * k + first ... block * k + first + count - 1`` of each named range in ``ranges``;
    ``shared`` ranges (``first`` counted from slot 0) serve every brand and must lie past all blocks.

    Attributes:
        stream: The rng stream (``rng.PURCHASE``...).
        block: Slots reserved per brand (0: the plan has only shared ranges).
        ranges: Name -> (first, count) inside a brand's block.
        shared: Name -> (first, count) used by every brand.
        day_offset: Added to the day in the key (a second key of the same stream); ``None`` for a key
            fixed for the whole run (``day = -1``).
    """

    stream: int
    block: int = 0
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    shared: dict[str, tuple[int, int]] = field(default_factory=dict)
    day_offset: int | None = 0

    def first(self, name: str) -> int:
        """First slot of range ``name`` (inside a brand's block, or absolute if shared)."""
        return (self.ranges.get(name) or self.shared[name])[0]

    def intervals(self, max_brands: int = MAX_BRANDS) -> list[tuple[int, int, str]]:
        """Every slot interval (first, last, label) the plan can use with up to ``max_brands`` brands."""
        out = []
        for k in range(max_brands if self.ranges else 0):
            for name, (first, count) in self.ranges.items():
                out.append((self.block * k + first, self.block * k + first + count - 1, f"{name}[brand {k}]"))
        for name, (first, count) in self.shared.items():
            out.append((first, first + count - 1, name))
        return out


class SlotPlanError(RuntimeError):
    """Two random-number slot ranges can meet: two purposes would share one draw."""


def check_slot_plans(plans: Iterable[tuple[str, Slots]], max_brands: int = MAX_BRANDS,
                     max_days: int = MAX_DAYS) -> int:
    """Prove that no two declared slot ranges can meet, for any scenario the schema admits.

    Checks that each brand's ranges fit its block, that shared ranges lie past every brand's block,
    that keys of one stream with different day offsets cannot coincide within the longest horizon,
    and that no two intervals of one key overlap. Returns the number of intervals checked.

    Raises:
        SlotPlanError: Naming the two ranges that meet.
    """
    by_key: dict[tuple[int, int | None], list[tuple[int, int, str]]] = {}
    offsets: dict[int, set[int]] = {}
    for owner, plan in plans:
        for name, (first, count) in plan.ranges.items():
            if first < 0 or count < 1 or first + count > plan.block:
                raise SlotPlanError(f"{owner}: range {name} ({first}, {count}) does not fit its block of {plan.block}")
        for name, (first, _count) in plan.shared.items():
            if plan.ranges and first < plan.block * max_brands:
                raise SlotPlanError(f"{owner}: shared range {name} starts at {first}, inside the brands' blocks "
                                    f"(0..{plan.block * max_brands - 1})")
        if plan.day_offset is not None:
            offsets.setdefault(plan.stream, set()).add(plan.day_offset)
        by_key.setdefault((plan.stream, plan.day_offset), []).extend(
            (a, b, f"{owner}.{label}") for a, b, label in plan.intervals(max_brands))
    for stream, offs in offsets.items():
        ordered = sorted(offs)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if b - a <= max_days:
                raise SlotPlanError(f"stream {stream}: day offsets {a} and {b} are closer than the longest horizon "
                                    f"({max_days} days): their keys can coincide")
    checked = 0
    for (stream, offset), intervals in by_key.items():
        intervals.sort()
        for (a1, b1, l1), (a2, b2, l2) in zip(intervals, intervals[1:], strict=False):
            if a2 <= b1:
                raise SlotPlanError(f"stream {stream} (day offset {offset}): {l1} (slots {a1}..{b1}) and {l2} "
                                    f"(slots {a2}..{b2}) overlap")
        checked += len(intervals)
    return checked


def as_int_constants(table: dict[str, int]) -> dict[str, int]:
    """Plain Python ints (numba freezes module-level ints into compiled kernels as constants)."""
    return {k: int(v) for k, v in table.items()}


DTYPES = (np.float32, np.int32, np.int16, np.uint8)
