"""Which records the webhooks consumer may commit past undecoded, from the contents their
headers declare and the tenants' endpoint filters: never one an endpoint could want."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.record_contents import RecordContents
from emailtrack.v1 import events_pb2
from services.webhooks.consumer import records_wanted, tenants_to_read
from services.webhooks.domain.events import PUBLIC_TYPES, QUALIFIERS, filter_types, matches

OPEN, CLICK = events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK
UNSUBSCRIBE = events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE
ERASE = events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED
ENTRIES = sorted(
    {name for name, _ in PUBLIC_TYPES.values()}
    | {f"{name}:{q}" for name, qualifiers in QUALIFIERS.items() for q in qualifiers}
)


def record(types: set[int], tenants: set[str] | None) -> RecordContents:
    return RecordContents(frozenset(types), None if tenants is None else frozenset(tenants))


@given(
    st.lists(st.sampled_from(ENTRIES), max_size=4),
    st.sampled_from(sorted(PUBLIC_TYPES)),
    st.sampled_from(sorted(events_pb2.HitSource.values())),
    st.sampled_from(sorted(events_pb2.BounceType.values())),
)
def test_a_filter_wants_no_type_outside_its_filter_types(
    entries: list[str], kind: int, source: int, bounce: int
) -> None:
    event = events_pb2.Event(event_id="e", tenant_id="t", type=kind)  # type: ignore[arg-type]  # sampled from the enum's values
    if kind in (OPEN, CLICK):
        event.engagement.classification.source = source  # type: ignore[assignment]  # idem
    else:
        event.delivery.bounce_type = bounce  # type: ignore[assignment]  # idem
    if matches(entries, event):
        assert kind in filter_types(entries)


def test_filter_types_of_names_qualified_or_not_and_of_the_empty_filter() -> None:
    assert filter_types(["opened:human", "unsubscribed"]) == {OPEN, UNSUBSCRIBE}
    assert filter_types([]) == set(PUBLIC_TYPES)


def test_opens_of_a_tenant_without_endpoints_are_skipped() -> None:
    filters = [("t1", ["opened"]), ("t2", ["unsubscribed"])]
    declared = [record({OPEN, CLICK}, {"t2", "t3"}), record({OPEN}, {"t1"})]
    assert records_wanted(declared, filters) == [False, True]


def test_a_subscribed_type_of_any_listed_tenant_is_decoded() -> None:
    filters = [("t2", ["unsubscribed"])]
    assert records_wanted([record({OPEN, UNSUBSCRIBE}, {"t1", "t2"})], filters) == [True]
    assert records_wanted([record({OPEN, UNSUBSCRIBE}, {"t1"})], filters) == [False]


def test_an_empty_filter_wants_every_public_type() -> None:
    assert records_wanted([record({CLICK}, {"t1"})], [("t1", [])]) == [True]


def test_unlisted_tenants_stand_for_every_tenant() -> None:
    declared = [record({OPEN}, None), record({CLICK}, None)]
    assert tenants_to_read(declared) is None
    assert records_wanted(declared, [("t9", ["clicked:human"])]) == [False, True]


def test_erase_requests_are_always_decoded() -> None:
    assert records_wanted([record({ERASE}, {"t1"}), record({ERASE, OPEN}, None)], []) == [
        True,
        True,
    ]


def test_only_the_listed_tenants_are_read() -> None:
    declared = [record({OPEN}, {"t1"}), record({UNSUBSCRIBE}, {"t2", "t3"})]
    assert tenants_to_read(declared) == {"t1", "t2", "t3"}
