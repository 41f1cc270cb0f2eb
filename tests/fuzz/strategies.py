"""Hypothesis strategies shared by the fuzz tests: JSON documents, header maps, tokens."""

from __future__ import annotations

import json

from hypothesis import strategies as st

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner, max_size=6)
    ),
    max_leaves=25,
)


def json_objects_with(keys: list[str]) -> st.SearchStrategy[dict[str, object]]:
    """JSON objects that often carry the keys a parser looks for, with any values."""
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=10), json_values, max_size=8)


def json_bytes(values: st.SearchStrategy[object]) -> st.SearchStrategy[bytes]:
    return values.map(lambda v: json.dumps(v).encode())


header_maps = st.dictionaries(
    st.text(
        alphabet=st.characters(codec="ascii", categories=["L", "N", "Pd"]), min_size=1, max_size=20
    ),
    st.text(max_size=60),
    max_size=6,
)
