from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.kafka_io import MAX_EVENTS_PER_RECORD, MAX_RECORD_BYTES, event_records
from emailtrack.common.record_contents import RecordContents, contents_of
from emailtrack.v1 import events_pb2


def event(n: int, padding: int = 0) -> events_pb2.Event:
    return events_pb2.Event(event_id=f"e{n}", tenant_id="t", campaign_id="x" * padding)


def decoded(value: bytes) -> list[events_pb2.Event]:
    return list(events_pb2.EventBatch.FromString(value).events)


def test_small_batches_stay_one_record() -> None:
    records = event_records([event(n) for n in range(10)])
    assert [r.count for r in records] == [10]
    assert decoded(records[0].value) == [event(n) for n in range(10)]


def test_many_events_are_split_by_count_keeping_order() -> None:
    events = [event(n) for n in range(2 * MAX_EVENTS_PER_RECORD + 5)]
    records = event_records(events)
    assert [r.count for r in records] == [MAX_EVENTS_PER_RECORD, MAX_EVENTS_PER_RECORD, 5]
    assert [e.event_id for r in records for e in decoded(r.value)] == [e.event_id for e in events]


def test_large_events_are_split_by_size() -> None:
    records = event_records([event(n, padding=MAX_RECORD_BYTES // 3) for n in range(7)])
    assert all(len(r.value) <= MAX_RECORD_BYTES for r in records)
    assert sum(len(decoded(r.value)) for r in records) == 7
    assert len(records) == 4


def test_no_events_no_records() -> None:
    assert event_records([]) == []


def test_each_record_carries_the_trace_of_its_first_event() -> None:
    events = [event(n) for n in range(MAX_EVENTS_PER_RECORD + 1)]
    for n, e in enumerate(events):
        e.trace.traceparent = f"00-{n:032x}-{n + 1:016x}-01"
    first, second = event_records(events)
    assert first.first_trace == events[0].trace
    assert second.first_trace == events[MAX_EVENTS_PER_RECORD].trace


@given(st.lists(st.tuples(st.text(max_size=40), st.integers(0, 3000)), max_size=30))
def test_record_bytes_equal_the_batch_message_serialization(fields: list[tuple[str, int]]) -> None:
    events = [events_pb2.Event(event_id=i, campaign_id="c" * size) for i, size in fields]
    records = event_records(events)
    expected = events_pb2.EventBatch(events=events).SerializeToString() if events else None
    assert [r.value for r in records] == ([expected] if expected is not None else [])


def test_each_record_declares_its_own_event_types_and_tenants() -> None:
    opens = [
        events_pb2.Event(
            event_id=f"o{n}", type=events_pb2.EVENT_TYPE_EMAIL_OPEN, tenant_id=f"t{n % 2}"
        )
        for n in range(MAX_EVENTS_PER_RECORD)
    ]
    unsubscribe = events_pb2.Event(event_id="u", type=events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
                                   tenant_id="t9")  # fmt: skip
    first, second = event_records([*opens, unsubscribe])
    assert contents_of(first.contents) == RecordContents(
        frozenset({events_pb2.EVENT_TYPE_EMAIL_OPEN}), frozenset({"t0", "t1"})
    )
    assert contents_of(second.contents) == RecordContents(
        frozenset({events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE}), frozenset({"t9"})
    )
