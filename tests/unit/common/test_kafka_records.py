from emailtrack.common.kafka_io import MAX_EVENTS_PER_RECORD, MAX_RECORD_BYTES, event_records
from emailtrack.v1 import events_pb2


def event(n: int, padding: int = 0) -> events_pb2.Event:
    return events_pb2.Event(event_id=f"e{n}", tenant_id="t", campaign_id="x" * padding)


def test_small_batches_stay_one_record() -> None:
    records = event_records([event(n) for n in range(10)])
    assert [len(r.events) for r in records] == [10]


def test_many_events_are_split_by_count_keeping_order() -> None:
    events = [event(n) for n in range(2 * MAX_EVENTS_PER_RECORD + 5)]
    records = event_records(events)
    assert [len(r.events) for r in records] == [MAX_EVENTS_PER_RECORD, MAX_EVENTS_PER_RECORD, 5]
    assert [e.event_id for r in records for e in r.events] == [e.event_id for e in events]


def test_large_events_are_split_by_size() -> None:
    records = event_records([event(n, padding=MAX_RECORD_BYTES // 3) for n in range(7)])
    assert all(r.ByteSize() <= MAX_RECORD_BYTES + 64 for r in records)
    assert sum(len(r.events) for r in records) == 7
    assert len(records) == 4


def test_no_events_no_records() -> None:
    assert event_records([]) == []
