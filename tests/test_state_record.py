"""The per-brand state record and the grouped kernel arguments (issue 11 item 3, issue 12 "one cache line").

A consumer's state with one brand is one record of ``pop.pair`` whose dtype :mod:`sim.model.layout` assembles
from the components' ``STATE``; kernels take named tuples (consumers, params, books, journal), not one
array per dtype.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from sim.model import components
from sim.model import layout as L
from sim.model.component import FLAG, State
from sim.model.market import MarketModel
from sim.model.state import flag, set_flag
from tests.conftest import small

MECHANISMS = Path(L.__file__).parent / "mechanisms"


def test_record_fits_one_cache_line_without_padding() -> None:
    """The record is at most 64 bytes, has no padding and its fields run largest first."""
    dt = L.PAIR_DTYPE
    assert dt.itemsize <= L.RECORD_LIMIT == 64
    sizes = [dt.fields[name][0].itemsize for name in dt.names]
    assert dt.itemsize == sum(sizes)  # no padding
    assert sizes == sorted(sizes, reverse=True)
    offsets = [dt.fields[name][1] for name in dt.names]
    assert all(off % size == 0 for off, size in zip(offsets, sizes, strict=True))  # every field naturally aligned


def test_every_per_brand_state_is_a_field_of_its_declared_type() -> None:
    """Each declared per-brand ``State`` is a field named as declared, of the declared dtype; its constant names it.

    A yes/no state (``FLAG``) is instead one bit of the ``flag_bits`` field: the bits are distinct
    powers of two, ``BIT_<constant>`` names each, and nothing else lives in that byte.
    """
    declared = {const: st for comp in components.DECLARING for const, st in getattr(comp, "STATE", {}).items()}
    per_brand = {const: st for const, st in declared.items() if st.per_brand}
    flags = {const: st for const, st in per_brand.items() if st.dtype is FLAG}
    assert {"CONSENT", "OPTED_OUT", "PAID"} <= set(flags)
    assert set(L.PAIR_DTYPE.names) == {st.name for st in per_brand.values() if st.dtype is not FLAG} | {L.FLAGS}
    assert L.PAIR_DTYPE.fields[L.FLAGS][0] == np.dtype(np.uint8)
    for const, st in per_brand.items():
        assert getattr(L, const) == st.name
        if st.dtype is FLAG:
            assert getattr(L, f"BIT_{const}") == L.FLAG_BIT[st.name]
        else:
            assert L.PAIR_DTYPE.fields[st.name][0] == np.dtype(st.dtype), const
    bits = sorted(L.FLAG_BIT.values())
    assert bits == [1 << j for j in range(len(flags))]  # one distinct bit each


def test_yes_no_states_are_bits_kernels_and_numpy_read_alike() -> None:
    """Kernels set and clear one bit without touching the others; ``Population.column`` unpacks it to 0/1.

    A run's consent column agrees with its rules: only members hold consent, and under China's implied
    consent every member does (joining is consenting).
    """
    rec = np.zeros(3, dtype=L.PAIR_DTYPE).view(np.recarray)  # (its items read and write fields as attributes)
    set_flag.py_func(rec[1], L.BIT_OPTED_OUT, True)
    set_flag.py_func(rec[1], L.BIT_PAID, True)
    set_flag.py_func(rec[1], L.BIT_OPTED_OUT, False)
    assert [int(r[L.FLAGS]) for r in rec] == [0, L.BIT_PAID, 0]
    assert flag.py_func(rec[1], L.BIT_PAID) and not flag.py_func(rec[1], L.BIT_OPTED_OUT)

    model = MarketModel(small("china_in_china", population=2000, days=60))
    model.run_days()
    consent = model.pop.column(L.CONSENT)
    assert consent.dtype == np.uint8 and consent.shape == (model.n, model.k)
    members = model.pop.stage == L.MEMBER
    assert members.any() and (consent[members] == 1).all() and (consent[~members] == 0).all()
    assert np.array_equal(model.pop.columns()[L.PAID], (model.pop.pair[L.FLAGS] & L.BIT_PAID != 0).astype(np.uint8))


def test_more_yes_no_states_than_the_flags_byte_holds_are_refused() -> None:
    """Nine yes/no states would not fit one byte: assembly fails naming them."""
    with pytest.raises(L.LayoutError, match="the flags byte holds 8"):
        L.record_dtype([State(f"f{j}", FLAG) for j in range(9)])
    assert L.record_dtype([State(f"f{j}", FLAG) for j in range(8)]).itemsize == 1


def test_record_larger_than_a_cache_line_is_refused() -> None:
    """A declaration that would push the record past one cache line fails at assembly, naming the limit."""
    many = [State(f"f{j}", np.float32) for j in range(16)] + [State("extra", np.uint8)]
    with pytest.raises(L.LayoutError, match="65 bytes, more than one cache line"):
        L.record_dtype(many)
    assert L.record_dtype(many[:16]).itemsize == 64


def test_state_lives_in_the_record_and_kernels_write_through_it() -> None:
    """After a run, the fields the kernels wrote are in ``pop.pair`` (``columns()`` gives views of it)."""
    model = MarketModel(small("china_in_china", population=4000, days=40))
    model.run_days()
    cols = model.pop.columns()
    pair = model.pop.pair
    assert pair.shape == (model.n, model.k) and pair.dtype == L.PAIR_DTYPE
    assert np.shares_memory(cols["trust"], pair)
    members = model.pop.stage == L.MEMBER
    assert members.any() and (pair["trust"][members] > 0).all()
    assert (pair["last_purchase"] <= model.days).all() and (pair["last_purchase"] >= 0).any()
    assert "fs" not in model.pop.arrays() and "pair" in model.pop.arrays()


def _kernels() -> list[ast.FunctionDef]:
    """Every numba function of the mechanisms (kernels and inlined helpers) with its arguments."""
    out = []
    for path in sorted(MECHANISMS.glob("*.py")) + [MECHANISMS.parent / "state.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                    "njit" in ast.unparse(d) or ast.unparse(d) == "kernel" for d in node.decorator_list):
                out.append(node)
    return out


def test_kernels_take_grouped_named_arguments() -> None:
    """No kernel takes the population one array per dtype: state arguments come grouped (c, prm, books, jr)."""
    kernels = _kernels()
    assert len(kernels) > 20
    for fn in kernels:
        names = [a.arg for a in fn.args.args]
        assert not {"fs", "ist", "u8"} & set(names), fn.name
        if fn.name.endswith("_kernel"):  # the four tuples, then the day's numbers and a brand's list, no more
            assert names[0] == "c" and len(names) <= 11, (fn.name, names)
