"""The per-brand state arrays, the traits' layout and the grouped kernel arguments (issue 11 item 3, issue 12).

The consumers' state with the brands is ``pop.pair``, a named tuple (:data:`sim.model.layout.PairState`,
assembled from the components' ``STATE``) of one (N, K) array per field, read by name
(``pair.trust[i, k]``); traits are stored trait by trait, (N_TRAITS, N). Kernels take named tuples
(consumers, params, books, journal), not one array per dtype.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from sim.model import components
from sim.model import layout as L
from sim.model.component import State
from sim.model.market import MarketModel
from tests.conftest import small

MECHANISMS = Path(L.__file__).parent / "mechanisms"


def test_every_per_brand_state_is_an_array_of_its_declared_type() -> None:
    """Each declared per-brand ``State`` is a field named as declared; its array has the declared dtype and start."""
    declared = {const: st for comp in components.DECLARING for const, st in getattr(comp, "STATE", {}).items()}
    per_brand = {const: st for const, st in declared.items() if st.per_brand}
    assert set(L.PairState._fields) == {st.name for st in per_brand.values()}
    assert L.PAIR_BYTES == sum(np.dtype(st.dtype).itemsize for st in per_brand.values())
    model = MarketModel(small("china_in_china", population=300, days=5))
    for const, st in per_brand.items():
        assert getattr(L, const) == st.name
        array = model.pop.pair[st.name]
        assert array is getattr(model.pop.pair, st.name)
        assert array.shape == (300, 1) and array.dtype == np.dtype(st.dtype), const
        assert array.flags.c_contiguous
    unjoined = model.pop.stage[:, 0] == L.UNAWARE
    assert (model.pop.pair.last_purchase[unjoined] == L.NEVER).all()  # a declared start other than 0
    with pytest.raises(KeyError):
        model.pop.pair["no_such_field"]


def test_a_state_field_declared_twice_is_refused() -> None:
    """Two per-brand states of the same name fail at assembly, naming the field."""
    with pytest.raises(L.LayoutError, match="declared twice.*trust"):
        L.state_arrays_class([State("trust", np.float32), State("tier", np.uint8), State("trust", np.float32)])


def test_state_lives_in_the_named_arrays_and_kernels_write_through_them() -> None:
    """After a run, the fields the kernels wrote are in ``pop.pair`` (``columns()`` gives the same arrays)."""
    model = MarketModel(small("china_in_china", population=2000, days=20))
    model.run_days()
    cols = model.pop.columns()
    pair = model.pop.pair
    assert cols["trust"] is pair.trust and cols["consent"] is pair.consent
    members = model.pop.stage == L.MEMBER
    assert members.any() and (pair["trust"][members] > 0).all()
    assert (pair["last_purchase"] <= model.days).all() and (pair["last_purchase"] >= 0).any()
    arrays = model.pop.arrays()
    assert "fs" not in arrays and "pair.trust" in arrays and arrays["pair.trust"] is pair.trust
    assert model.pop.bytes_per_consumer() == pytest.approx(sum(a.nbytes for a in arrays.values()) / model.n)


def test_traits_are_stored_trait_by_trait() -> None:
    """Traits are (N_TRAITS, N): one contiguous row per trait, which ``columns()`` returns by name."""
    model = MarketModel(small("china_in_china", population=500, days=5))
    traits = model.pop.traits
    assert traits.shape == (L.N_TRAITS, 500) and traits.flags.c_contiguous
    cols = model.pop.columns()
    for j, name in enumerate(L.TRAITS):
        assert np.shares_memory(cols[name], traits[j]) and cols[name].shape == (500,)
    assert (traits[L.TAU] >= 0.05).all()  # the floor is applied to the trait's own row


def test_no_kernel_indexes_traits_consumer_first() -> None:
    """Kernels read ``traits[L.X, i]``: a consumer-first index would read the wrong cell without an error."""
    wrong = []
    for path in sorted(MECHANISMS.glob("*.py")) + [MECHANISMS.parent / "state.py"]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"traits\[\s*(?!L\.)[^\],]+,\s*L\.", line):
                wrong.append(f"{path.name}:{n}: {line.strip()}")
    assert not wrong, wrong


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
