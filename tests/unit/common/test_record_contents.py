"""The record headers declaring an EventBatch record's event types and tenants: what a
producer writes, what a consumer reads back, and the cases a consumer must decode in full."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.record_contents import (
    EVENT_TYPES_HEADER,
    MAX_LISTED_TENANTS,
    TENANTS_HEADER,
    RecordContents,
    contents_headers,
    contents_of,
)

TRACE = ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
# protobuf strings are valid UTF-8: no surrogates
tenant_ids = st.text(
    alphabet=st.characters(codec="utf-8", blacklist_characters=","),
    min_size=1,
    max_size=12,
)


@given(
    st.sets(st.integers(0, 10_000), min_size=1, max_size=20),
    st.sets(tenant_ids, min_size=1, max_size=MAX_LISTED_TENANTS),
)
def test_declared_contents_read_back_as_written(types: set[int], tenants: set[str]) -> None:
    headers = [TRACE, *contents_headers(types, tenants)]
    assert contents_of(headers) == RecordContents(frozenset(types), frozenset(tenants))


def test_the_header_values_are_sorted_decimal_types_and_tenant_ids() -> None:
    assert contents_headers([2, 1, 2, 1], ["t2", "t1", "t1"]) == [
        (EVENT_TYPES_HEADER, b"1,2"),
        (TENANTS_HEADER, b"t1,t2"),
    ]


def test_tenants_are_not_listed_when_many_or_not_listable() -> None:
    many = [f"t{n}" for n in range(MAX_LISTED_TENANTS + 1)]
    for tenants in (many, ["t1", ""], ["a,b"]):
        headers = contents_headers([1], tenants)
        assert [name for name, _ in headers] == [EVENT_TYPES_HEADER]
        assert contents_of(headers) == RecordContents(frozenset({1}), None)


def test_a_record_without_the_header_declares_nothing() -> None:
    assert contents_of([]) is None
    assert contents_of([TRACE]) is None
    assert contents_of([(TENANTS_HEADER, b"t1")]) is None


def test_an_unreadable_or_repeated_header_declares_nothing() -> None:
    for junk in (b"", b"1,", b"open", b"1;2", b"\xff"):
        assert contents_of([(EVENT_TYPES_HEADER, junk)]) is None
    assert contents_of([(EVENT_TYPES_HEADER, b"1"), (EVENT_TYPES_HEADER, b"1")]) is None
    assert contents_of([(EVENT_TYPES_HEADER, b"1"), (TENANTS_HEADER, b"\xff")]) is None
