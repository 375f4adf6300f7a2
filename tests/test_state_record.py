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
from sim.model.component import State
from sim.model.market import MarketModel
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
    """Each declared per-brand ``State`` is a field named as declared, of the declared dtype; its constant names it."""
    declared = {const: st for comp in components.DECLARING for const, st in getattr(comp, "STATE", {}).items()}
    per_brand = {const: st for const, st in declared.items() if st.per_brand}
    assert set(L.PAIR_DTYPE.names) == {st.name for st in per_brand.values()}
    for const, st in per_brand.items():
        assert getattr(L, const) == st.name
        assert L.PAIR_DTYPE.fields[st.name][0] == np.dtype(st.dtype), const


def test_record_larger_than_a_cache_line_is_refused() -> None:
    """A declaration that would push the record past one cache line fails at assembly, naming the limit."""
    many = [State(f"f{j}", np.float32) for j in range(16)] + [State("extra", np.uint8)]
    with pytest.raises(L.LayoutError, match="65 bytes, more than one cache line"):
        L.record_dtype(many)
    assert L.record_dtype(many[:16]).itemsize == 64


def test_state_lives_in_the_record_and_kernels_write_through_it() -> None:
    """After a run, the fields the kernels wrote are in ``pop.pair`` (``columns()`` gives views of it)."""
    model = MarketModel(small("china_in_china", population=2000, days=20))
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
        if fn.name.endswith("_kernel"):
            assert names[0] == "c" and len(names) <= 9, (fn.name, names)
